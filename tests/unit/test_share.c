/*
** test_share.c: benefit sharing on a river small enough to solve by hand.
**
** Upstream, country U owns a reservoir holding 100 hm3 and a plant with a
** fixed head of 100 m, so that each hm3 makes KAPPA * 100 GWh. Its energy
** is worth 50 per MWh in March (winter) and 20 in April (summer).
** Downstream, country D wants 60 hm3 in April and loses 20,000 for each
** hm3 it lacks. Nothing else flows.
**
** Alone, U turbines all 100 hm3 in March: v(U) = 50,000 k 100. D then
** gets nothing in April: v(D) = -20,000 * 60. Together, each hm3 moved to
** April costs U 30,000 k (8,175) and saves D 20,000, so all 60 hm3 D
** wants are moved: v(UD) = 50,000 k 40 + 20,000 k 60. With two players
** the Shapley value and the nucleolus are the same: each gets its value
** alone and half the gain. Values are per year of the two-month horizon.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "testutil.h"

#define KAPPA (9810.0 * 1e6 / 3.6e12)

static const char river[] =
    "currency: USD\n"
    "countries: {U: Upstream, D: Downstream}\n"
    "horizon: {start: 2001-03, end: 2001-04, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, country: U, inflow_m3s: 0}\n"
    "  - {name: R, type: reservoir, country: U, min_storage_hm3: 0,\n"
    "     max_storage_hm3: 500, initial_storage_hm3: 100}\n"
    "  - {name: P, type: hydropower, country: U, head_m: 100,\n"
    "     max_turbine_flow_m3s: 1000, capacity_mw: 100000, efficiency: 1}\n"
    "  - {name: Farms, type: demand, country: D, priority: 1,\n"
    "     demand_hm3: [0, 0, 0, 60, 0, 0, 0, 0, 0, 0, 0, 0]}\n"
    "  - {name: Sea, type: sink, country: D}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: P}\n"
    "  - {from: P, to: Farms}\n"
    "  - {from: P, to: Sea}\n"
    "objectives:\n"
    "  - {name: winter_energy, kind: energy, season: oct-mar, value_per_mwh: 50}\n"
    "  - {name: summer_energy, kind: energy, season: apr-sep, value_per_mwh: 20}\n"
    "  - {name: crops, kind: shortage, nodes: [Farms], penalty_per_hm3: 20000}\n";

static naryn_game *share(const naryn_model *m, int jobs) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  o.jobs = jobs;
  naryn_game *g = NULL;
  int rc = naryn_share(m, &o, &g, d);
  if (rc != NARYN_OK) print_error("share: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  /* Nothing in this game breaks a property: no warnings. */
  assert_int_equal(naryn_diags_warnings(d), 0);
  naryn_diags_free(d);
  return g;
}

/* The two-country river against the values worked out above. */
static void two_countries_by_hand(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(river);
  naryn_game *g = share(m, 2);
  double years = naryn_result_years(naryn_game_baseline_plan(g));
  double k = KAPPA * 100;
  double vu = 50000 * k * 100 / years, vd = -20000.0 * 60 / years;
  double vn = (50000 * k * 40 + 20000 * k * 60) / years;
  assert_int_equal(naryn_game_player_count(g), 2);
  assert_string_equal(naryn_game_player(g, 0), "U"); /* upstream first */
  assert_string_equal(naryn_game_player(g, 1), "D");
  tu_close_to(naryn_game_value(g, 1), vu, 1e-7);
  tu_close_to(naryn_game_value(g, 2), vd, 1e-7);
  tu_close_to(naryn_game_value(g, 3), vn, 1e-7);
  assert_true(isnan(naryn_game_value(g, 4)));
  double half = (vn - vu - vd) / 2;
  for (int a = NARYN_ALLOC_SHAPLEY; a <= NARYN_ALLOC_EQUAL_GAIN; a++) {
    tu_close_to(naryn_game_allocation(g, (naryn_allocation)a, 0), vu + half, 1e-7);
    tu_close_to(naryn_game_allocation(g, (naryn_allocation)a, 1), vd + half, 1e-7);
  }
  tu_close_to(naryn_game_allocation(g, NARYN_ALLOC_BASELINE, 0), vu, 1e-7);
  tu_close_to(naryn_game_allocation(g, NARYN_ALLOC_GRAND_PLAN, 0), vn, 1e-7);
  tu_close_to(naryn_game_allocation(g, NARYN_ALLOC_GRAND_PLAN, 1), 0, 1e-7);
  assert_int_equal(naryn_game_core_empty(g), 0);
  /* The grand plan moves D's 60 hm3 to April. */
  const naryn_result *gp = naryn_game_grand_plan(g);
  tu_close_to(tu_q(m, gp, NARYN_Q_TURBINED_HM3, "P", 1), 60, 1e-7);
  tu_close_to(tu_q(m, gp, NARYN_Q_DELIVERED_HM3, "Farms", 1), 60, 1e-7);
  tu_close_to(tu_q(m, naryn_game_baseline_plan(g), NARYN_Q_DELIVERED_HM3, "Farms", 1), 0, 1e-7);
  naryn_game_free(g);
  naryn_model_free(m);
}

/* The files: the transfer that turns the grand plan into the Shapley
** value, in money and as winter energy at U's winter price; U's water
** leaving for D by season; and the same bytes with one thread or two. */
static void files_and_threads(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(river);
  naryn_game *g1 = share(m, 1), *g2 = share(m, 2);
  char dir[64], a[128], b[128];
  tu_mkdtemp(dir);
  snprintf(a, sizeof a, "%s/one", dir);
  snprintf(b, sizeof b, "%s/two", dir);
  naryn_diags *d = naryn_diags_new(0);
  /* The report page of a game is drawn by share_page.c; either way the CSV
  ** files are in place before it. */
  naryn_game_write(g1, a, d);
  naryn_game_write(g2, b, d);
  static const char *const files[] = {"game.csv", "share.csv", "allocation.csv",
                                      "exchange.csv", "superadditivity.csv"};
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    char pa[192], pb[192];
    snprintf(pa, sizeof pa, "%s/%s", a, files[f]);
    snprintf(pb, sizeof pb, "%s/%s", b, files[f]);
    char *ta = tu_slurp(pa), *tb = tu_slurp(pb);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
  }
  double years = naryn_result_years(naryn_game_baseline_plan(g1));
  double k = KAPPA * 100;
  double vu = 50000 * k * 100, vd = -20000.0 * 60, vn = 50000 * k * 40 + 20000 * k * 60;
  double transfer = (vu + (vn - vu - vd) / 2 - vn) / years; /* U receives */
  char p[192], want[128];
  snprintf(p, sizeof p, "%s/allocation.csv", a);
  char *alloc = tu_slurp(p);
  snprintf(want, sizeof want, "shapley,U,Upstream,");
  char *row = strstr(alloc, want);
  assert_non_null(row);
  /* benefit, baseline, gain, alone, grand plan, transfer, winter GWh */
  double x[7];
  assert_int_equal(sscanf(row + strlen(want), "%lf,%lf,%lf,%lf,%lf,%lf,%lf", &x[0],
                          &x[1], &x[2], &x[3], &x[4], &x[5], &x[6]), 7);
  tu_close_to(x[5], transfer, 1e-7);
  tu_close_to(x[6], transfer / 50000, 1e-4);
  assert_non_null(strstr(row, ",yes,yes,USD\n"));
  free(alloc);
  snprintf(p, sizeof p, "%s/exchange.csv", a);
  char *ex = tu_slurp(p);
  /* U's water leaving for D: 100 hm3 in March alone, 40 and 60 together. */
  snprintf(want, sizeof want, "U,Upstream,oct-mar,%.3f,%.3f,%.4f,%.4f,",
           vu / (50000 * years), 40 * k / years, 0.1 / years, 0.04 / years);
  if (!strstr(ex, want)) print_error("%s\nhas no row %s\n", ex, want);
  assert_non_null(strstr(ex, want));
  free(ex);
  naryn_diags_free(d);
  tu_rmdir(dir);
  naryn_game_free(g1);
  naryn_game_free(g2);
  naryn_model_free(m);
}

/* Bad input: a demand without a country, one country only, an order that
** misses a country. */
static void refused(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_game *g = NULL;
  char text[4096];
  /* Farms without its country. */
  snprintf(text, sizeof text, "%s", river);
  char *c = strstr(text, "name: Farms, type: demand, country: D, priority: 1,");
  assert_non_null(c);
  memcpy(strstr(c, "country: D,"), "           ", 11);
  naryn_model *m = tu_load_model(text);
  assert_int_equal(naryn_share(m, NULL, &g, d), NARYN_EMODEL);
  assert_null(g);
  assert_non_null(strstr(tu_first_error(d), "demand \"Farms\".country"));
  assert_non_null(strstr(tu_first_error(d), "names none"));
  naryn_model_free(m);
  /* One country. */
  naryn_diags_clear(d);
  snprintf(text, sizeof text, "%s", river);
  for (char *s = text; (s = strstr(s, "country: D")); ) s[9] = 'U';
  m = tu_load_model(text);
  assert_int_equal(naryn_share(m, NULL, &g, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "from 2 to 10 countries"));
  naryn_model_free(m);
  /* An order naming a country the model does not have. */
  naryn_diags_clear(d);
  m = tu_load_model(river);
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  const char *order[] = {"D", "X"};
  o.order = order;
  o.norder = 2;
  assert_int_equal(naryn_share(m, &o, &g, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "\"X\" is not a country"));
  /* Given in reverse, D plans first and takes nothing it can change: the
  ** values are the same. */
  naryn_diags_clear(d);
  const char *reverse[] = {"D", "U"};
  o.order = reverse;
  assert_int_equal(naryn_share(m, &o, &g, d), NARYN_OK);
  assert_string_equal(naryn_game_player(g, 0), "D");
  double years = naryn_result_years(naryn_game_baseline_plan(g));
  tu_close_to(naryn_game_value(g, 2), 50000 * KAPPA * 100 * 100 / years, 1e-7);
  naryn_game_free(g);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_countries_by_hand),
      cmocka_unit_test(files_and_threads),
      cmocka_unit_test(refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
