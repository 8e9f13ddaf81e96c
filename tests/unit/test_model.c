/*
** test_model.c: reading models: CSV series, monthly values on daily steps,
** many errors in one run, suggestions for misspelt fields, scenario files,
** loops without storage, the model getters, and the objective terms.
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
  assert_near(n->inflow_m3s.v[0], 40, 0);
  assert_near(n->inflow_m3s.v[1], 60, 0);
  assert_near(n->inflow_m3s.v[2], 80, 0);
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
  assert_near(in->inflow_m3s.v[0], 3, 0);
  assert_near(in->inflow_m3s.v[30], 3, 0);
  assert_near(r->evaporation_mm.v[0], 2, 1e-12);
  /* From 300 at the end of February to 610 at the end of March. */
  assert_near(r->target_storage_hm3.v[0], 310, 1e-9);
  assert_near(r->target_storage_hm3.v[30], 610, 1e-9);
  assert_int_equal(naryn_model_steps(m), 31);
  assert_string_equal(naryn_model_step_date(m, 30), "2001-03-31");
  assert_near(naryn_model_step_seconds(m, 0), 86400, 0);
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
  assert_near(m->nodes[0].inflow_m3s.v[0], 7, 0);
  assert_near(m->links[0].max_flow_m3s.v[0], 50, 0);
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
  assert_near(m->nodes[0].inflow_m3s.v[0], 42, 0);
  assert_int_equal(naryn_model_link_count(m), 3);
  assert_near(m->links[2].max_flow_m3s.v[0], 60, 0);
  naryn_model_free(m);
  snprintf(over, sizeof over, "%s/dry.yaml", sub);
  assert_int_equal(naryn_model_load(path, o1, 1, &m, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "hydropower \"P\".reservoir: expected an "
                                            "enabled reservoir to give the head, got \"R\""));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A scenario that gives a CSV series a new file keeps only the model's
** column: the scale and date column of the model's file do not carry over
** (a file of the same name beside a scenario in another folder is a new
** file too), while one that gives only a scale keeps the model's file. */
static void scenario_new_file_resets_series(void **state) {
  (void)state;
  char dir[64], path[160], over[200], sub[100];
  tu_mkdtemp(dir);
  snprintf(sub, sizeof sub, "%s/scen", dir);
  if (mkdir(sub, 0777) != 0) fail();
  tu_write(dir, "model.yaml",
           "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow,\n"
           "     inflow_m3s: {file: q.csv, column: q, date_column: month, scale: 2}}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Out}\n");
  tu_write(dir, "q.csv", "month,q\n2001-01,10\n");
  tu_write(dir, "other.csv", "date;q\n2001-01;12,5\n");
  tu_write(dir, "new.yaml", "nodes:\n  - {name: In, inflow_m3s: {file: other.csv}}\n");
  tu_write(dir, "scale.yaml", "nodes:\n  - {name: In, inflow_m3s: {scale: 3}}\n");
  tu_write(sub, "q.csv", "date,q\n2001-01,42\n");
  tu_write(sub, "away.yaml", "nodes:\n  - {name: In, inflow_m3s: {file: q.csv}}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  const char *o1[] = {over};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  static const char *const names[] = {"new.yaml", "scale.yaml", "scen/away.yaml"};
  static const double want[] = {12.5, 30, 42};
  for (int i = 0; i < 3; i++) {
    snprintf(over, sizeof over, "%s/%s", dir, names[i]);
    int rc = naryn_model_load(path, o1, 1, &m, d);
    if (rc != NARYN_OK) print_error("%s: %s\n", names[i], tu_first_error(d));
    assert_int_equal(rc, NARYN_OK);
    assert_near(m->nodes[0].inflow_m3s.v[0], want[i], 0);
    naryn_model_free(m);
  }
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
    assert_near(a->nodes[0].inflow_m3s.v[t], b->nodes[0].inflow_m3s.v[t], 0);
  assert_string_equal(naryn_model_node_name(a, 1), "Out");
  assert_string_equal(naryn_node_type_name(naryn_model_node_type(a, 1)), "sink");
  assert_int_equal(naryn_model_node_index(a, "nope"), -1);
  naryn_model_free(a);
  naryn_model_free(b);
  naryn_diags_free(d);
}

/* ====================================================================== */
/* Objective terms                                                         */
/* ====================================================================== */

/* A network with two countries, two plants and a disabled one, two
** reservoirs, two demands, a minimum flow and a sink. The horizon comes
** between the two halves. */
static const char obj_head[] = "countries: {UP: Upland, DN: Downland}\n";
static const char obj_net[] =
    "nodes:\n"
    "  - {name: River, type: inflow, country: UP, inflow_m3s: 100}\n"
    "  - {name: Lake, type: reservoir, country: UP, min_storage_hm3: 100,\n"
    "     max_storage_hm3: 1000, initial_storage_hm3: 500,\n"
    "     level_table: {storage_hm3: [0, 1000], level_m: [100, 200]}}\n"
    "  - {name: Plant, type: hydropower, country: UP, reservoir: Lake,\n"
    "     tailwater_m: 100, max_turbine_flow_m3s: 120, capacity_mw: 100,\n"
    "     efficiency: 0.9}\n"
    "  - {name: Lower, type: hydropower, country: DN, head_m: 20,\n"
    "     max_turbine_flow_m3s: 100, capacity_mw: 30, efficiency: 0.9}\n"
    "  - {name: Pond, type: reservoir, country: DN, max_storage_hm3: 50,\n"
    "     initial_storage_hm3: 20}\n"
    "  - {name: Old, type: hydropower, country: DN, enabled: false, head_m: 10,\n"
    "     max_turbine_flow_m3s: 10, capacity_mw: 1, efficiency: 0.9}\n"
    "  - {name: Town, type: demand, country: DN, demand_m3s: 2, priority: 1}\n"
    "  - {name: Farms, type: demand, country: DN, demand_m3s: 20, priority: 3}\n"
    "  - {name: Delta, type: min_flow, country: DN, min_flow_m3s: 10, priority: 2}\n"
    "  - {name: Sea, type: sink, country: DN}\n"
    "links:\n"
    "  - {from: River, to: Lake}\n"
    "  - {from: Lake, to: Plant}\n"
    "  - {from: Plant, to: Lower}\n"
    "  - {from: Lower, to: Pond}\n"
    "  - {from: Pond, to: Old}\n"
    "  - {from: Old, to: Town}\n"
    "  - {from: Old, to: Farms}\n"
    "  - {from: Old, to: Delta}\n"
    "  - {from: Delta, to: Sea}\n";

static const char obj_monthly[] =
    "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n";

/* The text of the test network with a horizon and extra top-level fields
** (objectives, currency), in a static buffer. */
static const char *obj_model(const char *horizon, const char *extra) {
  static char text[8192];
  snprintf(text, sizeof text, "%s%s%s%s", obj_head, horizon, obj_net, extra);
  return text;
}

/* Loads the test network with the given extra fields, with one CSV file
** beside it when csv_name is set; fails the test when it does not load. */
static naryn_model *obj_load(const char *horizon, const char *extra,
                             const char *csv_name, const char *csv) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = load_with(obj_model(horizon, extra), csv_name, csv, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* Price of a named term for a named node at a step. */
static double obj_price(const naryn_model *m, const char *term,
                        const char *node, int step) {
  int k = naryn_model_term_index(m, term);
  assert_true(k >= 0);
  return naryn__term_price(m, &m->terms[k], naryn_model_node_index(m, node),
                           step);
}

/* The term of a given name. */
static const naryn__term *obj_term(const naryn_model *m, const char *term) {
  int k = naryn_model_term_index(m, term);
  assert_true(k >= 0);
  return &m->terms[k];
}

/* A model without "objectives" gets the four default terms, in order,
** over every enabled node of their type and every step. */
static void objectives_default_terms(void **state) {
  (void)state;
  naryn_model *m = obj_load(obj_monthly, "", NULL, NULL);
  static const char *const names[] = {"energy", "shortage", "min_flow",
                                      "end_storage"};
  assert_int_equal(m->objectives_given, 0);
  assert_string_equal(naryn_model_currency(m), "units");
  assert_int_equal(naryn_model_term_count(m), 4);
  for (int k = 0; k < 4; k++) {
    assert_string_equal(naryn_model_term_name(m, k), names[k]);
    assert_string_equal(naryn_model_term_kind(m, k), names[k]);
    assert_int_equal(naryn_model_term_is_benefit(m, k), k == 0);
    assert_near(naryn_model_term_weight(m, k), 1, 0);
    assert_null(m->terms[k].doc);
    for (int t = 0; t < 12; t++) assert_int_equal(m->terms[k].step_on[t], 1);
  }
  /* Energy at 30 per MWh from enabled plants only. */
  assert_near(obj_price(m, "energy", "Plant", 0), 30, 0);
  assert_near(obj_price(m, "energy", "Lower", 11), 30, 0);
  assert_near(obj_price(m, "energy", "Old", 0), 0, 0);
  assert_near(obj_price(m, "energy", "Lake", 0), 0, 0);
  /* Shortfalls by priority: 1000 x 2^(10 - p) per hm3. */
  const naryn__term *sh = obj_term(m, "shortage");
  assert_null(sh->price);
  assert_int_equal(sh->by_priority, 1);
  assert_near(sh->priority_price[10], 1000, 0);
  assert_near(obj_price(m, "shortage", "Town", 0), 512000, 0);
  assert_near(obj_price(m, "shortage", "Farms", 0), 128000, 0);
  assert_near(obj_price(m, "shortage", "Delta", 0), 0, 0);
  assert_near(obj_price(m, "min_flow", "Delta", 5), 256000, 0);
  assert_near(obj_price(m, "min_flow", "Town", 5), 0, 0);
  /* End storage: every enabled reservoir back to its initial storage. */
  const naryn__term *es = obj_term(m, "end_storage");
  int lake = naryn_model_node_index(m, "Lake"), pond = naryn_model_node_index(m, "Pond");
  assert_near(es->end_target_hm3[lake], 500, 0);
  assert_near(es->end_target_hm3[pond], 20, 0);
  assert_true(isnan(es->end_target_hm3[naryn_model_node_index(m, "Plant")]));
  assert_near(obj_price(m, "end_storage", "Lake", 11), 100000, 0);
  naryn_model_free(m);
}

/* Monthly prices reach each step as the month's value, per MWh, also on
** daily steps; a season or a list of months turns the other steps off. */
static void objectives_prices_by_month_season_and_months(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      obj_monthly,
      "currency: USD\n"
      "objectives:\n"
      "  - {name: winter, kind: energy, season: oct-mar,\n"
      "     value_per_mwh: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n"
      "  - {name: summer, kind: energy, season: apr-sep, value_per_mwh: 40}\n"
      "  - {name: july, kind: energy, months: [7, 8], value_per_mwh: 50,\n"
      "     weight: 0.5}\n"
      "  - {name: year, kind: spill, nodes: [Sea], season: all,\n"
      "     penalty_per_hm3: 2}\n",
      NULL, NULL);
  assert_int_equal(m->objectives_given, 1);
  assert_string_equal(naryn_model_currency(m), "USD");
  assert_int_equal(naryn_model_term_count(m), 4);
  const naryn__term *w = obj_term(m, "winter");
  for (int t = 0; t < 12; t++) {
    int mo = t + 1, winter = mo <= 3 || mo >= 10;
    assert_int_equal(w->step_on[t], winter);
    assert_near(w->price[t], winter ? mo : 0, 0);
    assert_near(obj_price(m, "winter", "Plant", t), winter ? mo : 0, 0);
    assert_near(obj_price(m, "summer", "Lower", t), winter ? 0 : 40, 0);
    assert_near(obj_price(m, "july", "Plant", t),
                       (mo == 7 || mo == 8) ? 50 : 0, 0);
    assert_near(obj_price(m, "year", "Sea", t), 2, 0);
  }
  assert_near(naryn_model_term_weight(m, 2), 0.5, 0);
  naryn_model_free(m);

  /* On daily steps a March price is March's value, not spread over days. */
  m = obj_load("horizon: {start: 2001-03-30, end: 2001-04-02, step: daily}\n",
               "objectives:\n"
               "  - {name: power, kind: energy, months: [3],\n"
               "     value_per_mwh: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}\n",
               NULL, NULL);
  assert_near(obj_price(m, "power", "Plant", 0), 3, 0);
  assert_near(obj_price(m, "power", "Plant", 1), 3, 0);
  assert_near(obj_price(m, "power", "Plant", 2), 0, 0);
  assert_near(obj_price(m, "power", "Plant", 3), 0, 0);
  naryn_model_free(m);
}

/* "countries" and "nodes" narrow the nodes a term covers, both must hold
** when both are given, and disabled nodes are never covered. */
static void objectives_countries_and_nodes_filters(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      obj_monthly,
      "objectives:\n"
      "  - {name: dn-power, kind: energy, countries: [DN], value_per_mwh: 30}\n"
      "  - {name: up-power, kind: energy, countries: [UP],\n"
      "     nodes: [Plant, Lower, Old], value_per_mwh: 30}\n"
      "  - {name: named, kind: energy, nodes: [Lower, Old], value_per_mwh: 30}\n"
      "  - {name: spills, kind: spill, nodes: [Sea, Lake], penalty_per_hm3: 1}\n"
      "  - {name: farms, kind: shortage, countries: [DN, UP], nodes: [Farms],\n"
      "     penalty_per_hm3: 7}\n",
      NULL, NULL);
  static const struct {
    const char *term, *node;
    int on;
  } cases[] = {
      {"dn-power", "Lower", 1}, {"dn-power", "Plant", 0}, {"dn-power", "Old", 0},
      {"up-power", "Plant", 1}, {"up-power", "Lower", 0}, {"up-power", "Old", 0},
      {"named", "Lower", 1},    {"named", "Plant", 0},    {"named", "Old", 0},
      {"spills", "Sea", 1},     {"spills", "Lake", 1},    {"spills", "Delta", 0},
      {"farms", "Farms", 1},    {"farms", "Town", 0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const naryn__term *tm = obj_term(m, cases[k].term);
    int node = naryn_model_node_index(m, cases[k].node);
    assert_int_equal(tm->node_on[node], cases[k].on);
  }
  assert_near(obj_price(m, "farms", "Farms", 4), 7, 0);
  naryn_model_free(m);
}

/* Penalties by priority cost what each priority is given and nothing for
** the priorities left out. */
static void objectives_penalties_by_priority(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      obj_monthly,
      "objectives:\n"
      "  - name: demands\n"
      "    kind: shortage\n"
      "    penalty_per_hm3_by_priority: {1: 900, 3: 300}\n"
      "  - {name: flows, kind: min_flow, weight: 2.5,\n"
      "     penalty_per_hm3_by_priority: {\"2\": 50, \"10\": 1}}\n",
      NULL, NULL);
  const naryn__term *dm = obj_term(m, "demands");
  assert_int_equal(dm->by_priority, 1);
  assert_null(dm->price);
  assert_near(dm->priority_price[2], 0, 0);
  assert_near(obj_price(m, "demands", "Town", 0), 900, 0);
  assert_near(obj_price(m, "demands", "Farms", 0), 300, 0);
  assert_near(obj_price(m, "flows", "Delta", 0), 50, 0);
  assert_near(obj_term(m, "flows")->priority_price[10], 1, 0);
  assert_near(naryn_model_term_weight(m, 1), 2.5, 0);
  naryn_model_free(m);
}

/* A loss curve keeps its segments; its first segment gives the price. */
static void objectives_loss_curve(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      obj_monthly,
      "objectives:\n"
      "  - name: farms\n"
      "    kind: shortage\n"
      "    nodes: [Farms]\n"
      "    loss_curve:\n"
      "      shortage_fraction: [0, 0.25, 0.5, 1]\n"
      "      penalty_per_hm3: [100, 400, 400]\n",
      NULL, NULL);
  const naryn__term *tm = obj_term(m, "farms");
  assert_null(tm->price);
  assert_int_equal(tm->by_priority, 0);
  assert_int_equal(tm->ncurve, 3);
  static const double frac[] = {0, 0.25, 0.5, 1}, price[] = {100, 400, 400};
  for (int k = 0; k <= 3; k++) assert_near(tm->curve_frac[k], frac[k], 0);
  for (int k = 0; k < 3; k++) assert_near(tm->curve_price[k], price[k], 0);
  assert_near(obj_price(m, "farms", "Farms", 0), 100, 0);
  assert_near(obj_price(m, "farms", "Town", 0), 0, 0);
  naryn_model_free(m);
}

/* An inflow term's target may be a CSV series, read like any other. */
static void objectives_inflow_target_from_csv(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n",
      "objectives:\n"
      "  - name: lake-inflow\n"
      "    kind: inflow\n"
      "    nodes: [Lake]\n"
      "    target_m3s: {file: want.csv, column: lake_m3s, scale: 2}\n"
      "    penalty_per_hm3: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]\n",
      "want.csv", "date,lake_m3s\n2000-12,1\n2001-01,10\n2001-02,20\n2001-03,30\n");
  const naryn__term *tm = obj_term(m, "lake-inflow");
  assert_non_null(tm->target_m3s.csv);
  for (int t = 0; t < 3; t++) {
    assert_near(tm->target_m3s.v[t], 20.0 * (t + 1), 0);
    assert_near(obj_price(m, "lake-inflow", "Lake", t), 5 + t, 0);
  }
  assert_near(obj_price(m, "lake-inflow", "Sea", 0), 0, 0);
  naryn_model_free(m);
}

/* End-storage targets: the initial storage by default, one number for
** every reservoir covered, or a storage by reservoir name. */
static void objectives_end_storage_targets(void **state) {
  (void)state;
  naryn_model *m = obj_load(
      obj_monthly,
      "objectives:\n"
      "  - {name: back, kind: end_storage, penalty_per_hm3: 10}\n"
      "  - {name: lake, kind: end_storage, nodes: [Lake], penalty_per_hm3: 20,\n"
      "     target_hm3: 800}\n"
      "  - name: named\n"
      "    kind: end_storage\n"
      "    penalty_per_hm3: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n"
      "    target_hm3: {Lake: 300}\n",
      NULL, NULL);
  int lake = naryn_model_node_index(m, "Lake"), pond = naryn_model_node_index(m, "Pond");
  const naryn__term *back = obj_term(m, "back"), *one = obj_term(m, "lake"),
                    *named = obj_term(m, "named");
  assert_near(back->end_target_hm3[lake], 500, 0);
  assert_near(back->end_target_hm3[pond], 20, 0);
  assert_near(one->end_target_hm3[lake], 800, 0);
  assert_true(isnan(one->end_target_hm3[pond]));
  assert_near(named->end_target_hm3[lake], 300, 0);
  assert_near(named->end_target_hm3[pond], 20, 0);
  assert_near(obj_price(m, "named", "Pond", 11), 12, 0);
  assert_near(obj_price(m, "lake", "Lake", 11), 20, 0);
  naryn_model_free(m);
}

/* Weights change by term name; an unknown name is refused with the
** nearest name, and so is a weight that is negative or not finite.
** Getters given a term that does not exist do not crash. */
static void objectives_set_weight(void **state) {
  (void)state;
  naryn_model *m = obj_load(obj_monthly, "", NULL, NULL);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_model_set_weight(m, "energy", 2.5, d), NARYN_OK);
  assert_near(naryn_model_term_weight(m, 0), 2.5, 0);
  assert_int_equal(naryn_model_set_weight(m, "shortage", 0, d), NARYN_OK);
  assert_near(naryn_model_term_weight(m, 1), 0, 0);
  assert_int_equal(naryn_diags_errors(d), 0);
  assert_int_equal(naryn_model_set_weight(m, "enrgy", 1, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "term \"enrgy\": expected the name of an "
                                            "objective term of the model, got \"enrgy\", "
                                            "which no term has (did you mean \"energy\"?)"));
  naryn_diags_clear(d);
  assert_int_equal(naryn_model_set_weight(m, "zzzzzzzzzz", 1, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "(energy, shortage, min_flow, end_storage)"));
  naryn_diags_clear(d);
  assert_int_equal(naryn_model_set_weight(m, "energy", -1, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "term \"energy\": expected a weight >= 0, "
                                            "got -1"));
  assert_int_equal(naryn_model_set_weight(m, "energy", NAN, d), NARYN_EARG);
  assert_int_equal(naryn_model_set_weight(m, "energy", INFINITY, d), NARYN_EARG);
  assert_int_equal(naryn_model_set_weight(m, NULL, 1, d), NARYN_EARG);
  assert_near(naryn_model_term_weight(m, 0), 2.5, 0);
  /* Out of range. */
  assert_null(naryn_model_term_name(m, -1));
  assert_null(naryn_model_term_kind(m, 4));
  assert_int_equal(naryn_model_term_is_benefit(m, 99), 0);
  assert_true(isnan(naryn_model_term_weight(m, -3)));
  assert_int_equal(naryn_model_term_index(m, "nope"), -1);
  assert_int_equal(naryn_model_term_index(m, NULL), -1);
  assert_near(naryn__term_price(m, &m->terms[0], -1, 0), 0, 0);
  assert_near(naryn__term_price(m, &m->terms[0], 2, 12), 0, 0);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* A scenario changes one term's weight by its name and adds a term,
** leaving the others as they were. */
static void objectives_scenario_changes_a_weight(void **state) {
  (void)state;
  char dir[64], path[128], over[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml",
           obj_model(obj_monthly,
                     "objectives:\n"
                     "  - {name: power, kind: energy, value_per_mwh: 30}\n"
                     "  - {name: farms, kind: shortage, penalty_per_hm3: 500,\n"
                     "     weight: 2}\n"));
  tu_write(dir, "heavy.yaml",
           "scenario: heavy\n"
           "objectives:\n"
           "  - {name: farms, weight: 10}\n"
           "  - {name: sea, kind: spill, nodes: [Sea], penalty_per_hm3: 1}\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  snprintf(over, sizeof over, "%s/heavy.yaml", dir);
  const char *o1[] = {over};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  int rc = naryn_model_load(path, o1, 1, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_int_equal(naryn_model_term_count(m), 3);
  assert_string_equal(naryn_model_term_name(m, 1), "farms");
  assert_near(naryn_model_term_weight(m, 0), 1, 0);
  assert_near(naryn_model_term_weight(m, 1), 10, 0);
  assert_near(obj_price(m, "farms", "Farms", 0), 500, 0);
  assert_string_equal(naryn_model_term_kind(m, 2), "spill");
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
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
      cmocka_unit_test(scenario_new_file_resets_series),
      cmocka_unit_test(json_and_yaml_read_alike),
      cmocka_unit_test(objectives_default_terms),
      cmocka_unit_test(objectives_prices_by_month_season_and_months),
      cmocka_unit_test(objectives_countries_and_nodes_filters),
      cmocka_unit_test(objectives_penalties_by_priority),
      cmocka_unit_test(objectives_loss_curve),
      cmocka_unit_test(objectives_inflow_target_from_csv),
      cmocka_unit_test(objectives_end_storage_targets),
      cmocka_unit_test(objectives_set_weight),
      cmocka_unit_test(objectives_scenario_changes_a_weight),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
