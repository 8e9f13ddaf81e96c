/*
** result.c: the results of a run and their getters.
**
** A result holds, for every step and node, the quantities listed in
** naryn_quantity (NaN where one does not apply), the flow and loss of
** every link, and the water-balance figures of the run.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

static const char *const quantity_names[NARYN_Q_COUNT] = {
    "inflow_hm3",      "storage_hm3",   "release_hm3", "turbined_hm3",
    "spill_hm3",       "evaporation_hm3", "demand_hm3", "delivered_hm3",
    "shortage_hm3",    "energy_gwh",    "head_m",      "level_m",
    "residual_hm3"};

const char *naryn_quantity_name(naryn_quantity q) {
  return (q >= 0 && q < NARYN_Q_COUNT) ? quantity_names[q] : "";
}

naryn_result *naryn__result_new(const naryn_model *m) {
  naryn_result *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->m = m;
  r->nnodes = m->nnodes;
  r->nlinks = m->nlinks;
  r->nsteps = m->nsteps;
  size_t nq = (size_t)m->nsteps * (size_t)m->nnodes * NARYN_Q_COUNT;
  size_t nl = (size_t)m->nsteps * (size_t)m->nlinks;
  r->q = malloc((nq + 1) * sizeof *r->q);
  r->link_flow = calloc(nl + 1, sizeof *r->link_flow);
  r->link_loss = calloc(nl + 1, sizeof *r->link_loss);
  if (!r->q || !r->link_flow || !r->link_loss) {
    naryn_result_free(r);
    return NULL;
  }
  for (size_t i = 0; i < nq; i++) r->q[i] = NAN;
  r->max_residual_node = r->max_residual_step = -1;
  r->pareto_level = NAN;
  r->objective_scale = 1.0;
  return r;
}

void naryn_result_free(naryn_result *r) {
  if (!r) return;
  free(r->q);
  free(r->link_flow);
  free(r->link_loss);
  free(r->water_value);
  free(r->energy_lin);
  free(r->command);
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
      step < 0 || step >= r->nsteps)
    return NAN;
  return NARYN__Q(r, step, node, q);
}

double naryn_result_link_flow_hm3(const naryn_result *r, int link, int step) {
  if (link < 0 || link >= r->nlinks || step < 0 || step >= r->nsteps) return NAN;
  return r->link_flow[(size_t)step * r->nlinks + link];
}

double naryn_result_link_loss_hm3(const naryn_result *r, int link, int step) {
  if (link < 0 || link >= r->nlinks || step < 0 || step >= r->nsteps) return NAN;
  return r->link_loss[(size_t)step * r->nlinks + link];
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
                : NARYN__Q(r, t - 1, i, NARYN_Q_STORAGE_HM3);
}

void naryn__result_derive_step(naryn_result *r, int t, int clip) {
  const naryn_model *m = r->m;
  double k = m->step_s[t] * 1e-6;
  const double *flow = &r->link_flow[(size_t)t * m->nlinks];
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
            naryn__table_eval(&n->level, NARYN__Q(r, t, i, NARYN_Q_STORAGE_HM3));
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
                      NARYN__Q(r, t, res, NARYN_Q_STORAGE_HM3));
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
