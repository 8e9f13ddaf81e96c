/*
** sim_int.h: the step LP of the simulation, shared by sim.c (the run, and
** the rows and columns of the network) and rules_lp.c (the rows and
** columns of the reservoirs' operating rules). One mapping of the model to
** LP rows and columns: the rules extend it rather than copy it.
*/
#ifndef NARYN_SIM_INT_H
#define NARYN_SIM_INT_H

#include <math.h>

#include "../naryn_int.h"

/* Objective weights per hm3. Priority p weighs 10 * 2^(10 - p): each level
** counts twice the next. The elastic and dead-storage weights are far
** above any priority so that they are used only when nothing else works. */
#define W_ELASTIC 1e6
#define W_DEAD 1e5
/* A forced release (a measured one, replayed) gives way only to the
** physical limits: above every priority (priority 1 weighs 5,120), below
** drawing a reservoir under its dead storage and breaking a link's bounds.
** A reservoir's forced release weighs W_FORCED plus the weights of every
** forced reservoir downstream of it (at most W_FORCED_MAX), so that the
** upstream one is kept first: a measured release upstream is a fact the
** reservoirs below must live with, not a choice the model may trade for
** theirs. */
#define W_FORCED 6e3
#define W_FORCED_MAX 5e4
#define W_SPILL 1e-3
/* Elastic flows below this many hm3 are solver noise, not infeasibility. */
#define ELASTIC_TOL_HM3 1e-6
/* A demand's delivery is split into this many equal parts, each worth a
** little less than the one before (from 1 + SHARE_PREMIUM times the
** priority weight down to the weight itself): every demand of a priority
** then gets its first part before any gets its second, so demands of equal
** priority share a shortage in proportion to what they ask, to within one
** part. The premium stays well below the factor of two between priority
** levels. */
#define SHARE_PARTS 10
#define SHARE_PREMIUM 0.1

static inline double naryn__priority_weight(int p) {
  return 10.0 * ldexp(1.0, NARYN__PRIORITY_MAX - p);
}

/* Columns and rows of one node; -1 where they do not exist. */
typedef struct node_lp {
  int bal;            /* balance row */
  int out_row;        /* the row the node's outgoing links leave: bal, or
                      ** the last row of its release chain */
  int arrive;         /* sink with a downstream rule: the row its links enter */
  int y, u;           /* reservoir: storage above dead, drawdown below */
  int tp, tm, trow;   /* reservoir target: above, below, row */
  int rp, rm, rrow;   /* reservoir release schedule: above, below, row */
  int d;              /* demand: first of SHARE_PARTS delivered parts */
  int mf, mrow;       /* min_flow: shortfall, row */
  int qt, qs, srow;   /* hydropower: turbined, spilled, split row */
  int tchain;         /* hydropower with an energy rule: its first chain row */
} node_lp;

/* The kinds of stage a rule puts on the water that passes it: a target
** kept on both sides, a minimum, a maximum, and a band (a ramp). */
typedef enum stage_kind { STAGE_TARGET, STAGE_MIN, STAGE_MAX, STAGE_BAND } stage_kind;

/* One rule's stage on a chain. All the water of the chain passes every
** stage, through parallel columns whose costs make the rule's penalty:
**   target T:  [0, T] at -w, [0, inf) at +w, and a free one while off;
**   minimum m: [0, m] at -w, [0, inf) at 0;
**   maximum M: [0, M] at 0, [0, inf) at +w;
**   band lo..hi: [0, lo] at -w, [0, hi - lo] at 0, [0, inf) at +w,
** where w is the rule's priority weight. A chain of stages between two
** rows is a path of the network, so the rules keep a network a network. */
typedef struct stage {
  int res, rule;      /* the reservoir and the index of its rule */
  stage_kind kind;
  int col, ncols;     /* its columns */
  int on;             /* the rule applies in this step */
  unsigned zones;     /* bit z: it applies in zone z; all set: look it up */
  double lo_hm3, hi_hm3; /* its bounds in this step */
  int cascade;        /* an energy rule following a grid's residual demand:
                      ** where its plants are in sim's cascade, else -1 */
} stage;

/* A hedging rule's row for one demand: parts - h + slack = allowed. */
typedef struct hedge_row {
  int res, rule, demand;
  int row, h, slack;
  double cut;         /* the cut in this step */
} hedge_row;

typedef struct sim {
  const naryn_model *m;
  const naryn_sim_opts *o;
  naryn_diags *d;
  naryn_result *r;
  naryn__lp *lp;
  naryn__net *net;    /* the same LP as a network, or NULL */
  naryn__dispatch *disp; /* the grids' dispatch, or NULL without grids */
  int clp_solved;     /* CLP has solved the LP at least once */
  int ncols, nrows;
  int *link_col;      /* x of each link */
  int *link_short;    /* v: flow short of the link's minimum, or -1 */
  int *link_excess;   /* w: flow above the link's maximum, or -1 */
  node_lp *nl;
  double *collo, *colup, *rowlo, *rowup;
  double *storage;    /* reservoir storage at the start of the step */
  double *evap;       /* evaporation (hm3) used in the current solve */
  double *cap;        /* turbine capacity (m3/s) used in the current solve */
  double *discharge;  /* plant discharge (m3/s) of the last solve */
  double *evap_next, *cap_next; /* the same, recomputed from the solution */
  /* The evaporation the step's previous solve used and the evaporation at
  ** the mean storage it gave, evap_prev NaN before a step's first solve. */
  double *evap_prev, *g_prev;
  double *head;       /* plant head (m) used in the current solve */
  double *head_next;  /* the same, recomputed from the solution */
  double *release;    /* reservoir release (m3/s) of the last step, NaN before */
  double *energy_prev; /* plant energy (GWh) of the last step, 0 before */
  int *zone;          /* reservoir zone of the step, -1 without zones */
  int *ctl_priority;  /* scratch: the priority of each reservoir's control */
  int *scratch_int;   /* scratch: nnodes ints */
  unsigned char *scratch_seen; /* scratch: nnodes flags */
  stage *stages;      /* the rules' stages, chain by chain */
  int nstages;
  /* Per stage of an energy rule following a grid's residual demand: the
  ** number of the grid's plants below the rule's plant and their nodes,
  ** then the number of the grid's other plants and theirs. */
  int *cascade;
  hedge_row *hedges;
  int nhedges;
  /* Forced releases not kept, per reservoir: steps, water released above
  ** and below, the largest deviation and its step. */
  int *forced_missed, *forced_worst_t;
  double *forced_above, *forced_below, *forced_worst;
  double *forced_w;   /* per reservoir: the weight of its forced release */
  /* A policy replayed (sddp/replay.c), or NULL; the release it decided in
  ** the step for each reservoir it holds (hm3), NaN for the others. */
  naryn__replay *replay;
  double *policy_hm3;
  /* Routed links (routing.c): the inflows of each lag's last steps, in a
  ** ring from route_at[l]; a Muskingum reach's last inflow and outflow. */
  double *route_ring, *route_in, *route_out;
  double *route_states;   /* what naryn__routing_states fills */
  int *route_at;
} sim;

/* Columns and coefficients gathered while the LP is laid out. */
typedef struct lp_build {
  naryn__triplets t;
  double *obj;
  int objcap;
} lp_build;

/* 1 when reservoir i's release is forced: by its forced_release_m3s or
** by a policy replayed. */
static inline int naryn__sim_forced(const sim *s, int i) {
  return s->m->nodes[i].forced_release_m3s.v != NULL || naryn__replay_holds(s->replay, i);
}

/* routing.c: the state of routed links, set up before the first step. */
int naryn__routing_init(sim *s);
void naryn__routing_free(sim *s);
/* The share of a routed link's inflow of the step that reaches its tail
** in the same step (1 for a link not routed). */
double naryn__routing_gain(const naryn__link *l);
/* The routed reaches' states before step t, as a policy's stages read
** them (sddp/stage.c): per routed link in order, a lag's rates that
** entered its reach (after the loss) in steps t - 1, t - 2 ... as far as
** it reaches, the initial flow before the first step; a Muskingum reach's
** inflow and outflow of step t - 1 (m3/s). */
const double *naryn__routing_states(sim *s, int t);
/* What reaches the tail of routed link l in step t from earlier steps. */
double naryn__routing_known_hm3(const sim *s, int l, int t);
/* Moves link l's reach on after step t, in which flow_hm3 entered it, and
** records what reached its tail. */
void naryn__routing_step(sim *s, int l, int t, double flow_hm3);

/* sim.c: the next column with its cost, or -1 when out of memory. */
int naryn__sim_col(sim *s, lp_build *b, double cost);

/* rules_lp.c. The stages of node i's chains, counted before the LP is laid
** out: its release (for a sink, its arrival), storage and turbine chains. */
int naryn__rules_count(sim *s);
/* Lays out the release chain of node i from its balance row: returns the
** row its outgoing links leave (the balance when it has no chain), or -1
** when out of memory. */
int naryn__rules_release_chain(sim *s, lp_build *b, int i);
/* For a sink with downstream rules: the row its incoming links enter
** (then passed to the outside through the rules' stages), -1 when it has
** none, -2 when out of memory. */
int naryn__rules_arrival_chain(sim *s, lp_build *b, int i);
/* A reservoir's storage chain, fed by its storage column y. */
int naryn__rules_storage_chain(sim *s, lp_build *b, int i);
/* A plant's turbine chain, fed by its turbined column; returns 1 when the
** plant has one (its turbined water then reaches the split row through the
** chain), 0 when not, -1 when out of memory. */
int naryn__rules_turbine_chain(sim *s, lp_build *b, int i);
/* The hedging rows, after every demand's columns. */
int naryn__rules_hedging(sim *s, lp_build *b);
/* Sets the bounds of every rule's columns and rows for step t (after the
** network's own, see set_step_bounds). */
void naryn__rules_bounds(sim *s, int t);
/* After every rule's stage is laid out: which of its grid's plants each
** energy rule that follows a grid's residual demand has below it (the
** network's, the same every step). NARYN_OK or NARYN_ENOMEM. */
int naryn__rules_cascades(sim *s);
/* The zone of every reservoir at the start of step t. */
void naryn__rules_zones(sim *s, int t);
/* After the step's last solve: the rule that decided each reservoir's
** release, as a code (naryn__ctl_*), and the releases for the next step's
** ramps. */
void naryn__rules_control(sim *s, int t, const double *x, int *code);

#endif
