/*
** args.c: the command-line options the naryn commands share.
**
** Options may come before or after the model, as "--name VALUE" or
** "--name=VALUE". Anything that starts with '-' and is not known is a
** usage error.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

/* Returns the value of option 'name' at argv[*i] ("--name V" or
** "--name=V"), advancing *i past it, or NULL when argv[*i] is another
** option. Sets *missing when the option has no value. */
static const char *option_value(int argc, char **argv, int *i, const char *name,
                                int *missing) {
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0) return NULL;
  if (a[n] == '=') return a + n + 1;
  if (a[n] != '\0') return NULL;
  if (*i + 1 >= argc) {
    *missing = 1;
    return NULL;
  }
  return argv[++*i];
}

int cli_parse(int argc, char **argv, const cli_spec *spec, cli_args *out) {
  memset(out, 0, sizeof *out);
  out->model.scenarios = calloc((size_t)argc + 1, sizeof(char *));
  if (!out->model.scenarios) {
    cli_error("out of memory");
    return EXIT_IO;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v;
    int missing = 0;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      out->help = 1;
      return EXIT_OK;
    }
    if (spec->quiet && (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)) {
      out->quiet = 1;
      continue;
    }
    if ((v = option_value(argc, argv, &i, "--scenario", &missing))) {
      out->model.scenarios[out->model.nscenarios++] = v;
      continue;
    }
    if (spec->out && (v = option_value(argc, argv, &i, "--out", &missing))) {
      out->out = v;
      continue;
    }
    if (missing) {
      cli_error("%s: expected a value after %s", spec->name, a);
      return EXIT_USAGE;
    }
    if (a[0] == '-' && a[1] != '\0') {
      cli_error("%s: unknown option \"%s\" (see naryn %s --help)", spec->name,
                a, spec->name);
      return EXIT_USAGE;
    }
    if (out->model.model) {
      cli_error("%s: expected one model file, got \"%s\" and \"%s\"",
                spec->name, out->model.model, a);
      return EXIT_USAGE;
    }
    out->model.model = a;
  }
  if (!out->model.model) {
    cli_error("%s: expected a model file (see naryn %s --help)", spec->name,
              spec->name);
    return EXIT_USAGE;
  }
  if (spec->out && !out->out) {
    cli_error("%s: expected --out DIR, the directory for the results",
              spec->name);
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

void cli_args_free(cli_args *a) {
  free(a->model.scenarios);
  a->model.scenarios = NULL;
}

int cli_start(int argc, char **argv, const cli_spec *spec, const char *help,
              cli_run *run) {
  run->d = NULL;
  run->m = NULL;
  int rc = cli_parse(argc, argv, spec, &run->args);
  if (rc != EXIT_OK) return rc;
  if (run->args.help) {
    fputs(help, stdout);
    return EXIT_OK;
  }
  run->d = naryn_diags_new(20);
  if (!run->d) {
    cli_error("out of memory");
    return EXIT_IO;
  }
  rc = cli_load(&run->args.model, &run->m, run->d);
  return rc == NARYN_OK ? -1 : cli_exit_status(rc);
}

int cli_finish(cli_run *run, int status) {
  naryn_model_free(run->m);
  naryn_diags_free(run->d);
  cli_args_free(&run->args);
  return status;
}
