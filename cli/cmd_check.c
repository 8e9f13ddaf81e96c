/*
** cmd_check.c: "naryn check MODEL": reads a model and its data and reports
** every problem found, one per line, as FILE:LINE:COL: error: WHERE: WHAT.
*/
#include <stdio.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn check [MODEL] [--scenario FILE|NAME]...\n"
    "\n"
    "Reads MODEL (JSON or YAML; the built-in Naryn-Syr Darya model when none\n"
    "is given) and the CSV files it names, applies each scenario file in\n"
    "order, and reports every problem found (up to 20),\n"
    "one per line:\n"
    "  FILE:LINE:COL: error: WHERE: what was expected, got what was found\n"
    "\n"
    "Exit status: 0 when the model is valid, 1 when it is not, 2 for bad\n"
    "usage, 4 when a file cannot be read.\n";

int cmd_check(int argc, char **argv) {
  static const cli_spec spec = {"check", 0, 0, 0, 0, 0, 0, 0, 0};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  cli_print_diags(run.d); /* warnings */
  int n = naryn_model_steps(m), dl = naryn_model_is_daily(m) ? 10 : 7;
  printf("%s: ok: %d nodes, %d links, %d %s steps from %.*s to %.*s\n",
         run.args.model.model, naryn_model_node_count(m),
         naryn_model_link_count(m), n,
         cli_step_word(m, (char[16]){0}, 16), dl,
         naryn_model_step_date(m, 0), dl, naryn_model_step_date(m, n - 1));
  return cli_finish(&run, EXIT_OK);
}
