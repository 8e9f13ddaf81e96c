/*
** chain_loop.c: the simulation loop alone, on one model, in a fresh process.
**
** Usage: chain_loop MODEL DIR [clp]
**
** With "clp", every step is solved by CLP (--step-solver clp) instead of
** the network simplex the chain is solved by otherwise.
**
** Loads MODEL (bench/chain.sh writes the chain benchmark) and runs it as
** "naryn simulate MODEL --out DIR --output summary" does (naryn_simulate_to,
** no per-step file), timing the loop alone: from the progress report before
** the first step to the one after the last, so neither reading the model
** nor writing the summaries and the report counts. Prints one line:
**
**   steps seconds steps_per_s solves iterations delivered_hm3 sink_hm3 storage_end_hm3
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
#include <string.h>
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

/* The times of the first and the last progress report. */
typedef struct loop_time {
  double start_s, end_s;
} loop_time;

static void on_progress(void *user, const naryn_progress *p) {
  loop_time *lt = user;
  if (p->done == 0) lt->start_s = seconds();
  if (p->done == p->total) lt->end_s = seconds();
}

int main(int argc, char **argv) {
#ifdef __GLIBC__
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif
  if (argc != 3 && !(argc == 4 && strcmp(argv[3], "clp") == 0)) {
    fprintf(stderr, "usage: chain_loop MODEL DIR [clp]\n");
    return 2;
  }
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  if (!d || naryn_model_load(argv[1], NULL, 0, &m, d) != NARYN_OK) {
    fprintf(stderr, "chain_loop: %s did not load\n", argv[1]);
    return 1;
  }
  loop_time lt = {0, 0};
  naryn_sim_opts so;
  naryn_sim_opts_init(&so);
  so.progress = on_progress;
  so.progress_user = &lt;
  if (argc == 4) so.step_solver = NARYN_STEP_CLP;
  naryn_output o;
  naryn_output_init(&o);
  o.per_step = 0;
  int rc = naryn_simulate_to(m, &so, &o, argv[2], &r, d);
  double t = lt.end_s - lt.start_s;
  if (rc != NARYN_OK) {
    fprintf(stderr, "chain_loop: the simulation of %s failed\n", argv[1]);
    return 1;
  }
  naryn_summary s;
  naryn_result_summary(r, NULL, NARYN_SEASON_ALL, &s);
  int steps = naryn_model_steps(m);
  double storage_end_hm3 = 0.0;
  for (int i = 0; i < naryn_model_node_count(m); i++)
    if (naryn_model_node_type(m, i) == NARYN_NODE_RESERVOIR)
      storage_end_hm3 += naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, i, steps - 1);
  printf("%d %.6f %.1f %ld %ld %.9g %.9g %.9g\n", steps, t, steps / t,
         naryn_result_solves(r), naryn_result_iterations(r),
         s.irrigation_delivered_hm3 + s.municipal_delivered_hm3,
         s.sink_inflow_hm3, storage_end_hm3);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  return 0;
}
