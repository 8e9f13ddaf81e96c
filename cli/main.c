/*
** main.c: the naryn command: dispatches to its subcommands.
*/
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

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
    "  naryn ensemble [MODEL] --members-file FILE [--members N] [--compare]\n"
    "                 [--jobs N] [--out DIR] ...\n"
    "  naryn report DIR\n"
    "  naryn inflows fit RECORD.csv --out FIT.yaml [--method par|kirsch] ...\n"
    "  naryn inflows generate FIT.yaml --start YYYY-MM --years N --seed S\n"
    "                 [--members M] [--climate FILE]... --out FILE.csv\n"
    "  naryn sddp MODEL [--iterations N] [--gap PCT] [--seed S] [--out DIR] ...\n"
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
    "  ensemble   simulate the model over many inflow members, on every core\n"
    "             and across MPI processes; reliability, resilience,\n"
    "             vulnerability and the spread of every yearly figure\n"
    "  report     draw DIR/report.html again from the results in DIR\n"
    "  inflows    fit a model of monthly inflows to a record (PAR(p) or\n"
    "             Kirsch-Nowak), and draw seeded synthetic series from it\n"
    "  sddp       train an operating policy across the model's inflow\n"
    "             outcomes by stochastic dual dynamic programming\n"
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
    {"ensemble", cmd_ensemble},
    {"inflows", cmd_inflows},
    {"sddp", cmd_sddp},
};

/* Tunes glibc's allocator for a process that solves thousands of small
** LPs in a row. The simulator re-solves its step LP with CLP once or more
** per step, and CLP allocates its work arrays and factorisation at the
** start of each solve and frees them at the end. With glibc's defaults the
** freed top of the heap is given back to the kernel after each solve
** (trimmed) and taken again by the next, and blocks above the dynamic
** mmap threshold are mapped and unmapped each time: in a fresh process
** that made a third of the simulation's time page faults and system calls
** (doc/performance.md). So the heap keeps up to 64 MB of free top before
** trimming, grows 1 MB at a time, and blocks under 4 MB come from the heap
** rather than from mmap. The result arrays, far larger, are still mapped
** and given back whole. The command owns the process, so it sets this
** here; the library leaves the process's allocator alone (keeping CLP's
** arrays alive between solves inside the library changes CLP's pivoting
** and so the results). */
static void tune_allocator(void) {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
}

int main(int argc, char **argv) {
  tune_allocator();
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
    printf("naryn %s%s\n", naryn_version(), naryn_mpi_built() ? " (with MPI)" : "");
    return EXIT_OK;
  }
  for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return cli_signals_finish(commands[i].run(argc - 1, argv + 1));
  cli_error("unknown command \"%s\"; expected check, simulate, optimise, pareto, share, ensemble, "
            "report, inflows or sddp (see naryn --help)", argv[1]);
  return EXIT_USAGE;
}
