/*
** sddp.c: stochastic dual dynamic programming: training an operating
** policy for inflows nobody knows in advance.
**
** Each step of the model is a stage (stage.c): the optimiser's LP of that
** step, whose state is the storage of every reservoir. The inflows of a
** stage are one of the model's outcomes (model/uncertainty.c), drawn
** independently of the stages before. The cost of the stages after a
** stage, as a function of its end storage, is bounded from below by cuts,
** so that a stage LP decides this step's releases knowing what water left
** in store is worth later.
**
** Each iteration is a forward pass and a backward pass. The forward pass
** draws one outcome per stage and solves the stages in turn from the
** initial storage, each from the storage the last left: the states at
** which the cuts are refined. A finite horizon ends with the model's last
** step; a cyclic one goes round the model's steps again, each round on
** with the discount factor's probability (so that the mean of a path's
** cost is the discounted cost; at most 1000 rounds). The backward pass
** goes back along the path: at each state it solves the next stage under
** every outcome and adds to the stage one cut: with a single cut, the
** outcomes' values and slopes averaged with the risk measure's weights;
** with multiple cuts, one cut per outcome on that outcome's own column.
** A cut made across a cycle's end is discounted.
**
** The risk measure is the expectation, or a convex mix (1 - lambda) E +
** lambda CVaR_alpha: the weights of the dearest outcomes that make up a
** share alpha of the probability are raised by lambda / alpha. The first
** stage's value under its outcomes, so measured, is the lower bound; with
** the expectation it never falls and never passes the optimum. Every few
** iterations an upper bound is estimated: the mean cost of forward
** simulations of the policy, with the half width of its 95 % confidence
** interval (for a risk-averse policy, its expected cost, not a bound). The
** run stops at the gap asked for (the upper bound's mean less the lower
** bound, over the larger of the two in size, in per cent), when the lower
** bound has stalled, or at the iteration or time limit. Every draw comes
** from streams seeded from the seed given, so the same model and seed give
** the same cuts and bounds, bit for bit.
**
** This file drives the iterations; passes.c holds one worker's solves and
** train.c shares the work out over threads and processes.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "train_int.h"

void naryn_sddp_opts_init(naryn_sddp_opts *o) {
  memset(o, 0, sizeof *o);
  o->max_iterations = 200;
  o->bound_samples = 100;
  o->bound_every = 10;
  o->gap_pct = 1.0;
  o->seed = 1;
  o->cvar_alpha = 1.0;
  o->stall_iterations = 0;
  o->select_every = 10;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* What a gap is in per cent of: the larger of the two bounds in size. */
static double gap_scale(double upper, double lower) {
  return fmax(fmax(fabs(upper), fabs(lower)), 1e-9);
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
  /* Under CVaR the lower bound is of the risk-adjusted cost and the upper
  ** the policy's expected cost: they bound nothing together, and have no
  ** gap. */
  row->gap_pct = isnan(p->upper) || o->cvar_lambda > 0
                     ? NAN
                     : 100.0 * (p->upper - p->lower) / gap_scale(p->upper, p->lower);
  row->seconds = now_s() - t0;
  row->cuts = 0;
  for (int n = 0; n < p->N; n++) row->cuts += naryn__cuts_count(p->cuts, n);
  if (o->log) o->log(o->log_user, row);
  return NARYN_OK;
}

/* Checks the options and the model. NARYN_OK or the error (in d). */
static int check(const naryn_model *m, const naryn_sddp_opts *o, naryn_diags *d) {
  if (m->noutcomes == 0)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, "uncertainty",
                       "expected the inflow outcomes a policy must be good across "
                       "(an \"uncertainty\" section with its \"outcomes\"), got none");
  if (m->noutcomes > NARYN_SDDP_MAX_OUTCOMES)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, "uncertainty",
                       "expected at most %d inflow outcomes a stage, got %d",
                       NARYN_SDDP_MAX_OUTCOMES, m->noutcomes);
  if (m->prices && m->prices->n * m->noutcomes > NARYN_SDDP_MAX_OUTCOMES)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, "uncertainty",
                       "expected at most %d branches a stage (price states times inflow "
                       "outcomes), got %d states of prices times %d outcomes",
                       NARYN_SDDP_MAX_OUTCOMES, m->prices->n, m->noutcomes);
  if (o->max_iterations < 1 || o->bound_samples < 2 || o->bound_every < 1 ||
      !(o->gap_pct >= 0) || !(o->time_limit_s >= 0) || o->stall_iterations < 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected at least 1 iteration, 2 bound samples and a bound "
                       "every 1 or more iterations, a gap and a time limit of at "
                       "least 0");
  if (o->jobs < 0 || o->jobs > NARYN_SDDP_MAX_JOBS || o->passes < 0 || o->passes > 1024)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected from 1 to %d threads and from 1 to 1024 forward passes "
                       "an iteration (0: the defaults), got %d and %d",
                       NARYN_SDDP_MAX_JOBS, o->jobs, o->passes);
  if (!(o->discount >= 0 && o->discount < 1))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "discount",
                       "expected a discount factor of at least 0 and below 1 (0 for "
                       "a finite horizon; a cycle with a discount of 1 would never "
                       "end), got %g", o->discount);
  if (!(o->cvar_alpha > 0 && o->cvar_alpha <= 1) || !(o->cvar_lambda >= 0 && o->cvar_lambda <= 1))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "risk",
                       "expected CVaR's share alpha above 0 and at most 1 and its "
                       "weight lambda from 0 to 1, got %g and %g", o->cvar_alpha,
                       o->cvar_lambda);
  if (o->multi_cut && o->cvar_lambda > 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "risk",
                       "expected a single cut with CVaR: its weights follow each "
                       "state's dearest outcomes, which multiple cuts cannot");
  return NARYN_OK;
}

/* The hash of the problems the cuts are made for (naryn__cuts_problem):
** the settings that weigh them (a cycle's discount, multiple cuts, the
** risk measure), the chances of the outcomes and branches, and every
** stage's LP under every outcome. Two runs whose hashes differ make cuts
** of different future costs, which must not be mixed. 0 when out of
** memory. */
static uint64_t problem_hash(naryn_policy *p, const naryn_sddp_opts *o, double disc) {
  const naryn_model *m = p->m;
  uint64_t h = NARYN__HASH_START;
  double settings[4] = {p->cyclic ? disc : 0.0, p->multi_cut ? 1.0 : 0.0,
                        o->cvar_lambda > 0 ? o->cvar_alpha : 0.0, o->cvar_lambda};
  h = naryn__hash_bytes(h, settings, sizeof settings);
  h = naryn__hash_bytes(h, m->outcome_p, (size_t)m->noutcomes * sizeof *m->outcome_p);
  h = naryn__hash_bytes(h, p->branch_p, (size_t)p->N * p->nb * sizeof *p->branch_p);
  for (int n = 0; n < p->N && h != 0; n++) {
    int t = naryn__policy_node_step(p, n);
    for (int k = 0; k < p->nout && h != 0; k++)
      h = naryn__stage_hash(p->stage[n], k, m->outcome_factor + (size_t)k * m->nnodes,
                            naryn__policy_base(p, t), h);
  }
  return h;
}

/* Opens the cut log: the cuts of an earlier run of the same model go into
** the stages, and training goes on from the iteration after its last. */
static int resume(train *tr, const naryn_sddp_opts *o, naryn__cutlog **cl, int *first,
                  naryn_diags *d) {
  naryn_policy *p = tr->w[0].p;
  long long good = 0;
  /* Rank 0 appends to the log; the other processes only read it. */
  int rc = tr->rank == 0 ? naryn__cutlog_open(p->cuts, o->cut_log, cl, d) : NARYN_OK;
  if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) return rc;
  if (tr->rank != 0) rc = naryn__cutfile_read(p->cuts, o->cut_log, &good, d);
  if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) return rc;
  for (int t = 0; t < p->N && rc == NARYN_OK; t++)
    for (int i = 0; i < naryn__cuts_count(p->cuts, t) && rc == NARYN_OK; i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, t, i);
      int last = naryn__policy_node_step(p, t) == p->T - 1;
      if ((c.outcome >= 0) != (p->multi_cut != 0) || (last && !p->cyclic))
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, o->cut_log, 0, 0, NULL,
                           "expected the cuts of a run with the same settings, got "
                           "cuts of a run %s", c.outcome >= 0 ? "with multiple cuts"
                           : last ? "with a cycle (--discount)"
                                  : "with a single cut");
      rc = naryn__sddp_cut_into_lps(tr, t, c, d);
      if (c.iteration >= *first) *first = c.iteration + 1;
    }
  if (rc != NARYN_OK) return rc;
  /* A log of version 3 tells the problems its cuts were made for; one of
  ** an earlier version cannot, and is taken on trust. */
  uint64_t was = naryn__cuts_problem_read(p->cuts);
  if (was != 0 && was != naryn__cuts_problem(p->cuts))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, o->cut_log, 0, 0, NULL,
                       "expected the cuts of a run of the same problems, got those of "
                       "stage problems that differ from these (a scenario, a --weight, the "
                       "model's costs or limits, --discount or --cvar changed since): their "
                       "cuts bound another future cost; give a new --cut-log or train with "
                       "the same model and settings");
  return NARYN_OK;
}

/* The floor under the future cost before any cut: a cut theta >= F of
** slope 0 on every stage (on each column of a branch with a chance, with
** multiple cuts), so that the first iterations' stages and bounds stay in
** the model's own magnitudes rather than at theta's bound of -1e15, which
** left cut rows whose constants spanned ten orders of magnitude more than
** the stage's own rows. L_t, the least stage t costs from any state under
** any outcome and prices, bounds each step's cost from below; the future
** of step t is at least the sum of min(L_s, 0) over the steps after it,
** and in a cycle discounted by D, D / (1 - D) times that sum over a round
** more. A stage whose least cost cannot be found (its LP unbounded when
** any state may be) leaves every stage without the floor. */
static int floor_cuts(train *tr, double disc, naryn_diags *d) {
  naryn_policy *p = tr->w[0].p;
  double *least = calloc((size_t)p->T + 1, sizeof *least);
  double *zero = calloc((size_t)p->nstate + 1, sizeof *zero);
  double *node_least = calloc((size_t)p->N + 1, sizeof *node_least);
  unsigned char *node_found = calloc((size_t)p->N + 1, 1);
  if (!least || !zero || !node_least || !node_found) {
    free(least), free(zero), free(node_least), free(node_found);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  /* Each node's least cost, the threads sharing the nodes. */
  int rc = naryn__sddp_least_costs(tr, node_least, node_found, d), found = 1;
  for (int n = 0; n < p->N && rc == NARYN_OK; n++) {
    int t = naryn__policy_node_step(p, n);
    found &= node_found[n];
    least[t] = fmin(least[t], node_least[n]);
  }
  free(node_least), free(node_found);
  double cycle = 0.0;
  for (int t = 0; t < p->T; t++) cycle += least[t];
  /* after: the floor of the future of step t, from the last step back. */
  double after = p->cyclic ? disc / (1.0 - disc) * cycle : 0.0;
  int groups = p->multi_cut ? p->nb : 1;
  for (int t = p->T - 1; t >= 0 && found && rc == NARYN_OK; t--) {
    int n0 = naryn__policy_node(p, t, 0), n1 = naryn__policy_node(p, t, p->M);
    for (int n = n0; n < n1 && (p->cyclic || t < p->T - 1) && rc == NARYN_OK; n++)
      for (int j = 0; j < groups && rc == NARYN_OK; j++) {
        if (p->multi_cut && !(naryn__policy_branch_p(p, n, j) > 0)) continue;
        rc = naryn__policy_add_cut(p, n, p->multi_cut ? j : -1, 0, after, zero, NULL, d);
        for (int w = 1; w < tr->nw && rc == NARYN_OK; w++)
          if (naryn__stage_add_cut(tr->w[w].p->stage[n], p->multi_cut ? j : 0, after, zero) !=
              NARYN_OK)
            rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      }
    after += least[t];
  }
  free(least), free(zero);
  return rc;
}

int naryn_sddp(const naryn_model *m, const naryn_sddp_opts *o, naryn_policy **out,
               naryn_diags *d) {
  naryn_sddp_opts defaults;
  if (!o) {
    naryn_sddp_opts_init(&defaults);
    o = &defaults;
  }
  *out = NULL;
  int rc = check(m, o, d);
  if (rc != NARYN_OK) return rc;
  double t0 = now_s();
  naryn_policy *p = NULL;
  int cyclic = o->discount > 0 || m->outcome_discount > 0;
  rc = naryn__policy_new(m, o->multi_cut, cyclic, &p, d);
  if (rc != NARYN_OK) return rc;
  uint64_t problem = problem_hash(p, o, o->discount > 0 ? o->discount : m->outcome_discount);
  if (problem == 0) {
    naryn_policy_free(p);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  naryn__cuts_set_problem(p->cuts, problem);
  train tr;
  rc = naryn__sddp_train_new(&tr, m, o, p, cyclic, d);
  naryn__sddp_start_threads(&tr);
  /* The last estimate of the upper bound's time, and all the estimates'. */
  double stall_from = NAN, bound_s = 0.0, bounds_s = 0.0;
  int stall_it = 0, first = 1;
  naryn__cutlog *cl = NULL;
  if (rc == NARYN_OK && o->cut_log) rc = resume(&tr, o, &cl, &first, d);
  /* A run that resumes has its floor among the cuts it read. */
  int none = 1;
  for (int n = 0; n < p->N; n++) none &= naryn__cuts_count(p->cuts, n) == 0;
  if (rc == NARYN_OK && none)
    rc = floor_cuts(&tr, o->discount > 0 ? o->discount : m->outcome_discount, d);
  /* A resumed run's LPs keep what a selection over the log's cuts and
  ** trial states keeps, as the run before had them, rather than every cut
  ** of the log until its first selection: from a log of 300 iterations of
  ** the built-in model (5,863 cuts a stage), the first iteration took 31
  ** s with every cut in its LPs. */
  if (rc == NARYN_OK && !none && o->select_every > 0) rc = naryn__sddp_select(&tr, d);
  p->stop = "iterations";
  for (int it = first; it < first + o->max_iterations && rc == NARYN_OK; it++) {
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) break;
    if ((rc = naryn__sddp_iterate(&tr, it, d)) != NARYN_OK) break;
    if (cl && (rc = naryn__cutlog_append(cl, p->cuts, it, d)) != NARYN_OK) break;
    if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) break;
    if (o->select_every > 0 && it % o->select_every == 0 &&
        (rc = naryn__sddp_select(&tr, d)) != NARYN_OK)
      break;
    if ((rc = naryn__sddp_lower_bound(&tr.w[0])) != NARYN_OK) rc = naryn__sddp_run_failed(&tr.w[0], rc, d);
    if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) break;
    /* Every process takes rank 0's bound, so that all decide alike. */
    naryn__mpi_bcast(&p->lower, 1);
    p->iterations = it;
    int last = it == first + o->max_iterations - 1;
    /* The time limit: this is the last iteration when another, as long
    ** as the mean one so far (its estimates left out), and an estimate of
    ** the upper bound after it would not end within the limit (counting
    ** this iteration's estimate when one is due). An estimate takes as
    ** long as the last one did, or before the first, as long as the
    ** forward passes' pace says it will (once 3 iterations have shown
    ** it). Rank 0's clock decides for every process, so that all stop
    ** together. */
    double need = bound_s > 0 ? bound_s
                              : naryn__sddp_bound_guess(&tr, o->bound_samples,
                                                        o->discount > 0 ? o->discount
                                                                        : m->outcome_discount);
    double spent = now_s() - t0, mean_it = (spent - bounds_s) / (it - first + 1);
    int due = it % o->bound_every == 0;
    double over = o->time_limit_s > 0 &&
                  spent + (due ? need : 0.0) + mean_it + need >= o->time_limit_s;
    naryn__mpi_bcast(&over, 1);
    if (over != 0) last = 1, p->stop = "time";
    /* The lower bound has stalled when it moved by less than a millionth
    ** over the last stall_iterations iterations. */
    if (o->stall_iterations > 0) {
      if (isnan(stall_from) ||
          fabs(p->lower - stall_from) > 1e-6 * fmax(fabs(p->lower), 1.0)) {
        stall_from = p->lower;
        stall_it = it;
      } else if (it - stall_it >= o->stall_iterations) {
        last = 1;
        p->stop = "stalled";
      }
    }
    p->upper = p->half = NAN;
    if (it % o->bound_every == 0 || last) {
      double b0 = now_s();
      if ((rc = naryn__sddp_upper_bound(&tr, o->bound_samples, d)) != NARYN_OK) break;
      bound_s = now_s() - b0;
      bounds_s += bound_s;
    }
    if (log_row(p, o, it, t0) != NARYN_OK) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      break;
    }
    const naryn_sddp_log *row = &p->log[p->nlog - 1];
    /* The gap stop is taken on the estimate's mean, or with
    ** gap_confident on the upper end of its interval, both in per cent
    ** of the gap's scale. */
    double wide_pct = 100.0 * row->half_width / gap_scale(row->upper, row->lower);
    double stop_pct = o->gap_confident ? row->gap_pct + wide_pct : row->gap_pct;
    if (!isnan(stop_pct) && stop_pct <= o->gap_pct && !(o->cvar_lambda > 0)) {
      p->converged = 1;
      p->stop = "gap";
      /* When the interval is wider than the gap asked for, a stop on the
      ** mean is within the sampling noise, not shown to be that small,
      ** and the user is told. */
      if (!o->gap_confident && wide_pct > o->gap_pct)
        naryn__diag(d, NARYN_OK, NARYN_SEV_NOTE, NULL, 0, 0, NULL,
                    "the gap of %.3f %% is within the upper bound's sampling noise: its "
                    "95 %% interval is +-%.2f %% (of the larger bound, as the gap is), wider "
                    "than the gap of %g %% asked for; more simulations (bound samples) or "
                    "the control variate narrow it",
                    row->gap_pct, wide_pct, o->gap_pct);
      break;
    }
    if (last) break;
  }
  /* The time limit is kept by foretelling each iteration's time from the
  ** ones before; when the run still ends past it, as when one iteration
  ** and its estimate take longer than the limit, the user is told. */
  const naryn_sddp_log *end = p->nlog > 0 ? &p->log[p->nlog - 1] : NULL;
  if (rc == NARYN_OK && o->time_limit_s > 0 && end && end->seconds > o->time_limit_s)
    naryn__diag(d, NARYN_OK, NARYN_SEV_NOTE, NULL, 0, 0, NULL,
                "the run took %.2f s, past the time limit of %g s: %s", end->seconds,
                o->time_limit_s,
                p->iterations == first ? "one iteration and its upper bound's estimate take "
                                         "longer than that"
                                       : "its last iteration and upper bound's estimate took "
                                         "longer than the iterations before foretold");
  naryn__cutlog_close(cl);
  naryn__sddp_stop_threads(&tr);
  naryn__sddp_train_free(&tr);
  if (rc != NARYN_OK) {
    naryn_policy_free(p);
    return rc;
  }
  p->seconds = now_s() - t0;
  *out = p;
  return NARYN_OK;
}

/* For replays (replay.c): the model the policy was built for, and its
** stage of step t in price state k: a cyclic policy's round again and
** again. */
const naryn_model *naryn__policy_model(const naryn_policy *p) { return p->m; }

naryn__stage *naryn__policy_stage(naryn_policy *p, int t, int k) {
  if (t >= 0 && p->cyclic && p->T > 0) t %= p->T;
  return t >= 0 && t < p->T && k >= 0 && k < p->M ? p->stage[naryn__policy_node(p, t, k)] : NULL;
}

int naryn_sddp_price_states(const naryn_model *m) { return m->prices ? m->prices->n : 0; }

int naryn_sddp_stages(const naryn_model *m, const naryn_sddp_opts *o) {
  int cyclic = (o && o->discount > 0) || m->outcome_discount > 0;
  return cyclic && m->outcome_cycle > 0 ? m->outcome_cycle : m->nsteps;
}
