/*
** rules.c: a reservoir's operating rules and the zones that choose them.
**
** A reservoir may list "rules", each asking for something at a priority:
** a release (a schedule, or a function of the storage or level at the
** start of the step and the month), a minimum or maximum release, a limit
** on the release's change from step to step, a storage at the end of the
** step, a cut of the deliveries to named demands while storage is low
** (hedging), a plant's energy, or a flow at a node downstream. Its
** "zones" divide the storage, top to bottom, by guide curves (storage or
** level by date), and each zone lists the rules that apply while the
** storage at the start of a step lies in it. Without zones every rule
** applies at every step.
**
** Reading resolves every value to one per step in the unit the structs
** carry (levels are turned into storage through the reservoir's level
** table, power into energy over each step) and checks the values at the
** place they were given: ranges, physical limits, names of demands,
** plants and nodes (which must lie downstream of the reservoir), names of
** rules in zones, and guide curves that cross. It runs from
** model_check.c once the links of every node are known. The simulator
** applies the rules; the optimiser ignores them.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

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
static const char *const energy_fields[] = {COMMON_FIELDS, "plant",
                                            "energy_gwh", "power_mw", NULL};
static const char *const downstream_fields[] = {COMMON_FIELDS, "node",
                                                "flow_m3s", NULL};
static const char *const *const fields_of[NARYN__RULE_TYPE_COUNT] = {
    curve_fields, curve_fields,   curve_fields,  ramp_fields,
    storage_fields, hedging_fields, energy_fields, downstream_fields};
static const char *const zone_fields[] = {
    "name", "rules", "top_hm3", "top_m", "description", "source", "notes",
    NULL};

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};

/* The priority of a rule that gives none: the middle of the range. */
#define DEFAULT_RULE_PRIORITY 5

/* What reading one reservoir's rules needs at hand. */
typedef struct ctx {
  reader *r;
  naryn_model *m;
  naryn__node *res;
  int index;              /* the reservoir's node index */
  unsigned char *below;   /* [nnodes]: 1 for nodes downstream of it */
  const char **seen;      /* the names of the rules or zones read so far */
  char where[192];        /* "reservoir \"NAME\"" */
} ctx;

/* Joins a prefix and a field name into a "where" string. */
static const char *at_field(char *buf, size_t size, const char *prefix,
                            const char *field) {
  if (snprintf(buf, size, "%s.%s", prefix, field) >= (int)size)
    buf[size - 1] = '\0';
  return buf;
}

/* ====================================================================== */
/* Values: ranges, limits and conversions                                  */
/* ====================================================================== */

/* Checks every value of a time-varying field as given, each of twelve
** monthly values or each step of a series, against [lo, hi] (told as
** 'expect') and then against the physical limit 'max' in 'unit', resting
** on 'why'. Returns 0, or -1 after reporting the first value outside. */
static int check_given(reader *r, const naryn__ts *ts, const char *where,
                       double lo, double hi, const char *expect, double max,
                       const char *unit, const char *why) {
  const naryn__doc *src = ts->src;
  if (!ts->csv) {
    int n = src->kind == NARYN__DOC_SEQ ? src->n : 1;
    for (int k = 0; k < n; k++) {
      const naryn__doc *item = src->kind == NARYN__DOC_SEQ ? src->vals[k] : src;
      double x;
      if (naryn__doc_number(item, &x) != 0) continue;
      if (!(x >= lo && x <= hi))
        return naryn__read_fail(r, item, where, "expected %s, got %g%s%s",
                                expect, x, n > 1 ? " for " : "",
                                n > 1 ? month_names[k] : "");
      if (x > max)
        return naryn__read_fail(r, item, where,
                                "expected at most %g %s (%s), got %g%s%s", max,
                                unit, why, x, n > 1 ? " for " : "",
                                n > 1 ? month_names[k] : "");
    }
    return 0;
  }
  for (int t = 0; t < r->m->nsteps; t++) {
    double x = ts->v[t];
    if (x >= lo && x <= hi && !(x > max)) continue;
    naryn__ts_at at = naryn__ts_source(r->m, ts, t);
    if (!(x >= lo && x <= hi))
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                  at.col, where, "expected %s, got %g%s", expect, x, at.label);
    else
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                  at.col, where, "expected at most %g %s (%s), got %g%s", max,
                  unit, why, x, at.label);
    r->failed = 1;
    return -1;
  }
  return 0;
}

/* Reports that a level was given for a reservoir without a level table
** when it has none. Returns 0 when it has one, else -1. */
static int need_level_table(ctx *c, const naryn__doc *at, const char *where) {
  if (c->res->level.n > 0) return 0;
  return naryn__read_fail(c->r, at, where,
                          "expected a level_table on reservoir \"%s\" to "
                          "turn levels into storage, got none", c->res->name);
}

/* The range of levels between the reservoir's dead and full storage, as
** 'expect' words it for messages. */
static void level_range(const ctx *c, double *lo, double *hi, char *expect,
                        size_t size) {
  *lo = naryn__table_eval(&c->res->level, c->res->min_storage_hm3);
  *hi = naryn__table_eval(&c->res->level, c->res->max_storage_hm3);
  snprintf(expect, size, "a level from %g to %g m (the levels at "
           "min_storage_hm3 and max_storage_hm3)", *lo, *hi);
}

/* Reports that two fields of which one is allowed were both given, at the
** second. Returns -1. */
static int both_given(reader *r, const naryn__doc *obj, const char *prefix,
                      const char *list, const char *a, const char *b) {
  const naryn__doc *ka = naryn__doc_key(obj, a), *kb = naryn__doc_key(obj, b);
  const naryn__doc *second = ka->line > kb->line ||
                                     (ka->line == kb->line && ka->col > kb->col)
                                 ? ka : kb;
  return naryn__read_fail(r, second, prefix, "expected only one of %s, got %s "
                          "and %s", list, a, b);
}

/* ====================================================================== */
/* Guide curves by date                                                    */
/* ====================================================================== */

/* Day of the year from 0 (1 January) to 365 (31 December) in a leap year,
** so that every date has a place and 1 March the same in every year. */
static int leap_day_of_year(int month, int day) {
  static const int before[12] = {0,   31,  60,  91,  121, 152,
                                 182, 213, 244, 274, 305, 335};
  return before[month - 1] + day - 1;
}

/* The value at a place of the year of a table of n points (places p[],
** increasing, values v[]), linear between points and round the year's
** end from the last point to the first. */
static double dated_value(const double *p, const double *v, int n, double pos) {
  if (pos < p[0]) pos += 366;
  for (int i = 0; i + 1 < n; i++)
    if (pos <= p[i + 1]) {
      double f = (pos - p[i]) / (p[i + 1] - p[i]);
      return v[i] + f * (v[i + 1] - v[i]);
    }
  double f = (pos - p[n - 1]) / (p[0] + 366 - p[n - 1]);
  return v[n - 1] + f * (v[0] - v[n - 1]);
}

/* Reads a dated table {date: ["MM-DD", ...], VKEY: [...]} into ts, each
** step taking the table's value on its last day. The values as given are
** checked against [lo, hi] (told as 'expect'). Returns 0 or -1. */
static int read_dated(ctx *c, const naryn__doc *v, const char *vkey,
                      const char *where, double lo, double hi,
                      const char *expect, naryn__ts *ts) {
  reader *r = c->r;
  naryn_model *m = c->m;
  char got[128];
  const char *keys[] = {"date", vkey, "source", NULL};
  naryn__read_check_keys(r, v, where, keys);
  const naryn__doc *ds = naryn__read_get(v, "date"), *vs = naryn__read_get(v, vkey);
  if (!ds || !vs)
    return naryn__read_fail(r, v, where, "expected lists \"%s\" and \"%s\", "
                            "got %s missing", "date", vkey, !ds ? "date" : vkey);
  if (ds->kind != NARYN__DOC_SEQ || vs->kind != NARYN__DOC_SEQ)
    return naryn__read_fail(
        r, ds->kind != NARYN__DOC_SEQ ? ds : vs, where,
        "expected \"%s\" and \"%s\" to be lists of numbers, got %s", "date",
        vkey, naryn__doc_describe(ds->kind != NARYN__DOC_SEQ ? ds : vs, got,
                                  sizeof got));
  if (ds->n != vs->n)
    return naryn__read_fail(r, vs, where, "expected as many %s as %s (%d), "
                            "got %d", vkey, "date", ds->n, vs->n);
  if (ds->n < 2)
    return naryn__read_fail(r, ds, where, "expected at least 2 points, got %d",
                            ds->n);
  int n = ds->n;
  double *p = naryn__arena_alloc(r->a, (size_t)n * sizeof *p);
  double *y = naryn__arena_alloc(r->a, (size_t)n * sizeof *y);
  ts->v = naryn__arena_alloc(r->a, (size_t)m->nsteps * sizeof *ts->v);
  if (!p || !y || !ts->v) return naryn__read_oom(r);
  for (int i = 0; i < n; i++) {
    const naryn__doc *d = ds->vals[i];
    int mo = 0, dd = 0, len = 0;
    if (d->kind != NARYN__DOC_SCALAR ||
        sscanf(d->str, "%2d-%2d%n", &mo, &dd, &len) != 2 || len != 5 ||
        d->len != 5 || mo < 1 || mo > 12 || dd < 1 ||
        dd > (mo == 2 ? 29 : naryn__date_month_days(2001, mo)))
      return naryn__read_fail(r, d, where, "expected a day of the year as "
                              "MM-DD, got %s",
                              naryn__doc_describe(d, got, sizeof got));
    p[i] = leap_day_of_year(mo, dd);
    if (i > 0 && !(p[i] > p[i - 1]))
      return naryn__read_fail(r, d, where, "expected dates in increasing "
                              "order within the year, got %s after %s",
                              d->str, ds->vals[i - 1]->str);
    if (naryn__doc_number(vs->vals[i], &y[i]) != 0)
      return naryn__read_fail(r, vs->vals[i], where,
                              "expected a number in %s, got %s", vkey,
                              naryn__doc_describe(vs->vals[i], got, sizeof got));
    if (!(y[i] >= lo && y[i] <= hi))
      return naryn__read_fail(r, vs->vals[i], where, "expected %s, got %g",
                              expect, y[i]);
  }
  for (int t = 0; t < m->nsteps; t++) {
    int yy, mo, dd;
    long last = m->step_day[t] + (long)(m->step_s[t] / 86400.0) - 1;
    naryn__date_ymd(last, &yy, &mo, &dd);
    ts->v[t] = dated_value(p, y, n, leap_day_of_year(mo, dd));
  }
  ts->src = v;
  return 0;
}

/* Reads a storage given either in hm3 (key_hm3) or as a level in m
** (key_m), in the form of a target at the end of each step (or, when
** 'dated' is set, also as a dated table), into ts in hm3, each value
** between the reservoir's dead and full storage. 'what' names the value
** in messages ("a trigger"). Returns 1 when neither is given, 0 or -1. */
static int read_storage(ctx *c, const naryn__doc *o, const char *key_hm3,
                        const char *key_m, const char *prefix, int dated,
                        const char *what, naryn__ts *ts) {
  reader *r = c->r;
  const naryn__node *res = c->res;
  const naryn__doc *vh = naryn__read_get(o, key_hm3), *vm = naryn__read_get(o, key_m);
  char w[256], list[96], expect[192];
  if (vh && vm) {
    snprintf(list, sizeof list, "%s or %s", key_hm3, key_m);
    return both_given(r, o, prefix, list, key_hm3, key_m);
  }
  if (!vh && !vm) return 1;
  const char *key = vh ? key_hm3 : key_m;
  const naryn__doc *v = vh ? vh : vm;
  at_field(w, sizeof w, prefix, key);
  double lo = res->min_storage_hm3, hi = res->max_storage_hm3;
  snprintf(expect, sizeof expect, "%s between min_storage_hm3 (%g) and "
           "max_storage_hm3 (%g)", what, lo, hi);
  if (vm) {
    if (need_level_table(c, v, w) != 0) return -1;
    level_range(c, &lo, &hi, expect, sizeof expect);
  }
  int rc;
  if (dated && v->kind == NARYN__DOC_MAP && naryn__doc_get(v, "date"))
    rc = read_dated(c, v, vh ? "storage_hm3" : "level_m", w, lo, hi, expect, ts);
  else if ((rc = naryn__read_ts(r, o, key, prefix, NARYN__TS_END_TARGET, ts)) == 0)
    rc = check_given(r, ts, w, lo, hi, expect, INFINITY, "", "");
  if (rc != 0) return -1;
  for (int t = 0; vm && t < c->m->nsteps; t++)
    ts->v[t] = naryn__hyd_storage_hm3(res, ts->v[t]);
  return 0;
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
  if (by_level && need_level_table(c, v, where) != 0) return -1;
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
  if (n > 1) return both_given(r, o, prefix, list, given[0], given[1]);
  if (n == 0)
    return naryn__read_fail(r, o, prefix, "expected one of %s, got none", list);
  char w[256];
  at_field(w, sizeof w, prefix, given[0]);
  if (strcmp(given[0], "release_m3s") == 0) {
    if (naryn__read_ts(r, o, "release_m3s", prefix, NARYN__TS_RATE, &cv->ts) != 0)
      return -1;
    return check_given(r, &cv->ts, w, 0, INFINITY, "a release >= 0 m3/s",
                       NARYN__MAX_FLOW_M3S, "m3/s", NARYN__MAX_FLOW_WHY);
  }
  return read_curve_table(c, naryn__read_get(o, given[0]),
                          strcmp(given[0], "by_level") == 0, w, cv);
}

/* ====================================================================== */
/* Names of other nodes                                                    */
/* ====================================================================== */

/* Marks in c->below every node that the reservoir's water reaches along
** links and return flows (the reservoir itself only through a loop). */
static int mark_downstream(ctx *c) {
  const naryn_model *m = c->m;
  int *queue = malloc((size_t)m->nnodes * sizeof *queue);
  if (!queue) return naryn__read_oom(c->r);
  memset(c->below, 0, (size_t)m->nnodes);
  int head = 0, tail = 0;
  queue[tail++] = c->index;
  while (head < tail) {
    const naryn__node *u = &m->nodes[queue[head++]];
    int nnext = u->n_out + (u->type == NARYN_NODE_DEMAND && u->return_to >= 0);
    for (int k = 0; k < nnext; k++) {
      int v = k < u->n_out ? m->links[u->out[k]].to : u->return_to;
      if (c->below[v]) continue;
      c->below[v] = 1;
      queue[tail++] = v;
    }
  }
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
    return both_given(r, o, prefix,
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
  int trig = read_storage(c, o, "trigger_hm3", "trigger_m", prefix, 0,
                          "a trigger", &ru->trigger_hm3);
  int full = read_storage(c, o, "full_cut_hm3", "full_cut_m", prefix, 0,
                          "a full cut", &ru->full_cut_hm3);
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
  if (has_e && has_p)
    return both_given(r, o, prefix, "energy_gwh or power_mw", "energy_gwh",
                      "power_mw");
  if (!has_e && !has_p)
    return naryn__read_fail(r, o, prefix, "expected one of %s, got none",
                            "energy_gwh or power_mw");
  const char *key = has_e ? "energy_gwh" : "power_mw";
  if (naryn__read_ts(r, o, key, prefix,
                     has_e ? NARYN__TS_VOLUME : NARYN__TS_RATE,
                     &ru->energy_gwh) != 0)
    return -1;
  if (check_given(r, &ru->energy_gwh, at_field(w, sizeof w, prefix, key), 0,
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
      check_given(r, &ru->flow_m3s, at_field(w, sizeof w, prefix, "flow_m3s"),
                  0, INFINITY, "a flow >= 0 m3/s", NARYN__MAX_FLOW_M3S, "m3/s",
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

/* Reads one rule. Returns 0 or -1. */
static int read_rule(ctx *c, naryn__rule *rules, naryn__doc *const *docs,
                     int i) {
  reader *r = c->r;
  naryn__rule *ru = &rules[i];
  const naryn__doc *o = docs[i];
  char prefix[320], got[128];
  snprintf(prefix, sizeof prefix, "%s.rules[%d]", c->where, i);
  ru->doc = o;
  ru->node = -1;
  ru->priority = DEFAULT_RULE_PRIORITY;
  ru->max_up_m3s = ru->max_down_m3s = INFINITY;
  ru->initial_release_m3s = NAN;
  if (o->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, o, prefix, "expected an object describing a "
                            "%s, got %s", "rule",
                            naryn__doc_describe(o, got, sizeof got));
  ru->name = read_name(r, o, prefix, "rule", c->res->name, c->seen, docs, i);
  c->seen[i] = ru->name;
  if (!ru->name) return -1;
  snprintf(prefix, sizeof prefix, "%s rule \"%.100s\"", c->where, ru->name);
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
    rc2 = read_storage(c, o, "storage_hm3", "level_m", prefix, 0, "a storage",
                       &ru->storage_hm3);
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
/* Zones                                                                   */
/* ====================================================================== */

/* The index of the reservoir's rule of that name, or -1. */
static int rule_index(const naryn__node *res, const char *name) {
  for (int j = 0; j < res->nrules; j++)
    if (res->rules[j].name && strcmp(res->rules[j].name, name) == 0) return j;
  return -1;
}

/* Reads the rule names a zone lists. Returns 0 or -1. */
static int read_zone_rules(ctx *c, naryn__zone *z, const naryn__doc *o,
                           const char *prefix) {
  reader *r = c->r;
  const naryn__node *res = c->res;
  const naryn__doc *list = naryn__read_get(o, "rules");
  char w[256], got[128];
  at_field(w, sizeof w, prefix, "rules");
  if (!list || list->kind != NARYN__DOC_SEQ || list->n == 0)
    return naryn__read_fail(r, list ? list : o, list ? w : prefix,
                            "expected a list of the rules that apply in the "
                            "zone (at least one), got %s",
                            list ? naryn__doc_describe(list, got, sizeof got)
                                 : "none");
  z->rules = naryn__arena_alloc(r->a, (size_t)list->n * sizeof *z->rules);
  if (!z->rules) return naryn__read_oom(r);
  int rc = 0;
  for (int k = 0; k < list->n; k++) {
    const naryn__doc *v = list->vals[k];
    if (v->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(v)) {
      rc = naryn__read_fail(r, v, w, "expected a rule name, got %s",
                            naryn__doc_describe(v, got, sizeof got));
      continue;
    }
    int j = rule_index(res, v->str);
    if (j < 0) {
      int best = 4;
      const char *near = NULL;
      for (int i = 0; i < res->nrules; i++) {
        if (!res->rules[i].name) continue;
        int dist = naryn__edit_distance(res->rules[i].name, v->str);
        if (dist < best) best = dist, near = res->rules[i].name;
      }
      char hint[128] = "";
      if (near) snprintf(hint, sizeof hint, " (did you mean \"%.100s\"?)", near);
      rc = naryn__read_fail(r, v, w, "expected the name of a rule of "
                            "reservoir \"%s\", got \"%s\", which no rule "
                            "has%s", res->name, v->str, hint);
      continue;
    }
    z->rules[z->nrules++] = j;
  }
  return rc;
}

/* Reads zone i of a reservoir. Returns 0 or -1. */
static int read_zone(ctx *c, naryn__zone *zones, naryn__doc *const *docs,
                     int i) {
  reader *r = c->r;
  naryn__zone *z = &zones[i];
  const naryn__doc *o = docs[i];
  char prefix[320], got[128];
  snprintf(prefix, sizeof prefix, "%s.zones[%d]", c->where, i);
  z->doc = o;
  if (o->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, o, prefix, "expected an object describing a "
                            "%s, got %s", "zone",
                            naryn__doc_describe(o, got, sizeof got));
  z->name = read_name(r, o, prefix, "zone", c->res->name, c->seen, docs, i);
  c->seen[i] = z->name;
  if (!z->name) return -1;
  snprintf(prefix, sizeof prefix, "%s zone \"%.100s\"", c->where, z->name);
  naryn__read_check_keys(r, o, prefix, zone_fields);
  int rc = read_zone_rules(c, z, o, prefix);
  const char *key = naryn__read_get(o, "top_hm3") ? "top_hm3"
                    : naryn__read_get(o, "top_m") ? "top_m" : NULL;
  if (i == 0 && key)
    return naryn__read_fail(r, naryn__doc_key(o, key), prefix,
                            "expected no top on the first zone, which "
                            "reaches up to max_storage_hm3, got %s", key);
  if (i > 0 && !key)
    return naryn__read_fail(r, o, prefix, "expected a top_hm3 or top_m (the "
                            "guide curve at the zone's top), got none");
  naryn__ts top = {0};
  if (key && read_storage(c, o, "top_hm3", "top_m", prefix, 1, "a top", &top) != 0)
    return -1;
  z->top_hm3 = top.v;
  return rc;
}

/* Reports the first step at which a zone's top lies above the top of the
** zone above it. Returns 0 or -1. */
static int check_crossing(ctx *c) {
  const naryn__node *res = c->res;
  for (int k = 2; k < res->nzones; k++) {
    const naryn__zone *z = &res->zones[k], *above = &res->zones[k - 1];
    for (int t = 0; t < c->m->nsteps; t++) {
      if (!(z->top_hm3[t] > above->top_hm3[t])) continue;
      const char *key = naryn__read_get(z->doc, "top_hm3") ? "top_hm3" : "top_m";
      char w[352], date[16];
      snprintf(w, sizeof w, "%s zone \"%.100s\".%s", c->where, z->name, key);
      return naryn__read_fail(c->r, naryn__field_pos(z->doc, key), w,
                              "expected the top of zone \"%s\" at or below "
                              "the top of zone \"%s\" above it, got %g hm3 "
                              "above %g hm3 in the step of %s", z->name,
                              above->name, z->top_hm3[t], above->top_hm3[t],
                              naryn__step_label(c->m, t, date, sizeof date));
    }
  }
  return 0;
}

/* Warns of every rule that no zone lists, which never applies. */
static void warn_unlisted(ctx *c) {
  const naryn__node *res = c->res;
  for (int j = 0; j < res->nrules; j++) {
    int listed = 0;
    for (int k = 0; k < res->nzones && !listed; k++)
      listed = naryn__rule_applies(res, j, k);
    if (listed) continue;
    const naryn__doc *at = naryn__field_pos(res->rules[j].doc, "name");
    naryn__diag(c->r->d, NARYN_EMODEL, NARYN_SEV_WARNING, at->file, at->line,
                at->col, c->where, "rule \"%s\" is listed by no zone, so it "
                "never applies", res->rules[j].name);
  }
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
  if (zones) {
    res->zones = naryn__arena_alloc(r->a, (size_t)(zones->n + 1) * sizeof *res->zones);
    if (!res->zones) {
      naryn__read_oom(r);
      goto done;
    }
    for (int i = 0; i < zones->n; i++) read_zone(c, res->zones, zones->vals, i);
    res->nzones = zones->n;
  }
  if (!r->failed && check_crossing(c) == 0 && res->nzones > 0) warn_unlisted(c);
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

/* ====================================================================== */
/* What the simulator asks                                                 */
/* ====================================================================== */

int naryn__zone_of(const naryn__node *res, int step, double storage_hm3) {
  for (int k = 0; k + 1 < res->nzones; k++)
    if (storage_hm3 > res->zones[k + 1].top_hm3[step]) return k;
  return res->nzones > 0 ? res->nzones - 1 : 0;
}

int naryn__rule_applies(const naryn__node *res, int rule, int zone) {
  if (res->nzones == 0) return 1;
  if (zone < 0 || zone >= res->nzones) return 0;
  const naryn__zone *z = &res->zones[zone];
  for (int k = 0; k < z->nrules; k++)
    if (z->rules[k] == rule) return 1;
  return 0;
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
