/*
** test_model.c: reading models: CSV series, monthly values on daily steps,
** many errors in one run, suggestions for misspelt fields, scenario files,
** loops without storage, and the model getters.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <sys/stat.h>

#include "naryn_int.h"
#include "testutil.h"

/* Loads model.yaml with the given files beside it. */
static int load_with(const char *model, const char *csv_name, const char *csv,
                     naryn_model **m, naryn_diags *d) {
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", model);
  if (csv_name) tu_write(dir, csv_name, csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  int rc = naryn_model_load(path, NULL, 0, m, d);
  tu_rmdir(dir);
  return rc;
}

static const char series_model[] =
    "horizon: {start: 2001-02, end: 2001-04, step: monthly}\n"
    "nodes:\n"
    "  - {name: In, type: inflow,\n"
    "     inflow_m3s: {file: q.csv, column: flow, date_column: month, scale: 2}}\n"
    "  - {name: Out, type: sink}\n"
    "links:\n"
    "  - {from: In, to: Out}\n";

/* A series is read by date, rows outside the horizon are ignored, and the
** scale multiplies every value. */
static void series_read_by_date_and_scaled(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  assert_int_equal(load_with(series_model, "q.csv",
                             "# flows\nmonth,flow\n2001-01,1\n2001-03,30\n"
                             "2001-02,20\n2001-04-01,40\n2001-05,50\n",
                             &m, d),
                   NARYN_OK);
  const naryn__node *n = &m->nodes[0];
  assert_float_equal(n->inflow_m3s.v[0], 40, 0);
  assert_float_equal(n->inflow_m3s.v[1], 60, 0);
  assert_float_equal(n->inflow_m3s.v[2], 80, 0);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A series that stops before the horizon's end says how far it goes. */
static void short_series_says_how_far_it_goes(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  assert_int_equal(load_with(series_model, "q.csv",
                             "month,flow\n2001-02,20\n2001-03,30\n", &m, d),
                   NARYN_EMODEL);
  assert_null(m);
  const char *e = tu_first_error(d);
  assert_non_null(strstr(e, "/q.csv:3:1: error: column \"flow\": expected rows up "
                            "to 2001-04 (the end of the horizon), got rows only up "
                            "to 2001-03"));
  naryn_diags_free(d);
}

/* Three independent mistakes are all reported, each at its own field. */
static void many_errors_in_one_run(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  int rc = tu_load_text(
      "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
      "nodes:\n"
      "  - {name: In, type: inflow, inflow_m3s: -5}\n"
      "  - {name: R, type: reservoir, min_storage_hm3: 50, max_storage_hm3: 10,\n"
      "     initial_storage_hm3: 5}\n"
      "  - {name: P, type: hydropower, head_m: 10, max_turbine_flow_m3s: 10,\n"
      "     capacity_mw: 5, efficiency: 1.5}\n"
      "  - {name: Out, type: sink}\n"
      "links:\n"
      "  - {from: In, to: R}\n"
      "  - {from: R, to: P}\n"
      "  - {from: P, to: Out}\n",
      &m, d);
  assert_int_equal(rc, NARYN_EMODEL);
  assert_int_equal(naryn_diags_errors(d), 3);
  char line[512];
  naryn_diag_format(naryn_diags_get(d, 0), line, sizeof line);
  assert_non_null(strstr(line, "model.yaml:3:42: error: inflow \"In\".inflow_m3s: "
                               "expected an inflow >= 0 m3/s, got -5"));
  naryn_diag_format(naryn_diags_get(d, 1), line, sizeof line);
  assert_non_null(strstr(line, "model.yaml:4:70: error: reservoir \"R\".max_storage_hm3: "
                               "expected a value >= min_storage_hm3 (50), got 10"));
  naryn_diag_format(naryn_diags_get(d, 2), line, sizeof line);
  assert_non_null(strstr(line, "model.yaml:7:34: error: hydropower \"P\".efficiency: "
                               "expected an efficiency above 0 and at most 1, got 1.5"));
  naryn_diags_free(d);
}

/* A misspelt field is named with the field it probably meant. */
static void unknown_field_suggests_the_nearest(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  tu_load_text("horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
               "nodes:\n"
               "  - {name: In, type: inflow, inflow_m3s: 5}\n"
               "  - {name: R, type: reservoir, max_storge_hm3: 10, initial_storage_hm3: 5}\n",
               &m, d);
  assert_non_null(strstr(tu_first_error(d),
                         "model.yaml:4:32: error: reservoir \"R\": expected a known field, "
                         "got unknown field \"max_storge_hm3\" (did you mean \"max_storage_hm3\"?)"));
  naryn_diags_free(d);
}

/* Monthly values reach daily steps as rates, split volumes, or targets
** interpolated from the end of the previous month. */
static void monthly_values_on_daily_steps(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  assert_int_equal(
      tu_load_text("horizon: {start: 2001-03-01, end: 2001-03-31, step: daily}\n"
                   "nodes:\n"
                   "  - {name: In, type: inflow, inflow_m3s: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n"
                   "  - {name: R, type: reservoir, max_storage_hm3: 1000, initial_storage_hm3: 300,\n"
                   "     target_storage_hm3: [0, 300, 610, 0, 0, 0, 0, 0, 0, 0, 0, 0],\n"
                   "     evaporation_mm: [0, 0, 62, 0, 0, 0, 0, 0, 0, 0, 0, 0],\n"
                   "     area_table: {storage_hm3: [0, 1000], area_km2: [1, 1]}}\n"
                   "  - {name: Out, type: sink}\n"
                   "links:\n"
                   "  - {from: In, to: R}\n"
                   "  - {from: R, to: Out}\n",
                   &m, d),
      NARYN_OK);
  const naryn__node *in = &m->nodes[0], *r = &m->nodes[1];
  assert_float_equal(in->inflow_m3s.v[0], 3, 0);
  assert_float_equal(in->inflow_m3s.v[30], 3, 0);
  assert_float_equal(r->evaporation_mm.v[0], 2, 1e-12);
  /* From 300 at the end of February to 610 at the end of March. */
  assert_float_equal(r->target_storage_hm3.v[0], 310, 1e-9);
  assert_float_equal(r->target_storage_hm3.v[30], 610, 1e-9);
  assert_int_equal(naryn_model_steps(m), 31);
  assert_string_equal(naryn_model_step_date(m, 30), "2001-03-31");
  assert_float_equal(naryn_model_step_seconds(m, 0), 86400, 0);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A loop of links with no reservoir is reported with its nodes. */
static void loop_without_storage_is_named(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  tu_load_text("horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
               "nodes:\n"
               "  - {name: In, type: inflow, inflow_m3s: 5}\n"
               "  - {name: A, type: junction}\n"
               "  - {name: B, type: junction}\n"
               "  - {name: Out, type: sink}\n"
               "links:\n"
               "  - {from: In, to: A}\n"
               "  - {from: A, to: B}\n"
               "  - {from: B, to: A}\n"
               "  - {from: B, to: Out}\n",
               &m, d);
  assert_null(m);
  assert_non_null(strstr(tu_first_error(d),
                         "junction \"A\": expected every loop of links to pass through "
                         "a reservoir, got the loop \"A\" -> \"B\" -> \"A\" with none"));
  naryn_diags_free(d);
}

/* A scenario changes fields of named nodes, adds nodes that have a type,
** changes links known by their ends, and refuses a name no node has. */
static void scenarios_change_add_and_refuse(void **state) {
  (void)state;
  char dir[64], path[128], over[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml",
           "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 5}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Out, max_flow_m3s: 100}\n");
  tu_write(dir, "add.yaml",
           "scenario: with-town\n"
           "nodes:\n"
           "  - {name: In, inflow_m3s: 7}\n"
           "  - {name: Town, type: demand, demand_m3s: 2, priority: 1}\n"
           "links:\n"
           "  - {from: In, to: Out, max_flow_m3s: 50}\n"
           "  - {from: In, to: Town}\n");
  tu_write(dir, "typo.yaml", "nodes:\n  - {name: Inn, inflow_m3s: 7}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  snprintf(over, sizeof over, "%s/add.yaml", dir);
  const char *o1[] = {over};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  assert_int_equal(naryn_model_load(path, o1, 1, &m, d), NARYN_OK);
  assert_string_equal(naryn_model_scenario(m), "with-town");
  assert_int_equal(naryn_model_node_count(m), 3);
  assert_int_equal(naryn_model_link_count(m), 2);
  assert_float_equal(m->nodes[0].inflow_m3s.v[0], 7, 0);
  assert_float_equal(m->links[0].max_flow_m3s.v[0], 50, 0);
  assert_string_equal(naryn_model_link_name(m, 1), "In->Town");
  assert_int_equal(naryn_model_node_type(m, 2), NARYN_NODE_DEMAND);
  naryn_model_free(m);
  snprintf(over, sizeof over, "%s/typo.yaml", dir);
  assert_int_equal(naryn_model_load(path, o1, 1, &m, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "typo.yaml:2:12: error: node \"Inn\": expected the "
                                            "name of a node in the model to change (or a "
                                            "\"type\" to add a node), got \"Inn\", which no "
                                            "node has (did you mean \"In\"?)"));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A scenario in another folder names its CSV relative to itself, changes
** a named link by its ends, and leaves the model's name alone; a plant
** whose reservoir a scenario disables is refused. */
static void scenario_files_in_their_own_folder(void **state) {
  (void)state;
  char dir[64], path[160], over[200], sub[100];
  tu_mkdtemp(dir);
  snprintf(sub, sizeof sub, "%s/scen", dir);
  if (mkdir(sub, 0777) != 0) fail();
  tu_write(dir, "model.yaml",
           "name: base\n"
           "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: 5}\n"
           "  - {name: R, type: reservoir, max_storage_hm3: 100, initial_storage_hm3: 50,\n"
           "     level_table: {storage_hm3: [0, 100], level_m: [10, 20]}}\n"
           "  - {name: P, type: hydropower, reservoir: R, tailwater_m: 0,\n"
           "     max_turbine_flow_m3s: 10, capacity_mw: 1, efficiency: 0.9}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: R}\n"
           "  - {from: R, to: P}\n"
           "  - {name: tail, from: P, to: Out, max_flow_m3s: 100}\n");
  tu_write(sub, "wet.yaml",
           "name: not-the-model\n"
           "nodes:\n"
           "  - {name: In, inflow_m3s: {file: q.csv, column: q}}\n"
           "links:\n"
           "  - {from: P, to: Out, max_flow_m3s: 60}\n");
  tu_write(sub, "q.csv", "date,q\n2001-01,42\n");
  tu_write(sub, "dry.yaml", "nodes:\n  - {name: R, enabled: false}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  snprintf(over, sizeof over, "%s/wet.yaml", sub);
  const char *o1[] = {over};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  int rc = naryn_model_load(path, o1, 1, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_string_equal(naryn_model_name(m), "base");
  assert_string_equal(naryn_model_scenario(m), "wet");
  assert_float_equal(m->nodes[0].inflow_m3s.v[0], 42, 0);
  assert_int_equal(naryn_model_link_count(m), 3);
  assert_float_equal(m->links[2].max_flow_m3s.v[0], 60, 0);
  naryn_model_free(m);
  snprintf(over, sizeof over, "%s/dry.yaml", sub);
  assert_int_equal(naryn_model_load(path, o1, 1, &m, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "hydropower \"P\".reservoir: expected an "
                                            "enabled reservoir to give the head, got \"R\""));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* The same model as JSON and as YAML reads the same. */
static void json_and_yaml_read_alike(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *a, *b;
  assert_int_equal(tu_load_text("{\"horizon\": {\"start\": \"2001-01\", \"end\": \"2001-03\","
                                " \"step\": \"monthly\"},\n \"nodes\": [{\"name\": \"In\","
                                " \"type\": \"inflow\", \"inflow_m3s\": 4.5}, {\"name\":"
                                " \"Out\", \"type\": \"sink\"}],\n \"links\": [{\"from\":"
                                " \"In\", \"to\": \"Out\"}]}\n",
                                &a, d),
                   NARYN_OK);
  assert_int_equal(tu_load_text("horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
                                "nodes:\n  - name: In\n    type: inflow\n    inflow_m3s: 4.5\n"
                                "  - {name: Out, type: sink}\n"
                                "links:\n  - {from: In, to: Out}\n",
                                &b, d),
                   NARYN_OK);
  assert_int_equal(naryn_model_steps(a), naryn_model_steps(b));
  assert_int_equal(naryn_model_node_count(a), naryn_model_node_count(b));
  for (int t = 0; t < 3; t++)
    assert_float_equal(a->nodes[0].inflow_m3s.v[t], b->nodes[0].inflow_m3s.v[t], 0);
  assert_string_equal(naryn_model_node_name(a, 1), "Out");
  assert_string_equal(naryn_node_type_name(naryn_model_node_type(a, 1)), "sink");
  assert_int_equal(naryn_model_node_index(a, "nope"), -1);
  naryn_model_free(a);
  naryn_model_free(b);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(series_read_by_date_and_scaled),
      cmocka_unit_test(short_series_says_how_far_it_goes),
      cmocka_unit_test(many_errors_in_one_run),
      cmocka_unit_test(unknown_field_suggests_the_nearest),
      cmocka_unit_test(monthly_values_on_daily_steps),
      cmocka_unit_test(loop_without_storage_is_named),
      cmocka_unit_test(scenarios_change_add_and_refuse),
      cmocka_unit_test(scenario_files_in_their_own_folder),
      cmocka_unit_test(json_and_yaml_read_alike),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
