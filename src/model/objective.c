/*
** objective.c: what a plan of the river system is worth, as a list of
** objective terms read from the model's "objectives" field.
**
** Each term values one kind of outcome in the model's currency: the energy
** of hydropower plants (a benefit, per MWh), and the shortage of demands,
** the shortfall of minimum flows, inflow to a node below a target flow,
** water entering a node (a spill), and reservoir storage below a target at
** the end of the horizon (all costs, per hm3). A term covers a set of nodes
** (by type, country and name) and a set of steps (by season or calendar
** month), and is multiplied by a weight in the combined objective, which is
** the weighted benefits less the weighted costs.
**
** A model without an "objectives" field gets four default terms that
** mirror the simulator's own priorities. Reading uses the helpers of
** model_read.c, so prices and targets take the same forms as any other
** time-varying field, and problems are reported at their line and column.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

static const char *const kind_names[NARYN__TERM_KIND_COUNT] = {
    "energy", "shortage", "min_flow", "inflow", "spill", "end_storage", "grid"};

/* The node type each kind applies to; NARYN_NODE_TYPE_COUNT stands for any
** type but an inflow, whose water enters from outside the network. A grid
** term covers grids, not nodes (kind_takes). */
static const naryn_node_type kind_node_type[NARYN__TERM_KIND_COUNT] = {
    NARYN_NODE_HYDROPOWER, NARYN_NODE_DEMAND, NARYN_NODE_MIN_FLOW,
    NARYN_NODE_TYPE_COUNT, NARYN_NODE_TYPE_COUNT, NARYN_NODE_RESERVOIR,
    NARYN_NODE_HYDROPOWER};

/* Every field a term may have. */
static const char *const term_fields[] = {
    "name", "kind", "weight", "countries", "nodes", "season", "months",
    "value_per_mwh", "penalty_per_hm3", "penalty_per_hm3_by_priority",
    "loss_curve", "target_m3s", "target_hm3", "description", "source",
    "notes", "confidence", NULL};

/* The words a term's confidence may take. */
static const char *const confidence_words[] = {"high", "medium", "low"};

/* The fields that set a term's prices and targets, and the kinds that may
** have each of them. */
enum {
  F_VALUE_PER_MWH,
  F_PENALTY,
  F_BY_PRIORITY,
  F_LOSS_CURVE,
  F_TARGET_M3S,
  F_TARGET_HM3,
  F_COUNT
};
static const char *const price_fields[F_COUNT] = {
    "value_per_mwh", "penalty_per_hm3", "penalty_per_hm3_by_priority",
    "loss_curve", "target_m3s", "target_hm3"};
static const unsigned char kind_has[NARYN__TERM_KIND_COUNT][F_COUNT] = {
    /* energy */ {1, 0, 0, 0, 0, 0},
    /* shortage */ {0, 1, 1, 1, 0, 0},
    /* min_flow */ {0, 1, 1, 0, 0, 0},
    /* inflow */ {0, 1, 0, 0, 1, 0},
    /* spill */ {0, 1, 0, 0, 0, 0},
    /* end_storage */ {0, 1, 0, 0, 0, 1},
    /* grid */ {0, 0, 0, 0, 0, 0}};

/* The prices of the default terms. */
#define DEFAULT_VALUE_PER_MWH 30.0
#define DEFAULT_END_PENALTY_PER_HM3 100000.0

const char *naryn__term_kind_name(naryn__term_kind k) {
  return (k >= 0 && k < NARYN__TERM_KIND_COUNT) ? kind_names[k] : "unknown";
}

/* 1 when a term of kind k may cover a node of type t. */
static int kind_takes(naryn__term_kind k, naryn_node_type t) {
  if (k == NARYN__TERM_GRID) return 0;
  naryn_node_type want = kind_node_type[k];
  return want == NARYN_NODE_TYPE_COUNT ? t != NARYN_NODE_INFLOW : t == want;
}

/* Joins a prefix and a field name into a "where" string. */
static const char *at_field(char *buf, size_t size, const char *prefix,
                            const char *field) {
  if (snprintf(buf, size, "%s.%s", prefix, field) >= (int)size)
    buf[size - 1] = '\0';
  return buf;
}

/* The default penalty per hm3 of a shortfall at priority p (1..10): the
** higher the priority, the dearer, doubling from one priority to the next. */
static double default_priority_price(int p) {
  return 1000.0 * ldexp(1.0, NARYN__PRIORITY_MAX - p);
}

/* ====================================================================== */
/* Coverage: nodes and steps                                               */
/* ====================================================================== */

/* Allocates a term's node and step masks, and its price array when
** with_price is set, every entry zero. Returns 0 or -1. */
static int alloc_term(reader *r, naryn__term *tm, int with_price) {
  const naryn_model *m = r->m;
  tm->node_on = naryn__arena_alloc(r->a, (size_t)m->nnodes);
  tm->step_on = naryn__arena_alloc(r->a, (size_t)m->nsteps);
  if (with_price)
    tm->price = naryn__arena_alloc(r->a, (size_t)m->nsteps * sizeof *tm->price);
  if (!tm->node_on || !tm->step_on || (with_price && !tm->price))
    return naryn__read_oom(r);
  return 0;
}

/* Lists the country codes a term may name, for messages: the model's own,
** then any other that a node names. */
static const char *known_countries(const naryn_model *m, char *buf,
                                   size_t size) {
  size_t used = 0;
  int count = 0;
  buf[0] = '\0';
  for (int i = 0; i < m->ncountries && used < size; i++, count++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s",
                             count ? ", " : "", m->country_codes[i]);
  for (int i = 0; i < m->nnodes && used < size; i++) {
    const char *c = m->nodes[i].country;
    int seen = !c[0];
    for (int j = 0; j < m->ncountries && !seen; j++)
      seen = strcmp(c, m->country_codes[j]) == 0;
    for (int j = 0; j < i && !seen; j++)
      seen = strcmp(c, m->nodes[j].country) == 0;
    if (seen) continue;
    used += (size_t)snprintf(buf + used, size - used, "%s%s",
                             count ? ", " : "", c);
    count++;
  }
  if (count == 0) snprintf(buf, size, "none");
  return buf;
}

/* 1 when a country code is listed by the model or named by a node. */
static int country_known(const naryn_model *m, const char *code) {
  for (int i = 0; i < m->ncountries; i++)
    if (strcmp(code, m->country_codes[i]) == 0) return 1;
  for (int i = 0; i < m->nnodes; i++)
    if (code[0] && strcmp(code, m->nodes[i].country) == 0) return 1;
  return 0;
}

/* Reads the optional "countries" list: ok[i] is set for every node whose
** country is listed. Without the field every node is ok. Returns 1 when
** absent, 0 when read, -1 after an error. */
static int read_countries_filter(reader *r, const naryn__doc *o,
                                 const char *prefix, unsigned char *ok) {
  const naryn_model *m = r->m;
  const naryn__doc *v = naryn__read_get(o, "countries");
  char w[256], got[128], list[256];
  if (!v) {
    memset(ok, 1, (size_t)m->nnodes);
    return 1;
  }
  at_field(w, sizeof w, prefix, "countries");
  if (v->kind != NARYN__DOC_SEQ)
    return naryn__read_fail(r, v, w, "expected a list of country codes, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  memset(ok, 0, (size_t)m->nnodes);
  int rc = 0;
  for (int k = 0; k < v->n; k++) {
    const naryn__doc *c = v->vals[k];
    if (c->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(c)) {
      rc = naryn__read_fail(r, c, w, "expected a country code, got %s",
                            naryn__doc_describe(c, got, sizeof got));
      continue;
    }
    if (!country_known(m, c->str)) {
      rc = naryn__read_fail(r, c, w,
                            "expected a country of the model (%s), got \"%s\"",
                            known_countries(m, list, sizeof list), c->str);
      continue;
    }
    for (int i = 0; i < m->nnodes; i++)
      if (strcmp(m->nodes[i].country, c->str) == 0) ok[i] = 1;
  }
  return rc;
}

/* Reads the optional "nodes" list: ok[i] is set for every node listed,
** each of which must be of a type the kind applies to. Without the field
** every node is ok. Returns 1 when absent, 0 when read, -1 after an
** error. */
static int read_nodes_filter(reader *r, const naryn__term *tm,
                             const naryn__doc *o, const char *prefix,
                             unsigned char *ok) {
  const naryn_model *m = r->m;
  const naryn__doc *v = naryn__read_get(o, "nodes");
  char w[256], got[128];
  if (!v) {
    memset(ok, 1, (size_t)m->nnodes);
    return 1;
  }
  at_field(w, sizeof w, prefix, "nodes");
  if (v->kind != NARYN__DOC_SEQ)
    return naryn__read_fail(r, v, w, "expected a list of node names, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  memset(ok, 0, (size_t)m->nnodes);
  int rc = 0;
  for (int k = 0; k < v->n; k++) {
    const naryn__doc *nm = v->vals[k];
    if (nm->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(nm)) {
      rc = naryn__read_fail(r, nm, w, "expected a node name, got %s",
                            naryn__doc_describe(nm, got, sizeof got));
      continue;
    }
    int found = naryn__names_get(&m->node_names, nm->str), best = 4;
    const char *near = NULL;
    for (int i = 0; i < m->nnodes && found < 0; i++) {
      int dist = naryn__edit_distance(m->nodes[i].name, nm->str);
      if (dist < best) best = dist, near = m->nodes[i].name;
    }
    if (found < 0) {
      char hint[128] = "";
      if (near) snprintf(hint, sizeof hint, " (did you mean \"%.100s\"?)", near);
      rc = naryn__read_fail(r, nm, w,
                            "expected the name of a node in the model, got "
                            "\"%s\", which no node has%s", nm->str, hint);
      continue;
    }
    const naryn__node *n = &m->nodes[found];
    if (!kind_takes(tm->kind, n->type)) {
      naryn_node_type want = kind_node_type[tm->kind];
      if (want == NARYN_NODE_TYPE_COUNT)
        rc = naryn__read_fail(r, nm, w,
                              "expected a node that is not an inflow for a "
                              "term of kind %s, got \"%s\" of type inflow",
                              kind_names[tm->kind], n->name);
      else
        rc = naryn__read_fail(r, nm, w,
                              "expected a %s node for a term of kind %s, got "
                              "\"%s\" of type %s", naryn_node_type_name(want),
                              kind_names[tm->kind], n->name,
                              naryn_node_type_name(n->type));
      continue;
    }
    ok[found] = 1;
  }
  return rc;
}

/* Reads "season" or "months" into the term's step mask; without either,
** every step is on. Returns 0 or -1. */
static int read_steps(reader *r, naryn__term *tm, const naryn__doc *o,
                      const char *prefix) {
  const naryn_model *m = r->m;
  const naryn__doc *season = naryn__read_get(o, "season");
  const naryn__doc *months = naryn__read_get(o, "months");
  char w[256], got[128];
  unsigned char month_on[13];
  memset(month_on, 1, sizeof month_on);
  if (season && months)
    return naryn__read_fail(r, naryn__doc_key(o, "months"), prefix,
                            "expected one of season or months, got both");
  if (season) {
    at_field(w, sizeof w, prefix, "season");
    const char *s = season->kind == NARYN__DOC_SCALAR ? season->str : "";
    if (strcmp(s, "oct-mar") == 0 || strcmp(s, "apr-sep") == 0) {
      int winter = s[0] == 'o';
      for (int mo = 1; mo <= 12; mo++)
        month_on[mo] = (mo >= 4 && mo <= 9) != winter;
    } else if (strcmp(s, "all") != 0) {
      return naryn__read_fail(r, season, w,
                              "expected oct-mar, apr-sep or all, got %s",
                              naryn__doc_describe(season, got, sizeof got));
    }
  } else if (months) {
    at_field(w, sizeof w, prefix, "months");
    if (months->kind != NARYN__DOC_SEQ || months->n == 0)
      return naryn__read_fail(r, months, w,
                              "expected a list of month numbers from 1 "
                              "(January) to 12 (December), got %s",
                              naryn__doc_describe(months, got, sizeof got));
    memset(month_on, 0, sizeof month_on);
    for (int k = 0; k < months->n; k++) {
      int mo;
      if (naryn__doc_int(months->vals[k], &mo) != 0 || mo < 1 || mo > 12)
        return naryn__read_fail(
            r, months->vals[k], w,
            "expected a month number from 1 (January) to 12 (December), got "
            "%s", naryn__doc_describe(months->vals[k], got, sizeof got));
      month_on[mo] = 1;
    }
  }
  for (int t = 0; t < m->nsteps; t++) tm->step_on[t] = month_on[m->step_month[t]];
  return 0;
}

/* ====================================================================== */
/* Prices and targets                                                      */
/* ====================================================================== */

/* Reads a required price field (a number, 12 monthly values or a series)
** into tm->price, zero outside the term's steps. Returns 0 or -1. */
static int read_price(reader *r, naryn__term *tm, const naryn__doc *o,
                      const char *key, const char *prefix, const char *unit) {
  naryn__ts ts = {0};
  char w[256], expect[96];
  int rc = naryn__read_ts(r, o, key, prefix, NARYN__TS_RATE, &ts);
  if (rc == 1)
    return naryn__read_fail(r, o, prefix,
                            "expected a field \"%s\" (%s per %s), got none",
                            key, r->m->currency, unit);
  if (rc != 0) return -1;
  char per[32];
  snprintf(expect, sizeof expect, "a price >= 0 per %s", unit);
  snprintf(per, sizeof per, "per %s", unit);
  if (naryn__read_check_values(r, &ts, at_field(w, sizeof w, prefix, key), 0,
                               INFINITY, expect, NARYN__MAX_PRICE, per,
                               NARYN__MAX_PRICE_WHY))
    return -1;
  tm->price = ts.v;
  for (int t = 0; t < r->m->nsteps; t++)
    if (!tm->step_on[t]) tm->price[t] = 0;
  return 0;
}

/* Reads {"1": penalty, ..., "10": penalty} into the term's priority prices.
** Priorities not listed cost nothing. Returns 0 or -1. */
static int read_by_priority(reader *r, naryn__term *tm, const naryn__doc *v,
                            const char *where) {
  char got[128];
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, where,
                            "expected an object mapping priorities (1 to %d) "
                            "to penalties per hm3, got %s",
                            NARYN__PRIORITY_MAX,
                            naryn__doc_describe(v, got, sizeof got));
  unsigned char seen[NARYN__PRIORITY_MAX + 1] = {0};
  for (int k = 0; k < v->n; k++) {
    const naryn__doc *key = v->keys[k], *val = v->vals[k];
    char *end;
    long p = strtol(key->str, &end, 10);
    if (key->len == 0 || *end != '\0' || key->str[0] < '1' || key->str[0] > '9' ||
        p < 1 || p > NARYN__PRIORITY_MAX)
      return naryn__read_fail(r, key, where,
                              "expected a priority from 1 to %d as the key, "
                              "got \"%s\"", NARYN__PRIORITY_MAX, key->str);
    if (seen[p])
      return naryn__read_fail(r, key, where,
                              "expected each priority once, got %ld again", p);
    seen[p] = 1;
    double x;
    if (naryn__doc_number(val, &x) != 0)
      return naryn__read_fail(r, val, where,
                              "expected a number for priority %ld, got %s", p,
                              naryn__doc_describe(val, got, sizeof got));
    if (!(x >= 0))
      return naryn__read_fail(r, val, where,
                              "expected a penalty >= 0 per hm3 for priority "
                              "%ld, got %g", p, x);
    if (x > NARYN__MAX_PRICE)
      return naryn__read_fail(r, val, where,
                              "expected at most %g per hm3 (%s) for priority "
                              "%ld, got %g", NARYN__MAX_PRICE,
                              NARYN__MAX_PRICE_WHY, p, x);
    tm->priority_price[p] = x;
  }
  tm->by_priority = 1;
  return 0;
}

/* Reads a convex loss curve {shortage_fraction: [0, ..., 1],
** penalty_per_hm3: [...]}, one penalty per segment. Returns 0 or -1. */
static int read_loss_curve(reader *r, naryn__term *tm, const naryn__doc *v,
                           const char *where) {
  static const char *const keys[] = {"shortage_fraction", "penalty_per_hm3",
                                     "source", NULL};
  char got[128];
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, where,
                            "expected an object with lists "
                            "\"shortage_fraction\" and \"penalty_per_hm3\", "
                            "got %s", naryn__doc_describe(v, got, sizeof got));
  naryn__read_check_keys(r, v, where, keys);
  const naryn__doc *fs = naryn__read_get(v, "shortage_fraction");
  const naryn__doc *ps = naryn__read_get(v, "penalty_per_hm3");
  if (!fs || !ps)
    return naryn__read_fail(r, v, where,
                            "expected lists \"shortage_fraction\" and "
                            "\"penalty_per_hm3\", got %s missing",
                            !fs ? "shortage_fraction" : "penalty_per_hm3");
  if (fs->kind != NARYN__DOC_SEQ || ps->kind != NARYN__DOC_SEQ) {
    const naryn__doc *bad = fs->kind != NARYN__DOC_SEQ ? fs : ps;
    return naryn__read_fail(r, bad, where,
                            "expected \"shortage_fraction\" and "
                            "\"penalty_per_hm3\" to be lists of numbers, got "
                            "%s", naryn__doc_describe(bad, got, sizeof got));
  }
  if (fs->n < 2)
    return naryn__read_fail(r, fs, where,
                            "expected at least 2 shortage fractions (0 and "
                            "1), got %d", fs->n);
  if (ps->n != fs->n - 1)
    return naryn__read_fail(r, ps, where,
                            "expected one penalty per segment, %d for %d "
                            "shortage fractions, got %d", fs->n - 1, fs->n,
                            ps->n);
  int n = ps->n;
  tm->curve_frac = naryn__arena_alloc(r->a, (size_t)(n + 1) * sizeof(double));
  tm->curve_price = naryn__arena_alloc(r->a, (size_t)n * sizeof(double));
  if (!tm->curve_frac || !tm->curve_price) return naryn__read_oom(r);
  for (int k = 0; k <= n; k++) {
    const naryn__doc *item = fs->vals[k];
    double *x = &tm->curve_frac[k];
    if (naryn__doc_number(item, x) != 0)
      return naryn__read_fail(r, item, where,
                              "expected a number in shortage_fraction, got %s",
                              naryn__doc_describe(item, got, sizeof got));
    if (k == 0 && *x != 0)
      return naryn__read_fail(r, item, where,
                              "expected shortage fractions starting at 0, got "
                              "%g", *x);
    if (k > 0 && !(*x > tm->curve_frac[k - 1]))
      return naryn__read_fail(r, item, where,
                              "expected shortage fractions that increase, got "
                              "%g after %g", *x, tm->curve_frac[k - 1]);
    if (k == n && *x != 1)
      return naryn__read_fail(r, item, where,
                              "expected shortage fractions ending at 1 (the "
                              "whole demand), got %g", *x);
  }
  for (int k = 0; k < n; k++) {
    const naryn__doc *item = ps->vals[k];
    double *x = &tm->curve_price[k];
    if (naryn__doc_number(item, x) != 0)
      return naryn__read_fail(r, item, where,
                              "expected a number in penalty_per_hm3, got %s",
                              naryn__doc_describe(item, got, sizeof got));
    if (!(*x >= 0))
      return naryn__read_fail(r, item, where,
                              "expected penalties >= 0 per hm3, got %g", *x);
    if (*x > NARYN__MAX_PRICE)
      return naryn__read_fail(r, item, where,
                              "expected penalties of at most %g per hm3 (%s), "
                              "got %g", NARYN__MAX_PRICE, NARYN__MAX_PRICE_WHY,
                              *x);
    if (k > 0 && *x < tm->curve_price[k - 1])
      return naryn__read_fail(r, item, where,
                              "expected penalties that do not decrease (a "
                              "convex loss curve), got %g after %g", *x,
                              tm->curve_price[k - 1]);
  }
  tm->ncurve = n;
  return 0;
}

/* Reads the penalty of a shortage or min_flow term: exactly one of
** penalty_per_hm3, penalty_per_hm3_by_priority and (shortage only)
** loss_curve. Returns 0 or -1. */
static int read_penalty_choice(reader *r, naryn__term *tm, const naryn__doc *o,
                               const char *prefix) {
  int curve_ok = kind_has[tm->kind][F_LOSS_CURVE];
  const char *given[3];
  int ngiven = 0;
  for (int f = F_PENALTY; f <= F_LOSS_CURVE; f++)
    if (kind_has[tm->kind][f] && naryn__read_get(o, price_fields[f]))
      given[ngiven++] = price_fields[f];
  const char *choices = curve_ok ? "penalty_per_hm3, penalty_per_hm3_by_priority "
                                   "or loss_curve"
                                 : "penalty_per_hm3 or "
                                   "penalty_per_hm3_by_priority";
  if (ngiven == 0)
    return naryn__read_fail(r, o, prefix,
                            "expected one of the fields %s giving the penalty "
                            "per hm3 short, got none", choices);
  if (ngiven > 1)
    return naryn__read_fail(r, naryn__doc_key(o, given[1]), prefix,
                            "expected one of %s, got both %s and %s", choices,
                            given[0], given[1]);
  char w[256];
  const naryn__doc *v = naryn__read_get(o, given[0]);
  at_field(w, sizeof w, prefix, given[0]);
  if (strcmp(given[0], "penalty_per_hm3") == 0)
    return read_price(r, tm, o, "penalty_per_hm3", prefix, "hm3");
  if (strcmp(given[0], "loss_curve") == 0)
    return read_loss_curve(r, tm, v, w);
  return read_by_priority(r, tm, v, w);
}

/* Reads the end-storage targets: a number for every covered reservoir, or
** an object mapping reservoir names to hm3. A covered reservoir without a
** target keeps its initial storage. 'selected' marks the reservoirs the
** term's filters pick, enabled or not. Returns 0 or -1. */
static int read_end_targets(reader *r, naryn__term *tm, const naryn__doc *o,
                            const char *prefix, const unsigned char *selected) {
  const naryn_model *m = r->m;
  const naryn__doc *v = naryn__read_get(o, "target_hm3");
  const naryn__doc **given_at;
  char w[256], got[128];
  tm->end_target_hm3 =
      naryn__arena_alloc(r->a, (size_t)m->nnodes * sizeof(double));
  given_at = naryn__arena_alloc(r->a, (size_t)m->nnodes * sizeof *given_at);
  if (!tm->end_target_hm3 || !given_at) return naryn__read_oom(r);
  for (int i = 0; i < m->nnodes; i++)
    tm->end_target_hm3[i] = tm->node_on[i] ? m->nodes[i].initial_storage_hm3 : NAN;
  if (!v) return 0;
  at_field(w, sizeof w, prefix, "target_hm3");
  double x;
  if (v->kind == NARYN__DOC_SCALAR) {
    if (naryn__doc_number(v, &x) != 0)
      return naryn__read_fail(r, v, w,
                              "expected a storage in hm3 or an object mapping "
                              "reservoir names to storages, got %s",
                              naryn__doc_describe(v, got, sizeof got));
    for (int i = 0; i < m->nnodes; i++)
      if (tm->node_on[i]) {
        tm->end_target_hm3[i] = x;
        given_at[i] = v;
      }
  } else if (v->kind == NARYN__DOC_MAP) {
    for (int k = 0; k < v->n; k++) {
      const naryn__doc *key = v->keys[k], *val = v->vals[k];
      int i = naryn__names_get(&m->node_names, key->str);
      if (i < 0) i = m->nnodes;
      if (i == m->nnodes || !selected[i])
        return naryn__read_fail(r, key, w,
                                "expected the name of a reservoir the term "
                                "covers, got \"%s\"%s", key->str,
                                i == m->nnodes ? ", which no node has"
                                               : ", which the term does not "
                                                 "cover");
      if (naryn__doc_number(val, &x) != 0)
        return naryn__read_fail(r, val, w,
                                "expected a storage in hm3 for reservoir "
                                "\"%s\", got %s", key->str,
                                naryn__doc_describe(val, got, sizeof got));
      /* A disabled reservoir stores nothing, so its target is ignored. */
      if (!tm->node_on[i]) continue;
      tm->end_target_hm3[i] = x;
      given_at[i] = val;
    }
  } else {
    return naryn__read_fail(r, v, w,
                            "expected a storage in hm3 or an object mapping "
                            "reservoir names to storages, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!given_at[i] || n->min_storage_hm3 > n->max_storage_hm3) continue;
    x = tm->end_target_hm3[i];
    if (x < n->min_storage_hm3 || x > n->max_storage_hm3)
      return naryn__read_fail(r, given_at[i], w,
                              "expected a target between min_storage_hm3 (%g) "
                              "and max_storage_hm3 (%g) of reservoir \"%s\", "
                              "got %g", n->min_storage_hm3, n->max_storage_hm3,
                              n->name, x);
  }
  return 0;
}

/* Reads the prices and targets of a term according to its kind. */
static int read_prices(reader *r, naryn__term *tm, const naryn__doc *o,
                       const char *prefix, const unsigned char *selected) {
  char w[256];
  switch (tm->kind) {
  case NARYN__TERM_ENERGY:
    return read_price(r, tm, o, "value_per_mwh", prefix, "MWh");
  case NARYN__TERM_SHORTAGE:
  case NARYN__TERM_MIN_FLOW:
    return read_penalty_choice(r, tm, o, prefix);
  case NARYN__TERM_INFLOW: {
    int rc = naryn__read_ts(r, o, "target_m3s", prefix, NARYN__TS_RATE,
                            &tm->target_m3s);
    if (rc == 1)
      rc = naryn__read_fail(r, o, prefix,
                            "expected a field \"target_m3s\" (the inflow "
                            "wanted, m3/s), got none");
    else if (rc == 0)
      rc = naryn__read_check_values(r, &tm->target_m3s,
                                    at_field(w, sizeof w, prefix, "target_m3s"),
                                    0, INFINITY, "a flow >= 0 m3/s",
                                    NARYN__MAX_FLOW_M3S, "m3/s",
                                    NARYN__MAX_FLOW_WHY);
    int rc2 = read_price(r, tm, o, "penalty_per_hm3", prefix, "hm3");
    return rc ? rc : rc2;
  }
  case NARYN__TERM_SPILL:
    return read_price(r, tm, o, "penalty_per_hm3", prefix, "hm3");
  case NARYN__TERM_END_STORAGE: {
    int rc = read_price(r, tm, o, "penalty_per_hm3", prefix, "hm3");
    int rc2 = read_end_targets(r, tm, o, prefix, selected);
    return rc ? rc : rc2;
  }
  case NARYN__TERM_GRID:
  case NARYN__TERM_KIND_COUNT:
    break;
  }
  return 0;
}

/* ====================================================================== */
/* Terms                                                                   */
/* ====================================================================== */

/* Completes a grid term: the grids of the countries it lists (of every
** country without the field) and no node. A model without grids has
** nothing for it to value. Returns 0 or -1. */
static int grid_term(reader *r, naryn__term *tm, const naryn__doc *o,
                     const char *prefix) {
  const naryn_model *m = r->m;
  char w[256];
  const naryn__doc *nodes = naryn__read_get(o, "nodes");
  if (nodes && !naryn__doc_is_null(nodes))
    return naryn__read_fail(r, nodes, at_field(w, sizeof w, prefix, "nodes"),
                            "expected no nodes on a term of kind grid: it "
                            "values grids, chosen by \"countries\"");
  if (m->ngrids == 0)
    return naryn__read_fail(r, o, prefix,
                            "expected a model with grids for a term of kind "
                            "grid, which values what hydropower saves them; "
                            "the model has none");
  tm->grid_on = naryn__arena_alloc(r->a, (size_t)m->ngrids);
  if (!tm->grid_on) return naryn__read_oom(r);
  const naryn__doc *cs = naryn__read_get(o, "countries");
  for (int k = 0; k < m->ngrids; k++) {
    tm->grid_on[k] = !cs;
    for (int j = 0; cs && j < cs->n; j++)
      if (strcmp(cs->vals[j]->str, m->grids[k].country) == 0) tm->grid_on[k] = 1;
  }
  return 0;
}

/* Reads a term's kind. Returns 0, or -1 after reporting a missing or
** unknown kind (with the nearest kind when one is close). */
static int read_kind(reader *r, naryn__term *tm, const naryn__doc *o,
                     const char *prefix) {
  const naryn__doc *v = naryn__read_get(o, "kind");
  char w[256], got[128];
  if (!v)
    return naryn__read_fail(r, o, prefix,
                            "expected a field \"kind\" (energy, shortage, "
                            "min_flow, inflow, spill, end_storage or grid), "
                            "got none");
  int best = 4;
  const char *near = NULL;
  for (int k = 0; k < NARYN__TERM_KIND_COUNT; k++) {
    if (v->kind == NARYN__DOC_SCALAR && strcmp(v->str, kind_names[k]) == 0) {
      tm->kind = (naryn__term_kind)k;
      return 0;
    }
    int dist = v->kind == NARYN__DOC_SCALAR
                   ? naryn__edit_distance(v->str, kind_names[k])
                   : 99;
    if (dist < best) best = dist, near = kind_names[k];
  }
  char hint[64] = "";
  if (near) snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", near);
  return naryn__read_fail(r, v, at_field(w, sizeof w, prefix, "kind"),
                          "expected a kind: energy, shortage, min_flow, "
                          "inflow, spill, end_storage or grid, got %s%s",
                          naryn__doc_describe(v, got, sizeof got), hint);
}

/* Reads how sure a term's prices are (confidence) and, when it is text,
** where they come from (source, a free note of any other form as before).
** Returns 0, or -1 after reporting a confidence that is not one of the
** words. */
static int read_confidence(reader *r, naryn__term *tm, const naryn__doc *o,
                           const char *prefix) {
  const naryn__doc *s = naryn__read_get(o, "source");
  if (s && s->kind == NARYN__DOC_SCALAR && !naryn__doc_is_null(s)) {
    tm->source = naryn__arena_strndup(r->a, s->str, s->len);
    if (!tm->source) return naryn__read_oom(r);
  }
  const naryn__doc *v = naryn__read_get(o, "confidence");
  if (!v) return 0;
  for (size_t k = 0; k < sizeof confidence_words / sizeof *confidence_words; k++)
    if (v->kind == NARYN__DOC_SCALAR &&
        strcmp(v->str, confidence_words[k]) == 0) {
      tm->confidence = confidence_words[k];
      return 0;
    }
  char w[256], got[128];
  return naryn__read_fail(r, v, at_field(w, sizeof w, prefix, "confidence"),
                          "expected a confidence of its prices: high (taken from a "
                          "source), medium (derived from one) or low (an estimate), "
                          "got %s", naryn__doc_describe(v, got, sizeof got));
}

/* Reads one term given as an object. 'i' is its place in the list, and
** terms[0..i-1] are the terms before it. Returns 0 or -1. */
static int read_term(reader *r, naryn__term *terms, int i, const naryn__doc *o) {
  naryn_model *m = r->m;
  naryn__term *tm = &terms[i];
  char prefix[192], w[256], got[128];
  snprintf(prefix, sizeof prefix, "objectives[%d]", i);
  tm->doc = o;
  tm->weight = 1;
  if (o->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, o, prefix,
                            "expected an object describing an objective term, "
                            "got %s", naryn__doc_describe(o, got, sizeof got));
  const naryn__doc *nm = naryn__read_get(o, "name");
  if (!nm || nm->kind != NARYN__DOC_SCALAR || nm->len == 0)
    return naryn__read_fail(r, nm ? nm : o, prefix,
                            "expected a field \"name\" with a non-empty "
                            "string, got %s",
                            nm ? naryn__doc_describe(nm, got, sizeof got) : "none");
  for (int j = 0; j < i; j++)
    if (terms[j].name && strcmp(terms[j].name, nm->str) == 0)
      return naryn__read_fail(r, nm, prefix,
                              "expected a unique term name, got \"%s\" again "
                              "(first at line %d)", nm->str, terms[j].doc->line);
  tm->name = nm->str;
  snprintf(prefix, sizeof prefix, "term \"%.160s\"", tm->name);
  int rc = read_kind(r, tm, o, prefix);
  naryn__read_check_keys(r, o, prefix, term_fields);
  if (rc != 0) return -1;
  /* Fields of other kinds, in the order written. */
  for (int k = 0; k < o->n; k++)
    for (int f = 0; f < F_COUNT; f++)
      if (!kind_has[tm->kind][f] && strcmp(o->keys[k]->str, price_fields[f]) == 0 &&
          !naryn__doc_is_null(o->vals[k]))
        rc = naryn__read_fail(r, o->keys[k], prefix,
                              "expected no %s on a term of kind %s",
                              price_fields[f], kind_names[tm->kind]);
  if (naryn__read_number(r, o, "weight", prefix, &tm->weight) == 0 &&
      !(tm->weight >= 0))
    rc = naryn__read_fail(r, naryn__read_get(o, "weight"),
                          at_field(w, sizeof w, prefix, "weight"),
                          "expected a weight >= 0, got %g", tm->weight);
  else if (tm->weight > NARYN__MAX_WEIGHT)
    rc = naryn__read_fail(r, naryn__read_get(o, "weight"),
                          at_field(w, sizeof w, prefix, "weight"),
                          "expected a weight of at most %g (%s), got %g",
                          NARYN__MAX_WEIGHT, NARYN__MAX_WEIGHT_WHY, tm->weight);
  if (read_confidence(r, tm, o, prefix) != 0) rc = -1;
  if (alloc_term(r, tm, 0) != 0) return -1;
  /* Which nodes: of the kind's type, enabled, and passing both filters. */
  unsigned char *by_country = naryn__arena_alloc(r->a, (size_t)m->nnodes);
  unsigned char *by_name = naryn__arena_alloc(r->a, (size_t)m->nnodes);
  unsigned char *selected = naryn__arena_alloc(r->a, (size_t)m->nnodes);
  if (!by_country || !by_name || !selected) return naryn__read_oom(r);
  if (read_countries_filter(r, o, prefix, by_country) < 0) rc = -1;
  if (tm->kind == NARYN__TERM_GRID) {
    if (read_steps(r, tm, o, prefix) != 0 || rc != 0) return -1;
    return grid_term(r, tm, o, prefix);
  }
  int named = read_nodes_filter(r, tm, o, prefix, by_name);
  if (named < 0) rc = -1;
  if (named == 1 && kind_node_type[tm->kind] == NARYN_NODE_TYPE_COUNT)
    rc = naryn__read_fail(r, o, prefix,
                          "expected a field \"nodes\" naming the nodes a term "
                          "of kind %s covers, got none", kind_names[tm->kind]);
  if (read_steps(r, tm, o, prefix) != 0) rc = -1;
  if (rc != 0) return -1;
  for (int k = 0; k < m->nnodes; k++) {
    const naryn__node *n = &m->nodes[k];
    selected[k] = kind_takes(tm->kind, n->type) && by_country[k] && by_name[k];
    tm->node_on[k] = selected[k] && n->enabled;
  }
  return read_prices(r, tm, o, prefix, selected);
}

/* Sets up a default term of a kind over every enabled node of its type
** and every step. */
static int default_term(reader *r, naryn__term *tm, naryn__term_kind kind) {
  const naryn_model *m = r->m;
  tm->name = kind_names[kind];
  tm->kind = kind;
  tm->weight = 1;
  int priced = kind == NARYN__TERM_ENERGY || kind == NARYN__TERM_END_STORAGE;
  if (alloc_term(r, tm, priced) != 0) return -1;
  for (int i = 0; i < m->nnodes; i++)
    tm->node_on[i] = m->nodes[i].enabled && kind_takes(kind, m->nodes[i].type);
  memset(tm->step_on, 1, (size_t)m->nsteps);
  for (int t = 0; priced && t < m->nsteps; t++)
    tm->price[t] = kind == NARYN__TERM_ENERGY ? DEFAULT_VALUE_PER_MWH
                                              : DEFAULT_END_PENALTY_PER_HM3;
  if (kind == NARYN__TERM_SHORTAGE || kind == NARYN__TERM_MIN_FLOW) {
    tm->by_priority = 1;
    for (int p = 1; p <= NARYN__PRIORITY_MAX; p++)
      tm->priority_price[p] = default_priority_price(p);
  }
  if (kind == NARYN__TERM_END_STORAGE) {
    tm->end_target_hm3 =
        naryn__arena_alloc(r->a, (size_t)m->nnodes * sizeof(double));
    if (!tm->end_target_hm3) return naryn__read_oom(r);
    for (int i = 0; i < m->nnodes; i++)
      tm->end_target_hm3[i] = tm->node_on[i] ? m->nodes[i].initial_storage_hm3 : NAN;
  }
  return 0;
}

/* The default terms, in this order: energy at 30 per MWh, shortage and
** min_flow by priority, end storage at the initial storage. */
static int default_terms(reader *r) {
  static const naryn__term_kind kinds[] = {
      NARYN__TERM_ENERGY, NARYN__TERM_SHORTAGE, NARYN__TERM_MIN_FLOW,
      NARYN__TERM_END_STORAGE};
  naryn_model *m = r->m;
  int n = (int)(sizeof kinds / sizeof kinds[0]);
  m->terms = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->terms);
  if (!m->terms) return naryn__read_oom(r);
  for (int k = 0; k < n; k++)
    if (default_term(r, &m->terms[k], kinds[k]) != 0) return -1;
  m->nterms = n;
  m->objectives_given = 0;
  return 0;
}

/* In a model with grids, the grids value their plants' energy: a model
** that lists no grid term gets one over every grid ("grids", after the
** others), and energy terms leave out every plant feeding a grid that a
** grid term covers, so that no energy is valued twice. */
static void grids_value_energy(reader *r) {
  naryn_model *m = r->m;
  int have = 0;
  for (int k = 0; k < m->nterms; k++) have |= m->terms[k].kind == NARYN__TERM_GRID;
  if (!have) {
    naryn__term *terms = naryn__arena_alloc(r->a, (size_t)(m->nterms + 1) * sizeof *terms);
    if (!terms) {
      naryn__read_oom(r);
      return;
    }
    memcpy(terms, m->terms, (size_t)m->nterms * sizeof *terms);
    naryn__term *tm = &terms[m->nterms];
    memset(tm, 0, sizeof *tm);
    tm->name = "grids";
    tm->kind = NARYN__TERM_GRID;
    tm->weight = 1;
    if (alloc_term(r, tm, 0) != 0) return;
    memset(tm->step_on, 1, (size_t)m->nsteps);
    tm->grid_on = naryn__arena_alloc(r->a, (size_t)m->ngrids);
    if (!tm->grid_on) {
      naryn__read_oom(r);
      return;
    }
    memset(tm->grid_on, 1, (size_t)m->ngrids);
    m->terms = terms;
    m->nterms++;
  }
  for (int i = 0; i < m->nnodes; i++) {
    int g = m->plant_grid ? m->plant_grid[i] : -1, valued = 0;
    for (int k = 0; g >= 0 && k < m->nterms; k++)
      valued |= m->terms[k].kind == NARYN__TERM_GRID && m->terms[k].grid_on[g];
    for (int k = 0; valued && k < m->nterms; k++)
      if (m->terms[k].kind == NARYN__TERM_ENERGY) m->terms[k].node_on[i] = 0;
  }
}

/* The status to return after a failed read: out of memory and unreadable
** files are told apart from bad input. */
static int read_status(const naryn_diags *d) {
  for (int i = 0; i < naryn_diags_count(d); i++)
    if (naryn_diags_get(d, i)->code == NARYN_ENOMEM) return NARYN_ENOMEM;
  for (int i = 0; i < naryn_diags_count(d); i++)
    if (naryn_diags_get(d, i)->code == NARYN_EIO) return NARYN_EIO;
  return NARYN_EMODEL;
}

int naryn__model_read_objectives(naryn_model *m, const naryn__doc *root,
                                 naryn_diags *d) {
  reader r = {.m = m, .d = d, .a = m->arena};
  char got[128];
  m->currency = "units";
  naryn__read_string(&r, root, "currency", "model", &m->currency);
  const naryn__doc *list = naryn__read_get(root, "objectives");
  if (!list) {
    default_terms(&r);
  } else if (list->kind != NARYN__DOC_SEQ) {
    naryn__read_fail(&r, list, "objectives",
                     "expected a list of objective terms, got %s",
                     naryn__doc_describe(list, got, sizeof got));
  } else {
    m->terms = naryn__arena_alloc(r.a, (size_t)(list->n + 1) * sizeof *m->terms);
    if (!m->terms) {
      naryn__read_oom(&r);
    } else {
      for (int i = 0; i < list->n; i++)
        read_term(&r, m->terms, i, list->vals[i]);
      m->nterms = list->n;
      m->objectives_given = 1;
    }
  }
  if (!r.failed && m->ngrids > 0) grids_value_energy(&r);
  naryn__read_done(&r);
  return r.failed ? read_status(d) : NARYN_OK;
}

/* ====================================================================== */
/* Prices and the public getters                                           */
/* ====================================================================== */

double naryn__term_price(const naryn_model *m, const naryn__term *tm, int node,
                         int step) {
  if (!m || !tm || node < 0 || node >= m->nnodes || step < 0 ||
      step >= m->nsteps || !tm->node_on[node] || !tm->step_on[step])
    return 0;
  if (tm->price) return tm->price[step];
  if (tm->by_priority) {
    int p = m->nodes[node].priority;
    return (p >= 1 && p <= NARYN__PRIORITY_MAX) ? tm->priority_price[p] : 0;
  }
  if (tm->ncurve > 0) return tm->curve_price[0];
  return 0;
}

/* The term at index i, or NULL when there is none. */
static const naryn__term *term_at(const naryn_model *m, int i) {
  return (m && i >= 0 && i < m->nterms) ? &m->terms[i] : NULL;
}

int naryn_model_term_count(const naryn_model *m) { return m ? m->nterms : 0; }

int naryn_model_term_index(const naryn_model *m, const char *name) {
  for (int i = 0; m && name && i < m->nterms; i++)
    if (m->terms[i].name && strcmp(m->terms[i].name, name) == 0) return i;
  return -1;
}

const char *naryn_model_term_name(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm ? tm->name : NULL;
}

const char *naryn_model_term_kind(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm ? kind_names[tm->kind] : NULL;
}

const char *naryn_model_term_confidence(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm ? (tm->confidence ? tm->confidence : "") : NULL;
}

const char *naryn_model_term_source(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm ? (tm->source ? tm->source : "") : NULL;
}

int naryn_model_term_is_benefit(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm && NARYN__TERM_BENEFIT(tm->kind);
}

double naryn_model_term_weight(const naryn_model *m, int term) {
  const naryn__term *tm = term_at(m, term);
  return tm ? tm->weight : NAN;
}

int naryn_model_set_weight(naryn_model *m, const char *term, double weight,
                           naryn_diags *d) {
  if (!m || !term)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_model_set_weight: no model or term given");
  char where[192];
  snprintf(where, sizeof where, "term \"%.160s\"", term);
  int i = naryn_model_term_index(m, term);
  if (i < 0) {
    /* Name the nearest term when one is close, or else all of them. */
    int best = 4;
    const char *near = NULL;
    char names[256] = "";
    size_t used = 0;
    for (int k = 0; k < m->nterms; k++) {
      int dist = naryn__edit_distance(term, m->terms[k].name);
      if (dist < best) best = dist, near = m->terms[k].name;
      if (used < sizeof names)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                 k ? ", " : "", m->terms[k].name);
    }
    if (near)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                         "expected the name of an objective term of the "
                         "model, got \"%s\", which no term has (did you mean "
                         "\"%s\"?)", term, near);
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                       "expected the name of an objective term of the model "
                       "(%s), got \"%s\", which no term has",
                       m->nterms ? names : "it has none", term);
  }
  if (!(weight >= 0) || !isfinite(weight))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                       "expected a weight >= 0, got %g", weight);
  if (weight > NARYN__MAX_WEIGHT)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, where,
                       "expected a weight of at most %g (%s), got %g",
                       NARYN__MAX_WEIGHT, NARYN__MAX_WEIGHT_WHY, weight);
  m->terms[i].weight = weight;
  return NARYN_OK;
}

const char *naryn_model_currency(const naryn_model *m) {
  return (m && m->currency) ? m->currency : "units";
}
