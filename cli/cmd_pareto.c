/*
** cmd_pareto.c: "naryn pareto MODEL --x TERM --y TERM": the trade-off curve
** between two objective terms, each point a full optimised plan.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn pareto [MODEL] --x TERM --y TERM [--points N]\n"
    "                    [--scenario FILE|NAME]... [--weight TERM=W]...\n"
    "                    [--out DIR] [--quiet]\n"
    "\n"
    "Traces the trade-off between two objective terms by the epsilon-\n"
    "constraint method. It finds the plan best for every term but TERM x,\n"
    "and the plan best for x; between x's values in the two it places N\n"
    "levels (default 7), and at each it optimises the other terms (y at\n"
    "least at weight 1) with x held at least as good as the level. Writes\n"
    "into DIR (created if missing), all files whole or none:\n"
    "  pareto.csv     one row per point: the level, x, y, every term and the\n"
    "                 combined objective, and the folder of its plan\n"
    "  point-NN/      each point's plan, as naryn optimise writes it\n"
    "\n"
    "TERM is the name of one of the model's objective terms (see naryn\n"
    "optimise --help and doc/model-format.md).\n"
    "\n"
    "  --points N       number of points, 2 to 1000 (default 7)\n"
    "  --out DIR        where to write (default results/MODEL-NAME/pareto-X-Y)\n"
    "  --quiet          print nothing but errors\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage, 3 solver failure,\n"
    "4 I/O failure.\n";

/* Writes a text cell, quoted when it needs to be. */
static void cell(FILE *f, const char *s) {
  if (!strpbrk(s, ",\"\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc(*s, f);
  }
  fputc('"', f);
}

/* Writes pareto.csv through a temporary file renamed into place. */
static int write_curve(const naryn_model *m, naryn_result **pts, int n,
                       int kx, int ky, const char *out) {
  char path[4200], tmp[4300];
  if ((size_t)snprintf(path, sizeof path, "%s/pareto.csv", out) >= sizeof path) {
    cli_error("cannot write into %s: the path is too long", out);
    return NARYN_EIO;
  }
  snprintf(tmp, sizeof tmp, "%s.partial", path);
  FILE *f = fopen(tmp, "w");
  if (!f) {
    cli_error("cannot write %s", tmp);
    return NARYN_EIO;
  }
  int nt = naryn_model_term_count(m);
  fprintf(f, "point,level,x_term,x,y_term,y");
  for (int k = 0; k < nt; k++) {
    fputc(',', f);
    cell(f, naryn_model_term_name(m, k));
  }
  fprintf(f, ",combined,currency,plan\n");
  for (int i = 0; i < n; i++) {
    if (!pts[i]) continue;
    double years = naryn_result_years(pts[i]);
    fprintf(f, "%d,%.2f,", i + 1, naryn_result_pareto_level(pts[i]));
    cell(f, naryn_model_term_name(m, kx));
    fprintf(f, ",%.2f,", naryn_result_term(pts[i], kx, NULL));
    cell(f, naryn_model_term_name(m, ky));
    fprintf(f, ",%.2f", naryn_result_term(pts[i], ky, NULL));
    for (int k = 0; k < nt; k++)
      fprintf(f, ",%.2f", naryn_result_term(pts[i], k, NULL));
    fprintf(f, ",%.2f,", naryn_result_objective(pts[i]));
    cell(f, naryn_model_currency(m));
    fprintf(f, ",point-%02d\n", i + 1);
    (void)years;
  }
  int bad = ferror(f);
  bad |= fflush(f) != 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path) != 0) {
    remove(tmp);
    cli_error("cannot write %s", path);
    return NARYN_EIO;
  }
  return NARYN_OK;
}

int cmd_pareto(int argc, char **argv) {
  static const cli_spec spec = {"pareto", 1, 1, 0, 0, 1};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  if (!run.args.x || !run.args.y) {
    cli_error("pareto: expected --x TERM and --y TERM, two of the model's "
              "objective terms");
    return cli_finish(&run, EXIT_USAGE);
  }
  int n = run.args.points ? run.args.points : 7;
  char out[4096];
  if (run.args.out)
    snprintf(out, sizeof out, "%s", run.args.out);
  else
    snprintf(out, sizeof out, "results/%s/pareto-%s-%s", naryn_model_name(m),
             run.args.x, run.args.y);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  naryn_result **pts = NULL;
  rc = naryn_pareto(m, &o, run.args.x, run.args.y, n, &pts, run.d);
  int kx = naryn_model_term_index(m, run.args.x);
  int ky = naryn_model_term_index(m, run.args.y);
  /* Every point's plan first; the curve last, so that a complete
  ** pareto.csv means complete plans. */
  for (int i = 0; rc == NARYN_OK && i < n; i++) {
    if (!pts[i]) continue;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/point-%02d", out, i + 1);
    rc = naryn_result_write(pts[i], dir, run.d);
  }
  if (rc == NARYN_OK) rc = write_curve(m, pts, n, kx, ky, out);
  cli_print_diags(run.d);
  if (rc == NARYN_OK && !run.args.quiet) {
    const char *cur = naryn_model_currency(m);
    double years = pts[0] ? naryn_result_years(pts[0]) : 1.0;
    printf("Trade-off between %s (x) and %s (y), millions of %s a year "
           "(costs positive)\n", run.args.x, run.args.y, cur);
    printf("  %5s %16s %16s %16s\n", "point", "x", "y", "combined");
    for (int i = 0; i < n; i++) {
      if (!pts[i]) {
        printf("  %5d %16s\n", i + 1, "(not reached)");
        continue;
      }
      printf("  %5d %16.2f %16.2f %16.2f\n", i + 1,
             naryn_result_term(pts[i], kx, NULL) / years / 1e6,
             naryn_result_term(pts[i], ky, NULL) / years / 1e6,
             naryn_result_objective(pts[i]) / years / 1e6);
    }
    printf("\nCurve: %s/pareto.csv; plans: %s/point-NN/\n", out, out);
  }
  if (pts)
    for (int i = 0; i < n; i++) naryn_result_free(pts[i]);
  free(pts);
  return cli_finish(&run, cli_exit_status(rc));
}
