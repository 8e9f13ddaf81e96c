/*
** test_sddp_bound.c: the upper bound with a control variate
** (naryn_sddp_opts.bound_control), on the hydro-thermal system of
** testutil_sddp.h.
**
** Each simulated step subtracts the value of the stage solved less its
** expectation over the branches the step might have taken, and a cycle's
** chance of going on is matched the same way: terms of mean zero, so the
** estimate is the plain one's expectation. Once the cuts are exact the
** controlled cost of every simulation is the optimum itself: the estimate
** is the extensive form's optimum with an interval of zero. Before, it
** agrees with the plain estimate within their intervals, with a far
** narrower interval of its own, and the cuts are those of a run without
** it, byte for byte.
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
#include "testutil_sddp.h"

/* A converged policy of the tree of two outcomes a day: every controlled
** simulation costs the optimum, so the estimate is the extensive form's
** optimum and its interval zero (where the plain one's is wide). */
static void test_converged_is_exact(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  tu_sddp_tree tree = {.nout = 2, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0};
  double ef = tu_sddp_extensive(&tree);
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
  naryn_policy *plain = tu_sddp_train(m, &o);
  o.bound_control = 1;
  naryn_policy *p = tu_sddp_train(m, &o);
  double half0, ub0 = naryn_policy_upper_bound(plain, &half0);
  double half, ub = naryn_policy_upper_bound(p, &half);
  print_message("extensive form %.6f: plain %.6f +- %.6f, controlled %.6f +- %.6f\n", ef, ub0,
                half0, ub, half);
  assert_true(fabs(ub - ef) <= 1e-7 * fabs(ef));
  assert_true(half <= 1e-7 * fabs(ef));
  assert_true(half0 > 0.01 * fabs(ef));
  naryn_policy_free(plain);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* 1 when the two files hold the same bytes. */
static int same_bytes(const char *a, const char *b) {
  FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
  int same = f && g;
  while (same) {
    int x = fgetc(f), y = fgetc(g);
    same = x == y;
    if (x == EOF) break;
  }
  if (f) fclose(f);
  if (g) fclose(g);
  return same;
}

/* Trains m's cyclic policy (discount 0.8) for 3 iterations and estimates
** its cost from n simulations, with or without the control variate. */
static naryn_policy *early(const naryn_model *m, int control, int n) {
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 3;
  o.bound_every = 3;
  o.bound_samples = n;
  o.gap_pct = 0.0;
  o.discount = 0.8;
  o.bound_control = control;
  return tu_sddp_train(m, &o);
}

/* A cycle of three days discounted by 0.8, its policy far from converged
** (3 iterations): the controlled estimate agrees with the plain one within
** their intervals, its interval half or less of the plain one's from the
** same simulations, and the cuts are the same with or without it. The
** cycle goes on by chance after its sure rounds, so both terms of the
** variate are at work. */
static void test_unconverged_agrees(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  naryn_policy *plain = early(m, 0, 4000), *same = early(m, 0, 400), *p = early(m, 1, 400);
  double half0, ub0 = naryn_policy_upper_bound(plain, &half0);
  double half1, ub1 = naryn_policy_upper_bound(same, &half1);
  double half, ub = naryn_policy_upper_bound(p, &half);
  print_message("lower bound %.6f; plain %.6f +- %.6f (4000), %.6f +- %.6f (400); controlled "
                "%.6f +- %.6f (400)\n",
                naryn_policy_lower_bound(p), ub0, half0, ub1, half1, ub, half);
  assert_true(fabs(ub - ub0) <= half + half0);
  /* 3,035 against 7,707: the cuts are still far from the value (the lower
  ** bound is under half the cost), so the variate takes less of the
  ** spread than it does later (zero once they are exact). */
  assert_true(half > 0 && half <= 0.5 * half1);
  assert_true(naryn_policy_lower_bound(p) == naryn_policy_lower_bound(plain));
  char a[64], b[64];
  tu_mkdtemp(a);
  tu_mkdtemp(b);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(same, a, d), NARYN_OK);
  assert_int_equal(naryn_policy_write(p, b, d), NARYN_OK);
  char pa[96], pb[96];
  snprintf(pa, sizeof pa, "%s/cuts.bin", a);
  snprintf(pb, sizeof pb, "%s/cuts.bin", b);
  assert_true(same_bytes(pa, pb));
  naryn_diags_free(d);
  naryn_policy_free(plain);
  naryn_policy_free(same);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* The same controlled estimate on 1 thread and on 2: the simulations are
** shared out in chunks that each start their stages afresh, so the bound
** is the same bits. */
static void test_threads(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
  double ub[2], half[2];
  for (int jobs = 1; jobs <= 2; jobs++) {
    naryn_sddp_opts o;
    naryn_sddp_opts_init(&o);
    o.max_iterations = 3;
    o.bound_every = 3;
    o.bound_samples = 45;
    o.discount = 0.8;
    o.bound_control = 1;
    o.jobs = jobs;
    o.passes = 2;
    naryn_policy *p = tu_sddp_train(m, &o);
    ub[jobs - 1] = naryn_policy_upper_bound(p, &half[jobs - 1]);
    naryn_policy_free(p);
  }
  assert_memory_equal(&ub[0], &ub[1], sizeof ub[0]);
  assert_memory_equal(&half[0], &half[1], sizeof half[0]);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_converged_is_exact),
      cmocka_unit_test(test_unconverged_agrees),
      cmocka_unit_test(test_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
