/*
** replay.c: an SDDP policy replayed through the simulator.
**
** The policy decides; the simulator applies the physics. Each step, before
** its LP, the simulator hands over the storage its reservoirs have reached
** and the step's inflows (the model's, or an ensemble member's). The
** policy's stage of that step is solved from them, inflows as they are
** (no outcome factor): its cuts value the water left at the end of the
** step, so the releases it picks are the policy's decision. The release of
** every reservoir the policy holds as a state goes back to the simulator,
** which applies it as a forced release: the exact head and evaporation,
** spill, the hard limits and the priorities downstream then decide the
** rest, so that what the policy meets is the simulator's world, not the
** stage's linearisation of it.
**
** Every stage forgets its last basis when a run begins (naryn__replay_new,
** once a member), and is then solved from its own last basis step after
** step: a member's run is the same whichever members the thread replayed
** before it, and a step's solve starts near its last answer.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sddp_int.h"

struct naryn__replay {
  naryn_policy *p;
  const naryn_model *m;
  const int *price_state; /* [nsteps], or NULL */
  int nstate;
  int *state_of;       /* [nnodes]: the state of each node, -1 for none */
  double *s_in;        /* [nstate] start storages */
  double *inflow;      /* [nnodes] the step's inflows, m3/s */
  naryn__stage_out out;
};

void naryn__replay_free(naryn__replay *rp) {
  if (!rp) return;
  free(rp->state_of);
  free(rp->s_in);
  free(rp);
}

/* 1 when policy p's stages fit model m: the same nodes, in the same
** order, and steps. A policy is read for a model, which it keeps; one read
** for another model object of the same model file fits too. */
static int fits(const naryn_model *m, const naryn_model *pm) {
  if (pm == m) return 1;
  if (pm->nnodes != m->nnodes || pm->nsteps != m->nsteps) return 0;
  for (int i = 0; i < m->nnodes; i++)
    if (pm->nodes[i].type != m->nodes[i].type ||
        strcmp(pm->nodes[i].name, m->nodes[i].name) != 0)
      return 0;
  return 1;
}

int naryn__replay_new(const naryn_model *m, naryn_policy *p, naryn__replay **out,
                      naryn_diags *d) {
  *out = NULL;
  const naryn_model *pm = naryn__policy_model(p);
  if (!fits(m, pm))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected a policy read for the model simulated (%s), got one "
                       "read for %s, whose nodes or steps differ",
                       m->path ? m->path : "", pm->path ? pm->path : "");
  naryn__replay *rp = calloc(1, sizeof *rp);
  naryn__stage *st0 = naryn__policy_stage(p, 0, 0);
  int ns = st0 ? naryn__stage_state_count(st0) : 0;
  size_t n = (size_t)m->nnodes;
  if (rp) {
    rp->state_of = malloc((n + 1) * sizeof *rp->state_of);
    rp->s_in = malloc(((size_t)3 * ns + n + 1) * sizeof *rp->s_in);
  }
  if (!rp || !rp->state_of || !rp->s_in) {
    naryn__replay_free(rp);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  rp->p = p;
  rp->m = m;
  rp->nstate = ns;
  rp->out.s_out = rp->s_in + ns;
  rp->out.slope = rp->out.s_out + ns;
  rp->inflow = rp->out.slope + ns;
  for (size_t i = 0; i < n; i++) rp->state_of[i] = -1;
  for (int k = 0; k < ns; k++)
    if (naryn__stage_state_node(st0, k) >= 0) rp->state_of[naryn__stage_state_node(st0, k)] = k;
  for (int j = 0; j < p->N; j++) naryn__stage_forget(p->stage[j]);
  *out = rp;
  return NARYN_OK;
}

void naryn__replay_set_prices(naryn__replay *rp, const int *states) { rp->price_state = states; }

int naryn__replay_prices(const naryn_policy *p, const naryn_model *m, uint64_t seed,
                         uint64_t stream, int **states, naryn_model **priced,
                         naryn_diags *d) {
  *states = NULL;
  *priced = NULL;
  const naryn__prices *pc = p->m->prices;
  if (!pc) return NARYN_OK;
  int T = m->nsteps;
  int *st = malloc(((size_t)T + 1) * sizeof *st);
  double *f = malloc(((size_t)T + 1) * sizeof *f);
  naryn_model *v = NULL;
  if (st && f) {
    naryn__rng rng;
    naryn__rng_seed(&rng, seed, stream);
    for (int t = 0; t < T; t++) {
      int k = t > 0 ? naryn__prices_next(pc, st[t - 1], m->step_month[t - 1],
                                         naryn__rng_uniform(&rng))
                    : pc->initial;
      st[t] = k;
      f[t] = pc->factor[(size_t)k * 12 + m->step_month[t] - 1];
    }
    v = naryn__model_price_variant(m, f);
  }
  free(f);
  if (!v) {
    free(st);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  *states = st;
  *priced = v;
  return NARYN_OK;
}

int naryn__replay_holds(const naryn__replay *rp, int i) {
  return rp && i >= 0 && i < rp->m->nnodes && rp->state_of[i] >= 0;
}

int naryn__replay_step(naryn__replay *rp, int t, const double *storage_hm3,
                       const double *route_m3s, const naryn_result *r, double *release_hm3,
                       naryn_diags *d) {
  const naryn_model *m = rp->m;
  naryn__stage *st = naryn__policy_stage(rp->p, t, rp->price_state ? rp->price_state[t] : 0);
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    rp->inflow[i] = n->type == NARYN_NODE_INFLOW && n->enabled ? naryn__inflow_m3s(r, i, t)
                                                               : 0.0;
    release_hm3[i] = NAN;
  }
  if (!st || rp->nstate == 0) return NARYN_OK;
  for (int k = 0; k < rp->nstate; k++) {
    int i = naryn__stage_state_node(st, k);
    if (i >= 0) rp->s_in[k] = storage_hm3[i];
  }
  /* A PAR model's lags: the site's flows of the steps before, as the
  ** run had them (the node that reads the site, over its scale); before
  ** the first step, the policy's initial state. */
  const naryn__par *par = naryn__policy_model(rp->p)->par;
  int nres = naryn__policy_reservoirs(rp->p);
  for (int s = 0; par && s < par->nsites; s++)
    for (int k = 1; k <= par->lags[s]; k++) {
      int j = nres + par->first[s] + k - 1, i = par->site_node[s];
      double sc = par->node_scale[i];
      rp->s_in[j] = t - k >= 0 ? (sc != 0 ? naryn__inflow_m3s(r, i, t - k) / sc : 0.0)
                               : par->init[(size_t)s * NARYN__PAR_MAX_LAGS + (k - t - 1)];
    }
  /* The routed reaches' rates, as the simulator has them: the last states. */
  int nroute = naryn__stage_route_count(st);
  for (int k = 0; k < nroute; k++) rp->s_in[rp->nstate - nroute + k] = route_m3s[k];
  naryn__stage_set_outcome(st, -1);
  int rc = naryn__stage_solve_with(st, rp->s_in, NULL, rp->inflow, &rp->out);
  if (rc != NARYN_OK) return naryn__stage_failed(m, t, rc, d);
  for (int k = 0; k < rp->nstate; k++) {
    int i = naryn__stage_state_node(st, k);
    if (i < 0) continue;
    double q = naryn__stage_outflow_hm3(st, i);
    /* A release below zero is the solver's noise. */
    release_hm3[i] = q > 0.0 ? q : 0.0;
  }
  return NARYN_OK;
}
