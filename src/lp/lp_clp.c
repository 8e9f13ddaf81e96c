/*
** lp_clp.c: the one file that talks to COIN-OR CLP.
**
** The simulator builds its per-step LP once and then, step after step,
** changes only bounds and right-hand sides and re-solves with the dual
** simplex from the previous optimal basis, which after small changes needs
** few iterations. CLP's own scaling is switched off: the simulator's rows
** are water balances with coefficients near 1, and for such re-solves the
** scaling pass costs more than it saves (see doc/performance.md).
*/
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <Clp_C_Interface.h>

#include "../naryn_int.h"

struct naryn__lp {
  Clp_Simplex *clp;
  int nrows, ncols;
};

/* Infinite bounds are passed to CLP as +-DBL_MAX. */
static double clp_bound(double v) {
  if (v >= 1e30) return DBL_MAX;
  if (v <= -1e30) return -DBL_MAX;
  return v;
}

/* Copies an array of bounds into CLP's convention for infinity. */
static double *clp_bounds(const double *v, int n) {
  double *out = malloc((size_t)(n > 0 ? n : 1) * sizeof *out);
  if (!out) return NULL;
  for (int i = 0; i < n; i++) out[i] = clp_bound(v[i]);
  return out;
}

naryn__lp *naryn__lp_new(int nrows, int ncols, const int *start,
                         const int *index, const double *value,
                         const double *collo, const double *colup,
                         const double *obj, const double *rowlo,
                         const double *rowup) {
  naryn__lp *lp = calloc(1, sizeof *lp);
  if (!lp) return NULL;
  lp->clp = Clp_newModel();
  double *cl = clp_bounds(collo, ncols), *cu = clp_bounds(colup, ncols);
  double *rl = clp_bounds(rowlo, nrows), *ru = clp_bounds(rowup, nrows);
  CoinBigIndex *st = malloc((size_t)(ncols + 1) * sizeof *st);
  if (!lp->clp || !cl || !cu || !rl || !ru || !st) {
    free(cl), free(cu), free(rl), free(ru), free(st);
    naryn__lp_free(lp);
    return NULL;
  }
  for (int j = 0; j <= ncols; j++) st[j] = start[j];
  Clp_setLogLevel(lp->clp, 0);
  Clp_loadProblem(lp->clp, ncols, nrows, st, index, value, cl, cu, obj, rl, ru);
  Clp_scaling(lp->clp, 0);
  lp->nrows = nrows;
  lp->ncols = ncols;
  free(cl), free(cu), free(rl), free(ru), free(st);
  return lp;
}

void naryn__lp_free(naryn__lp *lp) {
  if (!lp) return;
  if (lp->clp) Clp_deleteModel(lp->clp);
  free(lp);
}

void naryn__lp_set_bounds(naryn__lp *lp, const double *collo,
                          const double *colup, const double *rowlo,
                          const double *rowup) {
  /* CLP keeps the basis status of every row and column across these calls,
  ** so the next solve starts from the previous optimal basis. */
  Clp_chgColumnLower(lp->clp, collo);
  Clp_chgColumnUpper(lp->clp, colup);
  Clp_chgRowLower(lp->clp, rowlo);
  Clp_chgRowUpper(lp->clp, rowup);
}

int naryn__lp_solve(naryn__lp *lp, long *iterations) {
  Clp_dual(lp->clp, 0);
  int status = Clp_status(lp->clp);
  *iterations += Clp_numberIterations(lp->clp);
  if (status != 0) {
    /* A warm start can stall on a bad basis; a solve from scratch with
    ** presolve settles whether the problem itself is at fault. */
    Clp_initialSolve(lp->clp);
    status = Clp_status(lp->clp);
    *iterations += Clp_numberIterations(lp->clp);
  }
  if (status == 0) return NARYN_OK;
  if (status == 1) return NARYN_EINFEAS;
  return NARYN_ESOLVER;
}

const double *naryn__lp_x(naryn__lp *lp) { return Clp_getColSolution(lp->clp); }

double naryn__lp_objective(naryn__lp *lp) { return Clp_objectiveValue(lp->clp); }
