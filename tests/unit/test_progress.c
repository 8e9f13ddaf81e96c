/*
** test_progress.c: the progress callback of long runs: the simulator
** reports every step in order up to the last, the optimiser every pass up
** to the one that settles, naryn_pareto every point's passes with the
** point's number, and a run with a callback gives bit for bit the results
** of a run without one.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "testutil.h"

#define MAX_CALLS 4096

/* What a callback saw, call by call. */
typedef struct seen {
  int n;
  int done[MAX_CALLS], total[MAX_CALLS], bound[MAX_CALLS];
  int part[MAX_CALLS], parts[MAX_CALLS];
  char phase[MAX_CALLS][16], date[MAX_CALLS][11];
} seen;

static void record_call(void *user, const naryn_progress *p) {
  seen *s = user;
  assert_true(s->n < MAX_CALLS);
  int k = s->n++;
  s->done[k] = p->done;
  s->total[k] = p->total;
  s->bound[k] = p->total_is_bound;
  s->part[k] = p->part;
  s->parts[k] = p->parts;
  snprintf(s->phase[k], sizeof s->phase[k], "%s", p->phase);
  snprintf(s->date[k], sizeof s->date[k], "%s", p->step_date ? p->step_date : "");
}

static naryn_model *load_single(naryn_diags *d) {
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load("examples/single/model.json", NULL, 0, &m, d), NARYN_OK);
  return m;
}

/* examples/single: 12 steps, reported as 0 (starting, with the first
** step's date) and then 1 to 12, each with the date of the step just
** finished; the results are those of a run without a callback. */
static void simulation_reports_every_step(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = load_single(d);
  int n = naryn_model_steps(m);
  static seen s;
  memset(&s, 0, sizeof s);
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  assert_null(o.progress);
  assert_null(o.progress_user);
  o.progress = record_call;
  o.progress_user = &s;
  naryn_result *with = NULL, *without = NULL;
  assert_int_equal(naryn_simulate(m, &o, &with, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &without, d), NARYN_OK);
  assert_int_equal(s.n, n + 1);
  for (int k = 0; k <= n; k++) {
    assert_string_equal(s.phase[k], "simulate");
    assert_int_equal(s.done[k], k);
    assert_int_equal(s.total[k], n);
    assert_int_equal(s.bound[k], 0);
    assert_int_equal(s.parts[k], 0);
    assert_string_equal(s.date[k], naryn_model_step_date(m, k > 0 ? k - 1 : 0));
  }
  tu_same_results(m, with, without);
  naryn_result_free(with);
  naryn_result_free(without);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Checks the calls of one optimisation, from call 'first' on: 0 before
** the LP is built, then one per pass, the total an upper bound of
** max_passes until the pass that settles, whose total is its own number.
** Returns the index of the call after them. */
static int check_passes(const seen *s, int first, int passes, int max_passes,
                        int converged) {
  assert_true(s->n >= first + passes + 1);
  for (int k = 0; k <= passes; k++) {
    int c = first + k;
    assert_string_equal(s->phase[c], "optimise");
    assert_int_equal(s->done[c], k);
    assert_string_equal(s->date[c], "");
    int last = k == passes && (converged || passes == max_passes);
    assert_int_equal(s->total[c], last ? passes : max_passes);
    assert_int_equal(s->bound[c], !last);
  }
  return first + passes + 1;
}

/* The optimiser reports each pass of its successive LP, and the plan is
** the plan found without a callback. */
static void optimisation_reports_every_pass(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = load_single(d);
  static seen s;
  memset(&s, 0, sizeof s);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  assert_null(o.progress);
  assert_null(o.progress_user);
  o.progress = record_call;
  o.progress_user = &s;
  naryn_result *with = NULL, *without = NULL;
  assert_int_equal(naryn_optimise(m, &o, &with, d), NARYN_OK);
  assert_int_equal(naryn_optimise(m, NULL, &without, d), NARYN_OK);
  int passes = naryn_result_passes(with);
  assert_true(passes >= 2);
  assert_int_equal(check_passes(&s, 0, passes, o.max_passes,
                                naryn_result_converged(with)), s.n);
  for (int k = 0; k < s.n; k++) assert_int_equal(s.parts[k], 0);
  tu_same_results(m, with, without);
  naryn_result_free(with);
  naryn_result_free(without);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A run cut short at max_passes says so: its last total is exact. */
static void optimisation_cut_short_reports_its_end(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = load_single(d);
  static seen s;
  memset(&s, 0, sizeof s);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  o.max_passes = 1;
  o.progress = record_call;
  o.progress_user = &s;
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, &o, &r, d), NARYN_OK);
  assert_int_equal(s.n, 2);
  assert_int_equal(s.done[1], 1);
  assert_int_equal(s.total[1], 1);
  assert_int_equal(s.bound[1], 0);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* naryn_pareto: the points are optimised in turn, numbered 1 to n, each
** reporting its passes; the curve is the curve found without a callback. */
static void pareto_reports_every_point(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = load_single(d);
  static seen s;
  memset(&s, 0, sizeof s);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  o.progress = record_call;
  o.progress_user = &s;
  int n = 4;
  naryn_result **with = NULL, **without = NULL;
  assert_int_equal(naryn_pareto(m, &o, "energy", "shortage", n, &with, d), NARYN_OK);
  assert_int_equal(naryn_pareto(m, NULL, "energy", "shortage", n, &without, d), NARYN_OK);
  /* Points in the order found: the two anchors (1 and n), then 2 to n-1. */
  static const int order[4] = {0, 3, 1, 2};
  int at = 0;
  for (int part = 1; part <= n; part++) {
    const naryn_result *r = with[order[part - 1]];
    assert_non_null(r);
    int first = at;
    at = check_passes(&s, at, naryn_result_passes(r), o.max_passes,
                      naryn_result_converged(r));
    for (int k = first; k < at; k++) {
      assert_int_equal(s.part[k], part);
      assert_int_equal(s.parts[k], n);
    }
  }
  assert_int_equal(at, s.n);
  for (int i = 0; i < n; i++) {
    tu_same_results(m, with[i], without[i]);
    tu_same_bits(naryn_result_pareto_level(with[i]), naryn_result_pareto_level(without[i]));
    naryn_result_free(with[i]);
    naryn_result_free(without[i]);
  }
  free(with);
  free(without);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(simulation_reports_every_step),
      cmocka_unit_test(optimisation_reports_every_pass),
      cmocka_unit_test(optimisation_cut_short_reports_its_end),
      cmocka_unit_test(pareto_reports_every_point),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
