/*
** report.c: report.html, the page an analyst opens instead of the CSV
** files. It is drawn only from the files a run leaves in its folder, so
** that "naryn report DIR" rebuilds exactly what the run wrote, and a
** report can be drawn for results from another machine.
**
** Three kinds of folder are understood:
**   a run (run.csv, network.csv, nodes.csv, summary.csv,
**     objective.csv, and for an optimised plan water_values.csv and
**     plants.csv): what was run, the yearly means by country and season,
**     the objective, the network, and charts of storage, release against
**     inflow, generation, deliveries against demands, water reaching the
**     sinks and, for a plan, the marginal value of water; and for a model
**     with operating rules (zones.csv, the rule column of nodes.csv) the
**     guide curves on the storage charts and the controlling rules, drawn
**     by guides.c;
**   a comparison (compare.csv naming run folders): the runs side by side;
**   a trade-off curve (pareto.csv): the curve, with the simulated rules
**     marked on it;
**   a benefit-sharing game (game.csv): drawn by share_page.c from the
**     parts of a page defined here (naryn__page and its helpers).
**
** The page is one file with inline SVG and CSS and no scripts; its
** Content-Security-Policy forbids loading anything, so that a name in a
** model can never run or fetch anything even if it escaped escaping.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../naryn_int.h"

/* ====================================================================== */
/* Reading a run's folder                                                  */
/* ====================================================================== */

/* nodes.csv is not held: it is read row by row, and only the series the
** page draws are kept, one value a point of the time axis (NaN where a
** point has none): the storage, release and inflow of every reservoir,
** the inflow of the sinks, the energy of the enabled plants, and the
** demand and delivery of the enabled demands.
**
** A point is a step, except in a daily or N-day run of more than
** MAX_STEP_POINTS steps of up to 28 days (NARYN__REPORT_BY_MONTH): a chart
** of more points than that is wider than the screen has pixels for (a
** chart is 960 px wide), so such a run is kept and drawn by calendar
** month, the months summed as the rows stream in. A step counts in the
** month of its first day, and every month has one, a month having at
** least 28 days. A point then holds the month's last storage (storage at
** the end of the month, as hydrologists tabulate reservoirs; for steps of
** N days, the end of the month's last step, which may run up to N - 1
** days into the next month) and the month's sums of the flows,
** deliveries, demands and energy (hm3 or GWh a month) over the same
** steps, so that a point's water balances; the charts turn the sums into
** mean flows in m3/s over those steps' days. Monthly runs, runs of up to
** MAX_STEP_POINTS steps (about four years of days) and runs of steps of
** 29 days or more are drawn per step. */
#define MAX_STEP_POINTS NARYN__REPORT_STEP_POINTS

typedef struct run_files {
  const char *dir;
  naryn__arena *a;
  naryn_diags *d;
  naryn__csv *run, *network, *summary, *objective;
  naryn__csv *water_values, *plants;     /* optimised plans only */
  int nnodes, nsteps, nlinks;
  double years;
  /* The time axis: npts points, each a step, or a calendar month when
  ** by_month (then step_pt gives each step's point, and day0 the day
  ** number of the first step, from run.csv's start). */
  int by_month, npts;
  double *month;      /* [npts] months since year 0 at the point's start */
  double *step_s;     /* [npts] seconds in each of the point's steps */
  int *calendar;      /* [npts] calendar month 1-12 */
  int *pt_steps;      /* [npts] steps in the point; NULL: one each */
  int *step_pt;       /* [nsteps] the point of each step, when by_month */
  long *step_day;     /* [nsteps] the day number of each step's date */
  long day0;
  /* The days in a step (run.csv's step: 0 monthly, 1 daily, N), and the
  ** horizon's last day (run.csv's last_day; -1 when not given), where a
  ** shorter last step of N days ends. */
  int step_days;
  long last_day;
  /* What the run wrote per step: whether there is a nodes.csv, which of
  ** its quantities it has a column for, and which nodes it has rows for
  ** (a run may write only some; every node when NULL). */
  int has_nodes;
  int has_q[NARYN_Q_COUNT];
  unsigned char *written;  /* [nnodes] */
  double **series;         /* [NARYN_Q_COUNT * nnodes], NULL when not kept */
  /* The operating rules: whether nodes.csv has the rule column, and the
  ** guide curves and controlling rules kept (guides.c). */
  int has_rule;
  naryn__report_ops ops;
  /* Each reservoir's observed storage at each point (observed.csv), NULL
  ** for a reservoir without; NaN where not observed. */
  double **obs_storage;    /* [nnodes] */
  naryn__csv *obs_table;   /* observed.csv, or NULL */
  int *obs_pt;             /* [its rows] the point of each row, -1 outside */
} run_files;

/* Reads DIR/NAME; a missing or malformed file is reported in f->d. */
static naryn__csv *read_csv(run_files *f, const char *name) {
  char *path = naryn__arena_printf(f->a, "%s/%s", f->dir, name);
  if (!path) {
    naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    return NULL;
  }
  return naryn__csv_read(path, f->a, f->d);
}

/* A cell by column name, or "" when the column is missing. */
static const char *cell(const naryn__csv *t, int row, const char *col) {
  int c = naryn__csv_column(t, col);
  if (c < 0 || row < 0 || row >= t->nrows) return "";
  return t->cells[(size_t)row * t->ncols + c];
}

/* The column of nodes.csv holding quantity q, by its name or, in a folder
** an older version wrote, its older name; -1 when there is none. */
static int q_column(const naryn__csv_stream *s, int q) {
  int c = naryn__csv_stream_column(s, naryn_quantity_name((naryn_quantity)q));
  const char *old = naryn__quantity_old_name((naryn_quantity)q);
  return c < 0 && old ? naryn__csv_stream_column(s, old) : c;
}

/* A number from a cell; NaN for an empty cell or anything not a number. */
static double cell_num(const naryn__csv *t, int row, int col) {
  if (col < 0 || row < 0 || row >= t->nrows) return NAN;
  const char *s = t->cells[(size_t)row * t->ncols + col];
  if (!s[0]) return NAN;
  char *end;
  double v = strtod(s, &end);
  return *end ? NAN : v;
}

/* The value of a key of run.csv, or "". */
static const char *run_key(const run_files *f, const char *key) {
  for (int r = 0; r < f->run->nrows; r++)
    if (strcmp(cell(f->run, r, "key"), key) == 0) return cell(f->run, r, "value");
  return "";
}

static int bad(const run_files *f, const naryn__csv *t, int row, const char *col,
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

static int need_column(const run_files *f, const naryn__csv *t, const char *col) {
  return naryn__report_need_column(t, col, f->d);
}

static int node_is(const run_files *f, int i, const char *type);
static int node_enabled(const run_files *f, int i);

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

/* 1 for an enabled reservoir, whose controlling rule the page keeps. */
static int keeps_rule(const run_files *f, int i) {
  return node_is(f, i, "reservoir") && node_enabled(f, i);
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
    return bad(f, f->run, -1, "value", "column \"%s\": expected the start of the run as "
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
    return bad(f, f->run, -1, "value", "column \"%s\": expected the start of the run as "
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

/* Reads the guide curves of zones.csv, when the run wrote it (a model
** with zones), once the time axis is known. */
static int read_zones(run_files *f) {
  char *path = naryn__arena_printf(f->a, "%s/zones.csv", f->dir);
  if (!path)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (access(path, F_OK) != 0) return NARYN_OK;
  naryn__csv *z = read_csv(f, "zones.csv");
  if (!z) return NARYN_EIO;
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
  char *path = naryn__arena_printf(f->a, "%s/observed.csv", f->dir);
  if (!path)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (access(path, F_OK) != 0) return NARYN_OK;
  naryn__csv *o = read_csv(f, "observed.csv");
  if (!o) return NARYN_EIO;
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
static int load_run_fed(run_files *f, const char *dir, naryn__arena *a,
                        const naryn__report_feed *fd, naryn_diags *d) {
  memset(f, 0, sizeof *f);
  f->dir = dir;
  f->a = a;
  f->d = d;
  naryn__csv_stream *nodes = NULL;
  if (!(f->run = read_csv(f, "run.csv"))) return NARYN_EIO;
  if (!(f->network = read_csv(f, "network.csv"))) return NARYN_EIO;
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
  if (!(f->summary = read_csv(f, "summary.csv")) || !(f->objective = read_csv(f, "objective.csv")))
    rc = NARYN_EIO;
  if (rc == NARYN_OK && strcmp(run_key(f, "mode"), "optimise") == 0) {
    if (!(f->water_values = read_csv(f, "water_values.csv"))) rc = NARYN_EIO;
    else if (!(f->plants = read_csv(f, "plants.csv"))) rc = NARYN_EIO;
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
  return rc;
}

static int load_run(run_files *f, const char *dir, naryn__arena *a, naryn_diags *d) {
  return load_run_fed(f, dir, a, NULL, d);
}

/* Quantity q of node i in step t: NaN when it does not apply, or when
** the run did not write it, or the page does not keep it. */
static double Q(const run_files *f, int q, int t, int i) {
  const double *v = f->series[(size_t)q * f->nnodes + i];
  return v ? v[t] : NAN;
}

/* The number of steps in point t of the time axis. */
static int steps_in(const run_files *f, int t) { return f->pt_steps ? f->pt_steps[t] : 1; }

/* 1 when the run wrote quantity q of node i per step. */
static int have(const run_files *f, int q, int i) {
  return f->has_q[q] && f->written && f->written[i];
}

static int node_enabled(const run_files *f, int i) {
  return strcmp(cell(f->network, i, "enabled"), "0") != 0;
}

static int node_is(const run_files *f, int i, const char *type) {
  return strcmp(cell(f->network, i, "type"), type) == 0;
}

/* Why quantity q is missing from the run's per-step results, or NULL
** when it was written. */
static const char *missing(const run_files *f, int q) {
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
static void not_drawn(FILE *out, const char *what, const char *why) {
  fprintf(out, "<p class=\"note not-drawn\">");
  naryn__html_text(out, what);
  fprintf(out, " not drawn: ");
  naryn__html_text(out, why);
  fprintf(out, ".</p>\n");
}

/* Names, in a note, the nodes of a section left out because the run did
** not write their per-step results: n of them, the first few named. */
static void nodes_left_out(FILE *out, const run_files *f, const int *idx, int n) {
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

/* ====================================================================== */
/* Page parts                                                              */
/* ====================================================================== */

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;"
    "color:#1f2328;margin:0 auto;max-width:1080px;padding:0 20px 40px;line-height:1.45}"
    "h1{font-size:1.6em;margin:24px 0 4px}h2{font-size:1.25em;margin:32px 0 8px;"
    "border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:1.05em;margin:20px 0 6px}"
    ".sub{color:#57606a;margin:0 0 12px}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}"
    "dl.meta dt{color:#57606a}dl.meta dd{margin:0;overflow-wrap:anywhere}"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:.9em;background:#f3f4f6;"
    "padding:1px 4px;border-radius:3px}"
    "nav ul{columns:3;padding-left:18px;margin:4px 0}"
    "table.data{border-collapse:collapse;margin:8px 0 16px;font-size:.88em;"
    "font-variant-numeric:tabular-nums}"
    "table.data th,table.data td{border-bottom:1px solid #d8dee4;padding:3px 8px;"
    "text-align:right;white-space:nowrap}"
    "table.data th{background:#f6f8fa}table.data td.l,table.data th.l{text-align:left}"
    "table.data td.w,table.data th.w{white-space:normal}"
    "table.data tr.total td{font-weight:600}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "figure.chart{margin:12px 0 22px;break-inside:avoid}"
    ".multiples{display:flex;flex-wrap:wrap;gap:0 20px}"
    ".multiples figure.chart{flex:1 1 420px;min-width:0;max-width:530px;margin:6px 0 10px}"
    "figure.chart figcaption{font-weight:600;margin-bottom:4px}"
    "figure.chart figcaption span{font-weight:normal;color:#57606a}"
    "svg.chart{max-width:100%;height:auto;display:block}"
    "svg.chart text{font-size:12px;fill:#1f2328}"
    "svg.chart text.label{fill:#57606a}svg.chart text.off{fill:#8c959f}"
    "svg.chart text.empty{fill:#8c959f;font-size:14px}"
    "svg.chart line.grid{stroke:#eaeef2}svg.chart line.frame,svg.chart line.tick{stroke:#57606a}"
    ".note{color:#57606a;font-size:.92em}"
    "footer{margin-top:36px;color:#57606a;font-size:.88em;border-top:1px solid #d0d7de;"
    "padding-top:8px}"
    /* On paper (A4, margins of 12 mm: 186 mm, about 700 CSS pixels) a table
    ** cannot scroll: tables take the page's width, their headers wrap and
    ** their type shrinks, and charts shrink to the width. */
    "@page{size:A4;margin:12mm}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}"
    "h2{break-after:avoid}h2,h3{break-after:avoid}"
    ".scroll{overflow:visible}table.data{font-size:7pt;max-width:100%}"
    "table.data th,table.data td{padding:1px 3px}"
    "table.data th{white-space:normal;overflow-wrap:anywhere;hyphens:auto}"
    "table.data tr{break-inside:avoid}figure.chart{break-inside:avoid}"
    "svg.chart{width:100%;height:auto}dl.meta{font-size:9pt}"
    ".multiples figure.chart{flex-basis:300px}}";

/* A horizon shorter than a year is reported as totals over it: a yearly
** mean of a few days would multiply them into a year the run never saw.
** per_year is what totals are divided by, stat_key the rows of
** summary.csv and term_key the column of objective.csv that the page
** reads, and a_year the words for it. */
static int whole_years(const run_files *f) { return f->years >= 1.0 - 1e-6; }
static double per_year(const run_files *f) { return whole_years(f) ? f->years : 1.0; }
static const char *stat_key(const run_files *f) { return whole_years(f) ? "per_year" : "total"; }
static const char *term_key(const run_files *f) {
  return whole_years(f) ? "value_per_year" : "value";
}
static const char *a_year(const run_files *f) {
  return whole_years(f) ? "a year" : "over the horizon";
}

/* The unit of a column of volumes whose largest figure is big_hm3: km3
** with 2 decimals from 1 km3 up, hm3 with 1 decimal below, so that no
** volume shows as 0.01 of a larger unit. Returns the divisor from hm3. */
static double fit_unit(double big_hm3, const char **unit, int *decimals) {
  int km3 = big_hm3 >= 1000.0;
  *unit = km3 ? "km3" : "hm3";
  *decimals = km3 ? 2 : 1;
  return km3 ? 1000.0 : 1.0;
}

/* 1 when the prices of a term of objective.csv are estimates: its
** confidence is "low", or not given (a folder of an earlier version has no
** such column). */
static int estimated(const naryn__csv *obj, int row) {
  const char *c = cell(obj, row, "confidence");
  return !c[0] || strcmp(c, "low") == 0;
}

/* Names the terms whose prices are estimates, in a sentence: each term
** once, in the order of objective.csv. */
static int first_row_of_term(const naryn__csv *obj, int r) {
  const char *term = cell(obj, r, "term");
  return strcmp(term, "combined") != 0 && (r == 0 || strcmp(cell(obj, r - 1, "term"), term) != 0);
}

static void estimates_sentence(FILE *out, const naryn__csv *obj) {
  int n = 0, terms = 0, all = 0;
  for (int r = 0; r < obj->nrows; r++) all += first_row_of_term(obj, r) && estimated(obj, r);
  for (int r = 0; r < obj->nrows; r++) {
    if (!first_row_of_term(obj, r)) continue;
    terms++;
    if (!estimated(obj, r)) continue;
    fprintf(out, "%s", !n ? all == 1 ? "The prices of the term " : "The prices of the terms "
                           : n == all - 1 ? " and " : ", ");
    naryn__html_text(out, cell(obj, r, "term"));
    n++;
  }
  if (n)
    fprintf(out, " are estimates (confidence low, or not given in the model file).");
  else if (terms)
    fprintf(out, "No price is an estimate: the model gives every term a confidence of high "
                 "or medium.");
}

/* What an optimised plan is and is not, and where its prices come from:
** said on the plan's page and on a comparison that holds one. */
static void foresight_note(FILE *out, const char *name, const naryn__csv *obj) {
  fprintf(out, "<p class=\"note foresight\" id=\"foresight\"><strong>");
  naryn__html_text(out, name);
  fprintf(out, " assumes perfect foresight:</strong> it is planned knowing every inflow of "
               "the horizon in advance, which no operator does, so its figures are an "
               "upper bound on what operating rules could reach with the same system, "
               "not a plan to follow. The money in its objective is at the prices of the "
               "model's objective terms, which are the model's inputs, not measurements "
               "of naryn's, each as sure as its confidence in the model file (high: taken "
               "from a source, medium: derived from one, low: an estimate; a term that "
               "gives none is taken as an estimate). ");
  estimates_sentence(out, obj);
  fprintf(out, "</p>\n");
}

/* The parts below are shared with share_page.c (declared in naryn_int.h). */

void naryn__text(naryn__page *p, const char *s) { naryn__html_text(p->out, s); }

int naryn__page_open(naryn__page *p, naryn_diags *d) {
  memset(p, 0, sizeof *p);
  p->d = d;
  p->out = open_memstream(&p->buf, &p->len);
  if (!p->out)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return NARYN_OK;
}

void naryn__page_head(naryn__page *p, const char *title) {
  fprintf(p->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                  "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"naryn %s\">\n<title>",
          NARYN_VERSION);
  naryn__text(p, title);
  fprintf(p->out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

/* Writes the page to DIR/report.html, whole or not at all. */
int naryn__page_close(naryn__page *p, const char *dir) {
  fprintf(p->out, "<footer id=\"end\">Drawn by naryn %s from the files in this "
                  "folder; <code>naryn report FOLDER</code> draws it again. Figures "
                  "are %s unless a chart says otherwise; km3 = 1000 hm3 = "
                  "10<sup>9</sup> m3.</footer>\n</body>\n</html>\n",
          NARYN_VERSION, p->totals ? "totals over the horizon, which is shorter than a year,"
                                   : "yearly means");
  if (fclose(p->out) != 0) {
    free(p->buf);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  p->out = NULL;
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/report.html", dir) >= sizeof path) {
    free(p->buf);
    return naryn__diag(p->d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
  }
  naryn__outfile *f = naryn__outfile_open(path, p->d);
  if (!f) {
    free(p->buf);
    return NARYN_EIO;
  }
  naryn__outfile_write(f, p->buf, p->len);
  free(p->buf);
  p->buf = NULL;
  return naryn__outfile_commit(f, p->d);
}

void naryn__page_abort(naryn__page *p) {
  if (p->out) fclose(p->out);
  free(p->buf);
  p->out = NULL;
  p->buf = NULL;
}

/* A chart in a figure with its caption and a note under it. */
int naryn__figure(naryn__page *p, const naryn__chart *c, const char *caption,
                  const char *unit_note) {
  fprintf(p->out, "<figure class=\"chart\" id=\"%s\"><figcaption>", c->id);
  naryn__text(p, caption);
  if (unit_note) {
    fprintf(p->out, " <span>");
    naryn__text(p, unit_note);
    fprintf(p->out, "</span>");
  }
  fprintf(p->out, "</figcaption>\n");
  int rc = naryn__chart_svg(p->out, c, p->d);
  fprintf(p->out, "</figure>\n");
  p->nfig++;
  return rc;
}

void naryn__table_open(naryn__page *p, const char *id) {
  fprintf(p->out, "<div class=\"scroll\"><table class=\"data\" id=\"%s\">\n", id);
  p->ntab++;
}

void naryn__table_close(naryn__page *p) { fprintf(p->out, "</table></div>\n"); }

void naryn__th(naryn__page *p, const char *s, int left) {
  fprintf(p->out, "<th%s>", left ? " class=\"l\"" : "");
  naryn__text(p, s);
  fprintf(p->out, "</th>");
}

void naryn__td_text(naryn__page *p, const char *s) {
  fprintf(p->out, "<td class=\"l\">");
  naryn__text(p, s);
  fprintf(p->out, "</td>");
}

void naryn__td_num(naryn__page *p, double v, int decimals) {
  if (isnan(v)) {
    fprintf(p->out, "<td></td>");
    return;
  }
  if (fabs(v) < 0.5 * pow(10, -decimals)) v = 0.0;
  fprintf(p->out, "<td>%.*f</td>", decimals, v);
}

void naryn__meta(naryn__page *p, const char *key, const char *value) {
  fprintf(p->out, "<dt>%s</dt><dd>", key);
  naryn__text(p, value);
  fprintf(p->out, "</dd>");
}

/* The country label "KG Kyrgyzstan" of a code, from network.csv. */
static const char *country_label(const run_files *f, const char *code, char *buf,
                                 size_t size) {
  if (!code[0]) return "(no country)";
  if (strcmp(code, "all") == 0) return "all countries";
  for (int i = 0; i < f->nnodes; i++)
    if (strcmp(cell(f->network, i, "country"), code) == 0) {
      const char *name = cell(f->network, i, "country_name");
      if (name[0] && strcmp(name, code) != 0) {
        snprintf(buf, size, "%s %s", code, name);
        return buf;
      }
    }
  return code;
}

/* The distinct countries of the network, in order of first use. */
static int network_countries(const run_files *f, const char **codes, int max) {
  int n = 0;
  for (int i = 0; i < f->nnodes; i++) {
    const char *c = cell(f->network, i, "country");
    int seen = !c[0];
    for (int k = 0; k < n && !seen; k++) seen = strcmp(codes[k], c) == 0;
    if (!seen && n < max) codes[n++] = c;
  }
  return n;
}

static const char *const season_label[] = {"Oct–Mar", "Apr–Sep", "year"};
static const char *const season_key[] = {"oct-mar", "apr-sep", "all"};
/* Months in water-year order, October first. */
static const char *const month_names[12] = {"Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
                                            "Apr", "May", "Jun", "Jul", "Aug", "Sep"};
static int water_month(int calendar) { return (calendar + 2) % 12; }

/* The header: what was run. */
static void run_header(naryn__page *p, const run_files *f, const char *what) {
  const char *model = run_key(f, "model"), *scen = run_key(f, "scenario");
  fprintf(p->out, "<header>\n<h1>");
  naryn__text(p, model);
  fprintf(p->out, "</h1>\n<p class=\"sub\">");
  naryn__text(p, what);
  if (scen[0]) {
    fprintf(p->out, ", scenario ");
    naryn__text(p, scen);
  }
  fprintf(p->out, "</p>\n<dl class=\"meta\">");
  naryn__meta(p, "Model", model);
  naryn__meta(p, "Model file", run_key(f, "model_file"));
  naryn__meta(p, "Scenario", scen[0] ? scen : "none (the model as given)");
  char buf[256];
  /* Steps of N days are told as "N-day steps"; a short last step ends at
  ** run.csv's last_day. */
  char step_name[32];
  if (f->step_days > 1 && f->step_days != 7)
    snprintf(step_name, sizeof step_name, "%d-day", f->step_days);
  else
    snprintf(step_name, sizeof step_name, "%s", run_key(f, "step"));
  snprintf(buf, sizeof buf, "%.7s to %.7s: %s %s steps, %s years", run_key(f, "start"),
           f->step_days > 1 && f->last_day >= 0 ? run_key(f, "last_day") : run_key(f, "end"),
           run_key(f, "steps"), step_name, run_key(f, "years"));
  naryn__meta(p, "Horizon", buf);
  naryn__meta(p, "Step", run_key(f, "step"));
  naryn__meta(p, "Engine", "naryn " NARYN_VERSION);
  snprintf(buf, sizeof buf, "naryn %s", run_key(f, "naryn_version"));
  naryn__meta(p, "Results written by", buf);
  naryn__meta(p, "Command", run_key(f, "command")[0] ? run_key(f, "command") : "(not recorded)");
  const char *node = run_key(f, "max_residual_node");
  snprintf(buf, sizeof buf, "%s hm3%s%s%s%.10s%s; relative to the flow %s; whole system %s hm3",
           run_key(f, "max_residual_hm3"), node[0] ? " (" : "", node,
           node[0] ? ", " : "", run_key(f, "max_residual_date"), node[0] ? ")" : "",
           run_key(f, "max_residual_relative"), run_key(f, "system_residual_hm3"));
  naryn__meta(p, "Largest water-balance residual", buf);
  fprintf(p->out, "</dl>\n</header>\n");
}

/* ====================================================================== */
/* A run                                                                   */
/* ====================================================================== */

/* The yearly means by country and season, from summary.csv. */
static void summary_table(naryn__page *p, const run_files *f) {
  static const char *const cols[] = {"energy_gwh", "irrigation_delivered_hm3",
                                     "irrigation_shortage_hm3", "municipal_delivered_hm3",
                                     "municipal_shortage_hm3", "min_flow_shortage_hm3",
                                     "spill_hm3", "sink_inflow_hm3", "evaporation_hm3"};
  static const char *const heads[] = {"energy", "irrigation delivered",
                                      "irrigation short", "town water delivered",
                                      "town water short", "minimum flow short",
                                      "spill", "to sinks and lakes",
                                      "evaporation"};
  const char *stat = stat_key(f);
  if (whole_years(f))
    fprintf(p->out, "<h2 id=\"s-summary\">Yearly means by country and season</h2>\n");
  else
    fprintf(p->out, "<h2 id=\"s-summary\">Totals by country and season</h2>\n"
                    "<p class=\"note\">The horizon is shorter than a year (%s years): "
                    "the figures are its totals, not extrapolated to a year.</p>\n",
            run_key(f, "years"));
  /* Each column of volumes in the unit that fits its largest figure. */
  double div[9] = {1};
  int dec[9] = {0};
  const char *unit[9] = {"GWh"};
  for (int k = 1; k < 9; k++) {
    double big = 0;
    int col = naryn__csv_column(f->summary, cols[k]);
    for (int r = 0; r < f->summary->nrows; r++)
      if (strcmp(cell(f->summary, r, "statistic"), stat) == 0) {
        double v = cell_num(f->summary, r, col);
        if (!isnan(v)) big = fmax(big, fabs(v));
      }
    div[k] = fit_unit(big, &unit[k], &dec[k]);
  }
  naryn__table_open(p, "summary");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "country", 1);
  naryn__th(p, "season", 1);
  char head[96];
  for (int k = 0; k < 9; k++) {
    snprintf(head, sizeof head, "%s %s", heads[k], unit[k]);
    naryn__th(p, head, 0);
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  char buf[256];
  for (int r = 0; r < f->summary->nrows; r++) {
    if (strcmp(cell(f->summary, r, "statistic"), stat) != 0) continue;
    const char *code = cell(f->summary, r, "country"), *season = cell(f->summary, r, "season");
    int first = strcmp(season, "oct-mar") == 0;
    int whole = strcmp(season, "all") == 0;
    fprintf(p->out, "<tr%s>", whole ? " class=\"total\"" : "");
    naryn__td_text(p, first ? country_label(f, code, buf, sizeof buf) : "");
    const char *sl = season;
    for (int s = 0; s < 3; s++)
      if (strcmp(season, season_key[s]) == 0) sl = season_label[s];
    naryn__td_text(p, whole && !whole_years(f) ? "whole horizon" : sl);
    for (int k = 0; k < 9; k++) {
      double v = cell_num(f->summary, r, naryn__csv_column(f->summary, cols[k]));
      naryn__td_num(p, v / div[k], dec[k]);
    }
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* The objective terms: one row per term, one column per country. */
static void objective_table(naryn__page *p, const run_files *f) {
  const char *cur = cell(f->objective, 0, "currency");
  fprintf(p->out, "<h2 id=\"s-objective\">The objective</h2>\n<p class=\"note\">"
                  "Each term's %s in millions of ", whole_years(f) ? "yearly value"
                                                     : "total over the horizon");
  naryn__text(p, cur);
  fprintf(p->out, " and its weight; benefits and costs as the term defines them "
                  "(costs positive), at the prices the model gives them, its inputs. "
                  "The column \"prices\" says how sure the model is of each term's "
                  "prices (its confidence: high, taken from a source; medium, derived "
                  "from one; low, an estimate; a term that gives none is taken as an "
                  "estimate), and pointing at it shows their source when the model "
                  "gives one. ");
  estimates_sentence(p->out, f->objective);
  fprintf(p->out, " The combined objective is the weighted "
                  "benefits less the weighted costs.</p>\n");
  const char *countries[64];
  int nc = 0;
  for (int r = 0; r < f->objective->nrows && nc < 64; r++) {
    const char *c = cell(f->objective, r, "country");
    int seen = 0;
    for (int k = 0; k < nc && !seen; k++) seen = strcmp(countries[k], c) == 0;
    if (!seen && strcmp(cell(f->objective, r, "term"), "combined") != 0) countries[nc++] = c;
  }
  naryn__table_open(p, "objective");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "term", 1);
  naryn__th(p, "kind", 1);
  naryn__th(p, "weight", 0);
  naryn__th(p, "prices", 1);
  char buf[256];
  for (int k = 0; k < nc; k++)
    naryn__th(p, strcmp(countries[k], "all") == 0
                     ? "all countries"
                     : country_label(f, countries[k], buf, sizeof buf),
              0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  int vcol = naryn__csv_column(f->objective, term_key(f));
  for (int r = 0; r < f->objective->nrows;) {
    const char *term = cell(f->objective, r, "term");
    int combined = strcmp(term, "combined") == 0;
    fprintf(p->out, "<tr%s>", combined ? " class=\"total\"" : "");
    naryn__td_text(p, combined ? "combined (benefits − costs)" : term);
    naryn__td_text(p, combined ? "" : cell(f->objective, r, "kind"));
    fprintf(p->out, "<td>");
    naryn__text(p, cell(f->objective, r, "weight"));
    fprintf(p->out, "</td>");
    const char *conf = cell(f->objective, r, "confidence"), *src = cell(f->objective, r, "source");
    fprintf(p->out, "<td class=\"l\"");
    if (!combined && src[0]) {
      fprintf(p->out, " title=\"");
      naryn__text(p, src);
      fprintf(p->out, "\"");
    }
    fprintf(p->out, ">");
    if (!combined) {
      naryn__text(p, conf[0] ? conf : "not given");
      if (estimated(f->objective, r)) fprintf(p->out, " (estimate)");
    }
    fprintf(p->out, "</td>");
    int r2 = r;
    for (int k = 0; k < nc; k++) {
      int found = -1;
      for (int j = r; j < f->objective->nrows && strcmp(cell(f->objective, j, "term"), term) == 0; j++) {
        if (strcmp(cell(f->objective, j, "country"), countries[k]) == 0) found = j;
        r2 = j;
      }
      naryn__td_num(p, found >= 0 ? cell_num(f->objective, found, vcol) / 1e6 : NAN, 1);
    }
    fprintf(p->out, "</tr>\n");
    r = r2 + 1;
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static int network_section(naryn__page *p, const run_files *f) {
  int n = f->nnodes, rc;
  naryn__net_node *nodes = calloc((size_t)n, sizeof *nodes);
  naryn__net_link *links = calloc((size_t)(f->nlinks + n), sizeof *links);
  const char *codes[64];
  char (*labels)[128] = calloc(64, sizeof *labels);
  const char *label_ptr[64];
  if (!nodes || !links || !labels) {
    free(nodes), free(links), free(labels);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  int nc = network_countries(f, codes, 64);
  for (int k = 0; k < nc; k++) {
    char buf[128];
    snprintf(labels[k], sizeof labels[k], "%s", country_label(f, codes[k], buf, sizeof buf));
    label_ptr[k] = labels[k];
  }
  for (int i = 0; i < n; i++) {
    nodes[i].name = cell(f->network, i, "name");
    nodes[i].type = cell(f->network, i, "type");
    nodes[i].country = cell(f->network, i, "country");
    nodes[i].enabled = node_enabled(f, i);
    nodes[i].colour = -1;
    for (int k = 0; k < nc; k++)
      if (strcmp(codes[k], nodes[i].country) == 0) nodes[i].colour = k;
  }
  int nl = 0;
  /* Names are looked up in an index; a name given twice is found at its
  ** last row, as a search through every row would find it. */
  naryn__arena *na = naryn__arena_new();
  naryn__names names = {0};
  if (!na || naryn__names_new(&names, n, na) != 0) {
    naryn__arena_free(na);
    free(nodes), free(links), free(labels);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = n - 1; i >= 0; i--) naryn__names_put(&names, nodes[i].name, i);
  /* The links follow the nodes in network.csv. */
  for (int l = 0; l < f->nlinks; l++) {
    int row = f->nnodes + l;
    const char *from = cell(f->network, row, "from"), *to = cell(f->network, row, "to");
    int a = naryn__names_get(&names, from), b = naryn__names_get(&names, to);
    if (a < 0 || b < 0) {
      rc = bad(f, f->network, row, a < 0 ? "from" : "to",
               "column \"%s\": expected a node of network.csv%s", "");
      naryn__arena_free(na);
      free(nodes), free(links), free(labels);
      return rc;
    }
    links[nl++] = (naryn__net_link){a, b, 0};
  }
  for (int i = 0; i < n; i++) {
    const char *ret = cell(f->network, i, "return_to");
    if (!ret[0]) continue;
    int j = naryn__names_get(&names, ret);
    if (j >= 0) links[nl++] = (naryn__net_link){i, j, 1};
  }
  naryn__arena_free(na);
  fprintf(p->out, "<h2 id=\"s-network\">The network</h2>\n"
                  "<figure class=\"chart\" id=\"network\"><figcaption>Nodes by type "
                  "and country, from upstream (top) to downstream <span>(dashed: "
                  "return flows; hollow: disabled)</span></figcaption>\n");
  rc = naryn__network_svg(p->out, "network-svg", nodes, n, links, nl, label_ptr, nc, p->d);
  fprintf(p->out, "</figure>\n");
  p->nfig++;
  free(nodes), free(links), free(labels);
  return rc;
}

/* Says that the charts over time are drawn by month, and why. */
static void by_month_note(FILE *out, const run_files *f) {
  char name[32];
  if (f->step_days > 1 && f->step_days != 7)
    snprintf(name, sizeof name, "run of %d-day steps", f->step_days);
  else
    snprintf(name, sizeof name, "%s run", f->step_days == 7 ? "weekly" : "daily");
  fprintf(out, "<p class=\"note by-month\">This %s has %d steps, more than a "
               "chart can show (%d): the charts over time are drawn by calendar month%s, "
               "%d points, with storage at the end of each month and flows as each "
               "month's mean.</p>\n", name, f->nsteps, MAX_STEP_POINTS,
          f->step_days > 1 ? " (a step in the month it starts in)" : "", f->npts);
}

/* The length of point t of the time axis in months: a month, or a day of
** a daily run drawn per step, or the days of a step of several (from its
** start to the start of the day after its end). */
static double point_months(const run_files *f, int t) {
  if (f->by_month || f->step_days == 0) return 1.0;
  if (f->step_days > 1) {
    int y, mo, dd;
    naryn__date_ymd(f->step_day[t] + (long)(f->step_s[t] / 86400.0 + 0.5), &y, &mo, &dd);
    return y * 12.0 + (mo - 1) + (dd - 1.0) / naryn__date_month_days(y, mo) - f->month[t];
  }
  int y = (int)floor(f->month[t] / 12.0);
  return 1.0 / naryn__date_month_days(y, f->calendar[t]);
}

/* Draws the storage chart of reservoir i: storage at the end of each
** point, its limits, and its guide curves (the top of each zone below the
** first, at the start of each point, as the zone of a step is chosen by
** its start storage). x, y, lo and hi have room for a value a point. */
static int storage_chart(naryn__page *p, const run_files *f, int i, double *x, double *y,
                         double *lo, double *hi) {
  int n = 0, nc = f->ops.ncurves[i];
  double smin = cell_num(f->network, i, naryn__csv_column(f->network, "min_storage_hm3"));
  double smax = cell_num(f->network, i, naryn__csv_column(f->network, "max_storage_hm3"));
  for (int t = 0; t < f->npts; t++) {
    double v = Q(f, NARYN_Q_STORAGE_END_HM3, t, i);
    if (isnan(v)) continue;
    x[n] = f->month[t] + point_months(f, t); /* storage at the end of the step or month */
    y[n] = v;
    lo[n] = smin;
    hi[n] = smax;
    n++;
  }
  const double *obs = f->obs_storage ? f->obs_storage[i] : NULL;
  naryn__series *s = calloc((size_t)(4 + nc), sizeof *s);
  double *cx = nc ? malloc((size_t)nc * 2 * (size_t)f->npts * sizeof *cx) : NULL;
  double *ox = obs ? malloc((size_t)2 * (size_t)f->npts * sizeof *ox) : NULL;
  if (!s || (nc && !cx) || (obs && !ox)) {
    free(s), free(cx), free(ox);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  s[0] = (naryn__series){"storage", x, y, n, NARYN__LINE, naryn__colour(0), NULL, NULL, 0};
  s[1] = (naryn__series){"maximum", x, hi, isnan(smax) ? 0 : n, NARYN__DASHED, "#d55e00", NULL, NULL, 0};
  s[2] = (naryn__series){"minimum", x, lo, isnan(smin) ? 0 : n, NARYN__DASHED, "#57606a", NULL, NULL, 0};
  int rc = NARYN_OK;
  for (int k = 0; k < nc && rc == NARYN_OK; k++) {
    double *gx = cx + (size_t)k * 2 * f->npts, *gy = gx + f->npts;
    const double *top = f->ops.top_hm3[i][k];
    int m = 0;
    for (int t = 0; t < f->npts; t++) {
      if (isnan(top[t])) continue;
      gx[m] = f->month[t];
      gy[m] = top[t];
      m++;
    }
    char *name = naryn__arena_printf(f->a, "top of %s", f->ops.curve[i][k]);
    if (!name) rc = naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    /* The palette after storage's colour, leaving out the maximum's. */
    s[3 + k] = (naryn__series){name, gx, gy, m, NARYN__LINE, naryn__colour(1 + k + (k >= 4)), NULL, NULL, 0};
  }
  /* The observed storage, as points at the end of their step or month. */
  int ns = 3 + nc;
  if (obs) {
    double *oy = ox + f->npts;
    int m = 0;
    for (int t = 0; t < f->npts; t++) {
      if (isnan(obs[t])) continue;
      ox[m] = f->month[t] + point_months(f, t);
      oy[m] = obs[t];
      m++;
    }
    if (m) s[ns++] = (naryn__series){"observed", ox, oy, m, NARYN__POINTS, "#000000", NULL, NULL, 0};
  }
  char id[32], cap[256];
  snprintf(id, sizeof id, "storage-%d", i + 1);
  snprintf(cap, sizeof cap, "%s: storage at the end of each %s", cell(f->network, i, "name"),
           f->by_month ? "month" : "step");
  naryn__chart c = {id, cap, "date", "storage, hm3", NARYN__AXIS_DATE, NULL, 0, 1, s, ns, 0, 0, 0, 0, 0, 0};
  if (rc == NARYN_OK)
    rc = naryn__figure(p, &c, cap, !nc ? "(hm3 = million m3)"
                                   : f->by_month ? "(hm3 = million m3; the guide curves are "
                                                   "the top of each zone at the start of "
                                                   "each month)"
                                                 : "(hm3 = million m3; the guide curves are "
                                                   "the top of each zone at the start of "
                                                   "each step)");
  free(s), free(cx), free(ox);
  return rc;
}

/* Storage of each enabled reservoir over time, with its limits and guide
** curves. */
static int storage_section(naryn__page *p, const run_files *f, double *x, double *y,
                           double *lo, double *hi) {
  int rc = NARYN_OK, any = 0, nout = 0;
  const char *why = missing(f, NARYN_Q_STORAGE_END_HM3);
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes && rc == NARYN_OK; i++) {
    if (!node_is(f, i, "reservoir") || !node_enabled(f, i)) continue;
    if (!any) fprintf(p->out, "<h2 id=\"s-storage\">Reservoir storage</h2>\n");
    if (!any && !why && f->by_month) by_month_note(p->out, f);
    if (!any && why) not_drawn(p->out, "Storage", why);
    any = 1;
    if (why) continue;
    if (!have(f, NARYN_Q_STORAGE_END_HM3, i)) {
      out[nout++] = i;
      continue;
    }
    rc = storage_chart(p, f, i, x, y, lo, hi);
  }
  if (rc == NARYN_OK) nodes_left_out(p->out, f, out, nout);
  free(out);
  return rc;
}

/* Why the controlling rules are not drawn, when the run's files say that
** its model has rules (zones.csv is there) but not which controlled;
** NULL when they are drawn or there is nothing to say. Without zones.csv
** and the rule column, the files do not tell whether the model had rules. */
static const char *rules_missing(const run_files *f) {
  if (!f->ops.has_zones) return NULL;
  if (!f->has_nodes)
    return "this run wrote no per-step results of its nodes (no nodes.csv), only its "
           "summaries";
  if (!f->has_rule) return "this run did not write rule per step (nodes.csv has no such column)";
  if (f->water_values)
    return "an optimised plan follows no operating rule (its rule column is empty)";
  for (int i = 0; i < f->nnodes; i++)
    if (keeps_rule(f, i) && f->ops.ncurves[i] && !f->ops.rule[i])
      return "this run did not write the per-step results of its reservoirs with zones";
  return "no rule decided the release of a reservoir in any step (each step's rule is "
         "allocation, full or dead storage)";
}

/* Marks in shown the reservoirs whose controlling rules are drawn: the
** enabled ones that some rule controlled in some step. Returns how many. */
static int rules_shown(const run_files *f, unsigned char *shown) {
  int n = 0;
  for (int i = 0; i < f->nnodes; i++) {
    shown[i] = (unsigned char)(keeps_rule(f, i) && f->ops.rule[i] &&
                               naryn__ops_has_rules(&f->ops, i));
    n += shown[i];
  }
  return n;
}

/* The section of controlling rules (guides.c). */
static int rules_section(naryn__page *p, const run_files *f) {
  const char **names = malloc((size_t)f->nnodes * sizeof *names);
  unsigned char *shown = malloc((size_t)f->nnodes);
  if (!names || !shown) {
    free(names), free(shown);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++) names[i] = cell(f->network, i, "name");
  int n = rules_shown(f, shown);
  int rc = naryn__ops_rules_section(p, &f->ops, names, shown, f->step_day,
                                    n ? NULL : rules_missing(f));
  free(names), free(shown);
  return rc;
}

static int spread_by_month(const run_files *f, const int *nodes, int nn, int q, int flow,
                           double lo[12], double mid[12], double hi[12], int cnt[12]);

/* Inflow and release by month of the water year for the largest
** reservoirs (at most three), in m3/s: the median over the years and the
** release's range. */
static int release_section(naryn__page *p, const run_files *f) {
  int order[3], n = 0;
  int cmax = naryn__csv_column(f->network, "max_storage_hm3");
  for (int pick = 0; pick < 3; pick++) {
    int best = -1;
    for (int i = 0; i < f->nnodes; i++) {
      if (!node_is(f, i, "reservoir") || !node_enabled(f, i)) continue;
      if (!have(f, NARYN_Q_INFLOW_HM3, i) || !have(f, NARYN_Q_RELEASE_HM3, i)) continue;
      int used = 0;
      for (int k = 0; k < n; k++) used |= order[k] == i;
      if (!used && (best < 0 || cell_num(f->network, i, cmax) > cell_num(f->network, best, cmax)))
        best = i;
    }
    if (best >= 0) order[n++] = best;
  }
  if (n == 0) {
    int res = 0;
    for (int i = 0; i < f->nnodes; i++) res |= node_is(f, i, "reservoir") && node_enabled(f, i);
    if (!res) return NARYN_OK;
    const char *why = missing(f, NARYN_Q_INFLOW_HM3);
    if (!why) why = missing(f, NARYN_Q_RELEASE_HM3);
    fprintf(p->out, "<h2 id=\"s-release\">Release against inflow</h2>\n");
    not_drawn(p->out, "Release against inflow",
              why ? why : "this run did not write the per-step results of any reservoir");
    return NARYN_OK;
  }
  fprintf(p->out, "<h2 id=\"s-release\">Release against inflow</h2>\n<p class=\"note\">"
                  "Each month's inflow and release over the years, for the "
                  "largest reservoirs: the release's shape says who the reservoir "
                  "serves, winter power or summer irrigation, and its band how far "
                  "the dry and wet years take it from the median.</p>\n");
  int rc = NARYN_OK;
  for (int k = 0; k < n && rc == NARYN_OK; k++) {
    int i = order[k];
    double ilo[12], imid[12], ihi[12], rlo[12], rmid[12], rhi[12];
    int icnt[12], rcnt[12];
    rc = spread_by_month(f, &i, 1, NARYN_Q_INFLOW_HM3, 1, ilo, imid, ihi, icnt);
    if (rc == NARYN_OK) rc = spread_by_month(f, &i, 1, NARYN_Q_RELEASE_HM3, 1, rlo, rmid, rhi, rcnt);
    if (rc != NARYN_OK) break;
    /* Months the horizon never reaches are left out. */
    double xin[12], xout[12], xlo[12], xhi[12];
    const char *cats[12];
    int nm = 0, years = 0;
    for (int m = 0; m < 12; m++) {
      if (!rcnt[m]) continue;
      cats[nm] = month_names[m];
      xin[nm] = imid[m];
      xout[nm] = rmid[m];
      xlo[nm] = rlo[m];
      xhi[nm] = rhi[m];
      years = rcnt[m] > years ? rcnt[m] : years;
      nm++;
    }
    /* The range over the years, when there are two or more. */
    naryn__series s[3] = {{"release, lowest to highest year", NULL, xlo, nm, NARYN__BAND, "#0072b2", NULL, xhi, 0},
                          {"inflow, median", NULL, xin, nm, NARYN__LINE, "#56b4e9", NULL, NULL, 0},
                          {"release, median", NULL, xout, nm, NARYN__LINE, "#0072b2", NULL, NULL, 0}};
    int band = years >= 2;
    char id[32], cap[256];
    snprintf(id, sizeof id, "release-%d", i + 1);
    snprintf(cap, sizeof cap, "%s: inflow and release by month", cell(f->network, i, "name"));
    naryn__chart c = {id, cap, "month of the water year", "mean flow, m3/s",
                      NARYN__AXIS_CATEGORY, cats, nm, 1, s + !band, 3 - !band, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, cap, band ? "(each month's mean flow, m3/s: the median over the "
                                          "years, and the release's range from its lowest "
                                          "year to its highest)"
                                        : "(mean over the horizon, m3/s)");
  }
  return rc;
}

/* Generation of each plant by season, GWh a year. */
static int generation_section(naryn__page *p, const run_files *f) {
  const char **cats = calloc((size_t)f->nnodes, sizeof *cats);
  double *win = calloc((size_t)f->nnodes, sizeof *win), *sum = calloc((size_t)f->nnodes, sizeof *sum);
  if (!cats || !win || !sum) {
    free(cats), free(win), free(sum);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  int n = 0, nout = 0, plants = 0;
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  const char *why = missing(f, NARYN_Q_ENERGY_GWH);
  if (!out) {
    free(cats), free(win), free(sum);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++) {
    if (!node_is(f, i, "hydropower") || !node_enabled(f, i)) continue;
    plants++;
    if (why) continue;
    if (!have(f, NARYN_Q_ENERGY_GWH, i)) {
      out[nout++] = i;
      continue;
    }
    cats[n] = cell(f->network, i, "name");
    for (int t = 0; t < f->npts; t++) {
      double e = Q(f, NARYN_Q_ENERGY_GWH, t, i);
      if (isnan(e)) continue;
      int summer = f->calendar[t] >= 4 && f->calendar[t] <= 9;
      (summer ? sum : win)[n] += e / per_year(f);
    }
    n++;
  }
  int rc = NARYN_OK;
  if (n > 0) {
    fprintf(p->out, "<h2 id=\"s-generation\">Generation</h2>\n");
    naryn__series s[2] = {{"Oct–Mar (winter)", NULL, win, n, NARYN__BARS, "#0072b2", NULL, NULL, 0},
                          {"Apr–Sep (summer)", NULL, sum, n, NARYN__BARS, "#e69f00", NULL, NULL, 0}};
    char ylab[64], note[64];
    snprintf(ylab, sizeof ylab, "energy, GWh %s", a_year(f));
    snprintf(note, sizeof note, "(GWh %s)", a_year(f));
    naryn__chart c = {"generation", "Generation by plant and season", NULL,
                      ylab, NARYN__AXIS_CATEGORY, cats, n, 1, s, 2, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, "Generation by plant and season", note);
  } else if (plants > 0) {
    fprintf(p->out, "<h2 id=\"s-generation\">Generation</h2>\n");
    not_drawn(p->out, "Generation", why ? why : "this run did not write the per-step results of any plant");
  }
  if (rc == NARYN_OK && n > 0) nodes_left_out(p->out, f, out, nout);
  free(cats), free(win), free(sum), free(out);
  return rc;
}

/* Delivered against demanded water of each country's demands by month. */
static int delivery_section(naryn__page *p, const run_files *f) {
  const char *codes[64];
  int nc = network_countries(f, codes, 64), rc = NARYN_OK, any = 0, nout = 0, demands = 0;
  const char *why = missing(f, NARYN_Q_DEMAND_HM3);
  if (!why) why = missing(f, NARYN_Q_DELIVERED_HM3);
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes; i++)
    if (node_is(f, i, "demand") && node_enabled(f, i)) {
      demands++;
      if (!why && !have(f, NARYN_Q_DEMAND_HM3, i)) out[nout++] = i;
    }
  if (demands > 0 && (why || nout == demands)) {
    fprintf(p->out, "<h2 id=\"s-delivery\">Water delivered against demanded</h2>\n");
    not_drawn(p->out, "Water delivered against demanded",
              why ? why : "this run did not write the per-step results of any demand");
    free(out);
    return NARYN_OK;
  }
  int *list = calloc((size_t)f->nnodes + 1, sizeof *list);
  if (!list) {
    free(out);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int c = -1; c < nc && rc == NARYN_OK; c++) {
    const char *code = c < 0 ? "" : codes[c];
    int nl = 0;
    for (int i = 0; i < f->nnodes; i++) {
      if (!node_is(f, i, "demand") || !node_enabled(f, i) ||
          strcmp(cell(f->network, i, "country"), code) != 0 || !have(f, NARYN_Q_DEMAND_HM3, i))
        continue;
      list[nl++] = i;
    }
    if (!nl) continue;
    double wlo[12], wmid[12], whi[12], glo[12], gmid[12], ghi[12];
    int wcnt[12], gcnt[12];
    rc = spread_by_month(f, list, nl, NARYN_Q_DEMAND_HM3, 0, wlo, wmid, whi, wcnt);
    if (rc == NARYN_OK) rc = spread_by_month(f, list, nl, NARYN_Q_DELIVERED_HM3, 0, glo, gmid, ghi, gcnt);
    if (rc != NARYN_OK) break;
    if (!any) fprintf(p->out, "<h2 id=\"s-delivery\">Water delivered against demanded</h2>\n");
    any = 1;
    /* Per month: the median over the years of the month's total, and the
    ** range of what was delivered. */
    double y_want[12], y_got[12], y_lo[12], y_hi[12];
    const char *cats[12];
    int nm = 0, years = 0;
    for (int m = 0; m < 12; m++) {
      if (!gcnt[m]) continue;
      cats[nm] = month_names[m];
      y_want[nm] = wmid[m];
      y_got[nm] = gmid[m];
      y_lo[nm] = glo[m];
      y_hi[nm] = ghi[m];
      years = gcnt[m] > years ? gcnt[m] : years;
      nm++;
    }
    int band = years >= 2;
    naryn__series s[3] = {{"delivered, lowest to highest year", NULL, y_lo, nm, NARYN__BAND, "#009e73", NULL, y_hi, 0},
                          {"delivered, median", NULL, y_got, nm, NARYN__LINE, "#009e73", NULL, NULL, 0},
                          {"demanded, median", NULL, y_want, nm, NARYN__DASHED, "#1f2328", NULL, NULL, 0}};
    char id[32], cap[256], buf[160];
    snprintf(id, sizeof id, "delivery-%d", c + 2);
    snprintf(cap, sizeof cap, "%s: irrigation and town water by month",
             country_label(f, code, buf, sizeof buf));
    naryn__chart ch = {id, cap, "month of the water year", "water, hm3 a month",
                       NARYN__AXIS_CATEGORY, cats, nm, 1, s + !band, 3 - !band, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &ch, cap, band ? "(hm3 a month: the median over the years, and "
                                           "the range of delivery from its lowest year to "
                                           "its highest)"
                                         : "(mean over the horizon, hm3 a month)");
  }
  if (rc == NARYN_OK) nodes_left_out(p->out, f, out, nout);
  free(out), free(list);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Months as distributions, duration curves and minimum flows              */
/* ---------------------------------------------------------------------- */

/* The calendar month (counted from the horizon's first) that point t of
** the time axis falls in: a year's month once each, so that a month's
** figures can be had for each year. */
static int month_of_point(const run_files *f, int t) {
  return (int)floor(f->month[t] + 1e-9) - (int)floor(f->month[0] + 1e-9);
}

/* Each month of the water year over the years: the lowest, median and
** highest of the month's figure of quantity q summed over the nn nodes
** listed, and how many years have the month (cnt). With 'flow' the
** figure is the month's mean flow in m3/s; without, the month's volume
** in hm3 a month (the sum over its steps, scaled as the means of the page
** are to a month's steps, so that a month cut by the horizon's ends is
** not taken as dry). */
static int spread_by_month(const run_files *f, const int *nodes, int nn, int q, int flow,
                           double lo[12], double mid[12], double hi[12], int cnt[12]) {
  int ninst = f->npts ? month_of_point(f, f->npts - 1) + 1 : 0;
  double *sum = calloc((size_t)ninst * 2 + 1, sizeof *sum), *sec = sum + ninst;
  int *steps = calloc((size_t)ninst * 2 + 1, sizeof *steps), *wm = steps + ninst;
  if (!sum || !steps) {
    free(sum), free(steps);
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int t = 0; t < f->npts; t++) {
    int j = month_of_point(f, t);
    for (int k = 0; k < nn; k++) {
      double v = Q(f, q, t, nodes[k]);
      sum[j] += isnan(v) ? 0 : v;
    }
    sec[j] += f->step_s[t] * steps_in(f, t);
    steps[j] += steps_in(f, t);
    wm[j] = water_month(f->calendar[t]);
  }
  double per_month_steps = f->nsteps / f->years / 12.0;
  int n = 0;
  for (int j = 0; j < ninst; j++) {
    if (!steps[j]) continue;
    sum[n] = flow ? sum[j] / (sec[j] * 1e-6) : sum[j] / steps[j] * per_month_steps;
    wm[n++] = wm[j];
  }
  int rc = naryn__month_spread(sum, wm, n, lo, mid, hi, cnt);
  free(sum), free(steps);
  if (rc != NARYN_OK)
    return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return NARYN_OK;
}

/* The words for "a step" of the time axis: a month, day, week or step. */
static const char *point_word(const run_files *f) {
  if (f->by_month || f->step_days == 0) return "month";
  return f->step_days == 1 ? "day" : f->step_days == 7 ? "week" : "step";
}

#define DURATION_POINTS 51

/* Duration curves: each enabled reservoir's storage (as a share of its
** maximum) and release, and each country's water short, against the
** share of the time axis' points in which they are reached or exceeded. */
static int duration_section(naryn__page *p, const run_files *f) {
  const char *codes[64];
  int nc = network_countries(f, codes, 64), nmax = f->nnodes + nc + 1;
  double *pct = malloc(DURATION_POINTS * sizeof *pct);
  double *ys = malloc((size_t)nmax * DURATION_POINTS * sizeof *ys);
  double *v = malloc((size_t)(f->npts + 1) * sizeof *v);
  naryn__series *s = calloc((size_t)nmax, sizeof *s);
  char(*label)[160] = calloc((size_t)nmax, sizeof *label);
  if (!pct || !ys || !v || !s || !label) {
    free(pct), free(ys), free(v), free(s), free(label);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  int rc = NARYN_OK, heading = 0;
  int cmax = naryn__csv_column(f->network, "max_storage_hm3");
  char xlab[96], note[160];
  snprintf(xlab, sizeof xlab, "%ss in which it is reached or exceeded, %%", point_word(f));
  for (int g = 0; g < 3 && rc == NARYN_OK; g++) {
    int ns = 0;
    if (g < 2) {
      int q = g == 0 ? NARYN_Q_STORAGE_END_HM3 : NARYN_Q_RELEASE_HM3;
      for (int i = 0; i < f->nnodes; i++) {
        if (!node_is(f, i, "reservoir") || !node_enabled(f, i) || !have(f, q, i)) continue;
        double smax = cell_num(f->network, i, cmax);
        if (g == 0 && !(smax > 0)) continue;
        int n = 0;
        for (int t = 0; t < f->npts; t++) {
          double x = Q(f, q, t, i);
          if (isnan(x)) continue;
          v[n++] = g == 0 ? x / smax * 100.0 : x / (f->step_s[t] * steps_in(f, t) * 1e-6);
        }
        if (!n) continue;
        double *y = ys + (size_t)ns * DURATION_POINTS;
        naryn__duration(v, n, DURATION_POINTS, pct, y);
        s[ns] = (naryn__series){cell(f->network, i, "name"), pct, y, DURATION_POINTS,
                                NARYN__LINE, NULL, NULL, NULL, 0};
        ns++;
      }
    } else {
      for (int c = -1; c < nc; c++) {
        const char *code = c < 0 ? "" : codes[c];
        int has = 0;
        for (int t = 0; t < f->npts; t++) v[t] = 0;
        for (int i = 0; i < f->nnodes; i++) {
          if (!node_is(f, i, "demand") || !node_enabled(f, i) ||
              strcmp(cell(f->network, i, "country"), code) != 0 ||
              !have(f, NARYN_Q_DEMAND_HM3, i) || !have(f, NARYN_Q_DELIVERED_HM3, i))
            continue;
          has = 1;
          for (int t = 0; t < f->npts; t++) {
            double a = Q(f, NARYN_Q_DEMAND_HM3, t, i), b = Q(f, NARYN_Q_DELIVERED_HM3, t, i);
            double gap = (isnan(a) ? 0 : a) - (isnan(b) ? 0 : b);
            v[t] += gap > 0 ? gap : 0;
          }
        }
        if (!has || !f->npts) continue;
        double *y = ys + (size_t)ns * DURATION_POINTS;
        naryn__duration(v, f->npts, DURATION_POINTS, pct, y);
        s[ns] = (naryn__series){c < 0 ? "no country" : country_label(f, code, label[ns], sizeof label[ns]),
                                pct, y, DURATION_POINTS, NARYN__LINE, NULL, NULL, NULL, 0};
        ns++;
      }
    }
    if (!ns) continue;
    if (!heading)
      fprintf(p->out, "<h2 id=\"s-duration\">Duration curves</h2>\n<p class=\"note\">Each "
                      "value against the share of the %ss in which it is reached or "
                      "exceeded: a curve falls from its highest value, at 0 %%, to its lowest, "
                      "at 100 %%, through %d shares 2 %% apart.</p>\n",
              point_word(f), DURATION_POINTS);
    heading = 1;
    static const char *const id[3] = {"duration-storage", "duration-release", "duration-shortage"};
    static const char *const cap[3] = {"Storage of each reservoir, duration curve",
                                       "Release of each reservoir, duration curve",
                                       "Water short in each country, duration curve"};
    char ylab[64];
    if (g == 0) snprintf(ylab, sizeof ylab, "storage, %% of maximum");
    else if (g == 1) snprintf(ylab, sizeof ylab, "mean release, m3/s");
    else snprintf(ylab, sizeof ylab, "water short, hm3 a %s", point_word(f));
    if (g == 0) snprintf(note, sizeof note, "(storage at the end of each %s, %% of the reservoir's maximum)", point_word(f));
    else if (g == 1) snprintf(note, sizeof note, "(mean over each %s, m3/s)", point_word(f));
    else snprintf(note, sizeof note, "(irrigation and town demands, hm3 a %s)", point_word(f));
    naryn__chart ch = {id[g], cap[g], xlab, ylab, NARYN__AXIS_NUMBER, NULL, 0, 1, s, ns,
                       0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &ch, cap[g], note);
  }
  if (rc == NARYN_OK && !heading) {
    int any = 0;
    for (int i = 0; i < f->nnodes; i++)
      any |= (node_is(f, i, "reservoir") || node_is(f, i, "demand")) && node_enabled(f, i);
    const char *why = missing(f, NARYN_Q_STORAGE_END_HM3);
    if (any) {
      fprintf(p->out, "<h2 id=\"s-duration\">Duration curves</h2>\n");
      not_drawn(p->out, "Duration curves",
                why ? why : "this run did not write the per-step results they need");
    }
  }
  free(pct), free(ys), free(v), free(s), free(label);
  return rc;
}

/* The sink that minimum-flow node i sends all its water to, straight and
** by its only link, when the page draws the sink's inflow; else -1. */
static int into_sink(const run_files *f, int i) {
  const char *name = cell(f->network, i, "name");
  int links = 0, sink = -1;
  for (int r = f->nnodes; r < f->nnodes + f->nlinks && r < f->network->nrows; r++) {
    if (strcmp(cell(f->network, r, "from"), name) != 0) continue;
    links++;
    const char *to = cell(f->network, r, "to");
    for (int k = 0; k < f->nnodes; k++)
      if (strcmp(cell(f->network, k, "name"), to) == 0 && node_is(f, k, "sink") &&
          have(f, NARYN_Q_INFLOW_HM3, k))
        sink = k;
  }
  return links == 1 ? sink : -1;
}

/* Each enabled minimum-flow node: the flow past it against its
** requirement, m3/s, over time. */
static int minflow_section(naryn__page *p, const run_files *f, double *x, double *y,
                           double *req) {
  const char *why = missing(f, NARYN_Q_DEMAND_HM3);
  if (!why) why = missing(f, NARYN_Q_DELIVERED_HM3);
  int rc = NARYN_OK, any = 0, nout = 0, *out = calloc((size_t)f->nnodes + 1, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes && rc == NARYN_OK; i++) {
    if (!node_is(f, i, "min_flow") || !node_enabled(f, i)) continue;
    if (!any) fprintf(p->out, "<h2 id=\"s-minflow\">Minimum flows</h2>\n");
    if (!any && why) not_drawn(p->out, "The minimum flows", why);
    any = 1;
    if (why) continue;
    if (!have(f, NARYN_Q_DEMAND_HM3, i)) {
      out[nout++] = i;
      continue;
    }
    /* A minimum flow that runs straight into a sink (the Aral target) is
    ** drawn on the sinks' chart: the flow past it is the sink's. */
    int sink = into_sink(f, i);
    if (sink >= 0) {
      fprintf(p->out, "<p class=\"note\">");
      naryn__html_text(p->out, cell(f->network, i, "name"));
      fprintf(p->out, ": its requirement is drawn, dashed, on the chart of the flow into ");
      naryn__html_text(p->out, cell(f->network, sink, "name"));
      fprintf(p->out, " (<a href=\"#sinks\">below</a>), into which all the water past it "
                      "runs.</p>\n");
      continue;
    }
    for (int t = 0; t < f->npts; t++) {
      double sec = f->step_s[t] * steps_in(f, t) * 1e-6;
      double a = Q(f, NARYN_Q_DEMAND_HM3, t, i), b = Q(f, NARYN_Q_DELIVERED_HM3, t, i);
      x[t] = f->month[t] + 0.5;
      y[t] = (isnan(b) ? 0 : b) / sec;
      req[t] = (isnan(a) ? 0 : a) / sec;
    }
    naryn__series s[2] = {
        {"flow past it", x, y, f->npts, NARYN__LINE, "#0072b2", NULL, NULL, 0},
        {"required", x, req, f->npts, NARYN__DASHED, "#1f2328", NULL, NULL, 0}};
    char id[32], cap[256];
    snprintf(id, sizeof id, "minflow-%d", i + 1);
    snprintf(cap, sizeof cap, "%s: the flow past it against its minimum", cell(f->network, i, "name"));
    naryn__chart c = {id, cap, "date", "mean flow, m3/s", NARYN__AXIS_DATE, NULL, 0, 1, s, 2,
                      0, 0, f->by_month || f->step_days == 0, 0, 0, 0};
    rc = naryn__figure(p, &c, cap, f->by_month ? "(mean over each month, m3/s)"
                                               : "(mean over each step, m3/s)");
  }
  if (rc == NARYN_OK) nodes_left_out(p->out, f, out, nout);
  free(out);
  return rc;
}

/* The first enabled minimum-flow node, whose requirement the page keeps,
** that sends its water straight into node 'to' by one of network.csv's
** link rows; -1 when there is none. */
static int min_flow_into(const run_files *f, int to) {
  const char *name = cell(f->network, to, "name");
  for (int r = f->nnodes; r < f->nnodes + f->nlinks && r < f->network->nrows; r++) {
    if (strcmp(cell(f->network, r, "to"), name) != 0) continue;
    const char *from = cell(f->network, r, "from");
    for (int i = 0; i < f->nnodes; i++)
      if (strcmp(cell(f->network, i, "name"), from) == 0 && node_is(f, i, "min_flow") &&
          node_enabled(f, i) && have(f, NARYN_Q_DEMAND_HM3, i))
        return i;
  }
  return -1;
}

/* The flow reaching each sink, the North Aral Sea among them, in m3/s. */
static int sink_section(naryn__page *p, const run_files *f, double *x, double *ybuf) {
  int sinks[16], ns = 0, out[16], nout = 0;
  const char *why = missing(f, NARYN_Q_INFLOW_HM3);
  for (int i = 0; i < f->nnodes && ns + nout < 16; i++) {
    if (!node_is(f, i, "sink")) continue;
    if (why || have(f, NARYN_Q_INFLOW_HM3, i)) sinks[ns++] = i;
    else out[nout++] = i;
  }
  if (ns == 0 && nout == 0) return NARYN_OK;
  if (why || ns == 0) {
    fprintf(p->out, "<h2 id=\"s-sinks\">Water reaching the sinks and terminal lakes</h2>\n");
    not_drawn(p->out, "The flow into the sinks",
              why ? why : "this run did not write the per-step results of any sink");
    return NARYN_OK;
  }
  naryn__series s[32];
  double *reqbuf = malloc((size_t)ns * (size_t)(f->npts + 1) * sizeof *reqbuf);
  if (!reqbuf) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  int nreq = 0;
  for (int k = 0; k < ns; k++) {
    double *y = ybuf + (size_t)k * f->npts;
    for (int t = 0; t < f->npts; t++) {
      double v = Q(f, NARYN_Q_INFLOW_HM3, t, sinks[k]);
      y[t] = isnan(v) ? 0.0 : v / (f->step_s[t] * steps_in(f, t) * 1e-6);
    }
    s[k] = (naryn__series){cell(f->network, sinks[k], "name"), x, y, f->npts,
                           NARYN__LINE, NULL, NULL, NULL, 0};
    /* The requirement of a minimum flow that runs straight into the sink
    ** (the Aral target), dashed in black as demands are. */
    int m = min_flow_into(f, sinks[k]);
    if (m < 0) continue;
    double *r = reqbuf + (size_t)nreq * (f->npts + 1);
    for (int t = 0; t < f->npts; t++) {
      double v = Q(f, NARYN_Q_DEMAND_HM3, t, m);
      r[t] = isnan(v) ? 0.0 : v / (f->step_s[t] * steps_in(f, t) * 1e-6);
    }
    char *name = naryn__arena_printf(f->a, "%s: required", cell(f->network, m, "name"));
    if (!name) {
      free(reqbuf);
      return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    }
    s[16 + nreq++] = (naryn__series){name, x, r, f->npts, NARYN__DASHED, "#1f2328",
                                     NULL, NULL, 0};
  }
  for (int k = 0; k < nreq; k++) s[ns + k] = s[16 + k];
  for (int t = 0; t < f->npts; t++) x[t] = f->month[t] + 0.5;
  fprintf(p->out, "<h2 id=\"s-sinks\">Water reaching the sinks and terminal lakes</h2>\n");
  naryn__chart c = {"sinks", "Flow into each sink", "date", "mean flow, m3/s",
                    NARYN__AXIS_DATE, NULL, 0, 1, s, ns + nreq, 0, 0,
                    f->by_month || f->step_days == 0, 0, 0, 0};
  int rc = naryn__figure(p, &c, "Flow into each sink and terminal lake",
                         f->by_month ? nreq ? "(mean over each month, m3/s; dashed: the "
                                              "minimum flow required into it)"
                                            : "(mean over each month, m3/s)"
                                     : nreq ? "(mean over each step, m3/s; dashed: the "
                                              "minimum flow required into it)"
                                            : "(mean over each step, m3/s)");
  if (rc == NARYN_OK) nodes_left_out(p->out, f, out, nout);
  free(reqbuf);
  return rc;
}

/* The marginal value of water in each reservoir, from the plan's duals. */
static int water_value_section(naryn__page *p, const run_files *f) {
  const naryn__csv *w = f->water_values;
  int rc = need_column(f, w, "water_value_per_hm3");
  if (rc == NARYN_OK) rc = need_column(f, w, "node");
  if (rc == NARYN_OK) rc = need_column(f, w, "date");
  if (rc != NARYN_OK) return rc;
  int cv = naryn__csv_column(w, "water_value_per_hm3");
  double *x = calloc((size_t)w->nrows + 1, sizeof *x), *y = calloc((size_t)w->nrows + 1, sizeof *y);
  naryn__series s[16];
  int ns = 0, n = 0;
  if (!x || !y) {
    free(x), free(y);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  /* Rows are by step then node; gather each reservoir's rows in turn. */
  for (int i = 0; i < f->nnodes && ns < 16; i++) {
    const char *name = cell(f->network, i, "name");
    int start = n;
    for (int r = 0; r < w->nrows; r++) {
      if (strcmp(cell(w, r, "node"), name) != 0) continue;
      int yy, mm;
      double v = cell_num(w, r, cv);
      if (sscanf(cell(w, r, "date"), "%d-%d", &yy, &mm) != 2 || isnan(v)) {
        rc = bad(f, w, r, isnan(v) ? "water_value_per_hm3" : "date",
                 "column \"%s\": expected a date and a number%s", "");
        free(x), free(y);
        return rc;
      }
      x[n] = yy * 12.0 + mm - 1 + 1.0;
      y[n] = v;
      n++;
    }
    if (n > start)
      s[ns++] = (naryn__series){name, x + start, y + start, n - start, NARYN__LINE, NULL, NULL, NULL, 0};
  }
  fprintf(p->out, "<h2 id=\"s-water-values\">The marginal value of water</h2>\n<p class=\"note\">"
                  "What one more hm3 stored at the end of each step would add to the "
                  "objective over the rest of the horizon (the dual of the reservoir's "
                  "balance in the plan's last linear programme).</p>\n");
  char ylab[96];
  snprintf(ylab, sizeof ylab, "%s per hm3", cell(f->objective, 0, "currency"));
  naryn__chart c = {"water-values", "Water value of each reservoir", "date", ylab,
                    NARYN__AXIS_DATE, NULL, 0, 1, s, ns, 0, 0, 0, 0, 0, 0};
  rc = naryn__figure(p, &c, "Water value of each reservoir", "(currency per hm3 stored)");
  free(x), free(y);
  return rc;
}

static void plants_table(naryn__page *p, const run_files *f) {
  const naryn__csv *t = f->plants;
  fprintf(p->out, "<h3>Energy with the exact head against the plan's linearisation</h3>\n");
  naryn__table_open(p, "plants");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "plant", 1);
  naryn__th(p, "country", 1);
  naryn__th(p, whole_years(f) ? "GWh a year, exact head" : "GWh, exact head", 0);
  naryn__th(p, "linearised", 0);
  naryn__th(p, "difference %", 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < t->nrows; r++) {
    fprintf(p->out, "<tr>");
    naryn__td_text(p, cell(t, r, "node"));
    naryn__td_text(p, cell(t, r, "country"));
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "energy_gwh")) / per_year(f), 1);
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "energy_linearised_gwh")) / per_year(f), 1);
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "difference_percent")), 3);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* 1 when the page has a section of controlling rules (a table or a note). */
static int rules_drawn(const run_files *f) {
  if (rules_missing(f)) return 1;
  for (int i = 0; i < f->nnodes; i++)
    if (keeps_rule(f, i) && f->ops.rule[i] && naryn__ops_has_rules(&f->ops, i)) return 1;
  return 0;
}

static void contents(naryn__page *p, const run_files *f, int optimised) {
  fprintf(p->out, "<nav><ul><li><a href=\"#s-summary\">%s by country and season</a>"
                  "<li><a href=\"#s-objective\">The objective</a>"
                  "<li><a href=\"#s-network\">The network</a>",
          whole_years(f) ? "Yearly means" : "Totals");
  int res = 0, hp = 0, dem = 0, sink = 0;
  for (int i = 0; i < f->nnodes; i++) {
    res |= node_is(f, i, "reservoir") && node_enabled(f, i);
    hp |= node_is(f, i, "hydropower") && node_enabled(f, i);
    dem |= node_is(f, i, "demand") && node_enabled(f, i);
    sink |= node_is(f, i, "sink");
  }
  if (res) fprintf(p->out, "<li><a href=\"#s-storage\">Reservoir storage</a>");
  if (res && rules_drawn(f))
    fprintf(p->out, "<li><a href=\"#s-rules\">Controlling rules</a>");
  if (res) fprintf(p->out, "<li><a href=\"#s-release\">Release against inflow</a>");
  if (hp) fprintf(p->out, "<li><a href=\"#s-generation\">Generation</a>");
  if (dem) fprintf(p->out, "<li><a href=\"#s-delivery\">Water delivered against demanded</a>");
  int mf = 0;
  for (int i = 0; i < f->nnodes; i++) mf |= node_is(f, i, "min_flow") && node_enabled(f, i);
  if (mf) fprintf(p->out, "<li><a href=\"#s-minflow\">Minimum flows</a>");
  if (sink) fprintf(p->out, "<li><a href=\"#s-sinks\">Water reaching the sinks</a>");
  if (res || dem) fprintf(p->out, "<li><a href=\"#s-duration\">Duration curves</a>");
  if (naryn__observed_any(f->obs_table))
    fprintf(p->out, "<li><a href=\"#s-observed\">Observed and simulated</a>");
  if (optimised) fprintf(p->out, "<li><a href=\"#s-water-values\">The marginal value of water</a>");
  fprintf(p->out, "</ul></nav>\n");
}

static int report_run(const char *dir, const naryn__report_feed *fd, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  run_files f;
  naryn__page p;
  int rc = load_run_fed(&f, dir, a, fd, d);
  /* A feed that does not fit: the page is drawn from the folder alone. */
  if (rc == -1) rc = load_run(&f, dir, a, d);
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc != NARYN_OK) {
    naryn__arena_free(a);
    return rc;
  }
  int optimised = f.water_values != NULL;
  size_t n = (size_t)f.npts;
  double *buf = calloc(n * 4 + n * 16, sizeof *buf);
  if (!buf) rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  char title[512];
  snprintf(title, sizeof title, "%s: %s", run_key(&f, "model"),
           optimised ? "optimised plan" : "simulation");
  if (rc == NARYN_OK) {
    p.totals = !whole_years(&f);
    naryn__page_head(&p, title);
    run_header(&p, &f, optimised ? "The plan optimised over the whole horizon with "
                                   "perfect foresight of the inflows"
                                 : "Simulated under the model's operating rules");
    if (optimised) foresight_note(p.out, "This plan", f.objective);
    contents(&p, &f, optimised);
    fprintf(p.out, "<main>\n");
    summary_table(&p, &f);
    objective_table(&p, &f);
    rc = network_section(&p, &f);
  }
  if (rc == NARYN_OK) rc = storage_section(&p, &f, buf, buf + n, buf + 2 * n, buf + 3 * n);
  if (rc == NARYN_OK) rc = rules_section(&p, &f);
  if (rc == NARYN_OK) rc = release_section(&p, &f);
  if (rc == NARYN_OK) rc = generation_section(&p, &f);
  if (rc == NARYN_OK) rc = delivery_section(&p, &f);
  if (rc == NARYN_OK) rc = minflow_section(&p, &f, buf, buf + n, buf + 2 * n);
  if (rc == NARYN_OK) rc = sink_section(&p, &f, buf, buf + n * 4);
  if (rc == NARYN_OK) rc = duration_section(&p, &f);
  if (rc == NARYN_OK)
    rc = naryn__observed_section(&p, f.obs_table, f.obs_pt, f.npts, f.month, d);
  if (rc == NARYN_OK && optimised) {
    rc = water_value_section(&p, &f);
    if (rc == NARYN_OK) plants_table(&p, &f);
  }
  free(buf);
  if (rc == NARYN_OK) {
    fprintf(p.out, "</main>\n");
    rc = naryn__page_close(&p, dir);
  } else {
    naryn__page_abort(&p);
  }
  naryn__arena_free(a);
  return rc;
}

/* ====================================================================== */
/* A comparison of runs                                                    */
/* ====================================================================== */

#define MAX_RUNS 32

typedef struct cmp {
  int n;
  const char *name[MAX_RUNS], *folder[MAX_RUNS];
  run_files run[MAX_RUNS];
} cmp;

/* The per_year value of a summary column for a country and season. */
static double summary_value(const run_files *f, const char *code, const char *season,
                            const char *col) {
  int c = naryn__csv_column(f->summary, col);
  for (int r = 0; r < f->summary->nrows; r++)
    if (strcmp(cell(f->summary, r, "statistic"), stat_key(f)) == 0 &&
        strcmp(cell(f->summary, r, "country"), code) == 0 &&
        strcmp(cell(f->summary, r, "season"), season) == 0)
      return cell_num(f->summary, r, c);
  return NAN;
}

/* The combined objective of a run, a year. */
static double combined(const run_files *f) {
  int c = naryn__csv_column(f->objective, term_key(f));
  for (int r = f->objective->nrows - 1; r >= 0; r--)
    if (strcmp(cell(f->objective, r, "term"), "combined") == 0)
      return cell_num(f->objective, r, c);
  return NAN;
}

/* A term's yearly value (all countries) in a run, NaN when it has none. */
static double term_value(const run_files *f, const char *term) {
  int c = naryn__csv_column(f->objective, term_key(f));
  for (int r = 0; r < f->objective->nrows; r++)
    if (strcmp(cell(f->objective, r, "term"), term) == 0 &&
        strcmp(cell(f->objective, r, "country"), "all") == 0)
      return cell_num(f->objective, r, c);
  return NAN;
}

/* Water reaching sink node i of a run in a season, hm3 a year (over the
** horizon when it is shorter). */
static double sink_hm3(const run_files *f, const char *node, int season) {
  int i = -1;
  for (int k = 0; k < f->nnodes && i < 0; k++)
    if (strcmp(cell(f->network, k, "name"), node) == 0) i = k;
  if (i < 0 || !have(f, NARYN_Q_INFLOW_HM3, i)) return NAN;
  double s = 0;
  for (int t = 0; t < f->npts; t++) {
    int summer = f->calendar[t] >= 4 && f->calendar[t] <= 9;
    if (season == 0 && summer) continue;
    if (season == 1 && !summer) continue;
    double v = Q(f, NARYN_Q_INFLOW_HM3, t, i);
    s += isnan(v) ? 0 : v;
  }
  return s / per_year(f);
}

static void cmp_row(naryn__page *p, const char *label, const char *season, const cmp *c,
                    const double *v, int decimals) {
  fprintf(p->out, "<tr>");
  naryn__td_text(p, label);
  naryn__td_text(p, season);
  for (int k = 0; k < c->n; k++) naryn__td_num(p, v[k], decimals);
  fprintf(p->out, "</tr>\n");
}

static void cmp_group(naryn__page *p, const char *title, int ncols) {
  fprintf(p->out, "<tr><th class=\"l\" colspan=\"%d\">", ncols);
  naryn__text(p, title);
  fprintf(p->out, "</th></tr>\n");
}

static void comparison_table(naryn__page *p, const cmp *c) {
  const run_files *f0 = &c->run[0];
  char buf[256];
  double v[MAX_RUNS];
  naryn__table_open(p, "comparison");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "", 1);
  naryn__th(p, "season", 1);
  for (int k = 0; k < c->n; k++) {
    fprintf(p->out, "<th><a href=\"");
    naryn__text(p, c->folder[k]);
    fprintf(p->out, "/report.html\">");
    naryn__text(p, c->name[k]);
    fprintf(p->out, "</a></th>");
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  static const char *const groups[3] = {"Energy generated, GWh", "Irrigation and town water delivered",
                                        "Irrigation and town water short"};
  /* Each group of volumes in the unit that fits its largest figure: a
  ** first pass finds it, the second writes the rows. */
  const char *stat = stat_key(f0), *unit = "GWh";
  int dec = 0;
  double div = 1;
  for (int g = 0; g < 3; g++) {
    double big = 0;
    for (int pass = 0; pass < 2; pass++) {
      if (pass == 1) {
        if (g == 0)
          snprintf(buf, sizeof buf, "%s %s", groups[g], a_year(f0));
        else
          snprintf(buf, sizeof buf, "%s, %s %s", groups[g], unit, a_year(f0));
        cmp_group(p, buf, c->n + 2);
      }
      for (int r = 0; r < f0->summary->nrows; r++) {
        if (strcmp(cell(f0->summary, r, "statistic"), stat) != 0) continue;
        const char *code = cell(f0->summary, r, "country"), *season = cell(f0->summary, r, "season");
        int s = strcmp(season, "oct-mar") == 0 ? 0 : strcmp(season, "apr-sep") == 0 ? 1 : 2;
        for (int k = 0; k < c->n; k++) {
          const run_files *f = &c->run[k];
          if (g == 0)
            v[k] = summary_value(f, code, season, "energy_gwh");
          else if (g == 1)
            v[k] = summary_value(f, code, season, "irrigation_delivered_hm3") +
                   summary_value(f, code, season, "municipal_delivered_hm3");
          else
            v[k] = summary_value(f, code, season, "irrigation_shortage_hm3") +
                   summary_value(f, code, season, "municipal_shortage_hm3");
          if (!isnan(v[k])) big = fmax(big, fabs(v[k]));
          if (pass == 1 && g > 0) v[k] /= div;
        }
        if (pass == 1)
          cmp_row(p, s == 0 ? country_label(f0, code, buf, sizeof buf) : "", season_label[s], c,
                  v, g == 0 ? 0 : dec);
      }
      if (pass == 0 && g > 0) div = fit_unit(big, &unit, &dec);
    }
  }
  double big = 0;
  for (int i = 0; i < f0->nnodes; i++)
    if (node_is(f0, i, "sink"))
      for (int k = 0; k < c->n; k++) {
        double x = sink_hm3(&c->run[k], cell(f0->network, i, "name"), 2);
        if (!isnan(x)) big = fmax(big, fabs(x));
      }
  div = fit_unit(big, &unit, &dec);
  snprintf(buf, sizeof buf, "Water reaching terminal lakes and sinks, %s %s", unit, a_year(f0));
  cmp_group(p, buf, c->n + 2);
  for (int i = 0; i < f0->nnodes; i++) {
    if (!node_is(f0, i, "sink")) continue;
    for (int s = 0; s < 3; s++) {
      for (int k = 0; k < c->n; k++)
        v[k] = sink_hm3(&c->run[k], cell(f0->network, i, "name"), s) / div;
      cmp_row(p, s == 0 ? cell(f0->network, i, "name") : "", season_label[s], c, v, dec);
    }
  }
  snprintf(buf, sizeof buf, "Objective, millions of %s %s (costs positive)",
           cell(f0->objective, 0, "currency"), a_year(f0));
  cmp_group(p, buf, c->n + 2);
  for (int r = 0; r < f0->objective->nrows; r++) {
    const char *term = cell(f0->objective, r, "term");
    if (strcmp(cell(f0->objective, r, "country"), "all") != 0 || strcmp(term, "combined") == 0)
      continue;
    for (int k = 0; k < c->n; k++) v[k] = term_value(&c->run[k], term) / 1e6;
    cmp_row(p, term, "", c, v, 1);
  }
  for (int k = 0; k < c->n; k++) v[k] = combined(&c->run[k]) / 1e6;
  cmp_row(p, "combined (benefits − costs)", "", c, v, 1);
  int opt = -1;
  for (int k = 0; k < c->n; k++)
    if (c->run[k].water_values) opt = k;
  if (opt >= 0) {
    double best = v[opt];
    for (int k = 0; k < c->n; k++) v[k] = best - v[k];
    cmp_row(p, "the optimum better by", "", c, v, 1);
  }
  cmp_group(p, "Largest water-balance residual of a node, hm3", c->n + 2);
  fprintf(p->out, "<tr><td></td><td></td>");
  for (int k = 0; k < c->n; k++) {
    fprintf(p->out, "<td>");
    naryn__text(p, run_key(&c->run[k], "max_residual_hm3"));
    fprintf(p->out, "</td>");
  }
  fprintf(p->out, "</tr>\n</tbody>\n");
  naryn__table_close(p);
}

/* The largest enabled reservoir of a run, or -1. */
static int largest_reservoir(const run_files *f) {
  int best = -1, col = naryn__csv_column(f->network, "max_storage_hm3");
  for (int i = 0; i < f->nnodes; i++)
    if (node_is(f, i, "reservoir") && node_enabled(f, i) &&
        (best < 0 || cell_num(f->network, i, col) > cell_num(f->network, best, col)))
      best = i;
  return best;
}

static int node_index(const run_files *f, const char *name) {
  for (int i = 0; i < f->nnodes; i++)
    if (strcmp(cell(f->network, i, "name"), name) == 0) return i;
  return -1;
}

static int comparison_charts(naryn__page *p, const cmp *c) {
  const run_files *f0 = &c->run[0];
  naryn__series s[MAX_RUNS];
  int rc;
  /* The combined objective of each run. */
  double obj[MAX_RUNS];
  for (int k = 0; k < c->n; k++) obj[k] = combined(&c->run[k]) / 1e6;
  naryn__series so = {"combined objective", NULL, obj, c->n, NARYN__BARS, NULL, NULL, NULL, 0};
  char ylab[128];
  snprintf(ylab, sizeof ylab, "millions of %s a year", cell(f0->objective, 0, "currency"));
  naryn__chart co = {"compare-objective", "The combined objective of each run", NULL, ylab,
                     NARYN__AXIS_CATEGORY, c->name, c->n, 1, &so, 1, 0, 260, 0, 0, 0, 0};
  fprintf(p->out, "<h2 id=\"s-charts\">The runs compared</h2>\n");
  rc = naryn__figure(p, &co, "The combined objective of each run", "(benefits less costs, a year)");
  if (rc != NARYN_OK) return rc;

  /* Energy and shortage by country and season. */
  const char *codes[64];
  int nc = network_countries(f0, codes, 64);
  char cat_buf[128][48];
  const char *cats[128];
  double vals[MAX_RUNS][128];
  for (int g = 0; g < 2 && rc == NARYN_OK; g++) {
    int ncat = 0;
    for (int ci = 0; ci < nc && ncat < 126; ci++)
      for (int se = 0; se < 2; se++) {
        int any = 0;
        for (int k = 0; k < c->n; k++) {
          const run_files *f = &c->run[k];
          double v = g == 0 ? summary_value(f, codes[ci], season_key[se], "energy_gwh")
                            : (summary_value(f, codes[ci], season_key[se], "irrigation_shortage_hm3") +
                               summary_value(f, codes[ci], season_key[se], "municipal_shortage_hm3")) / 1000;
          vals[k][ncat] = isnan(v) ? 0 : v;
          any |= vals[k][ncat] > (g == 0 ? 0.5 : 0.0005);
        }
        if (!any) continue;
        snprintf(cat_buf[ncat], sizeof cat_buf[ncat], "%s %s", codes[ci], season_label[se]);
        cats[ncat] = cat_buf[ncat];
        ncat++;
      }
    for (int k = 0; k < c->n; k++)
      s[k] = (naryn__series){c->name[k], NULL, vals[k], ncat, NARYN__BARS, NULL, NULL, NULL, 0};
    naryn__chart ce = {g == 0 ? "compare-energy" : "compare-shortage",
                       g == 0 ? "Energy by country and season" : "Water short by country and season",
                       NULL, g == 0 ? "energy, GWh a year" : "water short, km3 a year",
                       NARYN__AXIS_CATEGORY, cats, ncat, 1, s, c->n, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &ce, ce.title, g == 0 ? "(GWh a year)" : "(km3 a year)");
  }
  if (rc != NARYN_OK) return rc;

  /* The largest reservoir: its release by month and its storage. */
  int big = largest_reservoir(f0);
  if (big < 0) return NARYN_OK;
  const char *bname = cell(f0->network, big, "name");
  double rel[MAX_RUNS][12];
  const char *mcats[12];
  for (int m = 0; m < 12; m++) mcats[m] = month_names[m];
  int months_seen = 1;
  for (int k = 0; k < c->n; k++) {
    const run_files *f = &c->run[k];
    int i = node_index(f, bname);
    if (i >= 0 && !have(f, NARYN_Q_RELEASE_HM3, i)) i = -1; /* not written */
    double sum[12] = {0};
    int cnt[12] = {0};
    for (int t = 0; i >= 0 && t < f->npts; t++) {
      int m = water_month(f->calendar[t]);
      double v = Q(f, NARYN_Q_RELEASE_HM3, t, i);
      sum[m] += (isnan(v) ? 0 : v) / (f->step_s[t] * 1e-6);
      cnt[m] += steps_in(f, t);
    }
    for (int m = 0; m < 12; m++) {
      rel[k][m] = cnt[m] ? sum[m] / cnt[m] : 0.0;
      if (!cnt[m]) months_seen = 0;
    }
    s[k] = (naryn__series){c->name[k], NULL, rel[k], 12, NARYN__LINE, NULL, NULL, NULL, 0};
  }
  char cap[256];
  if (months_seen) {
    snprintf(cap, sizeof cap, "%s: release by month in each run", bname);
    naryn__chart cr = {"compare-release", cap, "month of the water year", "mean release, m3/s",
                       NARYN__AXIS_CATEGORY, mcats, 12, 1, s, c->n, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &cr, cap, "(mean over the horizon, m3/s)");
    if (rc != NARYN_OK) return rc;
  }
  int most = 0, monthly = 0; /* points of the longest time axis; any by month */
  for (int k = 0; k < c->n; k++) {
    most = c->run[k].npts > most ? c->run[k].npts : most;
    monthly |= c->run[k].by_month;
  }
  double *xs = calloc((size_t)most * MAX_RUNS * 2, sizeof *xs);
  if (!xs) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  /* One small chart a run, all on the y range of every run's storage, so
  ** that the runs read side by side rather than as six lines over one
  ** another. */
  double lo = INFINITY, hi = -INFINITY;
  int npts[MAX_RUNS];
  for (int k = 0; k < c->n; k++) {
    const run_files *f = &c->run[k];
    int i = node_index(f, bname), n = 0;
    if (i >= 0 && !have(f, NARYN_Q_STORAGE_END_HM3, i)) i = -1; /* not written */
    double *x = xs + (size_t)k * 2 * most, *y = x + most;
    for (int t = 0; i >= 0 && t < f->npts; t++) {
      double v = Q(f, NARYN_Q_STORAGE_END_HM3, t, i);
      if (isnan(v)) continue;
      x[n] = f->month[t] + 1.0;
      y[n++] = v;
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
    npts[k] = n;
  }
  fprintf(p->out, "<h3 id=\"compare-storage\">");
  naryn__html_text(p->out, bname);
  fprintf(p->out, ": storage in each run <span class=\"note\">%s</span></h3>\n"
                  "<div class=\"multiples\">\n",
          monthly ? "(end of each step, or of each month for a long daily run, hm3; "
                    "every run on the same scale)"
                  : "(end of each step, hm3; every run on the same scale)");
  rc = NARYN_OK;
  for (int k = 0; k < c->n && rc == NARYN_OK; k++) {
    double *x = xs + (size_t)k * 2 * most, *y = x + most;
    naryn__series one = {c->name[k], x, y, npts[k], NARYN__LINE, naryn__colour(k), NULL, NULL, 0};
    char id[32], title[256];
    snprintf(id, sizeof id, "compare-storage-%d", k + 1);
    snprintf(title, sizeof title, "%s: storage in %s", bname, c->name[k]);
    naryn__chart cs = {id, title, "date", "storage, hm3", NARYN__AXIS_DATE, NULL, 0, 1, &one, 1,
                       470, 220, 0, lo <= hi, lo <= hi ? lo : 0, lo <= hi ? hi : 0};
    rc = naryn__figure(p, &cs, c->name[k], NULL);
  }
  fprintf(p->out, "</div>\n");
  free(xs);
  return rc;
}

static int read_compare(const char *dir, naryn__arena *a, naryn_diags *d, cmp *c) {
  char *path = naryn__arena_printf(a, "%s/compare.csv", dir);
  if (!path) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  naryn__csv *t = naryn__csv_read(path, a, d);
  if (!t) return NARYN_EIO;
  int crun = naryn__csv_column(t, "run"), cdir = naryn__csv_column(t, "folder");
  if (crun < 0 || cdir < 0)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                       "expected the columns run and folder");
  if (t->nrows < 1 || t->nrows > MAX_RUNS)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                       "expected 1 to %d runs, got %d", MAX_RUNS, t->nrows);
  c->n = t->nrows;
  for (int k = 0; k < c->n; k++) {
    c->name[k] = t->cells[(size_t)k * t->ncols + crun];
    c->folder[k] = t->cells[(size_t)k * t->ncols + cdir];
    if (!c->folder[k][0] || strstr(c->folder[k], "..") || c->folder[k][0] == '/')
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, t->row_line[k],
                         t->cell_col[(size_t)k * t->ncols + cdir], NULL,
                         "column \"folder\": expected a folder inside %s, got \"%s\"",
                         dir, c->folder[k]);
    char *sub = naryn__arena_printf(a, "%s/%s", dir, c->folder[k]);
    if (!sub) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    int rc = load_run(&c->run[k], sub, a, d);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}

static int report_compare(const char *dir, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  cmp *c = calloc(1, sizeof *c);
  naryn__page p;
  int rc = a && c ? NARYN_OK : naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK) rc = read_compare(dir, a, d, c);
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc == NARYN_OK) {
    const run_files *f0 = &c->run[0];
    char title[512];
    snprintf(title, sizeof title, "%s: %d runs compared", run_key(f0, "model"), c->n);
    p.totals = !whole_years(f0);
    naryn__page_head(&p, title);
    run_header(&p, f0, whole_years(f0) ? "The runs side by side: yearly means of each"
                                       : "The runs side by side: totals over the horizon, "
                                         "which is shorter than a year");
    fprintf(p.out, "<p>Runs: ");
    for (int k = 0; k < c->n; k++) {
      fprintf(p.out, "%s<a href=\"", k ? ", " : "");
      naryn__text(&p, c->folder[k]);
      fprintf(p.out, "/report.html\">");
      naryn__text(&p, c->name[k]);
      fprintf(p.out, "</a>%s", c->run[k].water_values ? " (optimised plan)" : "");
    }
    fprintf(p.out, ". Each name opens that run's own report. The header above is the "
                   "first run's.</p>\n");
    for (int k = 0; k < c->n; k++)
      if (c->run[k].water_values) {
        char who[300];
        snprintf(who, sizeof who, "The optimised plan \"%s\"", c->name[k]);
        foresight_note(p.out, who, c->run[k].objective);
        break;
      }
    fprintf(p.out, "<main>\n<h2 id=\"s-table\">Side by side</h2>\n");
    comparison_table(&p, c);
    rc = comparison_charts(&p, c);
    if (rc == NARYN_OK) {
      fprintf(p.out, "</main>\n");
      rc = naryn__page_close(&p, dir);
    } else {
      naryn__page_abort(&p);
    }
  }
  free(c);
  naryn__arena_free(a);
  return rc;
}

static int compare_write(const char *dir, const char *const *runs, int nruns,
                         naryn_diags *d) {
  if (nruns < 1 || nruns > MAX_RUNS)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected 1 to %d runs to compare, got %d", MAX_RUNS, nruns);
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/compare.csv", dir) >= sizeof path)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
  int rc = naryn__interrupt_check(d);
  if (rc == NARYN_OK) rc = naryn__mkdirs(dir, d);
  if (rc != NARYN_OK) return rc;
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return NARYN_EIO;
  naryn__outfile_printf(f, "run,folder\n");
  for (int k = 0; k < nruns; k++) {
    if (!runs[k][0] || strpbrk(runs[k], ",\"\r\n/") || strcmp(runs[k], "..") == 0 ||
        strcmp(runs[k], ".") == 0) {
      naryn__outfile_abort(f);
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "run \"%s\": expected a folder name without commas, quotes "
                         "or slashes", runs[k]);
    }
    naryn__outfile_printf(f, "%s,%s\n", runs[k], runs[k]);
  }
  rc = naryn__outfile_commit(f, d);
  if (rc == NARYN_OK) rc = naryn_report_write(dir, d);
  return rc;
}

int naryn_compare_write(const char *dir, const char *const *runs, int nruns,
                        naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  return naryn__diags_status(d, mark, compare_write(dir, runs, nruns, d));
}

/* ====================================================================== */
/* A trade-off curve                                                       */
/* ====================================================================== */

static int report_pareto(const char *dir, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  run_files f;
  memset(&f, 0, sizeof f);
  f.dir = dir;
  f.a = a;
  f.d = d;
  naryn__csv *t = read_csv(&f, "pareto.csv");
  int rc = t ? NARYN_OK : NARYN_EIO;
  static const char *const cols[] = {"point", "x_term", "x", "y_term", "y", "combined",
                                     "currency", "plan", "level"};
  for (int k = 0; k < 9 && rc == NARYN_OK; k++) rc = need_column(&f, t, cols[k]);
  if (rc == NARYN_OK && t->nrows < 1)
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                     "expected at least one point of the curve");
  /* The plans' folders give what was run and its length in years. */
  run_files plan;
  if (rc == NARYN_OK) {
    const char *folder = cell(t, 0, "plan");
    if (!folder[0] || strstr(folder, "..") || folder[0] == '/')
      rc = bad(&f, t, 0, "plan", "column \"%s\": expected a folder inside the curve's%s", "");
    char *sub = rc == NARYN_OK ? naryn__arena_printf(a, "%s/%s", dir, folder) : NULL;
    if (rc == NARYN_OK && !sub)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    if (rc == NARYN_OK) rc = load_run(&plan, sub, a, d);
  }
  naryn__page p;
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc != NARYN_OK) {
    naryn__arena_free(a);
    return rc;
  }
  int n = t->nrows;
  double *x = calloc((size_t)n * 4, sizeof *x), *y = x ? x + n : NULL;
  double *rx = x ? x + 2 * n : NULL, *ry = x ? x + 3 * n : NULL;
  const char **labels = calloc((size_t)n, sizeof *labels);
  char (*lbuf)[24] = calloc((size_t)n, sizeof *lbuf);
  const char *xt = cell(t, 0, "x_term"), *yt = cell(t, 0, "y_term"), *cur = cell(t, 0, "currency");
  int cx = naryn__csv_column(t, "x"), cy = naryn__csv_column(t, "y");
  int np = 0, nr = 0;
  if (!x || !labels || !lbuf)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int r = 0; r < n && rc == NARYN_OK; r++) {
    double vx = cell_num(t, r, cx), vy = cell_num(t, r, cy);
    if (isnan(vx) || isnan(vy)) {
      rc = bad(&f, t, r, isnan(vx) ? "x" : "y", "column \"%s\": expected a number%s", "");
      break;
    }
    if (strcmp(cell(t, r, "point"), "rules") == 0) {
      rx[nr] = vx / per_year(&plan) / 1e6;
      ry[nr++] = vy / per_year(&plan) / 1e6;
      continue;
    }
    x[np] = vx / per_year(&plan) / 1e6;
    y[np] = vy / per_year(&plan) / 1e6;
    snprintf(lbuf[np], sizeof lbuf[np], "%s", cell(t, r, "point"));
    labels[np] = lbuf[np];
    np++;
  }
  static const char *const rules_label[] = {"simulated rules"};
  if (rc == NARYN_OK) {
    char title[512], xl[256], yl[256];
    snprintf(title, sizeof title, "%s: trade-off between %s and %s", run_key(&plan, "model"), xt, yt);
    p.totals = !whole_years(&plan);
    naryn__page_head(&p, title);
    run_header(&p, &plan, "A trade-off curve by the epsilon-constraint method "
                          "(the header gives the first plan's run)");
    fprintf(p.out, "<main>\n<h2 id=\"s-curve\">The trade-off</h2>\n<p class=\"note\">Each "
                   "point is a plan optimised with ");
    naryn__text(&p, xt);
    fprintf(p.out, " held at a level; the simulated operating rules are marked "
                   "for comparison. Values are %s, in millions of ",
            whole_years(&plan) ? "yearly" : "totals over the horizon");
    naryn__text(&p, cur);
    fprintf(p.out, " (costs positive).</p>\n");
    naryn__series s[3] = {{"optimised plans", x, y, np, NARYN__LINE, "#0072b2", NULL, NULL, 0},
                          {NULL, x, y, np, NARYN__POINTS, "#0072b2", labels, NULL, 0},
                          {"simulated rules", rx, ry, nr, NARYN__POINTS, "#d55e00", rules_label, NULL, 0}};
    snprintf(xl, sizeof xl, "%s, millions of %s %s", xt, cur, a_year(&plan));
    snprintf(yl, sizeof yl, "%s, millions of %s %s", yt, cur, a_year(&plan));
    naryn__chart c = {"pareto", title, xl, yl, NARYN__AXIS_NUMBER, NULL, 0, 0, s, 3, 0, 380, 0, 0, 0, 0};
    rc = naryn__figure(&p, &c, "The trade-off curve", NULL);
  }
  if (rc == NARYN_OK) {
    naryn__table_open(&p, "pareto-points");
    fprintf(p.out, "<thead><tr>");
    naryn__th(&p, "point", 1);
    naryn__th(&p, xt, 0);
    naryn__th(&p, yt, 0);
    naryn__th(&p, "combined", 0);
    naryn__th(&p, "plan", 1);
    fprintf(p.out, "</tr></thead>\n<tbody>\n");
    int cc = naryn__csv_column(t, "combined");
    for (int r = 0; r < n; r++) {
      fprintf(p.out, "<tr>");
      naryn__td_text(&p, cell(t, r, "point"));
      naryn__td_num(&p, cell_num(t, r, cx) / per_year(&plan) / 1e6, 2);
      naryn__td_num(&p, cell_num(t, r, cy) / per_year(&plan) / 1e6, 2);
      naryn__td_num(&p, cell_num(t, r, cc) / per_year(&plan) / 1e6, 2);
      fprintf(p.out, "<td class=\"l\"><a href=\"");
      naryn__text(&p, cell(t, r, "plan"));
      fprintf(p.out, "/report.html\">");
      naryn__text(&p, cell(t, r, "plan"));
      fprintf(p.out, "</a></td></tr>\n");
    }
    fprintf(p.out, "</tbody>\n");
    naryn__table_close(&p);
    fprintf(p.out, "</main>\n");
    rc = naryn__page_close(&p, dir);
  } else {
    naryn__page_abort(&p);
  }
  free(x), free(labels), free(lbuf);
  naryn__arena_free(a);
  return rc;
}

/* ====================================================================== */
/* Which kind of folder                                                    */
/* ====================================================================== */

/* 1 when DIR/NAME can be read; asked without opening it, which needs
** memory that may not be there. */
static int exists(const char *dir, const char *name) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return 0;
  return access(path, R_OK) == 0;
}

int naryn_report_write(const char *dir, naryn_diags *d) {
  return naryn__report_write_fed(dir, NULL, d);
}

int naryn__report_write_fed(const char *dir, const naryn__report_feed *fd,
                            naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int rc;
  if (exists(dir, "game.csv")) rc = naryn__report_share(dir, d);
  else if (exists(dir, "ensemble.csv")) rc = naryn__report_ensemble(dir, d);
  else if (exists(dir, "pareto.csv")) rc = report_pareto(dir, d);
  else if (exists(dir, "compare.csv")) rc = report_compare(dir, d);
  else if (exists(dir, "run.csv")) rc = report_run(dir, fd, d);
  else
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                     "expected the results of a naryn run (run.csv), a comparison "
                     "(compare.csv), a trade-off curve (pareto.csv), a benefit-"
                     "sharing game (game.csv) or an ensemble (ensemble.csv) in this "
                     "folder, found none");
  return naryn__diags_status(d, mark, rc);
}
