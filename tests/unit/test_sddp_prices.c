/*
** test_sddp_prices.c: SDDP with energy prices that follow a Markov chain,
** against the extensive form of the tree of price states and inflows.
**
** The system is test_sddp.c's (testutil_sddp.h) with a market that buys
** the grid's surplus at 40 per MWh times the factor of the day's price
** state: cheap (0.5) or dear (3, when selling beats the cheap plant's 30
** per MWh). The first day is dear; after a cheap day the next is cheap
** with chance 0.7, after a dear one dear with chance 0.6. The extensive
** form branches each day over both states and both inflow outcomes, four
** branches a node (testutil_sddp.h): its optimum is the expected cost a
** policy that knows today's prices, and not tomorrow's, can reach.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "sddp/sddp_int.h"
#include "testutil_sddp.h"

#define MARKET "markets: [{grid: G, export_price_per_mwh: 40}]\n"
#define CHAIN                                                                       \
  "  prices:\n"                                                                     \
  "    states: [{name: cheap, factor: 0.5}, {name: dear, factor: 3}]\n"             \
  "    transition: [[0.7, 0.3], [0.4, 0.6]]\n"                                      \
  "    initial: dear\n"

static const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
static const double trans[4] = {0.7, 0.3, 0.4, 0.6}, pfac[2] = {0.5, 3.0};

/* The extensive form over the three days with the chain (nm 2) or with
** the market's price as it is (nm 0). */
static double extensive(int nm) {
  tu_sddp_tree tree = {.nout = 2, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0,
                       .sell = 40, .nm = nm, .m0 = 1, .trans = trans, .pfac = pfac};
  return tu_sddp_extensive(&tree);
}

static naryn_model *chain_model(const char *chain) {
  char text[4096];
  return tu_load_model(tu_sddp_text_with(text, sizeof text, 0, TU_SDDP_TWO, MARKET, chain));
}

/* The lower bound reaches the extensive form of the chain's tree and never
** passes it, with a single cut, on 1 thread and on 2 alike, and with a
** cut per branch. */
static void test_against_the_extensive_form(void **state) {
  (void)state;
  naryn_model *m = chain_model(CHAIN);
  double ef = extensive(2), flat = extensive(0);
  print_message("extensive form with the chain %.6f, at the market's own price %.6f\n", ef,
                flat);
  /* The chain matters: a dear first day sells what the river brings. */
  assert_true(fabs(ef - flat) > 1e-3 * fabs(flat));
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
  o.passes = 2;
  naryn_policy *p = tu_sddp_train_threads(m, &o);
  double lb = naryn_policy_lower_bound(p), half, ub = naryn_policy_upper_bound(p, &half);
  print_message("lower bound %.6f, upper bound %.6f +- %.6f\n", lb, ub, half);
  assert_int_equal(s.above, 0);
  assert_true(fabs(lb - ef) <= 1e-6 * fabs(ef));
  assert_true(fabs(ub - ef) <= half + 1e-6 * fabs(ef));
  naryn_policy_free(p);
  naryn_policy_free(tu_sddp_reaches_with(m, ef, 1));
  naryn_model_free(m);
}

/* Two states of the same prices are no chain at all: the lower bound
** reaches the extensive form at the market's own price. */
static void test_states_alike(void **state) {
  (void)state;
  naryn_model *m = chain_model("  prices:\n"
                               "    states: [{name: a, factor: 1}, {name: b, factor: 1}]\n"
                               "    transition: [[0.5, 0.5], [0.2, 0.8]]\n");
  naryn_policy_free(tu_sddp_reaches(m, extensive(0)));
  naryn_model_free(m);
}

/* Monthly factors: a factor given for each month is the month's. A
** model of daily steps in January takes January's, here the dear one's
** 3, so the policy is the chain's above. */
static void test_monthly_factors(void **state) {
  (void)state;
  naryn_model *m = chain_model("  prices:\n"
                               "    states: [{name: cheap, factor: 0.5},\n"
                               "             {name: dear, factor: [3, 1, 1, 1, 1, 1, 1, 1, 1,"
                               " 1, 1, 1]}]\n"
                               "    transition: [[0.7, 0.3], [0.4, 0.6]]\n"
                               "    initial: dear\n");
  naryn_policy_free(tu_sddp_reaches(m, extensive(2)));
  naryn_model_free(m);
}

/* Monthly transitions: the days run from 31 January to 2 February, and
** the chain leaves a day by its month's matrix (January's: a cheap day
** stays cheap with chance 0.7, a dear one dear with 0.6; February's: the
** prices swing, a cheap day turning dear with chance 0.9 and a dear day
** cheap with 0.8). The lower bound reaches the extensive form of that
** tree, with a single cut and with a cut per branch, and the tree differs
** from the one of January's matrix throughout. */
#define MONTHLY_CHAIN                                                               \
  "  prices:\n"                                                                     \
  "    states: [{name: cheap, factor: 0.5}, {name: dear, factor: 3}]\n"             \
  "    transition:\n"                                                               \
  "      - [[0.7, 0.3], [0.4, 0.6]]\n"                                              \
  "      - [[0.1, 0.9], [0.8, 0.2]]\n"                                              \
  "      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n"  \
  "      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n"  \
  "      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n      - [[1, 0], [0, 1]]\n"  \
  "      - [[1, 0], [0, 1]]\n"                                                      \
  "    initial: dear\n"

/* The model of the chain given, its three days moved to the turn of
** January and February. */
static naryn_model *month_end_model(const char *chain) {
  char text[8192];
  tu_sddp_text_with(text, sizeof text, 0, TU_SDDP_TWO, MARKET, chain);
  char *h = strstr(text, "start: 2001-01-01, end: 2001-01-03");
  assert_non_null(h);
  memcpy(h, "start: 2001-01-31, end: 2001-02-02", 34);
  return tu_load_model(text);
}

static void test_monthly_transitions(void **state) {
  (void)state;
  static const double feb[4] = {0.1, 0.9, 0.8, 0.2};
  tu_sddp_tree tree = {.nout = 2, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0,
                       .sell = 40, .nm = 2, .m0 = 1, .trans = trans, .pfac = pfac,
                       .tday = {trans, feb, feb}};
  double ef = tu_sddp_extensive(&tree), jan = extensive(2);
  print_message("extensive form with monthly transitions %.6f, with January's throughout "
                "%.6f\n", ef, jan);
  assert_true(fabs(ef - jan) > 1e-3 * fabs(jan));
  naryn_model *m = month_end_model(MONTHLY_CHAIN);
  assert_int_equal(m->step_month[0], 1);
  assert_int_equal(m->step_month[1], 2);
  naryn_policy_free(tu_sddp_reaches(m, ef));
  naryn_policy_free(tu_sddp_reaches_with(m, ef, 1));
  naryn_model_free(m);
  /* One matrix for every month is the chain of that matrix. */
  m = month_end_model(CHAIN);
  tree.tday[0] = trans, tree.tday[1] = tree.tday[2] = trans;
  naryn_policy_free(tu_sddp_reaches(m, tu_sddp_extensive(&tree)));
  naryn_model_free(m);
  /* A replay leaves each day by its month's matrix: January's keeps the
  ** state, February's swaps it, so from a dear 31 January every seed
  ** gives dear, dear, cheap. */
  char chain[1024] = "  prices:\n"
                     "    states: [{name: cheap, factor: 0.5}, {name: dear, factor: 3}]\n"
                     "    initial: dear\n"
                     "    transition:\n"
                     "      - [[1, 0], [0, 1]]\n"
                     "      - [[0, 1], [1, 0]]\n";
  for (int c = 2; c < 12; c++) strcat(chain, "      - [[1, 0], [0, 1]]\n");
  m = month_end_model(chain);
  naryn_sddp_opts o2;
  naryn_sddp_opts_init(&o2);
  o2.max_iterations = 5;
  naryn_policy *p = tu_sddp_train(m, &o2);
  naryn_diags *d = naryn_diags_new(0);
  for (uint64_t seed = 1; seed <= 3; seed++) {
    naryn_sim_opts so;
    naryn_sim_opts_init(&so);
    so.policy = p;
    so.price_seed = seed;
    naryn_result *r = NULL;
    assert_int_equal(naryn_simulate(m, &so, &r, d), NARYN_OK);
    assert_int_equal(r->price_state[0], 1);
    assert_int_equal(r->price_state[1], 1);
    assert_int_equal(r->price_state[2], 0);
    naryn_result_free(r);
  }
  naryn_diags_free(d);
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* A replay meets the prices of the states drawn from the chain (the
** first step's the initial state, each after drawn from the stream of the
** run's seed), and keeps the releases the stage LPs of those states
** decide: the storage and cost of a forward pass through them, the cost
** at the states' prices. Another seed draws other states. */
static void test_replay(void **state) {
  (void)state;
  naryn_model *m = chain_model(CHAIN);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 30;
  o.gap_pct = 0.0;
  naryn_policy *trained = tu_sddp_train(m, &o);
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], pol[128];
  tu_mkdtemp(dir);
  snprintf(pol, sizeof pol, "%s/policy", dir);
  assert_int_equal(naryn_policy_write(trained, pol, d), NARYN_OK);
  naryn_policy_free(trained);
  naryn_policy *p = NULL, *q = NULL;
  assert_int_equal(naryn_policy_read(m, pol, &p, d), NARYN_OK);
  assert_int_equal(naryn_policy_read(m, pol, &q, d), NARYN_OK);
  int res = naryn_model_node_index(m, "Res"), drawn[2][3];
  for (int seed = 7; seed <= 8; seed++) {
    /* The states as the replay must draw them. */
    naryn__rng rng;
    naryn__rng_seed(&rng, (uint64_t)seed, 0);
    int *ps = drawn[seed - 7];
    ps[0] = m->prices->initial;
    for (int t = 1; t < 3; t++)
      ps[t] = naryn__prices_next(m->prices, ps[t - 1], m->step_month[t - 1],
                                 naryn__rng_uniform(&rng));
    double s[1] = {3.0}, s_out[1], slope[1], cost = 0.0, storage[3], release[3];
    naryn__stage_out out = {.s_out = s_out, .slope = slope};
    for (int t = 0; t < 3; t++) {
      naryn__stage *st = naryn__policy_stage(q, t, ps[t]);
      naryn__stage_forget(st);
      assert_int_equal(naryn__stage_solve(st, s, NULL, &out), NARYN_OK);
      cost += out.cost;
      release[t] = naryn__stage_outflow_hm3(st, res);
      storage[t] = s[0] = s_out[0];
    }
    naryn_sim_opts so;
    naryn_sim_opts_init(&so);
    so.policy = p;
    so.price_seed = (uint64_t)seed;
    naryn_result *r = NULL;
    int rc = naryn_simulate(m, &so, &r, d);
    if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
    assert_int_equal(rc, NARYN_OK);
    double grid = 0.0;
    for (int t = 0; t < 3; t++) {
      assert_int_equal(r->price_state[t], ps[t]);
      tu_close_to(tu_q(m, r, NARYN_Q_RELEASE_HM3, "Res", t), release[t], 1e-9);
      tu_close_to(tu_q(m, r, NARYN_Q_STORAGE_END_HM3, "Res", t), storage[t], 1e-9);
      grid += naryn_result_grid(r, 0, t, NARYN_G_COST);
    }
    print_message("seed %d: states %d %d %d, grid cost %.6f, forward pass %.6f\n", seed, ps[0],
                  ps[1], ps[2], grid, cost);
    tu_close_to(grid, cost, 1e-9);
    naryn_result_free(r);
  }
  assert_memory_not_equal(drawn[0], drawn[1], sizeof drawn[0]);
  naryn_policy_free(p);
  naryn_policy_free(q);
  naryn_diags_free(d);
  naryn_model_free(m);
  tu_rmdir(dir);
}

/* Bad chains: each refused with the field and what was expected. */
static void test_bad_chains(void **state) {
  (void)state;
  static const char *const bad[][2] = {
      {"  prices: {states: [{name: a, factor: 1}, {name: b, factor: 2}],"
       " transition: [[0.5, 0.5], [0.5, 0.4]]}\n",
       "expected probabilities that sum to 1 (the chances of every state the step after a "
       "step in \"b\"), got 0.9"},
      {"  prices: {states: [{name: a, factor: 1}, {name: b, factor: 2}],"
       " transition: [[1, 0]]}\n",
       "expected a transition matrix of 2 rows"},
      {"  prices: {states: [{name: a, factor: -1}], transition: [[1]]}\n",
       "expected a factor on the prices from 0 to 100, got -1"},
      {"  prices: {states: [{name: a, factor: 1}, {name: a, factor: 2}],"
       " transition: [[1, 0], [0, 1]]}\n",
       "expected a name no other state has, got \"a\", the name of states[0]"},
      {"  prices: {states: [{name: a, factor: 1}], transition: [[1]], initial: z}\n",
       "expected the name of one of the 1 states, got \"z\""},
      {"  prices: {states: [{name: a, factor: [1, 2]}], transition: [[1]]}\n",
       "expected a number, or twelve monthly values from January"},
      {"  prices: {states: [{name: a, factor: 1}], transition: [[1.5]]}\n",
       "expected a probability from 0 to 1, got the number 1.5"},
      {"  prices: {states: [{name: a, factor: 1}], transition: [[[1]], [[1]]]}\n",
       "expected twelve transition matrices, one per calendar month from January, got a "
       "list of 2 items"},
      {"  prices: {states: [{name: a, factor: 1}, {name: b, factor: 2}], transition: ["
       "[[1, 0], [0, 1]], [[1, 0], [0.5, 0.4]], [[1, 0], [0, 1]], [[1, 0], [0, 1]],"
       "[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]],"
       "[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]]}\n",
       "expected probabilities that sum to 1 "
       "(the chances of every state the step after a step of February in \"b\"), got 0.9"},
      {"  prices: {states: [{name: a, factor: 1}, {name: b, factor: 2}], transition: ["
       "[[1, 0], [0, 1]], [[1, 0]], [[1, 0], [0, 1]], [[1, 0], [0, 1]],"
       "[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]],"
       "[[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]], [[1, 0], [0, 1]]]}\n",
       "expected a transition matrix of 2 rows for the steps of February"},
  };
  char text[4096];
  for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
    tu_refused(tu_sddp_text_with(text, sizeof text, 0, TU_SDDP_TWO, MARKET, bad[k][0]),
               bad[k][1]);
  /* A chain with no energy price to scale changes nothing: refused. */
  tu_refused(tu_sddp_text_with(text, sizeof text, 0, TU_SDDP_TWO, "", CHAIN),
             "expected energy prices for the chain to scale");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_against_the_extensive_form),
      cmocka_unit_test(test_states_alike),
      cmocka_unit_test(test_monthly_factors),
      cmocka_unit_test(test_monthly_transitions),
      cmocka_unit_test(test_replay),
      cmocka_unit_test(test_bad_chains),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
