/*
** routing.c: routed links in the step-by-step simulation.
**
** A routed link (model/routing.c) carries into its reach what leaves its
** head in the step, less its loss: I_t, a column of the step's LP. What
** reaches its tail, O_t, is partly known before the step is solved, from
** what entered earlier, and partly the step's own inflow:
**
**   lag          O_t = sum over d of share(d) I_t-d, with the shares of
**                model/routing.c (the initial flow for t - d < 0): the
**                share of d = 0, non-zero only for a lag shorter than a
**                step, on the column, the rest known;
**   Muskingum    O_t = c0 I_t + (c1 I_t-1 + c2 O_t-1): c0 on the column,
**                the rest known.
**
** So the tail node's balance takes the link's column times (1 - loss) and
** that share or c0, and the known part as an inflow on its right-hand side.
** A lag of whole steps then leaves its head node for the ground, which
** keeps a network a network for the network simplex; a lag shorter than a
** step or a Muskingum link scales its flow and its steps go to CLP. After
** each step the reach's state moves on, the water reaching the tail is
** recorded for the balance checks, and the water the reaches hold is
** tallied for the system's balance.
*/
#include <stdlib.h>
#include <string.h>

#include "sim_int.h"

int naryn__routing_init(sim *s) {
  const naryn_model *m = s->m;
  int total = 0;
  for (int l = 0; l < m->nlinks; l++)
    if (m->links[l].route.kind == NARYN__ROUTE_LAG)
      total += naryn__route_lag_reach(&m->links[l].route);
  /* With the Muskingum reaches' inflows and outflows, the states a
  ** policy reads (naryn__routing_states). */
  s->route_ring = malloc((size_t)(2 * total + 2 * m->nlinks + 1) * sizeof *s->route_ring);
  s->route_states = s->route_ring + total;
  s->route_at = malloc((size_t)(m->nlinks + 1) * sizeof *s->route_at);
  s->route_in = malloc((size_t)(2 * m->nlinks + 1) * sizeof *s->route_in);
  if (!s->route_ring || !s->route_at || !s->route_in) return NARYN_ENOMEM;
  s->route_out = s->route_in + m->nlinks;
  for (int l = 0, at = 0; l < m->nlinks; l++) {
    const naryn__route *rt = &m->links[l].route;
    s->route_at[l] = at;
    if (rt->kind == NARYN__ROUTE_LAG) at += naryn__route_lag_reach(rt);
    s->route_in[l] = s->route_out[l] = rt->initial_flow_m3s;
  }
  return NARYN_OK;
}

void naryn__routing_free(sim *s) {
  free(s->route_ring);
  free(s->route_at);
  free(s->route_in);
}

double naryn__routing_gain(const naryn__link *l) {
  switch (l->route.kind) {
  case NARYN__ROUTE_LAG: return naryn__route_lag_share(&l->route, 0);
  case NARYN__ROUTE_MUSKINGUM: return l->route.c0;
  default: return 1.0;
  }
}

/* The rate reaching the tail of routed link l in step t that is known
** before the step (m3/s). A lag's ring holds the rates that entered its
** reach in its last steps, that of step t at t % its reach. */
static double known_m3s(const sim *s, int l, int t) {
  const naryn__route *rt = &s->m->links[l].route;
  if (rt->kind != NARYN__ROUTE_LAG) return rt->c1 * s->route_in[l] + rt->c2 * s->route_out[l];
  int reach = naryn__route_lag_reach(rt);
  double q = naryn__route_lag_before(rt, t) * rt->initial_flow_m3s;
  for (int d = 1; d <= reach && d <= t; d++)
    q += naryn__route_lag_share(rt, d) * s->route_ring[s->route_at[l] + (t - d) % reach];
  return q;
}

const double *naryn__routing_states(sim *s, int t) {
  const naryn_model *m = s->m;
  double *out = s->route_states;
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__route *rt = &m->links[l].route;
    if (rt->kind == NARYN__ROUTE_LAG) {
      int reach = naryn__route_lag_reach(rt);
      for (int d = 1; d <= reach; d++)
        *out++ = t - d >= 0 ? s->route_ring[s->route_at[l] + (t - d) % reach]
                            : rt->initial_flow_m3s;
    } else if (rt->kind == NARYN__ROUTE_MUSKINGUM) {
      *out++ = s->route_in[l];
      *out++ = s->route_out[l];
    }
  }
  return s->route_states;
}

double naryn__routing_known_hm3(const sim *s, int l, int t) {
  return known_m3s(s, l, t) * s->m->step_s[t] * 1e-6;
}

void naryn__routing_step(sim *s, int l, int t, double flow_hm3) {
  const naryn__link *ln = &s->m->links[l];
  const naryn__route *rt = &ln->route;
  double k = s->m->step_s[t] * 1e-6;
  double in_m3s = (1.0 - ln->loss_fraction) * flow_hm3 / k;
  double out_m3s = known_m3s(s, l, t) + naryn__routing_gain(ln) * in_m3s;
  if (rt->kind == NARYN__ROUTE_LAG) {
    s->route_ring[s->route_at[l] + t % naryn__route_lag_reach(rt)] = in_m3s;
  } else {
    s->route_in[l] = in_m3s;
    s->route_out[l] = out_m3s;
  }
  NARYN__LINK_ARRIVAL(s->r, t, l) = out_m3s * k;
  s->r->transit_hm3 += (in_m3s - out_m3s) * k;
}
