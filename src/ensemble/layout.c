/*
** layout.c: what a member's run of one model leaves, and how a member's
** flows become the model's inflows.
**
** Water years run from October to September and are named by the year
** they end in; the yearly figures count the water years the horizon
** holds whole (a step counts for the water year of its first day), and
** each is split into the seasons of summary.csv: October-March, April-
** September and the whole year. The groups are the run's countries, in
** the order of summary.csv, then all of them.
**
** A member replaces the inflow of every inflow node whose inflow_m3s is a
** CSV series of a column named as one of the members' sites: the node's
** inflow in a step is the series' scale times the member's flow of that
** site, over the days of the step as a monthly series spreads over them
** (a rate holds on every day of its month; a step of days takes the mean
** of its days). Every site must be read by some inflow node: a column
** the model does not read is more likely a misspelt site than a site to
** ignore, and would leave that inflow on the model's own series.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

/* The month index (year * 12 + month - 1) of a day number. */
static long month_of_day(long day) {
  int y, mo, dd;
  naryn__date_ymd(day, &y, &mo, &dd);
  return y * 12L + (mo - 1);
}

/* Lays out the water years: year_of[] and year_label[]. */
static int lay_years(ens_layout *L, const naryn_model *m, naryn__arena *a) {
  int T = m->nsteps;
  long first = m->step_day[0];
  long last = m->step_day[T - 1] + (long)(m->step_s[T - 1] / 86400.0 + 0.5) - 1;
  int y0, y1, mo, dd;
  naryn__date_ymd(first, &y0, &mo, &dd);
  naryn__date_ymd(last, &y1, &mo, &dd);
  L->year_of = naryn__arena_alloc(a, (size_t)T * sizeof *L->year_of);
  L->year_label = naryn__arena_alloc(a, (size_t)(y1 - y0 + 3) * sizeof *L->year_label);
  if (!L->year_of || !L->year_label) return NARYN_ENOMEM;
  L->nyears = 0;
  for (int w = y0; w <= y1 + 1; w++)
    if (naryn__date_days(w - 1, 10, 1) >= first && naryn__date_days(w, 9, 30) <= last)
      L->year_label[L->nyears++] = w;
  for (int t = 0; t < T; t++) {
    naryn__date_ymd(m->step_day[t], &y0, &mo, &dd);
    int w = mo >= 10 ? y0 + 1 : y0;
    L->year_of[t] = -1;
    for (int k = 0; k < L->nyears; k++)
      if (L->year_label[k] == w) L->year_of[t] = k;
  }
  return NARYN_OK;
}

/* Lists the nodes of the record: plants, reservoirs, demands and minimum
** flows, in the model's order; and the groups. */
static int lay_nodes(ens_layout *L, const naryn_model *m, naryn__arena *a) {
  size_t n = (size_t)m->nnodes + 1;
  L->plant = naryn__arena_alloc(a, n * sizeof *L->plant);
  L->res = naryn__arena_alloc(a, n * sizeof *L->res);
  L->dem = naryn__arena_alloc(a, n * sizeof *L->dem);
  L->node_group = naryn__arena_alloc(a, n * sizeof *L->node_group);
  if (!L->plant || !L->res || !L->dem || !L->node_group) return NARYN_ENOMEM;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *nd = &m->nodes[i];
    if (!nd->enabled) continue;
    if (nd->type == NARYN_NODE_HYDROPOWER) L->plant[L->nplants++] = i;
    if (nd->type == NARYN_NODE_RESERVOIR) L->res[L->nres++] = i;
    if (nd->type == NARYN_NODE_DEMAND || nd->type == NARYN_NODE_MIN_FLOW)
      L->dem[L->ndem++] = i;
  }
  /* The countries as summary.csv orders them (a result of the model
  ** knows them), then all. */
  naryn_result probe;
  memset(&probe, 0, sizeof probe);
  probe.m = m;
  int nc = naryn_result_country_count(&probe);
  L->ngroups = nc + 1;
  L->group = naryn__arena_alloc(a, (size_t)L->ngroups * sizeof *L->group);
  if (!L->group) return NARYN_ENOMEM;
  for (int g = 0; g < nc; g++) {
    L->group[g] = naryn__arena_strdup(a, naryn_result_country(&probe, g));
    if (!L->group[g]) return NARYN_ENOMEM;
    for (int i = 0; i < m->nnodes; i++)
      if (strcmp(m->nodes[i].country, L->group[g]) == 0) L->node_group[i] = g;
  }
  L->group[nc] = "all";
  return NARYN_OK;
}

/* The per-step values kept: each quantity asked for, of each node asked
** for, quantity by quantity. */
static int lay_sel(ens_layout *L, const naryn_model *m, const naryn_output *o,
                   naryn__arena *a) {
  if (!o) return NARYN_OK;
  int nq = 0;
  for (int q = 0; q < NARYN_Q_COUNT; q++) nq += o->quantity[q] != 0;
  size_t most = (size_t)nq * (size_t)m->nnodes + 1;
  L->sel_node = naryn__arena_alloc(a, most * sizeof *L->sel_node);
  L->sel_q = naryn__arena_alloc(a, most * sizeof *L->sel_q);
  if (!L->sel_node || !L->sel_q) return NARYN_ENOMEM;
  for (int q = 0; q < NARYN_Q_COUNT; q++) {
    if (!o->quantity[q]) continue;
    L->sel_nodes = 0;
    for (int i = 0; i < m->nnodes; i++) {
      if (o->node_on && !o->node_on[i]) continue;
      L->sel_node[L->nsel] = i;
      L->sel_q[L->nsel++] = q;
      L->sel_nodes++;
    }
    L->sel_quantities++;
  }
  if (L->sel_nodes == 0) L->nsel = L->sel_quantities = 0;
  return NARYN_OK;
}

/* Maps each inflow node to its site and each step to the members' months;
** reports a site no inflow reads and months the members do not cover. */
static int lay_inflows(ens_layout *L, const naryn_model *m, const naryn_members *mb,
                       naryn__arena *a, naryn_diags *d) {
  int T = m->nsteps, nn = m->nnodes;
  L->site_of = naryn__arena_alloc(a, (size_t)nn * sizeof *L->site_of);
  L->scale = naryn__arena_alloc(a, (size_t)nn * sizeof *L->scale);
  unsigned char *used = naryn__arena_alloc(a, (size_t)mb->nsites);
  if (!L->site_of || !L->scale || !used) return NARYN_ENOMEM;
  char reads[512] = "";
  size_t len = 0;
  for (int i = 0; i < nn; i++) {
    const naryn__node *nd = &m->nodes[i];
    L->site_of[i] = -1;
    if (nd->type != NARYN_NODE_INFLOW || !nd->enabled || !nd->inflow_m3s.csv) continue;
    const char *col = nd->inflow_m3s.csv->header[nd->inflow_m3s.csv_col];
    int again = 0;
    for (int j = 0; j < i && !again; j++)
      again = m->nodes[j].type == NARYN_NODE_INFLOW &&
              m->nodes[j].enabled && m->nodes[j].inflow_m3s.csv &&
              strcmp(m->nodes[j].inflow_m3s.csv->header[m->nodes[j].inflow_m3s.csv_col],
                     col) == 0;
    if (!again && len < sizeof reads)
      len += (size_t)snprintf(reads + len, sizeof reads - len, "%s%s", len ? ", " : "", col);
    for (int j = 0; j < mb->nsites; j++)
      if (strcmp(mb->site[j], col) == 0) L->site_of[i] = j, used[j] = 1;
    L->scale[i] = nd->inflow_m3s.scale;
    if (L->site_of[i] < 0) {
      char w[256];
      naryn__diag(d, NARYN_EMODEL, NARYN_SEV_NOTE, nd->doc->file, nd->doc->line,
                  nd->doc->col, naryn__node_where(nd, "inflow_m3s", w, sizeof w),
                  "keeps the model's own series in every member: the members give no "
                  "column \"%s\"", col);
    }
  }
  for (int j = 0; j < mb->nsites; j++)
    if (!used[j]) {
      char w[160];
      snprintf(w, sizeof w, "%s \"%s\"", mb->fit ? "site" : "column", mb->site[j]);
      return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, mb->path, mb->header_line,
                         mb->site_pos[j], w, "expected a site that an inflow series of "
                         "%s reads (%s), got a column that none reads", m->path,
                         reads[0] ? reads : "none reads a CSV column");
    }
  /* Each step's months: a monthly step its own; a step of days each
  ** month it touches, weighted by its days in it. */
  L->step_m0 = naryn__arena_alloc(a, (size_t)(T + 1) * sizeof *L->step_m0);
  int cap = T * 2 + 8, n = 0;
  L->step_mon = naryn__arena_alloc(a, (size_t)cap * sizeof *L->step_mon);
  L->step_w = naryn__arena_alloc(a, (size_t)cap * sizeof *L->step_w);
  if (!L->step_m0 || !L->step_mon || !L->step_w) return NARYN_ENOMEM;
  long lo = 0, hi = -1;
  for (int t = 0; t < T; t++) {
    L->step_m0[t] = n;
    long days = m->daily ? (long)(m->step_s[t] / 86400.0 + 0.5) : 1;
    long mon = -1;
    for (long k = 0; k < days; k++) {
      long mi = month_of_day(m->step_day[t] + k) - mb->month0;
      if (t == 0 && k == 0) lo = hi = mi;
      if (mi < lo) lo = mi;
      if (mi > hi) hi = mi;
      if (mi != mon) {
        if (n == cap) {
          int grown = 2 * cap;
          int *gm = naryn__arena_alloc(a, (size_t)grown * sizeof *gm);
          double *gw = naryn__arena_alloc(a, (size_t)grown * sizeof *gw);
          if (!gm || !gw) return NARYN_ENOMEM;
          memcpy(gm, L->step_mon, (size_t)n * sizeof *gm);
          memcpy(gw, L->step_w, (size_t)n * sizeof *gw);
          L->step_mon = gm, L->step_w = gw, cap = grown;
        }
        L->step_mon[n] = (int)mi;
        L->step_w[n++] = 0.0;
        mon = mi;
      }
      L->step_w[n - 1] += 1.0 / (double)days;
    }
  }
  L->step_m0[T] = n;
  if (lo < 0 || hi >= mb->months) {
    char a0[32], a1[32], b0[32], b1[32];
    naryn__ens_month(mb->month0 + lo, a0, sizeof a0);
    naryn__ens_month(mb->month0 + hi, a1, sizeof a1);
    naryn__ens_month(mb->month0, b0, sizeof b0);
    naryn__ens_month(mb->month0 + mb->months - 1, b1, sizeof b1);
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, mb->path, mb->header_line, 0,
                       "members", "expected the months of the horizon of %s, %s to %s, "
                       "got members of %s to %s", m->path, a0, a1, b0, b1);
  }
  return NARYN_OK;
}

int naryn__ens_layout(ens_layout *L, const naryn_model *m, const naryn_members *mb,
                      const naryn_output *per_step, naryn__arena *a, naryn_diags *d) {
  memset(L, 0, sizeof *L);
  L->nsteps = m->nsteps;
  int rc = lay_years(L, m, a);
  if (rc == NARYN_OK) rc = lay_nodes(L, m, a);
  if (rc == NARYN_OK) rc = lay_sel(L, m, per_step, a);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  rc = lay_inflows(L, m, mb, a, d);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc != NARYN_OK) return rc;
  if (L->nyears == 0)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0, "horizon",
                       "expected a horizon holding at least one whole water year "
                       "(October to September) for the yearly figures, got %s to %s",
                       m->step_date[0], m->step_date[m->nsteps - 1]);
  size_t T = (size_t)m->nsteps;
  L->yearly = 0;
  L->plants = L->yearly + (size_t)L->nyears * L->ngroups * NARYN_SEASON_COUNT * EQ_COUNT;
  L->storage = L->plants + (size_t)L->nplants * L->nyears;
  L->demand = L->storage + (size_t)L->nres * T;
  L->sel = L->demand + (size_t)L->ndem * DF_COUNT;
  L->len = L->sel + (size_t)L->nsel * T;
  return NARYN_OK;
}

void naryn__ens_inflows(const ens_layout *L, const naryn_model *m, const double *flows,
                        int months, double *const *over) {
  (void)months;
  for (int i = 0; i < m->nnodes; i++) {
    if (L->site_of[i] < 0) continue;
    const double *site = flows + (size_t)L->site_of[i] * (size_t)months;
    for (int t = 0; t < m->nsteps; t++) {
      double v = 0.0;
      for (int k = L->step_m0[t]; k < L->step_m0[t + 1]; k++)
        v += L->step_w[k] * site[L->step_mon[k]];
      over[i][t] = L->scale[i] * v;
    }
  }
}

/* Adds v to a yearly figure of a group's season and year, when v applies. */
static void add4(const ens_layout *L, double *rec, int y, int g, int half, int q, double v) {
  if (isnan(v)) return;
  int all = L->ngroups - 1;
  YEARLY(L, rec, y, g, half, q) += v;
  YEARLY(L, rec, y, g, NARYN_SEASON_ALL, q) += v;
  YEARLY(L, rec, y, all, half, q) += v;
  YEARLY(L, rec, y, all, NARYN_SEASON_ALL, q) += v;
}

void naryn__ens_record(const ens_layout *L, const naryn_result *r, double *rec) {
  const naryn_model *m = r->m;
  int T = m->nsteps;
  memset(rec, 0, L->len * sizeof *rec);
  for (int t = 0; t < T; t++) {
    int y = L->year_of[t];
    if (y < 0) continue;
    int half = m->step_month[t] >= 4 && m->step_month[t] <= 9 ? NARYN_SEASON_APR_SEP
                                                             : NARYN_SEASON_OCT_MAR;
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *nd = &m->nodes[i];
      int g = L->node_group[i];
      add4(L, rec, y, g, half, EQ_ENERGY, NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH));
      if (nd->type == NARYN_NODE_DEMAND) {
        add4(L, rec, y, g, half, EQ_DELIVERED, NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3));
        add4(L, rec, y, g, half, EQ_SHORTAGE, NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3));
      } else if (nd->type == NARYN_NODE_SINK) {
        add4(L, rec, y, g, half, EQ_SINK, NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3));
      }
    }
    if (half == NARYN_SEASON_OCT_MAR)
      for (int p = 0; p < L->nplants; p++) {
        double e = NARYN__Q(r, t, L->plant[p], NARYN_Q_ENERGY_GWH);
        if (!isnan(e)) rec[L->plants + (size_t)p * L->nyears + y] += e;
      }
  }
  for (int k = 0; k < L->nres; k++)
    for (int t = 0; t < T; t++)
      rec[L->storage + (size_t)k * T + t] = NARYN__Q(r, t, L->res[k], NARYN_Q_STORAGE_HM3);
  /* A demand's failures: steps short by more than NARYN__FAIL_HM3; those
  ** with a step after them; those followed by a step that did not fail;
  ** the shortage and the share of the demand short over the failed
  ** steps; the largest shortage. */
  for (int k = 0; k < L->ndem; k++) {
    double *f = rec + L->demand + (size_t)k * DF_COUNT;
    int i = L->dem[k];
    for (int t = 0; t < T; t++) {
      double sh = NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3);
      double want = NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3);
      if (isnan(sh)) sh = 0.0;
      if (sh > f[DF_WORST]) f[DF_WORST] = sh;
      if (!(sh > NARYN__FAIL_HM3)) continue;
      f[DF_FAIL] += 1;
      f[DF_SHORT] += sh;
      f[DF_SHARE] += want > 0 ? sh / want : 1.0;
      if (t + 1 < T) {
        f[DF_FAIL_NEXT] += 1;
        double next = NARYN__Q(r, t + 1, i, NARYN_Q_SHORTAGE_HM3);
        if (!(next > NARYN__FAIL_HM3)) f[DF_RECOVER] += 1;
      }
    }
  }
  for (int k = 0; k < L->nsel; k++)
    for (int t = 0; t < T; t++)
      rec[L->sel + (size_t)k * T + t] = NARYN__Q(r, t, L->sel_node[k], L->sel_q[k]);
}
