/*
** sddp_int.h: what the SDDP files share: the stage problems (stage.c)
** that the passes (sddp.c) solve.
*/
#ifndef NARYN_SDDP_INT_H
#define NARYN_SDDP_INT_H

#include "../naryn_int.h"

typedef struct naryn__stage naryn__stage;

/* What a stage's solve gives: its cost with the future cost (value), the
** future cost alone (theta) and the stage's own (cost), in currency; the
** end storage of each state (hm3) and the slope of value against each
** state's start storage (currency per hm3). s_out and slope have room for
** the stage's states. */
typedef struct naryn__stage_out {
  double value, future, cost;
  double *s_out, *slope;
  long iterations;
} naryn__stage_out;

/* How a stage is built: its objective in LP units of 'scale' currency (0:
** its own scale, naryn__stage_scale tells it); its future cost at no less
** than theta_lo currency before any cut, in ntheta columns (1, or one per
** outcome of the stage after) weighted by theta_w (NULL: 1); none at all
** for a terminal stage; the energy of each plant whose head follows its
** reservoir under the planes of 'planes' (one per node, as
** naryn__prodfn_fit_model makes them, kept by the caller while the stage
** lives; NULL: the stage fits its own with NARYN__PRODFN_PLANES planes). */
typedef struct naryn__stage_spec {
  double scale, theta_lo;
  int ntheta;
  const double *theta_w;
  int terminal;
  const naryn__prodfn *planes;
} naryn__stage_spec;

/* The stage problem of step t. NARYN_OK or NARYN_ENOMEM. */
int naryn__stage_new(const naryn_model *m, int t, const naryn__stage_spec *spec,
                     naryn__stage **out);
int naryn__stage_theta_count(const naryn__stage *st);
void naryn__stage_free(naryn__stage *st);
double naryn__stage_scale(const naryn__stage *st);
/* The terms' constants, in currency, included in every value and cost. */
double naryn__stage_constant(const naryn__stage *st);
/* The states: how many, the reservoir (node index) of state k (-1 for a
** PAR lag, which come after the reservoirs, and for a routed reach's
** rate, which come last), its name (a reservoir's, "SITE.lagK", or
** "FROM->TO.lagD", "FROM->TO.in1" and "FROM->TO.out1") and its value at
** the start of the horizon; and how many are routed reaches' rates. */
int naryn__stage_state_count(const naryn__stage *st);
int naryn__stage_route_count(const naryn__stage *st);
int naryn__stage_state_node(const naryn__stage *st, int k);
const char *naryn__stage_state_name(const naryn__stage *st, int k);
double naryn__stage_state_initial(const naryn__stage *st, int k);
/* The outcome of the PAR noise the next solves take (-1: none, as a
** replay's, whose inflows are given). */
void naryn__stage_set_outcome(naryn__stage *st, int k);
/* Solves the stage from the start storages s_in (one per state) with the
** inflows scaled by factor (per node; NULL for none). NARYN_OK, or the
** LP's status. */
int naryn__stage_solve(naryn__stage *st, const double *s_in, const double *factor,
                       naryn__stage_out *out);
/* The least the stage can cost under the outcome, the factors and the
** inflows given (as naryn__stage_solve_with takes them), from any state
** (every storage from dead to full, every past flow at least 0) and with
** no future: the objective with its sign turned, in currency, into *cost.
** Only for a stage without cuts (NARYN_EARG otherwise); the next solve
** starts as the stage's first. The LP's returns. */
int naryn__stage_least_cost(naryn__stage *st, int outcome, const double *factor,
                            const double *inflow_m3s, double *cost);
/* A stage's LP under an outcome, the factors and the inflows given (as
** naryn__stage_solve_with takes them), for an extensive form made of
** stages (tests/unit/testutil_sddp.h): its own rows (no cuts) and
** columns, the matrix by columns, its bounds with the start storages held
** at the state, and the objective's scale and constant. The arrays are
** the stage's, valid until its next solve or export. */
typedef struct naryn__stage_lpdata {
  int nrows, ncols, theta_col, ntheta;
  const int *start, *index;
  const double *value, *collo, *colup, *obj, *rowlo, *rowup;
  double scale, constant;
} naryn__stage_lpdata;
void naryn__stage_lpdata_get(naryn__stage *st, int outcome, const double *factor,
                             const double *inflow_m3s, naryn__stage_lpdata *out);
/* FNV-1a: h carried on over n bytes, from NARYN__HASH_START. */
#define NARYN__HASH_START 1469598103934665603ull
uint64_t naryn__hash_bytes(uint64_t h, const void *b, size_t n);
/* h carried on over the stage's LP under an outcome, the factors and the
** inflows given (as naryn__stage_lpdata_get takes them), but for the
** bounds of the columns held at the state: what tells one problem's cuts
** from another's (a model, scenario or weight changed). 0 when out of
** memory. */
uint64_t naryn__stage_hash(naryn__stage *st, int outcome, const double *factor,
                           const double *inflow_m3s, uint64_t h);
/* State k at the end of the stage as the LP has it: *constant plus coef
** times the columns col (at most NARYN__STATE_TERMS; returns how many),
** which a cut on theta is written in. */
#define NARYN__STATE_TERMS 3
int naryn__stage_state_out(const naryn__stage *st, int k, int *col, double *coef,
                           double *constant);
/* The column held at state k at the start of the stage: a reservoir's
** storage (hm3), a routed reach's rate (m3/s); -1 for a PAR lag, whose
** columns are held at the lags times the noise. */
int naryn__stage_state_in_col(const naryn__stage *st, int k);
/* The same with the step's inflow of each inflow node given (per node,
** m3/s; NULL: the model's), before the factors: a replay's inflows. */
int naryn__stage_solve_with(naryn__stage *st, const double *s_in, const double *factor,
                            const double *inflow_m3s, naryn__stage_out *out);
/* Tells in d of stage t's LP that failed with rc (interrupted, out of
** memory, or a numerical failure); returns the status to give. */
int naryn__stage_failed(const naryn_model *m, int t, int rc, naryn_diags *d);
/* What leaves node 'node' over its links in the last solution, hm3: a
** reservoir's release as the stage decided it. */
double naryn__stage_outflow_hm3(const naryn__stage *st, int node);
/* The cuts in the stage's LP, and their removal (to add again the ones a
** selection keeps). */
int naryn__stage_cut_count(const naryn__stage *st);
int naryn__stage_clear_cuts(naryn__stage *st);
/* How many times the stage's cuts were cleared: a basis taken in another
** epoch does not fit its cut rows. */
int naryn__stage_epoch(const naryn__stage *st);
/* The basis of the stage's last solve (naryn__lp_get_basis), and its
** size. */
int naryn__stage_basis_size(const naryn__stage *st);
void naryn__stage_get_basis(const naryn__stage *st, unsigned char *status);
/* The next solve starts afresh from the basis status[n], taken from this
** stage's LP or a copy of it in the same epoch (NULL: from scratch, with
** presolve), whatever the stage solved before: the same basis and LP give
** the same solution on every copy. status must live until that solve. */
void naryn__stage_restart(naryn__stage *st, const unsigned char *status, int n);
/* Adds the cut theta_j >= alpha + beta' s over the end storages s, on the
** stage's future-cost column j (0 with a single cut). */
int naryn__stage_add_cut(naryn__stage *st, int j, double alpha, const double *beta);

/* A policy (policy.c): its stages, its cuts (each in its stage's LP and in
** the store), how it was trained, its bounds and log. */
struct naryn_policy {
  const naryn_model *m;
  int T, nstate, nout;
  int multi_cut, cyclic;
  /* With a Markov chain of prices (m->prices), M states of it: a stage
  ** problem per step t and state k, node t * M + k, N = T * M of them (M
  ** = 1 without one: node t is step t). A backward step from a node
  ** solves its nb = M * nout branches, branch b the state b / nout of the
  ** step after under outcome b % nout, with the chance
  ** branch_p[n * nb + b] from node n (the chain's matrix of the month of
  ** n's step, row n's state). variant[k] is the model with
  ** state k's prices (NULL without a chain). */
  int M, N, nb;
  naryn_model **variant;
  double *branch_p;
  naryn__stage **stage;      /* [N] */
  naryn__prodfn *planes;     /* [N]: each plant's production function */
  double *at;                /* [nstate] room for a state, for writers */
  double *base;              /* [T][N] the inflow the outcomes scale, m3/s
                             ** (the monthly means), or NULL: the model's */
  naryn__cuts *cuts;
  double lower, upper, half;
  int iterations, converged;
  const char *stop;          /* why training stopped */
  naryn_sddp_log *log;
  int nlog, caplog;
  double seconds;
};

/* A policy without cuts, its stages built for multiple cuts or one and
** for a cycle (of the model's uncertainty.cycle_steps, or every step) or
** a finite horizon. NARYN_OK or NARYN_ENOMEM (in d). */
int naryn__policy_new(const naryn_model *m, int multi_cut, int cyclic, naryn_policy **out,
                      naryn_diags *d);
/* Another policy like p0, without cuts: for the same model, cuts and
** horizon, with p0's production functions rather than fitted again (a
** worker's copy). NARYN_OK or NARYN_ENOMEM (in d). */
int naryn__policy_new_like(const naryn_policy *p0, naryn_policy **out, naryn_diags *d);
/* Adds the cut theta >= alpha + beta' s to stage t (on its column of
** 'outcome' with multiple cuts, -1 for a single cut), in its LP and in the
** store, with the state 'at' it was made at (NULL: none) for selection. */
int naryn__policy_add_cut(naryn_policy *p, int t, int outcome, int iteration, double alpha,
                          const double *beta, const double *at, naryn_diags *d);

/* Reads the policy naryn_policy_write wrote into dir for model m, as
** naryn_policy_read does; with 'select', each stage's LP holds only the
** cuts that are the highest at one of the stage's trial states (the
** store's active ones; every cut when the file keeps no trial states),
** without, every cut. */
int naryn__policy_read(const naryn_model *m, const char *dir, int select, naryn_policy **out,
                       naryn_diags *d);

/* The node of step t in price state k, and a node's step and state. */
static inline int naryn__policy_node(const naryn_policy *p, int t, int k) { return t * p->M + k; }
static inline int naryn__policy_node_step(const naryn_policy *p, int n) { return n / p->M; }
static inline int naryn__policy_node_state(const naryn_policy *p, int n) { return n % p->M; }
/* The node that branch b of a backward step solves when the node visited
** in the step after is 'next' (of the same step as every branch). */
static inline int naryn__policy_branch_node(const naryn_policy *p, int next, int b) {
  return naryn__policy_node(p, naryn__policy_node_step(p, next), b / p->nout);
}
/* The chance of branch b from node n. */
static inline double naryn__policy_branch_p(const naryn_policy *p, int n, int b) {
  return p->branch_p[(size_t)n * p->nb + b];
}
/* 1 when branch b has a chance from some node: a backward step solves
** it, since the cuts it makes are for every node of its step. */
static inline int naryn__policy_branch_used(const naryn_policy *p, int b) {
  for (int n = 0; n < p->N; n++)
    if (p->branch_p[(size_t)n * p->nb + b] > 0) return 1;
  return 0;
}

/* The states that are reservoirs' storages, the first of the states (the
** PAR lags follow). */
int naryn__policy_reservoirs(const naryn_policy *p);

/* The inflow of each node the outcomes of stage t scale (NULL: the
** model's own). */
const double *naryn__policy_base(const naryn_policy *p, int t);

/* Forgets the stage's last basis: its next solve is one from scratch, the
** same whatever the stage solved before (a replay's decisions then depend
** only on the storage and inflows it is given). */
void naryn__stage_forget(naryn__stage *st);

/* sddp.c, for replays: the model a policy was built for and its stage of
** step t in price state k (NULL out of range). */
const naryn_model *naryn__policy_model(const naryn_policy *p);
naryn__stage *naryn__policy_stage(naryn_policy *p, int t, int k);

#endif
