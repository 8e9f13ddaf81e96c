/*
** kirsch.c: the Kirsch-Nowak generator, which resamples the record instead
** of fitting a distribution to it.
**
** The record's whole calendar years are kept. Each site's flows are
** transformed (log or Box-Cox) and standardised per calendar month, giving
** a matrix Z of years by 12 months per site. A synthetic year is first a
** row of values taken from random years of Z, a year drawn independently
** for each month but the same for every site, so that the sites keep
** their correlation; this row has the record's margins but no correlation
** between months. Multiplying it by the upper Cholesky factor U of the
** correlation of Z's 12 columns (Z'Z = U'U) gives it the record's
** correlation between the months of a year.
**
** That leaves December and January uncorrelated, since they fall in
** different rows. So the same resampled rows are also read shifted by six
** months, July to June, and multiplied by the factor U6 of the correlation
** of the record read the same way. A synthetic calendar year takes its
** January to June from the shifted product (which holds the December to
** January correlation) and its July to December from the plain one (which
** holds June to July); the two share the resampled values they are made
** of, so the months where they meet stay correlated too.
**
** Nothing carries from one year to the next but through those shared
** values: multi-year droughts longer than the record's are not made up,
** and the years' order in the record is not kept.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

int naryn__kirsch_fit(naryn_inflow_fit *f, naryn_diags *d) {
  int first = f->rec_start;
  while (first % 12 != 0) first++;
  /* At least 3, checked with the record. */
  int years = (f->rec_start + f->rec_months - first) / 12;
  int n = f->nsites;
  f->hist_year0 = first / 12;
  f->hist_years = years;
  f->hist = naryn__arena_alloc(f->a, (size_t)n * years * 12 * sizeof *f->hist);
  if (!f->hist)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory"), -1;
  for (int s = 0; s < n; s++)
    memcpy(f->hist + (size_t)s * years * 12,
           f->rec + (size_t)s * f->rec_months + (first - f->rec_start),
           (size_t)years * 12 * sizeof *f->hist);
  return 0;
}

/* Pearson correlation of the 12 columns of 'rows' rows of 12 (row-major). */
static void correlation(const double *x, int rows, double *r) {
  double mean[12] = {0}, sd[12] = {0};
  for (int y = 0; y < rows; y++)
    for (int i = 0; i < 12; i++) mean[i] += x[y * 12 + i] / rows;
  for (int i = 0; i < 12; i++) {
    for (int y = 0; y < rows; y++) sd[i] += (x[y * 12 + i] - mean[i]) * (x[y * 12 + i] - mean[i]);
    sd[i] = sqrt(sd[i]);
  }
  for (int i = 0; i < 12; i++)
    for (int j = 0; j < 12; j++) {
      double c = 0;
      for (int y = 0; y < rows; y++) c += (x[y * 12 + i] - mean[i]) * (x[y * 12 + j] - mean[j]);
      r[i * 12 + j] = sd[i] > 0 && sd[j] > 0 ? c / (sd[i] * sd[j]) : (i == j);
    }
}

int naryn__kirsch_prepare(naryn_inflow_fit *f, naryn_diags *d) {
  int n = f->nsites, years = f->hist_years;
  f->z = naryn__arena_alloc(f->a, (size_t)n * years * 12 * sizeof *f->z);
  f->u = naryn__arena_alloc(f->a, (size_t)n * 144 * sizeof *f->u);
  f->u6 = naryn__arena_alloc(f->a, (size_t)n * 144 * sizeof *f->u6);
  double *shift = malloc((size_t)(years - 1) * 12 * sizeof *shift);
  if (!f->z || !f->u || !f->u6 || !shift) {
    free(shift);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory"), -1;
  }
  for (int s = 0; s < n; s++) {
    const naryn__inflow_site *site = &f->site[s];
    double *z = f->z + (size_t)s * years * 12;
    for (int y = 0; y < years; y++)
      for (int m = 0; m < 12; m++) {
        double q = f->hist[((size_t)s * years + y) * 12 + m];
        z[y * 12 + m] = (naryn__inflow_fwd(q, site->lambda[m]) - site->mu[m]) / site->sd[m];
      }
    for (int y = 0; y + 1 < years; y++)
      for (int m = 0; m < 12; m++) shift[y * 12 + m] = m < 6 ? z[y * 12 + m + 6] : z[(y + 1) * 12 + m - 6];
    double r[144];
    correlation(z, years, r);
    naryn__chol_psd(r, 12, f->u + (size_t)s * 144);
    correlation(shift, years - 1, r);
    naryn__chol_psd(r, 12, f->u6 + (size_t)s * 144);
  }
  free(shift);
  return 0;
}

int naryn__kirsch_draw(const naryn_inflow_fit *f, naryn__rng *r, int start, int months,
                       double *z) {
  int n = f->nsites, years = f->hist_years;
  int y0 = start / 12, ny = (start + months - 1) / 12 - y0 + 1;
  /* Resampled rows 0 .. ny: for each month the record year it comes from,
  ** drawn row after row so that a longer series begins as a shorter one. */
  long *pick = malloc((size_t)(ny + 1) * 12 * sizeof *pick);
  double *c = malloc((size_t)(ny + 1) * 12 * sizeof *c);
  if (!pick || !c) {
    free(pick), free(c);
    return -1;
  }
  for (int k = 0; k < (ny + 1) * 12; k++) pick[k] = naryn__rng_below(r, years);
  for (int s = 0; s < n; s++) {
    const double *zs = f->z + (size_t)s * years * 12;
    const double *l = f->u + (size_t)s * 144, *l6 = f->u6 + (size_t)s * 144;
    for (int k = 0; k < (ny + 1) * 12; k++) c[k] = zs[pick[k] * 12 + k % 12];
    for (int t = 0; t < months; t++) {
      int k = (start + t) / 12 - y0, m = (start + t) % 12;
      double v = 0;
      if (m < 6) {
        /* Shifted row k: July-December of row k, then January-June of row
        ** k + 1; month m is its element 6 + m. */
        int j = 6 + m;
        for (int i = 0; i <= j; i++)
          v += l6[j * 12 + i] * (i < 6 ? c[k * 12 + i + 6] : c[(k + 1) * 12 + i - 6]);
      } else {
        for (int i = 0; i <= m; i++) v += l[m * 12 + i] * c[(k + 1) * 12 + i];
      }
      z[(size_t)s * months + t] = v;
    }
  }
  free(pick), free(c);
  return 0;
}
