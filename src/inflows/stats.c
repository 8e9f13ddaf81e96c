/*
** stats.c: the validation of a synthetic-inflow fit, the record beside a
** long series drawn from it (doc/inflows.md, "Validation").
**
** For each site and calendar month: the mean and the standard deviation
** (divided by n - 1) of the flows, their skew (the third central moment
** over the second to the power 1.5, both divided by n) and the correlation
** of the month's flow with the month before (January with the December
** before it). For each site, over water years (October to September, whole
** years only): the volumes' mean, coefficient of variation, lag-one
** correlation and percentiles (linear between order statistics: the p-th
** of n sorted values is at rank (n - 1) p), and the droughts: runs of
** consecutive years below the record's median volume, with their number
** per 100 years, mean and longest length, and mean and largest deficit
** (the sum over the run of the median less the year's volume). For each
** pair of sites: the correlation of their flows per calendar month and of
** their water-year volumes.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

typedef struct vrow {
  const char *site, *statistic, *period;
  double history, synthetic;
} vrow;

struct naryn_inflow_validation {
  naryn__arena *a;
  vrow *rows;
  int n, cap;
  int history_years, synthetic_years;
};

/* A series of monthly flows: site-major, 'months' from month index start. */
typedef struct series {
  const double *q;
  int start, months;
} series;

static const double *site_q(const series *x, int s) { return x->q + (size_t)s * x->months; }

/* Mean, sd (n - 1), skew and lag-one correlation of month m's flows. */
static void month_stats(const series *x, int s, int m, double out[4]) {
  const double *q = site_q(x, s);
  double sum = 0, n = 0;
  for (int t = 0; t < x->months; t++)
    if ((x->start + t) % 12 == m) sum += q[t], n++;
  double mean = sum / n, m2 = 0, m3 = 0;
  for (int t = 0; t < x->months; t++)
    if ((x->start + t) % 12 == m) {
      double e = q[t] - mean;
      m2 += e * e, m3 += e * e * e;
    }
  out[0] = mean;
  out[1] = n > 1 ? sqrt(m2 / (n - 1)) : NAN;
  out[2] = m2 > 0 ? (m3 / n) / pow(m2 / n, 1.5) : NAN;
  /* Pairs (this month, the month before). */
  double sa = 0, sb = 0, k = 0;
  for (int t = 1; t < x->months; t++)
    if ((x->start + t) % 12 == m) sa += q[t], sb += q[t - 1], k++;
  double ma = sa / k, mb = sb / k, cab = 0, caa = 0, cbb = 0;
  for (int t = 1; t < x->months; t++)
    if ((x->start + t) % 12 == m) {
      double ea = q[t] - ma, eb = q[t - 1] - mb;
      cab += ea * eb, caa += ea * ea, cbb += eb * eb;
    }
  out[3] = caa > 0 && cbb > 0 ? cab / sqrt(caa * cbb) : NAN;
}

/* The water-year volumes (km3) of site s; returns how many. */
static int annual(const series *x, int s, double *v) {
  const double *q = site_q(x, s);
  int first = 0, n = 0;
  while (first < x->months && (x->start + first) % 12 != NARYN__WATER_YEAR_MONTH) first++;
  for (int y0 = first; y0 + 12 <= x->months; y0 += 12) {
    double vol = 0;
    for (int k = 0; k < 12; k++) vol += q[y0 + k] * naryn__month_days(x->start + y0 + k) * 86400.0;
    v[n++] = vol / 1e9;
  }
  return n;
}

static double corr(const double *a, const double *b, int n) {
  double ma = 0, mb = 0, cab = 0, caa = 0, cbb = 0;
  for (int i = 0; i < n; i++) ma += a[i] / n, mb += b[i] / n;
  for (int i = 0; i < n; i++) {
    cab += (a[i] - ma) * (b[i] - mb);
    caa += (a[i] - ma) * (a[i] - ma);
    cbb += (b[i] - mb) * (b[i] - mb);
  }
  return caa > 0 && cbb > 0 ? cab / sqrt(caa * cbb) : NAN;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The p-th quantile of n sorted values. */
static double quantile(const double *sorted, int n, double p) {
  if (n == 0) return NAN;
  double h = (n - 1) * p;
  int lo = (int)floor(h);
  int hi = lo + 1 < n ? lo + 1 : lo;
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/* Droughts of n volumes against 'level': per 100 years, mean and longest
** length, mean and largest deficit. */
static void droughts(const double *v, int n, double level, double out[5]) {
  int runs = 0, longest = 0, len = 0;
  double total_len = 0, deficit = 0, total_def = 0, largest = 0;
  for (int i = 0; i <= n; i++) {
    if (i < n && v[i] < level) {
      len++;
      deficit += level - v[i];
      continue;
    }
    if (len > 0) {
      runs++;
      total_len += len, total_def += deficit;
      if (len > longest) longest = len;
      if (deficit > largest) largest = deficit;
    }
    len = 0, deficit = 0;
  }
  out[0] = n ? 100.0 * runs / n : NAN;
  out[1] = runs ? total_len / runs : 0;
  out[2] = longest;
  out[3] = runs ? total_def / runs : 0;
  out[4] = largest;
}

static int add(naryn_inflow_validation *v, const char *site, const char *statistic,
               const char *period, double h, double s) {
  if (v->n == v->cap) {
    vrow *r = naryn__grow(v->rows, &v->cap, v->n + 1, sizeof *r);
    if (!r) return -1;
    v->rows = r;
  }
  v->rows[v->n++] = (vrow){site, statistic, period, h, s};
  return 0;
}

static const char *const annual_periods[] = {"mean", "min", "p05", "p10", "p25", "p50",
                                             "p75", "p90", "p95", "max"};
static const double annual_p[] = {0, 0, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 1};
static const char *const drought_stats[] = {"drought_per_100y", "drought_mean_years",
                                            "drought_longest_years", "drought_mean_deficit_km3",
                                            "drought_largest_deficit_km3"};

static int compare(naryn_inflow_validation *v, const naryn_inflow_fit *f, const series *x) {
  int n = f->nsites;
  int ymax = x[0].months / 12 > x[1].months / 12 ? x[0].months / 12 : x[1].months / 12;
  double *vol = malloc((size_t)4 * n * (ymax + 1) * sizeof *vol);
  double *pa = malloc((size_t)2 * (ymax + 1) * sizeof *pa);
  if (!vol || !pa) goto oom;
  int ny[2] = {0, 0};
  for (int k = 0; k < 2; k++)
    for (int s = 0; s < n; s++) ny[k] = annual(&x[k], s, vol + ((size_t)k * n + s) * (ymax + 1));
  v->history_years = ny[0], v->synthetic_years = ny[1];
  for (int s = 0; s < n; s++) {
    const char *name = f->site[s].name;
    static const char *const mstat[] = {"mean_m3s", "sd_m3s", "skew", "lag1"};
    for (int st = 0; st < 4; st++)
      for (int m = 0; m < 12; m++) {
        double h[4], y[4];
        month_stats(&x[0], s, m, h);
        month_stats(&x[1], s, m, y);
        if (add(v, name, mstat[st], naryn__month_names[m], h[st], y[st])) goto oom;
      }
    double *sorted[2], stat[2][10], dr[2][5], cv[2], lag[2];
    for (int k = 0; k < 2; k++) {
      double *a = vol + ((size_t)k * n + s) * (ymax + 1);
      sorted[k] = vol + ((size_t)(2 + k) * n + s) * (ymax + 1);
      memcpy(sorted[k], a, (size_t)ny[k] * sizeof *a);
      qsort(sorted[k], (size_t)ny[k], sizeof *a, cmp_double);
      double mean = 0, var = 0;
      for (int i = 0; i < ny[k]; i++) mean += a[i] / ny[k];
      for (int i = 0; i < ny[k]; i++) var += (a[i] - mean) * (a[i] - mean) / (ny[k] - 1);
      stat[k][0] = mean;
      for (int p = 1; p < 10; p++) stat[k][p] = quantile(sorted[k], ny[k], annual_p[p]);
      cv[k] = ny[k] > 1 ? sqrt(var) / mean : NAN;
      lag[k] = ny[k] > 2 ? corr(a, a + 1, ny[k] - 1) : NAN;
    }
    double level = quantile(sorted[0], ny[0], 0.5);
    for (int k = 0; k < 2; k++) droughts(vol + ((size_t)k * n + s) * (ymax + 1), ny[k], level, dr[k]);
    for (int p = 0; p < 10; p++)
      if (add(v, name, "annual_km3", annual_periods[p], stat[0][p], stat[1][p])) goto oom;
    if (add(v, name, "annual_cv", "year", cv[0], cv[1]) ||
        add(v, name, "annual_lag1", "year", lag[0], lag[1]))
      goto oom;
    for (int k = 0; k < 5; k++)
      if (add(v, name, drought_stats[k], "year", dr[0][k], dr[1][k])) goto oom;
  }
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++) {
      const char *pair = naryn__arena_printf(v->a, "%s:%s", f->site[i].name, f->site[j].name);
      if (!pair) goto oom;
      for (int m = 0; m <= 12; m++) {
        double c[2];
        for (int k = 0; k < 2; k++) {
          if (m == 12) {
            c[k] = corr(vol + ((size_t)k * n + i) * (ymax + 1), vol + ((size_t)k * n + j) * (ymax + 1),
                        ny[k]);
            continue;
          }
          int cnt = 0;
          for (int t = 0; t < x[k].months; t++)
            if ((x[k].start + t) % 12 == m) {
              pa[cnt] = site_q(&x[k], i)[t];
              pa[ymax + 1 + cnt] = site_q(&x[k], j)[t];
              cnt++;
            }
          c[k] = corr(pa, pa + ymax + 1, cnt);
        }
        if (add(v, pair, "corr", m == 12 ? "year" : naryn__month_names[m], c[0], c[1])) goto oom;
      }
    }
  free(vol), free(pa);
  return 0;
oom:
  free(vol), free(pa);
  return -1;
}

int naryn_inflow_validate(const naryn_inflow_fit *f, int years, uint64_t seed,
                          naryn_inflow_validation **out, naryn_diags *d) {
  *out = NULL;
  if (f->rec_months == 0 || !f->rec)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected a fit that holds its record (one just made, or a kirsch fit), "
                       "got a PAR fit read from a file");
  if (years < 3 || years > 1000000)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--validate-years",
                       "expected from 3 to 1000000 years, got %d", years);
  naryn_inflow_validation *v = calloc(1, sizeof *v);
  double *syn = malloc((size_t)f->nsites * years * 12 * sizeof *syn);
  if (v) v->a = naryn__arena_new();
  if (!v || !v->a || !syn) goto oom;
  char start[16];
  snprintf(start, sizeof start, "%04d-10", f->rec_start / 12 < 1 ? 1 : f->rec_start / 12);
  int rc = naryn_inflow_generate(f, seed, 0, start, years * 12, syn, d);
  if (rc != NARYN_OK) {
    free(syn);
    naryn_inflow_validation_free(v);
    return rc;
  }
  int t0;
  naryn__month_parse(start, &t0);
  series x[2] = {{f->rec, f->rec_start, f->rec_months}, {syn, t0, years * 12}};
  if (compare(v, f, x) != 0) goto oom;
  free(syn);
  *out = v;
  return NARYN_OK;
oom:
  free(syn);
  naryn_inflow_validation_free(v);
  return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

void naryn_inflow_validation_free(naryn_inflow_validation *v) {
  if (!v) return;
  naryn__arena_free(v->a);
  free(v->rows);
  free(v);
}

int naryn_inflow_validation_rows(const naryn_inflow_validation *v) { return v ? v->n : 0; }

int naryn_inflow_validation_row(const naryn_inflow_validation *v, int i, const char **site,
                                const char **statistic, const char **period, double *history,
                                double *synthetic) {
  if (!v || i < 0 || i >= v->n) return -1;
  const vrow *r = &v->rows[i];
  if (site) *site = r->site;
  if (statistic) *statistic = r->statistic;
  if (period) *period = r->period;
  if (history) *history = r->history;
  if (synthetic) *synthetic = r->synthetic;
  return 0;
}

void naryn_inflow_validation_years(const naryn_inflow_validation *v, int *history_years,
                                   int *synthetic_years) {
  if (history_years) *history_years = v ? v->history_years : 0;
  if (synthetic_years) *synthetic_years = v ? v->synthetic_years : 0;
}

int naryn_inflow_validation_write(const naryn_inflow_validation *v, const char *path,
                                  naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  naryn__outfile *o = naryn__outfile_open(path, d);
  if (!o) return naryn__diags_status(d, mark, NARYN_EIO);
  naryn__outfile_printf(o, "site,statistic,period,history,synthetic\n");
  for (int i = 0; i < v->n; i++) {
    const vrow *r = &v->rows[i];
    naryn__outfile_printf(o, "%s,%s,%s,%.6g,%.6g\n", r->site, r->statistic, r->period,
                          r->history, r->synthetic);
  }
  return naryn__diags_status(d, mark, naryn__outfile_commit(o, d));
}
