/*
** test_series.c: CSV series that meet data as it comes, each case worked
** by hand: a daily file on a monthly horizon (mean of a rate, sum of a
** volume, last day of a target), a monthly file dated at month ends on a
** daily horizon (a rate held, a volume split, a target interpolated from
** the month before), gaps filled by interpolation, the previous value and
** monthly means, and every missing row listed in one message.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

/* Loads a model with one CSV file, s.csv, beside it. */
static int load_with(const char *model, const char *csv, naryn_model **m, naryn_diags *d) {
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", model);
  tu_write(dir, "s.csv", csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  int rc = naryn_model_load(path, NULL, 0, m, d);
  tu_rmdir(dir);
  return rc;
}

/* A model whose inflow (a rate), demand (a volume) and target storage (an
** end-of-step target) are columns q, v and s of s.csv; HORIZON and the
** series' extra fields EXTRA are filled in. */
static const char model_fmt[] =
    "horizon: %s\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: {file: s.csv, column: q%s}}\n"
    "  - {name: R, type: reservoir, max_storage_hm3: 1000, initial_storage_hm3: 500,\n"
    "     target_storage_hm3: {file: s.csv, column: s%s}}\n"
    "  - {name: D, type: demand, priority: 1, demand_hm3: {file: s.csv, column: v%s}}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: D}\n"
    "  - {from: R, to: Out}\n";

static char *model_text(const char *horizon, const char *extra) {
  static char text[2048];
  snprintf(text, sizeof text, model_fmt, horizon, extra, extra, extra);
  return text;
}

/* Days of January and February 2001: on day d, q = d, v = 0.5 and
** s = 100 + d. */
static char *daily_csv(void) {
  static char csv[8192];
  size_t used = (size_t)snprintf(csv, sizeof csv, "date,q,v,s\n");
  for (int mo = 1; mo <= 2; mo++)
    for (int d = 1; d <= (mo == 1 ? 31 : 28); d++)
      used += (size_t)snprintf(csv + used, sizeof csv - used, "2001-%02d-%02d,%d,0.5,%d\n",
                               mo, d, d, 100 + d);
  return csv;
}

/* January: q mean of 1..31 = 16, v sum 15.5, s on the 31st = 131.
** February: q mean of 1..28 = 14.5, v sum 14, s on the 28th = 128. */
static void daily_file_on_a_monthly_horizon(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(load_with(model_text("{start: 2001-01, end: 2001-02, step: monthly}", ""),
                             daily_csv(), &m, d),
                   NARYN_OK);
  assert_near(m->nodes[0].inflow_m3s.v[0], 16.0, 1e-12);
  assert_near(m->nodes[0].inflow_m3s.v[1], 14.5, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[0], 131.0, 1e-12);
  assert_near(m->nodes[1].target_storage_hm3.v[1], 128.0, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[0], 15.5, 1e-12);
  assert_near(m->nodes[2].demand_hm3.v[1], 14.0, 1e-12);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Month ends, as pandas writes them, on a daily horizon of February and
** March 2001. q holds on each day (20, then 30); v is split over the days
** (28 hm3 in February is 1 a day, 62 in March 2 a day); s goes from the
** month before's 100 to 128 by February's end (100 + d on day d), then to
** 190 by March's (128 + 2d). */
static void month_ends_on_a_daily_horizon(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(
      load_with(model_text("{start: 2001-02-01, end: 2001-03-31, step: daily}", ""),
                "date,q,v,s\n2001-01-31,10,31,100\n2001-02-28,20,28,128\n"
                "2001-03-31,30,62,190\n",
                &m, d),
      NARYN_OK);
  const double *q = m->nodes[0].inflow_m3s.v, *s = m->nodes[1].target_storage_hm3.v,
               *v = m->nodes[2].demand_hm3.v;
  for (int t = 0; t < 28; t++) {
    assert_near(q[t], 20.0, 0);
    assert_near(v[t], 1.0, 1e-12);
    assert_near(s[t], 101.0 + t, 1e-9);
  }
  for (int t = 28; t < 59; t++) {
    assert_near(q[t], 30.0, 0);
    assert_near(v[t], 2.0, 1e-12);
    assert_near(s[t], 128.0 + 2.0 * (t - 27), 1e-9);
  }
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Days 1-10 of January 2001 with rows on days 1, 2, 5, 6, 7 and 8 only
** (q = the day, v = 1, s = 100). */
static const char gappy_csv[] =
    "date,q,v,s\n2001-01-01,1,1,100\n2001-01-02,2,1,100\n2001-01-05,5,1,100\n"
    "2001-01-06,6,1,100\n2001-01-07,7,1,100\n2001-01-08,8,1,100\n";
#define TEN_DAYS "{start: 2001-01-01, end: 2001-01-10, step: daily}"

/* Interpolated, days 3 and 4 are 3 and 4; the previous value makes both
** 2; the monthly means after the last row give days 9 and 10 the mean of
** the days given, (1 + 2 + 5 + 6 + 7 + 8) / 6 = 29 / 6. */
static void gaps_filled_three_ways(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(load_with(model_text(TEN_DAYS, ", fill: interpolate, fallback: monthly_means"),
                             gappy_csv, &m, d),
                   NARYN_OK);
  const double *q = m->nodes[0].inflow_m3s.v;
  static const double want[10] = {1, 2, 3, 4, 5, 6, 7, 8, 29.0 / 6, 29.0 / 6};
  for (int t = 0; t < 10; t++) assert_near(q[t], want[t], 1e-12);
  assert_non_null(strstr(tu_first_of(d, NARYN_SEV_NOTE), "2 missing days filled by interpolation: "
                                           "2001-01-03 to 2001-01-04"));
  naryn_model_free(m);
  naryn_diags_clear(d);
  assert_int_equal(load_with(model_text(TEN_DAYS, ", fill: previous, fallback: monthly_means"),
                             gappy_csv, &m, d),
                   NARYN_OK);
  assert_near(m->nodes[0].inflow_m3s.v[2], 2.0, 0);
  assert_near(m->nodes[0].inflow_m3s.v[3], 2.0, 0);
  naryn_model_free(m);
  naryn_diags_clear(d);
  /* Monthly means for the gap too: the mean of the days given. */
  assert_int_equal(load_with(model_text(TEN_DAYS, ", fill: monthly_means, fallback: monthly_means"),
                             gappy_csv, &m, d),
                   NARYN_OK);
  assert_near(m->nodes[0].inflow_m3s.v[2], 29.0 / 6, 1e-12);
  assert_near(m->nodes[0].inflow_m3s.v[9], 29.0 / 6, 1e-12);
  naryn_model_free(m);
  naryn_diags_clear(d);
  /* An empty cell is a gap like a missing row: day 2 is the mean of its
  ** neighbours... */
  assert_int_equal(load_with(model_text(TEN_DAYS, ", fill: interpolate, fallback: monthly_means"),
                             "date,q,v,s\n2001-01-01,1,1,100\n2001-01-02,,1,100\n"
                             "2001-01-03,3,1,100\n2001-01-10,10,1,100\n",
                             &m, d),
                   NARYN_OK);
  /* ...interpolated from days 1 and 3, and days 4 to 9 from 3 to 10. */
  static const double filled[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  for (int t = 0; t < 10; t++)
    assert_near(m->nodes[0].inflow_m3s.v[t], filled[t], 1e-12);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Without a fill, every missing row is in one message; a fill without a
** fallback still names the end the series does not reach. */
static void missing_rows_listed_at_once(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(load_with(model_text(TEN_DAYS, ""),
                             "date,q,v,s\n2001-01-01,1,1,1\n2001-01-03,1,1,1\n"
                             "2001-01-05,1,1,1\n2001-01-07,1,1,1\n2001-01-10,1,1,1\n",
                             &m, d),
                   NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d),
                         "s.csv:3:1: error: column \"date\": expected a row for every day of "
                         "the horizon, got none for 5: 2001-01-02, 2001-01-04, 2001-01-06, "
                         "2001-01-08 to 2001-01-09"));
  naryn_diags_clear(d);
  assert_int_equal(load_with(model_text(TEN_DAYS, ", fill: interpolate"), gappy_csv, &m, d),
                   NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "expected rows up to 2001-01-10 (the end of the "
                                            "horizon), got rows only up to 2001-01-08"));
  naryn_diags_free(d);
}

/* A list as long as the horizon gives each step's value, and a value out
** of range is told by its step; a list of another length is refused. */
static void one_value_per_step_inline(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  static const char text[] =
      "horizon: {start: 2001-01-30, end: 2001-02-01, step: daily}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: [1, 2, %s]}\n"
      "  - {name: D, type: demand, priority: 1, demand_hm3: [0.1, 0.2, 0.3]}\n"
      "links:\n"
      "  - {from: In, to: D}\n";
  char buf[512];
  snprintf(buf, sizeof buf, text, "3");
  assert_int_equal(tu_load_text(buf, &m, d), NARYN_OK);
  for (int t = 0; t < 3; t++) {
    assert_near(m->nodes[0].inflow_m3s.v[t], t + 1, 0);
    assert_near(m->nodes[1].demand_hm3.v[t], 0.1 * (t + 1), 1e-15);
  }
  naryn_model_free(m);
  snprintf(buf, sizeof buf, text, "-3");
  assert_int_equal(tu_load_text(buf, &m, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "inflow \"In\".inflow_m3s: expected an inflow "
                                            ">= 0 m3/s, got -3 for the step of 2001-02-01"));
  naryn_diags_clear(d);
  snprintf(buf, sizeof buf, text, "3, 4");
  assert_int_equal(tu_load_text(buf, &m, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "expected 12 monthly values (January to December) "
                                            "or one value per step (3), got 4"));
  naryn_diags_free(d);
}

/* The rows a fill made up are written to filled.csv: a row per series and
** step, with how many rows of the file stand in it and the step's value. */
static void filled_rows_are_written(void **state) {
  (void)state;
  char dir[64], path[192], out[96];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", model_text(TEN_DAYS, ", fill: interpolate, fallback: monthly_means"));
  tu_write(dir, "s.csv", gappy_csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  snprintf(out, sizeof out, "%s/out", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(m->nfills, 3);
  assert_int_equal(naryn_simulate_to(m, NULL, NULL, out, NULL, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/filled.csv", out);
  char *text = tu_slurp(path);
  assert_non_null(text);
  const char *want =
      "date,field,method,filled_rows,value\n"
      "2001-01-03,\"inflow \"\"In\"\".inflow_m3s\",interpolation and the series' monthly "
      "means,1,3.000000\n"
      "2001-01-04,\"inflow \"\"In\"\".inflow_m3s\",interpolation and the series' monthly "
      "means,1,4.000000\n"
      "2001-01-09,\"inflow \"\"In\"\".inflow_m3s\",interpolation and the series' monthly "
      "means,1,4.833333\n"
      "2001-01-10,\"inflow \"\"In\"\".inflow_m3s\",interpolation and the series' monthly "
      "means,1,4.833333\n";
  assert_memory_equal(text, want, strlen(want));
  int lines = 0;
  for (const char *c = text; *c; c++) lines += *c == '\n';
  assert_int_equal(lines, 1 + 3 * 4);
  free(text);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(daily_file_on_a_monthly_horizon),
      cmocka_unit_test(month_ends_on_a_daily_horizon),
      cmocka_unit_test(gaps_filled_three_ways),
      cmocka_unit_test(missing_rows_listed_at_once),
      cmocka_unit_test(one_value_per_step_inline),
      cmocka_unit_test(filled_rows_are_written),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
