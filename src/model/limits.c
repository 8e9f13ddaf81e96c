/*
** limits.c: the physical limits on every number of a model.
**
** A storage, a flow, a level, a head, a capacity, an area, an evaporation
** depth or a price past generous limits grounded in the largest works and
** rivers on Earth (naryn_int.h, doc/model-format.md "Physical limits")
** would reach the LP solver as a number it cannot take, or give an absurd
** answer. Each is reported where it was given: the field in the model
** file, each of twelve monthly values, or the CSV cell of a series, with
** the model field that reads it. The limits of objective terms (prices,
** weights) are checked where objective.c reads them, and the horizon's
** length where model_read.c reads it.
*/
#include <math.h>
#include <stdio.h>

#include "../naryn_int.h"

typedef struct checker {
  const naryn_model *m;
  naryn_diags *d;
  int failed;
} checker;

/* Reports a problem with a field of an element whose document is 'obj'. */
static void bad(checker *c, const naryn__doc *obj, const char *field,
                const char *where, const char *fmt, ...) NARYN__PRINTF(5, 6);
static void bad(checker *c, const naryn__doc *obj, const char *field,
                const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__model_vbad(c->m, c->d, obj, field, where, fmt, ap);
  va_end(ap);
  c->failed = 1;
}


/* Reports a node field given above its limit; a field not given (NaN)
** passes. */
static void node_max(checker *c, const naryn__node *n, const char *field,
                     double v, double max, const char *unit, const char *why) {
  if (!(v > max)) return;
  char w[256];
  bad(c, n->doc, field, naryn__node_where(n, field, w, sizeof w),
      "expected at most %g %s (%s), got %g", max, unit, why, v);
}

/* Reports the first value of a time-varying field given above its limit,
** where it was given: the constant, each of twelve monthly values (even
** for months outside the horizon) or the CSV cell of a step, naming the
** cell's value and, when the series has a scale, the value it gives.
** With 'from_m3s' the steps hold hm3 read from m3/s, and the limit is on
** the m3/s. */
static void ts_max(checker *c, const naryn__ts *ts, const char *where,
                   double max, const char *unit, const char *why,
                   int from_m3s) {
  static const char *const months[] = {
      "January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"};
  if (!ts->v) return;
  if (!ts->csv && !ts->per_step) {
    const naryn__doc *src = ts->src;
    int n = src->kind == NARYN__DOC_SEQ ? src->n : 1;
    for (int k = 0; k < n; k++) {
      const naryn__doc *item = src->kind == NARYN__DOC_SEQ ? src->vals[k] : src;
      double x;
      if (naryn__doc_number(item, &x) != 0 || !(x > max)) continue;
      naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, item->file, item->line,
                  item->col, where, "expected at most %g %s (%s), got %g%s%s",
                  max, unit, why, x, n > 1 ? " for " : "",
                  n > 1 && k < 12 ? months[k] : "");
      c->failed = 1;
      return;
    }
    return;
  }
  for (int i = 0; i < c->m->nsteps; i++) {
    double v = from_m3s ? ts->v[i] / (c->m->step_s[i] * 1e-6) : ts->v[i];
    if (!(v > max)) continue;
    naryn__ts_at at = naryn__ts_source(c->m, ts, i);
    char scaled[64] = "";
    if (fabs(at.given - v) > 1e-9 * fabs(v))
      snprintf(scaled, sizeof scaled, " (%g after its scale)", v);
    naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col,
                where, "expected at most %g %s (%s), got %g%s%s", max, unit,
                why, at.given, scaled, at.label);
    c->failed = 1;
    return;
  }
}

/* Reports the first value of one column of a table outside [lo, hi], at
** its item in the model file. */
static void table_limits(checker *c, const naryn__node *n, const char *field,
                         const naryn__table *t, int column, const char *key,
                         double lo, double hi, const char *unit,
                         const char *why) {
  const double *v = column == 0 ? t->x : t->y;
  for (int i = 0; i < t->n; i++) {
    if (v[i] >= lo && v[i] <= hi) continue;
    const naryn__doc *list = naryn__doc_get(t->src, key);
    const naryn__doc *at = list && list->kind == NARYN__DOC_SEQ && i < list->n
                               ? list->vals[i] : naryn__field_pos(n->doc, field);
    char w[256];
    naryn__node_where(n, field, w, sizeof w);
    naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at->file, at->line,
                at->col, w, "expected %s from %g to %g %s (%s), got %g", key,
                lo, hi, unit, why, v[i]);
    c->failed = 1;
    return;
  }
}

/* The limits on a node's own numbers. */
int naryn__check_node_limits(const naryn_model *m, const naryn__node *n,
                              naryn_diags *d) {
  checker cc = {.m = m, .d = d}, *c = &cc;
  char w[256];
  switch (n->type) {
  case NARYN_NODE_INFLOW:
    ts_max(c, &n->inflow_m3s, naryn__node_where(n, "inflow_m3s", w, sizeof w),
           NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY, 0);
    break;
  case NARYN_NODE_RESERVOIR:
    /* The minimum and initial storage are checked against the maximum. */
    node_max(c, n, "max_storage_hm3", n->max_storage_hm3,
             NARYN__MAX_STORAGE_HM3, "hm3", NARYN__MAX_STORAGE_WHY);
    table_limits(c, n, "level_table", &n->level, 0, "storage_hm3",
                 -NARYN__MAX_STORAGE_HM3, NARYN__MAX_STORAGE_HM3, "hm3",
                 NARYN__MAX_STORAGE_WHY);
    table_limits(c, n, "level_table", &n->level, 1, "level_m",
                 NARYN__MIN_LEVEL_M, NARYN__MAX_LEVEL_M, "m", NARYN__LEVEL_WHY);
    table_limits(c, n, "area_table", &n->area, 0, "storage_hm3",
                 -NARYN__MAX_STORAGE_HM3, NARYN__MAX_STORAGE_HM3, "hm3",
                 NARYN__MAX_STORAGE_WHY);
    table_limits(c, n, "area_table", &n->area, 1, "area_km2", 0,
                 NARYN__MAX_AREA_KM2, "km2", NARYN__MAX_AREA_WHY);
    ts_max(c, &n->evaporation_mm,
           naryn__node_where(n, "evaporation_mm", w, sizeof w),
           NARYN__MAX_EVAPORATION_MM, "mm", NARYN__MAX_EVAPORATION_WHY, 0);
    ts_max(c, &n->release_m3s, naryn__node_where(n, "release_m3s", w, sizeof w),
           NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY, 0);
    ts_max(c, &n->forced_release_m3s,
           naryn__node_where(n, "forced_release_m3s", w, sizeof w), NARYN__MAX_FLOW_M3S,
           "m3/s", NARYN__MAX_FLOW_WHY, 0);
    /* A full reservoir whose mean depth (storage over area) is less than
    ** what evaporates in one step would dry up within the step: no
    ** reservoir is that shallow, and the optimiser's linear evaporation
    ** cannot follow it. 1 mm over 1 km2 is 1e-3 hm3. */
    if (n->evaporation_mm.v && n->area.n > 0 && n->max_storage_hm3 > 0 &&
        n->max_storage_hm3 <= NARYN__MAX_STORAGE_HM3) {
      double area_km2 = naryn__table_eval(&n->area, n->max_storage_hm3);
      for (int t = 0; t < c->m->nsteps; t++) {
        double evap_hm3 = n->evaporation_mm.v[t] * area_km2 * 1e-3;
        if (!(evap_hm3 > n->max_storage_hm3)) continue;
        naryn__ts_at at = naryn__ts_source(c->m, &n->evaporation_mm, t);
        naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                    at.col, naryn__node_where(n, "evaporation_mm", w, sizeof w),
                    "expected at most the mean depth of the full reservoir in "
                    "a step (%g hm3 over %g km2 from its area_table, %g mm), "
                    "got %g mm%s, which would take %g hm3", n->max_storage_hm3,
                    area_km2, n->max_storage_hm3 / area_km2 * 1e3,
                    n->evaporation_mm.v[t], at.label, evap_hm3);
        c->failed = 1;
        break;
      }
    }
    break;
  case NARYN_NODE_HYDROPOWER: {
    static const char *const level_fields[] = {"headwater_m", "tailwater_m"};
    const double levels[] = {n->headwater_m, n->tailwater_m};
    int level_bad = 0;
    for (int k = 0; k < 2; k++) {
      if (isnan(levels[k]) || (levels[k] >= NARYN__MIN_LEVEL_M &&
                               levels[k] <= NARYN__MAX_LEVEL_M))
        continue;
      level_bad = 1;
      bad(c, n->doc, level_fields[k],
          naryn__node_where(n, level_fields[k], w, sizeof w),
          "expected a level from %g to %g m (%s), got %g", NARYN__MIN_LEVEL_M,
          NARYN__MAX_LEVEL_M, NARYN__LEVEL_WHY, levels[k]);
    }
    node_max(c, n, "head_m", n->head_m, NARYN__MAX_HEAD_M, "m",
             NARYN__MAX_HEAD_WHY);
    table_limits(c, n, "tailwater_table", &n->tailwater, 0, "discharge_m3s",
                 0, NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY);
    table_limits(c, n, "tailwater_table", &n->tailwater, 1, "level_m",
                 NARYN__MIN_LEVEL_M, NARYN__MAX_LEVEL_M, "m", NARYN__LEVEL_WHY);
    /* The head a level gives: from the headwater, or the reservoir's
    ** highest level, down to the lowest tailwater (not told again when a
    ** level itself is out of range). */
    const naryn__node *r = n->reservoir >= 0 ? &c->m->nodes[n->reservoir] : NULL;
    double top = !isnan(n->headwater_m) ? n->headwater_m
                 : r && r->level.n > 0  ? r->level.y[r->level.n - 1] : NAN;
    double low = n->tailwater.n > 0 ? n->tailwater.y[0] : n->tailwater_m;
    if (!level_bad && top - low > NARYN__MAX_HEAD_M)
      bad(c, n->doc, r ? "reservoir" : "headwater_m",
          naryn__node_where(n, r ? "reservoir" : "headwater_m", w, sizeof w),
          "expected a head of at most %g m (%s), got up to %g m from %s at "
          "%g m down to the tailwater at %g m", NARYN__MAX_HEAD_M,
          NARYN__MAX_HEAD_WHY, top - low,
          r ? "the reservoir's highest level" : "the headwater", top, low);
    node_max(c, n, "max_turbine_flow_m3s", n->max_turbine_flow_m3s,
             NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY);
    node_max(c, n, "capacity_mw", n->capacity_mw, NARYN__MAX_CAPACITY_MW, "MW",
             NARYN__MAX_CAPACITY_WHY);
    break;
  }
  case NARYN_NODE_DEMAND: {
    int rate = n->demand_hm3.src &&
               n->demand_hm3.src == naryn__doc_get(n->doc, "demand_m3s");
    const char *field = rate ? "demand_m3s" : "demand_hm3";
    ts_max(c, &n->demand_hm3, naryn__node_where(n, field, w, sizeof w),
           rate ? NARYN__MAX_FLOW_M3S : NARYN__MAX_STORAGE_HM3,
           rate ? "m3/s" : "hm3",
           rate ? NARYN__MAX_FLOW_WHY : NARYN__MAX_STORAGE_WHY, rate);
    break;
  }
  case NARYN_NODE_MIN_FLOW:
    ts_max(c, &n->min_flow_m3s, naryn__node_where(n, "min_flow_m3s", w, sizeof w),
           NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY, 0);
    break;
  case NARYN_NODE_JUNCTION:
  case NARYN_NODE_SINK:
  case NARYN_NODE_TYPE_COUNT:
    break;
  }
  return cc.failed;
}

/* The limits on a link's numbers. */
int naryn__check_link_limits(const naryn_model *m, const naryn__link *l,
                              naryn_diags *d) {
  checker cc = {.m = m, .d = d}, *c = &cc;
  char w[256];
  ts_max(c, &l->min_flow_m3s, naryn__link_where(l, "min_flow_m3s", w, sizeof w),
         NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY, 0);
  ts_max(c, &l->max_flow_m3s, naryn__link_where(l, "max_flow_m3s", w, sizeof w),
         NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY, 0);
  if (l->cost > NARYN__MAX_PRICE)
    bad(c, l->doc, "cost", naryn__link_where(l, "cost", w, sizeof w),
        "expected at most %g per hm3 (%s), got %g", NARYN__MAX_PRICE,
        NARYN__MAX_PRICE_WHY, l->cost);
  return cc.failed;
}
