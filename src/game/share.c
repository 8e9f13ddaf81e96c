/*
** share.c: benefit sharing between the countries of a basin, as a
** cooperative game played with the perfect-foresight optimiser.
**
** The players are the countries that own the model's nodes. A country's
** benefit in a plan is the model's objective terms over its own nodes:
** the value of its energy less the cost of its shortages, shortfalls,
** spills and end storage, per year. Where the model has grids, a grid
** term counts for the country of the grid, and energy trade is part of
** cooperation: an interconnector carries energy only between members of
** the coalition that plans (opt.c), so the baseline has none, and the
** exchange is the plan's flows over the lines by season.
**
** The baseline, with no cooperation, is found by the countries planning
** in turn, upstream first (or in an order the caller gives). Each
** optimises its own benefit over what it owns, while the countries that
** planned before keep what they decided (storage paths and withdrawals)
** and those still to plan take nothing and hold their reservoirs at their
** initial storage. The upstream country thus optimises its own power and
** releases what that implies; each country after it takes what arrives.
** The baseline plan is the plan of the last to plan.
**
** A coalition S co-ordinates everything its members own while the others
** keep their baseline actions (naryn__hold); v(S) is its members' benefit
** in that plan. Since S could always repeat the baseline, a plan worth
** less than S's baseline benefit (the successive LP can stop at a local
** optimum) is replaced by the baseline and marked so. The coalitions are
** independent and are optimised in parallel, each on its own thread with
** its own LP; a coalition's value never depends on how many run at once.
**
** From the values: the Shapley value, the nucleolus and an equal split of
** the gain (game/tu.c), whether the core is empty, and the checks made on
** every run: efficiency, individual rationality, whether each allocation
** is in the core, superadditivity (every violation listed), and whether
** any country could gain by leaving the baseline on its own.
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../naryn_int.h"

#define MAXP NARYN__GAME_MAX_PLAYERS
/* Most sweeps of turns in the search for the baseline. */
#define MAX_SWEEPS 8

typedef struct violation {
  unsigned a, b;
  double shortfall;
} violation;

struct naryn_game {
  const naryn_model *m;
  int n;
  const char *player[MAXP];
  int order_given;           /* 1 when the caller set the planning order */
  double years;
  unsigned full;             /* the grand coalition's mask */
  double *v;                 /* [mask] value per year */
  double *benefit;           /* [mask * n + i] player i's benefit in S's plan */
  unsigned char *kept;       /* [mask] 1: the baseline was kept */
  double *broken_hm3;        /* [mask] held actions given up */
  int *passes;               /* [mask] successive-LP passes */
  double base[MAXP];         /* baseline benefit per year */
  double alloc[NARYN_ALLOC_COUNT][MAXP];
  double least_core;         /* per year; the core is empty below -tol */
  int nucleolus_lps;
  double tol;                /* for the game's values: see allocate() */
  double tol_opt_rel;        /* the optimiser's relative tolerance */
  int sweeps, settled;       /* of the baseline's turns */
  int core_empty;
  violation *viol;
  int nviol, capviol;
  double winter_price[MAXP]; /* currency per MWh of winter energy */
  naryn_result *baseline, *grand;
};

static const char *const alloc_names[NARYN_ALLOC_COUNT] = {
    "baseline", "grand_plan", "shapley", "nucleolus", "equal_gain"};

const char *naryn_allocation_name(naryn_allocation a) {
  return (int)a >= 0 && a < NARYN_ALLOC_COUNT ? alloc_names[a] : NULL;
}

void naryn_share_opts_init(naryn_share_opts *o) {
  memset(o, 0, sizeof *o);
  naryn_opt_opts_init(&o->opt);
}

/* ====================================================================== */
/* Players and their order                                                 */
/* ====================================================================== */

/* Index of a country among the players, or -1. */
static int player_of(const naryn_game *g, const char *code) {
  for (int i = 0; i < g->n; i++)
    if (strcmp(g->player[i], code) == 0) return i;
  return -1;
}

/* 1 for a node with something to decide: a reservoir, plant or demand. */
static int acts(const naryn__node *n) {
  return n->type == NARYN_NODE_RESERVOIR || n->type == NARYN_NODE_DEMAND ||
         n->type == NARYN_NODE_HYDROPOWER;
}

/* A binary min-heap of node indices, for taking the first ready node in
** model order in logarithmic time. */
static void heap_push(int *heap, int *n, int v) {
  int i = (*n)++;
  while (i > 0 && heap[(i - 1) / 2] > v) {
    heap[i] = heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  heap[i] = v;
}

static int heap_pop(int *heap, int *n) {
  int top = heap[0], v = heap[--*n], i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= *n) break;
    if (c + 1 < *n && heap[c + 1] < heap[c]) c++;
    if (heap[c] >= v) break;
    heap[i] = heap[c];
    i = c;
  }
  if (*n > 0) heap[i] = v;
  return top;
}

/* Each node's place from upstream to downstream: links and return flows
** in topological order, ties broken by the order of the model file. A
** loop (through a reservoir) leaves nodes that never become ready; the
** first of them in model order is then taken as if it were. */
static int upstream_rank(const naryn_model *m, int *rank) {
  int N = m->nnodes;
  int *indeg = calloc((size_t)N + 1, sizeof *indeg);
  int *heap = malloc(((size_t)N + 1) * sizeof *heap);
  unsigned char *done = calloc((size_t)N + 1, 1);
  if (!indeg || !done || !heap) {
    free(indeg), free(done), free(heap);
    return NARYN_ENOMEM;
  }
  for (int l = 0; l < m->nlinks; l++) indeg[m->links[l].to]++;
  for (int i = 0; i < N; i++)
    if (m->nodes[i].type == NARYN_NODE_DEMAND && m->nodes[i].return_to >= 0)
      indeg[m->nodes[i].return_to]++;
  int nheap = 0, first_left = 0;
  for (int i = 0; i < N; i++)
    if (indeg[i] == 0) heap_push(heap, &nheap, i);
  for (int k = 0; k < N; k++) {
    int pick = -1;
    while (pick < 0 && nheap > 0) {
      pick = heap_pop(heap, &nheap);
      if (done[pick]) pick = -1;
    }
    if (pick < 0) {
      while (done[first_left]) first_left++;
      pick = first_left;
    }
    done[pick] = 1;
    rank[pick] = k;
    const naryn__node *n = &m->nodes[pick];
    for (int j = 0; j < n->n_out; j++)
      if (--indeg[m->links[n->out[j]].to] == 0)
        heap_push(heap, &nheap, m->links[n->out[j]].to);
    if (n->type == NARYN_NODE_DEMAND && n->return_to >= 0 &&
        --indeg[n->return_to] == 0)
      heap_push(heap, &nheap, n->return_to);
  }
  free(indeg);
  free(heap);
  free(done);
  return NARYN_OK;
}

/* Finds the players (the model's countries that own nodes, in the model's
** order, then others named by nodes) and puts them in planning order. */
static int find_players(naryn_game *g, const naryn_share_opts *o,
                        naryn_diags *d) {
  const naryn_model *m = g->m;
  char w[192];
  int rc = NARYN_OK;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if ((n->type == NARYN_NODE_RESERVOIR || n->type == NARYN_NODE_DEMAND) &&
        n->country[0] == '\0') {
      const naryn__doc *at = naryn__field_pos(n->doc, "country");
      rc = naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, at ? at->file : NULL,
                       at ? at->line : 0, at ? at->col : 0,
                       naryn__node_where(n, "country", w, sizeof w),
                       "benefit sharing needs the country that owns every "
                       "reservoir and demand; this one names none");
    }
  }
  if (rc != NARYN_OK) return rc;
  const char *seen[256];
  int nseen = 0;
  for (int c = 0; c < m->ncountries; c++)
    for (int i = 0; i < m->nnodes; i++)
      if (strcmp(m->nodes[i].country, m->country_codes[c]) == 0) {
        if (nseen < 256) seen[nseen++] = m->country_codes[c];
        break;
      }
  for (int i = 0; i < m->nnodes; i++) {
    const char *c = m->nodes[i].country;
    int known = c[0] == '\0';
    for (int k = 0; k < nseen && !known; k++) known = strcmp(seen[k], c) == 0;
    if (!known && nseen < 256) seen[nseen++] = c;
  }
  if (nseen < 2 || nseen > MAXP)
    return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, m->path, 0, 0,
                       "countries",
                       "benefit sharing needs from 2 to %d countries owning "
                       "the model's nodes; this model has %d", MAXP, nseen);
  g->n = nseen;
  if (o->order) {
    g->order_given = 1;
    if (o->norder != nseen)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "order",
                         "expected the %d countries of the model, each once; "
                         "%d were given", nseen, o->norder);
    for (int k = 0; k < nseen; k++) {
      int found = -1;
      for (int j = 0; j < nseen; j++)
        if (o->order[k] && strcmp(o->order[k], seen[j]) == 0) found = j;
      for (int j = 0; j < k && found >= 0; j++)
        if (strcmp(g->player[j], seen[found]) == 0) found = -1;
      if (found < 0)
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "order",
                           "\"%s\" is not a country of the model, or is named "
                           "twice; expected each of its %d countries once",
                           o->order[k] ? o->order[k] : "", nseen);
      g->player[k] = seen[found];
    }
    return NARYN_OK;
  }
  int *rank = malloc(((size_t)m->nnodes + 1) * sizeof *rank);
  if (!rank || upstream_rank(m, rank) != NARYN_OK) {
    free(rank);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  int first[256];
  for (int k = 0; k < nseen; k++) {
    first[k] = m->nnodes + 1;
    for (int i = 0; i < m->nnodes; i++)
      if (strcmp(m->nodes[i].country, seen[k]) == 0 && acts(&m->nodes[i]) &&
          rank[i] < first[k])
        first[k] = rank[i];
  }
  free(rank);
  /* A stable insertion sort on the first acting node's rank. */
  for (int k = 0; k < nseen; k++) {
    int j = k;
    const char *c = seen[k];
    int f = first[k];
    while (j > 0 && first[j - 1] > f) {
      seen[j] = seen[j - 1], first[j] = first[j - 1];
      j--;
    }
    seen[j] = c, first[j] = f;
  }
  for (int k = 0; k < nseen; k++) g->player[k] = seen[k];
  return NARYN_OK;
}

/* ====================================================================== */
/* Benefits                                                                */
/* ====================================================================== */

/* Player i's benefit in plan r, per year: its terms, weighted, benefits
** less costs. */
static double benefit_of(const naryn_game *g, const naryn_result *r, int i) {
  const naryn_model *m = g->m;
  double sum = 0.0;
  for (int k = 0; k < m->nterms; k++) {
    double w = m->terms[k].weight;
    if (w == 0) continue;
    double t = naryn__term_value(r, k, g->player[i], NULL);
    sum += NARYN__TERM_BENEFIT(m->terms[k].kind) ? w * t : -w * t;
  }
  return sum / g->years;
}

/* Marks the nodes of the players in mask S. */
static void mark_nodes(const naryn_game *g, unsigned S, unsigned char *plans) {
  const naryn_model *m = g->m;
  for (int i = 0; i < m->nnodes; i++) {
    int p = player_of(g, m->nodes[i].country);
    plans[i] = p >= 0 && (S >> p & 1u);
  }
}

/* Held actions: each node's end storage and delivery and each link's
** flow, per step, in one block. */
typedef struct actions {
  double *storage, *delivered, *links;
} actions;

static int actions_new(const naryn_model *m, actions *a) {
  size_t tn = (size_t)m->nsteps * (size_t)m->nnodes + 1;
  size_t tl = (size_t)m->nsteps * (size_t)m->nlinks + 1;
  a->storage = malloc((2 * tn + tl) * sizeof *a->storage);
  if (!a->storage) return NARYN_ENOMEM;
  a->delivered = a->storage + tn;
  a->links = a->delivered + tn;
  return NARYN_OK;
}

/* Copies what the nodes marked in 'plans' (NULL: all) did in r into the
** held actions: storage, deliveries and the flow of their outlets. */
static void take_actions(const naryn_model *m, const naryn_result *r,
                         const unsigned char *plans, actions *a) {
  for (int t = 0; t < m->nsteps; t++) {
    for (int i = 0; i < m->nnodes; i++) {
      if (plans && !plans[i]) continue;
      size_t at = (size_t)t * m->nnodes + i;
      a->storage[at] = NARYN__Q(r, t, i, NARYN_Q_STORAGE_END_HM3);
      a->delivered[at] = NARYN__Q(r, t, i, NARYN_Q_DELIVERED_HM3);
    }
    for (int l = 0; l < m->nlinks; l++)
      if (!plans || plans[m->links[l].from])
        a->links[(size_t)t * m->nlinks + l] = NARYN__LINK_FLOW(r, t, l);
  }
}

/* The coalition's name: its members' codes joined by "+". */
static void coalition_name(const naryn_game *g, unsigned S, char *buf,
                           size_t size) {
  size_t len = 0;
  buf[0] = '\0';
  for (int i = 0; i < g->n; i++)
    if (S >> i & 1u) {
      int k = snprintf(buf + len, size - len, "%s%s", len ? "+" : "", g->player[i]);
      if (k < 0 || (size_t)k >= size - len) break;
      len += (size_t)k;
    }
}

/* Copies the diagnostics of one optimisation into d, saying which. An
** interruption is left out: the game reports it once, where it stops. */
static void pass_on(naryn_diags *d, const naryn_diags *from, const char *what) {
  for (int k = 0; k < naryn_diags_count(from); k++) {
    const naryn_diag *x = naryn_diags_get(from, k);
    if (x->code == NARYN_EINTR) continue;
    naryn__diag(d, x->code, x->severity, x->file, x->line, x->col,
                x->where[0] ? x->where : NULL, "%s: %s", what, x->msg);
  }
}

static void tell(const naryn_share_opts *o, const char *phase, int done,
                 int total) {
  if (!o->progress) return;
  naryn_progress p = {.phase = phase, .done = done, .total = total};
  o->progress(o->progress_user, &p);
}

/* ====================================================================== */
/* The baseline                                                            */
/* ====================================================================== */

/* The largest benefit of any player in plan r, for relative tolerances. */
static double max_abs_benefit(const naryn_game *g, const naryn_result *r) {
  double top = 0.0;
  for (int i = 0; i < g->n; i++) top = fmax(top, fabs(benefit_of(g, r, i)));
  return top;
}

static int baseline(naryn_game *g, const naryn_share_opts *o,
                    const double *weights, naryn_diags *d) {
  const naryn_model *m = g->m;
  actions a;
  unsigned char *plans = malloc((size_t)m->nnodes + 1);
  naryn_diags *dk = naryn_diags_new(0);
  if (actions_new(m, &a) != NARYN_OK || !plans || !dk) {
    free(a.storage), free(plans), naryn_diags_free(dk);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  /* Before anyone plans: reservoirs hold their initial storage, demands
  ** take nothing and no split of outflow is set. */
  for (int t = 0; t < m->nsteps; t++) {
    for (int i = 0; i < m->nnodes; i++) {
      const naryn__node *n = &m->nodes[i];
      size_t at = (size_t)t * m->nnodes + i;
      a.storage[at] = fmin(fmax(n->initial_storage_hm3, n->min_storage_hm3),
                           n->max_storage_hm3);
      a.delivered[at] = 0.0;
    }
    for (int l = 0; l < m->nlinks; l++) a.links[(size_t)t * m->nlinks + l] = 0.0;
  }
  naryn_result *plan = NULL;
  int rc = NARYN_OK;
  naryn_opt_opts oo = o->opt;
  oo.progress = NULL;
  /* Sweeps of turns until a whole sweep leaves every country where it
  ** was: a country that both sends water to another and receives water
  ** from it may want to plan again once the other has planned. */
  int total = g->n * MAX_SWEEPS;
  for (int sweep = 0; sweep < MAX_SWEEPS && rc == NARYN_OK; sweep++) {
    double moved = 0.0;
    for (int k = 0; k < g->n && rc == NARYN_OK; k++) {
      if (naryn_interrupted()) {
        rc = NARYN_EINTR;
        break;
      }
      tell(o, "baseline", sweep * g->n + k, total);
      mark_nodes(g, 1u << k, plans);
      naryn__hold hold = {plans, a.storage, a.delivered, a.links};
      naryn_result *r = NULL;
      naryn_diags_clear(dk);
      rc = naryn__optimise(m, &oo, weights, -1, 0.0, plan, &hold, &r, dk);
      char what[96];
      snprintf(what, sizeof what, "baseline, %s planning", g->player[k]);
      pass_on(d, dk, what);
      if (rc != NARYN_OK) break;
      if (!plan) g->years = naryn_result_years(r);
      /* A new plan is taken only when it is worth more to the country
      ** than what it had; the optimiser may stop at a worse local
      ** optimum, and the country can always keep its actions. */
      double before = plan ? benefit_of(g, plan, k) : -INFINITY;
      double after = benefit_of(g, r, k);
      if (plan && after <= before) {
        naryn_result_free(r);
        continue;
      }
      if (plan) moved = fmax(moved, after - before);
      take_actions(m, r, plans, &a);
      naryn_result_free(plan);
      plan = r;
    }
    g->sweeps = sweep + 1;
    if (rc != NARYN_OK) break;
    if (sweep > 0 && moved <= g->tol_opt_rel * fmax(1.0, max_abs_benefit(g, plan))) {
      g->settled = 1;
      break;
    }
  }
  if (rc == NARYN_EINTR) naryn__interrupted(d);
  tell(o, "baseline", total, total);
  g->baseline = plan;
  if (rc == NARYN_OK && !g->settled)
    naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0, "baseline",
                "after %d sweeps of turns some country still gains by planning "
                "again; the baseline is the last sweep's", MAX_SWEEPS);
  if (rc == NARYN_OK)
    for (int i = 0; i < g->n; i++) g->base[i] = benefit_of(g, plan, i);
  free(a.storage);
  free(plans);
  naryn_diags_free(dk);
  return rc;
}

/* ====================================================================== */
/* Coalitions, in parallel                                                 */
/* ====================================================================== */

typedef struct pool {
  naryn_game *g;
  const naryn_share_opts *o;
  const double *weights;
  actions held;                      /* the baseline's actions */
  unsigned next, total;              /* masks 1 .. total */
  int done, failed;
  naryn_diags **diags;               /* [mask] */
  int *rc;                           /* [mask] */
  pthread_mutex_t lock;
  pthread_cond_t finished;
} pool;

/* Optimises coalition S and records its value. */
static int coalition(pool *w, unsigned S, naryn_diags *d) {
  naryn_game *g = w->g;
  const naryn_model *m = g->m;
  unsigned char *plans = malloc((size_t)m->nnodes + 1);
  if (!plans)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  mark_nodes(g, S, plans);
  naryn__hold hold = {plans, w->held.storage, w->held.delivered, w->held.links};
  naryn_opt_opts oo = w->o->opt;
  oo.progress = NULL;
  naryn_result *r = NULL;
  int rc = naryn__optimise(m, &oo, w->weights, -1, 0.0, g->baseline, &hold, &r, d);
  free(plans);
  if (rc != NARYN_OK) return rc;
  double value = 0.0, base = 0.0;
  for (int i = 0; i < g->n; i++)
    if (S >> i & 1u) value += benefit_of(g, r, i), base += g->base[i];
  g->passes[S] = r->passes;
  if (value < base) {
    /* The coalition can always repeat the baseline. */
    g->kept[S] = 1;
    g->v[S] = base;
    for (int i = 0; i < g->n; i++) g->benefit[(size_t)S * g->n + i] = g->base[i];
    g->broken_hm3[S] = g->baseline->hold_broken_hm3;
    naryn_result_free(r);
    return NARYN_OK;
  }
  g->v[S] = value;
  for (int i = 0; i < g->n; i++)
    g->benefit[(size_t)S * g->n + i] = benefit_of(g, r, i);
  g->broken_hm3[S] = r->hold_broken_hm3;
  if (S == g->full)
    g->grand = r;
  else
    naryn_result_free(r);
  return NARYN_OK;
}

static void *worker(void *arg) {
  pool *w = arg;
  for (;;) {
    pthread_mutex_lock(&w->lock);
    unsigned S = w->failed ? w->total + 1 : w->next++;
    pthread_mutex_unlock(&w->lock);
    if (S > w->total) break;
    /* The check between coalitions, in each thread; a coalition under
    ** way stops inside its optimisation. */
    int rc = naryn_interrupted() ? NARYN_EINTR : coalition(w, S, w->diags[S]);
    pthread_mutex_lock(&w->lock);
    w->rc[S] = rc;
    if (rc != NARYN_OK) w->failed = 1;
    w->done++;
    pthread_cond_signal(&w->finished);
    pthread_mutex_unlock(&w->lock);
  }
  return NULL;
}

static int coalitions(naryn_game *g, const naryn_share_opts *o,
                      const double *weights, naryn_diags *d) {
  const naryn_model *m = g->m;
  pool w = {.g = g, .o = o, .weights = weights, .next = 1, .total = g->full};
  int held_ok = actions_new(m, &w.held) == NARYN_OK;
  w.diags = calloc((size_t)g->full + 1, sizeof *w.diags);
  w.rc = calloc((size_t)g->full + 1, sizeof *w.rc);
  int rc = NARYN_OK;
  if (!held_ok || !w.diags || !w.rc) rc = NARYN_ENOMEM;
  for (unsigned S = 1; S <= g->full && rc == NARYN_OK; S++)
    if (!(w.diags[S] = naryn_diags_new(0))) rc = NARYN_ENOMEM;
  if (rc != NARYN_OK) goto done;
  take_actions(m, g->baseline, NULL, &w.held);
  int interrupted = 0;
  int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;
  if ((unsigned)jobs > g->full) jobs = (int)g->full;
  pthread_t threads[64];
  if (jobs > 64) jobs = 64;
  pthread_mutex_init(&w.lock, NULL);
  pthread_cond_init(&w.finished, NULL);
  int started = 0;
  for (int k = 0; k < jobs; k++)
    if (pthread_create(&threads[k], NULL, worker, &w) == 0) started++;
  if (started == 0) worker(&w); /* no threads to be had: work here */
  /* Report progress until every coalition taken has finished: all of
  ** them, or after a failure those already started. */
  pthread_mutex_lock(&w.lock);
  for (;;) {
    unsigned taken = w.next - 1 > w.total ? w.total : w.next - 1;
    if ((w.failed || w.next > w.total) && (unsigned)w.done == taken) break;
    int done = w.done;
    pthread_mutex_unlock(&w.lock);
    tell(o, "coalitions", done, (int)g->full);
    pthread_mutex_lock(&w.lock);
    if (w.done == done) pthread_cond_wait(&w.finished, &w.lock);
  }
  pthread_mutex_unlock(&w.lock);
  for (int k = 0; k < started; k++) pthread_join(threads[k], NULL);
  pthread_mutex_destroy(&w.lock);
  pthread_cond_destroy(&w.finished);
  tell(o, "coalitions", w.done, (int)g->full);
  /* Diagnostics in coalition order, whatever the order they ran in. */
  for (unsigned S = 1; S <= g->full; S++) {
    char name[128], what[160];
    coalition_name(g, S, name, sizeof name);
    snprintf(what, sizeof what, "coalition %s", name);
    pass_on(d, w.diags[S], what);
    if (w.rc[S] != NARYN_OK && rc == NARYN_OK) rc = w.rc[S];
    if (w.rc[S] == NARYN_EINTR) interrupted = 1;
  }
  /* A stop asked for outranks what the coalitions stopped by it said. */
  if (interrupted) rc = naryn__interrupted(d);
done:
  if (rc == NARYN_ENOMEM)
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "out of memory");
  for (unsigned S = 1; w.diags && S <= g->full; S++) naryn_diags_free(w.diags[S]);
  free(w.diags);
  free(w.rc);
  free(w.held.storage);
  return rc;
}

/* ====================================================================== */
/* Allocations and checks                                                  */
/* ====================================================================== */

/* The price of a MWh of winter (October to March) energy to player i: the
** mean over its plants and winter steps of the energy terms' weighted
** prices; for a player without plants, over every plant. */
static double winter_price(const naryn_game *g, int i) {
  const naryn_model *m = g->m;
  for (int pass = 0; pass < 2; pass++) {
    double sum = 0.0;
    long count = 0;
    for (int j = 0; j < m->nnodes; j++) {
      const naryn__node *n = &m->nodes[j];
      if (n->type != NARYN_NODE_HYDROPOWER || !n->enabled) continue;
      if (pass == 0 && strcmp(n->country, g->player[i]) != 0) continue;
      for (int t = 0; t < m->nsteps; t++) {
        int mo = m->step_month[t];
        if (mo > 3 && mo < 10) continue;
        double p = 0.0;
        for (int k = 0; k < m->nterms; k++)
          if (NARYN__TERM_BENEFIT(m->terms[k].kind))
            p += m->terms[k].weight * naryn__term_price(m, &m->terms[k], j, t);
        sum += p;
        count++;
      }
    }
    if (count > 0 && sum > 0) return sum / (double)count;
  }
  return NAN;
}

static void note_violation(void *user, int a, int b, double shortfall) {
  naryn_game *g = user;
  violation *nv = naryn__grow(g->viol, &g->capviol, g->nviol + 1, sizeof *nv);
  if (!nv) return;
  g->viol = nv;
  g->viol[g->nviol++] = (violation){(unsigned)a, (unsigned)b, shortfall};
}

static int allocate(naryn_game *g, naryn_diags *d) {
  int n = g->n;
  unsigned N = g->full;
  double *v = g->v;
  /* The values come from optimisations that settle when the objective
  ** moves by less than the optimiser's tolerance, relative: differences
  ** of values below that share of the largest value are noise, and the
  ** checks below take them as equal. */
  double top = 0.0;
  for (unsigned S = 1; S <= N; S++) top = fmax(top, fabs(v[S]));
  g->tol = fmax(naryn__game_tolerance(n, v), g->tol_opt_rel * fmax(1.0, top));
  int rc = naryn__game_shapley(n, v, g->alloc[NARYN_ALLOC_SHAPLEY], d);
  if (rc == NARYN_OK)
    rc = naryn__game_nucleolus(n, v, g->alloc[NARYN_ALLOC_NUCLEOLUS],
                               &g->least_core, &g->nucleolus_lps, d);
  if (rc != NARYN_OK) return rc;
  g->core_empty = g->least_core < -g->tol;
  double alone = 0.0;
  for (int i = 0; i < n; i++) alone += v[1u << i];
  for (int i = 0; i < n; i++) {
    g->alloc[NARYN_ALLOC_BASELINE][i] = g->base[i];
    g->alloc[NARYN_ALLOC_GRAND_PLAN][i] = g->benefit[(size_t)N * n + i];
    g->alloc[NARYN_ALLOC_EQUAL_GAIN][i] = v[1u << i] + (v[N] - alone) / n;
  }
  /* The checks of every run. */
  for (int a = NARYN_ALLOC_GRAND_PLAN; a < NARYN_ALLOC_COUNT; a++) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += g->alloc[a][i];
    if (fabs(sum - v[N]) > g->tol)
      naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0,
                  alloc_names[a],
                  "the allocation sums to %.2f, not to the grand coalition's "
                  "value %.2f", sum, v[N]);
  }
  if (!g->core_empty &&
      naryn__game_min_excess(n, v, g->alloc[NARYN_ALLOC_NUCLEOLUS], NULL) < -g->tol)
    naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0, "nucleolus",
                "the core is not empty, yet the nucleolus found lies outside "
                "it");
  for (int i = 0; i < n; i++)
    if (v[1u << i] > g->base[i] + g->tol)
      naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0,
                  g->player[i],
                  "planning again on its own, %s would gain %.2f %s a year "
                  "over the baseline: the baseline is not an equilibrium for "
                  "it", g->player[i], v[1u << i] - g->base[i],
                  naryn_model_currency(g->m));
  naryn__game_superadditivity(n, v, g->tol, note_violation, g);
  if (g->nviol > 0)
    naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_WARNING, NULL, 0, 0,
                "superadditivity",
                "%d pair%s of coalitions %s worth more apart than together "
                "(listed in superadditivity.csv)", g->nviol,
                g->nviol == 1 ? "" : "s", g->nviol == 1 ? "is" : "are");
  for (int i = 0; i < n; i++) g->winter_price[i] = winter_price(g, i);
  return NARYN_OK;
}

int naryn_share(const naryn_model *m, const naryn_share_opts *o,
                naryn_game **out, naryn_diags *d) {
  naryn_share_opts defaults;
  if (!o) {
    naryn_share_opts_init(&defaults);
    o = &defaults;
  }
  *out = NULL;
  naryn_game *g = calloc(1, sizeof *g);
  double *weights = malloc(((size_t)m->nterms + 1) * sizeof *weights);
  if (!g || !weights) {
    free(g), free(weights);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  g->m = m;
  g->tol_opt_rel = o->opt.tolerance;
  for (int k = 0; k < m->nterms; k++) weights[k] = m->terms[k].weight;
  int rc = find_players(g, o, d);
  if (rc != NARYN_OK) goto fail;
  for (int k = 0; k < m->nterms; k++)
    for (int i = 0; i < m->nnodes; i++)
      if (m->terms[k].node_on[i] && m->nodes[i].country[0] == '\0') {
        naryn__diag(d, NARYN_EMODEL, NARYN_SEV_WARNING, NULL, 0, 0,
                    m->terms[k].name,
                    "the term covers node \"%s\", which has no country; it "
                    "counts for no player", m->nodes[i].name);
        break;
      }
  g->full = (1u << g->n) - 1u;
  size_t nm = (size_t)g->full + 1;
  g->v = calloc(nm, sizeof *g->v);
  g->benefit = calloc(nm * (size_t)g->n, sizeof *g->benefit);
  g->kept = calloc(nm, 1);
  g->broken_hm3 = calloc(nm, sizeof *g->broken_hm3);
  g->passes = calloc(nm, sizeof *g->passes);
  if (!g->v || !g->benefit || !g->kept || !g->broken_hm3 || !g->passes) {
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
    goto fail;
  }
  rc = baseline(g, o, weights, d);
  if (rc == NARYN_OK) rc = coalitions(g, o, weights, d);
  if (rc == NARYN_OK && !g->grand) {
    /* The grand coalition kept the baseline. */
    g->grand = g->baseline;
  }
  if (rc == NARYN_OK) rc = naryn__interrupt_check(d);
  if (rc == NARYN_OK) rc = allocate(g, d);
  if (rc != NARYN_OK) goto fail;
  free(weights);
  *out = g;
  return NARYN_OK;
fail:
  free(weights);
  naryn_game_free(g);
  return rc;
}

void naryn_game_free(naryn_game *g) {
  if (!g) return;
  if (g->grand != g->baseline) naryn_result_free(g->grand);
  naryn_result_free(g->baseline);
  free(g->v);
  free(g->benefit);
  free(g->kept);
  free(g->broken_hm3);
  free(g->passes);
  free(g->viol);
  free(g);
}

int naryn_game_player_count(const naryn_game *g) { return g->n; }

const char *naryn_game_player(const naryn_game *g, int i) {
  return i >= 0 && i < g->n ? g->player[i] : NULL;
}

double naryn_game_value(const naryn_game *g, unsigned coalition) {
  return coalition >= 1 && coalition <= g->full ? g->v[coalition] : NAN;
}

double naryn_game_allocation(const naryn_game *g, naryn_allocation a,
                             int player) {
  if ((int)a < 0 || a >= NARYN_ALLOC_COUNT || player < 0 || player >= g->n)
    return NAN;
  return g->alloc[a][player];
}

int naryn_game_core_empty(const naryn_game *g) { return g->core_empty; }

int naryn_game_set_command(naryn_game *g, const char *command) {
  int rc = naryn_result_set_command(g->baseline, command);
  if (rc == NARYN_OK && g->grand != g->baseline)
    rc = naryn_result_set_command(g->grand, command);
  return rc;
}

const naryn_result *naryn_game_baseline_plan(const naryn_game *g) {
  return g->baseline;
}

const naryn_result *naryn_game_grand_plan(const naryn_game *g) {
  return g->grand;
}

/* ====================================================================== */
/* Writing                                                                 */
/* ====================================================================== */

static void put_money(naryn__outfile *f, double v) {
  naryn__outfile_write(f, ",", 1);
  naryn__put_number(f, v, "%.2f");
}

/* Excess of an allocation: 1 when every coalition gets at least its
** value (within the tolerance). */
static int in_core(const naryn_game *g, const double *x) {
  return naryn__game_min_excess(g->n, g->v, x, NULL) >= -g->tol;
}

static void write_game(const naryn_game *g, naryn__outfile *f) {
  const naryn_model *m = g->m;
  double sum_base = 0.0;
  for (int i = 0; i < g->n; i++) sum_base += g->base[i];
  naryn__outfile_printf(f, "key,value\nmodel,");
  naryn__put_text(f, naryn_model_name(m));
  naryn__outfile_printf(f, "\nscenario,");
  naryn__put_text(f, naryn_model_scenario(m));
  naryn__outfile_printf(f, "\ncurrency,");
  naryn__put_text(f, naryn_model_currency(m));
  naryn__outfile_printf(f, "\nyears,%.4f\nsteps,%d\nplayers,", g->years, m->nsteps);
  for (int i = 0; i < g->n; i++) {
    if (i) naryn__outfile_write(f, " ", 1);
    naryn__put_text(f, g->player[i]);
  }
  naryn__outfile_printf(f, "\norder,%s\ncommand,", g->order_given ? "given" : "upstream first");
  naryn__put_text(f, g->baseline->command ? g->baseline->command : "");
  naryn__outfile_write(f, "\n", 1);
  naryn__outfile_printf(f, "grand_value_per_yr");
  put_money(f, g->v[g->full]);
  naryn__outfile_printf(f, "\nbaseline_total_per_yr");
  put_money(f, sum_base);
  naryn__outfile_printf(f, "\ngain_per_yr");
  put_money(f, g->v[g->full] - sum_base);
  naryn__outfile_printf(f, "\ncore,%s\nleast_core_excess_per_yr",
                        g->core_empty ? "empty" : "not empty");
  put_money(f, g->least_core);
  naryn__outfile_printf(f, "\nnucleolus_lps,%d\nsuperadditivity_violations,%d\n",
                        g->nucleolus_lps, g->nviol);
  int eq = 1;
  for (int i = 0; i < g->n; i++)
    if (g->v[1u << i] > g->base[i] + g->tol) eq = 0;
  naryn__outfile_printf(f, "baseline_sweeps,%d\nbaseline_settled,%s\n", g->sweeps,
                        g->settled ? "yes" : "no");
  naryn__outfile_printf(f, "baseline_equilibrium,%s\ntolerance_per_yr", eq ? "yes" : "no");
  put_money(f, g->tol);
  naryn__outfile_printf(f, "\n");
}

static void write_share(const naryn_game *g, naryn__outfile *f) {
  naryn__outfile_printf(f, "coalition,size,value_per_yr,baseline_per_yr,gain_per_yr,plan,passes,held_broken_hm3");
  for (int i = 0; i < g->n; i++) {
    naryn__outfile_printf(f, ",benefit_");
    naryn__put_text(f, g->player[i]);
  }
  naryn__outfile_printf(f, ",currency\n");
  for (unsigned S = 1; S <= g->full; S++) {
    char name[128];
    coalition_name(g, S, name, sizeof name);
    int size = 0;
    double base = 0.0;
    for (int i = 0; i < g->n; i++)
      if (S >> i & 1u) size++, base += g->base[i];
    naryn__put_text(f, name);
    naryn__outfile_printf(f, ",%d", size);
    put_money(f, g->v[S]);
    put_money(f, base);
    put_money(f, g->v[S] - base);
    naryn__outfile_printf(f, ",%s,%d,", g->kept[S] ? "baseline kept" : "optimised",
                          g->passes[S]);
    naryn__put_number(f, g->broken_hm3[S], "%.6f");
    for (int i = 0; i < g->n; i++) put_money(f, g->benefit[(size_t)S * g->n + i]);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, naryn_model_currency(g->m));
    naryn__outfile_write(f, "\n", 1);
  }
}

static void write_allocation(const naryn_game *g, naryn__outfile *f) {
  naryn__outfile_printf(f, "method,country,name,benefit_per_yr,baseline_per_yr,"
                           "gain_per_yr,alone_per_yr,grand_plan_per_yr,"
                           "transfer_per_yr,transfer_winter_gwh_per_yr,"
                           "individually_rational,in_core,currency\n");
  for (int a = 0; a < NARYN_ALLOC_COUNT; a++) {
    int core = in_core(g, g->alloc[a]);
    for (int i = 0; i < g->n; i++) {
      double x = g->alloc[a][i];
      double grand = g->benefit[(size_t)g->full * g->n + i];
      double transfer = a == NARYN_ALLOC_BASELINE ? NAN : x - grand;
      naryn__outfile_printf(f, "%s,", alloc_names[a]);
      naryn__put_text(f, g->player[i]);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, naryn_model_country_name(g->m, g->player[i]));
      put_money(f, x);
      put_money(f, g->base[i]);
      put_money(f, x - g->base[i]);
      put_money(f, g->v[1u << i]);
      put_money(f, grand);
      put_money(f, transfer);
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, transfer / (g->winter_price[i] * 1000.0), "%.3f");
      naryn__outfile_printf(f, ",%s,%s,",
                            x >= g->v[1u << i] - g->tol ? "yes" : "no",
                            core ? "yes" : "no");
      naryn__put_text(f, naryn_model_currency(g->m));
      naryn__outfile_write(f, "\n", 1);
    }
  }
}

/* Water leaving country c's territory in the steps of a season, hm3: the
** flow of links from its nodes to another country's. */
static double outflow_hm3(const naryn_result *r, const char *c,
                          naryn_season s) {
  const naryn_model *m = r->m;
  double sum = 0.0;
  for (int t = 0; t < m->nsteps; t++) {
    int mo = m->step_month[t], winter = mo <= 3 || mo >= 10;
    if ((s == NARYN_SEASON_OCT_MAR && !winter) || (s == NARYN_SEASON_APR_SEP && winter))
      continue;
    for (int l = 0; l < m->nlinks; l++) {
      const naryn__node *a = &m->nodes[m->links[l].from], *b = &m->nodes[m->links[l].to];
      if (strcmp(a->country, c) == 0 && strcmp(b->country, c) != 0)
        sum += NARYN__LINK_FLOW(r, t, l);
    }
  }
  return sum;
}

/* Energy country c's grids received over lines (after losses; in = 1) or
** sent over them (before losses) in the steps of a season, GWh; NaN for a
** country without a grid. */
static double lines_gwh(const naryn_result *r, const char *c, naryn_season s,
                        int in) {
  double sum = NAN, out[NARYN_G_COUNT];
  for (int k = 0; k < naryn_result_grid_count(r); k++) {
    if (strcmp(naryn_result_grid_country(r, k), c) != 0) continue;
    naryn_result_grid_summary(r, k, s, out);
    sum = (isnan(sum) ? 0.0 : sum) +
          out[in ? NARYN_G_IMPORT_LINES_GWH : NARYN_G_EXPORT_LINES_GWH];
  }
  return sum;
}

static void write_exchange(const naryn_game *g, naryn__outfile *f) {
  naryn__outfile_printf(f, "country,name,season,baseline_energy_gwh_per_yr,"
                           "grand_energy_gwh_per_yr,baseline_outflow_km3_per_yr,"
                           "grand_outflow_km3_per_yr,baseline_withdrawal_km3_per_yr,"
                           "grand_withdrawal_km3_per_yr,baseline_received_gwh_per_yr,"
                           "grand_received_gwh_per_yr,baseline_sent_gwh_per_yr,"
                           "grand_sent_gwh_per_yr\n");
  for (int i = 0; i < g->n; i++)
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      naryn__put_text(f, g->player[i]);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, naryn_model_country_name(g->m, g->player[i]));
      naryn__outfile_printf(f, ",%s", naryn_season_name((naryn_season)s));
      naryn_summary sb, sg;
      naryn_result_summary(g->baseline, g->player[i], (naryn_season)s, &sb);
      naryn_result_summary(g->grand, g->player[i], (naryn_season)s, &sg);
      double y = g->years;
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, sb.energy_gwh / y, "%.3f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, sg.energy_gwh / y, "%.3f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, outflow_hm3(g->baseline, g->player[i], (naryn_season)s) / 1e3 / y, "%.4f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, outflow_hm3(g->grand, g->player[i], (naryn_season)s) / 1e3 / y, "%.4f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, (sb.irrigation_delivered_hm3 + sb.municipal_delivered_hm3) / 1e3 / y, "%.4f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, (sg.irrigation_delivered_hm3 + sg.municipal_delivered_hm3) / 1e3 / y, "%.4f");
      /* Energy over the interconnectors: none in the baseline, where each
      ** country plans alone and its lines carry nothing. */
      for (int in = 1; in >= 0; in--)
        for (int plan = 0; plan < 2; plan++) {
          naryn__outfile_write(f, ",", 1);
          naryn__put_number(f, lines_gwh(plan ? g->grand : g->baseline, g->player[i],
                                         (naryn_season)s, in) / y, "%.3f");
        }
      naryn__outfile_write(f, "\n", 1);
    }
}

static void write_superadditivity(const naryn_game *g, naryn__outfile *f) {
  naryn__outfile_printf(f, "coalition_a,coalition_b,together,value_a_per_yr,"
                           "value_b_per_yr,value_together_per_yr,shortfall_per_yr\n");
  for (int k = 0; k < g->nviol; k++) {
    const violation *x = &g->viol[k];
    char a[128], b[128], ab[128];
    coalition_name(g, x->a, a, sizeof a);
    coalition_name(g, x->b, b, sizeof b);
    coalition_name(g, x->a | x->b, ab, sizeof ab);
    naryn__put_text(f, a);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, b);
    naryn__outfile_write(f, ",", 1);
    naryn__put_text(f, ab);
    put_money(f, g->v[x->a]);
    put_money(f, g->v[x->b]);
    put_money(f, g->v[x->a | x->b]);
    put_money(f, x->shortfall);
    naryn__outfile_write(f, "\n", 1);
  }
}

/* Writes file k of the game's set, in the order of naryn_game_write. */
static void write_game_file(const void *ctx, int k, naryn__outfile *f) {
  static void (*const writers[])(const naryn_game *, naryn__outfile *) = {
      write_game, write_share, write_allocation, write_exchange,
      write_superadditivity};
  writers[k](ctx, f);
}

/* Writes the game's whole folder into dir, the staging folder. */
static int fill_game(const void *ctx, const char *dir, naryn_diags *d) {
  static const char *const names[] = {"game.csv", "share.csv", "allocation.csv",
                                      "exchange.csv", "superadditivity.csv"};
  static const char *const plans[] = {"baseline", "grand"};
  const naryn_game *g = ctx;
  long mark = naryn__diags_nomem(d);
  int rc = NARYN_OK;
  /* The two plans first, each a run folder with its own report. */
  for (int k = 0; k < 2 && rc == NARYN_OK; k++) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, plans[k]) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    rc = naryn__result_write_into(k ? g->grand : g->baseline, path, d);
  }
  if (rc == NARYN_OK) rc = naryn__write_files(dir, 5, names, write_game_file, g, d);
  if (rc == NARYN_OK) rc = naryn_report_write(dir, d);
  return naryn__diags_status(d, mark, rc);
}

int naryn_game_write(const naryn_game *g, const char *dir, naryn_diags *d) {
  return naryn__staged_write(dir, fill_game, g, d);
}
