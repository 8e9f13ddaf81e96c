/*
** sim.c: the priority simulation, one LP per step.
**
** Each step allocates water over the network by solving a small LP that
** minimises penalties: for demand not delivered and minimum flows not met
** (weighted by priority), for leaving a reservoir's target storage or its
** release schedule, and tiny costs that keep water stored upstream and
** through the turbines when nothing else decides. Physical limits are hard
** bounds: link capacities, storage between its minimum and maximum,
** turbine capacity at the current head.
**
** Variables are volumes in hm3 over the step. For every node with a
** balance row:
**
**   sum_in (1 - loss) x + sum_returns f*d + inflow
**     = sum_out x + [demand] d + [reservoir] (s_end - s_start + evaporation)
**
** with s_end = min_storage + y - u, where y (0..max-min) is the water above
** the dead storage and u is what evaporation takes below it.
**
** The hard limits of links are elastic: the flow of a link is x - v + w,
** with x within [min, max], v a shortfall below the minimum and w an
** excess above the maximum, both at a prohibitive cost. Every other
** balance can always be met, so the LP is always feasible; a solution
** that needs v or w is reported as an infeasible model, naming the link's
** field, the step and the flow that could not be had, instead of a bare
** "infeasible".
**
** The LP is built once; each step changes only bounds and right-hand
** sides and re-solves from the previous basis. Head (from the mean of start
** and end storage and the tailwater at the plant's discharge) and
** evaporation (from the area at mean storage) depend on the solution, so a
** step is re-solved until they settle; evaporation's next estimate is
** found by the secant method (next_evaporation), which settles most steps
** in two or three solves.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

/* ====================================================================== */
/* Building the LP                                                         */
/* ====================================================================== */

/* Hands out the next column index with its cost. */
int naryn__sim_col(sim *s, lp_build *b, double cost) {
  double *o = naryn__grow(b->obj, &b->objcap, s->ncols + 1, sizeof *o);
  if (!o) return -1;
  b->obj = o;
  o[s->ncols] = cost;
  return s->ncols++;
}

/* Loads the LP into the network simplex too when it is a network once each
** node's side row over its outgoing links (a plant's split row, a
** minimum-flow row, a release-schedule row) is folded into the node's
** balance; a minimum flow's row, an inequality, gets a slack. Links with
** losses and return flows scale water, which no network does: such a
** model stays with CLP. */
static int build_net(sim *s, const int *start, const int *index,
                     const double *value, const double *obj) {
  int *fold = malloc((size_t)s->nrows * sizeof *fold);
  unsigned char *slack = calloc((size_t)s->nrows, 1);
  int rc = NARYN_ENOMEM;
  if (!fold || !slack) goto done;
  for (int i = 0; i < s->nrows; i++) fold[i] = -1;
  for (int i = 0; i < s->m->nnodes; i++) {
    const node_lp *v = &s->nl[i];
    if (v->srow >= 0) fold[v->srow] = v->out_row;
    if (v->rrow >= 0) fold[v->rrow] = v->out_row;
    if (v->mrow >= 0) fold[v->mrow] = v->out_row, slack[v->mrow] = 1;
  }
  rc = NARYN_OK;
  if (naryn__net_is_network(s->nrows, s->ncols, start, index, value, fold)) {
    s->net = naryn__net_new(s->nrows, s->ncols, start, index, value, obj,
                            fold, slack);
    if (!s->net) rc = NARYN_ENOMEM;
  }
done:
  free(fold);
  free(slack);
  return rc;
}

/* Lays out the columns and rows of the LP and loads it into CLP. */
/* The weight of each forced release (W_FORCED and W_FORCED_MAX): W_FORCED
** plus the weights of the forced reservoirs its water reaches, along links
** and return flows. Reservoirs are weighed from the bottom up; in a loop
** of reservoirs, one already being weighed counts as none. Returns the
** weight of v, or -1 when out of memory. */
static double forced_weight(sim *s, int v, unsigned char *state, int *queue,
                            unsigned char *seen) {
  const naryn_model *m = s->m;
  if (state[v] == 2) return s->forced_w[v];
  if (state[v] == 1) return 0.0;
  state[v] = 1;
  /* The forced reservoirs below v, kept apart from queue, which the
  ** weighing of each reuses. */
  int n = naryn__mark_below(m, v, seen, queue), nbelow = 0;
  int *below = malloc((size_t)n * sizeof *below);
  if (!below) return -1.0;
  for (int k = 1; k < n; k++)
    if (queue[k] != v && naryn__sim_forced(s, queue[k]) && m->nodes[queue[k]].enabled)
      below[nbelow++] = queue[k];
  double w = W_FORCED;
  for (int k = 0; k < nbelow && w >= 0; k++) {
    double wk = forced_weight(s, below[k], state, queue, seen);
    w = wk < 0 ? -1.0 : w + wk;
  }
  free(below);
  if (w < 0) return -1.0;
  s->forced_w[v] = w < W_FORCED_MAX ? w : W_FORCED_MAX;
  state[v] = 2;
  return s->forced_w[v];
}

static int forced_weights(sim *s) {
  const naryn_model *m = s->m;
  size_t n = (size_t)m->nnodes;
  unsigned char *state = calloc(2 * n + 1, 1);
  int *queue = malloc((n + 2) * sizeof *queue);
  int rc = state && queue ? NARYN_OK : NARYN_ENOMEM;
  for (int i = 0; i < m->nnodes && rc == NARYN_OK; i++)
    if (naryn__sim_forced(s, i) && m->nodes[i].enabled &&
        forced_weight(s, i, state, queue, state + n) < 0)
      rc = NARYN_ENOMEM;
  free(state);
  free(queue);
  return rc;
}

static int build_lp(sim *s) {
  const naryn_model *m = s->m;
  lp_build b = {{0}, NULL, 0};
  int rc = NARYN_ENOMEM;
  s->link_col = malloc((size_t)(3 * m->nlinks + 1) * sizeof *s->link_col);
  s->nl = malloc((size_t)m->nnodes * sizeof *s->nl);
  if (!s->link_col || !s->nl || naryn__rules_count(s) != NARYN_OK ||
      forced_weights(s) != NARYN_OK)
    goto done;
  s->link_short = s->link_col + m->nlinks;
  s->link_excess = s->link_short + m->nlinks;
#define COL(var, cost)                                   \
  do {                                                   \
    if (((var) = naryn__sim_col(s, &b, (cost))) < 0)    \
      goto done;                                         \
  } while (0)
#define ADD(row, col, val)                               \
  do {                                                   \
    if (naryn__trip_add(&b.t, (row), (col), (val)) < 0) goto done; \
  } while (0)
  /* A link's flow x - v + w enters every row it is part of. */
#define ADD_LINK(row, l, val)                            \
  do {                                                   \
    ADD(row, s->link_col[l], (val));                     \
    if (s->link_short[l] >= 0) ADD(row, s->link_short[l], -(val)); \
    if (s->link_excess[l] >= 0) ADD(row, s->link_excess[l], (val)); \
  } while (0)
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    COL(s->link_col[l], ln->cost);
    s->link_short[l] = s->link_excess[l] = -1;
    int has_min = 0;
    for (int k = 0; ln->min_flow_m3s.v && k < m->nsteps; k++)
      if (ln->min_flow_m3s.v[k] > 0) has_min = 1;
    /* Flow above the maximum also pays the link's own cost, so that it is
    ** never cheaper than flow within the bounds. */
    if (has_min) COL(s->link_short[l], W_ELASTIC);
    if (ln->max_flow_m3s.v) COL(s->link_excess[l], W_ELASTIC + ln->cost);
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    node_lp *v = &s->nl[i];
    memset(v, -1, sizeof *v);
    if (n->type == NARYN_NODE_SINK) {
      /* A sink with a downstream rule: what arrives passes the rule. */
      v->arrive = naryn__rules_arrival_chain(s, &b, i);
      if (v->arrive == -2) goto done;
      for (int k = 0; v->arrive >= 0 && k < n->n_in; k++)
        ADD_LINK(v->arrive, n->in[k], 1.0 - m->links[n->in[k]].loss_fraction);
      continue;
    }
    naryn_node_type type = n->enabled ? n->type : NARYN_NODE_JUNCTION;
    v->bal = s->nrows++;
    /* The rules on this node's outflow sit between its balance and its
    ** outgoing links. */
    v->out_row = naryn__rules_release_chain(s, &b, i);
    if (v->out_row < 0) goto done;
    for (int k = 0; k < n->n_in; k++) {
      const naryn__link *ln = &m->links[n->in[k]];
      /* A routed link brings only part of its step's flow, if any. */
      double gain = naryn__routing_gain(ln);
      if (gain != 0.0) ADD_LINK(v->bal, n->in[k], (1.0 - ln->loss_fraction) * gain);
    }
    for (int k = 0; k < n->n_out; k++) ADD_LINK(v->out_row, n->out[k], -1.0);
    switch (type) {
    case NARYN_NODE_RESERVOIR:
      COL(v->y, -n->storage_value);
      COL(v->u, W_DEAD);
      ADD(v->bal, v->y, -1.0);
      ADD(v->bal, v->u, 1.0);
      if (naryn__rules_storage_chain(s, &b, i) != NARYN_OK) goto done;
      if (n->target_storage_hm3.v) {
        double w = naryn__priority_weight(n->target_priority);
        v->trow = s->nrows++;
        COL(v->tp, w);
        COL(v->tm, w);
        ADD(v->trow, v->y, 1.0);
        ADD(v->trow, v->u, -1.0);
        ADD(v->trow, v->tp, -1.0);
        ADD(v->trow, v->tm, 1.0);
      }
      if (n->release_m3s.v || naryn__sim_forced(s, i)) {
        double w = naryn__sim_forced(s, i) ? s->forced_w[i]
                                           : naryn__priority_weight(n->release_priority);
        v->rrow = s->nrows++;
        COL(v->rp, w);
        COL(v->rm, w);
        for (int k = 0; k < n->n_out; k++) ADD_LINK(v->rrow, n->out[k], 1.0);
        ADD(v->rrow, v->rp, -1.0);
        ADD(v->rrow, v->rm, 1.0);
      }
      break;
    case NARYN_NODE_DEMAND:
      for (int k = 0; k < SHARE_PARTS; k++) {
        double premium = SHARE_PREMIUM * (SHARE_PARTS - 1 - k) / (SHARE_PARTS - 1);
        int col;
        COL(col, -naryn__priority_weight(n->priority) * (1.0 + premium));
        if (k == 0) v->d = col;
        ADD(v->bal, col, -1.0);
      }
      break;
    case NARYN_NODE_MIN_FLOW:
      v->mrow = s->nrows++;
      COL(v->mf, naryn__priority_weight(n->priority));
      for (int k = 0; k < n->n_out; k++) ADD_LINK(v->mrow, n->out[k], 1.0);
      ADD(v->mrow, v->mf, 1.0);
      break;
    case NARYN_NODE_HYDROPOWER: {
      v->srow = s->nrows++;
      COL(v->qt, 0.0);
      COL(v->qs, W_SPILL);
      for (int k = 0; k < n->n_out; k++) ADD_LINK(v->srow, n->out[k], 1.0);
      /* With an energy rule the turbined water reaches the split row
      ** through the rule's stage. */
      int chain = naryn__rules_turbine_chain(s, &b, i);
      if (chain < 0) goto done;
      if (!chain) ADD(v->srow, v->qt, -1.0);
      ADD(v->srow, v->qs, -1.0);
      break;
    }
    default:
      break;
    }
  }
  /* Return flow enters the balance of the node it returns to. */
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (n->type == NARYN_NODE_DEMAND && n->enabled && n->return_to >= 0 &&
        n->return_fraction > 0 && s->nl[n->return_to].bal >= 0)
      for (int k = 0; k < SHARE_PARTS; k++)
        ADD(s->nl[n->return_to].bal, s->nl[i].d + k, n->return_fraction);
  }
  if (naryn__rules_hedging(s, &b) != NARYN_OK || naryn__rules_cascades(s) != NARYN_OK)
    goto done;
#undef COL
#undef ADD
#undef ADD_LINK
  /* Sort the coefficients into columns. */
  int *start = NULL, *index = NULL;
  double *value = NULL;
  s->collo = calloc((size_t)s->ncols + 1, sizeof *s->collo);
  s->colup = calloc((size_t)s->ncols + 1, sizeof *s->colup);
  s->rowlo = calloc((size_t)s->nrows + 1, sizeof *s->rowlo);
  s->rowup = calloc((size_t)s->nrows + 1, sizeof *s->rowup);
  if (s->collo && s->colup && s->rowlo && s->rowup &&
      naryn__trip_columns(&b.t, s->ncols, &start, &index, &value, NULL) == NARYN_OK) {
    for (int j = 0; j < s->ncols; j++) s->colup[j] = INFINITY;
    /* Rows are balances: a rule's chain rows stay at zero, every other
    ** row gets its bounds at each step. */
    for (int i = 0; i < s->nrows; i++) s->rowlo[i] = s->rowup[i] = 0.0;
    s->lp = naryn__lp_new(s->nrows, s->ncols, start, index, value, s->collo,
                          s->colup, b.obj, s->rowlo, s->rowup);
    if (s->lp) rc = naryn__lp_keep_work(s->lp) == NARYN_OK ? NARYN_OK : NARYN_ENOMEM;
    /* A step LP that is a pure network is solved by the network simplex;
    ** CLP keeps the same LP for the steps it gives up on. */
    if (rc == NARYN_OK && s->o->step_solver == NARYN_STEP_AUTO)
      rc = build_net(s, start, index, value, b.obj);
  }
  free(start);
  free(index);
  free(value);
done:
  naryn__trip_free(&b.t);
  free(b.obj);
  if (rc != NARYN_OK)
    naryn__diag(s->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "out of memory while building the simulation LP");
  return rc;
}

/* ====================================================================== */
/* One step                                                                */
/* ====================================================================== */

/* Sets every bound and right-hand side of step t from the model, the
** storage at the start of the step and the current head and evaporation
** estimates. */
static void set_step_bounds(sim *s, int t) {
  const naryn_model *m = s->m;
  double k = m->step_s[t] * 1e-6; /* m3/s over the step, in hm3 */
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    int c = s->link_col[l];
    s->collo[c] = ln->min_flow_m3s.v ? ln->min_flow_m3s.v[t] * k : 0.0;
    s->colup[c] = ln->max_flow_m3s.v ? ln->max_flow_m3s.v[t] * k : INFINITY;
    if (s->link_short[l] >= 0) s->colup[s->link_short[l]] = s->collo[c];
    if (s->link_excess[l] >= 0) s->colup[s->link_excess[l]] = INFINITY;
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    const node_lp *v = &s->nl[i];
    if (v->bal < 0) continue;
    double rhs = 0.0;
    if (n->type == NARYN_NODE_INFLOW && n->enabled) rhs -= naryn__inflow_m3s(s->r, i, t) * k;
    /* What routed links bring from earlier steps comes in like an inflow. */
    for (int j = 0; j < n->n_in; j++)
      if (m->links[n->in[j]].route.kind)
        rhs -= naryn__routing_known_hm3(s, n->in[j], t);
    if (v->y >= 0) {
      double s0 = s->storage[i], e = s->evap[i];
      double below = n->min_storage_hm3 - s0;
      s->collo[v->y] = 0.0;
      s->colup[v->y] = n->max_storage_hm3 - n->min_storage_hm3;
      s->collo[v->u] = 0.0;
      s->colup[v->u] = (below > 0 ? below : 0.0) + e;
      rhs += n->min_storage_hm3 - s0 + e;
      if (v->trow >= 0) {
        s->rowlo[v->trow] = s->rowup[v->trow] =
            n->target_storage_hm3.v[t] - n->min_storage_hm3;
        s->colup[v->tp] = s->colup[v->tm] = INFINITY;
      }
      if (v->rrow >= 0) {
        const naryn__ts *sched = n->forced_release_m3s.v ? &n->forced_release_m3s
                                                         : &n->release_m3s;
        s->rowlo[v->rrow] = s->rowup[v->rrow] =
            naryn__replay_holds(s->replay, i) ? s->policy_hm3[i] : sched->v[t] * k;
        s->colup[v->rp] = s->colup[v->rm] = INFINITY;
      }
    }
    if (v->d >= 0)
      for (int part = 0; part < SHARE_PARTS; part++)
        s->colup[v->d + part] = n->demand_hm3.v[t] / SHARE_PARTS;
    if (v->mrow >= 0) {
      double want = n->min_flow_m3s.v[t] * k;
      s->rowlo[v->mrow] = want;
      s->rowup[v->mrow] = INFINITY;
      s->colup[v->mf] = want;
    }
    if (v->srow >= 0) {
      s->rowlo[v->srow] = s->rowup[v->srow] = 0.0;
      s->colup[v->qt] = s->cap[i] * k;
      s->colup[v->qs] = INFINITY;
    }
    s->rowlo[v->bal] = s->rowup[v->bal] = rhs;
  }
  naryn__rules_bounds(s, t);
}

/* Flow leaving the head of link l in the current solution. */
static double link_flow(const sim *s, const double *x, int l) {
  double f = x[s->link_col[l]];
  if (s->link_short[l] >= 0) f -= x[s->link_short[l]];
  if (s->link_excess[l] >= 0) f += x[s->link_excess[l]];
  return f;
}

/* End-of-step storage of a reservoir in the current solution. */
static double end_storage(const sim *s, const double *x, int i) {
  const node_lp *v = &s->nl[i];
  return s->m->nodes[i].min_storage_hm3 + x[v->y] - x[v->u];
}

/* Mean storage over the step of the reservoir feeding a plant's head. */
static double head_storage(const sim *s, const double *x, int plant) {
  int r = s->m->nodes[plant].reservoir;
  if (r < 0 || s->nl[r].y < 0) return 0.0;
  return 0.5 * (s->storage[r] + end_storage(s, x, r));
}

/* 1 when the solution x holds reservoir i's end storage where it is
** whatever its evaporation: full, empty or at its target storage. */
static int storage_pinned(const sim *s, const double *x, int i) {
  const node_lp *v = &s->nl[i];
  double y = x[v->y], top = s->colup[v->y], eps = 1e-9;
  if (y <= eps || (top < INFINITY && y >= top - eps * (1.0 + top))) return 1;
  return v->trow >= 0 && x[v->tp] <= eps && x[v->tm] <= eps;
}

/* The evaporation for reservoir i's next solve, after a solve x that used
** evap[i] and gave a mean storage whose evaporation is e. Evaporation is
** settled at a fixed point of e = g(e), where g is the evaporation at the
** mean storage the step's LP gives when it takes e. Taking g(e) as it is
** (plain iteration) shrinks the miss at each solve by the slope of g: none
** where the storage is held full, empty or at its target, so that the next
** solve settles; otherwise from 1e-4 for a deep reservoir to 0.02 for a
** shallow one, whose area grows fast with storage. There this takes g as a
** straight line and solves for its fixed point: with the slope between the
** step's last two solves (the secant method), or after its first with that
** of the area curve at the mean storage times -1/2 (the reservoir's own
** storage takes a change of its evaporation, half of it in the mean). */
static double next_evaporation(sim *s, const double *x, int t, int i,
                               double mean, double e) {
  const naryn__node *n = &s->m->nodes[i];
  double used = s->evap[i], slope = 0.0;
  if (!isnan(s->evap_prev[i]) && used != s->evap_prev[i]) {
    slope = (e - s->g_prev[i]) / (used - s->evap_prev[i]);
  } else if (!storage_pinned(s, x, i)) {
    double h = 1e-3 * (1.0 + fabs(mean));
    slope = -0.5 * (naryn__hyd_evaporation_hm3(n, t, mean + h) -
                    naryn__hyd_evaporation_hm3(n, t, mean - h)) / (2.0 * h);
  }
  s->evap_prev[i] = used;
  s->g_prev[i] = e;
  if (!(fabs(slope) < 0.5)) return e;
  return used + (e - used) / (1.0 - slope);
}

/* Recomputes evaporation, turbine capacities and heads from a solution
** into evap_next, cap_next and head_next. Returns 1 when any of them
** differs from the value the solve used by more than the settling
** tolerance in a way that can change the solution: evaporation always can;
** a turbine capacity only when the turbines ran at it or the new one is
** below what they ran; a head when an energy rule turns it into a flow. */
static int update_estimates(sim *s, int t, const double *x) {
  const naryn_model *m = s->m;
  double k = m->step_s[t] * 1e-6, tol = s->o->settle_tolerance;
  int moved = 0;
  for (int i = 0; i < m->nnodes; i++) {
    const node_lp *v = &s->nl[i];
    const naryn__node *n = &m->nodes[i];
    if (v->y >= 0) {
      double mean = 0.5 * (s->storage[i] + end_storage(s, x, i));
      double e = naryn__hyd_evaporation_hm3(n, t, mean);
      if (fabs(e - s->evap[i]) > tol * (1.0 + s->evap[i])) moved = 1;
      s->evap_next[i] = next_evaporation(s, x, t, i, mean, e);
    }
    if (v->qt >= 0) {
      double q = (x[v->qt] + x[v->qs]) / k;
      double h = naryn__hyd_head_m(m, n, head_storage(s, x, i), q);
      double c = naryn__hyd_turbine_cap_m3s(n, h);
      double ran = x[v->qt] / k;
      int binding = ran >= s->cap[i] * (1.0 - 1e-9) - 1e-9 || ran > c;
      if (binding && fabs(c - s->cap[i]) > tol * (1.0 + s->cap[i])) moved = 1;
      if (v->tchain >= 0 && fabs(h - s->head[i]) > tol * (1.0 + s->head[i]))
        moved = 1;
      s->cap_next[i] = c;
      s->head_next[i] = h;
      s->discharge[i] = q;
    }
  }
  return moved;
}

/* Reports every link bound of step t that the solution had to break, in
** terms of the model: the link's field, the flow that could not be had and
** the node it concerns. Returns 1 when there was any. */
static int explain_infeasible(sim *s, int t, const double *x) {
  const naryn_model *m = s->m;
  double k = m->step_s[t] * 1e-6;
  char w[256], date[16];
  int found = 0;
  snprintf(date, sizeof date, "%.*s", m->daily ? 10 : 7, m->step_date[t]);
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *ln = &m->links[l];
    double short_hm3 = s->link_short[l] >= 0 ? x[s->link_short[l]] : 0.0;
    double excess_hm3 = s->link_excess[l] >= 0 ? x[s->link_excess[l]] : 0.0;
    if (short_hm3 <= ELASTIC_TOL_HM3 && excess_hm3 <= ELASTIC_TOL_HM3) continue;
    found = 1;
    double flow = link_flow(s, x, l) / k;
    const naryn__node *from = &m->nodes[ln->from];
    if (short_hm3 > ELASTIC_TOL_HM3) {
      const naryn__doc *at = naryn__field_pos(ln->doc, "min_flow_m3s");
      naryn__diag(s->d, NARYN_EINFEAS, NARYN_SEV_ERROR, at->file, at->line,
                  at->col, naryn__link_where(ln, "min_flow_m3s", w, sizeof w),
                  "expected a minimum the network can meet in %s, when at most "
                  "%g m3/s can leave %s \"%s\" this way, got %g m3/s (%g m3/s "
                  "or %g hm3 short)",
                  date, flow, naryn_node_type_name(from->type), from->name,
                  ln->min_flow_m3s.v[t], short_hm3 / k, short_hm3);
    } else {
      const naryn__doc *at = naryn__field_pos(ln->doc, "max_flow_m3s");
      int full = from->type == NARYN_NODE_RESERVOIR && from->enabled;
      naryn__diag(s->d, NARYN_EINFEAS, NARYN_SEV_ERROR, at->file, at->line,
                  at->col, naryn__link_where(ln, "max_flow_m3s", w, sizeof w),
                  "expected room in %s for the %g m3/s that must leave %s "
                  "\"%s\"%s this way, got a maximum of %g m3/s (%g m3/s or "
                  "%g hm3 too little)",
                  date, flow, naryn_node_type_name(from->type), from->name,
                  full ? " (full)" : "", ln->max_flow_m3s.v[t], excess_hm3 / k,
                  excess_hm3);
    }
  }
  return found;
}

/* Copies a step's solution into the result. */
static void record_step(sim *s, int t, const double *x) {
  const naryn_model *m = s->m;
  naryn_result *r = s->r;
  naryn__result_begin_step(r, t);
  for (int l = 0; l < m->nlinks; l++) {
    double f = link_flow(s, x, l);
    NARYN__LINK_FLOW(r, t, l) = f;
    NARYN__LINK_LOSS(r, t, l) = f * m->links[l].loss_fraction;
    if (m->links[l].route.kind) naryn__routing_step(s, l, t, f);
  }
  for (int i = 0; i < m->nnodes; i++) {
    const node_lp *v = &s->nl[i];
    if (v->y >= 0) {
      NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3) = end_storage(s, x, i);
      NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3) = s->evap[i];
    }
    if (v->d >= 0) {
      double got = 0.0;
      for (int part = 0; part < SHARE_PARTS; part++) got += x[v->d + part];
      NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3) = got;
    }
    if (v->qt >= 0) {
      NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3) = x[v->qt];
      NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3) = x[v->qs];
    }
  }
  naryn__result_derive_step(r, t, 0);
  /* A forced or scheduled release's deviation: what left the reservoir
  ** less what was forced or scheduled, tallied for the summary at the end
  ** of the run. */
  for (int i = 0; i < m->nnodes; i++) {
    if (s->nl[i].rrow < 0) continue;
    double dev = NARYN__Q(r, t, i, NARYN_Q_RELEASE_HM3) - s->rowlo[s->nl[i].rrow];
    NARYN__Q(r, t, i, NARYN_Q_RELEASE_DEVIATION_HM3) = dev;
    if (fabs(dev) <= ELASTIC_TOL_HM3 * (1.0 + s->rowlo[s->nl[i].rrow])) continue;
    s->forced_missed[i]++;
    if (dev > 0) s->forced_above[i] += dev;
    else s->forced_below[i] -= dev;
    if (fabs(dev) > fabs(s->forced_worst[i])) s->forced_worst[i] = dev, s->forced_worst_t[i] = t;
  }
}

/* Tells, for each reservoir whose forced release could not always be
** kept, in how many steps, by how much in all, and the largest miss (a
** warning); the same for a release schedule, which gives way by design to
** higher priorities (a note). */
static void report_forced(const sim *s) {
  const naryn_model *m = s->m;
  for (int i = 0; i < m->nnodes; i++) {
    if (!s->forced_missed || !s->forced_missed[i]) continue;
    const naryn__node *n = &m->nodes[i];
    char w[256], date[16];
    if (naryn__replay_holds(s->replay, i)) {
      naryn__diag(s->d, NARYN_EMODEL, NARYN_SEV_NOTE, n->doc->file, n->doc->line, n->doc->col,
                  naryn__node_where(n, NULL, w, sizeof w),
                  "the policy's release could not be kept in %d of %d steps: %.6g hm3 more "
                  "was released and %.6g hm3 less in all, the largest deviation %+.6g hm3 "
                  "in the step of %s (the exact head and evaporation, full or empty storage "
                  "or a link's limits held it); release_deviation_hm3 in nodes.csv gives "
                  "every step",
                  s->forced_missed[i], m->nsteps, s->forced_above[i], s->forced_below[i],
                  s->forced_worst[i],
                  naryn__step_label(m, s->forced_worst_t[i], date, sizeof date));
      continue;
    }
    if (!n->forced_release_m3s.v) {
      naryn__diag(s->d, NARYN_EMODEL, NARYN_SEV_NOTE, n->doc->file, n->doc->line, n->doc->col,
                  naryn__node_where(n, "release_m3s", w, sizeof w),
                  "the release schedule was not kept in %d of %d steps: %g hm3 more was "
                  "released and %g hm3 less in all, the largest deviation %g hm3 in the step "
                  "of %s (a schedule gives way to higher priorities and to full or empty "
                  "storage); release_deviation_hm3 in nodes.csv gives every step",
                  s->forced_missed[i], m->nsteps, s->forced_above[i], s->forced_below[i],
                  s->forced_worst[i],
                  naryn__step_label(m, s->forced_worst_t[i], date, sizeof date));
      continue;
    }
    naryn__diag(s->d, NARYN_EMODEL, NARYN_SEV_WARNING, n->doc->file, n->doc->line, n->doc->col,
                naryn__node_where(n, "forced_release_m3s", w, sizeof w),
                "the forced release could not be kept in %d of %d steps: %.6g hm3 more was "
                "released where the reservoir was full and %.6g hm3 less where it was at dead "
                "storage (or a link's limits held it); the largest deviation, %+.6g hm3, in the "
                "step of %s; release_deviation_hm3 in nodes.csv gives every step",
                s->forced_missed[i], m->nsteps, s->forced_above[i], s->forced_below[i],
                s->forced_worst[i],
                naryn__step_label(m, s->forced_worst_t[i], date, sizeof date));
  }
}

/* Simulates step t: solves until head and evaporation settle, checks for
** elastic water and for the water balance, and records the step. */
static int run_step(sim *s, int t) {
  const naryn_model *m = s->m;
  const double *x = NULL;
  /* First estimates: evaporation at the start storage; head at the start
  ** storage and the plant's last discharge. */
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (s->nl[i].y >= 0) {
      s->evap[i] = naryn__hyd_evaporation_hm3(n, t, s->storage[i]);
      s->evap_prev[i] = NAN;
    }
    if (s->nl[i].qt >= 0) {
      double st = n->reservoir >= 0 ? s->storage[n->reservoir] : 0.0;
      s->head[i] = naryn__hyd_head_m(m, n, st, s->discharge[i]);
      s->cap[i] = naryn__hyd_turbine_cap_m3s(n, s->head[i]);
    }
  }
  naryn__rules_zones(s, t);
  /* A policy replayed decides its reservoirs' releases from the storage
  ** reached and the step's inflows. */
  if (s->replay) {
    int rc = naryn__replay_step(s->replay, t, s->storage, naryn__routing_states(s, t), s->r,
                                s->policy_hm3, s->d);
    if (rc != NARYN_OK) return rc;
  }
  int settled = 0;
  for (int it = 0; it < s->o->max_iterations; it++) {
    set_step_bounds(s, t);
    int rc = NARYN_ESOLVER;
    if (s->net) {
      rc = naryn__net_solve(s->net, s->collo, s->colup, s->rowlo, s->rowup,
                            &s->r->iterations);
      s->r->solves++;
      if (rc == NARYN_OK) x = naryn__net_x(s->net), s->r->net_solves++;
      else if (rc != NARYN_EINTR) s->r->net_fallbacks++;
    }
    /* Without a network, or when the network simplex gave up or found no
    ** flow, CLP solves the step (and explains an infeasible one). */
    if (rc != NARYN_OK && rc != NARYN_EINTR) {
      rc = naryn__lp_set_bounds(s->lp, s->collo, s->colup, s->rowlo, s->rowup);
      if (rc == NARYN_OK) {
        /* The first solve starts from no basis at all; CLP's presolve then
        ** takes out the long chains of nodes that water merely passes,
        ** which the dual simplex alone would pivot through one by one. */
        rc = !s->clp_solved ? naryn__lp_solve_initial(s->lp, &s->r->iterations)
                            : naryn__lp_solve(s->lp, &s->r->iterations);
        s->clp_solved = 1;
        s->r->solves++;
        if (rc == NARYN_OK) x = naryn__lp_x(s->lp);
      }
    }
    if (rc == NARYN_EINTR) return naryn__interrupted(s->d);
    if (rc == NARYN_ENOMEM)
      return naryn__diag(s->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "out of memory in CLP while solving the step of %s",
                         m->step_date[t]);
    if (rc != NARYN_OK)
      /* The elastic link bounds make every step's LP feasible and bounded,
      ** so any failure here is numerical. */
      return naryn__diag(s->d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0,
                         NULL, "CLP could not solve the LP of the step of %s: "
                         "it reported the LP %s, which its elastic bounds rule "
                         "out; this is a numerical failure", m->step_date[t],
                         rc == NARYN_EINFEAS ? "infeasible" : "unsolved"); 
    if (!update_estimates(s, t, x)) {
      settled = 1;
      break;
    }
    if (it + 1 < s->o->max_iterations) {
      memcpy(s->evap, s->evap_next, (size_t)m->nnodes * sizeof *s->evap);
      memcpy(s->cap, s->cap_next, (size_t)m->nnodes * sizeof *s->cap);
      memcpy(s->head, s->head_next, (size_t)m->nnodes * sizeof *s->head);
    }
  }
  if (!settled) {
    /* The last solve used the previous estimates; its balance still holds
    ** exactly, but head or evaporation is off by more than the tolerance. */
    if (s->r->unsettled_steps++ == 0)
      naryn__diag(s->d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0, NULL,
                  "head or evaporation did not settle within %d solves in the "
                  "step of %s", s->o->max_iterations, m->step_date[t]);
  }
  if (explain_infeasible(s, t, x)) return NARYN_EINFEAS;
  record_step(s, t, x);
  /* The zone of each reservoir and what decided its release. */
  naryn__rules_control(s, t, x, &NARYN__CONTROL(s->r, t, 0));
  for (int i = 0; i < m->nnodes; i++) NARYN__ZONE(s->r, t, i) = s->zone[i];
  int rc = naryn__balance_step(s->r, t, s->o->balance_tolerance, s->d);
  if (rc != NARYN_OK) return rc;
  /* The grids take the energy the water made (grid/dispatch.c). */
  if (s->disp) rc = naryn__dispatch_step(s->disp, s->r, t, s->o->balance_tolerance, s->d);
  if (rc != NARYN_OK) return rc;
  for (int i = 0; i < m->nnodes; i++) {
    if (s->nl[i].y >= 0) s->storage[i] = NARYN__Q(s->r, t, i, NARYN_Q_STORAGE_END_HM3);
    /* The energy of the step, for the residual demands of the next. */
    if (s->nl[i].qt >= 0) {
      double e = NARYN__Q(s->r, t, i, NARYN_Q_ENERGY_GWH);
      s->energy_prev[i] = isnan(e) ? 0.0 : e;
    }
  }
  return NARYN_OK;
}

/* ====================================================================== */
/* The run                                                                 */
/* ====================================================================== */

void naryn_sim_opts_init(naryn_sim_opts *o) {
  o->max_iterations = 20;
  o->settle_tolerance = 1e-6;
  o->balance_tolerance = 1e-6;
  o->progress = NULL;
  o->progress_user = NULL;
  o->step_solver = NARYN_STEP_AUTO;
  o->grids = 1;
  o->policy = NULL;
  o->price_seed = 1;
  o->price_member = 0;
}

/* Tells the caller's progress callback, if any, that 'done' steps are
** finished. */
static void report_progress(const sim *s, int done) {
  if (!s->o->progress) return;
  const naryn_model *m = s->m;
  naryn_progress p = {.phase = "simulate", .done = done, .total = m->nsteps,
                      .step_date = m->step_date[done > 0 ? done - 1 : 0]};
  s->o->progress(s->o->progress_user, &p);
}

static void sim_free(sim *s) {
  naryn__lp_free(s->lp);
  naryn__net_free(s->net);
  naryn__dispatch_free(s->disp);
  free(s->link_col);
  free(s->nl);
  free(s->collo);
  free(s->colup);
  free(s->rowlo);
  free(s->rowup);
  free(s->storage);
  free(s->zone);
  free(s->scratch_seen);
  free(s->forced_missed);
  naryn__routing_free(s);
  naryn__replay_free(s->replay);
  free(s->stages);
  free(s->hedges);
  free(s->cascade);
}

int naryn__simulate_into(const naryn_model *m, const naryn_sim_opts *o,
                         naryn_result *r, naryn__step_fn each, void *user,
                         naryn_diags *d) {
  naryn_sim_opts defaults;
  if (!o) {
    naryn_sim_opts_init(&defaults);
    o = &defaults;
  }
  /* A policy with a chain of prices: the run's states of the chain, and
  ** the model with their prices, which the result keeps. */
  if (o->policy && !r->own_model) {
    int prc = naryn__replay_prices(o->policy, m, o->price_seed, (uint64_t)o->price_member,
                                   &r->price_state, &r->own_model, d);
    if (prc != NARYN_OK) return prc;
    if (r->own_model) r->m = m = r->own_model;
  }
  sim s = {.m = m, .o = o, .d = d, .r = r};
  int rc = NARYN_ENOMEM;
  size_t n = (size_t)m->nnodes;
  s.storage = calloc(17 * n + 1, sizeof *s.storage);
  s.zone = malloc((3 * n + 1) * sizeof *s.zone);
  s.scratch_seen = malloc(n + 1);
  s.forced_missed = calloc(2 * n + 1, sizeof *s.forced_missed);
  if (!s.storage || !s.zone || !s.scratch_seen || !s.forced_missed) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "out of memory");
    goto done;
  }
  s.evap = s.storage + n;
  s.cap = s.evap + n;
  s.discharge = s.cap + n;
  s.evap_next = s.discharge + n;
  s.cap_next = s.evap_next + n;
  s.head = s.cap_next + n;
  s.head_next = s.head + n;
  s.release = s.head_next + n;
  s.forced_above = s.release + n;
  s.forced_below = s.forced_above + n;
  s.forced_worst = s.forced_below + n;
  s.forced_w = s.forced_worst + n;
  s.evap_prev = s.forced_w + n;
  s.g_prev = s.evap_prev + n;
  s.energy_prev = s.g_prev + n;
  s.policy_hm3 = s.energy_prev + n;
  s.forced_worst_t = s.forced_missed + n;
  s.ctl_priority = s.zone + n;
  s.scratch_int = s.zone + 2 * n;
  for (size_t i = 0; i < n; i++) s.release[i] = NAN, s.zone[i] = -1;
  for (int i = 0; i < m->nnodes; i++) s.storage[i] = m->nodes[i].initial_storage_hm3;
  /* A run started while an interruption stands stops at once; then the
  ** check comes between steps, and CLP stops within a step. */
  rc = naryn__interrupt_check(d);
  if (rc == NARYN_OK && naryn__routing_init(&s) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK && o->policy) rc = naryn__replay_new(m, o->policy, &s.replay, d);
  if (rc == NARYN_OK && s.replay) naryn__replay_set_prices(s.replay, r->price_state);
  if (rc == NARYN_OK) rc = build_lp(&s);
  if (rc == NARYN_OK && o->grids) rc = naryn__dispatch_new(m, r, &s.disp, d);
  if (rc == NARYN_OK) report_progress(&s, 0);
  for (int t = 0; t < m->nsteps && rc == NARYN_OK; t++) {
    rc = naryn__interrupt_check(d);
    if (rc == NARYN_OK) rc = run_step(&s, t);
    /* The step is recorded and balanced: a streamed run writes it out. */
    if (rc == NARYN_OK && each) rc = each(user, r, t, d);
    if (rc == NARYN_OK) report_progress(&s, t + 1);
  }
  if (rc == NARYN_OK) rc = naryn__balance_system(r, o->balance_tolerance, d);
  if (rc == NARYN_OK) report_forced(&s);
done:
  sim_free(&s);
  return rc;
}

int naryn_simulate(const naryn_model *m, const naryn_sim_opts *o,
                   naryn_result **out, naryn_diags *d) {
  *out = NULL;
  naryn_result *r = naryn__result_new(m);
  if (!r)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  int rc = naryn__simulate_into(m, o, r, NULL, NULL, d);
  if (rc != NARYN_OK) {
    naryn_result_free(r);
    return rc;
  }
  *out = r;
  return NARYN_OK;
}
