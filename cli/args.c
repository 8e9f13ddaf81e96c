/*
** args.c: the command-line options the naryn commands share.
**
** Options may come before or after the model, as "--name VALUE" or
** "--name=VALUE". Anything that starts with '-' and is not known is a
** usage error. Without a model file, the built-in Naryn-Syr Darya model
** is used.
*/
#include <math.h>
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

/* Keeps a copy of s owned by the arguments; NULL when out of memory. */
static const char *keep(cli_args *a, const char *s) {
  size_t n = strlen(s) + 1;
  char *copy = malloc(n);
  if (!copy) return NULL;
  memcpy(copy, s, n);
  a->owned[a->nowned++] = copy;
  return copy;
}

int cli_parse(int argc, char **argv, const cli_spec *spec, cli_args *out) {
  memset(out, 0, sizeof *out);
  out->gap_pct = out->time_limit_s = out->discount = NAN;
  out->cvar_alpha = out->cvar_lambda = NAN;
  out->select_every = -1;
  out->model.scenarios = calloc((size_t)argc + 1, sizeof(char *));
  out->owned = calloc((size_t)argc + 1, sizeof(char *));
  out->weights = calloc((size_t)argc + 1, sizeof(char *));
  out->energy = calloc((size_t)argc + 1, sizeof(char *));
  out->april = calloc((size_t)argc + 1, sizeof(char *));
  out->climate = calloc((size_t)argc + 1, sizeof(char *));
  if (!out->model.scenarios || !out->owned || !out->weights || !out->energy || !out->april ||
      !out->climate) {
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
    if (spec->compare && strcmp(a, "--compare") == 0) {
      out->compare = 1;
      continue;
    }
    if (spec->strict && strcmp(a, "--strict") == 0) {
      out->strict = 1;
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
    if ((v = option_value(argc, argv, &i, "--weight", &missing))) {
      if (!strchr(v, '=')) {
        cli_error("%s: expected --weight TERM=WEIGHT, got \"%s\"", spec->name, v);
        return EXIT_USAGE;
      }
      out->weights[out->nweights++] = v;
      continue;
    }
    if (spec->optimise &&
        (v = option_value(argc, argv, &i, "--write-lp", &missing))) {
      out->write_lp = v;
      continue;
    }
    if (spec->pareto && (v = option_value(argc, argv, &i, "--x", &missing))) {
      out->x = v;
      continue;
    }
    if (spec->pareto && (v = option_value(argc, argv, &i, "--y", &missing))) {
      out->y = v;
      continue;
    }
    if (spec->pareto && (v = option_value(argc, argv, &i, "--points", &missing))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || n < 2 || n > 1000) {
        cli_error("%s: expected --points between 2 and 1000, got \"%s\"",
                  spec->name, v);
        return EXIT_USAGE;
      }
      out->points = (int)n;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--members", &missing))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || n < 1 || n > 100000000) {
        cli_error("%s: expected --members between 1 and 100000000, got \"%s\"",
                  spec->name, v);
        return EXIT_USAGE;
      }
      out->members = n;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--members-file", &missing))) {
      out->members_file = v;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--energy-target", &missing))) {
      if (!strchr(v, '=')) {
        cli_error("%s: expected --energy-target COUNTRY=GWH, got \"%s\"", spec->name, v);
        return EXIT_USAGE;
      }
      out->energy[out->nenergy++] = v;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--april-below", &missing))) {
      if (!strchr(v, '=')) {
        cli_error("%s: expected --april-below RESERVOIR=HM3, got \"%s\"", spec->name, v);
        return EXIT_USAGE;
      }
      out->april[out->napril++] = v;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--inflows", &missing))) {
      out->inflows = v;
      continue;
    }
    if (spec->sddp) {
      static const char *const ints[] = {"--iterations", "--bound-samples", "--bound-every",
                                         "--stall", "--select-every", "--passes"};
      static const long lo[] = {1, 2, 1, 1, 0, 1};
      static const long hi[] = {1000000, 1000000, 1000000, 1000000, 1000000, 1024};
      int *dst[] = {&out->iterations, &out->bound_samples, &out->bound_every, &out->stall,
                    &out->select_every, &out->passes};
      int hit = 0;
      if (strcmp(a, "--multi-cut") == 0) out->multi_cut = 1, hit = 1;
      if (strcmp(a, "--bound-control") == 0) out->bound_control = 1, hit = 1;
      if (strcmp(a, "--gap-confident") == 0) out->gap_confident = 1, hit = 1;
      if (!hit && (v = option_value(argc, argv, &i, "--cut-log", &missing))) {
        out->cut_log = v;
        hit = 1;
      }
      for (int k = 0; k < 6 && !hit; k++)
        if ((v = option_value(argc, argv, &i, ints[k], &missing))) {
          char *end;
          long n = strtol(v, &end, 10);
          if (*v == '\0' || *end != '\0' || n < lo[k] || n > hi[k]) {
            cli_error("%s: expected %s between %ld and %ld, got \"%s\"", spec->name,
                      ints[k], lo[k], hi[k], v);
            return EXIT_USAGE;
          }
          *dst[k] = (int)n;
          hit = 1;
        }
      static const char *const reals[] = {"--gap", "--time-limit"};
      double *rdst[] = {&out->gap_pct, &out->time_limit_s};
      for (int k = 0; k < 2 && !hit; k++)
        if ((v = option_value(argc, argv, &i, reals[k], &missing))) {
          char *end;
          double x = strtod(v, &end);
          if (*v == '\0' || *end != '\0' || !(x >= 0) || x > 1e9) {
            cli_error("%s: expected %s a number from 0 to 1e9, got \"%s\"", spec->name,
                      reals[k], v);
            return EXIT_USAGE;
          }
          *rdst[k] = x;
          hit = 1;
        }
      if (!hit && (v = option_value(argc, argv, &i, "--discount", &missing))) {
        char *end;
        double x = strtod(v, &end);
        if (*v == '\0' || *end != '\0' || !(x > 0 && x < 1)) {
          cli_error("%s: expected --discount a factor above 0 and below 1, got \"%s\"",
                    spec->name, v);
          return EXIT_USAGE;
        }
        out->discount = x;
        hit = 1;
      }
      if (!hit && (v = option_value(argc, argv, &i, "--cvar", &missing))) {
        char *end, *end2;
        double x = strtod(v, &end), y = *end == ',' ? strtod(end + 1, &end2) : NAN;
        if (*v == '\0' || *end != ',' || *end2 != '\0' || !(x > 0 && x <= 1) ||
            !(y >= 0 && y <= 1)) {
          cli_error("%s: expected --cvar ALPHA,LAMBDA, the share of the dearest outcomes "
                    "above 0 and at most 1 and its weight from 0 to 1, got \"%s\"",
                    spec->name, v);
          return EXIT_USAGE;
        }
        out->cvar_alpha = x;
        out->cvar_lambda = y;
        hit = 1;
      }
      if (hit) continue;
    }
    if ((spec->ensemble || spec->sddp) &&
        (v = option_value(argc, argv, &i, "--seed", &missing))) {
      out->seed = v;
      continue;
    }
    if (spec->ensemble && (v = option_value(argc, argv, &i, "--climate", &missing))) {
      out->climate[out->nclimate++] = v;
      continue;
    }
    if (spec->ensemble && strcmp(a, "--per-step") == 0) {
      out->per_step = 1;
      continue;
    }
    if ((spec->share || spec->ensemble || spec->sddp) &&
        (v = option_value(argc, argv, &i, "--jobs", &missing))) {
      char *end;
      long n = strtol(v, &end, 10);
      if (*v == '\0' || *end != '\0' || n < 1 || n > 64) {
        cli_error("%s: expected --jobs between 1 and 64, got \"%s\"",
                  spec->name, v);
        return EXIT_USAGE;
      }
      out->jobs = (int)n;
      continue;
    }
    if (spec->policy && (v = option_value(argc, argv, &i, "--policy", &missing))) {
      out->policy = v;
      continue;
    }
    if (spec->policy && (v = option_value(argc, argv, &i, "--price-seed", &missing))) {
      out->price_seed = v;
      continue;
    }
    if (spec->share && (v = option_value(argc, argv, &i, "--order", &missing))) {
      out->order = v;
      continue;
    }
    if (spec->output && (v = option_value(argc, argv, &i, "--output", &missing))) {
      out->output = v;
      continue;
    }
    if (spec->output && (v = option_value(argc, argv, &i, "--format", &missing))) {
      if (strcmp(v, "csv") == 0) {
        out->format = NARYN_FORMAT_CSV;
      } else if (strcmp(v, "netcdf") == 0) {
        out->format = NARYN_FORMAT_NETCDF;
      } else {
        cli_error("%s: expected --format csv or --format netcdf, got \"%s\"",
                  spec->name, v);
        return EXIT_USAGE;
      }
      continue;
    }
    if (spec->output &&
        (v = option_value(argc, argv, &i, "--step-solver", &missing))) {
      if (strcmp(v, "auto") == 0) {
        out->step_solver = NARYN_STEP_AUTO;
      } else if (strcmp(v, "clp") == 0) {
        out->step_solver = NARYN_STEP_CLP;
      } else {
        cli_error("%s: expected --step-solver auto or --step-solver clp, got "
                  "\"%s\"", spec->name, v);
        return EXIT_USAGE;
      }
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
  if ((!isnan(out->gap_pct) || out->gap_confident) && out->cvar_lambda > 0) {
    cli_error("%s: expected %s without --cvar with a weight above 0: the lower bound is "
              "then of the risk-adjusted cost and no gap is measured; stop by --iterations, "
              "--time-limit or --stall", spec->name,
              isnan(out->gap_pct) ? "--gap-confident" : "--gap");
    return EXIT_USAGE;
  }
  if (out->price_seed && !out->policy) {
    cli_error("%s: expected --price-seed S only with --policy DIR (it draws the price "
              "states of that policy's Markov chain of prices)", spec->name);
    return EXIT_USAGE;
  }
  if (!out->model.model) {
    out->model.model = cli_builtin_model();
    out->builtin = 1;
    if (!out->model.model) {
      cli_error("%s: no model given, and the built-in Naryn-Syr Darya model "
                "was not found (set NARYN_DATADIR to the folder holding "
                "models/naryn/, or give a MODEL file)", spec->name);
      return EXIT_IO;
    }
  }
  for (int k = 0; k < out->model.nscenarios; k++) {
    char buf[4096];
    const char *path = cli_scenario_file(out->model.model,
                                         out->model.scenarios[k], buf, sizeof buf);
    if (path == buf && !(path = keep(out, buf))) {
      cli_error("out of memory");
      return EXIT_IO;
    }
    out->model.scenarios[k] = path;
  }
  return EXIT_OK;
}

void cli_args_free(cli_args *a) {
  for (int i = 0; i < a->nowned; i++) free(a->owned[i]);
  free(a->owned);
  free(a->model.scenarios);
  free(a->weights);
  free(a->energy);
  free(a->april);
  free(a->climate);
  a->owned = NULL;
  a->model.scenarios = NULL;
  a->weights = NULL;
  a->energy = a->april = a->climate = NULL;
}

int cli_start(int argc, char **argv, const cli_spec *spec, const char *help,
              cli_run *run) {
  run->d = NULL;
  run->m = NULL;
  cli_command_line(argc, argv, run->command, sizeof run->command);
  int rc = cli_parse(argc, argv, spec, &run->args);
  if (rc != EXIT_OK) return rc;
  cli_progress_start(run->args.quiet);
  cli_quiet_notes(run->args.quiet);
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
  if (rc == NARYN_OK && (rc = cli_apply_weights(&run->args, run->m, run->d)) != NARYN_OK)
    cli_print_diags(run->d);
  return rc == NARYN_OK ? -1 : cli_exit_status(rc);
}

void cli_command_line(int argc, char **argv, char *buf, size_t size) {
  size_t k = 0;
  int n = snprintf(buf, size, "naryn");
  k = n > 0 ? (size_t)n : 0;
  for (int i = 0; i < argc && k + 1 < size; i++) {
    const char *a = argv[i];
    int plain = a[0] != '\0';
    for (const char *c = a; *c && plain; c++)
      plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789-_./=:+,@%", *c) != NULL;
    if (k + 1 < size) buf[k++] = ' ';
    if (!plain && k + 1 < size) buf[k++] = '\'';
    for (const char *c = a; *c && k + 5 < size; c++) {
      if (*c == '\'') {
        memcpy(buf + k, "'\\''", 4);
        k += 4;
      } else {
        buf[k++] = *c;
      }
    }
    if (!plain && k + 1 < size) buf[k++] = '\'';
  }
  buf[k < size ? k : size - 1] = '\0';
}

int cli_apply_weights(const cli_args *a, naryn_model *m, naryn_diags *d) {
  for (int k = 0; k < a->nweights; k++) {
    const char *eq = strchr(a->weights[k], '=');
    char name[256];
    snprintf(name, sizeof name, "%.*s", (int)(eq - a->weights[k]), a->weights[k]);
    /* The same numbers as in a model file: no hexadecimal, inf or nan. */
    double w;
    if (naryn_parse_number(eq + 1, &w) != NARYN_OK) {
      cli_error("--weight %s: expected a decimal number after \"=\" as in a "
                "model file, got \"%s\"", a->weights[k], eq + 1);
      return NARYN_EARG;
    }
    int rc = naryn_model_set_weight(m, name, w, d);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}

int cli_output(const cli_args *a, const naryn_model *m, naryn_output *o,
               naryn_diags *d) {
  naryn_output_init(o);
  o->format = (naryn_format)a->format;
  if (!a->output) return NARYN_OK;
  int rc = naryn_output_parse(o, m, a->output, d);
  if (rc == NARYN_OK && !o->per_step && o->format == NARYN_FORMAT_NETCDF) {
    cli_error("--format netcdf: expected per-step values to write, got "
              "--output summary, which writes none");
    naryn_output_free(o);
    rc = NARYN_EARG;
  }
  return rc;
}

int cli_finish(cli_run *run, int status) {
  cli_progress_clear();
  naryn_model_free(run->m);
  naryn_diags_free(run->d);
  cli_args_free(&run->args);
  return status;
}

void cli_out_dir(const cli_run *run, const char *kind, char *out, size_t size) {
  const char *scen = naryn_model_scenario(run->m);
  if (run->args.out)
    snprintf(out, size, "%s", run->args.out);
  else
    snprintf(out, size, "results/%s/%s%s%s", naryn_model_name(run->m), scen,
             scen[0] ? "-" : "", kind);
}

int cli_prepare_output(cli_run *run, const char *out, naryn_output *o) {
  int rc = naryn_staging_check(out, run->d);
  if (rc == NARYN_OK) rc = cli_output(&run->args, run->m, o, run->d);
  if (rc != NARYN_OK) cli_print_diags(run->d);
  return rc;
}
