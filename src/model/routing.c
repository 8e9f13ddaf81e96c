/*
** routing.c: how a river reach delays the water of a link.
**
** On a horizon of daily, weekly or N-day steps of S days a link may route
** its water (doc/model-format.md, links): a lag, where what enters the
** link reaches its tail lag_days later, or a Muskingum reach of storage
** constant K days and weighting X. A lag of L days is a whole number of
** steps q = floor(L / S) and a fraction f = L / S - q of one more: of the
** rate that enters in step t, (1 - f) reaches the tail in step t + q and
** f in step t + q + 1. This is what water entering evenly over the step
** and arriving L days later does, and the shares add up to one, so the
** reach keeps its water. The simulation and the optimiser both take the
** shares from naryn__route_lag_share, so they route alike.
**
** A Muskingum reach's outflow of step t is
**
**   O_t = c0 I_t + c1 I_t-1 + c2 O_t-1
**   c0 = (dt - 2 K X) / D,  c1 = (dt + 2 K X) / D,  c2 = (2 K (1 - X) - dt) / D,
**   D  = 2 K (1 - X) + dt,
**
** with dt the step, S days. The coefficients add up to one, so the reach
** keeps its water; they are all at least zero only when
** 2 K X <= dt <= 2 K (1 - X), and a reach outside that range would give
** negative flows, so it is refused. Before the horizon the reach carries
** initial_flow_m3s (0 unless given): a lag delivers it for its first
** lag_days, a Muskingum reach starts from it as its inflow and outflow of
** the step before. Water lost on the link (loss_fraction) is lost as it
** enters; the rest is routed. Rates are routed: when the last step is
** shorter than S days, it is routed as a whole step and what would reach
** the tail after the horizon stays in the reach. Months differ in length,
** so a monthly horizon routes nothing.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

int naryn__read_routing(naryn__reader *r, naryn__link *l, const naryn__doc *obj,
                        const char *prefix) {
  const naryn__doc *v = naryn__read_get(obj, "routing");
  memset(&l->route, 0, sizeof l->route);
  if (!v) return 0;
  char w[256], got[128];
  snprintf(w, sizeof w, "%s.routing", prefix);
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, w, "expected an object with lag_days, or muskingum_k_days "
                            "and muskingum_x, got %s", naryn__doc_describe(v, got, sizeof got));
  static const char *const keys[] = {"lag_days", "muskingum_k_days", "muskingum_x",
                                     "initial_flow_m3s", NULL};
  naryn__read_check_keys(r, v, w, keys);
  const naryn_model *m = r->m;
  if (m->step_days < 1)
    return naryn__read_fail(r, v, w, "expected daily, weekly or N-day steps for a routed "
                            "link, got monthly steps (routing counts its times in days, and "
                            "months differ in length)");
  double lag = NAN, k = NAN, x = NAN, q0 = 0.0;
  if (naryn__read_number(r, v, "lag_days", w, &lag) < 0 ||
      naryn__read_number(r, v, "muskingum_k_days", w, &k) < 0 ||
      naryn__read_number(r, v, "muskingum_x", w, &x) < 0 ||
      naryn__read_number(r, v, "initial_flow_m3s", w, &q0) < 0)
    return -1;
  char f[288];
  if (!(q0 >= 0 && q0 <= NARYN__MAX_FLOW_M3S)) {
    snprintf(f, sizeof f, "%s.initial_flow_m3s", w);
    return naryn__read_fail(r, naryn__read_get(v, "initial_flow_m3s"), f,
                            "expected a flow from 0 to %g m3/s, got %g", NARYN__MAX_FLOW_M3S,
                            q0);
  }
  l->route.initial_flow_m3s = q0;
  if (!isnan(lag) && (!isnan(k) || !isnan(x)))
    return naryn__read_fail(r, v, w, "expected either lag_days or muskingum_k_days and "
                            "muskingum_x, got both");
  if (!isnan(lag)) {
    snprintf(f, sizeof f, "%s.lag_days", w);
    if (!(lag >= 1 && lag <= 365 && lag == floor(lag)))
      return naryn__read_fail(r, naryn__read_get(v, "lag_days"), f,
                              "expected a whole number of days from 1 to 365, got %g", lag);
    l->route.kind = NARYN__ROUTE_LAG;
    l->route.lag_steps = (int)lag / m->step_days;
    l->route.lag_frac = (double)((int)lag % m->step_days) / m->step_days;
    return 0;
  }
  if (isnan(k) || isnan(x))
    return naryn__read_fail(r, v, w, "expected lag_days, or muskingum_k_days and muskingum_x "
                            "together, got %s", isnan(k) && isnan(x) ? "neither"
                            : isnan(k) ? "muskingum_x alone" : "muskingum_k_days alone");
  snprintf(f, sizeof f, "%s.muskingum_k_days", w);
  if (!(k > 0 && k <= 365))
    return naryn__read_fail(r, naryn__read_get(v, "muskingum_k_days"), f,
                            "expected a storage constant above 0 and at most 365 days, got %g",
                            k);
  snprintf(f, sizeof f, "%s.muskingum_x", w);
  if (!(x >= 0 && x <= 0.5))
    return naryn__read_fail(r, naryn__read_get(v, "muskingum_x"), f,
                            "expected a weighting from 0 to 0.5, got %g", x);
  /* On steps of dt days the coefficients must all be at least zero. */
  double dt = m->step_days, den = 2.0 * k * (1.0 - x) + dt;
  char step[32];
  snprintf(step, sizeof step, "%d day%s", m->step_days, m->step_days == 1 ? "" : "s");
  if (2.0 * k * x > dt)
    return naryn__read_fail(r, v, w, "expected 2 K X <= the step of %s, so that no outflow "
                            "comes out negative, got K = %g days and X = %g (2 K X = %g); "
                            "lower X or shorten K", step, k, x, 2.0 * k * x);
  if (dt > 2.0 * k * (1.0 - x))
    return naryn__read_fail(r, v, w, "expected the step of %s <= 2 K (1 - X), so that no "
                            "outflow comes out negative, got K = %g days and X = %g "
                            "(2 K (1 - X) = %g); lengthen K or lower X (a reach this short "
                            "for its step is better routed by lag_days, or not at all)",
                            step, k, x, 2.0 * k * (1.0 - x));
  l->route.kind = NARYN__ROUTE_MUSKINGUM;
  l->route.k_days = k;
  l->route.x = x;
  l->route.c0 = (dt - 2.0 * k * x) / den;
  l->route.c1 = (dt + 2.0 * k * x) / den;
  l->route.c2 = (2.0 * k * (1.0 - x) - dt) / den;
  return 0;
}

int naryn__route_lag_reach(const naryn__route *rt) {
  return rt->lag_steps + (rt->lag_frac > 0.0);
}

double naryn__route_lag_share(const naryn__route *rt, int d) {
  if (d == rt->lag_steps) return 1.0 - rt->lag_frac;
  if (d == rt->lag_steps + 1) return rt->lag_frac;
  return 0.0;
}

double naryn__route_lag_before(const naryn__route *rt, int t) {
  double share = 0.0;
  for (int d = t + 1; d <= naryn__route_lag_reach(rt); d++) share += naryn__route_lag_share(rt, d);
  return share;
}
