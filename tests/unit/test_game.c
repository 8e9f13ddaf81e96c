/*
** test_game.c: transferable-utility games: the Shapley value and the
** nucleolus against answers worked by hand, their properties on random
** games, superadditivity and bad arguments.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

#define NMAX NARYN__GAME_MAX_PLAYERS

/* Checks x against want to within tol, player by player. */
static void assert_payoffs(int n, const double *x, const double *want,
                           double tol) {
  for (int i = 0; i < n; i++) assert_near(x[i], want[i], tol);
}

/* v1 = 3, v2 = 1, v12 = 10. Shapley: player 1 adds 3 to the empty
** coalition and 10 - 1 = 9 to {2}, each with weight 1/2: 6; player 2 gets
** (1 + 7) / 2 = 4. Nucleolus: the surplus 10 - 3 - 1 = 6 split equally,
** (3 + 3, 1 + 3) = (6, 4); both singletons then have excess 3 = eps_1, and
** one LP settles both. Tolerance 1e-12 on values near 10. */
static void two_players(void **state) {
  (void)state;
  const double v[4] = {0, 3, 1, 10}, want[2] = {6, 4};
  double x[2], eps;
  int nlps;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__game_shapley(2, v, x, d), NARYN_OK);
  assert_payoffs(2, x, want, 1e-12);
  assert_int_equal(naryn__game_nucleolus(2, v, x, &eps, &nlps, d), NARYN_OK);
  assert_payoffs(2, x, want, 1e-12);
  assert_near(eps, 3, 1e-12);
  assert_int_equal(nlps, 1);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Majority game: v(S) = 1 when |S| >= 2. Shapley: by symmetry 1/3 each.
** LP 1: the three pair constraints x_i + x_j >= 1 + eps summed give
** 2 >= 3 + 3 eps, so eps_1 = -1/3 < 0 (the core is empty), reached only at
** x = (1/3, 1/3, 1/3): the pairs are all fixed and with N span R^3, so one
** LP suffices. The smallest excess, -1/3, is first met at the pair {1,2}
** (mask 3). Tolerance 1e-12. */
static void majority_game(void **state) {
  (void)state;
  double v[8];
  for (int s = 0; s < 8; s++) v[s] = (s == 3 || s == 5 || s == 6 || s == 7);
  const double third[3] = {1.0 / 3, 1.0 / 3, 1.0 / 3};
  double x[3], eps;
  int nlps, worst;
  assert_int_equal(naryn__game_shapley(3, v, x, NULL), NARYN_OK);
  assert_payoffs(3, x, third, 1e-12);
  assert_int_equal(naryn__game_nucleolus(3, v, x, &eps, &nlps, NULL), NARYN_OK);
  assert_payoffs(3, x, third, 1e-12);
  assert_near(eps, -1.0 / 3, 1e-12);
  assert_true(eps < -naryn__game_tolerance(3, v));
  assert_int_equal(nlps, 1);
  assert_near(naryn__game_min_excess(3, v, x, &worst), -1.0 / 3, 1e-12);
  assert_int_equal(worst, 3);
}

/* v1 = v2 = v3 = 0, v12 = 4, v13 = v23 = 0, v123 = 6.
** Shapley: player 3 adds 0 to the empty coalition (weight 1/3), to {1} and
** to {2} (1/6 each), and 6 - 4 = 2 to {1,2} (1/3): x3 = 2/3, and by
** symmetry x1 = x2 = (6 - 2/3) / 2 = 8/3.
** Nucleolus, LP 1: x1 + x2 >= 4 + eps and x3 >= eps add up to 6 >= 4 + 2 eps,
** so eps_1 = 1 with x3 = 1 and x1 + x2 = 5; x1 and x2 may be anything from
** 1 to 4, so {3} and {1,2} are fixed and LP 2 is needed. LP 2 maximises the
** smallest excess of {1}, {2}, {1,3}, {2,3}: x1, x2, x1 + 1, x2 + 1 with
** x1 + x2 = 5, best at x1 = x2 = 5/2 (eps_2 = 5/2). The nucleolus
** (5/2, 5/2, 1) differs from the Shapley value and is in the core
** (smallest excess 1 >= 0). Tolerance 1e-12. */
static void three_players_two_lps(void **state) {
  (void)state;
  const double v[8] = {0, 0, 0, 4, 0, 0, 0, 6};
  const double sh[3] = {8.0 / 3, 8.0 / 3, 2.0 / 3}, nu[3] = {2.5, 2.5, 1};
  double x[3], eps;
  int nlps;
  assert_int_equal(naryn__game_shapley(3, v, x, NULL), NARYN_OK);
  assert_payoffs(3, x, sh, 1e-12);
  assert_int_equal(naryn__game_nucleolus(3, v, x, &eps, &nlps, NULL), NARYN_OK);
  assert_payoffs(3, x, nu, 1e-12);
  assert_near(eps, 1, 1e-12);
  assert_int_equal(nlps, 2);
  assert_near(naryn__game_min_excess(3, v, x, NULL), 1, 1e-12);
}

/* Airport game: runway costs c = (12, 24, 36, 48) (player i needs a runway
** costing c_i, a coalition pays for its longest). As a game of savings,
** v(S) = sum of c_i over S - max of c_i over S, and a saving y_i is the
** cost share c_i - y_i; the excess of S is c(S) - (cost shares of S).
** Shapley cost shares split each runway segment equally among its users:
** 12/4 = 3, 3 + 12/3 = 7, 7 + 12/2 = 13, 13 + 12 = 25, savings
** (9, 17, 23, 23).
** Nucleolus: with positive cost shares x, a coalition whose most costly
** member is j < 4 has excess at least c_j - (x_1 + .. + x_j), met by
** {1..j}, and one containing player 4 has excess at least the share of a
** single missing player i, met by N - {i}. LP 1 then maximises eps with
** x_1 >= eps, 12 - x_1 >= eps: eps_1 = 6, x_1 = 6 ({1} and {2,3,4} fixed).
** LP 2: x_2 >= eps, 24 - 6 - x_2 >= eps: eps_2 = 9, x_2 = 9. LP 3: x_3 >= eps,
** 36 - 15 - x_3 >= eps: eps_3 = 10.5, x_3 = 10.5, and x_4 = 48 - 25.5 = 22.5.
** The savings are (6, 15, 25.5, 25.5), after three LPs. Tolerance 1e-10. */
static void airport_game(void **state) {
  (void)state;
  const double c[4] = {12, 24, 36, 48};
  double v[16] = {0};
  for (int s = 1; s < 16; s++) {
    double sum = 0, max = 0;
    for (int i = 0; i < 4; i++)
      if (s >> i & 1) sum += c[i], max = c[i];
    v[s] = sum - max;
  }
  const double sh[4] = {9, 17, 23, 23}, nu[4] = {6, 15, 25.5, 25.5};
  double x[4], eps;
  int nlps;
  assert_int_equal(naryn__game_shapley(4, v, x, NULL), NARYN_OK);
  assert_payoffs(4, x, sh, 1e-10);
  assert_int_equal(naryn__game_nucleolus(4, v, x, &eps, &nlps, NULL), NARYN_OK);
  assert_payoffs(4, x, nu, 1e-10);
  assert_near(eps, 6, 1e-10);
  assert_int_equal(nlps, 3);
}

/* Degenerate games. One player gets v(N) and no LP is solved (eps_1 is a
** maximum over no coalition, +INFINITY). When every value is 0, an
** efficient x other than 0 pays some player less than 0, an excess below
** the 0 of every coalition at x = 0, so the nucleolus is 0 with eps_1 = 0.
** That optimum is unique, so every coalition is fixed after one LP, though
** most have a zero dual (the optimum is highly degenerate).
** Tolerance 1e-9, the game's: CLP's vertices of this most degenerate LP
** come out about 1e-12 away from 0. */
static void degenerate_games(void **state) {
  (void)state;
  const double one[2] = {0, 7.5};
  double x[NMAX], eps;
  int nlps, worst;
  assert_int_equal(naryn__game_nucleolus(1, one, x, &eps, &nlps, NULL), NARYN_OK);
  assert_true(x[0] == 7.5 && eps == INFINITY && nlps == 0);
  assert_int_equal(naryn__game_shapley(1, one, x, NULL), NARYN_OK);
  assert_true(x[0] == 7.5);
  assert_true(naryn__game_min_excess(1, one, x, &worst) == INFINITY);
  assert_int_equal(worst, 0);
  double zero[1 << 5] = {0};
  assert_int_equal(naryn__game_nucleolus(5, zero, x, &eps, &nlps, NULL), NARYN_OK);
  for (int i = 0; i < 5; i++) assert_near(x[i], 0, 1e-9);
  assert_near(eps, 0, 1e-9);
  assert_int_equal(nlps, 1);
}

/* v1 = 1, v2 = v3 = 1/2, v23 = 1, v12 = v13 = 0, v123 = 2. LP 1: x1 >= 1 + eps
** and x2 + x3 >= 1 + eps add up to 2 >= 2 + 2 eps, so eps_1 = 0 with x1 = 1 and
** x2 + x3 = 1; x2 >= 1/2 and x3 >= 1/2 then leave only x = (1, 1/2, 1/2).
** {1}, {2,3}, {2} and {3} are all tight at this only optimum, but an
** optimal dual vertex may weigh just {1} and {2,3} (1/2 each): fixing only
** the coalitions with a positive dual would need a second LP, which a
** correct test of "tight in every optimum" does not. Tolerance 1e-12. */
static void tight_without_dual(void **state) {
  (void)state;
  const double v[8] = {0, 1, 0.5, 0, 0.5, 0, 1, 2}, want[3] = {1, 0.5, 0.5};
  double x[3], eps;
  int nlps;
  assert_int_equal(naryn__game_nucleolus(3, v, x, &eps, &nlps, NULL), NARYN_OK);
  assert_payoffs(3, x, want, 1e-12);
  assert_near(eps, 0, 1e-12);
  assert_int_equal(nlps, 1);
}

/* ---------------------------------------------------------------------- */
/* Random games                                                            */
/* ---------------------------------------------------------------------- */

/* xorshift64*: the same games on every machine. */
static double uniform(uint64_t *r) {
  *r ^= *r >> 12, *r ^= *r << 25, *r ^= *r >> 27;
  return (double)((*r * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The excesses of all proper coalitions, sorted increasingly. */
static void sorted_excess(int n, const double *v, const double *x, double *e) {
  int k = 0;
  for (int s = 1; s < (1 << n) - 1; s++) {
    double t = 0;
    for (int i = 0; i < n; i++)
      if (s >> i & 1) t += x[i];
    e[k++] = t - v[s];
  }
  qsort(e, (size_t)k, sizeof *e, cmp_double);
}

/* 1 when the sorted excesses a are lexicographically at least b, taking
** differences within tol as ties. */
static int lex_at_least(int k, const double *a, const double *b, double tol) {
  for (int i = 0; i < k; i++) {
    if (a[i] > b[i] + tol) return 1;
    if (a[i] < b[i] - tol) return 0;
  }
  return 1;
}

/* A convex game: v(S) = scale (f(|S|) + g(|S & T|) + a(S)) with f and g
** convex (nondecreasing random increments from 0) and a additive, T a
** random set of players; sums of supermodular functions are supermodular.
** Otherwise a general game, v(S) = scale |S| u with u uniform in [0, 1),
** whose core is often empty. */
static double random_game(int n, int convex, uint64_t *r, double *v) {
  double scale = pow(10, 8 * uniform(r));
  double f[NMAX + 1] = {0}, g[NMAX + 1] = {0}, a[NMAX], df = 0, dg = 0;
  int t = 0;
  for (int k = 1; k <= n; k++) {
    df += uniform(r), dg += 2 * uniform(r);
    f[k] = f[k - 1] + df, g[k] = g[k - 1] + dg;
  }
  for (int i = 0; i < n; i++) {
    a[i] = 2 * uniform(r) - 1;
    if (uniform(r) < 0.5) t |= 1 << i;
  }
  v[0] = 0;
  for (int s = 1; s < 1 << n; s++) {
    int size = 0, in_t = 0;
    double add = 0;
    for (int i = 0; i < n; i++)
      if (s >> i & 1) size++, in_t += t >> i & 1, add += a[i];
    v[s] = convex ? scale * (f[size] + g[in_t] + add)
                  : scale * size * uniform(r);
  }
  return scale;
}

/* For 200 games of 1 to 6 players, half convex, half general (fixed
** seed), with tol = naryn__game_tolerance and agreement between separate
** solves of the nucleolus to 1e-7 of the largest |v(S)|:
** - both allocations are efficient (sum = v(N) to tol);
** - the nucleolus's smallest excess is eps_1 (it lies in the least core)
**   and is at least the Shapley value's (to tol);
** - its sorted excesses are lexicographically at least those of 8 nearby
**   efficient allocations (it is the lexicographic maximum), also in the
**   games with an empty core (at least 20 of them);
** - for a convex game eps_1 >= -tol and both allocations are in the core;
** - renaming the players renames the nucleolus;
** - a v + b for a > 0 and additive b gives a x + b, for both solutions. */
static void random_game_properties(void **state) {
  (void)state;
  uint64_t r = 20240611;
  double *v = malloc(sizeof(double) << NMAX), *w = malloc(sizeof(double) << NMAX);
  double *e1 = malloc(sizeof(double) << NMAX), *e2 = malloc(sizeof(double) << NMAX);
  assert_true(v && w && e1 && e2);
  naryn_diags *d = naryn_diags_new(0);
  int empty_cores = 0;
  for (int game = 0; game < 200; game++) {
    int n = 1 + game % 6, convex = game % 2 == 0, all = (1 << n) - 1;
    random_game(n, convex, &r, v);
    /* tol is 1e-9 of big = max(1, max |v(S)|). */
    double tol = naryn__game_tolerance(n, v), big = tol / 1e-9, agree = 100 * tol;
    double sh[NMAX], nu[NMAX], y[NMAX], eps, sum_sh = 0, sum_nu = 0;
    assert_int_equal(naryn__game_shapley(n, v, sh, d), NARYN_OK);
    assert_int_equal(naryn__game_nucleolus(n, v, nu, &eps, NULL, d), NARYN_OK);
    for (int i = 0; i < n; i++) sum_sh += sh[i], sum_nu += nu[i];
    assert_near(sum_sh, v[all], tol);
    assert_near(sum_nu, v[all], tol);
    if (n == 1) continue;
    double m_nu = naryn__game_min_excess(n, v, nu, NULL);
    double m_sh = naryn__game_min_excess(n, v, sh, NULL);
    assert_near(m_nu, eps, tol);
    assert_true(m_nu >= m_sh - tol);
    empty_cores += eps < -tol;
    if (convex) {
      assert_true(eps >= -tol);
      assert_true(m_sh >= -tol);
      assert_true(m_nu >= -tol);
    }
    /* Nearby efficient allocations, 1e-3 and 1e-1 of the scale away. */
    int k = all - 1;
    sorted_excess(n, v, nu, e1);
    for (int trial = 0; trial < 8; trial++) {
      double size = (trial % 2 ? 1e-1 : 1e-3) * big, mean = 0;
      for (int i = 0; i < n; i++) {
        y[i] = size * (2 * uniform(&r) - 1);
        mean += y[i] / n;
      }
      for (int i = 0; i < n; i++) y[i] += nu[i] - mean;
      sorted_excess(n, v, y, e2);
      assert_true(lex_at_least(k, e1, e2, tol));
    }
    /* Player i becomes player p[i]. */
    int p[NMAX];
    for (int i = 0; i < n; i++) p[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = (int)(uniform(&r) * (i + 1)), t = p[i];
      p[i] = p[j], p[j] = t;
    }
    for (int s = 1; s <= all; s++) {
      int q = 0;
      for (int i = 0; i < n; i++)
        if (s >> i & 1) q |= 1 << p[i];
      w[q] = v[s];
    }
    assert_int_equal(naryn__game_nucleolus(n, w, y, NULL, NULL, d), NARYN_OK);
    for (int i = 0; i < n; i++) assert_near(y[p[i]], nu[i], agree);
    /* Strategic equivalence. */
    double a = 0.1 + 10 * uniform(&r), b[NMAX];
    for (int i = 0; i < n; i++) b[i] = (2 * uniform(&r) - 1) * big;
    for (int s = 1; s <= all; s++) {
      w[s] = a * v[s];
      for (int i = 0; i < n; i++)
        if (s >> i & 1) w[s] += b[i];
    }
    double agree_w = 100 * naryn__game_tolerance(n, w);
    assert_int_equal(naryn__game_nucleolus(n, w, y, NULL, NULL, d), NARYN_OK);
    for (int i = 0; i < n; i++) assert_near(y[i], a * nu[i] + b[i], agree_w);
    assert_int_equal(naryn__game_shapley(n, w, y, d), NARYN_OK);
    for (int i = 0; i < n; i++) assert_near(y[i], a * sh[i] + b[i], agree_w);
  }
  /* The general games include many whose core is empty. */
  assert_true(empty_cores >= 20);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
  free(v), free(w), free(e1), free(e2);
}

/* The largest games, 10 players, convex and general: efficient, in the
** least core, lexicographically best among nearby allocations; and the
** Shapley value is the same bit for bit when computed again. */
static void ten_players(void **state) {
  (void)state;
  uint64_t r = 77;
  int n = NMAX, all = (1 << n) - 1;
  double *v = malloc(sizeof(double) << NMAX);
  double *e1 = malloc(sizeof(double) << NMAX), *e2 = malloc(sizeof(double) << NMAX);
  assert_true(v && e1 && e2);
  for (int convex = 0; convex < 2; convex++) {
    random_game(n, convex, &r, v);
    double tol = naryn__game_tolerance(n, v), x[NMAX], y[NMAX], eps, sum = 0;
    int nlps;
    assert_int_equal(naryn__game_nucleolus(n, v, x, &eps, &nlps, NULL), NARYN_OK);
    for (int i = 0; i < n; i++) sum += x[i];
    assert_near(sum, v[all], tol);
    assert_near(naryn__game_min_excess(n, v, x, NULL), eps, tol);
    if (convex) assert_true(eps >= -tol);
    sorted_excess(n, v, x, e1);
    for (int trial = 0; trial < 8; trial++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        y[i] = 1e-2 * tol / 1e-9 * (2 * uniform(&r) - 1);
        mean += y[i] / n;
      }
      for (int i = 0; i < n; i++) y[i] += x[i] - mean;
      sorted_excess(n, v, y, e2);
      assert_true(lex_at_least(all - 1, e1, e2, tol));
    }
    assert_int_equal(naryn__game_shapley(n, v, x, NULL), NARYN_OK);
    assert_int_equal(naryn__game_shapley(n, v, y, NULL), NARYN_OK);
    assert_memory_equal(x, y, sizeof x);
  }
  free(v), free(e1), free(e2);
}

/* ---------------------------------------------------------------------- */
/* Superadditivity and bad arguments                                       */
/* ---------------------------------------------------------------------- */

typedef struct found {
  int n, a[8], b[8];
  double shortfall[8];
} found;

static void record(void *user, int a, int b, double shortfall) {
  found *f = user;
  if (f->n < 8) f->a[f->n] = a, f->b[f->n] = b, f->shortfall[f->n] = shortfall;
  f->n++;
}

/* v1 = v2 = v3 = 1, v12 = 3, v13 = 1.5, v23 = 2, v123 = 3.8. Pairs A < B:
** {1}+{2}: 3 >= 2; {1}+{3}: 1.5 < 2, short by 0.5; {2}+{3}: 2 >= 2 (equal is
** no violation); {1}+{2,3}: 3.8 >= 3; {2}+{1,3}: 3.8 >= 2.5; {1,2}+{3}:
** 3.8 < 4, short by 0.2. So exactly (1, 4) by 0.5 and (3, 4) by 0.2. The
** airport savings game is convex, hence superadditive: no pair. */
static void superadditivity(void **state) {
  (void)state;
  const double v[8] = {0, 1, 1, 3, 1, 1.5, 2, 3.8};
  found f = {0};
  assert_int_equal(naryn__game_superadditivity(3, v, 1e-9, record, &f), 2);
  assert_int_equal(f.n, 2);
  assert_int_equal(f.a[0], 1);
  assert_int_equal(f.b[0], 4);
  assert_near(f.shortfall[0], 0.5, 1e-12);
  assert_int_equal(f.a[1], 3);
  assert_int_equal(f.b[1], 4);
  assert_near(f.shortfall[1], 0.2, 1e-12);
  assert_int_equal(naryn__game_superadditivity(3, v, 1e-9, NULL, NULL), 2);
  /* The convex airport savings game. */
  const double c[4] = {12, 24, 36, 48};
  double w[16] = {0};
  for (int s = 1; s < 16; s++) {
    double sum = 0, max = 0;
    for (int i = 0; i < 4; i++)
      if (s >> i & 1) sum += c[i], max = c[i];
    w[s] = sum - max;
  }
  f.n = 0;
  assert_int_equal(naryn__game_superadditivity(4, w, 1e-9, record, &f), 0);
  assert_int_equal(f.n, 0);
}

/* No players, too many, a missing array or a value that is not finite:
** NARYN_EARG with a message, never a crash. */
static void bad_arguments(void **state) {
  (void)state;
  double v[1 << (NMAX + 1)] = {0}, x[NMAX + 1], eps;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn__game_shapley(0, v, x, d), NARYN_EARG);
  assert_int_equal(naryn__game_nucleolus(0, v, x, &eps, NULL, d), NARYN_EARG);
  assert_int_equal(naryn__game_shapley(NMAX + 1, v, x, d), NARYN_EARG);
  assert_int_equal(naryn__game_nucleolus(NMAX + 1, v, x, &eps, NULL, d), NARYN_EARG);
  assert_int_equal(naryn__game_nucleolus(-3, v, x, NULL, NULL, d), NARYN_EARG);
  assert_int_equal(naryn__game_nucleolus(2, NULL, x, NULL, NULL, d), NARYN_EARG);
  assert_int_equal(naryn__game_shapley(2, v, NULL, d), NARYN_EARG);
  v[2] = NAN;
  assert_int_equal(naryn__game_nucleolus(2, v, x, NULL, NULL, d), NARYN_EARG);
  v[2] = 0;
  assert_int_equal(naryn_diags_errors(d), 8);
  char buf[512];
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_non_null(strstr(buf, "from 1 to 10, got 0"));
  naryn_diag_format(naryn_diags_get(d, 7), buf, sizeof buf);
  assert_non_null(strstr(buf, "coalition 2"));
  /* Without a list the error is still returned. */
  assert_int_equal(naryn__game_shapley(0, v, x, NULL), NARYN_EARG);
  assert_true(isnan(naryn__game_min_excess(0, v, x, NULL)));
  assert_true(isnan(naryn__game_min_excess(NMAX + 1, v, x, NULL)));
  assert_int_equal(naryn__game_superadditivity(0, v, 1e-9, NULL, NULL), -1);
  assert_int_equal(naryn__game_superadditivity(NMAX + 1, v, 1e-9, NULL, NULL), -1);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(two_players),
      cmocka_unit_test(majority_game),
      cmocka_unit_test(three_players_two_lps),
      cmocka_unit_test(airport_game),
      cmocka_unit_test(degenerate_games),
      cmocka_unit_test(tight_without_dual),
      cmocka_unit_test(random_game_properties),
      cmocka_unit_test(ten_players),
      cmocka_unit_test(superadditivity),
      cmocka_unit_test(bad_arguments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
