/*
** par_inflows.c: inflows that remember their past, for a policy: the
** "inflows" of a model's uncertainty section (doc/model-format.md,
** "Uncertainty"), a PAR(p) model fitted by naryn inflows.
**
** The fit models each site's standardised log flow of calendar month c,
** z = (ln q - mu_c) / sd_c, as z_t = sum_k phi_k z_{t-k} + e_t, the
** residuals e correlated across sites. A policy's stages need an inflow
** linear in the states (the flows of the months before), so that their
** value stays convex and the cuts valid: the conditional median
**   exp(mu_c + sd_c sum_k phi_k (ln q_{t-k} - mu_{c-k}) / sd_{c-k})
** is linearised around q_{t-k} = exp(mu_{c-k}), each month's median, to
**   a_c + sum_k b_{c,k} q_{t-k},  with g_k = sd_c phi_k / sd_{c-k},
**   a_c = exp(mu_c) (1 - sum_k g_k),  b_{c,k} = exp(mu_c) g_k / exp(mu_{c-k}),
** and under noise outcome w the flow is eps_w (a_c + sum_k b_{c,k} q_{t-k})
** with eps_w = exp(sd_c e_w) per site. The outcomes of each step are drawn
** once, when the model is read, from the residual covariance of the
** step's month (its Cholesky factor times independent normals), from a
** random stream of the section's seed and the step: the same model gives
** the same outcomes, whatever command reads it. Each has the same
** probability.
**
** Only the first max_order lags are used: a fit of a higher order capped
** is an approximation (refitting with naryn inflows fit --max-order is
** the exact alternative). The sites map to the model's inflow nodes as an
** ensemble's members do (ensemble/layout.c): a node whose inflow_m3s is a
** CSV series of a column named as the site takes the series' scale times
** the site's flow. The flows before the first step (the states a policy
** starts from, and a replay's past) are the section's "initial" where it
** gives them, else each month's median.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../inflows/inflows_int.h"

typedef naryn__reader reader;

static const char *const par_fields[] = {"fit",     "outcomes",    "max_order", "seed",
                                         "initial", "climate",     "description", "source",
                                         "notes",   NULL};

/* The most outcomes a stage may have: each is a solve of every stage in
** every backward pass. */
#define MAX_OUTCOMES 1000

const double *naryn__par_eps(const naryn_model *m, int t, int k) {
  const naryn__par *p = m->par;
  if (!p || k < 0 || k >= p->nout || t < 0 || t >= m->nsteps) return NULL;
  return p->eps + ((size_t)t * p->nout + k) * p->nsites;
}

/* A whole number field from lo to hi into *out (left alone when absent).
** 0, 1 when absent, -1 after reporting. */
static int whole(reader *r, const naryn__doc *obj, const char *key, double lo, double hi,
                 const char *what, double *out) {
  char at[64];
  snprintf(at, sizeof at, "uncertainty.inflows.%s", key);
  double x = NAN;
  int rc = naryn__read_number(r, obj, key, "uncertainty.inflows", &x);
  if (rc != 0) return rc;
  if (!(x >= lo && x <= hi && x == floor(x)))
    return naryn__read_fail(r, naryn__read_get(obj, key), at,
                            "expected %s from %g to %g, got %g", what, lo, hi, x);
  *out = x;
  return 0;
}

/* Maps each site to the inflow nodes that read it, as ensemble/layout.c
** maps members' sites. */
static int map_sites(reader *r, const naryn__doc *at, naryn__par *p) {
  const naryn_model *m = r->m;
  char reads[512] = "";
  size_t len = 0;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *nd = &m->nodes[i];
    p->node_site[i] = -1;
    p->node_scale[i] = 1.0;
    if (nd->type != NARYN_NODE_INFLOW || !nd->enabled || !nd->inflow_m3s.csv) continue;
    const char *col = nd->inflow_m3s.csv->header[nd->inflow_m3s.csv_col];
    if (len < sizeof reads && !strstr(reads, col))
      len += (size_t)snprintf(reads + len, sizeof reads - len, "%s%s", len ? ", " : "", col);
    for (int s = 0; s < p->nsites; s++)
      if (strcmp(p->site[s], col) == 0) {
        p->node_site[i] = s;
        p->node_scale[i] = nd->inflow_m3s.scale;
        if (p->site_node[s] < 0) p->site_node[s] = i;
      }
  }
  for (int s = 0; s < p->nsites; s++)
    if (p->site_node[s] < 0)
      return naryn__read_fail(r, at, "uncertainty.inflows.fit",
                              "expected sites that the model's inflow series read as CSV "
                              "columns (%s), got the site \"%s\" of %s, which none reads",
                              reads[0] ? reads : "none reads a CSV column", p->site[s],
                              p->fit);
  return 0;
}

/* The linearised coefficients of every site and month, the medians and
** means, and the initial state: each lag at the median of its month
** (read_initial may give it). */
static void linearise(naryn__par *p, const naryn_inflow_fit *f, int month0) {
  for (int s = 0; s < p->nsites; s++) {
    const naryn__inflow_site *st = &f->site[s];
    p->lags[s] = 0;
    for (int c = 0; c < 12; c++) {
      size_t at = (size_t)c * p->nsites + s;
      int order = st->order[c] < p->max_order ? st->order[c] : p->max_order;
      /* Climate shifts scale month c's flows by F_c: the linearisation is
      ** of the shifted flows Q = F q, so b_{c,k} takes F_c / F_{c-k}. */
      double fc = st->factor[c], med = exp(st->mu[c]), g = 0.0;
      for (int k = 0; k < NARYN__PAR_MAX_LAGS; k++) p->b[at * NARYN__PAR_MAX_LAGS + k] = 0.0;
      for (int k = 1; k <= order; k++) {
        int ck = (c - k + 12) % 12;
        double gk = st->sd[c] * st->phi[c][k - 1] / st->sd[ck];
        g += gk;
        p->b[at * NARYN__PAR_MAX_LAGS + k - 1] =
            fc * med * gk / (st->factor[ck] * exp(st->mu[ck]));
      }
      p->a[at] = fc * med * (1.0 - g);
      p->median[at] = fc * med;
      p->mean[at] = fc * st->mean_m3s[c];
      if (order > p->lags[s]) p->lags[s] = order;
    }
  }
  p->nstates = 0;
  for (int s = 0; s < p->nsites; s++) {
    /* A site of order 0 in every month still carries one lag, so that
    ** every site has a state and the states' layout is one. */
    if (p->lags[s] < 1) p->lags[s] = 1;
    p->first[s] = p->nstates;
    p->nstates += p->lags[s];
    for (int k = 0; k < NARYN__PAR_MAX_LAGS; k++)
      p->init[(size_t)s * NARYN__PAR_MAX_LAGS + k] =
          p->median[(size_t)(((month0 - 1 - k) % 12 + 12) % 12) * p->nsites + s];
  }
}

/* A path named in the section, from the folder of the model file. */
static const char *beside(reader *r, const naryn__doc *at, const char *file) {
  if (file[0] == '/') return file;
  const char *slash = strrchr(at->file, '/');
  int dir = slash ? (int)(slash - at->file) + 1 : 0;
  return naryn__arena_printf(r->a, "%.*s%s", dir, at->file, file);
}

/* Applies the climate files the section names (uncertainty.inflows.climate:
** a file or a list of them) to the fit, as naryn inflows generate
** --climate does: each month's factor. A glacier's decline grows year by
** year while a policy's months repeat, so it is refused. 0, or -1 after
** reporting. */
static int read_climate(reader *r, const naryn__doc *v, naryn_inflow_fit *f) {
  const naryn__doc *c = naryn__read_get(v, "climate");
  char got[96];
  if (!c || naryn__doc_is_null(c)) return 0;
  int n = c->kind == NARYN__DOC_SEQ ? c->n : 1;
  for (int i = 0; i < n; i++) {
    const naryn__doc *x = c->kind == NARYN__DOC_SEQ ? c->vals[i] : c;
    if (x->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(x))
      return naryn__read_fail(r, x, "uncertainty.inflows.climate",
                              "expected a climate file of naryn inflows (or a list of them), "
                              "got %s", naryn__doc_describe(x, got, sizeof got));
    const char *path = beside(r, x, x->str);
    if (!path) return naryn__read_oom(r);
    FILE *probe = fopen(path, "r");
    if (!probe)
      return naryn__read_fail(r, x, "uncertainty.inflows.climate",
                              "expected a climate file of naryn inflows, got \"%s\", which "
                              "cannot be read: %s", x->str, strerror(errno));
    fclose(probe);
    if (naryn_inflow_fit_climate(f, path, r->d) != NARYN_OK) {
      r->failed = 1;
      return -1;
    }
    for (int s = 0; s < f->nsites; s++)
      for (int g = 0; g < f->site[s].nglacier; g++)
        if (f->site[s].glacier[g].decline_pct > 0)
          return naryn__read_fail(r, x, "uncertainty.inflows.climate",
                                  "expected shifts a policy's repeating months can carry "
                                  "(melt_shift_weeks, annual_change_pct), got a glacier "
                                  "decline for site \"%s\" in %s, which grows year by year",
                                  f->site[s].name, x->str);
  }
  return 0;
}

/* The flows of the months before the first step, where the section gives
** them (uncertainty.inflows.initial): per site a flow, the month before's,
** or a list of them, the latest first; the others keep their months'
** medians. 0, or -1 after reporting. */
static int read_initial(reader *r, const naryn__doc *v, naryn__par *p) {
  const naryn__doc *ini = naryn__read_get(v, "initial");
  char got[96], where[160];
  if (!ini || naryn__doc_is_null(ini)) return 0;
  if (ini->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, ini, "uncertainty.inflows.initial",
                            "expected a map of each site's flows in the months before the "
                            "first step ({SITE: FLOW} or {SITE: [FLOW, ...]}, m3/s), got %s",
                            naryn__doc_describe(ini, got, sizeof got));
  for (int i = 0; i < ini->n; i++) {
    const char *name = ini->keys[i]->str;
    int s = 0;
    while (s < p->nsites && strcmp(p->site[s], name) != 0) s++;
    if (s == p->nsites) {
      char sites[256] = "";
      size_t len = 0;
      for (int k = 0; k < p->nsites && len < sizeof sites; k++)
        len += (size_t)snprintf(sites + len, sizeof sites - len, "%s%s", k ? ", " : "",
                                p->site[k]);
      return naryn__read_fail(r, ini->keys[i], "uncertainty.inflows.initial",
                              "expected a site of %s (%s), got \"%s\"", p->fit, sites, name);
    }
    snprintf(where, sizeof where, "uncertainty.inflows.initial.%s", name);
    const naryn__doc *val = ini->vals[i];
    int n = val->kind == NARYN__DOC_SEQ ? val->n : 1;
    if (val->kind == NARYN__DOC_MAP || n < 1 || n > p->lags[s])
      return naryn__read_fail(r, val, where,
                              "expected a flow or a list of up to %d (the months before the "
                              "first step, the latest first; the site carries %d), got %s",
                              p->lags[s], p->lags[s], naryn__doc_describe(val, got, sizeof got));
    for (int k = 0; k < n; k++) {
      const naryn__doc *x = val->kind == NARYN__DOC_SEQ ? val->vals[k] : val;
      double q = NAN;
      if (naryn__doc_number(x, &q) != 0 || !(q >= 0 && q <= 1e6))
        return naryn__read_fail(r, x, where, "expected a flow from 0 to 1e6 m3/s, got %s",
                                naryn__doc_describe(x, got, sizeof got));
      p->init[(size_t)s * NARYN__PAR_MAX_LAGS + k] = q;
    }
  }
  return 0;
}

/* Draws the noise of every step's outcomes. */
static void draw(naryn__par *p, const naryn_model *m, const naryn_inflow_fit *f) {
  int n = p->nsites;
  double w[256];
  for (int t = 0; t < m->nsteps; t++) {
    int c = m->step_month[t] - 1;
    const double *l = f->chol + (size_t)c * n * n;
    naryn__rng rng;
    naryn__rng_seed(&rng, p->seed, (uint64_t)t);
    for (int k = 0; k < p->nout; k++) {
      double *eps = p->eps + ((size_t)t * p->nout + k) * n;
      for (int i = 0; i < n; i++) w[i] = naryn__rng_normal(&rng);
      for (int i = 0; i < n; i++) {
        double e = 0.0;
        for (int j = 0; j <= i; j++) e += l[i * n + j] * w[j];
        eps[i] = exp(f->site[i].sd[c] * e);
      }
    }
  }
}

/* Reports flow v of site s in calendar month c (what it is) when it is
** past a model's limit or not a number: -1 then, else 0. */
static int past_limit(reader *r, const naryn__doc *at, const naryn__par *p, int s, int c,
                      const char *what, double v) {
  if (fabs(v) <= NARYN__MAX_FLOW_M3S) return 0;
  return naryn__read_fail(r, at, "uncertainty.inflows.fit",
                          "expected a fit whose flows stay within %g m3/s (%s), got %s of %g "
                          "m3/s for site \"%s\" in %s: its deviations or coefficients give "
                          "flows no river has",
                          NARYN__MAX_FLOW_M3S, NARYN__MAX_FLOW_WHY, what, fabs(v), p->site[s],
                          naryn__month_names[c]);
}

/* The fit's flows as the stages see them: each term of each month's
** linearisation at the months' medians, and each step's outcomes at the
** median, within a model's limit. The fit's numbers are bounded as it is
** read, but a month whose deviation is much larger than the one before
** (or an outcome far in the tail) may still give flows no river has,
** which would reach the LP solver. 0, or -1 after reporting. */
static int check_flows(reader *r, const naryn__doc *at, const naryn__par *p,
                       const naryn_model *m) {
  static const char term[] = "a term of its linearisation at the medians";
  int n = p->nsites;
  for (int t = 0; t < m->nsteps; t++) {
    int c = m->step_month[t] - 1;
    for (int s = 0; s < n; s++) {
      size_t cs = (size_t)c * n + s;
      if (past_limit(r, at, p, s, c, term, p->a[cs])) return -1;
      for (int k = 1; k <= p->lags[s]; k++)
        if (past_limit(r, at, p, s, c, term,
                       p->b[cs * NARYN__PAR_MAX_LAGS + k - 1] *
                           p->median[(size_t)((c - k + 12) % 12) * n + s]))
          return -1;
      for (int k = 0; k < p->nout; k++)
        if (past_limit(r, at, p, s, c, "an outcome's flow at the median",
                       p->median[cs] * p->eps[((size_t)t * p->nout + k) * n + s]))
          return -1;
    }
  }
  return 0;
}

int naryn__model_read_par(reader *r, const naryn__doc *u) {
  naryn_model *m = r->m;
  const naryn__doc *v = naryn__read_get(u, "inflows");
  char got[128];
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, "uncertainty.inflows",
                            "expected a map {fit: FILE, outcomes: N}, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  naryn__read_check_keys(r, v, "uncertainty.inflows", par_fields);
  if (naryn__read_get(u, "outcomes"))
    return naryn__read_fail(r, naryn__read_get(u, "outcomes"), "uncertainty.outcomes",
                            "expected either \"outcomes\" (factors on the inflows) or "
                            "\"inflows\" (a PAR model of them), got both");
  if (m->step_days != 0)
    return naryn__read_fail(r, v, "uncertainty.inflows",
                            "expected a model of monthly steps for a PAR inflow model "
                            "(its months follow each other), got steps counted in days "
                            "(%d a step)",
                            m->step_days);
  const char *file = NULL;
  int rc = naryn__read_string(r, v, "fit", "uncertainty.inflows", &file);
  if (rc == 1)
    return naryn__read_fail(r, v, "uncertainty.inflows",
                            "expected a field \"fit\" (a fit file of naryn inflows fit), "
                            "got none");
  if (rc != 0) return -1;
  double nout = NAN, order = NARYN__PAR_MAX_LAGS, seed = 1;
  rc = whole(r, v, "outcomes", 1, MAX_OUTCOMES, "a whole number of outcomes", &nout);
  if (rc == 1)
    return naryn__read_fail(r, v, "uncertainty.inflows",
                            "expected a field \"outcomes\" (the noise outcomes of each "
                            "step), got none");
  if (rc != 0 || whole(r, v, "max_order", 1, NARYN__PAR_MAX_LAGS, "a PAR order", &order) < 0 ||
      whole(r, v, "seed", 0, 4294967295.0, "a seed", &seed) < 0)
    return -1;
  const naryn__doc *at = naryn__read_get(v, "fit");
  const char *path = beside(r, at, file);
  if (!path) return naryn__read_oom(r);
  FILE *probe = fopen(path, "r");
  if (!probe)
    return naryn__read_fail(r, at, "uncertainty.inflows.fit",
                            "expected a fit file of naryn inflows fit, got \"%s\", which "
                            "cannot be read: %s", file, strerror(errno));
  fclose(probe);
  naryn_inflow_fit *f = NULL;
  if (naryn_inflow_fit_read(path, &f, r->d) != NARYN_OK) {
    r->failed = 1;
    return -1;
  }
  rc = 0;
  if (f->method != NARYN_INFLOW_PAR)
    rc = naryn__read_fail(r, at, "uncertainty.inflows.fit",
                          "expected a fit of the par method, got %s, a fit of the kirsch "
                          "method (which has no states to carry)", file);
  else if (f->boxcox)
    rc = naryn__read_fail(r, at, "uncertainty.inflows.fit",
                          "expected a fit of the log transform, got %s, a fit of the "
                          "boxcox transform", file);
  else if (f->nsites > 256)
    rc = naryn__read_fail(r, at, "uncertainty.inflows.fit",
                          "expected at most 256 sites, got %d in %s", f->nsites, file);
  if (rc == 0) rc = read_climate(r, v, f);
  naryn__par *p = naryn__arena_alloc(r->a, sizeof *p);
  if (!p) {
    naryn_inflow_fit_free(f);
    return naryn__read_oom(r);
  }
  *p = (naryn__par){0};
  if (rc == 0) {
    int n = f->nsites;
    size_t nn = (size_t)m->nnodes + 1, ms = (size_t)12 * n;
    p->fit = file;
    p->nsites = n;
    p->nout = (int)nout;
    p->max_order = (int)order;
    p->seed = (uint64_t)seed;
    p->site = naryn__arena_alloc(r->a, (size_t)n * sizeof *p->site);
    p->lags = naryn__arena_alloc(r->a, 3 * (size_t)n * sizeof *p->lags);
    p->node_site = naryn__arena_alloc(r->a, nn * sizeof *p->node_site);
    p->node_scale = naryn__arena_alloc(r->a, nn * sizeof *p->node_scale);
    p->a = naryn__arena_alloc(r->a, (ms * (3 + NARYN__PAR_MAX_LAGS) +
                                     (size_t)n * NARYN__PAR_MAX_LAGS) * sizeof *p->a);
    p->eps = naryn__arena_alloc(r->a, (size_t)m->nsteps * p->nout * n * sizeof *p->eps + 1);
    if (!p->site || !p->lags || !p->node_site || !p->node_scale || !p->a || !p->eps) {
      naryn_inflow_fit_free(f);
      return naryn__read_oom(r);
    }
    p->first = p->lags + n;
    p->site_node = p->first + n;
    p->b = p->a + ms;
    p->median = p->b + ms * NARYN__PAR_MAX_LAGS;
    p->mean = p->median + ms;
    p->init = p->mean + ms;
    for (int s = 0; s < n; s++) {
      p->site[s] = naryn__arena_strdup(r->a, f->site[s].name);
      p->site_node[s] = -1;
      if (!p->site[s]) rc = naryn__read_oom(r);
    }
    if (rc == 0) rc = map_sites(r, at, p);
    if (rc == 0) {
      linearise(p, f, m->step_month[0] - 1);
      rc = read_initial(r, v, p);
    }
    if (rc == 0) {
      draw(p, m, f);
      rc = check_flows(r, at, p, m);
    }
    if (rc == 0) {
      p->state_name = naryn__arena_alloc(r->a, ((size_t)p->nstates + 1) * sizeof *p->state_name);
      if (!p->state_name) rc = naryn__read_oom(r);
      for (int s = 0; rc == 0 && s < n; s++)
        for (int k = 1; rc == 0 && k <= p->lags[s]; k++)
          if (!(p->state_name[p->first[s] + k - 1] =
                    naryn__arena_printf(r->a, "%s.lag%d", p->site[s], k)))
            rc = naryn__read_oom(r);
    }
  }
  naryn_inflow_fit_free(f);
  if (rc != 0) return -1;
  /* Outcomes of equal probability, with no factor on any inflow. */
  m->outcome_p = naryn__arena_alloc(r->a, (size_t)p->nout * sizeof *m->outcome_p);
  m->outcome_factor = naryn__arena_alloc(
      r->a, (size_t)p->nout * (size_t)m->nnodes * sizeof *m->outcome_factor + 1);
  if (!m->outcome_p || !m->outcome_factor) return naryn__read_oom(r);
  for (int k = 0; k < p->nout; k++) m->outcome_p[k] = 1.0 / p->nout;
  for (size_t q = 0; q < (size_t)p->nout * m->nnodes; q++) m->outcome_factor[q] = 1.0;
  m->par = p;
  m->noutcomes = p->nout;
  return 0;
}
