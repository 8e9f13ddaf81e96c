/*
** test_sddp_valley.c: SDDP against extensive forms made of the policy's
** own stage LPs (testutil_ef.h, tu_sddp_ef_of_stages): a valley of two
** reservoirs in series, upstream hydropower and downstream fields, with
** three outcomes a month that wet the two rivers unequally; and the
** built-in Naryn-Syr Darya model over its first three months with two
** outcomes a month. Every node of each tree is a copy of its stage's LP
** under its outcome, tied to its parent by the storage it starts with, so
** the tree's optimum is the least expected cost the policy's lower bound
** must reach and never pass.
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

#include "naryn.h"
#include "naryn_int.h"
#include "testutil_ef.h"

/* Upstream a reservoir and its plant; downstream a second reservoir, fed
** by the first and by a side river, its plant and the fields it serves in
** spring. A dry month halves the upper river and takes 30 % off the side
** river, a wet one raises them by 60 % and 30 %. */
static const char *const valley =
    "name: valley\n"
    "currency: USD\n"
    "countries: {U: Upstream, D: Downstream}\n"
    "horizon: {start: 2001-03, end: 2001-05, step: monthly}\n"
    "nodes:\n"
    "  - {name: UpperRiver, type: inflow, country: U, inflow_m3s: 30}\n"
    "  - {name: Upper, type: reservoir, country: U, min_storage_hm3: 20,"
    " max_storage_hm3: 200, initial_storage_hm3: 80}\n"
    "  - {name: UpperPlant, type: hydropower, country: U, head_m: 120,"
    " max_turbine_flow_m3s: 40, capacity_mw: 45, efficiency: 0.9}\n"
    "  - {name: SideRiver, type: inflow, country: D, inflow_m3s: 10}\n"
    "  - {name: Lower, type: reservoir, country: D, min_storage_hm3: 10,"
    " max_storage_hm3: 80, initial_storage_hm3: 30}\n"
    "  - {name: LowerPlant, type: hydropower, country: D, head_m: 40,"
    " max_turbine_flow_m3s: 60, capacity_mw: 22, efficiency: 0.88}\n"
    "  - {name: Fields, type: demand, country: D, priority: 1,"
    " demand_hm3: [0, 0, 40, 90, 120, 0, 0, 0, 0, 0, 0, 0]}\n"
    "  - {name: Sea, type: sink, country: D}\n"
    "links:\n"
    "  - {from: UpperRiver, to: Upper}\n"
    "  - {from: Upper, to: UpperPlant}\n"
    "  - {from: Upper, to: Lower}\n"
    "  - {from: UpperPlant, to: Lower}\n"
    "  - {from: SideRiver, to: Lower}\n"
    "  - {from: Lower, to: LowerPlant}\n"
    "  - {from: Lower, to: Sea}\n"
    "  - {from: LowerPlant, to: Fields}\n"
    "  - {from: LowerPlant, to: Sea}\n"
    "objectives:\n"
    "  - {name: energy, kind: energy, value_per_mwh: 40}\n"
    "  - {name: crops, kind: shortage, nodes: [Fields], penalty_per_hm3: 30000}\n"
    "uncertainty:\n"
    "  outcomes:\n"
    "    - {probability: 0.3, inflow_factor: {UpperRiver: 0.5, SideRiver: 0.7}}\n"
    "    - {probability: 0.5, inflow_factor: 1.0}\n"
    "    - {probability: 0.2, inflow_factor: {UpperRiver: 1.6, SideRiver: 1.3}}\n";

/* The valley: the lower bound reaches the extensive form's optimum of its
** 3 + 9 + 27 nodes and never passes it, with a single cut and with a cut
** per outcome; the policy's simulated cost holds it within its interval.
** Without the upper reservoir's storage as a state (both reservoirs
** carried), the optimum could not be reached: a myopic plan (one step, no
** future) is dearer. */
static void test_valley(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(valley);
  double ef = tu_sddp_ef_of_stages(m, 3), myopic = 0.0;
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
  naryn_policy *p = tu_sddp_train(m, &o);
  double lb = naryn_policy_lower_bound(p), half, ub = naryn_policy_upper_bound(p, &half);
  print_message("valley: extensive form %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef,
                lb, ub, half);
  assert_int_equal(s.above, 0);
  assert_true(fabs(lb - ef) <= 1e-6 * fabs(ef));
  assert_true(fabs(ub - ef) <= half + 1e-6 * fabs(ef));
  /* The first iteration knows no future beyond the floor: its bound is
  ** below the optimum. */
  myopic = naryn_policy_log(p, 0)->lower;
  assert_true(myopic < ef - 1e-3 * fabs(ef));
  naryn_policy_free(p);
  naryn_policy_free(tu_sddp_reaches_with(m, ef, 1));
  naryn_model_free(m);
}

/* The built-in model over its first three months (October to December),
** each month's inflows 0.7 or 1.3 times the model's with equal chance, no
** cycle and no PAR model. */
static naryn_model *three_months(void) {
  const char *text = "{\"horizon\": {\"start\": \"2025-10\", \"end\": \"2025-12\"},"
                     " \"uncertainty\": {\"discount\": null, \"cycle_steps\": null,"
                     " \"inflows\": null, \"source\": null, \"outcomes\": ["
                     "{\"probability\": 0.5, \"inflow_factor\": 0.7},"
                     "{\"probability\": 0.5, \"inflow_factor\": 1.3}]}}";
  const char *name = "<three months, two outcomes>";
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load_texts("models/naryn/model.yaml", NULL, 0, &text, &name, 1, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  assert_int_equal(m->nsteps, 3);
  return m;
}

/* Those three months: the lower bound reaches the extensive form of the 2
** + 4 + 8 nodes and never passes it. */
static void test_builtin(void **state) {
  (void)state;
  naryn_model *m = three_months();
  double ef = tu_sddp_ef_of_stages(m, 3);
  naryn_policy *p = tu_sddp_reaches(m, ef);
  print_message("built-in model, 3 months: extensive form %.6f, lower bound %.6f after %d "
                "iterations\n", ef, naryn_policy_lower_bound(p), naryn_policy_iterations(p));
  naryn_policy_free(p);
  naryn_model_free(m);
}

/* The floors, found over the threads a stage at a time: those three
** months in a cycle (discounted by 0.5), whose energy makes their least
** costs negative, so that every stage gets a floor below 0 before the
** first iteration; with 1, 2, 3 or 5 threads (more than the stages) every
** cut after an iteration is the same, bit for bit. */
static void test_floors_over_threads(void **state) {
  (void)state;
  naryn_model *m = three_months();
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 1;
  o.bound_every = 100;
  o.passes = 1;
  o.discount = 0.5;
  const int jobs[4] = {1, 2, 3, 5};
  naryn_policy *p[4];
  for (int k = 0; k < 4; k++) {
    o.jobs = jobs[k];
    p[k] = tu_sddp_train(m, &o);
  }
  int floors = 0;
  for (int t = 0; t < p[0]->N; t++) {
    int n = naryn__cuts_count(p[0]->cuts, t);
    for (int i = 0; i < n; i++) {
      naryn__cut a = naryn__cuts_get(p[0]->cuts, t, i);
      if (a.iteration == 0) {
        floors++;
        assert_true(a.alpha < 0.0);
      }
      for (int k = 1; k < 4; k++) {
        assert_int_equal(naryn__cuts_count(p[k]->cuts, t), n);
        naryn__cut b = naryn__cuts_get(p[k]->cuts, t, i);
        assert_int_equal(a.iteration, b.iteration);
        assert_memory_equal(&a.alpha, &b.alpha, sizeof a.alpha);
        assert_memory_equal(a.beta, b.beta, (size_t)p[0]->nstate * sizeof *a.beta);
      }
    }
  }
  assert_int_equal(floors, p[0]->N);
  for (int k = 0; k < 4; k++) naryn_policy_free(p[k]);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valley),
      cmocka_unit_test(test_builtin),
      cmocka_unit_test(test_floors_over_threads),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
