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
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ====================================================================== */
/* The whole-horizon LP of the optimiser                                   */
/* ====================================================================== */

void naryn__lp_set_scaling(naryn__lp *lp, int on) {
  /* CLP's default mode 3 (automatic) when on. */
  Clp_scaling(lp->clp, on ? 3 : 0);
}

int naryn__lp_solve_initial(naryn__lp *lp, long *iterations) {
  /* CLP's initial solve presolves the problem, picks dual or primal
  ** simplex, and postsolves, which for a large LP is several times faster
  ** than the plain dual simplex on the full problem. */
  Clp_initialSolve(lp->clp);
  *iterations += Clp_numberIterations(lp->clp);
  int status = Clp_status(lp->clp);
  if (status == 0) return NARYN_OK;
  if (status == 1) return NARYN_EINFEAS;
  return NARYN_ESOLVER;
}

int naryn__lp_reload(naryn__lp *lp, const int *start, const int *index,
                     const double *value, const double *collo,
                     const double *colup, const double *obj,
                     const double *rowlo, const double *rowup) {
  int nr = lp->nrows, nc = lp->ncols, rc = NARYN_ENOMEM;
  /* The basis of the last solve is kept across the reload, so that the
  ** next solve starts from it. */
  unsigned char *status = malloc((size_t)(nr + nc) + 1);
  double *cl = clp_bounds(collo, nc), *cu = clp_bounds(colup, nc);
  double *rl = clp_bounds(rowlo, nr), *ru = clp_bounds(rowup, nr);
  CoinBigIndex *st = malloc((size_t)(nc + 1) * sizeof *st);
  if (status && cl && cu && rl && ru && st) {
    memcpy(status, Clp_statusArray(lp->clp), (size_t)(nr + nc));
    for (int j = 0; j <= nc; j++) st[j] = start[j];
    Clp_loadProblem(lp->clp, nc, nr, st, index, value, cl, cu, obj, rl, ru);
    Clp_copyinStatus(lp->clp, status);
    rc = NARYN_OK;
  }
  free(cl), free(cu), free(rl), free(ru), free(st), free(status);
  return rc;
}

int naryn__lp_resolve(naryn__lp *lp, long *iterations) {
  /* After the matrix changes the old basis is neither primal nor dual
  ** feasible in general; the primal simplex repairs it fastest here. */
  Clp_primal(lp->clp, 0);
  int status = Clp_status(lp->clp);
  *iterations += Clp_numberIterations(lp->clp);
  if (status != 0) return naryn__lp_solve_initial(lp, iterations);
  return NARYN_OK;
}

const double *naryn__lp_row_duals(naryn__lp *lp) {
  return Clp_getRowPrice(lp->clp);
}

int naryn__lp_write_mps(naryn__lp *lp, const char *path, naryn_diags *d) {
  /* CLP writes fixed-format MPS (format 0: names and numbers in their
  ** columns, numbers in twelve characters) with its own eight-character
  ** names, which both clp and glpsol --mps read. The file is written
  ** under a temporary name and renamed into place. CLP throws a C++
  ** exception, which C cannot catch, when it cannot open the file, so the
  ** file is first created here. */
  size_t n = strlen(path);
  char *tmp = malloc(n + 16);
  if (!tmp)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  snprintf(tmp, n + 16, "%s.partial", path);
  FILE *probe = fopen(tmp, "w");
  if (!probe) {
    int err = errno;
    free(tmp);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write the LP: %s", strerror(err));
  }
  fclose(probe);
  int rc = Clp_writeMps(lp->clp, tmp, 0, 1, 1.0);
  if (rc != 0 || rename(tmp, path) != 0) {
    int err = errno;
    remove(tmp);
    free(tmp);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write the LP: %s",
                       rc != 0 ? "CLP could not write it" : strerror(err));
  }
  free(tmp);
  return NARYN_OK;
}
