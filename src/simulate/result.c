/*
** result.c: the results of a run and their getters.
**
** A result holds, for every step and node, the quantities listed in
** naryn_quantity (NaN where one does not apply), the flow and loss of
** every link, and the water-balance figures of the run. A streamed result
** (naryn_simulate_to) holds only its last two steps, in slots used in
** turn, and the run's totals instead (naryn__sums).
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

static const char *const quantity_names[NARYN_Q_COUNT] = {
    "inflow_hm3",      "storage_end_hm3", "release_hm3", "turbined_hm3",
    "spill_hm3",       "evaporation_hm3", "demand_hm3", "delivered_hm3",
    "shortage_hm3",    "energy_gwh",    "head_m",      "level_m",
    "residual_hm3",    "release_deviation_hm3"};

const char *naryn_quantity_name(naryn_quantity q) {
  return (q >= 0 && q < NARYN_Q_COUNT) ? quantity_names[q] : "";
}

/* The storage was written as "storage_hm3" before its name said that it
** is the storage at the end of the step. */
const char *naryn__quantity_old_name(naryn_quantity q) {
  return q == NARYN_Q_STORAGE_END_HM3 ? "storage_hm3" : NULL;
}

int naryn__quantity_is(naryn_quantity q, const char *name) {
  const char *old = naryn__quantity_old_name(q);
  return strcmp(name, naryn_quantity_name(q)) == 0 || (old && strcmp(name, old) == 0);
}

/* Sets every quantity of a slot to NaN and its links to 0. */
static void clear_slot(naryn_result *r, size_t slot) {
  size_t nq = (size_t)r->nnodes * NARYN_Q_COUNT, nl = (size_t)r->nlinks;
  double *q = r->q + slot * nq;
  for (size_t i = 0; i < nq; i++) q[i] = NAN;
  memset(r->link_flow + slot * nl, 0, nl * sizeof *r->link_flow);
  memset(r->link_loss + slot * nl, 0, nl * sizeof *r->link_loss);
  if (r->link_arrival) memset(r->link_arrival + slot * nl, 0, nl * sizeof *r->link_arrival);
  for (int i = 0; i < r->nnodes; i++)
    r->zone[slot * (size_t)r->nnodes + (size_t)i] =
        r->control[slot * (size_t)r->nnodes + (size_t)i] = NARYN__CTL_NONE;
}

naryn_result *naryn__result_new_slots(const naryn_model *m, int q_steps) {
  if (q_steps >= m->nsteps || q_steps < 2 || (q_steps & (q_steps - 1)))
    q_steps = m->nsteps;
  naryn_result *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->m = m;
  r->nnodes = m->nnodes;
  r->nlinks = m->nlinks;
  r->nsteps = m->nsteps;
  r->q_steps = q_steps;
  r->slot_mask = q_steps >= m->nsteps ? SIZE_MAX : (size_t)q_steps - 1;
  r->newest_step = -1;
  size_t nq = (size_t)q_steps * (size_t)m->nnodes * NARYN_Q_COUNT;
  size_t nl = (size_t)q_steps * (size_t)m->nlinks;
  r->q = malloc((nq + 1) * sizeof *r->q);
  r->link_flow = malloc((nl + 1) * sizeof *r->link_flow);
  r->link_loss = malloc((nl + 1) * sizeof *r->link_loss);
  int routed = 0;
  for (int l = 0; l < m->nlinks; l++) routed |= m->links[l].route.kind != NARYN__ROUTE_NONE;
  if (routed && !(r->link_arrival = malloc((nl + 1) * sizeof *r->link_arrival))) {
    naryn_result_free(r);
    return NULL;
  }
  size_t nn = (size_t)q_steps * (size_t)m->nnodes;
  r->zone = malloc((nn + 1) * sizeof *r->zone);
  r->control = malloc((nn + 1) * sizeof *r->control);
  if (!r->q || !r->link_flow || !r->link_loss || !r->zone || !r->control) {
    naryn_result_free(r);
    return NULL;
  }
  for (int slot = 0; slot < q_steps; slot++) clear_slot(r, (size_t)slot);
  r->max_residual_node = r->max_residual_step = -1;
  r->pareto_level = NAN;
  r->objective_scale = 1.0;
  return r;
}

naryn_result *naryn__result_new(const naryn_model *m) {
  return naryn__result_new_slots(m, m->nsteps);
}

int naryn__result_holds(const naryn_result *r, int t) {
  if (t < 0 || t >= r->nsteps) return 0;
  if (NARYN__FULL(r)) return 1;
  return t <= r->newest_step && t > r->newest_step - r->q_steps;
}

void naryn__result_begin_step(naryn_result *r, int t) {
  /* A slot is used again only in a streamed result, and only once the
  ** step it held has been written out. */
  if (!NARYN__FULL(r) && t >= r->q_steps) clear_slot(r, NARYN__SLOT(r, t));
  if (t > r->newest_step) r->newest_step = t;
}

void naryn_result_free(naryn_result *r) {
  if (!r) return;
  free(r->q);
  free(r->link_flow);
  free(r->link_loss);
  free(r->link_arrival);
  free(r->grid_q);
  free(r->line_gwh);
  free(r->zone);
  free(r->control);
  if (r->sums) {
    free(r->sums->node_group);
    free(r->sums->season);
    free(r->sums->obs_sim);
    if (r->sums->term_values) {
      size_t n = (size_t)r->m->nterms * (size_t)r->nnodes;
      for (size_t k = 0; k < n; k++) free(r->sums->term_values[k].v);
    }
    free(r->sums->term_values);
    free(r->sums);
  }
  free(r->water_value);
  free(r->energy_lin);
  free(r->command);
  free(r->price_state);
  naryn__model_variant_free(r->own_model);
  free(r);
}

int naryn_result_set_command(naryn_result *r, const char *command) {
  char *copy = NULL;
  if (command) {
    size_t n = strlen(command) + 1;
    copy = malloc(n);
    if (!copy) return NARYN_ENOMEM;
    memcpy(copy, command, n);
  }
  free(r->command);
  r->command = copy;
  return NARYN_OK;
}

double naryn_result_node(const naryn_result *r, naryn_quantity q, int node,
                         int step) {
  if (q < 0 || q >= NARYN_Q_COUNT || node < 0 || node >= r->nnodes ||
      !naryn__result_holds(r, step))
    return NAN;
  return NARYN__Q(r, step, node, q);
}

double naryn_result_link_flow_hm3(const naryn_result *r, int link, int step) {
  if (link < 0 || link >= r->nlinks || !naryn__result_holds(r, step)) return NAN;
  return NARYN__LINK_FLOW(r, step, link);
}

double naryn_result_link_loss_hm3(const naryn_result *r, int link, int step) {
  if (link < 0 || link >= r->nlinks || !naryn__result_holds(r, step)) return NAN;
  return NARYN__LINK_LOSS(r, step, link);
}

double naryn_result_max_residual_hm3(const naryn_result *r, int *node,
                                     int *step) {
  if (node) *node = r->max_residual_node;
  if (step) *step = r->max_residual_step;
  return r->max_residual_hm3;
}

double naryn_result_max_residual_rel(const naryn_result *r) {
  return r->max_residual_rel;
}

double naryn_result_system_residual_hm3(const naryn_result *r) {
  return r->system_residual_hm3;
}

long naryn_result_solves(const naryn_result *r) { return r->solves; }
long naryn_result_iterations(const naryn_result *r) { return r->iterations; }

double naryn__result_start_storage(const naryn_result *r, int t, int i) {
  return t == 0 ? r->m->nodes[i].initial_storage_hm3
                : NARYN__Q(r, t - 1, i, NARYN_Q_STORAGE_END_HM3);
}

void naryn__result_derive_step(naryn_result *r, int t, int clip) {
  const naryn_model *m = r->m;
  double k = m->step_s[t] * 1e-6;
  const double *flow = &NARYN__LINK_FLOW(r, t, 0);
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (n->type != NARYN_NODE_SINK && n->type != NARYN_NODE_DEMAND) {
      double out = 0.0;
      for (int j = 0; j < n->n_out; j++) out += flow[n->out[j]];
      NARYN__Q(r, t, i, NARYN_Q_RELEASE_HM3) = out;
    }
    if (!n->enabled) continue;
    switch (n->type) {
    case NARYN_NODE_RESERVOIR:
      if (n->level.n > 0)
        NARYN__Q(r, t, i, NARYN_Q_LEVEL_M) =
            naryn__table_eval(&n->level, NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3));
      break;
    case NARYN_NODE_DEMAND: {
      double want = n->demand_hm3.v[t];
      double got = NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
      NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3) = want;
      NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3) = want - got > 0 ? want - got : 0;
      break;
    }
    case NARYN_NODE_MIN_FLOW: {
      double want = n->min_flow_m3s.v[t] * k;
      double past = NARYN__Q(r, t, i, NARYN_Q_RELEASE_HM3);
      NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3) = want;
      NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3) = past;
      NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3) = want - past > 0 ? want - past : 0;
      break;
    }
    case NARYN_NODE_HYDROPOWER: {
      /* Head from the mean storage of the plant's reservoir (none when it
      ** is switched off) and the tailwater at the plant's discharge. */
      double turb = NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3);
      double spill = NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3);
      double mean = 0.0;
      int res = n->reservoir;
      if (res >= 0 && m->nodes[res].enabled)
        mean = 0.5 * (naryn__result_start_storage(r, t, res) +
                      NARYN__Q(r, t, res, NARYN_Q_STORAGE_END_HM3));
      double h = naryn__hyd_head_m(m, n, mean, (turb + spill) / k);
      if (clip) {
        double cap_hm3 = naryn__hyd_turbine_cap_m3s(n, h) * k;
        double through = turb < cap_hm3 ? turb : cap_hm3;
        if (through < 0) through = 0;
        spill += turb - through;
        turb = through;
        NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3) = turb;
        NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3) = spill;
      }
      NARYN__Q(r, t, i, NARYN_Q_HEAD_M) = h;
      NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH) =
          naryn__hyd_energy_gwh(n, turb, h, m->step_s[t]);
      break;
    }
    default:
      break;
    }
  }
}

const char *naryn__zone_name(const naryn_model *m, int node, int zone) {
  const naryn__node *n = &m->nodes[node];
  return zone >= 0 && zone < n->nzones ? n->zones[zone].name : NULL;
}

const char *naryn__control_name(const naryn_model *m, int node, int code) {
  const naryn__node *n = &m->nodes[node];
  if (code >= 0) return code < n->nrules ? n->rules[code].name : NULL;
  switch (code) {
  case NARYN__CTL_ALLOCATION: return "allocation";
  case NARYN__CTL_TARGET: return "target_storage_hm3";
  case NARYN__CTL_SCHEDULE: return "release_m3s";
  case NARYN__CTL_FULL: return "full";
  case NARYN__CTL_DEAD: return "dead storage";
  case NARYN__CTL_FORCED: return "forced_release_m3s";
  case NARYN__CTL_POLICY: return "policy";
  default: return NULL;
  }
}

const char *naryn_result_zone(const naryn_result *r, int node, int step) {
  if (node < 0 || node >= r->nnodes || !naryn__result_holds(r, step))
    return NULL;
  return naryn__zone_name(r->m, node, NARYN__ZONE(r, step, node));
}

const char *naryn_result_rule(const naryn_result *r, int node, int step) {
  if (node < 0 || node >= r->nnodes || !naryn__result_holds(r, step))
    return NULL;
  return naryn__control_name(r->m, node, NARYN__CONTROL(r, step, node));
}
