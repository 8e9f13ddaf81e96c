/*
** opt.c: the perfect-foresight optimisation of a whole horizon.
**
** One LP holds every node and step: the network of the simulation (link
** bounds and losses, storage between its limits, evaporation, turbine
** limits, return flows) without its operating rules, and an objective made
** of the model's terms (energy value, shortage, shortfall, spill and end
** storage penalties). Variables are volumes in hm3 over a step, laid out
** step by step: step t's columns are t * ncs + offset. For a reservoir the
** storage at the end of step t is min_storage + y_t - u_t, where u is
** drawdown below the dead storage that only evaporation may cause.
**
** Two relations are non-linear and are linearised around a reference plan
** (the previous pass's, or the initial storage for the first):
**
**   energy      E <= k (H0 qt + qt0 (dH/dS (S - S0) + dH/dQ (Q - Q0)))
**               with E also capped by the installed capacity, where S is
**               the mean storage over the step and Q the plant discharge;
**   evaporation ev = e0 + de/dS (S - S0), from the area table.
**
** Each pass reloads the coefficients and re-solves from the last basis.
** After the first pass, storage may move only within a trust region
** around the reference; a pass is accepted when its plan, evaluated with
** the exact head, is worth at least as much as the reference, and the
** region shrinks when it is not. The passes end when the exact energy and
** the objective change by less than the tolerance.
**
** A model with grids adds, in every step, each grid's energy balance with
** its thermal plants, lines, markets and unserved energy (grid/grid_lp.c,
** the mapping the simulation's dispatch uses); each plant's energy column
** feeds the balance of its country's grid. A grid term's value is the
** cost the hydropower saves, so its coefficients are the grid columns'
** costs. The exact value of a plan dispatches the grids step by step with
** the plan's exact energy (grid/dispatch.c), as a simulation does. When
** only a coalition plans (naryn__hold), the lines between its grids and
** the others' carry nothing, and only its grids count.
**
** Link bounds are elastic at a prohibitive cost, as in the simulation, so
** that an infeasible model yields a plan that shows which bounds must give
** way, where and by how much; it is then reported in those terms.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../naryn_int.h"

/* Penalties in LP units, where the largest objective coefficient of the
** model's terms is scaled to OBJ_TOP. */
#define OBJ_TOP 1e3
#define W_ELASTIC 1e6
#define W_DEAD 1e5
#define ELASTIC_TOL_HM3 1e-6
/* A held action given up (naryn__hold), per hm3: above the worth of any
** term, below the link bounds that are physically firmer. */
#define W_HOLD 1e5
/* What a node nobody in the plan values earns per hm3 it takes: just
** enough that it takes what reaches it and the plan would not otherwise
** use, far too little to make the plan release water for it. */
#define W_TAKE 1e-2
/* Currency a pareto plan pays per unit of currency its constrained term
** falls short of the level: far above the worth of any other term. */
#define EPS_PENALTY 100.0
/* Energy in GWh of one hm3 falling one metre at efficiency one. */
#define GWH_PER_HM3_M (NARYN__RHO_G * 1e6 / 3.6e12)

/* Columns and rows of a node within a step; -1 where absent. */
typedef struct ncols {
  int bal;
  int y, u, ev, erow, urow;     /* reservoir */
  int seg, nseg;                /* demand: delivery segments */
  int mf, mrow;                 /* min_flow */
  int qt, qs, e, srow, hrow;    /* hydropower */
  int head_res;                 /* reservoir whose storage sets the head */
  int hc, hr;                   /* held node: its give-way columns and row */
  int sc, sr;                   /* held node with several outlets: the
                                ** give-way columns (2 per row) and rows of
                                ** its shares, one per outlet but the last */
} ncols;

/* An inflow target: a shortfall column and its row in every step. */
typedef struct icon {
  int term, node, col, row;
} icon;

/* End storage below a target: one column and row after the steps. */
typedef struct econ {
  int term, node, col, row;
} econ;

typedef struct opt {
  const naryn_model *m;
  const naryn_opt_opts *o;
  naryn_diags *d;
  const double *weights;        /* per term */
  const naryn__hold *hold;      /* or NULL: every node is planned */
  unsigned char *downstream_planned; /* [N]: some planned node is below it */
  int T, N, L;
  int ncs, nrs;                 /* columns and rows per step */
  int *lx, *lv, *lw;            /* link columns (offsets) */
  int *la, *lr;                 /* Muskingum link: arrival column and its row,
                                ** else -1 */
  ncols *nc;
  double **frac;                /* demand segment bounds, nseg + 1 each */
  icon *ic;
  int nic;
  econ *ec;
  int nec;
  int eps_row;                  /* row of the epsilon constraint, or -1 */
  int eps_col;                  /* how far the term falls short of it */
  int ncols, nrows;
  /* The matrix, column-major, with the positions of the coefficients
  ** that each pass changes. */
  int *start, *index;
  double *value;
  int *hpos;                    /* [t][plant] 6 positions: qt qs yt ut yp up */
  int *epos;                    /* [t][reservoir] 4 positions: yt ut yp up */
  double *obj, *collo, *colup, *rowlo, *rowup;
  double scale;                 /* currency per LP objective unit */
  naryn__lp *lp;
  /* The reference plan of the current linearisation. */
  double *ref_s;                /* [t * N + i] end storage, hm3 */
  double *ref_q;                /* [t * N + i] plant discharge, m3/s */
  double *ref_qt;               /* [t * N + i] turbined, hm3 */
  double *lin_a;                /* [t * N + i] per plant: constant of lin. */
  double rho;                   /* trust region, fraction of active storage */
  long iterations;
  int solves;
  /* Epsilon constraint (pareto): a term held at least as good as level. */
  int eps_term;
  double eps_level;
  /* Grids: each step's rows and columns, the dispatch that values a plan
  ** exactly, and which grids and lines the planners have. */
  naryn__grid_lp *glp;          /* [T], NULL without grids */
  naryn__dispatch *disp;
  unsigned char *grid_in;       /* [ngrids]: its country plans */
  unsigned char *line_open;     /* [nlines]: both its grids are in */
} opt;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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
static int planned(const opt *p, int i) {
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
      if (queue[k] != j && planned(p, queue[k])) p->downstream_planned[j] = 1;
  }
  free(queue);
  free(below);
  return NARYN_OK;
}

static int layout(opt *p) {
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
      if (!planned(p, i)) v->hc = c, c += 2, v->hr = r++;
      break;
    case NARYN_NODE_DEMAND:
      v->nseg = demand_segments(p, i);
      if (v->nseg < 0) return NARYN_ENOMEM;
      v->seg = c;
      c += v->nseg;
      /* A held demand with a planned node downstream of it keeps its
      ** delivery (a shortfall is what it could not take); one wholly
      ** downstream of the planners takes what reaches it. */
      if (!planned(p, i) && p->downstream_planned[i]) v->hc = c++, v->hr = r++;
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
    if (!planned(p, i) && n->n_out >= 2) {
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
  int nec = 0;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_END_STORAGE)
      for (int i = 0; i < m->nnodes; i++) nec += m->terms[k].node_on[i] && p->nc[i].y >= 0;
  p->ec = calloc((size_t)nec + 1, sizeof *p->ec);
  if (!p->ec) return NARYN_ENOMEM;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_END_STORAGE)
      for (int i = 0; i < m->nnodes; i++)
        if (m->terms[k].node_on[i] && p->nc[i].y >= 0)
          p->ec[p->nec++] = (econ){k, i, p->ncols++, p->nrows++};
  p->eps_row = p->eps_term >= 0 ? p->nrows++ : -1;
  p->eps_col = p->eps_term >= 0 ? p->ncols++ : -1;
  return NARYN_OK;
}

/* ====================================================================== */
/* The matrix                                                              */
/* ====================================================================== */

/* Fills the term's coefficient on every column into c (currency per unit
** of the column, unweighted; positive for more of the term) and returns
** the constant part, so that the term's value is constant + c'x. */
static double term_coefs(const opt *p, int k, double *c) {
  const naryn_model *m = p->m;
  const naryn__term *tm = &m->terms[k];
  double constant = 0.0;
  for (int t = 0; t < p->T; t++) {
    int base = t * p->ncs;
    if (tm->kind == NARYN__TERM_END_STORAGE) break;
    if (!tm->step_on[t]) continue;
    if (tm->kind == NARYN__TERM_GRID) {
      /* The cost without hydropower less the cost of the step's columns. */
      for (int g = 0; g < m->ngrids; g++) {
        if (!tm->grid_on[g] || !p->grid_in[g]) continue;
        constant += naryn__dispatch_cost0(p->disp, t, g);
        naryn__grid_lp_cost_coefs(&p->glp[t], m, t, g, -1.0, c);
      }
      continue;
    }
    for (int i = 0; i < m->nnodes; i++) {
      if (!tm->node_on[i] || !planned(p, i)) continue;
      const naryn__node *n = &m->nodes[i];
      const ncols *v = &p->nc[i];
      double price = naryn__term_price(m, tm, i, t);
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
          constant += marg * (hi - lo) * n->demand_hm3.v[t];
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
      if (p->ec[q].term == k && planned(p, p->ec[q].node))
        c[p->ec[q].col] += naryn__term_price(m, tm, p->ec[q].node, p->T - 1);
  return constant;
}

/* Sets the objective from the weighted terms and the penalties. */
static int set_objective(opt *p) {
  const naryn_model *m = p->m;
  double *c = calloc((size_t)p->ncols + 1, sizeof *c);
  if (!c) return NARYN_ENOMEM;
  memset(p->obj, 0, (size_t)p->ncols * sizeof *p->obj);
  /* The grids' bounds, which no pass changes; their costs come from the
  ** grid terms. */
  for (int t = 0; p->glp && t < p->T; t++) {
    naryn__grid_lp_set_step(&p->glp[t], m, t, NULL, 0.0, p->collo, p->colup,
                            p->rowlo, p->rowup, p->obj);
    for (int l = 0; l < m->nlines; l++)
      if (!p->line_open[l])
        p->colup[p->glp[t].line[2 * l]] = p->colup[p->glp[t].line[2 * l + 1]] = 0.0;
  }
  for (int k = 0; k < m->nterms; k++) {
    double w = p->weights[k];
    if (w == 0) continue;
    memset(c, 0, (size_t)p->ncols * sizeof *c);
    term_coefs(p, k, c);
    double sign = NARYN__TERM_BENEFIT(m->terms[k].kind) ? -1.0 : 1.0;
    for (int j = 0; j < p->ncols; j++) p->obj[j] += sign * w * c[j];
  }
  double top = 0.0;
  for (int j = 0; j < p->ncols; j++)
    if (fabs(p->obj[j]) > top) top = fabs(p->obj[j]);
  p->scale = top > 0 ? top / OBJ_TOP : 1.0;
  for (int j = 0; j < p->ncols; j++) p->obj[j] /= p->scale;
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
      for (int s = 0; !planned(p, i) && v->seg >= 0 && s < v->nseg; s++)
        p->obj[base + v->seg + s] -= W_TAKE;
      for (int k = 0; v->sc >= 0 && k < 2 * (m->nodes[i].n_out - 1); k++)
        p->obj[base + v->sc + k] += W_HOLD;
    }
  }
  /* The epsilon row holds the constrained term's coefficients. */
  int rc = NARYN_OK;
  if (p->eps_row >= 0) {
    memset(c, 0, (size_t)p->ncols * sizeof *c);
    double k0 = term_coefs(p, p->eps_term, c);
    int benefit = NARYN__TERM_BENEFIT(m->terms[p->eps_term].kind);
    /* Its entries were laid out by build() from the same coefficients.
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
static double lag_coef(const naryn_model *m, int l, int from, int t) {
  const naryn__link *ln = &m->links[l];
  return (1.0 - ln->loss_fraction) * naryn__route_lag_share(&ln->route, t - from) *
         m->step_s[t] / m->step_s[from];
}

/* A held action, with NaN (a node that took no part) read as zero. */
static double held_at(const double *v, size_t at) {
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
    rc = naryn__grid_lp_add(&p->glp[t], m, t, &hydro, 0.0, tr, &p->nrows,
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
static int grids_in(opt *p) {
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

/* Builds the matrix with every coefficient that a pass may change in
** place, and lays out bounds that do not depend on the reference. */
static int build(opt *p) {
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
              ADD_LINK_AT(bal, l, lag_coef(m, l, t - d, t), (t - d) * p->ncs);
        } else if (ln->route.kind == NARYN__ROUTE_MUSKINGUM) {
          ADD(bal, cb + p->la[l], 1.0);
        } else {
          ADD_LINK(bal, l, 1.0 - ln->loss_fraction);
        }
      }
      for (int k = 0; k < n->n_out; k++) ADD_LINK(bal, n->out[k], -1.0);
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
        }
        int er = rb + v->erow;
        ADD(er, cb + v->ev, 1.0);
        ADDV(eidx[at * 4 + 0], er, cb + v->y);
        ADDV(eidx[at * 4 + 1], er, cb + v->u);
        if (t > 0) {
          ADDV(eidx[at * 4 + 2], er, pb + v->y);
          ADDV(eidx[at * 4 + 3], er, pb + v->u);
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
          total += held_at(p->hold->link_hm3, (size_t)t * m->nlinks + n->out[k]);
        for (int k = 0; k + 1 < n->n_out; k++) {
          int row = rb + v->sr + k;
          if (total > 0) {
            double f = held_at(p->hold->link_hm3, (size_t)t * m->nlinks + n->out[k]) / total;
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
        ADDV(hidx[at * 6 + 0], hr, cb + v->qt);
        ADDV(hidx[at * 6 + 1], hr, cb + v->qs);
        if (v->head_res >= 0) {
          const ncols *rv = &p->nc[v->head_res];
          ADDV(hidx[at * 6 + 2], hr, cb + rv->y);
          ADDV(hidx[at * 6 + 3], hr, cb + rv->u);
          if (t > 0) {
            ADDV(hidx[at * 6 + 4], hr, pb + rv->y);
            ADDV(hidx[at * 6 + 5], hr, pb + rv->u);
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
    term_coefs(p, p->eps_term, eps_c);
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
static double ref_start(const opt *p, int t, int i) {
  return t == 0 ? p->m->nodes[i].initial_storage_hm3
                : p->ref_s[(size_t)(t - 1) * p->N + i];
}

/* Sets every bound, right-hand side and changing coefficient from the
** model and the reference plan. */
static void linearise(opt *p) {
  const naryn_model *m = p->m;
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs, rb = t * p->nrs;
    double k = m->step_s[t] * 1e-6;
    for (int l = 0; l < m->nlinks; l++) {
      const naryn__link *ln = &m->links[l];
      int c = cb + p->lx[l];
      p->collo[c] = ln->min_flow_m3s.v ? ln->min_flow_m3s.v[t] * k : 0.0;
      p->colup[c] = ln->max_flow_m3s.v ? ln->max_flow_m3s.v[t] * k : INFINITY;
      if (p->lv[l] >= 0) p->collo[cb + p->lv[l]] = 0, p->colup[cb + p->lv[l]] = p->collo[c];
      if (p->lw[l] >= 0) p->collo[cb + p->lw[l]] = 0, p->colup[cb + p->lw[l]] = INFINITY;
      if (p->la[l] >= 0) {
        const naryn__route *rt = &ln->route;
        int row = t * p->nrs + p->lr[l];
        p->collo[cb + p->la[l]] = 0.0;
        p->colup[cb + p->la[l]] = INFINITY;
        p->rowlo[row] = p->rowup[row] =
            t == 0 ? (rt->c1 + rt->c2) * rt->initial_flow_m3s * k : 0.0;
      }
    }
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      const ncols *v = &p->nc[i];
      if (v->bal < 0) continue;
      size_t at = (size_t)t * p->N + i;
      double rhs = 0.0;
      if (n->type == NARYN_NODE_INFLOW && n->enabled) rhs -= n->inflow_m3s.v[t] * k;
      /* A lag's initial flow arrives in its first steps. */
      for (int j = 0; j < n->n_in; j++) {
        const naryn__route *rt = &m->links[n->in[j]].route;
        if (rt->kind == NARYN__ROUTE_LAG)
          rhs -= naryn__route_lag_before(rt, t) * rt->initial_flow_m3s * k;
      }
      if (v->y >= 0) {
        double cap = n->max_storage_hm3 - n->min_storage_hm3;
        double s0 = n->initial_storage_hm3, mn = n->min_storage_hm3;
        double prev = t > 0 ? mn : s0;
        if (t == 0) rhs += mn - s0;
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
        double sbar = 0.5 * (ref_start(p, t, i) + p->ref_s[at]);
        double e0 = naryn__hyd_evaporation_hm3(n, t, sbar);
        double h = fmax(1e-3 * cap, 1e-6);
        double es = (naryn__hyd_evaporation_hm3(n, t, sbar + h) -
                     naryn__hyd_evaporation_hm3(n, t, sbar - h)) / (2 * h);
        double a = 0.5 * es;
        p->value[p->epos[at * 4 + 0]] = -a;
        p->value[p->epos[at * 4 + 1]] = a;
        if (t > 0) {
          p->value[p->epos[at * 4 + 2]] = -a;
          p->value[p->epos[at * 4 + 3]] = a;
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
              (p->frac[i][s + 1] - p->frac[i][s]) * n->demand_hm3.v[t];
        }
      if (v->hr >= 0) {
        double held = v->y >= 0 ? held_at(p->hold->storage_hm3, at) - n->min_storage_hm3
                                : held_at(p->hold->delivered_hm3, at);
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
        double want = n->min_flow_m3s.v[t] * k;
        p->rowlo[rb + v->mrow] = want, p->rowup[rb + v->mrow] = INFINITY;
        p->collo[cb + v->mf] = 0, p->colup[cb + v->mf] = want;
      }
      if (v->qt >= 0) {
        p->rowlo[rb + v->srow] = p->rowup[rb + v->srow] = 0.0;
        p->collo[cb + v->qt] = 0, p->colup[cb + v->qt] = n->max_turbine_flow_m3s * k;
        p->collo[cb + v->qs] = 0, p->colup[cb + v->qs] = INFINITY;
        p->collo[cb + v->e] = 0;
        p->colup[cb + v->e] = n->capacity_mw * m->step_s[t] / 3600.0 * 1e-3;
        /* Energy, linear in turbined flow, storage and discharge. */
        double kap = GWH_PER_HM3_M * n->efficiency;
        int r = v->head_res;
        double sbar = r >= 0 ? 0.5 * (ref_start(p, t, r) + p->ref_s[(size_t)t * p->N + r]) : 0.0;
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
          }
          rhs_h += -kap * qt0 * hs * sbar + cs * mn +
                   cs * (t > 0 ? mn : rn->initial_storage_hm3);
        }
        p->rowlo[rb + v->hrow] = -INFINITY;
        p->rowup[rb + v->hrow] = rhs_h;
        p->lin_a[at] = rhs_h;
      }
      p->rowlo[rb + v->bal] = p->rowup[rb + v->bal] = rhs;
    }
    for (int q = 0; q < p->nic; q++) {
      const naryn__term *tm = &m->terms[p->ic[q].term];
      double want = tm->target_m3s.v[t] * k;
      p->rowlo[rb + p->ic[q].row] = want;
      p->rowup[rb + p->ic[q].row] = INFINITY;
      p->collo[cb + p->ic[q].col] = 0;
      p->colup[cb + p->ic[q].col] = want > 0 ? want : 0;
    }
  }
  if (p->eps_col >= 0) p->collo[p->eps_col] = 0, p->colup[p->eps_col] = INFINITY;
  for (int q = 0; q < p->nec; q++) {
    const naryn__node *n = &m->nodes[p->ec[q].node];
    double want = m->terms[p->ec[q].term].end_target_hm3[p->ec[q].node];
    p->rowlo[p->ec[q].row] = want - n->min_storage_hm3;
    p->rowup[p->ec[q].row] = INFINITY;
    p->collo[p->ec[q].col] = 0;
    p->colup[p->ec[q].col] = INFINITY;
  }
}

/* ====================================================================== */
/* From the LP's solution to a result                                      */
/* ====================================================================== */

static double lflow(const opt *p, const double *x, int t, int l) {
  int cb = t * p->ncs;
  double f = x[cb + p->lx[l]];
  if (p->lv[l] >= 0) f -= x[cb + p->lv[l]];
  if (p->lw[l] >= 0) f += x[cb + p->lw[l]];
  return f;
}

static double storage_of(const opt *p, const double *x, int t, int i) {
  const ncols *v = &p->nc[i];
  int cb = t * p->ncs;
  return p->m->nodes[i].min_storage_hm3 + x[cb + v->y] - x[cb + v->u];
}

/* Records the LP's plan in r, with head, energy and the split between
** turbines and spill recomputed exactly, and the linearised energy of
** every plant-step. */
static void record(opt *p, const double *x, naryn_result *r) {
  const naryn_model *m = p->m;
  r->transit_hm3 = 0.0;
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs;
    for (int l = 0; l < m->nlinks; l++) {
      double f = lflow(p, x, t, l);
      NARYN__LINK_FLOW(r, t, l) = f;
      NARYN__LINK_LOSS(r, t, l) = f * m->links[l].loss_fraction;
      const naryn__link *ln = &m->links[l];
      if (!ln->route.kind) continue;
      double k = m->step_s[t] * 1e-6, arrived;
      if (ln->route.kind == NARYN__ROUTE_MUSKINGUM) {
        arrived = x[cb + p->la[l]];
      } else {
        arrived = naryn__route_lag_before(&ln->route, t) * ln->route.initial_flow_m3s * k;
        for (int d = 0; d <= naryn__route_lag_reach(&ln->route) && d <= t; d++)
          arrived += lag_coef(m, l, t - d, t) * lflow(p, x, t - d, l);
      }
      NARYN__LINK_ARRIVAL(r, t, l) = arrived;
      r->transit_hm3 += (1.0 - ln->loss_fraction) * f - arrived;
    }
    for (int i = 0; i < m->nnodes; i++) {
      const ncols *v = &p->nc[i];
      if (v->y >= 0) {
        NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3) = storage_of(p, x, t, i);
        NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3) = x[cb + v->ev];
      }
      if (v->seg >= 0) {
        double got = 0.0;
        for (int s = 0; s < v->nseg; s++) got += x[cb + v->seg + s];
        NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3) = got;
      }
      if (v->qt >= 0 && planned(p, i)) {
        NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3) = x[cb + v->qt];
        NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3) = x[cb + v->qs];
      } else if (v->qt >= 0) {
        /* A plant nobody in the plan values turbines what it can: all
        ** that passes, less what the clip below finds over its limit. */
        NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3) = x[cb + v->qt] + x[cb + v->qs];
        NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3) = 0.0;
      }
    }
    /* The LP's turbine flow may pass the flow that reaches the installed
    ** capacity at the exact head; the rest is spill. */
    naryn__result_derive_step(r, t, 1);
    for (int i = 0; i < m->nnodes; i++) {
      const ncols *v = &p->nc[i];
      if (v->qt < 0) continue;
      /* The linearised energy at this plan: the head row's right side
      ** less its other terms, capped by the installed capacity. */
      size_t at = (size_t)t * p->N + i;
      const ncols *hv = v->head_res >= 0 ? &p->nc[v->head_res] : NULL;
      const int col[6] = {cb + v->qt, cb + v->qs,
                          hv ? cb + hv->y : -1, hv ? cb + hv->u : -1,
                          hv && t > 0 ? cb - p->ncs + hv->y : -1,
                          hv && t > 0 ? cb - p->ncs + hv->u : -1};
      double lin = p->lin_a[at];
      for (int q = 0; q < 6; q++)
        if (p->hpos[at * 6 + q] >= 0)
          lin -= p->value[p->hpos[at * 6 + q]] * x[col[q]];
      double capg = m->nodes[i].capacity_mw * m->step_s[t] / 3600.0 * 1e-3;
      r->energy_lin[at] = lin > capg ? capg : (lin < 0 ? 0 : lin);
    }
  }
}

/* Held actions the plan gave up, hm3 (0 without a hold). */
static double hold_broken(const opt *p, const double *x) {
  double sum = 0.0;
  for (int t = 0; p->hold && t < p->T; t++)
    for (int i = 0; i < p->N; i++) {
      const ncols *v = &p->nc[i];
      if (v->hc >= 0) sum += x[t * p->ncs + v->hc];
      if (v->hc >= 0 && v->y >= 0) sum += x[t * p->ncs + v->hc + 1];
      for (int k = 0; v->sc >= 0 && k < 2 * (p->m->nodes[i].n_out - 1); k++)
        sum += x[t * p->ncs + v->sc + k];
    }
  return sum;
}

/* Copies the reference plan from the LP's solution. */
static void take_reference(opt *p, const double *x) {
  const naryn_model *m = p->m;
  for (int t = 0; t < p->T; t++) {
    int cb = t * p->ncs;
    double k = m->step_s[t] * 1e-6;
    for (int i = 0; i < m->nnodes; i++) {
      const ncols *v = &p->nc[i];
      size_t at = (size_t)t * p->N + i;
      if (v->y >= 0) p->ref_s[at] = storage_of(p, x, t, i);
      if (v->qt >= 0) {
        p->ref_qt[at] = x[cb + v->qt];
        p->ref_q[at] = (x[cb + v->qt] + x[cb + v->qs]) / k;
      }
    }
  }
}

/* Sum over reservoirs and steps of the gap between the evaporation the LP
** used and the evaporation of the plan's own mean storage, hm3; the largest
** single gap goes into *largest. */
static double evaporation_gap(const naryn_model *m, const naryn_result *r,
                              double *largest) {
  double g = 0.0;
  *largest = 0.0;
  for (int t = 0; t < m->nsteps; t++)
    for (int i = 0; i < m->nnodes; i++) {
      double s1 = NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3);
      if (isnan(s1)) continue;
      double s0 = naryn__result_start_storage(r, t, i);
      double gap = fabs(naryn__hyd_evaporation_hm3(&m->nodes[i], t, 0.5 * (s0 + s1)) -
                        NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3));
      g += gap;
      if (gap > *largest) *largest = gap;
    }
  return g;
}

/* How far the plan's constrained term falls short of the epsilon level,
** in currency (0 without one). */
static double eps_shortfall(const opt *p, const naryn_result *r) {
  if (p->eps_term < 0) return 0.0;
  double v = naryn__term_value(r, p->eps_term, NULL, NULL);
  double miss = NARYN__TERM_BENEFIT(p->m->terms[p->eps_term].kind)
                    ? p->eps_level - v : v - p->eps_level;
  return miss > 0 ? miss : 0.0;
}

/* Sum over nodes and steps of the size of a quantity. */
static double total_of(const naryn_result *r, naryn_quantity q) {
  double sum = 0.0;
  for (int t = 0; t < r->nsteps; t++)
    for (int i = 0; i < r->nnodes; i++) {
      double v = NARYN__Q(r, t, i, q);
      if (!isnan(v)) sum += fabs(v);
    }
  return sum;
}

/* ====================================================================== */
/* Infeasible models                                                       */
/* ====================================================================== */

static const char *const month_names[] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};

/* A step as "January 2031" (monthly), "2031-01-15" (daily) or "the step
** from 2031-01-15 to 2031-01-21" (N days). */
static const char *when(const naryn_model *m, int t, char *buf, size_t size) {
  if (m->step_days > 1) {
    int y, mo, dd;
    naryn__date_ymd(m->step_day[t] + (long)(m->step_s[t] / 86400.0 + 0.5) - 1, &y, &mo, &dd);
    snprintf(buf, size, "the step from %s to %04d-%02d-%02d", m->step_date[t], y, mo, dd);
  } else if (m->daily)
    snprintf(buf, size, "%s", m->step_date[t]);
  else
    snprintf(buf, size, "%s %.4s", month_names[m->step_month[t] - 1],
             m->step_date[t]);
  return buf;
}

/* Reports every link whose bound the plan had to break: the first step
** and by how much, and how many other steps. Returns 1 when any. */
static int explain(opt *p, const double *x) {
  const naryn_model *m = p->m;
  int found = 0;
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    for (int kind = 0; kind < 2; kind++) {
      int off = kind == 0 ? p->lv[l] : p->lw[l];
      if (off < 0) continue;
      int first = -1, count = 0, last = -1;
      for (int t = 0; t < p->T; t++)
        if (x[t * p->ncs + off] > ELASTIC_TOL_HM3) {
          if (first < 0) first = t;
          last = t;
          count++;
        }
      if (first < 0) continue;
      found = 1;
      int t = first;
      double k = m->step_s[t] * 1e-6, gap = x[t * p->ncs + off];
      double flow = lflow(p, x, t, l) / k;
      const naryn__node *from = &m->nodes[ln->from];
      char w[256], date[48], more[96] = "", lastd[48];
      if (count > 1)
        snprintf(more, sizeof more, "; the same in %d more step%s, up to %s",
                 count - 1, count > 2 ? "s" : "", when(m, last, lastd, sizeof lastd));
      const char *field = kind == 0 ? "min_flow_m3s" : "max_flow_m3s";
      const naryn__doc *at = naryn__field_pos(ln->doc, field);
      if (kind == 0)
        naryn__diag(p->d, NARYN_EINFEAS, NARYN_SEV_ERROR, at->file, at->line,
                    at->col, naryn__link_where(ln, field, w, sizeof w),
                    "%s, %s: the minimum of %g m3/s cannot be met; %s %s "
                    "\"%s\" allow%s at most %g m3/s this way (%g m3/s or %g "
                    "hm3 short)%s",
                    from->name, when(m, t, date, sizeof date),
                    ln->min_flow_m3s.v[t],
                    from->type == NARYN_NODE_RESERVOIR && from->enabled
                        ? "the inflow and storage of" : "the water reaching",
                    naryn_node_type_name(from->type), from->name,
                    from->type == NARYN_NODE_RESERVOIR && from->enabled ? "" : "s",
                    flow, gap / k, gap, more);
      else
        naryn__diag(p->d, NARYN_EINFEAS, NARYN_SEV_ERROR, at->file, at->line,
                    at->col, naryn__link_where(ln, field, w, sizeof w),
                    "%s, %s: the maximum of %g m3/s cannot hold; %g m3/s must "
                    "leave %s \"%s\" this way, with nowhere else to go (%g "
                    "m3/s or %g hm3 too much)%s",
                    from->name, when(m, t, date, sizeof date),
                    ln->max_flow_m3s.v[t], flow, naryn_node_type_name(from->type),
                    from->name, gap / k, gap, more);
    }
  }
  /* Drawdown below the dead storage beyond what evaporation takes is a
  ** broken storage limit. */
  for (int i = 0; i < m->nnodes && !found; i++) {
    const ncols *v = &p->nc[i];
    if (v->u < 0) continue;
    for (int t = 0; t < p->T; t++) {
      double u = x[t * p->ncs + v->u];
      double prev = t > 0 ? x[(t - 1) * p->ncs + v->u] : 0.0;
      double ev = x[t * p->ncs + v->ev];
      if (u - prev - (ev > 0 ? ev : 0) > ELASTIC_TOL_HM3) {
        const naryn__node *n = &m->nodes[i];
        const naryn__doc *at = naryn__field_pos(n->doc, "min_storage_hm3");
        char w[256], date[48];
        naryn__diag(p->d, NARYN_EINFEAS, NARYN_SEV_ERROR, at->file, at->line,
                    at->col, naryn__node_where(n, "min_storage_hm3", w, sizeof w),
                    "%s, %s: storage would have to fall %g hm3 below its "
                    "minimum of %g hm3",
                    n->name, when(m, t, date, sizeof date), u,
                    n->min_storage_hm3);
        found = 1;
        break;
      }
    }
  }
  return found;
}

/* ====================================================================== */
/* The passes                                                              */
/* ====================================================================== */

void naryn_opt_opts_init(naryn_opt_opts *o) {
  o->max_passes = 30;
  o->tolerance = 1e-4;
  o->balance_tolerance = 1e-6;
  o->write_lp = NULL;
  o->progress = NULL;
  o->progress_user = NULL;
}

/* Tells the caller's progress callback, if any, that 'done' passes are
** finished; 'settled' when the last of them settled the plan. */
static void report_progress(const naryn_opt_opts *o, int done, int settled) {
  if (!o->progress) return;
  int bound = !settled && done < o->max_passes;
  naryn_progress p = {.phase = "optimise", .done = done,
                      .total = bound ? o->max_passes : done,
                      .total_is_bound = bound};
  o->progress(o->progress_user, &p);
}

static void opt_free(opt *p) {
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

/* The mean outside inflow (m3/s) of everything upstream of each plant:
** the flow a plant would pass if nothing were stored or taken. */
static int natural_flows(const opt *p, double *q) {
  const naryn_model *m = p->m;
  int *stack = malloc(((size_t)m->nnodes + 1) * sizeof *stack);
  unsigned char *seen = malloc((size_t)m->nnodes + 1);
  if (!stack || !seen) {
    free(stack), free(seen);
    return NARYN_ENOMEM;
  }
  for (int i = 0; i < m->nnodes; i++) {
    if (p->nc[i].qt < 0) continue;
    memset(seen, 0, (size_t)m->nnodes);
    int top = 0;
    stack[top++] = i;
    seen[i] = 1;
    while (top > 0) {
      const naryn__node *n = &m->nodes[stack[--top]];
      if (n->type == NARYN_NODE_INFLOW && n->enabled) {
        double sum = 0.0;
        for (int t = 0; t < m->nsteps; t++) sum += n->inflow_m3s.v[t];
        q[i] += sum / m->nsteps;
      }
      for (int k = 0; k < n->n_in; k++) {
        int from = m->links[n->in[k]].from;
        if (!seen[from]) seen[from] = 1, stack[top++] = from;
      }
    }
  }
  free(stack);
  free(seen);
  return NARYN_OK;
}

static naryn_result *new_result(const naryn_model *m) {
  naryn_result *r = naryn__result_new(m);
  if (!r) return NULL;
  size_t n = (size_t)m->nsteps * (size_t)m->nnodes + 1;
  r->optimised = 1;
  r->water_value = malloc(n * sizeof *r->water_value);
  r->energy_lin = malloc(n * sizeof *r->energy_lin);
  if (!r->water_value || !r->energy_lin) {
    naryn_result_free(r);
    return NULL;
  }
  for (size_t q = 0; q < n; q++) r->water_value[q] = r->energy_lin[q] = NAN;
  return r;
}

/* Optimises with the given weights and, when eps_term >= 0, that term held
** at least as good as eps_level. */
int naryn__optimise(const naryn_model *m, const naryn_opt_opts *o,
                    const double *weights, int eps_term, double eps_level,
                    const naryn_result *start, const naryn__hold *hold,
                    naryn_result **out, naryn_diags *d) {
  naryn_opt_opts defaults;
  if (!o) {
    naryn_opt_opts_init(&defaults);
    o = &defaults;
  }
  *out = NULL;
  /* A run started while an interruption stands stops at once; then the
  ** check comes between passes, and CLP stops within a pass. */
  if (naryn_interrupted()) return naryn__interrupted(d);
  report_progress(o, 0, 0);
  double t0 = now_s();
  opt p = {.m = m, .o = o, .d = d, .weights = weights, .hold = hold,
           .T = m->nsteps,
           .N = m->nnodes, .L = m->nlinks, .eps_term = eps_term,
           .eps_level = eps_level, .rho = 1.0};
  naryn_result *best = NULL, *cand = NULL;
  double *duals = NULL, *saved = NULL;
  int rc = NARYN_ENOMEM, loaded_best = 0;
  size_t tn = (size_t)p.T * (size_t)p.N + 1;
  p.lx = malloc((size_t)(5 * p.L + 1) * sizeof *p.lx);
  p.nc = malloc((size_t)p.N * sizeof *p.nc + 1);
  p.frac = calloc((size_t)p.N + 1, sizeof *p.frac);
  p.ref_s = malloc(4 * tn * sizeof *p.ref_s);
  if (!p.lx || !p.nc || !p.frac || !p.ref_s) goto oom;
  p.lv = p.lx + p.L;
  p.lw = p.lv + p.L;
  p.la = p.lw + p.L;
  p.lr = p.la + p.L;
  p.ref_q = p.ref_s + tn;
  p.ref_qt = p.ref_q + tn;
  p.lin_a = p.ref_qt + tn;
  if (layout(&p) != NARYN_OK || build(&p) != NARYN_OK) goto oom;
  p.obj = malloc((3 * (size_t)p.ncols + 2 * (size_t)p.nrows + 4) * sizeof *p.obj);
  if (!p.obj) goto oom;
  p.collo = p.obj + p.ncols;
  p.colup = p.collo + p.ncols;
  p.rowlo = p.colup + p.ncols;
  p.rowup = p.rowlo + p.nrows;
  best = new_result(m);
  cand = new_result(m);
  if (!best || !cand || grids_in(&p) != NARYN_OK) goto oom;
  if (m->ngrids > 0) {
    if ((rc = naryn__dispatch_new(m, best, &p.disp, d)) != NARYN_OK) goto fail;
    if (naryn__dispatch_room(m, cand) != NARYN_OK) goto oom;
    naryn__dispatch_open_lines(p.disp, p.line_open);
  }
  if (set_objective(&p) != NARYN_OK) goto oom;
  /* The first reference: every reservoir holds its initial storage and
  ** every plant passes the mean natural flow from upstream, so that the
  ** first pass already sees what storage is worth to the head. */
  double *natural = calloc((size_t)p.N + 1, sizeof *natural);
  if (!natural || natural_flows(&p, natural) != NARYN_OK) {
    free(natural);
    goto oom;
  }
  for (int t = 0; t < p.T; t++)
    for (int i = 0; i < p.N; i++) {
      const naryn__node *n = &m->nodes[i];
      size_t at = (size_t)t * p.N + i;
      double s = n->initial_storage_hm3;
      if (s < n->min_storage_hm3) s = n->min_storage_hm3;
      if (s > n->max_storage_hm3) s = n->max_storage_hm3;
      p.ref_s[at] = s;
      p.ref_q[at] = p.ref_qt[at] = 0.0;
      if (p.nc[i].qt >= 0) {
        double q = natural[i], k = m->step_s[t] * 1e-6;
        p.ref_q[at] = q;
        p.ref_qt[at] = (q < n->max_turbine_flow_m3s ? q : n->max_turbine_flow_m3s) * k;
      }
      if (start && p.nc[i].y >= 0)
        p.ref_s[at] = NARYN__Q(start, t, i, NARYN_Q_STORAGE_END_HM3);
      if (p.nc[i].hc >= 0 && p.nc[i].y >= 0)
        p.ref_s[at] = held_at(hold->storage_hm3, at);
      if (start && p.nc[i].qt >= 0) {
        double tu = NARYN__Q(start, t, i, NARYN_Q_TURBINED_HM3);
        double sp = NARYN__Q(start, t, i, NARYN_Q_SPILL_HM3);
        p.ref_qt[at] = tu;
        p.ref_q[at] = (tu + sp) / (m->step_s[t] * 1e-6);
      }
    }
  free(natural);
  linearise(&p);
  p.lp = naryn__lp_new(p.nrows, p.ncols, p.start, p.index, p.value, p.collo,
                       p.colup, p.obj, p.rowlo, p.rowup);
  duals = malloc(((size_t)p.nrows + 1) * sizeof *duals);
  size_t nnz = (size_t)p.start[p.ncols];
  size_t nbounds = 2 * (size_t)p.ncols + 2 * (size_t)p.nrows;
  saved = malloc((nnz + nbounds + 1) * sizeof *saved);
  if (!p.lp || !best || !cand || !duals || !saved) goto oom;
  naryn__lp_set_scaling(p.lp, 1);
  double build_s = now_s() - t0, solve_s = 0.0;
  double best_j = -INFINITY, best_e = 0.0, best_lpobj = 0.0;
  double best_gap = 0.0, best_eps_short = 0.0, best_broken = 0.0;
  int passes = 0, converged = 0;
  for (int pass = 0; pass < o->max_passes; pass++) {
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) goto fail;
    double ts = now_s();
    if (pass > 0) {
      double tb = now_s();
      linearise(&p);
      rc = naryn__lp_reload(p.lp, p.start, p.index, p.value, p.collo, p.colup,
                            p.obj, p.rowlo, p.rowup);
      build_s += now_s() - tb;
      ts = now_s();
      if (rc == NARYN_OK) rc = naryn__lp_resolve(p.lp, &p.iterations);
    } else {
      rc = naryn__lp_solve_initial(p.lp, &p.iterations);
    }
    p.solves++;
    solve_s += now_s() - ts;
    passes++;
    if (rc == NARYN_EINTR) {
      rc = naryn__interrupted(d);
      goto fail;
    }
    if (rc == NARYN_ENOMEM) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory in CLP while solving the optimisation "
                       "LP (pass %d)", pass + 1);
      goto fail;
    }
    if (rc != NARYN_OK) {
      naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                  "CLP could not solve the optimisation LP (pass %d): it "
                  "reported the LP %s, which its elastic bounds rule out; "
                  "this is a numerical failure", pass + 1,
                  rc == NARYN_EINFEAS ? "infeasible" : "unsolved");
      rc = NARYN_ESOLVER;
      goto fail;
    }
    const double *x = naryn__lp_x(p.lp);
    if (pass == 0 && explain(&p, x)) {
      rc = NARYN_EINFEAS;
      goto fail;
    }
    double tb = now_s();
    record(&p, x, cand);
    for (int t = 0; p.disp && t < p.T; t++)
      if ((rc = naryn__dispatch_step(p.disp, cand, t, o->balance_tolerance, d)) != NARYN_OK)
        goto fail;
    double broken = hold_broken(&p, x);
    double j = naryn__objective_value_nodes(cand, weights,
                                            hold ? hold->plans : NULL, NULL) -
               EPS_PENALTY * eps_shortfall(&p, cand) - W_HOLD * p.scale * broken;
    double e = total_of(cand, NARYN_Q_ENERGY_GWH);
    build_s += now_s() - tb;
    /* Settled: the exact energy and objective moved by less than the
    ** tolerance, whichever way. */
    int settled = pass > 0 &&
                  fabs(e - best_e) <= o->tolerance * fmax(fabs(e), 1e-9) &&
                  fabs(j - best_j) <= o->tolerance * fmax(fabs(j), 1.0);
    /* A plan's value is exact only when the evaporation its LP used is
    ** the evaporation of its own storage (the gap is nil). A plan with a
    ** gap is taken only while it narrows the reference's gap; a plan
    ** without one, when it is worth at least as much as the reference. */
    double largest_gap, gap = evaporation_gap(m, cand, &largest_gap);
    double gap_tol = 1e-6 * (1.0 + total_of(cand, NARYN_Q_EVAPORATION_HM3));
    int take = pass == 0 ||
               (best_gap > gap_tol && gap < best_gap) ||
               (gap <= gap_tol && j >= best_j - 1e-9 * fabs(best_j));
    if (take) {
      best_gap = gap;
      naryn_result *sw = best;
      best = cand;
      cand = sw;
      memcpy(duals, naryn__lp_row_duals(p.lp), (size_t)p.nrows * sizeof *duals);
      best_lpobj = naryn__lp_objective(p.lp);
      if (p.eps_col >= 0) best_eps_short = x[p.eps_col];
      best_broken = broken;
      /* Keep the accepted LP, to write it out when a later pass fails. */
      memcpy(saved, p.value, nnz * sizeof *saved);
      memcpy(saved + nnz, p.collo, nbounds * sizeof *saved);
      loaded_best = 1;
      take_reference(&p, x);
      best_j = j;
      best_e = e;
      p.rho = pass > 0 ? fmin(1.0, p.rho * 2.0) : 0.5;
    } else {
      loaded_best = 0;
      p.rho *= 0.25;
    }
    if (settled || p.rho < 1e-4) {
      /* Either the plan has settled, or no better plan lies near it: a
      ** local optimum of the exact objective. */
      converged = 1;
      report_progress(o, passes, 1);
      break;
    }
    report_progress(o, passes, 0);
  }
  /* Water values from the duals of the accepted LP. */
  for (int t = 0; t < p.T; t++)
    for (int i = 0; i < p.N; i++)
      if (p.nc[i].y >= 0)
        best->water_value[(size_t)t * p.N + i] =
            duals[t * p.nrs + p.nc[i].bal] * p.scale;
  for (int t = 0; t < p.T && rc == NARYN_OK; t++)
    rc = naryn__balance_step(best, t, o->balance_tolerance, d);
  if (rc == NARYN_OK) rc = naryn__balance_system(best, o->balance_tolerance, d);
  if (rc != NARYN_OK) goto fail;
  evaporation_gap(m, best, &best->max_evap_lin_hm3);
  /* The level is held on the LP's own (linearised) value of the term. */
  if (eps_term >= 0 && best_eps_short > 1e-6 * fmax(fabs(eps_level), 1.0)) {
    rc = naryn__diag(d, NARYN_EINFEAS, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "no plan reaches the level %g of term \"%s\": the best "
                     "found falls %g short", eps_level, m->terms[eps_term].name,
                     best_eps_short);
    goto fail;
  }
  if (o->write_lp) {
    /* The LP of the accepted pass: reload it when a later pass was
    ** rejected, so that the file holds the plan's own LP. */
    if (!loaded_best) {
      memcpy(p.value, saved, nnz * sizeof *saved);
      memcpy(p.collo, saved + nnz, nbounds * sizeof *saved);
      rc = naryn__lp_reload(p.lp, p.start, p.index, p.value, p.collo,
                            p.colup, p.obj, p.rowlo, p.rowup);
      if (rc != NARYN_OK) {
        rc = naryn__diag(d, rc, NARYN_SEV_ERROR, o->write_lp, 0, 0, NULL,
                         "cannot write the LP: %s", rc == NARYN_ENOMEM
                             ? "out of memory in CLP" : "CLP could not reload it");
        goto fail;
      }
    }
    rc = naryn__lp_write_mps(p.lp, o->write_lp, d);
    if (rc != NARYN_OK) goto fail;
  }
  best->passes = passes;
  best->converged = converged;
  best->lp_objective = best_lpobj;
  best->objective_scale = p.scale;
  best->solves = p.solves;
  best->iterations = p.iterations;
  best->pareto_level = eps_term >= 0 ? eps_level : NAN;
  best->hold_broken_hm3 = best_broken;
  best->build_s = build_s;
  best->solve_s = solve_s;
  if (!converged)
    naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0, NULL,
                "the successive LP did not settle within %d passes; the plan "
                "is the best found", passes);
  *out = best;
  best = NULL;
  rc = NARYN_OK;
  goto done;
oom:
  rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                   "out of memory while building the optimisation LP");
fail:
done:
  naryn_result_free(best);
  naryn_result_free(cand);
  free(duals);
  free(saved);
  opt_free(&p);
  return rc;
}

int naryn_optimise(const naryn_model *m, const naryn_opt_opts *o,
                   naryn_result **out, naryn_diags *d) {
  double *w = malloc(((size_t)m->nterms + 1) * sizeof *w);
  if (!w) {
    *out = NULL;
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  for (int k = 0; k < m->nterms; k++) w[k] = m->terms[k].weight;
  /* The optimum plans every release freely over the horizon; operating
  ** rules are what the simulation follows instead, so they are left out,
  ** and the user is told. */
  int with_rules = 0, first = -1;
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_RESERVOIR && m->nodes[i].enabled &&
        m->nodes[i].nrules > 0 && with_rules++ == 0)
      first = i;
  if (with_rules > 0)
    naryn__diag(d, NARYN_OK, NARYN_SEV_NOTE, NULL, 0, 0, NULL,
                "the optimum plans every release freely and ignores the "
                "operating rules and zones of %d reservoir%s (\"%s\"%s); the "
                "simulation follows them", with_rules, with_rules == 1 ? "" : "s",
                m->nodes[first].name, with_rules > 1 ? " and others" : "");
  /* A forced release replays a measured one: the optimum is the plan the
  ** measurements are compared with, so it is not held to them either. */
  int forced = 0;
  first = -1;
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_RESERVOIR && m->nodes[i].enabled &&
        m->nodes[i].forced_release_m3s.v && forced++ == 0)
      first = i;
  if (forced > 0)
    naryn__diag(d, NARYN_OK, NARYN_SEV_NOTE, NULL, 0, 0, NULL,
                "the optimum plans every release freely and ignores the forced releases "
                "of %d reservoir%s (\"%s\"%s); the simulation keeps them", forced,
                forced == 1 ? "" : "s", m->nodes[first].name, forced > 1 ? " and others" : "");
  int rc = naryn__optimise(m, o, w, -1, 0.0, NULL, NULL, out, d);
  free(w);
  return rc;
}
