/*
** result.c: the results of a run and their getters.
**
** A result holds, for every step and node, the quantities listed in
** naryn_quantity (NaN where one does not apply), the flow and loss of
** every link, and the water-balance figures of the run.
*/
#include <math.h>
#include <stdlib.h>

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
  free(r);
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
