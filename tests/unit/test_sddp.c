/*
** test_sddp.c: SDDP against the extensive form of a small scenario tree.
**
** A hydro-thermal system over three days: a reservoir of 5 hm3 (3 at the
** start) fed by a river of 20 m3/s times an outcome of 0.5 or 1.5, drawn
** each day with equal chance, behind a plant of fixed head (0.24525 GWh
** per hm3); a grid's demand of 1.0, 1.2 and 1.0 GWh met by a cheap plant
** (0.48 GWh a day at 30 per MWh), a dear one (0.96 GWh a day at 60, 150
** and 90 per MWh on the three days) and unserved energy at 1000 per MWh.
** The extensive form, every node of the tree of 2 + 4 + 8 outcomes in one
** LP written here from scratch, is the exact optimum of the expected cost;
** SDDP's lower bound must never rise above it and must reach it (the tree
** is small, so the cuts become exact). A tree of one outcome is the
** deterministic problem, whose optimum the optimiser finds.
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

#define GWH_PER_HM3 (9810.0 * 1e6 / 3.6e12 * 90.0)

static const char *model_text(char *buf, size_t size, const char *outcomes) {
  snprintf(buf, size,
           "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
           "countries: {A: Alpha}\n"
           "nodes:\n"
           "  - {name: River, type: inflow, inflow_m3s: 20, country: A}\n"
           "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 5,"
           " initial_storage_hm3: 3, country: A}\n"
           "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
           " max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: River, to: Res}\n"
           "  - {from: Res, to: Plant}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [1.0, 1.2, 1.0],"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [60, 150, 90]}\n"
           "objectives: [{name: power, kind: grid}]\n"
           "uncertainty:\n"
           "  outcomes: %s\n",
           outcomes);
  return buf;
}

static naryn_model *load(const char *text) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* The extensive form: per node of the tree (stage t, outcome path), the
** end storage, release, turbined water, cheap, dear and unserved energy
** and the surplus. The model's three days repeat 'cycles' times, round c's
** costs weighted by disc^c. The expected cost, or with 'worst' the cost
** of the dearest path (nested CVaR with all its weight on the dearest
** half of two outcomes): an epigraph column above every path's cost. */
static double extensive_ex(int nout, const double *prob, const double *factor, int cycles,
                           double disc, int worst) {
  const double demand[3] = {1.0, 1.2, 1.0}, dear_price[3] = {60, 150, 90};
  const double inflow = 20 * 86400 * 1e-6, k = GWH_PER_HM3;
  enum { S, REL, TURB, CHEAP, DEAR, UNS, SUR, NV };
  int T = 3 * cycles, total = 0;
  int nodes[128], first[128];
  nodes[0] = 1;
  for (int t = 1; t <= T; t++) nodes[t] = nodes[t - 1] * nout;
  for (int t = 0; t <= T; t++) first[t] = total, total += nodes[t];
  int ncols = total * NV + 1, zcol = total * NV, nrows = 0;
  int rows_max = 3 * total + nodes[T] + 1;
  naryn__triplets tr = {0};
  double *collo = calloc((size_t)ncols, sizeof(double)), *colup = calloc((size_t)ncols, sizeof(double));
  double *obj = calloc((size_t)ncols, sizeof(double));
  double *rowlo = calloc((size_t)rows_max, sizeof(double)), *rowup = calloc((size_t)rows_max, sizeof(double));
  for (int j = 0; j < ncols; j++) colup[j] = INFINITY;
  collo[zcol] = -INFINITY;
  obj[zcol] = worst ? 1.0 : 0.0;
  for (int t = 1; t <= T; t++) {
    int day = (t - 1) % 3;
    double w = pow(disc, (t - 1) / 3);
    for (int n = 0; n < nodes[t]; n++) {
      int id = first[t] + n, parent = first[t - 1] + n / nout, o = n % nout;
      double pr = 1.0;
      for (int q = n, st = t; st >= 1; st--, q /= nout) pr *= prob[q % nout];
      int c = id * NV;
      colup[c + S] = 5.0;
      colup[c + CHEAP] = 0.48;
      colup[c + DEAR] = 0.96;
      if (!worst) {
        obj[c + CHEAP] = w * pr * 30e3;
        obj[c + DEAR] = w * pr * dear_price[day] * 1e3;
        obj[c + UNS] = w * pr * 1000e3;
      }
      int r = nrows++;
      naryn__trip_add(&tr, r, c + S, 1.0);
      naryn__trip_add(&tr, r, c + REL, 1.0);
      double rhs = inflow * factor[o];
      if (t > 1) naryn__trip_add(&tr, r, parent * NV + S, -1.0);
      else rhs += 3.0;
      rowlo[r] = rowup[r] = rhs;
      r = nrows++;
      naryn__trip_add(&tr, r, c + TURB, 1.0);
      naryn__trip_add(&tr, r, c + REL, -1.0);
      rowlo[r] = -INFINITY, rowup[r] = 0.0;
      r = nrows++;
      naryn__trip_add(&tr, r, c + TURB, k);
      naryn__trip_add(&tr, r, c + CHEAP, 1.0);
      naryn__trip_add(&tr, r, c + DEAR, 1.0);
      naryn__trip_add(&tr, r, c + UNS, 1.0);
      naryn__trip_add(&tr, r, c + SUR, -1.0);
      rowlo[r] = rowup[r] = demand[day];
    }
  }
  /* The dearest path: z above the cost of every path to a leaf. */
  for (int n = 0; worst && n < nodes[T]; n++) {
    int r = nrows++;
    naryn__trip_add(&tr, r, zcol, 1.0);
    for (int t = T, q = n; t >= 1; t--, q /= nout) {
      int c = (first[t] + q) * NV;
      naryn__trip_add(&tr, r, c + CHEAP, -30e3);
      naryn__trip_add(&tr, r, c + DEAR, -dear_price[(t - 1) % 3] * 1e3);
      naryn__trip_add(&tr, r, c + UNS, -1000e3);
    }
    rowlo[r] = 0.0, rowup[r] = INFINITY;
  }
  for (int j = 0; j < NV; j++) colup[j] = 0.0; /* the root's columns */
  int *start, *index;
  double *value;
  assert_int_equal(naryn__trip_columns(&tr, ncols, &start, &index, &value, NULL), NARYN_OK);
  naryn__lp *lp = naryn__lp_new(nrows, ncols, start, index, value, collo, colup, obj,
                                rowlo, rowup);
  long it = 0;
  assert_int_equal(naryn__lp_solve_initial(lp, &it), NARYN_OK);
  double v = naryn__lp_objective(lp);
  naryn__lp_free(lp);
  naryn__trip_free(&tr);
  free(start), free(index), free(value);
  free(collo), free(colup), free(obj), free(rowlo), free(rowup);
  return v;
}

static double extensive(int nout, const double *prob, const double *factor) {
  return extensive_ex(nout, prob, factor, 1, 1.0, 0);
}

typedef struct seen {
  double ef;
  int above; /* iterations whose lower bound rose above the optimum */
} seen;

static void watch(void *user, const naryn_sddp_log *row) {
  seen *s = user;
  if (row->lower > s->ef + 1e-6 * fabs(s->ef)) s->above++;
}

/* Two outcomes a day: the lower bound reaches the extensive form's
** optimum and never passes it. */
static void test_against_the_extensive_form(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text,
                                   "[{probability: 0.5, inflow_factor: 0.5},"
                                   " {probability: 0.5, inflow_factor: 1.5}]"));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  seen s = {ef, 0};
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 40;
  o.bound_every = 40;
  o.gap_pct = 0.0;
  o.log = watch;
  o.log_user = &s;
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  int rc = naryn_sddp(m, &o, &p, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  double lb = naryn_policy_lower_bound(p), half;
  double ub = naryn_policy_upper_bound(p, &half);
  print_message("extensive form %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef, lb,
                ub, half);
  assert_int_equal(s.above, 0);
  assert_true(fabs(lb - ef) <= 1e-6 * fabs(ef));
  /* The policy's simulated cost is the optimum's within its interval. */
  assert_true(fabs(ub - ef) <= half + 1e-6 * fabs(ef));
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* One outcome: the deterministic problem, solved in one LP by the
** extensive form and by the optimiser (its grids' cost). */
static void test_deterministic(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, "[{probability: 1, inflow_factor: 1}]"));
  const double prob[1] = {1.0}, factor[1] = {1.0};
  double ef = extensive(1, prob, factor);
  naryn_diags *d = naryn_diags_new(0);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 10;
  o.bound_every = 1;
  o.bound_samples = 2;
  o.gap_pct = 1e-6;
  naryn_policy *p = NULL;
  assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_OK);
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-6 * fabs(ef));
  assert_true(naryn_policy_converged(p));
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &r, d), NARYN_OK);
  double cost = 0.0;
  for (int t = 0; t < 3; t++) cost += naryn_result_grid(r, 0, t, NARYN_G_COST);
  assert_true(fabs(cost - ef) <= 1e-6 * fabs(ef));
  naryn_result_free(r);
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Trains with options o and returns the policy (checked to succeed). */
static naryn_policy *train(const naryn_model *m, naryn_sddp_opts *o) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  int rc = naryn_sddp(m, o, &p, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return p;
}

#define TWO "[{probability: 0.5, inflow_factor: 0.5}, {probability: 0.5, inflow_factor: 1.5}]"

/* Multiple cuts (one per outcome): the same optimum. */
static void test_multi_cut(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 40;
  o.bound_every = 40;
  o.gap_pct = 0.0;
  o.multi_cut = 1;
  naryn_policy *p = train(m, &o);
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-6 * fabs(ef));
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* All of the risk on the dearer half of two equal outcomes, CVaR_0.5 with
** weight 1: nested, that is the dearest path, min over policies of the
** largest cost of any of the eight paths, which the extensive form finds
** with a column above every path's cost. */
static void test_cvar_worst_case(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double worst = extensive_ex(2, prob, factor, 1, 1.0, 1);
  double mean = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 40;
  o.bound_every = 40;
  o.cvar_alpha = 0.5;
  o.cvar_lambda = 1.0;
  naryn_policy *p = train(m, &o);
  print_message("worst path %.6f, mean %.6f, lower bound %.6f\n", worst, mean,
                naryn_policy_lower_bound(p));
  assert_true(worst > mean);
  assert_true(fabs(naryn_policy_lower_bound(p) - worst) <= 1e-6 * fabs(worst));
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* A cycle: the three days repeat forever, each round's cost halved. With
** one outcome the problem is a chain; 40 rounds of it (the rest is worth
** less than 1e-12 of it) in one LP are its optimum. */
static void test_cyclic(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, "[{probability: 1, inflow_factor: 1}]"));
  const double prob[1] = {1.0}, factor[1] = {1.0};
  double ef = extensive_ex(1, prob, factor, 40, 0.5, 0);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 60;
  o.bound_every = 60;
  o.bound_samples = 50;
  o.gap_pct = 0.0;
  o.discount = 0.5;
  naryn_policy *p = train(m, &o);
  double half, ub = naryn_policy_upper_bound(p, &half);
  print_message("discounted chain %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef,
                naryn_policy_lower_bound(p), ub, half);
  assert_true(naryn_policy_lower_bound(p) <= ef * (1 + 1e-9));
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-4 * fabs(ef));
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* A run stopped after 4 iterations and resumed from its cut log reaches
** the optimum; its iterations are counted on; every cut of both is in the
** log; a log of a multi-cut run is refused by a single-cut one. */
static void test_resume(void **state) {
  (void)state;
  char text[4096], dir[64], path[128];
  tu_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/cuts.log", dir);
  naryn_model *m = load(model_text(text, sizeof text, TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 4;
  o.bound_every = 100;
  o.cut_log = path;
  naryn_policy *p = train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 4);
  assert_true(naryn_policy_lower_bound(p) < ef - 1.0);
  naryn_policy_free(p);
  o.max_iterations = 36;
  p = train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 40);
  assert_int_equal(naryn_policy_log(p, 0)->iteration, 5);
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-6 * fabs(ef));
  assert_int_equal(naryn_policy_log(p, naryn_policy_log_count(p) - 1)->cuts, 2 * 40);
  naryn_policy_free(p);
  o.multi_cut = 1;
  o.max_iterations = 1;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "got cuts of a run with a single cut"));
  naryn_diags_free(d);
  naryn_model_free(m);
  tu_rmdir(dir);
}

/* Two threads with two forward passes an iteration: the same optimum,
** and the same cuts and bounds on every run. */
static void test_threads(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 20;
  o.bound_every = 5;
  o.gap_pct = 0.0;
  o.jobs = 2;
  o.passes = 3;
  naryn_policy *a = train(m, &o), *b = train(m, &o);
  assert_true(fabs(naryn_policy_lower_bound(a) - ef) <= 1e-6 * fabs(ef));
  assert_int_equal(naryn_policy_log_count(a), naryn_policy_log_count(b));
  for (int i = 0; i < naryn_policy_log_count(a); i++) {
    const naryn_sddp_log *x = naryn_policy_log(a, i), *y = naryn_policy_log(b, i);
    assert_memory_equal(&x->lower, &y->lower, sizeof x->lower);
    assert_memory_equal(&x->upper, &y->upper, sizeof x->upper);
    assert_int_equal(x->cuts, y->cuts);
  }
  naryn_policy_free(a);
  naryn_policy_free(b);
  naryn_model_free(m);
}

/* Bad options: a discount of 1 (a cycle that never ends), CVaR with
** multiple cuts. */
static void test_bad_options(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = load(model_text(text, sizeof text, TWO));
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.discount = 1.0;
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "a cycle with a discount of 1 would never end"));
  naryn_diags_free(d);
  naryn_sddp_opts_init(&o);
  o.multi_cut = 1;
  o.cvar_lambda = 0.5;
  d = naryn_diags_new(0);
  assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "expected a single cut with CVaR"));
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Bad outcomes: probabilities that do not sum to one, a negative factor,
** a node that is no inflow; a model without outcomes. */
static void test_bad_outcomes(void **state) {
  (void)state;
  static const char *const bad[][2] = {
      {"[{probability: 0.5, inflow_factor: 1}, {probability: 0.4, inflow_factor: 2}]",
       "expected probabilities that sum to 1, got 0.9"},
      {"[{probability: 1, inflow_factor: -1}]", "expected a factor from 0 to 100, got -1"},
      {"[{probability: 1, inflow_factor: {Res: 2}}]",
       "expected the name of an inflow node, got \"Res\""},
      {"[{probability: 0, inflow_factor: 1}]",
       "expected a probability above 0 and at most 1, got 0"},
  };
  char text[4096];
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    assert_int_equal(tu_load_text(model_text(text, sizeof text, bad[k][0]), &m, d),
                     NARYN_EMODEL);
    const char *e = tu_first_error(d);
    if (!strstr(e, bad[k][1])) print_error("%s\n", e);
    assert_non_null(strstr(e, bad[k][1]));
    naryn_diags_free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_the_extensive_form),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_bad_outcomes),
      cmocka_unit_test(test_multi_cut),
      cmocka_unit_test(test_cvar_worst_case),
      cmocka_unit_test(test_cyclic),
      cmocka_unit_test(test_bad_options),
      cmocka_unit_test(test_resume),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
