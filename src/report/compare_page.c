/*
** compare_page.c: the page of a comparison (compare.csv naming run
** folders): the runs side by side in a table and in charts, and
** naryn_compare_write, which writes compare.csv and draws the page.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

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
          cmp_row(p, s == 0 ? naryn__rep_country_label(f0, code, buf, sizeof buf) : "", naryn__rep_season_label[s], c,
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
      cmp_row(p, s == 0 ? cell(f0->network, i, "name") : "", naryn__rep_season_label[s], c, v, dec);
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
  /* A run with no objective (one that did not dispatch the grids its
  ** grid terms value) has no bar. */
  double obj[MAX_RUNS];
  const char *named[MAX_RUNS];
  int nobj = 0;
  for (int k = 0; k < c->n; k++) {
    double v = combined(&c->run[k]) / 1e6;
    if (isnan(v)) continue;
    named[nobj] = c->name[k];
    obj[nobj++] = v;
  }
  naryn__series so = {"combined objective", NULL, obj, nobj, NARYN__BARS, NULL, NULL, NULL, 0};
  char ylab[128];
  snprintf(ylab, sizeof ylab, "millions of %s a year", cell(f0->objective, 0, "currency"));
  naryn__chart co = {"compare-objective", "The combined objective of each run", NULL, ylab,
                     NARYN__AXIS_CATEGORY, named, nobj, 1, &so, 1, 0, 260, 0, 0, 0, 0};
  fprintf(p->out, "<h2 id=\"s-charts\">The runs compared</h2>\n");
  if (nobj > 0) {
    rc = naryn__figure(p, &co, "The combined objective of each run", "(benefits less costs, a year)");
    if (rc != NARYN_OK) return rc;
  }

  /* Energy and shortage by country and season. */
  const char *codes[64];
  int nc = naryn__rep_network_countries(f0, codes, 64);
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
          double v = g == 0 ? summary_value(f, codes[ci], naryn__rep_season_key[se], "energy_gwh")
                            : (summary_value(f, codes[ci], naryn__rep_season_key[se], "irrigation_shortage_hm3") +
                               summary_value(f, codes[ci], naryn__rep_season_key[se], "municipal_shortage_hm3")) / 1000;
          vals[k][ncat] = isnan(v) ? 0 : v;
          any |= vals[k][ncat] > (g == 0 ? 0.5 : 0.0005);
        }
        if (!any) continue;
        snprintf(cat_buf[ncat], sizeof cat_buf[ncat], "%s %s", codes[ci], naryn__rep_season_label[se]);
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
  for (int m = 0; m < 12; m++) mcats[m] = naryn__rep_month_names[m];
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
    int rc = naryn__rep_load_run(&c->run[k], sub, a, d);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}

int naryn__report_compare(const char *dir, naryn_diags *d) {
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
    naryn__rep_run_header(&p, f0, whole_years(f0) ? "The runs side by side: yearly means of each"
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
        naryn__rep_foresight_note(p.out, who, c->run[k].objective);
        break;
      }
    fprintf(p.out, "<main>\n<h2 id=\"s-table\">Side by side</h2>\n");
    comparison_table(&p, c);
    naryn__rep_compare_grids(&p, c->run, c->name, c->n);
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
