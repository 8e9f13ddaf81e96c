/*
** ensemble_page.c: the report of an ensemble, the page an analyst reads to
** see how a plan holds up over many inflow series: the spread of the
** yearly figures, the reliability of every demand and of the winter
** energy, the chance of a low reservoir on 1 April, the storage of every
** reservoir as a fan of percentiles month by month, exceedance curves of
** yearly energy and shortage, and histograms of yearly shortage; for
** several runs (rules, scenarios) over the same members, side by side.
**
** It is drawn from the files naryn_ensemble_write leaves in the folder
** (ensemble.csv, stats.csv, reliability.csv, april.csv, exceedance.csv,
** histogram.csv and storage.csv) and from nothing else, so that "naryn
** report DIR" draws the same bytes again; members.csv, the largest, is
** not read. Every column the page reads must be there, every number a
** number and every run one of ensemble.csv's: anything else is an error
** naming the file, line, column and field, and no page is written.
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define MAX_RUNS 32
#define MAX_COLS 16

/* What a column holds: text, a number, a number or nothing. */
enum { TEXT, NUMBER, NUMBER_OR_EMPTY };

typedef struct column {
  const char *name;
  int kind;
} column;

/* A results table: where each column the page reads is, its numbers, and
** the run (index in ensemble.csv) of each row. */
typedef struct table {
  naryn__csv *csv;
  int ncols;
  int col[MAX_COLS];
  double *num;   /* [row * ncols + k], NaN for text and empty cells */
  int *run;      /* [row] */
} table;

enum { EN_RUN, EN_MODEL, EN_SCENARIO, EN_START, EN_END, EN_STEP, EN_STEPS, EN_YEARS,
       EN_FIRST, EN_LAST, EN_MEMBERS, EN_SOURCE, EN_SITES, EN_COMMAND, EN_NCOLS };
static const column ens_cols[EN_NCOLS] = {
    {"run", TEXT},         {"model", TEXT},    {"scenario", TEXT},
    {"start", TEXT},       {"end", TEXT},      {"step", TEXT},
    {"steps", NUMBER},     {"water_years", NUMBER}, {"first_water_year", NUMBER},
    {"last_water_year", NUMBER}, {"members", NUMBER}, {"source", TEXT},
    {"sites", TEXT},       {"command", TEXT}};

enum { ST_RUN, ST_COUNTRY, ST_SEASON, ST_QUANTITY, ST_BASIS, ST_N, ST_MEAN, ST_P5, ST_P50,
       ST_P95, ST_NCOLS };
static const column stats_cols[ST_NCOLS] = {
    {"run", TEXT},     {"country", TEXT}, {"season", TEXT},         {"quantity", TEXT},
    {"basis", TEXT},   {"n", NUMBER},     {"mean", NUMBER_OR_EMPTY}, {"p5", NUMBER_OR_EMPTY},
    {"p50", NUMBER_OR_EMPTY}, {"p95", NUMBER_OR_EMPTY}};

enum { RL_RUN, RL_KIND, RL_NAME, RL_COUNTRY, RL_PLANTS, RL_UNIT, RL_TARGET, RL_PERIODS,
       RL_FAILURES, RL_REL, RL_RES, RL_VUL, RL_NCOLS };
static const column rel_cols[RL_NCOLS] = {
    {"run", TEXT},        {"kind", TEXT},          {"name", TEXT},
    {"country", TEXT},    {"plants", TEXT},        {"unit", TEXT},
    {"target", NUMBER_OR_EMPTY}, {"periods", NUMBER}, {"failures", NUMBER},
    {"reliability", NUMBER_OR_EMPTY}, {"resilience", NUMBER_OR_EMPTY},
    {"vulnerability", NUMBER_OR_EMPTY}};

enum { AP_RUN, AP_RES, AP_LEVEL, AP_YEARS, AP_PROB, AP_MPROB, AP_P5, AP_P50, AP_NCOLS };
static const column april_cols[AP_NCOLS] = {
    {"run", TEXT},           {"reservoir", TEXT},    {"level_hm3", NUMBER},
    {"member_years", NUMBER}, {"probability", NUMBER_OR_EMPTY},
    {"member_probability", NUMBER_OR_EMPTY}, {"p5_hm3", NUMBER_OR_EMPTY},
    {"p50_hm3", NUMBER_OR_EMPTY}};

enum { EX_RUN, EX_QUANTITY, EX_COUNTRY, EX_P, EX_VALUE, EX_NCOLS };
static const column exceed_cols[EX_NCOLS] = {{"run", TEXT}, {"quantity", TEXT},
                                             {"country", TEXT}, {"exceedance", NUMBER},
                                             {"value", NUMBER_OR_EMPTY}};

enum { HI_RUN, HI_QUANTITY, HI_COUNTRY, HI_BIN, HI_LOWER, HI_UPPER, HI_COUNT, HI_SHARE,
       HI_NCOLS };
static const column hist_cols[HI_NCOLS] = {
    {"run", TEXT},      {"quantity", TEXT}, {"country", TEXT}, {"bin", NUMBER},
    {"lower", NUMBER},  {"upper", NUMBER},  {"count", NUMBER}, {"share", NUMBER_OR_EMPTY}};

enum { SO_RUN, SO_RES, SO_DATE, SO_MEAN, SO_P5, SO_P25, SO_P50, SO_P75, SO_P95, SO_NCOLS };
static const column storage_cols[SO_NCOLS] = {
    {"run", TEXT},        {"reservoir", TEXT},  {"date", TEXT},       {"mean_hm3", NUMBER},
    {"p5_hm3", NUMBER},   {"p25_hm3", NUMBER},  {"p50_hm3", NUMBER},  {"p75_hm3", NUMBER},
    {"p95_hm3", NUMBER}};

/* What the page knows, all from the folder's files. */
typedef struct ens {
  const char *dir;
  naryn__arena *a;
  naryn_diags *d;
  table runs, stats, rel, april, exceed, hist, storage;
  int nruns;
  const char *run[MAX_RUNS];
} ens;

static int out_of_memory(const ens *e) {
  return naryn__diag(e->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

static const char *tcell(const table *t, int row, int k) {
  return t->csv->cells[(size_t)row * t->csv->ncols + t->col[k]];
}

static double tnum(const table *t, int row, int k) {
  return t->num[(size_t)row * t->ncols + k];
}

/* Reads NAME with the columns cols, checks every cell of theirs, and
** finds each row's run (ensemble.csv itself names them). */
static int load_table(ens *e, const char *name, const column *cols, int ncols, table *t) {
  memset(t, 0, sizeof *t);
  char *path = naryn__arena_printf(e->a, "%s/%s", e->dir, name);
  if (!path) return out_of_memory(e);
  if (!(t->csv = naryn__csv_read(path, e->a, e->d))) return NARYN_EIO;
  t->ncols = ncols;
  for (int k = 0; k < ncols; k++) {
    int rc = naryn__report_need_column(t->csv, cols[k].name, e->d);
    if (rc != NARYN_OK) return rc;
    t->col[k] = naryn__csv_column(t->csv, cols[k].name);
  }
  size_t nr = (size_t)t->csv->nrows;
  t->num = naryn__arena_alloc(e->a, sizeof(double) * (nr * ncols + 1));
  t->run = naryn__arena_alloc(e->a, sizeof(int) * (nr + 1));
  if (!t->num || !t->run) return out_of_memory(e);
  for (int r = 0; r < t->csv->nrows; r++) {
    for (int k = 0; k < ncols; k++) {
      double *v = &t->num[(size_t)r * ncols + k];
      *v = NAN;
      if (cols[k].kind == TEXT || (cols[k].kind == NUMBER_OR_EMPTY && !tcell(t, r, k)[0]))
        continue;
      if (naryn__csv_number(t->csv, r, t->col[k], v, e->d) != 0) return NARYN_EIO;
    }
    if (t == &e->runs) continue;
    const char *run = tcell(t, r, 0);
    t->run[r] = -1;
    for (int k = 0; k < e->nruns; k++)
      if (strcmp(e->run[k], run) == 0) t->run[r] = k;
    if (t->run[r] < 0)
      return naryn__diag(e->d, NARYN_EIO, NARYN_SEV_ERROR, t->csv->file, t->csv->row_line[r],
                         t->csv->cell_col[(size_t)r * t->csv->ncols + t->col[0]],
                         "column \"run\"", "expected a run of ensemble.csv, got \"%.40s\"",
                         run);
  }
  return NARYN_OK;
}

static int load(ens *e) {
  int rc = load_table(e, "ensemble.csv", ens_cols, EN_NCOLS, &e->runs);
  if (rc != NARYN_OK) return rc;
  const naryn__csv *t = e->runs.csv;
  if (t->nrows < 1 || t->nrows > MAX_RUNS)
    return naryn__diag(e->d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                       "expected a row per run, 1 to %d of them, got %d", MAX_RUNS, t->nrows);
  e->nruns = t->nrows;
  for (int r = 0; r < t->nrows; r++) e->run[r] = tcell(&e->runs, r, EN_RUN);
  struct {
    const char *name;
    const column *cols;
    int ncols;
    table *t;
  } files[] = {{"stats.csv", stats_cols, ST_NCOLS, &e->stats},
               {"reliability.csv", rel_cols, RL_NCOLS, &e->rel},
               {"april.csv", april_cols, AP_NCOLS, &e->april},
               {"exceedance.csv", exceed_cols, EX_NCOLS, &e->exceed},
               {"histogram.csv", hist_cols, HI_NCOLS, &e->hist},
               {"storage.csv", storage_cols, SO_NCOLS, &e->storage}};
  for (size_t k = 0; k < sizeof files / sizeof *files && rc == NARYN_OK; k++)
    rc = load_table(e, files[k].name, files[k].cols, files[k].ncols, files[k].t);
  return rc;
}

/* ====================================================================== */
/* Sections                                                                */
/* ====================================================================== */

static void header(naryn__page *p, const ens *e) {
  const table *t = &e->runs;
  char buf[256];
  fprintf(p->out, "<header>\n<h1>");
  naryn__text(p, tcell(t, 0, EN_MODEL));
  fprintf(p->out, "</h1>\n<p class=\"sub\">An ensemble of %.0f inflow members: how the "
                  "plan holds up over many inflow series</p>\n<dl class=\"meta\">",
          tnum(t, 0, EN_MEMBERS));
  naryn__meta(p, "Model", tcell(t, 0, EN_MODEL));
  fprintf(p->out, "<dt>Runs</dt><dd>");
  for (int k = 0; k < e->nruns; k++) {
    if (k) fprintf(p->out, ", ");
    naryn__text(p, e->run[k]);
    const char *sc = tcell(t, k, EN_SCENARIO);
    if (sc[0] && strcmp(sc, e->run[k]) != 0) {
      fprintf(p->out, " (scenario ");
      naryn__text(p, sc);
      fprintf(p->out, ")");
    }
  }
  fprintf(p->out, "</dd>");
  snprintf(buf, sizeof buf, "%.0f", tnum(t, 0, EN_MEMBERS));
  naryn__meta(p, "Members", buf);
  naryn__meta(p, "Members from", tcell(t, 0, EN_SOURCE));
  naryn__meta(p, "Sites", tcell(t, 0, EN_SITES));
  snprintf(buf, sizeof buf, "%.10s to %.10s, %.0f %s steps", tcell(t, 0, EN_START),
           tcell(t, 0, EN_END), tnum(t, 0, EN_STEPS), tcell(t, 0, EN_STEP));
  naryn__meta(p, "Horizon", buf);
  snprintf(buf, sizeof buf, "%.0f, %.0f to %.0f (October to September, named by the year "
           "they end in)", tnum(t, 0, EN_YEARS), tnum(t, 0, EN_FIRST), tnum(t, 0, EN_LAST));
  naryn__meta(p, "Water years", buf);
  naryn__meta(p, "Command", tcell(t, 0, EN_COMMAND)[0] ? tcell(t, 0, EN_COMMAND)
                                                         : "(not recorded)");
  naryn__meta(p, "Engine", "naryn " NARYN_VERSION);
  fprintf(p->out, "</dl>\n</header>\n<nav><ul><li><a href=\"#s-yearly\">Yearly figures"
                  "</a><li><a href=\"#s-reliability\">Reliability</a><li><a href=\""
                  "#s-april\">1 April</a><li><a href=\"#s-storage\">Storage</a><li><a "
                  "href=\"#s-exceedance\">Exceedance</a><li><a href=\"#s-histogram\">"
                  "Shortage histograms</a></ul></nav>\n");
}

/* The row of stats.csv for a run, country, season, quantity and basis. */
static int stats_row(const ens *e, int run, const char *country, const char *season,
                     const char *quantity) {
  const table *t = &e->stats;
  for (int r = 0; r < t->csv->nrows; r++)
    if (t->run[r] == run && strcmp(tcell(t, r, ST_COUNTRY), country) == 0 &&
        strcmp(tcell(t, r, ST_SEASON), season) == 0 &&
        strcmp(tcell(t, r, ST_QUANTITY), quantity) == 0 &&
        strcmp(tcell(t, r, ST_BASIS), "year") == 0)
      return r;
  return -1;
}

static void yearly_section(naryn__page *p, const ens *e) {
  static const struct {
    const char *q, *label;
  } qs[] = {{"energy_gwh", "energy, GWh"},
            {"delivered_hm3", "water delivered, hm3"},
            {"shortage_hm3", "water short, hm3"},
            {"sink_inflow_hm3", "water reaching the sinks, hm3"}};
  static const char *const seasons[] = {"oct-mar", "apr-sep", "all"};
  static const char *const season_label[] = {"Oct–Mar", "Apr–Sep", "year"};
  const table *t = &e->stats;
  fprintf(p->out, "<h2 id=\"s-yearly\">Yearly figures</h2>\n<p class=\"note\">Over every "
                  "member and whole water year: the mean, and the 5th and 95th "
                  "percentiles (linear between the closest ranks), by country and "
                  "season. stats.csv also gives the median and the same figures over "
                  "each member's mean year.</p>\n");
  naryn__table_open(p, "yearly");
  fprintf(p->out, "<thead><tr><th colspan=\"3\"></th>");
  for (int k = 0; k < e->nruns; k++) {
    fprintf(p->out, "<th colspan=\"3\">");
    naryn__text(p, e->run[k]);
    fprintf(p->out, "</th>");
  }
  fprintf(p->out, "</tr>\n<tr>");
  naryn__th(p, "country", 1);
  naryn__th(p, "figure", 1);
  naryn__th(p, "season", 1);
  for (int k = 0; k < e->nruns; k++) {
    naryn__th(p, "mean", 0);
    naryn__th(p, "5th", 0);
    naryn__th(p, "95th", 0);
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  /* The countries in the order of the first run's rows. */
  for (int r0 = 0; r0 < t->csv->nrows; r0++) {
    if (t->run[r0] != 0 || strcmp(tcell(t, r0, ST_SEASON), "oct-mar") != 0 ||
        strcmp(tcell(t, r0, ST_QUANTITY), "energy_gwh") != 0 ||
        strcmp(tcell(t, r0, ST_BASIS), "year") != 0)
      continue;
    const char *country = tcell(t, r0, ST_COUNTRY);
    for (size_t q = 0; q < sizeof qs / sizeof *qs; q++)
      for (int s = 0; s < 3; s++) {
        fprintf(p->out, "<tr%s>", strcmp(country, "all") == 0 ? " class=\"total\"" : "");
        naryn__td_text(p, q == 0 && s == 0 ? (strcmp(country, "all") == 0 ? "all countries"
                                                                          : country)
                                           : "");
        naryn__td_text(p, s == 0 ? qs[q].label : "");
        naryn__td_text(p, season_label[s]);
        for (int k = 0; k < e->nruns; k++) {
          int r = stats_row(e, k, country, seasons[s], qs[q].q);
          naryn__td_num(p, r >= 0 ? tnum(t, r, ST_MEAN) : NAN, 0);
          naryn__td_num(p, r >= 0 ? tnum(t, r, ST_P5) : NAN, 0);
          naryn__td_num(p, r >= 0 ? tnum(t, r, ST_P95) : NAN, 0);
        }
        fprintf(p->out, "</tr>\n");
      }
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static void reliability_section(naryn__page *p, const ens *e) {
  const table *t = &e->rel;
  fprintf(p->out, "<h2 id=\"s-reliability\">Reliability, resilience and vulnerability"
                  "</h2>\n<p class=\"note\">For every demand and minimum flow, a step "
                  "fails when it is short by more than a cubic metre; for the winter "
                  "energy of a country, a winter (October to March) fails when its "
                  "plants generate less than the target. Reliability is the share of "
                  "steps (winters) that do not fail; resilience the share of failures "
                  "followed by a step (winter) that does not fail; vulnerability the "
                  "mean shortage of a failed step, hm3 (of a failed winter, GWh). Over "
                  "every member.</p>\n");
  naryn__table_open(p, "reliability");
  fprintf(p->out, "<thead><tr><th colspan=\"4\"></th>");
  for (int k = 0; k < e->nruns; k++) {
    fprintf(p->out, "<th colspan=\"3\">");
    naryn__text(p, e->run[k]);
    fprintf(p->out, "</th>");
  }
  fprintf(p->out, "</tr>\n<tr>");
  naryn__th(p, "kind", 1);
  naryn__th(p, "name", 1);
  naryn__th(p, "country", 1);
  naryn__th(p, "target", 0);
  for (int k = 0; k < e->nruns; k++) {
    naryn__th(p, "reliability", 0);
    naryn__th(p, "resilience", 0);
    naryn__th(p, "vulnerability", 0);
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r0 = 0; r0 < t->csv->nrows; r0++) {
    if (t->run[r0] != 0) continue;
    const char *kind = tcell(t, r0, RL_KIND), *name = tcell(t, r0, RL_NAME);
    fprintf(p->out, "<tr>");
    naryn__td_text(p, kind);
    if (strcmp(kind, "energy") == 0) {
      char label[256];
      snprintf(label, sizeof label, "winter energy (%.200s)", tcell(t, r0, RL_PLANTS));
      naryn__td_text(p, label);
    } else {
      naryn__td_text(p, name);
    }
    naryn__td_text(p, tcell(t, r0, RL_COUNTRY));
    naryn__td_num(p, tnum(t, r0, RL_TARGET), 0);
    for (int k = 0; k < e->nruns; k++) {
      int r = -1;
      for (int j = 0; j < t->csv->nrows && r < 0; j++)
        if (t->run[j] == k && strcmp(tcell(t, j, RL_KIND), kind) == 0 &&
            strcmp(tcell(t, j, RL_NAME), name) == 0)
          r = j;
      naryn__td_num(p, r >= 0 ? tnum(t, r, RL_REL) : NAN, 3);
      naryn__td_num(p, r >= 0 ? tnum(t, r, RL_RES) : NAN, 3);
      naryn__td_num(p, r >= 0 ? tnum(t, r, RL_VUL) : NAN, 1);
    }
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static void april_section(naryn__page *p, const ens *e) {
  const table *t = &e->april;
  fprintf(p->out, "<h2 id=\"s-april\">Storage on 1 April</h2>\n");
  if (t->csv->nrows == 0) {
    fprintf(p->out, "<p class=\"note\">No level was asked for (--april-below "
                    "RESERVOIR=HM3).</p>\n");
    return;
  }
  fprintf(p->out, "<p class=\"note\">The chance that a reservoir holds less than a level "
                  "on 1 April, over every member and year; the share of members in which "
                  "it happens at least once; and the 5th and 50th percentiles of the "
                  "storage on 1 April, hm3.</p>\n");
  naryn__table_open(p, "april");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "run", 1);
  naryn__th(p, "reservoir", 1);
  naryn__th(p, "level, hm3", 0);
  naryn__th(p, "chance in a year", 0);
  naryn__th(p, "members ever below", 0);
  naryn__th(p, "5th", 0);
  naryn__th(p, "median", 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < t->csv->nrows; r++) {
    fprintf(p->out, "<tr>");
    naryn__td_text(p, tcell(t, r, AP_RUN));
    naryn__td_text(p, tcell(t, r, AP_RES));
    naryn__td_num(p, tnum(t, r, AP_LEVEL), 0);
    naryn__td_num(p, tnum(t, r, AP_PROB), 3);
    naryn__td_num(p, tnum(t, r, AP_MPROB), 3);
    naryn__td_num(p, tnum(t, r, AP_P5), 0);
    naryn__td_num(p, tnum(t, r, AP_P50), 0);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* Months since year 0 of a date "YYYY-MM-DD", with the day as a fraction. */
static double month_x(const char *date) {
  int y = atoi(date), mo = atoi(date + 5), dd = atoi(date + 8);
  if (mo < 1 || mo > 12) mo = 1;
  if (dd < 1) dd = 1;
  return y * 12.0 + (mo - 1) + (dd - 1) / (double)naryn__date_month_days(y, mo);
}

/* A fan chart per reservoir: the first run's bands and every run's median. */
static int storage_section(naryn__page *p, const ens *e) {
  const table *t = &e->storage;
  int n = t->csv->nrows, rc = NARYN_OK;
  fprintf(p->out, "<h2 id=\"s-storage\">Storage</h2>\n<p class=\"note\">Each reservoir's "
                  "storage at the end of every step over the members: the bands of the "
                  "first run hold the middle 90 %% (5th to 95th percentile) and 50 %% "
                  "(25th to 75th) of its members; the lines are each run's median.</p>\n");
  double *x = malloc(((size_t)n + 1) * sizeof *x);
  double *v = malloc(((size_t)n * 5 + 1) * sizeof *v);
  naryn__series *s = malloc((size_t)(e->nruns + 2) * sizeof *s);
  if (!x || !v || !s) {
    free(x), free(v), free(s);
    return out_of_memory(e);
  }
  int nfig = 0;
  for (int r0 = 0; r0 < n && rc == NARYN_OK; r0++) {
    /* The first row of each reservoir of the first run starts a chart. */
    const char *res = tcell(t, r0, SO_RES);
    if (t->run[r0] != 0 || (r0 > 0 && t->run[r0 - 1] == 0 &&
                            strcmp(tcell(t, r0 - 1, SO_RES), res) == 0))
      continue;
    int ns = 0, at = 0;
    for (int k = 0; k < e->nruns; k++) {
      int start = at, m = 0;
      for (int r = 0; r < n; r++) {
        if (t->run[r] != k || strcmp(tcell(t, r, SO_RES), res) != 0) continue;
        x[at + m] = month_x(tcell(t, r, SO_DATE));
        v[at + m] = tnum(t, r, SO_P50);
        v[n + at + m] = tnum(t, r, SO_P5);
        v[2 * n + at + m] = tnum(t, r, SO_P95);
        v[3 * n + at + m] = tnum(t, r, SO_P25);
        v[4 * n + at + m] = tnum(t, r, SO_P75);
        m++;
      }
      if (k == 0) {
        s[ns++] = (naryn__series){"5th to 95th", x + start, v + n + start, m, NARYN__BAND,
                                  naryn__colour(0), NULL, v + 2 * n + start, 0.18};
        s[ns++] = (naryn__series){"25th to 75th", x + start, v + 3 * n + start, m,
                                  NARYN__BAND, naryn__colour(0), NULL, v + 4 * n + start,
                                  0.32};
      }
      char *name = naryn__arena_printf(e->a, "median, %s", e->run[k]);
      if (!name) {
        rc = out_of_memory(e);
        break;
      }
      s[ns++] = (naryn__series){name, x + start, v + start, m, NARYN__LINE, naryn__colour(k),
                                NULL, NULL, 0};
      at += m;
    }
    if (rc != NARYN_OK) break;
    char *id = naryn__arena_printf(e->a, "storage-%d", ++nfig);
    char *cap = naryn__arena_printf(e->a, "%s: storage over the members", res);
    if (!id || !cap) {
      rc = out_of_memory(e);
      break;
    }
    naryn__chart c = {id, cap, NULL, "storage, hm3", NARYN__AXIS_DATE, NULL, 0, 1, s, ns, 0,
                      0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, cap, "(hm3 = million m3; end of each step)");
  }
  free(x), free(v), free(s);
  return rc;
}

/* The exceedance curves of all countries' yearly energy and shortage. */
static int exceedance_section(naryn__page *p, const ens *e) {
  const table *t = &e->exceed;
  int n = t->csv->nrows, rc = NARYN_OK;
  fprintf(p->out, "<h2 id=\"s-exceedance\">Exceedance</h2>\n<p class=\"note\">The yearly "
                  "figure of all countries that is reached or exceeded with each chance, "
                  "over every member and water year.</p>\n");
  double *x = malloc(((size_t)n + 1) * sizeof *x), *y = malloc(((size_t)n + 1) * sizeof *y);
  naryn__series *s = malloc((size_t)(e->nruns + 1) * sizeof *s);
  if (!x || !y || !s) {
    free(x), free(y), free(s);
    return out_of_memory(e);
  }
  static const struct {
    const char *q, *id, *cap, *ylab;
  } qs[2] = {{"energy_gwh", "exceed-energy", "Yearly energy, all countries", "energy, GWh"},
             {"shortage_hm3", "exceed-shortage", "Yearly water short, all countries",
              "water short, hm3"}};
  for (int j = 0; j < 2 && rc == NARYN_OK; j++) {
    int at = 0, ns = 0;
    for (int k = 0; k < e->nruns; k++) {
      int start = at;
      for (int r = 0; r < n; r++)
        if (t->run[r] == k && strcmp(tcell(t, r, EX_QUANTITY), qs[j].q) == 0 &&
            strcmp(tcell(t, r, EX_COUNTRY), "all") == 0 && !isnan(tnum(t, r, EX_VALUE))) {
          x[at] = 100.0 * tnum(t, r, EX_P);
          y[at++] = tnum(t, r, EX_VALUE);
        }
      s[ns++] = (naryn__series){e->run[k], x + start, y + start, at - start, NARYN__LINE,
                                naryn__colour(k), NULL, NULL, 0};
    }
    naryn__chart c = {qs[j].id, qs[j].cap, "chance of being reached or exceeded, %",
                      qs[j].ylab, NARYN__AXIS_NUMBER, NULL, 0, 1, s, ns, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, qs[j].cap, NULL);
  }
  free(x), free(y), free(s);
  return rc;
}

/* The histogram of all countries' yearly shortage, a bar per run. */
static int histogram_section(naryn__page *p, const ens *e) {
  const table *t = &e->hist;
  int n = t->csv->nrows;
  fprintf(p->out, "<h2 id=\"s-histogram\">Yearly shortage</h2>\n<p class=\"note\">How "
                  "often each yearly shortage of all countries occurs, as a share of every "
                  "member and water year; the bins are the same for every run (a year on "
                  "a bin's upper edge counts in the bin above).</p>\n");
  int nb = 0;
  for (int r = 0; r < n; r++)
    if (t->run[r] == 0 && strcmp(tcell(t, r, HI_COUNTRY), "all") == 0) nb++;
  const char **cat = naryn__arena_alloc(e->a, ((size_t)nb + 1) * sizeof *cat);
  double *y = malloc(((size_t)nb * e->nruns + 1) * sizeof *y);
  naryn__series *s = malloc((size_t)(e->nruns + 1) * sizeof *s);
  if (!cat || !y || !s) {
    free(y), free(s);
    return out_of_memory(e);
  }
  for (int k = 0; k < e->nruns; k++) {
    int b = 0;
    for (int r = 0; r < n && b < nb; r++) {
      if (t->run[r] != k || strcmp(tcell(t, r, HI_COUNTRY), "all") != 0) continue;
      y[(size_t)k * nb + b] = isnan(tnum(t, r, HI_SHARE)) ? 0.0 : 100.0 * tnum(t, r, HI_SHARE);
      if (k == 0)
        cat[b] = naryn__arena_printf(e->a, "%.0f–%.0f", tnum(t, r, HI_LOWER),
                                     tnum(t, r, HI_UPPER));
      b++;
    }
    for (; b < nb; b++) y[(size_t)k * nb + b] = 0.0;
    s[k] = (naryn__series){e->run[k], NULL, y + (size_t)k * nb, nb, NARYN__BARS,
                           naryn__colour(k), NULL, NULL, 0};
  }
  for (int b = 0; b < nb; b++)
    if (!cat[b]) {
      free(y), free(s);
      return out_of_memory(e);
    }
  naryn__chart c = {"histogram-shortage", "Yearly water short, all countries",
                    "water short in a year, hm3", "share of member-years, %",
                    NARYN__AXIS_CATEGORY, cat, nb, 1, s, e->nruns, 0, 340, 0, 0, 0, 0};
  int rc = naryn__figure(p, &c, "Yearly water short, all countries", NULL);
  free(y), free(s);
  return rc;
}

/* ====================================================================== */
/* The page                                                                */
/* ====================================================================== */

int naryn__report_ensemble(const char *dir, naryn_diags *d) {
  ens *e = calloc(1, sizeof *e);
  naryn__arena *a = naryn__arena_new();
  if (!e || !a) {
    free(e);
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  e->dir = dir;
  e->a = a;
  e->d = d;
  naryn__page p;
  int rc = load(e);
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc == NARYN_OK) {
    char title[512];
    snprintf(title, sizeof title, "%s: an ensemble of %.0f members",
             tcell(&e->runs, 0, EN_MODEL), tnum(&e->runs, 0, EN_MEMBERS));
    naryn__page_head(&p, title);
    header(&p, e);
    fprintf(p.out, "<main>\n");
    yearly_section(&p, e);
    reliability_section(&p, e);
    april_section(&p, e);
    rc = storage_section(&p, e);
    if (rc == NARYN_OK) rc = exceedance_section(&p, e);
    if (rc == NARYN_OK) rc = histogram_section(&p, e);
    if (rc == NARYN_OK) {
      fprintf(p.out, "</main>\n");
      rc = naryn__page_close(&p, dir);
    } else {
      naryn__page_abort(&p);
    }
  }
  naryn__arena_free(a);
  free(e);
  return rc;
}
