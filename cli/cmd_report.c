/*
** cmd_report.c: "naryn report DIR": draws DIR/report.html again from the
** results already in DIR, for a run, a comparison of runs, a trade-off
** curve or a benefit-sharing game.
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char help[] =
    "Usage: naryn report DIR [--quiet]\n"
    "\n"
    "Draws DIR/report.html from the results already in DIR: the files of a\n"
    "run of naryn simulate or naryn optimise, a comparison of runs\n"
    "(compare.csv and a folder per run), a trade-off curve of naryn pareto\n"
    "(pareto.csv and a folder per point) or a benefit-sharing game of naryn\n"
    "share (game.csv and its companions). The page is one self-contained\n"
    "file: inline charts and styles, no scripts, nothing fetched, so it can\n"
    "be mailed, opened offline and printed. Runs write it themselves; this\n"
    "command draws it again, for example after results were copied from\n"
    "another machine or written by an earlier version.\n"
    "\n"
    "  --quiet   print nothing but errors\n"
    "\n"
    "Exit status: 0 success, 2 bad usage, 4 a results file is missing or\n"
    "malformed, or the report cannot be written.\n";

int cmd_report(int argc, char **argv) {
  const char *dir = NULL;
  int quiet = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      fputs(help, stdout);
      return EXIT_OK;
    } else if (strcmp(argv[i], "--quiet") == 0) {
      quiet = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      cli_error("report: unknown option \"%s\" (see naryn report --help)", argv[i]);
      return EXIT_USAGE;
    } else if (dir) {
      cli_error("report: expected one folder, got \"%s\" and \"%s\"", dir, argv[i]);
      return EXIT_USAGE;
    } else {
      dir = argv[i];
    }
  }
  if (!dir) {
    cli_error("report: expected the folder of a run's results (see naryn report --help)");
    return EXIT_USAGE;
  }
  naryn_diags *d = naryn_diags_new(20);
  if (!d) {
    cli_error("out of memory");
    return EXIT_IO;
  }
  int rc = naryn_report_write(dir, d);
  cli_print_diags(d);
  naryn_diags_free(d);
  if (rc == NARYN_OK && !quiet) printf("Report: %s/report.html\n", dir);
  return cli_exit_status(rc);
}
