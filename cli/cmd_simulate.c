/*
** cmd_simulate.c: "naryn simulate MODEL --out DIR": runs the priority
** simulation, writes the results and prints a table by country and season.
*/
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn simulate [MODEL] [--scenario FILE|NAME]... [--out DIR]\n"
    "                      [--output LIST] [--format csv|netcdf]\n"
    "                      [--step-solver auto|clp] [--compare]\n"
    "                      [--policy DIR [--price-seed S]] [--quiet]\n"
    "\n"
    "Steps through the model's horizon, solving one LP per step that\n"
    "allocates water by priority and operating rules, with head and\n"
    "evaporation settled by re-solving. Checks the water balance at every\n"
    "node and step. Writes the folder DIR, all of it at once or nothing\n"
    "(an existing DIR is replaced only if naryn wrote it):\n"
    "  nodes.csv    every quantity of every node and step\n"
    "  links.csv    flow and loss of every link and step\n"
    "  summary.csv  totals and yearly means by country and season\n"
    "  objective.csv  the run valued under the model's objective terms\n"
    "  network.csv  the nodes and links as run, after the scenarios\n"
    "  run.csv      what was run and the water-balance figures\n"
    "  report.html  tables and charts of the run, one self-contained page\n"
    "and, where they apply:\n"
    "  zones.csv    the guide curves, for a model whose reservoirs have zones\n"
    "  grids.csv    per grid and step: demand, hydropower, thermal energy,\n"
    "               trade, unserved energy and price, for a model with grids\n"
    "  fit.csv, observed.csv  the run against the model's observed series\n"
    "  filled.csv   the steps of CSV series whose rows were made up by fill\n"
    "               or fallback\n"
    "  price_states.csv  with --policy of a policy trained with a Markov\n"
    "               chain of prices, the price state of each step\n"
    "  results.nc   with --format netcdf, the per-step values instead of\n"
    "               nodes.csv and links.csv\n"
    "  compare.csv  with --compare, the runs, each in its folder DIR/base,\n"
    "               DIR/NAME...\n"
    "and prints yearly means by country and season.\n"
    "\n"
    "Without MODEL, runs the built-in Naryn-Syr Darya model and compares it\n"
    "with each of its scenarios (as --compare does).\n"
    "\n"
    "  --scenario FILE  merge FILE's fields over the model (repeatable); a\n"
    "                   NAME that is not a file is the model's own\n"
    "                   scenarios/NAME.yaml\n"
    "  --compare        run the model and, separately, each scenario it lists\n"
    "                   (its \"scenarios\" field), writing DIR/base, DIR/NAME...,\n"
    "                   and print them side by side\n"
    "  --out DIR        where to write the results (default results/MODEL-NAME/\n"
    "                   then base/ or the scenario names)\n"
    "  --output LIST    what to write per step (default all): a comma-\n"
    "                   separated list of node quantities as nodes.csv names\n"
    "                   them (storage_end_hm3, delivered_hm3...; the storage\n"
    "                   also by its older name storage_hm3), flow_hm3 and\n"
    "                   loss_hm3 for links, zone and rule (a reservoir's zone\n"
    "                   and controlling rule), nodes=NAME+NAME... for the rows\n"
    "                   of those nodes and links (and the links between\n"
    "                   them) only, all; or summary alone: no per-step file\n"
    "  --format csv|netcdf  per-step values in nodes.csv and links.csv (csv,\n"
    "                   the default) or in results.nc, one compressed\n"
    "                   NetCDF-4 file (CF conventions) for xarray and pandas\n"
    "  --step-solver auto|clp  how each step's LP is solved: auto (the\n"
    "                   default) uses naryn's network simplex when no link\n"
    "                   loses water and no demand returns any, and CLP\n"
    "                   otherwise; clp uses CLP for every step\n"
    "  --policy DIR     replay the operating policy naryn sddp wrote into DIR\n"
    "                   (for this model): each step it decides the releases\n"
    "                   of the reservoirs from the storage reached and the\n"
    "                   step's inflows, and the simulation applies them as\n"
    "                   forced releases, with the exact head, evaporation and\n"
    "                   hard limits; nodes.csv's rule column says policy\n"
    "                   (doc/sddp.md). Not with --compare\n"
    "  --price-seed S   with --policy of a policy trained with a Markov chain\n"
    "                   of prices: the seed of the random stream its price\n"
    "                   states are drawn from (default 1); the run is valued\n"
    "                   at those prices\n"
    "  --weight TERM=W  set the weight of an objective term, for the\n"
    "                   objective.csv valuation (repeatable)\n"
    "  --quiet          print nothing but errors, and no progress\n"
    "\n"
    "A run longer than a second shows its progress (step or pass, time\n"
    "elapsed, an estimate of the time left) on one line of stderr, when\n"
    "stderr is a terminal; the environment variable NARYN_PROGRESS_DELAY_S\n"
    "sets that delay in seconds (default 1).\n"
    "\n"
    "Exit status: 0 success, 1 bad input or constraints that cannot all\n"
    "hold, 2 bad usage, 3 solver or water-balance failure, 4 I/O failure,\n"
    "130 interrupted by Ctrl-C (128 + the signal's number for SIGTERM, SIGHUP).\n";

int cmd_simulate(int argc, char **argv) {
  static const cli_spec spec = {"simulate", 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  /* Results go to --out, or to results/MODEL-NAME/RUN-NAME. */
  char out[4096];
  const char *scen = naryn_model_scenario(m);
  if (run.args.policy && run.args.compare) {
    cli_error("simulate: expected --policy DIR or --compare, not both (a policy is "
              "trained for one model)");
    return cli_finish(&run, EXIT_USAGE);
  }
  int compare = run.args.compare ||
                (run.args.builtin && run.args.model.nscenarios == 0 && !run.args.policy);
  if (run.args.out)
    snprintf(out, sizeof out, "%s", run.args.out);
  else if (compare)
    snprintf(out, sizeof out, "results/%s", naryn_model_name(m));
  else
    snprintf(out, sizeof out, "results/%s/%s", naryn_model_name(m),
             scen[0] ? scen : "base");
  if (compare) {
    rc = cli_compare(&run, out, 0);
    return cli_finish(&run, cli_exit_status(rc));
  }
  /* A folder that cannot be replaced is refused before the run; the run
  ** then writes each step to its files as it goes. */
  naryn_output output;
  rc = cli_prepare_output(&run, out, &output);
  if (rc != NARYN_OK) return cli_finish(&run, cli_exit_status(rc));
  naryn_result *r = NULL;
  naryn_policy *policy = NULL;
  if (run.args.policy && (rc = naryn_policy_read(m, run.args.policy, &policy, run.d)) != NARYN_OK) {
    naryn_output_free(&output);
    cli_print_diags(run.d);
    return cli_finish(&run, cli_exit_status(rc));
  }
  naryn_sim_opts o;
  cli_progress_sim(&o);
  o.step_solver = (naryn_step_solver)run.args.step_solver;
  o.policy = policy;
  output.command = run.command;
  if (run.args.price_seed && cli_seed("simulate", "--price-seed", run.args.price_seed,
                                      &o.price_seed) != 0) {
    naryn_output_free(&output);
    naryn_policy_free(policy);
    return cli_finish(&run, EXIT_USAGE);
  }
  rc = naryn_simulate_to(m, &o, &output, out, &r, run.d);
  naryn_output_free(&output);
  naryn_policy_free(policy);
  cli_print_diags(run.d);
  if (rc == NARYN_OK && !run.args.quiet) {
    int node, step, n = naryn_model_steps(m);
    int dl = naryn_model_is_daily(m) ? 10 : 7;
    double res = naryn_result_max_residual_hm3(r, &node, &step);
    printf("%s%s%s%s: %d %s steps from %.*s to %.*s, %ld LP solves\n",
           naryn_model_name(m), scen[0] ? " (scenario " : "", scen,
           scen[0] ? ")" : "", n, cli_step_word(m, (char[16]){0}, 16),
           dl, naryn_model_step_date(m, 0), dl, naryn_model_step_date(m, n - 1),
           naryn_result_solves(r));
    if (run.args.policy)
      printf("releases of the reservoirs decided by the policy in %s\n", run.args.policy);
    printf("water balance: largest residual %.3g hm3 (%s, %.*s); largest "
           "relative to the flow %.3g; whole system %.3g hm3\n",
           res, node >= 0 ? naryn_model_node_name(m, node) : "-", dl,
           step >= 0 ? naryn_model_step_date(m, step) : "-",
           naryn_result_max_residual_rel(r),
           naryn_result_system_residual_hm3(r));
    cli_print_table(m, r);
    printf("\nResults: %s/nodes.csv, links.csv, summary.csv, objective.csv, "
           "network.csv, run.csv%s\nReport: %s/report.html\n", out,
           naryn_result_grid_count(r) > 0 ? ", grids.csv" : "", out);
  }
  naryn_result_free(r);
  return cli_finish(&run, cli_exit_status(rc));
}
