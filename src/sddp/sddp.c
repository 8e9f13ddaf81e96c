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
*/
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include "sddp_int.h"

/* The most threads a run uses. */
#define NARYN_SDDP_MAX_JOBS 64
/* The most outcomes a stage (the most a PAR model's section allows). */
#define NARYN_SDDP_MAX_OUTCOMES 1000
/* The most rounds of a cycle in one path. */
#define MAX_ROUNDS 1000
/* A backward level where fewer paths have a step than this, and than
** the iteration has, splits each path's outcomes into blocks, so that
** there are as many chunks (each block's first solve starts afresh): with
** two forward passes or more, a cycle's longer path does not leave all
** but one thread waiting at its deepest levels. */
#define MIN_CHUNKS 2
/* The upper bound's simulations come in chunks of this many, one after
** the other warm from the last: each chunk's first solve of a stage
** starts afresh. */
#define BOUND_CHUNK 10

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


/* A basis kept for later solves to start from (naryn__stage_restart): the
** statuses of a stage's columns and rows, and the epoch of the stage's
** cuts they were taken in; n = 0 for none. */
typedef struct saved {
  unsigned char *b;
  int n, cap, epoch;
} saved;

/* Keeps the basis of stage st's last solve into sv. */
static int save_basis(saved *sv, const naryn__stage *st) {
  int n = naryn__stage_basis_size(st);
  if (n > sv->cap) {
    unsigned char *b = realloc(sv->b, (size_t)n + 64);
    if (!b) return NARYN_ENOMEM;
    sv->b = b;
    sv->cap = n + 64;
  }
  naryn__stage_get_basis(st, sv->b);
  sv->n = n;
  sv->epoch = naryn__stage_epoch(st);
  return NARYN_OK;
}

/* A forward path: the stage and the states after each of its steps, and
** the cuts its backward pass has made at the level under way. */
typedef struct pathrec {
  double *states;         /* [len][ns] */
  int *t;                 /* [len] */
  saved *bases;           /* [len]: the basis each step's solve ended with */
  /* [T][MIN_CHUNKS]: the basis each block of the backward pass's solves
  ** of a stage ended with at the last level that solved it, if one has. */
  saved *last;
  unsigned char *last_set;
  int len, cap;
  double cost;
  /* Cuts waiting to be added to every worker's stages: per cut its stage,
  ** outcome (-1: single), constant, slopes and the state it was made at. */
  int ncut, capcut;
  int *cut_t, *cut_o;
  double *cut_a, *cut_b, *cut_s;
  /* The backward pass's solves at the level under way: per outcome its
  ** value and its slopes [nout][ns]. */
  double *ov, *og;
} pathrec;

/* What one worker (thread) works with: its own copy of the policy's
** stages, which its solves change, and its buffers. */
typedef struct run {
  naryn_policy *p;
  const naryn_sddp_opts *o;
  naryn_diags *d;         /* its own; passed on when it fails */
  int ns;                 /* states */
  naryn__stage_out so;
  double *v, *g, *q;      /* per outcome: value, slopes [nout][ns], weight */
  double *beta, *s0;      /* and after s0, the running state */
  double *buf;
  double discount;        /* a cycle's, or 0 */
  /* The stages a chunk of work (a forward path, an upper bound's sample, a
  ** path's solves at a backward level) has solved: its first solve of a
  ** stage starts afresh from a basis every worker has, the next ones from
  ** the last, so that what a chunk finds does not depend on the worker
  ** that runs it, nor on what that worker ran before. */
  unsigned char *begun;   /* [T] */
  const saved *ref;       /* [T]: where a forward path starts each stage */
} run;

/* A new chunk of work on worker r. */
static void begin_chunk(run *r) { memset(r->begun, 0, (size_t)r->p->T); }

/* Before a solve of stage t: the chunk's first starts from the basis sv,
** when it was taken in the stage's cuts' epoch, else from scratch. */
static void start_stage(run *r, int t, const saved *sv) {
  if (r->begun[t]) return;
  r->begun[t] = 1;
  naryn__stage *st = r->p->stage[t];
  int fits = sv && sv->n > 0 && sv->epoch == naryn__stage_epoch(st);
  naryn__stage_restart(st, fits ? sv->b : NULL, fits ? sv->n : 0);
}

/* Room in path pr for n steps of ns states. */
static int path_room(pathrec *pr, int n, int ns) {
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

static int oom(run *r) {
  return naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

/* One forward pass along the outcomes drawn from rng: its stages and
** states kept into pr (NULL: not kept), its cost into *total. */
static int forward(run *r, naryn__rng *rng, pathrec *pr, double *total) {
  naryn_policy *p = r->p;
  const naryn_model *m = p->m;
  double *s = r->s0 + r->ns; /* the running state */
  memcpy(s, r->s0, (size_t)r->ns * sizeof *s);
  *total = 0.0;
  if (pr) pr->len = 0;
  for (int round = 0; round < MAX_ROUNDS; round++) {
    for (int t = 0; t < p->T; t++) {
      int k = outcome_of(m, naryn__rng_uniform(rng));
      naryn__stage_set_outcome(p->stage[t], k);
      start_stage(r, t, &r->ref[t]);
      int rc = naryn__stage_solve_with(p->stage[t], s, factors(m, k), naryn__policy_base(p, t),
                                       &r->so);
      if (rc != NARYN_OK) return naryn__stage_failed(m, t, rc, r->d);
      *total += r->so.cost;
      memcpy(s, r->so.s_out, (size_t)r->ns * sizeof *s);
      if (!pr) continue;
      if (path_room(pr, pr->len + 1, r->ns) != NARYN_OK) return oom(r);
      if (save_basis(&pr->bases[pr->len], p->stage[t]) != NARYN_OK) return oom(r);
      memcpy(pr->states + (size_t)pr->len * r->ns, s, (size_t)r->ns * sizeof *s);
      pr->t[pr->len++] = t;
    }
    /* A cycle goes round again with the discount's probability. */
    if (!p->cyclic || naryn__rng_uniform(rng) >= r->discount) break;
  }
  return NARYN_OK;
}

/* The weights of the outcomes into r->q under the risk measure, given
** their values v: the probabilities, and for CVaR the dearest outcomes'
** raised. */
static void risk_weights(run *r, const double *v) {
  const naryn_model *m = r->p->m;
  int n = r->p->nout;
  double lambda = r->o->cvar_lambda, alpha = r->o->cvar_alpha;
  for (int k = 0; k < n; k++) r->q[k] = m->outcome_p[k];
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
    double take = fmin(m->outcome_p[k], fmax(left, 0.0));
    left -= take;
    r->q[k] = (1.0 - lambda) * m->outcome_p[k] + lambda * take / alpha;
  }
}

/* Solves stage t from the states s under outcome k: its value into *v,
** its slopes into g. */
static int solve_outcome(run *r, int t, const double *s, int k, double *v, double *g) {
  naryn_policy *p = r->p;
  naryn__stage_set_outcome(p->stage[t], k);
  int rc = naryn__stage_solve_with(p->stage[t], s, factors(p->m, k), naryn__policy_base(p, t),
                                   &r->so);
  if (rc != NARYN_OK) return naryn__stage_failed(p->m, t, rc, r->d);
  *v = r->so.value;
  memcpy(g, r->so.slope, (size_t)r->ns * sizeof *g);
  return NARYN_OK;
}

/* Solves stage t from the states s under every outcome: values into r->v,
** slopes into r->g. */
static int outcomes(run *r, int t, const double *s) {
  for (int k = 0; k < r->p->nout; k++) {
    int rc = solve_outcome(r, t, s, k, &r->v[k], r->g + (size_t)k * r->ns);
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
    if (!f) return oom(r);
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

/* Makes the cuts for stage 'to' from the values v and slopes g of the
** stage after it under each outcome at the states s, discounted by
** 'disc', into the path's list. */
static int make_cuts(run *r, pathrec *pr, int to, const double *v, const double *gs,
                     const double *s, double disc) {
  naryn_policy *p = r->p;
  int rc = NARYN_OK;
  if (p->multi_cut) {
    for (int k = 0; k < p->nout && rc == NARYN_OK; k++) {
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
  risk_weights(r, v);
  double alpha = 0.0;
  for (int j = 0; j < r->ns; j++) r->beta[j] = 0.0;
  for (int k = 0; k < p->nout; k++) {
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

/* The backward step of a path at level L, counted from its end: L = len
** is the cut a cycle's last stage learns from the first stage after it;
** L < len the cut stage t[L - 1] learns from stage t[L]. 1 when the path
** has a step at level L: the stage t to solve, the stage 'to' the cut is
** for, the states s it is made at, and its discount. */
static int level_step(const run *r, const pathrec *pr, int L, int *t, int *to,
                      const double **s, double *disc) {
  const naryn_policy *p = r->p;
  double d = p->cyclic ? r->discount : 1.0;
  if (L < 1 || L > pr->len || (L == pr->len && !p->cyclic)) return 0;
  *t = L == pr->len ? 0 : pr->t[L];
  *to = pr->t[L - 1];
  *s = pr->states + (size_t)(L - 1) * r->ns;
  *disc = L == pr->len || *t == 0 ? d : 1.0;
  return 1;
}

/* The lower bound: the first stage's value under its outcomes, measured
** by the risk measure, from the initial storage. */
static int lower_bound(run *r) {
  begin_chunk(r);
  start_stage(r, 0, &r->ref[0]);
  int rc = outcomes(r, 0, r->s0);
  if (rc != NARYN_OK) return rc;
  risk_weights(r, r->v);
  r->p->lower = 0.0;
  for (int k = 0; k < r->p->nout; k++) r->p->lower += r->q[k] * r->v[k];
  return NARYN_OK;
}

/* ---------------------------------------------------------------------- */
/* Workers                                                                 */
/* ---------------------------------------------------------------------- */

/* The training run: its workers (worker 0's policy is the one trained;
** the others are copies whose LPs receive the same cuts), the paths of an
** iteration, and the chunks of the phase under way, which the workers take
** in turn. */
typedef struct train {
  run *w;
  int nw;
  pathrec *path;
  int npath;
  /* Where forward paths start each stage [T]: the basis path 0's solves
  ** ended with at the last backward level of the iteration before that
  ** solved the stage (else its forward pass's), the next being gathered. */
  saved *ref, *next_ref;
  unsigned char *next_set;
  int T;                  /* the stages */
  /* The chunks of the phase under way this process takes (nchunk), and a
  ** backward level's chunks of every process (nlevel): path and block,
  ** chunk c process c mod nrank's. */
  int *cj, *cb, nchunk, nlevel, capchunk;
  int blocks;             /* at the level under way, a path's outcomes come
                          ** in this many blocks */
  double *lens;           /* [npath] every path's length, of every process */
  atomic_int next;        /* the next chunk to take */
  int it;                 /* the iteration under way */
  int phase, level;       /* what the workers do: see work() */
  double *sample;         /* the upper bound's samples' costs */
  int nsample;
  int *rc;                /* per worker */
  int rank, nrank;        /* this MPI process and how many there are:
                          ** path j is rank j mod nrank's, and the upper
                          ** bound's chunk g of BOUND_CHUNK samples rank
                          ** g mod nrank's */
  /* The workers' threads, started once and woken for each phase (worker
  ** 0 works on the caller's thread): a backward pass has a phase per
  ** level, thousands in a run. */
  pthread_t th[NARYN_SDDP_MAX_JOBS];
  int started[NARYN_SDDP_MAX_JOBS];
  struct job {
    struct train *tr;
    int w;
  } jobs[NARYN_SDDP_MAX_JOBS];
  pthread_mutex_t mu;
  pthread_cond_t go, done;
  unsigned long gen;      /* phases begun */
  int ndone, quit, nstarted;
} train;

enum { PH_FORWARD, PH_BACKWARD, PH_BOUND };

/* The first outcome of block b at the level under way. */
static int block_from(const train *tr, int b) { return b * tr->w[0].p->nout / tr->blocks; }

typedef struct job job;

/* What worker w does in the phase under way: the forward passes of its
** paths, a level of their backward passes, or its share of the upper
** bound's simulations. */
static void *work(void *arg) {
  job *jb = arg;
  train *tr = jb->tr;
  run *r = &tr->w[jb->w];
  int rc = NARYN_OK;
  for (;;) {
    int c = atomic_fetch_add(&tr->next, 1);
    if (c >= tr->nchunk || rc != NARYN_OK) break;
    begin_chunk(r);
    if (tr->phase == PH_BOUND) {
      /* Chunk g's samples j: streams from 2^32 on are the bound's, apart
      ** from the passes'. */
      int g = tr->rank + c * tr->nrank;
      for (int j = g * BOUND_CHUNK; j < (g + 1) * BOUND_CHUNK && j < tr->nsample && rc == NARYN_OK;
           j++) {
        naryn__rng rng;
        naryn__rng_seed(&rng, r->o->seed, (1ull << 32) + (uint64_t)j);
        rc = forward(r, &rng, NULL, &tr->sample[j]);
      }
    } else if (tr->phase == PH_FORWARD) {
      /* Path j of iteration it: stream it, and for j > 0 beyond every
      ** iteration's first. */
      int j = tr->rank + c * tr->nrank;
      pathrec *pr = &tr->path[j];
      naryn__rng rng;
      naryn__rng_seed(&rng, r->o->seed, (uint64_t)tr->it + ((uint64_t)j << 40));
      rc = forward(r, &rng, pr, &pr->cost);
    } else {
      /* A path's outcomes at the level under way, from the basis its
      ** solves of the same stage ended with at the last level that solved
      ** it, else from its forward pass's solve of that stage and states. A
      ** path keeps its outcomes together: after the first, each is a small
      ** change of the LP just solved. */
      c = tr->rank + c * tr->nrank; /* this process's chunks of the level's */
      int j = tr->cj[c], b = tr->cb[c], t, to;
      pathrec *pr = &tr->path[j];
      const double *s;
      double disc;
      level_step(r, pr, tr->level, &t, &to, &s, &disc);
      int at = t * MIN_CHUNKS + b;
      start_stage(r, t, pr->last_set[at] ? &pr->last[at]
                                         : &pr->bases[tr->level < pr->len ? tr->level
                                                                          : pr->len - r->p->T]);
      for (int k = block_from(tr, b); k < block_from(tr, b + 1) && rc == NARYN_OK; k++)
        rc = solve_outcome(r, t, s, k, &pr->ov[k], pr->og + (size_t)k * r->ns);
      if (rc == NARYN_OK && save_basis(&pr->last[at], r->p->stage[t]) != NARYN_OK) rc = oom(r);
      pr->last_set[at] = 1;
      if (rc == NARYN_OK && j == 0 && b == 0) {
        if (save_basis(&tr->next_ref[t], r->p->stage[t]) != NARYN_OK) rc = oom(r);
        tr->next_set[t] = 1;
      }
    }
  }
  tr->rc[jb->w] = rc;
  return NULL;
}

/* Passes a worker's messages on to d after its failure rc. */
static int run_failed(run *r, int rc, naryn_diags *d) {
  for (int k = 0; k < naryn_diags_count(r->d); k++) {
    const naryn_diag *x = naryn_diags_get(r->d, k);
    naryn__diag(d, x->code, x->severity, x->file, x->line, x->col,
                x->where[0] ? x->where : NULL, "%s", x->msg);
  }
  return rc;
}

/* A worker's thread: each phase as it is begun, until told to quit. */
static void *worker_thread(void *arg) {
  job *jb = arg;
  train *tr = jb->tr;
  unsigned long seen = 0;
  for (;;) {
    pthread_mutex_lock(&tr->mu);
    while (tr->gen == seen && !tr->quit) pthread_cond_wait(&tr->go, &tr->mu);
    seen = tr->gen;
    int quit = tr->quit;
    pthread_mutex_unlock(&tr->mu);
    if (quit) return NULL;
    work(jb);
    pthread_mutex_lock(&tr->mu);
    if (++tr->ndone == tr->nstarted) pthread_cond_signal(&tr->done);
    pthread_mutex_unlock(&tr->mu);
  }
}

/* Starts the workers' threads; a worker whose thread cannot start works
** on the caller's thread after worker 0. */
static void start_threads(train *tr) {
  pthread_mutex_init(&tr->mu, NULL);
  pthread_cond_init(&tr->go, NULL);
  pthread_cond_init(&tr->done, NULL);
  for (int w = 0; w < tr->nw; w++) tr->jobs[w] = (job){tr, w};
  for (int w = 1; w < tr->nw; w++) {
    tr->started[w] = pthread_create(&tr->th[w], NULL, worker_thread, &tr->jobs[w]) == 0;
    tr->nstarted += tr->started[w];
  }
}

static void stop_threads(train *tr) {
  pthread_mutex_lock(&tr->mu);
  tr->quit = 1;
  pthread_cond_broadcast(&tr->go);
  pthread_mutex_unlock(&tr->mu);
  for (int w = 1; w < tr->nw; w++)
    if (tr->started[w]) pthread_join(tr->th[w], NULL);
  pthread_cond_destroy(&tr->done);
  pthread_cond_destroy(&tr->go);
  pthread_mutex_destroy(&tr->mu);
}

/* Runs the phase on every worker, worker 0 on this thread. NARYN_OK, or
** the first failure (its messages passed on to d). */
static int run_phase(train *tr, naryn_diags *d) {
  pthread_mutex_lock(&tr->mu);
  atomic_store(&tr->next, 0);
  tr->ndone = 0;
  tr->gen++;
  pthread_cond_broadcast(&tr->go);
  pthread_mutex_unlock(&tr->mu);
  work(&tr->jobs[0]);
  for (int w = 1; w < tr->nw; w++)
    if (!tr->started[w]) work(&tr->jobs[w]);
  pthread_mutex_lock(&tr->mu);
  while (tr->ndone < tr->nstarted) pthread_cond_wait(&tr->done, &tr->mu);
  pthread_mutex_unlock(&tr->mu);
  int rc = NARYN_OK;
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
    if (tr->rc[w] != NARYN_OK) rc = run_failed(&tr->w[w], tr->rc[w], d);
  /* Every process goes on, or all stop. */
  int all = naryn_mpi_agree(rc);
  if (all != NARYN_OK && rc == NARYN_OK)
    naryn__diag(d, all, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "another MPI process failed while training the policy: %s",
                naryn_strerror(all));
  return all;
}

/* Adds the cuts the paths made, path by path, to the policy (worker 0's,
** with its store) and to every worker's copy. */
static int share_cuts(train *tr, int it, naryn_diags *d) {
  int ns = tr->w[0].ns, rc = NARYN_OK;
  for (int j = 0; j < tr->npath; j++) {
    pathrec *pr = &tr->path[j];
    for (int k = 0; k < pr->ncut && rc == NARYN_OK; k++) {
      int to = pr->cut_t[k], outcome = pr->cut_o[k];
      const double *beta = pr->cut_b + (size_t)k * (ns + 1);
      rc = naryn__policy_add_cut(tr->w[0].p, to, outcome, it, pr->cut_a[k], beta,
                                 pr->cut_s + (size_t)k * (ns + 1), d);
      for (int w = 1; w < tr->nw && rc == NARYN_OK; w++) {
        rc = naryn__stage_add_cut(tr->w[w].p->stage[to], outcome < 0 ? 0 : outcome, pr->cut_a[k],
                                  beta);
        if (rc == NARYN_ENOMEM)
          rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      }
    }
    pr->ncut = 0;
  }
  return rc;
}

/* Makes the cuts of the level under way from its solves, path by path
** (every process makes every path's). */
static int level_cuts(train *tr, naryn_diags *d) {
  run *r = &tr->w[0];
  int rc = NARYN_OK;
  for (int j = 0; j < tr->npath && rc == NARYN_OK; j++) {
    pathrec *pr = &tr->path[j];
    int t, to;
    const double *s;
    double disc;
    if (level_step(r, pr, tr->level, &t, &to, &s, &disc))
      rc = make_cuts(r, pr, to, pr->ov, pr->og, s, disc);
  }
  return rc == NARYN_OK ? NARYN_OK : run_failed(r, rc, d);
}

/* How many of n paths or samples are this process's: j for j = rank,
** rank + nrank, ... */
static int mine(int n, const train *tr) {
  return n > tr->rank ? (n - tr->rank + tr->nrank - 1) / tr->nrank : 0;
}

/* The chunks of the backward level under way: each path that has a step
** there, its outcomes in one block, or where fewer paths have one than
** MIN_CHUNKS and than the iteration has, in as many blocks as make up that
** many; chunk c is process c mod nrank's. */
static int level_chunks(train *tr) {
  run *r = &tr->w[0];
  int alive = 0, want = tr->npath < MIN_CHUNKS ? tr->npath : MIN_CHUNKS, t, to;
  const double *s;
  double disc;
  for (int j = 0; j < tr->npath; j++) alive += level_step(r, &tr->path[j], tr->level, &t, &to, &s, &disc);
  tr->blocks = alive >= want ? 1 : (want + alive - 1) / (alive > 0 ? alive : 1);
  if (tr->blocks > r->p->nout) tr->blocks = r->p->nout;
  tr->nlevel = 0;
  for (int j = 0; j < tr->npath; j++) {
    if (!level_step(r, &tr->path[j], tr->level, &t, &to, &s, &disc)) continue;
    if (tr->nlevel + tr->blocks > tr->capchunk) {
      int cap = 2 * tr->capchunk + 2 * MIN_CHUNKS;
      int *a = realloc(tr->cj, (size_t)cap * sizeof *a);
      if (a) tr->cj = a;
      int *b = a ? realloc(tr->cb, (size_t)cap * sizeof *b) : NULL;
      if (!b) return NARYN_ENOMEM;
      tr->cb = b;
      tr->capchunk = cap;
    }
    for (int b = 0; b < tr->blocks; b++, tr->nlevel++)
      tr->cj[tr->nlevel] = j, tr->cb[tr->nlevel] = b;
  }
  tr->nchunk = mine(tr->nlevel, tr);
  return NARYN_OK;
}

/* What processes send each other: numbers, and bases as their bytes,
** eight to a number (processes on machines of one kind pass them on
** unchanged). */
typedef struct pack {
  double *v;
  long n, cap;
} pack;

/* Appends x[n] (NULL: room for n). */
static int pack_put(pack *pk, const double *x, long n) {
  if (pk->n + n > pk->cap) {
    long cap = 2 * (pk->n + n) + 64;
    double *v = realloc(pk->v, (size_t)cap * sizeof *v);
    if (!v) return NARYN_ENOMEM;
    pk->v = v;
    pk->cap = cap;
  }
  if (n > 0 && x) memcpy(pk->v + pk->n, x, (size_t)n * sizeof *x);
  pk->n += n;
  return NARYN_OK;
}

/* A basis: its size, epoch and bytes. */
static int pack_basis(pack *pk, const saved *sv) {
  double head[2] = {sv->n, sv->epoch};
  long words = ((long)sv->n + 7) / 8;
  if (pack_put(pk, head, 2) != NARYN_OK || pack_put(pk, NULL, words) != NARYN_OK)
    return NARYN_ENOMEM;
  double *at = pk->v + pk->n - words;
  memset(at, 0, (size_t)words * sizeof *at);
  if (sv->n > 0) memcpy(at, sv->b, (size_t)sv->n);
  return NARYN_OK;
}

/* Reads a basis packed at q into sv (NULL: skips it); the next record
** after it into *next. */
static int unpack_basis(const double *q, saved *sv, const double **next) {
  int n = (int)q[0];
  *next = q + 2 + ((long)n + 7) / 8;
  if (!sv) return NARYN_OK;
  if (n > sv->cap) {
    unsigned char *b = realloc(sv->b, (size_t)n + 64);
    if (!b) return NARYN_ENOMEM;
    sv->b = b;
    sv->cap = n + 64;
  }
  if (n > 0) memcpy(sv->b, q + 2, (size_t)n);
  sv->n = n;
  sv->epoch = (int)q[1];
  return NARYN_OK;
}

/* After the forward passes, with more than one process: every path's
** steps, states and bases on every process, so that any process can take
** any chunk of the backward passes. */
static int share_paths(train *tr) {
  if (tr->nrank == 1) return NARYN_OK;
  int ns = tr->w[0].ns, rc = NARYN_OK;
  pack pk = {0};
  for (int j = tr->rank; j < tr->npath && rc == NARYN_OK; j += tr->nrank) {
    pathrec *pr = &tr->path[j];
    double head[2] = {j, pr->len};
    rc = pack_put(&pk, head, 2);
    if (rc == NARYN_OK) rc = pack_put(&pk, pr->states, (long)pr->len * ns);
    for (int k = 0; k < pr->len && rc == NARYN_OK; k++) rc = pack_basis(&pk, &pr->bases[k]);
  }
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK) rc = naryn__mpi_allgather(pk.v, pk.n, &all, &total);
  free(pk.v);
  for (const double *q = all, *end = all + total; rc == NARYN_OK && q < end;) {
    int j = (int)q[0], len = (int)q[1], own = j % tr->nrank == tr->rank;
    pathrec *pr = &tr->path[j];
    q += 2;
    if (!own && (rc = path_room(pr, len, ns)) == NARYN_OK) {
      memcpy(pr->states, q, (size_t)len * (size_t)ns * sizeof *q);
      for (int k = 0; k < len; k++) pr->t[k] = k % tr->T;
      pr->len = len;
    }
    q += (long)len * ns;
    for (int k = 0; k < len && rc == NARYN_OK; k++)
      rc = unpack_basis(q, own ? NULL : &pr->bases[k], &q);
  }
  free(all);
  return rc;
}

/* After a backward level, with more than one process: every chunk's
** values, slopes and last basis on every process. */
static int share_level(train *tr) {
  if (tr->nrank == 1) return NARYN_OK;
  int ns = tr->w[0].ns, rc = NARYN_OK;
  pack pk = {0};
  for (int c = tr->rank; c < tr->nlevel && rc == NARYN_OK; c += tr->nrank) {
    pathrec *pr = &tr->path[tr->cj[c]];
    int b = tr->cb[c], k0 = block_from(tr, b), k1 = block_from(tr, b + 1), t, to;
    const double *s;
    double disc, head = c;
    level_step(&tr->w[0], pr, tr->level, &t, &to, &s, &disc);
    rc = pack_put(&pk, &head, 1);
    if (rc == NARYN_OK) rc = pack_put(&pk, pr->ov + k0, k1 - k0);
    if (rc == NARYN_OK) rc = pack_put(&pk, pr->og + (size_t)k0 * ns, (long)(k1 - k0) * ns);
    if (rc == NARYN_OK) rc = pack_basis(&pk, &pr->last[t * MIN_CHUNKS + b]);
  }
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK) rc = naryn__mpi_allgather(pk.v, pk.n, &all, &total);
  free(pk.v);
  for (const double *q = all, *end = all + total; rc == NARYN_OK && q < end;) {
    int c = (int)q[0], j = tr->cj[c], b = tr->cb[c], own = c % tr->nrank == tr->rank;
    int k0 = block_from(tr, b), k1 = block_from(tr, b + 1), t, to;
    pathrec *pr = &tr->path[j];
    const double *s;
    double disc;
    level_step(&tr->w[0], pr, tr->level, &t, &to, &s, &disc);
    q++;
    if (!own) {
      memcpy(pr->ov + k0, q, (size_t)(k1 - k0) * sizeof *q);
      memcpy(pr->og + (size_t)k0 * ns, q + (k1 - k0), (size_t)(k1 - k0) * (size_t)ns * sizeof *q);
    }
    q += (long)(k1 - k0) * (1 + ns);
    int at = t * MIN_CHUNKS + b;
    const double *basis = q;
    rc = unpack_basis(q, own ? NULL : &pr->last[at], &q);
    if (!own) pr->last_set[at] = 1;
    if (rc == NARYN_OK && !own && j == 0 && b == 0) {
      rc = unpack_basis(basis, &tr->next_ref[t], &q);
      tr->next_set[t] = 1;
    }
  }
  free(all);
  return rc;
}

/* After an iteration: where the next iteration's forward paths start each
** stage (every process has path 0's bases). */
static int next_refs(train *tr) {
  int T = tr->T;
  for (int t = 0; t < T; t++) {
    if (tr->next_set[t]) {
      saved x = tr->ref[t];
      tr->ref[t] = tr->next_ref[t];
      tr->next_ref[t] = x;
    } else if (tr->path[0].len > t) {
      /* Path 0's forward solve of stage t, at its step t. */
      const saved *f = &tr->path[0].bases[t];
      if (f->n > tr->ref[t].cap) {
        unsigned char *b = realloc(tr->ref[t].b, (size_t)f->n + 64);
        if (!b) return NARYN_ENOMEM;
        tr->ref[t].b = b;
        tr->ref[t].cap = f->n + 64;
      }
      memcpy(tr->ref[t].b, f->b, (size_t)f->n);
      tr->ref[t].n = f->n;
      tr->ref[t].epoch = f->epoch;
    }
  }
  return NARYN_OK;
}

/* One iteration: the forward passes, then level by level from the
** longest path's end the backward passes, each level's cuts shared before
** the next, so that the cuts every solve sees are the same whichever
** worker runs it. */
static int iterate(train *tr, int it, naryn_diags *d) {
  tr->it = it;
  tr->phase = PH_FORWARD;
  tr->nchunk = mine(tr->npath, tr);
  memset(tr->next_set, 0, (size_t)tr->w[0].p->T);
  int rc = run_phase(tr, d);
  /* Every path's length, each process's own paths' gathered. */
  for (int j = 0; j < tr->npath; j++) tr->lens[j] = j % tr->nrank == tr->rank ? tr->path[j].len : 0;
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK && naryn__mpi_allgather(tr->lens, tr->npath, &all, &total) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  int top = 0;
  for (int j = 0; rc == NARYN_OK && j < tr->npath; j++) {
    tr->lens[j] = all[(size_t)(j % tr->nrank) * tr->npath + j];
    if (tr->lens[j] > top) top = (int)tr->lens[j];
  }
  free(all);
  if (rc == NARYN_OK && share_paths(tr) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  tr->phase = PH_BACKWARD;
  for (int j = 0; j < tr->npath; j++)
    memset(tr->path[j].last_set, 0, (size_t)tr->T * MIN_CHUNKS);
  for (int L = top; L >= 1 && rc == NARYN_OK; L--) {
    tr->level = L;
    if ((rc = level_chunks(tr)) != NARYN_OK) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      break;
    }
    rc = run_phase(tr, d);
    if (rc == NARYN_OK && share_level(tr) != NARYN_OK)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    if (rc == NARYN_OK) rc = level_cuts(tr, d);
    if (rc == NARYN_OK) rc = share_cuts(tr, it, d);
  }
  if (rc == NARYN_OK && (rc = next_refs(tr)) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return rc;
}

/* Estimates the upper bound from n forward simulations, summed in order. */
static int upper_bound(train *tr, int n, naryn_diags *d) {
  double *c = malloc(((size_t)n + 1) * sizeof *c);
  if (!c) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int j = 0; j < n; j++) c[j] = 0.0;
  tr->sample = c;
  tr->nsample = n;
  tr->phase = PH_BOUND;
  tr->nchunk = mine((n + BOUND_CHUNK - 1) / BOUND_CHUNK, tr);
  int rc = run_phase(tr, d);
  /* Each process has its samples' costs; the others' are 0 there. */
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK && naryn__mpi_allgather(c, n, &all, &total) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int j = 0; rc == NARYN_OK && j < n; j++)
    c[j] = all[(size_t)(j / BOUND_CHUNK % tr->nrank) * n + j];
  free(all);
  if (rc == NARYN_OK) {
    double sum = 0.0, sum2 = 0.0;
    for (int j = 0; j < n; j++) sum += c[j], sum2 += c[j] * c[j];
    double mean = sum / n, var = n > 1 ? fmax(0.0, (sum2 - n * mean * mean) / (n - 1)) : 0.0;
    naryn_policy *p = tr->w[0].p;
    p->upper = mean;
    p->half = n > 1 ? 1.96 * sqrt(var / n) : NAN;
  }
  free(c);
  tr->sample = NULL;
  return rc;
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
  for (int l = 0; l < m->nlinks; l++)
    if (m->links[l].route.kind != NARYN__ROUTE_NONE)
      return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, NULL,
                         "expected no routed links for a policy (SDDP does not "
                         "yet carry water in transit from one stage to the "
                         "next), got the link from \"%s\" to \"%s\" routed",
                         m->nodes[m->links[l].from].name, m->nodes[m->links[l].to].name);
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


/* Adds a cut already in worker 0's store to every worker's LP of stage t. */
static int cut_into_lps(train *tr, int t, naryn__cut c, naryn_diags *d) {
  int rc = NARYN_OK;
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
    rc = naryn__stage_add_cut(tr->w[w].p->stage[t], c.outcome < 0 ? 0 : c.outcome, c.alpha,
                              c.beta);
  if (rc == NARYN_ENOMEM)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return rc;
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
  for (int t = 0; t < p->T && rc == NARYN_OK; t++)
    for (int i = 0; i < naryn__cuts_count(p->cuts, t) && rc == NARYN_OK; i++) {
      naryn__cut c = naryn__cuts_get(p->cuts, t, i);
      if ((c.outcome >= 0) != (p->multi_cut != 0) || (t == p->T - 1 && !p->cyclic))
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, o->cut_log, 0, 0, NULL,
                           "expected the cuts of a run with the same settings, got "
                           "cuts of a run %s", c.outcome >= 0 ? "with multiple cuts"
                           : t == p->T - 1 ? "with a cycle (--discount)"
                                           : "with a single cut");
      rc = cut_into_lps(tr, t, c, d);
      if (c.iteration >= *first) *first = c.iteration + 1;
    }
  return rc;
}

/* Level-1 dominance: each stage keeps in its LPs only the cuts that are
** the highest at some state a backward pass made a cut at; the store
** keeps every cut and its file all of them. */
static int select_cuts(train *tr, naryn_diags *d) {
  naryn_policy *p = tr->w[0].p;
  int rc = NARYN_OK, *idx = NULL;
  for (int t = 0; t < p->T && rc == NARYN_OK; t++) {
    rc = naryn__cuts_select(p->cuts, t, d);
    if (rc != NARYN_OK) break;
    int n = naryn__cuts_active_count(p->cuts, t);
    if (n == naryn__stage_cut_count(p->stage[t])) continue;
    int *grown = realloc(idx, ((size_t)n + 1) * sizeof *idx);
    if (!grown) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      break;
    }
    idx = grown;
    naryn__cuts_active(p->cuts, t, idx);
    for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
      rc = naryn__stage_clear_cuts(tr->w[w].p->stage[t]);
    for (int i = 0; i < n && rc == NARYN_OK; i++)
      rc = cut_into_lps(tr, t, naryn__cuts_get(p->cuts, t, idx[i]), d);
    if (rc == NARYN_ENOMEM)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  free(idx);
  return rc;
}

/* Sets up worker w with policy p (its own copy but for worker 0). */
static int worker_new(run *r, naryn_policy *p, const naryn_sddp_opts *o) {
  r->p = p;
  r->o = o;
  r->discount = o->discount > 0 ? o->discount : p->m->outcome_discount;
  r->ns = p->nstate;
  r->d = naryn_diags_new(20);
  size_t ns = (size_t)r->ns + 1, no = (size_t)p->nout + 1;
  r->buf = malloc((5 * ns + no * ns + 2 * no) * sizeof *r->buf);
  r->begun = calloc((size_t)p->T + 1, 1);
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

static void train_free(train *tr) {
  for (int w = 0; w < tr->nw; w++) {
    if (w > 0) naryn_policy_free(tr->w[w].p);
    naryn_diags_free(tr->w[w].d);
    free(tr->w[w].buf);
    free(tr->w[w].begun);
  }
  for (int t = 0; tr->ref && tr->next_ref && t < tr->T; t++) free(tr->ref[t].b), free(tr->next_ref[t].b);
  free(tr->ref), free(tr->next_ref), free(tr->next_set), free(tr->cj), free(tr->cb);
  free(tr->lens);
  for (int j = 0; j < tr->npath; j++) {
    pathrec *pr = &tr->path[j];
    free(pr->states), free(pr->t), free(pr->cut_t), free(pr->cut_o);
    free(pr->cut_a), free(pr->cut_b), free(pr->cut_s);
    free(pr->ov), free(pr->og);
    for (int k = 0; k < pr->cap; k++) free(pr->bases[k].b);
    for (int k = 0; pr->last && k < tr->T * MIN_CHUNKS; k++) free(pr->last[k].b);
    free(pr->bases), free(pr->last), free(pr->last_set);
  }
  free(tr->w);
  free(tr->path);
  free(tr->rc);
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
  int nw = o->jobs > 0 ? o->jobs : 1;
  train tr = {.nw = nw, .rank = naryn_mpi_rank(), .nrank = naryn_mpi_size()};
  /* By default a forward pass per thread of every process. */
  tr.npath = o->passes > 0 ? o->passes : nw * tr.nrank;
  tr.w = calloc((size_t)nw, sizeof *tr.w);
  tr.path = calloc((size_t)tr.npath, sizeof *tr.path);
  tr.rc = calloc((size_t)nw, sizeof *tr.rc);
  tr.T = p->T;
  tr.ref = calloc((size_t)p->T + 1, sizeof *tr.ref);
  tr.next_ref = calloc((size_t)p->T + 1, sizeof *tr.next_ref);
  tr.next_set = calloc((size_t)p->T + 1, 1);
  tr.lens = calloc((size_t)tr.npath + 1, sizeof *tr.lens);
  rc = tr.w && tr.path && tr.rc && tr.ref && tr.next_ref && tr.next_set && tr.lens
           ? worker_new(&tr.w[0], p, o)
           : NARYN_ENOMEM;
  for (int j = 0; j < tr.npath && rc == NARYN_OK; j++) {
    tr.path[j].ov = malloc(((size_t)p->nout + 1) * sizeof *tr.path[j].ov);
    tr.path[j].og = malloc(((size_t)p->nout * (size_t)p->nstate + 1) * sizeof *tr.path[j].og);
    tr.path[j].last = calloc((size_t)p->T * MIN_CHUNKS + 1, sizeof *tr.path[j].last);
    tr.path[j].last_set = calloc((size_t)p->T * MIN_CHUNKS + 1, 1);
    if (!tr.path[j].ov || !tr.path[j].og || !tr.path[j].last || !tr.path[j].last_set)
      rc = NARYN_ENOMEM;
  }
  for (int w = 1; w < nw && rc == NARYN_OK; w++) {
    naryn_policy *q = NULL;
    rc = naryn__policy_new(m, o->multi_cut, cyclic, &q, d);
    if (rc == NARYN_OK) rc = worker_new(&tr.w[w], q, o);
    else tr.nw = w;
  }
  for (int w = 0; w < tr.nw && rc == NARYN_OK; w++) tr.w[w].ref = tr.ref;
  if (rc == NARYN_ENOMEM)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  start_threads(&tr);
  double stall_from = NAN;
  int stall_it = 0, first = 1;
  naryn__cutlog *cl = NULL;
  if (rc == NARYN_OK && o->cut_log) rc = resume(&tr, o, &cl, &first, d);
  p->stop = "iterations";
  for (int it = first; it < first + o->max_iterations && rc == NARYN_OK; it++) {
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) break;
    if ((rc = iterate(&tr, it, d)) != NARYN_OK) break;
    if (cl && (rc = naryn__cutlog_append(cl, p->cuts, it, d)) != NARYN_OK) break;
    if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) break;
    if (o->select_every > 0 && it % o->select_every == 0 && (rc = select_cuts(&tr, d)) != NARYN_OK)
      break;
    if ((rc = lower_bound(&tr.w[0])) != NARYN_OK) rc = run_failed(&tr.w[0], rc, d);
    if ((rc = naryn_mpi_agree(rc)) != NARYN_OK) break;
    /* Every process takes rank 0's bound, so that all decide alike. */
    naryn__mpi_bcast(&p->lower, 1);
    p->iterations = it;
    int last = it == first + o->max_iterations - 1;
    if (o->time_limit_s > 0 && now_s() - t0 >= o->time_limit_s) last = 1, p->stop = "time";
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
    if (it % o->bound_every == 0 || last)
      if ((rc = upper_bound(&tr, o->bound_samples, d)) != NARYN_OK) break;
    if (log_row(p, o, it, t0) != NARYN_OK) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      break;
    }
    const naryn_sddp_log *row = &p->log[p->nlog - 1];
    if (!isnan(row->gap_pct) && row->gap_pct <= o->gap_pct && !(o->cvar_lambda > 0)) {
      p->converged = 1;
      p->stop = "gap";
      break;
    }
    if (last) break;
  }
  naryn__cutlog_close(cl);
  stop_threads(&tr);
  train_free(&tr);
  if (rc != NARYN_OK) {
    naryn_policy_free(p);
    return rc;
  }
  p->seconds = now_s() - t0;
  *out = p;
  return NARYN_OK;
}

/* For replays (replay.c): the model the policy was built for, and its
** stage of step t: a cyclic policy's round again and again. */
const naryn_model *naryn__policy_model(const naryn_policy *p) { return p->m; }

naryn__stage *naryn__policy_stage(naryn_policy *p, int t) {
  if (t >= 0 && p->cyclic && p->T > 0) t %= p->T;
  return t >= 0 && t < p->T ? p->stage[t] : NULL;
}

int naryn_sddp_stages(const naryn_model *m, const naryn_sddp_opts *o) {
  int cyclic = (o && o->discount > 0) || m->outcome_discount > 0;
  return cyclic && m->outcome_cycle > 0 ? m->outcome_cycle : m->nsteps;
}
