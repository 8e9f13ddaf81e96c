/*
** stage.c: SDDP's stage problems, one LP per step of the model.
**
** A stage is the optimiser's LP (optimise/opt_lp.c) of a window of one
** step: the same network, objective terms and grids, with each
** reservoir's storage at the start a column held at the state the stage
** is given, the step's inflows scaled by the outcome drawn, and a column
** theta for the expected cost of the stages after it, which the cuts of
** the backward passes bound from below. The energy of a plant whose head
** follows its reservoir is the minimum of the planes fitted to its exact
** head (hydro/prodfn.c), in the mean storage over the step and the
** turbined water; evaporation is linearised once, around each reservoir's
** initial storage; so every stage LP is fixed and convex and its cuts stay
** valid. A plant of fixed head is exact. The state is the storage at the
** end of the step of every enabled reservoir, in hm3, and with a PAR
** inflow model (model/par_inflows.c) each site's flows of the steps
** before, in m3/s: the step's flow is a column tied to them by a row, the
** outcome's noise scaling the lags and the row's constant, and the
** outgoing lags are the step's flow and the incoming lags shifted by one.
** On a horizon of days or weeks each routed link adds the water in its
** reach (model/routing.c), as rates in m3/s after its loss: a lag's rates
** that entered it in the steps before, as far back as it reaches, a
** Muskingum reach's inflow and outflow of the step before; they are
** columns held at the state, on the tail's balance and the reach's row
** (optimise/opt_lp.c), and the stage passes on the rate that entered in
** it and the older ones shifted by one.
**
** Costs are the negative of the objective (benefits count against them),
** in the model's currency: the LP's objective times its scale, which is
** the same for every stage (naryn__stage_new takes it), plus the terms'
** constants, left out of the LP. A cut on theta is a row
** theta >= (alpha + beta' s) / scale over the end storages s. With
** multiple cuts a stage has one theta per outcome of the stage after,
** weighted by its probability in the objective, each with its own cuts.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../optimise/opt_int.h"
#include "sddp_int.h"

struct naryn__stage {
  opt p;
  naryn__prodfn *own; /* the plants' planes when the stage fitted them */
  int t;
  int nstate, nres;    /* states, and of them reservoirs (the first) */
  int *res;            /* [nres]: the reservoir of each state */
  double *lag;         /* [npar]: the incoming PAR lags, m3/s */
  int npar;            /* PAR states, after the reservoirs */
  double *route;       /* [p.nroute]: the incoming rates of the routed
                       ** reaches, m3/s, the last states */
  char **rname;        /* [p.nroute]: their names */
  int outcome;         /* the PAR noise's outcome, -1 for none */
  double *s0, *factor; /* [N]: the storage at the start; the inflow factors */
  int last;            /* a terminal stage: no future cost */
  double *theta_w;     /* [ntheta] the weights of the future-cost columns */
  int solved;
  double theta_lo;     /* theta's lower bound, currency */
  /* The rows' bounds, the cuts' after the stage's own (CLP takes the
  ** bounds of every row at once). */
  double *rlo, *rup;
  int ncuts, cap;
  /* Cuts added since the last solve, not yet in the LP: they go to CLP
  ** together, at the next solve (in the thread that solves), which saves
  ** CLP rebuilding its matrix for each. Row r's elements are
  ** pindex/pvalue[pstart[r] .. pstart[r + 1] - 1], its lower bound plo[r]. */
  int npend, cappend, capnz;
  int *pstart, *pindex;
  double *pvalue, *plo, *pup;
  int epoch;           /* times the cuts were cleared */
  /* A restart asked for at the next solve (naryn__stage_restart), from
  ** the basis restart_b[restart_n] (NULL: from scratch). */
  int restart, restart_n;
  const unsigned char *restart_b;
};

void naryn__stage_free(naryn__stage *st) {
  if (!st) return;
  naryn__opt_release(&st->p);
  free(st->own);
  free(st->res);
  free(st->lag);
  free(st->route);
  if (st->rname) free(st->rname[0]);
  free(st->rname);
  free(st->s0);
  free(st->rlo);
  free(st->rup);
  free(st->pstart);
  free(st->pindex);
  free(st->pvalue);
  free(st->plo);
  free(st->pup);
  free(st->theta_w);
  free(st);
}

/* A terminal stage has no future: its future-cost columns are held at 0. */
static void close_future(naryn__stage *st) {
  opt *p = &st->p;
  for (int j = 0; st->last && j < p->ntheta; j++) p->colup[p->theta_col + j] = 0.0;
}

/* A routed reach's states: the rates that entered it in the steps before,
** from its initial flow, and their names: FROM->TO.lagD for a lag's rate
** of D steps before, FROM->TO.in1 and FROM->TO.out1 for a Muskingum
** reach's inflow and outflow of the step before. */
static int route_states(naryn__stage *st) {
  opt *p = &st->p;
  const naryn_model *m = p->m;
  size_t room = 0;
  for (int l = 0; l < m->nlinks; l++)
    if (p->rf[l] >= 0)
      room += (size_t)naryn__opt_route_states(&m->links[l].route) *
              (strlen(m->nodes[m->links[l].from].name) + strlen(m->nodes[m->links[l].to].name) + 16);
  st->route = malloc(((size_t)p->nroute + 1) * sizeof *st->route);
  st->rname = calloc((size_t)p->nroute + 1, sizeof *st->rname);
  char *buf = malloc(room + 1);
  if (!st->route || !st->rname || !buf) {
    free(buf);
    return NARYN_ENOMEM;
  }
  st->rname[0] = buf;
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    int n = naryn__opt_route_states(&ln->route);
    for (int j = 0; p->rf[l] >= 0 && j < n; j++) {
      int q = p->rf[l] + j;
      st->route[q] = ln->route.initial_flow_m3s;
      st->rname[q] = buf;
      const char *a = m->nodes[ln->from].name, *b = m->nodes[ln->to].name;
      if (ln->route.kind == NARYN__ROUTE_LAG) buf += sprintf(buf, "%s->%s.lag%d", a, b, j + 1) + 1;
      else buf += sprintf(buf, "%s->%s.%s1", a, b, j == 0 ? "in" : "out") + 1;
    }
  }
  st->nstate += p->nroute;
  p->route_in = st->route;
  return NARYN_OK;
}

int naryn__stage_new(const naryn_model *m, int t, const naryn__stage_spec *spec,
                     naryn__stage **out) {
  *out = NULL;
  double scale = spec->scale, theta_lo = spec->theta_lo;
  const naryn__prodfn *planes = spec->planes;
  int ntheta = spec->ntheta > 0 ? spec->ntheta : 1;
  naryn__stage *st = calloc(1, sizeof *st);
  if (!st) return NARYN_ENOMEM;
  if (!planes && naryn__prodfn_fit_model(m, NARYN__PRODFN_PLANES, &st->own) != NARYN_OK) {
    free(st);
    return NARYN_ENOMEM;
  }
  st->t = t;
  st->outcome = -1;
  st->last = spec->terminal;
  st->theta_w = malloc((size_t)ntheta * sizeof *st->theta_w);
  if (!st->theta_w) {
    free(st->own);
    free(st);
    return NARYN_ENOMEM;
  }
  for (int j = 0; j < ntheta; j++) st->theta_w[j] = spec->theta_w ? spec->theta_w[j] : 1.0;
  st->theta_lo = theta_lo;
  st->s0 = malloc(2 * ((size_t)m->nnodes + 1) * sizeof *st->s0);
  st->res = malloc(((size_t)m->nnodes + 1) * sizeof *st->res);
  opt *p = &st->p;
  *p = (opt){.m = m, .T = 1, .N = m->nnodes, .L = m->nlinks, .eps_term = -1,
             .rho = 1.0, .t0 = t, .stage = 1, .fixed_scale = scale,
             .ntheta = ntheta, .theta_w = st->theta_w, .par = m->par,
             .prodfn = planes ? planes : st->own};
  double *w = malloc(((size_t)m->nterms + 1) * sizeof *w);
  if (!st->s0 || !st->res || !w || naryn__opt_setup(p) != NARYN_OK) {
    free(w);
    naryn__stage_free(st);
    return NARYN_ENOMEM;
  }
  st->factor = st->s0 + m->nnodes + 1;
  for (int k = 0; k < m->nterms; k++) w[k] = m->terms[k].weight;
  p->weights = w;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    st->s0[i] = n->initial_storage_hm3;
    st->factor[i] = 1.0;
    if (p->nc[i].y >= 0) st->res[st->nres++] = i;
    /* The linearisation's reference: the initial storage, and plants
    ** passing no flow (a plant of fixed head is exact at any). */
    double s = n->initial_storage_hm3;
    p->ref_s[i] = fmin(fmax(s, n->min_storage_hm3), n->max_storage_hm3);
    p->ref_q[i] = p->ref_qt[i] = 0.0;
  }
  st->nstate = st->nres;
  if (m->par) {
    st->lag = malloc(((size_t)m->par->nstates + 1) * sizeof *st->lag);
    if (!st->lag) {
      free(w);
      naryn__stage_free(st);
      return NARYN_ENOMEM;
    }
    for (int s = 0; s < m->par->nsites; s++)
      for (int k = 0; k < m->par->lags[s]; k++)
        st->lag[m->par->first[s] + k] = m->par->init[(size_t)s * NARYN__PAR_MAX_LAGS + k];
    st->nstate += m->par->nstates;
    st->npar = m->par->nstates;
    p->par_lag = st->lag;
  }
  if (p->nroute > 0 && route_states(st) != NARYN_OK) {
    free(w);
    naryn__stage_free(st);
    return NARYN_ENOMEM;
  }
  p->s0 = st->s0;
  p->inflow_factor = st->factor;
  p->theta_lo = st->last ? 0.0 : theta_lo / (scale > 0 ? scale : 1.0);
  int rc = naryn__opt_objective(p);
  free(w);
  p->weights = NULL;
  if (rc != NARYN_OK) {
    naryn__stage_free(st);
    return rc;
  }
  naryn__opt_linearise(p);
  close_future(st);
  p->lp = naryn__lp_new(p->nrows, p->ncols, p->start, p->index, p->value, p->collo,
                        p->colup, p->obj, p->rowlo, p->rowup);
  /* A stage is solved many times over, from new start storages and
  ** inflows, between the cuts it gains: CLP keeps its factorisation. */
  if (!p->lp || (rc = naryn__lp_keep_factor(p->lp)) != NARYN_OK) {
    naryn__stage_free(st);
    return p->lp ? rc : NARYN_ENOMEM;
  }
  *out = st;
  return NARYN_OK;
}

double naryn__stage_scale(const naryn__stage *st) { return st->p.scale; }

int naryn__stage_theta_count(const naryn__stage *st) { return st->p.ntheta; }

double naryn__stage_constant(const naryn__stage *st) { return st->p.obj_constant; }

int naryn__stage_state_count(const naryn__stage *st) { return st->nstate; }

int naryn__stage_route_count(const naryn__stage *st) { return st->p.nroute; }

int naryn__stage_state_node(const naryn__stage *st, int k) {
  return k >= 0 && k < st->nres ? st->res[k] : -1;
}

/* The routed link whose state k is. */
static const naryn__link *link_of_state(const naryn__stage *st, int k) {
  const opt *p = &st->p;
  int q = k - st->nres - st->npar, l = 0;
  for (int j = 0; j < p->m->nlinks; j++)
    if (p->rf[j] >= 0 && p->rf[j] <= q) l = j;
  return &p->m->links[l];
}

const char *naryn__stage_state_name(const naryn__stage *st, int k) {
  const naryn_model *m = st->p.m;
  if (k < st->nres) return m->nodes[st->res[k]].name;
  if (k < st->nres + st->npar) return m->par->state_name[k - st->nres];
  return st->rname[k - st->nres - st->npar];
}

double naryn__stage_state_initial(const naryn__stage *st, int k) {
  const naryn_model *m = st->p.m;
  if (k < st->nres) return m->nodes[st->res[k]].initial_storage_hm3;
  if (k >= st->nres + st->npar) return link_of_state(st, k)->route.initial_flow_m3s;
  const naryn__par *par = m->par;
  int j = k - st->nres, s = 0;
  while (s + 1 < par->nsites && par->first[s + 1] <= j) s++;
  return par->init[(size_t)s * NARYN__PAR_MAX_LAGS + (j - par->first[s])];
}

/* What link l carries in the step, hm3: its column less what falls short
** of its minimum, plus what passes its maximum. */
static double link_hm3(const opt *p, const double *x, int l) {
  double f = x[p->lx[l]];
  if (p->lv[l] >= 0) f -= x[p->lv[l]];
  if (p->lw[l] >= 0) f += x[p->lw[l]];
  return f;
}

/* Puts the cuts added since the last solve into the LP. */
static int flush(naryn__stage *st) {
  opt *p = &st->p;
  if (st->npend > 0) {
    int rc = naryn__lp_add_rows(p->lp, st->npend, st->plo, st->pup, st->pstart, st->pindex,
                                st->pvalue);
    if (rc != NARYN_OK) return rc;
    st->npend = 0;
  }
  return NARYN_OK;
}

void naryn__stage_set_outcome(naryn__stage *st, int k) { st->outcome = k; }

/* The step's inputs for the stage's outcome: the inflow factors and the
** inflows (NULL: 1 and the model's), and a PAR model's noise. */
static void set_inputs(naryn__stage *st, const double *factor, const double *inflow_m3s) {
  opt *p = &st->p;
  const naryn_model *m = p->m;
  for (int i = 0; i < m->nnodes; i++) st->factor[i] = factor ? factor[i] : 1.0;
  p->inflow_m3s = inflow_m3s;
  p->par_eps = naryn__par_eps(m, st->t, st->outcome);
}

int naryn__stage_solve(naryn__stage *st, const double *s_in, const double *factor,
                       naryn__stage_out *out) {
  return naryn__stage_solve_with(st, s_in, factor, NULL, out);
}

int naryn__stage_solve_with(naryn__stage *st, const double *s_in, const double *factor,
                            const double *inflow_m3s, naryn__stage_out *out) {
  opt *p = &st->p;
  const naryn_model *m = p->m;
  for (int k = 0; k < st->nres; k++) st->s0[st->res[k]] = s_in[k];
  for (int k = 0; k < st->npar; k++) st->lag[k] = s_in[st->nres + k];
  for (int k = 0; k < p->nroute; k++) st->route[k] = s_in[st->nres + st->npar + k];
  set_inputs(st, factor, inflow_m3s);
  int rc0 = flush(st);
  if (rc0 != NARYN_OK) return rc0;
  if (st->restart) {
    /* With the cut rows in place, so that those added since the basis was
    ** taken start with their slacks basic. */
    naryn__lp_restart(p->lp, st->restart_b, st->restart_n);
    st->solved = st->restart_b != NULL;
    st->restart = 0;
  }
  naryn__opt_linearise(p);
  close_future(st);
  const double *rlo = p->rowlo, *rup = p->rowup;
  if (st->ncuts > 0) {
    /* The stage's own rows first, the cuts' bounds kept after them. */
    memcpy(st->rlo, p->rowlo, (size_t)p->nrows * sizeof *rlo);
    memcpy(st->rup, p->rowup, (size_t)p->nrows * sizeof *rup);
    rlo = st->rlo, rup = st->rup;
  }
  int rc = naryn__lp_set_bounds(p->lp, p->collo, p->colup, rlo, rup);
  long iterations = 0;
  if (rc == NARYN_OK)
    rc = st->solved ? naryn__lp_solve(p->lp, &iterations)
                    : naryn__lp_solve_initial(p->lp, &iterations);
  st->solved = 1;
  out->iterations = iterations;
  if (rc != NARYN_OK) return rc;
  const double *x = naryn__lp_x(p->lp), *dj = naryn__lp_reduced_costs(p->lp);
  double future = 0.0;
  for (int j = 0; j < p->ntheta; j++) future += st->theta_w[j] * x[p->theta_col + j];
  out->value = naryn__lp_objective(p->lp) * p->scale + p->obj_constant;
  out->future = future * p->scale;
  out->cost = out->value - out->future;
  for (int k = 0; k < st->nres; k++) {
    const ncols *v = &p->nc[st->res[k]];
    out->s_out[k] = m->nodes[st->res[k]].min_storage_hm3 + x[v->y] - x[v->u];
    out->slope[k] = dj[v->sin] * p->scale;
  }
  /* The outgoing lags: the step's flow, then the incoming lags but the
  ** last; the slope on lag k: through l_k, scaled by the noise, and
  ** through the outgoing o_k+1 it becomes. */
  const naryn__par *par = p->par;
  for (int s = 0; par && s < par->nsites; s++) {
    double eps = p->par_eps ? p->par_eps[s] : 1.0;
    int P = par->lags[s], at = st->nres + par->first[s];
    for (int k = 1; k <= P; k++) {
      out->s_out[at + k - 1] = k == 1 ? x[naryn__opt_par_col(p, s, 0)] : s_in[at + k - 2];
      double g = eps * dj[naryn__opt_par_col(p, s, k)];
      if (k < P) g += dj[naryn__opt_par_col(p, s, -(k + 1))];
      out->slope[at + k - 1] = g * p->scale;
    }
  }
  /* The routed reaches' rates at the end, as the cuts have them
  ** (naryn__stage_state_out); the slope on each is its held column's
  ** reduced cost. */
  for (int k = st->nres + st->npar; k < st->nstate; k++) {
    int col[NARYN__STATE_TERMS];
    double coef[NARYN__STATE_TERMS], v;
    int n = naryn__stage_state_out(st, k, col, coef, &v);
    for (int i = 0; i < n; i++) v += coef[i] * x[col[i]];
    out->s_out[k] = v;
    out->slope[k] = dj[naryn__stage_state_in_col(st, k)] * p->scale;
  }
  return NARYN_OK;
}

/* Room in the pending rows for one more of n elements. */
static int grow_pending(naryn__stage *st, int n) {
  if (st->npend + 1 >= st->cappend) {
    int cap = 2 * st->cappend + 16;
    int *a = realloc(st->pstart, ((size_t)cap + 1) * sizeof *a);
    if (a) st->pstart = a;
    double *b = a ? realloc(st->plo, (size_t)cap * sizeof *b) : NULL;
    if (b) st->plo = b;
    double *c = b ? realloc(st->pup, (size_t)cap * sizeof *c) : NULL;
    if (!c) return NARYN_ENOMEM;
    st->pup = c;
    if (st->cappend == 0) st->pstart[0] = 0;
    st->cappend = cap;
  }
  int need = st->pstart[st->npend] + n;
  if (need > st->capnz) {
    int cap = 2 * need + 64;
    int *a = realloc(st->pindex, (size_t)cap * sizeof *a);
    if (a) st->pindex = a;
    double *b = a ? realloc(st->pvalue, (size_t)cap * sizeof *b) : NULL;
    if (!b) return NARYN_ENOMEM;
    st->pvalue = b;
    st->capnz = cap;
  }
  return NARYN_OK;
}

int naryn__stage_state_out(const naryn__stage *st, int k, int *col, double *coef,
                           double *constant) {
  const opt *p = &st->p;
  const naryn_model *m = p->m;
  *constant = 0.0;
  if (k < st->nres) {
    /* A reservoir's storage at the end: min + y - u. */
    const ncols *v = &p->nc[st->res[k]];
    *constant = m->nodes[st->res[k]].min_storage_hm3;
    col[0] = v->y, coef[0] = 1.0;
    col[1] = v->u, coef[1] = -1.0;
    return 2;
  }
  if (k < st->nres + st->npar) {
    /* A PAR lag: the step's flow, or the o column of the incoming lag. */
    const naryn__par *par = p->par;
    int j = k - st->nres, s = 0;
    while (s + 1 < par->nsites && par->first[s + 1] <= j) s++;
    int lag = j - par->first[s] + 1;
    col[0] = naryn__opt_par_col(p, s, lag == 1 ? 0 : -lag), coef[0] = 1.0;
    return 1;
  }
  /* A routed reach's rate: the step's inflow, after the loss, through the
  ** link's columns; a lag's incoming rate of one step less; a Muskingum
  ** reach's outflow. */
  int q = k - st->nres - st->npar, l = (int)(link_of_state(st, k) - m->links), i = q - p->rf[l];
  const naryn__link *ln = &m->links[l];
  double per_hm3 = 1.0 / (m->step_s[st->t] * 1e-6);
  if (i > 0) {
    col[0] = ln->route.kind == NARYN__ROUTE_LAG ? p->route_col + q - 1 : p->la[l];
    coef[0] = ln->route.kind == NARYN__ROUTE_LAG ? 1.0 : per_hm3;
    return 1;
  }
  double keep = (1.0 - ln->loss_fraction) * per_hm3;
  int n = 0;
  col[n] = p->lx[l], coef[n++] = keep;
  if (p->lv[l] >= 0) col[n] = p->lv[l], coef[n++] = -keep;
  if (p->lw[l] >= 0) col[n] = p->lw[l], coef[n++] = keep;
  return n;
}

int naryn__stage_state_in_col(const naryn__stage *st, int k) {
  const opt *p = &st->p;
  if (k < st->nres) return p->nc[st->res[k]].sin;
  if (k < st->nres + st->npar) return -1;
  return p->route_col + (k - st->nres - st->npar);
}

int naryn__stage_add_cut(naryn__stage *st, int j, double alpha, const double *beta) {
  opt *p = &st->p;
  /* Each state's outgoing value takes up to 3 columns. */
  if (grow_pending(st, 1 + 3 * st->nstate) != NARYN_OK) return NARYN_ENOMEM;
  int *index = st->pindex + st->pstart[st->npend];
  double *value = st->pvalue + st->pstart[st->npend];
  /* theta - beta' s / scale >= alpha / scale, each outgoing state s a
  ** constant and columns (naryn__stage_state_out). */
  double lo = alpha;
  int e = 0;
  index[e] = p->theta_col + (j > 0 && j < p->ntheta ? j : 0);
  value[e++] = 1.0;
  for (int k = 0; k < st->nstate; k++) {
    int col[NARYN__STATE_TERMS];
    double coef[NARYN__STATE_TERMS], c;
    int n = naryn__stage_state_out(st, k, col, coef, &c);
    lo += beta[k] * c;
    for (int i = 0; i < n; i++) index[e] = col[i], value[e++] = -beta[k] * coef[i] / p->scale;
  }
  lo /= p->scale;
  double up = INFINITY;
  int rc = NARYN_OK, rows = p->nrows + st->ncuts + 1;
  if (rows > st->cap) {
    int cap = 2 * rows;
    double *a = realloc(st->rlo, (size_t)cap * sizeof *a);
    if (a) st->rlo = a;
    double *b = a ? realloc(st->rup, (size_t)cap * sizeof *b) : NULL;
    if (b) st->rup = b, st->cap = cap;
    else rc = NARYN_ENOMEM;
  }
  if (rc == NARYN_OK) {
    st->rlo[rows - 1] = lo;
    st->rup[rows - 1] = up;
    st->plo[st->npend] = lo;
    st->pup[st->npend] = up;
    st->pstart[st->npend + 1] = st->pstart[st->npend] + e;
    st->npend++;
    st->ncuts++;
  }
  return rc;
}

double naryn__stage_outflow_hm3(const naryn__stage *st, int node) {
  const opt *p = &st->p;
  const naryn_model *m = p->m;
  const double *x = naryn__lp_x(p->lp);
  const naryn__node *n = &m->nodes[node];
  double sum = 0.0;
  for (int k = 0; k < n->n_out; k++) sum += link_hm3(p, x, n->out[k]);
  return sum;
}

int naryn__stage_cut_count(const naryn__stage *st) { return st->ncuts; }

int naryn__stage_clear_cuts(naryn__stage *st) {
  st->npend = 0;
  int rc = naryn__lp_delete_rows_from(st->p.lp, st->p.nrows);
  if (rc == NARYN_OK) st->ncuts = 0;
  st->epoch++;
  return rc;
}

int naryn__stage_epoch(const naryn__stage *st) { return st->epoch; }

int naryn__stage_basis_size(const naryn__stage *st) { return naryn__lp_basis_size(st->p.lp); }

void naryn__stage_get_basis(const naryn__stage *st, unsigned char *status) {
  naryn__lp_get_basis(st->p.lp, status);
}

void naryn__stage_restart(naryn__stage *st, const unsigned char *status, int n) {
  st->restart = 1;
  st->restart_b = status;
  st->restart_n = n;
}

void naryn__stage_forget(naryn__stage *st) {
  naryn__lp_forget_basis(st->p.lp);
  st->solved = 0;
}

int naryn__stage_failed(const naryn_model *m, int t, int rc, naryn_diags *d) {
  if (rc == NARYN_EINTR) return naryn__interrupted(d);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory in CLP while solving the stage of %s",
                       m->step_date[t]);
  return naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "CLP could not solve the stage of %s: it reported the LP "
                     "%s, which its elastic bounds rule out; this is a "
                     "numerical failure", m->step_date[t],
                     rc == NARYN_EINFEAS ? "infeasible" : "unsolved");
}

int naryn__stage_least_cost(naryn__stage *st, int outcome, const double *factor,
                            const double *inflow_m3s, double *cost) {
  opt *p = &st->p;
  const naryn_model *m = p->m;
  int rc = flush(st);
  if (rc != NARYN_OK) return rc;
  if (st->ncuts > 0) return NARYN_EARG;
  st->outcome = outcome;
  set_inputs(st, factor, inflow_m3s);
  naryn__opt_linearise(p);
  /* Any storage at the start, any flows before it, and no future. */
  for (int k = 0; k < st->nres; k++) {
    const naryn__node *n = &m->nodes[st->res[k]];
    int c = p->nc[st->res[k]].sin;
    p->collo[c] = n->min_storage_hm3, p->colup[c] = n->max_storage_hm3;
  }
  for (int s = 0; p->par && s < p->par->nsites; s++)
    for (int k = 1; k <= p->par->lags[s]; k++) {
      int l = naryn__opt_par_col(p, s, k);
      p->collo[l] = 0.0, p->colup[l] = INFINITY;
      if (k >= 2) {
        int o = naryn__opt_par_col(p, s, -k);
        p->collo[o] = 0.0, p->colup[o] = INFINITY;
      }
    }
  for (int q = 0; q < p->nroute; q++)
    p->collo[p->route_col + q] = 0.0, p->colup[p->route_col + q] = INFINITY;
  for (int j = 0; j < p->ntheta; j++) p->collo[p->theta_col + j] = p->colup[p->theta_col + j] = 0.0;
  rc = naryn__lp_set_bounds(p->lp, p->collo, p->colup, p->rowlo, p->rowup);
  long iterations = 0;
  naryn__lp_forget_basis(p->lp);
  if (rc == NARYN_OK) rc = naryn__lp_solve_initial(p->lp, &iterations);
  if (rc == NARYN_OK) *cost = naryn__lp_objective(p->lp) * p->scale + p->obj_constant;
  /* The next solve starts as the stage's first would have. */
  naryn__lp_forget_basis(p->lp);
  st->solved = 0;
  return rc;
}

void naryn__stage_lpdata_get(naryn__stage *st, int outcome, const double *factor,
                             const double *inflow_m3s, naryn__stage_lpdata *out) {
  opt *p = &st->p;
  st->outcome = outcome;
  set_inputs(st, factor, inflow_m3s);
  naryn__opt_linearise(p);
  close_future(st);
  *out = (naryn__stage_lpdata){.nrows = p->nrows, .ncols = p->ncols, .theta_col = p->theta_col,
                               .ntheta = p->ntheta, .start = p->start, .index = p->index,
                               .value = p->value, .collo = p->collo, .colup = p->colup,
                               .obj = p->obj, .rowlo = p->rowlo, .rowup = p->rowup,
                               .scale = p->scale, .constant = p->obj_constant};
}

uint64_t naryn__hash_bytes(uint64_t h, const void *b, size_t n) {
  const unsigned char *c = b;
  for (size_t i = 0; i < n; i++) h = (h ^ c[i]) * 1099511628211ull;
  return h;
}

uint64_t naryn__stage_hash(naryn__stage *st, int outcome, const double *factor,
                           const double *inflow_m3s, uint64_t h) {
  naryn__stage_lpdata lp;
  naryn__stage_lpdata_get(st, outcome, factor, inflow_m3s, &lp);
  opt *p = &st->p;
  /* The columns held at the state are left out: their bounds are the
  ** state's, set at each solve, not the problem's. */
  unsigned char *held = calloc((size_t)lp.ncols + 1, 1);
  if (!held) return 0;
  for (int k = 0; k < st->nres; k++) held[p->nc[st->res[k]].sin] = 1;
  for (int s = 0; p->par && s < p->par->nsites; s++)
    for (int k = 1; k <= p->par->lags[s]; k++) {
      held[naryn__opt_par_col(p, s, k)] = 1;
      if (k >= 2) held[naryn__opt_par_col(p, s, -k)] = 1;
    }
  for (int q = 0; q < p->nroute; q++) held[p->route_col + q] = 1;
  int dims[4] = {lp.nrows, lp.ncols, lp.theta_col, lp.ntheta};
  h = naryn__hash_bytes(h, dims, sizeof dims);
  h = naryn__hash_bytes(h, lp.start, ((size_t)lp.ncols + 1) * sizeof *lp.start);
  h = naryn__hash_bytes(h, lp.index, (size_t)lp.start[lp.ncols] * sizeof *lp.index);
  h = naryn__hash_bytes(h, lp.value, (size_t)lp.start[lp.ncols] * sizeof *lp.value);
  h = naryn__hash_bytes(h, lp.obj, (size_t)lp.ncols * sizeof *lp.obj);
  for (int j = 0; j < lp.ncols; j++)
    if (!held[j]) {
      h = naryn__hash_bytes(h, &lp.collo[j], sizeof *lp.collo);
      h = naryn__hash_bytes(h, &lp.colup[j], sizeof *lp.colup);
    }
  h = naryn__hash_bytes(h, lp.rowlo, (size_t)lp.nrows * sizeof *lp.rowlo);
  h = naryn__hash_bytes(h, lp.rowup, (size_t)lp.nrows * sizeof *lp.rowup);
  h = naryn__hash_bytes(h, &lp.scale, sizeof lp.scale);
  h = naryn__hash_bytes(h, &lp.constant, sizeof lp.constant);
  free(held);
  return h;
}
