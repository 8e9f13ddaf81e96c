/*
** test_hydro.c: level and area tables, head, turbine capacity, energy and
** evaporation against hand computation.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

static void table_interpolates_and_extends(void **state) {
  (void)state;
  double x[] = {0, 10, 30}, y[] = {100, 110, 150};
  naryn__table t = {3, x, y, NULL};
  assert_near(naryn__table_eval(&t, 0), 100, 1e-12);
  assert_near(naryn__table_eval(&t, 5), 105, 1e-12);
  assert_near(naryn__table_eval(&t, 20), 130, 1e-12);
  assert_near(naryn__table_eval(&t, 30), 150, 1e-12);
  /* Beyond the ends the end segments go on. */
  assert_near(naryn__table_eval(&t, -10), 90, 1e-12);
  assert_near(naryn__table_eval(&t, 40), 170, 1e-12);
}

/* A plant with the fields naryn__hyd_* read. */
static naryn__node plant(double head, double qmax, double mw, double eta) {
  naryn__node p = {0};
  p.type = NARYN_NODE_HYDROPOWER;
  p.reservoir = -1;
  p.head_m = head;
  p.headwater_m = p.tailwater_m = NAN;
  p.max_turbine_flow_m3s = qmax;
  p.capacity_mw = mw;
  p.efficiency = eta;
  return p;
}

static void energy_is_rho_g_eta_q_h_dt(void **state) {
  (void)state;
  naryn__node p = plant(50, 200, 1000, 0.8);
  /* 100 m3/s for a day: 8.64 hm3. P = 9810 * 0.8 * 100 * 50 W = 39.24 MW,
  ** over 24 h 941.76 MWh. */
  double e = naryn__hyd_energy_gwh(&p, 8.64, 50, 86400);
  assert_near(e, 0.94176, 1e-12);
  assert_near(naryn__hyd_turbine_cap_m3s(&p, 50), 200, 1e-12);
}

static void capacity_caps_power_and_turbine_flow(void **state) {
  (void)state;
  naryn__node p = plant(50, 200, 30, 0.8);
  double q = 30e6 / (9810 * 0.8 * 50);
  assert_near(naryn__hyd_turbine_cap_m3s(&p, 50), q, 1e-9);
  /* Even a larger flow makes no more than 30 MW for 24 h. */
  assert_near(naryn__hyd_energy_gwh(&p, 8.64, 50, 86400), 0.72, 1e-12);
  assert_near(naryn__hyd_turbine_cap_m3s(&p, 0), 0, 0);
}

static void head_from_reservoir_level_and_tailwater_table(void **state) {
  (void)state;
  double sx[] = {0, 1000}, sy[] = {100, 200};
  double qx[] = {0, 100, 300}, qy[] = {50, 52, 55};
  naryn__node nodes[2] = {{0}, {0}};
  nodes[0].type = NARYN_NODE_RESERVOIR;
  nodes[0].level = (naryn__table){2, sx, sy, NULL};
  nodes[1] = plant(NAN, 300, 500, 0.9);
  nodes[1].reservoir = 0;
  nodes[1].tailwater = (naryn__table){3, qx, qy, NULL};
  naryn_model m = {0};
  m.nodes = nodes;
  m.nnodes = 2;
  /* Level at 600 hm3 is 160 m; tailwater at 200 m3/s is 53.5 m. */
  assert_near(naryn__hyd_head_m(&m, &nodes[1], 600, 200), 106.5, 1e-12);
  /* A head that would be negative is no head. */
  nodes[1].tailwater = (naryn__table){0, NULL, NULL, NULL};
  nodes[1].tailwater_m = 500;
  assert_near(naryn__hyd_head_m(&m, &nodes[1], 600, 200), 0, 0);
}

static void evaporation_is_depth_times_area(void **state) {
  (void)state;
  double sx[] = {0, 1000}, ay[] = {0, 20};
  double depth[] = {100, 50};
  naryn__node r = {0};
  r.type = NARYN_NODE_RESERVOIR;
  r.area = (naryn__table){2, sx, ay, NULL};
  r.evaporation_mm = (naryn__ts){.v = depth};
  /* 100 mm over 10 km2 is 1e6 m3. */
  assert_near(naryn__hyd_evaporation_hm3(&r, 0, 500), 1.0, 1e-12);
  assert_near(naryn__hyd_evaporation_hm3(&r, 1, 500), 0.5, 1e-12);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table_interpolates_and_extends),
      cmocka_unit_test(energy_is_rho_g_eta_q_h_dt),
      cmocka_unit_test(capacity_caps_power_and_turbine_flow),
      cmocka_unit_test(head_from_reservoir_level_and_tailwater_table),
      cmocka_unit_test(evaporation_is_depth_times_area),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
