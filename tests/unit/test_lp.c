/*
** test_lp.c: the CLP wrapper: a small LP with a known optimum, a re-solve
** after changed bounds from the previous basis, and an infeasible problem.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* min -x - 2y  s.t.  x + y <= 4,  x + 3y <= 6,  0 <= x <= 3,  y >= 0.
** The optimum is at x = 3, y = 1, objective -5. */
static naryn__lp *small_lp(double *collo, double *colup, double *rowlo,
                           double *rowup) {
  static const int start[] = {0, 2, 4};
  static const int index[] = {0, 1, 0, 1};
  static const double value[] = {1, 1, 1, 3};
  static const double obj[] = {-1, -2};
  collo[0] = collo[1] = 0;
  colup[0] = 3;
  colup[1] = INFINITY;
  rowlo[0] = rowlo[1] = -INFINITY;
  rowup[0] = 4;
  rowup[1] = 6;
  return naryn__lp_new(2, 2, start, index, value, collo, colup, obj, rowlo, rowup);
}

static void known_optimum(void **state) {
  (void)state;
  double cl[2], cu[2], rl[2], ru[2];
  naryn__lp *lp = small_lp(cl, cu, rl, ru);
  long iters = 0;
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  const double *x = naryn__lp_x(lp);
  assert_near(x[0], 3, 1e-9);
  assert_near(x[1], 1, 1e-9);
  assert_near(naryn__lp_objective(lp), -5, 1e-9);
  naryn__lp_free(lp);
  naryn__lp_free(NULL);
}

/* Raising the second row's bound to 9 moves the optimum to x = 1.5,
** y = 2.5 (objective -6.5); the re-solve starts from the last basis. */
static void resolve_after_bound_change(void **state) {
  (void)state;
  double cl[2], cu[2], rl[2], ru[2];
  naryn__lp *lp = small_lp(cl, cu, rl, ru);
  long iters = 0;
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  long first = iters;
  ru[1] = 9;
  naryn__lp_set_bounds(lp, cl, cu, rl, ru);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  const double *x = naryn__lp_x(lp);
  assert_near(x[0], 1.5, 1e-9);
  assert_near(x[1], 2.5, 1e-9);
  assert_near(naryn__lp_objective(lp), -6.5, 1e-9);
  assert_true(iters - first <= 2);
  naryn__lp_free(lp);
}

/* x >= 5 against x <= 3 cannot hold. */
static void infeasible_is_reported(void **state) {
  (void)state;
  double cl[2], cu[2], rl[2], ru[2];
  naryn__lp *lp = small_lp(cl, cu, rl, ru);
  rl[0] = 8; /* x + y >= 8 with x + y <= 4 */
  naryn__lp_set_bounds(lp, cl, cu, rl, ru);
  long iters = 0;
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_EINFEAS);
  naryn__lp_free(lp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_optimum),
      cmocka_unit_test(resolve_after_bound_change),
      cmocka_unit_test(infeasible_is_reported),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
