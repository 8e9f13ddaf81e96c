/*
** record.c: a monthly record of flows at one or more sites, the input of a
** synthetic-inflow fit.
**
** The record is a CSV file with a column "date" and a column of flows
** (m3/s, monthly means) per site. Every month from the first row to the
** last is given once and in order: a fit needs the months next to each
** other, so a gap is an error rather than something filled silently. Flows
** must be numbers > 0, since the fit works on their logarithms.
**
** A record may be rescaled before it is fitted (naryn__record_rescale):
** each site's log-flow anomalies are raised to a power k and the months
** scaled back to given means, so that the record keeps its sequence of wet
** and dry months and years but takes another river's monthly means and
** coefficient of variation of water-year volumes. This is how the built-in
** model lends the long Chirchik basin record to rivers that have none.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

const char *const naryn__month_names[12] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};

int naryn__month_days(int t) {
  return naryn__date_month_days(t / 12, t % 12 + 1);
}

static void month_label(int t, char *buf, size_t size) {
  snprintf(buf, size, "%04d-%02d", t / 12, t % 12 + 1);
}

/* Splits the --sites list into names and columns. */
static int parse_sites(const char *sites, const naryn__csv *t, int dc, int header_line,
                       naryn__record *out, naryn__arena *a, naryn_diags *d) {
  int n = 0;
  if (!sites) {
    out->name = naryn__arena_alloc(a, (size_t)t->ncols * sizeof *out->name);
    out->column = naryn__arena_alloc(a, (size_t)t->ncols * sizeof *out->column);
    if (!out->name || !out->column) goto oom;
    for (int c = 0; c < t->ncols; c++)
      if (c != dc) out->name[n] = out->column[n] = t->header[c], n++;
  } else {
    int cap = 1;
    for (const char *p = sites; *p; p++) cap += *p == ',';
    out->name = naryn__arena_alloc(a, (size_t)cap * sizeof *out->name);
    out->column = naryn__arena_alloc(a, (size_t)cap * sizeof *out->column);
    if (!out->name || !out->column) goto oom;
    const char *p = sites;
    for (;;) {
      const char *end = strchr(p, ',');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      char *item = naryn__arena_strndup(a, p, len);
      if (!item) goto oom;
      char *eq = strchr(item, '=');
      const char *name = item, *column = item;
      if (eq) *eq = '\0', column = eq + 1;
      if (!*name || !*column)
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--sites",
                           "expected NAME or NAME=COLUMN between commas, got \"%.60s\"",
                           sites), -1;
      for (int k = 0; k < n; k++)
        if (strcmp(out->name[k], name) == 0)
          return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--sites",
                             "expected each site once, got \"%.60s\" twice", name), -1;
      out->name[n] = name, out->column[n] = column, n++;
      if (!end) break;
      p = end + 1;
    }
  }
  if (n == 0)
    return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, header_line, 1, NULL,
                       "expected a column of flows beside \"date\", got none"), -1;
  out->nsites = n;
  return 0;
oom:
  naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return -1;
}

int naryn__record_read(const char *path, const char *sites, naryn__arena *a,
                       naryn__record *out, naryn_diags *d) {
  memset(out, 0, sizeof *out);
  naryn__csv *t = naryn__csv_read_delim(path, 0, a, d);
  if (!t) return -1;
  out->file = t->file;
  int dc = naryn__csv_column(t, "date");
  int header_line = t->nrows ? t->row_line[0] - 1 : 1;
  if (dc < 0)
    return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, header_line, 1, NULL,
                       "expected a column \"date\" (YYYY-MM) in the record's header"), -1;
  if (parse_sites(sites, t, dc, header_line, out, a, d) != 0) return -1;
  int *col = naryn__arena_alloc(a, (size_t)out->nsites * sizeof *col);
  if (!col) goto oom;
  for (int s = 0; s < out->nsites; s++) {
    col[s] = naryn__csv_column(t, out->column[s]);
    if (col[s] < 0 || col[s] == dc) {
      char list[512] = "";
      size_t len = 0;
      for (int c = 0; c < t->ncols && len + 4 < sizeof list; c++)
        if (c != dc)
          len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                  t->header[c]);
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, path, header_line, 1, "--sites",
                         "expected a column of the record, got \"%s\" (its columns: %s)",
                         out->column[s], list), -1;
    }
  }
  if (t->nrows == 0)
    return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, header_line, 1,
                       "column \"date\"", "expected a row per month, got none"), -1;
  out->months = t->nrows;
  out->q = naryn__arena_alloc(a, (size_t)out->nsites * (size_t)t->nrows * sizeof *out->q);
  if (!out->q) goto oom;
  int prev = 0;
  for (int row = 0; row < t->nrows; row++) {
    const char *cell = t->cells[(size_t)row * t->ncols + dc];
    int line = t->row_line[row], colno = t->cell_col[(size_t)row * t->ncols + dc];
    int y, m, day;
    if (naryn__date_parse(cell, strlen(cell), 1, &y, &m, &day) != 0 ||
        (day != 1 && day != naryn__date_month_days(y, m)))
      return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line, colno, "column \"date\"",
                         "expected a month as YYYY-MM (or its first or last day), got \"%.40s\"",
                         cell), -1;
    int k = y * 12 + m - 1;
    if (row == 0) {
      out->start = k;
    } else if (k != prev + 1) {
      char want[16], got[16], last[16];
      month_label(prev + 1, want, sizeof want);
      month_label(k, got, sizeof got);
      month_label(k - 1, last, sizeof last);
      if (k <= prev)
        return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line, colno,
                           "column \"date\"",
                           "expected %s (the months in order, each once), got %s", want, got),
               -1;
      /* The month wanted may come later: the rows are out of order. */
      for (int later = row + 1; later < t->nrows; later++) {
        const char *c2 = t->cells[(size_t)later * t->ncols + dc];
        int y2, m2, d2;
        if (naryn__date_parse(c2, strlen(c2), 1, &y2, &m2, &d2) == 0 && y2 * 12 + m2 - 1 == prev + 1)
          return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line, colno,
                             "column \"date\"",
                             "expected %s, got %s: the months are out of order (%s is on line %d)",
                             want, got, want, t->row_line[later]), -1;
      }
      if (k == prev + 2)
        return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line, colno,
                           "column \"date\"",
                           "expected %s, got %s: the record has a gap (%s missing); a fit needs "
                           "every month",
                           want, got, want), -1;
      return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line, colno, "column \"date\"",
                         "expected %s, got %s: the record has a gap (%s to %s missing); a fit "
                         "needs every month",
                         want, got, want, last), -1;
    }
    prev = k;
    for (int s = 0; s < out->nsites; s++) {
      double v;
      if (naryn__csv_number(t, row, col[s], &v, d) != 0) return -1;
      if (!(v > 0)) {
        char where[160];
        snprintf(where, sizeof where, "column \"%s\"", out->column[s]);
        return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line,
                           t->cell_col[(size_t)row * t->ncols + col[s]], where,
                           "expected a flow > 0 m3/s (the fit works on logarithms of flows), "
                           "got %s",
                           t->cells[(size_t)row * t->ncols + col[s]]), -1;
      }
      out->q[(size_t)s * t->nrows + row] = v;
    }
  }
  out->last_line = t->row_line[t->nrows - 1];
  return 0;
oom:
  naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return -1;
}

/* ====================================================================== */
/* Rescaling to another river's statistics                                 */
/* ====================================================================== */

/* The coefficient of variation of the water-year volumes of q (months
** from month index 'start'), complete water years only, with the standard
** deviation divided by n - 1 as the validation computes it; NaN for fewer
** than two. */
static double annual_cv(const double *q, int start, int months) {
  double sum = 0, sum2 = 0;
  int years = 0;
  int first = 0;
  while (first < months && (start + first) % 12 != NARYN__WATER_YEAR_MONTH) first++;
  for (int y0 = first; y0 + 12 <= months; y0 += 12) {
    double v = 0;
    for (int k = 0; k < 12; k++) v += q[y0 + k] * naryn__month_days(start + y0 + k);
    sum += v, sum2 += v * v, years++;
  }
  if (years < 2) return NAN;
  double mean = sum / years, var = (sum2 - years * mean * mean) / (years - 1);
  return sqrt(var > 0 ? var : 0) / mean;
}

/* Site s's record with its log anomalies raised to the power k and each
** month scaled to the wanted mean, written into out. */
static void rescaled(const double *q, int start, int months, const double *want, double k,
                     double *out) {
  for (int m = 0; m < 12; m++) {
    double lsum = 0, esum = 0;
    int n = 0;
    for (int t = 0; t < months; t++)
      if ((start + t) % 12 == m) lsum += log(q[t]), n++;
    if (n == 0) continue;
    double lmean = lsum / n;
    for (int t = 0; t < months; t++)
      if ((start + t) % 12 == m) esum += out[t] = exp(k * (log(q[t]) - lmean));
    double scale = want[m] / (esum / n);
    for (int t = 0; t < months; t++)
      if ((start + t) % 12 == m) out[t] *= scale;
  }
}

int naryn__record_rescale(naryn__record *rec, const char *stats, naryn__inflow_site *sites,
                          naryn__arena *a, naryn_diags *d) {
  naryn__csv *t = naryn__csv_read_delim(stats, 0, a, d);
  if (!t) return -1;
  int cs = naryn__csv_column(t, "series"), ccv = naryn__csv_column(t, "cv_annual");
  int cm[12];
  int missing = cs < 0 || ccv < 0;
  for (int m = 0; m < 12; m++) missing |= (cm[m] = naryn__csv_column(t, naryn__month_names[m])) < 0;
  int header_line = t->nrows ? t->row_line[0] - 1 : 1;
  if (missing)
    return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, stats, header_line, 1, NULL,
                       "expected the columns series, cv_annual and jan to dec"), -1;
  double *tmp = naryn__arena_alloc(a, (size_t)rec->months * sizeof *tmp);
  if (!tmp) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    return -1;
  }
  for (int s = 0; s < rec->nsites; s++) {
    int row = -1;
    for (int r = 0; r < t->nrows && row < 0; r++)
      if (strcmp(t->cells[(size_t)r * t->ncols + cs], rec->name[s]) == 0) row = r;
    if (row < 0)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, stats, header_line, 1, "--rescale",
                         "expected a row for the site \"%s\", got none", rec->name[s]), -1;
    double cv, want[12];
    if (naryn__csv_number(t, row, ccv, &cv, d) != 0) return -1;
    int bad_col = cv > 0 && cv < 2 ? -1 : ccv;
    for (int m = 0; m < 12 && bad_col < 0; m++) {
      if (naryn__csv_number(t, row, cm[m], &want[m], d) != 0) return -1;
      if (!(want[m] > 0)) bad_col = cm[m];
    }
    if (bad_col >= 0)
      return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, stats, t->row_line[row],
                         t->cell_col[(size_t)row * t->ncols + bad_col], t->header[bad_col],
                         "expected a number > 0 (and a CV below 2), got %s",
                         t->cells[(size_t)row * t->ncols + bad_col]), -1;
    /* The CV grows with k; find the k that gives the wanted one. */
    double *q = rec->q + (size_t)s * rec->months;
    double lo = 0.01, hi = 8.0;
    rescaled(q, rec->start, rec->months, want, lo, tmp);
    double cv_lo = annual_cv(tmp, rec->start, rec->months);
    rescaled(q, rec->start, rec->months, want, hi, tmp);
    double cv_hi = annual_cv(tmp, rec->start, rec->months);
    if (!(cv_lo <= cv && cv <= cv_hi))
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, stats, t->row_line[row],
                         t->cell_col[(size_t)row * t->ncols + ccv], "cv_annual",
                         "expected a CV the record of \"%s\" can be rescaled to (%.3f to %.3f; "
                         "it needs two whole water years), got %g",
                         rec->name[s], cv_lo, cv_hi, cv), -1;
    for (int it = 0; it < 100 && hi - lo > 1e-12; it++) {
      double mid = 0.5 * (lo + hi);
      rescaled(q, rec->start, rec->months, want, mid, tmp);
      if (annual_cv(tmp, rec->start, rec->months) < cv) lo = mid;
      else hi = mid;
    }
    double k = 0.5 * (lo + hi);
    rescaled(q, rec->start, rec->months, want, k, tmp);
    memcpy(q, tmp, (size_t)rec->months * sizeof *q);
    sites[s].rescale_file = naryn__arena_strdup(a, stats);
    sites[s].rescale_cv = cv;
    sites[s].rescale_power = k;
    if (!sites[s].rescale_file) {
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      return -1;
    }
  }
  return 0;
}
