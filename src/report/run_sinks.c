/*
** run_sinks.c: the charts of a run's page for the water leaving the
** system: minimum flows against their requirements, the water reaching
** the sinks, and for an optimised plan the marginal value of water in
** each reservoir.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

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
int naryn__rep_minflow_section(naryn__page *p, const run_files *f, double *x, double *y,
                               double *req) {
  const char *why = naryn__rep_missing(f, NARYN_Q_DEMAND_HM3);
  if (!why) why = naryn__rep_missing(f, NARYN_Q_DELIVERED_HM3);
  int rc = NARYN_OK, any = 0, nout = 0, *out = calloc((size_t)f->nnodes + 1, sizeof *out);
  if (!out) return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int i = 0; i < f->nnodes && rc == NARYN_OK; i++) {
    if (!node_is(f, i, "min_flow") || !node_enabled(f, i)) continue;
    if (!any) fprintf(p->out, "<h2 id=\"s-minflow\">Minimum flows</h2>\n");
    if (!any && why) naryn__rep_not_drawn(p->out, "The minimum flows", why);
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
  if (rc == NARYN_OK) naryn__rep_nodes_left_out(p->out, f, out, nout);
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
int naryn__rep_sink_section(naryn__page *p, const run_files *f, double *x, double *ybuf) {
  int sinks[16], ns = 0, out[16], nout = 0;
  const char *why = naryn__rep_missing(f, NARYN_Q_INFLOW_HM3);
  for (int i = 0; i < f->nnodes && ns + nout < 16; i++) {
    if (!node_is(f, i, "sink")) continue;
    if (why || have(f, NARYN_Q_INFLOW_HM3, i)) sinks[ns++] = i;
    else out[nout++] = i;
  }
  if (ns == 0 && nout == 0) return NARYN_OK;
  if (why || ns == 0) {
    fprintf(p->out, "<h2 id=\"s-sinks\">Water reaching the sinks and terminal lakes</h2>\n");
    naryn__rep_not_drawn(p->out, "The flow into the sinks",
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
  if (rc == NARYN_OK) naryn__rep_nodes_left_out(p->out, f, out, nout);
  free(reqbuf);
  return rc;
}

/* The marginal value of water in each reservoir, from the plan's duals. */
int naryn__rep_water_value_section(naryn__page *p, const run_files *f) {
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
        rc = naryn__rep_bad(f, w, r, isnan(v) ? "water_value_per_hm3" : "date",
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
