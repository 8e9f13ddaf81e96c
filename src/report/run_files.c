/*
** run_files.c: a run's folder read for its page (report_int.h's
** run_files): run.csv, network.csv, summary.csv, objective.csv and, for an
** optimised plan, water_values.csv and plants.csv, read whole; the time
** axis, per step or by calendar month; nodes.csv read row by row (or the
** feed its writer filled), keeping only the series the page draws; the
** guide curves of zones.csv, the observations of observed.csv and the
** grids of grids.csv (grids_files.c); and the notes that say what a run
** did not write.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"

/* Reads DIR/NAME; a missing or malformed file is reported in f->d. */
naryn__csv *naryn__rep_read_csv(run_files *f, const char *name) {
  char *path = naryn__arena_printf(f->a, "%s/%s", f->dir, name);
  if (!path) {
    naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    return NULL;
  }
  return naryn__csv_read(path, f->a, f->d);
}

/* The column of nodes.csv holding quantity q, by its name or, in a folder
** an older version wrote, its older name; -1 when there is none. */
static int q_column(const naryn__csv_stream *s, int q) {
  int c = naryn__csv_stream_column(s, naryn_quantity_name((naryn_quantity)q));
  const char *old = naryn__quantity_old_name((naryn_quantity)q);
  return c < 0 && old ? naryn__csv_stream_column(s, old) : c;
}

int naryn__rep_bad(const run_files *f, const naryn__csv *t, int row, const char *col,
                   const char *fmt, const char *what) {
  int c = naryn__csv_column(t, col);
  return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, t->file,
                     row >= 0 && row < t->nrows ? t->row_line[row] : 1,
                     row >= 0 && c >= 0 ? t->cell_col[(size_t)row * t->ncols + c] : 1,
                     NULL, fmt, col, what);
}

int naryn__report_need_column(const naryn__csv *t, const char *col, naryn_diags *d) {
  if (naryn__csv_column(t, col) >= 0) return NARYN_OK;
  return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                     "expected a column \"%s\" in the header, as naryn writes it",
                     col);
}

/* Decides which series of nodes.csv to keep, from network.csv, and makes
** room for them. Returns NARYN_OK or NARYN_ENOMEM. */
static int plan_series(run_files *f) {
  size_t n = (size_t)f->nnodes, steps = (size_t)f->npts;
  f->series = naryn__arena_alloc(f->a, NARYN_Q_COUNT * n * sizeof *f->series);
  if (!f->series) return NARYN_ENOMEM;
  for (int i = 0; i < f->nnodes; i++) {
    int res = node_is(f, i, "reservoir"), on = node_enabled(f, i);
    int keep[NARYN_Q_COUNT] = {0};
    keep[NARYN_Q_STORAGE_END_HM3] = keep[NARYN_Q_RELEASE_HM3] = res;
    keep[NARYN_Q_INFLOW_HM3] = res || node_is(f, i, "sink");
    keep[NARYN_Q_ENERGY_GWH] = node_is(f, i, "hydropower") && on;
    keep[NARYN_Q_DEMAND_HM3] = keep[NARYN_Q_DELIVERED_HM3] =
        (node_is(f, i, "demand") || node_is(f, i, "min_flow")) && on;
    for (int q = 0; q < NARYN_Q_COUNT; q++) {
      if (!keep[q] || !f->has_q[q]) continue;
      double *v = naryn__arena_alloc(f->a, steps * sizeof *v);
      if (!v) return NARYN_ENOMEM;
      for (size_t t = 0; t < steps; t++) v[t] = NAN;
      f->series[(size_t)q * n + (size_t)i] = v;
    }
  }
  return NARYN_OK;
}

/* A number from a cell of the current row of nodes.csv; NaN for an empty
** cell or anything not a number. */
static double row_num(const naryn__csv_stream *s, int col) {
  const char *c = s->cells[col];
  if (!c[0]) return NAN;
  double v;
  if (naryn__csv_decimal(c, &v)) return v;
  char *end;
  v = strtod(c, &end);
  return *end ? NAN : v;
}

/* The first disagreement found in nodes.csv, reported only once the rows
** have been counted: a wrong count is reported before it, as when the
** file was read whole. */
typedef struct later {
  int set, line, col;
  const char *node; /* the node expected, or NULL for a bad date */
  char date[128];   /* for a bad date: what was expected instead, or "" */
} later;

static void defer(later *l, const naryn__csv_stream *s, int col, const char *node) {
  if (l->set) return;
  l->set = 1;
  l->line = s->line;
  l->col = col >= 0 ? s->cell_col[col] : 1;
  l->node = node;
}

/* Adds x, a value of step t, to series v: per step it is the step's value;
** by month, storage keeps the month's last value and the rest are summed.
** NaN (no value) leaves the point as it is. */
static void keep_value(const run_files *f, double *v, int q, long t, double x) {
  if (!f->by_month) {
    v[t] = x;
    return;
  }
  if (isnan(x)) return;
  int k = f->step_pt[t];
  v[k] = q == NARYN_Q_STORAGE_END_HM3 || isnan(v[k]) ? x : v[k] + x;
}

/* The seconds of a step of days that starts on day 'day': step_days
** days, or fewer for a last step that ends at the horizon's last day. */
static double days_step_s(const run_files *f, long day) {
  long n = f->step_days;
  if (f->last_day >= day && f->last_day - day + 1 < n) n = f->last_day - day + 1;
  return 86400.0 * (double)n;
}

/* Puts step t, dated y-mo-dd, on the time axis of a run drawn per step. */
static void step_axis(run_files *f, long t, int y, int mo, int dd, int daily) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  int days = mdays[mo - 1] + (mo == 2 && leap);
  f->calendar[t] = mo;
  f->month[t] = y * 12.0 + (mo - 1) + (daily ? (dd - 1.0) / days : 0.0);
  f->step_day[t] = naryn__date_days(y, mo, dd);
  f->step_s[t] = !daily ? days * 86400.0 : f->step_days > 1 ? days_step_s(f, f->step_day[t])
                                                             : 86400.0;
}

/* Reads nodes.csv row by row: finds which nodes it has rows for (those of
** the first step, in the order of network.csv), checks each step's date and
** node order, and keeps the series plan_series chose. The checks and their
** messages are those of a file read whole. */
static int read_nodes(run_files *f, naryn__csv_stream *s, int daily) {
  int cdate = naryn__csv_stream_column(s, "date"), cnode = naryn__csv_stream_column(s, "node");
  int crule = naryn__csv_stream_column(s, "rule");
  f->has_rule = crule >= 0;
  int cols[NARYN_Q_COUNT];
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    cols[q] = q_column(s, q);
  int *order = calloc((size_t)f->nnodes, sizeof *order); /* the written nodes */
  f->written = naryn__arena_alloc(f->a, (size_t)f->nnodes);
  if (!order || !f->written) {
    free(order);
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  later err = {0};
  const char **names = malloc((size_t)f->nnodes * sizeof *names);
  if (!names) {
    free(order);
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++) names[i] = cell(f->network, i, "name");
  /* The quantities kept of each node, listed so that a row looks only at
  ** them. */
  unsigned char (*kept)[NARYN_Q_COUNT] = malloc((size_t)f->nnodes * sizeof *kept);
  int *nkept = calloc((size_t)f->nnodes, sizeof *nkept);
  if (!kept || !nkept) {
    free(order), free(names), free(kept), free(nkept);
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++)
    for (int q = 0; q < NARYN_Q_COUNT; q++)
      if (f->series[(size_t)q * f->nnodes + i]) kept[i][nkept[i]++] = (unsigned char)q;
  unsigned char *rule_kept = malloc((size_t)f->nnodes);
  if (!rule_kept) {
    free(order), free(names), free(kept), free(nkept);
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++) rule_kept[i] = crule >= 0 && keeps_rule(f, i);
  int k = 0;          /* nodes a step has rows for, once the first is read */
  int first = 1;      /* still in the first step */
  int oom = 0;        /* 1 once memory ran out keeping a rule */
  long row = 0;
  int rc;
  while ((rc = naryn__csv_next(s)) == 1) {
    long r = row++;
    /* After the first disagreement the rows are only counted, once the
    ** nodes of a step are known. */
    if (err.set && !first) continue;
    const char *node = s->cells[cnode];
    if (first) {
      /* The next node of network.csv with this name, after the last. */
      int prev = k > 0 ? order[k - 1] : -1, i = prev + 1;
      while (i < f->nnodes && strcmp(names[i], node) != 0) i++;
      if (k > 0 && i == f->nnodes && strcmp(names[order[0]], node) == 0) {
        first = 0; /* the second step starts */
      } else if (i == f->nnodes) {
        defer(&err, s, cnode, names[prev + 1 < f->nnodes ? prev + 1 : 0]);
        continue;
      } else {
        order[k++] = i;
      }
    }
    if (err.set) continue;
    long t = first ? 0 : (r - k) / k + 1;
    int j = first ? k - 1 : (int)((r - k) % k);
    if (t >= f->nsteps) continue; /* too many rows: counted */
    int i = order[j];
    if (j == 0) {
      const char *date = s->cells[cdate];
      int y, mo, dd;
      if (sscanf(date, "%d-%d-%d", &y, &mo, &dd) != 3 || mo < 1 || mo > 12 || dd < 1 || dd > 31) {
        defer(&err, s, cdate, NULL);
        continue;
      }
      if (f->by_month) {
        /* The months come from run.csv: the step's date must be its. */
        int ey, em, ed;
        naryn__date_ymd(f->step_day[t], &ey, &em, &ed);
        if (y != ey || mo != em || dd != ed) {
          defer(&err, s, cdate, NULL); /* the first error: see the loop's start */
          snprintf(err.date, sizeof err.date, ", the date of step %ld from run.csv's "
                   "start, %04d-%02d-%02d", t + 1, ey, em, ed);
          continue;
        }
      } else {
        step_axis(f, t, y, mo, dd, daily);
      }
    }
    if (!first && strcmp(node, names[i]) != 0) {
      defer(&err, s, cnode, names[i]);
      continue;
    }
    for (int e = 0; e < nkept[i]; e++) {
      int q = kept[i][e];
      keep_value(f, f->series[(size_t)q * f->nnodes + i], q, t, row_num(s, cols[q]));
    }
    if (rule_kept[i] && naryn__ops_rule(&f->ops, i, (int)t, s->cells[crule], f->d) != NARYN_OK) {
      oom = 1; /* reported */
      break;
    }
  }
  free(names), free(kept), free(nkept), free(rule_kept);
  if (oom) {
    free(order);
    return NARYN_ENOMEM;
  }
  if (k == 0) k = f->nnodes; /* nothing usable: the whole network expected */
  for (int j = 0; j < k && j < f->nnodes; j++) f->written[order[j]] = 1;
  free(order);
  if (rc < 0) return NARYN_EIO;
  if (row != (long)k * f->nsteps)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, s->file, row ? s->line : 1, 1, NULL,
                       "expected %d rows (%d steps of %d nodes), got %d: the file is "
                       "short or from another run", k * f->nsteps, f->nsteps, k, (int)row);
  if (f->network->nrows != f->nnodes + f->nlinks)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, f->network->file, 1, 1, NULL,
                       "expected a row per node and then %d rows of type \"link\" "
                       "(run.csv's links), got %d rows after the %d nodes",
                       f->nlinks, f->network->nrows - f->nnodes, f->nnodes);
  if (err.set && !err.node)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, s->file, err.line, err.col, NULL,
                       "column \"%s\": expected a date YYYY-MM-DD%s", "date", err.date);
  if (err.set)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, s->file, err.line, err.col, NULL,
                       "column \"%s\": expected node \"%s\" here, in the order of "
                       "network.csv: the files are from different runs", "node", err.node);
  return NARYN_OK;
}

/* Takes what the page draws of nodes.csv from the feed its writer filled
** (feed.c) instead of reading the file: the same values, points and
** checks of network.csv as read_nodes. Returns NARYN_OK, an error
** reported in f->d, or -1 (reporting nothing) when the feed is not what
** reading the file would give: the caller then reads the file. */
static int feed_nodes(run_files *f, const naryn__report_feed *fd, int daily) {
  if (fd->nnodes != f->nnodes || fd->nsteps != f->nsteps || fd->npts != f->npts ||
      fd->by_month != f->by_month)
    return -1;
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    if (fd->has_q[q] != f->has_q[q]) return -1;
  if (f->by_month) {
    /* The months come from run.csv; the feed's must be the same. */
    for (int t = 0; t < f->nsteps; t++)
      if (fd->step_pt[t] != f->step_pt[t]) return -1;
  } else {
    for (int t = 0; t < f->nsteps; t++) {
      int y, mo, dd;
      if (sscanf(fd->step_date[t], "%d-%d-%d", &y, &mo, &dd) != 3 || mo < 1 ||
          mo > 12 || dd < 1 || dd > 31)
        return -1;
      step_axis(f, t, y, mo, dd, daily);
    }
  }
  size_t n = (size_t)f->nnodes;
  for (size_t k = 0; k < NARYN_Q_COUNT * n; k++) {
    if (!f->series[k]) continue;
    if (!fd->series[k]) return -1;
    memcpy(f->series[k], fd->series[k], (size_t)f->npts * sizeof *f->series[k]);
  }
  f->written = naryn__arena_alloc(f->a, n);
  if (!f->written)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  memcpy(f->written, fd->written, n);
  /* The rules, named as nodes.csv names them. */
  f->has_rule = fd->has_rule;
  for (int i = 0; i < f->nnodes; i++) {
    if (!fd->rule[i]) continue;
    if (!keeps_rule(f, i)) return -1;
    for (int t = 0; t < f->nsteps; t++)
      if (naryn__ops_rule(&f->ops, i, t, naryn__control_name(fd->m, i, fd->rule[i][t]), f->d) !=
          NARYN_OK)
        return NARYN_ENOMEM;
  }
  if (f->network->nrows != f->nnodes + f->nlinks)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, f->network->file, 1, 1, NULL,
                       "expected a row per node and then %d rows of type \"link\" "
                       "(run.csv's links), got %d rows after the %d nodes",
                       f->nlinks, f->network->nrows - f->nnodes, f->nnodes);
  return NARYN_OK;
}

/* The steps of a run without nodes.csv, from run.csv's start and step
** (the steps a model's horizon gives); checks network.csv as read_nodes
** does. */
static int steps_from_run(run_files *f, int daily) {
  int y, mo, dd;
  const char *start = run_key(f, "start");
  if (naryn__date_parse(start, strlen(start), 1, &y, &mo, &dd) != 0)
    return naryn__rep_bad(f, f->run, -1, "value", "column \"%s\": expected the start of the run as "
                          "a date YYYY-MM-DD%s", "");
  long day0 = naryn__date_days(y, mo, dd);
  /* By month, months_from_run has made the time axis already. */
  for (int t = 0; t < f->nsteps && !f->by_month; t++) {
    int days;
    if (daily) {
      naryn__date_ymd(day0 + t * f->step_days, &y, &mo, &dd);
      days = naryn__date_month_days(y, mo);
      f->step_s[t] = f->step_days > 1 ? days_step_s(f, day0 + t * f->step_days) : 86400.0;
    } else {
      int k = (mo - 1) + (t > 0);
      y += k / 12;
      mo = k % 12 + 1;
      dd = 1;
      days = naryn__date_month_days(y, mo);
      f->step_s[t] = days * 86400.0;
    }
    f->calendar[t] = mo;
    f->month[t] = y * 12.0 + (mo - 1) + (daily ? (dd - 1.0) / days : 0.0);
    f->step_day[t] = naryn__date_days(y, mo, dd);
  }
  if (f->network->nrows != f->nnodes + f->nlinks)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, f->network->file, 1, 1, NULL,
                       "expected a row per node and then %d rows of type \"link\" "
                       "(run.csv's links), got %d rows after the %d nodes",
                       f->nlinks, f->network->nrows - f->nnodes, f->nnodes);
  return NARYN_OK;
}

/* The time axis of a daily (or N-day) run drawn by month, from run.csv's
** start and step: the calendar months its steps start in, and the month
** of each step. A point's step_s is the mean length of its steps, so that
** its sums divided by step_s times its steps are mean flows. Returns
** NARYN_OK, NARYN_ENOMEM unreported, or another error reported in f->d. */
static int months_from_run(run_files *f) {
  int y, mo, dd, ly, lm, ld;
  const char *start = run_key(f, "start");
  if (naryn__date_parse(start, strlen(start), 1, &y, &mo, &dd) != 0)
    return naryn__rep_bad(f, f->run, -1, "value", "column \"%s\": expected the start of the run as "
                          "a date YYYY-MM-DD%s", "");
  f->day0 = naryn__date_days(y, mo, dd);
  long nd = f->step_days;
  naryn__date_ymd(f->day0 + (f->nsteps - 1) * nd, &ly, &lm, &ld);
  long m0 = y * 12L + (mo - 1);
  f->npts = (int)(ly * 12L + (lm - 1) - m0 + 1);
  size_t n = (size_t)f->npts;
  f->month = naryn__arena_alloc(f->a, n * sizeof *f->month);
  f->step_s = naryn__arena_alloc(f->a, n * sizeof *f->step_s);
  f->calendar = naryn__arena_alloc(f->a, n * sizeof *f->calendar);
  f->pt_steps = naryn__arena_alloc(f->a, n * sizeof *f->pt_steps);
  f->step_pt = naryn__arena_alloc(f->a, (size_t)f->nsteps * sizeof *f->step_pt);
  if (!f->month || !f->step_s || !f->calendar || !f->pt_steps || !f->step_pt)
    return NARYN_ENOMEM; /* reported by the caller */
  for (int k = 0; k < f->npts; k++) {
    f->month[k] = (double)(m0 + k);
    f->calendar[k] = (int)((m0 + k) % 12) + 1;
    f->step_s[k] = nd > 1 ? 0.0 : 86400.0;
    f->pt_steps[k] = 0;
  }
  for (int t = 0; t < f->nsteps; t++) {
    f->step_day[t] = f->day0 + t * nd;
    naryn__date_ymd(f->step_day[t], &y, &mo, &dd);
    int k = (int)(y * 12L + (mo - 1) - m0);
    f->step_pt[t] = k;
    f->pt_steps[k]++;
    if (nd > 1) f->step_s[k] += days_step_s(f, f->step_day[t]);
  }
  for (int k = 0; k < f->npts && nd > 1; k++) f->step_s[k] /= f->pt_steps[k];
  return NARYN_OK;
}

/* Reads DIR/NAME into *out when the run wrote it; leaves *out NULL when
** it did not. NARYN_OK, or the error of a file that cannot be read. */
static int read_if_written(run_files *f, const char *name, naryn__csv **out) {
  char *path = naryn__arena_printf(f->a, "%s/%s", f->dir, name);
  if (!path)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (access(path, F_OK) != 0) return NARYN_OK;
  *out = naryn__rep_read_csv(f, name);
  return *out ? NARYN_OK : NARYN_EIO;
}

/* Reads the guide curves of zones.csv, when the run wrote it (a model
** with zones), once the time axis is known. */
static int read_zones(run_files *f) {
  naryn__csv *z = NULL;
  int rc = read_if_written(f, "zones.csv", &z);
  if (rc != NARYN_OK || !z) return rc;
  const char **names = naryn__arena_alloc(f->a, (size_t)f->nnodes * sizeof *names);
  unsigned char *res = naryn__arena_alloc(f->a, (size_t)f->nnodes);
  if (!names || !res)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes; i++) {
    names[i] = cell(f->network, i, "name");
    res[i] = (unsigned char)node_is(f, i, "reservoir");
  }
  return naryn__ops_read_zones(&f->ops, z, names, res, f->step_day,
                               f->by_month ? f->step_pt : NULL, f->d);
}

/* The step whose date is 'date' (as nodes.csv writes it), or -1. */
static int step_of_date(const run_files *f, const char *date) {
  int y, mo, dd;
  if (naryn__date_parse(date, strlen(date), 0, &y, &mo, &dd) != 0) return -1;
  long day = naryn__date_days(y, mo, dd);
  int lo = 0, hi = f->nsteps - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (f->step_day[mid] == day) return mid;
    if (f->step_day[mid] < day) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/* Reads the observed storage of observed.csv, when the run wrote it (a
** model with observed series): each value as the file gives it, at its
** step's point (by month, the month's last observed step). Rows of other
** quantities, nodes and dates outside the run are passed over. */
static int read_observed(run_files *f) {
  naryn__csv *o = NULL;
  int rc = read_if_written(f, "observed.csv", &o);
  if (rc != NARYN_OK || !o) return rc;
  int vc = naryn__csv_column(o, "observed");
  f->obs_table = o;
  f->obs_pt = naryn__arena_alloc(f->a, (size_t)(o->nrows + 1) * sizeof *f->obs_pt);
  f->obs_storage = naryn__arena_alloc(f->a, (size_t)f->nnodes * sizeof *f->obs_storage);
  if (!f->obs_storage || !f->obs_pt)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  memset(f->obs_storage, 0, (size_t)f->nnodes * sizeof *f->obs_storage);
  for (int r = 0; r < o->nrows; r++) {
    int t = step_of_date(f, cell(o, r, "date"));
    f->obs_pt[r] = t < 0 ? -1 : f->by_month ? f->step_pt[t] : t;
  }
  for (int r = 0; r < o->nrows && vc >= 0; r++) {
    if (strcmp(cell(o, r, "kind"), "node") != 0 ||
        !naryn__quantity_is(NARYN_Q_STORAGE_END_HM3, cell(o, r, "quantity")))
      continue;
    int t = step_of_date(f, cell(o, r, "date")), i = -1;
    for (int k = 0; k < f->nnodes && i < 0; k++)
      if (strcmp(cell(f->network, k, "name"), cell(o, r, "element")) == 0) i = k;
    if (t < 0 || i < 0) continue;
    double v;
    if (naryn__csv_number(o, r, vc, &v, f->d) != 0) return NARYN_EIO;
    if (!f->obs_storage[i]) {
      f->obs_storage[i] = naryn__arena_alloc(f->a, (size_t)f->npts * sizeof **f->obs_storage);
      if (!f->obs_storage[i])
        return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      for (int k = 0; k < f->npts; k++) f->obs_storage[i][k] = NAN;
    }
    f->obs_storage[i][f->by_month ? f->step_pt[t] : t] = v;
  }
  return NARYN_OK;
}

/* Reads a run's folder and checks that its files agree with each other;
** with a feed (fd), nodes.csv is not read but taken from it, unless the
** feed does not fit (then -1 is returned, reporting nothing). */
int naryn__rep_load_run_fed(run_files *f, const char *dir, naryn__arena *a,
                            const naryn__report_feed *fd, naryn_diags *d) {
  memset(f, 0, sizeof *f);
  f->dir = dir;
  f->a = a;
  f->d = d;
  naryn__csv_stream *nodes = NULL;
  if (!(f->run = naryn__rep_read_csv(f, "run.csv"))) return NARYN_EIO;
  if (!(f->network = naryn__rep_read_csv(f, "network.csv"))) return NARYN_EIO;
  /* A run that wrote summaries only has no nodes.csv. */
  char *npath = naryn__arena_printf(a, "%s/nodes.csv", dir);
  if (!npath)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  f->has_nodes = access(npath, F_OK) == 0;
  if (fd && !f->has_nodes) return -1;
  if (fd) {
    for (int q = 0; q < NARYN_Q_COUNT; q++) f->has_q[q] = fd->has_q[q];
  } else if (f->has_nodes && !(nodes = naryn__csv_open(npath, a, d))) {
    return NARYN_EIO;
  }
  int rc = NARYN_OK;
  if (!(f->summary = naryn__rep_read_csv(f, "summary.csv")) || !(f->objective = naryn__rep_read_csv(f, "objective.csv")))
    rc = NARYN_EIO;
  if (rc == NARYN_OK && strcmp(run_key(f, "mode"), "optimise") == 0) {
    if (!(f->water_values = naryn__rep_read_csv(f, "water_values.csv"))) rc = NARYN_EIO;
    else if (!(f->plants = naryn__rep_read_csv(f, "plants.csv"))) rc = NARYN_EIO;
  }
  static const char *const run_cols[] = {"key", "value"};
  static const char *const net_cols[] = {"name", "type", "country", "country_name",
                                         "enabled", "min_storage_hm3",
                                         "max_storage_hm3", "return_to", "from", "to"};
  static const char *const sum_cols[] = {"country", "season", "statistic",
                                         "energy_gwh"};
  static const char *const obj_cols[] = {"term", "kind", "weight", "country",
                                         "value_per_year", "currency"};
  for (size_t k = 0; k < 2 && rc == NARYN_OK; k++) rc = need_column(f, f->run, run_cols[k]);
  for (size_t k = 0; k < 10 && rc == NARYN_OK; k++) rc = need_column(f, f->network, net_cols[k]);
  for (size_t k = 0; k < 4 && rc == NARYN_OK; k++) rc = need_column(f, f->summary, sum_cols[k]);
  for (size_t k = 0; k < 6 && rc == NARYN_OK; k++) rc = need_column(f, f->objective, obj_cols[k]);
  /* nodes.csv may hold only some quantities, but always says where and
  ** when. */
  for (int q = 0; q < NARYN_Q_COUNT && nodes; q++)
    f->has_q[q] = q_column(nodes, q) >= 0;
  static const char *const node_cols[] = {"node", "date"};
  for (int k = 0; k < 2 && nodes && rc == NARYN_OK; k++)
    if (naryn__csv_stream_column(nodes, node_cols[k]) < 0)
      rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, nodes->file, 1, 1, NULL,
                       "expected a column \"%s\" in the header, as naryn writes it",
                       node_cols[k]);
  if (rc == NARYN_OK) {
    /* network.csv: the nodes, then the links. */
    f->nnodes = 0;
    while (f->nnodes < f->network->nrows &&
           strcmp(cell(f->network, f->nnodes, "type"), "link") != 0)
      f->nnodes++;
    f->nsteps = atoi(run_key(f, "steps"));
    f->nlinks = atoi(run_key(f, "links"));
    f->years = strtod(run_key(f, "years"), NULL);
    if (f->nnodes < 1 || f->nsteps < 1 || !(f->years > 0))
      rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, f->run->file, 1, 1, NULL,
                       "expected the keys steps, links and years with positive "
                       "values and network.csv with a row per node");
  }
  /* A step run.csv does not name is taken as monthly, as before N-day
  ** steps. */
  long step_days = naryn__step_days_parse(run_key(f, "step"));
  f->step_days = step_days > 0 && step_days <= NARYN__MAX_STEP_DAYS ? (int)step_days : 0;
  int daily = f->step_days > 0;
  const char *last = run_key(f, "last_day");
  int ly, lm, ld;
  f->last_day = naryn__date_parse(last, strlen(last), 0, &ly, &lm, &ld) == 0
                    ? naryn__date_days(ly, lm, ld)
                    : -1;
  if (rc == NARYN_OK) {
    f->by_month = NARYN__REPORT_BY_MONTH(f->step_days, f->nsteps);
    f->step_day = naryn__arena_alloc(a, sizeof(long) * (size_t)f->nsteps);
    if (!f->step_day) {
      rc = NARYN_ENOMEM;
    } else if (f->by_month) {
      rc = months_from_run(f);
    } else {
      f->npts = f->nsteps;
      f->month = naryn__arena_alloc(a, sizeof(double) * (size_t)f->nsteps);
      f->step_s = naryn__arena_alloc(a, sizeof(double) * (size_t)f->nsteps);
      f->calendar = naryn__arena_alloc(a, sizeof(int) * (size_t)f->nsteps);
      if (!f->month || !f->step_s || !f->calendar) rc = NARYN_ENOMEM;
    }
    if (rc == NARYN_OK && plan_series(f) != NARYN_OK) rc = NARYN_ENOMEM;
    if (rc == NARYN_ENOMEM)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    if (rc == NARYN_OK) rc = naryn__ops_init(&f->ops, a, f->nnodes, f->nsteps, f->npts, d);
  }
  if (rc == NARYN_OK && fd) {
    rc = feed_nodes(f, fd, daily);
  } else if (rc == NARYN_OK && nodes) {
    rc = read_nodes(f, nodes, daily);
  } else if (rc == NARYN_OK) {
    rc = steps_from_run(f, daily);
  }
  naryn__csv_close(nodes);
  /* The guide curves from the model of the run that is writing them, else
  ** from zones.csv. */
  if (rc == NARYN_OK && fd && fd->m)
    rc = naryn__ops_model_zones(&f->ops, fd->m, f->by_month ? f->step_pt : NULL, d);
  else if (rc == NARYN_OK)
    rc = read_zones(f);
  /* The observations from the folder either way: the run has written
  ** observed.csv before it draws its page. */
  if (rc == NARYN_OK) rc = read_observed(f);
  /* The grids, for a run of a model with grids. */
  if (rc == NARYN_OK) rc = naryn__rep_read_grids(f);
  return rc;
}

int naryn__rep_load_run(run_files *f, const char *dir, naryn__arena *a, naryn_diags *d) {
  return naryn__rep_load_run_fed(f, dir, a, NULL, d);
}

/* Why quantity q is missing from the run's per-step results, or NULL
** when it was written. */
const char *naryn__rep_missing(const run_files *f, int q) {
  static const char *const why[NARYN_Q_COUNT] = {
#define WHY(name) "this run did not write " name " per step (nodes.csv has no such column)"
      [NARYN_Q_INFLOW_HM3] = WHY("inflow_hm3"),
      [NARYN_Q_STORAGE_END_HM3] = WHY("storage_end_hm3"),
      [NARYN_Q_RELEASE_HM3] = WHY("release_hm3"),
      [NARYN_Q_ENERGY_GWH] = WHY("energy_gwh"),
      [NARYN_Q_DEMAND_HM3] = WHY("demand_hm3"),
      [NARYN_Q_DELIVERED_HM3] = WHY("delivered_hm3")};
#undef WHY
  if (!f->has_nodes)
    return "this run wrote no per-step results of its nodes (no nodes.csv), "
           "only its summaries";
  if (!f->has_q[q]) return why[q] ? why[q] : "this run did not write it per step";
  return NULL;
}

/* Says under a section what it does not draw and why. */
void naryn__rep_not_drawn(FILE *out, const char *what, const char *why) {
  fprintf(out, "<p class=\"note not-drawn\">");
  naryn__html_text(out, what);
  fprintf(out, " not drawn: ");
  naryn__html_text(out, why);
  fprintf(out, ".</p>\n");
}

/* Names, in a note, the nodes of a section left out because the run did
** not write their per-step results: n of them, the first few named. */
void naryn__rep_nodes_left_out(FILE *out, const run_files *f, const int *idx, int n) {
  if (n == 0) return;
  fprintf(out, "<p class=\"note not-drawn\">Not drawn for %d node%s whose per-step "
               "results this run did not write: ", n, n == 1 ? "" : "s");
  for (int k = 0; k < n && k < 10; k++) {
    fprintf(out, "%s", k ? ", " : "");
    naryn__html_text(out, cell(f->network, idx[k], "name"));
  }
  if (n > 10) fprintf(out, " and %d more", n - 10);
  fprintf(out, ".</p>\n");
}
