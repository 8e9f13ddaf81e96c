/*
** test_graph.c: networks of every size and shape the walks over the graph
** must take: a chain of 100,000 nodes that is checked and simulated (its
** walks used to recurse once per node and its name lookups and first LP
** to take time that grew with the square of its size), a loop through the
** whole chain, the storage values that rank reservoirs from upstream, and
** loops through a plant or a demand's return flow, which would let water
** circulate for value.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "naryn_int.h"

/* Under AddressSanitizer every step costs several times more; 30,000
** nodes are still three times the depth at which the recursive walk
** overflowed the stack (with smaller frames than the sanitizer's). */
#if defined(__SANITIZE_ADDRESS__)
#define CHAIN_NODES 30000
#else
#define CHAIN_NODES 100000
#endif
/* One node in this many of the chain is a reservoir. */
#define RESERVOIR_EVERY 1000

/* Writes a model of an inflow, n nodes in a chain (a reservoir every
** RESERVOIR_EVERY, junctions between) and a sink, over 12 monthly steps,
** into dir/model.json. With 'loop', a link from the last junction back to
** the first node of the chain closes a loop through every node. */
static void write_chain(const char *dir, int n, int loop) {
  char path[512];
  snprintf(path, sizeof path, "%s/model.json", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "{\"name\": \"chain\",\n \"horizon\": {\"start\": \"2001-01\", "
             "\"end\": \"2001-12\", \"step\": \"monthly\"},\n \"nodes\": [\n"
             "  {\"name\": \"In\", \"type\": \"inflow\", \"inflow_m3s\": 100},\n");
  for (int i = 0; i < n; i++) {
    if (i % RESERVOIR_EVERY == 0 && !loop)
      fprintf(f, "  {\"name\": \"N%d\", \"type\": \"reservoir\", "
                 "\"max_storage_hm3\": 100, \"initial_storage_hm3\": 50},\n", i);
    else
      fprintf(f, "  {\"name\": \"N%d\", \"type\": \"junction\"},\n", i);
  }
  fprintf(f, "  {\"name\": \"Sea\", \"type\": \"sink\"}\n ],\n \"links\": [\n"
             "  {\"from\": \"In\", \"to\": \"N0\"},\n");
  for (int i = 1; i < n; i++)
    fprintf(f, "  {\"from\": \"N%d\", \"to\": \"N%d\"},\n", i - 1, i);
  if (loop) fprintf(f, "  {\"from\": \"N%d\", \"to\": \"N0\"},\n", n - 1);
  fprintf(f, "  {\"from\": \"N%d\", \"to\": \"Sea\"}\n ]\n}\n", n - 1);
  assert_int_equal(fclose(f), 0);
}

/* 100,000 nodes in a chain (CHAIN_NODES): checked, every reservoir valued by the number
** below it, and simulated with the water balance closed. */
static void chain_of_100000_nodes_checks_and_simulates(void **state) {
  (void)state;
  char dir[64], path[128];
  tu_mkdtemp(dir);
  write_chain(dir, CHAIN_NODES, 0);
  snprintf(path, sizeof path, "%s/model.json", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("load: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_int_equal(naryn_model_node_count(m), CHAIN_NODES + 2);
  char name[32];
  snprintf(name, sizeof name, "N%d", CHAIN_NODES - 1);
  assert_int_equal(naryn_model_node_index(m, name), CHAIN_NODES);
  snprintf(name, sizeof name, "N%d", CHAIN_NODES);
  assert_int_equal(naryn_model_node_index(m, name), -1);
  /* The first reservoir has all the others below it, the last none. */
  int nres = CHAIN_NODES / RESERVOIR_EVERY;
  tu_close_to(m->nodes[1].storage_value, 0.01 * nres, 1e-12);
  int last = 1 + (nres - 1) * RESERVOIR_EVERY;
  assert_int_equal(m->nodes[last].type, NARYN_NODE_RESERVOIR);
  tu_close_to(m->nodes[last].storage_value, 0.01, 1e-12);
  naryn_result *r = NULL;
  rc = naryn_simulate(m, NULL, &r, d);
  if (rc != NARYN_OK) print_error("simulate: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  /* With nothing to ask for it, the river runs through: the sea gets
  ** the inflow of the year, give or take what the reservoirs keep. */
  int sea = naryn_model_node_index(m, "Sea");
  double in = 0, out = 0, kept = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    in += naryn_result_node(r, NARYN_Q_INFLOW_HM3, 0, t);
    out += naryn_result_node(r, NARYN_Q_INFLOW_HM3, sea, t);
  }
  for (int i = 0; i < naryn_model_node_count(m); i++)
    if (naryn_model_node_type(m, i) == NARYN_NODE_RESERVOIR)
      kept += naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, i, 11) - 50;
  assert_true(in > 3000);
  tu_close_to(in, out + kept, 1e-9);
  assert_true(fabs(naryn_result_system_residual_hm3(r)) < 1e-6 * in);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A loop through the whole chain with no reservoir is found and named,
** from its first node to its last and back. */
static void loop_through_100000_nodes_is_reported(void **state) {
  (void)state;
  char dir[64], path[128];
  tu_mkdtemp(dir);
  write_chain(dir, CHAIN_NODES, 1);
  snprintf(path, sizeof path, "%s/model.json", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, NULL, 0, &m, d), NARYN_EMODEL);
  assert_null(m);
  assert_int_equal(naryn_diags_errors(d), 1);
  const char *e = tu_first_error(d);
  assert_non_null(strstr(e, "junction \"N0\": expected every loop of links to "
                            "pass through a reservoir, got the loop \"N0\" -> "
                            "\"N1\" -> "));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* Storage values count the reservoirs on the path below that passes the
** most of them: Top sees Left and Low on one branch (2), not also Right. */
static void storage_values_count_reservoirs_below(void **state) {
  (void)state;
  static const char text[] =
      "name: branches\n"
      "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: 10}\n"
      "  - {name: Top, type: reservoir, max_storage_hm3: 10, initial_storage_hm3: 5}\n"
      "  - {name: Split, type: junction}\n"
      "  - {name: Left, type: reservoir, max_storage_hm3: 10, initial_storage_hm3: 5}\n"
      "  - {name: Right, type: reservoir, max_storage_hm3: 10, initial_storage_hm3: 5}\n"
      "  - {name: Low, type: reservoir, max_storage_hm3: 10, initial_storage_hm3: 5}\n"
      "  - {name: Off, type: reservoir, enabled: false, max_storage_hm3: 10, initial_storage_hm3: 5}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: In, to: Top}\n"
      "  - {from: Top, to: Split}\n"
      "  - {from: Split, to: Left}\n"
      "  - {from: Split, to: Right}\n"
      "  - {from: Left, to: Low}\n"
      "  - {from: Low, to: Off}\n"
      "  - {from: Right, to: Sea}\n"
      "  - {from: Off, to: Sea}\n";
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("load: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  static const struct { const char *name; double value; } want[] = {
      {"Top", 0.03}, {"Left", 0.02}, {"Right", 0.01}, {"Low", 0.01}, {"Off", 0.01}};
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    int i = naryn_model_node_index(m, want[k].name);
    assert_true(i >= 0);
    if (fabs(m->nodes[i].storage_value - want[k].value) > 1e-12)
      print_error("reservoir %s:\n", want[k].name);
    tu_close_to(m->nodes[i].storage_value, want[k].value, 1e-12);
  }
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(chain_of_100000_nodes_checks_and_simulates),
      cmocka_unit_test(loop_through_100000_nodes_is_reported),
      cmocka_unit_test(storage_values_count_reservoirs_below),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
