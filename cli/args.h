/*
** args.h: parsing the options the naryn commands share.
*/
#ifndef NARYN_CLI_ARGS_H
#define NARYN_CLI_ARGS_H

#include "cli.h"

/* Which options a command accepts. */
typedef struct cli_spec {
  const char *name; /* the command, for messages */
  int out;          /* --out DIR is accepted and required */
  int quiet;        /* --quiet is accepted */
} cli_spec;

typedef struct cli_args {
  cli_model_args model;
  const char *out;
  int quiet, help;
} cli_args;

/* Parses argv (argv[0] is the command name). Returns EXIT_OK or
** EXIT_USAGE after printing what is wrong; 'help' is set for --help. */
int cli_parse(int argc, char **argv, const cli_spec *spec, cli_args *out);
void cli_args_free(cli_args *a);

#endif
