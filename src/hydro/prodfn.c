/*
** prodfn.c: production functions: a plant's energy as the minimum of a few
** planes in its reservoir's storage and its turbined flow, for the LPs that
** must stay convex (SDDP's stages).
**
** A plant whose head follows its reservoir makes power
** P(S, q) = min(rho g eta q h(S, q), capacity), h the exact net head of
** hydro.c (the reservoir's level at storage S less the tailwater at the
** discharge q, here the turbined flow alone). P is not concave: the product
** of flow and head bends up along the diagonals of the box. A concave
** approximation is the minimum of K planes P <= a_k + b_k S + c_k q; the
** stage LP writes each as a row, with the capacity as the energy column's
** bound.
**
** The fit is made in power (MW against hm3 and m3/s), which does not depend
** on the step's length; over a step of s seconds the energy in GWh is
** P s / 3.6e6 and q is the turbined volume over s (naryn__prodfn_plane_gwh).
** It works on a sample: a grid of PRODFN_GRID x PRODFN_GRID points over the
** box [min_storage, max_storage] x [0, max_turbine_flow].
**
** The method: every candidate plane is lifted until it is nowhere below the
** exact power on the sample, so the approximation is an UPPER one there,
** min_k plane_k >= P at every sample point (with the capacity, which P never
** passes). The candidates are the tangent planes at a coarser grid of
** anchors (central differences, one sided at the box's edges), each lifted.
** Planes are chosen greedily: at each count k the candidate that lowers the
** mean error the most joins the planes chosen so far; then each plane in
** turn is refitted by least squares to the sample points where it is the
** lowest, lifted again, and kept where that lowers the mean error. The mean
** error therefore never rises from k planes to k + 1. An upper concave
** approximation can come no closer to P than its concave envelope; for a
** plant whose head varies much the largest error, at middle storage and
** flow, is set by that envelope rather than by K.
**
** The errors reported are the largest and the mean of the approximation
** less the exact power over the sample (never negative there), in MW and in
** per cent of the power at full storage and full flow. Everything is
** deterministic: fixed grids, fixed order, ties to the first.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Points of the sample along each side, and anchors of the candidates. */
#define PRODFN_GRID 65
#define PRODFN_ANCHORS 13
#define PRODFN_ROUNDS 4
/* Points along each side of the sample the errors are measured on. */
#define PRODFN_CHECK 129

/* The exact power in MW at storage s (hm3) and turbined flow q (m3/s): the
** energy of hydro.c over one hour, in MWh. */
static double exact_mw(const naryn_model *m, const naryn__node *n, double s, double q) {
  double h = naryn__hyd_head_m(m, n, s, q);
  return naryn__hyd_energy_gwh(n, q * 3600.0 * 1e-6, h, 3600.0) * 1e3;
}

/* The same without the capacity's cap. */
static double raw_mw(const naryn_model *m, const naryn__node *n, double s, double q) {
  return NARYN__RHO_G * n->efficiency * q * naryn__hyd_head_m(m, n, s, q) * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double naryn__prodfn_exact_mw(const naryn_model *m, int plant, double storage_hm3,
                              double flow_m3s) {
  return exact_mw(m, &m->nodes[plant], storage_hm3, flow_m3s);
}

int naryn__prodfn_applies(const naryn_model *m, int i) {
  const naryn__node *n = &m->nodes[i];
  if (n->type != NARYN_NODE_HYDROPOWER || !n->enabled || !isnan(n->head_m) ||
      n->reservoir < 0)
    return 0;
  const naryn__node *r = &m->nodes[n->reservoir];
  return r->type == NARYN_NODE_RESERVOIR && r->enabled && r->level.n > 0;
}

double naryn__prodfn_eval_mw(const naryn__prodfn *f, double storage_hm3, double flow_m3s) {
  double v = f->cap_mw;
  for (int k = 0; k < f->k; k++) {
    double p = f->a[k] + f->b[k] * storage_hm3 + f->c[k] * flow_m3s;
    if (p < v) v = p;
  }
  return v;
}

void naryn__prodfn_plane_gwh(const naryn__prodfn *f, int k, double step_s, double *a,
                             double *b, double *c) {
  double h = step_s / 3.6e6;
  *a = f->a[k] * h;
  *b = f->b[k] * h;
  /* q = Q * 1e6 / step_s, so c q s / 3.6e6 = c Q / 3.6. */
  *c = f->c[k] / 3.6;
}

/* A sample and its planes, in scaled coordinates u, w in [0, 1] for
** storage and flow, so that the planes' coefficients are of one size. */
typedef struct fit {
  int n;             /* sample points */
  double *u, *w, *p; /* [n]: coordinates and exact power */
  double *raw;       /* [n]: the power without the capacity's cap */
  double *best;      /* [n]: the current approximation */
  double cap;
} fit;

typedef struct plane {
  double a, b, c;
} plane;

static double at(plane q, double u, double w) { return q.a + q.b * u + q.c * w; }

/* Lifts q until it is nowhere below the sample. */
static plane lift(const fit *f, plane q) {
  double up = -INFINITY;
  for (int i = 0; i < f->n; i++) up = fmax(up, f->raw[i] - at(q, f->u[i], f->w[i]));
  q.a += up;
  return q;
}

/* The mean error of the planes pl[0..k) (and the capacity) over the
** sample, with the approximation at each point into best (or NULL). */
static double mean_error(const fit *f, const plane *pl, int k, double *best) {
  double sum = 0.0;
  for (int i = 0; i < f->n; i++) {
    double v = f->cap;
    for (int j = 0; j < k; j++) v = fmin(v, at(pl[j], f->u[i], f->w[i]));
    if (best) best[i] = v;
    sum += v - f->p[i];
  }
  return sum / f->n;
}

/* Solves the 3 x 3 system A x = r by elimination with partial pivoting; a
** pivot near zero (a sample with no spread in u or w) leaves that
** coefficient zero. */
static void solve3(double A[3][3], double r[3], double x[3]) {
  int piv[3] = {-1, -1, -1};
  double scale = fmax(fmax(fabs(A[0][0]), fabs(A[1][1])), fabs(A[2][2]));
  for (int col = 0; col < 3; col++) {
    int best = -1;
    for (int row = 0; row < 3; row++) {
      int used = 0;
      for (int c = 0; c < col; c++) used |= piv[c] == row;
      if (!used && (best < 0 || fabs(A[row][col]) > fabs(A[best][col]))) best = row;
    }
    if (best < 0 || fabs(A[best][col]) <= 1e-12 * scale) continue;
    piv[col] = best;
    for (int row = 0; row < 3; row++) {
      if (row == best) continue;
      double g = A[row][col] / A[best][col];
      for (int c = 0; c < 3; c++) A[row][c] -= g * A[best][c];
      r[row] -= g * r[best];
    }
  }
  for (int col = 0; col < 3; col++)
    x[col] = piv[col] >= 0 ? r[piv[col]] / A[piv[col]][col] : 0.0;
}

/* The least-squares plane through the sample points where plane j of pl is
** the lowest of the k (not the capacity), lifted; q unchanged when it is
** the lowest nowhere. */
static plane refit(const fit *f, const plane *pl, int k, int j) {
  double A[3][3] = {{0}}, r[3] = {0}, x[3];
  int count = 0;
  for (int i = 0; i < f->n; i++) {
    double v = at(pl[j], f->u[i], f->w[i]);
    int low = v < f->cap;
    for (int o = 0; o < k && low; o++)
      if (o != j && at(pl[o], f->u[i], f->w[i]) < v) low = 0;
    if (!low) continue;
    double z[3] = {1.0, f->u[i], f->w[i]};
    for (int a = 0; a < 3; a++) {
      for (int b = 0; b < 3; b++) A[a][b] += z[a] * z[b];
      r[a] += z[a] * f->p[i];
    }
    count++;
  }
  if (count < 3) return pl[j];
  solve3(A, r, x);
  return lift(f, (plane){x[0], x[1], x[2]});
}

int naryn__prodfn_fit_box(const naryn_model *m, int plant, int k, double s_lo, double s_hi,
                          double q_lo, double q_hi, naryn__prodfn *out) {
  const naryn__node *n = &m->nodes[plant];
  memset(out, 0, sizeof *out);
  if (k < 1) k = 1;
  if (k > NARYN__PRODFN_MAX) k = NARYN__PRODFN_MAX;
  out->plant = plant;
  out->reservoir = n->reservoir;
  out->cap_mw = n->capacity_mw;
  out->s_lo = s_lo, out->s_hi = s_hi, out->q_lo = q_lo, out->q_hi = q_hi;
  out->full_mw = exact_mw(m, n, s_hi, q_hi);
  const int G = PRODFN_GRID, A = PRODFN_ANCHORS, nc = A * A;
  const naryn__table *lv = &m->nodes[n->reservoir].level;
  double ds = s_hi - s_lo, dq = q_hi - q_lo;
  /* Storages: G evenly spaced and every break of the level table within. */
  double *su = malloc(((size_t)G + (size_t)lv->n + 1) * sizeof *su);
  int nu = 0;
  for (int a = 0; su && a < G; a++) su[nu++] = (double)a / (G - 1);
  for (int j = 0; su && ds > 0 && j < lv->n; j++)
    if (lv->x[j] > s_lo && lv->x[j] < s_hi) su[nu++] = (lv->x[j] - s_lo) / ds;
  if (su) qsort(su, (size_t)nu, sizeof *su, cmp_double);
  fit f = {.n = nu * G, .cap = n->capacity_mw};
  f.u = malloc((size_t)f.n * 5 * sizeof *f.u + 1);
  plane *cand = malloc((size_t)nc * sizeof *cand);
  if (!su || !f.u || !cand) {
    free(su);
    free(f.u);
    free(cand);
    return NARYN_ENOMEM;
  }
  f.w = f.u + f.n, f.p = f.w + f.n, f.best = f.p + f.n, f.raw = f.best + f.n;
  for (int a = 0; a < nu; a++)
    for (int b = 0; b < G; b++) {
      int i = a * G + b;
      f.u[i] = su[a], f.w[i] = (double)b / (G - 1);
      double s = s_lo + f.u[i] * ds, q = q_lo + f.w[i] * dq;
      f.p[i] = exact_mw(m, n, s, q);
      f.raw[i] = raw_mw(m, n, s, q);
    }
  free(su);
  /* Candidates: the tangent planes at the anchors, in u and w, lifted. */
  double hu = 0.5 / (A - 1), hw = hu;
  for (int a = 0; a < A; a++)
    for (int b = 0; b < A; b++) {
      double u = (double)a / (A - 1), w = (double)b / (A - 1);
      double u0 = fmax(u - hu, 0.0), u1 = fmin(u + hu, 1.0);
      double w0 = fmax(w - hw, 0.0), w1 = fmin(w + hw, 1.0);
      double s = s_lo + u * ds, q = q_lo + w * dq;
      double p0 = raw_mw(m, n, s, q);
      double pu = (raw_mw(m, n, s_lo + u1 * ds, q) - raw_mw(m, n, s_lo + u0 * ds, q)) /
                  (u1 - u0);
      double pw = (raw_mw(m, n, s, q_lo + w1 * dq) - raw_mw(m, n, s, q_lo + w0 * dq)) /
                  (w1 - w0);
      cand[a * A + b] = lift(&f, (plane){p0 - pu * u - pw * w, pu, pw});
    }
  plane pl[NARYN__PRODFN_MAX];
  double err = INFINITY;
  for (int j = 0; j < k; j++) {
    int pick = 0;
    double e_pick = INFINITY;
    /* best holds the approximation of the planes chosen so far. */
    mean_error(&f, pl, j, f.best);
    for (int q = 0; q < nc; q++) {
      double sum = 0.0;
      for (int i = 0; i < f.n; i++)
        sum += fmin(f.best[i], at(cand[q], f.u[i], f.w[i])) - f.p[i];
      if (sum / f.n < e_pick) e_pick = sum / f.n, pick = q;
    }
    pl[j] = cand[pick];
    err = mean_error(&f, pl, j + 1, NULL);
    /* Each plane refitted to where it is the lowest, kept if better. */
    for (int round = 0; round < PRODFN_ROUNDS; round++)
      for (int o = 0; o <= j; o++) {
        plane was = pl[o];
        pl[o] = refit(&f, pl, j + 1, o);
        double e = mean_error(&f, pl, j + 1, NULL);
        if (e < err) err = e;
        else pl[o] = was;
      }
  }
  /* Back to storage (hm3) and flow (m3/s): u = (S - s_lo) / ds. */
  for (int j = 0; j < k; j++) {
    double b = ds > 0 ? pl[j].b / ds : 0.0, c = dq > 0 ? pl[j].c / dq : 0.0;
    out->a[j] = pl[j].a - b * s_lo - c * q_lo;
    out->b[j] = b;
    out->c[j] = c;
  }
  out->k = k;
  /* The errors over a finer sample than the fit's, evenly spaced. */
  const int E = PRODFN_CHECK;
  double mx = 0.0, sum = 0.0, below = 0.0;
  for (int a = 0; a < E; a++)
    for (int b = 0; b < E; b++) {
      double s = s_lo + ds * a / (E - 1), q = q_lo + dq * b / (E - 1);
      double e = naryn__prodfn_eval_mw(out, s, q) - exact_mw(m, n, s, q);
      mx = fmax(mx, fabs(e));
      sum += fabs(e);
      below = fmin(below, e);
    }
  out->max_err_mw = mx;
  out->mean_err_mw = sum / ((double)E * E);
  out->below_mw = below;
  free(f.u);
  free(cand);
  return NARYN_OK;
}

int naryn__prodfn_fit(const naryn_model *m, int plant, int k, naryn__prodfn *out) {
  const naryn__node *n = &m->nodes[plant];
  const naryn__node *r = &m->nodes[n->reservoir];
  return naryn__prodfn_fit_box(m, plant, k, r->min_storage_hm3, r->max_storage_hm3, 0.0,
                               n->max_turbine_flow_m3s, out);
}

int naryn__prodfn_fit_model(const naryn_model *m, int k, naryn__prodfn **out) {
  *out = calloc((size_t)m->nnodes + 1, sizeof **out);
  if (!*out) return NARYN_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    (*out)[i].plant = -1;
    if (!naryn__prodfn_applies(m, i)) continue;
    if (naryn__prodfn_fit(m, i, k, &(*out)[i]) != NARYN_OK) {
      free(*out);
      *out = NULL;
      return NARYN_ENOMEM;
    }
  }
  return NARYN_OK;
}

int naryn_prodfn_count(const naryn_model *m) {
  int n = 0;
  for (int i = 0; i < m->nnodes; i++) n += naryn__prodfn_applies(m, i);
  return n;
}

int naryn_prodfn_get(const naryn_model *m, int i, naryn_prodfn_info *out) {
  memset(out, 0, sizeof *out);
  for (int j = 0; j < m->nnodes; j++) {
    if (!naryn__prodfn_applies(m, j) || i-- > 0) continue;
    naryn__prodfn f;
    if (naryn__prodfn_fit(m, j, NARYN__PRODFN_PLANES, &f) != NARYN_OK) return NARYN_ENOMEM;
    *out = (naryn_prodfn_info){m->nodes[j].name, f.k, f.full_mw, f.max_err_mw, f.mean_err_mw};
    return NARYN_OK;
  }
  return NARYN_EARG;
}
