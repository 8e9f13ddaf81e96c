/*
** observed.c: measured series to compare a run with (doc/model-format.md,
** "Observed series").
**
** A reservoir may give observed_storage_hm3 (compared with its storage at
** the end of each step) and observed_level_m (with its level, which needs
** a level_table); any node the water reaches, and any link, may give
** observed_flow_m3s: at a node it is compared with the water entering the
** node (inflow_hm3 per second of the step, what a gauge at the node
** measures), on a link with the flow leaving the link's head. Each is a
** time-varying field whose series may miss rows or leave cells empty:
** those steps are NaN, not observed, and left out of the fit (fit.c).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

/* The observed fields of a node, what each compares with and its unit. */
static const struct {
  const char *field, *quantity, *unit;
  naryn_quantity q;
  naryn__ts_form form;
} node_fields[] = {
    {"observed_storage_hm3", "storage_end_hm3", "hm3", NARYN_Q_STORAGE_END_HM3,
     NARYN__TS_END_TARGET},
    {"observed_level_m", "level_m", "m", NARYN_Q_LEVEL_M, NARYN__TS_END_TARGET},
    {"observed_flow_m3s", "inflow_m3s", "m3/s", NARYN_Q_INFLOW_HM3, NARYN__TS_RATE},
};
#define NFIELDS (int)(sizeof node_fields / sizeof *node_fields)

/* Checks every observed value against the physical limits of its kind
** (doc/model-format.md, Limits): no storage or flow below 0, none above
** the largest on Earth, no level outside the range of lakes. */
static int check_observed(naryn__reader *r, const naryn__obs *o, const char *where) {
  int level = o->q == NARYN_Q_LEVEL_M, storage = o->q == NARYN_Q_STORAGE_END_HM3;
  double lo = level ? NARYN__MIN_LEVEL_M : 0.0;
  double hi = level ? NARYN__MAX_LEVEL_M : storage ? NARYN__MAX_STORAGE_HM3 : NARYN__MAX_FLOW_M3S;
  const char *why = level ? NARYN__LEVEL_WHY : storage ? NARYN__MAX_STORAGE_WHY : NARYN__MAX_FLOW_WHY;
  for (int t = 0; t < r->m->nsteps; t++) {
    double x = o->ts.v[t];
    if (isnan(x) || (x >= lo && x <= hi)) continue;
    naryn__ts_at at = naryn__ts_source(r->m, &o->ts, t);
    if (x > hi)
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col, where,
                  "expected at most %g %s (%s), got %g%s", hi, o->unit, why, at.given,
                  at.label);
    else if (level)
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col, where,
                  "expected at least %g %s (%s), got %g%s", lo, o->unit, why, at.given,
                  at.label);
    else
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col, where,
                  "expected an observed value of at least 0 %s (leave the cell empty "
                  "where nothing was measured), got %g%s", o->unit, at.given, at.label);
    r->failed = 1;
    return -1;
  }
  return 0;
}

/* Reads one observed field of obj, if given, as observation *o. Returns
** 1 when absent, 0 when read, -1 after reporting. */
static int read_one(naryn__reader *r, const naryn__doc *obj, const char *prefix,
                    int k, naryn__obs *o) {
  int rc = naryn__read_ts(r, obj, node_fields[k].field, prefix,
                          (naryn__ts_form)(node_fields[k].form | NARYN__TS_GAPS), &o->ts);
  if (rc != 0) return rc;
  o->field = node_fields[k].field;
  o->quantity = node_fields[k].quantity;
  o->unit = node_fields[k].unit;
  o->q = node_fields[k].q;
  char w[256];
  snprintf(w, sizeof w, "%s.%s", prefix, o->field);
  return check_observed(r, o, w);
}

int naryn__model_read_observed(naryn__reader *r) {
  naryn_model *m = r->m;
  int cap = 0;
  for (int i = 0; i < m->nnodes; i++)
    for (int k = 0; k < NFIELDS && m->nodes[i].doc; k++)
      cap += naryn__read_get(m->nodes[i].doc, node_fields[k].field) != NULL;
  for (int l = 0; l < m->nlinks; l++)
    cap += m->links[l].doc && naryn__read_get(m->links[l].doc, "observed_flow_m3s") != NULL;
  if (cap == 0) return 0;
  m->obs = naryn__arena_alloc(r->a, (size_t)cap * sizeof *m->obs);
  if (!m->obs) return naryn__read_oom(r);
  char prefix[192], w[256];
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!n->doc) continue;
    naryn__node_where(n, NULL, prefix, sizeof prefix);
    for (int k = 0; k < NFIELDS; k++) {
      const naryn__doc *v = naryn__read_get(n->doc, node_fields[k].field);
      if (!v) continue;
      snprintf(w, sizeof w, "%s.%s", prefix, node_fields[k].field);
      if (node_fields[k].q != NARYN_Q_INFLOW_HM3 && n->type != NARYN_NODE_RESERVOIR) {
        naryn__read_fail(r, v, w, "expected %s only on a reservoir, got it on a %s "
                         "node, which has no storage or level",
                         node_fields[k].field, naryn_node_type_name(n->type));
        continue;
      }
      if (node_fields[k].q == NARYN_Q_INFLOW_HM3 && n->type == NARYN_NODE_INFLOW) {
        naryn__read_fail(r, v, w, "expected observed_flow_m3s on a node the water reaches "
                         "or on a link, got it on an inflow node, whose flow is its "
                         "inflow_m3s; observe the link leaving it instead");
        continue;
      }
      if (node_fields[k].q == NARYN_Q_LEVEL_M && n->level.n == 0) {
        naryn__read_fail(r, v, w, "expected a level_table on the reservoir to turn its "
                         "storage into the level observed_level_m is compared with, "
                         "got none");
        continue;
      }
      naryn__obs *o = &m->obs[m->nobs];
      o->node = i, o->link = -1;
      if (read_one(r, n->doc, prefix, k, o) == 0) m->nobs++;
    }
  }
  for (int l = 0; l < m->nlinks; l++) {
    const naryn__link *lk = &m->links[l];
    if (!lk->doc || !naryn__read_get(lk->doc, "observed_flow_m3s")) continue;
    naryn__link_where(lk, NULL, prefix, sizeof prefix);
    naryn__obs *o = &m->obs[m->nobs];
    o->node = -1, o->link = l;
    if (read_one(r, lk->doc, prefix, NFIELDS - 1, o) == 0) {
      o->quantity = "flow_m3s";
      o->q = NARYN_Q_COUNT;
      m->nobs++;
    }
  }
  return r->failed ? -1 : 0;
}

double naryn__obs_sim(const naryn_result *r, int k, int t) {
  const naryn__obs *o = &r->m->obs[k];
  double per_s = 1e6 / r->m->step_s[t];
  if (o->link >= 0) return NARYN__LINK_FLOW(r, t, o->link) * per_s;
  double x = NARYN__Q(r, t, o->node, o->q);
  return o->q == NARYN_Q_INFLOW_HM3 ? x * per_s : x;
}
