/*
** test_sddp_pace.c: the time an upper bound will take, as a run with a
** time limit guesses it before its first estimate (train.c).
**
** The guess is the forward passes' pace (the time a step of a path took)
** times the steps of the simulations, over the threads and processes.
** The pace is the last 9 iterations' time over their steps, the slowest
** a step left out, and is not known before the third, so that one
** iteration slowed by a pause of the machine cannot end a run: it once
** ended a 60 s run after its first iteration. The times here are made
** up; nothing is timed.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "naryn_int.h"
#include "sddp/sddp_int.h"
#include "sddp/train_int.h"
#include "testutil.h"

/* Before three iterations the pace is not known, and nothing is guessed. */
static void test_unknown_before_three(void **state) {
  (void)state;
  train tr;
  memset(&tr, 0, sizeof tr);
  assert_true(naryn__sddp_pace(&tr) == 0.0);
  naryn__sddp_pace_add(&tr, 0.014, 72);
  naryn__sddp_pace_add(&tr, 0.020, 144);
  assert_true(naryn__sddp_pace(&tr) == 0.0);
  assert_true(naryn__sddp_bound_guess(&tr, 30, 0.9) == 0.0);
  /* 194, 139 and 125 microseconds a step: the first is left out. */
  naryn__sddp_pace_add(&tr, 0.030, 240);
  assert_near(naryn__sddp_pace(&tr), 0.050 / 384, 1e-15);
}

/* A first iteration five times as slow as the next, by a pause of the
** machine, does not move the pace. */
static void test_pause_ignored(void **state) {
  (void)state;
  train tr;
  memset(&tr, 0, sizeof tr);
  naryn__sddp_pace_add(&tr, 0.070, 72);
  naryn__sddp_pace_add(&tr, 0.0193, 144);
  naryn__sddp_pace_add(&tr, 0.0210, 108);
  naryn__sddp_pace_add(&tr, 0.0440, 396);
  /* Per step: 972, 134, 194 and 111 microseconds: the first is left
  ** out, and the others weighed by their steps. */
  assert_near(naryn__sddp_pace(&tr), (0.0193 + 0.0210 + 0.0440) / (144 + 108 + 396), 1e-15);
}

/* Only the last 9 iterations count, as each grows dearer with its cuts;
** a phase with no step, or a time that is not a number, is left out. */
static void test_last_nine(void **state) {
  (void)state;
  train tr;
  memset(&tr, 0, sizeof tr);
  for (int i = 1; i <= 20; i++) naryn__sddp_pace_add(&tr, 1e-4 * i * 12, 12);
  naryn__sddp_pace_add(&tr, 1.0, 0);
  naryn__sddp_pace_add(&tr, NAN, 12);
  /* Iterations 12 to 20, 20 the slowest a step: the mean of 12 to 19. */
  assert_int_equal(tr.npace, 20);
  assert_near(naryn__sddp_pace(&tr), 15.5e-4, 1e-15);
}

/* Weighed by steps: a path of one round pays its twelve stages' fresh
** starts as a path of ten rounds does, and an estimate's paths are long.
** The mean of the paces a step would be 2.5 times the time over steps. */
static void test_weighed_by_steps(void **state) {
  (void)state;
  train tr;
  memset(&tr, 0, sizeof tr);
  naryn__sddp_pace_add(&tr, 0.0240, 12);
  naryn__sddp_pace_add(&tr, 0.0300, 120);
  naryn__sddp_pace_add(&tr, 0.0240, 12);
  naryn__sddp_pace_add(&tr, 0.0300, 120);
  /* One of the short is left out as the slowest a step (the first). */
  assert_near(naryn__sddp_pace(&tr), 0.084 / 252, 1e-15);
}

/* The guess: the pace times the steps of the simulations of the busiest
** thread (chunks of 10; a cycle's go round bound_rounds times for sure,
** then on with the discount's chance), with a quarter more as margin; a
** controlled estimate also solves each step under every branch, each
** about a third as dear as a step. */
static void test_guess(void **state) {
  (void)state;
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  naryn_policy p;
  memset(&p, 0, sizeof p);
  p.nb = 10;
  run w;
  memset(&w, 0, sizeof w);
  w.o = &o;
  w.p = &p;
  train tr;
  memset(&tr, 0, sizeof tr);
  tr.w = &w;
  tr.nw = 2;
  tr.nrank = 1;
  tr.T = 12;
  tr.bound_rounds = 22;
  tr.bound_chunk = 10;
  for (int i = 0; i < 3; i++) naryn__sddp_pace_add(&tr, 0.0012, 12);
  double rounds = 22 + 0.9 / (1 - 0.9);
  /* In chunks of 10 (as a model of shorter simulations has them), 30
  ** simulations are 3 chunks: the busiest of 2 threads runs 20. */
  assert_near(naryn__sddp_bound_guess(&tr, 30, 0.9), 1.25 * 1e-4 * 20 * rounds * 12, 1e-12);
  /* 100 are 10 chunks, 50 for each thread; 100 on 2 processes of 2
  ** threads, 30 for the busiest. */
  assert_near(naryn__sddp_bound_guess(&tr, 100, 0.9), 1.25 * 1e-4 * 50 * rounds * 12, 1e-12);
  tr.nrank = 2;
  assert_near(naryn__sddp_bound_guess(&tr, 100, 0.9), 1.25 * 1e-4 * 30 * rounds * 12, 1e-12);
  /* 5 simulations: one chunk of 5. */
  assert_near(naryn__sddp_bound_guess(&tr, 5, 0.9), 1.25 * 1e-4 * 5 * rounds * 12, 1e-12);
  tr.nrank = 1;
  /* The library's options allow INT_MAX simulations: no overflow. */
  assert_near(naryn__sddp_bound_guess(&tr, INT_MAX, 0.9), 1.25 * 1e-4 * 1073741830.0 * rounds * 12,
              1e-3);
  o.bound_control = 1;
  assert_near(naryn__sddp_bound_guess(&tr, 30, 0.9), 1.25 * 1e-4 * 20 * rounds * 12 * 4.5, 1e-12);
  /* A chunk a simulation, as this cycle's have (below): 30 simulations
  ** are 15 for each of 2 threads, 100 on 2 processes of 2 threads 25. */
  tr.bound_chunk = naryn__sddp_bound_chunk(tr.T, tr.bound_rounds, 0.9);
  assert_int_equal(tr.bound_chunk, 1);
  assert_near(naryn__sddp_bound_guess(&tr, 30, 0.9), 1.25 * 1e-4 * 15 * rounds * 12 * 4.5, 1e-12);
  tr.nrank = 2;
  o.bound_control = 0;
  assert_near(naryn__sddp_bound_guess(&tr, 100, 0.9), 1.25 * 1e-4 * 25 * rounds * 12, 1e-12);
}

/* The upper bound's simulations a chunk: as few as make 240 steps, at
** most 10. */
static void test_bound_chunk(void **state) {
  (void)state;
  /* A cycle of 12 steps, 22 rounds for sure and 9 more on average: 372
  ** steps a simulation. */
  assert_int_equal(naryn__sddp_bound_chunk(12, 22, 0.9), 1);
  /* One round of 12 steps (no cycle), of 36, of 3. */
  assert_int_equal(naryn__sddp_bound_chunk(12, 0, 0.0), 10);
  assert_int_equal(naryn__sddp_bound_chunk(36, 0, 0.0), 7);
  assert_int_equal(naryn__sddp_bound_chunk(3, 0, 0.0), 10);
  /* A cycle of one step: 31 steps a simulation. */
  assert_int_equal(naryn__sddp_bound_chunk(1, 22, 0.9), 8);
  /* A cycle of 2 steps with a discount of 0.5: 4 rounds for sure, 1
  ** more on average. */
  assert_int_equal(naryn__sddp_bound_chunk(2, 4, 0.5), 10);
  assert_int_equal(naryn__sddp_bound_chunk(240, 0, 0.0), 1);
  assert_int_equal(naryn__sddp_bound_chunk(241, 0, 0.0), 1);
  assert_int_equal(naryn__sddp_bound_chunk(0, 0, 0.0), 10);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unknown_before_three),
      cmocka_unit_test(test_pause_ignored),
      cmocka_unit_test(test_last_nine),
      cmocka_unit_test(test_weighed_by_steps),
      cmocka_unit_test(test_guess),
      cmocka_unit_test(test_bound_chunk),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
