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
** Each term is a benefit (energy, at value_per_mwh) or a cost (shortage,
** minimum-flow shortfall, inflow short of a target, spill into a node, end
** storage below a target), in the model's currency.
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

static double term_value(const naryn_result *r, int k, const char *country,
                         const unsigned char *nodes, const double *e_gwh) {
  const naryn_model *m = r->m;
  if (k < 0 || k >= m->nterms) return NAN;
  const naryn__term *tm = &m->terms[k];
  double sum = 0.0;
  int last = m->nsteps - 1;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!tm->node_on[i] || !counts(n, i, country, nodes)) continue;
    if (tm->kind == NARYN__TERM_END_STORAGE) {
      double s = NARYN__Q(r, last, i, NARYN_Q_STORAGE_HM3);
      double below = tm->end_target_hm3[i] - s;
      if (below > 0) sum += naryn__term_price(m, tm, i, last) * below;
      continue;
    }
    for (int t = 0; t < m->nsteps; t++) {
      if (!tm->step_on[t]) continue;
      double kk = m->step_s[t] * 1e-6;
      switch (tm->kind) {
      case NARYN__TERM_ENERGY: {
        double e = e_gwh ? e_gwh[(size_t)t * m->nnodes + i]
                         : NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH);
        if (!isnan(e)) sum += naryn__term_price(m, tm, i, t) * 1000.0 * e;
        break;
      }
      case NARYN__TERM_SHORTAGE: {
        double want = NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3);
        double got = NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
        if (isnan(want) || isnan(got)) break;
        if (tm->ncurve > 0)
          sum += naryn__curve_cost(tm, want, got);
        else if (want > got)
          sum += naryn__term_price(m, tm, i, t) * (want - got);
        break;
      }
      case NARYN__TERM_MIN_FLOW: {
        double s = NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3);
        if (!isnan(s)) sum += naryn__term_price(m, tm, i, t) * s;
        break;
      }
      case NARYN__TERM_INFLOW: {
        double want = tm->target_m3s.v[t] * kk;
        double got = NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3);
        if (!isnan(got) && want > got)
          sum += naryn__term_price(m, tm, i, t) * (want - got);
        break;
      }
      case NARYN__TERM_SPILL: {
        double got = NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3);
        if (!isnan(got)) sum += naryn__term_price(m, tm, i, t) * got;
        break;
      }
      default:
        break;
      }
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
    total += m->terms[k].kind == NARYN__TERM_ENERGY ? w * v : -w * v;
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
