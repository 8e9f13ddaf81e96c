/*
** passes.c: one worker's part of SDDP's training: a forward pass along
** drawn outcomes, the solves of a backward step under every outcome, the
** cuts made from them, and the lower bound (sddp.c tells the method).
**
** A chunk of work starts each stage it solves afresh from a basis every
** worker has (naryn__sddp_start_stage) and goes on warm from there, so
** that what it finds does not depend on the worker that runs it.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "train_int.h"

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

/* Puts a basis into sv, growing it as needed. */
int naryn__sddp_put_basis(saved *sv, const unsigned char *b, int n, int epoch) {
  if (n > sv->cap) {
    unsigned char *grown = realloc(sv->b, (size_t)n + 64);
    if (!grown) return NARYN_ENOMEM;
    sv->b = grown;
    sv->cap = n + 64;
  }
  if (b && n > 0) memcpy(sv->b, b, (size_t)n);
  sv->n = n;
  sv->epoch = epoch;
  return NARYN_OK;
}

/* Keeps the basis of stage st's last solve into sv. */
int naryn__sddp_save_basis(saved *sv, const naryn__stage *st) {
  int rc = naryn__sddp_put_basis(sv, NULL, naryn__stage_basis_size(st), naryn__stage_epoch(st));
  if (rc == NARYN_OK) naryn__stage_get_basis(st, sv->b);
  return rc;
}


/* A new chunk of work on worker r. */
void naryn__sddp_begin_chunk(run *r) { memset(r->begun, 0, (size_t)r->p->N); }

/* Before a solve of stage (node) t: the chunk's first starts from the
** basis sv, when it was taken in the stage's cuts' epoch, else from
** scratch. */
void naryn__sddp_start_stage(run *r, int t, const saved *sv) {
  if (r->begun[t]) return;
  r->begun[t] = 1;
  naryn__stage *st = r->p->stage[t];
  int fits = sv && sv->n > 0 && sv->epoch == naryn__stage_epoch(st);
  naryn__stage_restart(st, fits ? sv->b : NULL, fits ? sv->n : 0);
}

/* Room in path pr for n steps of ns states. */
int naryn__sddp_path_room(pathrec *pr, int n, int ns) {
  if (n <= pr->cap) return NARYN_OK;
  int cap = 2 * n + 16;
  double *a = realloc(pr->states, (size_t)cap * (size_t)ns * sizeof *a + 1);
  if (a) pr->states = a;
  int *b = a ? realloc(pr->t, (size_t)cap * sizeof *b) : NULL;
  if (b) pr->t = b;
  saved *c = b ? realloc(pr->bases, (size_t)cap * sizeof *c) : NULL;
  if (!c) return NARYN_ENOMEM;
  memset(c + pr->cap, 0, (size_t)(cap - pr->cap) * sizeof *c);
  pr->bases = c;
  pr->cap = cap;
  return NARYN_OK;
}

int naryn__sddp_oom(run *r) {
  return naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

/* The control variate's expectation at a step of a simulation: the value
** the stage of step t would have at the states s, averaged over the
** branches the step may take from node 'from' (the node of the step
** before; -1 for the first step, whose price state is the chain's first),
** each weighed by its chance, into *e. */
static int expected_value(run *r, int from, int t, const double *s, double *e) {
  naryn_policy *p = r->p;
  const naryn_model *m = p->m;
  *e = 0.0;
  for (int b = 0; b < p->nb; b++) {
    int n, k = b % p->nout;
    double chance;
    if (from < 0) {
      /* The first step: its price state is known, only its outcome not. */
      if (b >= p->nout) break;
      n = naryn__policy_node(p, t, m->prices ? m->prices->initial : 0);
      chance = m->outcome_p[k];
    } else {
      n = naryn__policy_node(p, t, b / p->nout);
      chance = naryn__policy_branch_p(p, from, b);
    }
    if (!(chance > 0)) continue;
    double v;
    naryn__sddp_start_stage(r, n, &r->ref[n]);
    int rc = naryn__sddp_solve_outcome(r, n, s, k, &v, r->g);
    if (rc != NARYN_OK) return rc;
    *e += chance * v;
  }
  return NARYN_OK;
}

/* Draws step t of round 'round' of a pass from rng and gives its
** outcome; with a chain of prices, each step after the first draws its
** price state into *ps before its outcome. naryn__sddp_rounds replays
** these draws, so the two must draw alike. */
static int draw_step(const naryn_model *m, int round, int t, int T, naryn__rng *rng, int *ps) {
  if (m->prices && (round > 0 || t > 0))
    *ps = naryn__prices_next(m->prices, *ps, m->step_month[t > 0 ? t - 1 : T - 1],
                             naryn__rng_uniform(rng));
  return outcome_of(m, naryn__rng_uniform(rng));
}

/* The rounds a cycle's training pass drawn from rng would go by chance:
** its steps' draws and, after each round, whether it goes round again
** (at most MAX_ROUNDS). Every pass of an iteration goes round as many
** times as its first pass's stream says (doc/sddp.md, "Threads and
** processes"). */
int naryn__sddp_rounds(const run *r, naryn__rng *rng) {
  const naryn_policy *p = r->p;
  int ps = p->m->prices ? p->m->prices->initial : 0, round = 0;
  while (round < MAX_ROUNDS) {
    for (int t = 0; t < p->T; t++) draw_step(p->m, round, t, p->T, rng, &ps);
    round++;
    if (!(naryn__rng_uniform(rng) < r->discount)) break;
  }
  return round;
}

/* One forward pass along the outcomes (and price states) drawn from rng:
** its nodes and states kept into pr (NULL: not kept), its cost into
** *total. A cycle's pass goes round again with the discount's chance,
** so that its mean cost is the discounted cost; with exact > 0 it goes
** round exactly that many times, drawing as one going by chance would
** (a training pass: naryn__sddp_rounds). With rounds > 0 it first
** goes round that many times for sure, round k's cost weighted by the
** discount to the power k, and only then goes on by chance, each round
** after weighted by the discount to the power 'rounds': the same mean,
** without most of the spread that the number of rounds adds.
**
** With the options' bound_control (a simulation for the upper bound, pr
** NULL), *total is the cost less a control variate of mean zero
** (doc/sddp.md, "The upper bound with a control variate"): at each step,
** the weight times the value of the stage solved less its expected value
** over the branches the step might have taken (the same LP solved under
** each); and where a cycle goes on or not by chance, the weight times (1
** if it goes on, less the discount) times the expected value of the
** cycle's first stage. */
int naryn__sddp_forward(run *r, naryn__rng *rng, pathrec *pr, int rounds, int exact,
                        double *total) {
  naryn_policy *p = r->p;
  const naryn_model *m = p->m;
  double *s = r->s0 + r->ns; /* the running state */
  memcpy(s, r->s0, (size_t)r->ns * sizeof *s);
  *total = 0.0;
  if (pr) pr->len = 0;
  int ps = m->prices ? m->prices->initial : 0; /* the price state */
  int control = !pr && r->o->bound_control, from = -1, carried = 0;
  double weight = 1.0, cv = 0.0, e = 0.0;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    for (int t = 0; t < p->T; t++) {
      int k = draw_step(m, round, t, p->T, rng, &ps), n = naryn__policy_node(p, t, ps);
      if (control && !carried) {
        int rc = expected_value(r, from, t, s, &e);
        if (rc != NARYN_OK) return rc;
      }
      carried = 0;
      naryn__stage_set_outcome(p->stage[n], k);
      naryn__sddp_start_stage(r, n, &r->ref[n]);
      int rc = naryn__stage_solve_with(p->stage[n], s, factors(m, k), naryn__policy_base(p, t),
                                       &r->so);
      if (rc != NARYN_OK) return naryn__stage_failed(m, t, rc, r->d);
      *total += weight * r->so.cost;
      if (control) cv += weight * (r->so.value - e);
      from = n;
      memcpy(s, r->so.s_out, (size_t)r->ns * sizeof *s);
      if (!pr) continue;
      if (naryn__sddp_path_room(pr, pr->len + 1, r->ns) != NARYN_OK) return naryn__sddp_oom(r);
      if (naryn__sddp_save_basis(&pr->bases[pr->len], p->stage[n]) != NARYN_OK) return naryn__sddp_oom(r);
      memcpy(pr->states + (size_t)pr->len * r->ns, s, (size_t)r->ns * sizeof *s);
      pr->t[pr->len++] = n;
    }
    /* A cycle goes round again with the discount's probability, or the
    ** rounds asked for, discounted. */
    if (!p->cyclic) break;
    if (round + 1 < rounds) {
      weight *= r->discount;
      continue;
    }
    int again = naryn__rng_uniform(rng) < r->discount;
    if (exact > 0) again = round + 1 < exact;
    if (control) {
      /* The next round's first step from here, whether or not it comes:
      ** its expected value is also that step's, if it does. */
      int rc = expected_value(r, from, 0, s, &e);
      if (rc != NARYN_OK) return rc;
      cv += weight * ((again ? 1.0 : 0.0) - r->discount) * e;
      carried = 1;
    }
    if (!again) break;
  }
  if (control) *total -= cv;
  return NARYN_OK;
}

/* The weights of the n outcomes (branches) of chances pr into r->q under
** the risk measure, given their values v: the chances, and for CVaR the
** dearest outcomes' raised. */
static void risk_weights(run *r, const double *v, const double *pr, int n) {
  double lambda = r->o->cvar_lambda, alpha = r->o->cvar_alpha;
  for (int k = 0; k < n; k++) r->q[k] = pr[k];
  if (!(lambda > 0)) return;
  /* The outcomes dearest first (ties by index, so the order is fixed). */
  int order[NARYN_SDDP_MAX_OUTCOMES];
  for (int k = 0; k < n; k++) order[k] = k;
  for (int a = 1; a < n; a++)
    for (int b = a; b > 0; b--) {
      int x = order[b - 1], y = order[b];
      if (v[y] > v[x] || (v[y] == v[x] && y < x)) order[b - 1] = y, order[b] = x;
      else break;
    }
  double left = alpha;
  for (int j = 0; j < n; j++) {
    int k = order[j];
    double take = fmin(pr[k], fmax(left, 0.0));
    left -= take;
    r->q[k] = (1.0 - lambda) * pr[k] + lambda * take / alpha;
  }
}

/* Solves the stage of node n from the states s under outcome k: its
** value into *v, its slopes into g. */
int naryn__sddp_solve_outcome(run *r, int n, const double *s, int k, double *v, double *g) {
  naryn_policy *p = r->p;
  int t = naryn__policy_node_step(p, n);
  naryn__stage_set_outcome(p->stage[n], k);
  int rc = naryn__stage_solve_with(p->stage[n], s, factors(p->m, k), naryn__policy_base(p, t),
                                   &r->so);
  if (rc != NARYN_OK) return naryn__stage_failed(p->m, t, rc, r->d);
  *v = r->so.value;
  memcpy(g, r->so.slope, (size_t)r->ns * sizeof *g);
  return NARYN_OK;
}

/* Solves node n's stage from the states s under every outcome: values
** into r->v, slopes into r->g. */
static int outcomes(run *r, int n, const double *s) {
  for (int k = 0; k < r->p->nout; k++) {
    int rc = naryn__sddp_solve_outcome(r, n, s, k, &r->v[k], r->g + (size_t)k * r->ns);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}

/* Keeps a cut for stage 'to' in the path's list. */
static int keep_cut(run *r, pathrec *pr, int to, int outcome, double alpha, const double *beta,
                    const double *at) {
  if (pr->ncut == pr->capcut) {
    int cap = 2 * pr->capcut + 8, ns = r->ns + 1;
    int *a = realloc(pr->cut_t, (size_t)cap * sizeof *a);
    if (a) pr->cut_t = a;
    int *b = a ? realloc(pr->cut_o, (size_t)cap * sizeof *b) : NULL;
    if (b) pr->cut_o = b;
    double *c = b ? realloc(pr->cut_a, (size_t)cap * sizeof *c) : NULL;
    if (c) pr->cut_a = c;
    double *e = c ? realloc(pr->cut_b, (size_t)cap * (size_t)ns * sizeof *e) : NULL;
    if (e) pr->cut_b = e;
    double *f = e ? realloc(pr->cut_s, (size_t)cap * (size_t)ns * sizeof *f) : NULL;
    if (!f) return naryn__sddp_oom(r);
    pr->cut_s = f;
    pr->capcut = cap;
  }
  int k = pr->ncut++;
  pr->cut_t[k] = to;
  pr->cut_o[k] = outcome;
  pr->cut_a[k] = alpha;
  memcpy(pr->cut_b + (size_t)k * (r->ns + 1), beta, (size_t)r->ns * sizeof *beta);
  memcpy(pr->cut_s + (size_t)k * (r->ns + 1), at, (size_t)r->ns * sizeof *at);
  return NARYN_OK;
}

/* The cuts for node 'to' from the values v and slopes g of the stage
** after it under each branch at the states s, discounted by 'disc'. */
static int node_cuts(run *r, pathrec *pr, int to, const double *v, const double *gs,
                     const double *s, double disc) {
  naryn_policy *p = r->p;
  const double *chance = p->branch_p + (size_t)to * p->nb;
  int rc = NARYN_OK;
  if (p->multi_cut) {
    /* A branch the chain never takes from this node gets no cut. */
    for (int k = 0; k < p->nb && rc == NARYN_OK; k++) {
      if (!(chance[k] > 0)) continue;
      const double *g = gs + (size_t)k * r->ns;
      double alpha = v[k];
      for (int j = 0; j < r->ns; j++) {
        r->beta[j] = disc * g[j];
        alpha -= g[j] * s[j];
      }
      rc = keep_cut(r, pr, to, k, disc * alpha, r->beta, s);
    }
    return rc;
  }
  risk_weights(r, v, chance, p->nb);
  double alpha = 0.0;
  for (int j = 0; j < r->ns; j++) r->beta[j] = 0.0;
  for (int k = 0; k < p->nb; k++) {
    if (!(r->q[k] > 0)) continue;
    const double *g = gs + (size_t)k * r->ns;
    alpha += r->q[k] * v[k];
    for (int j = 0; j < r->ns; j++) r->beta[j] += r->q[k] * g[j];
  }
  for (int j = 0; j < r->ns; j++) {
    alpha -= r->beta[j] * s[j];
    r->beta[j] *= disc;
  }
  return keep_cut(r, pr, to, -1, disc * alpha, r->beta, s);
}

/* Makes the cuts of node 'to' and of every other node of its step (its
** other price states) from the values v and slopes g of the stage after
** it under each branch at the states s, discounted by 'disc', into the
** path's list. */
int naryn__sddp_make_cuts(run *r, pathrec *pr, int to, const double *v, const double *gs,
                     const double *s, double disc) {
  naryn_policy *p = r->p;
  int rc = NARYN_OK;
  /* The solves of the step after serve every price state of this step:
  ** each node of it gets its cuts, weighted by its own chances. */
  for (int k = 0; k < p->M && rc == NARYN_OK; k++)
    rc = node_cuts(r, pr, naryn__policy_node(p, naryn__policy_node_step(p, to), k), v, gs, s,
                   disc);
  return rc;
}

/* The backward step of a path at level L, counted from its end: L = len
** is the cut a cycle's last stage learns from the first stage after it;
** L < len the cut node t[L - 1] learns from the step after it. 1 when
** the path has a step at level L: the node t the path visited in the step
** after (its last round's first step for L = len; every node of that
** step is solved, one per price state), the node 'to' the cut is for, the
** states s it is made at, and its discount. */
int naryn__sddp_level_step(const run *r, const pathrec *pr, int L, int *t, int *to,
                      const double **s, double *disc) {
  const naryn_policy *p = r->p;
  double d = p->cyclic ? r->discount : 1.0;
  if (L < 1 || L > pr->len || (L == pr->len && !p->cyclic)) return 0;
  *t = L == pr->len ? pr->t[pr->len - p->T] : pr->t[L];
  *to = pr->t[L - 1];
  *s = pr->states + (size_t)(L - 1) * r->ns;
  *disc = L == pr->len || naryn__policy_node_step(p, *t) == 0 ? d : 1.0;
  return 1;
}

/* The lower bound: the first stage's value under its outcomes, measured
** by the risk measure, from the initial storage (and price state). */
int naryn__sddp_lower_bound(run *r) {
  const naryn_model *m = r->p->m;
  int n0 = naryn__policy_node(r->p, 0, m->prices ? m->prices->initial : 0);
  naryn__sddp_begin_chunk(r);
  naryn__sddp_start_stage(r, n0, &r->ref[n0]);
  int rc = outcomes(r, n0, r->s0);
  if (rc != NARYN_OK) return rc;
  risk_weights(r, r->v, m->outcome_p, r->p->nout);
  r->p->lower = 0.0;
  for (int k = 0; k < r->p->nout; k++) r->p->lower += r->q[k] * r->v[k];
  return NARYN_OK;
}

/* Sets up worker w with policy p (its own copy but for worker 0). */
int naryn__sddp_worker_new(run *r, naryn_policy *p, const naryn_sddp_opts *o) {
  r->p = p;
  r->o = o;
  r->discount = o->discount > 0 ? o->discount : p->m->outcome_discount;
  r->ns = p->nstate;
  r->d = naryn_diags_new(20);
  size_t ns = (size_t)r->ns + 1, no = (size_t)p->nb + 1;
  r->buf = malloc((5 * ns + no * ns + 2 * no) * sizeof *r->buf);
  r->begun = calloc((size_t)p->N + 1, 1);
  if (!r->d || !r->buf || !r->begun) return NARYN_ENOMEM;
  double *buf = r->buf;
  r->so = (naryn__stage_out){.s_out = buf, .slope = buf + ns};
  r->beta = buf + 2 * ns;
  r->s0 = buf + 3 * ns;
  r->g = buf + 5 * ns;
  r->v = r->g + no * ns;
  r->q = r->v + no;
  for (int k = 0; k < r->ns; k++) r->s0[k] = naryn__stage_state_initial(p->stage[0], k);
  return NARYN_OK;
}

