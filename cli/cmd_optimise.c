/*
** cmd_optimise.c: "naryn optimise MODEL": the best plan over the whole
** horizon with perfect foresight, what it is worth term by term, and how
** far the model's own operating rules fall short of it.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn optimise [MODEL] [--scenario FILE|NAME]... [--out DIR]\n"
    "                      [--weight TERM=W]... [--write-lp FILE]\n"
    "                      [--output LIST] [--format csv|netcdf]\n"
    "                      [--step-solver auto|clp] [--quiet]\n"
    "\n"
    "Finds the plan that maximises the model's objective (the weighted value\n"
    "of energy less the weighted costs of shortages, shortfalls, spills and\n"
    "end storage below target) over the whole horizon, knowing every inflow\n"
    "in advance: one LP over every node and step, solved by CLP. Energy\n"
    "depends on head; it is linearised around a plan and re-linearised\n"
    "around each better one until it settles, then evaluated with the exact\n"
    "head. Also simulates the model's operating rules and prints how much\n"
    "better the optimum is. Writes the folder DIR, all of it at once or\n"
    "nothing (an existing DIR is replaced only if naryn wrote it):\n"
    "  nodes.csv, links.csv, summary.csv  as naryn simulate writes them\n"
    "  objective.csv     each term's value by country, and the combined value\n"
    "  water_values.csv  marginal value of water per reservoir and step\n"
    "  plants.csv        each plant's energy, exact against linearised\n"
    "  grids.csv         with grids: each grid's dispatch of the plan's energy\n"
    "  network.csv       the nodes and links as run, after the scenarios\n"
    "  run.csv           what was run, passes, water-balance figures\n"
    "  report.html       tables and charts of the plan, one self-contained\n"
    "                    page\n"
    "  zones.csv, fit.csv, observed.csv, filled.csv, results.nc  where they\n"
    "                    apply, as naryn simulate writes them\n"
    "\n"
    "Without MODEL, optimises the built-in Naryn-Syr Darya model and shows\n"
    "the optimum beside the simulation of the base case and of each of its\n"
    "scenarios.\n"
    "\n"
    "  --scenario FILE   merge FILE's fields over the model (repeatable)\n"
    "  --weight TERM=W   set the weight of an objective term (repeatable)\n"
    "  --write-lp FILE   also write the LP of the final pass in MPS form, for\n"
    "                    solving with another solver (clp, glpsol --mps);\n"
    "                    FILE must lie outside the --out folder\n"
    "  --out DIR         where to write the results (default\n"
    "                    results/MODEL-NAME/optimum)\n"
    "  --output LIST     what to write per step, as for naryn simulate\n"
    "                    (see naryn simulate --help)\n"
    "  --format csv|netcdf  per-step values as CSV (the default) or in\n"
    "                    results.nc, one compressed NetCDF-4 file\n"
    "  --step-solver auto|clp  how the steps of the rules' simulation, run\n"
    "                    for comparison, are solved (see naryn simulate --help)\n"
    "  --quiet           print nothing but errors, and no progress\n"
    "\n"
    "A run longer than a second shows its progress (step or pass, time\n"
    "elapsed, an estimate of the time left) on one line of stderr, when\n"
    "stderr is a terminal; the environment variable NARYN_PROGRESS_DELAY_S\n"
    "sets that delay in seconds (default 1).\n"
    "\n"
    "Exit status: 0 success, 1 bad input or constraints that cannot all\n"
    "hold, 2 bad usage, 3 solver or water-balance failure, 4 I/O failure,\n"
    "130 interrupted by Ctrl-C (128 + the signal's number for SIGTERM, SIGHUP).\n";

/* Prints the objective, term by term, for the optimum and the rules. */
static void print_objective(const naryn_model *m, const naryn_result *opt,
                            const naryn_result *sim) {
  double years = cli_per_year(naryn_result_years(opt));
  const char *cur = naryn_model_currency(m), *a_year = cli_a_year(naryn_result_years(opt));
  printf("\nObjective, millions of %s %s (costs positive)\n", cur, a_year);
  printf("  %-28s %-12s %8s %14s %14s\n", "term", "kind", "weight", "optimum",
         sim ? "rules" : "");
  for (int k = 0; k < naryn_model_term_count(m); k++) {
    printf("  %-28.28s %-12s %8.3g %14.2f", naryn_model_term_name(m, k),
           naryn_model_term_kind(m, k), naryn_model_term_weight(m, k),
           naryn_result_term(opt, k, NULL) / years / 1e6);
    if (sim) printf(" %14.2f", naryn_result_term(sim, k, NULL) / years / 1e6);
    printf("\n");
  }
  double jo = naryn_result_objective(opt) / years / 1e6;
  printf("  %-28s %-12s %8s %14.2f", "combined", "", "", jo);
  if (sim) {
    double js = naryn_result_objective(sim) / years / 1e6;
    printf(" %14.2f\n\nThe optimum is better than the model's operating rules "
           "by %.2f M %s %s. It knows every inflow of the horizon in advance "
           "(perfect foresight): an upper bound, not a plan to follow.\n",
           js, jo - js, cur, a_year);
  } else {
    printf("\n");
  }
}

/* Prints each plant's energy with the exact head and as linearised. */
static void print_plants(const naryn_model *m, const naryn_result *r) {
  double years = cli_per_year(naryn_result_years(r));
  printf("\nHydropower, GWh %s: exact head against the last LP's "
         "linearisation\n", cli_a_year(naryn_result_years(r)));
  printf("  %-28s %12s %12s %10s\n", "plant", "exact", "linearised", "diff %");
  for (int i = 0; i < naryn_model_node_count(m); i++) {
    double lin = naryn_result_linearised_energy_gwh(r, i);
    if (isnan(lin)) continue;
    double e = 0.0;
    for (int t = 0; t < naryn_model_steps(m); t++) {
      double v = naryn_result_node(r, NARYN_Q_ENERGY_GWH, i, t);
      if (!isnan(v)) e += v;
    }
    printf("  %-28.28s %12.1f %12.1f %10.3f\n", naryn_model_node_name(m, i),
           e / years, lin / years, e > 0 ? 100.0 * (lin - e) / e : 0.0);
  }
}

/* 1 when an LP file is asked for inside the results folder. */
static int o_lp_inside(const char *lp, const char *out) {
  return lp && cli_path_inside(lp, out);
}

int cmd_optimise(int argc, char **argv) {
  static const cli_spec spec = {"optimise", 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  char out[4096];
  const char *scen = naryn_model_scenario(m);
  int compare = run.args.builtin && run.args.model.nscenarios == 0 &&
                !run.args.write_lp;
  if (compare && !run.args.out)
    snprintf(out, sizeof out, "results/%s", naryn_model_name(m));
  else
    cli_out_dir(&run, "optimum", out, sizeof out);
  if (compare) {
    rc = cli_compare(&run, out, 1);
    return cli_finish(&run, cli_exit_status(rc));
  }
  /* The results folder is put in place whole, replacing what was there:
  ** an LP file written into it would be lost, or make the folder one that
  ** naryn did not write. */
  if (o_lp_inside(run.args.write_lp, out)) {
    cli_error("--write-lp %s: expected a file outside the results folder "
              "\"%s\", which is replaced whole; write the LP elsewhere",
              run.args.write_lp, out);
    return cli_finish(&run, EXIT_USAGE);
  }
  /* A folder that cannot be replaced is refused before the run. */
  naryn_output output;
  rc = cli_prepare_output(&run, out, &output);
  if (rc != NARYN_OK) return cli_finish(&run, cli_exit_status(rc));
  naryn_opt_opts o;
  cli_progress_opt(&o);
  o.write_lp = run.args.write_lp;
  naryn_result *r = NULL, *sim = NULL;
  cli_progress_run(1, 2, "optimum", 0, "simulating the rules");
  rc = naryn_optimise(m, &o, &r, run.d);
  if (rc == NARYN_OK) rc = naryn_result_set_command(r, run.command);
  if (rc == NARYN_OK) rc = naryn_result_write_with(r, &output, out, run.d);
  naryn_output_free(&output);
  cli_print_diags(run.d);
  if (rc == NARYN_OK) {
    /* The rules of the same model, for comparison; a model whose rules
    ** cannot be simulated is still optimised. */
    naryn_diags *sd = naryn_diags_new(20);
    naryn_sim_opts so;
    cli_progress_sim(&so);
    so.step_solver = (naryn_step_solver)run.args.step_solver;
    cli_progress_run(2, 2, "rules", 0, NULL);
    int src = sd ? naryn_simulate(m, &so, &sim, sd) : NARYN_OK;
    /* An interruption is told once, at the end. */
    if (src != NARYN_OK && src != NARYN_EINTR) {
      cli_progress_clear();
      fprintf(stderr, "naryn: note: the model's operating rules could not be "
                      "simulated for comparison:\n");
      cli_print_diags(sd);
    }
    naryn_diags_free(sd);
  }
  cli_progress_clear();
  if (rc == NARYN_OK && !run.args.quiet) {
    int n = naryn_model_steps(m);
    int dl = naryn_model_is_daily(m) ? 10 : 7;
    printf("%s%s%s%s: optimised over %d %s steps from %.*s to %.*s\n",
           naryn_model_name(m), scen[0] ? " (scenario " : "", scen,
           scen[0] ? ")" : "", n, cli_step_word(m, (char[16]){0}, 16),
           dl, naryn_model_step_date(m, 0), dl, naryn_model_step_date(m, n - 1));
    printf("successive LP: %d passes, %s; %ld simplex iterations\n",
           naryn_result_passes(r),
           naryn_result_converged(r) ? "settled" : "NOT settled",
           naryn_result_iterations(r));
    printf("water balance: largest residual %.3g hm3; largest relative to the "
           "flow %.3g; whole system %.3g hm3\n",
           naryn_result_max_residual_hm3(r, NULL, NULL),
           naryn_result_max_residual_rel(r), naryn_result_system_residual_hm3(r));
    print_objective(m, r, sim);
    print_plants(m, r);
    cli_print_table(m, r);
    printf("\nResults: %s/nodes.csv, links.csv, summary.csv, objective.csv, "
           "water_values.csv, plants.csv, network.csv, run.csv\n", out);
    printf("Report: %s/report.html\n", out);
    if (o.write_lp) printf("LP: %s\n", o.write_lp);
  }
  naryn_result_free(sim);
  naryn_result_free(r);
  return cli_finish(&run, cli_exit_status(rc));
}
