/*
** test_replay.c: an SDDP policy replayed through the simulator.
**
** The daily hydro-thermal system of examples/sddp (one reservoir of 5 hm3
** behind a plant of fixed head, a grid met by two thermal plants and
** unserved energy; inflows of 20 m3/s times 0.5 or 1.5 each day) is
** exact in the stage LPs: fixed head, no evaporation. Its policy replayed
** through the simulator must then do what the stage LPs decide: over the
** model's own inflows, the storage and grid cost of a forward pass made
** through the stage API; over the outcome paths the upper bound drew, the
** upper bound's mean cost, within its confidence interval. Read back, a
** policy keeps in its stages the cuts that are the highest at one of its
** trial states: the same future cost there, and the same replay, as with
** every cut. A monthly variant whose inflow reads a CSV column is replayed
** over an ensemble: the same bytes with one thread and with two.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "naryn_int.h"
#include "sddp/sddp_int.h"
#include "testutil_sddp.h"

/* The system's model text (testutil_sddp.h), loaded. */
static naryn_model *daily(void) {
  char text[4096];
  return tu_load_model(tu_sddp_text(text, sizeof text, 0, TU_SDDP_TWO));
}

/* Trains a policy of the given iterations, its upper bound estimated at
** the last. */
static naryn_policy *train(const naryn_model *m, int iterations) {
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = iterations;
  o.bound_every = iterations;
  o.gap_pct = 0.0;
  return tu_sddp_train(m, &o);
}

/* Reads the policy in dir with each stage's cuts selected at its trial
** states, as naryn_policy_read does, or (select 0) with all of them. */
static naryn_policy *read_as(const naryn_model *m, const char *dir, int select) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  int rc = naryn__policy_read(m, dir, select, &p, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return p;
}

static double grid_cost(const naryn_result *r, int steps) {
  double c = 0.0;
  for (int t = 0; t < steps; t++) c += naryn_result_grid(r, 0, t, NARYN_G_COST);
  return c;
}

/* Over the model's own inflows (factor 1 each day) the replay keeps the
** releases the stage LPs decide: the storage of a forward pass through
** the stage API, step by step, and its cost, the grid's. */
static void test_replay_is_the_forward_pass(void **state) {
  (void)state;
  naryn_model *m = daily();
  naryn_policy *trained = train(m, 40);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(trained, "policy", d), NARYN_OK);
  naryn_policy_free(trained);
  /* Two copies read back: one to replay, one to step through by hand. */
  naryn_policy *p = read_as(m, "policy", 1), *q = read_as(m, "policy", 1);
  int res = naryn_model_node_index(m, "Res");
  double s[1] = {3.0}, s_out[1], slope[1], cost = 0.0, storage[3], release[3];
  naryn__stage_out out = {.s_out = s_out, .slope = slope};
  for (int t = 0; t < 3; t++) {
    naryn__stage *st = naryn__policy_stage(q, t, 0);
    assert_int_equal(naryn__stage_state_count(st), 1);
    assert_int_equal(naryn__stage_state_node(st, 0), res);
    assert_int_equal(naryn__stage_solve(st, s, NULL, &out), NARYN_OK);
    cost += out.cost;
    release[t] = naryn__stage_outflow_hm3(st, res);
    storage[t] = s[0] = s_out[0];
  }
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.policy = p;
  naryn_result *r = NULL;
  int rc = naryn_simulate(m, &o, &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  for (int t = 0; t < 3; t++) {
    print_message("day %d: release %.6f hm3, storage %.6f hm3 (stage %.6f, %.6f)\n", t + 1,
                  tu_q(m, r, NARYN_Q_RELEASE_HM3, "Res", t),
                  tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "Res", t), release[t], storage[t]);
    tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "Res", t), release[t], 1e-9);
    tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "Res", t), storage[t], 1e-9);
    assert_string_equal(naryn_result_rule(r, res, t), "policy");
    assert_true(fabs(tu_q(m, r, NARYN_Q_RELEASE_DEVIATION_HM3, "Res", t)) < 1e-9);
  }
  print_message("grid cost %.6f, forward pass %.6f\n", grid_cost(r, 3), cost);
  tu_close_to(grid_cost(r, 3), cost, 1e-9);
  /* The water left at the end is worth nothing here: the last day uses
  ** all of it the grid can take. */
  assert_int_equal(naryn_diags_warnings(d), 0);
  naryn_result_free(r);
  naryn_policy_free(p);
  naryn_policy_free(q);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* The outcome a uniform number falls in, as the passes draw it. */
static int outcome_of(const naryn_model *m, double u) {
  double c = 0.0;
  for (int k = 0; k < m->noutcomes; k++) {
    c += m->outcome_p[k];
    if (u < c) return k;
  }
  return m->noutcomes - 1;
}

/* Replayed over the outcome paths the upper bound drew (its streams from
** 2^32 on), each a member whose inflows are the outcome's factor times
** the river's, the policy's mean cost is the upper bound's estimate
** within its 95 % interval. */
static void test_replay_meets_the_upper_bound(void **state) {
  (void)state;
  naryn_model *m = daily();
  naryn_policy *trained = train(m, 40);
  double half, ub = naryn_policy_upper_bound(trained, &half);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(trained, "policy-ub", d), NARYN_OK);
  naryn_policy_free(trained);
  naryn_policy *p = read_as(m, "policy-ub", 1);
  int river = naryn_model_node_index(m, "River");
  double flow[3], *over[4] = {NULL}, sum = 0.0;
  over[river] = flow;
  const int n = 100;
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.policy = p;
  for (int j = 0; j < n; j++) {
    naryn__rng g;
    naryn__rng_seed(&g, 1, (1ull << 32) + (uint64_t)j);
    for (int t = 0; t < 3; t++) {
      int k = outcome_of(m, naryn__rng_uniform(&g));
      flow[t] = 20.0 * m->outcome_factor[(size_t)k * m->nnodes + river];
    }
    naryn_result *r = naryn__result_new(m);
    assert_non_null(r);
    r->inflow_m3s = (const double *const *)over;
    int rc = naryn__simulate_into(m, &o, r, NULL, NULL, d);
    if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
    assert_int_equal(rc, NARYN_OK);
    sum += grid_cost(r, 3);
    naryn_result_free(r);
  }
  double mean = sum / n;
  print_message("replayed mean cost %.6f, upper bound %.6f +- %.6f\n", mean, ub, half);
  assert_true(fabs(mean - ub) <= half);
  /* The stages are exact here, so the two are the same to rounding. */
  tu_close_to(mean, ub, 1e-9);
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* A policy read for another model object of the same file is taken; a
** policy of a model with other nodes is refused. */
static void test_policy_of_another_model(void **state) {
  (void)state;
  naryn_model *m = daily(), *m2 = daily();
  naryn_policy *p = train(m, 2);
  naryn_diags *d = naryn_diags_new(0);
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.policy = p;
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m2, &o, &r, d), NARYN_OK);
  naryn_result_free(r);
  char other[4096];
  tu_sddp_text(other, sizeof other, 0, TU_SDDP_TWO);
  char *at = strstr(other, "  - {name: Sea, type: sink}\n");
  assert_non_null(at);
  memcpy(at, "  - {name: Bay, type: sink}\n", 28);
  at = strstr(other, "{from: Plant, to: Sea}");
  assert_non_null(at);
  memcpy(at, "{from: Plant, to: Bay}", 22);
  naryn_model *m3 = tu_load_model(other);
  assert_int_equal(naryn_simulate(m3, &o, &r, d), NARYN_EARG);
  assert_null(r);
  assert_non_null(strstr(tu_first_error(d), "expected a policy read for the model simulated"));
  naryn_model_free(m3);
  naryn_policy_free(p);
  naryn_diags_free(d);
  naryn_model_free(m2);
  naryn_model_free(m);
}

/* The policy in dir read with its cuts selected keeps fewer cuts in its
** stages' LPs than read with all of them, and the same future cost at
** every trial state, outcome by outcome with multiple cuts (to 1e-9
** relative): so the stage after, solved from each trial state under each
** outcome, has the same value too. Returns the cuts kept. */
static int same_at_trial_states(const naryn_model *m, const char *dir, int lp) {
  naryn_policy *all = read_as(m, dir, 0), *sel = read_as(m, dir, 1);
  int kept = 0, total = 0, points = 0;
  double buf[4][4];
  naryn__stage_out oa = {.s_out = buf[0], .slope = buf[1]}, os = {.s_out = buf[2], .slope = buf[3]};
  assert_true(all->nstate <= 4);
  for (int t = 0; t < all->T; t++) {
    int n = naryn__cuts_count(all->cuts, t), k = naryn__cuts_active_count(sel->cuts, t);
    assert_int_equal(naryn__cuts_count(sel->cuts, t), n);
    assert_int_equal(naryn__stage_cut_count(all->stage[t]), n);
    assert_int_equal(naryn__stage_cut_count(sel->stage[t]), k);
    total += n, kept += k;
    int next = t + 1 < all->T ? t + 1 : all->cyclic ? 0 : -1;
    for (int q = 0; q < naryn__cuts_points(sel->cuts, t); q++, points++) {
      const double *x = naryn__cuts_point(sel->cuts, t, q);
      for (int o = all->multi_cut ? 0 : -1; o < (all->multi_cut ? all->nout : 0); o++)
        tu_close_to(naryn__cuts_value(sel->cuts, t, o, x, NULL),
                    naryn__cuts_value(all->cuts, t, o, x, NULL), 1e-9);
      for (int o = 0; lp && next >= 0 && o < m->noutcomes; o++) {
        const double *f = m->outcome_factor + (size_t)o * m->nnodes;
        assert_int_equal(naryn__stage_solve(all->stage[next], x, f, &oa), NARYN_OK);
        assert_int_equal(naryn__stage_solve(sel->stage[next], x, f, &os), NARYN_OK);
        tu_close_to(os.value, oa.value, 1e-9);
      }
    }
  }
  print_message("%s: %d of %d cuts kept, at %d trial states\n", dir, kept, total, points);
  assert_true(points > 0);
  assert_true(kept < total);
  naryn_policy_free(all);
  naryn_policy_free(sel);
  return kept;
}

/* The policy in dir replayed over the model's own inflows: the same
** results read with its cuts selected as with all, bit for bit, or (rel
** above 0) every figure to rel relative (at least rel absolute). */
static void same_replay(const naryn_model *m, const char *dir, double rel) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r[2] = {NULL, NULL};
  for (int select = 0; select <= 1; select++) {
    naryn_sim_opts o;
    naryn_sim_opts_init(&o);
    o.policy = read_as(m, dir, select);
    assert_int_equal(naryn_simulate(m, &o, &r[select], d), NARYN_OK);
    naryn_policy_free(o.policy);
  }
  if (rel > 0) {
    for (int t = 0; t < naryn_model_steps(m); t++)
      for (int i = 0; i < naryn_model_node_count(m); i++)
        for (int q = 0; q < NARYN_Q_COUNT; q++) {
          double a = naryn_result_node(r[0], (naryn_quantity)q, i, t);
          if (!isnan(a)) tu_close_to(naryn_result_node(r[1], (naryn_quantity)q, i, t), a, rel);
        }
    tu_close_to(naryn_result_objective(r[1]), naryn_result_objective(r[0]), rel);
  } else {
    tu_same_results(m, r[0], r[1]);
  }
  naryn_result_free(r[0]);
  naryn_result_free(r[1]);
  naryn_diags_free(d);
}

/* Reading a policy keeps the cuts that are the highest at one of its
** trial states, with one cut or one per outcome: the same future cost
** there, and over the model's own inflows the same replay as with every
** cut. */
static void test_selection_on_read(void **state) {
  (void)state;
  naryn_model *m = daily();
  naryn_diags *d = naryn_diags_new(0);
  for (int multi = 0; multi <= 1; multi++) {
    naryn_sddp_opts o;
    naryn_sddp_opts_init(&o);
    o.max_iterations = 40;
    o.bound_every = 40;
    o.gap_pct = 0.0;
    o.multi_cut = multi;
    naryn_policy *p = tu_sddp_train(m, &o);
    const char *dir = multi ? "policy-multi" : "policy-single";
    assert_int_equal(naryn_policy_write(p, dir, d), NARYN_OK);
    naryn_policy_free(p);
    same_at_trial_states(m, dir, 1);
    same_replay(m, dir, 0.0);
  }
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* The same system monthly over a water year, its river read from
** flows.csv, for ensembles. */
static const char monthly[] =
    "name: monthly\n"
    "horizon: {start: 2001-10, end: 2002-09, step: monthly}\n"
    "countries: {A: Alpha}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, country: A,"
    " inflow_m3s: {file: flows.csv, column: q_m3s}}\n"
    "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 150,"
    " initial_storage_hm3: 90, country: A}\n"
    "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
    " max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Res}\n"
    "  - {from: Res, to: Plant}\n"
    "  - {from: Plant, to: Sea}\n"
    "grids:\n"
    "  - {name: G, country: A, demand_gwh: [20, 24, 20, 18, 22, 20, 20, 24, 20, 18, 22, 20],"
    " unserved: [{cost_per_mwh: 1000}]}\n"
    "thermal_plants:\n"
    "  - {name: Cheap, grid: G, capacity_mw: 10, cost_per_mwh: 30}\n"
    "  - {name: Dear, grid: G, capacity_mw: 20, cost_per_mwh:"
    " [60, 150, 90, 70, 140, 80, 60, 150, 90, 70, 140, 80]}\n"
    "objectives: [{name: power, kind: grid}]\n"
    "uncertainty:\n"
    "  outcomes:\n"
    "    - {probability: 0.5, inflow_factor: 0.5}\n"
    "    - {probability: 0.5, inflow_factor: 1.5}\n";

/* Writes the ensemble of the monthly system over six members, replaying
** the policy in dir 'policy' (NULL: its rules) with 'jobs' threads. */
static void ensemble_with(const char *policy, int jobs, const char *dir) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = tu_load_path("monthly.yaml");
  naryn_members *mb = NULL;
  assert_int_equal(naryn_members_read("members.csv", &mb, d), NARYN_OK);
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  o.jobs = jobs;
  o.policy_dir = policy;
  naryn_ensemble *e = NULL;
  assert_int_equal(naryn_ensemble_new(mb, &o, &e, d), NARYN_OK);
  int rc = naryn_ensemble_run(e, m, "base", d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_int_equal(naryn_ensemble_write(e, dir, d), NARYN_OK);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static void test_ensemble_any_jobs(void **state) {
  (void)state;
  tu_write(".", "monthly.yaml", monthly);
  FILE *f = fopen("flows.csv", "w"), *g = fopen("members.csv", "w");
  assert_non_null(f);
  assert_non_null(g);
  fprintf(f, "date,q_m3s\n");
  fprintf(g, "member,date,q_m3s\n");
  for (int k = 0; k < 12; k++) fprintf(f, "%d-%02d,20\n", 2001 + (k + 9) / 12, (k + 9) % 12 + 1);
  for (int j = 1; j <= 6; j++)
    for (int k = 0; k < 12; k++)
      fprintf(g, "%d,%d-%02d,%d\n", j, 2001 + (k + 9) / 12, (k + 9) % 12 + 1,
              6 + 3 * j + (j * k) % 7);
  fclose(f);
  fclose(g);
  naryn_model *m = tu_load_path("monthly.yaml");
  naryn_policy *p = train(m, 30);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_policy_write(p, "policy-monthly", d), NARYN_OK);
  naryn_policy_free(p);
  naryn_diags_free(d);
  same_at_trial_states(m, "policy-monthly", 0);
  same_replay(m, "policy-monthly", 1e-9);
  naryn_model_free(m);
  ensemble_with("policy-monthly", 1, "one");
  ensemble_with("policy-monthly", 2, "two");
  ensemble_with(NULL, 2, "rules");
  static const char *const files[] = {"ensemble.csv", "members.csv", "stats.csv",
                                      "storage.csv", "reliability.csv"};
  for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
    char a[64], b[64];
    snprintf(a, sizeof a, "one/%s", files[k]);
    snprintf(b, sizeof b, "two/%s", files[k]);
    char *x = tu_slurp(a), *y = tu_slurp(b);
    assert_non_null(x);
    assert_non_null(y);
    assert_string_equal(x, y);
    free(x), free(y);
  }
  /* The policy decides other releases than the rules (none: the
  ** reservoir passes what comes). */
  char *x = tu_slurp("one/storage.csv"), *y = tu_slurp("rules/storage.csv");
  assert_non_null(x);
  assert_non_null(y);
  assert_true(strcmp(x, y) != 0);
  free(x), free(y);
  /* A folder without a policy is refused before any member, naming the
  ** file. */
  d = naryn_diags_new(0);
  m = tu_load_path("monthly.yaml");
  naryn_members *mb = NULL;
  assert_int_equal(naryn_members_read("members.csv", &mb, d), NARYN_OK);
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  o.jobs = 2;
  o.policy_dir = "nowhere";
  naryn_ensemble *e = NULL;
  assert_int_equal(naryn_ensemble_new(mb, &o, &e, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(e, m, "base", d), NARYN_EIO);
  assert_non_null(strstr(naryn_diags_get(d, 0)->file, "nowhere/cuts.bin"));
  assert_null(strstr(tu_first_error(d), "member"));
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_replay_is_the_forward_pass),
      cmocka_unit_test(test_replay_meets_the_upper_bound),
      cmocka_unit_test(test_policy_of_another_model),
      cmocka_unit_test(test_selection_on_read),
      cmocka_unit_test(test_ensemble_any_jobs),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
