/*
** tu.c: cooperative games with transferable utility.
**
** A game of n players gives every coalition S a value v(S), what its members
** can secure by acting together without the others (for example the benefit
** of a river basin run jointly by the countries in S). The functions here
** share the grand coalition's value among the players, by the Shapley value
** and by the nucleolus, and test a game's properties: its least core, the
** smallest excess of an allocation and superadditivity. They know nothing of
** water; the values come from elsewhere. Coalitions are bit masks (bit i set
** when player i is a member); v holds 2^n values indexed by mask, and v[0]
** is ignored because the empty coalition is worth nothing.
**
** The nucleolus is found by the usual sequence of LPs. Stage k maximises
** eps, the smallest excess x(S) - v(S) over the coalitions still free, with
** x(N) = v(N) and the coalitions fixed so far held at their excess. The free
** coalitions whose excess is eps_k in every optimum of stage k are then
** fixed. A coalition with a positive dual is fixed for certain; the other
** coalitions tight at the solution are checked by LPs over the optimal face
** (eps held at eps_k): one maximises the sum of their excesses, and those
** that rise above eps_k are dropped until the sum bounds every remaining
** one, or failing that one LP per coalition decides. The stages end when
** the fixed coalitions and N span R^n, which pins x down.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define MAXP NARYN__GAME_MAX_PLAYERS

/* Thresholds inside the nucleolus's LPs, whose values are divided by
** max |v(S)|: an excess within LP_TOL of a stage's optimum is tight, a dual
** above DUAL_TOL is positive, and a remainder below RANK_TOL is zero in the
** rank test. In the game's units LP_TOL is at most naryn__game_tolerance. */
#define LP_TOL 1e-9
#define DUAL_TOL 1e-9
#define RANK_TOL 1e-9

static int popcount(int s) {
  int k = 0;
  for (; s; s &= s - 1) k++;
  return k;
}

/* x(S): the payoffs of S's members, summed in player order. */
static double coalition_sum(int n, const double *x, int s) {
  double t = 0;
  for (int i = 0; i < n; i++)
    if (s >> i & 1) t += x[i];
  return t;
}

double naryn__game_tolerance(int n, const double *v) {
  double m = 1;
  if (v && n >= 1 && n <= MAXP)
    for (int s = 1; s < 1 << n; s++)
      if (fabs(v[s]) > m) m = fabs(v[s]);
  return 1e-9 * m;
}

/* Reports a number of players out of range, a missing array or a value
** that is not finite. */
static int check_game(int n, const double *v, const double *x,
                      naryn_diags *d, const char *where) {
  if (n < 1 || n > MAXP)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                       "the number of players must be from 1 to %d, got %d",
                       MAXP, n);
  if (!v || !x)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                       "no game values or no array for the payoffs");
  for (int s = 1; s < 1 << n; s++)
    if (!isfinite(v[s]))
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                         "the value of coalition %d (a bit mask) is %g; "
                         "values must be finite", s, v[s]);
  return NARYN_OK;
}

int naryn__game_shapley(int n, const double *v, double *x, naryn_diags *d) {
  int rc = check_game(n, v, x, d, "Shapley value");
  if (rc != NARYN_OK) return rc;
  /* The weight of a coalition of k players joined by one more is
  ** k!(n-k-1)!/n!; factorials up to 10! are exact in a double. */
  double fact[MAXP + 1], wt[MAXP];
  fact[0] = 1;
  for (int k = 1; k <= n; k++) fact[k] = fact[k - 1] * k;
  for (int k = 0; k < n; k++) wt[k] = fact[k] * fact[n - k - 1] / fact[n];
  int all = (1 << n) - 1;
  for (int i = 0; i < n; i++) {
    double sum = 0;
    for (int s = 0; s <= all; s++) {
      if (s >> i & 1) continue;
      sum += wt[popcount(s)] * (v[s | 1 << i] - (s ? v[s] : 0));
    }
    x[i] = sum;
  }
  return NARYN_OK;
}

double naryn__game_min_excess(int n, const double *v, const double *x,
                              int *worst) {
  if (worst) *worst = 0;
  if (n < 1 || n > MAXP || !v || !x) return NAN;
  double best = INFINITY;
  for (int s = 1; s < (1 << n) - 1; s++) {
    double e = coalition_sum(n, x, s) - v[s];
    if (isnan(e)) return NAN;
    if (e < best) {
      best = e;
      if (worst) *worst = s;
    }
  }
  return best;
}

int naryn__game_superadditivity(int n, const double *v, double tol,
                                void (*each)(void *user, int a, int b,
                                             double shortfall),
                                void *user) {
  if (n < 1 || n > MAXP || !v) return -1;
  int all = (1 << n) - 1, count = 0;
  for (int a = 1; a <= all; a++)
    for (int b = a + 1; b <= all; b++) {
      if (a & b) continue;
      double shortfall = v[a] + v[b] - v[a | b];
      /* Written so that a shortfall that is not a number is reported too. */
      if (!(shortfall <= tol)) {
        count++;
        if (each) each(user, a, b, shortfall);
      }
    }
  return count;
}

/* ====================================================================== */
/* The nucleolus                                                           */
/* ====================================================================== */

/* The state of the sequence of LPs. Columns are x_0 .. x_{n-1} and eps. The
** rows of the LP being built are coalitions: the first nfree are free, each
** x(S) - eps >= w(S); the others are the basis's, each x(B) = w(B) + e(B). */
typedef struct nuc {
  int n, all;
  double *w;            /* v / scale, by mask */
  unsigned char *open;  /* 1 while a coalition's excess is not settled */
  int nrows, nfree;
  int *mask;            /* the coalition of each row */
  double *lo, *up;      /* row bounds */
  int *start, *index;   /* the matrix, column by column */
  double *value;
  double *dual;         /* duals of the free rows */
  int *cand;            /* free rows tight at a stage's solution */
  unsigned char *fix;   /* free rows found fixed at this stage */
  /* The basis: independent fixed coalitions (N first), each kept as a row
  ** reduced against the ones before, with its pivot column and excess. */
  int nb;
  double rows[MAXP * MAXP];
  int piv[MAXP], bmask[MAXP];
  double be[MAXP];
} nuc;

static void nuc_free(nuc *g) {
  free(g->w), free(g->open), free(g->mask), free(g->lo), free(g->up);
  free(g->start), free(g->index), free(g->value), free(g->dual);
  free(g->cand), free(g->fix);
}

/* Loads the rows as they stand and minimises obj'(x, eps) with eps held in
** [eps_lo, eps_up]; writes x and eps into xe and, when dual is not NULL,
** the free rows' duals. */
static int nuc_solve(nuc *g, const double *obj, double eps_lo, double eps_up,
                     double *xe, double *dual, naryn_diags *d) {
  int n = g->n, k = 0;
  for (int j = 0; j < n; j++) {
    g->start[j] = k;
    for (int r = 0; r < g->nrows; r++)
      if (g->mask[r] >> j & 1) g->index[k] = r, g->value[k++] = 1;
  }
  g->start[n] = k;
  for (int r = 0; r < g->nfree; r++) g->index[k] = r, g->value[k++] = -1;
  g->start[n + 1] = k;
  double cl[MAXP + 1], cu[MAXP + 1];
  for (int j = 0; j < n; j++) cl[j] = -INFINITY, cu[j] = INFINITY;
  cl[n] = eps_lo, cu[n] = eps_up;
  naryn__lp *lp = naryn__lp_new(g->nrows, n + 1, g->start, g->index,
                                g->value, cl, cu, obj, g->lo, g->up);
  if (!lp)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0,
                       "nucleolus", "out of memory");
  long iters = 0;
  int rc = naryn__lp_solve(lp, &iters);
  if (rc == NARYN_OK) {
    memcpy(xe, naryn__lp_x(lp), (size_t)(n + 1) * sizeof *xe);
    if (dual)
      memcpy(dual, naryn__lp_row_duals(lp), (size_t)g->nfree * sizeof *dual);
  }
  naryn__lp_free(lp);
  if (rc == NARYN_EINTR) return naryn__interrupted(d);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0,
                       "nucleolus", "out of memory in CLP");
  if (rc != NARYN_OK)
    return naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0,
                       "nucleolus", "an LP of the sequence failed: %s",
                       naryn_strerror(rc));
  return NARYN_OK;
}

/* Reduces the indicator of coalition s by the basis's rows into r and
** returns the largest magnitude left, about 0 when s is in their span. */
static double reduce(const nuc *g, int s, double *r) {
  int n = g->n;
  for (int j = 0; j < n; j++) r[j] = s >> j & 1;
  for (int b = 0; b < g->nb; b++) {
    double f = r[g->piv[b]];
    if (f != 0)
      for (int j = 0; j < n; j++) r[j] -= f * g->rows[b * n + j];
  }
  double m = 0;
  for (int j = 0; j < n; j++)
    if (fabs(r[j]) > m) m = fabs(r[j]);
  return m;
}

/* Adds coalition s, fixed at excess e, to the basis when it is independent
** of the coalitions already there. */
static void basis_add(nuc *g, int s, double e) {
  int n = g->n, p = 0;
  double r[MAXP];
  if (g->nb >= n || reduce(g, s, r) <= RANK_TOL) return;
  for (int j = 1; j < n; j++)
    if (fabs(r[j]) > fabs(r[p])) p = j;
  for (int j = 0; j < n; j++) g->rows[g->nb * n + j] = r[j] / r[p];
  g->piv[g->nb] = p;
  g->bmask[g->nb] = s;
  g->be[g->nb++] = e;
}

/* Lays out the rows of the next LP: the free coalitions, then the basis. */
static void nuc_rows(nuc *g) {
  g->nrows = 0;
  for (int s = 1; s < g->all; s++)
    if (g->open[s]) {
      g->mask[g->nrows] = s;
      g->lo[g->nrows] = g->w[s];
      g->up[g->nrows++] = INFINITY;
    }
  g->nfree = g->nrows;
  for (int b = 0; b < g->nb; b++) {
    g->mask[g->nrows] = g->bmask[b];
    g->lo[g->nrows] = g->up[g->nrows] = g->w[g->bmask[b]] + g->be[b];
    g->nrows++;
  }
}

/* Maximises the summed excess of the candidate rows cand[0 .. m-1] with eps
** held at its optimum (a point of the stage's optimal face) into y. */
static int max_excess(nuc *g, const int *cand, int m, double eps, double *y,
                      naryn_diags *d) {
  double obj[MAXP + 1] = {0};
  for (int c = 0; c < m; c++)
    for (int j = 0; j < g->n; j++)
      if (g->mask[cand[c]] >> j & 1) obj[j] -= 1;
  return nuc_solve(g, obj, eps, eps, y, NULL, d);
}

/* Marks the tight free rows whose excess is eps in every optimum of the
** stage just solved (x and eps in xe), to within LP_TOL. */
static int nuc_fixed(nuc *g, const double *xe, naryn_diags *d) {
  int n = g->n, ncand = 0, rc;
  double eps = xe[n], y[MAXP + 1];
  for (int r = 0; r < g->nfree; r++) {
    int s = g->mask[r];
    int tight = coalition_sum(n, xe, s) - g->w[s] <= eps + LP_TOL;
    /* A positive dual keeps the row tight in every optimum (by
    ** complementary slackness). CLP's duals of these rows are at least 0
    ** and sum to 1, the objective's coefficient of eps. */
    g->fix[r] = tight && g->dual[r] > DUAL_TOL;
    if (tight && !g->fix[r]) g->cand[ncand++] = r;
  }
  for (;;) {
    if (ncand == 0) return NARYN_OK;
    /* Candidates above eps + LP_TOL at a point of the face are not fixed. */
    if ((rc = max_excess(g, g->cand, ncand, eps, y, d)) != NARYN_OK) return rc;
    int keep = 0;
    double surplus = 0;
    for (int c = 0; c < ncand; c++) {
      int s = g->mask[g->cand[c]];
      double e = coalition_sum(n, y, s) - g->w[s] - eps;
      if (e <= LP_TOL) g->cand[keep++] = g->cand[c], surplus += e;
    }
    if (keep < ncand) {
      ncand = keep;
      continue;
    }
    /* Each candidate's excess is at least eps everywhere on the face, and
    ** their sum is at most its value at y, so none can exceed eps by more
    ** than their summed surplus at y. */
    if (surplus <= LP_TOL) {
      for (int c = 0; c < ncand; c++) g->fix[g->cand[c]] = 1;
      return NARYN_OK;
    }
    break;
  }
  /* The summed bound is too loose (rounding adds up over many candidates):
  ** each candidate's own largest excess decides. */
  for (int c = 0; c < ncand; c++) {
    int s = g->mask[g->cand[c]];
    if ((rc = max_excess(g, &g->cand[c], 1, eps, y, d)) != NARYN_OK) return rc;
    g->fix[g->cand[c]] = coalition_sum(n, y, s) - g->w[s] <= eps + LP_TOL;
  }
  return NARYN_OK;
}

int naryn__game_nucleolus(int n, const double *v, double *x,
                          double *least_core_eps, int *nlps, naryn_diags *d) {
  int rc = check_game(n, v, x, d, "nucleolus");
  if (rc != NARYN_OK) return rc;
  if (nlps) *nlps = 0;
  if (n == 1) {
    /* No proper coalition: the least-core eps is a maximum over nothing. */
    x[0] = v[1];
    if (least_core_eps) *least_core_eps = INFINITY;
    return NARYN_OK;
  }
  nuc g = {0};
  g.n = n;
  g.all = (1 << n) - 1;
  size_t ns = (size_t)g.all + 1, nr = ns + (size_t)n;
  g.w = malloc(ns * sizeof *g.w);
  g.open = malloc(ns);
  g.mask = malloc(nr * sizeof *g.mask);
  g.lo = malloc(nr * sizeof *g.lo);
  g.up = malloc(nr * sizeof *g.up);
  g.start = malloc((size_t)(n + 2) * sizeof *g.start);
  g.index = malloc(nr * (size_t)(n + 1) * sizeof *g.index);
  g.value = malloc(nr * (size_t)(n + 1) * sizeof *g.value);
  g.dual = malloc(ns * sizeof *g.dual);
  g.cand = malloc(ns * sizeof *g.cand);
  g.fix = malloc(ns);
  if (!g.w || !g.open || !g.mask || !g.lo || !g.up || !g.start || !g.index ||
      !g.value || !g.dual || !g.cand || !g.fix) {
    nuc_free(&g);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0,
                       "nucleolus", "out of memory");
  }
  /* The LPs see values of at most 1 in magnitude. */
  double scale = 0;
  for (int s = 1; s <= g.all; s++)
    if (fabs(v[s]) > scale) scale = fabs(v[s]);
  if (scale == 0) scale = 1;
  for (int s = 1; s <= g.all; s++) g.w[s] = v[s] / scale, g.open[s] = 1;
  g.open[g.all] = 0;
  basis_add(&g, g.all, 0);

  double xe[MAXP + 1], obj[MAXP + 1] = {0}, r[MAXP], eps1 = 0;
  obj[n] = -1;
  int stages = 0;
  while (g.nb < n) {
    nuc_rows(&g);
    rc = nuc_solve(&g, obj, -INFINITY, INFINITY, xe, g.dual, d);
    if (rc != NARYN_OK) break;
    if (stages++ == 0) eps1 = xe[n];
    rc = nuc_fixed(&g, xe, d);
    if (rc != NARYN_OK) break;
    int nfixed = 0;
    for (int q = 0; q < g.nfree; q++)
      if (g.fix[q]) {
        g.open[g.mask[q]] = 0;
        basis_add(&g, g.mask[q], xe[n]);
        nfixed++;
      }
    if (nfixed == 0) {
      /* At least one dual is positive, so this is numerical trouble. */
      rc = naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0,
                       "nucleolus", "stage %d fixed no coalition", stages);
      break;
    }
    /* A free coalition in the span of the basis has the same excess at
    ** every point left, so it no longer bears on the choice of x. */
    for (int s = 1; s < g.all; s++)
      if (g.open[s] && reduce(&g, s, r) <= RANK_TOL) g.open[s] = 0;
  }
  if (rc == NARYN_OK) {
    for (int i = 0; i < n; i++) x[i] = xe[i] * scale;
    if (least_core_eps) *least_core_eps = eps1 * scale;
    if (nlps) *nlps = stages;
  }
  nuc_free(&g);
  return rc;
}
