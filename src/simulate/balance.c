/*
** balance.c: the water-balance checks every run passes.
**
** After each step the water entering and leaving every node is summed
** again from the recorded link flows, deliveries, evaporation and storage,
** independently of the LP's rows, so that a solver tolerance, an elastic
** column or a bookkeeping slip cannot pass unseen:
**
**   inflow + arrivals + return flows
**     = releases + [demand] delivered + [reservoir] evaporation + storage change
**
** A residual above the tolerance times the water passing through the node
** stops the run. At the end, the whole system is checked the same way:
** outside inflow = consumption + evaporation + link losses + sink inflow +
** storage change, in the reservoirs and in the routed reaches. A streamed run adds each step to the system's totals as
** it goes, the same way and in the same order, since its steps are not
** kept.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

int naryn__balance_step(naryn_result *r, int t, double tolerance,
                        naryn_diags *d) {
  const naryn_model *m = r->m;
  double k = m->step_s[t] * 1e-6;
  const double *flow = &NARYN__LINK_FLOW(r, t, 0);
  const double *loss = &NARYN__LINK_LOSS(r, t, 0);
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    double in = 0.0, out = 0.0, held = 0.0;
    if (n->type == NARYN_NODE_INFLOW && n->enabled) in += naryn__inflow_m3s(r, i, t) * k;
    for (int j = 0; j < n->n_in; j++) {
      int l = n->in[j];
      /* A routed link brings what its reach lets out in the step. */
      in += m->links[l].route.kind ? NARYN__LINK_ARRIVAL(r, t, l) : flow[l] - loss[l];
    }
    for (int j = 0; j < n->n_ret; j++) {
      const naryn__node *dem = &m->nodes[n->ret[j]];
      double got = NARYN__Q(r, t, n->ret[j], NARYN_Q_DELIVERED_HM3);
      if (dem->enabled && !isnan(got)) in += dem->return_fraction * got;
    }
    NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3) = in;
    if (n->type == NARYN_NODE_SINK) {
      NARYN__Q(r, t, i, NARYN_Q_RESIDUAL_HM3) = 0.0;
      continue;
    }
    for (int j = 0; j < n->n_out; j++) out += flow[n->out[j]];
    if (n->type == NARYN_NODE_DEMAND && n->enabled)
      out += NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
    if (n->type == NARYN_NODE_RESERVOIR && n->enabled) {
      held = naryn__result_start_storage(r, t, i);
      out += NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3) +
             NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3) - held;
    }
    double res = in - out;
    /* A node passing less than 1 hm3 is held to 1e-6 hm3 (one cubic
    ** metre at the default tolerance): below that, what is left is the
    ** solver's own feasibility tolerance, not lost water. */
    double through = fmax(in + held, 1.0);
    if (n->type == NARYN_NODE_HYDROPOWER && n->enabled) {
      /* What left the plant went through the turbines or past them. */
      double split = NARYN__Q(r, t, i, NARYN_Q_TURBINED_HM3) +
                     NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3) -
                     NARYN__Q(r, t, i, NARYN_Q_RELEASE_HM3);
      if (fabs(split) > fabs(res)) res = split;
    }
    NARYN__Q(r, t, i, NARYN_Q_RESIDUAL_HM3) = res;
    double rel = fabs(res) / through;
    if (fabs(res) > r->max_residual_hm3 ||
        (r->max_residual_node < 0)) {
      r->max_residual_hm3 = fabs(res);
      r->max_residual_node = i;
      r->max_residual_step = t;
    }
    if (rel > r->max_residual_rel) r->max_residual_rel = rel;
    if (rel > tolerance) {
      char w[256];
      const naryn__doc *at = n->doc;
      return naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_ERROR, at->file,
                         at->line, at->col,
                         naryn__node_where(n, NULL, w, sizeof w),
                         "expected water in to equal water out in the step "
                         "of %s to within %g of the %g hm3 passing, got a "
                         "residual of %g hm3", m->step_date[t], tolerance,
                         through, res);
    }
  }
  return NARYN_OK;
}

void naryn__balance_system_add(const naryn_result *r, int t, double *system) {
  const naryn_model *m = r->m;
  double k = m->step_s[t] * 1e-6;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!n->enabled && n->type != NARYN_NODE_SINK) continue;
    switch (n->type) {
    case NARYN_NODE_INFLOW:
      system[0] += naryn__inflow_m3s(r, i, t) * k;
      break;
    case NARYN_NODE_DEMAND:
      system[1] += (1.0 - (n->return_to >= 0 ? n->return_fraction : 0.0)) *
                   NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
      break;
    case NARYN_NODE_RESERVOIR:
      system[2] += NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3);
      break;
    case NARYN_NODE_SINK:
      system[4] += NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3);
      break;
    default:
      break;
    }
  }
  for (int l = 0; l < m->nlinks; l++) system[3] += NARYN__LINK_LOSS(r, t, l);
}

int naryn__balance_system(naryn_result *r, double tolerance, naryn_diags *d) {
  const naryn_model *m = r->m;
  double sum[5] = {0.0, 0.0, 0.0, 0.0, 0.0};
  if (NARYN__FULL(r))
    for (int t = 0; t < m->nsteps; t++) naryn__balance_system_add(r, t, sum);
  else if (r->sums)
    memcpy(sum, r->sums->system, sizeof sum);
  double inflow = sum[0], consumed = sum[1], evap = sum[2], lost = sum[3],
         sunk = sum[4], stored = 0.0;
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_RESERVOIR && m->nodes[i].enabled && m->nsteps > 0)
      stored += NARYN__Q(r, m->nsteps - 1, i, NARYN_Q_STORAGE_END_HM3) -
                m->nodes[i].initial_storage_hm3;
  /* The routed reaches store water too. */
  stored += r->transit_hm3;
  double res = inflow - (consumed + evap + lost + sunk + stored);
  r->system_residual_hm3 = res;
  /* Rounding grows with the largest volume in the sum, which may be a
  ** reservoir's storage change far above a small inflow. */
  double scale = fmax(fmax(fmax(inflow, 1e-6), fmax(consumed, evap)),
                      fmax(fmax(lost, sunk), fabs(stored)));
  if (fabs(res) > tolerance * scale)
    return naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_ERROR, m->path, 0, 0,
                       "system",
                       "expected outside inflow (%g hm3) to equal consumption "
                       "%g + evaporation %g + losses %g + sink inflow %g + "
                       "storage change %g, got a residual of %g hm3",
                       inflow, consumed, evap, lost, sunk, stored, res);
  return NARYN_OK;
}
