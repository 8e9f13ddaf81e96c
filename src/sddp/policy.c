/*
** policy.c: an SDDP policy: its stage problems, its cuts, its log, and the
** folder it is written to and read back from.
**
** A policy is the model's stages (stage.c), one per step, each holding
** the cuts that bound the cost of the stages after it, with the same cuts
** kept in a store (cuts.c) that writes them to cuts.bin. How the stages
** are built follows the policy's settings: a future-cost column per
** outcome of the next stage with multiple cuts, and for a cyclic policy
** no terminal stage (the last step's future is the first's, discounted).
** A policy read back infers both from its cuts: a cut of an outcome
** means multiple cuts, a cut on the last stage a cycle.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sddp_int.h"

/* A number that tells this model's states apart from another's, for the
** cut file: FNV-1a over the model's name, steps and states (reservoirs,
** then PAR lags). */
static uint64_t fingerprint(const naryn_model *m, const naryn_policy *p) {
  uint64_t h = NARYN__HASH_START;
  const char *name = m->name ? m->name : "";
  h = naryn__hash_bytes(h, name, strlen(name));
  h = (h ^ (uint64_t)m->nsteps) * 1099511628211ull;
  for (int k = 0; k < p->nstate; k++) {
    const char *state = naryn__stage_state_name(p->stage[0], k);
    h = naryn__hash_bytes(h, state, strlen(state));
  }
  /* A chain of prices: its states, their factors, its transitions and its
  ** first state (a policy of other prices is another policy). */
  const naryn__prices *pc = m->prices;
  for (int k = 0; pc && k < pc->n; k++) {
    h = naryn__hash_bytes(h, pc->name[k], strlen(pc->name[k]));
    h = naryn__hash_bytes(h, pc->factor + (size_t)k * 12, 12 * sizeof *pc->factor);
    h = naryn__hash_bytes(h, pc->p + (size_t)k * pc->n, (size_t)pc->n * sizeof *pc->p);
  }
  /* Monthly transitions: every month's matrix after January's (a single
  ** matrix hashes as it always did). */
  size_t nn = pc && pc->monthly ? (size_t)pc->n * pc->n : 0;
  if (nn) h = naryn__hash_bytes(h, pc->p + nn, 11 * nn * sizeof *pc->p);
  if (pc) h = (h ^ (uint64_t)(pc->initial + 1)) * 1099511628211ull;
  return h;
}

void naryn_policy_free(naryn_policy *p) {
  if (!p) return;
  for (int n = 0; p->stage && n < p->N; n++) naryn__stage_free(p->stage[n]);
  free(p->stage);
  for (int k = 0; p->variant && k < p->M; k++) naryn__model_variant_free(p->variant[k]);
  free(p->variant);
  free(p->branch_p);
  free(p->planes);
  free(p->base);
  free(p->at);
  naryn__cuts_free(p->cuts);
  free(p->log);
  free(p);
}

/* Builds the stages, one per node (step and price state, each from the
** model with that state's prices): each first with its own scale, then
** all again with the largest, so that every cut and value is in the same
** units. */
static int build_stages(naryn_policy *p, naryn_diags *d) {
  double scale = 0.0;
  for (int pass = 0; pass < 2; pass++) {
    for (int n = 0; n < p->N; n++) {
      int t = naryn__policy_node_step(p, n), k = naryn__policy_node_state(p, n);
      naryn__stage_free(p->stage[n]);
      p->stage[n] = NULL;
      /* Before any cut the future may be worth anything: a bound far below
      ** any cost a model's terms reach. */
      naryn__stage_spec spec = {.scale = pass ? scale : 0.0, .theta_lo = -1e15,
                                .ntheta = p->multi_cut ? p->nb : 1,
                                .theta_w = p->multi_cut ? p->branch_p + (size_t)n * p->nb : NULL,
                                .terminal = !p->cyclic && t == p->T - 1,
                                .planes = p->planes};
      if (naryn__stage_new(p->variant ? p->variant[k] : p->m, t, &spec, &p->stage[n]) !=
          NARYN_OK)
        return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                           "out of memory while building the stage problems");
      if (pass == 0) scale = fmax(scale, naryn__stage_scale(p->stage[n]));
    }
  }
  p->nstate = naryn__stage_state_count(p->stage[0]);
  return NARYN_OK;
}

/* The mean inflow of each inflow node in each calendar month over the
** horizon, for each stage's month. */
static int base_means(naryn_policy *p) {
  const naryn_model *m = p->m;
  size_t n = (size_t)m->nnodes;
  p->base = calloc((size_t)p->T * n + 1, sizeof *p->base);
  if (!p->base) return NARYN_ENOMEM;
  for (int t = 0; t < p->T; t++)
    for (size_t i = 0; i < n; i++) {
      const naryn__node *nd = &m->nodes[i];
      if (nd->type != NARYN_NODE_INFLOW || !nd->enabled) continue;
      double sum = 0.0;
      int count = 0;
      for (int u = 0; u < m->nsteps; u++)
        if (m->step_month[u] == m->step_month[t]) sum += nd->inflow_m3s.v[u], count++;
      p->base[(size_t)t * n + i] = sum / count;
    }
  return NARYN_OK;
}

/* The chances of each branch from each price state, and with a chain the
** model of each state's prices. */
static int branches(naryn_policy *p) {
  const naryn_model *m = p->m;
  const naryn__prices *pc = m->prices;
  p->branch_p = malloc(((size_t)p->N * p->nb + 1) * sizeof *p->branch_p);
  if (!p->branch_p) return NARYN_ENOMEM;
  for (int n = 0; n < p->N; n++) {
    /* The chain leaves node n's step by its month's matrix. */
    int k = naryn__policy_node_state(p, n), c = m->step_month[naryn__policy_node_step(p, n)] - 1;
    for (int b = 0; b < p->nb; b++)
      p->branch_p[(size_t)n * p->nb + b] =
          (pc ? pc->p[((size_t)c * p->M + k) * p->M + b / p->nout] : 1.0) *
          m->outcome_p[b % p->nout];
  }
  if (!pc) return NARYN_OK;
  p->variant = calloc((size_t)p->M, sizeof *p->variant);
  double *f = malloc(((size_t)m->nsteps + 1) * sizeof *f);
  int rc = p->variant && f ? NARYN_OK : NARYN_ENOMEM;
  for (int k = 0; k < p->M && rc == NARYN_OK; k++) {
    for (int t = 0; t < m->nsteps; t++) f[t] = pc->factor[(size_t)k * 12 + m->step_month[t] - 1];
    if (!(p->variant[k] = naryn__model_price_variant(m, f))) rc = NARYN_ENOMEM;
  }
  free(f);
  return rc;
}

const double *naryn__policy_base(const naryn_policy *p, int t) {
  return p->base ? p->base + (size_t)t * p->m->nnodes : NULL;
}

/* naryn__policy_new, with the plants' production functions copied from
** 'planes' (one per node of m) where given, else fitted. */
static int policy_make(const naryn_model *m, int multi_cut, int cyclic,
                       const naryn__prodfn *planes, naryn_policy **out, naryn_diags *d) {
  *out = NULL;
  naryn_policy *p = calloc(1, sizeof *p);
  if (!p) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  p->m = m;
  p->T = cyclic && m->outcome_cycle > 0 ? m->outcome_cycle : m->nsteps;
  p->nout = m->noutcomes;
  p->multi_cut = multi_cut;
  p->cyclic = cyclic;
  p->M = m->prices ? m->prices->n : 1;
  p->N = p->T * p->M;
  p->nb = p->M * p->nout;
  if ((m->outcome_base_mean && base_means(p) != NARYN_OK) || branches(p) != NARYN_OK) {
    naryn_policy_free(p);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  p->lower = p->upper = p->half = NAN;
  p->stage = calloc((size_t)p->N, sizeof *p->stage);
  /* Each plant's production function, fitted once for every stage (and
  ** for every worker's copy of the policy: the fit is the same). */
  if (p->stage && planes) {
    p->planes = malloc(((size_t)m->nnodes + 1) * sizeof *p->planes);
    if (p->planes) memcpy(p->planes, planes, (size_t)m->nnodes * sizeof *p->planes);
  } else if (p->stage) {
    naryn__prodfn_fit_model(m, NARYN__PRODFN_PLANES, &p->planes); /* NULL when it fails */
  }
  if (!p->planes) {
    free(p->stage);
    p->stage = NULL;
  }
  int rc = p->stage ? build_stages(p, d)
                    : naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                                  "out of memory");
  /* Named at the model's uncertainty section, where it has one. */
  const naryn__doc *u = m->root ? naryn__doc_get(m->root, "uncertainty") : NULL;
  if (rc == NARYN_OK && p->nstate < 1)
    rc = naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, u ? u->file : m->path, u ? u->line : 0,
                     u ? u->col : 0, "uncertainty",
                     "expected a model with a state its policy carries from step to step (a "
                     "reservoir, inflows that remember their past, or a routed link), got "
                     "none: each step's decision is then its own, which naryn optimise finds");
  const char **names = rc == NARYN_OK ? malloc(((size_t)p->nstate + 1) * sizeof *names) : NULL;
  if (names) p->at = malloc(((size_t)p->nstate + 1) * sizeof *p->at);
  if (rc == NARYN_OK && (!names || !p->at))
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK) {
    for (int k = 0; k < p->nstate; k++)
      names[k] = naryn__stage_state_name(p->stage[0], k);
    /* A model replayed without the outcomes its policy was trained under
    ** (they came from a scenario) has no branches; its single cuts name
    ** none. */
    rc = naryn__cuts_new(p->N, p->nstate, p->nb > 0 ? p->nb : 1, names, fingerprint(m, p),
                         &p->cuts, d);
  }
  free(names);
  if (rc != NARYN_OK) {
    naryn_policy_free(p);
    return rc;
  }
  *out = p;
  return NARYN_OK;
}

int naryn__policy_new(const naryn_model *m, int multi_cut, int cyclic, naryn_policy **out,
                      naryn_diags *d) {
  return policy_make(m, multi_cut, cyclic, NULL, out, d);
}

int naryn__policy_new_like(const naryn_policy *p0, naryn_policy **out, naryn_diags *d) {
  return policy_make(p0->m, p0->multi_cut, p0->cyclic, p0->planes, out, d);
}

int naryn__policy_add_cut(naryn_policy *p, int t, int outcome, int iteration, double alpha,
                          const double *beta, const double *at, naryn_diags *d) {
  int rc = naryn__stage_add_cut(p->stage[t], outcome < 0 ? 0 : outcome, alpha, beta);
  if (rc == NARYN_OK) rc = naryn__cuts_add(p->cuts, t, outcome, iteration, alpha, beta, d);
  /* The cuts of one state (one per outcome with multiple cuts) share a
  ** trial state, kept once. */
  int np = naryn__cuts_points(p->cuts, t);
  if (rc == NARYN_OK && at &&
      (np == 0 ||
       memcmp(naryn__cuts_point(p->cuts, t, np - 1), at, (size_t)p->nstate * sizeof *at) != 0))
    rc = naryn__cuts_add_point(p->cuts, t, at, d);
  if (rc == NARYN_ENOMEM)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return rc;
}

double naryn_policy_lower_bound(const naryn_policy *p) { return p ? p->lower : NAN; }

double naryn_policy_upper_bound(const naryn_policy *p, double *half_width) {
  if (half_width) *half_width = p ? p->half : NAN;
  return p ? p->upper : NAN;
}

int naryn_policy_iterations(const naryn_policy *p) { return p ? p->iterations : 0; }

int naryn_policy_converged(const naryn_policy *p) { return p ? p->converged : 0; }

const char *naryn_policy_stop_reason(const naryn_policy *p) {
  return p && p->stop ? p->stop : "";
}

int naryn_policy_log_count(const naryn_policy *p) { return p ? p->nlog : 0; }

const naryn_sddp_log *naryn_policy_log(const naryn_policy *p, int i) {
  return p && i >= 0 && i < p->nlog ? &p->log[i] : NULL;
}

/* ====================================================================== */
/* Writing a policy                                                        */
/* ====================================================================== */

static void write_convergence(const naryn_policy *p, naryn__outfile *f) {
  naryn__outfile_printf(f, "iteration,lower_bound,upper_bound,upper_half_width,"
                           "gap_pct,seconds,cuts,currency\n");
  for (int i = 0; i < p->nlog; i++) {
    const naryn_sddp_log *r = &p->log[i];
    naryn__outfile_printf(f, "%d", r->iteration);
    const double v[5] = {r->lower, r->upper, r->half_width, r->gap_pct, r->seconds};
    static const char *const fmt[5] = {"%.6f", "%.6f", "%.6f", "%.6f", "%.3f"};
    for (int k = 0; k < 5; k++) {
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, v[k], fmt[k]);
    }
    naryn__outfile_printf(f, ",%d,", r->cuts);
    naryn__put_text(f, naryn_model_currency(p->m));
    naryn__outfile_write(f, "\n", 1);
  }
}

/* The cuts as a table: per stage and cut, its date, the constant and
** the slope on each reservoir's end storage (the water value, turned:
** currency per hm3 of water left, less for more). */
static void write_cuts_csv(const naryn_policy *p, naryn__outfile *f) {
  naryn__outfile_printf(f, "stage,date,%scut,iteration,alpha", p->variant ? "price_state," : "");
  for (int k = 0; k < p->nstate; k++) {
    naryn__outfile_write(f, ",", 1);
    char name[320];
    snprintf(name, sizeof name, "%s:%s",
             naryn__stage_state_node(p->stage[0], k) >= 0 ? "slope_per_hm3" : "slope_per_m3s",
             naryn__cuts_state_name(p->cuts, k));
    naryn__put_text(f, name);
  }
  naryn__outfile_write(f, "\n", 1);
  for (int n = 0; n < p->N; n++)
    for (int i = 0; i < naryn__cuts_count(p->cuts, n); i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, n, i);
      int t = naryn__policy_node_step(p, n);
      naryn__outfile_printf(f, "%d,%s,", t + 1, p->m->step_date[t]);
      if (p->variant) {
        naryn__put_text(f, p->m->prices->name[naryn__policy_node_state(p, n)]);
        naryn__outfile_write(f, ",", 1);
      }
      naryn__outfile_printf(f, "%d,%d,", i + 1, c.iteration);
      naryn__put_number(f, c.alpha, "%.6f");
      for (int k = 0; k < p->nstate; k++) {
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, c.beta[k], "%.6f");
      }
      naryn__outfile_write(f, "\n", 1);
    }
}

/* Each plant's production function: per plane, in power (MW) against
** the mean storage (hm3) and the turbined flow (m3/s), with the fit's
** errors (hydro/prodfn.c), those in GWh over a step as long as the
** model's first. */
static void write_prodfn_csv(const naryn_policy *p, naryn__outfile *f) {
  const naryn_model *m = p->m;
  naryn__outfile_printf(f, "plant,reservoir,plane,a_mw,b_mw_per_hm3,c_mw_per_m3s,"
                           "capacity_mw,full_mw,max_error_mw,mean_error_mw,max_error_pct,"
                           "mean_error_pct,step_s,max_error_gwh,mean_error_gwh\n");
  double step = m->nsteps > 0 ? m->step_s[0] : 0.0;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__prodfn *pf = &p->planes[i];
    if (pf->plant != i) continue;
    double full = pf->full_mw > 0 ? pf->full_mw : 1.0;
    for (int k = 0; k < pf->k; k++) {
      naryn__put_text(f, m->nodes[i].name);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->nodes[pf->reservoir].name);
      naryn__outfile_printf(f, ",%d", k + 1);
      const double v[12] = {pf->a[k], pf->b[k], pf->c[k], pf->cap_mw, pf->full_mw,
                            pf->max_err_mw, pf->mean_err_mw, 100.0 * pf->max_err_mw / full,
                            100.0 * pf->mean_err_mw / full, step,
                            pf->max_err_mw * step / 3.6e6, pf->mean_err_mw * step / 3.6e6};
      for (int j = 0; j < 12; j++) {
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, v[j], j == 9 ? "%.0f" : "%.9g");
      }
      naryn__outfile_write(f, "\n", 1);
    }
  }
}

/* The states that are reservoirs: the first of them. */
int naryn__policy_reservoirs(const naryn_policy *p) {
  int n = 0;
  while (n < p->nstate && naryn__stage_state_node(p->stage[0], n) >= 0) n++;
  return n;
}

/* The mean flow (the fit's) of the month of PAR lag state j at the end of
** stage t: lag k is the flow of step t - k + 1. */
static double mean_lag(const naryn_model *m, int t, int j) {
  const naryn__par *par = m->par;
  int s = 0;
  while (s + 1 < par->nsites && par->first[s + 1] <= j) s++;
  int k = j - par->first[s] + 1, c = ((m->step_month[t] - 1 - (k - 1)) % 12 + 12) % 12;
  return par->mean[(size_t)c * par->nsites + s];
}

/* Points of a reservoir's storage at which its water value is written. */
#define VALUE_POINTS 11

/* The water values of the policy: for each stage, reservoir and storage
** (VALUE_POINTS from its least to its greatest, the other reservoirs at
** their initial storage, PAR lags at the mean flow of their month, and
** routed reaches at their initial flow),
** what one more hm3 left at the end of the stage
** is worth to the stages after: the future cost's slope with its sign
** turned, from the cut that is highest there (per outcome with multiple
** cuts, weighted by their probabilities). */
static void write_water_values(const naryn_policy *p, naryn__outfile *f) {
  const naryn_model *m = p->m;
  naryn__outfile_printf(f, "stage,date,month,%sreservoir,storage_hm3,value_per_hm3,currency\n",
                        p->variant ? "price_state," : "");
  double *x = p->at;
  int nres = naryn__policy_reservoirs(p), npar = m->par ? m->par->nstates : 0;
  for (int node = 0; node < p->N; node++)
    for (int k = 0; k < p->nstate; k++) {
      int t = naryn__policy_node_step(p, node), ps = naryn__policy_node_state(p, node);
      if (naryn__stage_state_node(p->stage[0], k) < 0) continue;
      const naryn__node *n = &m->nodes[naryn__stage_state_node(p->stage[0], k)];
      for (int j = 0; j < p->nstate; j++)
        x[j] = j >= nres && j < nres + npar ? mean_lag(m, t, j - nres)
                                            : naryn__stage_state_initial(p->stage[0], j);
      for (int q = 0; q < VALUE_POINTS; q++) {
        x[k] = n->min_storage_hm3 +
               (n->max_storage_hm3 - n->min_storage_hm3) * q / (VALUE_POINTS - 1);
        double slope = 0.0;
        int groups = p->multi_cut ? p->nb : 1, any = 0;
        for (int o = 0; o < groups; o++) {
          int which = -1;
          naryn__cuts_value(p->cuts, node, p->multi_cut ? o : -1, x, &which);
          if (which < 0) continue;
          any = 1;
          double w = p->multi_cut ? naryn__policy_branch_p(p, node, o) : 1.0;
          slope += w * naryn__cuts_get(p->cuts, node, which).beta[k];
        }
        naryn__outfile_printf(f, "%d,%s,%d,", t + 1, m->step_date[t], m->step_month[t]);
        if (p->variant) {
          naryn__put_text(f, m->prices->name[ps]);
          naryn__outfile_write(f, ",", 1);
        }
        naryn__put_text(f, n->name);
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, x[k], "%.3f");
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, any ? -slope : NAN, "%.6f");
        naryn__outfile_write(f, ",", 1);
        naryn__put_text(f, naryn_model_currency(m));
        naryn__outfile_write(f, "\n", 1);
      }
    }
}

static void write_policy_file(const void *ctx, int k, naryn__outfile *f) {
  if (k == 0) write_convergence(ctx, f);
  else if (k == 1) write_cuts_csv(ctx, f);
  else if (k == 2) write_prodfn_csv(ctx, f);
  else write_water_values(ctx, f);
}

static int fill_policy(const void *ctx, const char *dir, naryn_diags *d) {
  static const char *const names[] = {"convergence.csv", "cuts.csv", "prodfn.csv",
                                      "water_values.csv"};
  const naryn_policy *p = ctx;
  long mark = naryn__diags_nomem(d);
  int rc = naryn__write_files(dir, 4, names, write_policy_file, p, d);
  if (rc == NARYN_OK) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/cuts.bin", dir) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = naryn__cutfile_write(p->cuts, path, 0, d);
  }
  if (rc == NARYN_OK) rc = naryn_report_write(dir, d);
  return naryn__diags_status(d, mark, rc);
}

int naryn_policy_write(const naryn_policy *p, const char *dir, naryn_diags *d) {
  return naryn__staged_write(dir, fill_policy, p, d);
}

/* ====================================================================== */
/* Reading a policy                                                        */
/* ====================================================================== */

/* Reads cuts.bin of DIR into a policy built as given. */
static int read_into(const naryn_model *m, const char *path, int multi_cut, int cyclic,
                     naryn_policy **out, naryn_diags *d) {
  naryn_policy *p = NULL;
  int rc = naryn__policy_new(m, multi_cut, cyclic, &p, d);
  if (rc != NARYN_OK) return rc;
  rc = naryn__cutfile_read_whole(p->cuts, path, d);
  *out = p;
  return rc;
}

int naryn__policy_read(const naryn_model *m, const char *dir, int select, naryn_policy **out,
                       naryn_diags *d) {
  *out = NULL;
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/cuts.bin", dir) >= sizeof path)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot read: the path is too long");
  /* The cuts tell how the policy was trained: a cut of an outcome means
  ** multiple cuts, a cut on the last stage a cycle. */
  naryn_policy *p = NULL;
  int model_cycle = m->outcome_discount > 0;
  int rc = read_into(m, path, 0, model_cycle, &p, d);
  int multi = 0, cyclic = model_cycle;
  for (int n = 0; rc == NARYN_OK && n < p->N; n++)
    for (int i = 0; i < naryn__cuts_count(p->cuts, n); i++) {
      if (naryn__cuts_get(p->cuts, n, i).outcome >= 0) multi = 1;
      if (naryn__policy_node_step(p, n) == p->T - 1) cyclic = 1;
    }
  if (rc == NARYN_OK && (multi || cyclic != model_cycle)) {
    naryn_policy_free(p);
    p = NULL;
    rc = read_into(m, path, multi, cyclic, &p, d);
  }
  /* Each stage's LP gets the cuts that are the highest at one of its
  ** trial states (level-1 dominance; every cut of a file without them). */
  for (int t = 0; rc == NARYN_OK && select && t < p->N; t++)
    rc = naryn__cuts_select(p->cuts, t, d);
  for (int t = 0; rc == NARYN_OK && t < p->N; t++)
    for (int i = 0; rc == NARYN_OK && i < naryn__cuts_count(p->cuts, t); i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, t, i);
      if (c.active)
        rc = naryn__stage_add_cut(p->stage[t], c.outcome < 0 ? 0 : c.outcome, c.alpha, c.beta);
      if (rc == NARYN_ENOMEM)
        rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      if (c.iteration > p->iterations) p->iterations = c.iteration;
    }
  if (rc != NARYN_OK) {
    naryn_policy_free(p);
    return rc;
  }
  *out = p;
  return NARYN_OK;
}

int naryn_policy_read(const naryn_model *m, const char *dir, naryn_policy **out,
                      naryn_diags *d) {
  return naryn__policy_read(m, dir, 1, out, d);
}
