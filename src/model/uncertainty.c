/*
** uncertainty.c: the inflows a policy must be good across: the optional
** "uncertainty" section of a model (doc/model-format.md, "Uncertainty").
**
** Each stage (step) of an SDDP policy draws one of a finite set of inflow
** outcomes, the same set in every stage and independently of the stages
** before: each outcome has a probability and scales the inflow of every
** inflow node by a factor, one factor for all of them or one per node
** named (the others keep a factor of 1). The probabilities must be above
** 0 and sum to 1; the factors must be from 0 to 100. A discount makes the
** policy cyclic: its first cycle_steps steps (all by default) repeat
** forever, each round's cost discounted; base_inflow "monthly_mean" has
** the outcomes scale the mean inflow of the step's calendar month over
** the horizon rather than the step's own. In place of the outcomes,
** "inflows" names a PAR model of naryn inflows whose past flows are
** states of the policy (model/par_inflows.c). "prices" adds a Markov
** chain of energy prices (model/prices.c).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

typedef naryn__reader reader;

static const char *const section_fields[] = {"outcomes", "inflows", "prices", "discount",
                                              "cycle_steps", "base_inflow", "description",
                                              "source", "notes", NULL};
static const char *const outcome_fields[] = {"probability", "inflow_factor", "name",
                                             "description", "source", "notes", NULL};

/* The largest factor on an inflow: a hundred times the flow of a step
** already turns any drought into a flood; a larger one is a mistake (a
** percentage typed as a factor). */
#define MAX_FACTOR 100.0

/* Reads outcome k's factors into f (nnodes, 1 where not given). */
static int read_factors(reader *r, const naryn__doc *o, const char *w, double *f) {
  const naryn_model *m = r->m;
  char at[256], got[128];
  for (int i = 0; i < m->nnodes; i++) f[i] = 1.0;
  const naryn__doc *v = naryn__read_get(o, "inflow_factor");
  snprintf(at, sizeof at, "%s.inflow_factor", w);
  if (!v)
    return naryn__read_fail(r, o, w, "expected a field \"inflow_factor\" (a "
                            "number, or a factor per inflow node), got none");
  if (v->kind == NARYN__DOC_SCALAR) {
    double x;
    if (naryn__read_number(r, o, "inflow_factor", w, &x) != 0) return -1;
    if (!(x >= 0) || x > MAX_FACTOR)
      return naryn__read_fail(r, v, at, "expected a factor from 0 to %g, got %g",
                              MAX_FACTOR, x);
    for (int i = 0; i < m->nnodes; i++) f[i] = x;
    return 0;
  }
  if (v->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, v, at, "expected a number, or a factor per "
                            "inflow node, got %s",
                            naryn__doc_describe(v, got, sizeof got));
  int rc = 0;
  for (int k = 0; k < v->n; k++) {
    const char *name = v->keys[k]->str;
    int i = naryn_model_node_index(m, name);
    if (i < 0 || m->nodes[i].type != NARYN_NODE_INFLOW) {
      rc = naryn__read_fail(r, v->keys[k], at, "expected the name of an inflow "
                            "node, got \"%s\"", name);
      continue;
    }
    double x;
    char fw[320];
    snprintf(fw, sizeof fw, "%s.%s", at, name);
    if (naryn__read_number(r, v, name, at, &x) != 0) {
      rc = -1;
      continue;
    }
    if (!(x >= 0) || x > MAX_FACTOR)
      rc = naryn__read_fail(r, v->vals[k], fw, "expected a factor from 0 to %g, got %g",
                            MAX_FACTOR, x);
    f[i] = x;
  }
  return rc;
}

int naryn__model_read_uncertainty(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *u = naryn__read_get(root, "uncertainty");
  char got[128], w[64];
  if (!u) return 0;
  if (u->kind != NARYN__DOC_MAP)
    return naryn__read_fail(r, u, "uncertainty", "expected a map with a list "
                            "of \"outcomes\", got %s",
                            naryn__doc_describe(u, got, sizeof got));
  naryn__read_check_keys(r, u, "uncertainty", section_fields);
  int rc = 0;
  /* A cyclic policy: its discount, the steps of its cycle, and the inflow
  ** its outcomes scale. */
  double x = 0.0;
  if (naryn__read_number(r, u, "discount", "uncertainty", &x) == 0) {
    if (!(x > 0 && x < 1))
      rc = naryn__read_fail(r, naryn__read_get(u, "discount"), "uncertainty.discount",
                            "expected a discount factor above 0 and below 1 (a cycle "
                            "with a discount of 1 would never end), got %g", x);
    m->outcome_discount = x;
  }
  x = NAN;
  if (naryn__read_number(r, u, "cycle_steps", "uncertainty", &x) == 0) {
    if (!(x >= 1 && x <= m->nsteps && x == floor(x)))
      rc = naryn__read_fail(r, naryn__read_get(u, "cycle_steps"), "uncertainty.cycle_steps",
                            "expected a whole number of steps from 1 to the horizon's %d, "
                            "got %g", m->nsteps, x);
    else if (!(m->outcome_discount > 0))
      rc = naryn__read_fail(r, naryn__read_get(u, "cycle_steps"), "uncertainty.cycle_steps",
                            "expected a discount with cycle_steps: a cycle repeats forever, "
                            "its future discounted each round");
    else
      m->outcome_cycle = (int)x;
  }
  const char *base = NULL;
  if (naryn__read_string(r, u, "base_inflow", "uncertainty", &base) == 0) {
    if (strcmp(base, "monthly_mean") == 0)
      m->outcome_base_mean = 1;
    else if (strcmp(base, "model") != 0)
      rc = naryn__read_fail(r, naryn__read_get(u, "base_inflow"), "uncertainty.base_inflow",
                            "expected \"model\" (each step's own inflow) or "
                            "\"monthly_mean\" (the mean over the horizon of the "
                            "step's calendar month), got \"%s\"", base);
  }
  /* Prices that follow a Markov chain. */
  if (naryn__read_get(u, "prices") && naryn__model_read_prices(r, u) != 0) rc = -1;
  /* Inflows that remember their past, or factors drawn independently. */
  if (naryn__read_get(u, "inflows"))
    return naryn__model_read_par(r, u) != 0 || rc != 0 ? -1 : 0;
  const naryn__doc *list = naryn__read_get(u, "outcomes");
  if (!list || list->kind != NARYN__DOC_SEQ || list->n == 0)
    return naryn__read_fail(r, list ? list : u, "uncertainty.outcomes",
                            "expected a list of at least one outcome, each with "
                            "a probability and an inflow_factor, got %s",
                            list ? naryn__doc_describe(list, got, sizeof got) : "none");
  int n = list->n;
  m->outcome_p = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->outcome_p);
  m->outcome_factor =
      naryn__arena_alloc(r->a, (size_t)n * (size_t)m->nnodes * sizeof *m->outcome_factor + 1);
  if (!m->outcome_p || !m->outcome_factor) return naryn__read_oom(r);
  double sum = 0.0;
  for (int k = 0; k < n; k++) {
    const naryn__doc *o = list->vals[k];
    snprintf(w, sizeof w, "uncertainty.outcomes[%d]", k);
    if (o->kind != NARYN__DOC_MAP) {
      rc = naryn__read_fail(r, o, w, "expected an outcome with a probability "
                            "and an inflow_factor, got %s",
                            naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    naryn__read_check_keys(r, o, w, outcome_fields);
    double pr = NAN;
    if (naryn__read_number(r, o, "probability", w, &pr) == 1)
      rc = naryn__read_fail(r, o, w, "expected a field \"probability\", got none");
    else if (!(pr > 0 && pr <= 1))
      rc = naryn__read_fail(r, naryn__read_get(o, "probability"), w,
                            "expected a probability above 0 and at most 1, got %g", pr);
    m->outcome_p[k] = pr;
    if (!isnan(pr)) sum += pr;
    if (read_factors(r, o, w, m->outcome_factor + (size_t)k * m->nnodes) != 0) rc = -1;
  }
  if (rc == 0 && fabs(sum - 1.0) > 1e-9)
    rc = naryn__read_fail(r, list, "uncertainty.outcomes",
                          "expected probabilities that sum to 1, got %.12g", sum);
  if (rc == 0) m->noutcomes = n;
  return rc;
}
