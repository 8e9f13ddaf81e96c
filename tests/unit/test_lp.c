/*
** test_lp.c: the CLP wrapper: a small LP with a known optimum, a re-solve
** after changed bounds from the previous basis, and an infeasible problem;
** the warm mode of the simulator's step LP (naryn__lp_keep_work) against
** solves from scratch on random LPs shaped like step LPs, and its box on
** infinite bounds, reached and solved again without it; and the warm mode
** of an LP whose rows change (naryn__lp_keep_factor).
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

/* A random LP shaped like a step LP: rows are balances (equalities) or
** limits (one-sided); columns carry water from one row to another with a
** loss (coefficients 1 and -0.8 to -1), or into a row as a return flow
** (0.1 to 0.5), some of those that cost something without an upper
** bound; every row has two elastic
** columns at a high cost, so that any bounds are feasible. */
#define RAND_ROWS 30
#define RAND_FLOWS 70
#define RAND_COLS (RAND_FLOWS + 2 * RAND_ROWS)

static unsigned long rng_state;
static double uniform(void) {
  rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

typedef struct {
  int start[RAND_COLS + 1], index[3 * RAND_COLS];
  double value[3 * RAND_COLS], obj[RAND_COLS];
  double collo[RAND_COLS], colup[RAND_COLS], rowlo[RAND_ROWS], rowup[RAND_ROWS];
} rand_lp;

static void random_lp(rand_lp *p) {
  int nz = 0;
  for (int j = 0; j < RAND_COLS; j++) {
    p->start[j] = nz;
    if (j < RAND_FLOWS) {
      int a = (int)(uniform() * RAND_ROWS), b = (int)(uniform() * RAND_ROWS);
      if (b == a) b = (a + 1) % RAND_ROWS;
      int lo = a < b ? a : b, hi = a < b ? b : a;
      double va = 1.0, vb = uniform() < 0.3 ? 0.1 + 0.4 * uniform() : -(0.8 + 0.2 * uniform());
      p->index[nz] = lo, p->value[nz++] = lo == a ? va : vb;
      p->index[nz] = hi, p->value[nz++] = hi == a ? va : vb;
      /* Costs of a few sizes, with ties among them, as priorities give. */
      p->obj[j] = (double)((int)(uniform() * 5) - 2);
      p->collo[j] = 0.0;
      /* Only columns that cost something go without an upper bound, so
      ** that no circulation pays for itself without end. */
      p->colup[j] = p->obj[j] > 0 && uniform() < 0.5 ? INFINITY : 10.0 + 90.0 * uniform();
    } else {
      int r = (j - RAND_FLOWS) / 2;
      p->index[nz] = r, p->value[nz++] = (j - RAND_FLOWS) % 2 ? -1.0 : 1.0;
      p->obj[j] = 1e4;
      p->collo[j] = 0.0;
      p->colup[j] = INFINITY;
    }
  }
  p->start[RAND_COLS] = nz;
}

/* New bounds for a step: balances get new right-hand sides, some rows
** become limits, some columns new upper bounds. */
static void random_step(rand_lp *p) {
  for (int i = 0; i < RAND_ROWS; i++) {
    double b = 50.0 * (uniform() - 0.5);
    if (i % 5 == 0) p->rowlo[i] = b, p->rowup[i] = INFINITY;
    else if (i % 7 == 0) p->rowlo[i] = -INFINITY, p->rowup[i] = b;
    else p->rowlo[i] = p->rowup[i] = b;
  }
  for (int j = 0; j < RAND_FLOWS; j++)
    if (uniform() < 0.2 && p->colup[j] < INFINITY) p->colup[j] = 10.0 + 90.0 * uniform();
}

static naryn__lp *load(const rand_lp *p) {
  return naryn__lp_new(RAND_ROWS, RAND_COLS, p->start, p->index, p->value,
                       p->collo, p->colup, p->obj, p->rowlo, p->rowup);
}

/* Over 300 steps of random bounds, and a few re-solves a step after small
** changes (as head and evaporation settle), the warm LP finds the
** objective that a fresh LP solved from scratch finds, with a solution
** within its bounds and rows. */
static void warm_matches_cold_on_random_lps(void **state) {
  (void)state;
  for (int seed = 1; seed <= 4; seed++) {
    rng_state = (unsigned long)seed;
    rand_lp p;
    random_lp(&p);
    random_step(&p);
    naryn__lp *warm = load(&p);
    assert_non_null(warm);
    assert_int_equal(naryn__lp_keep_work(warm), NARYN_OK);
    long iters = 0;
    for (int step = 0; step < 300; step++) {
      random_step(&p);
      for (int again = 0; again < 3; again++) {
        if (again) p.rowlo[1] = p.rowup[1] = p.rowup[1] + 1e-3 * uniform();
        assert_int_equal(naryn__lp_set_bounds(warm, p.collo, p.colup, p.rowlo, p.rowup), NARYN_OK);
        int rc = step == 0 && again == 0 ? naryn__lp_solve_initial(warm, &iters)
                                         : naryn__lp_solve(warm, &iters);
        assert_int_equal(rc, NARYN_OK);
        naryn__lp *cold = load(&p);
        assert_non_null(cold);
        assert_int_equal(naryn__lp_solve_initial(cold, &iters), NARYN_OK);
        double a = naryn__lp_objective(warm), b = naryn__lp_objective(cold);
        assert_near(a, b, 1e-7 * (1.0 + fabs(b)));
        naryn__lp_free(cold);
        const double *x = naryn__lp_x(warm);
        double act[RAND_ROWS] = {0};
        for (int j = 0; j < RAND_COLS; j++) {
          assert_true(x[j] >= p.collo[j] - 1e-7 && x[j] <= p.colup[j] + 1e-7);
          for (int k = p.start[j]; k < p.start[j + 1]; k++) act[p.index[k]] += p.value[k] * x[j];
        }
        for (int i = 0; i < RAND_ROWS; i++)
          assert_true(act[i] >= p.rowlo[i] - 1e-6 && act[i] <= p.rowup[i] + 1e-6);
      }
    }
    naryn__lp_free(warm);
  }
}

/* min -y  s.t.  x - 1000 y = 0,  0 <= y <= 1,  x >= 0 without an upper
** bound. The finite bounds sum to 1, so the warm mode boxes x at 100,
** where the boxed optimum (y = 0.1) stops; the solution reaches the box,
** and the solve without it finds y = 1, x = 1000. */
static void box_reached_is_solved_again(void **state) {
  (void)state;
  static const int start[] = {0, 1, 2};
  static const int index[] = {0, 0};
  static const double value[] = {1, -1000};
  static const double obj[] = {0, -1};
  double cl[] = {0, 0}, cu[] = {INFINITY, 1}, rl[] = {0}, ru[] = {0};
  naryn__lp *lp = naryn__lp_new(1, 2, start, index, value, cl, cu, obj, rl, ru);
  assert_non_null(lp);
  assert_int_equal(naryn__lp_keep_work(lp), NARYN_OK);
  long iters = 0;
  for (int k = 0; k < 2; k++) {
    assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
    assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
    const double *x = naryn__lp_x(lp);
    assert_near(x[1], 1.0, 1e-9);
    assert_near(x[0], 1000.0, 1e-6);
    assert_near(naryn__lp_objective(lp), -1.0, 1e-9);
  }
  naryn__lp_free(lp);
}

/* The warm mode reports an infeasible problem as infeasible. */
static void warm_infeasible_is_reported(void **state) {
  (void)state;
  double cl[2], cu[2], rl[2], ru[2];
  naryn__lp *lp = small_lp(cl, cu, rl, ru);
  assert_int_equal(naryn__lp_keep_work(lp), NARYN_OK);
  long iters = 0;
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -5, 1e-9);
  rl[0] = 8;
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_EINFEAS);
  naryn__lp_free(lp);
}

/* The warm mode of an LP whose rows change (an SDDP stage's): rows with
** a zero element added and deleted between solves, bounds changed in
** between. On the small LP: y <= 0.5 gives x = 3, y = 0.5 (-4); raised to
** 0.8, -4.6; with x <= 2 too, x = 2, y = 0.8 (-3.6); both deleted, -5. */
static void rows_change_in_the_warm_mode(void **state) {
  (void)state;
  double cl[2], cu[2], rl[4], ru[4];
  naryn__lp *lp = small_lp(cl, cu, rl, ru);
  assert_int_equal(naryn__lp_keep_factor(lp), NARYN_OK);
  long iters = 0;
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -5, 1e-9);
  static const int start[] = {0, 2};
  static const int index[] = {0, 1};
  static const double on_y[] = {0, 1}, on_x[] = {1, 0};
  rl[2] = rl[3] = -INFINITY;
  ru[2] = 0.5;
  assert_int_equal(naryn__lp_add_rows(lp, 1, &rl[2], &ru[2], start, index, on_y), NARYN_OK);
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -4, 1e-9);
  ru[2] = 0.8;
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -4.6, 1e-9);
  ru[3] = 2;
  assert_int_equal(naryn__lp_add_rows(lp, 1, &rl[3], &ru[3], start, index, on_x), NARYN_OK);
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  const double *x = naryn__lp_x(lp);
  assert_near(x[0], 2, 1e-9);
  assert_near(x[1], 0.8, 1e-9);
  assert_near(naryn__lp_objective(lp), -3.6, 1e-9);
  assert_int_equal(naryn__lp_delete_rows_from(lp, 2), NARYN_OK);
  assert_int_equal(naryn__lp_set_bounds(lp, cl, cu, rl, ru), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -5, 1e-9);
  naryn__lp_forget_basis(lp);
  assert_int_equal(naryn__lp_solve(lp, &iters), NARYN_OK);
  assert_near(naryn__lp_objective(lp), -5, 1e-9);
  naryn__lp_free(lp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_optimum),
      cmocka_unit_test(resolve_after_bound_change),
      cmocka_unit_test(infeasible_is_reported),
      cmocka_unit_test(warm_matches_cold_on_random_lps),
      cmocka_unit_test(box_reached_is_solved_again),
      cmocka_unit_test(warm_infeasible_is_reported),
      cmocka_unit_test(rows_change_in_the_warm_mode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
