/*
** testutil_ef.h: the extensive form of a model's scenario tree built of
** the SDDP policy's own stage LPs (sddp/stage.c's naryn__stage_lpdata_get),
** for tests of the lower bound on any model without a PAR model: the
** valley and the built-in model of test_sddp_valley.c.
*/
#ifndef NARYN_TESTUTIL_EF_H
#define NARYN_TESTUTIL_EF_H

#include "sddp/sddp_int.h"
#include "testutil_sddp.h"

/* The extensive form of model m's first T steps (a finite horizon; the
** model's outcomes independent from step to step, no PAR model), built of
** the policy's own stage LPs: every node of the tree (each step under
** each outcome, after each path of outcomes before it) a copy of its
** stage's LP under that outcome, its costs weighted by the path's chance,
** its future-cost columns held at 0, and its states at the start (the
** storages, the routed reaches' rates) tied to those its parent ends with
** (the root's held at the initial state). Its optimum is the least expected cost of the tree, in the
** units of the policy's bounds. */
static inline double tu_sddp_ef_of_stages(const naryn_model *m, int T) {
  assert_null(m->par);
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  assert_int_equal(naryn__policy_new(m, 0, 0, &p, d), NARYN_OK);
  assert_true(T >= 1 && T <= p->T);
  int nout = m->noutcomes, nstate = p->nstate, total = 0, nodes = 1;
  for (int t = 0; t < T; t++) total += (nodes *= nout);
  int *colat = calloc((size_t)total, sizeof *colat);
  double *chance = calloc((size_t)total, sizeof *chance);
  size_t cap = 1024;
  double *collo = malloc(cap * sizeof *collo), *colup = malloc(cap * sizeof *colup);
  double *obj = malloc(cap * sizeof *obj), *rowlo = malloc(cap * sizeof *rowlo);
  double *rowup = malloc(cap * sizeof *rowup);
  assert_true(colat && chance && collo && colup && obj && rowlo && rowup);
  size_t ncols = 0, nrows = 0, rcap = cap;
  naryn__triplets tr = {0};
  double constant = 0.0, scale = 0.0;
  /* Node v of step t is the v-th of nout^(t+1), its outcome v % nout and
  ** its parent v / nout of step t - 1; id = first[t] + v. */
  int first = 0, prev = 0;
  nodes = 1;
  for (int t = 0; t < T; t++) {
    nodes *= nout;
    for (int v = 0; v < nodes; v++) {
      int id = first + v, o = v % nout;
      chance[id] = m->outcome_p[o] * (t > 0 ? chance[prev + v / nout] : 1.0);
      naryn__stage_lpdata x;
      naryn__stage_lpdata_get(p->stage[t], o, m->outcome_factor + (size_t)o * m->nnodes,
                              naryn__policy_base(p, t), &x);
      scale = x.scale;
      constant += chance[id] * x.constant;
      while (ncols + (size_t)x.ncols > cap || nrows + (size_t)x.nrows + (size_t)nstate > rcap) {
        cap *= 2, rcap *= 2;
        collo = realloc(collo, cap * sizeof *collo), colup = realloc(colup, cap * sizeof *colup);
        obj = realloc(obj, cap * sizeof *obj);
        rowlo = realloc(rowlo, rcap * sizeof *rowlo), rowup = realloc(rowup, rcap * sizeof *rowup);
        assert_true(collo && colup && obj && rowlo && rowup);
      }
      colat[id] = (int)ncols;
      for (int j = 0; j < x.ncols; j++) {
        for (int q = x.start[j]; q < x.start[j + 1]; q++)
          assert_true(
              naryn__trip_add(&tr, (int)nrows + x.index[q], (int)ncols + j, x.value[q]) >= 0);
        int future = j >= x.theta_col && j < x.theta_col + x.ntheta;
        collo[ncols + j] = future ? 0.0 : x.collo[j];
        colup[ncols + j] = future ? 0.0 : x.colup[j];
        obj[ncols + j] = chance[id] * x.obj[j];
      }
      for (int r = 0; r < x.nrows; r++)
        rowlo[nrows + r] = x.rowlo[r], rowup[nrows + r] = x.rowup[r];
      nrows += (size_t)x.nrows;
      /* Each state at the start (a reservoir's storage, a routed reach's
      ** rate) is the parent's at the end. */
      for (int k = 0; t > 0 && k < nstate; k++) {
        int in = naryn__stage_state_in_col(p->stage[t], k), at = colat[prev + v / nout];
        int col[NARYN__STATE_TERMS], row = (int)nrows++;
        double coef[NARYN__STATE_TERMS], c;
        int n = naryn__stage_state_out(p->stage[t - 1], k, col, coef, &c);
        collo[ncols + (size_t)in] = -INFINITY, colup[ncols + (size_t)in] = INFINITY;
        assert_true(naryn__trip_add(&tr, row, (int)ncols + in, 1.0) >= 0);
        for (int i = 0; i < n; i++)
          assert_true(naryn__trip_add(&tr, row, at + col[i], -coef[i]) >= 0);
        rowlo[row] = rowup[row] = c;
      }
      ncols += (size_t)x.ncols;
    }
    prev = first;
    first += nodes;
  }
  free(colat), free(chance);
  naryn_policy_free(p);
  naryn_diags_free(d);
  return tu_sddp_solve(&tr, (int)nrows, (int)ncols, collo, colup, obj, rowlo, rowup) * scale +
         constant;
}

#endif
