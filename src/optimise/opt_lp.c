/*
** opt_lp.c: the LP of the perfect-foresight optimisation: the mapping of a
** model's network, objective terms and grids to LP rows and columns over
** the whole horizon, and its linearisation around a reference plan.
**
** One LP holds every node and step: the network of the simulation (link
** bounds and losses, storage between its limits, evaporation, turbine
** limits, return flows) without its operating rules, and an objective made
** of the model's terms. Variables are volumes in hm3 over a step, laid out
** step by step: step t's columns are t * ncs + offset. For a reservoir the
** storage at the end of step t is min_storage + y_t - u_t, where u is
** drawdown below the dead storage that only evaporation may cause. A model
** with grids adds, in every step, each grid's balance with its thermal
** plants, lines, markets and unserved energy (grid/grid_lp.c, the mapping
** the simulation's dispatch uses); each plant's energy column feeds the
** balance of its country's grid, and a grid term's coefficients are the
** grid columns' costs. opt.c explains the linearisation and the passes.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opt_int.h"

/* The model's step of the window's step t. */
#define MT(t) (p->t0 + (t))

/* The storage at the start of the window of reservoir i. */
static double start_storage(const opt *p, int i) {
  return p->s0 ? p->s0[i] : p->m->nodes[i].initial_storage_hm3;
}
/* ====================================================================== */
/* Layout                                                                  */
/* ====================================================================== */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The shortage fractions at which some loss curve covering demand i bends:
** the segments of its delivery. Returns the count of segments, or -1. */
static int demand_segments(opt *p, int i) {
  const naryn_model *m = p->m;
  int n = 2;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_SHORTAGE && m->terms[k].node_on[i])
      n += m->terms[k].ncurve + 1;
  double *f = malloc((size_t)n * sizeof *f);
  if (!f) return -1;
  int c = 0;
  f[c++] = 0.0;
  f[c++] = 1.0;
  for (int k = 0; k < m->nterms; k++) {
    const naryn__term *tm = &m->terms[k];
    if (tm->kind != NARYN__TERM_SHORTAGE || !tm->node_on[i]) continue;
    for (int j = 0; j <= tm->ncurve && tm->ncurve > 0; j++) f[c++] = tm->curve_frac[j];
  }
  qsort(f, (size_t)c, sizeof *f, cmp_double);
  int u = 0;
  for (int j = 0; j < c; j++)
    if (u == 0 || f[j] > f[u - 1] + 1e-12) f[u++] = f[j];
  f[u - 1] = 1.0;
  p->frac[i] = f;
  return u - 1;
}

/* 1 when node i is planned: its terms count and its actions are free. */
int naryn__opt_planned(const opt *p, int i) {
  return !p->hold || p->hold->plans[i];
}

/* Marks every node that has a planned node downstream of it (through
** links and return flows). */
static int mark_downstream(opt *p) {
  const naryn_model *m = p->m;
  p->downstream_planned = calloc((size_t)p->N + 1, 1);
  int *queue = malloc(((size_t)p->N + 2) * sizeof *queue);
  unsigned char *below = malloc((size_t)p->N + 1);
  if (!p->downstream_planned || !queue || !below) {
    free(queue), free(below);
    return NARYN_ENOMEM;
  }
  for (int j = 0; p->hold && j < p->N; j++) {
    int n = naryn__mark_below(m, j, below, queue);
    for (int k = 1; k < n && !p->downstream_planned[j]; k++)
      if (queue[k] != j && naryn__opt_planned(p, queue[k])) p->downstream_planned[j] = 1;
  }
  free(queue);
  free(below);
  return NARYN_OK;
}

int naryn__opt_layout(opt *p) {
  const naryn_model *m = p->m;
  int c = 0, r = 0;
  if (mark_downstream(p) != NARYN_OK) return NARYN_ENOMEM;
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    int has_min = 0;
    for (int t = 0; ln->min_flow_m3s.v && t < m->nsteps; t++)
      if (ln->min_flow_m3s.v[t] > 0) has_min = 1;
    p->lx[l] = c++;
    p->lv[l] = has_min ? c++ : -1;
    p->lw[l] = ln->max_flow_m3s.v ? c++ : -1;
    /* A Muskingum reach's outflow is a column of each step, tied to its
    ** inflows by a row. */
    int musk = ln->route.kind == NARYN__ROUTE_MUSKINGUM;
    p->la[l] = musk ? c++ : -1;
    p->lr[l] = musk ? r++ : -1;
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    ncols *v = &p->nc[i];
    memset(v, -1, sizeof *v);
    v->nseg = 0;
    if (n->type == NARYN_NODE_SINK) continue;
    naryn_node_type type = n->enabled ? n->type : NARYN_NODE_JUNCTION;
    v->bal = r++;
    switch (type) {
    case NARYN_NODE_RESERVOIR:
      v->y = c++, v->u = c++, v->ev = c++;
      v->erow = r++, v->urow = r++;
      /* A held reservoir: storage above and below its held path. */
      if (!naryn__opt_planned(p, i)) v->hc = c, c += 2, v->hr = r++;
      break;
    case NARYN_NODE_DEMAND:
      v->nseg = demand_segments(p, i);
      if (v->nseg < 0) return NARYN_ENOMEM;
      v->seg = c;
      c += v->nseg;
      /* A held demand with a planned node downstream of it keeps its
      ** delivery (a shortfall is what it could not take); one wholly
      ** downstream of the planners takes what reaches it. */
      if (!naryn__opt_planned(p, i) && p->downstream_planned[i]) v->hc = c++, v->hr = r++;
      break;
    case NARYN_NODE_MIN_FLOW:
      v->mf = c++, v->mrow = r++;
      break;
    case NARYN_NODE_HYDROPOWER:
      v->qt = c++, v->qs = c++, v->e = c++;
      v->srow = r++, v->hrow = r++;
      break;
    default:
      break;
    }
    if (!naryn__opt_planned(p, i) && n->n_out >= 2) {
      v->sc = c, c += 2 * (n->n_out - 1);
      v->sr = r, r += n->n_out - 1;
    }
  }
  /* A plant's head follows the storage of its reservoir when that is an
  ** enabled reservoir with a level table. */
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    ncols *v = &p->nc[i];
    if (v->qt < 0 || !isnan(n->head_m) || n->reservoir < 0) continue;
    if (p->nc[n->reservoir].y >= 0) v->head_res = n->reservoir;
    /* A stage's plant of fitted planes: one row for each but the first. */
    if (p->stage && v->head_res >= 0 && p->prodfn && p->prodfn[i].plant == i)
      v->hk = r, r += p->prodfn[i].k - 1;
  }
  int nic = 0;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_INFLOW)
      for (int i = 0; i < m->nnodes; i++) nic += m->terms[k].node_on[i];
  p->ic = calloc((size_t)nic + 1, sizeof *p->ic);
  if (!p->ic) return NARYN_ENOMEM;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_INFLOW)
      for (int i = 0; i < m->nnodes; i++)
        if (m->terms[k].node_on[i])
          p->ic[p->nic++] = (icon){k, i, c++, r++};
  p->ncs = c;
  p->nrs = r;
  p->ncols = c * p->T;
  p->nrows = r * p->T;
  int nec = 0, last = p->t0 + p->T == m->nsteps;
  for (int k = 0; last && k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_END_STORAGE)
      for (int i = 0; i < m->nnodes; i++) nec += m->terms[k].node_on[i] && p->nc[i].y >= 0;
  p->ec = calloc((size_t)nec + 1, sizeof *p->ec);
  if (!p->ec) return NARYN_ENOMEM;
  for (int k = 0; last && k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_END_STORAGE)
      for (int i = 0; i < m->nnodes; i++)
        if (m->terms[k].node_on[i] && p->nc[i].y >= 0)
          p->ec[p->nec++] = (econ){k, i, p->ncols++, p->nrows++};
  p->eps_row = p->eps_term >= 0 ? p->nrows++ : -1;
  p->eps_col = p->eps_term >= 0 ? p->ncols++ : -1;
  p->theta_col = -1;
  for (int i = 0; i < m->nnodes; i++) p->nc[i].sin = -1;
  if (p->stage) {
    for (int i = 0; i < m->nnodes; i++)
      if (p->nc[i].y >= 0) p->nc[i].sin = p->ncols++;
    if (p->ntheta < 1) p->ntheta = 1;
    p->theta_col = p->ncols;
    p->ncols += p->ntheta;
  }
  if (p->stage && p->par) {
    p->par_col = p->ncols;
    p->ncols += p->par->nsites + 2 * p->par->nstates;
    p->par_row = p->nrows;
    p->nrows += p->par->nsites;
  }
  p->nroute = 0;
  p->route_col = p->ncols;
  for (int l = 0; l < m->nlinks; l++) {
    int n = p->stage ? naryn__opt_route_states(&m->links[l].route) : 0;
    p->rf[l] = n > 0 ? p->nroute : -1;
    p->nroute += n;
  }
  p->ncols += p->nroute;
  return NARYN_OK;
}

int naryn__opt_route_states(const naryn__route *rt) {
  if (rt->kind == NARYN__ROUTE_LAG) return naryn__route_lag_reach(rt);
  return rt->kind == NARYN__ROUTE_MUSKINGUM ? 2 : 0;
}

int naryn__opt_par_col(const opt *p, int s, int k) {
  int base = p->par_col + s + 2 * p->par->first[s], lags = p->par->lags[s];
  if (k == 0) return base;
  if (k == PAR_FLOOR) return base + 1;
  if (k > 0) return base + 1 + k;
  return base + lags + 2 + (-k - 2);
}

/* ====================================================================== */
/* The matrix                                                              */
/* ====================================================================== */

/* Fills the term's coefficient on every column into c (currency per unit
** of the column, unweighted; positive for more of the term) and returns
** the constant part, so that the term's value is constant + c'x. */
static double naryn__opt_term_coefs(const opt *p, int k, double *c) {
  const naryn_model *m = p->m;
  const naryn__term *tm = &m->terms[k];
  double constant = 0.0;
  for (int t = 0; t < p->T; t++) {
    int base = t * p->ncs;
    if (tm->kind == NARYN__TERM_END_STORAGE) break;
    if (!tm->step_on[MT(t)]) continue;
    if (tm->kind == NARYN__TERM_GRID) {
      /* The cost without hydropower less the cost of the step's columns. */
      for (int g = 0; g < m->ngrids; g++) {
        if (!tm->grid_on[g] || !p->grid_in[g]) continue;
        if (p->disp) constant += naryn__dispatch_cost0(p->disp, MT(t), g);
        naryn__grid_lp_cost_coefs(&p->glp[t], m, MT(t), g, -1.0, c);
      }
      continue;
    }
    for (int i = 0; i < m->nnodes; i++) {
      if (!tm->node_on[i] || !naryn__opt_planned(p, i)) continue;
      const naryn__node *n = &m->nodes[i];
      const ncols *v = &p->nc[i];
      double price = naryn__term_price(m, tm, i, MT(t));
      switch (tm->kind) {
      case NARYN__TERM_ENERGY:
        if (v->e >= 0) c[base + v->e] += price * 1000.0;
        break;
      case NARYN__TERM_SHORTAGE:
        if (v->seg < 0) break;
        for (int j = 0; j < v->nseg; j++) {
          double lo = p->frac[i][j], hi = p->frac[i][j + 1];
          double marg = price;
          if (tm->ncurve > 0) {
            double mid = 0.5 * (lo + hi);
            int s = 0;
            while (s + 1 < tm->ncurve && mid > tm->curve_frac[s + 1]) s++;
            marg = tm->curve_price[s];
          }
          constant += marg * (hi - lo) * n->demand_hm3.v[MT(t)];
          c[base + v->seg + j] -= marg;
        }
        break;
      case NARYN__TERM_MIN_FLOW:
        if (v->mf >= 0) c[base + v->mf] += price;
        break;
      case NARYN__TERM_INFLOW:
        for (int q = 0; q < p->nic; q++)
          if (p->ic[q].term == k && p->ic[q].node == i)
            c[base + p->ic[q].col] += price;
        break;
      case NARYN__TERM_SPILL:
        for (int j = 0; j < n->n_in; j++) {
          int l = n->in[j];
          double f = price * (1.0 - m->links[l].loss_fraction);
          c[base + p->lx[l]] += f;
          if (p->lv[l] >= 0) c[base + p->lv[l]] -= f;
          if (p->lw[l] >= 0) c[base + p->lw[l]] += f;
        }
        for (int j = 0; j < n->n_ret; j++) {
          const ncols *dv = &p->nc[n->ret[j]];
          double f = price * m->nodes[n->ret[j]].return_fraction;
          for (int s = 0; s < dv->nseg; s++) c[base + dv->seg + s] += f;
        }
        break;
      default:
        break;
      }
    }
  }
  if (tm->kind == NARYN__TERM_END_STORAGE)
    for (int q = 0; q < p->nec; q++)
      if (p->ec[q].term == k && naryn__opt_planned(p, p->ec[q].node))
        c[p->ec[q].col] += naryn__term_price(m, tm, p->ec[q].node, MT(p->T - 1));
  return constant;
}

/* Sets the objective from the weighted terms and the penalties. */
int naryn__opt_objective(opt *p) {
  const naryn_model *m = p->m;
  double *c = calloc((size_t)p->ncols + 1, sizeof *c);
  if (!c) return NARYN_ENOMEM;
  memset(p->obj, 0, (size_t)p->ncols * sizeof *p->obj);
  p->obj_constant = 0.0;
  /* The grids' bounds, which no pass changes; their costs come from the
  ** grid terms. */
  for (int t = 0; p->glp && t < p->T; t++) {
    naryn__grid_lp_set_step(&p->glp[t], m, MT(t), NULL, 0.0, p->collo, p->colup,
                            p->rowlo, p->rowup, p->obj);
    for (int l = 0; l < m->nlines; l++)
      if (!p->line_open[l])
        p->colup[p->glp[t].line[2 * l]] = p->colup[p->glp[t].line[2 * l + 1]] = 0.0;
  }
  for (int k = 0; k < m->nterms; k++) {
    double w = p->weights[k];
    if (w == 0) continue;
    memset(c, 0, (size_t)p->ncols * sizeof *c);
    double k0 = naryn__opt_term_coefs(p, k, c);
    double sign = NARYN__TERM_BENEFIT(m->terms[k].kind) ? -1.0 : 1.0;
    p->obj_constant += sign * w * k0;
    for (int j = 0; j < p->ncols; j++) p->obj[j] += sign * w * c[j];
  }
  double top = 0.0;
  for (int j = 0; j < p->ncols; j++)
    if (fabs(p->obj[j]) > top) top = fabs(p->obj[j]);
  p->scale = p->fixed_scale > 0 ? p->fixed_scale : top > 0 ? top / OBJ_TOP : 1.0;
  for (int j = 0; j < p->ncols; j++) p->obj[j] /= p->scale;
  /* A stage's future cost, in the LP's own units. */
  for (int j = 0; p->theta_col >= 0 && j < p->ntheta; j++)
    p->obj[p->theta_col + j] = p->theta_w ? p->theta_w[j] : 1.0;
  for (int t = 0; t < p->T; t++) {
    int base = t * p->ncs;
    /* A broken bound costs a little more the earlier it is, so that an
    ** infeasible model meets its bounds as early as it can and the first
    ** step reported is the first that truly cannot be met. */
    double early = W_ELASTIC * (1.0 + 0.01 * (p->T - 1 - t) / p->T);
    for (int l = 0; l < m->nlinks; l++) {
      if (p->lv[l] >= 0) p->obj[base + p->lv[l]] += early;
      if (p->lw[l] >= 0) p->obj[base + p->lw[l]] += early;
    }
    for (int i = 0; i < m->nnodes; i++) {
      const ncols *v = &p->nc[i];
      if (v->u >= 0) p->obj[base + v->u] += W_DEAD;
      if (v->hc >= 0) p->obj[base + v->hc] += W_HOLD;
      if (v->hc >= 0 && v->y >= 0) p->obj[base + v->hc + 1] += W_HOLD;
      for (int s = 0; !naryn__opt_planned(p, i) && v->seg >= 0 && s < v->nseg; s++)
        p->obj[base + v->seg + s] -= W_TAKE;
      for (int k = 0; v->sc >= 0 && k < 2 * (m->nodes[i].n_out - 1); k++)
        p->obj[base + v->sc + k] += W_HOLD;
    }
  }
  /* A PAR flow raised to 0 where its linearisation falls below (model/
  ** par_inflows.c): water the model does not have, dear as water taken
  ** below the dead storage. */
  for (int s = 0; p->stage && p->par && s < p->par->nsites; s++)
    p->obj[naryn__opt_par_col(p, s, PAR_FLOOR)] = W_DEAD * m->step_s[MT(0)] * 1e-6;
  /* The epsilon row holds the constrained term's coefficients. */
  int rc = NARYN_OK;
  if (p->eps_row >= 0) {
    memset(c, 0, (size_t)p->ncols * sizeof *c);
    double k0 = naryn__opt_term_coefs(p, p->eps_term, c);
    int benefit = NARYN__TERM_BENEFIT(m->terms[p->eps_term].kind);
    /* Its entries were laid out by naryn__opt_build() from the same coefficients.
    ** Falling short of the level is allowed at a steep price, because the
    ** first linearisations may not reach a level the exact plan can. */
    p->rowlo[p->eps_row] = benefit ? p->eps_level : -INFINITY;
    p->rowup[p->eps_row] = benefit ? INFINITY : p->eps_level - k0;
    p->obj[p->eps_col] = EPS_PENALTY / p->scale;
  }
  free(c);
  return rc;
}

/* What reaches the tail of lagged link l in step t of each hm3 leaving its
** head in step from: its share (model/routing.c) of the rate that entered,
** after the loss, over step t's length. */
double naryn__opt_lag_coef(const naryn_model *m, int l, int from, int t) {
  const naryn__link *ln = &m->links[l];
  return (1.0 - ln->loss_fraction) * naryn__route_lag_share(&ln->route, t - from) *
         m->step_s[t] / m->step_s[from];
}

/* A held action, with NaN (a node that took no part) read as zero. */
double naryn__opt_held_at(const double *v, size_t at) {
  return isnan(v[at]) ? 0.0 : v[at];
}

/* Adds every step's grid rows and columns after the others: each plant's
** energy column feeds its grid's balance, a GWh for a GWh. */
static int add_grids(opt *p, naryn__triplets *tr) {
  const naryn_model *m = p->m;
  if (m->ngrids == 0) return NARYN_OK;
  int n = 0, objcap = 0, rc = NARYN_OK;
  int *grid = malloc(((size_t)p->N + 1) * sizeof *grid);
  int *col = malloc(((size_t)p->N + 1) * sizeof *col);
  double *one = malloc(((size_t)p->N + 1) * sizeof *one), *obj = NULL;
  p->glp = calloc((size_t)p->T, sizeof *p->glp);
  if (!grid || !col || !one || !p->glp) rc = NARYN_ENOMEM;
  for (int t = 0; rc == NARYN_OK && t < p->T; t++) {
    n = 0;
    for (int i = 0; i < p->N; i++)
      if (m->plant_grid[i] >= 0 && p->nc[i].e >= 0) {
        grid[n] = m->plant_grid[i];
        col[n] = t * p->ncs + p->nc[i].e;
        one[n++] = 1.0;
      }
    naryn__grid_hydro hydro = {n, grid, col, one};
    rc = naryn__grid_lp_add(&p->glp[t], m, MT(t), &hydro, 0.0, tr, &p->nrows,
                            &p->ncols, &obj, &objcap);
  }
  free(grid);
  free(col);
  free(one);
  free(obj);
  return rc;
}

/* Which grids plan (all, or those of a country with a planned node) and
** which lines join two of them. */
int naryn__opt_grids_in(opt *p) {
  const naryn_model *m = p->m;
  p->grid_in = malloc((size_t)m->ngrids + (size_t)m->nlines + 1);
  if (!p->grid_in) return NARYN_ENOMEM;
  p->line_open = p->grid_in + m->ngrids;
  for (int k = 0; k < m->ngrids; k++) {
    int in = !p->hold;
    for (int i = 0; !in && i < p->N; i++)
      in = p->hold->plans[i] && strcmp(m->nodes[i].country, m->grids[k].country) == 0;
    p->grid_in[k] = (unsigned char)in;
  }
  for (int l = 0; l < m->nlines; l++)
    p->line_open[l] = p->grid_in[m->lines[l].from] && p->grid_in[m->lines[l].to];
  return NARYN_OK;
}

/* The energy of a stage's plant i in step t under each plane k of its fit,
** e <= a_k + b_k (S_start + S_end) / 2 + c_k qt, as the rows
** e - c_k qt - b_k / 2 (y - u) - b_k / 2 S_start <= a_k + b_k min, with
** S_end = min + y - u, S_start the state column sin (or the step before's
** storage, min + y - u, past a window's first step); the right-hand sides
** are set with the bounds (plane_rhs). The energy column's entry in the
** first row is added by the caller. */
static int add_planes(opt *p, naryn__triplets *tr, int t, int i) {
  const ncols *v = &p->nc[i], *rv = &p->nc[v->head_res];
  const naryn__prodfn *f = &p->prodfn[i];
  int cb = t * p->ncs, rb = t * p->nrs, pb = (t - 1) * p->ncs;
  for (int k = 0; k < f->k; k++) {
    double a, b, c;
    naryn__prodfn_plane_gwh(f, k, p->m->step_s[MT(t)], &a, &b, &c);
    int row = rb + (k == 0 ? v->hrow : v->hk + k - 1);
    int cols[5] = {cb + v->qt, cb + rv->y, cb + rv->u, -1, -1};
    double vals[5] = {-c, -0.5 * b, 0.5 * b, -0.5 * b, 0.5 * b};
    if (t > 0) cols[3] = pb + rv->y, cols[4] = pb + rv->u;
    else cols[3] = rv->sin;
    if (k > 0 && naryn__trip_add(tr, row, cb + v->e, 1.0) < 0) return NARYN_ENOMEM;
    for (int q = 0; q < 5; q++)
      if (cols[q] >= 0 && naryn__trip_add(tr, row, cols[q], vals[q]) < 0)
        return NARYN_ENOMEM;
  }
  return NARYN_OK;
}

/* The right-hand sides of plant i's plane rows in step t (add_planes). */
static void plane_rhs(opt *p, int t, int i) {
  const ncols *v = &p->nc[i];
  const naryn__prodfn *f = &p->prodfn[i];
  double mn = p->m->nodes[v->head_res].min_storage_hm3;
  for (int k = 0; k < f->k; k++) {
    double a, b, c;
    naryn__prodfn_plane_gwh(f, k, p->m->step_s[MT(t)], &a, &b, &c);
    int row = t * p->nrs + (k == 0 ? v->hrow : v->hk + k - 1);
    p->rowlo[row] = -INFINITY;
    p->rowup[row] = a + 0.5 * b * mn + (t > 0 ? 0.5 * b * mn : 0.0);
  }
}

/* Builds the matrix with every coefficient that a pass may change in
** place, and lays out bounds that do not depend on the reference. */
int naryn__opt_build(opt *p) {
  const naryn_model *m = p->m;
  naryn__triplets tr = {0};
  int rc = NARYN_ENOMEM;
  size_t tn = (size_t)p->T * (size_t)p->N;
  int *hidx = malloc((tn * 6 + 1) * sizeof *hidx);
  int *eidx = malloc((tn * 4 + 1) * sizeof *eidx);
  double *eps_c = NULL;
  p->hpos = malloc((tn * 6 + 1) * sizeof *p->hpos);
  p->epos = malloc((tn * 4 + 1) * sizeof *p->epos);
  if (!hidx || !eidx || !p->hpos || !p->epos) goto done;
  for (size_t q = 0; q < tn * 6; q++) hidx[q] = -1;
  for (size_t q = 0; q < tn * 4; q++) eidx[q] = -1;
#define ADD(row, col, val)                                       \
  do {                                                           \
    if (naryn__trip_add(&tr, (row), (col), (val)) < 0) goto done; \
  } while (0)
#define ADDV(slot, row, col)                                     \
  do {                                                           \
    if (((slot) = naryn__trip_add(&tr, (row), (col), 0.0)) < 0) goto done; \
  } while (0)
#define ADD_LINK_AT(row, l, val, base)                           \
  do {                                                           \
    ADD(row, (base) + p->lx[l], (val));                          \
    if (p->lv[l] >= 0) ADD(row, (base) + p->lv[l], -(val));      \
    if (p->lw[l] >= 0) ADD(row, (base) + p->lw[l], (val));       \
  } while (0)
#define ADD_LINK(row, l, val) ADD_LINK_AT(row, l, val, cb)
  /* Each Muskingum reach: O_t - c0 (1 - loss) x_t - r (c1 (1 - loss) x_t-1
  ** + c2 O_t-1) = 0, the terms of the step before the first on the
  ** right-hand side. The recurrence holds for rates: r, the length of step
  ** t over that of the step before, turns them into volumes (it is 1 but
  ** where the last step is shorter). */
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs, rb = t * p->nrs, pb = (t - 1) * p->ncs;
    for (int l = 0; l < m->nlinks; l++) {
      const naryn__link *ln = &m->links[l];
      if (p->la[l] < 0) continue;
      double keep = 1.0 - ln->loss_fraction;
      ADD(rb + p->lr[l], cb + p->la[l], 1.0);
      ADD_LINK(rb + p->lr[l], l, -ln->route.c0 * keep);
      if (t > 0) {
        double ratio = m->step_s[t] / m->step_s[t - 1];
        ADD_LINK_AT(rb + p->lr[l], l, -ln->route.c1 * keep * ratio, pb);
        ADD(rb + p->lr[l], pb + p->la[l], -ln->route.c2 * ratio);
      } else if (p->rf[l] >= 0) {
        /* A stage's reach starts from the rates of the state. */
        double k = m->step_s[MT(0)] * 1e-6;
        ADD(rb + p->lr[l], p->route_col + p->rf[l], -ln->route.c1 * k);
        ADD(rb + p->lr[l], p->route_col + p->rf[l] + 1, -ln->route.c2 * k);
      }
    }
  }
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs, rb = t * p->nrs, pb = (t - 1) * p->ncs;
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      const ncols *v = &p->nc[i];
      if (v->bal < 0) continue;
      int bal = rb + v->bal;
      for (int k = 0; k < n->n_in; k++) {
        int l = n->in[k];
        const naryn__link *ln = &m->links[l];
        if (ln->route.kind == NARYN__ROUTE_LAG) {
          /* Its shares of what entered in this and earlier steps; the
          ** initial flow before the horizon is on the right-hand side. */
          for (int d = 0; d <= naryn__route_lag_reach(&ln->route) && d <= t; d++)
            if (naryn__route_lag_share(&ln->route, d) > 0)
              ADD_LINK_AT(bal, l, naryn__opt_lag_coef(m, l, t - d, t), (t - d) * p->ncs);
          /* A stage's shares of the rates of the state instead. */
          for (int d = 1; p->rf[l] >= 0 && d <= naryn__route_lag_reach(&ln->route); d++)
            ADD(bal, p->route_col + p->rf[l] + d - 1,
                naryn__route_lag_share(&ln->route, d) * m->step_s[MT(t)] * 1e-6);
        } else if (ln->route.kind == NARYN__ROUTE_MUSKINGUM) {
          ADD(bal, cb + p->la[l], 1.0);
        } else {
          ADD_LINK(bal, l, 1.0 - ln->loss_fraction);
        }
      }
      for (int k = 0; k < n->n_out; k++) ADD_LINK(bal, n->out[k], -1.0);
      /* A stage's inflow node that reads a PAR site: its scale times the
      ** site's flow. */
      if (p->stage && p->par && p->par->node_site[i] >= 0 && n->enabled)
        ADD(bal, naryn__opt_par_col(p, p->par->node_site[i], 0),
            p->par->node_scale[i] * m->step_s[MT(t)] * 1e-6);
      for (int k = 0; k < n->n_ret; k++) {
        const ncols *dv = &p->nc[n->ret[k]];
        for (int s = 0; s < dv->nseg; s++)
          ADD(bal, cb + dv->seg + s, m->nodes[n->ret[k]].return_fraction);
      }
      size_t at = (size_t)t * p->N + i;
      if (v->y >= 0) {
        ADD(bal, cb + v->y, -1.0);
        ADD(bal, cb + v->u, 1.0);
        ADD(bal, cb + v->ev, -1.0);
        if (t > 0) {
          ADD(bal, pb + v->y, 1.0);
          ADD(bal, pb + v->u, -1.0);
        } else if (v->sin >= 0) {
          ADD(bal, v->sin, 1.0);
        }
        int er = rb + v->erow;
        ADD(er, cb + v->ev, 1.0);
        ADDV(eidx[at * 4 + 0], er, cb + v->y);
        ADDV(eidx[at * 4 + 1], er, cb + v->u);
        if (t > 0) {
          ADDV(eidx[at * 4 + 2], er, pb + v->y);
          ADDV(eidx[at * 4 + 3], er, pb + v->u);
        } else if (v->sin >= 0) {
          ADDV(eidx[at * 4 + 2], er, v->sin);
        }
        int ur = rb + v->urow;
        ADD(ur, cb + v->u, 1.0);
        ADD(ur, cb + v->ev, -1.0);
        if (t > 0) ADD(ur, pb + v->u, -1.0);
      }
      if (v->seg >= 0)
        for (int s = 0; s < v->nseg; s++) ADD(bal, cb + v->seg + s, -1.0);
      if (v->hr >= 0 && v->y >= 0) {
        /* min + y - u - above + below = held storage. */
        ADD(rb + v->hr, cb + v->y, 1.0);
        ADD(rb + v->hr, cb + v->u, -1.0);
        ADD(rb + v->hr, cb + v->hc, -1.0);
        ADD(rb + v->hr, cb + v->hc + 1, 1.0);
      } else if (v->hr >= 0) {
        /* delivered + not taken = held delivery. */
        for (int s = 0; s < v->nseg; s++) ADD(rb + v->hr, cb + v->seg + s, 1.0);
        ADD(rb + v->hr, cb + v->hc, 1.0);
      }
      if (v->sr >= 0) {
        /* Outlet k keeps its share f of the node's outflow:
        ** flow_k - f * (sum of the outlets' flows) + over - under = 0. */
        double total = 0.0;
        for (int k = 0; k < n->n_out; k++)
          total += naryn__opt_held_at(p->hold->link_hm3, (size_t)t * m->nlinks + n->out[k]);
        for (int k = 0; k + 1 < n->n_out; k++) {
          int row = rb + v->sr + k;
          if (total > 0) {
            double f = naryn__opt_held_at(p->hold->link_hm3, (size_t)t * m->nlinks + n->out[k]) / total;
            for (int j = 0; j < n->n_out; j++)
              ADD_LINK(row, n->out[j], (j == k ? 1.0 : 0.0) - f);
          }
          ADD(row, cb + v->sc + 2 * k, 1.0);
          ADD(row, cb + v->sc + 2 * k + 1, -1.0);
        }
      }
      if (v->mf >= 0) {
        int mr = rb + v->mrow;
        for (int k = 0; k < n->n_out; k++) ADD_LINK(mr, n->out[k], 1.0);
        ADD(mr, cb + v->mf, 1.0);
      }
      if (v->qt >= 0) {
        int sr = rb + v->srow, hr = rb + v->hrow;
        for (int k = 0; k < n->n_out; k++) ADD_LINK(sr, n->out[k], 1.0);
        ADD(sr, cb + v->qt, -1.0);
        ADD(sr, cb + v->qs, -1.0);
        ADD(hr, cb + v->e, 1.0);
        if (v->hk >= 0) {
          if (add_planes(p, &tr, t, i) != NARYN_OK) goto done;
          continue;
        }
        ADDV(hidx[at * 6 + 0], hr, cb + v->qt);
        ADDV(hidx[at * 6 + 1], hr, cb + v->qs);
        if (v->head_res >= 0) {
          const ncols *rv = &p->nc[v->head_res];
          ADDV(hidx[at * 6 + 2], hr, cb + rv->y);
          ADDV(hidx[at * 6 + 3], hr, cb + rv->u);
          if (t > 0) {
            ADDV(hidx[at * 6 + 4], hr, pb + rv->y);
            ADDV(hidx[at * 6 + 5], hr, pb + rv->u);
          } else if (rv->sin >= 0) {
            ADDV(hidx[at * 6 + 4], hr, rv->sin);
          }
        }
      }
    }
    for (int q = 0; q < p->nic; q++) {
      const naryn__node *n = &m->nodes[p->ic[q].node];
      int ir = rb + p->ic[q].row;
      for (int k = 0; k < n->n_in; k++)
        ADD_LINK(ir, n->in[k], 1.0 - m->links[n->in[k]].loss_fraction);
      for (int k = 0; k < n->n_ret; k++) {
        const ncols *dv = &p->nc[n->ret[k]];
        for (int s = 0; s < dv->nseg; s++)
          ADD(ir, cb + dv->seg + s, m->nodes[n->ret[k]].return_fraction);
      }
      ADD(ir, cb + p->ic[q].col, 1.0);
    }
  }
  /* A stage's PAR rows: q - sum_k b_k l_k - f = eps a. */
  for (int s = 0; p->stage && p->par && s < p->par->nsites; s++) {
    const naryn__par *par = p->par;
    int row = p->par_row + s;
    size_t at = (size_t)(m->step_month[MT(0)] - 1) * par->nsites + s;
    ADD(row, naryn__opt_par_col(p, s, 0), 1.0);
    ADD(row, naryn__opt_par_col(p, s, PAR_FLOOR), -1.0);
    for (int k = 1; k <= par->lags[s]; k++)
      ADD(row, naryn__opt_par_col(p, s, k), -par->b[at * NARYN__PAR_MAX_LAGS + k - 1]);
  }
  for (int q = 0; q < p->nec; q++) {
    const ncols *v = &p->nc[p->ec[q].node];
    int cb = (p->T - 1) * p->ncs;
    ADD(p->ec[q].row, cb + v->y, 1.0);
    ADD(p->ec[q].row, cb + v->u, -1.0);
    ADD(p->ec[q].row, p->ec[q].col, 1.0);
  }
  if (p->eps_row >= 0) {
    /* One entry for every column the constrained term touches; the values
    ** are set with the objective. */
    eps_c = calloc((size_t)p->ncols + 1, sizeof *eps_c);
    if (!eps_c) goto done;
    naryn__opt_term_coefs(p, p->eps_term, eps_c);
    for (int j = 0; j < p->ncols; j++)
      if (eps_c[j] != 0) ADD(p->eps_row, j, eps_c[j]);
    int benefit = NARYN__TERM_BENEFIT(m->terms[p->eps_term].kind);
    ADD(p->eps_row, p->eps_col, benefit ? 1.0 : -1.0);
  }
#undef ADD
#undef ADDV
#undef ADD_LINK
  if (add_grids(p, &tr) != NARYN_OK) goto done;
  /* Sort into columns, remembering where each changing entry went. */
  int *where = malloc((size_t)tr.n * sizeof *where + 1);
  if (!where || naryn__trip_columns(&tr, p->ncols, &p->start, &p->index,
                                    &p->value, where) != NARYN_OK) {
    free(where);
    goto done;
  }
  for (size_t q = 0; q < tn * 6; q++) p->hpos[q] = hidx[q] >= 0 ? where[hidx[q]] : -1;
  for (size_t q = 0; q < tn * 4; q++) p->epos[q] = eidx[q] >= 0 ? where[eidx[q]] : -1;
  free(where);
  rc = NARYN_OK;
done:
  naryn__trip_free(&tr);
  free(hidx);
  free(eidx);
  free(eps_c);
  return rc;
}

/* ====================================================================== */
/* Bounds and the linearisation around the reference                       */
/* ====================================================================== */

/* Storage at the start of step t in the reference plan. */
static double naryn__opt_ref_start(const opt *p, int t, int i) {
  /* A stage is linearised around one storage, at its start and end. */
  if (t == 0 && p->stage) return p->ref_s[i];
  return t == 0 ? start_storage(p, i) : p->ref_s[(size_t)(t - 1) * p->N + i];
}

/* A stage's PAR bounds: each site's lags held at the incoming state (the
** l_k times the noise), its flow free above 0 and its row's right-hand
** side eps a; or, given the step's inflows (a replay), its flow held at
** them and the row free. */
static void par_bounds(opt *p) {
  const naryn__par *par = p->par;
  const naryn_model *m = p->m;
  int c = m->step_month[MT(0)] - 1;
  for (int s = 0; s < par->nsites; s++) {
    double eps = p->par_eps ? p->par_eps[s] : 1.0;
    const double *lag = p->par_lag ? p->par_lag + par->first[s]
                                   : par->init + (size_t)s * NARYN__PAR_MAX_LAGS;
    int q = naryn__opt_par_col(p, s, 0), f = naryn__opt_par_col(p, s, PAR_FLOOR);
    int row = p->par_row + s;
    for (int k = 1; k <= par->lags[s]; k++) {
      int l = naryn__opt_par_col(p, s, k);
      p->collo[l] = p->colup[l] = eps * lag[k - 1];
      if (k >= 2) {
        int o = naryn__opt_par_col(p, s, -k);
        p->collo[o] = p->colup[o] = lag[k - 2];
      }
    }
    if (p->inflow_m3s) {
      int i = par->site_node[s];
      double sc = par->node_scale[i];
      p->collo[q] = p->colup[q] = sc != 0 ? p->inflow_m3s[i] / sc : 0.0;
      p->collo[f] = p->colup[f] = 0.0;
      p->rowlo[row] = -INFINITY, p->rowup[row] = INFINITY;
    } else {
      p->collo[q] = 0.0, p->colup[q] = INFINITY;
      p->collo[f] = 0.0, p->colup[f] = INFINITY;
      p->rowlo[row] = p->rowup[row] = eps * par->a[(size_t)c * par->nsites + s];
    }
  }
}

/* Sets every bound, right-hand side and changing coefficient from the
** model and the reference plan. */
void naryn__opt_linearise(opt *p) {
  const naryn_model *m = p->m;
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs, rb = t * p->nrs;
    int mt = MT(t);
    double k = m->step_s[mt] * 1e-6;
    for (int l = 0; l < m->nlinks; l++) {
      const naryn__link *ln = &m->links[l];
      int c = cb + p->lx[l];
      p->collo[c] = ln->min_flow_m3s.v ? ln->min_flow_m3s.v[mt] * k : 0.0;
      p->colup[c] = ln->max_flow_m3s.v ? ln->max_flow_m3s.v[mt] * k : INFINITY;
      if (p->lv[l] >= 0) p->collo[cb + p->lv[l]] = 0, p->colup[cb + p->lv[l]] = p->collo[c];
      if (p->lw[l] >= 0) p->collo[cb + p->lw[l]] = 0, p->colup[cb + p->lw[l]] = INFINITY;
      if (p->la[l] >= 0) {
        const naryn__route *rt = &ln->route;
        int row = t * p->nrs + p->lr[l];
        p->collo[cb + p->la[l]] = 0.0;
        p->colup[cb + p->la[l]] = INFINITY;
        p->rowlo[row] = p->rowup[row] =
            t == 0 && p->rf[l] < 0 ? (rt->c1 + rt->c2) * rt->initial_flow_m3s * k : 0.0;
      }
    }
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      const ncols *v = &p->nc[i];
      if (v->bal < 0) continue;
      size_t at = (size_t)t * p->N + i;
      double rhs = 0.0;
      int par_node = p->stage && p->par && p->par->node_site[i] >= 0;
      if (n->type == NARYN_NODE_INFLOW && n->enabled && !par_node)
        rhs -= (p->inflow_m3s ? p->inflow_m3s[i] : n->inflow_m3s.v[mt]) * k *
               (p->inflow_factor ? p->inflow_factor[i] : 1.0);
      /* A lag's initial flow arrives in its first steps. */
      for (int j = 0; j < n->n_in; j++) {
        const naryn__route *rt = &m->links[n->in[j]].route;
        if (rt->kind == NARYN__ROUTE_LAG && p->rf[n->in[j]] < 0)
          rhs -= naryn__route_lag_before(rt, t) * rt->initial_flow_m3s * k;
      }
      if (v->y >= 0) {
        double cap = n->max_storage_hm3 - n->min_storage_hm3;
        double s0 = start_storage(p, i), mn = n->min_storage_hm3;
        /* A stage's storage at the start is its column sin, held at s0. */
        double prev = t > 0 ? mn : v->sin >= 0 ? 0.0 : s0;
        if (t == 0) rhs += v->sin >= 0 ? mn : mn - s0;
        if (v->sin >= 0) p->collo[v->sin] = p->colup[v->sin] = s0;
        /* Trust region on the storage above the dead storage. */
        double y0 = p->ref_s[at] - mn, lo = 0.0, hi = cap;
        if (p->rho < 1.0) {
          lo = fmax(0.0, y0 - p->rho * cap);
          hi = fmin(cap, y0 + p->rho * cap);
          if (lo > hi) lo = hi;
        }
        p->collo[cb + v->y] = lo, p->colup[cb + v->y] = hi;
        p->collo[cb + v->u] = 0, p->colup[cb + v->u] = INFINITY;
        p->collo[cb + v->ev] = -INFINITY, p->colup[cb + v->ev] = INFINITY;
        /* Evaporation, linear in the mean storage around the reference. */
        double sbar = 0.5 * (naryn__opt_ref_start(p, t, i) + p->ref_s[at]);
        double e0 = naryn__hyd_evaporation_hm3(n, mt, sbar);
        double h = fmax(1e-3 * cap, 1e-6);
        double es = (naryn__hyd_evaporation_hm3(n, mt, sbar + h) -
                     naryn__hyd_evaporation_hm3(n, mt, sbar - h)) / (2 * h);
        double a = 0.5 * es;
        p->value[p->epos[at * 4 + 0]] = -a;
        p->value[p->epos[at * 4 + 1]] = a;
        if (t > 0) {
          p->value[p->epos[at * 4 + 2]] = -a;
          p->value[p->epos[at * 4 + 3]] = a;
        } else if (v->sin >= 0) {
          p->value[p->epos[at * 4 + 2]] = -a;
        }
        double er = e0 - es * sbar + a * mn + a * prev;
        p->rowlo[rb + v->erow] = p->rowup[rb + v->erow] = er;
        double below = t == 0 && mn > s0 ? mn - s0 : 0.0;
        p->rowlo[rb + v->urow] = -INFINITY;
        p->rowup[rb + v->urow] = below;
      }
      if (v->seg >= 0)
        for (int s = 0; s < v->nseg; s++) {
          p->collo[cb + v->seg + s] = 0;
          p->colup[cb + v->seg + s] =
              (p->frac[i][s + 1] - p->frac[i][s]) * n->demand_hm3.v[mt];
        }
      if (v->hr >= 0) {
        double held = v->y >= 0 ? naryn__opt_held_at(p->hold->storage_hm3, at) - n->min_storage_hm3
                                : naryn__opt_held_at(p->hold->delivered_hm3, at);
        p->rowlo[rb + v->hr] = held;
        p->rowup[rb + v->hr] = v->y >= 0 ? held : INFINITY;
        p->collo[cb + v->hc] = 0;
        p->colup[cb + v->hc] = v->y >= 0 ? INFINITY : held;
        if (v->y >= 0) p->collo[cb + v->hc + 1] = 0, p->colup[cb + v->hc + 1] = INFINITY;
      }
      for (int o = 0; v->sr >= 0 && o + 1 < n->n_out; o++) {
        p->rowlo[rb + v->sr + o] = p->rowup[rb + v->sr + o] = 0.0;
        p->collo[cb + v->sc + 2 * o] = p->collo[cb + v->sc + 2 * o + 1] = 0.0;
        p->colup[cb + v->sc + 2 * o] = p->colup[cb + v->sc + 2 * o + 1] = INFINITY;
      }
      if (v->mf >= 0) {
        double want = n->min_flow_m3s.v[mt] * k;
        p->rowlo[rb + v->mrow] = want, p->rowup[rb + v->mrow] = INFINITY;
        p->collo[cb + v->mf] = 0, p->colup[cb + v->mf] = want;
      }
      if (v->qt >= 0) {
        p->rowlo[rb + v->srow] = p->rowup[rb + v->srow] = 0.0;
        p->collo[cb + v->qt] = 0, p->colup[cb + v->qt] = n->max_turbine_flow_m3s * k;
        p->collo[cb + v->qs] = 0, p->colup[cb + v->qs] = INFINITY;
        p->collo[cb + v->e] = 0;
        p->colup[cb + v->e] = n->capacity_mw * m->step_s[mt] / 3600.0 * 1e-3;
        if (v->hk >= 0) {
          plane_rhs(p, t, i);
          p->lin_a[at] = 0.0;
          p->rowlo[rb + v->bal] = p->rowup[rb + v->bal] = rhs;
          continue;
        }
        /* Energy, linear in turbined flow, storage and discharge. */
        double kap = GWH_PER_HM3_M * n->efficiency;
        int r = v->head_res;
        double sbar = r >= 0 ? 0.5 * (naryn__opt_ref_start(p, t, r) + p->ref_s[(size_t)t * p->N + r]) : 0.0;
        double q0 = p->ref_q[at], qt0 = p->ref_qt[at];
        double h0 = naryn__hyd_head_m(m, n, sbar, q0);
        double hs = 0.0, hq = 0.0;
        if (r >= 0) {
          const naryn__node *rn = &m->nodes[r];
          double d = fmax(1e-3 * (rn->max_storage_hm3 - rn->min_storage_hm3), 1e-6);
          hs = (naryn__hyd_head_m(m, n, sbar + d, q0) -
                naryn__hyd_head_m(m, n, sbar - d, q0)) / (2 * d);
        }
        if (n->tailwater.n > 0 && isnan(n->head_m)) {
          double d = fmax(1e-3 * q0, 1e-3);
          double lo = q0 - d > 0 ? q0 - d : 0.0;
          hq = (naryn__hyd_head_m(m, n, sbar, q0 + d) -
                naryn__hyd_head_m(m, n, sbar, lo)) / (q0 + d - lo);
        }
        double cq = kap * h0, cQ = kap * qt0 * hq / k, cs = kap * qt0 * hs * 0.5;
        p->value[p->hpos[at * 6 + 0]] = -(cq + cQ);
        p->value[p->hpos[at * 6 + 1]] = -cQ;
        double rhs_h = -kap * qt0 * hq * q0;
        if (r >= 0) {
          const naryn__node *rn = &m->nodes[r];
          double mn = rn->min_storage_hm3;
          p->value[p->hpos[at * 6 + 2]] = -cs;
          p->value[p->hpos[at * 6 + 3]] = cs;
          if (t > 0) {
            p->value[p->hpos[at * 6 + 4]] = -cs;
            p->value[p->hpos[at * 6 + 5]] = cs;
          } else if (p->nc[r].sin >= 0) {
            p->value[p->hpos[at * 6 + 4]] = -cs;
          }
          rhs_h += -kap * qt0 * hs * sbar + cs * mn +
                   cs * (t > 0 ? mn : p->nc[r].sin >= 0 ? 0.0 : start_storage(p, r));
        }
        p->rowlo[rb + v->hrow] = -INFINITY;
        p->rowup[rb + v->hrow] = rhs_h;
        p->lin_a[at] = rhs_h;
      }
      p->rowlo[rb + v->bal] = p->rowup[rb + v->bal] = rhs;
    }
    for (int q = 0; q < p->nic; q++) {
      const naryn__term *tm = &m->terms[p->ic[q].term];
      double want = tm->target_m3s.v[mt] * k;
      p->rowlo[rb + p->ic[q].row] = want;
      p->rowup[rb + p->ic[q].row] = INFINITY;
      p->collo[cb + p->ic[q].col] = 0;
      p->colup[cb + p->ic[q].col] = want > 0 ? want : 0;
    }
  }
  if (p->stage && p->par) par_bounds(p);
  /* A stage's routed reaches: their rates held at the state. */
  for (int l = 0; p->nroute > 0 && l < m->nlinks; l++)
    for (int j = 0; p->rf[l] >= 0 && j < naryn__opt_route_states(&m->links[l].route); j++) {
      int c = p->route_col + p->rf[l] + j;
      p->collo[c] = p->colup[c] =
          p->route_in ? p->route_in[p->rf[l] + j] : m->links[l].route.initial_flow_m3s;
    }
  if (p->eps_col >= 0) p->collo[p->eps_col] = 0, p->colup[p->eps_col] = INFINITY;
  for (int j = 0; p->theta_col >= 0 && j < p->ntheta; j++)
    p->collo[p->theta_col + j] = p->theta_lo, p->colup[p->theta_col + j] = INFINITY;
  for (int q = 0; q < p->nec; q++) {
    const naryn__node *n = &m->nodes[p->ec[q].node];
    double want = m->terms[p->ec[q].term].end_target_hm3[p->ec[q].node];
    p->rowlo[p->ec[q].row] = want - n->min_storage_hm3;
    p->rowup[p->ec[q].row] = INFINITY;
    p->collo[p->ec[q].col] = 0;
    p->colup[p->ec[q].col] = INFINITY;
  }
}

int naryn__opt_setup(opt *p) {
  size_t tn = (size_t)p->T * (size_t)p->N + 1;
  p->lx = malloc((size_t)(6 * p->L + 1) * sizeof *p->lx);
  p->nc = malloc((size_t)p->N * sizeof *p->nc + 1);
  p->frac = calloc((size_t)p->N + 1, sizeof *p->frac);
  p->ref_s = malloc(4 * tn * sizeof *p->ref_s);
  if (!p->lx || !p->nc || !p->frac || !p->ref_s) return NARYN_ENOMEM;
  p->lv = p->lx + p->L;
  p->lw = p->lv + p->L;
  p->la = p->lw + p->L;
  p->lr = p->la + p->L;
  p->rf = p->lr + p->L;
  p->ref_q = p->ref_s + tn;
  p->ref_qt = p->ref_q + tn;
  p->lin_a = p->ref_qt + tn;
  if (naryn__opt_layout(p) != NARYN_OK || naryn__opt_build(p) != NARYN_OK)
    return NARYN_ENOMEM;
  p->obj = malloc((3 * (size_t)p->ncols + 2 * (size_t)p->nrows + 4) * sizeof *p->obj);
  if (!p->obj) return NARYN_ENOMEM;
  p->collo = p->obj + p->ncols;
  p->colup = p->collo + p->ncols;
  p->rowlo = p->colup + p->ncols;
  p->rowup = p->rowlo + p->nrows;
  return naryn__opt_grids_in(p);
}

void naryn__opt_release(opt *p) {
  naryn__lp_free(p->lp);
  free(p->lx);
  free(p->nc);
  free(p->downstream_planned);
  if (p->frac)
    for (int i = 0; i < p->N; i++) free(p->frac[i]);
  free(p->frac);
  free(p->ic);
  free(p->ec);
  free(p->start);
  free(p->index);
  free(p->value);
  free(p->hpos);
  free(p->epos);
  free(p->obj);
  free(p->ref_s);
  for (int t = 0; p->glp && t < p->T; t++) naryn__grid_lp_free(&p->glp[t]);
  free(p->glp);
  naryn__dispatch_free(p->disp);
  free(p->grid_in);
}
