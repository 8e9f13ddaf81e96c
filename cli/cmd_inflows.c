/*
** cmd_inflows.c: "naryn inflows fit" and "naryn inflows generate": a
** synthetic-inflow model fitted to a monthly record, its validation
** against the record, and synthetic series drawn from it (doc/inflows.md).
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn inflows fit RECORD.csv --out FIT.yaml [--method par|kirsch]\n"
    "                         [--sites NAME[=COLUMN],...] [--transform log|boxcox]\n"
    "                         [--criterion bic|aic] [--max-order P]\n"
    "                         [--rescale STATS.csv] [--validate-years N]\n"
    "                         [--seed S] [--quiet]\n"
    "       naryn inflows generate FIT.yaml --start YYYY-MM --years N --seed S\n"
    "                         [--members M] [--climate FILE]... --out FILE.csv\n"
    "                         [--quiet]\n"
    "\n"
    "fit: fits a model of monthly inflows to RECORD.csv (a column \"date\",\n"
    "YYYY-MM, and one column of flows in m3/s per site, every month given)\n"
    "and writes it to FIT.yaml. All sites are fitted at once, so that the\n"
    "synthetic series keep their correlation. Then it draws a long series\n"
    "and prints it beside the record (monthly means, standard deviations,\n"
    "skew, lag-one correlations, correlations between sites, water-year\n"
    "volumes and droughts), and writes the same figures to validation.csv\n"
    "beside FIT.yaml.\n"
    "\n"
    "  --method par      a periodic autoregressive model PAR(p) of the\n"
    "                    standardised log flows, the order per site and\n"
    "                    month chosen by BIC (the default)\n"
    "  --method kirsch   the Kirsch-Nowak resampling of the record's years\n"
    "  --sites LIST      the sites, NAME for the column NAME or NAME=COLUMN\n"
    "                    (default: every column)\n"
    "  --transform T     log (the default) or boxcox, fitted per month\n"
    "  --criterion C     bic (the default) or aic, to choose PAR orders\n"
    "  --max-order P     the highest PAR order tried, 0 to 3 (default 3)\n"
    "  --rescale FILE    rescale each site's record first to the monthly\n"
    "                    means and annual CV of its row in FILE (columns\n"
    "                    series, cv_annual, jan ... dec)\n"
    "  --validate-years N  years drawn for the validation (default 1000)\n"
    "  --seed S          the seed of the validation's draw (default 1)\n"
    "\n"
    "generate: draws M series (members) of N years of monthly flows from\n"
    "the month YYYY-MM and writes them to FILE.csv, a column \"date\" and a\n"
    "column per site; with M > 1, a first column \"member\" (0 to M - 1).\n"
    "Member k of seed S is the same series whatever M is, on any machine.\n"
    "\n"
    "  --climate FILE    apply a climate-shift file (melt_shift_weeks,\n"
    "                    annual_change_pct, glacier); repeatable, in order\n"
    "\n"
    "  --quiet           print nothing but errors\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage, 4 I/O failure.\n";

/* Reads a whole number from lo to hi; prints what is wrong. */
static int whole(const char *opt, const char *text, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi) {
    cli_error("inflows: expected %s to be a whole number from %ld to %ld, got \"%s\"", opt, lo,
              hi, text);
    return -1;
  }
  *out = v;
  return 0;
}

static int seed_of(const char *text, uint64_t *out) { return cli_seed("inflows", "--seed", text, out); }

/* The command line without "--out X" and "--quiet", for the files'
** first lines: what makes the file again, wherever it is written. */
static void command_without_out(int argc, char **argv, char *buf, size_t size) {
  char *kept[256];
  int n = 0;
  for (int i = 0; i < argc && n < 256; i++) {
    if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
      i++;
      continue;
    }
    if (strcmp(argv[i], "--quiet") == 0) continue;
    kept[n++] = argv[i];
  }
  cli_command_line(n, kept, buf, size);
}

/* The history and synthetic values of one validation figure. */
static void figure(const naryn_inflow_validation *v, const char *site, const char *stat,
                   const char *period, double *h, double *s) {
  *h = *s = NAN;
  for (int i = 0; i < naryn_inflow_validation_rows(v); i++) {
    const char *a, *b, *c;
    double x, y;
    naryn_inflow_validation_row(v, i, &a, &b, &c, &x, &y);
    if (strcmp(a, site) == 0 && strcmp(b, stat) == 0 && strcmp(c, period) == 0) {
      *h = x, *s = y;
      return;
    }
  }
}

static void print_validation(const naryn_inflow_fit *f, const naryn_inflow_validation *v,
                             uint64_t seed) {
  static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
  int hy, sy;
  naryn_inflow_validation_years(v, &hy, &sy);
  printf("Validation: the record (%d water years) against %d synthetic water years (seed "
         "%llu). Each pair of columns is record, synthetic.\n",
         hy, sy, (unsigned long long)seed);
  int n = naryn_inflow_fit_sites(f);
  for (int s = 0; s < n; s++) {
    const char *site = naryn_inflow_fit_site(f, s);
    printf("\n%s\n  %-5s %17s %17s %13s %13s\n", site, "month", "mean m3/s", "sd m3/s", "skew",
           "lag-1 corr");
    for (int m = 0; m < 12; m++) {
      double h[4], y[4];
      static const char *const st[] = {"mean_m3s", "sd_m3s", "skew", "lag1"};
      for (int k = 0; k < 4; k++) figure(v, site, st[k], months[m], &h[k], &y[k]);
      printf("  %-5s %8.1f %8.1f %8.1f %8.1f %6.2f %6.2f %6.2f %6.2f\n", months[m], h[0], y[0],
             h[1], y[1], h[2], y[2], h[3], y[3]);
    }
    static const char *const pct[] = {"mean", "min", "p05", "p10", "p25", "p50",
                                      "p75", "p90", "p95", "max"};
    printf("  water-year volume, km3:\n  %-9s", "");
    for (int k = 0; k < 10; k++) printf(" %6s", pct[k]);
    printf(" %6s %6s\n", "cv", "lag-1");
    for (int which = 0; which < 2; which++) {
      printf("  %-9s", which ? "synthetic" : "record");
      for (int k = 0; k < 10; k++) {
        double h, y;
        figure(v, site, "annual_km3", pct[k], &h, &y);
        printf(" %6.2f", which ? y : h);
      }
      double h, y, h2, y2;
      figure(v, site, "annual_cv", "year", &h, &y);
      figure(v, site, "annual_lag1", "year", &h2, &y2);
      printf(" %6.3f %6.2f\n", which ? y : h, which ? y2 : h2);
    }
    static const char *const dr[] = {"drought_per_100y", "drought_mean_years",
                                     "drought_longest_years", "drought_mean_deficit_km3",
                                     "drought_largest_deficit_km3"};
    printf("  droughts (runs of water years below the record's median volume):\n"
           "  %-9s %9s %12s %12s %12s %12s\n", "", "per 100 y", "mean years", "longest",
           "mean km3", "largest km3");
    for (int which = 0; which < 2; which++) {
      printf("  %-9s", which ? "synthetic" : "record");
      for (int k = 0; k < 5; k++) {
        double h, y;
        figure(v, site, dr[k], "year", &h, &y);
        printf(k ? " %12.2f" : " %9.1f", which ? y : h);
      }
      printf("\n");
    }
  }
  if (n > 1) {
    printf("\nCorrelation between sites, record and synthetic: of water-year volumes, and of "
           "the flows of May and of January\n");
    for (int i = 0; i < n; i++)
      for (int j = i + 1; j < n; j++) {
        char pair[512];
        snprintf(pair, sizeof pair, "%s:%s", naryn_inflow_fit_site(f, i), naryn_inflow_fit_site(f, j));
        double a, b, c, dd, e, g;
        figure(v, pair, "corr", "year", &a, &b);
        figure(v, pair, "corr", "may", &c, &dd);
        figure(v, pair, "corr", "jan", &e, &g);
        printf("  %-40s %5.2f %5.2f   %5.2f %5.2f   %5.2f %5.2f\n", pair, a, b, c, dd, e, g);
      }
  }
}

/* The folder part of path, with a slash, for validation.csv beside it. */
static void beside(const char *path, const char *name, char *buf, size_t size) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(buf, size, "%s", name);
  else snprintf(buf, size, "%.*s/%s", (int)(slash - path), path, name);
}

static int cmd_fit(int argc, char **argv) {
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  const char *record = NULL, *out = NULL;
  long validate_years = 1000;
  uint64_t seed = 1;
  int quiet = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has = i + 1 < argc;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(help, stdout);
      return EXIT_OK;
    } else if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] == '-' && !has) {
      cli_error("%s: expected a value after %s", "inflows fit", a);
      return EXIT_USAGE;
    } else if (strcmp(a, "--out") == 0) {
      out = argv[++i];
    } else if (strcmp(a, "--sites") == 0) {
      o.sites = argv[++i];
    } else if (strcmp(a, "--rescale") == 0) {
      o.rescale = argv[++i];
    } else if (strcmp(a, "--method") == 0 || strcmp(a, "--transform") == 0 ||
               strcmp(a, "--criterion") == 0) {
      const char *v = argv[++i];
      static const char *const word[3][2] = {{"par", "kirsch"}, {"log", "boxcox"}, {"bic", "aic"}};
      int k = a[2] == 'm' ? 0 : a[2] == 't' ? 1 : 2;
      int pick = strcmp(v, word[k][0]) == 0 ? 0 : strcmp(v, word[k][1]) == 0 ? 1 : -1;
      if (pick < 0) {
        cli_error("inflows fit: expected %s %s or %s, got \"%s\"", a, word[k][0], word[k][1], v);
        return EXIT_USAGE;
      }
      if (k == 0) o.method = pick ? NARYN_INFLOW_KIRSCH : NARYN_INFLOW_PAR;
      else if (k == 1) o.boxcox = pick;
      else o.aic = pick;
    } else if (strcmp(a, "--max-order") == 0) {
      long p;
      if (whole(a, argv[++i], 0, 3, &p)) return EXIT_USAGE;
      o.max_order = (int)p;
    } else if (strcmp(a, "--validate-years") == 0) {
      if (whole(a, argv[++i], 3, 1000000, &validate_years)) return EXIT_USAGE;
    } else if (strcmp(a, "--seed") == 0) {
      if (seed_of(argv[++i], &seed)) return EXIT_USAGE;
    } else if (a[0] == '-' && a[1] != '\0') {
      cli_error("%s: unknown option \"%s\" (see naryn %s --help)", "inflows fit", a, "inflows");
      return EXIT_USAGE;
    } else if (record) {
      cli_error("inflows fit: expected one record file, got \"%s\" and \"%s\"", record, a);
      return EXIT_USAGE;
    } else {
      record = a;
    }
  }
  if (!record || !out) {
    cli_error("inflows fit: expected a record file and --out FIT.yaml (see naryn inflows --help)");
    return EXIT_USAGE;
  }
  char command[4096], vpath[4096];
  command_without_out(argc + 1, argv - 1, command, sizeof command);
  o.command = command;
  naryn_diags *d = naryn_diags_new(20);
  if (!d) {
    cli_error("out of memory");
    return EXIT_IO;
  }
  naryn_inflow_fit *f = NULL;
  naryn_inflow_validation *v = NULL;
  int rc = naryn_inflow_fit_record(record, &o, &f, d);
  if (rc == NARYN_OK) rc = naryn_inflow_validate(f, (int)validate_years, seed, &v, d);
  beside(out, "validation.csv", vpath, sizeof vpath);
  if (rc == NARYN_OK) rc = naryn_inflow_fit_write(f, out, d);
  if (rc == NARYN_OK) rc = naryn_inflow_validation_write(v, vpath, d);
  cli_print_diags(d);
  if (rc == NARYN_OK && !quiet) {
    print_validation(f, v, seed);
    printf("\nFit: %s\nValidation: %s\n", out, vpath);
  }
  naryn_inflow_validation_free(v);
  naryn_inflow_fit_free(f);
  naryn_diags_free(d);
  return cli_exit_status(rc);
}

static int cmd_generate(int argc, char **argv) {
  const char *fit = NULL, *out = NULL, *start = NULL;
  const char *climate[64];
  int nclimate = 0, quiet = 0, have_seed = 0;
  long years = 0, members = 1;
  uint64_t seed = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has = i + 1 < argc;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      fputs(help, stdout);
      return EXIT_OK;
    } else if (strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] == '-' && !has) {
      cli_error("%s: expected a value after %s", "inflows generate", a);
      return EXIT_USAGE;
    } else if (strcmp(a, "--out") == 0) {
      out = argv[++i];
    } else if (strcmp(a, "--start") == 0) {
      start = argv[++i];
    } else if (strcmp(a, "--years") == 0) {
      if (whole(a, argv[++i], 1, 10000, &years)) return EXIT_USAGE;
    } else if (strcmp(a, "--members") == 0) {
      if (whole(a, argv[++i], 1, 100000000, &members)) return EXIT_USAGE;
    } else if (strcmp(a, "--seed") == 0) {
      if (seed_of(argv[++i], &seed)) return EXIT_USAGE;
      have_seed = 1;
    } else if (strcmp(a, "--climate") == 0) {
      if (nclimate == 64) {
        cli_error("inflows generate: expected at most 64 --climate files");
        return EXIT_USAGE;
      }
      climate[nclimate++] = argv[++i];
    } else if (a[0] == '-' && a[1] != '\0') {
      cli_error("%s: unknown option \"%s\" (see naryn %s --help)", "inflows generate", a,
                "inflows");
      return EXIT_USAGE;
    } else if (fit) {
      cli_error("inflows generate: expected one fit file, got \"%s\" and \"%s\"", fit, a);
      return EXIT_USAGE;
    } else {
      fit = a;
    }
  }
  if (!fit || !out || !start || !years || !have_seed) {
    cli_error("inflows generate: expected a fit file, --start YYYY-MM, --years N, --seed S and "
              "--out FILE.csv (see naryn inflows --help)");
    return EXIT_USAGE;
  }
  char command[4096], comment[4300];
  command_without_out(argc + 1, argv - 1, command, sizeof command);
  snprintf(comment, sizeof comment,
           "Synthetic monthly inflows, m3/s: %s\nNot observed data: drawn from a model fitted "
           "to a record (doc/inflows.md).",
           command);
  naryn_diags *d = naryn_diags_new(20);
  if (!d) {
    cli_error("out of memory");
    return EXIT_IO;
  }
  naryn_inflow_fit *f = NULL;
  int rc = naryn_inflow_fit_read(fit, &f, d);
  for (int k = 0; k < nclimate && rc == NARYN_OK; k++) rc = naryn_inflow_fit_climate(f, climate[k], d);
  if (rc == NARYN_OK)
    rc = naryn_inflow_write(f, seed, 0, members, start, (int)(12 * years), comment, out, d);
  cli_print_diags(d);
  if (rc == NARYN_OK && !quiet)
    printf("%ld member%s of %ld years from %s, %d site%s: %s\n", members, members > 1 ? "s" : "",
           years, start, naryn_inflow_fit_sites(f), naryn_inflow_fit_sites(f) > 1 ? "s" : "", out);
  naryn_inflow_fit_free(f);
  naryn_diags_free(d);
  return cli_exit_status(rc);
}

int cmd_inflows(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "fit") == 0) return cmd_fit(argc - 1, argv + 1);
  if (argc >= 2 && strcmp(argv[1], "generate") == 0) return cmd_generate(argc - 1, argv + 1);
  if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
    fputs(help, stdout);
    return EXIT_OK;
  }
  cli_error("inflows: expected fit or generate, got %s%s%s (see naryn inflows --help)",
            argc >= 2 ? "\"" : "", argc >= 2 ? argv[1] : "nothing", argc >= 2 ? "\"" : "");
  return EXIT_USAGE;
}
