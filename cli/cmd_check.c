/*
** cmd_check.c: "naryn check MODEL": reads a model and its data and reports
** every problem found, one per line, as FILE:LINE:COL: error: WHERE: WHAT,
** then warns of implausible magnitudes (naryn_model_plausible), which
** --strict refuses.
*/
#include <stdio.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn check [MODEL] [--scenario FILE|NAME]... [--strict]\n"
    "\n"
    "Reads MODEL (JSON or YAML; the built-in Naryn-Syr Darya model when none\n"
    "is given) and the CSV files it names, applies each scenario file in\n"
    "order, and reports every problem found (up to 20),\n"
    "one per line:\n"
    "  FILE:LINE:COL: error: WHERE: what was expected, got what was found\n"
    "\n"
    "It also warns of magnitudes that a valid model may hold but that are\n"
    "more likely a mistake of units: a demand or minimum flow wanting more\n"
    "than all the water that can reach it, an inflow a thousand times the\n"
    "model's others (or a thousandth), a field in m3/s read from a CSV\n"
    "column named for a volume (or the other way round). Each warning names\n"
    "the field and the numbers it compared.\n"
    "\n"
    "  --strict   refuse a model with such a warning (exit status 1)\n"
    "\n"
    "Exit status: 0 when the model is valid, 1 when it is not (or, with\n"
    "--strict, when it is implausible), 2 for bad usage, 4 when a file\n"
    "cannot be read.\n";

int cmd_check(int argc, char **argv) {
  static const cli_spec spec = {"check", 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  /* Magnitudes that are more likely a mistake of units, as warnings. */
  int implausible = 0;
  if (naryn_model_plausible(m, run.d, &implausible) != NARYN_OK) {
    cli_print_diags(run.d);
    return cli_finish(&run, EXIT_IO);
  }
  cli_print_diags(run.d); /* warnings */
  if (run.args.strict && implausible > 0) {
    cli_error("check: --strict refuses %s: %d implausible magnitude%s (the warnings "
              "above)", run.args.model.model, implausible, implausible == 1 ? "" : "s");
    return cli_finish(&run, EXIT_INPUT);
  }
  int n = naryn_model_steps(m), dl = naryn_model_is_daily(m) ? 10 : 7;
  printf("%s: ok: %d nodes, %d links, %d %s steps from %.*s to %.*s\n",
         run.args.model.model, naryn_model_node_count(m),
         naryn_model_link_count(m), n,
         cli_step_word(m, (char[16]){0}, 16), dl,
         naryn_model_step_date(m, 0), dl, naryn_model_step_date(m, n - 1));
  return cli_finish(&run, EXIT_OK);
}
