/*
** distrib.c: the distributions a report draws beside its means: duration
** curves (a value against the share of steps in which it is reached or
** exceeded) and each month's spread over the years (lowest, median and
** highest), so that a 30-year mean does not hide the dry years.
*/
#include <math.h>
#include <stdlib.h>

#include "../naryn_int.h"

static int ascending(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double naryn__quantile_sorted(const double *v, int n, double q) {
  if (n <= 0) return NAN;
  double at = q * (n - 1);
  int k = (int)floor(at);
  if (k >= n - 1) return v[n - 1];
  if (k < 0) return v[0];
  return v[k] + (at - k) * (v[k + 1] - v[k]);
}

void naryn__duration(double *v, int n, int npts, double *pct, double *y) {
  qsort(v, (size_t)n, sizeof *v, ascending);
  for (int k = 0; k < npts; k++) {
    pct[k] = 100.0 * k / (npts - 1);
    /* Reached or exceeded in pct % of the steps: the (1 - pct) quantile. */
    y[k] = naryn__quantile_sorted(v, n, 1.0 - pct[k] / 100.0);
  }
}

int naryn__month_spread(const double *v, const int *month, int n, double lo[12],
                        double mid[12], double hi[12], int count[12]) {
  double *buf = malloc((size_t)(n > 0 ? n : 1) * sizeof *buf);
  if (!buf) return NARYN_ENOMEM;
  for (int m = 0; m < 12; m++) {
    int k = 0;
    for (int i = 0; i < n; i++)
      if (month[i] == m) buf[k++] = v[i];
    count[m] = k;
    qsort(buf, (size_t)k, sizeof *buf, ascending);
    lo[m] = k ? buf[0] : NAN;
    hi[m] = k ? buf[k - 1] : NAN;
    mid[m] = naryn__quantile_sorted(buf, k, 0.5);
  }
  free(buf);
  return NARYN_OK;
}
