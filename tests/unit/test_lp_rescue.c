/*
** test_lp_rescue.c: a stage LP that CLP's presolve with Dantzig's rule
** ends falsely infeasible, solved all the same.
**
** tests/unit/data/stage-dantzig.mps is the stage LP of April of the
** built-in model's policy under models/naryn/scenarios/price-swings.yaml,
** as it stood when the 130th iteration's upper bound estimate failed on
** it (`naryn sddp --scenario price-swings --jobs 1 --passes 2`): 181 rows,
** with cuts whose constants and the box around the infinite bounds span
** ten orders of magnitude more than the stage's own rows. CLP's initial
** solve (presolve, then the dual simplex) with Dantzig's rule and no
** scaling, as naryn sets up a small LP it solves again and again, reports
** it infeasible; its default rule finds the optimum, 1,206,583.926 in the
** LP's units, as Debian's clp command does on the file
** (`clp stage-dantzig.mps -solve`). The LP is read here from the file (the
** names are R0000000..., C0000000..., so a name's digits are its index)
** and must be solved, by the first solve from scratch and by a warm
** solve after its bounds were set again, to that optimum.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"

#define FILE_NAME "tests/unit/data/stage-dantzig.mps"
#define OPTIMUM 1206583.926

typedef struct mps {
  int nrows, ncols;
  char *type;            /* [nrows] E, L or G */
  double *rhs, *range;   /* [nrows]; range NaN where none */
  double *obj, *collo, *colup;
  naryn__triplets tr;
} mps;

/* The index in a name such as R0000012 or C0000003. */
static int index_of(const char *name) { return atoi(name + 1); }

/* Reads the file's sections: ROWS, COLUMNS, RHS, RANGES and BOUNDS. */
static void read_mps(mps *q) {
  FILE *f = fopen(FILE_NAME, "r");
  assert_non_null(f);
  enum { NONE, ROWS, COLUMNS, RHS, RANGES, BOUNDS } sec = NONE;
  char line[256], a[64], b[64], c[64], d[64], e[64];
  int cap = 4096;
  q->type = calloc((size_t)cap, 1);
  q->rhs = calloc((size_t)cap, sizeof *q->rhs);
  q->range = calloc((size_t)cap, sizeof *q->range);
  q->obj = calloc((size_t)cap, sizeof *q->obj);
  q->collo = calloc((size_t)cap, sizeof *q->collo);
  q->colup = calloc((size_t)cap, sizeof *q->colup);
  assert_true(q->type && q->rhs && q->range && q->obj && q->collo && q->colup);
  for (int k = 0; k < cap; k++) q->range[k] = NAN, q->colup[k] = INFINITY;
  while (fgets(line, sizeof line, f)) {
    if (line[0] != ' ') {
      sec = strncmp(line, "ROWS", 4) == 0      ? ROWS
            : strncmp(line, "COLUMNS", 7) == 0 ? COLUMNS
            : strncmp(line, "RHS", 3) == 0     ? RHS
            : strncmp(line, "RANGES", 6) == 0  ? RANGES
            : strncmp(line, "BOUNDS", 6) == 0  ? BOUNDS
                                               : NONE;
      continue;
    }
    int n = sscanf(line, "%63s %63s %63s %63s %63s", a, b, c, d, e);
    if (sec == ROWS && n == 2 && a[0] != 'N') {
      int r = index_of(b);
      assert_true(r < cap);
      q->type[r] = a[0];
      if (r + 1 > q->nrows) q->nrows = r + 1;
    } else if (sec == COLUMNS && n >= 3) {
      int j = index_of(a);
      assert_true(j < cap);
      if (j + 1 > q->ncols) q->ncols = j + 1;
      for (int k = 0; k + 2 <= n - 1; k += 2) {
        const char *row = k ? d : b, *val = k ? e : c;
        if (strcmp(row, "OBJROW") == 0) q->obj[j] = strtod(val, NULL);
        else assert_true(naryn__trip_add(&q->tr, index_of(row), j, strtod(val, NULL)) >= 0);
      }
    } else if ((sec == RHS || sec == RANGES) && n >= 3) {
      if (strcmp(b, "OBJROW") == 0) continue;
      (sec == RHS ? q->rhs : q->range)[index_of(b)] = strtod(c, NULL);
    } else if (sec == BOUNDS && n >= 3) {
      int j = index_of(c);
      double v = n >= 4 ? strtod(d, NULL) : 0.0;
      if (strcmp(a, "UP") == 0) q->colup[j] = v;
      else if (strcmp(a, "LO") == 0) q->collo[j] = v;
      else if (strcmp(a, "FX") == 0) q->collo[j] = q->colup[j] = v;
      else if (strcmp(a, "MI") == 0) q->collo[j] = -INFINITY;
      else if (strcmp(a, "FR") == 0) q->collo[j] = -INFINITY, q->colup[j] = INFINITY;
      else fail_msg("a bound of kind %s", a);
    }
  }
  fclose(f);
}

/* Row r's bounds from its kind, right-hand side and range. */
static void row_bounds(const mps *q, int r, double *lo, double *up) {
  double b = q->rhs[r], g = q->range[r];
  if (q->type[r] == 'E') {
    *lo = *up = b;
    if (!isnan(g)) *(g > 0 ? up : lo) = b + g;
  } else if (q->type[r] == 'L') {
    *up = b;
    *lo = isnan(g) ? -INFINITY : b - fabs(g);
  } else {
    *lo = b;
    *up = isnan(g) ? INFINITY : b + fabs(g);
  }
}

static void test_solved(void **state) {
  (void)state;
  mps q = {0};
  read_mps(&q);
  assert_int_equal(q.nrows, 181);
  double *rowlo = malloc((size_t)q.nrows * sizeof *rowlo);
  double *rowup = malloc((size_t)q.nrows * sizeof *rowup);
  assert_true(rowlo && rowup);
  for (int r = 0; r < q.nrows; r++) row_bounds(&q, r, &rowlo[r], &rowup[r]);
  int *start, *index;
  double *value;
  assert_int_equal(naryn__trip_columns(&q.tr, q.ncols, &start, &index, &value, NULL), NARYN_OK);
  naryn__lp *lp = naryn__lp_new(q.nrows, q.ncols, start, index, value, q.collo, q.colup, q.obj,
                                rowlo, rowup);
  assert_non_null(lp);
  /* As a stage sets its LP up: the factorisation kept, Dantzig's rule. */
  assert_int_equal(naryn__lp_keep_factor(lp), NARYN_OK);
  long it = 0;
  assert_int_equal(naryn__lp_solve_initial(lp, &it), NARYN_OK);
  print_message("first solve %.6f in %ld iterations\n", naryn__lp_objective(lp), it);
  assert_true(fabs(naryn__lp_objective(lp) - OPTIMUM) <= 1e-6 * OPTIMUM);
  /* Warm, after the bounds are set again (as each solve of a stage
  ** does), from a basis forgotten. */
  naryn__lp_forget_basis(lp);
  assert_int_equal(naryn__lp_set_bounds(lp, q.collo, q.colup, rowlo, rowup), NARYN_OK);
  assert_int_equal(naryn__lp_solve(lp, &it), NARYN_OK);
  assert_true(fabs(naryn__lp_objective(lp) - OPTIMUM) <= 1e-6 * OPTIMUM);
  naryn__lp_free(lp);
  naryn__trip_free(&q.tr);
  free(start), free(index), free(value), free(rowlo), free(rowup);
  free(q.type), free(q.rhs), free(q.range), free(q.obj), free(q.collo), free(q.colup);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_solved),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
