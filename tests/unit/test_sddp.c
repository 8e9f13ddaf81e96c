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
** LP written from scratch (testutil_sddp.h, with the system), is the
** exact optimum of the expected cost; SDDP's lower bound must never rise
** above it and must reach it (the tree is small, so the cuts become
** exact). A tree of one outcome is the
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
#include "sddp/sddp_int.h"
#include "testutil_sddp.h"

/* The extensive form's expected cost over the tree of nout outcomes a
** day, the three days once. */
static double extensive(int nout, const double *prob, const double *factor) {
  tu_sddp_tree tree = {.nout = nout, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0};
  return tu_sddp_extensive(&tree);
}

/* Two outcomes a day: the lower bound reaches the extensive form's
** optimum and never passes it. */
static void test_against_the_extensive_form(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
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
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, "[{probability: 1, inflow_factor: 1}]"));
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


/* Trains the tree of two outcomes a day for at most 30 iterations, an
** upper bound of 100 simulations every 5, gap_confident and bound_control
** as given; returns the policy and counts the notes in *notes. */
static naryn_policy *train_gap(int confident, int control, int *notes) {
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 30;
  o.bound_every = 5;
  o.bound_samples = 100;
  o.gap_confident = confident;
  o.bound_control = control;
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_OK);
  *notes = 0;
  for (int k = 0; k < naryn_diags_count(d); k++)
    *notes += naryn_diags_get(d, k)->severity == NARYN_SEV_NOTE &&
              strstr(naryn_diags_get(d, k)->msg, "sampling noise") != NULL;
  naryn_diags_free(d);
  naryn_model_free(m);
  return p;
}

/* A gap stop on the estimate's mean is taken within the sampling noise,
** and said to be; on the interval's upper end it waits for an interval
** that shows the gap, which the plain estimate of 100 simulations never
** does and the control variate does once the cuts are exact. */
static void test_gap_confident(void **state) {
  (void)state;
  int notes;
  naryn_policy *p = train_gap(0, 0, &notes);
  double half, ub = naryn_policy_upper_bound(p, &half);
  print_message("mean: %d iterations, %s, %.2f +- %.2f, lower %.2f\n",
                naryn_policy_iterations(p), naryn_policy_stop_reason(p), ub, half,
                naryn_policy_lower_bound(p));
  assert_true(naryn_policy_converged(p));
  assert_true(100.0 * half / fabs(ub) > 1.0);
  assert_int_equal(notes, 1);
  naryn_policy_free(p);
  p = train_gap(1, 0, &notes);
  assert_false(naryn_policy_converged(p));
  assert_string_equal(naryn_policy_stop_reason(p), "iterations");
  assert_int_equal(naryn_policy_iterations(p), 30);
  assert_int_equal(notes, 0);
  naryn_policy_free(p);
  p = train_gap(1, 1, &notes);
  ub = naryn_policy_upper_bound(p, &half);
  double lb = naryn_policy_lower_bound(p);
  assert_true(naryn_policy_converged(p));
  assert_true(100.0 * (ub + half - lb) / fmax(fabs(ub), fabs(lb)) <= 1.0);
  assert_int_equal(notes, 0);
  naryn_policy_free(p);
}

/* A time limit shorter than any iteration: the run makes one iteration
** and its estimate, stops on the time, and says it ended past the limit;
** with a limit of an hour, three iterations say nothing. */
static void test_time_limit_passed(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  for (int pass = 0; pass < 2; pass++) {
    naryn_sddp_opts o;
    naryn_sddp_opts_init(&o);
    o.max_iterations = 3;
    o.bound_samples = 10;
    o.time_limit_s = pass == 0 ? 1e-9 : 3600.0;
    naryn_diags *d = naryn_diags_new(0);
    naryn_policy *p = NULL;
    assert_int_equal(naryn_sddp(m, &o, &p, d), NARYN_OK);
    int notes = 0;
    for (int k = 0; k < naryn_diags_count(d); k++)
      notes += naryn_diags_get(d, k)->severity == NARYN_SEV_NOTE &&
               strstr(naryn_diags_get(d, k)->msg, "past the time limit of 1e-09 s: one "
                                                  "iteration") != NULL;
    if (pass == 0) {
      assert_int_equal(naryn_policy_iterations(p), 1);
      assert_string_equal(naryn_policy_stop_reason(p), "time");
    }
    assert_int_equal(notes, pass == 0 ? 1 : 0);
    naryn_policy_free(p);
    naryn_diags_free(d);
  }
  naryn_model_free(m);
}

/* Multiple cuts (one per outcome): the same optimum. */
static void test_multi_cut(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 40;
  o.bound_every = 40;
  o.gap_pct = 0.0;
  o.multi_cut = 1;
  naryn_policy *p = tu_sddp_train(m, &o);
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
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  tu_sddp_tree dearest = {.nout = 2, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0, .worst = 1};
  double worst = tu_sddp_extensive(&dearest);
  double mean = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 40;
  o.bound_every = 40;
  o.cvar_alpha = 0.5;
  o.cvar_lambda = 1.0;
  naryn_policy *p = tu_sddp_train(m, &o);
  print_message("worst path %.6f, mean %.6f, lower bound %.6f\n", worst, mean,
                naryn_policy_lower_bound(p));
  assert_true(worst > mean);
  assert_true(fabs(naryn_policy_lower_bound(p) - worst) <= 1e-6 * fabs(worst));
  /* The upper bound is the policy's expected cost, which the risk-adjusted
  ** lower bound passes: no gap is given. */
  const naryn_sddp_log *last = naryn_policy_log(p, naryn_policy_log_count(p) - 1);
  assert_false(isnan(last->upper));
  assert_true(isnan(last->gap_pct));
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* A cycle: the three days repeat forever, each round's cost halved. With
** one outcome the problem is a chain; 40 rounds of it (the rest is worth
** less than 1e-12 of it) in one LP are its optimum, which the lower bound
** reaches and the upper bound's interval holds. */
static void test_cyclic(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, "[{probability: 1, inflow_factor: 1}]"));
  const double prob[1] = {1.0}, factor[1] = {1.0};
  tu_sddp_tree rounds = {.nout = 1, .prob = prob, .factor = factor, .cycles = 40, .disc = 0.5};
  double ef = tu_sddp_extensive(&rounds);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 60;
  o.bound_every = 60;
  o.bound_samples = 50;
  o.gap_pct = 0.0;
  o.discount = 0.5;
  naryn_policy *p = tu_sddp_train(m, &o);
  double half, ub = naryn_policy_upper_bound(p, &half);
  print_message("discounted chain %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef,
                naryn_policy_lower_bound(p), ub, half);
  assert_true(naryn_policy_lower_bound(p) <= ef * (1 + 1e-9));
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-4 * fabs(ef));
  /* The simulations go 4 rounds for sure (the discount's weight then below
  ** 0.1), then on by chance: the estimate holds the optimum, and its
  ** interval is narrow (with rounds by chance alone it was +-25 %). */
  assert_true(fabs(ub - ef) <= half);
  assert_true(half <= 0.05 * ef);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* A run stopped after 4 iterations and resumed from its cut log reaches
** the optimum; its iterations are counted on; every cut of both is in the
** log, the floors of the first among them (a cut on each stage but the
** last), and none again; a log of a multi-cut run is refused by a
** single-cut one. */
static void test_resume(void **state) {
  (void)state;
  char text[4096], dir[64], path[128];
  tu_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/cuts.log", dir);
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 4;
  o.bound_every = 100;
  o.cut_log = path;
  naryn_policy *p = tu_sddp_train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 4);
  assert_true(naryn_policy_lower_bound(p) < ef - 1.0);
  naryn_policy_free(p);
  o.max_iterations = 36;
  p = tu_sddp_train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 40);
  assert_int_equal(naryn_policy_log(p, 0)->iteration, 5);
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-6 * fabs(ef));
  assert_int_equal(naryn_policy_log(p, naryn_policy_log_count(p) - 1)->cuts, 2 * 40 + 2);
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

/* A run resumed from its log holds in its LPs only the cuts a selection
** over the log keeps, from its first iteration: 12 iterations selected
** every 5, then one more (13, not a multiple of 5), whose LPs hold the
** log's selected cuts and the iteration's new ones, fewer than the
** store's. */
static void test_resume_selects(void **state) {
  (void)state;
  char text[4096], dir[64], path[128];
  tu_mkdtemp(dir);
  snprintf(path, sizeof path, "%s/cuts.log", dir);
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 12;
  o.bound_every = 100;
  o.gap_pct = 0.0;
  o.select_every = 5;
  o.cut_log = path;
  naryn_policy *p = tu_sddp_train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 12);
  naryn_policy_free(p);
  o.max_iterations = 1;
  p = tu_sddp_train(m, &o);
  assert_int_equal(naryn_policy_iterations(p), 13);
  int fewer = 0;
  for (int t = 0; t < p->N; t++) {
    int in_lp = naryn__stage_cut_count(p->stage[t]), all = naryn__cuts_count(p->cuts, t);
    assert_true(in_lp <= all);
    fewer += in_lp < all;
  }
  assert_true(fewer > 0);
  naryn_policy_free(p);
  naryn_model_free(m);
  tu_rmdir(dir);
}

/* Three forward passes an iteration: the same optimum, and the same cuts
** and bounds, bit for bit, on 1 thread and on 2, run after run. */
static void test_threads(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  double ef = extensive(2, prob, factor);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 20;
  o.bound_every = 5;
  o.gap_pct = 0.0;
  o.passes = 3;
  naryn_policy *a = tu_sddp_train_threads(m, &o);
  assert_true(fabs(naryn_policy_lower_bound(a) - ef) <= 1e-6 * fabs(ef));
  naryn_policy_free(a);
  naryn_model_free(m);
}

/* Bad options: a discount of 1 (a cycle that never ends), CVaR with
** multiple cuts. */
static void test_bad_options(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
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
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
    tu_refused(tu_sddp_text(text, sizeof text, 0, bad[k][0]), bad[k][1]);
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
      cmocka_unit_test(test_resume_selects),
      cmocka_unit_test(test_threads),
      cmocka_unit_test(test_gap_confident),
      cmocka_unit_test(test_time_limit_passed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
