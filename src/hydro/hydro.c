/*
** hydro.c: the physics of reservoirs and plants.
**
** Level and area follow piecewise-linear tables of storage, and the
** storage at a level is read from the level table backwards; the tailwater
** level follows a table of plant discharge. The net head of a plant is the
** headwater level (from its reservoir at the given storage, or fixed) less
** the tailwater level, or a fixed net head. Power is rho*g*eta*Q*H, capped
** by the installed capacity; energy is power times the step's length.
** Evaporation is the month's depth over the water surface.
**
** Units: storage hm3, level m, area km2, flow m3/s, power MW, energy GWh,
** evaporation depth mm over the step.
*/
#include <math.h>

#include "../naryn_int.h"

/* Interpolates y(x) linearly; outside the table the end segments are
** extended, so a reservoir drawn below its last point by evaporation still
** has a level. */
double naryn__table_eval(const naryn__table *t, double x) {
  int n = t->n;
  if (n == 1) return t->y[0];
  int lo = 0, hi = n - 1;
  if (x <= t->x[0]) {
    hi = 1;
  } else if (x >= t->x[n - 1]) {
    lo = n - 2;
  } else {
    while (hi - lo > 1) {
      int mid = (lo + hi) / 2;
      if (t->x[mid] <= x) lo = mid; else hi = mid;
    }
  }
  hi = lo + 1;
  double f = (x - t->x[lo]) / (t->x[hi] - t->x[lo]);
  return t->y[lo] + f * (t->y[hi] - t->y[lo]);
}

double naryn__hyd_storage_hm3(const naryn__node *res, double level_m) {
  const naryn__table *t = &res->level;
  int n = t->n;
  if (n == 1) return t->x[0];
  /* Below the first level or above the last, the end segment goes on,
  ** unless it is flat and so reaches no other level. */
  if (level_m <= t->y[0] || level_m > t->y[n - 1]) {
    int lo = level_m <= t->y[0] ? 0 : n - 2;
    double dy = t->y[lo + 1] - t->y[lo];
    if (!(dy > 0)) return level_m <= t->y[0] ? t->x[0] : t->x[n - 1];
    return t->x[lo] + (level_m - t->y[lo]) / dy * (t->x[lo + 1] - t->x[lo]);
  }
  /* The first segment that reaches the level; levels do not decrease. */
  int i = 1;
  while (t->y[i] < level_m) i++;
  double dy = t->y[i] - t->y[i - 1];
  if (!(dy > 0)) return t->x[i - 1];
  return t->x[i - 1] + (level_m - t->y[i - 1]) / dy * (t->x[i] - t->x[i - 1]);
}

double naryn__hyd_head_m(const naryn_model *m, const naryn__node *p,
                         double storage_hm3, double discharge_m3s) {
  if (!isnan(p->head_m)) return p->head_m;
  double up = p->reservoir >= 0
                  ? naryn__table_eval(&m->nodes[p->reservoir].level, storage_hm3)
                  : p->headwater_m;
  double down = p->tailwater.n > 0
                    ? naryn__table_eval(&p->tailwater, discharge_m3s)
                    : p->tailwater_m;
  double h = up - down;
  return h > 0 ? h : 0;
}

double naryn__hyd_turbine_cap_m3s(const naryn__node *p, double head_m) {
  if (head_m <= 0) return 0;
  double at_capacity = p->capacity_mw * 1e6 / (NARYN__RHO_G * p->efficiency * head_m);
  return at_capacity < p->max_turbine_flow_m3s ? at_capacity
                                               : p->max_turbine_flow_m3s;
}

double naryn__hyd_energy_gwh(const naryn__node *p, double turbined_hm3,
                             double head_m, double step_s) {
  if (turbined_hm3 <= 0 || head_m <= 0 || step_s <= 0) return 0;
  double q_m3s = turbined_hm3 * 1e6 / step_s;
  double mw = NARYN__RHO_G * p->efficiency * q_m3s * head_m * 1e-6;
  if (mw > p->capacity_mw) mw = p->capacity_mw;
  return mw * step_s / 3600.0 * 1e-3;
}

double naryn__hyd_evaporation_hm3(const naryn__node *r, int step,
                                  double storage_hm3) {
  if (!r->evaporation_mm.v || r->area.n == 0) return 0;
  double area_km2 = naryn__table_eval(&r->area, storage_hm3);
  if (area_km2 < 0) area_km2 = 0;
  /* 1 mm over 1 km2 is 1000 m3, or 1e-3 hm3. */
  return r->evaporation_mm.v[step] * area_km2 * 1e-3;
}
