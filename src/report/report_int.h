/*
** report_int.h: what the files that draw a run's page, a comparison and a
** trade-off curve share, and nothing outside src/report/ needs: a run's
** folder as read (run_files, run_files.c), small accessors of its
** tables, and the parts of the pages each file draws for the others.
** The parts every page is made of (naryn__page and its helpers) are in
** naryn_int.h, as share_page.c uses them too.
*/
#ifndef NARYN_REPORT_INT_H
#define NARYN_REPORT_INT_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* ====================================================================== */
/* run_files.c: a run's folder                                            */
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

/* grids.csv as read (grids_files.c): the grids and interconnectors of
** its first step, and every step's figures, NaN for an empty cell. */
typedef struct rep_grids {
  int ng, nl;
  const char **name, **country;  /* [ng] */
  const char **line;             /* [nl]: the interconnectors' names */
  double *q;     /* [((size_t)t * ng + g) * NARYN_G_COUNT + q] */
  double *sent;  /* [((size_t)t * nl + l) * 2 + back], GWh before losses */
} rep_grids;

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
  /* The grids of grids.csv, NULL for a run without (a model without
  ** grids, an optimised plan). */
  rep_grids *grids;
} run_files;

/* A cell by column name, or "" when the column is missing. */
static inline const char *cell(const naryn__csv *t, int row, const char *col) {
  int c = naryn__csv_column(t, col);
  if (c < 0 || row < 0 || row >= t->nrows) return "";
  return t->cells[(size_t)row * t->ncols + c];
}

/* A number from a cell; NaN for an empty cell or anything not a number. */
static inline double cell_num(const naryn__csv *t, int row, int col) {
  if (col < 0 || row < 0 || row >= t->nrows) return NAN;
  const char *s = t->cells[(size_t)row * t->ncols + col];
  if (!s[0]) return NAN;
  char *end;
  double v = strtod(s, &end);
  return *end ? NAN : v;
}

/* The value of a key of run.csv, or "". */
static inline const char *run_key(const run_files *f, const char *key) {
  for (int r = 0; r < f->run->nrows; r++)
    if (strcmp(cell(f->run, r, "key"), key) == 0) return cell(f->run, r, "value");
  return "";
}

static inline int need_column(const run_files *f, const naryn__csv *t, const char *col) {
  return naryn__report_need_column(t, col, f->d);
}

/* Quantity q of node i in step t: NaN when it does not apply, or when
** the run did not write it, or the page does not keep it. */
static inline double Q(const run_files *f, int q, int t, int i) {
  const double *v = f->series[(size_t)q * f->nnodes + i];
  return v ? v[t] : NAN;
}

/* The number of steps in point t of the time axis. */
static inline int steps_in(const run_files *f, int t) {
  return f->pt_steps ? f->pt_steps[t] : 1;
}

/* 1 when the run wrote quantity q of node i per step. */
static inline int have(const run_files *f, int q, int i) {
  return f->has_q[q] && f->written && f->written[i];
}

static inline int node_enabled(const run_files *f, int i) {
  return strcmp(cell(f->network, i, "enabled"), "0") != 0;
}

static inline int node_is(const run_files *f, int i, const char *type) {
  return strcmp(cell(f->network, i, "type"), type) == 0;
}

/* 1 for an enabled reservoir, whose controlling rule the page keeps. */
static inline int keeps_rule(const run_files *f, int i) {
  return node_is(f, i, "reservoir") && node_enabled(f, i);
}

/* A horizon shorter than a year is reported as totals over it: a yearly
** mean of a few days would multiply them into a year the run never saw.
** per_year is what totals are divided by, stat_key the rows of
** summary.csv and term_key the column of objective.csv that the page
** reads, and a_year the words for it. */
static inline int whole_years(const run_files *f) { return f->years >= 1.0 - 1e-6; }
static inline double per_year(const run_files *f) { return whole_years(f) ? f->years : 1.0; }
static inline const char *stat_key(const run_files *f) {
  return whole_years(f) ? "per_year" : "total";
}
static inline const char *term_key(const run_files *f) {
  return whole_years(f) ? "value_per_year" : "value";
}
static inline const char *a_year(const run_files *f) {
  return whole_years(f) ? "a year" : "over the horizon";
}

/* The unit of a column of volumes whose largest figure is big_hm3: km3
** with 2 decimals from 1 km3 up, hm3 with 1 decimal below, so that no
** volume shows as 0.01 of a larger unit. Returns the divisor from hm3. */
static inline double fit_unit(double big_hm3, const char **unit, int *decimals) {
  int km3 = big_hm3 >= 1000.0;
  *unit = km3 ? "km3" : "hm3";
  *decimals = km3 ? 2 : 1;
  return km3 ? 1000.0 : 1.0;
}

static inline int water_month(int calendar) { return (calendar + 2) % 12; }

/* Reads DIR/NAME; a missing or malformed file is reported in f->d. */
naryn__csv *naryn__rep_read_csv(run_files *f, const char *name);
/* Reports a cell of results file t (row, column col; -1 for the header's
** first line) that does not agree with the rest: fmt has a %s for col and
** one for what. Returns NARYN_EIO. */
int naryn__rep_bad(const run_files *f, const naryn__csv *t, int row, const char *col,
                   const char *fmt, const char *what);
/* Reads a run's folder and checks that its files agree with each other,
** taking what the page draws of nodes.csv from the feed fd when it fits
** (-1 when it does not; then load the folder alone). NARYN_OK or an error
** reported in d. */
int naryn__rep_load_run_fed(run_files *f, const char *dir, naryn__arena *a,
                            const naryn__report_feed *fd, naryn_diags *d);
int naryn__rep_load_run(run_files *f, const char *dir, naryn__arena *a, naryn_diags *d);
/* Why quantity q is missing from the run's per-step results, or NULL
** when it was written. */
const char *naryn__rep_missing(const run_files *f, int q);
/* Says under a section what it does not draw and why. */
void naryn__rep_not_drawn(FILE *out, const char *what, const char *why);
/* Names, in a note, the n nodes idx[] of a section left out because the
** run did not write their per-step results. */
void naryn__rep_nodes_left_out(FILE *out, const run_files *f, const int *idx, int n);

/* ====================================================================== */
/* page.c: parts of a run's page that other pages use too                 */
/* ====================================================================== */

/* The country label "KG Kyrgyzstan" of a code, from network.csv. */
const char *naryn__rep_country_label(const run_files *f, const char *code, char *buf,
                                     size_t size);
/* The distinct countries of the network, in order of first use. */
int naryn__rep_network_countries(const run_files *f, const char **codes, int max);
/* The seasons of summary.csv (label and key), and the months in
** water-year order, October first. */
extern const char *const naryn__rep_season_label[3];
extern const char *const naryn__rep_season_key[3];
extern const char *const naryn__rep_month_names[12];
/* The header: what was run. */
void naryn__rep_run_header(naryn__page *p, const run_files *f, const char *what);

/* ====================================================================== */
/* run_page.c, run_charts.c, run_spread.c, run_sinks.c: a run's page      */
/* ====================================================================== */

/* What an optimised plan is and is not, and where its prices come from:
** said on the plan's page and on a comparison that holds one. */
void naryn__rep_foresight_note(FILE *out, const char *name, const naryn__csv *obj);
/* The sections of a run's page, each drawn with its heading, or a note
** saying why not. x, y, lo, hi, req and ybuf are the caller's room for a
** value a point (ybuf for 16 series). NARYN_OK or an error reported. */
int naryn__rep_storage_section(naryn__page *p, const run_files *f, double *x, double *y,
                               double *lo, double *hi);
/* Why the controlling rules are not shown, or NULL. */
const char *naryn__rep_rules_missing(const run_files *f);
int naryn__rep_rules_section(naryn__page *p, const run_files *f);
int naryn__rep_release_section(naryn__page *p, const run_files *f);
int naryn__rep_generation_section(naryn__page *p, const run_files *f);
int naryn__rep_delivery_section(naryn__page *p, const run_files *f);
int naryn__rep_duration_section(naryn__page *p, const run_files *f);
int naryn__rep_minflow_section(naryn__page *p, const run_files *f, double *x, double *y,
                               double *req);
int naryn__rep_sink_section(naryn__page *p, const run_files *f, double *x, double *ybuf);
int naryn__rep_water_value_section(naryn__page *p, const run_files *f);
/* Each month of the water year over the years (run_spread.c): the
** lowest, median and highest of the month's figure of quantity q summed
** over the nn nodes listed, and how many years have the month (cnt);
** with 'flow' as a mean flow in m3/s, else in hm3 a month. */
int naryn__rep_spread_by_month(const run_files *f, const int *nodes, int nn, int q, int flow,
                               double lo[12], double mid[12], double hi[12], int cnt[12]);

/* ====================================================================== */
/* grids_files.c and run_grids.c: the grids                                */
/* ====================================================================== */

/* Reads grids.csv into f->grids when the run wrote it, once the steps'
** dates are known; leaves f->grids NULL when it did not. NARYN_OK or an
** error reported. */
int naryn__rep_read_grids(run_files *f);
/* The totals of grid g's figures over the steps of season s (0 Oct–Mar,
** 1 Apr–Sep, 2 the year) into out[NARYN_G_COUNT]; the price is left NaN.
** Empty cells count as nothing, as in summary.csv. */
void naryn__rep_grid_totals(const run_files *f, int g, int s, double *out);
/* The label of grid g: its country's ("KG Kyrgyzstan") when the grid is
** named after its country, else "NAME (KG Kyrgyzstan)". */
const char *naryn__rep_grid_label(const run_files *f, int g, char *buf, size_t size);
/* The unit of energies whose largest is big_gwh: TWh with 2 decimals from
** 1 TWh up, GWh with 1 decimal from 10 GWh, GWh with 3 below. Returns the
** divisor from GWh. */
double naryn__rep_energy_unit(double big_gwh, const char **unit, int *decimals);
/* The section "Grids" of a run's page (run_grids.c); nothing for a run
** without grids.csv. */
int naryn__rep_grids_section(naryn__page *p, const run_files *f);
/* The comparison's table of the grids (grids_files.c): each grid's yearly
** unserved energy, imports and cost in each of the n runs, when two or
** more have grids; nothing otherwise. */
void naryn__rep_compare_grids(naryn__page *p, const run_files *runs, const char *const *names,
                              int n);

/* ====================================================================== */
/* The pages, for naryn_report_write (report.c)                           */
/* ====================================================================== */

/* A run's page (run_page.c), from its folder and the feed fd (or NULL). */
int naryn__report_run(const char *dir, const naryn__report_feed *fd, naryn_diags *d);
/* A comparison's page, from compare.csv (compare_page.c). */
int naryn__report_compare(const char *dir, naryn_diags *d);
/* A trade-off curve's page, from pareto.csv (pareto_page.c). */
int naryn__report_pareto(const char *dir, naryn_diags *d);
/* An SDDP policy's page, from convergence.csv and water_values.csv
** (policy_page.c). */
int naryn__report_policy(const char *dir, naryn_diags *d);

#endif
