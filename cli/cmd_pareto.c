/*
** cmd_pareto.c: "naryn pareto MODEL --x TERM --y TERM": the trade-off curve
** between two objective terms, each point a full optimised plan.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn pareto [MODEL] --x TERM --y TERM [--points N]\n"
    "                    [--scenario FILE|NAME]... [--weight TERM=W]...\n"
    "                    [--out DIR] [--quiet]\n"
    "\n"
    "Traces the trade-off between two objective terms by the epsilon-\n"
    "constraint method. It finds the plan best for every term but TERM x,\n"
    "and the plan best for x; between x's values in the two it places N\n"
    "levels (default 7), and at each it optimises the other terms (y at\n"
    "least at weight 1) with x held at least as good as the level. Writes\n"
    "the folder DIR, all of it at once or nothing (an existing DIR is\n"
    "replaced only if naryn wrote it):\n"
    "  pareto.csv     one row per point: the level, x, y, every term and the\n"
    "                 combined objective, and the folder of its plan\n"
    "  point-NN/      each point's plan, as naryn optimise writes it\n"
    "  rules/         the model's operating rules simulated, marked on the\n"
    "                 curve for comparison\n"
    "  report.html    the curve drawn, with the rules marked on it\n"
    "\n"
    "TERM is the name of one of the model's objective terms (see naryn\n"
    "optimise --help and doc/model-format.md).\n"
    "\n"
    "  --points N       number of points, 2 to 1000 (default 7)\n"
    "  --out DIR        where to write (default results/MODEL-NAME/pareto-X-Y)\n"
    "  --quiet          print nothing but errors, and no progress\n"
    "\n"
    "A run longer than a second shows its progress (step or pass, time\n"
    "elapsed, an estimate of the time left) on one line of stderr, when\n"
    "stderr is a terminal; the environment variable NARYN_PROGRESS_DELAY_S\n"
    "sets that delay in seconds (default 1).\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage, 3 solver failure,\n"
    "4 I/O failure, 130 interrupted by Ctrl-C (128 + the signal's number for\n"
    "SIGTERM, SIGHUP).\n";

int cmd_pareto(int argc, char **argv) {
  static const cli_spec spec = {"pareto", 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  if (!run.args.x || !run.args.y) {
    cli_error("pareto: expected --x TERM and --y TERM, two of the model's "
              "objective terms");
    return cli_finish(&run, EXIT_USAGE);
  }
  int n = run.args.points ? run.args.points : 7;
  char out[4096];
  if (run.args.out)
    snprintf(out, sizeof out, "%s", run.args.out);
  else
    snprintf(out, sizeof out, "results/%s/pareto-%s-%s", naryn_model_name(m),
             run.args.x, run.args.y);
  /* A folder that cannot be replaced is refused before the run. */
  rc = naryn_staging_check(out, run.d);
  if (rc != NARYN_OK) {
    cli_print_diags(run.d);
    return cli_finish(&run, cli_exit_status(rc));
  }
  naryn_opt_opts o;
  cli_progress_opt(&o);
  naryn_result **pts = NULL;
  rc = naryn_pareto(m, &o, run.args.x, run.args.y, n, &pts, run.d);
  int kx = naryn_model_term_index(m, run.args.x);
  int ky = naryn_model_term_index(m, run.args.y);
  /* The model's operating rules, marked on the curve; a model whose rules
  ** cannot be simulated still has its curve. */
  naryn_result *rules = NULL;
  if (rc == NARYN_OK) {
    naryn_diags *sd = naryn_diags_new(20);
    int src = sd ? naryn_simulate(m, NULL, &rules, sd) : NARYN_OK;
    if (src == NARYN_EINTR) {
      rc = src; /* told once, at the end */
    } else if (src != NARYN_OK) {
      fprintf(stderr, "naryn: note: the model's operating rules could not be "
                      "simulated to mark them on the curve:\n");
      cli_print_diags(sd);
      rules = NULL;
    }
    naryn_diags_free(sd);
  }
  for (int i = 0; rc == NARYN_OK && i <= n; i++) {
    naryn_result *r = i < n ? pts[i] : rules;
    if (r) rc = naryn_result_set_command(r, run.command);
  }
  if (rc == NARYN_OK)
    rc = naryn_pareto_write(m, pts, n, rules, run.args.x, run.args.y, out, run.d);
  cli_print_diags(run.d);
  if (rc == NARYN_OK && !run.args.quiet) {
    const char *cur = naryn_model_currency(m);
    double all_years = pts[0] ? naryn_result_years(pts[0]) : 1.0;
    double years = cli_per_year(all_years);
    printf("Trade-off between %s (x) and %s (y), millions of %s %s "
           "(costs positive)\n", run.args.x, run.args.y, cur, cli_a_year(all_years));
    printf("  %5s %16s %16s %16s\n", "point", "x", "y", "combined");
    for (int i = 0; i < n; i++) {
      if (!pts[i]) {
        printf("  %5d %16s\n", i + 1, "(not reached)");
        continue;
      }
      printf("  %5d %16.2f %16.2f %16.2f\n", i + 1,
             naryn_result_term(pts[i], kx, NULL) / years / 1e6,
             naryn_result_term(pts[i], ky, NULL) / years / 1e6,
             naryn_result_objective(pts[i]) / years / 1e6);
    }
    if (rules)
      printf("  %5s %16.2f %16.2f %16.2f\n", "rules",
             naryn_result_term(rules, kx, NULL) / years / 1e6,
             naryn_result_term(rules, ky, NULL) / years / 1e6,
             naryn_result_objective(rules) / years / 1e6);
    printf("\nCurve: %s/pareto.csv; plans: %s/point-NN/; rules: %s/rules/\n"
           "Report: %s/report.html\n", out, out, out, out);
  }
  naryn_result_free(rules);
  if (pts)
    for (int i = 0; i < n; i++) naryn_result_free(pts[i]);
  free(pts);
  return cli_finish(&run, cli_exit_status(rc));
}
