/*
** run_charts.c: the charts of a run's page over time and by month: the
** storage of each reservoir with its limits and guide curves, the
** controlling rules (drawn by guides.c), release against inflow,
** generation, and water delivered against demanded.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

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
int naryn__rep_storage_section(naryn__page *p, const run_files *f, double *x, double *y,
                               double *lo, double *hi) {
  int rc = NARYN_OK, any = 0, nout = 0;
  const char *why = naryn__rep_missing(f, NARYN_Q_STORAGE_END_HM3);
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes && rc == NARYN_OK; i++) {
    if (!node_is(f, i, "reservoir") || !node_enabled(f, i)) continue;
    if (!any) fprintf(p->out, "<h2 id=\"s-storage\">Reservoir storage</h2>\n");
    if (!any && !why && f->by_month) by_month_note(p->out, f);
    if (!any && why) naryn__rep_not_drawn(p->out, "Storage", why);
    any = 1;
    if (why) continue;
    if (!have(f, NARYN_Q_STORAGE_END_HM3, i)) {
      out[nout++] = i;
      continue;
    }
    rc = storage_chart(p, f, i, x, y, lo, hi);
  }
  if (rc == NARYN_OK) naryn__rep_nodes_left_out(p->out, f, out, nout);
  free(out);
  return rc;
}

/* Why the controlling rules are not drawn, when the run's files say that
** its model has rules (zones.csv is there) but not which controlled;
** NULL when they are drawn or there is nothing to say. Without zones.csv
** and the rule column, the files do not tell whether the model had rules. */
const char *naryn__rep_rules_missing(const run_files *f) {
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
int naryn__rep_rules_section(naryn__page *p, const run_files *f) {
  const char **names = malloc((size_t)f->nnodes * sizeof *names);
  unsigned char *shown = malloc((size_t)f->nnodes);
  if (!names || !shown) {
    free(names), free(shown);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0; i < f->nnodes; i++) names[i] = cell(f->network, i, "name");
  int n = rules_shown(f, shown);
  int rc = naryn__ops_rules_section(p, &f->ops, names, shown, f->step_day,
                                    n ? NULL : naryn__rep_rules_missing(f));
  free(names), free(shown);
  return rc;
}

/* Inflow and release by month of the water year for the largest
** reservoirs (at most three), in m3/s: the median over the years and the
** release's range. */
int naryn__rep_release_section(naryn__page *p, const run_files *f) {
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
    const char *why = naryn__rep_missing(f, NARYN_Q_INFLOW_HM3);
    if (!why) why = naryn__rep_missing(f, NARYN_Q_RELEASE_HM3);
    fprintf(p->out, "<h2 id=\"s-release\">Release against inflow</h2>\n");
    naryn__rep_not_drawn(p->out, "Release against inflow",
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
    rc = naryn__rep_spread_by_month(f, &i, 1, NARYN_Q_INFLOW_HM3, 1, ilo, imid, ihi, icnt);
    if (rc == NARYN_OK) rc = naryn__rep_spread_by_month(f, &i, 1, NARYN_Q_RELEASE_HM3, 1, rlo, rmid, rhi, rcnt);
    if (rc != NARYN_OK) break;
    /* Months the horizon never reaches are left out. */
    double xin[12], xout[12], xlo[12], xhi[12];
    const char *cats[12];
    int nm = 0, years = 0;
    for (int m = 0; m < 12; m++) {
      if (!rcnt[m]) continue;
      cats[nm] = naryn__rep_month_names[m];
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
int naryn__rep_generation_section(naryn__page *p, const run_files *f) {
  const char **cats = calloc((size_t)f->nnodes, sizeof *cats);
  double *win = calloc((size_t)f->nnodes, sizeof *win), *sum = calloc((size_t)f->nnodes, sizeof *sum);
  if (!cats || !win || !sum) {
    free(cats), free(win), free(sum);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  int n = 0, nout = 0, plants = 0;
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  const char *why = naryn__rep_missing(f, NARYN_Q_ENERGY_GWH);
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
    naryn__rep_not_drawn(p->out, "Generation", why ? why : "this run did not write the per-step results of any plant");
  }
  if (rc == NARYN_OK && n > 0) naryn__rep_nodes_left_out(p->out, f, out, nout);
  free(cats), free(win), free(sum), free(out);
  return rc;
}

/* Delivered against demanded water of each country's demands by month. */
int naryn__rep_delivery_section(naryn__page *p, const run_files *f) {
  const char *codes[64];
  int nc = naryn__rep_network_countries(f, codes, 64), rc = NARYN_OK, any = 0, nout = 0, demands = 0;
  const char *why = naryn__rep_missing(f, NARYN_Q_DEMAND_HM3);
  if (!why) why = naryn__rep_missing(f, NARYN_Q_DELIVERED_HM3);
  int *out = calloc((size_t)f->nnodes, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes; i++)
    if (node_is(f, i, "demand") && node_enabled(f, i)) {
      demands++;
      if (!why && !have(f, NARYN_Q_DEMAND_HM3, i)) out[nout++] = i;
    }
  if (demands > 0 && (why || nout == demands)) {
    fprintf(p->out, "<h2 id=\"s-delivery\">Water delivered against demanded</h2>\n");
    naryn__rep_not_drawn(p->out, "Water delivered against demanded",
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
    rc = naryn__rep_spread_by_month(f, list, nl, NARYN_Q_DEMAND_HM3, 0, wlo, wmid, whi, wcnt);
    if (rc == NARYN_OK) rc = naryn__rep_spread_by_month(f, list, nl, NARYN_Q_DELIVERED_HM3, 0, glo, gmid, ghi, gcnt);
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
      cats[nm] = naryn__rep_month_names[m];
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
             naryn__rep_country_label(f, code, buf, sizeof buf));
    naryn__chart ch = {id, cap, "month of the water year", "water, hm3 a month",
                       NARYN__AXIS_CATEGORY, cats, nm, 1, s + !band, 3 - !band, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &ch, cap, band ? "(hm3 a month: the median over the years, and "
                                           "the range of delivery from its lowest year to "
                                           "its highest)"
                                         : "(mean over the horizon, hm3 a month)");
  }
  if (rc == NARYN_OK) naryn__rep_nodes_left_out(p->out, f, out, nout);
  free(out), free(list);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Months as distributions, duration curves and minimum flows              */
/* ---------------------------------------------------------------------- */
