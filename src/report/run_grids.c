/*
** run_grids.c: the section "Grids" of a run's page, drawn from grids.csv
** (grids_files.c reads it): a table of each grid's demand, hydropower,
** thermal energy, imports, exports, unserved energy, unused hydropower
** and cost by season; each grid's energy balance, stacked by source
** against its demand; the energy each interconnector sent each way; the
** unserved energy; and the marginal price. The charts are by month of
** the water year, the mean over the years, or per step for a horizon of
** a few weeks.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* A horizon shorter than a year of at most this many steps is drawn per
** step: a category a step, each labelled with its date. */
#define GRID_STEP_POINTS 31

/* The points of the grids' charts: their labels and each grid's and
** line's figures at each (q as rep_grids' q, sent as its sent). */
typedef struct gaxis {
  int n, per_step;
  const char **cats;
  char (*label)[16];
  double *q, *sent;
} gaxis;

static int nomem(const naryn__page *p) {
  return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

/* The days of step t: to the next step, or for the last to run.csv's
** last day. */
static double days_of_step(const run_files *f, int t) {
  if (t + 1 < f->nsteps) return (double)(f->step_day[t + 1] - f->step_day[t]);
  if (f->last_day >= f->step_day[t]) return (double)(f->last_day - f->step_day[t] + 1);
  if (f->step_days > 0) return f->step_days;
  int y, mo, dd;
  naryn__date_ymd(f->step_day[t], &y, &mo, &dd);
  return naryn__date_month_days(y, mo);
}

/* Adds the figures of a month of the horizon (sum, over 'days' days of
** its steps, with the price's sum times days in psum and its days in pday)
** to its month of the water year: scaled to the whole month when the
** horizon cuts it. */
static void add_month(const rep_grids *gr, int inst, double days, const double *sum,
                      const double *psum, const double *pday, double *acc, double *pacc,
                      int *pcnt, int *cnt) {
  int y = inst / 12, mo = inst % 12 + 1, wm = water_month(mo);
  double md = naryn__date_month_days(y, mo), scale = days == md ? 1.0 : md / days;
  size_t w = (size_t)gr->ng * NARYN_G_COUNT + (size_t)gr->nl * 2;
  for (size_t k = 0; k < w; k++) acc[wm * w + k] += scale == 1.0 ? sum[k] : sum[k] * scale;
  for (int g = 0; g < gr->ng; g++)
    if (pday[g] > 0) {
      pacc[wm * gr->ng + g] += psum[g] / pday[g];
      pcnt[wm * gr->ng + g]++;
    }
  cnt[wm]++;
}

/* The points: each step of a short horizon, else each month of the water
** year that the horizon reaches, the mean over the years of the month's
** figures (the price's mean over the month's days). */
static int make_axis(const run_files *f, gaxis *ax) {
  const rep_grids *gr = f->grids;
  size_t w = (size_t)gr->ng * NARYN_G_COUNT + (size_t)gr->nl * 2;
  ax->per_step = !whole_years(f) && f->nsteps <= GRID_STEP_POINTS;
  int npts = ax->per_step ? f->nsteps : 12;
  ax->cats = naryn__arena_alloc(f->a, (size_t)npts * sizeof *ax->cats);
  ax->label = naryn__arena_alloc(f->a, (size_t)npts * sizeof *ax->label);
  ax->q = naryn__arena_alloc(f->a, ((size_t)npts * gr->ng * NARYN_G_COUNT + 1) * sizeof *ax->q);
  ax->sent = naryn__arena_alloc(f->a, ((size_t)npts * gr->nl * 2 + 1) * sizeof *ax->sent);
  if (!ax->cats || !ax->label || !ax->q || !ax->sent) return NARYN_ENOMEM;
  if (ax->per_step) {
    ax->n = f->nsteps;
    for (int t = 0; t < f->nsteps; t++) {
      int y, mo, dd;
      naryn__date_ymd(f->step_day[t], &y, &mo, &dd);
      if (f->step_days == 0)
        snprintf(ax->label[t], sizeof ax->label[t], "%04d-%02d", y % 10000, mo);
      else
        snprintf(ax->label[t], sizeof ax->label[t], "%04d-%02d-%02d", y % 10000, mo, dd);
      ax->cats[t] = ax->label[t];
      for (int k = 0; k < gr->ng * NARYN_G_COUNT; k++) {
        double v = gr->q[(size_t)t * gr->ng * NARYN_G_COUNT + k];
        ax->q[(size_t)t * gr->ng * NARYN_G_COUNT + k] = isnan(v) ? 0.0 : v;
      }
      /* The price is the one figure whose gap is kept. */
      for (int g = 0; g < gr->ng; g++)
        ax->q[((size_t)t * gr->ng + g) * NARYN_G_COUNT + NARYN_G_PRICE_PER_MWH] =
            gr->q[((size_t)t * gr->ng + g) * NARYN_G_COUNT + NARYN_G_PRICE_PER_MWH];
      for (int k = 0; k < gr->nl * 2; k++) {
        double v = gr->sent[(size_t)t * gr->nl * 2 + k];
        ax->sent[(size_t)t * gr->nl * 2 + k] = isnan(v) ? 0.0 : v;
      }
    }
    return NARYN_OK;
  }
  /* By month: a month of the horizon at a time, its steps in date order. */
  double *sum = calloc(w * 13 + 4 * (size_t)gr->ng * 13 + 1, sizeof *sum);
  int *cnt = calloc(12 + (size_t)gr->ng * 12, sizeof *cnt);
  if (!sum || !cnt) {
    free(sum), free(cnt);
    return NARYN_ENOMEM;
  }
  double *acc = sum + w, *psum = acc + 12 * w, *pday = psum + gr->ng, *pacc = pday + gr->ng;
  int *pcnt = cnt + 12;
  int inst = -1;
  double days = 0;
  for (int t = 0; t < f->nsteps; t++) {
    int y, mo, dd;
    naryn__date_ymd(f->step_day[t], &y, &mo, &dd);
    int here = y * 12 + mo - 1;
    if (here != inst && inst >= 0) {
      add_month(gr, inst, days, sum, psum, pday, acc, pacc, pcnt, cnt);
      memset(sum, 0, w * sizeof *sum);
      memset(psum, 0, 2 * (size_t)gr->ng * sizeof *psum);
      days = 0;
    }
    inst = here;
    double d = days_of_step(f, t);
    days += d;
    for (int g = 0; g < gr->ng; g++) {
      const double *v = gr->q + ((size_t)t * gr->ng + g) * NARYN_G_COUNT;
      for (int q = 0; q < NARYN_G_COUNT; q++)
        if (!isnan(v[q]) && q != NARYN_G_PRICE_PER_MWH) sum[g * NARYN_G_COUNT + q] += v[q];
      if (!isnan(v[NARYN_G_PRICE_PER_MWH])) {
        psum[g] += v[NARYN_G_PRICE_PER_MWH] * d;
        pday[g] += d;
      }
    }
    for (int k = 0; k < gr->nl * 2; k++) {
      double v = gr->sent[(size_t)t * gr->nl * 2 + k];
      if (!isnan(v)) sum[(size_t)gr->ng * NARYN_G_COUNT + k] += v;
    }
  }
  if (inst >= 0) add_month(gr, inst, days, sum, psum, pday, acc, pacc, pcnt, cnt);
  ax->n = 0;
  for (int m = 0; m < 12; m++) {
    if (!cnt[m]) continue;
    int i = ax->n++;
    ax->cats[i] = naryn__rep_month_names[m];
    for (int g = 0; g < gr->ng; g++) {
      double *v = ax->q + ((size_t)i * gr->ng + g) * NARYN_G_COUNT;
      for (int q = 0; q < NARYN_G_COUNT; q++)
        v[q] = acc[m * w + (size_t)g * NARYN_G_COUNT + q] / cnt[m];
      v[NARYN_G_PRICE_PER_MWH] =
          pcnt[m * gr->ng + g] ? pacc[m * gr->ng + g] / pcnt[m * gr->ng + g] : NAN;
    }
    for (int k = 0; k < gr->nl * 2; k++)
      ax->sent[(size_t)i * gr->nl * 2 + k] =
          acc[m * w + (size_t)gr->ng * NARYN_G_COUNT + k] / cnt[m];
  }
  free(sum), free(cnt);
  return NARYN_OK;
}

/* The figure of grid g at point i. */
static double at(const gaxis *ax, const rep_grids *gr, int i, int g, int q) {
  return ax->q[((size_t)i * gr->ng + g) * NARYN_G_COUNT + q];
}

/* The sources and uses of a grid's energy, in the order they stack. */
static const struct {
  int q, sign;
  const char *name, *colour;
} parts[] = {{NARYN_G_HYDRO_GWH, 1, "hydropower", "#0072b2"},
             {NARYN_G_THERMAL_GWH, 1, "thermal", "#999933"},
             {NARYN_G_IMPORT_LINES_GWH, 1, "received over lines", "#009e73"},
             {NARYN_G_IMPORT_MARKET_GWH, 1, "bought from markets", "#cc79a7"},
             {NARYN_G_UNSERVED_GWH, 1, "unserved", "#d55e00"},
             {NARYN_G_EXPORT_LINES_GWH, -1, "sent over lines", "#56b4e9"},
             {NARYN_G_EXPORT_MARKET_GWH, -1, "sold to markets", "#e69f00"},
             {NARYN_G_SURPLUS_GWH, -1, "hydropower unused", "#332288"}};
#define NPARTS (int)(sizeof parts / sizeof *parts)

/* What a point is, for units: "a month", "a day", "a step". */
static const char *per_point(const run_files *f, const gaxis *ax) {
  if (!ax->per_step || f->step_days == 0) return "a month";
  return f->step_days == 1 ? "a day" : f->step_days == 7 ? "a week" : "a step";
}

/* The energy balance of grid g: its sources stacked above zero, its
** exports and unused hydropower below, its demand dashed. */
static int balance_chart(naryn__page *p, const run_files *f, const gaxis *ax, int g,
                         double *buf) {
  const rep_grids *gr = f->grids;
  naryn__series s[NPARTS + 1];
  int ns = 0, n = ax->n;
  double big = 0;
  for (int i = 0; i < n; i++) {
    double up = 0, down = 0;
    for (int k = 0; k < NPARTS; k++)
      *(parts[k].sign > 0 ? &up : &down) += at(ax, gr, i, g, parts[k].q);
    big = fmax(big, fmax(fmax(up, down), at(ax, gr, i, g, NARYN_G_DEMAND_GWH)));
  }
  const char *unit;
  int dec;
  double div = naryn__rep_energy_unit(big, &unit, &dec);
  for (int k = 0; k < NPARTS; k++) {
    double *y = buf + (size_t)ns * n;
    int any = 0;
    for (int i = 0; i < n; i++) {
      y[i] = parts[k].sign * at(ax, gr, i, g, parts[k].q) / div;
      any |= fabs(y[i]) * div >= 5e-7;
    }
    if (any)
      s[ns++] = (naryn__series){parts[k].name, NULL, y, n, NARYN__STACKED, parts[k].colour,
                                NULL, NULL, 0};
  }
  double *y = buf + (size_t)ns * n;
  for (int i = 0; i < n; i++) y[i] = at(ax, gr, i, g, NARYN_G_DEMAND_GWH) / div;
  s[ns++] = (naryn__series){"demand", NULL, y, n, NARYN__DASHED, "#1f2328", NULL, NULL, 0};
  char id[32], cap[320], label[256], ylab[64], note[160];
  snprintf(id, sizeof id, "grid-balance-%d", g + 1);
  snprintf(cap, sizeof cap, "%s: energy balance %s",
           naryn__rep_grid_label(f, g, label, sizeof label),
           ax->per_step ? "per step" : "by month");
  snprintf(ylab, sizeof ylab, "energy, %s %s", unit, per_point(f, ax));
  snprintf(note, sizeof note, "(%s %s%s; exports and unused hydropower below zero)", unit,
           per_point(f, ax), ax->per_step ? "" : ", the mean over the years");
  naryn__chart c = {id, cap, ax->per_step ? "step" : "month of the water year", ylab,
                    NARYN__AXIS_CATEGORY, ax->cats, n, 1, s, ns, 0, 0, 0, 0, 0, 0};
  return naryn__figure(p, &c, cap, note);
}

/* The energy each interconnector sent each way: from its "from" grid to
** its "to" grid above zero, back below. */
static int lines_chart(naryn__page *p, const run_files *f, const gaxis *ax, double *buf) {
  const rep_grids *gr = f->grids;
  int n = ax->n, nl = gr->nl < 8 ? gr->nl : 8;
  naryn__series s[16];
  double big = 0;
  for (int i = 0; i < n * gr->nl * 2; i++) big = fmax(big, ax->sent[i]);
  if (!(big >= 5e-7)) {
    fprintf(p->out, "<p class=\"note\" id=\"grid-lines\">No interconnector sent any "
                    "energy.</p>\n");
    return NARYN_OK;
  }
  const char *unit;
  int dec;
  double div = naryn__rep_energy_unit(big, &unit, &dec);
  for (int l = 0; l < nl; l++)
    for (int back = 0; back < 2; back++) {
      double *y = buf + (size_t)(2 * l + back) * n;
      for (int i = 0; i < n; i++)
        y[i] = (back ? -1 : 1) * ax->sent[((size_t)i * gr->nl + l) * 2 + back] / div;
      char *name = naryn__arena_printf(f->a, "%s %s", gr->line[l], back ? "sent back" : "sent");
      if (!name) return nomem(p);
      s[2 * l + back] = (naryn__series){name, NULL, y, n, NARYN__BARS, naryn__colour(2 * l + back),
                                        NULL, NULL, 0};
    }
  char ylab[64], note[200];
  snprintf(ylab, sizeof ylab, "energy sent, %s %s", unit, per_point(f, ax));
  snprintf(note, sizeof note, "(%s %s%s, before losses: sent from the line's first grid to "
                              "its second above zero, sent back below)",
           unit, per_point(f, ax), ax->per_step ? "" : ", the mean over the years");
  const char *cap = ax->per_step ? "Interconnectors: energy sent each way per step"
                                 : "Interconnectors: energy sent each way by month";
  naryn__chart c = {"grid-lines", cap, ax->per_step ? "step" : "month of the water year", ylab,
                    NARYN__AXIS_CATEGORY, ax->cats, n, 1, s, 2 * nl, 0, 0, 0, 0, 0, 0};
  int rc = naryn__figure(p, &c, cap, note);
  if (rc == NARYN_OK && gr->nl > nl)
    fprintf(p->out, "<p class=\"note not-drawn\">Drawn for the first %d interconnectors of "
                    "%d; grids.csv holds every one.</p>\n", nl, gr->nl);
  return rc;
}

/* Unserved energy of each grid that left some, and each grid's marginal
** price. */
static int unserved_price_charts(naryn__page *p, const run_files *f, const gaxis *ax,
                                 double *buf) {
  const rep_grids *gr = f->grids;
  int n = ax->n, ng = gr->ng < 16 ? gr->ng : 16, ns = 0, rc = NARYN_OK;
  naryn__series s[16];
  char label[16][160];
  const char *xlab = ax->per_step ? "step" : "month of the water year";
  const char *mean = ax->per_step ? "" : ", the mean over the years";
  double big = 0;
  for (int g = 0; g < ng; g++)
    for (int i = 0; i < n; i++) big = fmax(big, at(ax, gr, i, g, NARYN_G_UNSERVED_GWH));
  const char *unit;
  int dec;
  double div = naryn__rep_energy_unit(big, &unit, &dec);
  for (int g = 0; g < ng; g++) {
    double *y = buf + (size_t)ns * n;
    int any = 0;
    for (int i = 0; i < n; i++) {
      y[i] = at(ax, gr, i, g, NARYN_G_UNSERVED_GWH) / div;
      any |= y[i] * div >= 5e-7;
    }
    if (any)
      s[ns++] = (naryn__series){naryn__rep_grid_label(f, g, label[g], sizeof label[g]), NULL, y,
                                n, NARYN__BARS, naryn__colour(g), NULL, NULL, 0};
  }
  char ylab[96], note[200], cap[96];
  if (ns) {
    snprintf(ylab, sizeof ylab, "unserved, %s %s", unit, per_point(f, ax));
    snprintf(note, sizeof note, "(%s %s%s)", unit, per_point(f, ax), mean);
    snprintf(cap, sizeof cap, "Unserved energy %s", ax->per_step ? "per step" : "by month");
    naryn__chart c = {"grid-unserved", cap, xlab, ylab, NARYN__AXIS_CATEGORY, ax->cats, n, 1,
                      s, ns, 0, 260, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, cap, note);
  } else {
    fprintf(p->out, "<p class=\"note\" id=\"grid-unserved\">No grid left any demand "
                    "unserved.</p>\n");
  }
  /* The price: a grid without one at some point (the dispatch gave no
  ** dual) is left out. */
  ns = 0;
  int out = 0;
  for (int g = 0; g < ng && rc == NARYN_OK; g++) {
    double *y = buf + (size_t)ns * n;
    int ok = 1;
    for (int i = 0; i < n; i++) {
      y[i] = at(ax, gr, i, g, NARYN_G_PRICE_PER_MWH);
      ok &= !isnan(y[i]);
    }
    if (!ok) {
      out++;
      continue;
    }
    s[ns++] = (naryn__series){naryn__rep_grid_label(f, g, label[g], sizeof label[g]), NULL, y, n,
                              NARYN__LINE, naryn__colour(g), NULL, NULL, 0};
  }
  if (rc != NARYN_OK || !ns) return rc;
  const char *cur = run_key(f, "currency");
  snprintf(ylab, sizeof ylab, "price, %s per MWh", cur[0] ? cur : "currency");
  snprintf(note, sizeof note, "(%s per MWh: what one more MWh of demand would cost%s)",
           cur[0] ? cur : "currency", ax->per_step ? "" : ", the mean over each month's days "
                                                          "and over the years");
  snprintf(cap, sizeof cap, "Marginal price %s", ax->per_step ? "per step" : "by month");
  naryn__chart c = {"grid-price", cap, xlab, ylab, NARYN__AXIS_CATEGORY, ax->cats, n, 0,
                    s, ns, 0, 260, 0, 0, 0, 0};
  rc = naryn__figure(p, &c, cap, note);
  if (rc == NARYN_OK && out)
    fprintf(p->out, "<p class=\"note not-drawn\">Not drawn for %d grid%s whose dispatch gave "
                    "no price in some step (an empty price_per_mwh in grids.csv).</p>\n",
            out, out == 1 ? "" : "s");
  if (rc == NARYN_OK && gr->ng > ng)
    fprintf(p->out, "<p class=\"note not-drawn\">Unserved energy and prices drawn for the "
                    "first %d grids of %d; grids.csv holds every one.</p>\n", ng, gr->ng);
  return rc;
}

/* Each grid's figures by season, a year (or over a short horizon). */
static void grids_table(naryn__page *p, const run_files *f) {
  const rep_grids *gr = f->grids;
  static const char *const heads[] = {"demand", "hydro", "thermal", "imports",
                                      "exports", "unserved", "unused hydro"};
  enum { NCOL = 7 };
  double v[64][3][NCOL + 1];
  int ng = gr->ng < 64 ? gr->ng : 64;
  double big[NCOL + 1] = {0}, one[NARYN_G_COUNT];
  for (int g = 0; g < ng; g++)
    for (int s = 0; s < 3; s++) {
      naryn__rep_grid_totals(f, g, s, one);
      double *r = v[g][s];
      r[0] = one[NARYN_G_DEMAND_GWH];
      r[1] = one[NARYN_G_HYDRO_GWH];
      r[2] = one[NARYN_G_THERMAL_GWH];
      r[3] = one[NARYN_G_IMPORT_LINES_GWH] + one[NARYN_G_IMPORT_MARKET_GWH];
      r[4] = one[NARYN_G_EXPORT_LINES_GWH] + one[NARYN_G_EXPORT_MARKET_GWH];
      r[5] = one[NARYN_G_UNSERVED_GWH];
      r[6] = one[NARYN_G_SURPLUS_GWH];
      r[7] = one[NARYN_G_COST];
      for (int k = 0; k <= NCOL; k++) {
        r[k] /= per_year(f);
        big[k] = fmax(big[k], fabs(r[k]));
      }
    }
  double div[NCOL + 1];
  int dec[NCOL + 1];
  const char *unit[NCOL + 1];
  for (int k = 0; k < NCOL; k++) div[k] = naryn__rep_energy_unit(big[k], &unit[k], &dec[k]);
  const char *cur = run_key(f, "currency");
  int millions = big[NCOL] >= 1e6;
  div[NCOL] = millions ? 1e6 : 1.0;
  dec[NCOL] = millions ? 1 : 0;
  naryn__table_open(p, "grids");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "grid", 1);
  naryn__th(p, "season", 1);
  char head[128], label[256];
  for (int k = 0; k < NCOL; k++) {
    snprintf(head, sizeof head, "%s %s", heads[k], unit[k]);
    naryn__th(p, head, 0);
  }
  snprintf(head, sizeof head, "cost, %s%s", millions ? "millions of " : "",
           cur[0] ? cur : "currency");
  naryn__th(p, head, 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int g = 0; g < ng; g++)
    for (int s = 0; s < 3; s++) {
      fprintf(p->out, "<tr%s>", s == 2 ? " class=\"total\"" : "");
      naryn__td_text(p, s == 0 ? naryn__rep_grid_label(f, g, label, sizeof label) : "");
      naryn__td_text(p, s == 2 && !whole_years(f) ? "whole horizon" : naryn__rep_season_label[s]);
      for (int k = 0; k <= NCOL; k++) naryn__td_num(p, v[g][s][k] / div[k], dec[k]);
      fprintf(p->out, "</tr>\n");
    }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
  if (gr->ng > ng)
    fprintf(p->out, "<p class=\"note not-drawn\">The first %d grids of %d; grids.csv holds "
                    "every one.</p>\n", ng, gr->ng);
}

int naryn__rep_grids_section(naryn__page *p, const run_files *f) {
  const rep_grids *gr = f->grids;
  if (!gr || gr->ng == 0) return NARYN_OK;
  gaxis ax;
  memset(&ax, 0, sizeof ax);
  if (make_axis(f, &ax) != NARYN_OK) return nomem(p);
  int most = gr->ng > 2 * gr->nl ? gr->ng : 2 * gr->nl;
  double *buf = malloc(((size_t)(most > NPARTS + 1 ? most : NPARTS + 1) * ax.n + 1) * sizeof *buf);
  if (!buf) return nomem(p);
  fprintf(p->out, "<h2 id=\"s-grids\">Grids</h2>\n<p class=\"note\">The power grids of the "
                  "model's countries, dispatched each step at least cost once the water has "
                  "settled (grids.csv). The table gives each grid's figures %s: imports are "
                  "what it received over interconnectors (after their losses) and bought "
                  "from markets, exports what it sent over them (before losses) and sold, "
                  "and its cost is its thermal plants' fuel, its purchases less its sales, "
                  "the tariffs on what it sent and the cost of its unserved energy. The "
                  "charts show each grid's energy balance: what met its demand stacked "
                  "above zero against the demand (dashed), and what it sent, sold or could "
                  "not use below, so that what is above zero less what is below is the "
                  "demand. %s</p>\n",
          whole_years(f) ? "a year, by season" : "over the horizon, which is shorter than a year",
          ax.per_step ? "The charts are per step."
                      : "The charts are by month of the water year: each month's figures, "
                        "the mean over the years that have the month (a month the horizon "
                        "cuts counted as its whole month, in proportion to its days).");
  grids_table(p, f);
  int rc = NARYN_OK;
  for (int g = 0; g < gr->ng && rc == NARYN_OK; g++) rc = balance_chart(p, f, &ax, g, buf);
  if (rc == NARYN_OK && gr->nl > 0) rc = lines_chart(p, f, &ax, buf);
  if (rc == NARYN_OK) rc = unserved_price_charts(p, f, &ax, buf);
  free(buf);
  return rc;
}
