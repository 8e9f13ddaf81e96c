/*
** write.c: the CSV files a run leaves in its output directory.
**
**   nodes.csv    one row per step and node: every quantity of the run
**   links.csv    one row per step and link: flow leaving its head, loss
**   summary.csv  per country and season: energy, deliveries, shortages,
**                spills, sink inflow, evaporation, largest residual
**   run.csv      what was run and the water-balance figures
**
** Every file goes through naryn__outfile, so it appears whole or not at
** all. Numbers are written with fixed formats (volumes and energy to six
** decimals, levels to four) so that the same run gives the same bytes.
** A quantity that does not apply to a node is an empty cell.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

/* Writes a value with six decimals, an empty cell for NaN, and no
** negative zero. */
static void put(naryn__outfile *f, double v, const char *fmt) {
  if (isnan(v)) return;
  if (fabs(v) < 5e-7) v = 0.0;
  naryn__outfile_printf(f, fmt, v);
}

/* Writes a text cell, quoted when it holds a comma, quote or line end. */
static void put_text(naryn__outfile *f, const char *s) {
  if (strpbrk(s, ",\"\r\n") == NULL) {
    naryn__outfile_write(f, s, strlen(s));
    return;
  }
  naryn__outfile_write(f, "\"", 1);
  for (const char *p = s; *p; p++) {
    if (*p == '"') naryn__outfile_write(f, "\"", 1);
    naryn__outfile_write(f, p, 1);
  }
  naryn__outfile_write(f, "\"", 1);
}

/* The quantities of nodes.csv in their column order: first those the
** format promises, then the extras. */
static const naryn_quantity node_columns[] = {
    NARYN_Q_INFLOW_HM3,   NARYN_Q_STORAGE_HM3,   NARYN_Q_RELEASE_HM3,
    NARYN_Q_TURBINED_HM3, NARYN_Q_SPILL_HM3,     NARYN_Q_EVAPORATION_HM3,
    NARYN_Q_DELIVERED_HM3, NARYN_Q_SHORTAGE_HM3, NARYN_Q_ENERGY_GWH,
    NARYN_Q_HEAD_M,       NARYN_Q_DEMAND_HM3,    NARYN_Q_LEVEL_M,
    NARYN_Q_RESIDUAL_HM3};

static int write_nodes(const naryn_result *r, const char *path, naryn_diags *d) {
  const naryn_model *m = r->m;
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return NARYN_EIO;
  naryn__outfile_printf(f, "date,node,country,type");
  for (size_t c = 0; c < sizeof node_columns / sizeof *node_columns; c++)
    naryn__outfile_printf(f, ",%s", naryn_quantity_name(node_columns[c]));
  naryn__outfile_printf(f, "\n");
  for (int t = 0; t < m->nsteps; t++)
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      put_text(f, n->name);
      naryn__outfile_write(f, ",", 1);
      put_text(f, n->country);
      naryn__outfile_printf(f, ",%s", naryn_node_type_name(n->type));
      for (size_t c = 0; c < sizeof node_columns / sizeof *node_columns; c++) {
        naryn_quantity q = node_columns[c];
        naryn__outfile_write(f, ",", 1);
        if (q == NARYN_Q_RESIDUAL_HM3)
          put(f, NARYN__Q(r, t, i, q), "%.3g");
        else
          put(f, NARYN__Q(r, t, i, q),
              (q == NARYN_Q_HEAD_M || q == NARYN_Q_LEVEL_M) ? "%.4f" : "%.6f");
      }
      naryn__outfile_write(f, "\n", 1);
    }
  return naryn__outfile_commit(f, d);
}

static int write_links(const naryn_result *r, const char *path, naryn_diags *d) {
  const naryn_model *m = r->m;
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return NARYN_EIO;
  naryn__outfile_printf(f, "date,link,from,to,flow_hm3,flow_m3s,loss_hm3\n");
  for (int t = 0; t < m->nsteps; t++)
    for (int l = 0; l < m->nlinks; l++) {
      const naryn__link *ln = &m->links[l];
      double q = r->link_flow[(size_t)t * m->nlinks + l];
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      put_text(f, ln->name);
      naryn__outfile_write(f, ",", 1);
      put_text(f, m->nodes[ln->from].name);
      naryn__outfile_write(f, ",", 1);
      put_text(f, m->nodes[ln->to].name);
      naryn__outfile_write(f, ",", 1);
      put(f, q, "%.6f");
      naryn__outfile_write(f, ",", 1);
      put(f, q * 1e6 / m->step_s[t], "%.4f");
      naryn__outfile_write(f, ",", 1);
      put(f, r->link_loss[(size_t)t * m->nlinks + l], "%.6f");
      naryn__outfile_write(f, "\n", 1);
    }
  return naryn__outfile_commit(f, d);
}

/* ====================================================================== */
/* Summary                                                                 */
/* ====================================================================== */

/* Column names of summary.csv, in the order of naryn_summary's fields. */
static const char *const summary_names[] = {
    "energy_gwh", "irrigation_demand_hm3", "irrigation_delivered_hm3",
    "irrigation_shortage_hm3", "municipal_demand_hm3",
    "municipal_delivered_hm3", "municipal_shortage_hm3",
    "min_flow_shortage_hm3", "spill_hm3", "sink_inflow_hm3",
    "evaporation_hm3", "max_residual_hm3"};
#define SUMMARY_FIELDS (int)(sizeof summary_names / sizeof *summary_names)

static int write_summary(const naryn_result *r, const char *path,
                         naryn_diags *d) {
  double years = naryn_result_years(r);
  int nc = naryn_result_country_count(r);
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return NARYN_EIO;
  naryn__outfile_printf(f, "country,season,statistic");
  for (int k = 0; k < SUMMARY_FIELDS; k++)
    naryn__outfile_printf(f, ",%s", summary_names[k]);
  naryn__outfile_write(f, "\n", 1);
  for (int c = 0; c <= nc; c++)
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      naryn_summary sum;
      const char *country = c < nc ? naryn_result_country(r, c) : NULL;
      naryn_result_summary(r, country, (naryn_season)s, &sum);
      const double v[] = {
          sum.energy_gwh, sum.irrigation_demand_hm3,
          sum.irrigation_delivered_hm3, sum.irrigation_shortage_hm3,
          sum.municipal_demand_hm3, sum.municipal_delivered_hm3,
          sum.municipal_shortage_hm3, sum.min_flow_shortage_hm3,
          sum.spill_hm3, sum.sink_inflow_hm3, sum.evaporation_hm3,
          sum.max_residual_hm3};
      for (int stat = 0; stat < 2; stat++) {
        put_text(f, country ? country : "all");
        naryn__outfile_printf(f, ",%s,%s", naryn_season_name((naryn_season)s),
                              stat ? "per_year" : "total");
        for (int k = 0; k < SUMMARY_FIELDS; k++) {
          int resid = k == SUMMARY_FIELDS - 1;
          double x = v[k];
          if (stat && !resid) x = years > 0 ? x / years : NAN;
          naryn__outfile_write(f, ",", 1);
          put(f, x, resid ? "%.3g" : "%.6f");
        }
        naryn__outfile_write(f, "\n", 1);
      }
    }
  return naryn__outfile_commit(f, d);
}

static int write_run(const naryn_result *r, const char *path, naryn_diags *d) {
  const naryn_model *m = r->m;
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return NARYN_EIO;
  naryn__outfile_printf(f, "key,value\n");
#define KV_TEXT(key, text)                   \
  do {                                       \
    naryn__outfile_printf(f, "%s,", key);    \
    put_text(f, text);                       \
    naryn__outfile_write(f, "\n", 1);        \
  } while (0)
  KV_TEXT("naryn_version", NARYN_VERSION);
  KV_TEXT("model", m->name);
  KV_TEXT("model_file", m->path);
  KV_TEXT("scenario", m->scenario);
  KV_TEXT("start", m->step_date[0]);
  KV_TEXT("end", m->step_date[m->nsteps - 1]);
  KV_TEXT("step", m->daily ? "daily" : "monthly");
  naryn__outfile_printf(f, "steps,%d\n", m->nsteps);
  naryn__outfile_printf(f, "years,%.4f\n", naryn_result_years(r));
  naryn__outfile_printf(f, "nodes,%d\nlinks,%d\n", m->nnodes, m->nlinks);
  naryn__outfile_printf(f, "lp_solves,%ld\nlp_iterations,%ld\n", r->solves,
                        r->iterations);
  naryn__outfile_printf(f, "max_residual_hm3,%.3g\n", r->max_residual_hm3);
  naryn__outfile_printf(f, "max_residual_relative,%.3g\n", r->max_residual_rel);
  KV_TEXT("max_residual_node", r->max_residual_node >= 0
                                   ? m->nodes[r->max_residual_node].name : "");
  KV_TEXT("max_residual_date", r->max_residual_step >= 0
                                   ? m->step_date[r->max_residual_step] : "");
  naryn__outfile_printf(f, "system_residual_hm3,%.3g\n", r->system_residual_hm3);
  naryn__outfile_printf(f, "unsettled_steps,%d\n", r->unsettled_steps);
#undef KV_TEXT
  return naryn__outfile_commit(f, d);
}

int naryn_result_write(const naryn_result *r, const char *dir,
                       naryn_diags *d) {
  int rc = naryn__mkdirs(dir, d);
  if (rc != NARYN_OK) return rc;
  static const char *const names[] = {"nodes.csv", "links.csv", "summary.csv",
                                      "run.csv"};
  int (*const writers[])(const naryn_result *, const char *, naryn_diags *) = {
      write_nodes, write_links, write_summary, write_run};
  for (int k = 0; k < 4; k++) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[k]) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = writers[k](r, path, d);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}
