/*
** util.c: diagnostics printing, exit statuses and model loading for the
** naryn commands.
*/
/* realpath is an X/Open function. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_mpi_join(void) {
  naryn_mpi_start(NULL, NULL);
  if (naryn_mpi_rank() != 0 &&
      (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))) {
    naryn_mpi_stop();
    return EXIT_IO;
  }
  return EXIT_OK;
}

int cli_exit_status(int status) {
  switch (status) {
  case NARYN_OK:
    return EXIT_OK;
  case NARYN_ESYNTAX:
  case NARYN_EMODEL:
  case NARYN_EINFEAS:
    return EXIT_INPUT;
  case NARYN_EARG:
    return EXIT_USAGE;
  case NARYN_ESOLVER:
  case NARYN_EBALANCE:
    return EXIT_SOLVER;
  case NARYN_EINTR:
    return 128 + (cli_signal_received() ? cli_signal_received() : 2);
  default:
    return EXIT_IO;
  }
}

void cli_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cli_progress_clear();
  fputs("naryn: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

static int quiet_notes;

void cli_quiet_notes(int quiet) { quiet_notes = quiet; }

const char *cli_step_word(const naryn_model *m, char *buf, size_t size) {
  int days = naryn_model_step_days(m);
  if (days == 0) snprintf(buf, size, "monthly");
  else if (days == 1) snprintf(buf, size, "daily");
  else if (days == 7) snprintf(buf, size, "weekly");
  else snprintf(buf, size, "%d-day", days);
  return buf;
}

void cli_print_diags(const naryn_diags *d) {
  char line[8192];
  int shown_errors = 0;
  cli_progress_clear();
  for (int i = 0; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    if (quiet_notes && g->severity == NARYN_SEV_NOTE) continue;
    if (g->code == NARYN_EINTR) {
      /* Said once, in its own words. */
      if (g->severity == NARYN_SEV_ERROR) shown_errors++;
      fputs("naryn: interrupted\n", stderr);
      cli_interrupted_told();
      continue;
    }
    naryn_diag_format(g, line, sizeof line);
    /* Messages with no place in a file say who is speaking. */
    fprintf(stderr, "%s%s\n", g->file ? "" : "naryn: ", line);
    if (g->severity == NARYN_SEV_ERROR) shown_errors++;
  }
  int hidden = naryn_diags_errors(d) - shown_errors;
  if (hidden > 0)
    fprintf(stderr, "naryn: %d more error%s not shown\n", hidden,
            hidden == 1 ? "" : "s");
  /* Warnings past the list's cap are counted, never dropped unsaid. */
  int shown_warnings = 0;
  for (int i = 0; i < naryn_diags_count(d); i++)
    shown_warnings += naryn_diags_get(d, i)->severity == NARYN_SEV_WARNING;
  hidden = naryn_diags_warnings(d) - shown_warnings;
  if (hidden > 0)
    fprintf(stderr, "naryn: %d more warning%s not shown\n", hidden,
            hidden == 1 ? "" : "s");
}

int cli_load(const cli_model_args *args, naryn_model **out, naryn_diags *d) {
  int rc = naryn_model_load(args->model, args->scenarios, args->nscenarios,
                            out, d);
  if (rc != NARYN_OK) {
    cli_print_diags(d);
    int n = naryn_diags_errors(d);
    fprintf(stderr, "naryn: %s: %d error%s\n", args->model, n, n == 1 ? "" : "s");
  }
  return rc;
}

int cli_seed(const char *cmd, const char *opt, const char *text, uint64_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno || end == text || *end || text[0] == '-' || text[0] == '+') {
    cli_error("%s: expected %s to be a whole number from 0 to 18446744073709551615, got \"%s\"",
              cmd, opt, text);
    return -1;
  }
  *out = (uint64_t)v;
  return 0;
}

double cli_per_year(double years) { return years >= 1.0 - 1e-9 ? years : 1.0; }

const char *cli_a_year(double years) {
  return years >= 1.0 - 1e-9 ? "a year" : "over the horizon";
}

/* Prints yearly means per country and season, in hm3 (which never shows
** a small volume as 0.0 of a larger unit); a horizon shorter than a year
** gets its totals instead, as a mean "per year" of a few days would
** multiply them into a year the run never saw. */
/* The grids' energy by season, yearly means (or totals for a horizon
** shorter than a year), for a run that dispatched grids. */
static void print_grids(const naryn_result *r, double per, int whole) {
  int ng = naryn_result_grid_count(r);
  if (ng == 0) return;
  printf("\nGrids, %s in GWh (imports after line losses):\n",
         whole ? "yearly means" : "totals");
  printf("%-22s %-8s %10s %10s %10s %10s %10s %10s\n", "grid", "season",
         "demand", "hydro", "thermal", "imports", "exports", "unserved");
  for (int g = 0; g < ng; g++)
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      double v[NARYN_G_COUNT];
      naryn_result_grid_summary(r, g, (naryn_season)s, v);
      printf("%-22.22s %-8s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n",
             s == 0 ? naryn_result_grid_name(r, g) : "",
             naryn_season_name((naryn_season)s), v[NARYN_G_DEMAND_GWH] / per,
             v[NARYN_G_HYDRO_GWH] / per, v[NARYN_G_THERMAL_GWH] / per,
             (v[NARYN_G_IMPORT_LINES_GWH] + v[NARYN_G_IMPORT_MARKET_GWH]) / per,
             (v[NARYN_G_EXPORT_LINES_GWH] + v[NARYN_G_EXPORT_MARKET_GWH]) / per,
             v[NARYN_G_UNSERVED_GWH] / per);
    }
}

void cli_print_table(const naryn_model *m, const naryn_result *r) {
  double years = naryn_result_years(r);
  int nc = naryn_result_country_count(r);
  int whole = years >= 1.0 - 1e-9;
  double per = cli_per_year(years);
  if (whole)
    printf("\nYearly means over %.1f years (hm3 = million m3):\n", years);
  else
    printf("\nTotals over the horizon's %.0f days (shorter than a year, so not "
           "yearly means; hm3 = million m3):\n", years * 365.25);
  printf("%-22s %-8s %12s %14s %12s %12s %12s\n", "country", "season",
         "energy GWh", "irrig. hm3", "short hm3", "spill hm3", "to sinks hm3");
  for (int c = 0; c <= nc; c++) {
    const char *code = c < nc ? naryn_result_country(r, c) : NULL;
    char label[64];
    if (!code)
      snprintf(label, sizeof label, "all");
    else if (!code[0])
      snprintf(label, sizeof label, "(no country)");
    else if (strcmp(naryn_model_country_name(m, code), code) != 0)
      snprintf(label, sizeof label, "%s %s", code, naryn_model_country_name(m, code));
    else
      snprintf(label, sizeof label, "%s", code);
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      naryn_summary sum;
      naryn_result_summary(r, code, (naryn_season)s, &sum);
      printf("%-22.22s %-8s %12.1f %14.1f %12.1f %12.1f %12.1f\n",
             s == 0 ? label : "", naryn_season_name((naryn_season)s),
             sum.energy_gwh / per, sum.irrigation_delivered_hm3 / per,
             sum.irrigation_shortage_hm3 / per, sum.spill_hm3 / per,
             sum.sink_inflow_hm3 / per);
    }
  }
  print_grids(r, per, whole);
}

/* Makes 'path' absolute and drops ".", ".." and repeated slashes,
** resolving the longest leading part that exists through realpath, so
** that a symbolic link to a folder counts as that folder. */
static void absolute_path(const char *path, char *buf, size_t size) {
  char joined[8192];
  if (path[0] == '/' || !getcwd(joined, sizeof joined))
    snprintf(joined, sizeof joined, "%s", path);
  else {
    size_t n = strlen(joined);
    snprintf(joined + n, sizeof joined - n, "/%s", path);
  }
  /* The longest existing prefix, ending at a slash or the end. */
  size_t cut = strlen(joined);
  char head[8192], real[PATH_MAX];
  for (;;) {
    snprintf(head, sizeof head, "%.*s", (int)cut, joined);
    if (cut > 0 && realpath(head, real)) break;
    while (cut > 0 && joined[cut - 1] != '/') cut--;
    if (cut == 0) {
      snprintf(real, sizeof real, "/");
      break;
    }
    cut--;
  }
  snprintf(buf, size, "%s", real);
  /* The rest, lexically, without "." and empty components. */
  const char *p = joined + cut;
  while (*p) {
    while (*p == '/') p++;
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == 2 && p[0] == '.' && p[1] == '.') {
      char *slash = strrchr(buf, '/');
      if (slash && slash != buf) *slash = '\0';
      else snprintf(buf, size, "/");
    } else if (len > 0 && !(len == 1 && p[0] == '.')) {
      size_t n = strlen(buf);
      snprintf(buf + n, size - n, "%s%.*s", n > 0 && buf[n - 1] == '/' ? "" : "/",
               (int)len, p);
    }
    p += len;
  }
}

int cli_path_inside(const char *path, const char *dir) {
  char a[8192], b[8192];
  absolute_path(path, a, sizeof a);
  absolute_path(dir, b, sizeof b);
  size_t n = strlen(b);
  return strcmp(a, b) == 0 || (strncmp(a, b, n) == 0 && (a[n] == '/' || b[n - 1] == '/'));
}
