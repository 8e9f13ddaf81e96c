/*
** opt_int.h: what the optimiser's files share: the layout of the LP of a
** whole horizon (opt_lp.c builds it, opt.c drives its passes).
*/
#ifndef NARYN_OPT_INT_H
#define NARYN_OPT_INT_H

#include <stddef.h>

#include "../naryn_int.h"

/* Penalties in LP units, where the largest objective coefficient of the
** model's terms is scaled to OBJ_TOP. */
#define OBJ_TOP 1e3
#define W_ELASTIC 1e6
#define W_DEAD 1e5
#define ELASTIC_TOL_HM3 1e-6
/* A held action given up (naryn__hold), per hm3: above the worth of any
** term, below the link bounds that are physically firmer. */
#define W_HOLD 1e5
/* What a node nobody in the plan values earns per hm3 it takes: just
** enough that it takes what reaches it and the plan would not otherwise
** use, far too little to make the plan release water for it. */
#define W_TAKE 1e-2
/* Currency a pareto plan pays per unit of currency its constrained term
** falls short of the level: far above the worth of any other term. */
#define EPS_PENALTY 100.0
/* Energy in GWh of one hm3 falling one metre at efficiency one. */
#define GWH_PER_HM3_M (NARYN__RHO_G * 1e6 / 3.6e12)

/* Columns and rows of a node within a step; -1 where absent. */
typedef struct ncols {
  int bal;
  int y, u, ev, erow, urow;     /* reservoir */
  int seg, nseg;                /* demand: delivery segments */
  int mf, mrow;                 /* min_flow */
  int qt, qs, e, srow, hrow;    /* hydropower */
  int head_res;                 /* reservoir whose storage sets the head */
  int hc, hr;                   /* held node: its give-way columns and row */
  int sin;                      /* a stage's reservoir: its storage at the
                                ** start, a column held at the state */
  int hk;                       /* a stage's plant with fitted planes: the
                                ** rows of its planes after the first (which
                                ** is hrow); -1 where the energy is one
                                ** linearised row */
  int sc, sr;                   /* held node with several outlets: the
                                ** give-way columns (2 per row) and rows of
                                ** its shares, one per outlet but the last */
} ncols;

/* An inflow target: a shortfall column and its row in every step. */
typedef struct icon {
  int term, node, col, row;
} icon;

/* End storage below a target: one column and row after the steps. */
typedef struct econ {
  int term, node, col, row;
} econ;

typedef struct opt {
  const naryn_model *m;
  const naryn_opt_opts *o;
  naryn_diags *d;
  const double *weights;        /* per term */
  const naryn__hold *hold;      /* or NULL: every node is planned */
  unsigned char *downstream_planned; /* [N]: some planned node is below it */
  int T, N, L;
  int ncs, nrs;                 /* columns and rows per step */
  int *lx, *lv, *lw;            /* link columns (offsets) */
  int *la, *lr;                 /* Muskingum link: arrival column and its row,
                                ** else -1 */
  int *rf;                      /* a stage's routed link: its first column
                                ** from route_col, else -1 */
  ncols *nc;
  double **frac;                /* demand segment bounds, nseg + 1 each */
  icon *ic;
  int nic;
  econ *ec;
  int nec;
  int eps_row;                  /* row of the epsilon constraint, or -1 */
  int eps_col;                  /* how far the term falls short of it */
  int ncols, nrows;
  /* The matrix, column-major, with the positions of the coefficients
  ** that each pass changes. */
  int *start, *index;
  double *value;
  int *hpos;                    /* [t][plant] 6 positions: qt qs yt ut yp up */
  int *epos;                    /* [t][reservoir] 4 positions: yt ut yp up */
  double *obj, *collo, *colup, *rowlo, *rowup;
  double scale;                 /* currency per LP objective unit */
  naryn__lp *lp;
  /* The reference plan of the current linearisation. */
  double *ref_s;                /* [t * N + i] end storage, hm3 */
  double *ref_q;                /* [t * N + i] plant discharge, m3/s */
  double *ref_qt;               /* [t * N + i] turbined, hm3 */
  double *lin_a;                /* [t * N + i] per plant: constant of lin. */
  double rho;                   /* trust region, fraction of active storage */
  long iterations;
  int solves;
  /* Epsilon constraint (pareto): a term held at least as good as level. */
  int eps_term;
  double eps_level;
  /* Grids: each step's rows and columns, the dispatch that values a plan
  ** exactly, and which grids and lines the planners have. */
  naryn__grid_lp *glp;          /* [T], NULL without grids */
  naryn__dispatch *disp;
  unsigned char *grid_in;       /* [ngrids]: its country plans */
  unsigned char *line_open;     /* [nlines]: both its grids are in */
  /* SDDP's stage problems (sddp/stage.c): the LP of the window of T steps
  ** from step t0 (0 and the whole horizon for the optimiser). In a stage
  ** (stage = 1) each reservoir's storage at the start is a column (sin)
  ** held at s0, the state, instead of a constant; a column theta, at no
  ** less than theta_lo, carries the cost of the stages after (its cuts
  ** are rows the stage adds); the inflows are scaled by inflow_factor;
  ** the energy and evaporation are linearised once around ref_s, and the
  ** objective's scale is fixed_scale when that is above 0. */
  int t0, stage;
  int theta_col, ntheta;        /* the future-cost columns, ntheta (at
                                ** least 1) from theta_col: one per outcome
                                ** of the next stage for multiple cuts */
  const double *theta_w;        /* [ntheta] their weights, or NULL: 1 */
  double theta_lo;
  const naryn__prodfn *prodfn;  /* [N] or NULL: in a stage, each plant whose
                                ** head follows its reservoir has one energy
                                ** row per plane of its fit (hydro/prodfn.c)
                                ** in place of the linearised row */
  const double *s0;             /* [N] or NULL: the model's initial storage */
  const double *inflow_factor;  /* [N] or NULL: 1 */
  const double *inflow_m3s;     /* [N] or NULL: the step's inflow of each
                                ** inflow node, in place of the model's (a
                                ** replay's, an ensemble member's) */
  /* A stage's PAR inflows (model/par_inflows.c), or NULL: per site s the
  ** columns from par_col + s + 2 * par->first[s]: its flow q (m3/s), a
  ** floor f, the lags l_1..l_P held at eps times the incoming lags (the
  ** flows of the steps before), and o_2..o_P held at the incoming lags
  ** 1..P-1 (the outgoing lags after the first, which is q); and the row
  ** par_row + s: q - sum_k b_k l_k - f = eps a. Each inflow node that
  ** reads a site takes its scale times q. */
  const naryn__par *par;
  int par_col, par_row;
  const double *par_lag;        /* [par->nstates] incoming lags, or NULL:
                                ** the initial state */
  const double *par_eps;        /* [par->nsites] the noise, or NULL: 1 */
  /* A stage's routed links (model/routing.c): for each link l that routes,
  ** the columns from route_col + rf[l] hold the rates that entered its
  ** reach, after the loss, in the steps before (m3/s) at the incoming
  ** state: a lag's reach of them, the step just before first, each on its
  ** tail's balance with its share; a Muskingum reach's inflow and outflow
  ** of the step before, on its row. */
  int route_col, nroute;
  const double *route_in;       /* [nroute] incoming, or NULL: the reaches'
                                ** initial flows */
  double fixed_scale;
  double obj_constant;          /* currency: the terms' constants, so that a
                                ** plan's cost (the objective with its sign
                                ** turned) is obj'x * scale + obj_constant */
} opt;

/* 1 when node i is planned: every node without a hold, else those the
** hold marks. */
int naryn__opt_planned(const opt *p, int i);
/* The column of a stage's PAR site s: its flow (lag 0), a lag l_k (k = 1
** .. P) or an outgoing lag o_k (k = -2 .. -P); PAR_FLOOR its floor. */
#define PAR_FLOOR (-1)
int naryn__opt_par_col(const opt *p, int s, int k);
/* A held action, with NaN (a node that took no part) read as zero. */
double naryn__opt_held_at(const double *v, size_t at);
/* The states a stage keeps of a routed link: a lag's reach, a Muskingum
** reach's inflow and outflow (2), none for a link that does not route. */
int naryn__opt_route_states(const naryn__route *rt);
/* What reaches the tail of lagged link l in step t of each hm3 leaving its
** head in step from. */
double naryn__opt_lag_coef(const naryn_model *m, int l, int from, int t);
/* Allocates p's arrays (p->m, T, N, L, t0 and the options set), lays out
** and builds the matrix, and makes room for the bounds and objective.
** NARYN_OK or NARYN_ENOMEM; naryn__opt_release frees what it made. */
int naryn__opt_setup(opt *p);
void naryn__opt_release(opt *p);
/* Lays out the columns and rows of every step. NARYN_OK or NARYN_ENOMEM. */
int naryn__opt_layout(opt *p);
/* Builds the matrix with every coefficient that a pass may change in
** place. NARYN_OK or NARYN_ENOMEM. */
int naryn__opt_build(opt *p);
/* Which grids plan and which lines are open. NARYN_OK or NARYN_ENOMEM. */
int naryn__opt_grids_in(opt *p);
/* Sets the objective from the weighted terms and the penalties, and the
** grids' bounds. NARYN_OK or NARYN_ENOMEM. */
int naryn__opt_objective(opt *p);
/* Sets every bound, right-hand side and changing coefficient from the
** model and the reference plan. */
void naryn__opt_linearise(opt *p);

#endif
