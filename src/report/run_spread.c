/*
** run_spread.c: a run's figures as distributions: each month of the water
** year as the median over the years with the range from the lowest year
** to the highest, and duration curves of storage, release and water
** short (distrib.c does the arithmetic).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

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
int naryn__rep_spread_by_month(const run_files *f, const int *nodes, int nn, int q, int flow,
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
int naryn__rep_duration_section(naryn__page *p, const run_files *f) {
  const char *codes[64];
  int nc = naryn__rep_network_countries(f, codes, 64), nmax = f->nnodes + nc + 1;
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
        s[ns] = (naryn__series){c < 0 ? "no country" : naryn__rep_country_label(f, code, label[ns], sizeof label[ns]),
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
    const char *why = naryn__rep_missing(f, NARYN_Q_STORAGE_END_HM3);
    if (any) {
      fprintf(p->out, "<h2 id=\"s-duration\">Duration curves</h2>\n");
      naryn__rep_not_drawn(p->out, "Duration curves",
                           why ? why : "this run did not write the per-step results they need");
    }
  }
  free(pct), free(ys), free(v), free(s), free(label);
  return rc;
}
