/*
** prices.c: energy prices that follow a Markov chain, for a policy: the
** "prices" of a model's uncertainty section (doc/model-format.md,
** "Uncertainty"; doc/sddp.md, "Prices that follow a Markov chain").
**
** Each step the energy prices are in one of a few states (a dear year on
** the regional market, a cheap one). State k scales every energy price of
** the model by its factor, one number or one per calendar month: the
** value_per_mwh of energy terms and the import and export prices of the
** grids' markets. The costs of fuel (thermal plants), of unserved energy
** and of water are left as they are. The state of the next step is drawn
** from row k of the transition matrix, whatever came before; the first
** step's state is the section's "initial" (the first state by default).
**
** A policy has a stage problem per step and state, built from a copy of
** the model whose prices are scaled (naryn__model_price_variant): the same
** mapping of the network to rows and columns, only the costs differ.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

static const char *const prices_fields[] = {"states", "transition", "initial", "description",
                                            "source", "notes", NULL};
static const char *const state_fields[] = {"name", "factor", "description", "source", "notes",
                                           NULL};

static const char *const month_names[12] = {"January", "February", "March",     "April",
                                            "May",     "June",     "July",      "August",
                                            "September", "October", "November", "December"};

/* The largest factor on a price: a hundred times a price is no longer the
** same market (a percentage typed as a factor). */
#define MAX_PRICE_FACTOR 100.0

/* Reads state k's factor, a number or twelve monthly values, into f[12]. */
static int read_factor(reader *r, const naryn__doc *o, const char *w, double *f) {
  char at[96], got[128];
  snprintf(at, sizeof at, "%s.factor", w);
  const naryn__doc *v = naryn__read_get(o, "factor");
  if (!v)
    return naryn__read_fail(r, o, w, "expected a field \"factor\" (a number, or twelve "
                            "monthly values, from January), got none");
  int n = v->kind == NARYN__DOC_SCALAR ? 1 : v->kind == NARYN__DOC_SEQ ? v->n : 0;
  if (n != 1 && n != 12)
    return naryn__read_fail(r, v, at, "expected a number, or twelve monthly values from "
                            "January, got %s", naryn__doc_describe(v, got, sizeof got));
  for (int c = 0; c < 12; c++) {
    const naryn__doc *x = n == 1 ? v : v->vals[c];
    double y;
    if (naryn__doc_number(x, &y) != 0)
      return naryn__read_fail(r, x, at, "expected a number, got %s",
                              naryn__doc_describe(x, got, sizeof got));
    if (!(y >= 0) || y > MAX_PRICE_FACTOR)
      return naryn__read_fail(r, x, at, "expected a factor on the prices from 0 to %g, "
                              "got %g", MAX_PRICE_FACTOR, y);
    f[c] = y;
  }
  return 0;
}

/* 1 when the model has an energy price a chain scales. */
static int has_prices(const naryn_model *m) {
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_ENERGY && m->terms[k].price) return 1;
  return m->nmarkets > 0;
}

int naryn__model_read_prices(reader *r, const naryn__doc *u) {
  naryn_model *m = r->m;
  const naryn__doc *pc = naryn__read_get(u, "prices");
  char got[128], w[64];
  if (pc->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, pc, "uncertainty.prices", "expected a map with a list of "
                            "\"states\" and a \"transition\" matrix, got %s",
                            naryn__doc_describe(pc, got, sizeof got));
  naryn__read_check_keys(r, pc, "uncertainty.prices", prices_fields);
  if (!has_prices(m))
    return naryn__read_fail(r, pc, "uncertainty.prices", "expected energy prices for the "
                            "chain to scale (an energy term's value_per_mwh or a grid "
                            "market's prices), got none in the model");
  const naryn__doc *list = naryn__read_get(pc, "states");
  if (!list || list->kind != NARYN__DOC_SEQ || list->n < 1 || list->n > NARYN__MAX_PRICE_STATES)
    return naryn__read_fail(r, list ? list : pc, "uncertainty.prices.states",
                            "expected a list of 1 to %d states, each with a name and a "
                            "factor, got %s", NARYN__MAX_PRICE_STATES,
                            list ? naryn__doc_describe(list, got, sizeof got) : "none");
  int n = list->n, rc = 0;
  naryn__prices *pr = naryn__arena_alloc(r->a, sizeof *pr);
  if (!pr) return naryn__read_oom(r);
  pr->n = n;
  pr->name = naryn__arena_alloc(r->a, (size_t)n * sizeof *pr->name);
  pr->factor = naryn__arena_alloc(r->a, (size_t)n * 12 * sizeof *pr->factor);
  pr->p = naryn__arena_alloc(r->a, 12 * (size_t)n * (size_t)n * sizeof *pr->p);
  if (!pr->name || !pr->factor || !pr->p) return naryn__read_oom(r);
  for (int k = 0; k < n; k++) {
    const naryn__doc *o = list->vals[k];
    snprintf(w, sizeof w, "uncertainty.prices.states[%d]", k);
    pr->name[k] = NULL;
    if (o->kind != NARYN__DOC_MAP) {
      rc = naryn__read_fail(r, o, w, "expected a state with a name and a factor, got %s",
                            naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, state_fields);
    int got_name = naryn__read_string(r, o, "name", w, &pr->name[k]);
    if (got_name != 0 || !pr->name[k][0]) {
      if (got_name >= 0)
        rc = naryn__read_fail(r, naryn__read_get(o, "name") ? naryn__read_get(o, "name") : o,
                              w, "expected a field \"name\" (the state's name, such as "
                              "\"dear\"), got none");
      rc = -1;
      pr->name[k] = NULL;
    }
    for (int j = 0; j < k && pr->name[k]; j++)
      if (pr->name[j] && strcmp(pr->name[j], pr->name[k]) == 0)
        rc = naryn__read_fail(r, naryn__read_get(o, "name"), w,
                              "expected a name no other state has, got \"%s\", the name of "
                              "states[%d]", pr->name[k], j);
    if (read_factor(r, o, w, pr->factor + (size_t)k * 12) != 0) rc = -1;
  }
  /* The transition matrix: a row per state, each summing to 1; or twelve
  ** of them, from January, one for the steps of each calendar month. */
  const naryn__doc *tm = naryn__read_get(pc, "transition");
  int monthly = tm && tm->kind == NARYN__DOC_SEQ && tm->n > 0 &&
                tm->vals[0]->kind == NARYN__DOC_SEQ && tm->vals[0]->n > 0 &&
                tm->vals[0]->vals[0]->kind == NARYN__DOC_SEQ;
  if (monthly && tm->n != 12)
    return naryn__read_fail(r, tm, "uncertainty.prices.transition",
                            "expected twelve transition matrices, one per calendar month "
                            "from January, got %s", naryn__doc_describe(tm, got, sizeof got));
  if (!tm || tm->kind != NARYN__DOC_SEQ || (!monthly && tm->n != n))
    return naryn__read_fail(r, tm ? tm : pc, "uncertainty.prices.transition",
                            "expected a transition matrix of %d rows (one per state, the "
                            "chances of each state the step after), or twelve such matrices, "
                            "one per month from January, got %s", n,
                            tm ? naryn__doc_describe(tm, got, sizeof got) : "none");
  pr->monthly = monthly;
  for (int c = 0; c < 12; c++) {
    if (!monthly && c > 0) {
      memcpy(pr->p + (size_t)c * n * n, pr->p, (size_t)n * n * sizeof *pr->p);
      continue;
    }
    const naryn__doc *mat = monthly ? tm->vals[c] : tm;
    char mw[48];
    if (monthly)
      snprintf(mw, sizeof mw, "uncertainty.prices.transition[%d]", c);
    else
      snprintf(mw, sizeof mw, "uncertainty.prices.transition");
    if (monthly && (mat->kind != NARYN__DOC_SEQ || mat->n != n)) {
      rc = naryn__read_fail(r, mat, mw, "expected a transition matrix of %d rows for the "
                            "steps of %s, got %s", n, month_names[c],
                            naryn__doc_describe(mat, got, sizeof got));
      continue;
    }
    for (int i = 0; i < n; i++) {
      const naryn__doc *row = mat->vals[i];
      snprintf(w, sizeof w, "%s[%d]", mw, i);
      if (row->kind != NARYN__DOC_SEQ || row->n != n) {
        rc = naryn__read_fail(r, row, w, "expected a row of %d probabilities, got %s", n,
                              naryn__doc_describe(row, got, sizeof got));
        continue;
      }
      double sum = 0.0;
      for (int j = 0; j < n; j++) {
        const naryn__doc *x = row->vals[j];
        double y = NAN;
        if (naryn__doc_number(x, &y) != 0 || !(y >= 0 && y <= 1)) {
          rc = naryn__read_fail(r, x, w, "expected a probability from 0 to 1, got %s",
                                naryn__doc_describe(x, got, sizeof got));
          y = 0.0;
        }
        pr->p[((size_t)c * n + i) * n + j] = y;
        sum += y;
      }
      if (rc == 0 && fabs(sum - 1.0) > 1e-9)
        rc = naryn__read_fail(r, row, w, "expected probabilities that sum to 1 (the chances "
                              "of every state the step after a step%s%s in \"%s\"), got %.12g",
                              monthly ? " of " : "", monthly ? month_names[c] : "", pr->name[i],
                              sum);
    }
  }
  pr->initial = 0;
  const char *init = NULL;
  if (naryn__read_string(r, pc, "initial", "uncertainty.prices", &init) == 0) {
    pr->initial = -1;
    for (int k = 0; k < n; k++)
      if (pr->name[k] && strcmp(pr->name[k], init) == 0) pr->initial = k;
    if (pr->initial < 0)
      rc = naryn__read_fail(r, naryn__read_get(pc, "initial"), "uncertainty.prices.initial",
                            "expected the name of one of the %d states, got \"%s\"", n, init);
  }
  if (rc == 0) m->prices = pr;
  return rc;
}

int naryn__prices_next(const naryn__prices *pc, int k, int month, double u) {
  const double *row = pc->p + ((size_t)(month - 1) * pc->n + k) * pc->n;
  double c = 0.0;
  int last = k;
  for (int j = 0; j < pc->n; j++) {
    if (!(row[j] > 0)) continue;
    last = j;
    if (u < (c += row[j])) return j;
  }
  return last; /* u beyond the sum by rounding: the last state it reaches */
}

/* What a variant owns: its terms' and markets' arrays and their prices. */
typedef struct owned {
  naryn_model model; /* first, so that the variant's address is this */
  naryn__term *terms;
  naryn__market *markets;
  double *prices;
} owned;

naryn_model *naryn__model_price_variant(const naryn_model *m, const double *factor) {
  size_t T = (size_t)m->nsteps, count = 0;
  for (int k = 0; k < m->nterms; k++)
    if (m->terms[k].kind == NARYN__TERM_ENERGY && m->terms[k].price) count++;
  for (int k = 0; k < m->nmarkets; k++)
    count += (m->markets[k].import_price_per_mwh.v != NULL) +
             (m->markets[k].export_price_per_mwh.v != NULL);
  owned *o = calloc(1, sizeof *o);
  if (!o) return NULL;
  o->model = *m;
  o->terms = malloc(((size_t)m->nterms + 1) * sizeof *o->terms);
  o->markets = malloc(((size_t)m->nmarkets + 1) * sizeof *o->markets);
  o->prices = malloc((count * T + 1) * sizeof *o->prices);
  if (!o->terms || !o->markets || !o->prices) {
    naryn__model_variant_free(&o->model);
    return NULL;
  }
  if (m->nterms) memcpy(o->terms, m->terms, (size_t)m->nterms * sizeof *o->terms);
  if (m->nmarkets) memcpy(o->markets, m->markets, (size_t)m->nmarkets * sizeof *o->markets);
  double *next = o->prices;
  /* A price series scaled step by step into the variant's own array. */
#define SCALED(v)                                                  \
  do {                                                             \
    for (size_t t = 0; t < T; t++) next[t] = (v)[t] * factor[t];   \
    (v) = next;                                                    \
    next += T;                                                     \
  } while (0)
  for (int k = 0; k < m->nterms; k++)
    if (o->terms[k].kind == NARYN__TERM_ENERGY && o->terms[k].price) SCALED(o->terms[k].price);
  for (int k = 0; k < m->nmarkets; k++) {
    if (o->markets[k].import_price_per_mwh.v) SCALED(o->markets[k].import_price_per_mwh.v);
    if (o->markets[k].export_price_per_mwh.v) SCALED(o->markets[k].export_price_per_mwh.v);
  }
#undef SCALED
  o->model.terms = o->terms;
  o->model.markets = o->markets;
  return &o->model;
}

void naryn__model_variant_free(naryn_model *v) {
  if (!v) return;
  owned *o = (owned *)v;
  free(o->terms);
  free(o->markets);
  free(o->prices);
  free(o);
}
