/*
** policy_cuts.c: what selecting cuts on reading a policy keeps, and what
** it saves.
**
** A policy's cuts.bin holds every cut training made and, from version 2
** of the file, the trial states a backward pass made them at. Reading the
** policy keeps in each stage's LP only the cuts that are the highest at
** one of those states (level-1 dominance). This prints, per stage, the
** cuts of the file, its trial states and the cuts kept; the time to read
** the policy with every cut and with the cuts selected (the least of 3
** reads, in this process); the largest difference, relative, between the future
** cost of every cut and of the cuts kept at the trial states (0: the
** same); and the time to solve every stage once from each of its first
** trial states with every cut and with the cuts kept (a replay's work).
**
** Usage: policy_cuts MODEL DIR [SOLVES]   (SOLVES per stage, default 20)
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "naryn_int.h"
#include "sddp/sddp_int.h"

#define RUNS 3

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(const char *what, naryn_diags *d) {
  char line[1024] = "";
  if (naryn_diags_count(d) > 0) naryn_diag_format(naryn_diags_get(d, 0), line, sizeof line);
  fprintf(stderr, "policy_cuts: %s: %s\n", what, line);
  return 1;
}

/* Reads the policy RUNS times; *p gets the last, *s the least time. */
static int timed_read(const naryn_model *m, const char *dir, int select, naryn_policy **p,
                      double *s, naryn_diags *d) {
  *p = NULL;
  *s = INFINITY;
  for (int k = 0; k < RUNS; k++) {
    naryn_policy_free(*p);
    double t0 = seconds();
    if (naryn__policy_read(m, dir, select, p, d) != NARYN_OK) return 1;
    *s = fmin(*s, seconds() - t0);
  }
  return 0;
}

/* Solves every stage of p from each of its first n trial states (those of
** the stage before), with the model's inflows; the seconds taken. */
static double solve_all(naryn_policy *p, const naryn_policy *q, int n, double *buf) {
  naryn__stage_out out = {.s_out = buf, .slope = buf + q->nstate};
  double t0 = seconds();
  for (int t = 0; t < p->T; t++) {
    int before = t > 0 ? t - 1 : p->T - 1;
    naryn__stage_forget(p->stage[t]);
    for (int k = 0; k < n && k < naryn__cuts_points(q->cuts, before); k++)
      naryn__stage_solve(p->stage[t], naryn__cuts_point(q->cuts, before, k), NULL, &out);
  }
  return seconds() - t0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: policy_cuts MODEL DIR [SOLVES]\n");
    return 2;
  }
  int solves = argc > 3 ? atoi(argv[3]) : 20;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  if (naryn_model_load(argv[1], NULL, 0, &m, d) != NARYN_OK) return fail(argv[1], d);
  naryn_policy *all = NULL, *sel = NULL;
  double t_all, t_sel;
  if (timed_read(m, argv[2], 0, &all, &t_all, d)) return fail("reading every cut", d);
  if (timed_read(m, argv[2], 1, &sel, &t_sel, d)) return fail("selecting", d);
  printf("%5s %8s %12s %8s %7s\n", "stage", "cuts", "trial states", "kept", "kept %");
  long total = 0, kept = 0, points = 0;
  double worst = 0.0;
  for (int t = 0; t < sel->T; t++) {
    int n = naryn__cuts_count(sel->cuts, t), k = naryn__cuts_active_count(sel->cuts, t);
    int np = naryn__cuts_points(sel->cuts, t);
    total += n, kept += k, points += np;
    printf("%5d %8d %12d %8d %7.1f\n", t + 1, n, np, k, n ? 100.0 * k / n : 0.0);
    int groups = sel->multi_cut ? sel->nout : 1;
    for (int q = 0; q < np; q++)
      for (int g = 0; g < groups; g++) {
        const double *x = naryn__cuts_point(sel->cuts, t, q);
        int o = sel->multi_cut ? g : -1;
        double a = naryn__cuts_value(all->cuts, t, o, x, NULL);
        double b = naryn__cuts_value(sel->cuts, t, o, x, NULL);
        worst = fmax(worst, fabs(a - b) / fmax(fabs(a), 1.0));
      }
  }
  printf("%5s %8ld %12ld %8ld %7.1f\n", "all", total, points, kept,
         total ? 100.0 * kept / total : 0.0);
  printf("read with every cut %.3f s, with the cuts selected %.3f s (least of %d)\n", t_all,
         t_sel, RUNS);
  printf("largest relative difference of the future cost at the trial states: %.3g\n", worst);
  double *buf = malloc(2 * ((size_t)sel->nstate + 1) * sizeof *buf);
  if (!buf) return fail("out of memory", d);
  double s_all = solve_all(all, sel, solves, buf), s_sel = solve_all(sel, sel, solves, buf);
  printf("%d solves a stage from its first trial states: every cut %.3f s, the cuts "
         "selected %.3f s\n", solves, s_all, s_sel);
  free(buf);
  naryn_policy_free(all);
  naryn_policy_free(sel);
  naryn_model_free(m);
  naryn_diags_free(d);
  return worst == 0.0 ? 0 : 1;
}
