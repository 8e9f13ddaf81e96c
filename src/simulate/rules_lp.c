/*
** rules_lp.c: the reservoirs' operating rules in the step LP.
**
** A rule is a penalised target at its priority, like a reservoir's target
** storage or release schedule: keeping to it is worth the priority's weight
** per hm3, so a rule gives way to every use of a higher priority and wins
** over every use of a lower one. Which rules hold in a step depends on the
** zone the reservoir's storage is in at the start of the step.
**
** Every rule but hedging acts on water that passes one place: a release
** rule on the reservoir's outflow, a downstream rule on the outflow of its
** control node (or the arrival at a sink), a storage rule on the storage
** kept, an energy rule on a plant's turbined water. That water is led
** through a chain of rows, one stage per rule, each stage a handful of
** parallel columns whose costs add up to the rule's penalty (sim_int.h).
** Only bounds change from step to step: a rule out of its zone opens a
** free column and closes the others. Because a chain is a path, a network
** stays a network, and the network simplex keeps solving it.
**
** Hedging acts on deliveries: a row per hedged demand caps its delivery at
** (1 - cut) of the demand, softly, at the rule's priority.
**
** After a step, the rule that decided each reservoir's release (the
** "controlling rule") is the rule of highest priority whose stage holds the
** water exactly at one of its bounds; failing that, the reservoir was full,
** at dead storage, or released what the allocation asked of it.
*/
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

/* A rule's stage kind, or -1 for hedging, which has none. */
static int kind_of(naryn__rule_type type) {
  switch (type) {
  case NARYN__RULE_RELEASE:
  case NARYN__RULE_STORAGE:
    return STAGE_TARGET;
  case NARYN__RULE_MIN_RELEASE:
  case NARYN__RULE_ENERGY:
  case NARYN__RULE_DOWNSTREAM:
    return STAGE_MIN;
  case NARYN__RULE_MAX_RELEASE:
    return STAGE_MAX;
  case NARYN__RULE_RAMP:
    return STAGE_BAND;
  default:
    return -1;
  }
}

/* The chain a rule's stage belongs to, and the node it is at. */
enum { CHAIN_RELEASE, CHAIN_STORAGE, CHAIN_TURBINE, CHAIN_NONE };

static int chain_of(const naryn_model *m, int res, const naryn__rule *r,
                    int *node) {
  switch (r->type) {
  case NARYN__RULE_RELEASE:
  case NARYN__RULE_MIN_RELEASE:
  case NARYN__RULE_MAX_RELEASE:
  case NARYN__RULE_RAMP:
    *node = res;
    return CHAIN_RELEASE;
  case NARYN__RULE_STORAGE:
    *node = res;
    return CHAIN_STORAGE;
  case NARYN__RULE_ENERGY:
    *node = r->node;
    return m->nodes[r->node].enabled ? CHAIN_TURBINE : CHAIN_NONE;
  case NARYN__RULE_DOWNSTREAM:
    *node = r->node;
    return CHAIN_RELEASE;
  default:
    *node = -1;
    return CHAIN_NONE;
  }
}

/* Whether reservoir res's rules count at all: a disabled reservoir acts as
** a junction and has none. */
static int has_rules(const naryn_model *m, int res) {
  const naryn__node *n = &m->nodes[res];
  return n->type == NARYN_NODE_RESERVOIR && n->enabled && n->nrules > 0;
}

int naryn__rules_count(sim *s) {
  const naryn_model *m = s->m;
  int n = 0, h = 0;
  for (int i = 0; i < m->nnodes; i++) {
    if (!has_rules(m, i)) continue;
    const naryn__node *res = &m->nodes[i];
    for (int k = 0; k < res->nrules; k++) {
      int at;
      if (res->rules[k].type == NARYN__RULE_HEDGING) h += res->rules[k].ndemands;
      else if (chain_of(m, i, &res->rules[k], &at) != CHAIN_NONE) n++;
    }
  }
  s->stages = calloc((size_t)n + 1, sizeof *s->stages);
  s->hedges = calloc((size_t)h + 1, sizeof *s->hedges);
  return s->stages && s->hedges ? NARYN_OK : NARYN_ENOMEM;
}

/* Whether rule k of a reservoir applies in every zone. */
static int always(const naryn__node *res, int k) {
  for (int z = 0; z < res->nzones; z++)
    if (!naryn__rule_applies(res, k, z)) return 0;
  return 1;
}

/* Adds the columns of rule k of reservoir res as a stage from row 'from' to
** row 'to' (-1 for the outside). Returns the stage, or NULL when out of
** memory. */
static stage *add_stage(sim *s, lp_build *b, int res, int k, int from, int to) {
  const naryn__rule *r = &s->m->nodes[res].rules[k];
  double w = naryn__priority_weight(r->priority);
  static const int ncols[] = {3, 2, 2, 3};
  double cost[3];
  stage_kind kind = (stage_kind)kind_of(r->type);
  switch (kind) {
  case STAGE_TARGET: cost[0] = -w, cost[1] = w, cost[2] = 0.0; break;
  case STAGE_MIN: cost[0] = -w, cost[1] = 0.0; break;
  case STAGE_MAX: cost[0] = 0.0, cost[1] = w; break;
  case STAGE_BAND: cost[0] = -w, cost[1] = 0.0, cost[2] = w; break;
  }
  stage *st = &s->stages[s->nstages++];
  const naryn__node *rn = &s->m->nodes[res];
  st->res = res;
  st->rule = k;
  /* The zones it applies in, looked up once (each zone its bit). */
  st->zones = rn->nzones > 0 && rn->nzones <= 32 ? 0u : ~0u;
  for (int z = 0; rn->nzones <= 32 && z < rn->nzones; z++)
    if (naryn__rule_applies(rn, k, z)) st->zones |= 1u << z;
  st->kind = kind;
  st->ncols = ncols[kind];
  /* A target that holds in every zone never needs its free column. */
  if (kind == STAGE_TARGET && always(&s->m->nodes[res], k)) st->ncols = 2;
  for (int c = 0; c < st->ncols; c++) {
    int col = naryn__sim_col(s, b, cost[c]);
    if (col < 0) return NULL;
    if (c == 0) st->col = col;
    if (from >= 0 && naryn__trip_add(&b->t, from, col, -1.0) < 0) return NULL;
    if (to >= 0 && naryn__trip_add(&b->t, to, col, 1.0) < 0) return NULL;
  }
  return st;
}

/* Lays out a chain of the stages of every rule whose water passes node
** 'at' in the given chain, from row 'first' on: each stage leads to a new
** row, the last one to 'last' (a new row when last is -2, the outside when
** -1). Returns the row after the last stage, 'first' when there is none,
** or -3 when out of memory. */
static int lay_chain(sim *s, lp_build *b, int at, int chain, int first,
                     int last) {
  const naryn_model *m = s->m;
  int count = 0;
  for (int i = 0; i < m->nnodes; i++) {
    if (!has_rules(m, i)) continue;
    for (int k = 0; k < m->nodes[i].nrules; k++) {
      int node;
      if (chain_of(m, i, &m->nodes[i].rules[k], &node) == chain && node == at)
        count++;
    }
  }
  int row = first, done = 0;
  for (int i = 0; i < m->nnodes && done < count; i++) {
    if (!has_rules(m, i)) continue;
    for (int k = 0; k < m->nodes[i].nrules; k++) {
      int node;
      if (chain_of(m, i, &m->nodes[i].rules[k], &node) != chain || node != at)
        continue;
      int to = ++done < count || last == -2 ? s->nrows++ : last;
      if (!add_stage(s, b, i, k, row, to)) return -3;
      row = to;
    }
  }
  return row;
}

int naryn__rules_release_chain(sim *s, lp_build *b, int i) {
  int row = lay_chain(s, b, i, CHAIN_RELEASE, s->nl[i].bal, -2);
  return row == -3 ? -1 : row;
}

int naryn__rules_arrival_chain(sim *s, lp_build *b, int i) {
  int start = s->nstages;
  int first = s->nrows;
  s->nrows++;
  int row = lay_chain(s, b, i, CHAIN_RELEASE, first, -1);
  if (row == -3) return -2;
  if (s->nstages == start) {
    s->nrows--;
    return -1;
  }
  return first;
}

int naryn__rules_storage_chain(sim *s, lp_build *b, int i) {
  int start = s->nstages, first = s->nrows++;
  int row = lay_chain(s, b, i, CHAIN_STORAGE, first, -1);
  if (row == -3) return NARYN_ENOMEM;
  if (s->nstages == start) {
    s->nrows--;
    return NARYN_OK;
  }
  /* The storage kept above dead storage enters the chain. */
  return naryn__trip_add(&b->t, first, s->nl[i].y, 1.0) < 0 ? NARYN_ENOMEM
                                                             : NARYN_OK;
}

int naryn__rules_turbine_chain(sim *s, lp_build *b, int i) {
  node_lp *v = &s->nl[i];
  int start = s->nstages, first = s->nrows++;
  int row = lay_chain(s, b, i, CHAIN_TURBINE, first, -1);
  if (row == -3) return -1;
  if (s->nstages == start) {
    s->nrows--;
    return 0;
  }
  v->tchain = first;
  /* The turbined water leaves the plant's balance into the chain; the last
  ** stage's columns bring it to the split row, written so that folding the
  ** split row into the balance (sim.c, build_net) leaves each column one
  ** entry in and one out. */
  if (naryn__trip_add(&b->t, v->out_row, v->qt, -1.0) < 0 ||
      naryn__trip_add(&b->t, first, v->qt, 1.0) < 0)
    return -1;
  const stage *last = &s->stages[s->nstages - 1];
  for (int c = 0; c < last->ncols; c++)
    if (naryn__trip_add(&b->t, v->out_row, last->col + c, 1.0) < 0 ||
        naryn__trip_add(&b->t, v->srow, last->col + c, -1.0) < 0)
      return -1;
  return 1;
}

int naryn__rules_hedging(sim *s, lp_build *b) {
  const naryn_model *m = s->m;
  for (int i = 0; i < m->nnodes; i++) {
    if (!has_rules(m, i)) continue;
    const naryn__node *res = &m->nodes[i];
    for (int k = 0; k < res->nrules; k++) {
      const naryn__rule *r = &res->rules[k];
      if (r->type != NARYN__RULE_HEDGING) continue;
      for (int j = 0; j < r->ndemands; j++) {
        const node_lp *dv = &s->nl[r->demands[j]];
        if (dv->d < 0) continue; /* a disabled demand takes nothing */
        hedge_row *h = &s->hedges[s->nhedges++];
        h->res = i, h->rule = k, h->demand = r->demands[j];
        h->row = s->nrows++;
        h->h = naryn__sim_col(s, b, naryn__priority_weight(r->priority));
        h->slack = naryn__sim_col(s, b, 0.0);
        if (h->h < 0 || h->slack < 0) return NARYN_ENOMEM;
        for (int part = 0; part < SHARE_PARTS; part++)
          if (naryn__trip_add(&b->t, h->row, dv->d + part, 1.0) < 0)
            return NARYN_ENOMEM;
        if (naryn__trip_add(&b->t, h->row, h->h, -1.0) < 0 ||
            naryn__trip_add(&b->t, h->row, h->slack, 1.0) < 0)
          return NARYN_ENOMEM;
      }
    }
  }
  return NARYN_OK;
}

/* ---------------------------------------------------------------------- */
/* Each step                                                               */
/* ---------------------------------------------------------------------- */

void naryn__rules_zones(sim *s, int t) {
  const naryn_model *m = s->m;
  for (int i = 0; i < m->nnodes; i++)
    s->zone[i] = has_rules(m, i) && m->nodes[i].nzones > 0
                     ? naryn__zone_of(&m->nodes[i], t, s->storage[i])
                     : -1;
}

static int applies(const sim *s, int res, int k) {
  int z = s->zone[res];
  return naryn__rule_applies(&s->m->nodes[res], k, z < 0 ? 0 : z);
}

/* Marks in seen every node below node p: those some chain of links leads
** to from p, so that water p passes reaches them. stack has room for
** nnodes ints; seen is cleared first. */
static void mark_below(const naryn_model *m, int p, int *stack, unsigned char *seen) {
  int top = 0;
  memset(seen, 0, (size_t)m->nnodes);
  stack[top++] = p;
  while (top > 0) {
    const naryn__node *n = &m->nodes[stack[--top]];
    for (int k = 0; k < n->n_out; k++) {
      int to = m->links[n->out[k]].to;
      if (!seen[to]) seen[to] = 1, stack[top++] = to;
    }
  }
}

/* Whether a stage's rule follows a grid's residual demand. */
static int residual(const sim *s, const stage *st) {
  const naryn__rule *r = &s->m->nodes[st->res].rules[st->rule];
  return r->type == NARYN__RULE_ENERGY && r->residual_grid >= 0;
}

int naryn__rules_cascades(sim *s) {
  const naryn_model *m = s->m;
  int count = 0;
  for (int j = 0; j < s->nstages; j++) count += residual(s, &s->stages[j]);
  s->cascade = malloc(((size_t)count * ((size_t)m->nnodes + 2) + 1) * sizeof *s->cascade);
  if (!s->cascade) return NARYN_ENOMEM;
  int at = 0;
  for (int j = 0; j < s->nstages; j++) {
    stage *st = &s->stages[j];
    st->cascade = -1;
    if (!residual(s, st)) continue;
    const naryn__rule *r = &m->nodes[st->res].rules[st->rule];
    int g = r->residual_grid, p = r->node;
    mark_below(m, p, s->scratch_int, s->scratch_seen);
    /* The grid's plants below p, then the others, each in node order. */
    st->cascade = at;
    for (int below = 1; below >= 0; below--) {
      int *n = &s->cascade[at++];
      *n = 0;
      for (int i = 0; i < m->nnodes; i++)
        if (i != p && m->plant_grid[i] == g && s->nl[i].qt >= 0 &&
            (s->scratch_seen[i] != 0) == below)
          s->cascade[at++] = i, (*n)++;
    }
  }
  return NARYN_OK;
}

/* The energy (GWh) the energy rule of stage st asks of its plant in step
** t: its energy_gwh, or its share of the residual demand of the grid it
** follows. */
static double target_gwh(const sim *s, const stage *st, int t) {
  const naryn_model *m = s->m;
  const naryn__rule *r = &m->nodes[st->res].rules[st->rule];
  if (r->residual_grid < 0) return r->energy_gwh.v[t];
  /* The grid's demand, less what its thermal plants up to the stated price
  ** can make in the step, less what its plants outside the rule's cascade
  ** made in the step before: all known before the step is solved. The
  ** cascade (the rule's plant and the grid's plants below it, which its
  ** water passes again) is asked for share of that residual, and the
  ** plant for its part of the cascade's energy per m3: its efficiency
  ** times head over the sum of the cascade's. Counting the plants below
  ** as they ran the step before would make the target swing, since they
  ** follow the plant's own release. Which plants are below is the
  ** network's, found once (naryn__rules_cascades). */
  int g = r->residual_grid, p = r->node;
  double left = m->grids[g].demand_gwh.v[t];
  double hours = m->step_s[t] / 3600.0;
  for (int k = 0; k < m->nthermal && !isnan(r->residual_thermal_per_mwh); k++) {
    const naryn__thermal *th = &m->thermal[k];
    if (th->grid != g || th->cost_per_mwh.v[t] > r->residual_thermal_per_mwh)
      continue;
    double avail = th->availability.v ? th->availability.v[t] : 1.0;
    left -= th->capacity_mw * avail * hours * 1e-3;
  }
  double own = m->nodes[p].efficiency * fmax(s->head[p], 0.0), cascade = own;
  const int *below = &s->cascade[st->cascade], *other = below + 1 + below[0];
  for (int k = 1; k <= below[0]; k++)
    cascade += m->nodes[below[k]].efficiency * fmax(s->head[below[k]], 0.0);
  for (int k = 1; k <= other[0] && t > 0; k++) left -= s->energy_prev[other[k]];
  double part = cascade > 0 ? own / cascade : 1.0;
  return left > 0 ? r->residual_share * left * part : 0.0;
}

/* Turbined water (hm3) the energy rule of stage st asks of its plant at
** the head used in the current solve. */
static double energy_hm3(const sim *s, const stage *st, int t) {
  int plant = s->m->nodes[st->res].rules[st->rule].node;
  const naryn__node *p = &s->m->nodes[plant];
  double h = s->head[plant], step_s = s->m->step_s[t];
  if (!(h > 0) || !(p->efficiency > 0) || step_s <= 0) return 0.0;
  /* Mean power over the step, and the flow that makes it at this head. */
  double mw = target_gwh(s, st, t) * 1e3 / (step_s / 3600.0);
  double q_m3s = mw * 1e6 / (NARYN__RHO_G * p->efficiency * h);
  return q_m3s * step_s * 1e-6;
}

/* Sets a stage's bounds for the step, or opens its free column when the
** rule does not apply. */
static void stage_bounds(sim *s, stage *st, int t) {
  const naryn_model *m = s->m;
  const naryn__node *res = &m->nodes[st->res];
  const naryn__rule *r = &res->rules[st->rule];
  double k = m->step_s[t] * 1e-6, lo = NAN, hi = NAN;
  int z = s->zone[st->res];
  st->on = st->zones == ~0u ? applies(s, st->res, st->rule)
                            : (int)(st->zones >> (z < 0 ? 0 : z) & 1u);
  if (st->on) {
    switch (r->type) {
    case NARYN__RULE_RELEASE:
    case NARYN__RULE_MIN_RELEASE:
    case NARYN__RULE_MAX_RELEASE:
      lo = naryn__rule_release_m3s(m, res, &r->release, t, s->storage[st->res]) * k;
      break;
    case NARYN__RULE_STORAGE:
      lo = r->storage_hm3.v[t] - res->min_storage_hm3;
      if (lo < 0) lo = 0;
      break;
    case NARYN__RULE_ENERGY:
      lo = energy_hm3(s, st, t);
      break;
    case NARYN__RULE_DOWNSTREAM:
      lo = r->flow_m3s.v[t] * k;
      break;
    case NARYN__RULE_RAMP: {
      double before = t == 0 ? r->initial_release_m3s : s->release[st->res];
      if (isnan(before)) {
        st->on = 0;
        break;
      }
      lo = before - r->max_down_m3s;
      lo = lo > 0 ? lo * k : 0.0;
      hi = before + r->max_up_m3s;
      hi = hi < INFINITY ? hi * k : INFINITY;
      break;
    }
    default:
      break;
    }
  }
  if (st->on && !(lo >= 0)) lo = 0.0;
  st->lo_hm3 = lo;
  st->hi_hm3 = st->kind == STAGE_BAND ? hi : lo;
  double *up = s->colup + st->col;
  for (int c = 0; c < st->ncols; c++) s->collo[st->col + c] = 0.0;
  switch (st->kind) {
  case STAGE_TARGET:
    /* Without its free column a target is never off (see add_stage). */
    if (st->ncols == 2) st->on = 1;
    up[0] = st->on ? (lo >= 0 ? lo : 0.0) : 0.0;
    up[1] = st->on ? INFINITY : 0.0;
    if (st->ncols == 3) up[2] = st->on ? 0.0 : INFINITY;
    break;
  case STAGE_MIN:
    up[0] = st->on ? lo : 0.0;
    up[1] = INFINITY;
    break;
  case STAGE_MAX:
    up[0] = st->on ? lo : INFINITY;
    up[1] = st->on ? INFINITY : 0.0;
    break;
  case STAGE_BAND:
    up[0] = st->on ? lo : 0.0;
    up[1] = st->on ? (hi < INFINITY ? hi - lo : INFINITY) : INFINITY;
    up[2] = st->on && hi < INFINITY ? INFINITY : 0.0;
    break;
  }
}

/* The cut of a hedging rule in step t: the whole cut at or below the
** trigger (always, without one), growing from nothing at the trigger to the
** whole cut at full_cut with two-point hedging. */
static double hedge_cut(const sim *s, const hedge_row *h, int t) {
  const naryn__node *res = &s->m->nodes[h->res];
  const naryn__rule *r = &res->rules[h->rule];
  if (!applies(s, h->res, h->rule)) return 0.0;
  if (!r->trigger_hm3.v) return r->cut;
  double st = s->storage[h->res], trig = r->trigger_hm3.v[t];
  if (st > trig) return 0.0;
  if (!r->full_cut_hm3.v) return r->cut;
  double full = r->full_cut_hm3.v[t];
  if (st <= full || trig <= full) return r->cut;
  return r->cut * (trig - st) / (trig - full);
}

void naryn__rules_bounds(sim *s, int t) {
  for (int j = 0; j < s->nstages; j++) stage_bounds(s, &s->stages[j], t);
  for (int j = 0; j < s->nhedges; j++) {
    hedge_row *h = &s->hedges[j];
    h->cut = hedge_cut(s, h, t);
    double want = s->m->nodes[h->demand].demand_hm3.v[t];
    s->rowlo[h->row] = s->rowup[h->row] = (1.0 - h->cut) * want;
    s->collo[h->h] = s->collo[h->slack] = 0.0;
    s->colup[h->h] = s->colup[h->slack] = INFINITY;
  }
}

/* ---------------------------------------------------------------------- */
/* What decided the release                                                */
/* ---------------------------------------------------------------------- */

static int near(double a, double b) {
  return fabs(a - b) <= 1e-6 * (1.0 + fabs(b));
}

/* Whether the water through a stage sits at one of its bounds. */
static int stage_binds(const stage *st, const double *x) {
  if (!st->on) return 0;
  double through = 0.0;
  for (int c = 0; c < st->ncols; c++) through += x[st->col + c];
  if (near(through, st->lo_hm3) && (st->kind != STAGE_BAND || st->lo_hm3 > 0))
    return 1;
  return st->kind == STAGE_BAND && st->hi_hm3 < INFINITY &&
         near(through, st->hi_hm3);
}

/* Keeps the candidate of higher priority; among equals, a rule listed
** earlier, and the rules before target_storage_hm3 and release_m3s. */
static void consider(int *best, int *best_p, int code, int priority) {
  int rank_new = code >= 0 ? code : 1000 - code;
  int rank_old = *best >= 0 ? *best : 1000 - *best;
  if (*best == NARYN__CTL_ALLOCATION || priority < *best_p ||
      (priority == *best_p && rank_new < rank_old)) {
    *best = code;
    *best_p = priority;
  }
}

void naryn__rules_control(sim *s, int t, const double *x, int *code) {
  const naryn_model *m = s->m;
  double k = m->step_s[t] * 1e-6;
  int *prio = s->ctl_priority;
  for (int i = 0; i < m->nnodes; i++) {
    code[i] = s->nl[i].y >= 0 ? NARYN__CTL_ALLOCATION : NARYN__CTL_NONE;
    prio[i] = NARYN__PRIORITY_MAX + 1;
  }
  for (int j = 0; j < s->nstages; j++) {
    const stage *st = &s->stages[j];
    if (stage_binds(st, x))
      consider(&code[st->res], &prio[st->res], st->rule,
               m->nodes[st->res].rules[st->rule].priority);
  }
  for (int j = 0; j < s->nhedges; j++) {
    const hedge_row *h = &s->hedges[j];
    if (h->cut <= 0) continue;
    double got = 0.0;
    for (int part = 0; part < SHARE_PARTS; part++) got += x[s->nl[h->demand].d + part];
    if (near(got, s->rowlo[h->row]))
      consider(&code[h->res], &prio[h->res], h->rule,
               m->nodes[h->res].rules[h->rule].priority);
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    const node_lp *v = &s->nl[i];
    if (v->y < 0) continue;
    /* The step is recorded: its release is there already. */
    double out_hm3 = NARYN__Q(s->r, t, i, NARYN_Q_RELEASE_HM3);
    if (v->trow >= 0 && near(x[v->y] - x[v->u], s->rowlo[v->trow]))
      consider(&code[i], &prio[i], NARYN__CTL_TARGET, n->target_priority);
    if (v->rrow >= 0 && near(out_hm3, s->rowlo[v->rrow])) {
      /* A forced release, or a policy's, holds above every priority. */
      if (naryn__replay_holds(s->replay, i))
        consider(&code[i], &prio[i], NARYN__CTL_POLICY, 0);
      else if (n->forced_release_m3s.v)
        consider(&code[i], &prio[i], NARYN__CTL_FORCED, 0);
      else consider(&code[i], &prio[i], NARYN__CTL_SCHEDULE, n->release_priority);
    }
    if (code[i] == NARYN__CTL_ALLOCATION) {
      double end = n->min_storage_hm3 + x[v->y] - x[v->u];
      if (end >= n->max_storage_hm3 - 1e-6 * (1.0 + n->max_storage_hm3))
        code[i] = NARYN__CTL_FULL;
      else if (end <= n->min_storage_hm3 + 1e-6 * (1.0 + n->min_storage_hm3))
        code[i] = NARYN__CTL_DEAD;
    }
    s->release[i] = out_hm3 / k;
  }
}
