/*
** main.c: the naryn command: dispatches to its subcommands.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "naryn " NARYN_VERSION " - plans the operation of river, reservoir, "
    "hydropower and\nirrigation systems.\n"
    "\n"
    "Usage:\n"
    "  naryn check [MODEL] [--scenario FILE|NAME]...\n"
    "  naryn simulate [MODEL] [--scenario FILE|NAME]... [--out DIR] [--compare]\n"
    "                 [--weight TERM=W]... [--quiet]\n"
    "  naryn optimise [MODEL] [--scenario FILE|NAME]... [--out DIR]\n"
    "                 [--weight TERM=W]... [--write-lp FILE] [--quiet]\n"
    "  naryn pareto [MODEL] --x TERM --y TERM [--points N] [--out DIR] ...\n"
    "  naryn share [MODEL] [--jobs N] [--order A,B,...] [--out DIR] ...\n"
    "  naryn report DIR\n"
    "  naryn COMMAND --help\n"
    "  naryn --help | --version\n"
    "\n"
    "Commands:\n"
    "  check      read a model and report every problem found in it\n"
    "  simulate   step through the horizon allocating water by priority and\n"
    "             operating rules; write nodes.csv, links.csv, summary.csv,\n"
    "             objective.csv, run.csv\n"
    "  optimise   find the best plan over the whole horizon with perfect\n"
    "             foresight, and how far the operating rules fall short of it\n"
    "  pareto     trace the trade-off between two objective terms\n"
    "  share      what each country gains from cooperation, and the transfers\n"
    "             that share the gain (Shapley value, nucleolus, core)\n"
    "  report     draw DIR/report.html again from the results in DIR\n"
    "\n"
    "Every run also writes report.html, a self-contained page of tables and\n"
    "charts, beside its CSV files.\n"
    "\n"
    "MODEL is a JSON or YAML file (see doc/model-format.md); without it, the\n"
    "built-in Naryn-Syr Darya model is used, and \"naryn simulate\" compares it\n"
    "with each of its scenarios (\"naryn optimise\" adds the optimum). A scenario file has the same shape as a model\n"
    "and changes the fields it names; NAME is the model's scenarios/NAME.yaml.\n"
    "\n"
    "Exit status: 0 success, 1 bad input (including constraints that cannot\n"
    "all hold), 2 bad usage, 3 solver or numerical failure, 4 I/O failure or\n"
    "out of memory, 128 + N when stopped by signal N: 130 for Ctrl-C (SIGINT),\n"
    "143 for SIGTERM, 129 for SIGHUP. A stopped run says \"naryn: interrupted\"\n"
    "and publishes no results it had not finished; a second signal ends it at\n"
    "once.\n";

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
} commands[] = {
    {"check", cmd_check},
    {"simulate", cmd_simulate},
    {"optimise", cmd_optimise},
    {"optimize", cmd_optimise},
    {"pareto", cmd_pareto},
    {"report", cmd_report},
    {"share", cmd_share},
};

int main(int argc, char **argv) {
  /* Before anything else, so that every thread started later leaves
  ** these signals to the one thread that takes them. */
  cli_signals_start();
  if (argc < 2) {
    fputs(usage, stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    fputs(usage, stdout);
    return EXIT_OK;
  }
  if (strcmp(argv[1], "--version") == 0) {
    printf("naryn %s\n", naryn_version());
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return cli_signals_finish(commands[i].run(argc - 1, argv + 1));
  cli_error("unknown command \"%s\"; expected check, simulate, optimise, pareto, share or report (see naryn "
            "--help)", argv[1]);
  return EXIT_USAGE;
}
