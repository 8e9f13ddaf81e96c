/*
** write.c: the CSV files a run leaves in its output directory.
**
**   nodes.csv    one row per step and node: every quantity of the run
**   links.csv    one row per step and link: flow leaving its head, loss
**                (both written step by step by steps.c, as chosen by a
**                naryn_output)
**   summary.csv  per country and season: energy, deliveries, shortages,
**                spills, sink inflow, evaporation, largest residual
**   objective.csv  the value of every objective term, per country, and
**                the combined objective
**   run.csv      what was run and the water-balance figures
**   network.csv  one row per node (its type, country, whether it is
**                enabled, its storage limits, capacity and where its
**                return flow goes), then one per link (where it runs from
**                and to), so that a report can be drawn from the folder
**                alone
**   zones.csv    for a model whose reservoirs have zones, the guide curves:
**                one row per step, reservoir and zone but the first, the
**                top of the zone in that step (hm3)
**   fit.csv, observed.csv  for a model with observed series, how well the
**                run fits each and the observed steps beside the run's
**                values (fit.c)
**
** An optimised result adds:
**
**   water_values.csv  the marginal value of water in each reservoir and
**                step, from the LP's duals
**   plants.csv   each plant's energy with the exact head against the
**                energy the last LP saw, linearised
**
** Every file goes through naryn__outfile, and all are finished before
** any is put in place. The public writers build their whole folder in a
** staging folder beside it (io/staging.c) and put it in place in one
** step, so a run's results appear whole or not at all; the plans inside
** a curve's or a game's folder are written straight into that staging
** folder by naryn__result_write_into.
** Numbers are written with fixed formats (volumes and energy to six
** decimals, flows, levels and heads to four, residuals to three
** significant digits) so that the same run gives the same bytes. A
** quantity that does not apply to a node is an empty cell.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Writes a value in a fixed-point format, an empty cell for NaN, and no
** negative zero: values that print as zero are written as 0. */
void naryn__put_fixed(naryn__outfile *f, double v, int decimals) {
  if (isnan(v)) return;
  if (fabs(v) < 5e-7) v = 0.0;
  naryn__outfile_number(f, v, decimals);
}

void naryn__put_number(naryn__outfile *f, double v, const char *fmt) {
  if (isnan(v)) return;
  if (fabs(v) < 5e-7) v = 0.0;
  /* "%.Nf", the formats of the per-step files, without printf. */
  int decimals = naryn__numfmt_decimals(fmt);
  if (decimals >= 0)
    naryn__outfile_number(f, v, decimals);
  else
    naryn__outfile_printf(f, fmt, v);
}

/* Most residuals are zero, written as printf's "%.3g" writes it. */
void naryn__put_residual(naryn__outfile *f, double v) {
  if (v == 0.0)
    naryn__outfile_write(f, "0", 1);
  else if (!isnan(v)) {
    char buf[NARYN__NUMFMT_MAX];
    naryn__outfile_write(f, buf, naryn__numfmt_g3(buf, v));
  }
}

/* Writes a text cell, quoted when it holds a comma, quote or line end. */
void naryn__put_text(naryn__outfile *f, const char *s) {
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

/* The grid figures summary.csv adds, per country (its grid) and season. */
static const naryn_grid_quantity grid_fields[] = {
    NARYN_G_DEMAND_GWH, NARYN_G_HYDRO_GWH, NARYN_G_THERMAL_GWH,
    NARYN_G_IMPORT_LINES_GWH, NARYN_G_IMPORT_MARKET_GWH,
    NARYN_G_EXPORT_LINES_GWH, NARYN_G_EXPORT_MARKET_GWH,
    NARYN_G_UNSERVED_GWH, NARYN_G_SURPLUS_GWH, NARYN_G_COST};
#define GRID_FIELDS (int)(sizeof grid_fields / sizeof *grid_fields)

/* Writes the grid cells of a row of summary.csv: the totals of the grid
** of 'country' (of every grid for NULL) divided by 'per'; empty cells for
** a country without a grid. */
static void put_grid_sums(naryn__outfile *f, const naryn_result *r,
                          const char *country, naryn_season s, double per) {
  double sum[NARYN_G_COUNT] = {0}, one[NARYN_G_COUNT];
  int found = 0;
  for (int g = 0; g < naryn_result_grid_count(r); g++) {
    if (country && strcmp(country, naryn_result_grid_country(r, g)) != 0) continue;
    naryn_result_grid_summary(r, g, s, one);
    for (int q = 0; q < NARYN_G_COUNT; q++) sum[q] += one[q];
    found = 1;
  }
  for (int k = 0; k < GRID_FIELDS; k++) {
    naryn__outfile_write(f, ",", 1);
    if (found && per > 0)
      naryn__put_number(f, sum[grid_fields[k]] / per,
                        grid_fields[k] == NARYN_G_COST ? "%.2f" : "%.6f");
  }
}

static void write_summary(const naryn_result *r, naryn__outfile *f) {
  double years = naryn_result_years(r);
  int nc = naryn_result_country_count(r);
  naryn__outfile_printf(f, "country,season,statistic");
  for (int k = 0; k < SUMMARY_FIELDS; k++)
    naryn__outfile_printf(f, ",%s", summary_names[k]);
  /* A model with grids adds each country's grid (doc/results.md). */
  int ng = naryn_result_grid_count(r);
  for (int k = 0; ng > 0 && k < GRID_FIELDS; k++)
    naryn__outfile_printf(f, ",grid_%s", naryn_grid_quantity_name(grid_fields[k]));
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
        naryn__put_text(f, country ? country : "all");
        naryn__outfile_printf(f, ",%s,%s", naryn_season_name((naryn_season)s),
                              stat ? "per_year" : "total");
        for (int k = 0; k < SUMMARY_FIELDS; k++) {
          naryn__outfile_write(f, ",", 1);
          if (k == SUMMARY_FIELDS - 1) {
            /* The largest residual is a maximum, not a sum: per year it is
            ** left empty. */
            if (!stat) naryn__put_residual(f, v[k]);
          } else {
            naryn__put_number(f, stat ? (years > 0 ? v[k] / years : NAN) : v[k], "%.6f");
          }
        }
        if (ng > 0) put_grid_sums(f, r, country, (naryn_season)s, stat ? years : 1.0);
        naryn__outfile_write(f, "\n", 1);
      }
    }
}

static void write_run(const naryn_result *r, const char *command,
                      naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "key,value\n");
#define KV_TEXT(key, text)                   \
  do {                                       \
    naryn__outfile_printf(f, "%s,", key);    \
    naryn__put_text(f, text);                       \
    naryn__outfile_write(f, "\n", 1);        \
  } while (0)
  KV_TEXT("naryn_version", NARYN_VERSION);
  KV_TEXT("model", m->name);
  KV_TEXT("model_file", m->path);
  KV_TEXT("scenario", m->scenario);
  KV_TEXT("command", command ? command : "");
  KV_TEXT("start", m->step_date[0]);
  KV_TEXT("end", m->step_date[m->nsteps - 1]);
  {
    /* The horizon's last day, where the last step ends. */
    int y, mo, dd, t = m->nsteps - 1;
    naryn__date_ymd(m->step_day[t] + (long)(m->step_s[t] / 86400.0 + 0.5) - 1, &y, &mo, &dd);
    naryn__outfile_printf(f, "last_day,%04d-%02d-%02d\n", y, mo, dd);
  }
  char step_name[32];
  KV_TEXT("step", naryn__step_days_name(m->step_days, step_name, sizeof step_name));
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
  KV_TEXT("mode", r->optimised ? "optimise" : "simulate");
  KV_TEXT("currency", m->currency);
  naryn__outfile_printf(f, "objective,%.6f\n", naryn_result_objective(r));
  if (r->optimised) {
    naryn__outfile_printf(f, "passes,%d\nconverged,%d\n", r->passes,
                          r->converged);
    naryn__outfile_printf(f, "lp_objective,%.10g\n", r->lp_objective);
    naryn__outfile_printf(f, "lp_objective_scale,%.10g\n", r->objective_scale);
    naryn__outfile_printf(f, "evaporation_linearisation_max_hm3,%.3g\n",
                          r->max_evap_lin_hm3);
    if (!isnan(r->pareto_level))
      naryn__outfile_printf(f, "pareto_level,%.6f\n", r->pareto_level);
  }
#undef KV_TEXT
}

/* ====================================================================== */
/* The objective, water values and the linearisation                       */
/* ====================================================================== */

static void write_objective(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  double years = naryn_result_years(r);
  int nc = naryn_result_country_count(r);
  naryn__outfile_printf(f, "term,kind,weight,country,value,value_per_year,"
                           "currency,confidence,source\n");
  for (int k = 0; k < m->nterms; k++)
    for (int c = 0; c <= nc; c++) {
      const char *code = c < nc ? naryn_result_country(r, c) : NULL;
      double v = naryn_result_term(r, k, code);
      naryn__put_text(f, m->terms[k].name);
      naryn__outfile_printf(f, ",%s,", naryn__term_kind_name(m->terms[k].kind));
      naryn__put_number(f, m->terms[k].weight, "%.6g");
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, code ? code : "all");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, v, "%.2f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, years > 0 ? v / years : NAN, "%.2f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->currency);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->terms[k].confidence ? m->terms[k].confidence : "");
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->terms[k].source ? m->terms[k].source : "");
      naryn__outfile_write(f, "\n", 1);
    }
  double v = naryn_result_objective(r);
  naryn__outfile_printf(f, "combined,weighted benefits less costs,,all,");
  naryn__put_number(f, v, "%.2f");
  naryn__outfile_write(f, ",", 1);
  naryn__put_number(f, years > 0 ? v / years : NAN, "%.2f");
  naryn__outfile_write(f, ",", 1);
  naryn__put_text(f, m->currency);
  naryn__outfile_write(f, ",,\n", 3);
}

static void write_water_values(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "date,node,country,storage_end_hm3,water_value_per_hm3\n");
  for (int t = 0; t < m->nsteps; t++)
    for (int i = 0; i < m->nnodes; i++) {
      double v = naryn_result_water_value(r, i, t);
      if (isnan(v)) continue;
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      naryn__put_text(f, m->nodes[i].name);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->nodes[i].country);
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3), "%.6f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, v, "%.4f");
      naryn__outfile_write(f, "\n", 1);
    }
}

static void write_plants(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "node,country,energy_gwh,energy_linearised_gwh,"
                           "difference_gwh,difference_percent\n");
  for (int i = 0; i < m->nnodes; i++) {
    if (m->nodes[i].type != NARYN_NODE_HYDROPOWER || !m->nodes[i].enabled)
      continue;
    double e = 0.0;
    for (int t = 0; t < m->nsteps; t++) {
      double v = NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH);
      if (!isnan(v)) e += v;
    }
    double lin = naryn_result_linearised_energy_gwh(r, i);
    naryn__put_text(f, m->nodes[i].name);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->nodes[i].country);
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, e, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, lin, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, lin - e, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, e > 0 ? 100.0 * (lin - e) / e : NAN, "%.4f");
    naryn__outfile_write(f, "\n", 1);
  }
}

/* ====================================================================== */
/* The network, for reports                                                */
/* ====================================================================== */

static void write_network(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "name,type,country,country_name,enabled,"
                           "min_storage_hm3,max_storage_hm3,initial_storage_hm3,"
                           "capacity_mw,return_to,from,to\n");
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    int res = n->type == NARYN_NODE_RESERVOIR, hp = n->type == NARYN_NODE_HYDROPOWER;
    naryn__put_text(f, n->name);
    naryn__outfile_printf(f, ",%s,", naryn_node_type_name(n->type));
    naryn__put_text(f, n->country);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, n->country[0] ? naryn_model_country_name(m, n->country) : "");
    naryn__outfile_printf(f, ",%d,", n->enabled);
    naryn__put_number(f, res ? n->min_storage_hm3 : NAN, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, res ? n->max_storage_hm3 : NAN, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, res ? n->initial_storage_hm3 : NAN, "%.6f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, hp ? n->capacity_mw : NAN, "%.4f");
    naryn__outfile_write(f, ",", 1);
    if (n->type == NARYN_NODE_DEMAND && n->return_to >= 0 && n->return_fraction > 0)
      naryn__put_text(f, m->nodes[n->return_to].name);
    naryn__outfile_write(f, ",,\n", 3);
  }
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *k = &m->links[l];
    naryn__put_text(f, k->name);
    naryn__outfile_write(f, ",link,,,1,,,,,,", 15);
    naryn__put_text(f, m->nodes[k->from].name);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->nodes[k->to].name);
    naryn__outfile_write(f, "\n", 1);
  }
}

/* 1 when some reservoir of m has guide curves (a zone below its first). */
static int has_guide_curves(const naryn_model *m) {
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_RESERVOIR && m->nodes[i].nzones > 1) return 1;
  return 0;
}

/* The guide curves, step by step: in each step, every reservoir with
** zones in the model's order, and its zones but the first (which has no
** top) from top to bottom. */
static void write_zones(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "date,reservoir,zone,top_hm3\n");
  for (int t = 0; t < m->nsteps; t++)
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      if (n->type != NARYN_NODE_RESERVOIR) continue;
      for (int k = 1; k < n->nzones; k++) {
        naryn__outfile_printf(f, "%s,", m->step_date[t]);
        naryn__put_text(f, n->name);
        naryn__outfile_write(f, ",", 1);
        naryn__put_text(f, n->zones[k].name);
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, n->zones[k].top_hm3 ? n->zones[k].top_hm3[t] : NAN, "%.6f");
        naryn__outfile_write(f, "\n", 1);
      }
    }
}

int naryn__write_files(const char *dir, int nfiles, const char *const *names,
                       void (*write)(const void *ctx, int k, naryn__outfile *f),
                       const void *ctx, naryn_diags *d) {
  naryn__outfile *files[16] = {NULL};
  if (nfiles > 16) nfiles = 16;
  int rc = naryn__mkdirs(dir, d);
  /* Every file is written and finished before any is put in place, so a
  ** failure leaves the results of an earlier run as they were. */
  for (int k = 0; k < nfiles && rc == NARYN_OK; k++) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[k]) >= sizeof path) {
      rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
      break;
    }
    files[k] = naryn__outfile_open(path, d);
    if (!files[k]) {
      rc = NARYN_EIO;
      break;
    }
    write(ctx, k, files[k]);
    rc = naryn__outfile_finish(files[k], d);
  }
  for (int k = 0; k < nfiles; k++) {
    if (rc == NARYN_OK)
      rc = naryn__outfile_publish(files[k], d);
    else
      naryn__outfile_abort(files[k]);
  }
  return rc;
}

/* What the files of a run besides the per-step ones are written from:
** the writer of each file, in the order of their names, NULL for run.csv. */
typedef struct run_files {
  const naryn_result *r;
  const char *command;   /* for run.csv */
  void (*writers[13])(const naryn_result *, naryn__outfile *);
  const double *obs_sim; /* for fit.csv and observed.csv (naryn__fit_sim) */
  int fit_k;             /* the index of fit.csv, observed.csv next; -1 */
} run_files;

/* The rows of CSV series that a fill or fallback made up (model/series.c):
** a row per series and step that has any, with the value the step took. */
static void write_filled(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "date,field,method,filled_rows,value\n");
  for (int k = 0; k < m->nfills; k++) {
    const naryn__fill *fl = &m->fills[k];
    for (int t = 0; t < m->nsteps; t++) {
      if (fl->rows[t] <= 0) continue;
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      naryn__put_text(f, fl->where);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, fl->method);
      naryn__outfile_printf(f, ",%d,", fl->rows[t]);
      naryn__put_number(f, fl->v[t], "%.6f");
      naryn__outfile_write(f, "\n", 1);
    }
  }
}

/* The price state of each step of a replay of a policy with a chain of
** prices, and the factor it put on the energy prices. */
static void write_price_states(const naryn_result *r, naryn__outfile *f) {
  const naryn__prices *pc = r->m->prices;
  naryn__outfile_printf(f, "step,date,month,price_state,price_factor\n");
  for (int t = 0; t < r->nsteps && pc; t++) {
    int k = r->price_state[t], c = r->m->step_month[t];
    naryn__outfile_printf(f, "%d,%s,%d,", t + 1, r->m->step_date[t], c);
    naryn__put_text(f, pc->name[k]);
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, pc->factor[(size_t)k * 12 + c - 1], "%.6g");
    naryn__outfile_write(f, "\n", 1);
  }
}

/* Writes file k of a run's set. */
static void write_result_file(const void *ctx, int k, naryn__outfile *f) {
  const run_files *rf = ctx;
  if (rf->fit_k >= 0 && k == rf->fit_k)
    naryn__write_fit(rf->r, rf->obs_sim, f);
  else if (rf->fit_k >= 0 && k == rf->fit_k + 1)
    naryn__write_observed(rf->r, rf->obs_sim, f);
  else if (rf->writers[k])
    rf->writers[k](rf->r, f);
  else
    write_run(rf->r, rf->command, f);
}

int naryn__result_write_rest(const naryn_result *r, naryn__steps *w,
                             const char *dir, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  run_files rf = {r, w->o.command ? w->o.command : r->command,
                  {write_summary, write_objective, write_network, NULL}, NULL, -1};
  const char *names[13] = {"summary.csv", "objective.csv", "network.csv", "run.csv"};
  int n = 4;
  double *obs_sim = NULL;
  /* The guide curves for a model with zones, the last two for optimised
  ** results only. Every file is finished before any is put in place,
  ** the per-step files (finished already) last. */
  if (has_guide_curves(r->m)) {
    names[n] = "zones.csv";
    rf.writers[n++] = write_zones;
  }
  if (naryn_result_grid_count(r) > 0) {
    names[n] = "grids.csv";
    rf.writers[n++] = naryn__write_grids;
  }
  if (r->price_state) {
    names[n] = "price_states.csv";
    rf.writers[n++] = write_price_states;
  }
  if (r->m->nfills > 0) {
    names[n] = "filled.csv";
    rf.writers[n++] = write_filled;
  }
  if (r->optimised) {
    names[n] = "water_values.csv";
    rf.writers[n++] = write_water_values;
    names[n] = "plants.csv";
    rf.writers[n++] = write_plants;
  }
  /* The fit to the model's observed series, and the series themselves. */
  int rc = NARYN_OK;
  if (r->m->nobs > 0) {
    rf.obs_sim = obs_sim = naryn__fit_sim(r);
    if (!obs_sim)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    rf.fit_k = n;
    names[n++] = "fit.csv";
    names[n++] = "observed.csv";
  }
  if (rc == NARYN_OK) rc = naryn__write_files(dir, n, names, write_result_file, &rf, d);
  free(obs_sim);
  if (rc == NARYN_OK)
    rc = naryn__steps_publish(w, d);
  else
    naryn__steps_abort(w);
  /* The report last, from the files now in place and what was kept of
  ** nodes.csv as it was written. */
  if (rc == NARYN_OK) rc = naryn__report_write_fed(dir, w->feed, d);
  naryn__report_feed_free(w->feed);
  w->feed = NULL;
  return naryn__diags_status(d, mark, rc);
}

/* Writes a run's files from a full result: its steps one by one, through
** the same writer as a streamed run's, then the rest. */
static int write_into(const naryn_result *r, const naryn_output *o,
                      const char *dir, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  naryn_output all;
  if (!o) {
    naryn_output_init(&all);
    o = &all;
  }
  if (!NARYN__FULL(r) && o->per_step &&
      (naryn__steps_wants_nodes(o) || naryn__steps_wants_links(o) ||
       o->format != NARYN_FORMAT_CSV))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "output",
                       "expected a result that holds every step, to write "
                       "per-step output from, got a streamed result that "
                       "holds only its last %d; ask for summaries only, or "
                       "write the run as it goes", r->q_steps);
  naryn__steps w;
  int rc = naryn__mkdirs(dir, d);
  if (rc == NARYN_OK) rc = naryn__steps_open(&w, r->m, o, dir, d);
  if (rc != NARYN_OK) return naryn__diags_status(d, mark, rc);
  rc = naryn__steps_write_all(&w, r, d);
  if (rc == NARYN_OK)
    rc = naryn__steps_finish(&w, d);
  else
    naryn__steps_abort(&w);
  if (rc == NARYN_OK) rc = naryn__result_write_rest(r, &w, dir, d);
  return naryn__diags_status(d, mark, rc);
}

int naryn__result_write_into(const naryn_result *r, const char *dir,
                             naryn_diags *d) {
  return write_into(r, NULL, dir, d);
}

/* A result and its output choice, for the staging folder. */
typedef struct write_job {
  const naryn_result *r;
  const naryn_output *o;
} write_job;

static int fill_result(const void *ctx, const char *path, naryn_diags *d) {
  const write_job *job = ctx;
  return write_into(job->r, job->o, path, d);
}

int naryn_result_write(const naryn_result *r, const char *dir,
                       naryn_diags *d) {
  write_job job = {r, NULL};
  return naryn__staged_write(dir, fill_result, &job, d);
}

int naryn_result_write_with(const naryn_result *r, const naryn_output *o,
                            const char *dir, naryn_diags *d) {
  write_job job = {r, o};
  return naryn__staged_write(dir, fill_result, &job, d);
}

/* ====================================================================== */
/* A trade-off curve                                                       */
/* ====================================================================== */

/* What naryn_pareto_write writes, for its staging folder. */
typedef struct pareto_out {
  const naryn_model *m;
  naryn_result *const *points;
  int n_points;
  const naryn_result *rules;
  int kx, ky;
} pareto_out;

/* Writes the curve's whole folder into dir, the staging folder. */
static int fill_pareto(const void *ctx, const char *dir, naryn_diags *d) {
  const pareto_out *po = ctx;
  const naryn_model *m = po->m;
  naryn_result *const *points = po->points;
  const naryn_result *rules = po->rules;
  int n_points = po->n_points, kx = po->kx, ky = po->ky;
  long mark = naryn__diags_nomem(d);
  /* Every point's plan first, the curve last. */
  int rc = NARYN_OK;
  char path[4096];
  for (int i = 0; i < n_points && rc == NARYN_OK; i++) {
    if (!points[i]) continue;
    if ((size_t)snprintf(path, sizeof path, "%s/point-%02d", dir, i + 1) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = naryn__result_write_into(points[i], path, d);
  }
  if (rules && rc == NARYN_OK) {
    if ((size_t)snprintf(path, sizeof path, "%s/rules", dir) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = naryn__result_write_into(rules, path, d);
  }
  if (rc != NARYN_OK) return rc;
  if ((size_t)snprintf(path, sizeof path, "%s/pareto.csv", dir) >= sizeof path)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
  naryn__outfile *f = naryn__outfile_open(path, d);
  if (!f) return naryn__diags_status(d, mark, NARYN_EIO);
  naryn__outfile_printf(f, "point,level,x_term,x,y_term,y");
  for (int k = 0; k < m->nterms; k++) {
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->terms[k].name);
  }
  naryn__outfile_printf(f, ",combined,currency,plan\n");
  for (int i = 0; i <= n_points; i++) {
    const naryn_result *r = i < n_points ? points[i] : rules;
    if (!r) continue;
    if (i < n_points)
      naryn__outfile_printf(f, "%d,", i + 1);
    else
      naryn__outfile_printf(f, "rules,");
    naryn__put_number(f, r->pareto_level, "%.2f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->terms[kx].name);
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, naryn_result_term(r, kx, NULL), "%.2f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->terms[ky].name);
    for (int k = -1; k < m->nterms; k++) {
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, naryn_result_term(r, k < 0 ? ky : k, NULL), "%.2f");
    }
    naryn__outfile_write(f, ",", 1);
    naryn__put_number(f, naryn_result_objective(r), "%.2f");
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, m->currency);
    if (i < n_points)
      naryn__outfile_printf(f, ",point-%02d\n", i + 1);
    else
      naryn__outfile_printf(f, ",rules\n");
  }
  rc = naryn__outfile_commit(f, d);
  if (rc == NARYN_OK) rc = naryn_report_write(dir, d);
  return naryn__diags_status(d, mark, rc);
}

int naryn_pareto_write(const naryn_model *m, naryn_result *const *points,
                       int n_points, const naryn_result *rules, const char *x,
                       const char *y, const char *dir, naryn_diags *d) {
  pareto_out po = {m, points, n_points, rules, naryn_model_term_index(m, x),
                   naryn_model_term_index(m, y)};
  if (po.kx < 0 || po.ky < 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected the curve's two objective terms, got \"%s\" "
                       "and \"%s\"", x, y);
  return naryn__staged_write(dir, fill_pareto, &po, d);
}
