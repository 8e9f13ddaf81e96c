/*
** summary.c: totals of a run by country and season.
**
** The seasons are the two halves of the water year that the Syr Darya
** quarrel turns on: October-March, when the upstream country needs water
** for heat and power, and April-September, when the downstream countries
** need it for crops. A node's figures count for the country it names.
**
** A full result is summed here from its steps when asked; a streamed one
** (naryn_simulate_to) keeps only its totals, added step by step as the
** run goes by naryn__sums_add_step, with the same additions in the same
** order, so that both give the same figures bit for bit.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

static const char *const season_names[NARYN_SEASON_COUNT] = {"oct-mar",
                                                             "apr-sep", "all"};

const char *naryn_season_name(naryn_season s) {
  return (s >= 0 && s < NARYN_SEASON_COUNT) ? season_names[s] : "";
}

const char *naryn_model_country_name(const naryn_model *m, const char *code) {
  for (int i = 0; i < m->ncountries; i++)
    if (strcmp(m->country_codes[i], code) == 0) return m->country_names[i];
  return code;
}

/* Walks the distinct countries in summary order and returns how many there
** are; the one at position 'want' is stored in *found. */
static int countries(const naryn_model *m, int want, const char **found) {
  int n = 0;
  for (int i = 0; i < m->ncountries; i++, n++)
    if (n == want) *found = m->country_codes[i];
  for (int i = 0; i < m->nnodes; i++) {
    const char *c = m->nodes[i].country;
    if (!c[0]) continue;
    int seen = 0;
    for (int j = 0; j < m->ncountries && !seen; j++)
      seen = strcmp(m->country_codes[j], c) == 0;
    for (int j = 0; j < i && !seen; j++)
      seen = strcmp(m->nodes[j].country, c) == 0;
    if (seen) continue;
    if (n == want) *found = c;
    n++;
  }
  for (int i = 0; i < m->nnodes; i++)
    if (!m->nodes[i].country[0]) {
      if (n == want) *found = "";
      n++;
      break;
    }
  return n;
}

int naryn_result_country_count(const naryn_result *r) {
  const char *unused = NULL;
  return countries(r->m, -1, &unused);
}

const char *naryn_result_country(const naryn_result *r, int i) {
  const char *found = NULL;
  countries(r->m, i, &found);
  return found;
}

double naryn_result_years(const naryn_result *r) {
  /* Each step counts for its share of its own calendar year, so that a
  ** horizon of whole calendar years is exactly that many years. */
  double years = 0.0;
  for (int t = 0; t < r->m->nsteps; t++) {
    int y, mo, dd;
    naryn__date_ymd(r->m->step_day[t], &y, &mo, &dd);
    long next_year = naryn__date_days(y + 1, 1, 1);
    double year_days = next_year - naryn__date_days(y, 1, 1);
    double days = r->m->step_s[t] / 86400.0;
    /* A step of several days may end in the next year. */
    double in_next = (double)(r->m->step_day[t] - next_year) + days;
    if (in_next > 0) {
      double next_days = naryn__date_days(y + 2, 1, 1) - next_year;
      years += (days - in_next) / year_days + in_next / next_days;
      continue;
    }
    years += r->m->step_s[t] / (86400.0 * year_days);
  }
  return years;
}

/* Adds a quantity to a total when it applies. */
static void add(double *total, double v) {
  if (!isnan(v)) *total += v;
}

void naryn__summary_add(naryn_summary *out, const naryn_result *r, int t,
                        int i) {
  const naryn__node *n = &r->m->nodes[i];
  add(&out->energy_gwh, NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH));
  add(&out->spill_hm3, NARYN__Q(r, t, i, NARYN_Q_SPILL_HM3));
  add(&out->evaporation_hm3, NARYN__Q(r, t, i, NARYN_Q_EVAPORATION_HM3));
  if (n->type == NARYN_NODE_DEMAND && n->kind == NARYN__IRRIGATION) {
    add(&out->irrigation_demand_hm3, NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3));
    add(&out->irrigation_delivered_hm3, NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3));
    add(&out->irrigation_shortage_hm3, NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3));
  } else if (n->type == NARYN_NODE_DEMAND) {
    add(&out->municipal_demand_hm3, NARYN__Q(r, t, i, NARYN_Q_DEMAND_HM3));
    add(&out->municipal_delivered_hm3, NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3));
    add(&out->municipal_shortage_hm3, NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3));
  } else if (n->type == NARYN_NODE_MIN_FLOW) {
    add(&out->min_flow_shortage_hm3, NARYN__Q(r, t, i, NARYN_Q_SHORTAGE_HM3));
  } else if (n->type == NARYN_NODE_SINK) {
    add(&out->sink_inflow_hm3, NARYN__Q(r, t, i, NARYN_Q_INFLOW_HM3));
  }
  double res = fabs(NARYN__Q(r, t, i, NARYN_Q_RESIDUAL_HM3));
  if (!isnan(res) && res > out->max_residual_hm3) out->max_residual_hm3 = res;
}

/* The season a step counts for besides the whole year. */
static naryn_season season_of(const naryn_model *m, int t) {
  int summer = m->step_month[t] >= 4 && m->step_month[t] <= 9;
  return summer ? NARYN_SEASON_APR_SEP : NARYN_SEASON_OCT_MAR;
}

void naryn_result_summary(const naryn_result *r, const char *country,
                          naryn_season season, naryn_summary *out) {
  const naryn_model *m = r->m;
  memset(out, 0, sizeof *out);
  /* Any season but the two halves counts every step. */
  if (season != NARYN_SEASON_OCT_MAR && season != NARYN_SEASON_APR_SEP)
    season = NARYN_SEASON_ALL;
  if (!NARYN__FULL(r)) {
    /* A streamed result: the totals it kept, for a country of the run (or
    ** all); any other country has no nodes and so nothing. */
    if (!r->sums) return;
    int g = r->sums->ngroups - 1;
    if (country) {
      for (g = 0; g < r->sums->ngroups - 1; g++)
        if (strcmp(naryn_result_country(r, g), country) == 0) break;
      if (g == r->sums->ngroups - 1) return;
    }
    *out = r->sums->season[g * NARYN_SEASON_COUNT + season];
    return;
  }
  for (int t = 0; t < m->nsteps; t++) {
    if (season != NARYN_SEASON_ALL && season_of(m, t) != season) continue;
    for (int i = 0; i < m->nnodes; i++)
      if (!country || strcmp(country, m->nodes[i].country) == 0)
        naryn__summary_add(out, r, t, i);
  }
}

/* ====================================================================== */
/* A streamed result's totals                                              */
/* ====================================================================== */

int naryn__sums_new(naryn_result *r) {
  const naryn_model *m = r->m;
  naryn__sums *s = calloc(1, sizeof *s);
  if (!s) return NARYN_ENOMEM;
  r->sums = s;
  int nc = naryn_result_country_count(r);
  s->ngroups = nc + 1;
  s->node_group = calloc((size_t)m->nnodes + 1, sizeof *s->node_group);
  s->season = calloc((size_t)s->ngroups * NARYN_SEASON_COUNT, sizeof *s->season);
  s->term_values = calloc((size_t)m->nterms * (size_t)m->nnodes + 1,
                          sizeof *s->term_values);
  if (!s->node_group || !s->season || !s->term_values) return NARYN_ENOMEM;
  /* Every node's country is among the run's countries. */
  for (int g = 0; g < nc; g++) {
    const char *code = naryn_result_country(r, g);
    for (int i = 0; i < m->nnodes; i++)
      if (strcmp(m->nodes[i].country, code) == 0) s->node_group[i] = g;
  }
  return NARYN_OK;
}

int naryn__sums_add_step(naryn_result *r, int t, naryn_diags *d) {
  const naryn_model *m = r->m;
  naryn__sums *s = r->sums;
  int all = s->ngroups - 1;
  naryn_season half = season_of(m, t);
  /* Each total gets its nodes' figures step by step and, within a step,
  ** node by node: the order naryn_result_summary adds them in. */
  for (int i = 0; i < m->nnodes; i++) {
    naryn_summary *mine = &s->season[s->node_group[i] * NARYN_SEASON_COUNT];
    naryn_summary *every = &s->season[all * NARYN_SEASON_COUNT];
    naryn__summary_add(&mine[half], r, t, i);
    naryn__summary_add(&mine[NARYN_SEASON_ALL], r, t, i);
    naryn__summary_add(&every[half], r, t, i);
    naryn__summary_add(&every[NARYN_SEASON_ALL], r, t, i);
  }
  naryn__balance_system_add(r, t, s->system);
  if (naryn__sums_add_obs(r, t) != NARYN_OK)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return naryn__terms_add_step(r, t, s, d);
}
