/*
** zones.c: a reservoir's zones and the guide curves that bound them.
**
** A reservoir's "zones" divide its storage, top to bottom, by guide
** curves, and each zone lists the rules that apply while the storage at
** the start of a step lies in it. A guide curve is a storage or a level
** for every step: a value, a monthly list or a series, or a dated table
** round the year whose value each step takes on its last day. The storage
** targets and hedging triggers of rules (rules.c) are read the same way,
** without dated tables. Reading turns levels into storage through the
** reservoir's level table, checks every value against the reservoir's dead
** and full storage, checks the names of the rules each zone lists and that
** no zone's top lies above the top of the zone above it, and warns of rules
** that no zone lists. The simulator asks which zone a storage lies in and
** whether a rule applies there.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rules_int.h"

static const char *const zone_fields[] = {
    "name", "rules", "top_hm3", "top_m", "description", "source", "notes",
    NULL};

/* ====================================================================== */
/* Guide curves: storage or level by step or by date                       */
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

/* The range of levels between the reservoir's dead and full storage, as
** 'expect' words it for messages. */
static void level_range(const ctx *c, double *lo, double *hi, char *expect,
                        size_t size) {
  *lo = naryn__table_eval(&c->res->level, c->res->min_storage_hm3);
  *hi = naryn__table_eval(&c->res->level, c->res->max_storage_hm3);
  snprintf(expect, size, "a level from %g to %g m (the levels at "
           "min_storage_hm3 and max_storage_hm3)", *lo, *hi);
}


int naryn__rules_read_storage(ctx *c, const naryn__doc *o, const char *key_hm3,
                              const char *key_m, const char *prefix, int dated,
                              const char *what, naryn__ts *ts) {
  reader *r = c->r;
  const naryn__node *res = c->res;
  const naryn__doc *vh = naryn__read_get(o, key_hm3), *vm = naryn__read_get(o, key_m);
  char w[256], list[96], expect[192];
  if (vh && vm) {
    snprintf(list, sizeof list, "%s or %s", key_hm3, key_m);
    return naryn__rules_both_given(r, o, prefix, list, key_hm3, key_m);
  }
  if (!vh && !vm) return 1;
  const char *key = vh ? key_hm3 : key_m;
  const naryn__doc *v = vh ? vh : vm;
  at_field(w, sizeof w, prefix, key);
  double lo = res->min_storage_hm3, hi = res->max_storage_hm3;
  snprintf(expect, sizeof expect, "%s between min_storage_hm3 (%g) and "
           "max_storage_hm3 (%g)", what, lo, hi);
  if (vm) {
    if (naryn__rules_need_level_table(c, v, w) != 0) return -1;
    level_range(c, &lo, &hi, expect, sizeof expect);
  }
  int rc;
  if (dated && v->kind == NARYN__DOC_MAP && naryn__doc_get(v, "date"))
    rc = read_dated(c, v, vh ? "storage_hm3" : "level_m", w, lo, hi, expect, ts);
  else if ((rc = naryn__read_ts(r, o, key, prefix, NARYN__TS_END_TARGET, ts)) == 0)
    rc = naryn__read_check_values(r, ts, w, lo, hi, expect, INFINITY, "",
                                  "");
  if (rc != 0) return -1;
  for (int t = 0; vm && t < c->m->nsteps; t++)
    ts->v[t] = naryn__hyd_storage_hm3(res, ts->v[t]);
  return 0;
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
  char prefix[320];
  z->doc = o;
  z->name = naryn__rules_read_named(c, docs, i, "zone", prefix, sizeof prefix);
  if (!z->name) return -1;
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
  if (key && naryn__rules_read_storage(c, o, "top_hm3", "top_m", prefix, 1,
                                       "a top", &top) != 0)
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

void naryn__rules_read_zones(ctx *c, const naryn__doc *zones) {
  reader *r = c->r;
  naryn__node *res = c->res;
  if (zones) {
    res->zones = naryn__arena_alloc(r->a, (size_t)(zones->n + 1) * sizeof *res->zones);
    if (!res->zones) {
      naryn__read_oom(r);
      return;
    }
    for (int i = 0; i < zones->n; i++) read_zone(c, res->zones, zones->vals, i);
    res->nzones = zones->n;
  }
  if (!r->failed && check_crossing(c) == 0 && res->nzones > 0) warn_unlisted(c);
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
