/*
** observed_page.c: the section of a run's report that sets the measured
** series beside the run's own ("Observed and simulated", #s-observed).
**
** Every series of observed.csv but a reservoir's storage (drawn on that
** reservoir's storage chart) gets a chart: the run's values as a line, the
** measurements as points, one value a point of the report's time axis. A
** point is a step, or, for a long daily run drawn by month, a month: then
** both are the mean over the month's observed steps, so that the two are
** always compared over the same days. Steps not observed are not in
** observed.csv and are left out.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* One series being gathered: its rows' element, kind and quantity, and
** per point the sums of observed and simulated values and their count. */
typedef struct obs_series {
  const char *element, *kind, *quantity;
  double *obs, *sim, *n;
} obs_series;

static const char *cell_of(const naryn__csv *t, int r, int c) {
  return c >= 0 ? t->cells[(size_t)r * t->ncols + c] : "";
}

/* "inflow, m3/s" from "inflow_m3s"; "level, m" from "level_m". */
static void axis_label(const char *quantity, char *buf, size_t size) {
  const char *u = strrchr(quantity, '_');
  if (!u) {
    snprintf(buf, size, "%s", quantity);
    return;
  }
  const char *unit = strcmp(u + 1, "m3s") == 0 ? "m3/s" : u + 1;
  snprintf(buf, size, "%.*s, %s", (int)(u - quantity), quantity, unit);
}

int naryn__observed_section(naryn__page *p, const naryn__csv *o, const int *pt, int npts,
                            const double *x_at, naryn_diags *d) {
  if (!o || npts <= 0) return NARYN_OK;
  int ce = naryn__csv_column(o, "element"), ck = naryn__csv_column(o, "kind");
  int cq = naryn__csv_column(o, "quantity"), co = naryn__csv_column(o, "observed");
  int cs = naryn__csv_column(o, "simulated");
  if (ce < 0 || ck < 0 || cq < 0 || co < 0 || cs < 0) return NARYN_OK;
  obs_series *s = NULL;
  int ns = 0, cap = 0, rc = NARYN_OK;
  for (int r = 0; r < o->nrows && rc == NARYN_OK; r++) {
    const char *kind = cell_of(o, r, ck), *q = cell_of(o, r, cq), *el = cell_of(o, r, ce);
    if (pt[r] < 0 || (strcmp(kind, "node") == 0 && naryn__quantity_is(NARYN_Q_STORAGE_END_HM3, q)))
      continue;
    double ov, sv;
    if (naryn__csv_number(o, r, co, &ov, d) != 0 || naryn__csv_number(o, r, cs, &sv, d) != 0) {
      rc = NARYN_EIO;
      break;
    }
    int k = ns - 1;
    /* Rows come series by series: the last series is almost always it. */
    if (!(k >= 0 && strcmp(s[k].element, el) == 0 && strcmp(s[k].kind, kind) == 0 &&
          strcmp(s[k].quantity, q) == 0)) {
      for (k = 0; k < ns; k++)
        if (strcmp(s[k].element, el) == 0 && strcmp(s[k].kind, kind) == 0 &&
            strcmp(s[k].quantity, q) == 0)
          break;
      if (k == ns) {
        obs_series *grown = ns == cap ? naryn__grow(s, &cap, ns + 1, sizeof *s) : s;
        double *sums = grown ? calloc((size_t)npts * 3, sizeof *sums) : NULL;
        if (!sums) {
          if (grown) s = grown;
          rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
          break;
        }
        s = grown;
        s[ns++] = (obs_series){el, kind, q, sums, sums + npts, sums + 2 * (size_t)npts};
      }
    }
    s[k].obs[pt[r]] += ov;
    s[k].sim[pt[r]] += sv;
    s[k].n[pt[r]]++;
  }
  double *x = rc == NARYN_OK && ns ? malloc((size_t)npts * 3 * sizeof *x) : NULL;
  if (rc == NARYN_OK && ns && !x)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK && ns)
    fprintf(p->out, "<h2 id=\"s-observed\">Observed and simulated</h2>\n");
  for (int k = 0; k < ns && rc == NARYN_OK; k++) {
    double *ys = x + npts, *yo = ys + npts;
    int m = 0;
    for (int t = 0; t < npts; t++) {
      if (s[k].n[t] == 0) continue;
      x[m] = x_at[t];
      ys[m] = s[k].sim[t] / s[k].n[t];
      yo[m] = s[k].obs[t] / s[k].n[t];
      m++;
    }
    naryn__series ser[2] = {
        {"simulated", x, ys, m, NARYN__LINE, naryn__colour(0), NULL, NULL, 0},
        {"observed", x, yo, m, NARYN__POINTS, "#000000", NULL, NULL, 0}};
    char id[32], caption[320], ylab[64];
    snprintf(id, sizeof id, "observed-%d", k + 1);
    axis_label(s[k].quantity, ylab, sizeof ylab);
    snprintf(caption, sizeof caption, "%s: %s, observed and simulated", s[k].element, ylab);
    naryn__chart c = {id, caption, "date", ylab, NARYN__AXIS_DATE, NULL, 0, 0, ser, 2, 0, 0, 0, 0, 0, 0};
    rc = naryn__figure(p, &c, caption, "(where a point is a month, both are means over its observed "
                                   "steps; fit.csv gives the statistics)");
  }
  free(x);
  for (int k = 0; k < ns; k++) free(s[k].obs);
  free(s);
  return rc;
}

int naryn__observed_any(const naryn__csv *o) {
  if (!o) return 0;
  int ck = naryn__csv_column(o, "kind"), cq = naryn__csv_column(o, "quantity");
  for (int r = 0; r < o->nrows; r++)
    if (!(strcmp(cell_of(o, r, ck), "node") == 0 &&
          naryn__quantity_is(NARYN_Q_STORAGE_END_HM3, cell_of(o, r, cq))))
      return 1;
  return 0;
}
