/*
** test_prodfn.c: production functions (hydro/prodfn.c), the minimum of
** planes that SDDP's stages give a plant whose head follows its reservoir.
**
** What the fit guarantees is checked: with a fixed tailwater the planes
** (with the capacity) are nowhere below the exact power of hydro.c, tried
** at random points of the box; the mean error never rises as planes are
** added and falls from one to many; a head linear in storage at one flow
** is a plane, fitted to rounding. And SDDP with such a plant: the system
** of test_sddp.c with a reservoir whose level rises with its storage, whose
** lower bound must reach the optimum of the extensive form (written from
** scratch in testutil_sddp.h) with the SAME planes (read through the
** internal API) and never pass it.
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
#include "testutil_sddp.h"

static int node(const naryn_model *m, const char *name) {
  for (int i = 0; i < m->nnodes; i++)
    if (strcmp(m->nodes[i].name, name) == 0) return i;
  fail_msg("no node %s", name);
  return -1;
}

/* A reservoir whose level rises ever slower (as a valley's does), 70 to
** 120 m of head, a plant of 600 MW that its 600 m3/s would pass at full
** head: the capacity binds in one corner. */
static const char *valley =
    "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
    "countries: {A: Alpha}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: 200, country: A}\n"
    "  - {name: Lake, type: reservoir, min_storage_hm3: 500, max_storage_hm3: 4000,"
    " initial_storage_hm3: 2000, country: A,"
    " level_table: {storage_hm3: [0, 1000, 2000, 4000], level_m: [100, 130, 150, 170]}}\n"
    "  - {name: Plant, type: hydropower, reservoir: Lake, tailwater_m: 50, efficiency: 0.9,"
    " max_turbine_flow_m3s: 600, capacity_mw: 600, country: A}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Lake}\n"
    "  - {from: Lake, to: Plant}\n"
    "  - {from: Plant, to: Sea}\n";

/* A deterministic uniform number in [0, 1). */
static double uniform(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (double)(*s >> 11) * 0x1.0p-53;
}

/* With a fixed tailwater the planes are nowhere below the exact power: at
** 20,000 random points of the box, and the errors reported are those seen. */
static void test_never_below(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(valley);
  int pl = node(m, "Plant");
  assert_true(naryn__prodfn_applies(m, pl));
  assert_false(naryn__prodfn_applies(m, node(m, "Lake")));
  naryn__prodfn f;
  assert_int_equal(naryn__prodfn_fit(m, pl, 8, &f), NARYN_OK);
  assert_int_equal(f.k, 8);
  assert_true(fabs(f.full_mw - 600.0) < 1e-9);
  uint64_t s = 7;
  double worst = 0.0, mx = 0.0;
  for (int i = 0; i < 20000; i++) {
    double st = 500 + 3500 * uniform(&s), q = 600 * uniform(&s);
    double e = naryn__prodfn_eval_mw(&f, st, q) - naryn__prodfn_exact_mw(m, pl, st, q);
    worst = fmin(worst, e);
    mx = fmax(mx, e);
  }
  print_message("8 planes: largest error %.3f MW (%.2f %%), mean %.3f MW; random points: "
                "lowest %.3g, largest %.3f MW\n", f.max_err_mw, 100 * f.max_err_mw / f.full_mw,
                f.mean_err_mw, worst, mx);
  assert_true(worst >= -1e-9 * f.full_mw);
  assert_true(f.below_mw >= -1e-9 * f.full_mw);
  assert_true(mx <= f.max_err_mw + 1e-9);
  assert_true(f.mean_err_mw <= f.max_err_mw);
  /* The same fit twice: bit for bit. */
  naryn__prodfn g;
  assert_int_equal(naryn__prodfn_fit(m, pl, 8, &g), NARYN_OK);
  assert_memory_equal(&f, &g, sizeof f);
  naryn_model_free(m);
}

/* The mean error never rises from k planes to k + 1, and falls from 1 to
** 2 and 4; the largest error falls from 1 to 8. */
static void test_error_falls(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(valley);
  int pl = node(m, "Plant");
  double mean[13], max[13];
  for (int k = 1; k <= 12; k++) {
    naryn__prodfn f;
    assert_int_equal(naryn__prodfn_fit(m, pl, k, &f), NARYN_OK);
    mean[k] = f.mean_err_mw, max[k] = f.max_err_mw;
    print_message("%2d planes: largest %.3f MW, mean %.3f MW\n", k, max[k], mean[k]);
    if (k > 1) assert_true(mean[k] <= mean[k - 1] * (1 + 1e-3));
  }
  assert_true(mean[2] < 0.8 * mean[1]);
  assert_true(mean[4] < mean[2]);
  assert_true(max[8] < 0.8 * max[1]);
  naryn_model_free(m);
}

/* A level linear in storage, a fixed tailwater, at one flow: the power is
** linear in storage, and the fit is exact to rounding, with one plane or
** eight; over a step of a day the energy plane is the same in GWh. */
static void test_linear_head(void **state) {
  (void)state;
  naryn_model *m = tu_load_model(
      "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
      "countries: {A: Alpha}\n"
      "nodes:\n"
      "  - {name: River, type: inflow, inflow_m3s: 20, country: A}\n"
      "  - {name: Lake, type: reservoir, min_storage_hm3: 100, max_storage_hm3: 900,"
      " initial_storage_hm3: 500, country: A,"
      " level_table: {storage_hm3: [0, 1000], level_m: [200, 300]}}\n"
      "  - {name: Plant, type: hydropower, reservoir: Lake, tailwater_m: 120, efficiency: 0.85,"
      " max_turbine_flow_m3s: 400, capacity_mw: 5000, country: A}\n"
      "  - {name: Sea, type: sink}\n"
      "links:\n"
      "  - {from: River, to: Lake}\n"
      "  - {from: Lake, to: Plant}\n"
      "  - {from: Plant, to: Sea}\n");
  int pl = node(m, "Plant");
  for (int k = 1; k <= 8; k += 7) {
    naryn__prodfn f;
    assert_int_equal(naryn__prodfn_fit_box(m, pl, k, 100, 900, 250, 250, &f), NARYN_OK);
    print_message("%d planes at 250 m3/s: largest error %.3g MW of %.1f\n", k, f.max_err_mw,
                  f.full_mw);
    assert_true(f.max_err_mw <= 1e-9 * f.full_mw);
    /* By hand: 9810 * 0.85 * 250 * (200 + 0.1 S - 120) W. */
    for (double s = 100; s <= 900; s += 100) {
      double want = 9810 * 0.85 * 250 * (80 + 0.1 * s) * 1e-6;
      assert_true(fabs(naryn__prodfn_eval_mw(&f, s, 250) - want) <= 1e-9 * want);
      double a, b, c;
      naryn__prodfn_plane_gwh(&f, 0, 86400, &a, &b, &c);
      double gwh = a + b * s + c * 250 * 86400 * 1e-6;
      assert_true(fabs(gwh - want * 24e-3) <= 1e-9 * want);
    }
  }
  naryn_model_free(m);
}

/* ---------------------------------------------------------------------- */
/* SDDP with a plant whose head follows its reservoir                      */
/* ---------------------------------------------------------------------- */

/* The extensive form of test_sddp.c's tree of 2 + 4 + 8 outcomes for the
** system whose head follows its reservoir, under the planes of f. */
static double extensive(const naryn__prodfn *f) {
  const double prob[2] = {0.5, 0.5}, factor[2] = {0.5, 1.5};
  tu_sddp_tree tree = {.nout = 2, .prob = prob, .factor = factor, .cycles = 1, .disc = 1.0, .planes = f};
  return tu_sddp_extensive(&tree);
}

static void test_sddp_against_the_extensive_form(void **state) {
  (void)state;
  char text[4096];
  naryn_model *m = tu_load_model(tu_sddp_text(text, sizeof text, 1, TU_SDDP_TWO));
  naryn__prodfn *pf = NULL;
  assert_int_equal(naryn__prodfn_fit_model(m, NARYN__PRODFN_PLANES, &pf), NARYN_OK);
  int pl = node(m, "Plant");
  assert_int_equal(pf[pl].plant, pl);
  assert_int_equal(pf[node(m, "Res")].plant, -1);
  double ef = extensive(&pf[pl]);
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
  naryn_policy *p = tu_sddp_train(m, &o);
  double lb = naryn_policy_lower_bound(p), half;
  double ub = naryn_policy_upper_bound(p, &half);
  print_message("extensive form %.6f, lower bound %.6f, upper bound %.6f +- %.6f\n", ef, lb,
                ub, half);
  assert_int_equal(s.above, 0);
  assert_true(fabs(lb - ef) <= 1e-6 * fabs(ef));
  assert_true(fabs(ub - ef) <= half + 1e-6 * fabs(ef));
  /* The head matters: at a fixed head of the initial storage's the
  ** optimum differs. */
  naryn__prodfn flat = pf[pl];
  flat.k = 1;
  double h0 = 130 + 20 * 3.0 / 5 - 50;
  flat.a[0] = 0, flat.b[0] = 0, flat.c[0] = 9810 * 0.9 * h0 * 1e-6;
  assert_true(fabs(extensive(&flat) - ef) > 1e-3 * fabs(ef));
  /* The public summary is the same fit. */
  assert_int_equal(naryn_prodfn_count(m), 1);
  naryn_prodfn_info info;
  assert_int_equal(naryn_prodfn_get(m, 0, &info), NARYN_OK);
  assert_string_equal(info.plant, "Plant");
  assert_int_equal(info.planes, pf[pl].k);
  assert_true(info.max_error_mw == pf[pl].max_err_mw);
  assert_int_equal(naryn_prodfn_get(m, 1, &info), NARYN_EARG);
  free(pf);
  naryn_policy_free(p);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_never_below),
      cmocka_unit_test(test_error_falls),
      cmocka_unit_test(test_linear_head),
      cmocka_unit_test(test_sddp_against_the_extensive_form),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
