/*
** cuts.c: the cut store of SDDP, the outer approximation of each stage's
** expected future cost.
**
** For stage t (0 .. n_stages - 1) the future cost theta is bounded below
** by Benders cuts, theta >= alpha + beta' x, where x is the state at the
** end of the stage (n_state numbers: reservoir storages, then past inflows
** for PAR states). With a single cut per iteration there is one theta per
** stage and a cut's outcome is -1; with multi-cut there is one theta per
** (stage, outcome) and a cut names its outcome (0, 1, ...). A cut also
** records the iteration that added it and whether it is active, that is
** held in the stage's LP.
**
** Invariants:
** - A stage keeps its cuts in the order they were added; a cut's index
**   never changes, and a smaller index is an older cut.
** - Each stage's cuts live in a few arrays grown by doubling (alpha,
**   beta row by row, outcome, iteration, active), never one allocation per
**   cut; likewise the stage's stored state points.
** - Cut selection (level-1 dominance, de Matos, Philpott and Finardi,
**   2015) keeps active exactly the cuts that are the highest of their
**   outcome's cuts at one or more of the stage's stored points, the oldest
**   of equals winning; with no points stored it keeps every cut. It
**   depends only on the cuts and points in their order, so the same cuts
**   and points give the same active set on any run, however the
**   selections were interleaved with the adding: each point remembers its
**   highest cuts, and a selection compares only what was added since the
**   last (de Matos et al.'s incremental form).
** - A cut's value alpha + beta' x is summed in the same order everywhere,
**   so the value of the cut set and the selection agree bit for bit.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

typedef struct stage_cuts {
  int n, cap;               /* cuts held and the room for them */
  double *alpha;            /* [cap] */
  double *beta;             /* [cap * n_state], one row per cut */
  int *outcome, *iteration; /* [cap] */
  unsigned char *active;    /* [cap] */
  int n_active;
  int max_outcome;          /* the largest outcome of a cut, -1 when none */
  int n_points, points_cap;
  double *points;           /* [points_cap * n_state] */
  /* What the last selection found, for the next to start from: the first
  ** sel_points points' highest cut (best_cut, -1 for none, and its value)
  ** in each of sel_groups outcome groups among the first sel_cuts cuts. */
  int sel_cuts, sel_points, sel_groups, best_cap;
  int *best_cut;            /* [best_cap * sel_groups] */
  double *best_value;       /* [best_cap * sel_groups] */
} stage_cuts;

struct naryn__cuts {
  int n_stages, n_state;
  int n_outcomes;            /* a cut's outcome is -1 or below this */
  uint64_t fingerprint;
  uint64_t problem;          /* the stage problems' hash (0: not known) */
  uint64_t problem_read;     /* the one of the file read into it (0: none) */
  char **names;             /* [n_state], owned */
  stage_cuts *stage;        /* [n_stages] */
};

static int nomem(naryn_diags *d) {
  return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
}

int naryn__cuts_new(int n_stages, int n_state, int n_outcomes, const char *const *state_names,
                    uint64_t fingerprint, naryn__cuts **out, naryn_diags *d) {
  *out = NULL;
  if (n_stages < 1 || n_state < 1 || n_outcomes < 1) return NARYN_EARG;
  naryn__cuts *c = calloc(1, sizeof *c);
  if (!c) return nomem(d);
  c->n_stages = n_stages;
  c->n_state = n_state;
  c->n_outcomes = n_outcomes;
  c->fingerprint = fingerprint;
  c->names = calloc((size_t)n_state, sizeof *c->names);
  c->stage = calloc((size_t)n_stages, sizeof *c->stage);
  if (!c->names || !c->stage) goto fail;
  for (int i = 0; i < n_state; i++) {
    const char *s = state_names && state_names[i] ? state_names[i] : "";
    size_t len = strlen(s);
    if (!(c->names[i] = malloc(len + 1))) goto fail;
    memcpy(c->names[i], s, len + 1);
  }
  for (int t = 0; t < n_stages; t++) c->stage[t].max_outcome = -1;
  *out = c;
  return NARYN_OK;
fail:
  naryn__cuts_free(c);
  return nomem(d);
}

void naryn__cuts_free(naryn__cuts *c) {
  if (!c) return;
  if (c->names)
    for (int i = 0; i < c->n_state; i++) free(c->names[i]);
  free(c->names);
  if (c->stage)
    for (int t = 0; t < c->n_stages; t++) {
      stage_cuts *s = &c->stage[t];
      free(s->alpha);
      free(s->beta);
      free(s->outcome);
      free(s->iteration);
      free(s->active);
      free(s->points);
      free(s->best_cut);
      free(s->best_value);
    }
  free(c->stage);
  free(c);
}

int naryn__cuts_stages(const naryn__cuts *c) { return c->n_stages; }
int naryn__cuts_states(const naryn__cuts *c) { return c->n_state; }
int naryn__cuts_outcomes(const naryn__cuts *c) { return c->n_outcomes; }
const char *naryn__cuts_state_name(const naryn__cuts *c, int i) { return c->names[i]; }
uint64_t naryn__cuts_fingerprint(const naryn__cuts *c) { return c->fingerprint; }
void naryn__cuts_set_problem(naryn__cuts *c, uint64_t h) { c->problem = h; }
uint64_t naryn__cuts_problem(const naryn__cuts *c) { return c->problem; }
void naryn__cuts_set_problem_read(naryn__cuts *c, uint64_t h) { c->problem_read = h; }
uint64_t naryn__cuts_problem_read(const naryn__cuts *c) { return c->problem_read; }

/* Makes room for 'need' cuts in stage s, doubling its arrays. Each array
** is reallocated in turn and kept when the next fails, so a failure leaves
** the stage as it was (with some arrays larger than cap). */
static int stage_room(stage_cuts *s, int n_state, int need) {
  if (need <= s->cap) return NARYN_OK;
  int cap = s->cap ? s->cap : 16;
  while (cap < need) cap *= 2;
  size_t k = (size_t)cap;
  void *p;
  if (!(p = realloc(s->alpha, k * sizeof *s->alpha))) return NARYN_ENOMEM;
  s->alpha = p;
  if (!(p = realloc(s->beta, k * (size_t)n_state * sizeof *s->beta))) return NARYN_ENOMEM;
  s->beta = p;
  if (!(p = realloc(s->outcome, k * sizeof *s->outcome))) return NARYN_ENOMEM;
  s->outcome = p;
  if (!(p = realloc(s->iteration, k * sizeof *s->iteration))) return NARYN_ENOMEM;
  s->iteration = p;
  if (!(p = realloc(s->active, k * sizeof *s->active))) return NARYN_ENOMEM;
  s->active = p;
  s->cap = cap;
  return NARYN_OK;
}

int naryn__cuts_add(naryn__cuts *c, int stage, int outcome, int iteration, double alpha,
                    const double *beta, naryn_diags *d) {
  if (stage < 0 || stage >= c->n_stages || outcome < -1 || outcome >= c->n_outcomes || !isfinite(alpha))
    return NARYN_EARG;
  for (int j = 0; j < c->n_state; j++)
    if (!isfinite(beta[j])) return NARYN_EARG;
  stage_cuts *s = &c->stage[stage];
  if (s->n == s->cap && stage_room(s, c->n_state, s->n + 1) != NARYN_OK) return nomem(d);
  int k = s->n++;
  s->alpha[k] = alpha;
  memcpy(s->beta + (size_t)k * (size_t)c->n_state, beta, (size_t)c->n_state * sizeof *beta);
  s->outcome[k] = outcome;
  s->iteration[k] = iteration;
  s->active[k] = 1;
  s->n_active++;
  if (outcome > s->max_outcome) s->max_outcome = outcome;
  return NARYN_OK;
}

int naryn__cuts_count(const naryn__cuts *c, int stage) { return c->stage[stage].n; }

naryn__cut naryn__cuts_get(const naryn__cuts *c, int stage, int i) {
  const stage_cuts *s = &c->stage[stage];
  naryn__cut cut;
  cut.alpha = s->alpha[i];
  cut.beta = s->beta + (size_t)i * (size_t)c->n_state;
  cut.outcome = s->outcome[i];
  cut.iteration = s->iteration[i];
  cut.active = s->active[i];
  return cut;
}

int naryn__cuts_active_count(const naryn__cuts *c, int stage) {
  return c->stage[stage].n_active;
}

int naryn__cuts_active(const naryn__cuts *c, int stage, int *idx) {
  const stage_cuts *s = &c->stage[stage];
  int n = 0;
  for (int i = 0; i < s->n; i++)
    if (s->active[i]) idx[n++] = i;
  return n;
}

/* The points a selection compares the cuts at together. */
#define SEL_BLOCK 4

/* alpha + beta' x, summed from the first state to the last. */
static double cut_at(const stage_cuts *s, int n_state, int i, const double *x) {
  const double *b = s->beta + (size_t)i * (size_t)n_state;
  double v = s->alpha[i];
  for (int j = 0; j < n_state; j++) v += b[j] * x[j];
  return v;
}

double naryn__cuts_value(const naryn__cuts *c, int stage, int outcome, const double *x,
                         int *which) {
  const stage_cuts *s = &c->stage[stage];
  double best = -HUGE_VAL;
  int arg = -1;
  for (int i = 0; i < s->n; i++) {
    if (!s->active[i] || s->outcome[i] != outcome) continue;
    double v = cut_at(s, c->n_state, i, x);
    if (arg < 0 || v > best) {
      best = v;
      arg = i;
    }
  }
  if (which) *which = arg;
  return best;
}

int naryn__cuts_add_point(naryn__cuts *c, int stage, const double *x, naryn_diags *d) {
  if (stage < 0 || stage >= c->n_stages) return NARYN_EARG;
  stage_cuts *s = &c->stage[stage];
  size_t row = (size_t)c->n_state * sizeof *s->points;
  if (s->n_points == s->points_cap) {
    int cap = s->points_cap ? 2 * s->points_cap : 16;
    double *p = realloc(s->points, (size_t)cap * row);
    if (!p) return nomem(d);
    s->points = p;
    s->points_cap = cap;
  }
  memcpy(s->points + (size_t)s->n_points * (size_t)c->n_state, x, row);
  s->n_points++;
  return NARYN_OK;
}

int naryn__cuts_points(const naryn__cuts *c, int stage) { return c->stage[stage].n_points; }

const double *naryn__cuts_point(const naryn__cuts *c, int stage, int p) {
  return c->stage[stage].points + (size_t)p * (size_t)c->n_state;
}

/* Level-1 dominance for one stage. Each point keeps the highest cut of
** each outcome group (outcome -1 is group 0) found so far, the first, so
** the oldest, of equals: a selection compares only the cuts added since
** the last at the points it has seen, and every cut at the points added
** since, which gives what comparing every cut at every point gives, bit
** for bit. The active cuts are those highest somewhere. */
int naryn__cuts_select(naryn__cuts *c, int stage, naryn_diags *d) {
  if (stage < 0 || stage >= c->n_stages) return NARYN_EARG;
  stage_cuts *s = &c->stage[stage];
  if (s->n_points == 0 || s->n == 0) {
    if (s->n > 0) memset(s->active, 1, (size_t)s->n);
    s->n_active = s->n;
    return NARYN_OK;
  }
  int groups = s->max_outcome + 2;
  if (groups != s->sel_groups || s->n_points > s->best_cap) {
    /* Room for every point's groups; new outcome groups start afresh. */
    int cap = s->points_cap;
    size_t k = (size_t)cap * (size_t)groups;
    int *bc = realloc(s->best_cut, k * sizeof *bc);
    if (bc) s->best_cut = bc;
    double *bv = bc ? realloc(s->best_value, k * sizeof *bv) : NULL;
    if (bv) s->best_value = bv;
    if (!bc || !bv) {
      s->sel_cuts = s->sel_points = s->sel_groups = s->best_cap = 0;
      return nomem(d);
    }
    if (groups != s->sel_groups) s->sel_cuts = s->sel_points = 0;
    s->sel_groups = groups;
    s->best_cap = cap;
  }
  int n = c->n_state;
  for (int p = 0; p < s->n_points;) {
    /* A selection from nothing compares every cut at every point (some
    ** seconds for a long run's resumed log): Ctrl-C stops it between
    ** points, and the run, which writes nothing then. */
    if (naryn_interrupted()) return naryn__interrupted(d);
    /* Up to SEL_BLOCK points that start from the same cut at once, each
    ** cut's slopes read once for all of them: each point's value is still
    ** summed alone and in cut_at's order, and its cuts taken in turn, so
    ** the highest are the same, bit for bit; a resumed log's first
    ** selection took half the time. Points seen by the last selection
    ** start from the cuts added since; new ones from the first. */
    int seen = p < s->sel_points, from = seen ? s->sel_cuts : 0;
    int k = (seen ? s->sel_points : s->n_points) - p;
    if (k > SEL_BLOCK) k = SEL_BLOCK;
    const double *x[SEL_BLOCK];
    int *arg[SEL_BLOCK];
    double *best[SEL_BLOCK];
    for (int a = 0; a < k; a++) {
      x[a] = s->points + (size_t)(p + a) * (size_t)n;
      arg[a] = s->best_cut + (size_t)(p + a) * (size_t)groups;
      best[a] = s->best_value + (size_t)(p + a) * (size_t)groups;
      if (!seen)
        for (int g = 0; g < groups; g++) arg[a][g] = -1;
    }
    for (int i = from; i < s->n; i++) {
      int g = s->outcome[i] + 1;
      const double *b = s->beta + (size_t)i * (size_t)n;
      double v[SEL_BLOCK];
      if (k == SEL_BLOCK) {
        double v0 = s->alpha[i], v1 = v0, v2 = v0, v3 = v0;
        const double *x0 = x[0], *x1 = x[1], *x2 = x[2], *x3 = x[3];
        for (int j = 0; j < n; j++) {
          v0 += b[j] * x0[j];
          v1 += b[j] * x1[j];
          v2 += b[j] * x2[j];
          v3 += b[j] * x3[j];
        }
        v[0] = v0, v[1] = v1, v[2] = v2, v[3] = v3;
      } else {
        for (int a = 0; a < k; a++) v[a] = cut_at(s, n, i, x[a]);
      }
      for (int a = 0; a < k; a++)
        if (arg[a][g] < 0 || v[a] > best[a][g]) {
          best[a][g] = v[a];
          arg[a][g] = i;
        }
    }
    p += k;
  }
  s->sel_cuts = s->n;
  s->sel_points = s->n_points;
  memset(s->active, 0, (size_t)s->n);
  for (size_t k = 0; k < (size_t)s->n_points * (size_t)groups; k++)
    if (s->best_cut[k] >= 0) s->active[s->best_cut[k]] = 1;
  s->n_active = 0;
  for (int i = 0; i < s->n; i++) s->n_active += s->active[i];
  return NARYN_OK;
}
