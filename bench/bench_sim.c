/*
** bench_sim.c: simulation speed on chains of reservoirs.
**
** Builds a chain of N reservoirs, each fed by its own inflow and feeding a
** demand, stepped daily for ten years (3,652 steps), and times the
** simulation alone (not reading the model, not writing results), best of
** three runs inside one process. This chain has storage targets and no
** junctions, and needs about 0.35 simplex iterations a step; it tracks the
** engine's own speed from change to change. It is not the network of the
** side-by-side comparison with Pywr: that is bench/chain.sh, timed as fresh
** processes by bench/run.sh.
**
** Prints one line per case: reservoirs, steps, seconds, steps/s, LP solves
** and simplex iterations.
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "naryn.h"

/* Writes the chain model into path. Inflows vary by month so that every
** step changes the LP's right-hand sides, as daily inflows do. */
static void write_chain(const char *path, int n) {
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  fprintf(f, "horizon: {start: 2001-01-01, end: 2010-12-31, step: daily}\nnodes:\n");
  for (int i = 0; i < n; i++) {
    fprintf(f, "  - {name: Q%d, type: inflow, inflow_m3s: [%d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d]}\n",
            i, 20 + i % 7, 22, 30, 60 + i % 11, 90, 120, 110, 80, 50, 30, 25, 21);
    fprintf(f, "  - {name: R%d, type: reservoir, min_storage_hm3: 10, max_storage_hm3: 500, "
               "initial_storage_hm3: 200, target_storage_hm3: [200, 180, 160, 180, 220, 300, "
               "350, 340, 300, 260, 230, 210], target_priority: 5}\n", i);
    fprintf(f, "  - {name: D%d, type: demand, priority: %d, demand_m3s: [5, 5, 8, 20, 40, 60, 70, 60, 30, 10, 5, 5]}\n",
            i, 1 + i % 3);
  }
  fprintf(f, "  - {name: Sea, type: sink}\nlinks:\n");
  for (int i = 0; i < n; i++) {
    fprintf(f, "  - {from: Q%d, to: R%d}\n", i, i);
    fprintf(f, "  - {from: R%d, to: D%d, max_flow_m3s: 80, loss_fraction: 0.1}\n", i, i);
    if (i + 1 < n) fprintf(f, "  - {from: R%d, to: R%d}\n", i, i + 1);
    else fprintf(f, "  - {from: R%d, to: Sea}\n", i);
  }
  fclose(f);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(void) {
  static const int cases[] = {50, 200};
  char dir[] = "/tmp/naryn-bench-XXXXXX", path[64];
  if (!mkdtemp(dir)) return 1;
  snprintf(path, sizeof path, "%s/chain.yaml", dir);
  printf("%-28s %6s %8s %10s %8s %10s\n", "case", "steps", "seconds",
         "steps/s", "solves", "iters");
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    write_chain(path, cases[c]);
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m;
    naryn_result *r;
    if (naryn_model_load(path, NULL, 0, &m, d) != NARYN_OK) {
      fprintf(stderr, "bench: the generated model did not load\n");
      return 1;
    }
    double best = 1e30;
    long solves = 0, iters = 0;
    for (int rep = 0; rep < 3; rep++) {
      double t0 = seconds();
      if (naryn_simulate(m, NULL, &r, d) != NARYN_OK) {
        fprintf(stderr, "bench: simulation failed\n");
        return 1;
      }
      double t = seconds() - t0;
      if (t < best) best = t;
      solves = naryn_result_solves(r);
      iters = naryn_result_iterations(r);
      naryn_result_free(r);
    }
    int steps = naryn_model_steps(m);
    char name[64];
    snprintf(name, sizeof name, "chain of %d reservoirs, daily", cases[c]);
    printf("%-28s %6d %8.3f %10.0f %8ld %10ld\n", name, steps, best,
           steps / best, solves, iters);
    naryn_model_free(m);
    naryn_diags_free(d);
  }
  unlink(path);
  rmdir(dir);
  return 0;
}
