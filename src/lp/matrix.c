/*
** matrix.c: LP coefficient matrices gathered entry by entry.
**
** The simulator and the optimiser lay out their LPs node by node, so their
** coefficients arrive in row order; CLP takes them column by column. A
** triplet list collects (row, column, value) entries in any order and is
** then sorted into the column-major arrays CLP loads, remembering where
** each entry went so that a caller can change it in place later.
*/
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

int naryn__trip_add(naryn__triplets *t, int row, int col, double val) {
  if (t->n == t->cap) {
    int c = t->cap ? t->cap * 2 : 1024;
    int *r = realloc(t->row, (size_t)c * sizeof *r);
    if (r) t->row = r;
    int *k = realloc(t->col, (size_t)c * sizeof *k);
    if (k) t->col = k;
    double *v = realloc(t->val, (size_t)c * sizeof *v);
    if (v) t->val = v;
    if (!r || !k || !v) return -1;
    t->cap = c;
  }
  t->row[t->n] = row;
  t->col[t->n] = col;
  t->val[t->n] = val;
  return t->n++;
}

void naryn__trip_free(naryn__triplets *t) {
  free(t->row);
  free(t->col);
  free(t->val);
  memset(t, 0, sizeof *t);
}

int naryn__trip_columns(const naryn__triplets *t, int ncols, int **start,
                        int **index, double **value, int *where) {
  int *st = calloc((size_t)ncols + 1, sizeof *st);
  int *ix = malloc((size_t)t->n * sizeof *ix + 1);
  double *va = malloc((size_t)t->n * sizeof *va + 1);
  int *fill = malloc((size_t)ncols * sizeof *fill + 1);
  if (!st || !ix || !va || !fill) {
    free(st), free(ix), free(va), free(fill);
    return NARYN_ENOMEM;
  }
  for (int q = 0; q < t->n; q++) st[t->col[q] + 1]++;
  for (int j = 0; j < ncols; j++) st[j + 1] += st[j];
  memcpy(fill, st, (size_t)ncols * sizeof *fill);
  for (int q = 0; q < t->n; q++) {
    int pos = fill[t->col[q]]++;
    ix[pos] = t->row[q];
    va[pos] = t->val[q];
    if (where) where[q] = pos;
  }
  free(fill);
  *start = st;
  *index = ix;
  *value = va;
  return NARYN_OK;
}
