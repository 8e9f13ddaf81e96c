/*
** bench_cuts.c: the time to keep, save, load and select SDDP cuts at the
** size the issue asks for: 10,000 cuts of 50 state variables, made as a
** run of 100 iterations of 10 forward passes over 10 stages makes them.
**
** The cuts (and one visited state point per cut) are drawn from a fixed
** pseudo-random sequence, so every run times the same work. Printed, one
** line each: adding the cuts to the store; appending them as 100 blocks,
** each flushed and synced as a training run does; writing them whole;
** loading the file, cuts and points (the median of 5); selecting each
** stage's cuts at its points (level-1 dominance) after each iteration, as
** a run does, and the loaded cuts at once at all 1,000 points of a stage,
** as reading a policy does; and 10,000 evaluations of a stage's cut set.
**
** Usage: bench_cuts [CUTS [STATES]].
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "naryn_int.h"

#define STAGES 10
#define PASSES 10
#define RUNS 5

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* A uniform number in [0, 1) from a 64-bit linear congruential sequence. */
static double uniform(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) * 0x1.0p-53;
}

static int fail(const char *what, naryn_diags *d) {
  char line[512] = "";
  if (naryn_diags_count(d)) naryn_diag_format(naryn_diags_get(d, 0), line, sizeof line);
  fprintf(stderr, "bench_cuts: %s failed: %s\n", what, line);
  return 1;
}

int main(int argc, char **argv) {
  int n_cuts = argc > 1 ? atoi(argv[1]) : 10000, n = argc > 2 ? atoi(argv[2]) : 50;
  int per_iteration = STAGES * PASSES, iterations = n_cuts / per_iteration;
  if (iterations < 1 || n < 1) {
    fprintf(stderr, "usage: bench_cuts [CUTS (at least %d) [STATES]]\n", per_iteration);
    return 2;
  }
  n_cuts = iterations * per_iteration;
  char tmp[] = "/tmp/naryn-bench-cuts-XXXXXX", log_path[512], whole_path[512];
  if (!mkdtemp(tmp)) return 1;
  snprintf(log_path, sizeof log_path, "%s/run.cuts", tmp);
  snprintf(whole_path, sizeof whole_path, "%s/whole.cuts", tmp);
  char **names = malloc((size_t)n * sizeof *names);
  double *beta = malloc((size_t)n * sizeof *beta), *x = malloc((size_t)n * sizeof *x);
  naryn_diags *d = naryn_diags_new(0);
  if (!names || !beta || !x || !d) return 1;
  for (int j = 0; j < n; j++) {
    names[j] = malloc(32);
    if (!names[j]) return 1;
    snprintf(names[j], 32, "reservoir_%d_hm3", j);
  }
  naryn__cuts *c = NULL, *r = NULL;
  naryn__cutlog *l = NULL;
  if (naryn__cuts_new(STAGES, n, 1, (const char *const *)names, 42, &c, d) != NARYN_OK)
    return fail("the store", d);
  if (naryn__cutlog_open(c, log_path, &l, d) != NARYN_OK) return fail("opening the log", d);

  /* A training run's cuts, appended an iteration at a time. */
  uint64_t seed = 1;
  double t_add = 0, t_append = 0, t_incr = 0;
  for (int it = 0; it < iterations; it++) {
    double t0 = seconds();
    for (int t = 0; t < STAGES; t++)
      for (int p = 0; p < PASSES; p++) {
        for (int j = 0; j < n; j++) {
          beta[j] = -uniform(&seed);
          x[j] = 1000.0 * uniform(&seed);
        }
        if (naryn__cuts_add(c, t, -1, it, 1e5 * uniform(&seed), beta, d) != NARYN_OK ||
            naryn__cuts_add_point(c, t, x, d) != NARYN_OK)
          return fail("adding", d);
      }
    double t1 = seconds();
    if (naryn__cutlog_append(l, c, it, d) != NARYN_OK) return fail("appending", d);
    double t2 = seconds();
    for (int t = 0; t < STAGES; t++)
      if (naryn__cuts_select(c, t, d) != NARYN_OK) return fail("selecting", d);
    t_add += t1 - t0;
    t_append += t2 - t1;
    t_incr += seconds() - t2;
  }
  naryn__cutlog_close(l);

  double t0 = seconds();
  if (naryn__cutfile_write(c, whole_path, 0, d) != NARYN_OK) return fail("writing", d);
  double t_write = seconds() - t0;

  double load[RUNS];
  for (int k = 0; k < RUNS; k++) {
    naryn__cuts_free(r);
    if (naryn__cuts_new(STAGES, n, 1, (const char *const *)names, 42, &r, d) != NARYN_OK)
      return fail("the store", d);
    t0 = seconds();
    if (naryn__cutfile_read(r, log_path, NULL, d) != NARYN_OK) return fail("loading", d);
    load[k] = seconds() - t0;
  }
  qsort(load, RUNS, sizeof *load, by_value);
  int loaded = 0;
  for (int t = 0; t < STAGES; t++) loaded += naryn__cuts_count(r, t);

  /* The loaded cuts selected at once at every point, loaded with them (as
  ** reading a policy selects). */
  for (int t = 0; t < STAGES; t++)
    if (naryn__cuts_points(r, t) != naryn__cuts_points(c, t)) {
      fprintf(stderr, "bench_cuts: stage %d: %d points loaded, %d kept\n", t,
              naryn__cuts_points(r, t), naryn__cuts_points(c, t));
      return 1;
    }
  t0 = seconds();
  int active = 0;
  for (int t = 0; t < STAGES; t++) {
    if (naryn__cuts_select(r, t, d) != NARYN_OK) return fail("selecting", d);
    active += naryn__cuts_active_count(r, t);
    if (naryn__cuts_active_count(r, t) != naryn__cuts_active_count(c, t)) {
      fprintf(stderr, "bench_cuts: stage %d: %d cuts active, %d selected as they came\n", t,
              naryn__cuts_active_count(r, t), naryn__cuts_active_count(c, t));
      return 1;
    }
  }
  double t_select = seconds() - t0;

  t0 = seconds();
  double sum = 0;
  int evaluations = n_cuts;
  for (int k = 0; k < evaluations; k++)
    sum += naryn__cuts_value(c, k % STAGES, -1, naryn__cuts_point(c, k % STAGES, k / STAGES % 10),
                             NULL);
  double t_value = seconds() - t0;

  struct stat st;
  long long bytes = stat(log_path, &st) == 0 ? (long long)st.st_size : -1;
  printf("cut store: %d cuts of %d states, %d stages, %d iterations; file %.2f MB\n", n_cuts, n,
         STAGES, iterations, (double)bytes / 1e6);
  printf("%-52s %8.4f s\n", "cuts added to the store", t_add);
  printf("%-52s %8.4f s (%.2f ms a block)\n", "appended, a block an iteration, each synced",
         t_append, 1e3 * t_append / iterations);
  printf("%-52s %8.4f s\n", "written whole", t_write);
  printf("%-52s %8.4f s (median of %d; %d cuts)\n", "loaded", load[RUNS / 2], RUNS, loaded);
  printf("%-52s %8.4f s (%d times)\n", "selected after each iteration, every stage",
         t_incr, iterations);
  printf("%-52s %8.4f s (%d of %d cuts active)\n", "loaded cuts selected at once at every point",
         t_select, active, n_cuts);
  printf("%-52s %8.4f s (%d, sum %.6g)\n", "the cut set's value at a point", t_value,
         evaluations, sum);

  naryn__cuts_free(c);
  naryn__cuts_free(r);
  naryn_diags_free(d);
  for (int j = 0; j < n; j++) free(names[j]);
  free(names);
  free(beta);
  free(x);
  remove(log_path);
  remove(whole_path);
  rmdir(tmp);
  return loaded == n_cuts ? 0 : 1;
}
