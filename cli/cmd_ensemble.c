/*
** cmd_ensemble.c: "naryn ensemble MODEL --members N": the model simulated
** over many inflow members, on every core and across the processes of an
** MPI job, and how its plan holds up over them: yearly figures with their
** spread, reliability, resilience and vulnerability, the chance of a low
** reservoir on 1 April.
*/
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn ensemble [MODEL] --members-file FILE [--members N]\n"
    "       naryn ensemble [MODEL] --inflows FIT.yaml --seed S --members N\n"
    "                      [--climate FILE]...\n"
    "   and for both:      [--scenario FILE|NAME]... [--compare] [--jobs N]\n"
    "                      [--energy-target COUNTRY=GWH]... [--april-below RES=HM3]...\n"
    "                      [--per-step [--output LIST]]\n"
    "                      [--policy DIR [--price-seed S]] [--out DIR] [--quiet]\n"
    "       mpirun -np K naryn ensemble ...   (naryn built with make MPI=1)\n"
    "\n"
    "Simulates the model once for every inflow member, under its rules and\n"
    "any --scenario, and sums up how the plan holds over the members\n"
    "(doc/ensembles.md). A member is a monthly series of flows for every\n"
    "site: a site is a column of the CSV files the model's inflows read\n"
    "(naryn_m3s), and a member replaces each such inflow with its own\n"
    "flows times the series' scale. Writes the folder DIR, all of it at once\n"
    "or nothing (an existing DIR is replaced only if naryn wrote it):\n"
    "  ensemble.csv     what was run: a row per run\n"
    "  members.csv      each member's figures by water year (October-\n"
    "                   September), country and season: energy, water\n"
    "                   delivered and short, water reaching the sinks\n"
    "  stats.csv        their mean and 5th, 50th and 95th percentiles\n"
    "  reliability.csv  reliability, resilience and vulnerability of every\n"
    "                   demand and minimum flow, and of the winter energy\n"
    "  april.csv        the chance of storage below a level on 1 April\n"
    "  exceedance.csv   exceedance curves of yearly energy and shortage\n"
    "  histogram.csv    histograms of yearly shortage\n"
    "  storage.csv      each reservoir's storage step by step: mean and\n"
    "                   5th, 25th, 50th, 75th and 95th percentiles\n"
    "  members.nc       with --per-step: every member's values per step\n"
    "  report.html      fan charts of storage, exceedance curves, histograms\n"
    "                   and the reliability table\n"
    "and prints the main figures of each run.\n"
    "\n"
    "  --members-file FILE  the members: CSV with the columns member, date\n"
    "                   (YYYY-MM) and a column of flows (m3/s) per site, a row\n"
    "                   per member and month (doc/ensembles.md)\n"
    "  --inflows FIT.yaml  draw the members from a fit of synthetic inflows\n"
    "                   (naryn inflows fit; doc/inflows.md): members 0 to N-1\n"
    "                   of the ensemble of --seed S over the model's horizon,\n"
    "                   each drawn as it is simulated; the fit's sites are\n"
    "                   the columns its inflows read\n"
    "  --seed S         the seed of the members drawn (with --inflows)\n"
    "  --climate FILE   apply a climate-shift file to the fit first\n"
    "                   (repeatable, in order; with --inflows)\n"
    "  --members N      the first N members only (default: all of the file's;\n"
    "                   with --inflows, the number drawn)\n"
    "  --scenario FILE  merge FILE's fields over the model (repeatable); a\n"
    "                   NAME that is not a file is the model's own\n"
    "                   scenarios/NAME.yaml\n"
    "  --compare        run the model and, separately, each scenario it lists\n"
    "                   (its \"scenarios\" field), over the same members\n"
    "  --jobs N         members simulated at once (default: one per processor;\n"
    "                   one per process under mpirun); the results do not\n"
    "                   depend on it, nor on the number of processes\n"
    "  --energy-target COUNTRY=GWH  a winter (October-March) fails when the\n"
    "                   country's plants generate less than GWH (repeatable);\n"
    "                   default: the targets of the model's energy rules\n"
    "  --april-below RES=HM3  the chance that reservoir RES holds less than\n"
    "                   HM3 on 1 April (repeatable); default for the built-in\n"
    "                   model: Toktogul=6500\n"
    "  --per-step       also write members.nc, every member's values per step\n"
    "                   (NetCDF-4); --output LIST chooses the node quantities\n"
    "                   and nodes= as for naryn simulate (links, zone and rule\n"
    "                   are not written; default storage_hm3, release_hm3,\n"
    "                   energy_gwh, shortage_hm3 of every node). Its size grows\n"
    "                   with the members: 8 bytes a value\n"
    "  --policy DIR     replay the operating policy naryn sddp wrote into DIR\n"
    "                   in every member, as naryn simulate --policy does: each\n"
    "                   step it decides the reservoirs' releases from the\n"
    "                   storage reached and the member's inflows (each thread\n"
    "                   and process reads its own copy; doc/sddp.md). Not\n"
    "                   with --compare\n"
    "  --price-seed S   with --policy of a policy trained with a Markov chain\n"
    "                   of prices: member k's price states are drawn from\n"
    "                   random stream k of seed S (default 1), and the member\n"
    "                   is valued at those prices\n"
    "  --step-solver auto|clp  how each step's LP is solved, as for naryn\n"
    "                   simulate\n"
    "  --out DIR        where to write (default results/MODEL-NAME/ensemble)\n"
    "  --quiet          print nothing but errors, and no progress\n"
    "\n"
    "Exit status: 0 success, 1 bad input or constraints that cannot all\n"
    "hold, 2 bad usage, 3 solver or water-balance failure, 4 I/O failure,\n"
    "130 interrupted by Ctrl-C (128 + the signal's number for SIGTERM, SIGHUP).\n";

/* Splits NAME=NUMBER options into names and numbers. Returns NARYN_OK or
** NARYN_EARG after printing what is wrong. */
static int split_pairs(const char *opt, const char *form, const char *const *v, int n,
                       char **names, double *values) {
  for (int k = 0; k < n; k++) {
    const char *eq = strchr(v[k], '=');
    size_t len = (size_t)(eq - v[k]);
    names[k] = malloc(len + 1);
    if (!names[k]) {
      cli_error("out of memory");
      return NARYN_ENOMEM;
    }
    memcpy(names[k], v[k], len);
    names[k][len] = '\0';
    if (len == 0 || naryn_parse_number(eq + 1, &values[k]) != NARYN_OK || values[k] < 0) {
      cli_error("%s: expected %s with a decimal number >= 0 as in a model file, got "
                "\"%s\"", opt, form, v[k]);
      return NARYN_EARG;
    }
  }
  return NARYN_OK;
}

/* The command line as recorded: without --jobs, on which nothing
** depends, so that the files are the same whatever it was. */
static void record_command(int argc, char **argv, char *buf, size_t size) {
  char **kept = calloc((size_t)argc + 1, sizeof *kept);
  int n = 0;
  if (!kept) {
    cli_command_line(argc, argv, buf, size);
    return;
  }
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--jobs") == 0) {
      i++;
      continue;
    }
    if (strncmp(argv[i], "--jobs=", 7) == 0) continue;
    kept[n++] = argv[i];
  }
  cli_command_line(n, kept, buf, size);
  free(kept);
}

/* The members drawn from --inflows FIT.yaml with --seed S and any
** --climate files, over the model's horizon: from its first step's month
** to its last step's. */
static int draw_members(const cli_run *run, naryn_inflow_fit **fit, naryn_members **mb) {
  const cli_args *a = &run->args;
  const naryn_model *m = run->m;
  uint64_t seed;
  if (cli_seed("ensemble", "--seed", a->seed, &seed) != 0) return NARYN_EARG;
  int rc = naryn_inflow_fit_read(a->inflows, fit, run->d);
  for (int k = 0; k < a->nclimate && rc == NARYN_OK; k++)
    rc = naryn_inflow_fit_climate(*fit, a->climate[k], run->d);
  if (rc != NARYN_OK) return rc;
  const char *first = naryn_model_step_date(m, 0);
  const char *last = naryn_model_step_date(m, naryn_model_steps(m) - 1);
  int months = (atoi(last) - atoi(first)) * 12 + atoi(last + 5) - atoi(first + 5) + 1;
  char start[8], source[4096];
  snprintf(start, sizeof start, "%.7s", first);
  int len = snprintf(source, sizeof source, "%s, seed %llu", a->inflows, (unsigned long long)seed);
  for (int k = 0; k < a->nclimate && len > 0 && (size_t)len < sizeof source; k++)
    len += snprintf(source + len, sizeof source - (size_t)len, ", climate %s", a->climate[k]);
  return naryn_members_generate(*fit, (uint64_t)seed, a->members, start, months, source, mb,
                                run->d);
}

/* Loads the model with the common scenarios and one more, as --compare
** runs it. */
static int load_with(const cli_run *run, const char *extra, naryn_model **m,
                     naryn_diags *d) {
  const cli_model_args *ma = &run->args.model;
  const char **over = calloc((size_t)ma->nscenarios + 2, sizeof *over);
  if (!over) return NARYN_ENOMEM;
  for (int i = 0; i < ma->nscenarios; i++) over[i] = ma->scenarios[i];
  over[ma->nscenarios] = extra;
  int rc = naryn_model_load(ma->model, over, ma->nscenarios + 1, m, d);
  if (rc == NARYN_OK) rc = cli_apply_weights(&run->args, *m, d);
  free(over);
  return rc;
}

/* Prints the main figures of each run side by side. */
static void print_figures(const naryn_model *m, const naryn_ensemble *e,
                          const naryn_members *mb, const char *out) {
  int nr = naryn_ensemble_run_count(e);
  printf("%s: %ld members of %d %s steps from %s, %s\n\n", naryn_model_name(m),
         naryn_ensemble_members(e), naryn_model_steps(m),
         cli_step_word(m, (char[16]){0}, 16), naryn_model_step_date(m, 0),
         naryn_members_source(mb));
  printf("Yearly figures over every member and water year: mean (5th-95th percentile)\n");
  printf("  %-34s", "");
  for (int k = 0; k < nr; k++) printf(" %26.26s", naryn_ensemble_run_name(e, k));
  printf("\n");
  static const struct {
    const char *label, *q;
    naryn_season s;
    double scale;
  } rows[] = {{"energy, all countries, GWh", "energy_gwh", NARYN_SEASON_ALL, 1},
              {"  of it October-March, GWh", "energy_gwh", NARYN_SEASON_OCT_MAR, 1},
              {"water short, all countries, km3", "shortage_hm3", NARYN_SEASON_ALL, 1e-3},
              {"water reaching the sinks, km3", "sink_inflow_hm3", NARYN_SEASON_ALL, 1e-3}};
  for (size_t j = 0; j < sizeof rows / sizeof *rows; j++) {
    printf("  %-34s", rows[j].label);
    for (int k = 0; k < nr; k++) {
      naryn_ensemble_stat st;
      char cell[64] = "-";
      if (naryn_ensemble_yearly(e, k, NULL, rows[j].s, rows[j].q, &st) == NARYN_OK) {
        int dec = rows[j].scale < 1 ? 2 : 0;
        snprintf(cell, sizeof cell, "%.*f (%.*f-%.*f)", dec, st.mean * rows[j].scale, dec,
                 st.p5 * rows[j].scale, dec, st.p95 * rows[j].scale);
      }
      printf(" %26s", cell);
    }
    printf("\n");
  }
  printf("\nReliability of the winter energy (share of winters at or above target)\n");
  int any = 0;
  for (int k = 0; k < nr; k++)
    for (int j = 0; j < naryn_ensemble_rrv_count(e, k); j++) {
      naryn_ensemble_rrv x;
      naryn_ensemble_rrv_get(e, k, j, &x);
      if (strcmp(x.kind, "energy") != 0) continue;
      printf("  %-20s %-8s reliability %.3f, resilience %.3f, vulnerability %.0f GWh\n",
             naryn_ensemble_run_name(e, k), x.name, x.reliability, x.resilience,
             x.vulnerability);
      any = 1;
    }
  if (!any) printf("  (no target: give --energy-target COUNTRY=GWH)\n");
  any = 0;
  for (int k = 0; k < nr; k++)
    for (int j = 0; j < naryn_ensemble_april_count(e, k); j++) {
      const char *res;
      double level, p;
      naryn_ensemble_april_get(e, k, j, &res, &level, &p);
      if (!any) printf("\nChance of storage below a level on 1 April\n");
      printf("  %-20s %s below %.0f hm3: %.3f\n", naryn_ensemble_run_name(e, k), res,
             level, p);
      any = 1;
    }
  printf("\nResults: %s/ensemble.csv, members.csv, stats.csv, reliability.csv, "
         "april.csv,\n  exceedance.csv, histogram.csv, storage.csv\nReport: %s/report.html\n",
         out, out);
}

int cmd_ensemble(int argc, char **argv) {
  static const cli_spec spec = {"ensemble", 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1};
  /* Every process runs the command; rank 0 alone speaks and writes. */
  if (cli_mpi_join() != EXIT_OK) return EXIT_IO;
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) {
    naryn_mpi_stop();
    return cli_finish(&run, rc);
  }
  rc = NARYN_OK;
  const naryn_model *m = run.m;
  naryn_diags *d = run.d;
  naryn_members *mb = NULL;
  naryn_ensemble *e = NULL;
  naryn_output per_step;
  naryn_output_init(&per_step);
  char **names = calloc((size_t)(run.args.nenergy + run.args.napril) + 1, sizeof *names);
  double *values = calloc((size_t)(run.args.nenergy + run.args.napril) + 1, sizeof *values);
  char out[4096];
  const char *scen = naryn_model_scenario(m);
  cli_out_dir(&run, "ensemble", out, sizeof out);
  if (!names || !values) {
    cli_error("out of memory");
    rc = NARYN_ENOMEM;
  } else {
    int bad = 1;
    if (!run.args.members_file && !run.args.inflows)
      cli_error("ensemble: expected --members-file FILE or --inflows FIT.yaml naming the "
                "inflow members (see naryn ensemble --help)");
    else if (run.args.members_file && run.args.inflows)
      cli_error("ensemble: expected --members-file FILE or --inflows FIT.yaml, not both");
    else if (run.args.inflows && (!run.args.seed || !run.args.members))
      cli_error("ensemble: expected --seed S and --members N with --inflows FIT.yaml");
    else if (!run.args.inflows && (run.args.seed || run.args.nclimate))
      cli_error("ensemble: expected --seed and --climate only with --inflows FIT.yaml");
    else if (run.args.policy && run.args.compare)
      cli_error("ensemble: expected --policy DIR or --compare, not both (a policy is "
                "trained for one model)");
    else
      bad = 0;
    if (bad) {
      free(names), free(values);
      naryn_mpi_stop();
      return cli_finish(&run, EXIT_USAGE);
    }
  }
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  if (rc == NARYN_OK) rc = split_pairs("--energy-target", "COUNTRY=GWH", run.args.energy, run.args.nenergy, names,
                               values);
  if (rc == NARYN_OK)
    rc = split_pairs("--april-below", "RESERVOIR=HM3", run.args.april, run.args.napril,
                     names + run.args.nenergy, values + run.args.nenergy);
  /* A folder that cannot be replaced is refused before the runs. */
  if (rc == NARYN_OK && naryn_mpi_rank() == 0) rc = naryn_staging_check(out, d);
  rc = naryn_mpi_agree(rc);
  naryn_inflow_fit *fit = NULL;
  if (rc == NARYN_OK && run.args.inflows)
    rc = draw_members(&run, &fit, &mb);
  else if (rc == NARYN_OK)
    rc = naryn_members_read(run.args.members_file, &mb, d);
  if (rc == NARYN_OK && run.args.members && !run.args.inflows)
    rc = naryn_members_keep(mb, run.args.members, d);
  if (rc == NARYN_OK && run.args.per_step) {
    rc = naryn_output_parse(&per_step, m,
                            run.args.output ? run.args.output
                                            : "storage_hm3,release_hm3,energy_gwh,shortage_hm3",
                            d);
    if (rc == NARYN_OK) o.per_step = &per_step;
  }
  static const char *const toktogul[] = {"Toktogul"};
  static const double level_6500[] = {6500};
  if (rc == NARYN_OK) {
    naryn_sim_opts so;
    cli_progress_sim(&so);
    o.sim.step_solver = (naryn_step_solver)run.args.step_solver;
    o.progress = so.progress;
    o.jobs = run.args.jobs;
    o.policy_dir = run.args.policy;
    if (run.args.price_seed &&
        cli_seed("ensemble", "--price-seed", run.args.price_seed, &o.sim.price_seed) != 0)
      rc = NARYN_EARG;
    o.energy_country = (const char *const *)names;
    o.energy_gwh = values;
    o.nenergy = run.args.nenergy;
    o.april_reservoir = (const char *const *)names + run.args.nenergy;
    o.april_hm3 = values + run.args.nenergy;
    o.napril = run.args.napril;
    if (o.napril == 0 && strcmp(naryn_model_name(m), "naryn-syr-darya") == 0 &&
        naryn_model_node_index(m, "Toktogul") >= 0)
      o.april_reservoir = toktogul, o.april_hm3 = level_6500, o.napril = 1;
    if (rc == NARYN_OK) rc = naryn_ensemble_new(mb, &o, &e, d);
  }
  /* Every process has read the members (a file one of them cannot read
  ** stops them all, not only that one). */
  rc = naryn_mpi_agree(rc);
  char command[4096];
  record_command(argc, argv, command, sizeof command);
  if (rc == NARYN_OK) rc = naryn_ensemble_set_command(e, command);
  int nscen = run.args.compare ? naryn_model_scenario_count(m) : 0;
  if (rc == NARYN_OK) {
    cli_progress_run(1, 1 + nscen, scen[0] ? scen : "base", nscen, NULL);
    rc = naryn_ensemble_run(e, m, scen[0] ? scen : "base", d);
  }
  for (int k = 0; k < nscen && rc == NARYN_OK; k++) {
    naryn_model *mk = NULL;
    cli_progress_clear();
    cli_print_diags(d);
    naryn_diags_clear(d);
    cli_progress_run(k + 2, 1 + nscen, naryn_model_scenario_name(m, k), nscen - 1 - k, NULL);
    rc = load_with(&run, naryn_model_scenario_path(m, k), &mk, d);
    rc = naryn_mpi_agree(rc);
    if (rc == NARYN_OK) rc = naryn_ensemble_run(e, mk, naryn_model_scenario_name(m, k), d);
    naryn_model_free(mk);
  }
  if (rc == NARYN_OK) rc = naryn_ensemble_write(e, out, d);
  cli_progress_clear();
  cli_print_diags(d);
  if (rc == NARYN_OK && !run.args.quiet && naryn_mpi_rank() == 0) print_figures(m, e, mb, out);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_inflow_fit_free(fit);
  naryn_output_free(&per_step);
  for (int k = 0; names && k < run.args.nenergy + run.args.napril; k++) free(names[k]);
  free(names);
  free(values);
  naryn_mpi_stop();
  return cli_finish(&run, cli_exit_status(rc));
}
