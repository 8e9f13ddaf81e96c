/*
** train_int.h: what the files of SDDP's training run share: the bases a
** chunk of work starts from, the forward paths, the workers (one per
** thread) and the run (passes.c solves, train.c shares the work out,
** sddp.c drives the iterations).
*/
#ifndef NARYN_TRAIN_INT_H
#define NARYN_TRAIN_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "sddp_int.h"

/* The most threads a run uses. */
#define NARYN_SDDP_MAX_JOBS 64
/* The most outcomes a stage (the most a PAR model's section allows). */
#define NARYN_SDDP_MAX_OUTCOMES 1000
/* The most rounds of a cycle in one path. */
#define MAX_ROUNDS 1000
/* The forward passes' paces the guess of an upper bound's time looks at. */
#define PACES 9
/* The upper bound's simulations come in chunks, one after the other warm
** from the last, each chunk's first solve of a stage starting afresh: as
** few simulations a chunk as make BOUND_CHUNK_STEPS steps between them,
** and at most BOUND_CHUNK (naryn__sddp_bound_chunk). */
#define BOUND_CHUNK 10
#define BOUND_CHUNK_STEPS 240
/* A cycle's simulations for the upper bound go round for sure until the
** discount's weight falls below this, then on by chance: with a discount
** of 0.9, 22 rounds, where a path of chance alone has 10 on average. On
** the built-in model's policy that takes the upper bound's 95 % interval
** from +-560 M USD to +-153 M with 100 simulations (a 14th of the
** variance) for about 3.2 times the solves. */
#define BOUND_TAIL 0.1

/* A basis kept for later solves to start from (naryn__stage_restart): the
** statuses of a stage's columns and rows, and the epoch of the stage's
** cuts they were taken in; n = 0 for none. */
typedef struct saved {
  unsigned char *b;
  int n, cap, epoch;
} saved;

/* A forward path: the stage and the states after each of its steps, and
** the cuts its backward pass has made at the level under way. */
typedef struct pathrec {
  double *states;         /* [len][ns] */
  int *t;                 /* [len] the node of each step */
  saved *bases;           /* [len]: the basis each step's solve ended with */
  /* [N]: the basis the path's backward solves of a node ended with at
  ** the last level that solved it, if one has. */
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
  unsigned char *begun;   /* [N] */
  const saved *ref;       /* [N]: where a forward path starts each node */
} run;

/* The training run: its workers (worker 0's policy is the one trained;
** the others are copies whose LPs receive the same cuts), the paths of an
** iteration, and the chunks of the phase under way, which the workers take
** in turn. */
typedef struct train {
  run *w;
  int nw;
  pathrec *path;
  int npath;
  /* Where forward paths start each node [N]: the basis path 0's solves
  ** ended with at the last backward level of the iteration before that
  ** solved the node (else its forward pass's), the next being gathered. */
  saved *ref, *next_ref;
  unsigned char *next_set;
  int T, N;               /* the steps, and the nodes (steps times price
                          ** states) */
  /* The chunks of the phase under way this process takes (nchunk), and a
  ** backward level's chunks of every process (nlevel): their paths (cj),
  ** chunk c process c mod nrank's. */
  int *cj, nchunk, nlevel, capchunk;
  atomic_int next;        /* the next chunk to take */
  int it;                 /* the iteration under way */
  int phase, level;       /* what the workers do: see work() */
  double *sample;         /* the upper bound's samples' costs */
  /* The floors' phase: per node the least its stage costs under any
  ** outcome from any state, and 1 when each of those was found [N]. */
  double *least;
  unsigned char *found;
  int path_rounds;        /* a cycle's: the rounds every path of the
                          ** iteration goes (naryn__sddp_rounds); else 0 */
  int bound_rounds;       /* the rounds a cycle's simulation goes for sure
                          ** (naryn__sddp_forward) */
  int bound_chunk;        /* the upper bound's simulations a chunk */
  int nsample;
  /* The forward passes' time and their longest path's steps in each of
  ** the last PACES iterations, [i % PACES] iteration i's: what a step of a
  ** path takes, for the time an upper bound will (naryn__sddp_pace). */
  double pace_s[PACES];
  int pace_steps[PACES];
  int npace;
  int *rc;                /* per worker */
  int rank, nrank;        /* this MPI process and how many there are:
                          ** path j is rank j mod nrank's, and the upper
                          ** bound's chunk g of bound_chunk samples rank
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
  atomic_ulong gen;       /* phases begun */
  atomic_int ndone, quit;
  int nstarted;
} train;

typedef struct job job;

/* What the workers do in the phase under way. */
enum { PH_FORWARD, PH_BACKWARD, PH_BOUND, PH_SELECT, PH_FLOOR };

/* passes.c: one worker's solves. */
/* Puts the basis b[n] (NULL: room for it) of epoch 'epoch' into sv. */
int naryn__sddp_put_basis(saved *sv, const unsigned char *b, int n, int epoch);
/* Keeps the basis of stage st's last solve into sv. */
int naryn__sddp_save_basis(saved *sv, const naryn__stage *st);
void naryn__sddp_begin_chunk(run *r);
void naryn__sddp_start_stage(run *r, int t, const saved *sv);
int naryn__sddp_path_room(pathrec *pr, int n, int ns);
int naryn__sddp_oom(run *r);
int naryn__sddp_rounds(const run *r, naryn__rng *rng);
int naryn__sddp_forward(run *r, naryn__rng *rng, pathrec *pr, int rounds, int exact,
                        double *total);
int naryn__sddp_solve_outcome(run *r, int t, const double *s, int k, double *v, double *g);
int naryn__sddp_make_cuts(run *r, pathrec *pr, int to, const double *v, const double *gs,
                          const double *s, double disc);
int naryn__sddp_level_step(const run *r, const pathrec *pr, int L, int *t, int *to,
                           const double **s, double *disc);
int naryn__sddp_lower_bound(run *r);
int naryn__sddp_worker_new(run *r, naryn_policy *p, const naryn_sddp_opts *o);

/* train.c: the run's workers and processes. */
int naryn__sddp_run_failed(run *r, int rc, naryn_diags *d);
void naryn__sddp_start_threads(train *tr);
void naryn__sddp_stop_threads(train *tr);
int naryn__sddp_iterate(train *tr, int it, naryn_diags *d);
int naryn__sddp_upper_bound(train *tr, int n, naryn_diags *d);
int naryn__sddp_select(train *tr, naryn_diags *d);
int naryn__sddp_least_costs(train *tr, double *least, unsigned char *found, naryn_diags *d);
void naryn__sddp_pace_add(train *tr, double seconds, int steps);
double naryn__sddp_pace(const train *tr);
double naryn__sddp_bound_guess(const train *tr, int n, double discount);
int naryn__sddp_bound_chunk(int T, int rounds, double discount);
int naryn__sddp_cut_into_lps(train *tr, int t, naryn__cut c, naryn_diags *d);
int naryn__sddp_train_new(train *tr, const naryn_model *m, const naryn_sddp_opts *o,
                          naryn_policy *p, int cyclic, naryn_diags *d);
void naryn__sddp_train_free(train *tr);

#endif
