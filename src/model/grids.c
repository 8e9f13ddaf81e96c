/*
** grids.c: the energy side of a model: grids, thermal plants,
** interconnectors and markets (doc/model-format.md, "Grids").
**
** A grid is a country's power system: an energy demand in GWh per month
** (or a series), an optional peak in MW with the hours it lasts each
** month, and tiers of unserved energy, each at a cost per MWh, the last
** one unbounded. Thermal plants feed a grid up to their capacity times
** their availability; interconnectors carry energy between two grids,
** losing a share of what they send and charging a tariff on it; markets
** are trading partners outside the model, buying and selling at a grid's
** border at their prices up to their limits. Every hydropower plant feeds
** the grid of its country, so when a model has grids, a plant whose
** country has none is an error. Reading checks names, kinds and ranges;
** the dispatch of the grids is grid/grid_lp.c's.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

static const char *const grid_fields[] = {
    "name", "country", "demand_gwh", "peak_mw", "peak_hours", "unserved",
    "description", "source", "notes", NULL};
static const char *const tier_fields[] = {"gwh", "share", "cost_per_mwh",
                                          "source", "notes", NULL};
static const char *const thermal_fields[] = {
    "name", "grid", "capacity_mw", "availability", "cost_per_mwh",
    "description", "source", "notes", NULL};
static const char *const line_fields[] = {
    "name", "from", "to", "capacity_mw", "capacity_mw_back", "loss_fraction",
    "tariff_per_mwh", "description", "source", "notes", NULL};
static const char *const market_fields[] = {
    "name", "grid", "import_price_per_mwh", "export_price_per_mwh",
    "import_limit_mw", "export_limit_mw", "description", "source", "notes",
    NULL};

/* The list under 'key' of the model, or NULL (also after reporting that
** it is not a list). */
static const naryn__doc *list_of(reader *r, const naryn__doc *root,
                                 const char *key) {
  const naryn__doc *v = naryn__read_get(root, key);
  char got[128];
  if (!v) return NULL;
  if (v->kind != NARYN__DOC_SEQ) {
    naryn__read_fail(r, v, key, "expected a list of %s, got %s", key,
                     naryn__doc_describe(v, got, sizeof got));
    return NULL;
  }
  return v;
}

/* Reads the name of element i of a list (the name field, or 'dflt' when
** absent and dflt is not NULL) and checks that it is unique among the
** names so far. Returns the name or NULL after reporting. */
static const char *read_name(reader *r, const naryn__doc *o, const char *w,
                             const char *kind, naryn__names *names, int i,
                             naryn__doc *const *docs, const char *dflt) {
  char got[128];
  const naryn__doc *nm = naryn__read_get(o, "name");
  const char *name = dflt;
  if (nm || !dflt) {
    if (!nm || nm->kind != NARYN__DOC_SCALAR || nm->len == 0) {
      naryn__read_fail(r, nm ? nm : o, w, "expected a field \"name\" with a "
                       "non-empty string, got %s",
                       nm ? naryn__doc_describe(nm, got, sizeof got) : "none");
      return NULL;
    }
    name = naryn__arena_strndup(r->a, nm->str, nm->len);
    if (!name) {
      naryn__read_oom(r);
      return NULL;
    }
  }
  int first = naryn__names_put(names, name, i);
  if (first >= 0) {
    naryn__read_fail(r, naryn__field_pos(o, "name"), w,
                     "expected a unique %s name, got \"%s\" again (first at "
                     "line %d)", kind, name, docs[first]->line);
    return NULL;
  }
  return name;
}

/* Reports a value of field 'key' above the physical limit 'max' (in
** 'unit', resting on 'why'). */
static void over_limit(reader *r, const naryn__doc *o, const char *key,
                       const char *w, double v, double max, const char *unit,
                       const char *why) {
  if (v > max)
    naryn__read_fail(r, naryn__field_pos(o, key), w,
                     "expected at most %g %s (%s), got %g", max, unit, why, v);
}

/* Reads a number field that must be present, not negative and at most
** 'max' (resting on 'why'). */
static void req_amount(reader *r, const naryn__doc *o, const char *key,
                       const char *prefix, const char *unit, double max,
                       const char *why, double *out) {
  char w[256];
  snprintf(w, sizeof w, "%s.%s", prefix, key);
  int rc = naryn__read_number(r, o, key, prefix, out);
  if (rc == 1) {
    naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got none",
                     key, unit);
  } else if (rc == 0 && !(*out >= 0 && isfinite(*out))) {
    naryn__read_fail(r, naryn__field_pos(o, key), w,
                     "expected at least 0 %s, got %g", unit,
                     *out);
  } else if (rc == 0) {
    over_limit(r, o, key, w, *out, max, unit, why);
  }
}

/* Reads an optional number field that must not be negative and at most
** 'max' (resting on 'why'), or, when 'below_one', a fraction below 1;
** leaves *out when absent. */
static void opt_amount(reader *r, const naryn__doc *o, const char *key,
                       const char *prefix, const char *unit, int below_one,
                       double max, const char *why, double *out) {
  char w[256];
  snprintf(w, sizeof w, "%s.%s", prefix, key);
  if (naryn__read_number(r, o, key, prefix, out) != 0) return;
  if (below_one && !(*out >= 0 && *out < 1))
    naryn__read_fail(r, naryn__field_pos(o, key), w,
                     "expected a fraction from 0 up to but not including 1, "
                     "got %g", *out);
  else if (!below_one && !(*out >= 0 && isfinite(*out)))
    naryn__read_fail(r, naryn__field_pos(o, key), w,
                     "expected at least 0 %s, got %g", unit,
                     *out);
  else if (!below_one)
    over_limit(r, o, key, w, *out, max, unit, why);
}

/* Reads a time-varying field; when 'needed' and absent, says so. Checks
** the values against [lo, hi] as 'expect' words them, then against the
** physical limit 'max' in 'unit', resting on 'why'. */
static void read_values(reader *r, const naryn__doc *o, const char *key,
                        const char *prefix, naryn__ts_form form, int needed,
                        double lo, double hi, const char *expect, double max,
                        const char *unit, const char *why, naryn__ts *ts) {
  char w[256];
  snprintf(w, sizeof w, "%s.%s", prefix, key);
  int rc = naryn__read_ts(r, o, key, prefix, form, ts);
  if (rc == 1 && needed)
    naryn__read_fail(r, o, prefix, "expected a field \"%s\" (%s), got none",
                     key, expect);
  if (rc == 0)
    naryn__read_check_values(r, ts, w, lo, hi, expect, max, unit, why);
}

/* The index of the grid named by field 'key' of o, or -1 after reporting
** (also when absent). */
static int grid_ref(reader *r, const naryn__doc *o, const char *key,
                    const char *prefix, const naryn__names *names) {
  const naryn__doc *v = naryn__read_get(o, key);
  char w[256], got[128];
  snprintf(w, sizeof w, "%s.%s", prefix, key);
  if (!v) {
    naryn__read_fail(r, o, prefix, "expected a field \"%s\" naming a grid, "
                     "got none", key);
    return -1;
  }
  if (v->kind != NARYN__DOC_SCALAR) {
    naryn__read_fail(r, v, w, "expected the name of a grid, got %s",
                     naryn__doc_describe(v, got, sizeof got));
    return -1;
  }
  int g = naryn__names_get(names, v->str);
  if (g < 0)
    naryn__read_fail(r, v, w, "expected the name of a grid of the model, got "
                     "\"%s\", which no grid has", v->str);
  return g;
}

/* 1 when code is a country of the model: listed under countries, or,
** without that list, named by a node. */
static int known_country(const naryn_model *m, const char *code) {
  for (int i = 0; i < m->ncountries; i++)
    if (strcmp(m->country_codes[i], code) == 0) return 1;
  for (int i = 0; i < m->nnodes && m->ncountries == 0; i++)
    if (strcmp(m->nodes[i].country, code) == 0) return 1;
  return 0;
}

/* Reads a grid's unserved-energy tiers: each but the last bounded by gwh
** or by a share of the demand, their costs never falling. */
static void read_tiers(reader *r, naryn__grid *g, const char *prefix) {
  const naryn__doc *u = naryn__read_get(g->doc, "unserved");
  char w[256], got[128];
  if (!u) {
    naryn__read_fail(r, g->doc, prefix, "expected a field \"unserved\" listing "
                     "the tiers of unserved energy ({gwh or share, "
                     "cost_per_mwh}, the last unbounded), got none");
    return;
  }
  snprintf(w, sizeof w, "%s.unserved", prefix);
  if (u->kind != NARYN__DOC_SEQ || u->n == 0) {
    naryn__read_fail(r, u, w, "expected a list of at least one tier, got %s",
                     naryn__doc_describe(u, got, sizeof got));
    return;
  }
  g->ntiers = u->n;
  g->tiers = naryn__arena_alloc(r->a, (size_t)u->n * sizeof *g->tiers);
  if (!g->tiers) {
    naryn__read_oom(r);
    return;
  }
  for (int k = 0; k < u->n; k++) {
    naryn__tier *tr = &g->tiers[k];
    const naryn__doc *o = u->vals[k];
    char tw[256];
    snprintf(tw, sizeof tw, "%s.unserved[%d]", prefix, k);
    tr->gwh = tr->share = NAN;
    if (o->kind != NARYN__DOC_MAP) {
      naryn__read_fail(r, o, tw, "expected a tier {gwh or share, "
                       "cost_per_mwh}, got %s",
                       naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, tw, tier_fields);
    req_amount(r, o, "cost_per_mwh", tw, "currency per MWh", NARYN__MAX_PRICE,
               NARYN__MAX_PRICE_WHY, &tr->cost_per_mwh);
    opt_amount(r, o, "gwh", tw, "GWh", 0, NARYN__MAX_GRID_GWH, NARYN__MAX_GRID_GWH_WHY,
               &tr->gwh);
    int has_gwh = naryn__read_get(o, "gwh") != NULL;
    int has_share = naryn__read_get(o, "share") != NULL;
    if (has_share && naryn__read_number(r, o, "share", tw, &tr->share) == 0 &&
        !(tr->share > 0 && tr->share <= 1)) {
      char sw[300];
      snprintf(sw, sizeof sw, "%s.share", tw);
      naryn__read_fail(r, naryn__read_get(o, "share"), sw,
                       "expected a share of the demand above 0 and at most "
                       "1, got %g", tr->share);
    }
    if (has_gwh && has_share)
      naryn__read_fail(r, naryn__doc_key(o, "share"), tw,
                       "expected one of gwh or share, got both");
    else if (k + 1 < u->n && !has_gwh && !has_share)
      naryn__read_fail(r, o, tw, "expected \"gwh\" or \"share\" bounding the "
                       "tier (only the last tier is unbounded), got neither");
    else if (k + 1 == u->n && (has_gwh || has_share))
      naryn__read_fail(r, naryn__doc_key(o, has_gwh ? "gwh" : "share"), tw,
                       "expected the last tier to be unbounded (no gwh or "
                       "share), so that any shortfall has a cost, got %s",
                       has_gwh ? "gwh" : "share");
    if (k > 0 && tr->cost_per_mwh < g->tiers[k - 1].cost_per_mwh)
      naryn__read_fail(r, naryn__field_pos(o, "cost_per_mwh"), tw,
                       "expected tiers in order of rising cost, got %g per "
                       "MWh after %g", tr->cost_per_mwh,
                       g->tiers[k - 1].cost_per_mwh);
  }
}

/* Checks that the peak lasts no longer than its month in any step. */
static void check_peak(reader *r, const naryn__grid *g, const char *prefix) {
  const naryn_model *m = r->m;
  char w[256];
  snprintf(w, sizeof w, "%s.peak_hours", prefix);
  for (int t = 0; t < m->nsteps; t++) {
    int y, mo, dd;
    naryn__date_ymd(m->step_day[t], &y, &mo, &dd);
    double hours = 24.0 * naryn__date_month_days(y, mo);
    if (g->peak_hours.v[t] <= hours) continue;
    naryn__ts_at at = naryn__ts_source(m, &g->peak_hours, t);
    naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line, at.col,
                w, "expected at most the %g hours of the month, got %g%s",
                hours, at.given, at.label);
    r->failed = 1;
    return;
  }
}

static int read_grids(reader *r, const naryn__doc *root, naryn__names *names) {
  naryn_model *m = r->m;
  const naryn__doc *list = list_of(r, root, "grids");
  char w[256], got[128];
  if (!list) return 0;
  m->ngrids = list->n;
  m->grids = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof *m->grids);
  if (!m->grids || naryn__names_new(names, list->n, r->a) != 0) return naryn__read_oom(r);
  naryn__names countries;
  if (naryn__names_new(&countries, list->n, r->a) != 0) return naryn__read_oom(r);
  for (int i = 0; i < list->n; i++) {
    naryn__grid *g = &m->grids[i];
    const naryn__doc *o = list->vals[i];
    snprintf(w, sizeof w, "grids[%d]", i);
    g->doc = o;
    g->name = g->country = "";
    if (o->kind != NARYN__DOC_MAP) {
      naryn__read_fail(r, o, w, "expected an object describing a grid, got %s",
                       naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, grid_fields);
    const char *name = read_name(r, o, w, "grid", names, i, list->vals, NULL);
    if (!name) continue;
    g->name = name;
    char prefix[192];
    snprintf(prefix, sizeof prefix, "grid \"%s\"", name);
    const naryn__doc *c = naryn__read_get(o, "country");
    char cw[256];
    snprintf(cw, sizeof cw, "%s.country", prefix);
    if (!c || c->kind != NARYN__DOC_SCALAR) {
      naryn__read_fail(r, c ? c : o, c ? cw : prefix, "expected a field "
                       "\"country\" with a country code of the model, got %s",
                       c ? naryn__doc_describe(c, got, sizeof got) : "none");
    } else if (!known_country(m, c->str)) {
      naryn__read_fail(r, c, cw, "expected a country code of the model (%s), "
                       "got \"%s\"", m->ncountries ? "listed under countries"
                       : "named by a node", c->str);
    } else {
      g->country = c->str;
      int first = naryn__names_put(&countries, g->country, i);
      if (first >= 0)
        naryn__read_fail(r, c, cw, "expected one grid per country, got a "
                         "second grid for \"%s\" (grid \"%s\" on line %d)",
                         g->country, m->grids[first].name, list->vals[first]->line);
    }
    read_values(r, o, "demand_gwh", prefix, NARYN__TS_VOLUME, 1, 0, INFINITY,
                "an energy in GWh of at least 0", NARYN__MAX_GRID_GWH, "GWh",
                NARYN__MAX_GRID_GWH_WHY, &g->demand_gwh);
    int has_peak = naryn__read_get(o, "peak_mw") != NULL;
    int has_hours = naryn__read_get(o, "peak_hours") != NULL;
    if (has_peak != has_hours)
      naryn__read_fail(r, naryn__doc_key(o, has_peak ? "peak_mw" : "peak_hours"),
                       prefix, "expected both peak_mw and peak_hours (the "
                       "hours each month the peak lasts), got only %s",
                       has_peak ? "peak_mw" : "peak_hours");
    else if (has_peak) {
      read_values(r, o, "peak_mw", prefix, NARYN__TS_RATE, 1, 0, INFINITY,
                  "a power in MW of at least 0", NARYN__MAX_GRID_MW, "MW",
                  NARYN__MAX_GRID_MW_WHY, &g->peak_mw);
      /* More hours than the month has is check_peak's to report. */
      read_values(r, o, "peak_hours", prefix, NARYN__TS_RATE, 1, 0,
                  INFINITY, "a number of hours of at least 0", INFINITY, "", "",
                  &g->peak_hours);
      if (g->peak_hours.v && !r->failed) check_peak(r, g, prefix);
    }
    read_tiers(r, g, prefix);
  }
  return r->failed ? -1 : 0;
}

static int read_thermal(reader *r, const naryn__doc *root,
                        const naryn__names *grids) {
  naryn_model *m = r->m;
  const naryn__doc *list = list_of(r, root, "thermal_plants");
  char w[256], got[128];
  if (!list) return 0;
  m->nthermal = list->n;
  m->thermal = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof *m->thermal);
  naryn__names names;
  if (!m->thermal || naryn__names_new(&names, list->n, r->a) != 0) return naryn__read_oom(r);
  for (int i = 0; i < list->n; i++) {
    naryn__thermal *p = &m->thermal[i];
    const naryn__doc *o = list->vals[i];
    snprintf(w, sizeof w, "thermal_plants[%d]", i);
    p->doc = o;
    p->name = "";
    p->grid = -1;
    if (o->kind != NARYN__DOC_MAP) {
      naryn__read_fail(r, o, w, "expected an object describing a thermal "
                       "plant, got %s", naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, thermal_fields);
    const char *name = read_name(r, o, w, "thermal plant", &names, i, list->vals, NULL);
    if (!name) continue;
    p->name = name;
    char prefix[192];
    snprintf(prefix, sizeof prefix, "thermal plant \"%s\"", name);
    p->grid = grid_ref(r, o, "grid", prefix, grids);
    req_amount(r, o, "capacity_mw", prefix, "MW", NARYN__MAX_GRID_MW, NARYN__MAX_GRID_MW_WHY,
               &p->capacity_mw);
    read_values(r, o, "availability", prefix, NARYN__TS_RATE, 0, 0, 1,
                "an availability from 0 to 1", INFINITY, "", "", &p->availability);
    read_values(r, o, "cost_per_mwh", prefix, NARYN__TS_RATE, 1, 0, INFINITY,
                "a cost per MWh of at least 0", NARYN__MAX_PRICE, "per MWh",
                NARYN__MAX_PRICE_WHY, &p->cost_per_mwh);
  }
  return r->failed ? -1 : 0;
}

static int read_lines(reader *r, const naryn__doc *root,
                      const naryn__names *grids) {
  naryn_model *m = r->m;
  const naryn__doc *list = list_of(r, root, "interconnectors");
  char w[256], got[128];
  if (!list) return 0;
  m->nlines = list->n;
  m->lines = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof *m->lines);
  naryn__names names;
  if (!m->lines || naryn__names_new(&names, list->n, r->a) != 0) return naryn__read_oom(r);
  for (int i = 0; i < list->n; i++) {
    naryn__line *l = &m->lines[i];
    const naryn__doc *o = list->vals[i];
    snprintf(w, sizeof w, "interconnectors[%d]", i);
    l->doc = o;
    l->name = "";
    l->from = l->to = -1;
    if (o->kind != NARYN__DOC_MAP) {
      naryn__read_fail(r, o, w, "expected an object describing an "
                       "interconnector, got %s",
                       naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, line_fields);
    l->from = grid_ref(r, o, "from", w, grids);
    l->to = grid_ref(r, o, "to", w, grids);
    if (l->from < 0 || l->to < 0) continue;
    if (l->from == l->to) {
      naryn__read_fail(r, naryn__field_pos(o, "to"), w, "expected two "
                       "different grids, got \"%s\" at both ends",
                       m->grids[l->from].name);
      continue;
    }
    const char *dflt = naryn__arena_printf(r->a, "%s->%s", m->grids[l->from].name,
                                           m->grids[l->to].name);
    if (!dflt) return naryn__read_oom(r);
    const char *name = read_name(r, o, w, "interconnector", &names, i, list->vals, dflt);
    if (!name) continue;
    l->name = name;
    char prefix[192];
    snprintf(prefix, sizeof prefix, "interconnector \"%s\"", name);
    req_amount(r, o, "capacity_mw", prefix, "MW", NARYN__MAX_GRID_MW, NARYN__MAX_GRID_MW_WHY,
               &l->capacity_mw);
    l->capacity_mw_back = l->capacity_mw;
    opt_amount(r, o, "capacity_mw_back", prefix, "MW", 0, NARYN__MAX_GRID_MW,
               NARYN__MAX_GRID_MW_WHY, &l->capacity_mw_back);
    opt_amount(r, o, "loss_fraction", prefix, "", 1, 1.0, "", &l->loss_fraction);
    opt_amount(r, o, "tariff_per_mwh", prefix, "currency per MWh", 0, NARYN__MAX_PRICE,
               NARYN__MAX_PRICE_WHY,
               &l->tariff_per_mwh);
  }
  return r->failed ? -1 : 0;
}

static int read_markets(reader *r, const naryn__doc *root,
                        const naryn__names *grids) {
  naryn_model *m = r->m;
  const naryn__doc *list = list_of(r, root, "markets");
  char w[256], got[128];
  if (!list) return 0;
  m->nmarkets = list->n;
  m->markets = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof *m->markets);
  naryn__names names;
  if (!m->markets || naryn__names_new(&names, list->n, r->a) != 0) return naryn__read_oom(r);
  for (int i = 0; i < list->n; i++) {
    naryn__market *k = &m->markets[i];
    const naryn__doc *o = list->vals[i];
    snprintf(w, sizeof w, "markets[%d]", i);
    k->doc = o;
    k->name = "";
    if (o->kind != NARYN__DOC_MAP) {
      naryn__read_fail(r, o, w, "expected an object describing a market, got %s",
                       naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, market_fields);
    k->grid = grid_ref(r, o, "grid", w, grids);
    if (k->grid < 0) continue;
    const char *dflt = naryn__arena_printf(r->a, "%s market", m->grids[k->grid].name);
    if (!dflt) return naryn__read_oom(r);
    const char *name = read_name(r, o, w, "market", &names, i, list->vals, dflt);
    if (!name) continue;
    k->name = name;
    char prefix[192];
    snprintf(prefix, sizeof prefix, "market \"%s\"", name);
    read_values(r, o, "import_price_per_mwh", prefix, NARYN__TS_RATE, 0, 0,
                INFINITY, "a price per MWh of at least 0", NARYN__MAX_PRICE, "per MWh",
                NARYN__MAX_PRICE_WHY, &k->import_price_per_mwh);
    read_values(r, o, "export_price_per_mwh", prefix, NARYN__TS_RATE, 0, 0,
                INFINITY, "a price per MWh of at least 0", NARYN__MAX_PRICE, "per MWh",
                NARYN__MAX_PRICE_WHY, &k->export_price_per_mwh);
    k->import_limit_mw = k->import_price_per_mwh.v ? INFINITY : 0.0;
    k->export_limit_mw = k->export_price_per_mwh.v ? INFINITY : 0.0;
    opt_amount(r, o, "import_limit_mw", prefix, "MW", 0, NARYN__MAX_GRID_MW,
               NARYN__MAX_GRID_MW_WHY, &k->import_limit_mw);
    opt_amount(r, o, "export_limit_mw", prefix, "MW", 0, NARYN__MAX_GRID_MW,
               NARYN__MAX_GRID_MW_WHY, &k->export_limit_mw);
    if (!k->import_price_per_mwh.v && !k->export_price_per_mwh.v)
      naryn__read_fail(r, o, prefix, "expected import_price_per_mwh or "
                       "export_price_per_mwh (a market buys or sells), got "
                       "neither");
    /* Buying to sell again at a profit would be a money pump. */
    for (int t = 0; t < m->nsteps && k->import_price_per_mwh.v &&
                    k->export_price_per_mwh.v && !r->failed; t++)
      if (k->export_price_per_mwh.v[t] > k->import_price_per_mwh.v[t]) {
        char pw[256], date[16];
        snprintf(pw, sizeof pw, "%s.export_price_per_mwh", prefix);
        naryn__read_fail(r, naryn__read_get(o, "export_price_per_mwh"), pw,
                         "expected an export price no higher than the import "
                         "price, got %g against %g in the step of %s",
                         k->export_price_per_mwh.v[t],
                         k->import_price_per_mwh.v[t],
                         naryn__step_label(m, t, date, sizeof date));
      }
  }
  return r->failed ? -1 : 0;
}

/* Every enabled hydropower plant feeds the grid of its country; with
** grids, a plant whose country has none is an error. */
static int link_plants(reader *r) {
  naryn_model *m = r->m;
  m->plant_grid = naryn__arena_alloc(r->a, (size_t)(m->nnodes + 1) * sizeof *m->plant_grid);
  if (!m->plant_grid) return naryn__read_oom(r);
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    m->plant_grid[i] = -1;
    if (n->type != NARYN_NODE_HYDROPOWER) continue;
    for (int g = 0; g < m->ngrids; g++)
      if (m->grids[g].country[0] && strcmp(m->grids[g].country, n->country) == 0)
        m->plant_grid[i] = g;
    if (m->plant_grid[i] >= 0 || !n->enabled) continue;
    char w[256];
    naryn__read_fail(r, naryn__field_pos(n->doc, "country"),
                     naryn__node_where(n, "country", w, sizeof w),
                     "expected a country with a grid, which the plant feeds "
                     "(the model has grids), got %s%s%s, which has none",
                     n->country[0] ? "\"" : "",
                     n->country[0] ? n->country : "no country",
                     n->country[0] ? "\"" : "");
  }
  return r->failed ? -1 : 0;
}

int naryn__model_read_grids(naryn__reader *r, const naryn__doc *root) {
  naryn__names grids = {0};
  int has = naryn__read_get(root, "grids") != NULL;
  if (!has) {
    static const char *const parts[] = {"thermal_plants", "interconnectors",
                                        "markets"};
    for (int k = 0; k < 3; k++) {
      const naryn__doc *v = naryn__read_get(root, parts[k]);
      if (v)
        return naryn__read_fail(r, naryn__doc_key(root, parts[k]), parts[k],
                                "expected a list \"grids\" for the %s to "
                                "belong to, got none", parts[k]);
    }
    return 0;
  }
  if (read_grids(r, root, &grids) != 0 || r->m->ngrids == 0) return r->failed ? -1 : 0;
  read_thermal(r, root, &grids);
  read_lines(r, root, &grids);
  read_markets(r, root, &grids);
  if (r->failed) return -1;
  return link_plants(r);
}
