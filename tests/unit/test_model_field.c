/*
** test_model_field.c: changing a model field by field, as the Python
** package does: naryn_model_load_texts merges overlay texts after the
** scenario files, with the reader's checks and messages naming the text,
** and naryn_model_field reads a field of the merged document as JSON.
**
** The suite works in a temporary directory (see testutil.h).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char model_text[] =
    "name: fields\n"
    "horizon: {start: \"2001-01\", end: \"2001-12\", step: monthly}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: 100}\n"
    "  - name: Lake\n"
    "    type: reservoir\n"
    "    min_storage_hm3: 10\n"
    "    max_storage_hm3: 500\n"
    "    initial_storage_hm3: 300\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Lake}\n"
    "  - {from: Lake, to: Sea}\n";

static const char scenario_text[] =
    "scenario: wet\n"
    "nodes:\n"
    "  - {name: River, inflow_m3s: 150}\n";

static int setup(void **state) {
  int rc = tu_enter_tmpdir(state);
  tu_write(".", "model.yaml", model_text);
  tu_write(".", "wet.yaml", scenario_text);
  return rc;
}

/* The JSON text of a field, or "" (with the first error in *err) when
** the field cannot be read. */
static const char *field(const naryn_model *m, const char *path,
                         const char **err) {
  static char buf[4096];
  naryn_diags *d = naryn_diags_new(0);
  size_t len = 0;
  int rc = naryn_model_field(m, path, buf, sizeof buf, &len, d);
  static char first[1024];
  snprintf(first, sizeof first, "%s", tu_first_error(d));
  if (err) *err = first;
  naryn_diags_free(d);
  if (rc != NARYN_OK) return "";
  assert_int_equal(len, strlen(buf));
  return buf;
}

static void texts_merge_after_scenarios(void **state) {
  (void)state;
  const char *const scen[] = {"wet.yaml"};
  const char *const texts[] = {"{\"nodes\": [{\"name\": \"River\", \"inflow_m3s\": 175}]}",
                               "nodes:\n  - {name: Lake, max_storage_hm3: 600.5}\n"};
  const char *const names[] = {"<set nodes.River.inflow_m3s>",
                               "<set nodes.Lake.max_storage_hm3>"};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load_texts("model.yaml", scen, 1, texts, names, 2, &m, d),
                   NARYN_OK);
  /* The texts add nothing to the scenario's name. */
  assert_string_equal(naryn_model_scenario(m), "wet");
  assert_string_equal(field(m, "nodes.River.inflow_m3s", NULL), "175");
  assert_string_equal(field(m, "nodes.Lake.max_storage_hm3", NULL), "600.5");
  assert_string_equal(field(m, "nodes.1.min_storage_hm3", NULL), "10");
  assert_string_equal(field(m, "links.1", NULL), "{\"from\": \"Lake\", \"to\": \"Sea\"}");
  assert_string_equal(field(m, "horizon.start", NULL), "\"2001-01\"");
  assert_string_equal(field(m, "name", NULL), "\"fields\"");
  naryn_model_free(m);

  /* The same run of the simulation as with a scenario file saying it. */
  tu_write(".", "set.yaml", "nodes:\n  - {name: River, inflow_m3s: 175}\n"
                            "  - {name: Lake, max_storage_hm3: 600.5}\n");
  const char *const files[] = {"wet.yaml", "set.yaml"};
  naryn_model *mf = NULL;
  assert_int_equal(naryn_model_load("model.yaml", files, 2, &mf, d), NARYN_OK);
  assert_int_equal(naryn_model_load_texts("model.yaml", scen, 1, texts, names, 2, &m, d),
                   NARYN_OK);
  naryn_result *r = NULL, *rf = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_int_equal(naryn_simulate(mf, NULL, &rf, d), NARYN_OK);
  int lake = naryn_model_node_index(m, "Lake");
  for (int t = 0; t < naryn_model_steps(m); t++)
    assert_true(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, lake, t) ==
                naryn_result_node(rf, NARYN_Q_STORAGE_END_HM3, lake, t));
  assert_near(naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, lake, 11), 600.5, 1e-6);
  naryn_result_free(r);
  naryn_result_free(rf);
  naryn_model_free(m);
  naryn_model_free(mf);
  naryn_diags_free(d);
}

static void text_errors_name_the_text(void **state) {
  (void)state;
  const char *const texts[] = {"{\"nodes\": [{\"name\": \"Lake\", \"max_storage_hm3\": 5}]}"};
  const char *const names[] = {"<set nodes.Lake.max_storage_hm3>"};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = (naryn_model *)&m;
  assert_int_equal(naryn_model_load_texts("model.yaml", NULL, 0, texts, names, 1, &m, d),
                   NARYN_EMODEL);
  assert_null(m);
  const naryn_diag *g = naryn_diags_get(d, 0);
  assert_string_equal(g->file, "<set nodes.Lake.max_storage_hm3>");
  assert_int_equal(g->line, 1);
  assert_int_equal(g->col, 48);
  assert_non_null(strstr(g->where, "max_storage_hm3"));

  /* A misspelt node is found as in a scenario file. */
  naryn_diags_clear(d);
  const char *const typo[] = {"nodes:\n  - {name: Lak, max_storage_hm3: 600}\n"};
  assert_int_equal(naryn_model_load_texts("model.yaml", NULL, 0, typo, names, 1, &m, d),
                   NARYN_EMODEL);
  assert_string_equal(tu_first_error(d),
                      "<set nodes.Lake.max_storage_hm3>:2:12: error: node \"Lak\": "
                      "expected the name of a node in the model to change (or a "
                      "\"type\" to add a node), got \"Lak\", which no node has "
                      "(did you mean \"Lake\"?)");

  /* Syntax errors, with their place in the text. */
  naryn_diags_clear(d);
  const char *const broken[] = {"{\"nodes\": [}"};
  assert_int_equal(naryn_model_load_texts("model.yaml", NULL, 0, broken, names, 1, &m, d),
                   NARYN_ESYNTAX);
  assert_string_equal(naryn_diags_get(d, 0)->file, "<set nodes.Lake.max_storage_hm3>");

  /* A text that names a scenario adds it to the scenario's name. */
  naryn_diags_clear(d);
  const char *const named[] = {"scenario: big\nnodes:\n  - {name: Lake, max_storage_hm3: 900}\n"};
  const char *const scen[] = {"wet.yaml"};
  assert_int_equal(naryn_model_load_texts("model.yaml", scen, 1, named, names, 1, &m, d),
                   NARYN_OK);
  assert_string_equal(naryn_model_scenario(m), "wet+big");
  naryn_model_free(m);

  /* Arguments missing. */
  naryn_diags_clear(d);
  assert_int_equal(naryn_model_load_texts("model.yaml", NULL, 0, texts, NULL, 1, &m, d),
                   NARYN_EARG);
  naryn_diags_free(d);
}

static void field_errors(void **state) {
  (void)state;
  naryn_model *m = tu_load_path("model.yaml");
  const char *err = NULL;
  assert_string_equal(field(m, "nodes.Lake.max_storage_hmm", &err), "");
  assert_string_equal(err, "model.yaml:5:5: error: nodes.Lake: expected a field of "
                           "this object, got \"max_storage_hmm\", which it does not "
                           "have (did you mean \"max_storage_hm3\"?)");
  assert_string_equal(field(m, "nodes.Loke", &err), "");
  assert_string_equal(err, "model.yaml:4:3: error: nodes: expected the name or "
                           "0-based index of an item of this list of 3 items, got "
                           "\"Loke\"");
  assert_string_equal(field(m, "nodes.3", &err), "");
  assert_string_equal(field(m, "nodes.Lake.max_storage_hm3.x", &err), "");
  assert_string_equal(err, "model.yaml:8:22: error: nodes.Lake.max_storage_hm3: "
                           "expected the path to end at this value, \"500\", got "
                           "more after it: \"x\"");
  assert_string_equal(field(m, "horizonn", &err), "");
  assert_non_null(strstr(err, "error: model: expected a field of this object"));

  /* The length first, then the text; a short buffer is cut and ended. */
  size_t len = 0;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_model_field(m, "", NULL, 0, &len, d), NARYN_OK);
  char *whole = malloc(len + 1), small[8];
  assert_int_equal(naryn_model_field(m, "", whole, len + 1, &len, d), NARYN_OK);
  assert_int_equal(strlen(whole), len);
  assert_int_equal(strncmp(whole, "{\"name\": \"fields\"", 17), 0);
  assert_int_equal(naryn_model_field(m, "", small, sizeof small, &len, d), NARYN_OK);
  assert_string_equal(small, "{\"name\"");
  assert_int_equal(naryn_model_field(m, "name", NULL, 0, NULL, d), NARYN_EARG);
  free(whole);
  naryn_diags_free(d);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(texts_merge_after_scenarios),
      cmocka_unit_test(text_errors_name_the_text),
      cmocka_unit_test(field_errors),
  };
  return cmocka_run_group_tests(tests, setup, tu_leave_tmpdir);
}
