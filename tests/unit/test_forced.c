/*
** test_forced.c: a reservoir's forced release (a measured release
** replayed), worked by hand: kept wherever the storage allows, left only
** where the reservoir is full or empty, every step's deviation recorded
** and the misses summed up in one warning, the run never stopped.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

/* Six days, 10 m3/s in (0.864 hm3 a day), a reservoir of 0 to 2 hm3
** starting at 1.5, forced to release 0, 0, 30, 30, 10 and 10 m3/s
** (0, 0, 2.592, 2.592, 0.864, 0.864 hm3).
**   day 1: 1.5 + 0.864 = 2.364 does not fit: 0.364 must leave, +0.364;
**   day 2: full, the whole 0.864 must leave, +0.864;
**   day 3: 2 + 0.864 = 2.864 holds the 2.592: kept, 0.272 left;
**   day 4: only 0.272 + 0.864 = 1.136 to give: -1.456, empty;
**   days 5 and 6: what comes in goes out: kept. */
static const char model[] =
    "horizon: {start: 2001-01-01, end: 2001-01-06, step: daily}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: 10}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 2, initial_storage_hm3: 1.5,\n"
    "     forced_release_m3s: {file: f.csv, column: q}}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: Sea}\n";

static void kept_where_it_can_be(void **state) {
  (void)state;
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", model);
  tu_write(dir, "f.csv", "date,q\n2001-01-01,0\n2001-01-02,0\n2001-01-03,30\n"
                         "2001-01-04,30\n2001-01-05,10\n2001-01-06,10\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_OK);
  tu_rmdir(dir);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  static const double dev[6] = {0.364, 0.864, 0, -1.456, 0, 0};
  static const double storage[6] = {2, 2, 0.272, 0, 0, 0};
  static const char *const rule[6] = {"full", "full", "forced_release_m3s", "dead storage",
                                      "forced_release_m3s", "forced_release_m3s"};
  for (int t = 0; t < 6; t++) {
    assert_near(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 1, t), dev[t], 1e-9);
    assert_near(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, 1, t), storage[t], 1e-9);
    assert_string_equal(naryn_result_rule(r, 1, t), rule[t]);
  }
  /* Only a reservoir with a forced release has a deviation. */
  assert_true(isnan(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 0, 0)));
  assert_non_null(strstr(tu_first_of(d, NARYN_SEV_WARNING),
                         "reservoir \"R\".forced_release_m3s: the forced release could not be "
                         "kept in 3 of 6 steps: 1.228 hm3 more was released where the "
                         "reservoir was full and 1.456 hm3 less where it was at dead storage "
                         "(or a link's limits held it); the largest deviation, -1.456 hm3, in "
                         "the step of 2001-01-04"));
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A forced release above every priority: a demand of priority 1 on the
** reservoir gets only what the forced release leaves. */
static void above_every_priority(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text("horizon: {start: 2001-01-01, end: 2001-01-02, step: daily}\n"
                                "nodes:\n"
                                "  - {name: In, type: inflow, inflow_m3s: 10}\n"
                                "  - {name: R, type: reservoir, max_storage_hm3: 10,\n"
                                "     initial_storage_hm3: 0, forced_release_m3s: 4}\n"
                                "  - {name: D, type: demand, demand_m3s: 8, priority: 1}\n"
                                "  - {name: Sea, type: sink}\n"
                                "links:\n"
                                "  - {from: In, to: R}\n"
                                "  - {from: R, to: D}\n"
                                "  - {from: R, to: Sea}\n",
                                &m, d),
                   NARYN_OK);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  /* Day 1: 0.864 hm3 in; the demand wants 0.6912, but the release stays
  ** the forced 0.3456, all of it to the demand, and the rest is stored. */
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_HM3, 1, 0), 0.3456, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 1, 0), 0, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_DELIVERED_HM3, 2, 0), 0.3456, 1e-9);
  assert_int_equal(naryn_diags_warnings(d), 0);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Three forced reservoirs in a row: the top one's release is kept, and
** the two below, full, let through what does not fit, rather than the top
** one holding water back to spare them (which would cost one deviation
** instead of two, were the three weighed alike). Day 1: A releases its
** forced 0.864 hm3 (10 m3/s) into B, full at 1 hm3 and forced to release
** nothing, which lets it through into C, full too: +0.864 at B and C, and
** A keeps its release exactly. */
static void upstream_kept_first(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text("horizon: {start: 2001-01-01, end: 2001-01-01, step: daily}\n"
                                "nodes:\n"
                                "  - {name: A, type: reservoir, max_storage_hm3: 100,\n"
                                "     initial_storage_hm3: 50, forced_release_m3s: 10}\n"
                                "  - {name: B, type: reservoir, max_storage_hm3: 1,\n"
                                "     initial_storage_hm3: 1, forced_release_m3s: 0}\n"
                                "  - {name: C, type: reservoir, max_storage_hm3: 1,\n"
                                "     initial_storage_hm3: 1, forced_release_m3s: 0}\n"
                                "  - {name: Sea, type: sink}\n"
                                "links:\n"
                                "  - {from: A, to: B}\n"
                                "  - {from: B, to: C}\n"
                                "  - {from: C, to: Sea}\n",
                                &m, d),
                   NARYN_OK);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 0, 0), 0, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 1, 0), 0.864, 1e-9);
  assert_near(naryn_result_node(r, NARYN_Q_RELEASE_DEVIATION_HM3, 2, 0), 0.864, 1e-9);
  assert_string_equal(naryn_result_rule(r, 0, 0), "forced_release_m3s");
  assert_string_equal(naryn_result_rule(r, 1, 0), "full");
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kept_where_it_can_be),
      cmocka_unit_test(above_every_priority),
      cmocka_unit_test(upstream_kept_first),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
