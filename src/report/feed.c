/*
** feed.c: what the report of a run draws from its nodes.csv, gathered as
** the rows are written.
**
** The report of a run (read by run_files.c) draws its charts over time from a few series of
** nodes.csv: the storage, release and inflow of each reservoir, the
** inflow of the sinks, the energy of enabled plants and the demand and
** delivery of enabled demands and minimum flows, one value a point of its time axis (a step,
** or a calendar month for a daily or N-day run of more than
** NARYN__REPORT_STEP_POINTS steps of up to 28 days, each step counted in
** the month of its first day: NARYN__REPORT_BY_MONTH). Read back from the file, those are
** 200 MB of text to parse for a large run. A feed keeps the same series
** while the writer of nodes.csv formats them: each kept cell's value is
** taken as a reader of its text would get it back
** (naryn__numfmt_fixed_read), and added to its point as run_files.c adds a
** value read from the file, in the same order, so that the page drawn
** from the feed is the same bytes as the page drawn from the folder. Its
** memory is that of the series the page draws, as when the file is read.
** It also keeps each enabled reservoir's controlling rule in each step
** (the rule column), as a code that names the rule as nodes.csv does.
**
** A feed is filled by one thread (the writer of nodes.csv) and read once
** that thread is done. When the model's steps are not what the report
** would find in the file (a daily run drawn by month whose steps are not
** consecutive days), no feed is made and the report reads the file.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Plans which series the page keeps, from the model's nodes as network.csv
** records them, exactly as run_files.c plans them from network.csv. */
static unsigned keep_mask(const naryn__node *n, const int *has_q) {
  const char *type = naryn_node_type_name(n->type);
  int res = strcmp(type, "reservoir") == 0, on = n->enabled != 0;
  int keep[NARYN_Q_COUNT] = {0};
  keep[NARYN_Q_STORAGE_END_HM3] = keep[NARYN_Q_RELEASE_HM3] = res;
  keep[NARYN_Q_INFLOW_HM3] = res || strcmp(type, "sink") == 0;
  keep[NARYN_Q_ENERGY_GWH] = strcmp(type, "hydropower") == 0 && on;
  keep[NARYN_Q_DEMAND_HM3] = keep[NARYN_Q_DELIVERED_HM3] =
      (strcmp(type, "demand") == 0 || strcmp(type, "min_flow") == 0) && on;
  unsigned mask = 0;
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    if (keep[q] && has_q[q]) mask |= 1u << q;
  return mask;
}

/* The month of each step of a daily or N-day run drawn by month, as
** run_files.c finds it from run.csv's start and step; 0 when a step's date
** is not N days after the one before (the report then reads the file and
** says so). */
static int months_of_steps(naryn__report_feed *fd, const naryn_model *m) {
  int y, mo, dd;
  const char *start = m->step_date[0];
  if (naryn__date_parse(start, strlen(start), 1, &y, &mo, &dd) != 0) return 0;
  long day0 = naryn__date_days(y, mo, dd);
  long m0 = y * 12L + (mo - 1);
  for (int t = 0; t < m->nsteps; t++) {
    int ey, em, ed;
    naryn__date_ymd(day0 + (long)t * m->step_days, &ey, &em, &ed);
    const char *date = m->step_date[t];
    if (naryn__date_parse(date, strlen(date), 1, &y, &mo, &dd) != 0 || y != ey ||
        mo != em || dd != ed)
      return 0;
    fd->step_pt[t] = (int)(ey * 12L + (em - 1) - m0);
  }
  fd->npts = fd->step_pt[m->nsteps - 1] + 1;
  return 1;
}

naryn__report_feed *naryn__report_feed_new(const naryn_model *m,
                                           const naryn_output *o) {
  if (m->nnodes < 1 || m->nsteps < 1) return NULL;
  naryn__report_feed *fd = calloc(1, sizeof *fd);
  if (!fd) return NULL;
  size_t n = (size_t)m->nnodes;
  fd->nnodes = m->nnodes;
  fd->nsteps = m->nsteps;
  fd->step_date = (const char (*)[11])m->step_date;
  fd->by_month = NARYN__REPORT_BY_MONTH(m->step_days, m->nsteps);
  fd->npts = m->nsteps;
  for (int q = 0; q < NARYN_Q_COUNT; q++) fd->has_q[q] = o->quantity[q] != 0;
  fd->m = m;
  fd->has_rule = o->control != 0;
  fd->written = calloc(n, 1);
  fd->keep = calloc(n, sizeof *fd->keep);
  fd->rule = calloc(n, sizeof *fd->rule);
  fd->series = calloc(NARYN_Q_COUNT * n, sizeof *fd->series);
  if (fd->by_month) fd->step_pt = malloc((size_t)m->nsteps * sizeof *fd->step_pt);
  if (!fd->written || !fd->keep || !fd->series || !fd->rule || (fd->by_month && !fd->step_pt) ||
      (fd->by_month && !months_of_steps(fd, m))) {
    naryn__report_feed_free(fd);
    return NULL;
  }
  int any = 0;
  for (int i = 0; i < m->nnodes; i++) {
    fd->written[i] = !o->node_on || o->node_on[i];
    any |= fd->written[i];
    fd->keep[i] = keep_mask(&m->nodes[i], fd->has_q);
    for (int q = 0; q < NARYN_Q_COUNT; q++) {
      if (!(fd->keep[i] >> q & 1)) continue;
      double *v = malloc((size_t)fd->npts * sizeof *v);
      if (!v) {
        naryn__report_feed_free(fd);
        return NULL;
      }
      for (int t = 0; t < fd->npts; t++) v[t] = NAN;
      fd->series[(size_t)q * n + (size_t)i] = v;
    }
    /* Rows are written only for the chosen nodes. */
    if (!fd->written[i]) fd->keep[i] = 0;
    /* The rule of each enabled reservoir that has rows, as run_files.c keeps
    ** it. */
    if (fd->has_rule && fd->written[i] && m->nodes[i].type == NARYN_NODE_RESERVOIR &&
        m->nodes[i].enabled) {
      fd->rule[i] = malloc((size_t)m->nsteps * sizeof *fd->rule[i]);
      if (!fd->rule[i]) {
        naryn__report_feed_free(fd);
        return NULL;
      }
      for (int t = 0; t < m->nsteps; t++) fd->rule[i][t] = NARYN__CTL_NONE;
    }
  }
  /* A nodes.csv of no rows is left to the report to judge from the file. */
  if (!any) {
    naryn__report_feed_free(fd);
    return NULL;
  }
  return fd;
}

void naryn__report_feed_add(naryn__report_feed *fd, int q, int i, int t,
                            double x) {
  double *v = fd->series[(size_t)q * (size_t)fd->nnodes + (size_t)i];
  /* As run_files.c keeps a value read from nodes.csv: per step the step's
  ** value; by month the month's last storage and the sums of the rest,
  ** a cell with no number leaving the point as it is. */
  if (!fd->by_month) {
    v[t] = x;
    return;
  }
  if (isnan(x)) return;
  int k = fd->step_pt[t];
  v[k] = q == NARYN_Q_STORAGE_END_HM3 || isnan(v[k]) ? x : v[k] + x;
}

void naryn__report_feed_rule(naryn__report_feed *fd, int i, int t, int code) {
  fd->rule[i][t] = code;
}

void naryn__report_feed_free(naryn__report_feed *fd) {
  if (!fd) return;
  if (fd->rule)
    for (int i = 0; i < fd->nnodes; i++) free(fd->rule[i]);
  free(fd->rule);
  if (fd->series)
    for (size_t k = 0; k < NARYN_Q_COUNT * (size_t)fd->nnodes; k++)
      free(fd->series[k]);
  free(fd->series);
  free(fd->keep);
  free(fd->written);
  free(fd->step_pt);
  free(fd);
}
