/*
** test_interrupt.c: naryn_interrupt stops every long run. A progress
** callback asks for the stop after k steps, passes, points or turns; the
** run returns NARYN_EINTR with the one error "interrupted", reports no
** progress past the check that follows, and gives no result. After
** naryn_interrupt_clear a rerun gives, bit for bit, the results of a run
** that was never interrupted. A stop asked for from another thread while
** CLP is solving a large LP stops the simplex within the solve. A writer
** asked to stop before it starts writes nothing.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>

#include "naryn_int.h"
#include "testutil.h"

/* Asks for a stop at the callback call whose 'done' is 'at' (any when
** 'at' is -1) of phase 'phase' (any when NULL), and remembers the last
** call seen. */
typedef struct stopper {
  const char *phase;
  int at, part;
  int calls, stopped, calls_after, last_done, last_part;
} stopper;

static void stop_at(void *user, const naryn_progress *p) {
  stopper *s = user;
  s->calls++;
  if (s->stopped) s->calls_after++;
  s->last_done = p->done;
  s->last_part = p->part;
  if (!s->stopped && (s->at < 0 || p->done == s->at) && (!s->part || p->part == s->part) &&
      (!s->phase || strcmp(p->phase, s->phase) == 0)) {
    naryn_interrupt();
    s->stopped = 1;
  }
}

/* The one error of an interrupted run. */
static void only_interrupted(const naryn_diags *d) {
  assert_int_equal(naryn_diags_errors(d), 1);
  for (int i = 0; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    if (g->severity != NARYN_SEV_ERROR) continue;
    assert_int_equal(g->code, NARYN_EINTR);
    assert_string_equal(g->msg, "interrupted");
    assert_null(g->file);
  }
}

static naryn_model *load(const char *path) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* examples/single has 12 steps: stopped after the 4th, the simulation
** reports no 5th; cleared, it gives the uninterrupted results. */
static void simulation_stops_between_steps(void **state) {
  (void)state;
  naryn_model *m = load("examples/single/model.json");
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *ref = NULL, *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &ref, d), NARYN_OK);
  naryn_diags_clear(d);
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  stopper s = {.at = 4};
  o.progress = stop_at;
  o.progress_user = &s;
  assert_int_equal(naryn_simulate(m, &o, &r, d), NARYN_EINTR);
  assert_null(r);
  assert_true(s.stopped);
  assert_int_equal(s.calls_after, 0);
  assert_int_equal(s.last_done, 4);
  only_interrupted(d);
  assert_true(naryn_interrupted());
  naryn_interrupt_clear();
  assert_false(naryn_interrupted());
  naryn_diags_clear(d);
  assert_int_equal(naryn_simulate(m, &o, &r, d), NARYN_OK);
  tu_same_results(m, ref, r);
  naryn_result_free(r);
  naryn_result_free(ref);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Stopped after its first pass, the optimiser starts no second. */
static void optimisation_stops_between_passes(void **state) {
  (void)state;
  naryn_model *m = load("examples/cascade/model.yaml");
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *ref = NULL, *r = NULL;
  assert_int_equal(naryn_optimise(m, NULL, &ref, d), NARYN_OK);
  assert_true(naryn_result_passes(ref) > 1);
  naryn_diags_clear(d);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  stopper s = {.at = 1};
  o.progress = stop_at;
  o.progress_user = &s;
  assert_int_equal(naryn_optimise(m, &o, &r, d), NARYN_EINTR);
  assert_null(r);
  assert_int_equal(s.calls_after, 0);
  only_interrupted(d);
  naryn_interrupt_clear();
  naryn_diags_clear(d);
  assert_int_equal(naryn_optimise(m, &o, &r, d), NARYN_OK);
  tu_same_results(m, ref, r);
  naryn_result_free(r);
  naryn_result_free(ref);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Stopped during the second anchor's first pass, the curve goes no
** further and gives no points. */
static void pareto_stops_between_points(void **state) {
  (void)state;
  naryn_model *m = load("examples/single/model.json");
  naryn_diags *d = naryn_diags_new(0);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  stopper s = {.at = 1, .part = 2};
  o.progress = stop_at;
  o.progress_user = &s;
  naryn_result **pts = NULL;
  assert_int_equal(naryn_pareto(m, &o, "energy", "shortage", 4, &pts, d), NARYN_EINTR);
  assert_null(pts);
  assert_true(s.stopped);
  assert_int_equal(s.calls_after, 0);
  only_interrupted(d);
  naryn_interrupt_clear();
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* The two-country example's game, stopped in the baseline's turns and,
** separately, among its coalitions (run in two threads). */
static void share_stops(const char *phase, int at) {
  naryn_model *m = load("examples/two-countries/model.yaml");
  naryn_diags *d = naryn_diags_new(0);
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  o.jobs = 2;
  naryn_game *ref = NULL, *g = NULL;
  assert_int_equal(naryn_share(m, &o, &ref, d), NARYN_OK);
  naryn_diags_clear(d);
  stopper s = {.phase = phase, .at = at};
  o.progress = stop_at;
  o.progress_user = &s;
  assert_int_equal(naryn_share(m, &o, &g, d), NARYN_EINTR);
  assert_null(g);
  assert_true(s.stopped);
  only_interrupted(d);
  naryn_interrupt_clear();
  naryn_diags_clear(d);
  assert_int_equal(naryn_share(m, &o, &g, d), NARYN_OK);
  for (unsigned c = 1; c < 4; c++)
    tu_same_bits(naryn_game_value(g, c), naryn_game_value(ref, c));
  for (int a = 0; a < NARYN_ALLOC_COUNT; a++)
    for (int i = 0; i < naryn_game_player_count(g); i++)
      tu_same_bits(naryn_game_allocation(g, (naryn_allocation)a, i),
                naryn_game_allocation(ref, (naryn_allocation)a, i));
  naryn_game_free(g);
  naryn_game_free(ref);
  naryn_diags_free(d);
  naryn_model_free(m);
}

static void share_stops_in_baseline(void **state) {
  (void)state;
  share_stops("baseline", 1);
}

/* The first report of the coalitions comes while they run, or, when the
** threads finished them all first, after them: either way the game stops
** before its allocations. */
static void share_stops_among_coalitions(void **state) {
  (void)state;
  share_stops("coalitions", -1);
}

/* A run or a writer started while a stop stands returns at once, and the
** writer leaves no folder behind. */
static void started_while_interrupted(void **state) {
  (void)state;
  naryn_model *m = load("examples/single/model.json");
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  naryn_interrupt();
  naryn_result *other = NULL;
  naryn_diags_clear(d);
  assert_int_equal(naryn_simulate(m, NULL, &other, d), NARYN_EINTR);
  only_interrupted(d);
  naryn_diags_clear(d);
  assert_int_equal(naryn_optimise(m, NULL, &other, d), NARYN_EINTR);
  only_interrupted(d);
  naryn_game *g = NULL;
  naryn_diags_clear(d);
  assert_int_equal(naryn_share(m, NULL, &g, d), NARYN_EINTR);
  assert_null(other);
  assert_null(g);
  char dir[64], out[128];
  tu_mkdtemp(dir);
  snprintf(out, sizeof out, "%s/run", dir);
  naryn_diags_clear(d);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_EINTR);
  only_interrupted(d);
  struct stat st;
  assert_int_not_equal(stat(out, &st), 0);
  naryn_interrupt_clear();
  naryn_diags_clear(d);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  assert_int_equal(stat(out, &st), 0);
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* ---------------------------------------------------------------------- */
/* Inside CLP                                                              */
/* ---------------------------------------------------------------------- */

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A transport problem of n sources (at most 100 each) and n sinks (at
** least 90 each) with scattered costs: large enough that the dual simplex
** takes hundreds of iterations. */
static naryn__lp *transport_lp(int n) {
  int nr = 2 * n, nc = n * n;
  int *start = malloc(((size_t)nc + 1) * sizeof *start);
  int *index = malloc(2 * (size_t)nc * sizeof *index);
  double *value = malloc(2 * (size_t)nc * sizeof *value);
  double *cl = malloc((size_t)nc * sizeof *cl), *cu = malloc((size_t)nc * sizeof *cu);
  double *obj = malloc((size_t)nc * sizeof *obj);
  double *rl = malloc((size_t)nr * sizeof *rl), *ru = malloc((size_t)nr * sizeof *ru);
  assert_non_null(start && index && value && cl && cu && obj && rl && ru);
  unsigned seed = 1;
  for (int j = 0; j < nc; j++) {
    start[j] = 2 * j;
    index[2 * j] = j / n;
    index[2 * j + 1] = n + j % n;
    value[2 * j] = value[2 * j + 1] = 1;
    cl[j] = 0;
    cu[j] = INFINITY;
    seed = seed * 1103515245u + 12345u;
    obj[j] = (double)((seed >> 8) % 1000);
  }
  start[nc] = 2 * nc;
  for (int i = 0; i < n; i++) {
    rl[i] = -INFINITY, ru[i] = 100;
    rl[n + i] = 90, ru[n + i] = INFINITY;
  }
  naryn__lp *lp = naryn__lp_new(nr, nc, start, index, value, cl, cu, obj, rl, ru);
  free(start), free(index), free(value), free(cl), free(cu), free(obj);
  free(rl), free(ru);
  assert_non_null(lp);
  return lp;
}

static double asked_at;

static void *interrupt_soon(void *arg) {
  (void)arg;
  struct timespec pause = {0, 5 * 1000 * 1000};
  nanosleep(&pause, NULL);
  asked_at = now_s();
  naryn_interrupt();
  return NULL;
}

/* Asked from another thread 5 ms into a solve of some 700 iterations, the
** simplex stops within the solve: fewer iterations, NARYN_EINTR, and back
** well within the second. */
static void clp_stops_within_a_solve(void **state) {
  (void)state;
  long full = 0, part = 0;
  naryn__lp *lp = transport_lp(300);
  assert_int_equal(naryn__lp_solve(lp, &full), NARYN_OK);
  naryn__lp_free(lp);
  lp = transport_lp(300);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, interrupt_soon, NULL), 0);
  int rc = naryn__lp_solve(lp, &part);
  double back = now_s();
  pthread_join(t, NULL);
  assert_int_equal(rc, NARYN_EINTR);
  assert_true(part < full);
  assert_true(back - asked_at < 0.5);
  /* Another solve of the same LP refuses while the stop stands. */
  assert_int_equal(naryn__lp_solve(lp, &part), NARYN_EINTR);
  naryn_interrupt_clear();
  naryn__lp_free(lp);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(simulation_stops_between_steps),
      cmocka_unit_test(optimisation_stops_between_passes),
      cmocka_unit_test(pareto_stops_between_points),
      cmocka_unit_test(share_stops_in_baseline),
      cmocka_unit_test(share_stops_among_coalitions),
      cmocka_unit_test(started_while_interrupted),
      cmocka_unit_test(clp_stops_within_a_solve),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
