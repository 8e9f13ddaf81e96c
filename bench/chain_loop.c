/*
** chain_loop.c: the simulation loop alone, on one model, in a fresh process.
**
** Usage: chain_loop MODEL
**
** Loads MODEL (bench/chain.sh writes the chain benchmark), times
** naryn_simulate from the first step to the last (not reading the model,
** not writing results), and prints one line:
**
**   steps seconds steps_per_s solves iterations delivered_hm3 sink_hm3 storage_hm3
**
** where the last three are the run's aggregates: water delivered to every
** demand, water reaching the sinks, and the sum of the reservoirs' storage
** at the end. bench/run.sh runs it as a fresh process several times, takes
** the median, and checks the aggregates against bench/chain-aggregates.txt.
**
** The allocator is tuned first exactly as the naryn command tunes it
** (tune_allocator in cli/main.c), so that the figure is the loop of
** "naryn simulate".
*/
#include <stdio.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "naryn.h"

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
  if (argc != 2) {
    fprintf(stderr, "usage: chain_loop MODEL\n");
    return 2;
  }
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  if (!d || naryn_model_load(argv[1], NULL, 0, &m, d) != NARYN_OK) {
    fprintf(stderr, "chain_loop: %s did not load\n", argv[1]);
    return 1;
  }
  double t0 = seconds();
  int rc = naryn_simulate(m, NULL, &r, d);
  double t = seconds() - t0;
  if (rc != NARYN_OK) {
    fprintf(stderr, "chain_loop: the simulation of %s failed\n", argv[1]);
    return 1;
  }
  naryn_summary s;
  naryn_result_summary(r, NULL, NARYN_SEASON_ALL, &s);
  int steps = naryn_model_steps(m);
  double storage_hm3 = 0.0;
  for (int i = 0; i < naryn_model_node_count(m); i++)
    if (naryn_model_node_type(m, i) == NARYN_NODE_RESERVOIR)
      storage_hm3 += naryn_result_node(r, NARYN_Q_STORAGE_HM3, i, steps - 1);
  printf("%d %.6f %.1f %ld %ld %.9g %.9g %.9g\n", steps, t, steps / t,
         naryn_result_solves(r), naryn_result_iterations(r),
         s.irrigation_delivered_hm3 + s.municipal_delivered_hm3,
         s.sink_inflow_hm3, storage_hm3);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  return 0;
}
