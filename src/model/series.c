/*
** series.c: a time-varying field read from a column of a CSV file (a "CSV
** series", doc/model-format.md, section 7).
**
** A file gives a row per day or a row per month, and its dates tell which:
** a row per month is dated YYYY-MM, or the first, or the last day of each
** month (pandas writes month ends); any other day makes it a row per day.
** The series may say which with "step". The horizon may be the other way
** round:
**
**   a daily file on a monthly horizon gives each month the mean of its
**   days for a rate, their sum for a volume, and the last day's value for
**   an end-of-step target;
**   a monthly file on a daily horizon spreads each month over its days as
**   twelve monthly values do (section 6): a rate holds on every day, a
**   volume is split evenly over the days, and an end-of-month target is
**   interpolated day by day from the end of the month before (the month's
**   own value throughout when the file has no row for the month before);
**   on a horizon of N-day steps (weekly, "N days") a daily file gives each
**   step the mean, sum or last value of its days as it gives a month, and
**   a monthly file is spread over the days as on a daily horizon and each
**   step made from its days (naryn__step_from_months).
**
** Every row the horizon needs ("slot": a day or a month of the file's own
** kind) must be given once. Rows that are missing are listed in one
** message, unless the series fills them: "fill" fills the gaps between its
** first and last row (interpolate, previous, monthly_means) and "fallback:
** monthly_means" the part of the horizon before its first row or after its
** last; with either, an empty cell counts as a missing row. The monthly
** means are those of every row of the file, inside the horizon or not. A
** fill is told in a note that lists the rows it made up.
**
** An observed series (the form has NARYN__TS_GAPS) may miss rows and leave
** cells empty: those steps are NaN, not observed. A month or a step made
** from days is then the mean of the days observed (the last day for a
** target).
**
** The file may be separated by commas, semicolons or tabs ("delimiter",
** else found from its header line), and in a file not separated by commas
** a value may have a decimal comma ("decimal" says which mark the column
** uses; without it either, but one throughout the column).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

enum { FILL_NONE, FILL_INTERPOLATE, FILL_PREVIOUS, FILL_MEANS };

/* The slots of a series on the horizon: months (base a month index
** y * 12 + month - 1) or days (base a day number), n of them; slot 0 is
** optional when 'opt0' (the month before a daily horizon, for a target). */
typedef struct slots {
  int monthly;
  long base;
  int n, opt0;
  int *row;     /* [n] the row of each slot, -1 when missing */
  double *v;    /* [n] its value */
} slots;

static long month_index(int y, int mo) { return y * 12L + (mo - 1); }

/* "YYYY-MM" or "YYYY-MM-DD" of slot k. */
static const char *slot_label(const slots *s, int k, char *buf, size_t size) {
  int y, mo, dd;
  if (s->monthly) {
    long mi = s->base + k;
    snprintf(buf, size, "%04d-%02d", (int)(mi / 12), (int)(mi % 12) + 1);
  } else {
    naryn__date_ymd(s->base + k, &y, &mo, &dd);
    snprintf(buf, size, "%04d-%02d-%02d", y, mo, dd);
  }
  return buf;
}

/* The calendar month (0-11) of slot k. */
static int slot_month(const slots *s, int k) {
  if (s->monthly) return (int)((s->base + k) % 12);
  int y, mo, dd;
  naryn__date_ymd(s->base + k, &y, &mo, &dd);
  return mo - 1;
}

/* Lists the slots k in [from, to) for which want(k) holds as ranges,
** "2001-02, 2001-05 to 2001-07", at most 8 of them and then how many more,
** into buf. Returns how many slots there are. */
static int list_ranges(const slots *s, int from, int to, const unsigned char *want,
                       char *buf, size_t size) {
  size_t used = 0;
  int count = 0, ranges = 0;
  buf[0] = '\0';
  for (int k = from; k < to; k++) {
    if (!want[k]) continue;
    int e = k;
    while (e + 1 < to && want[e + 1]) e++;
    count += e - k + 1;
    if (ranges++ < 8 && used < size) {
      char a[40], b[40];
      slot_label(s, k, a, sizeof a);
      if (e > k)
        used += (size_t)snprintf(buf + used, size - used, "%s%s to %s", ranges > 1 ? ", " : "",
                                 a, slot_label(s, e, b, sizeof b));
      else
        used += (size_t)snprintf(buf + used, size - used, "%s%s", ranges > 1 ? ", " : "", a);
    }
    k = e;
  }
  if (ranges > 8 && used < size)
    snprintf(buf + used, size - used, " and %d more", ranges - 8);
  return count;
}

/* Reads a fill method; returns 0, 1 when absent, -1 after reporting. */
static int read_fill(naryn__reader *r, const naryn__doc *spec, const char *key,
                     const char *where, int means_only, int *out) {
  const char *name = NULL;
  int rc = naryn__read_string(r, spec, key, where, &name);
  if (rc != 0) return rc;
  char w[256];
  snprintf(w, sizeof w, "%s.%s", where, key);
  if (strcmp(name, "monthly_means") == 0) *out = FILL_MEANS;
  else if (!means_only && strcmp(name, "interpolate") == 0) *out = FILL_INTERPOLATE;
  else if (!means_only && strcmp(name, "previous") == 0) *out = FILL_PREVIOUS;
  else
    return naryn__read_fail(r, naryn__read_get(spec, key), w,
                            means_only ? "expected monthly_means, got \"%s\""
                                       : "expected interpolate, previous or monthly_means, "
                                         "got \"%s\"",
                            name);
  return 0;
}

/* Lays out the slots the horizon needs from a file of the given kind. */
static void plan_slots(const naryn_model *m, naryn__ts_form form, slots *s) {
  int y, mo, dd;
  long d0 = m->step_day[0], d1, m0, m1;
  naryn__date_ymd(d0, &y, &mo, &dd);
  m0 = month_index(y, mo);
  if (m->daily) {
    int t = m->nsteps - 1;
    d1 = m->step_day[t] + (long)(m->step_s[t] / 86400.0 + 0.5) - 1;
    naryn__date_ymd(d1, &y, &mo, &dd);
    m1 = month_index(y, mo);
  } else {
    m1 = m0 + m->nsteps - 1;
    d0 = naryn__date_days((int)(m0 / 12), (int)(m0 % 12) + 1, 1);
    int ly = (int)(m1 / 12), lm = (int)(m1 % 12) + 1;
    d1 = naryn__date_days(ly, lm, naryn__date_month_days(ly, lm));
  }
  s->opt0 = 0;
  if (s->monthly) {
    s->base = m0;
    s->n = (int)(m1 - m0 + 1);
    if (m->daily && form == NARYN__TS_END_TARGET) s->base--, s->n++, s->opt0 = 1;
  } else {
    s->base = d0;
    s->n = (int)(d1 - d0 + 1);
  }
}

/* Fills the missing slots in [from, to) by method 'how', with the monthly
** means of the whole file (mean[12], NaN for a month it has no row in).
** Returns -1 when such a month is needed (month0 set), else 0. */
static int fill_slots(slots *s, int from, int to, int last, int how, const double *mean,
                      int *month0) {
  for (int k = from; k < to; k++) {
    if (s->row[k] >= 0) continue;
    if (how == FILL_MEANS) {
      int mo = slot_month(s, k);
      if (isnan(mean[mo])) {
        *month0 = mo;
        return -1;
      }
      s->v[k] = mean[mo];
    } else if (how == FILL_PREVIOUS) {
      s->v[k] = s->v[k - 1];
    } else {
      int b = k + 1;
      while (b <= last && s->row[b] < 0) b++;
      double a_v = s->v[k - 1], f = 1.0 / (b - (k - 1));
      s->v[k] = a_v + (s->v[b] - a_v) * f;
    }
  }
  return 0;
}

/* The mean of every row of the file in each calendar month (NaN for a
** month without one), inside the horizon or not, after the scale. Returns
** -1 after reporting a cell that is not a number. */
static int file_means(naryn__reader *r, const naryn__csv *t, int vc, char mark,
                      const int *ymd, double scale, double mean[12]) {
  double sum[12] = {0}, cnt[12] = {0};
  for (int row = 0; row < t->nrows; row++) {
    double x;
    if (t->cells[(size_t)row * t->ncols + vc][0] == '\0') continue;
    if (naryn__csv_number_mark(t, row, vc, mark, &x, r->d) != 0) {
      r->failed = 1;
      return -1;
    }
    sum[ymd[3 * row + 1] - 1] += x * scale;
    cnt[ymd[3 * row + 1] - 1]++;
  }
  for (int k = 0; k < 12; k++) mean[k] = cnt[k] > 0 ? sum[k] / cnt[k] : NAN;
  return 0;
}

/* Keeps, for filled.csv, how many of the file's rows made up stand in each
** step of series ts: the slots made up among the days (or months) the
** step covers. Returns 0, or -1 when out of memory. */
static int record_fill(naryn__reader *r, const slots *s, const unsigned char *made,
                       const char *method, const char *where, const naryn__ts *ts) {
  naryn_model *m = r->m;
  int *rows = naryn__arena_alloc(r->a, (size_t)m->nsteps * sizeof *rows);
  naryn__fill *grown = naryn__arena_alloc(r->a, (size_t)(m->nfills + 1) * sizeof *grown);
  const char *w = naryn__arena_printf(r->a, "%s", where);
  if (!rows || !grown || !w) return naryn__read_oom(r);
  for (int i = 0; i < m->nsteps; i++) {
    long d0 = m->step_day[i], d1 = d0 + (long)(m->step_s[i] / 86400.0 + 0.5) - 1;
    long k0 = d0 - s->base, k1 = d1 - s->base;
    if (s->monthly) {
      int y, mo, dd;
      naryn__date_ymd(d0, &y, &mo, &dd);
      k0 = month_index(y, mo) - s->base;
      naryn__date_ymd(d1, &y, &mo, &dd);
      k1 = month_index(y, mo) - s->base;
    }
    rows[i] = 0;
    for (long k = k0 < 0 ? 0 : k0; k <= k1 && k < s->n; k++) rows[i] += made[k];
  }
  if (m->nfills) memcpy(grown, m->fills, (size_t)m->nfills * sizeof *grown);
  grown[m->nfills++] = (naryn__fill){w, method, ts->v, rows};
  m->fills = grown;
  return 0;
}

int naryn__read_series(naryn__reader *r, const naryn__doc *spec, const char *where,
                       naryn__ts_form form, naryn__ts *ts) {
  naryn_model *m = r->m;
  int may_miss = (form & NARYN__TS_GAPS) != 0;
  form = (naryn__ts_form)(form & ~NARYN__TS_GAPS);
  static const char *const keys[] = {"file", "column", "date_column", "scale", "step",
                                     "fill", "fallback", "delimiter", "decimal", NULL};
  naryn__read_check_keys(r, spec, where, keys);
  const char *file = NULL, *column = NULL, *date_col = "date", *step = NULL;
  const char *delim_name = NULL, *mark_name = NULL;
  double scale = 1.0;
  int fill = FILL_NONE, fallback = FILL_NONE;
  char w[256];
  if (naryn__read_string(r, spec, "file", where, &file) < 0 ||
      naryn__read_string(r, spec, "column", where, &column) < 0 ||
      naryn__read_string(r, spec, "date_column", where, &date_col) < 0 ||
      naryn__read_string(r, spec, "step", where, &step) < 0 ||
      naryn__read_number(r, spec, "scale", where, &scale) < 0 ||
      read_fill(r, spec, "fill", where, 0, &fill) < 0 ||
      read_fill(r, spec, "fallback", where, 1, &fallback) < 0 ||
      naryn__read_string(r, spec, "delimiter", where, &delim_name) < 0 ||
      naryn__read_string(r, spec, "decimal", where, &mark_name) < 0)
    return -1;
  if (!file)
    return naryn__read_fail(r, spec, where, "expected a field \"file\" naming a CSV file, got none");
  if (!column)
    return naryn__read_fail(r, spec, where,
                            "expected a field \"column\" naming a CSV column, got none");
  int declared = -1; /* 1 monthly, 0 daily, -1 from the dates */
  if (step && strcmp(step, "monthly") == 0) declared = 1;
  else if (step && strcmp(step, "daily") == 0) declared = 0;
  else if (step) {
    snprintf(w, sizeof w, "%s.step", where);
    return naryn__read_fail(r, naryn__read_get(spec, "step"), w,
                            "expected daily or monthly, got \"%s\"", step);
  }
  /* The file's dialect as declared; what is not declared is found. */
  char delim = 0, mark = 0;
  if (delim_name) {
    delim = strcmp(delim_name, ",") == 0   ? ','
            : strcmp(delim_name, ";") == 0 ? ';'
            : strcmp(delim_name, "tab") == 0 ? '\t'
                                              : 0;
    if (!delim) {
      snprintf(w, sizeof w, "%s.delimiter", where);
      return naryn__read_fail(r, naryn__read_get(spec, "delimiter"), w,
                              "expected \",\", \";\" or tab, got \"%s\"", delim_name);
    }
  }
  if (mark_name) {
    mark = strcmp(mark_name, ".") == 0 ? '.' : strcmp(mark_name, ",") == 0 ? ',' : 0;
    if (!mark) {
      snprintf(w, sizeof w, "%s.decimal", where);
      return naryn__read_fail(r, naryn__read_get(spec, "decimal"), w,
                              "expected \".\" or \",\", got \"%s\"", mark_name);
    }
  }
  const naryn__doc *named = naryn__read_get(spec, "file");
  naryn__csv *t = naryn__read_csv_table(r, file, delim, named, where);
  if (!t) return -1;
  if (mark == ',' && t->delim == ',') {
    snprintf(w, sizeof w, "%s.decimal", where);
    return naryn__read_fail(r, naryn__read_get(spec, "decimal"), w,
                            "expected \".\" in a file separated by commas, got \",\" (give "
                            "\"delimiter\" when the file is separated otherwise)");
  }
  if (!mark && t->delim == ',') mark = '.';
  const char *path = t->file;
  int dc = naryn__csv_column(t, date_col), vc = naryn__csv_column(t, column);
  char cols[512];
  if (dc < 0 || vc < 0) {
    size_t used = 0;
    cols[0] = '\0';
    for (int j = 0; j < t->ncols && used < sizeof cols; j++)
      used += (size_t)snprintf(cols + used, sizeof cols - used, "%s%s", j ? ", " : "",
                               t->header[j]);
  }
  if (dc < 0) {
    snprintf(w, sizeof w, "%s.date_column", where);
    return naryn__read_fail(r, naryn__field_pos(spec, "date_column"), w,
                            "expected a column \"%s\" of dates in %s, got columns %s",
                            date_col, path, cols);
  }
  if (vc < 0) {
    snprintf(w, sizeof w, "%s.column", where);
    return naryn__read_fail(r, naryn__read_get(spec, "column"), w,
                            "expected a column \"%s\" in %s, got columns %s", column, path,
                            cols);
  }
  char cw[256], cwv[256];
  snprintf(cw, sizeof cw, "column \"%s\"", date_col);
  snprintf(cwv, sizeof cwv, "column \"%s\"", column);
#define DATE_CELL(row) (t->cells[(size_t)(row) * t->ncols + dc])
#define DATE_COL(row) (t->cell_col[(size_t)(row) * t->ncols + dc])
  /* Every row's date, and what kind of file the dates make. */
  int *ymd = naryn__arena_alloc(r->a, (size_t)(t->nrows ? t->nrows : 1) * 3 * sizeof *ymd);
  if (!ymd) return naryn__read_oom(r);
  int all_first = 1, all_last = 1;
  for (int row = 0; row < t->nrows; row++) {
    const char *cell = DATE_CELL(row);
    int y, mo, dd;
    if (naryn__date_parse(cell, strlen(cell), 1, &y, &mo, &dd) != 0) {
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row], DATE_COL(row),
                  cw, "expected a date as YYYY-MM-DD (a row per day) or YYYY-MM (a row per "
                  "month), got \"%.40s\"", cell);
      r->failed = 1;
      return -1;
    }
    ymd[3 * row] = y, ymd[3 * row + 1] = mo, ymd[3 * row + 2] = dd;
    if (dd != 1) all_first = 0;
    if (dd != naryn__date_month_days(y, mo)) all_last = 0;
  }
  slots s = {0};
  s.monthly = declared >= 0 ? declared : (t->nrows > 0 && (all_first || all_last));
  for (int row = 0; row < t->nrows; row++) {
    int y = ymd[3 * row], mo = ymd[3 * row + 1], dd = ymd[3 * row + 2];
    int day_missing = !s.monthly && strlen(DATE_CELL(row)) == 7;
    int mid_month = s.monthly && dd != 1 && dd != naryn__date_month_days(y, mo);
    if (day_missing)
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row], DATE_COL(row),
                  cw, "expected a date as YYYY-MM-DD, as the file gives a row per day, got "
                  "\"%.40s\"", DATE_CELL(row));
    else if (mid_month)
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row], DATE_COL(row),
                  cw, "expected the first or the last day of a month, as the series gives a "
                  "row per month, got \"%.40s\"", DATE_CELL(row));
    if (day_missing || mid_month) {
      r->failed = 1;
      return -1;
    }
  }
  /* Each slot the horizon needs, given once; rows outside are ignored so
  ** that one long file serves many horizons. */
  plan_slots(m, form, &s);
  s.row = naryn__arena_alloc(r->a, (size_t)s.n * sizeof *s.row);
  s.v = naryn__arena_alloc(r->a, (size_t)s.n * sizeof *s.v);
  if (!s.row || !s.v) return naryn__read_oom(r);
  for (int k = 0; k < s.n; k++) s.row[k] = -1, s.v[k] = NAN;
  int last_row = -1;
  for (int row = 0; row < t->nrows; row++) {
    int y = ymd[3 * row], mo = ymd[3 * row + 1], dd = ymd[3 * row + 2];
    long k = s.monthly ? month_index(y, mo) - s.base : naryn__date_days(y, mo, dd) - s.base;
    if (k < 0 || k >= s.n) continue;
    if (s.row[k] >= 0) {
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row], DATE_COL(row),
                  cw, s.monthly ? "expected each month once, got %s again (first on line %d)"
                                : "expected each date once, got %s again (first on line %d)",
                  DATE_CELL(row), t->row_line[s.row[k]]);
      r->failed = 1;
      return -1;
    }
    s.row[k] = row;
    if (last_row < 0 || t->row_line[row] > t->row_line[last_row]) last_row = row;
  }
  /* The values of the rows used. An empty cell is a missing value: not
  ** observed, or made up by the series' fill. Where either decimal mark
  ** may be used, one of them must be used throughout, so that a '.' meant
  ** as a thousands separator (1.234) is not read as a decimal point. */
  int with_mark[2] = {-1, -1}; /* a row with a point, one with a comma */
  for (int k = 0; k < s.n; k++) {
    if (s.row[k] < 0) continue;
    if ((may_miss || fill || fallback) && t->cells[(size_t)s.row[k] * t->ncols + vc][0] == '\0') {
      s.row[k] = -1;
      continue;
    }
    if (naryn__csv_number_mark(t, s.row[k], vc, mark, &s.v[k], r->d) != 0) {
      r->failed = 1;
      return -1;
    }
    s.v[k] *= scale;
    const char *cell = t->cells[(size_t)s.row[k] * t->ncols + vc];
    for (int c = 0; c < 2 && !mark; c++) {
      if (!strchr(cell, c ? ',' : '.')) continue;
      if (with_mark[c] < 0) with_mark[c] = s.row[k];
      int other = with_mark[!c];
      if (other < 0) continue;
      int here = t->row_line[s.row[k]] > t->row_line[other] ? s.row[k] : other;
      int there = here == other ? s.row[k] : other;
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[here],
                  t->cell_col[(size_t)here * t->ncols + vc], cwv,
                  "expected one decimal mark throughout the column, got \"%.40s\" here and "
                  "\"%.40s\" on line %d (give \"decimal\" in the series to say which)",
                  t->cells[(size_t)here * t->ncols + vc],
                  t->cells[(size_t)there * t->ncols + vc], t->row_line[there]);
      r->failed = 1;
      return -1;
    }
  }
  int first = s.opt0, last = s.n - 1;
  while (first < s.n && s.row[first] < 0) first++;
  while (last >= 0 && s.row[last] < 0) last--;
  char a[40], b[40];
  /* A series with nothing in the horizon serves only as its monthly means. */
  if (first >= s.n && !(fallback == FILL_MEANS && t->nrows > 0)) {
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, 0, 0, cwv,
                "expected rows from %s to %s (the horizon), got none in that range",
                slot_label(&s, s.opt0, a, sizeof a), slot_label(&s, s.n - 1, b, sizeof b));
    r->failed = 1;
    return -1;
  }
  /* The missing slots, those between the first and the last row given
  ** (gaps) and those outside (the series starts late or stops early). */
  unsigned char *miss = naryn__arena_alloc(r->a, (size_t)s.n);
  if (!miss) return naryn__read_oom(r);
  for (int k = 0; k < s.n; k++) miss[k] = k >= s.opt0 && s.row[k] < 0;
  int gaps = 0, outside = 0;
  for (int k = s.opt0; k < s.n; k++)
    if (miss[k]) *(k > first && k < last ? &gaps : &outside) += 1;
  char list[1024];
  if (!may_miss && ((gaps && !fill) || (outside && !fallback))) {
    /* Said as before where one range is missing; else every range. */
    int n_inner = gaps && !fill, n_outer = outside && !fallback;
    unsigned char *show = naryn__arena_alloc(r->a, (size_t)s.n);
    if (!show) return naryn__read_oom(r);
    for (int k = 0; k < s.n; k++)
      show[k] = miss[k] && ((k > first && k < last) ? n_inner : n_outer);
    int ranges = 0;
    for (int k = 0; k < s.n; k++) ranges += show[k] && (k == 0 || !show[k - 1]);
    int count = list_ranges(&s, 0, s.n, show, list, sizeof list);
    const char *hint =
        n_inner && n_outer
            ? " (\"fill\" in the series fills gaps, \"fallback: monthly_means\" the rest)"
        : n_inner ? " (\"fill: interpolate\", \"previous\" or \"monthly_means\" in the "
                    "series fills gaps)"
                  : " (\"fallback: monthly_means\" in the series fills the rest)";
    int k0 = 0;
    while (!show[k0]) k0++;
    if (ranges == 1 && k0 == s.opt0 && show[k0]) {
      int row = s.row[first];
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row], DATE_COL(row),
                  cw, "expected rows from %s (the start of the horizon), got the first at "
                  "%s%s", slot_label(&s, s.opt0, a, sizeof a), DATE_CELL(row), hint);
    } else if (ranges == 1 && k0 == last + 1) {
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path,
                  last_row >= 0 ? t->row_line[last_row] : 0, 1, cwv,
                  "expected rows up to %s (the end of the horizon), got rows only up to "
                  "%s%s", slot_label(&s, s.n - 1, a, sizeof a),
                  slot_label(&s, last, b, sizeof b), hint);
    } else {
      /* Point at the row that comes where the first missing one should. */
      int k1 = k0;
      while (k1 < s.n && s.row[k1] < 0) k1++;
      int row = k1 < s.n ? s.row[k1] : last_row;
      if (ranges == 1 && count == 1)
        naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row],
                    DATE_COL(row), cw, "expected a row for %s before this one, got %s%s",
                    slot_label(&s, k0, a, sizeof a), DATE_CELL(row), hint);
      else
        naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, t->row_line[row],
                    DATE_COL(row), cw, "expected a row for every %s of the horizon, got "
                    "none for %d: %s%s", s.monthly ? "month" : "day", count, list, hint);
    }
    r->failed = 1;
    return -1;
  }
  /* Fills, each told in a note; the slots made up are kept for
  ** filled.csv. */
  unsigned char *made = NULL;
  const char *methods = NULL;
  if (((gaps && fill) || (outside && fallback)) &&
      !(made = naryn__arena_alloc(r->a, (size_t)s.n)))
    return naryn__read_oom(r);
  if (made) memset(made, 0, (size_t)s.n);
  double mean[12];
  if (((gaps && fill == FILL_MEANS) || (outside && fallback == FILL_MEANS)) &&
      file_means(r, t, vc, mark, ymd, scale, mean) != 0)
    return -1;
  static const char *const how_name[] = {"", "interpolation", "the previous value",
                                         "the series' monthly means"};
  for (int pass = 0; pass < 2; pass++) {
    int how = pass == 0 ? fill : fallback, n = pass == 0 ? gaps : outside;
    if (!n || !how) continue;
    unsigned char *sel = naryn__arena_alloc(r->a, (size_t)s.n);
    if (!sel) return naryn__read_oom(r);
    for (int k = 0; k < s.n; k++) sel[k] = miss[k] && ((k > first && k < last) == (pass == 0));
    int count = list_ranges(&s, 0, s.n, sel, list, sizeof list), mo = 0, rc = 0;
    if (pass == 0)
      rc = fill_slots(&s, first + 1, last, last, how, mean, &mo);
    else
      rc = fill_slots(&s, s.opt0, first, last, how, mean, &mo) ||
           fill_slots(&s, last + 1, s.n, last, how, mean, &mo);
    if (rc) {
      static const char *const months[] = {"January", "February", "March", "April",
                                           "May", "June", "July", "August",
                                           "September", "October", "November",
                                           "December"};
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, 0, 0, cwv,
                  "expected at least one row in %s to take the monthly mean from, got "
                  "none", months[mo]);
      r->failed = 1;
      return -1;
    }
    naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_NOTE, path, 0, 0, cwv,
                "%d missing %s filled by %s: %s", count,
                count == 1 ? (s.monthly ? "month" : "day") : (s.monthly ? "months" : "days"),
                how_name[how], list);
    /* A made-up slot is told by the row before it (or after, at the start). */
    for (int k = 0; k < s.n; k++)
      if (sel[k]) s.row[k] = k > first ? s.row[k - 1] : first < s.n ? s.row[first] : 0;
    for (int k = 0; k < s.n; k++) made[k] |= sel[k];
    methods = methods ? naryn__arena_printf(r->a, "%s and %s", methods, how_name[how])
                      : how_name[how];
    if (!methods) return naryn__read_oom(r);
  }
  /* One value per step. */
  double *v = ts->v;
  int *row_of = naryn__arena_alloc(r->a, (size_t)m->nsteps * sizeof *row_of);
  if (!row_of) return naryn__read_oom(r);
  for (int i = 0; i < m->nsteps; i++) {
    int y, mo, dd;
    naryn__date_ymd(m->step_day[i], &y, &mo, &dd);
    if (s.monthly ? !m->daily : m->step_days == 1) {
      long k = s.monthly ? i + s.opt0 : i;
      v[i] = s.v[k];
      row_of[i] = s.row[k];
    } else if (s.monthly && m->step_days > 1) {
      /* Each day takes its month's row; the step is made from its days. */
      int k = (int)(month_index(y, mo) - s.base);
      double xs[NARYN__STEP_MONTHS];
      for (int j = 0; j < NARYN__STEP_MONTHS; j++)
        xs[j] = k + j < s.n && (!may_miss || s.row[k + j] >= 0) ? s.v[k + j] : NAN;
      double before = k > 0 && s.row[k - 1] >= 0 ? s.v[k - 1] : NAN;
      v[i] = naryn__step_from_months(m, i, form, xs, before);
      /* Told by the row of the month of the step's last day for a target,
      ** else of its first day. */
      int kl = k;
      if (form == NARYN__TS_END_TARGET) {
        int ly, lm, ld;
        naryn__date_ymd(m->step_day[i] + (long)(m->step_s[i] / 86400.0 + 0.5) - 1, &ly, &lm,
                        &ld);
        kl = (int)(month_index(ly, lm) - s.base);
      }
      row_of[i] = s.row[kl];
    } else if (s.monthly) {
      /* A month's row on each of its days. */
      int k = (int)(month_index(y, mo) - s.base);
      double days = naryn__date_month_days(y, mo), x = s.v[k];
      if (form == NARYN__TS_VOLUME) x /= days;
      if (form == NARYN__TS_END_TARGET) {
        double prev = s.row[k - 1] >= 0 ? s.v[k - 1] : x;
        x = prev + (x - prev) * dd / days;
      }
      v[i] = x;
      row_of[i] = s.row[k];
    } else {
      /* A step from its days: a month's, or the N days of a step. */
      int nd;
      long k0;
      if (m->daily) {
        nd = (int)(m->step_s[i] / 86400.0 + 0.5);
        k0 = m->step_day[i] - s.base;
      } else {
        nd = naryn__date_month_days(y, mo);
        k0 = naryn__date_days(y, mo, 1) - s.base;
      }
      double sum = 0.0;
      int seen = 0;
      long k1 = -1;
      for (int k = 0; k < nd; k++)
        if (!may_miss || s.row[k0 + k] >= 0) {
          sum += s.v[k0 + k], seen++;
          if (k1 < 0) k1 = k0 + k;
        }
      v[i] = form == NARYN__TS_VOLUME       ? sum
             : form == NARYN__TS_END_TARGET ? s.v[k0 + nd - 1]
             : seen                         ? sum / seen
                                            : NAN;
      row_of[i] = s.row[form == NARYN__TS_END_TARGET || k1 < 0 ? k0 + nd - 1 : k1];
    }
  }
  if (made && methods && record_fill(r, &s, made, methods, where, ts) != 0) return -1;
#undef DATE_CELL
#undef DATE_COL
  ts->csv = t;
  ts->csv_col = vc;
  ts->scale = scale;
  ts->csv_row = row_of;
  return 0;
}
