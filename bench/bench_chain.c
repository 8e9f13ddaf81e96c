/*
** bench_chain.c: the simulation loop alone on the chain benchmark of the
** side-by-side comparison with Pywr (bench/chain.sh; doc/performance.md).
**
** Without arguments it writes the chain of N = 10, 50 and 200 units (the
** network of bench/chain.sh: inflow, reservoir, demand and river reach per
** unit, daily over ten years) and simulates each once in this process;
** with a model file as its argument it simulates that model instead. The
** time is that of naryn_simulate alone, not of reading the model nor of
** writing results. A fresh process gives the figure a user sees in the
** loop; run it several times and take the median.
**
** The allocator is tuned as the naryn command tunes it (cli/main.c), so
** that the figure is the loop of "naryn simulate".
**
** Prints per model: steps, seconds, steps/s, LP solves, simplex
** iterations, and the aggregates that must not change with the engine:
** total delivered to demands, total inflow to sinks, sum of final storages.
** For the built-in chains it then prints the ratio to Pywr's loop on the
** same network (Pywr 1.31.1 with GLPK, measured on the project's 2-core
** machine: 12,700, 4,268 and 1,222 steps/s; the goal is 5 times that).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "naryn.h"

/* Writes the chain of n units into path, as bench/chain.sh does. */
static void write_chain(const char *path, int n) {
  static const double profile[12] = {12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11};
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(1);
  }
  fprintf(f, "name: chain-%d\nhorizon: {start: 2000-01-01, end: 2009-12-31, step: daily}\nnodes:\n", n);
  for (int k = 0; k < n; k++) {
    double g = 1 + 0.1 * (k % 5);
    fprintf(f, "  - {name: catchment%d, type: inflow, inflow_m3s: [", k);
    for (int i = 0; i < 12; i++) fprintf(f, "%s%.10g", i ? ", " : "", profile[i] * g);
    fprintf(f, "]}\n");
    fprintf(f, "  - {name: reservoir%d, type: reservoir, max_storage_hm3: 25.92, "
               "initial_storage_hm3: 17.28}\n", k);
    fprintf(f, "  - {name: demand%d, type: demand, demand_m3s: %d, priority: %d}\n", k,
            6 + k % 3, 1 + 9 * k / n);
    fprintf(f, "  - {name: river%d, type: junction}\n", k);
  }
  fprintf(f, "  - {name: outfall, type: sink}\nlinks:\n");
  for (int k = 0; k < n; k++) {
    fprintf(f, "  - {from: catchment%d, to: reservoir%d}\n", k, k);
    fprintf(f, "  - {from: reservoir%d, to: demand%d}\n", k, k);
    fprintf(f, "  - {from: reservoir%d, to: river%d}\n", k, k);
    if (k + 1 < n) fprintf(f, "  - {from: river%d, to: reservoir%d}\n", k, k + 1);
    else fprintf(f, "  - {from: river%d, to: outfall}\n", k);
  }
  fclose(f);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Loads and simulates one model, printing its line; 0 on success. With
** pywr_steps_s > 0 the line ends with the ratio to Pywr's loop. */
static int run(const char *label, const char *path, double pywr_steps_s) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  if (naryn_model_load(path, NULL, 0, &m, d) != NARYN_OK) {
    fprintf(stderr, "bench_chain: %s did not load\n", path);
    return 1;
  }
  double t0 = seconds();
  if (naryn_simulate(m, NULL, &r, d) != NARYN_OK) {
    fprintf(stderr, "bench_chain: the simulation of %s failed\n", path);
    return 1;
  }
  double t = seconds() - t0;
  int steps = naryn_model_steps(m), nodes = naryn_model_node_count(m);
  double delivered = 0, outfall = 0, stored = 0;
  for (int i = 0; i < nodes; i++) {
    naryn_node_type type = naryn_model_node_type(m, i);
    for (int k = 0; k < steps; k++) {
      if (type == NARYN_NODE_DEMAND)
        delivered += naryn_result_node(r, NARYN_Q_DELIVERED_HM3, i, k);
      if (type == NARYN_NODE_SINK) outfall += naryn_result_node(r, NARYN_Q_INFLOW_HM3, i, k);
    }
    if (type == NARYN_NODE_RESERVOIR)
      stored += naryn_result_node(r, NARYN_Q_STORAGE_HM3, i, steps - 1);
  }
  printf("%-14s %6d %8.3f %10.0f %7ld %8ld  %.17g %.17g %.17g", label, steps, t,
         steps / t, naryn_result_solves(r), naryn_result_iterations(r), delivered,
         outfall, stored);
  if (pywr_steps_s > 0)
    printf("  %.1fx Pywr's loop (goal 5x)", steps / t / pywr_steps_s);
  printf("\n");
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  return 0;
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
  /* The settings of cli/main.c. */
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
  printf("%-14s %6s %8s %10s %7s %8s  %s\n", "model", "steps", "seconds", "steps/s",
         "solves", "iters", "delivered_hm3 outfall_hm3 final_storage_hm3");
  if (argc > 1) {
    for (int i = 1; i < argc; i++)
      if (run(argv[i], argv[i], 0)) return 1;
    return 0;
  }
  static const struct { int n; double pywr_steps_s; } cases[] = {
      {10, 12700}, {50, 4268}, {200, 1222}};
  char dir[] = "/tmp/naryn-bench-XXXXXX", path[64], label[32];
  if (!mkdtemp(dir)) return 1;
  snprintf(path, sizeof path, "%s/chain.yaml", dir);
  int rc = 0;
  for (size_t c = 0; c < sizeof cases / sizeof *cases && !rc; c++) {
    write_chain(path, cases[c].n);
    snprintf(label, sizeof label, "chain-%d", cases[c].n);
    rc = run(label, path, cases[c].pywr_steps_s);
  }
  remove(path);
  rmdir(dir);
  return rc;
}
