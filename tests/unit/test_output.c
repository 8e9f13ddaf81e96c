/*
** test_output.c: the --output list read by naryn_output_parse.
**
** On examples/single: the default and "all", quantities chosen one by one,
** "summary", nodes= choosing nodes, links and the links between chosen
** nodes; and each wrong list reported with what was expected and the
** closest name, the output left as it was.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "naryn.h"
#include "testutil.h"

static naryn_model *model;

static int setup(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  int rc = d ? naryn_model_load("examples/single/model.json", NULL, 0, &model, d)
             : NARYN_ENOMEM;
  naryn_diags_free(d);
  return rc == NARYN_OK ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  naryn_model_free(model);
  return 0;
}

/* Parses 'what' into a fresh output; the status. */
static int parse(const char *what, naryn_output *o, naryn_diags *d) {
  naryn_output_init(o);
  o->format = NARYN_FORMAT_NETCDF;
  return naryn_output_parse(o, model, what, d);
}

static int count_quantities(const naryn_output *o) {
  int n = 0;
  for (int q = 0; q < NARYN_Q_COUNT; q++) n += o->quantity[q];
  return n;
}

static void quantities(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  assert_int_equal(o.per_step, 1);
  assert_int_equal(count_quantities(&o), NARYN_Q_COUNT);
  assert_int_equal(o.format, NARYN_FORMAT_CSV);
  assert_int_equal(parse("all", &o, d), NARYN_OK);
  assert_int_equal(count_quantities(&o), NARYN_Q_COUNT);
  assert_true(o.link_flow && o.link_loss && o.per_step);
  assert_null(o.node_on);
  assert_null(o.link_on);
  /* The format is not the list's business. */
  assert_int_equal(o.format, NARYN_FORMAT_NETCDF);
  assert_int_equal(parse("storage_end_hm3,energy_gwh,flow", &o, d), NARYN_OK);
  assert_int_equal(count_quantities(&o), 2);
  assert_true(o.quantity[NARYN_Q_STORAGE_END_HM3] && o.quantity[NARYN_Q_ENERGY_GWH]);
  assert_true(o.link_flow && !o.link_loss);
  /* The storage's older name still chooses it. */
  assert_int_equal(parse("storage_hm3", &o, d), NARYN_OK);
  assert_int_equal(count_quantities(&o), 1);
  assert_true(o.quantity[NARYN_Q_STORAGE_END_HM3]);
  assert_int_equal(parse("loss_hm3", &o, d), NARYN_OK);
  assert_int_equal(count_quantities(&o), 0);
  assert_true(!o.link_flow && o.link_loss);
  assert_int_equal(parse("flow_m3s,loss", &o, d), NARYN_OK);
  assert_true(o.link_flow && o.link_loss);
  assert_int_equal(parse("summary", &o, d), NARYN_OK);
  assert_int_equal(o.per_step, 0);
  assert_int_equal(parse("summary,summary", &o, d), NARYN_OK);
  assert_int_equal(o.per_step, 0);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

static void rows(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  /* Nodes alone: every quantity, those nodes and the link between them. */
  assert_int_equal(parse("nodes=Lake+Plant", &o, d), NARYN_OK);
  assert_int_equal(count_quantities(&o), NARYN_Q_COUNT);
  assert_true(o.link_flow && o.link_loss);
  assert_non_null(o.node_on);
  assert_non_null(o.link_on);
  for (int i = 0; i < naryn_model_node_count(model); i++) {
    const char *n = naryn_model_node_name(model, i);
    assert_int_equal(o.node_on[i], strcmp(n, "Lake") == 0 || strcmp(n, "Plant") == 0);
  }
  for (int l = 0; l < naryn_model_link_count(model); l++)
    assert_int_equal(o.link_on[l],
                     strcmp(naryn_model_link_name(model, l), "Lake->Plant") == 0);
  naryn_output_free(&o);
  assert_null(o.node_on);
  /* A link named, twice over, and a node: the node's link to nowhere
  ** chosen is not written. */
  assert_int_equal(parse("nodes=River->Lake,storage_end_hm3,nodes=Sea+River->Lake", &o, d),
                   NARYN_OK);
  assert_int_equal(count_quantities(&o), 1);
  int nodes = 0, links = 0;
  for (int i = 0; i < naryn_model_node_count(model); i++) nodes += o.node_on[i];
  for (int l = 0; l < naryn_model_link_count(model); l++) links += o.link_on[l];
  assert_int_equal(nodes, 1);
  assert_int_equal(o.node_on[naryn_model_node_index(model, "Sea")], 1);
  assert_int_equal(links, 1);
  assert_int_equal(o.link_on[0], 1);
  naryn_output_free(&o);
  naryn_output_free(NULL);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Parses a wrong list: NARYN_EARG, the message, and the output as it was. */
static void refused(const char *what, const char *message) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  o.format = NARYN_FORMAT_NETCDF;
  o.quantity[NARYN_Q_HEAD_M] = 0;
  naryn_output before = o;
  assert_int_equal(naryn_output_parse(&o, model, what, d), NARYN_EARG);
  assert_int_equal(naryn_diags_errors(d), 1);
  assert_string_equal(tu_first_error(d), message);
  assert_memory_equal(&o, &before, sizeof o);
  naryn_diags_free(d);
}

static void errors(void **state) {
  (void)state;
  refused("storage", "error: --output: expected an output name, got \"storage\" "
                     "(did you mean \"storage_end_hm3\"?)");
  /* A slip in the older name points to the name of today. */
  refused("storage_hm", "error: --output: expected an output name, got \"storage_hm\" "
                        "(did you mean \"storage_end_hm3\"?)");
  refused("flows", "error: --output: expected an output name, got \"flows\" "
                   "(did you mean \"flow\"?)");
  refused("node=Lake", "error: --output: expected an output name, got "
                       "\"node=Lake\" (did you mean \"nodes=\"?)");
  refused("everything",
          "error: --output: expected all, summary, a node quantity (inflow_hm3, "
          "storage_end_hm3, release_hm3, turbined_hm3, spill_hm3, evaporation_hm3, "
          "demand_hm3, delivered_hm3, shortage_hm3, energy_gwh, head_m, level_m, "
          "residual_hm3, release_deviation_hm3), flow_hm3, flow_m3s, loss_hm3 or "
          "nodes=NAME+NAME..., "
          "got \"everything\"");
  refused("", "error: --output: expected a comma-separated list of outputs, got "
              "an empty item in \"\"");
  refused("storage_end_hm3,,flow", "error: --output: expected a comma-separated list "
                                   "of outputs, got an empty item in "
                                   "\"storage_end_hm3,,flow\"");
  refused("storage_end_hm3,", "error: --output: expected a comma-separated list of "
                              "outputs, got an empty item in \"storage_end_hm3,\"");
  refused("summary,storage_end_hm3", "error: --output: expected \"summary\" alone, as "
                                     "it writes no per-step file, got it with "
                                     "\"storage_end_hm3\"");
  refused("nodes=Lake,summary", "error: --output: expected \"summary\" alone, as "
                                "it writes no per-step file, got it with "
                                "\"nodes=Lake\"");
  refused("nodes=Lak", "error: --output: expected the name of a node or link of "
                       "the model in nodes=, got \"Lak\", which none has (did you "
                       "mean \"Lake\"?)");
  refused("nodes=Toktogul", "error: --output: expected the name of a node or link "
                            "of the model in nodes=, got \"Toktogul\", which none "
                            "has");
  refused("nodes=Lake+", "error: --output: expected nodes=NAME+NAME... with a node "
                         "or link name before and after each \"+\", got an empty "
                         "name");
  refused("nodes=", "error: --output: expected nodes=NAME+NAME... with a node or "
                    "link name before and after each \"+\", got an empty name");
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  assert_int_equal(naryn_output_parse(&o, NULL, "all", d), NARYN_EARG);
  assert_int_equal(naryn_output_parse(NULL, model, "all", d), NARYN_EARG);
  assert_int_equal(naryn_output_parse(&o, model, NULL, d), NARYN_EARG);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(quantities),
      cmocka_unit_test(rows),
      cmocka_unit_test(errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
