/*
** compare.c: "naryn simulate --compare": the model as given and each of the
** scenarios it ships with, side by side; with "naryn optimise", also the
** optimised plan of the model as given, and how much each rule falls
** short of it on the combined objective.
**
** Each run is the model (with any --scenario files given, which apply to
** every run) plus one scenario of the model's "scenarios" list; its full
** results go to OUT/NAME/. Every run and the comparison are written into
** one staging folder beside OUT, put in place in one step at the end, so
** OUT holds either the previous comparison or the new one, whole. The
** table printed is what an adviser asks
** first: per country and season, the energy generated, the irrigation
** water delivered and short, and the water reaching each terminal lake or
** sink, as yearly means.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

#define MAX_RUNS 16
#define MAX_ROWS 64

/* The figures of one run, yearly means. */
typedef struct run_figures {
  const char *name;
  double years;                                     /* the horizon's */
  int ncountries;
  char country[MAX_ROWS][32];                       /* codes, "" for none */
  double energy_gwh[MAX_ROWS][NARYN_SEASON_COUNT];  /* per country, then all */
  double delivered_km3[MAX_ROWS][NARYN_SEASON_COUNT];
  double short_km3[MAX_ROWS][NARYN_SEASON_COUNT];
  double sink_km3[MAX_ROWS][NARYN_SEASON_COUNT];    /* per sink */
  double residual_hm3, system_hm3;
  int nterms;
  double term[MAX_ROWS];                            /* yearly, currency */
  double objective;                                 /* yearly, currency */
} run_figures;

/* Collects a run's figures; countries and sinks are those of 'base'. */
static void collect(const naryn_model *base, const naryn_model *m,
                    const naryn_result *r, run_figures *f) {
  f->years = naryn_result_years(r);
  double years = cli_per_year(f->years);
  int nc = naryn_result_country_count(r);
  if (nc > MAX_ROWS - 1) nc = MAX_ROWS - 1;
  f->ncountries = nc;
  for (int c = 0; c <= nc; c++) {
    const char *code = c < nc ? naryn_result_country(r, c) : NULL;
    if (code) snprintf(f->country[c], sizeof f->country[c], "%s", code);
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      naryn_summary sum;
      naryn_result_summary(r, code, (naryn_season)s, &sum);
      f->energy_gwh[c][s] = sum.energy_gwh / years;
      f->delivered_km3[c][s] = (sum.irrigation_delivered_hm3 + sum.municipal_delivered_hm3) / years / 1000;
      f->short_km3[c][s] = (sum.irrigation_shortage_hm3 + sum.municipal_shortage_hm3) / years / 1000;
    }
  }
  int k = 0;
  for (int i = 0; i < naryn_model_node_count(base) && k < MAX_ROWS; i++) {
    if (naryn_model_node_type(base, i) != NARYN_NODE_SINK) continue;
    int node = naryn_model_node_index(m, naryn_model_node_name(base, i));
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) f->sink_km3[k][s] = 0;
    for (int t = 0; node >= 0 && t < naryn_model_steps(m); t++) {
      int month = atoi(naryn_model_step_date(m, t) + 5);
      int summer = month >= 4 && month <= 9;
      double v = naryn_result_node(r, NARYN_Q_INFLOW_HM3, node, t) / years / 1000;
      f->sink_km3[k][summer ? NARYN_SEASON_APR_SEP : NARYN_SEASON_OCT_MAR] += v;
      f->sink_km3[k][NARYN_SEASON_ALL] += v;
    }
    k++;
  }
  f->nterms = naryn_model_term_count(m);
  if (f->nterms > MAX_ROWS) f->nterms = MAX_ROWS;
  for (int t = 0; t < f->nterms; t++)
    f->term[t] = naryn_result_term(r, t, NULL) / years;
  f->objective = naryn_result_objective(r) / years;
  f->residual_hm3 = naryn_result_max_residual_hm3(r, NULL, NULL);
  f->system_hm3 = naryn_result_system_residual_hm3(r);
}

/* Loads the model with the common scenarios and one more (or none), runs
** it and writes its results into NAME inside the staging folder "stage",
** its messages naming the folder the user asked for.
** Prints what went wrong. */
static int run_one(const cli_run *base, const char *extra, const char *name,
                   const naryn_staging *stage, int optimise, run_figures *f) {
  const char *out = naryn_staging_path(stage);
  const cli_model_args *ma = &base->args.model;
  const char **over = calloc((size_t)ma->nscenarios + 2, sizeof *over);
  if (!over) return NARYN_ENOMEM;
  for (int i = 0; i < ma->nscenarios; i++) over[i] = ma->scenarios[i];
  int n = ma->nscenarios;
  if (extra) over[n++] = extra;
  naryn_diags *d = naryn_diags_new(20);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  int rc = d ? naryn_model_load(ma->model, over, n, &m, d) : NARYN_ENOMEM;
  if (rc == NARYN_OK) rc = cli_apply_weights(&base->args, m, d);
  /* Each run's model is its own: the names of --output are looked for
  ** in each, before it runs. */
  naryn_output output;
  naryn_output_init(&output);
  if (rc == NARYN_OK) rc = cli_output(&base->args, m, &output, d);
  naryn_sim_opts so;
  naryn_opt_opts oo;
  cli_progress_sim(&so);
  so.step_solver = (naryn_step_solver)base->args.step_solver;
  cli_progress_opt(&oo);
  if (rc == NARYN_OK)
    rc = optimise ? naryn_optimise(m, &oo, &r, d) : naryn_simulate(m, &so, &r, d);
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/%s", out, name);
  if (rc == NARYN_OK) rc = naryn_result_set_command(r, base->command);
  if (rc == NARYN_OK) rc = naryn_result_write_with(r, &output, dir, d);
  naryn_output_free(&output);
  naryn_staging_reroot(stage, d);
  if (d) cli_print_diags(d);
  if (rc == NARYN_OK) {
    f->name = name;
    collect(base->m, m, r, f);
  } else if (rc != NARYN_EINTR) {
    cli_error("the run \"%s\" failed: %s", name, naryn_strerror(rc));
  }
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  free(over);
  return rc;
}

/* Prints one row of the table: a label and one value per run. */
static void row(const char *country, const char *season, const run_figures *f,
                int n, double (*value)(const run_figures *, int, int), int index,
                int s, const char *fmt) {
  printf("  %-20.20s %-8s", country, season);
  for (int k = 0; k < n; k++) printf(fmt, value(&f[k], index, s));
  printf("\n");
}

static double energy(const run_figures *f, int i, int s) { return f->energy_gwh[i][s]; }
/* Volumes are printed in km3, or in hm3 (vol_scale 1000) when the largest
** is under 1 km3 and would show as 0.01. */
static double vol_scale = 1.0;
static double delivered(const run_figures *f, int i, int s) {
  return f->delivered_km3[i][s] * vol_scale;
}
static double shortage(const run_figures *f, int i, int s) { return f->short_km3[i][s] * vol_scale; }
static double sink(const run_figures *f, int i, int s) { return f->sink_km3[i][s] * vol_scale; }

/* Prints a block of rows, one per country (and all) and season. */
static void country_block(const char *title, const naryn_model *m, int nc,
                          const char *const *codes, const run_figures *f, int n,
                          double (*value)(const run_figures *, int, int),
                          int seasons, const char *fmt) {
  static const char *const season_label[] = {"Oct-Mar", "Apr-Sep", "year"};
  printf("%s\n", title);
  for (int c = 0; c <= nc; c++) {
    const char *label = c < nc ? (codes[c][0] ? naryn_model_country_name(m, codes[c])
                                              : "(no country)")
                               : "all countries";
    for (int s = seasons ? 0 : NARYN_SEASON_ALL; s < NARYN_SEASON_COUNT; s++)
      row(s == (seasons ? 0 : NARYN_SEASON_ALL) ? label : "", season_label[s], f,
          n, value, c, s, fmt);
  }
}

int cli_compare(const cli_run *base, const char *out, int with_optimum) {
  const naryn_model *m = base->m;
  int nsim = 1 + naryn_model_scenario_count(m);
  if (nsim > MAX_RUNS - 1) nsim = MAX_RUNS - 1;
  int nruns = nsim + (with_optimum ? 1 : 0);
  run_figures *f = calloc((size_t)nruns, sizeof *f);
  if (!f) {
    cli_error("out of memory");
    return NARYN_ENOMEM;
  }
  /* The status line counts the runs; the simulations are alike, the
  ** optimum is not. */
  const char *then = with_optimum ? "the optimum" : NULL;
  /* Everything goes into one staging folder, checked and opened first so
  ** that a folder that cannot be replaced is refused before any run. */
  naryn_staging *stage = NULL;
  naryn_diags *d = naryn_diags_new(20);
  int rc = d ? naryn_staging_open(out, &stage, d) : NARYN_ENOMEM;
  if (d) cli_print_diags(d);
  naryn_diags_free(d);
  const char *into = naryn_staging_path(stage);
  if (rc == NARYN_OK) {
    cli_progress_run(1, nruns, "base", nsim - 1, then);
    rc = run_one(base, NULL, "base", stage, 0, &f[0]);
  }
  for (int k = 1; k < nsim && rc == NARYN_OK; k++) {
    cli_progress_run(k + 1, nruns, naryn_model_scenario_name(m, k - 1),
                     nsim - 1 - k, then);
    rc = run_one(base, naryn_model_scenario_path(m, k - 1),
                 naryn_model_scenario_name(m, k - 1), stage, 0, &f[k]);
  }
  if (with_optimum && rc == NARYN_OK) {
    cli_progress_run(nruns, nruns, "optimum", 0, NULL);
    rc = run_one(base, NULL, "optimum", stage, 1, &f[nsim]);
  }
  cli_progress_clear();
  if (rc == NARYN_OK) {
    /* The side-by-side report of every run, then the whole in place. */
    const char *names[MAX_RUNS];
    for (int k = 0; k < nruns; k++) names[k] = f[k].name;
    d = naryn_diags_new(20);
    rc = d ? naryn_compare_write(into, names, nruns, d) : NARYN_ENOMEM;
    naryn_staging_reroot(stage, d);
    if (rc == NARYN_OK) {
      rc = naryn_staging_commit(stage, d);
      stage = NULL;
    }
    if (d) cli_print_diags(d);
    naryn_diags_free(d);
  }
  naryn_staging_abort(stage);
  if (rc != NARYN_OK || base->args.quiet) {
    free(f);
    return rc;
  }
  const char *codes[MAX_ROWS];
  int nc = f[0].ncountries;
  for (int c = 0; c < nc; c++) codes[c] = f[0].country[c];
  int steps = naryn_model_steps(m), dl = naryn_model_is_daily(m) ? 10 : 7;
  const char *a_year = cli_a_year(f[0].years);
  printf("%s: %d %s steps from %.*s to %.*s; %s of each run\n\n",
         naryn_model_name(m), steps, cli_step_word(m, (char[16]){0}, 16),
         dl, naryn_model_step_date(m, 0), dl, naryn_model_step_date(m, steps - 1),
         f[0].years >= 1.0 - 1e-9 ? "yearly means"
                                  : "totals (the horizon is shorter than a year)");
  double vmax = 0.0;
  for (int k = 0; k < nruns; k++)
    for (int c = 0; c <= nc; c++)
      vmax = fmax(vmax, fmax(fabs(f[k].delivered_km3[c][NARYN_SEASON_ALL]),
                             fabs(f[k].short_km3[c][NARYN_SEASON_ALL])));
  for (int k = 0; k < nruns; k++)
    for (int i = 0; i < MAX_ROWS; i++) vmax = fmax(vmax, fabs(f[k].sink_km3[i][NARYN_SEASON_ALL]));
  vol_scale = vmax < 1.0 ? 1000.0 : 1.0;
  const char *vfmt = vmax < 1.0 ? " %15.1f" : " %15.2f";
  printf("  %-20s %-8s", "", "");
  for (int k = 0; k < nruns; k++) printf(" %15.15s", f[k].name);
  printf("\n");
  country_block("Energy generated, GWh", m, nc, codes, f, nruns, energy, 1, " %15.0f");
  country_block(vmax < 1.0 ? "Irrigation and town water delivered, hm3"
                            : "Irrigation and town water delivered, km3",
                m, nc, codes, f, nruns, delivered, 1, vfmt);
  country_block(vmax < 1.0 ? "Irrigation and town water short, hm3"
                            : "Irrigation and town water short, km3",
                m, nc, codes, f, nruns, shortage, 1, vfmt);
  printf("Water reaching terminal lakes and sinks, %s\n", vmax < 1.0 ? "hm3" : "km3");
  static const char *const season_label[] = {"Oct-Mar", "Apr-Sep", "year"};
  for (int i = 0, k = 0; i < naryn_model_node_count(m) && k < MAX_ROWS; i++) {
    if (naryn_model_node_type(m, i) != NARYN_NODE_SINK) continue;
    for (int s = 0; s < NARYN_SEASON_COUNT; s++)
      row(s == 0 ? naryn_model_node_name(m, i) : "", season_label[s], f, nruns,
          sink, k, s, vfmt);
    k++;
  }
  const char *cur = naryn_model_currency(m);
  printf("Objective terms, millions of %s %s (costs positive)\n", cur, a_year);
  for (int t = 0; t < f[0].nterms; t++) {
    printf("  %-29.29s", naryn_model_term_name(m, t));
    for (int k = 0; k < nruns; k++) printf(" %15.1f", f[k].term[t] / 1e6);
    printf("\n");
  }
  printf("  %-29s", "combined (benefits - costs)");
  for (int k = 0; k < nruns; k++) printf(" %15.1f", f[k].objective / 1e6);
  printf("\n");
  if (with_optimum) {
    printf("  %-29s", "optimum better by");
    for (int k = 0; k < nruns; k++)
      printf(" %15.1f", (f[nsim].objective - f[k].objective) / 1e6);
    printf("\n");
  }
  printf("Largest water-balance residual of a node, hm3\n  %-29s", "");
  for (int k = 0; k < nruns; k++) printf(" %15.1e", f[k].residual_hm3);
  printf("\n\nFull results: %s/{", out);
  for (int k = 0; k < nruns; k++) printf("%s%s", k ? "," : "", f[k].name);
  printf("}/nodes.csv, links.csv, summary.csv, objective.csv, network.csv, run.csv\n");
  printf("Report: %s/report.html (each run's own: %s/NAME/report.html)\n", out, out);
  if (with_optimum) {
    printf("\nThe optimum is the plan for the model as given (the first column's "
           "system) with\nperfect foresight of its inflows: an upper bound on what "
           "operating rules could\nreach, not a plan to follow. It is better than ");
    for (int k = 0; k < nsim; k++)
      printf("%s%s by %.1f M %s%s", k == 0 ? "" : (k == nsim - 1 ? " and " : ", "),
             f[k].name, (f[nsim].objective - f[k].objective) / 1e6, cur,
             f[0].years >= 1.0 - 1e-9 ? "/yr" : "");
    printf(".\nA scenario that changes the system (new plants) may do better "
           "than it.\n");
  }
  free(f);
  return NARYN_OK;
}
