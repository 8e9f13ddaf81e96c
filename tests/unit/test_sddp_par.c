/*
** test_sddp_par.c: SDDP with inflows that remember their past (a PAR
** model of naryn inflows as the policy's states).
**
** A hydro-thermal system over three months (January to March 2001): a
** reservoir of 10 hm3 (5 at the start) fed by a river whose flow follows a
** PAR model of one site written here, behind a plant of fixed head
** (0.24525 GWh per hm3); a grid's demand of 2.0, 2.5 and 2.0 GWh met by a
** cheap plant (1 MW at 30 per MWh), a dear one (2 MW at 60, 90 and 150 per
** MWh) and unserved energy at 1000 per MWh. The fit's medians are 4 m3/s
** in December, 2 in January, 3 in February and 1 in March; its standard
** deviations of ln q 0.4, 0.2, 0.3 and 0.3; its phi 0.5 in January, 0.8 in
** February and 0.5, 0.4 in March (order 2), so that by hand (doc/sddp.md)
**   January:  g = 0.2 * 0.5 / 0.4 = 0.25, a = 2 (1 - 0.25) = 1.5,
**             b = 2 * 0.25 / 4 = 0.125;
**   February: g = 0.3 * 0.8 / 0.2 = 1.2, a = 3 (1 - 1.2) = -0.6,
**             b = 3 * 1.2 / 2 = 1.8;
**   March:    g1 = 0.3 * 0.5 / 0.3 = 0.5, g2 = 0.3 * 0.4 / 0.2 = 0.6,
**             a = 1 (1 - 0.5 - 0.6) = -0.1 (with max_order 1: 0.5),
**             b1 = 0.5 / 3, b2 = 0.6 / 2 = 0.3.
** The extensive form of the PAR(1) tree (2 outcomes a month, 8 paths),
** and of the PAR(2) tree, every node in one LP written here from scratch
** with the model's own noise, is the exact optimum; SDDP's lower bound
** must reach it and never pass it.
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
#include "sddp/sddp_int.h"
#include "testutil.h"
#include "testutil_sddp.h"

#define GWH_PER_HM3 (9810.0 * 1e6 / 3.6e12 * 90.0)

static char dir[64];

/* One month of the fit: the record's mean and least flow are only for
** people here. */
static void month(char *buf, size_t size, const char *name, double median, double sd,
                  const char *phi) {
  int order = 1;
  for (const char *c = phi; *c; c++) order += *c == ',';
  size_t n = strlen(buf);
  snprintf(buf + n, size - n,
           "      - {month: %s, mean_m3s: %g, min_m3s: %g, mean: %.17g, sd: %g, order: %d,"
           " phi: [%s]}\n",
           name, median, median / 4, log(median), sd, order, phi);
}

/* Writes the model (with max_order), its inflows and its fit into dir and
** loads it. */
static const char *write_model(int max_order, const char *more);

/* The model, loaded. */
static naryn_model *load_from(int max_order, const char *more) {
  return tu_load_path(write_model(max_order, more));
}

static naryn_model *load(int max_order) { return load_from(max_order, ""); }

/* Writes the model, with more fields in its "inflows" section (",
** initial: ..."), and its fit and inflows; returns its path. */
static const char *write_model(int max_order, const char *more) {
  static const char *const names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
  char fit[8192] = "format: naryn-inflow-fit-1\nmethod: par\ntransform: log\n"
                   "criterion: bic\nmax_order: 2\nsites:\n  - name: river_m3s\n"
                   "    column: river_m3s\n    months:\n";
  month(fit, sizeof fit, "jan", 2, 0.2, "0.5");
  month(fit, sizeof fit, "feb", 3, 0.3, "0.8");
  month(fit, sizeof fit, "mar", 1, 0.3, "0.5, 0.4");
  for (int c = 3; c < 11; c++) month(fit, sizeof fit, names[c], 1, 0.3, "0.5");
  month(fit, sizeof fit, "dec", 4, 0.4, "0.5");
  strcat(fit, "covariance:\n");
  for (int c = 0; c < 12; c++) {
    size_t n = strlen(fit);
    snprintf(fit + n, sizeof fit - n, "  - {month: %s, matrix: [[0.25]]}\n", names[c]);
  }
  tu_write(dir, "fit.yaml", fit);
  tu_write(dir, "inflows.csv", "date,river_m3s\n2001-01,2\n2001-02,3\n2001-03,1\n");
  char model[4096];
  snprintf(model, sizeof model,
           "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
           "countries: {A: Alpha}\n"
           "nodes:\n"
           "  - {name: River, type: inflow, country: A,"
           " inflow_m3s: {file: inflows.csv, column: river_m3s}}\n"
           "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 10,"
           " initial_storage_hm3: 5, country: A}\n"
           "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
           " max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: River, to: Res}\n"
           "  - {from: Res, to: Plant}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [2.0, 2.5, 2.0],"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 1, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 2, cost_per_mwh: [60, 90, 150]}\n"
           "objectives: [{name: power, kind: grid}]\n"
           "uncertainty:\n"
           "  inflows: {fit: fit.yaml, outcomes: 2, max_order: %d%s}\n",
           max_order, more);
  tu_write(dir, "model.yaml", model);
  static char path[128];
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  return path;
}

static int setup(void **state) {
  (void)state;
  tu_mkdtemp(dir);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  tu_rmdir(dir);
  return 0;
}

/* The linearised coefficients, the states and the initial state, against
** the hand-worked values above. */
static void test_coefficients(void **state) {
  (void)state;
  naryn_model *m = load(2);
  const naryn__par *p = m->par;
  assert_non_null(p);
  assert_int_equal(p->nsites, 1);
  assert_int_equal(p->nout, 2);
  assert_int_equal(p->lags[0], 2);
  assert_int_equal(m->noutcomes, 2);
  const double a[3] = {1.5, -0.6, -0.1}, b1[3] = {0.125, 1.8, 0.5 / 3}, b2[3] = {0, 0, 0.3};
  for (int c = 0; c < 3; c++) {
    assert_near(p->a[c], a[c], 1e-12);
    assert_near(p->b[c * NARYN__PAR_MAX_LAGS], b1[c], 1e-12);
    assert_near(p->b[c * NARYN__PAR_MAX_LAGS + 1], b2[c], 1e-12);
  }
  /* Before January: December's median, then November's. */
  assert_near(p->init[0], 4.0, 1e-12);
  assert_near(p->init[1], 1.0, 1e-12);
  assert_string_equal(p->state_name[0], "river_m3s.lag1");
  assert_string_equal(p->state_name[1], "river_m3s.lag2");
  /* The noise: exp(sd e), e of variance 0.25; a month's two outcomes
  ** differ, and the same model read again draws the same. */
  for (int t = 0; t < 3; t++) {
    const double *e0 = naryn__par_eps(m, t, 0), *e1 = naryn__par_eps(m, t, 1);
    assert_true(e0[0] > 0 && e1[0] > 0 && e0[0] != e1[0]);
  }
  naryn_model *again = load(2);
  assert_memory_equal(naryn__par_eps(m, 0, 0), naryn__par_eps(again, 0, 0), 3 * 2 * sizeof(double));
  naryn_model_free(again);
  /* With max_order 1 March keeps only its first lag. */
  naryn_model *one = load(1);
  assert_int_equal(one->par->lags[0], 1);
  assert_near(one->par->a[2], 0.5, 1e-12);
  assert_near(one->par->b[2 * NARYN__PAR_MAX_LAGS + 1], 0.0, 0.0);
  naryn_model_free(one);
  naryn_model_free(m);
}

/* The extensive form of the tree: per node the end storage, release,
** turbined water, cheap, dear and unserved energy and the surplus; the
** inflow of a node is its outcome's noise times a + b1 times its parent's
** inflow + b2 times its grandparent's (the initial state's before the
** first month). */
static double extensive(const naryn_model *m) {
  const naryn__par *par = m->par;
  const double demand[3] = {2.0, 2.5, 2.0}, dear_price[3] = {60, 90, 150};
  const double hours[3] = {744, 672, 744};
  enum { S, REL, TURB, CHEAP, DEAR, UNS, SUR, NV };
  int nodes[4] = {1, 2, 4, 8}, first[4] = {0, 1, 3, 7}, total = 15;
  double q[15];
  q[0] = par->init[0];
  int ncols = total * NV, nrows = 0;
  naryn__triplets tr = {0};
  double *collo = calloc((size_t)ncols, sizeof(double)), *colup = calloc((size_t)ncols, sizeof(double));
  double *obj = calloc((size_t)ncols, sizeof(double));
  double *rowlo = calloc(3 * (size_t)total, sizeof(double)), *rowup = calloc(3 * (size_t)total, sizeof(double));
  for (int j = 0; j < ncols; j++) colup[j] = INFINITY;
  for (int t = 1; t <= 3; t++) {
    int c0 = t - 1;
    double k = hours[c0] * 3600 * 1e-6, pr = pow(0.5, t);
    for (int n = 0; n < nodes[t]; n++) {
      int id = first[t] + n, parent = first[t - 1] + n / 2, o = n % 2;
      /* The flow two months before: the initial state's second lag, its
      ** first, or the grandparent's. */
      double q2 = t == 1 ? par->init[1] : t == 2 ? par->init[0] : q[first[t - 2] + n / 4];
      q[id] = naryn__par_eps(m, t - 1, o)[0] *
              (par->a[c0] + par->b[c0 * NARYN__PAR_MAX_LAGS] * q[parent] +
               par->b[c0 * NARYN__PAR_MAX_LAGS + 1] * q2);
      assert_true(q[id] > 0);
      int c = id * NV;
      colup[c + S] = 10.0;
      colup[c + CHEAP] = 1.0 * hours[c0] * 1e-3;
      colup[c + DEAR] = 2.0 * hours[c0] * 1e-3;
      obj[c + CHEAP] = pr * 30e3;
      obj[c + DEAR] = pr * dear_price[c0] * 1e3;
      obj[c + UNS] = pr * 1000e3;
      int r = nrows++;
      naryn__trip_add(&tr, r, c + S, 1.0);
      naryn__trip_add(&tr, r, c + REL, 1.0);
      double rhs = q[id] * k;
      if (t > 1) naryn__trip_add(&tr, r, parent * NV + S, -1.0);
      else rhs += 5.0;
      rowlo[r] = rowup[r] = rhs;
      r = nrows++;
      naryn__trip_add(&tr, r, c + TURB, 1.0);
      naryn__trip_add(&tr, r, c + REL, -1.0);
      rowlo[r] = -INFINITY, rowup[r] = 0.0;
      r = nrows++;
      naryn__trip_add(&tr, r, c + TURB, GWH_PER_HM3);
      naryn__trip_add(&tr, r, c + CHEAP, 1.0);
      naryn__trip_add(&tr, r, c + DEAR, 1.0);
      naryn__trip_add(&tr, r, c + UNS, 1.0);
      naryn__trip_add(&tr, r, c + SUR, -1.0);
      rowlo[r] = rowup[r] = demand[c0];
    }
  }
  for (int j = 0; j < NV; j++) colup[j] = 0.0; /* the root's columns */
  return tu_sddp_solve(&tr, nrows, ncols, collo, colup, obj, rowlo, rowup);
}

/* The lower bound reaches the extensive form's optimum and never passes
** it; the policy's states are the storage and the river's last flow. */
static void test_against_the_extensive_form(void **state) {
  (void)state;
  naryn_model *m = load(1);
  double ef = extensive(m);
  naryn_policy *p = tu_sddp_reaches(m, ef);
  double lb = naryn_policy_lower_bound(p), half, ub = naryn_policy_upper_bound(p, &half);
  print_message("extensive form %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef, lb,
                ub, half);
  assert_true(fabs(ub - ef) <= half + 1e-6 * fabs(ef));
  assert_int_equal(p->nstate, 2);
  assert_string_equal(naryn__cuts_state_name(p->cuts, 1), "river_m3s.lag1");
  /* Written and read back: the same cuts on the same states, and cuts.csv
  ** names the lag's slope. */
  char out[128], csv[160];
  snprintf(out, sizeof out, "%s/policy", dir);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(p, out, d), NARYN_OK);
  naryn_policy *back = NULL;
  assert_int_equal(naryn_policy_read(m, out, &back, d), NARYN_OK);
  assert_int_equal(back->nstate, 2);
  for (int t = 0; t < 3; t++)
    assert_int_equal(naryn__cuts_count(back->cuts, t), naryn__cuts_count(p->cuts, t));
  snprintf(csv, sizeof csv, "%s/cuts.csv", out);
  char *text = tu_slurp(csv);
  assert_non_null(text);
  assert_non_null(strstr(text, "slope_per_hm3:Res,slope_per_m3s:river_m3s.lag1\n"));
  free(text);
  naryn_policy_free(back);
  naryn_diags_free(d);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* PAR(2): two lags a site, the second carried through the stage's
** outgoing lags; the lower bound still reaches the extensive form. */
static void test_two_lags(void **state) {
  (void)state;
  naryn_model *m = load(2);
  double ef = extensive(m);
  naryn_policy *p = tu_sddp_reaches(m, ef);
  print_message("PAR(2): extensive form %.6f, lower bound %.6f\n", ef,
                naryn_policy_lower_bound(p));
  assert_int_equal(p->nstate, 3);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* Flows given for the months before the first step (a dry December and
** a wet November) are the states the policy starts from: the lower bound
** reaches the extensive form of that tree, not of the medians'. */
static void test_initial_flows(void **state) {
  (void)state;
  naryn_model *m = load_from(2, ", initial: {river_m3s: [0.5, 6]}"), *medians = load(2);
  const naryn__par *par = m->par;
  assert_near(par->init[0], 0.5, 0.0);
  assert_near(par->init[1], 6.0, 0.0);
  double ef = extensive(m), ef_medians = extensive(medians);
  assert_true(fabs(ef - ef_medians) > 1e-3 * fabs(ef_medians));
  naryn_policy *p = tu_sddp_reaches(m, ef);
  print_message("PAR(2) from given flows: extensive form %.6f (from the medians %.6f), "
                "lower bound %.6f\n", ef, ef_medians, naryn_policy_lower_bound(p));
  naryn_policy_free(p);
  naryn_model_free(medians);
  naryn_model_free(m);
}

/* A climate file's shifts scale each month's flows: 20 % less water
** every month scales the constants, the medians and the initial state by
** 0.8 and keeps the lags' coefficients (F_c / F_c-k = 1); a glacier's
** decline, which a policy's repeating months cannot carry, is refused. */
static void test_climate(void **state) {
  (void)state;
  naryn_model *m = load(2);
  tu_write(dir, "drier.yaml", "annual_change_pct: -20\n");
  naryn_model *dry = load_from(2, ", climate: drier.yaml");
  const naryn__par *p = m->par, *q = dry->par;
  for (int c = 0; c < 12; c++) {
    assert_near(q->a[c], 0.8 * p->a[c], 1e-12 * fabs(p->a[c]));
    assert_near(q->median[c], 0.8 * p->median[c], 1e-12 * p->median[c]);
    for (int k = 0; k < NARYN__PAR_MAX_LAGS; k++)
      assert_near(q->b[c * NARYN__PAR_MAX_LAGS + k], p->b[c * NARYN__PAR_MAX_LAGS + k],
                  1e-12 * fabs(p->b[c * NARYN__PAR_MAX_LAGS + k]));
  }
  assert_near(q->init[0], 0.8 * p->init[0], 1e-12 * p->init[0]);
  naryn_model_free(dry);
  /* A melt two months earlier: factors F_c that differ by month (each
  ** month's median over the unshifted one), and lag k's coefficient of
  ** month c times F_c / F_c-k. */
  tu_write(dir, "earlier.yaml", "melt_shift_weeks: 8\n");
  naryn_model *early = load_from(2, ", climate: earlier.yaml");
  q = early->par;
  double F[12];
  for (int c = 0; c < 12; c++) F[c] = q->median[c] / p->median[c];
  assert_true(fabs(F[3] - F[9]) > 0.05);
  for (int c = 0; c < 12; c++) {
    assert_near(q->a[c], F[c] * p->a[c], 1e-12 * fabs(p->a[c]));
    for (int k = 1; k <= NARYN__PAR_MAX_LAGS; k++) {
      size_t at = (size_t)c * NARYN__PAR_MAX_LAGS + k - 1;
      assert_near(q->b[at], p->b[at] * F[c] / F[(c - k + 12) % 12], 1e-12 * fabs(p->b[at]) + 1e-15);
    }
  }
  naryn_model_free(early);
  naryn_model_free(m);
  tu_write(dir, "glacier.yaml", "glacier: {share: 0.3, decline_pct_per_decade: 10}\n");
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *g = NULL;
  assert_int_not_equal(
      naryn_model_load(write_model(2, ", climate: [drier.yaml, glacier.yaml]"), NULL, 0, &g, d),
      NARYN_OK);
  assert_null(g);
  assert_non_null(strstr(tu_first_error(d), "a glacier decline for site \"river_m3s\" in "
                                            "glacier.yaml, which grows year by year"));
  naryn_diags_free(d);
}

/* A replay's stage takes the run's flows of the steps before as its
** lags: with a PAR(2) model, February's decision depends on January's
** flow (March's flow follows it), all else the same. From an empty
** reservoir, a wet January promises a wetter March, and February spends
** more. */
static void test_replay_uses_the_past(void **state) {
  (void)state;
  naryn_model *m = load(2);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 30;
  o.bound_every = 30;
  o.gap_pct = 0.0;
  naryn_policy *p = tu_sddp_train(m, &o);
  naryn_diags *d = naryn_diags_new(0);
  double rel[2], storage[4] = {0, 0.0, 0, 0}, out[4];
  for (int v = 0; v < 2; v++) {
    naryn__replay *rp = NULL;
    assert_int_equal(naryn__replay_new(m, p, &rp, d), NARYN_OK);
    double flow[3] = {v ? 2.6 : 1.4, 3.0, 1.0};
    const double *over[4] = {flow, NULL, NULL, NULL};
    naryn_result r = {0};
    r.m = m;
    r.inflow_m3s = over;
    assert_int_equal(naryn__replay_step(rp, 1, storage, NULL, &r, out, d), NARYN_OK);
    rel[v] = out[1];
    naryn__replay_free(rp);
  }
  print_message("February's release after a dry January %.6f hm3, after a wet one %.6f\n",
                rel[0], rel[1]);
  assert_true(rel[1] > rel[0] + 1e-6);
  naryn_diags_free(d);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* Two forward passes an iteration: the optimum, and the same cuts and
** bounds, bit for bit, on 1 thread and on 2, run after run. */
static void test_threads(void **state) {
  (void)state;
  naryn_model *m = load(1);
  double ef = extensive(m);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 20;
  o.bound_every = 10;
  o.gap_pct = 0.0;
  o.passes = 2;
  naryn_policy *a = tu_sddp_train_threads(m, &o);
  assert_true(fabs(naryn_policy_lower_bound(a) - ef) <= 1e-6 * fabs(ef));
  naryn_policy_free(a);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_coefficients),
      cmocka_unit_test(test_against_the_extensive_form),
      cmocka_unit_test(test_two_lags),
      cmocka_unit_test(test_initial_flows),
      cmocka_unit_test(test_climate),
      cmocka_unit_test(test_replay_uses_the_past),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
