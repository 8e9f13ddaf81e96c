/*
** sddp.c: stochastic dual dynamic programming: an operating policy for
** inflows nobody knows in advance.
**
** Each step of the model is a stage (stage.c): the optimiser's LP of that
** step, whose state is the storage of every reservoir. The inflows of a
** stage are one of the model's outcomes (model/uncertainty.c), drawn
** independently of the stages before. The expected cost of the stages
** after a stage, as a function of its end storage, is bounded from below
** by cuts, so that a stage LP decides this step's releases knowing what
** water left in store is worth later.
**
** Each iteration is a forward pass and a backward pass. The forward pass
** draws one outcome per stage and solves the stages in turn from the
** initial storage, each from the storage the last left: the states at
** which the cuts are refined. The backward pass goes from the last stage
** to the second: at each forward state it solves the stage under every
** outcome and adds to the stage before one cut, the mean of their values
** and slopes (single cut). The first stage's expected value under its
** outcomes is then a lower bound on the policy's expected cost (costs are
** the objective with its sign turned); it never decreases. Every few
** iterations an upper bound is estimated: the mean cost of a number of
** forward simulations of the policy, with the half width of its 95 %
** confidence interval. The run stops at the gap asked for (the upper
** bound's mean less the lower bound, over the larger of the two in size,
** in per cent), the iteration limit or the time limit. Every draw comes
** from streams seeded from the seed given, so the same model and seed give
** the same cuts and bounds, bit for bit.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sddp_int.h"

struct naryn_policy {
  const naryn_model *m;
  int T, nstate, nout;
  naryn__stage **stage;
  naryn__prodfn *planes; /* [N]: each plant's production function */
  naryn__cuts *cuts;
  double lower, upper, half;
  int iterations, converged;
  naryn_sddp_log *log;
  int nlog, caplog;
  double seconds;
};

void naryn_sddp_opts_init(naryn_sddp_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_iterations = 200;
  o->bound_samples = 100;
  o->bound_every = 10;
  o->gap_pct = 1.0;
  o->seed = 1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A number that tells this model's states apart from another's, for the
** cut file: FNV-1a over the model's name, steps and reservoirs. */
static uint64_t fingerprint(const naryn_model *m, const naryn_policy *p) {
  uint64_t h = 1469598103934665603ull;
  const char *name = m->name ? m->name : "";
  for (const char *c = name; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
  h = (h ^ (uint64_t)m->nsteps) * 1099511628211ull;
  for (int k = 0; k < p->nstate; k++)
    for (const char *c = m->nodes[naryn__stage_state_node(p->stage[0], k)].name; *c; c++)
      h = (h ^ (unsigned char)*c) * 1099511628211ull;
  return h;
}

/* The outcome a uniform number u falls in. */
static int outcome_of(const naryn_model *m, double u) {
  double c = 0.0;
  for (int k = 0; k < m->noutcomes; k++) {
    c += m->outcome_p[k];
    if (u < c) return k;
  }
  return m->noutcomes - 1;
}

static const double *factors(const naryn_model *m, int k) {
  return m->outcome_factor + (size_t)k * m->nnodes;
}

/* Tells of a stage LP that failed. */
static int stage_failed(const naryn_model *m, int t, int rc, naryn_diags *d) {
  if (rc == NARYN_EINTR) return naryn__interrupted(d);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory in CLP while solving the stage of %s",
                       m->step_date[t]);
  return naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "CLP could not solve the stage of %s: it reported the LP "
                     "%s, which its elastic bounds rule out; this is a "
                     "numerical failure", m->step_date[t],
                     rc == NARYN_EINFEAS ? "infeasible" : "unsolved");
}

/* One forward pass along the outcomes drawn from r: the states after each
** stage into states[t * nstate + k] (NULL: not kept) and the total cost. */
static int forward(naryn_policy *p, naryn__rng *r, double *states, double *total,
                   naryn__stage_out *out, naryn_diags *d) {
  const naryn_model *m = p->m;
  double *s = malloc(((size_t)p->nstate + 1) * sizeof *s);
  if (!s) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int k = 0; k < p->nstate; k++)
    s[k] = m->nodes[naryn__stage_state_node(p->stage[0], k)].initial_storage_hm3;
  *total = 0.0;
  int rc = NARYN_OK;
  for (int t = 0; t < p->T && rc == NARYN_OK; t++) {
    int o = outcome_of(m, naryn__rng_uniform(r));
    rc = naryn__stage_solve(p->stage[t], s, factors(m, o), out);
    if (rc != NARYN_OK) {
      rc = stage_failed(m, t, rc, d);
      break;
    }
    *total += out->cost;
    memcpy(s, out->s_out, (size_t)p->nstate * sizeof *s);
    if (states) memcpy(states + (size_t)t * p->nstate, s, (size_t)p->nstate * sizeof *s);
  }
  free(s);
  return rc;
}

/* The expected value of stage t from the start storages s over every
** outcome, and its mean slope into beta (NULL: not wanted). */
static int expected(naryn_policy *p, int t, const double *s, double *value,
                    double *beta, naryn__stage_out *out, naryn_diags *d) {
  const naryn_model *m = p->m;
  *value = 0.0;
  for (int k = 0; beta && k < p->nstate; k++) beta[k] = 0.0;
  for (int o = 0; o < p->nout; o++) {
    int rc = naryn__stage_solve(p->stage[t], s, factors(m, o), out);
    if (rc != NARYN_OK) return stage_failed(m, t, rc, d);
    double pr = m->outcome_p[o];
    *value += pr * out->value;
    for (int k = 0; beta && k < p->nstate; k++) beta[k] += pr * out->slope[k];
  }
  return NARYN_OK;
}

/* Estimates the upper bound from n forward simulations on stream 'stream'. */
static int upper_bound(naryn_policy *p, const naryn_sddp_opts *o, int n,
                       naryn__stage_out *out, naryn_diags *d) {
  double sum = 0.0, sum2 = 0.0;
  for (int j = 0; j < n; j++) {
    naryn__rng r;
    /* Streams from 2^32 on are the bound's, apart from the passes'. */
    naryn__rng_seed(&r, o->seed, (1ull << 32) + (uint64_t)j);
    double c;
    int rc = forward(p, &r, NULL, &c, out, d);
    if (rc != NARYN_OK) return rc;
    sum += c;
    sum2 += c * c;
  }
  double mean = sum / n, var = n > 1 ? fmax(0.0, (sum2 - n * mean * mean) / (n - 1)) : 0.0;
  p->upper = mean;
  p->half = n > 1 ? 1.96 * sqrt(var / n) : NAN;
  return NARYN_OK;
}

static int log_row(naryn_policy *p, const naryn_sddp_opts *o, int it, double t0) {
  naryn_sddp_log *g = naryn__grow(p->log, &p->caplog, p->nlog + 1, sizeof *g);
  if (!g) return NARYN_ENOMEM;
  p->log = g;
  naryn_sddp_log *row = &p->log[p->nlog++];
  row->iteration = it;
  row->lower = p->lower;
  row->upper = p->upper;
  row->half_width = p->half;
  double scale = fmax(fmax(fabs(p->upper), fabs(p->lower)), 1e-9);
  row->gap_pct = isnan(p->upper) ? NAN : 100.0 * (p->upper - p->lower) / scale;
  row->seconds = now_s() - t0;
  row->cuts = 0;
  for (int t = 0; t < p->T; t++) row->cuts += naryn__cuts_count(p->cuts, t);
  if (o->log) o->log(o->log_user, row);
  return NARYN_OK;
}

void naryn_policy_free(naryn_policy *p) {
  if (!p) return;
  for (int t = 0; p->stage && t < p->T; t++) naryn__stage_free(p->stage[t]);
  free(p->stage);
  free(p->planes);
  naryn__cuts_free(p->cuts);
  free(p->log);
  free(p);
}

/* Builds the stages: each first with its own scale, then all again with
** the largest, so that every cut and value is in the same units. */
static int build_stages(naryn_policy *p, naryn_diags *d) {
  const naryn_model *m = p->m;
  double scale = 0.0;
  for (int pass = 0; pass < 2; pass++) {
    for (int t = 0; t < p->T; t++) {
      naryn__stage_free(p->stage[t]);
      p->stage[t] = NULL;
      /* Before any cut the future may be worth anything: a bound far below
      ** any cost a model's terms reach. */
      if (naryn__stage_new(m, t, pass ? scale : 0.0, -1e15, p->planes, &p->stage[t]) !=
          NARYN_OK)
        return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                           "out of memory while building the stage problems");
      if (pass == 0) scale = fmax(scale, naryn__stage_scale(p->stage[t]));
    }
  }
  p->nstate = naryn__stage_state_count(p->stage[0]);
  return NARYN_OK;
}

/* A policy without cuts: its stages and an empty cut store. */
static int policy_new(const naryn_model *m, naryn_policy **out, naryn_diags *d) {
  *out = NULL;
  naryn_policy *p = calloc(1, sizeof *p);
  if (!p) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  p->m = m;
  p->T = m->nsteps;
  p->nout = m->noutcomes;
  p->lower = p->upper = p->half = NAN;
  p->stage = calloc((size_t)p->T, sizeof *p->stage);
  if (p->stage && naryn__prodfn_fit_model(m, NARYN__PRODFN_PLANES, &p->planes) != NARYN_OK) {
    free(p->stage);
    p->stage = NULL;
  }
  int rc = p->stage ? build_stages(p, d)
                    : naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                                  "out of memory");
  const char **names = rc == NARYN_OK ? malloc(((size_t)p->nstate + 1) * sizeof *names) : NULL;
  if (rc == NARYN_OK && !names)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK) {
    for (int k = 0; k < p->nstate; k++)
      names[k] = m->nodes[naryn__stage_state_node(p->stage[0], k)].name;
    rc = naryn__cuts_new(p->T, p->nstate, names, fingerprint(m, p), &p->cuts, d);
  }
  free(names);
  if (rc != NARYN_OK) {
    naryn_policy_free(p);
    return rc;
  }
  *out = p;
  return NARYN_OK;
}

int naryn_sddp(const naryn_model *m, const naryn_sddp_opts *o, naryn_policy **out,
               naryn_diags *d) {
  naryn_sddp_opts defaults;
  if (!o) {
    naryn_sddp_opts_init(&defaults);
    o = &defaults;
  }
  *out = NULL;
  if (m->noutcomes == 0)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, "uncertainty",
                       "expected the inflow outcomes a policy must be good across "
                       "(an \"uncertainty\" section with its \"outcomes\"), got none");
  for (int l = 0; l < m->nlinks; l++)
    if (m->links[l].route.kind != NARYN__ROUTE_NONE)
      return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, NULL,
                         "expected no routed links for a policy (SDDP does not "
                         "yet carry water in transit from one stage to the "
                         "next), got the link from \"%s\" to \"%s\" routed",
                         m->nodes[m->links[l].from].name, m->nodes[m->links[l].to].name);
  if (o->max_iterations < 1 || o->bound_samples < 2 || o->bound_every < 1 ||
      !(o->gap_pct >= 0) || !(o->time_limit_s >= 0))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected at least 1 iteration, 2 bound samples and a bound "
                       "every 1 or more iterations, a gap and a time limit of at "
                       "least 0");
  double t0 = now_s();
  naryn_policy *p = NULL;
  int rc = policy_new(m, &p, d);
  if (rc != NARYN_OK) return rc;
  size_t ns = (size_t)p->nstate + 1;
  double *states = malloc((size_t)p->T * ns * sizeof *states);
  double *buf = malloc(4 * ns * sizeof *buf);
  if (!states || !buf) {
    free(states);
    free(buf);
    goto oom;
  }
  naryn__stage_out so = {.s_out = buf, .slope = buf + ns};
  double *beta = buf + 2 * ns, *s_init = buf + 3 * ns;
  for (int k = 0; k < p->nstate; k++)
    s_init[k] = m->nodes[naryn__stage_state_node(p->stage[0], k)].initial_storage_hm3;
  rc = NARYN_OK;
  for (int it = 1; it <= o->max_iterations && rc == NARYN_OK; it++) {
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) break;
    naryn__rng r;
    naryn__rng_seed(&r, o->seed, (uint64_t)it);
    double cost;
    if ((rc = forward(p, &r, states, &cost, &so, d)) != NARYN_OK) break;
    for (int t = p->T - 1; t >= 1 && rc == NARYN_OK; t--) {
      const double *s = states + (size_t)(t - 1) * p->nstate;
      double v;
      if ((rc = expected(p, t, s, &v, beta, &so, d)) != NARYN_OK) break;
      double alpha = v;
      for (int k = 0; k < p->nstate; k++) alpha -= beta[k] * s[k];
      rc = naryn__stage_add_cut(p->stage[t - 1], alpha, beta);
      if (rc == NARYN_OK) rc = naryn__cuts_add(p->cuts, t - 1, -1, it, alpha, beta, d);
      if (rc == NARYN_OK) rc = naryn__cuts_add_point(p->cuts, t - 1, s, d);
      if (rc == NARYN_ENOMEM)
        rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    }
    if (rc != NARYN_OK) break;
    if ((rc = expected(p, 0, s_init, &p->lower, NULL, &so, d)) != NARYN_OK) break;
    p->iterations = it;
    int last = it == o->max_iterations ||
               (o->time_limit_s > 0 && now_s() - t0 >= o->time_limit_s);
    p->upper = p->half = NAN;
    if (it % o->bound_every == 0 || last) {
      if ((rc = upper_bound(p, o, o->bound_samples, &so, d)) != NARYN_OK) break;
    }
    if (log_row(p, o, it, t0) != NARYN_OK) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      break;
    }
    const naryn_sddp_log *row = &p->log[p->nlog - 1];
    if (!isnan(row->gap_pct) && row->gap_pct <= o->gap_pct) {
      p->converged = 1;
      break;
    }
    if (last) break;
  }
  free(states);
  free(buf);
  if (rc != NARYN_OK) goto fail;
  p->seconds = now_s() - t0;
  *out = p;
  return NARYN_OK;
oom:
  rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
fail:
  naryn_policy_free(p);
  return rc;
}

double naryn_policy_lower_bound(const naryn_policy *p) { return p ? p->lower : NAN; }

double naryn_policy_upper_bound(const naryn_policy *p, double *half_width) {
  if (half_width) *half_width = p ? p->half : NAN;
  return p ? p->upper : NAN;
}

int naryn_policy_iterations(const naryn_policy *p) { return p ? p->iterations : 0; }

int naryn_policy_converged(const naryn_policy *p) { return p ? p->converged : 0; }

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
  naryn__outfile_printf(f, "stage,date,cut,iteration,alpha");
  for (int k = 0; k < p->nstate; k++) {
    naryn__outfile_write(f, ",", 1);
    char name[320];
    snprintf(name, sizeof name, "slope_per_hm3:%s", naryn__cuts_state_name(p->cuts, k));
    naryn__put_text(f, name);
  }
  naryn__outfile_write(f, "\n", 1);
  for (int t = 0; t < p->T; t++)
    for (int i = 0; i < naryn__cuts_count(p->cuts, t); i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, t, i);
      naryn__outfile_printf(f, "%d,%s,%d,%d,", t + 1, p->m->step_date[t], i + 1, c.iteration);
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

static void write_policy_file(const void *ctx, int k, naryn__outfile *f) {
  if (k == 0) write_convergence(ctx, f);
  else if (k == 1) write_cuts_csv(ctx, f);
  else write_prodfn_csv(ctx, f);
}

static int fill_policy(const void *ctx, const char *dir, naryn_diags *d) {
  static const char *const names[] = {"convergence.csv", "cuts.csv", "prodfn.csv"};
  const naryn_policy *p = ctx;
  long mark = naryn__diags_nomem(d);
  int rc = naryn__write_files(dir, 3, names, write_policy_file, p, d);
  if (rc == NARYN_OK) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/cuts.bin", dir) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = naryn__cutfile_write(p->cuts, path, 0, d);
  }
  return naryn__diags_status(d, mark, rc);
}

int naryn_policy_write(const naryn_policy *p, const char *dir, naryn_diags *d) {
  return naryn__staged_write(dir, fill_policy, p, d);
}

/* ====================================================================== */
/* Reading a policy                                                        */
/* ====================================================================== */

int naryn_policy_read(const naryn_model *m, const char *dir, naryn_policy **out,
                      naryn_diags *d) {
  *out = NULL;
  naryn_policy *p = NULL;
  int rc = policy_new(m, &p, d);
  if (rc != NARYN_OK) return rc;
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/cuts.bin", dir) >= sizeof path) {
    naryn_policy_free(p);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot read: the path is too long");
  }
  long long good = 0;
  rc = naryn__cutfile_read(p->cuts, path, &good, d);
  /* Every cut read goes into its stage's LP. */
  for (int t = 0; rc == NARYN_OK && t < p->T; t++)
    for (int i = 0; rc == NARYN_OK && i < naryn__cuts_count(p->cuts, t); i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, t, i);
      rc = naryn__stage_add_cut(p->stage[t], c.alpha, c.beta);
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
