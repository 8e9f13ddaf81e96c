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

/* The stage problem of step t, its objective in LP units of 'scale'
** currency (0: its own scale, naryn__stage_scale tells it), the future
** cost at no less than theta_lo currency before any cut, the energy of
** each plant whose head follows its reservoir under the planes of
** 'planes' (one per node, as naryn__prodfn_fit_model makes them, kept by
** the caller while the stage lives; NULL: the stage fits its own with
** NARYN__PRODFN_PLANES planes). NARYN_OK or NARYN_ENOMEM. */
int naryn__stage_new(const naryn_model *m, int t, double scale, double theta_lo,
                     const naryn__prodfn *planes, naryn__stage **out);
void naryn__stage_free(naryn__stage *st);
double naryn__stage_scale(const naryn__stage *st);
/* The terms' constants, in currency, included in every value and cost. */
double naryn__stage_constant(const naryn__stage *st);
/* The states: how many, and the reservoir (node index) of state k. */
int naryn__stage_state_count(const naryn__stage *st);
int naryn__stage_state_node(const naryn__stage *st, int k);
/* Solves the stage from the start storages s_in (one per state) with the
** inflows scaled by factor (per node; NULL for none). NARYN_OK, or the
** LP's status. */
int naryn__stage_solve(naryn__stage *st, const double *s_in, const double *factor,
                       naryn__stage_out *out);
/* The same with the step's inflow of each inflow node given (per node,
** m3/s; NULL: the model's), before the factors: a replay's inflows. */
int naryn__stage_solve_with(naryn__stage *st, const double *s_in, const double *factor,
                            const double *inflow_m3s, naryn__stage_out *out);
/* What leaves node 'node' over its links in the last solution, hm3: a
** reservoir's release as the stage decided it. */
double naryn__stage_outflow_hm3(const naryn__stage *st, int node);
/* Adds the cut future >= alpha + beta' s over the end storages s. */
int naryn__stage_add_cut(naryn__stage *st, double alpha, const double *beta);

#endif
