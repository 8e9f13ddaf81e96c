/*
** train.c: SDDP's training run shared out: the workers' threads, started
** once and woken for each phase; the chunks of a phase, which they take
** in turn; the bases forward paths start from; and under MPI what the
** processes gather from each other, so that every process adds the same
** cuts in the same order whichever thread or process solved them.
*/
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "train_int.h"

/* A thread that waits for the next phase, or for the others to finish
** one, first polls for this long before it sleeps: a backward pass has a
** phase per level, a millisecond or so each, and waking a sleeping thread
** costs a good part of that. Polling for 1 ms rather than not at all, the
** built-in model's backward passes took 12 % less time on 2 threads; for
** 20 ms rather than 1 ms, 20 iterations took 3.5 s instead of 3.8 s, as
** some levels take longer and some threads wait longer for another's
** chunk. While it polls, a thread yields its core to any other ready to
** run, so that more threads than cores lose little to it (4 threads on 2
** cores took 4 % longer than 2 threads for the same work). */
#define SPIN_S 20e-3

static double spin_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Polls, for up to SPIN_S, until phase 'seen' is over: a new one begun
** (or quitting) with ndone < 0, else all started workers done. */
static void spin(train *tr, unsigned long seen, int ndone) {
  double until = spin_clock() + SPIN_S;
  for (int i = 1;; i++) {
    if (ndone < 0 ? atomic_load(&tr->gen) != seen || atomic_load(&tr->quit)
                  : atomic_load(&tr->ndone) >= ndone)
      return;
    if (i % 64 == 0) {
      if (spin_clock() > until) return;
      sched_yield();
    }
  }
}

/* The nodes the branches of a backward step solve, in order: those of
** the step after the one visited at node t. */
static int step_nodes(const naryn_policy *p, int t, int *first) {
  *first = naryn__policy_branch_node(p, t, 0);
  return naryn__policy_branch_node(p, t, p->nb - 1) - *first + 1;
}

/* A path's backward solves under every branch at the states s, the step
** after visited at node t: each node's first solve starts afresh from the
** basis the path's solves of that node ended with at the last level that
** solved it, else for the node visited from the forward pass's solve
** 'fwd', else from where forward paths start it. A branch the chain never
** takes, from any state, is not solved (value and slopes 0). */
static int solve_branches(run *r, pathrec *pr, int t, const double *s, const saved *fwd) {
  const naryn_policy *p = r->p;
  int rc = NARYN_OK;
  for (int k = 0; k < p->nb && rc == NARYN_OK; k++) {
    double *g = pr->og + (size_t)k * r->ns;
    if (!naryn__policy_branch_used(p, k)) {
      pr->ov[k] = 0.0;
      memset(g, 0, (size_t)r->ns * sizeof *g);
      continue;
    }
    int n = naryn__policy_branch_node(p, t, k);
    naryn__sddp_start_stage(r, n, pr->last_set[n] ? &pr->last[n] : n == t ? fwd : &r->ref[n]);
    rc = naryn__sddp_solve_outcome(r, n, s, k % p->nout, &pr->ov[k], g);
  }
  return rc;
}

/* Level-1 dominance for node t, on worker r's thread: the store's
** selection (which touches that node's cuts alone), and when it changes
** what the LPs hold, every worker's LP of the node cleared and given the
** cuts kept, in the store's order; no other chunk touches node t. */
static int select_node(train *tr, run *r, int t) {
  naryn_policy *p = tr->w[0].p;
  int rc = naryn__cuts_select(p->cuts, t, r->d);
  if (rc != NARYN_OK) return rc;
  int n = naryn__cuts_active_count(p->cuts, t);
  if (n == naryn__stage_cut_count(p->stage[t])) return NARYN_OK;
  int *idx = malloc(((size_t)n + 1) * sizeof *idx);
  if (!idx) return naryn__sddp_oom(r);
  naryn__cuts_active(p->cuts, t, idx);
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
    if ((rc = naryn__stage_clear_cuts(tr->w[w].p->stage[t])) == NARYN_ENOMEM) rc = naryn__sddp_oom(r);
  for (int i = 0; i < n && rc == NARYN_OK; i++)
    rc = naryn__sddp_cut_into_lps(tr, t, naryn__cuts_get(p->cuts, t, idx[i]), r->d);
  free(idx);
  return rc;
}

/* The least node n's stage costs from any state under any outcome, on
** worker r's copy of it, into *least, with *found 0 when some outcome's
** least cost cannot be found (its LP unbounded when any state may be).
** The copy solves nothing else before, so the costs are the same
** whichever worker finds them. */
static int least_cost(run *r, int n, double *least, unsigned char *found) {
  const naryn_policy *p = r->p;
  const naryn_model *m = p->m;
  int t = naryn__policy_node_step(p, n);
  *least = 0.0;
  *found = 1;
  for (int k = 0; k < p->nout && *found; k++) {
    double c = 0.0;
    int got = naryn__stage_least_cost(p->stage[n], k, m->outcome_factor + (size_t)k * m->nnodes,
                                      naryn__policy_base(p, t), &c);
    if (got == NARYN_ENOMEM || got == NARYN_EINTR) return naryn__stage_failed(m, t, got, r->d);
    if (got != NARYN_OK || !isfinite(c)) *found = 0;
    else *least = fmin(*least, c);
  }
  return NARYN_OK;
}

/* The random stream of path j of iteration it: stream it, and for j > 0
** beyond every iteration's first. */
static uint64_t path_stream(int it, int j) { return (uint64_t)it + ((uint64_t)j << 40); }

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
    naryn__sddp_begin_chunk(r);
    if (tr->phase == PH_SELECT) {
      /* Every process selects every node's cuts, its threads a node at a
      ** time. */
      rc = select_node(tr, r, c);
    } else if (tr->phase == PH_FLOOR) {
      /* And finds every node's least cost, a node at a time. */
      rc = least_cost(r, c, &tr->least[c], &tr->found[c]);
    } else if (tr->phase == PH_BOUND) {
      /* Chunk g's samples j: streams from 2^32 on are the bound's, apart
      ** from the passes'. */
      int g = tr->rank + c * tr->nrank;
      int k = tr->bound_chunk;
      for (int j = g * k; j < (g + 1) * k && j < tr->nsample && rc == NARYN_OK; j++) {
        naryn__rng rng;
        naryn__rng_seed(&rng, r->o->seed, (1ull << 32) + (uint64_t)j);
        rc = naryn__sddp_forward(r, &rng, NULL, tr->bound_rounds, 0, &tr->sample[j]);
      }
    } else if (tr->phase == PH_FORWARD) {
      int j = tr->rank + c * tr->nrank;
      pathrec *pr = &tr->path[j];
      naryn__rng rng;
      naryn__rng_seed(&rng, r->o->seed, path_stream(tr->it, j));
      rc = naryn__sddp_forward(r, &rng, pr, 0, tr->path_rounds, &pr->cost);
    } else {
      /* A path's outcomes at the level under way, from the basis its
      ** solves of the same stage ended with at the last level that solved
      ** it, else from its forward pass's solve of that stage and states. A
      ** path keeps its outcomes together: after the first, each is a small
      ** change of the LP just solved. */
      c = tr->rank + c * tr->nrank; /* this process's chunks of the level's */
      int j = tr->cj[c], t, to;
      pathrec *pr = &tr->path[j];
      const double *s;
      double disc;
      naryn__sddp_level_step(r, pr, tr->level, &t, &to, &s, &disc);
      rc = solve_branches(r, pr, t, s,
                          &pr->bases[tr->level < pr->len ? tr->level : pr->len - r->p->T]);
      /* The basis each node's solves ended with (those it solved). */
      int first, nn = step_nodes(r->p, t, &first);
      for (int n = first; n < first + nn && rc == NARYN_OK; n++) {
        if (!r->begun[n]) continue;
        if (naryn__sddp_save_basis(&pr->last[n], r->p->stage[n]) != NARYN_OK) rc = naryn__sddp_oom(r);
        pr->last_set[n] = 1;
        if (rc == NARYN_OK && j == 0) {
          if (naryn__sddp_save_basis(&tr->next_ref[n], r->p->stage[n]) != NARYN_OK) rc = naryn__sddp_oom(r);
          tr->next_set[n] = 1;
        }
      }
    }
  }
  tr->rc[jb->w] = rc;
  return NULL;
}

/* Passes a worker's messages on to d after its failure rc. */
int naryn__sddp_run_failed(run *r, int rc, naryn_diags *d) {
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
    spin(tr, seen, -1);
    pthread_mutex_lock(&tr->mu);
    while (atomic_load(&tr->gen) == seen && !atomic_load(&tr->quit))
      pthread_cond_wait(&tr->go, &tr->mu);
    seen = atomic_load(&tr->gen);
    int quit = atomic_load(&tr->quit);
    pthread_mutex_unlock(&tr->mu);
    if (quit) return NULL;
    work(jb);
    pthread_mutex_lock(&tr->mu);
    if (atomic_fetch_add(&tr->ndone, 1) + 1 == tr->nstarted) pthread_cond_signal(&tr->done);
    pthread_mutex_unlock(&tr->mu);
  }
}

/* Starts the workers' threads; a worker whose thread cannot start works
** on the caller's thread after worker 0. */
void naryn__sddp_start_threads(train *tr) {
  pthread_mutex_init(&tr->mu, NULL);
  pthread_cond_init(&tr->go, NULL);
  pthread_cond_init(&tr->done, NULL);
  for (int w = 0; w < tr->nw; w++) tr->jobs[w] = (job){tr, w};
  for (int w = 1; w < tr->nw; w++) {
    tr->started[w] = pthread_create(&tr->th[w], NULL, worker_thread, &tr->jobs[w]) == 0;
    tr->nstarted += tr->started[w];
  }
}

void naryn__sddp_stop_threads(train *tr) {
  pthread_mutex_lock(&tr->mu);
  atomic_store(&tr->quit, 1);
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
  atomic_store(&tr->ndone, 0);
  atomic_fetch_add(&tr->gen, 1);
  pthread_cond_broadcast(&tr->go);
  pthread_mutex_unlock(&tr->mu);
  work(&tr->jobs[0]);
  for (int w = 1; w < tr->nw; w++)
    if (!tr->started[w]) work(&tr->jobs[w]);
  spin(tr, 0, tr->nstarted);
  pthread_mutex_lock(&tr->mu);
  while (atomic_load(&tr->ndone) < tr->nstarted) pthread_cond_wait(&tr->done, &tr->mu);
  pthread_mutex_unlock(&tr->mu);
  int rc = NARYN_OK;
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
    if (tr->rc[w] != NARYN_OK) rc = naryn__sddp_run_failed(&tr->w[w], tr->rc[w], d);
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
    if (naryn__sddp_level_step(r, pr, tr->level, &t, &to, &s, &disc))
      rc = naryn__sddp_make_cuts(r, pr, to, pr->ov, pr->og, s, disc);
  }
  return rc == NARYN_OK ? NARYN_OK : naryn__sddp_run_failed(r, rc, d);
}

/* How many of n paths or samples are this process's: j for j = rank,
** rank + nrank, ... */
static int mine(int n, const train *tr) {
  return n > tr->rank ? (n - tr->rank + tr->nrank - 1) / tr->nrank : 0;
}

/* The chunks of the backward level under way: each path that has a step
** there, all its branches (with the paths of an iteration going round
** alike, every path or none); chunk c is process c mod nrank's. */
static int level_chunks(train *tr) {
  run *r = &tr->w[0];
  int t, to;
  const double *s;
  double disc;
  tr->nlevel = 0;
  for (int j = 0; j < tr->npath; j++) {
    if (!naryn__sddp_level_step(r, &tr->path[j], tr->level, &t, &to, &s, &disc)) continue;
    if (tr->nlevel == tr->capchunk) {
      int cap = 2 * tr->capchunk + 2;
      int *a = realloc(tr->cj, (size_t)cap * sizeof *a);
      if (!a) return NARYN_ENOMEM;
      tr->cj = a;
      tr->capchunk = cap;
    }
    tr->cj[tr->nlevel++] = j;
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
  return sv ? naryn__sddp_put_basis(sv, (const unsigned char *)(q + 2), n, (int)q[1])
            : NARYN_OK;
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
    for (int k = 0; k < pr->len && rc == NARYN_OK; k++) {
      double node = pr->t[k];
      rc = pack_put(&pk, &node, 1);
    }
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
    if (!own && (rc = naryn__sddp_path_room(pr, len, ns)) == NARYN_OK) {
      for (int k = 0; k < len; k++) pr->t[k] = (int)q[k];
      memcpy(pr->states, q + len, (size_t)len * (size_t)ns * sizeof *q);
      pr->len = len;
    }
    q += (long)len * (ns + 1);
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
    int nb = tr->w[0].p->nb, t, to;
    const double *s;
    double disc, head = c;
    naryn__sddp_level_step(&tr->w[0], pr, tr->level, &t, &to, &s, &disc);
    rc = pack_put(&pk, &head, 1);
    if (rc == NARYN_OK) rc = pack_put(&pk, pr->ov, nb);
    if (rc == NARYN_OK) rc = pack_put(&pk, pr->og, (long)nb * ns);
    /* The last basis of each node the chunk solved (an empty one for a
    ** node it did not). */
    int first, nn = step_nodes(tr->w[0].p, t, &first);
    for (int n = first; n < first + nn && rc == NARYN_OK; n++) {
      saved none = {0};
      rc = pack_basis(&pk, pr->last_set[n] ? &pr->last[n] : &none);
    }
  }
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK) rc = naryn__mpi_allgather(pk.v, pk.n, &all, &total);
  free(pk.v);
  for (const double *q = all, *end = all + total; rc == NARYN_OK && q < end;) {
    int c = (int)q[0], j = tr->cj[c], own = c % tr->nrank == tr->rank;
    int nb = tr->w[0].p->nb, t, to;
    pathrec *pr = &tr->path[j];
    const double *s;
    double disc;
    naryn__sddp_level_step(&tr->w[0], pr, tr->level, &t, &to, &s, &disc);
    q++;
    if (!own) {
      memcpy(pr->ov, q, (size_t)nb * sizeof *q);
      memcpy(pr->og, q + nb, (size_t)nb * (size_t)ns * sizeof *q);
    }
    q += (long)nb * (1 + ns);
    int first, nn = step_nodes(tr->w[0].p, t, &first);
    for (int n = first; n < first + nn && rc == NARYN_OK; n++) {
      int some = q[0] > 0;
      const double *basis = q;
      rc = unpack_basis(q, own || !some ? NULL : &pr->last[n], &q);
      if (!own && some) pr->last_set[n] = 1;
      if (rc == NARYN_OK && !own && some && j == 0) {
        rc = unpack_basis(basis, &tr->next_ref[n], &q);
        tr->next_set[n] = 1;
      }
    }
  }
  free(all);
  return rc;
}

/* After an iteration: where the next iteration's forward paths start each
** stage (every process has path 0's bases). */
static int next_refs(train *tr) {
  for (int n = 0; n < tr->N; n++)
    if (tr->next_set[n]) {
      saved x = tr->ref[n];
      tr->ref[n] = tr->next_ref[n];
      tr->next_ref[n] = x;
    }
  /* A node no backward solve of path 0 took: path 0's forward solve of it
  ** in its first round, if it went there. */
  const pathrec *p0 = &tr->path[0];
  for (int k = 0; k < tr->T && k < p0->len; k++) {
    int n = p0->t[k];
    if (tr->next_set[n]) continue;
    const saved *f = &p0->bases[k];
    if (naryn__sddp_put_basis(&tr->ref[n], f->b, f->n, f->epoch) != NARYN_OK) return NARYN_ENOMEM;
  }
  return NARYN_OK;
}

/* One iteration: the forward passes, then level by level from the
** longest path's end the backward passes, each level's cuts shared before
** the next, so that the cuts every solve sees are the same whichever
** worker runs it. */
int naryn__sddp_iterate(train *tr, int it, naryn_diags *d) {
  tr->it = it;
  tr->phase = PH_FORWARD;
  tr->nchunk = mine(tr->npath, tr);
  memset(tr->next_set, 0, (size_t)tr->N);
  /* A cycle's paths go round as many times as the first's stream says,
  ** so that the paths' forward passes, and the backward passes' levels,
  ** share out evenly over the workers. */
  tr->path_rounds = 0;
  if (tr->w[0].p->cyclic) {
    naryn__rng rng;
    naryn__rng_seed(&rng, tr->w[0].o->seed, path_stream(it, 0));
    tr->path_rounds = naryn__sddp_rounds(&tr->w[0], &rng);
  }
  double f0 = spin_clock();
  int rc = run_phase(tr, d);
  double f1 = spin_clock();
  /* Every path, its steps, states and bases, on every process. */
  if (rc == NARYN_OK && share_paths(tr) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  int top = 0;
  for (int j = 0; rc == NARYN_OK && j < tr->npath; j++)
    if (tr->path[j].len > top) top = tr->path[j].len;
  naryn__sddp_pace_add(tr, f1 - f0, top);
  tr->phase = PH_BACKWARD;
  for (int j = 0; j < tr->npath; j++)
    memset(tr->path[j].last_set, 0, (size_t)tr->N);
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

/* Every node's least cost from any state (least_cost), shared over the
** threads, into least and found [N]. */
int naryn__sddp_least_costs(train *tr, double *least, unsigned char *found, naryn_diags *d) {
  tr->phase = PH_FLOOR;
  tr->nchunk = tr->N;
  tr->least = least;
  tr->found = found;
  int rc = run_phase(tr, d);
  tr->least = NULL;
  tr->found = NULL;
  return rc;
}

/* Level-1 dominance on every node, shared over the threads. */
int naryn__sddp_select(train *tr, naryn_diags *d) {
  tr->phase = PH_SELECT;
  tr->nchunk = tr->N;
  return run_phase(tr, d);
}

/* The chunks of bound_chunk that n simulations come in (n up to INT_MAX,
** which the library's options allow). */
static int bound_chunks(const train *tr, int n) {
  return n / tr->bound_chunk + (n % tr->bound_chunk != 0);
}

/* Estimates the upper bound from n forward simulations, summed in order. */
int naryn__sddp_upper_bound(train *tr, int n, naryn_diags *d) {
  double *c = malloc(((size_t)n + 1) * sizeof *c);
  if (!c) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int j = 0; j < n; j++) c[j] = 0.0;
  tr->sample = c;
  tr->nsample = n;
  tr->phase = PH_BOUND;
  tr->nchunk = mine(bound_chunks(tr, n), tr);
  int rc = run_phase(tr, d);
  /* Each process has its samples' costs; the others' are 0 there. */
  double *all = NULL;
  long total = 0;
  if (rc == NARYN_OK && naryn__mpi_allgather(c, n, &all, &total) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int j = 0; rc == NARYN_OK && j < n; j++)
    c[j] = all[(size_t)(j / tr->bound_chunk % tr->nrank) * n + j];
  free(all);
  if (rc == NARYN_OK) {
    double sum = 0.0;
    for (int j = 0; j < n; j++) sum += c[j];
    naryn_policy *p = tr->w[0].p;
    p->upper = sum / n;
    p->half = naryn__half_width95(c, n);
  }
  free(c);
  tr->sample = NULL;
  return rc;
}

/* Keeps the pace of an iteration's forward passes: 'seconds' for a
** phase whose longest path had 'steps' steps. */
void naryn__sddp_pace_add(train *tr, double seconds, int steps) {
  if (steps <= 0 || !(seconds >= 0)) return;
  tr->pace_s[tr->npace % PACES] = seconds;
  tr->pace_steps[tr->npace % PACES] = steps;
  tr->npace++;
}

/* What a step of a forward path takes: the time of the last PACES
** iterations' forward passes over their steps, leaving out the one
** slowest a step; 0 (not known) before 3 iterations. Weighed by steps, as
** a short path pays as many fresh starts of its stages as a long one, and
** the simulations of an estimate are long. The slowest is left out, as
** one pause of a shared machine (tens of milliseconds) in the first
** iterations' passes of a few hundredths of a second once made the guess
** of a 60 s run's estimate 65 s, and the run stopped after one iteration
** (the estimate took 7 s). */
double naryn__sddp_pace(const train *tr) {
  int k = tr->npace < PACES ? tr->npace : PACES;
  if (k < 3) return 0.0;
  int worst = 0;
  for (int i = 1; i < k; i++)
    if (tr->pace_s[i] * tr->pace_steps[worst] > tr->pace_s[worst] * tr->pace_steps[i]) worst = i;
  double s = 0.0;
  long steps = 0;
  for (int i = 0; i < k; i++)
    if (i != worst) s += tr->pace_s[i], steps += tr->pace_steps[i];
  return s / (double)steps;
}

/* The rounds a simulation for the upper bound goes on average: 1 without
** a cycle; in a cycle its 'sure' rounds (at least 1), then on with the
** chance 'discount' after each, d / (1 - d) more. */
static double mean_rounds(int sure, double discount) {
  if (!(discount > 0 && discount < 1)) return 1.0;
  return (sure > 0 ? sure : 1) + discount / (1.0 - discount);
}

/* What an upper bound of n simulations will take, guessed from the
** forward passes so far (0 before 3 iterations): the time a step of a
** path takes (naryn__sddp_pace; a phase lasts as long as its longest
** path), times the steps of the simulations the busiest thread runs
** (chunks of bound_chunk, dealt to the processes in turn and shared by
** each one's threads; a cycle's go round bound_rounds times for sure,
** then on with the chance 'discount' after each round), with a quarter
** more as margin: a shared machine's pace moves by as much from one
** half minute to the next. */
double naryn__sddp_bound_guess(const train *tr, int n, double discount) {
  double pace = naryn__sddp_pace(tr);
  if (!(pace > 0) || n <= 0) return 0.0;
  double rounds = mean_rounds(tr->bound_rounds, discount);
  int chunks = bound_chunks(tr, n);
  int per_rank = (chunks + tr->nrank - 1) / tr->nrank;
  int busiest = (per_rank + tr->nw - 1) / tr->nw * tr->bound_chunk;
  if (busiest > n) busiest = n;
  /* A controlled simulation solves each step under every branch too:
  ** the same LP at the same state, each from the last, about a third as
  ** dear as a step's solve (on the built-in model, with 10 branches and
  ** 30 simulations on 2 threads, a controlled estimate took 5.9 and 6.0
  ** times what as many forward steps shared evenly would: 4.5 times, on
  ** its busiest thread's two chunks of the three). */
  double solves = tr->w[0].o->bound_control ? 1.0 + 0.35 * tr->w[0].p->nb : 1.0;
  return 1.25 * pace * busiest * rounds * tr->T * solves;
}

/* Adds a cut already in worker 0's store to every worker's LP of stage t. */
int naryn__sddp_cut_into_lps(train *tr, int t, naryn__cut c, naryn_diags *d) {
  int rc = NARYN_OK;
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++)
    rc = naryn__stage_add_cut(tr->w[w].p->stage[t], c.outcome < 0 ? 0 : c.outcome, c.alpha,
                              c.beta);
  if (rc == NARYN_ENOMEM)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return rc;
}

/* The rounds a cycle's simulation for the upper bound goes for sure: as
** many as take the discount's weight below BOUND_TAIL (at most MAX_ROUNDS
** / 2), or none without a cycle. */
static int bound_rounds(double discount) {
  if (!(discount > 0 && discount < 1)) return 0;
  double k = ceil(log(BOUND_TAIL) / log(discount));
  return k < MAX_ROUNDS / 2 ? (int)k : MAX_ROUNDS / 2;
}

/* The upper bound's simulations a chunk: as few as make BOUND_CHUNK_STEPS
** steps between them on average (mean_rounds of T steps each), so that
** the chunks share out evenly over the threads and processes while their
** fresh starts stay a small part of the solves; at most BOUND_CHUNK. It
** depends on the model and options only, not on the threads or processes,
** so that the bound does not either. */
int naryn__sddp_bound_chunk(int T, int rounds, double discount) {
  double steps = (T > 0 ? T : 1) * mean_rounds(rounds, discount);
  double k = ceil(BOUND_CHUNK_STEPS / steps);
  return k < 1 ? 1 : k > BOUND_CHUNK ? BOUND_CHUNK : (int)k;
}

/* Sets up the run of policy p (worker 0's): a copy of the policy for
** each other worker, the paths' records and the bases' store. NARYN_OK,
** or the error (in d); naryn__sddp_train_free frees what was made either
** way. */
int naryn__sddp_train_new(train *tr, const naryn_model *m, const naryn_sddp_opts *o,
                          naryn_policy *p, int cyclic, naryn_diags *d) {
  int rc;
  int nw = o->jobs > 0 ? o->jobs : 1;
  *tr = (train){.nw = nw, .rank = naryn_mpi_rank(), .nrank = naryn_mpi_size()};
  /* By default a forward pass per thread of every process. */
  tr->npath = o->passes > 0 ? o->passes : nw * tr->nrank;
  tr->w = calloc((size_t)nw, sizeof *tr->w);
  tr->path = calloc((size_t)tr->npath, sizeof *tr->path);
  tr->rc = calloc((size_t)nw, sizeof *tr->rc);
  tr->T = p->T;
  tr->N = p->N;
  double disc = cyclic ? (o->discount > 0 ? o->discount : m->outcome_discount) : 0.0;
  tr->bound_rounds = bound_rounds(disc);
  tr->bound_chunk = naryn__sddp_bound_chunk(p->T, tr->bound_rounds, disc);
  tr->ref = calloc((size_t)p->N + 1, sizeof *tr->ref);
  tr->next_ref = calloc((size_t)p->N + 1, sizeof *tr->next_ref);
  tr->next_set = calloc((size_t)p->N + 1, 1);
  rc = tr->w && tr->path && tr->rc && tr->ref && tr->next_ref && tr->next_set
           ? naryn__sddp_worker_new(&tr->w[0], p, o)
           : NARYN_ENOMEM;
  for (int j = 0; j < tr->npath && rc == NARYN_OK; j++) {
    tr->path[j].ov = malloc(((size_t)p->nb + 1) * sizeof *tr->path[j].ov);
    tr->path[j].og = malloc(((size_t)p->nb * (size_t)p->nstate + 1) * sizeof *tr->path[j].og);
    tr->path[j].last = calloc((size_t)p->N + 1, sizeof *tr->path[j].last);
    tr->path[j].last_set = calloc((size_t)p->N + 1, 1);
    if (!tr->path[j].ov || !tr->path[j].og || !tr->path[j].last || !tr->path[j].last_set)
      rc = NARYN_ENOMEM;
  }
  for (int w = 1; w < nw && rc == NARYN_OK; w++) {
    naryn_policy *q = NULL;
    rc = naryn__policy_new_like(p, &q, d);
    if (rc == NARYN_OK) rc = naryn__sddp_worker_new(&tr->w[w], q, o);
    else tr->nw = w;
  }
  for (int w = 0; w < tr->nw && rc == NARYN_OK; w++) tr->w[w].ref = tr->ref;
  if (rc == NARYN_ENOMEM)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return rc;
}

void naryn__sddp_train_free(train *tr) {
  for (int w = 0; tr->w && w < tr->nw; w++) {
    if (w > 0) naryn_policy_free(tr->w[w].p);
    naryn_diags_free(tr->w[w].d);
    free(tr->w[w].buf);
    free(tr->w[w].begun);
  }
  for (int t = 0; tr->ref && tr->next_ref && t < tr->N; t++) free(tr->ref[t].b), free(tr->next_ref[t].b);
  free(tr->ref), free(tr->next_ref), free(tr->next_set), free(tr->cj);
  for (int j = 0; tr->path && j < tr->npath; j++) {
    pathrec *pr = &tr->path[j];
    free(pr->states), free(pr->t), free(pr->cut_t), free(pr->cut_o);
    free(pr->cut_a), free(pr->cut_b), free(pr->cut_s);
    free(pr->ov), free(pr->og);
    for (int k = 0; k < pr->cap; k++) free(pr->bases[k].b);
    for (int k = 0; pr->last && k < tr->N; k++) free(pr->last[k].b);
    free(pr->bases), free(pr->last), free(pr->last_set);
  }
  free(tr->w);
  free(tr->path);
  free(tr->rc);
}

