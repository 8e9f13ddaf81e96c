/*
** rules.c: a reservoir's operating rules.
**
** A reservoir may list "rules", each asking for something at a priority:
** a release (a schedule, or a function of the storage or level at the
** start of the step and the month), a minimum or maximum release, a limit
** on the release's change from step to step, a storage at the end of the
** step, a cut of the deliveries to named demands while storage is low
** (hedging), a plant's energy, or a flow at a node downstream. Its
** "zones" (zones.c) choose which rules apply from the storage at the
** start of a step. Without zones every rule applies at every step.
**
** Reading resolves every value to one per step in the unit the structs
** carry (levels are turned into storage through the reservoir's level
** table, power into energy over each step) and checks the values at the
** place they were given: ranges, physical limits, and names of rules,
** demands, plants and nodes (which must lie downstream of the reservoir).
** It runs from model_check.c once the links of every node are known. The
** simulator applies the rules; the optimiser ignores them.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_int.h"

static const char *const type_names[NARYN__RULE_TYPE_COUNT] = {
    "release", "min_release", "max_release", "ramp",
    "storage", "hedging",     "energy",      "downstream"};

#define COMMON_FIELDS "name", "type", "priority", "description", "source", "notes"
static const char *const curve_fields[] = {
    COMMON_FIELDS, "release_m3s", "by_storage", "by_level", NULL};
static const char *const ramp_fields[] = {
    COMMON_FIELDS, "max_change_m3s", "max_increase_m3s", "max_decrease_m3s",
    "initial_release_m3s", NULL};
static const char *const storage_fields[] = {COMMON_FIELDS, "storage_hm3",
                                             "level_m", NULL};
static const char *const hedging_fields[] = {
    COMMON_FIELDS, "demands", "cut", "trigger_hm3", "trigger_m",
    "full_cut_hm3", "full_cut_m", NULL};
static const char *const energy_fields[] = {
    COMMON_FIELDS, "plant", "energy_gwh", "power_mw", "residual_of", "share",
    "thermal_up_to_per_mwh", NULL};
static const char *const downstream_fields[] = {COMMON_FIELDS, "node",
                                                "flow_m3s", NULL};
static const char *const *const fields_of[NARYN__RULE_TYPE_COUNT] = {
    curve_fields, curve_fields,   curve_fields,  ramp_fields,
    storage_fields, hedging_fields, energy_fields, downstream_fields};

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};

/* The priority of a rule that gives none: the middle of the range. */
#define DEFAULT_RULE_PRIORITY 5

/* ====================================================================== */
/* Values: ranges and limits (rules_int.h)                                */
/* ====================================================================== */


int naryn__rules_need_level_table(ctx *c, const naryn__doc *at,
                                  const char *where) {
  if (c->res->level.n > 0) return 0;
  return naryn__read_fail(c->r, at, where,
                          "expected a level_table on reservoir \"%s\" to "
                          "turn levels into storage, got none", c->res->name);
}

int naryn__rules_both_given(reader *r, const naryn__doc *obj,
                            const char *prefix, const char *list,
                            const char *a, const char *b) {
  const naryn__doc *ka = naryn__doc_key(obj, a), *kb = naryn__doc_key(obj, b);
  const naryn__doc *second = ka->line > kb->line ||
                                     (ka->line == kb->line && ka->col > kb->col)
                                 ? ka : kb;
  return naryn__read_fail(r, second, prefix, "expected only one of %s, got %s "
                          "and %s", list, a, b);
}

/* ====================================================================== */
/* Release curves                                                          */
/* ====================================================================== */

/* Reads one release of a curve's table: a number for every month, or a
** list of twelve. Fills y[12 * i + month0]. Returns 0 or -1. */
static int read_table_release(reader *r, const naryn__doc *v, const char *where,
                              double *y) {
  char got[128];
  int n = v->kind == NARYN__DOC_SEQ ? v->n : 1;
  if (v->kind == NARYN__DOC_MAP)
    return naryn__read_fail(r, v, where, "expected a number or a list of 12 "
                            "monthly values, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  if (v->kind == NARYN__DOC_SEQ && v->n != 12)
    return naryn__read_fail(r, v, where, "expected 12 monthly values (January "
                            "to December), got %d", v->n);
  for (int k = 0; k < n; k++) {
    const naryn__doc *item = v->kind == NARYN__DOC_SEQ ? v->vals[k] : v;
    double x;
    if (naryn__doc_number(item, &x) != 0 && n > 1)
      return naryn__read_fail(r, item, where, "expected a number for %s, got "
                              "%s", month_names[k],
                              naryn__doc_describe(item, got, sizeof got));
    if (naryn__doc_number(item, &x) != 0)
      return naryn__read_fail(r, item, where, "expected a number or a list of "
                              "12 monthly values, got %s",
                              naryn__doc_describe(item, got, sizeof got));
    if (!(x >= 0))
      return naryn__read_fail(r, item, where, "expected %s, got %g%s%s",
                              "a release >= 0 m3/s", x, n > 1 ? " for " : "",
                              n > 1 ? month_names[k] : "");
    if (x > NARYN__MAX_FLOW_M3S)
      return naryn__read_fail(r, item, where,
                              "expected at most %g %s (%s), got %g%s%s",
                              NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY,
                              x, n > 1 ? " for " : "",
                              n > 1 ? month_names[k] : "");
    if (n > 1) y[k] = x;
    else for (int mo = 0; mo < 12; mo++) y[mo] = x;
  }
  return 0;
}

/* Reads a table {XKEY: [...], release_m3s: [...]} of a release over the
** start storage or level. Returns 0 or -1. */
static int read_curve_table(ctx *c, const naryn__doc *v, int by_level,
                            const char *where, naryn__rule_curve *cv) {
  reader *r = c->r;
  const char *xkey = by_level ? "level_m" : "storage_hm3";
  char got[128];
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, where, "expected an object with lists "
                            "\"%s\" and \"%s\", got %s", xkey, "release_m3s",
                            naryn__doc_describe(v, got, sizeof got));
  if (by_level && naryn__rules_need_level_table(c, v, where) != 0)
    return -1;
  const char *keys[] = {xkey, "release_m3s", "source", NULL};
  naryn__read_check_keys(r, v, where, keys);
  const naryn__doc *xs = naryn__read_get(v, xkey);
  const naryn__doc *ys = naryn__read_get(v, "release_m3s");
  if (!xs || !ys)
    return naryn__read_fail(r, v, where, "expected lists \"%s\" and \"%s\", "
                            "got %s missing", xkey, "release_m3s",
                            !xs ? xkey : "release_m3s");
  if (xs->kind != NARYN__DOC_SEQ || ys->kind != NARYN__DOC_SEQ)
    return naryn__read_fail(
        r, xs->kind != NARYN__DOC_SEQ ? xs : ys, where,
        "expected \"%s\" and \"%s\" to be lists of numbers, got %s", xkey,
        "release_m3s",
        naryn__doc_describe(xs->kind != NARYN__DOC_SEQ ? xs : ys, got, sizeof got));
  if (xs->n != ys->n)
    return naryn__read_fail(r, ys, where, "expected as many %s as %s (%d), "
                            "got %d", "release_m3s", xkey, xs->n, ys->n);
  if (xs->n < 2)
    return naryn__read_fail(r, xs, where, "expected at least 2 points, got %d",
                            xs->n);
  cv->n = xs->n;
  cv->by_level = by_level;
  cv->src = v;
  cv->x = naryn__arena_alloc(r->a, (size_t)cv->n * sizeof *cv->x);
  cv->y = naryn__arena_alloc(r->a, (size_t)cv->n * 12 * sizeof *cv->y);
  if (!cv->x || !cv->y) return naryn__read_oom(r);
  double lo = by_level ? NARYN__MIN_LEVEL_M : -NARYN__MAX_STORAGE_HM3;
  double hi = by_level ? NARYN__MAX_LEVEL_M : NARYN__MAX_STORAGE_HM3;
  for (int i = 0; i < cv->n; i++) {
    const naryn__doc *xi = xs->vals[i];
    if (naryn__doc_number(xi, &cv->x[i]) != 0)
      return naryn__read_fail(r, xi, where, "expected a number in %s, got %s",
                              xkey, naryn__doc_describe(xi, got, sizeof got));
    if (!(cv->x[i] >= lo && cv->x[i] <= hi))
      return naryn__read_fail(r, xi, where, "expected %s from %g to %g %s "
                              "(%s), got %g", xkey, lo, hi, by_level ? "m" : "hm3",
                              by_level ? NARYN__LEVEL_WHY : NARYN__MAX_STORAGE_WHY,
                              cv->x[i]);
    if (i > 0 && !(cv->x[i] > cv->x[i - 1]))
      return naryn__read_fail(r, xi, where, "expected %s to increase from "
                              "point to point, got %g after %g", xkey,
                              cv->x[i], cv->x[i - 1]);
    if (read_table_release(r, ys->vals[i], where, &cv->y[12 * i]) != 0)
      return -1;
  }
  return 0;
}

/* Reads the release of a release, min_release or max_release rule: one of
** release_m3s, by_storage or by_level. Returns 0 or -1. */
static int read_curve(ctx *c, const naryn__doc *o, const char *prefix,
                      naryn__rule_curve *cv) {
  static const char *const keys[] = {"release_m3s", "by_storage", "by_level"};
  static const char *const list = "release_m3s, by_storage or by_level";
  reader *r = c->r;
  const char *given[3];
  int n = 0;
  for (int k = 0; k < 3; k++)
    if (naryn__read_get(o, keys[k])) given[n++] = keys[k];
  if (n > 1)
    return naryn__rules_both_given(r, o, prefix, list, given[0], given[1]);
  if (n == 0)
    return naryn__read_fail(r, o, prefix, "expected one of %s, got none", list);
  char w[256];
  at_field(w, sizeof w, prefix, given[0]);
  if (strcmp(given[0], "release_m3s") == 0) {
    if (naryn__read_ts(r, o, "release_m3s", prefix, NARYN__TS_RATE, &cv->ts) != 0)
      return -1;
    return naryn__read_check_values(r, &cv->ts, w, 0, INFINITY,
                                    "a release >= 0 m3/s", NARYN__MAX_FLOW_M3S,
                                    "m3/s", NARYN__MAX_FLOW_WHY);
  }
  return read_curve_table(c, naryn__read_get(o, given[0]),
                          strcmp(given[0], "by_level") == 0, w, cv);
}

double naryn__rule_release_m3s(const naryn_model *m, const naryn__node *res,
                               const naryn__rule_curve *c, int step,
                               double start_storage_hm3) {
  if (c->ts.v) return c->ts.v[step];
  if (c->n == 0) return NAN;
  double x = c->by_level ? naryn__table_eval(&res->level, start_storage_hm3)
                         : start_storage_hm3;
  int mo = m->step_month[step] - 1, n = c->n;
  /* Held at the end values outside the table, never extrapolated. */
  if (x <= c->x[0]) return c->y[mo];
  if (x >= c->x[n - 1]) return c->y[12 * (n - 1) + mo];
  int lo = 0, hi = n - 1;
  while (hi - lo > 1) {
    int mid = (lo + hi) / 2;
    if (c->x[mid] <= x) lo = mid; else hi = mid;
  }
  double f = (x - c->x[lo]) / (c->x[hi] - c->x[lo]);
  return c->y[12 * lo + mo] + f * (c->y[12 * hi + mo] - c->y[12 * lo + mo]);
}

/* ====================================================================== */
/* Names of other nodes                                                    */
/* ====================================================================== */

/* Marks in c->below every node that the reservoir's water reaches along
** links and return flows (the reservoir itself only through a loop). */
static int mark_downstream(ctx *c) {
  int *queue = malloc(((size_t)c->m->nnodes + 1) * sizeof *queue);
  if (!queue) return naryn__read_oom(c->r);
  naryn__mark_below(c->m, c->index, c->below, queue);
  free(queue);
  return 0;
}

/* Reads the name of a node at v (a field's value or a list's item) and
** checks that it lies downstream of the reservoir. Returns the node's
** index, or -1 after reporting. */
static int node_below(ctx *c, const naryn__doc *v, const char *where) {
  const naryn_model *m = c->m;
  char got[128];
  if (v->kind != NARYN__DOC_SCALAR || v->len == 0)
    return naryn__read_fail(c->r, v, where, "expected a node name, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  int i = naryn__names_get(&m->node_names, v->str);
  if (i < 0) {
    int best = 4;
    const char *near = NULL;
    for (int k = 0; k < m->nnodes; k++) {
      int dist = naryn__edit_distance(m->nodes[k].name, v->str);
      if (dist < best) best = dist, near = m->nodes[k].name;
    }
    char hint[128] = "";
    if (near) snprintf(hint, sizeof hint, " (did you mean \"%.100s\"?)", near);
    return naryn__read_fail(c->r, v, where, "expected the name of a node in "
                            "the model, got \"%s\", which no node has%s",
                            v->str, hint);
  }
  if (i == c->index || !c->below[i])
    return naryn__read_fail(c->r, v, where, "expected a node downstream of "
                            "reservoir \"%s\" (one its links lead to), got "
                            "\"%s\"%s", c->res->name, v->str,
                            i == c->index ? ", the reservoir itself"
                                          : ", which its water does not reach");
  return i;
}

/* ====================================================================== */
/* Rules by type                                                           */
/* ====================================================================== */

static int read_ramp(ctx *c, naryn__rule *ru, const naryn__doc *o,
                     const char *prefix) {
  static const char *const keys[] = {"max_change_m3s", "max_increase_m3s",
                                     "max_decrease_m3s", "initial_release_m3s"};
  reader *r = c->r;
  double v[4] = {NAN, NAN, NAN, NAN};
  char w[256];
  int rc = 0;
  for (int k = 0; k < 4; k++) {
    if (naryn__read_number(r, o, keys[k], prefix, &v[k]) != 0) continue;
    at_field(w, sizeof w, prefix, keys[k]);
    const naryn__doc *at = naryn__read_get(o, keys[k]);
    if (k < 3 && !(v[k] > 0))
      rc = naryn__read_fail(r, at, w, "expected %s, got %g", "a limit > 0 m3/s",
                            v[k]);
    else if (k == 3 && !(v[k] >= 0))
      rc = naryn__read_fail(r, at, w, "expected %s, got %g",
                            "a release >= 0 m3/s", v[k]);
    else if (v[k] > NARYN__MAX_FLOW_M3S)
      rc = naryn__read_fail(r, at, w, "expected at most %g %s (%s), got %g",
                            NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY,
                            v[k]);
  }
  if (naryn__read_get(o, keys[0]) &&
      (naryn__read_get(o, keys[1]) || naryn__read_get(o, keys[2])))
    return naryn__rules_both_given(r, o, prefix,
                                   "max_change_m3s or max_increase_m3s and "
                                   "max_decrease_m3s", keys[0],
                                   keys[naryn__read_get(o, keys[1]) ? 1 : 2]);
  if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && rc == 0)
    return naryn__read_fail(r, o, prefix, "expected one of %s, got none",
                            "max_change_m3s, max_increase_m3s or "
                            "max_decrease_m3s");
  ru->max_up_m3s = !isnan(v[0]) ? v[0] : !isnan(v[1]) ? v[1] : INFINITY;
  ru->max_down_m3s = !isnan(v[0]) ? v[0] : !isnan(v[2]) ? v[2] : INFINITY;
  ru->initial_release_m3s = v[3];
  return rc;
}

static int read_hedging(ctx *c, naryn__rule *ru, const naryn__doc *o,
                        const char *prefix) {
  reader *r = c->r;
  char w[256], got[128];
  int rc = 0;
  const naryn__doc *list = naryn__read_get(o, "demands");
  at_field(w, sizeof w, prefix, "demands");
  if (!list) {
    rc = naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got "
                          "none", "demands", "a list of demand names");
  } else if (list->kind != NARYN__DOC_SEQ || list->n == 0) {
    rc = naryn__read_fail(r, list, w, "expected a list of at least one demand "
                          "name, got %s",
                          naryn__doc_describe(list, got, sizeof got));
  } else {
    ru->demands = naryn__arena_alloc(r->a, (size_t)list->n * sizeof(int));
    if (!ru->demands) return naryn__read_oom(r);
    for (int k = 0; k < list->n; k++) {
      const naryn__doc *v = list->vals[k];
      int i = v->kind == NARYN__DOC_SCALAR
                  ? naryn__names_get(&c->m->node_names, v->str) : -1;
      const naryn__node *n = i >= 0 ? &c->m->nodes[i] : NULL;
      if (n && n->type != NARYN_NODE_DEMAND) {
        rc = naryn__read_fail(r, v, w, "expected the name of a demand node, "
                              "got \"%s\", a %s node", n->name,
                              naryn_node_type_name(n->type));
        continue;
      }
      if ((i = node_below(c, v, w)) < 0) {
        rc = -1;
        continue;
      }
      ru->demands[ru->ndemands++] = i;
    }
  }
  const naryn__doc *cut = naryn__read_get(o, "cut");
  int got_cut = naryn__read_number(r, o, "cut", prefix, &ru->cut);
  if (got_cut == 1)
    rc = naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got "
                          "none", "cut", "a fraction from 0 to 1");
  else if (got_cut < 0)
    rc = -1;
  else if (!(ru->cut >= 0 && ru->cut <= 1))
    rc = naryn__read_fail(r, cut, at_field(w, sizeof w, prefix, "cut"),
                          "expected %s, got %g", "a fraction from 0 to 1",
                          ru->cut);
  int trig = naryn__rules_read_storage(c, o, "trigger_hm3", "trigger_m",
                                       prefix, 0, "a trigger",
                                       &ru->trigger_hm3);
  int full = naryn__rules_read_storage(c, o, "full_cut_hm3", "full_cut_m",
                                       prefix, 0, "a full cut",
                                       &ru->full_cut_hm3);
  if (trig < 0 || full < 0) return -1;
  if (full == 0 && trig == 1) {
    const char *key = naryn__read_get(o, "full_cut_hm3") ? "full_cut_hm3" : "full_cut_m";
    return naryn__read_fail(r, naryn__doc_key(o, key), prefix,
                            "expected a trigger_hm3 or trigger_m for the cut "
                            "to grow from with %s, got none", key);
  }
  for (int t = 0; full == 0 && t < c->m->nsteps; t++) {
    if (ru->full_cut_hm3.v[t] < ru->trigger_hm3.v[t]) continue;
    const char *key = naryn__read_get(o, "full_cut_hm3") ? "full_cut_hm3" : "full_cut_m";
    naryn__ts_at at = naryn__ts_source(c->m, &ru->full_cut_hm3, t);
    char date[16];
    naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col,
                at_field(w, sizeof w, prefix, key),
                "expected a full cut below the trigger (%g hm3) at every "
                "step, got %g hm3 in the step of %s%s", ru->trigger_hm3.v[t],
                ru->full_cut_hm3.v[t],
                naryn__step_label(c->m, t, date, sizeof date), at.label);
    r->failed = 1;
    return -1;
  }
  return rc;
}

/* Reads an energy rule's residual_of, share and thermal_up_to_per_mwh:
** the grid must be the one the rule's plant feeds. Returns 0 or -1. */
static int read_residual(ctx *c, naryn__rule *ru, const naryn__doc *o,
                         const char *prefix) {
  reader *r = c->r;
  const naryn_model *m = c->m;
  const naryn__doc *v = naryn__read_get(o, "residual_of");
  char w[256], got[128];
  at_field(w, sizeof w, prefix, "residual_of");
  if (m->ngrids == 0)
    return naryn__read_fail(r, v, w, "expected a list \"grids\" in the model "
                            "for residual_of to name a grid from, got none");
  if (v->kind != NARYN__DOC_SCALAR)
    return naryn__read_fail(r, v, w, "expected the name of a grid, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  int g = -1;
  for (int k = 0; k < m->ngrids; k++)
    if (strcmp(m->grids[k].name, v->str) == 0) g = k;
  if (g < 0)
    return naryn__read_fail(r, v, w, "expected the name of a grid of the "
                            "model, got \"%s\", which no grid has", v->str);
  if (ru->node >= 0) {
    const naryn__node *p = &m->nodes[ru->node];
    if (strcmp(m->grids[g].country, p->country) != 0)
      return naryn__read_fail(r, v, w, "expected the grid that plant \"%s\" "
                              "feeds (of country %s%s%s), got \"%s\", the "
                              "grid of country \"%s\"", p->name,
                              p->country[0] ? "\"" : "",
                              p->country[0] ? p->country : "(none)",
                              p->country[0] ? "\"" : "", v->str,
                              m->grids[g].country);
  }
  ru->residual_grid = g;
  ru->residual_share = 1.0;
  ru->residual_thermal_per_mwh = NAN;
  double x;
  int got_share = naryn__read_number(r, o, "share", prefix, &x);
  if (got_share < 0) return -1;
  if (got_share == 0) {
    if (!(x > 0 && x <= 1))
      return naryn__read_fail(r, naryn__read_get(o, "share"),
                              at_field(w, sizeof w, prefix, "share"),
                              "expected a share of the residual demand above "
                              "0 and at most 1, got %g", x);
    ru->residual_share = x;
  }
  int got_price = naryn__read_number(r, o, "thermal_up_to_per_mwh", prefix, &x);
  if (got_price < 0) return -1;
  if (got_price == 0) {
    if (!(x >= 0) || isinf(x))
      return naryn__read_fail(r, naryn__read_get(o, "thermal_up_to_per_mwh"),
                              at_field(w, sizeof w, prefix,
                                       "thermal_up_to_per_mwh"),
                              "expected a finite price >= 0 per MWh, got %g",
                              x);
    ru->residual_thermal_per_mwh = x;
  }
  return 0;
}

static int read_energy(ctx *c, naryn__rule *ru, const naryn__doc *o,
                       const char *prefix) {
  reader *r = c->r;
  char w[256];
  int rc = 0;
  const naryn__doc *plant = naryn__read_get(o, "plant");
  at_field(w, sizeof w, prefix, "plant");
  if (!plant) {
    rc = naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got "
                          "none", "plant", "the name of a hydropower plant");
  } else {
    int i = plant->kind == NARYN__DOC_SCALAR
                ? naryn__names_get(&c->m->node_names, plant->str) : -1;
    const naryn__node *n = i >= 0 ? &c->m->nodes[i] : NULL;
    if (n && n->type != NARYN_NODE_HYDROPOWER)
      rc = naryn__read_fail(r, plant, w, "expected a hydropower plant, got "
                            "\"%s\", a %s node, which has no head", n->name,
                            naryn_node_type_name(n->type));
    else if ((ru->node = node_below(c, plant, w)) < 0)
      rc = -1;
  }
  int has_e = naryn__read_get(o, "energy_gwh") != NULL;
  int has_p = naryn__read_get(o, "power_mw") != NULL;
  int has_g = naryn__read_get(o, "residual_of") != NULL;
  if (has_e + has_p + has_g > 1)
    return naryn__rules_both_given(r, o, prefix,
                                   "energy_gwh, power_mw or residual_of",
                                   has_e ? "energy_gwh" : "power_mw",
                                   has_g ? "residual_of" : "power_mw");
  if (!has_g) {
    static const char *const only[] = {"share", "thermal_up_to_per_mwh"};
    for (int k = 0; k < 2; k++)
      if (naryn__read_get(o, only[k]))
        return naryn__read_fail(r, naryn__doc_key(o, only[k]),
                                at_field(w, sizeof w, prefix, only[k]),
                                "expected %s only with residual_of, which "
                                "the rule does not give", only[k]);
  }
  if (!has_e && !has_p && !has_g)
    return naryn__read_fail(r, o, prefix, "expected one of %s, got none",
                            "energy_gwh, power_mw or residual_of");
  if (has_g) return read_residual(c, ru, o, prefix) != 0 ? -1 : rc;
  const char *key = has_e ? "energy_gwh" : "power_mw";
  if (naryn__read_ts(r, o, key, prefix,
                     has_e ? NARYN__TS_VOLUME : NARYN__TS_RATE,
                     &ru->energy_gwh) != 0)
    return -1;
  if (naryn__read_check_values(
          r, &ru->energy_gwh, at_field(w, sizeof w, prefix, key), 0,
          INFINITY, has_e ? "an energy >= 0 GWh" : "a power >= 0 MW",
          has_e ? NARYN__MAX_ENERGY_GWH : NARYN__MAX_CAPACITY_MW,
          has_e ? "GWh" : "MW",
          has_e ? NARYN__MAX_ENERGY_WHY : NARYN__MAX_CAPACITY_WHY) != 0)
    return -1;
  /* A mean power over a step is its energy: MW times hours, in GWh. */
  for (int t = 0; has_p && t < c->m->nsteps; t++)
    ru->energy_gwh.v[t] *= c->m->step_s[t] / 3.6e6;
  return rc;
}

static int read_downstream(ctx *c, naryn__rule *ru, const naryn__doc *o,
                           const char *prefix) {
  reader *r = c->r;
  char w[256];
  int rc = 0;
  const naryn__doc *node = naryn__read_get(o, "node");
  if (!node)
    rc = naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got "
                          "none", "node", "the name of a node downstream");
  else if ((ru->node = node_below(c, node, at_field(w, sizeof w, prefix, "node"))) < 0)
    rc = -1;
  int got = naryn__read_ts(r, o, "flow_m3s", prefix, NARYN__TS_RATE, &ru->flow_m3s);
  if (got == 1)
    return naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got "
                            "none", "flow_m3s", "m3/s");
  if (got != 0 ||
      naryn__read_check_values(
          r, &ru->flow_m3s, at_field(w, sizeof w, prefix, "flow_m3s"), 0,
          INFINITY, "a flow >= 0 m3/s", NARYN__MAX_FLOW_M3S, "m3/s",
          NARYN__MAX_FLOW_WHY) != 0)
    return -1;
  return rc;
}

/* Reads a rule's type, with the nearest type when a name is close.
** Returns the type, or -1 after reporting. */
static int read_type(reader *r, const naryn__doc *o, const char *prefix) {
  const naryn__doc *v = naryn__read_get(o, "type");
  char w[256], got[128], hint[64] = "";
  int best = 4;
  const char *near = NULL;
  for (int k = 0; v && k < NARYN__RULE_TYPE_COUNT; k++) {
    if (v->kind != NARYN__DOC_SCALAR) break;
    if (strcmp(v->str, type_names[k]) == 0) return k;
    int dist = naryn__edit_distance(v->str, type_names[k]);
    if (dist < best) best = dist, near = type_names[k];
  }
  if (near) snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", near);
  return naryn__read_fail(r, v ? v : o, v ? at_field(w, sizeof w, prefix, "type") : prefix,
                          "expected a rule type: release, min_release, "
                          "max_release, ramp, storage, hedging, energy or "
                          "downstream, got %s%s",
                          v ? naryn__doc_describe(v, got, sizeof got) : "none",
                          hint);
}

/* Reads a name of a rule or zone, unique among names[0..i-1] (whose
** objects are docs[]). Returns the name, or NULL after reporting. */
static const char *read_name(reader *r, const naryn__doc *o, const char *prefix,
                             const char *what, const char *res,
                             const char *const *names, naryn__doc *const *docs,
                             int i) {
  const naryn__doc *nm = naryn__read_get(o, "name");
  char got[128];
  if (!nm || nm->kind != NARYN__DOC_SCALAR || nm->len == 0) {
    naryn__read_fail(r, nm ? nm : o, prefix, "expected a field \"name\" with a "
                     "non-empty string, got %s",
                     nm ? naryn__doc_describe(nm, got, sizeof got) : "none");
    return NULL;
  }
  for (int j = 0; j < i; j++)
    if (names[j] && strcmp(names[j], nm->str) == 0) {
      naryn__read_fail(r, nm, prefix, "expected a unique %s name in reservoir "
                       "\"%s\", got \"%s\" again (first at line %d)", what, res,
                       nm->str, docs[j]->line);
      return NULL;
    }
  return nm->str;
}

const char *naryn__rules_read_named(ctx *c, naryn__doc *const *docs, int i,
                                    const char *what, char *prefix,
                                    size_t size) {
  const naryn__doc *o = docs[i];
  char got[128];
  snprintf(prefix, size, "%s.%ss[%d]", c->where, what, i);
  if (o->kind != NARYN__DOC_MAP) {
    naryn__read_fail(c->r, o, prefix, "expected an object describing a "
                     "%s, got %s", what,
                     naryn__doc_describe(o, got, sizeof got));
    return NULL;
  }
  const char *name = read_name(c->r, o, prefix, what, c->res->name, c->seen,
                               docs, i);
  c->seen[i] = name;
  if (name)
    snprintf(prefix, size, "%s %s \"%.100s\"", c->where, what, name);
  return name;
}

/* Reads one rule. Returns 0 or -1. */
static int read_rule(ctx *c, naryn__rule *rules, naryn__doc *const *docs,
                     int i) {
  reader *r = c->r;
  naryn__rule *ru = &rules[i];
  const naryn__doc *o = docs[i];
  char prefix[320];
  ru->doc = o;
  ru->node = -1;
  ru->residual_grid = -1;
  ru->priority = DEFAULT_RULE_PRIORITY;
  ru->max_up_m3s = ru->max_down_m3s = INFINITY;
  ru->initial_release_m3s = NAN;
  ru->name = naryn__rules_read_named(c, docs, i, "rule", prefix, sizeof prefix);
  if (!ru->name) return -1;
  int type = read_type(r, o, prefix);
  if (type < 0) return -1;
  ru->type = (naryn__rule_type)type;
  naryn__read_check_keys(r, o, prefix, fields_of[type]);
  int rc = naryn__read_priority(r, o, "priority", prefix, &ru->priority) < 0 ? -1 : 0;
  int rc2 = 0;
  switch (ru->type) {
  case NARYN__RULE_RELEASE:
  case NARYN__RULE_MIN_RELEASE:
  case NARYN__RULE_MAX_RELEASE:
    rc2 = read_curve(c, o, prefix, &ru->release);
    break;
  case NARYN__RULE_RAMP:
    rc2 = read_ramp(c, ru, o, prefix);
    break;
  case NARYN__RULE_STORAGE:
    rc2 = naryn__rules_read_storage(c, o, "storage_hm3", "level_m", prefix, 0,
                                    "a storage", &ru->storage_hm3);
    if (rc2 == 1)
      rc2 = naryn__read_fail(r, o, prefix, "expected one of %s, got none",
                             "storage_hm3 or level_m");
    break;
  case NARYN__RULE_HEDGING:
    rc2 = read_hedging(c, ru, o, prefix);
    break;
  case NARYN__RULE_ENERGY:
    rc2 = read_energy(c, ru, o, prefix);
    break;
  case NARYN__RULE_DOWNSTREAM:
    rc2 = read_downstream(c, ru, o, prefix);
    break;
  case NARYN__RULE_TYPE_COUNT:
    break;
  }
  return rc ? rc : rc2;
}

/* ====================================================================== */
/* A reservoir's rules and zones                                           */
/* ====================================================================== */

/* Reads the list under 'key' of a reservoir: NULL when absent, else the
** list, or NULL after reporting one that is not a list. */
static const naryn__doc *get_list(ctx *c, const char *key, const char *what) {
  const naryn__doc *v = naryn__read_get(c->res->doc, key);
  char w[256], got[128];
  if (!v || v->kind == NARYN__DOC_SEQ) return v;
  naryn__read_fail(c->r, v, at_field(w, sizeof w, c->where, key),
                   "expected a list of %s, got %s", what,
                   naryn__doc_describe(v, got, sizeof got));
  return NULL;
}

static int read_reservoir(ctx *c) {
  reader *r = c->r;
  naryn__node *res = c->res;
  const naryn__doc *o = res->doc;
  int failed = r->failed;
  r->failed = 0;
  const naryn__doc *rules = get_list(c, "rules", "rules");
  const naryn__doc *zones = get_list(c, "zones", "zones");
  if (zones && !naryn__read_get(o, "rules"))
    naryn__read_fail(r, naryn__doc_key(o, "zones"), c->where,
                     "expected a field \"rules\" with the rules that the "
                     "zones select, got none");
  if (r->failed || !rules) goto done;
  int most = rules->n > (zones ? zones->n : 0) ? rules->n : zones->n;
  c->seen = naryn__arena_alloc(r->a, (size_t)(most + 1) * sizeof *c->seen);
  res->rules = naryn__arena_alloc(r->a, (size_t)(rules->n + 1) * sizeof *res->rules);
  if (!c->seen || !res->rules || mark_downstream(c) != 0) {
    naryn__read_oom(r);
    goto done;
  }
  for (int i = 0; i < rules->n; i++) read_rule(c, res->rules, rules->vals, i);
  res->nrules = rules->n;
  naryn__rules_read_zones(c, zones);
done:
  if (r->failed) res->nrules = res->nzones = 0;
  r->failed |= failed;
  return 0;
}

int naryn__model_read_rules(naryn_model *m, naryn_diags *d) {
  reader r = {.m = m, .d = d, .a = m->arena};
  unsigned char *below = NULL;
  /* Every rule and zone keeps values for every step, as a node does: they
  ** count with the nodes against the same limit. */
  long items = m->nnodes;
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    if (n->type != NARYN_NODE_RESERVOIR || !n->doc) continue;
    const naryn__doc *rl = naryn__read_get(n->doc, "rules");
    const naryn__doc *zl = naryn__read_get(n->doc, "zones");
    long more = (rl && rl->kind == NARYN__DOC_SEQ ? rl->n : 0) +
                (zl && zl->kind == NARYN__DOC_SEQ ? zl->n : 0);
    items += more;
    if (more > 0 && (double)items * m->nsteps > NARYN__MAX_NODE_STEPS) {
      char w[256];
      naryn__read_fail(&r, rl ? rl : zl, naryn__node_where(n, rl ? "rules" : "zones", w, sizeof w),
                       "expected at most %g nodes, rules and zones times "
                       "steps (%s), got %ld of them over %d steps",
                       NARYN__MAX_NODE_STEPS,
                       NARYN__MAX_NODE_STEPS_WHY, items, m->nsteps);
      return NARYN_EMODEL;
    }
  }
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    if (n->type != NARYN_NODE_RESERVOIR || !n->doc ||
        (!naryn__read_get(n->doc, "rules") && !naryn__read_get(n->doc, "zones")))
      continue;
    if (!below && !(below = naryn__arena_alloc(r.a, (size_t)m->nnodes))) {
      naryn__read_oom(&r);
      break;
    }
    ctx c = {.r = &r, .m = m, .res = n, .index = i, .below = below};
    naryn__node_where(n, NULL, c.where, sizeof c.where);
    read_reservoir(&c);
  }
  naryn__read_done(&r);
  if (!r.failed) return NARYN_OK;
  for (int i = 0; i < naryn_diags_count(d); i++)
    if (naryn_diags_get(d, i)->code == NARYN_ENOMEM) return NARYN_ENOMEM;
  for (int i = 0; i < naryn_diags_count(d); i++)
    if (naryn_diags_get(d, i)->code == NARYN_EIO) return NARYN_EIO;
  return NARYN_EMODEL;
}
