/*
** args.h: parsing the options the naryn commands share.
*/
#ifndef NARYN_CLI_ARGS_H
#define NARYN_CLI_ARGS_H

#include "cli.h"

/* Which options a command accepts. */
typedef struct cli_spec {
  const char *name; /* the command, for messages */
  int out;          /* --out DIR is accepted */
  int quiet;        /* --quiet is accepted */
  int compare;      /* --compare is accepted */
  int optimise;     /* --write-lp FILE is accepted */
  int pareto;       /* --x, --y and --points are accepted */
  int share;        /* --jobs and --order are accepted */
  int output;       /* --output LIST and --format csv|netcdf are accepted */
  int ensemble;     /* --members N, --members-file FILE, --inflows FIT,
                    ** --seed S, --climate FILE, --energy-target,
                    ** --april-below, --per-step and --jobs are accepted */
  int strict;       /* --strict is accepted */
  int sddp;         /* --iterations, --gap, --time-limit, --bound-samples,
                    ** --bound-every, --stall, --discount, --cvar,
                    ** --multi-cut and --seed are accepted */
  int policy;       /* --policy DIR and --price-seed S are accepted */
} cli_spec;

typedef struct cli_args {
  cli_model_args model;
  const char *out;  /* NULL when not given */
  int quiet, help, compare;
  int strict;       /* --strict */
  int builtin;      /* no model was given: the built-in one is used */
  const char **weights; /* --weight TERM=W values, applied to every model */
  int nweights;
  const char *write_lp; /* --write-lp FILE */
  const char *x, *y;    /* --x TERM, --y TERM */
  int points;           /* --points N, 0 when not given */
  int jobs;             /* --jobs N, 0 when not given */
  const char *order;    /* --order A,B,C */
  const char *output;   /* --output LIST, NULL when not given */
  int format;           /* --format: a naryn_format, CSV when not given */
  int step_solver;      /* --step-solver: a naryn_step_solver, AUTO when not given */
  long members;         /* --members N, 0 when not given */
  const char *members_file; /* --members-file FILE */
  const char **energy;  /* --energy-target COUNTRY=GWH values */
  int nenergy;
  const char **april;   /* --april-below RESERVOIR=HM3 values */
  int napril;
  int per_step;         /* --per-step */
  const char *inflows;  /* --inflows FIT.yaml */
  const char *seed;     /* --seed S, NULL when not given */
  const char **climate; /* --climate FILE values */
  int nclimate;
  int iterations;       /* --iterations N, 0 when not given */
  int bound_samples, bound_every; /* 0 when not given */
  double gap_pct;       /* --gap PCT, NaN when not given */
  double time_limit_s;  /* --time-limit S, NaN when not given */
  double discount;      /* --discount D, NaN when not given */
  double cvar_alpha, cvar_lambda; /* --cvar ALPHA,LAMBDA, NaN when not given */
  int stall;            /* --stall N, 0 when not given */
  int multi_cut;        /* --multi-cut */
  int bound_control;    /* --bound-control */
  int gap_confident;    /* --gap-confident */
  const char *cut_log;  /* --cut-log FILE */
  int select_every;     /* --select-every N, -1 when not given */
  int passes;           /* --passes N, 0 when not given */
  const char *policy;   /* --policy DIR, NULL when not given */
  const char *price_seed; /* --price-seed S, NULL when not given */
  char **owned;     /* strings made while parsing, freed with the args */
  int nowned;
} cli_args;

/* Parses argv (argv[0] is the command name). Without a model file the
** built-in Naryn-Syr Darya model is used; a --scenario NAME that is not a
** file is looked for as scenarios/NAME.yaml beside the model. Returns
** EXIT_OK, or EXIT_USAGE after printing what is wrong; 'help' is set for
** --help. */
int cli_parse(int argc, char **argv, const cli_spec *spec, cli_args *out);
void cli_args_free(cli_args *a);

/* What a command that reads a model holds while it runs. */
typedef struct cli_run {
  cli_args args;
  naryn_diags *d;
  naryn_model *m;
  char command[4096]; /* the command line, quoted as a shell would need */
} cli_run;

/* The start every model command shares: parses the options (printing
** 'help' for --help), makes a diagnostics list and loads the model,
** printing what went wrong. Returns -1 when the command should go on with
** the model in run->m; otherwise the exit status to return after
** cli_finish. */
int cli_start(int argc, char **argv, const cli_spec *spec, const char *help,
              cli_run *run);
/* Applies every --weight TERM=W to a loaded model. Returns NARYN_OK, or
** NARYN_EARG after reporting in d what is wrong. */
int cli_apply_weights(const cli_args *a, naryn_model *m, naryn_diags *d);
/* Writes the command line "naryn COMMAND ARGS..." into buf, quoting each
** argument that a POSIX shell would need quoted. */
void cli_command_line(int argc, char **argv, char *buf, size_t size);
/* Fills o with what --output and --format ask the run of model m to
** write (naryn_output_init when neither was given). Returns NARYN_OK, or
** NARYN_EARG after reporting in d (or printing) what is wrong. Free o
** with naryn_output_free. */
int cli_output(const cli_args *a, const naryn_model *m, naryn_output *o,
               naryn_diags *d);
/* The folder a command writes: --out when given, else
** results/MODEL/KIND, or results/MODEL/SCENARIO-KIND for a scenario. */
void cli_out_dir(const cli_run *run, const char *kind, char *out, size_t size);
/* Before a run that writes the folder 'out': refuses a folder that cannot
** be replaced, then fills o as cli_output does. Prints what is wrong and
** returns the error, or NARYN_OK. */
int cli_prepare_output(cli_run *run, const char *out, naryn_output *o);
/* Frees what cli_start made; returns the exit status for 'status'. */
int cli_finish(cli_run *run, int status);

#endif
