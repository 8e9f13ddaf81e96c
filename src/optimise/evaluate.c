/*
** evaluate.c: what a plan is worth under the model's objective terms.
**
** Any result, simulated or optimised, is valued here from its recorded
** quantities alone, with the same prices the optimiser's LP uses, so that
** a simulated operating rule and an optimised plan are compared on equal
** terms. Energy is taken as recorded, which is the exact-head energy for
** both; the optimiser also asks for the value of its linearised energy to
** judge its own steps.
**
** Each term is a benefit (energy, at value_per_mwh; what the hydropower
** saves the grids it covers) or a cost (shortage, minimum-flow shortfall,
** inflow short of a target, spill into a node, end storage below a
** target), in the model's currency. A grid term is valued from the
** result's dispatch of the grids (grid/dispatch.c), grid by grid and, for
** each, step by step; it is NaN for a result that did not dispatch them.
**
** A term's value is built from one value per node and step (step_value),
** added into one running total node by node and, for each node, step by
** step. A streamed run (naryn_simulate_to) keeps no steps: as it goes it
** keeps each node's values that are not zero (naryn__terms_add_step), and
** sums them the same way when asked, so that it values a run exactly as
** the full result of the same run is valued here.
*/
#include <math.h>
#include <string.h>

#include "../naryn_int.h"

double naryn__curve_cost(const naryn__term *tm, double want, double got) {
  if (want <= 0) return 0.0;
  double short_frac = (want - got) / want, cost = 0.0;
  if (short_frac <= 0) return 0.0;
  for (int k = 0; k < tm->ncurve; k++) {
    double lo = tm->curve_frac[k], hi = tm->curve_frac[k + 1];
    if (short_frac <= lo) break;
    double part = (short_frac < hi ? short_frac : hi) - lo;
    cost += tm->curve_price[k] * part * want;
  }
  return cost;
}

/* 1 when node i counts for country c (NULL: every node) and is marked in
** 'nodes' (NULL: every node). */
static int counts(const naryn__node *n, int i, const char *c,
                  const unsigned char *nodes) {
  return (!c || strcmp(n->country, c) == 0) && (!nodes || nodes[i]);
}

/* Value of term k at node i in step t, energy from e (the node's energy
** in that step) when not NULL: 0 where the term does not count. End
** storage counts in the last step only, whatever the term's season. */
static double step_value(const naryn_result *r, const naryn__term *tm, int i,
                         int t, const double *e) {
  const naryn_model *m = r->m;
  if (tm->kind == NARYN__TERM_END_STORAGE) {
    if (t != m->nsteps - 1) return 0.0;
    double below = tm->end_target_hm3[i] - NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3);
    return below > 0 ? naryn__term_price(m, tm, i, t) * below : 0.0;
  }
  if (!tm->step_on[t]) return 0.0;
  switch (tm->kind) {
  case NARYN__TERM_ENERGY: {
    double v = e ? *e : NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH);
    return isnan(v) ? 0.0 : naryn__term_price(m, tm, i, t) * 1000.0 * v;
  }
  case NARYN__TERM_SHORTAGE: {
    double want = NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3);
    double got = NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
    if (isnan(want) || isnan(got)) return 0.0;
    if (tm->ncurve > 0) return naryn__curve_cost(tm, want, got);
    return want > got ? naryn__term_price(m, tm, i, t) * (want - got) : 0.0;
  }
  case NARYN__TERM_MIN_FLOW: {
    double v = NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3);
    return isnan(v) ? 0.0 : naryn__term_price(m, tm, i, t) * v;
  }
  case NARYN__TERM_INFLOW: {
    double want = tm->target_m3s.v[t] * (m->step_s[t] * 1e-6);
    double got = NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3);
    return !isnan(got) && want > got
               ? naryn__term_price(m, tm, i, t) * (want - got) : 0.0;
  }
  case NARYN__TERM_SPILL: {
    double got = NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3);
    return isnan(got) ? 0.0 : naryn__term_price(m, tm, i, t) * got;
  }
  default:
    return 0.0;
  }
}

int naryn__terms_add_step(const naryn_result *r, int t, naryn__sums *sums,
                          naryn_diags *d) {
  const naryn_model *m = r->m;
  for (int k = 0; k < m->nterms; k++) {
    const naryn__term *tm = &m->terms[k];
    for (int i = 0; i < m->nnodes; i++) {
      if (!tm->node_on[i]) continue;
      double v = step_value(r, tm, i, t, NULL);
      if (v == 0) continue;
      struct naryn__values *kv =
          &sums->term_values[(size_t)k * (size_t)m->nnodes + (size_t)i];
      double *grown = naryn__grow(kv->v, &kv->cap, kv->n + 1, sizeof *kv->v);
      if (!grown)
        return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                           "out of memory");
      kv->v = grown;
      kv->v[kv->n++] = v;
    }
  }
  return NARYN_OK;
}

/* 1 when a grid of country 'code' counts: for country c (NULL: any) and,
** when 'nodes' is given, when some node of its country is marked there. */
static int grid_counts(const naryn_model *m, const char *code, const char *c,
                       const unsigned char *nodes) {
  if (c && strcmp(code, c) != 0) return 0;
  if (!nodes) return 1;
  for (int i = 0; i < m->nnodes; i++)
    if (nodes[i] && strcmp(m->nodes[i].country, code) == 0) return 1;
  return 0;
}

/* A grid term's value: what the hydropower saved each grid it covers in
** each step of its season. */
static double grid_value(const naryn_result *r, const naryn__term *tm,
                         const char *country, const unsigned char *nodes) {
  const naryn_model *m = r->m;
  if (!r->grid_q) return NAN;
  double sum = 0.0;
  for (int k = 0; k < m->ngrids; k++) {
    if (!tm->grid_on[k] || !grid_counts(m, m->grids[k].country, country, nodes)) continue;
    for (int t = 0; t < m->nsteps; t++) {
      if (!tm->step_on[t]) continue;
      double v = r->grid_q[((size_t)t * m->ngrids + k) * NARYN_G_COUNT + NARYN_G_HYDRO_VALUE];
      if (!isnan(v) && v != 0) sum += v;
    }
  }
  return sum;
}

/* A term's value is one running total of its values node by node and,
** for each node, step by step, leaving out values of zero (which would
** not change it): from a full result's steps here, or from the values a
** streamed one kept (naryn__terms_add_step), the same additions in the
** same order. */
static double term_value(const naryn_result *r, int k, const char *country,
                         const unsigned char *nodes, const double *e_gwh) {
  const naryn_model *m = r->m;
  if (k < 0 || k >= m->nterms) return NAN;
  const naryn__term *tm = &m->terms[k];
  if (tm->kind == NARYN__TERM_GRID) return grid_value(r, tm, country, nodes);
  int full = NARYN__FULL(r);
  if (!full && (e_gwh || !r->sums)) return NAN;
  double sum = 0.0;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!tm->node_on[i] || !counts(n, i, country, nodes)) continue;
    if (!full) {
      const struct naryn__values *kv =
          &r->sums->term_values[(size_t)k * (size_t)m->nnodes + (size_t)i];
      for (int j = 0; j < kv->n; j++) sum += kv->v[j];
      continue;
    }
    int t0 = tm->kind == NARYN__TERM_END_STORAGE ? m->nsteps - 1 : 0;
    for (int t = t0; t < m->nsteps; t++) {
      double v = step_value(r, tm, i, t,
                            e_gwh ? &e_gwh[(size_t)t * m->nnodes + i] : NULL);
      if (v != 0) sum += v;
    }
  }
  return sum;
}

double naryn__term_value(const naryn_result *r, int k, const char *country,
                         const double *e_gwh) {
  return term_value(r, k, country, NULL, e_gwh);
}

double naryn__term_value_nodes(const naryn_result *r, int k,
                               const unsigned char *nodes, const double *e_gwh) {
  return term_value(r, k, NULL, nodes, e_gwh);
}

double naryn__objective_value(const naryn_result *r, const double *weights,
                              const double *e_gwh) {
  return naryn__objective_value_nodes(r, weights, NULL, e_gwh);
}

double naryn__objective_value_nodes(const naryn_result *r, const double *weights,
                                    const unsigned char *nodes,
                                    const double *e_gwh) {
  const naryn_model *m = r->m;
  double total = 0.0;
  for (int k = 0; k < m->nterms; k++) {
    double w = weights ? weights[k] : m->terms[k].weight;
    if (w == 0) continue;
    double v = term_value(r, k, NULL, nodes, e_gwh);
    total += NARYN__TERM_BENEFIT(m->terms[k].kind) ? w * v : -w * v;
  }
  return total;
}

/* ====================================================================== */
/* Public getters                                                          */
/* ====================================================================== */

double naryn_result_term(const naryn_result *r, int term, const char *country) {
  return naryn__term_value(r, term, country, NULL);
}

double naryn_result_objective(const naryn_result *r) {
  return naryn__objective_value(r, NULL, NULL);
}

int naryn_result_is_optimised(const naryn_result *r) { return r->optimised; }

double naryn_result_water_value(const naryn_result *r, int node, int step) {
  if (!r->water_value || node < 0 || node >= r->nnodes || step < 0 ||
      step >= r->nsteps)
    return NAN;
  return r->water_value[(size_t)step * r->nnodes + node];
}

double naryn_result_linearised_energy_gwh(const naryn_result *r, int node) {
  if (!r->energy_lin || node < 0 || node >= r->nnodes ||
      r->m->nodes[node].type != NARYN_NODE_HYDROPOWER)
    return NAN;
  double sum = 0.0;
  for (int t = 0; t < r->nsteps; t++)
    sum += r->energy_lin[(size_t)t * r->nnodes + node];
  return sum;
}

int naryn_result_passes(const naryn_result *r) { return r->passes; }

int naryn_result_converged(const naryn_result *r) { return r->converged; }

double naryn_result_pareto_level(const naryn_result *r) {
  return r->pareto_level;
}

void naryn_result_timing(const naryn_result *r, double *build_s,
                         double *solve_s) {
  if (build_s) *build_s = r->build_s;
  if (solve_s) *solve_s = r->solve_s;
}
