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

#include "opt_int.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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
          arrived += naryn__opt_lag_coef(m, l, t - d, t) * lflow(p, x, t - d, l);
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
      if (v->qt >= 0 && naryn__opt_planned(p, i)) {
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
  if (naryn__opt_setup(&p) != NARYN_OK) goto oom;
  best = new_result(m);
  cand = new_result(m);
  if (!best || !cand) goto oom;
  if (m->ngrids > 0) {
    if ((rc = naryn__dispatch_new(m, best, &p.disp, d)) != NARYN_OK) goto fail;
    if (naryn__dispatch_room(m, cand) != NARYN_OK) goto oom;
    naryn__dispatch_open_lines(p.disp, p.line_open);
  }
  if (naryn__opt_objective(&p) != NARYN_OK) goto oom;
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
        p.ref_s[at] = naryn__opt_held_at(hold->storage_hm3, at);
      if (start && p.nc[i].qt >= 0) {
        double tu = NARYN__Q(start, t, i, NARYN_Q_TURBINED_HM3);
        double sp = NARYN__Q(start, t, i, NARYN_Q_SPILL_HM3);
        p.ref_qt[at] = tu;
        p.ref_q[at] = (tu + sp) / (m->step_s[t] * 1e-6);
      }
    }
  free(natural);
  naryn__opt_linearise(&p);
  p.lp = naryn__lp_new(p.nrows, p.ncols, p.start, p.index, p.value, p.collo,
                       p.colup, p.obj, p.rowlo, p.rowup);
  duals = malloc(((size_t)p.nrows + 1) * sizeof *duals);
  size_t nnz = (size_t)p.start[p.ncols];
  size_t nbounds = 2 * (size_t)p.ncols + 2 * (size_t)p.nrows;
  saved = malloc((nnz + nbounds + 1) * sizeof *saved);
  if (!p.lp || !best || !cand || !duals || !saved) goto oom;
  naryn__lp_tune_large(p.lp);
  double build_s = now_s() - t0, solve_s = 0.0;
  double best_j = -INFINITY, best_e = 0.0, best_lpobj = 0.0;
  double best_gap = 0.0, best_eps_short = 0.0, best_broken = 0.0;
  int passes = 0, converged = 0;
  for (int pass = 0; pass < o->max_passes; pass++) {
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) goto fail;
    double ts = now_s();
    if (pass > 0) {
      double tb = now_s();
      naryn__opt_linearise(&p);
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
  naryn__opt_release(&p);
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
