/*
** cli.h: what the command files of the naryn tool share. The tool uses the
** library only through the public header naryn.h.
*/
#ifndef NARYN_CLI_H
#define NARYN_CLI_H

#include <stdio.h>

#include "naryn.h"

/* Exit statuses of the naryn command. */
enum {
  EXIT_OK = 0,
  EXIT_INPUT = 1,  /* the model or its data is wrong, or cannot all hold */
  EXIT_USAGE = 2,  /* the command line is wrong */
  EXIT_SOLVER = 3, /* the LP solver failed or the numbers do not check */
  EXIT_IO = 4      /* a file could not be read or written, or out of memory */
};

/* Options the model-reading commands share. */
typedef struct cli_model_args {
  const char *model;
  const char **scenarios;
  int nscenarios;
} cli_model_args;

/* Joins the MPI job (naryn_mpi_start) for a command every process runs and
** rank 0 alone speaks for: any other process prints nothing. EXIT_OK, or
** EXIT_IO when its output cannot be silenced. */
int cli_mpi_join(void);

/* Maps a library status to the command's exit status; NARYN_EINTR to 128
** plus the number of the signal that stopped the run (130 for Ctrl-C). */
int cli_exit_status(int status);

/* Ctrl-C, SIGTERM and SIGHUP (signals.c). cli_signals_start blocks them in
** the calling thread, so in every thread started after it, and starts the
** thread that takes them: the first asks the library to stop, a second
** exits at once. Call it first thing in main. */
void cli_signals_start(void);
/* The number of the first signal taken, or 0. */
int cli_signal_received(void);
/* Records that "naryn: interrupted" has been printed. */
void cli_interrupted_told(void);
/* The command's exit status: 'status', or after a signal 128 + its number,
** printing "naryn: interrupted" unless it was printed already. */
int cli_signals_finish(int status);
/* Prints every diagnostic of d on stderr, one per line, and a count of the
** errors that were found but not kept. */
void cli_print_diags(const naryn_diags *d);
/* The word for a model's steps in a heading, "daily", "weekly", "10-day"
** or "monthly", written into buf (at least 16 bytes) and returned. */
const char *cli_step_word(const naryn_model *m, char *buf, size_t size);
/* With --quiet, cli_print_diags leaves out notes (errors and warnings
** are still printed). */
void cli_quiet_notes(int quiet);
/* Prints "naryn: <message>" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints yearly means per country and season of a run. */
void cli_print_table(const naryn_model *m, const naryn_result *r);
/* What a run's totals are divided by for the tables: its years, or 1 for
** a horizon shorter than a year, whose totals are printed as they are
** rather than extrapolated to a year; and the words that say which ("a
** year" or "over the horizon"). */
/* Reads the random seed 'text' given to option 'opt' of command 'cmd': a
** whole number of 64 bits, in decimal. 0, or -1 after saying what is
** wrong. */
int cli_seed(const char *cmd, const char *opt, const char *text, uint64_t *out);
double cli_per_year(double years);
const char *cli_a_year(double years);
/* 1 when 'path' names 'dir' or something inside it (symbolic links to
** existing folders followed), else 0. */
int cli_path_inside(const char *path, const char *dir);
/* Loads the model named in args, printing what went wrong on failure. */
int cli_load(const cli_model_args *args, naryn_model **out, naryn_diags *d);

/* Path of the built-in Naryn-Syr Darya model, or NULL when not found. */
const char *cli_builtin_model(void);
/* Resolves a --scenario value: a file that exists, or else NAME taken as
** the model's own scenarios/NAME.yaml when that exists; otherwise NAME is
** returned unchanged (and reading it reports the error). */
const char *cli_scenario_file(const char *model, const char *name, char *buf,
                              size_t size);

struct cli_run;
/* Runs the model as loaded in 'base' and each scenario it lists, writing
** each run's results into OUT/NAME, and prints them side by side; with
** with_optimum, also the model's optimised plan in OUT/optimum. Returns a
** library status. */
int cli_compare(const struct cli_run *base, const char *out, int with_optimum);

/* The status line of long runs (progress.c). It is drawn on stderr only
** when stderr is a terminal, --quiet was not given and the command has run
** for more than NARYN_PROGRESS_DELAY_S seconds (default 1). */

/* Starts the clock of the command and decides whether to show progress. */
void cli_progress_start(int quiet);
/* Fills o with the defaults and, when progress is shown, the callback. */
void cli_progress_sim(naryn_sim_opts *o);
void cli_progress_opt(naryn_opt_opts *o);
/* Says that run k of n, called 'name', starts; 'more_alike' runs of the
** same kind follow it, and then 'then' (e.g. "the optimum"; NULL for
** nothing), whose length is not estimated. */
void cli_progress_run(int k, int n, const char *name, int more_alike,
                      const char *then);
/* The library's progress callback; 'user' is unused. */
void cli_progress_report(void *user, const naryn_progress *p);
/* Removes the status line, if one is shown, so that the next text starts
** on a clean line. Diagnostics, reports and the command's end call it. */
void cli_progress_clear(void);

int cmd_check(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_optimise(int argc, char **argv);
int cmd_pareto(int argc, char **argv);
int cmd_sddp(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_share(int argc, char **argv);
int cmd_ensemble(int argc, char **argv);
int cmd_inflows(int argc, char **argv);

#endif
