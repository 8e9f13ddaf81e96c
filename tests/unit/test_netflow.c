/*
** test_netflow.c: the network simplex (lp/netflow.c) against CLP on the
** same LPs: random networks solved from scratch and then re-solved from
** the kept tree after random changes of balances and bounds, as the steps
** of a simulation change them, each checked for the water balance of every
** node, every bound, and the optimal cost CLP finds; an infeasible network;
** what is and is not a network; and simulations of a chain of reservoirs
** solved either way.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state;

static double uniform(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 2685821657736338717ULL) >> 11) * 0x1.0p-53;
}

static int below(int n) { return (int)(uniform() * n); }

/* A random network LP in column form: nodes 0..nrows-1, the ground
** implicit. Every node can take water from the ground and give it back at
** a high cost, so that every choice of balances is feasible, as the
** simulator's elastic and dead-storage columns make its steps. */
typedef struct rnet {
  int nrows, ncols;
  int *start, *index;
  double *value, *cost, *lo, *up, *rhs;
} rnet;

static void rnet_make(rnet *g, int nrows) {
  int extra = nrows * (1 + below(4));
  g->nrows = nrows;
  g->ncols = 2 * nrows + extra;
  g->start = malloc((size_t)(g->ncols + 1) * sizeof *g->start);
  g->index = malloc((size_t)2 * g->ncols * sizeof *g->index);
  g->value = malloc((size_t)2 * g->ncols * sizeof *g->value);
  g->cost = malloc((size_t)g->ncols * sizeof *g->cost);
  g->lo = malloc((size_t)g->ncols * sizeof *g->lo);
  g->up = malloc((size_t)g->ncols * sizeof *g->up);
  g->rhs = malloc((size_t)nrows * sizeof *g->rhs);
  int k = 0;
  for (int j = 0; j < g->ncols; j++) {
    g->start[j] = k;
    if (j < 2 * nrows) {
      /* From the ground into node j/2, or from it to the ground. */
      g->index[k] = j / 2;
      g->value[k++] = j % 2 ? -1.0 : 1.0;
      g->cost[j] = 1000.0 + below(100);
      continue;
    }
    int a = below(nrows + 1) - 1, b = below(nrows);
    if (a == b) a = -1;
    /* Rows must come in increasing order within a column. */
    if (a >= 0 && a < b) {
      g->index[k] = a, g->value[k++] = -1.0;
      g->index[k] = b, g->value[k++] = 1.0;
    } else if (a >= 0) {
      g->index[k] = b, g->value[k++] = 1.0;
      g->index[k] = a, g->value[k++] = -1.0;
    } else {
      g->index[k] = b, g->value[k++] = uniform() < 0.5 ? 1.0 : -1.0;
    }
    /* Whole-number costs make ties, as the simulator's priorities do. */
    g->cost[j] = below(20) - 5.0;
  }
  g->start[g->ncols] = k;
}

/* New balances and bounds: a negative cost comes with a finite upper
** bound, so that no cycle is unbounded. */
static void rnet_bounds(rnet *g) {
  for (int j = 0; j < g->ncols; j++) {
    int elastic = j < 2 * g->nrows;
    g->lo[j] = !elastic && uniform() < 0.2 ? uniform() * 2.0 : 0.0;
    if (!elastic && (g->cost[j] < 0 || uniform() < 0.6))
      g->up[j] = g->lo[j] + (uniform() < 0.1 ? 0.0 : uniform() * 20.0);
    else
      g->up[j] = INFINITY;
  }
  for (int i = 0; i < g->nrows; i++) g->rhs[i] = (uniform() - 0.5) * 30.0;
}

/* Changes some balances and bounds a little, as from one step to the
** next. */
static void rnet_nudge(rnet *g) {
  for (int i = 0; i < g->nrows; i++)
    if (uniform() < 0.3) g->rhs[i] *= 0.8 + 0.4 * uniform();
  for (int j = 2 * g->nrows; j < g->ncols; j++)
    if (uniform() < 0.1 && isfinite(g->up[j]))
      g->up[j] = g->lo[j] + uniform() * 20.0;
}

static void rnet_free(rnet *g) {
  free(g->start);
  free(g->index);
  free(g->value);
  free(g->cost);
  free(g->lo);
  free(g->up);
  free(g->rhs);
}

/* Checks x against every bound and every node's balance; returns its cost. */
static double check_flow(const rnet *g, const double *x) {
  double *net_in = calloc((size_t)g->nrows, sizeof *net_in), cost = 0.0;
  for (int j = 0; j < g->ncols; j++) {
    assert_true(x[j] >= g->lo[j] - 1e-9);
    assert_true(x[j] <= g->up[j] + 1e-9);
    cost += g->cost[j] * x[j];
    for (int k = g->start[j]; k < g->start[j + 1]; k++)
      net_in[g->index[k]] += g->value[k] * x[j];
  }
  for (int i = 0; i < g->nrows; i++)
    assert_near(net_in[i], g->rhs[i], 1e-9 * (1.0 + fabs(g->rhs[i])));
  free(net_in);
  return cost;
}

/* The same sequence of LPs solved by CLP and by the network simplex: the
** same optimal cost each time, to 1e-9 relative. */
static void random_networks_match_clp(void **state) {
  (void)state;
  long pivots = 0, clp_iterations = 0;
  for (int seed = 1; seed <= 60; seed++) {
    rng_state = 0x9e3779b97f4a7c15ULL * (uint64_t)seed;
    rnet g;
    rnet_make(&g, 2 + below(seed < 50 ? 30 : 300));
    rnet_bounds(&g);
    assert_true(naryn__net_is_network(g.nrows, g.ncols, g.start, g.index,
                                      g.value, NULL));
    naryn__net *net = naryn__net_new(g.nrows, g.ncols, g.start, g.index,
                                     g.value, g.cost, NULL, NULL);
    assert_non_null(net);
    naryn__lp *lp = naryn__lp_new(g.nrows, g.ncols, g.start, g.index, g.value,
                                  g.lo, g.up, g.cost, g.rhs, g.rhs);
    assert_non_null(lp);
    for (int step = 0; step < 40; step++) {
      if (step == 20) rnet_bounds(&g); /* a step unlike the last */
      else if (step > 0) rnet_nudge(&g);
      int rc = naryn__net_solve(net, g.lo, g.up, g.rhs, g.rhs, &pivots);
      if (rc != NARYN_OK)
        fail_msg("seed %d (%d nodes), step %d: the network simplex returned %d",
                 seed, g.nrows, step, rc);
      double mine = check_flow(&g, naryn__net_x(net));
      assert_int_equal(naryn__lp_set_bounds(lp, g.lo, g.up, g.rhs, g.rhs), NARYN_OK);
      assert_int_equal(naryn__lp_solve(lp, &clp_iterations), NARYN_OK);
      double theirs = naryn__lp_objective(lp);
      if (fabs(mine - theirs) > 1e-9 * (1.0 + fabs(theirs)))
        fail_msg("seed %d, step %d: network simplex %.12g, CLP %.12g", seed,
                 step, mine, theirs);
    }
    naryn__lp_free(lp);
    naryn__net_free(net);
    rnet_free(&g);
  }
  assert_true(pivots > 0);
}

/* 0 -> 1 -> ground with capacity 5 on the second arc: a balance of -8 at
** node 0 (8 to send) cannot be met; once it is -4, it can, from the tree
** the infeasible solve left. */
static void infeasible_then_feasible(void **state) {
  (void)state;
  static const int start[] = {0, 2, 3};
  static const int index[] = {0, 1, 1};
  static const double value[] = {-1, 1, -1};
  static const double cost[] = {1, 2};
  double lo[] = {0, 0}, up[] = {INFINITY, 5}, rhs[] = {-8, 0};
  naryn__net *net = naryn__net_new(2, 2, start, index, value, cost, NULL, NULL);
  long it = 0;
  assert_int_equal(naryn__net_solve(net, lo, up, rhs, rhs, &it), NARYN_EINFEAS);
  rhs[0] = -4;
  assert_int_equal(naryn__net_solve(net, lo, up, rhs, rhs, &it), NARYN_OK);
  assert_near(naryn__net_x(net)[0], 4, 1e-12);
  assert_near(naryn__net_x(net)[1], 4, 1e-12);
  /* A row that is not an equality is not a network's. */
  double rlo[] = {-INFINITY, 0};
  assert_int_equal(naryn__net_solve(net, lo, up, rlo, rhs, &it), NARYN_ESOLVER);
  naryn__net_free(net);
}

static void what_is_a_network(void **state) {
  (void)state;
  static const int start[] = {0, 2, 3};
  static const int index[] = {0, 1, 1};
  static const double ok[] = {-1, 1, -1};
  static const double gain[] = {-1, 0.95, -1};
  static const double same_sign[] = {1, 1, -1};
  assert_true(naryn__net_is_network(2, 2, start, index, ok, NULL));
  assert_false(naryn__net_is_network(2, 2, start, index, gain, NULL));
  assert_false(naryn__net_is_network(2, 2, start, index, same_sign, NULL));
  static const int empty[] = {0, 2, 2};
  assert_false(naryn__net_is_network(2, 2, empty, index, ok, NULL));
}

/* The chain of bench/chain.sh, three units over two years, its demands of
** distinct priorities short in the dry months. */
static const char chain[] =
    "name: chain-3\n"
    "horizon: {start: 2000-01-01, end: 2001-12-31, step: daily}\n"
    "nodes:\n"
    "  - {name: c0, type: inflow, inflow_m3s: [12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11]}\n"
    "  - {name: r0, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d0, type: demand, demand_m3s: 6, priority: 1}\n"
    "  - {name: j0, type: junction}\n"
    "  - {name: c1, type: inflow, inflow_m3s: [13.2, 15.4, 14.3, 11, 7.7, 5.5, 4.4, 3.3, 3.3, 5.5, 8.8, 12.1]}\n"
    "  - {name: r1, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d1, type: demand, demand_m3s: 9, priority: 4}\n"
    "  - {name: j1, type: junction}\n"
    "  - {name: c2, type: inflow, inflow_m3s: [14.4, 16.8, 15.6, 12, 8.4, 6, 4.8, 3.6, 3.6, 6, 9.6, 13.2]}\n"
    "  - {name: r2, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d2, type: demand, demand_m3s: 12, priority: 7}\n"
    "  - {name: outfall, type: sink}\n"
    "links:\n"
    "  - {from: c0, to: r0}\n"
    "  - {from: r0, to: d0}\n"
    "  - {from: r0, to: j0}\n"
    "  - {from: j0, to: r1}\n"
    "  - {from: c1, to: r1}\n"
    "  - {from: r1, to: d1}\n"
    "  - {from: r1, to: j1}\n"
    "  - {from: j1, to: r2}\n"
    "  - {from: c2, to: r2}\n"
    "  - {from: r2, to: d2}\n"
    "  - {from: r2, to: outfall, max_flow_m3s: 40}\n";

static naryn_result *run_chain(const naryn_model *m, naryn_step_solver how) {
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.step_solver = how;
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, &o, &r, d), NARYN_OK);
  naryn_diags_free(d);
  return r;
}

/* Simulates m either way: every step by the solver asked for, and every
** node quantity and link flow the same to 1e-9 hm3 (the LPs here have one
** optimum each). Returns the water short over the run. */
static double either_way(const naryn_model *m) {
  naryn_result *a = run_chain(m, NARYN_STEP_AUTO);
  naryn_result *b = run_chain(m, NARYN_STEP_CLP);
  int steps = naryn_model_steps(m);
  assert_int_equal(a->net_solves, a->solves);
  assert_true(a->solves >= steps);
  assert_int_equal(a->net_fallbacks, 0);
  assert_int_equal(b->net_solves, 0);
  assert_int_equal(a->solves, b->solves);
  double short_hm3 = 0.0;
  for (int t = 0; t < steps; t++) {
    for (int i = 0; i < naryn_model_node_count(m); i++)
      for (int q = 0; q < NARYN_Q_COUNT; q++) {
        double u = naryn_result_node(a, (naryn_quantity)q, i, t);
        double v = naryn_result_node(b, (naryn_quantity)q, i, t);
        if (isnan(u) || isnan(v)) {
          assert_true(isnan(u) && isnan(v));
          continue;
        }
        if (fabs(u - v) > 1e-9 * (1.0 + fabs(v)))
          fail_msg("%s, quantity %d, step %d: %.12g against CLP's %.12g",
                   naryn_model_node_name(m, i), q, t, u, v);
        if (q == NARYN_Q_SHORTAGE_HM3) short_hm3 += u;
      }
    for (int l = 0; l < naryn_model_link_count(m); l++)
      assert_near(naryn_result_link_flow_hm3(a, l, t),
                         naryn_result_link_flow_hm3(b, l, t), 1e-9);
  }
  naryn_result_free(a);
  naryn_result_free(b);
  return short_hm3;
}

static void chain_either_way(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text(chain, &m, d), NARYN_OK);
  naryn_diags_free(d);
  /* The dry months leave the last demand short: the test has teeth. */
  assert_true(either_way(m) > 1.0);
  naryn_model_free(m);
}

/* Replaces every occurrence of 'from' in text (allocated) by 'to'. */
static char *replace_all(char *text, const char *from, const char *to) {
  size_t nf = strlen(from), nt = strlen(to), n = 0;
  for (char *p = strstr(text, from); p; p = strstr(p + nf, from)) n++;
  char *out = malloc(strlen(text) + n * nt + 1), *o = out;
  const char *p = text;
  for (const char *q = strstr(p, from); q; q = strstr(p, from)) {
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, to, nt);
    o += nt;
    p = q + nf;
  }
  strcpy(o, p);
  free(text);
  return out;
}

/* examples/cascade without its link losses and return flow: a network
** once each plant's split row, the minimum flow's row and the reservoir's
** target are folded in, with head and evaporation settled by re-solving;
** the network simplex solves every step as CLP does. */
static void cascade_either_way(void **state) {
  (void)state;
  char *text = tu_slurp("examples/cascade/model.yaml");
  char *csv = tu_slurp("examples/cascade/inflow.csv");
  assert_non_null(text);
  assert_non_null(csv);
  text = replace_all(text, ", loss_fraction: 0.2}", "}");
  text = replace_all(text, ", loss_fraction: 0.15}", "}");
  text = replace_all(text, ", loss_fraction: 0.05}", "}");
  text = replace_all(text, "return_fraction: 0.15", "return_fraction: 0");
  assert_null(strstr(text, "loss_fraction"));
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", text);
  tu_write(dir, "inflow.csv", csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_model *m = tu_load_path(path);
  either_way(m);
  naryn_model_free(m);
  /* As it is, with losses, it is not a network: CLP solves every step. */
  m = tu_load_path("examples/cascade/model.yaml");
  naryn_result *r = run_chain(m, NARYN_STEP_AUTO);
  assert_int_equal(r->net_solves, 0);
  naryn_result_free(r);
  naryn_model_free(m);
  tu_rmdir(dir);
  free(text);
  free(csv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(random_networks_match_clp),
      cmocka_unit_test(infeasible_then_feasible),
      cmocka_unit_test(what_is_a_network),
      cmocka_unit_test(chain_either_way),
      cmocka_unit_test(cascade_either_way),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
