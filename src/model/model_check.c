/*
** model_check.c: checks a model's values and network once it is read.
**
** Reading (model_read.c) makes sure every field has the right kind, and
** limits.c that no number passes its physical limit; this file makes sure
** the values make sense together: storage bounds in order,
** efficiencies between 0 and 1, tables covering the storage range, links
** whose minimum does not exceed their maximum, nodes with the links their
** type needs, and no loop of links without a reservoir in it. Every problem
** is reported at the field it concerns, and checking goes on after the
** first so that one run lists as many problems as possible.
**
** It also derives what the simulator needs from the network: the link
** lists of each node and the small worth given to stored water. Last it
** has rules.c read the reservoirs' operating rules, which need the links.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

typedef struct checker {
  naryn_model *m;
  naryn_diags *d;
  int failed;
} checker;

/* Reports a problem with a field of an element whose document is 'obj'. */
static void bad(checker *c, const naryn__doc *obj, const char *field,
                const char *where, const char *fmt, ...) NARYN__PRINTF(5, 6);
void naryn__model_vbad(const naryn_model *m, naryn_diags *d,
                       const naryn__doc *obj, const char *field,
                       const char *where, const char *fmt, va_list ap) {
  const naryn__doc *at = field && obj ? naryn__field_pos(obj, field) : obj;
  naryn__vdiag(d, NARYN_EMODEL, NARYN_SEV_ERROR, at ? at->file : m->path,
               at ? at->line : 0, at ? at->col : 0, where, fmt, ap);
}

static void bad(checker *c, const naryn__doc *obj, const char *field,
                const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__model_vbad(c->m, c->d, obj, field, where, fmt, ap);
  va_end(ap);
  c->failed = 1;
}

/* Checks that a node field lies in [lo, hi]. */
static void node_range(checker *c, const naryn__node *n, const char *field,
                       double v, double lo, double hi, const char *expect) {
  if (v >= lo && v <= hi) return;
  char w[256];
  bad(c, n->doc, field, naryn__node_where(n, field, w, sizeof w),
      "expected %s, got %g", expect, v);
}

/* Checks that every step of a time-varying value lies in [lo, hi]; reports
** the first that does not where it was given. */
static void ts_range(checker *c, const naryn__ts *ts, const char *where,
                     double lo, double hi, const char *expect) {
  if (!ts->v) return;
  for (int i = 0; i < c->m->nsteps; i++)
    if (!(ts->v[i] >= lo && ts->v[i] <= hi)) {
      naryn__ts_at at = naryn__ts_source(c->m, ts, i);
      naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                  at.col, where, "expected %s, got %g%s", expect, at.given,
                  at.label);
      c->failed = 1;
      return;
    }
}

/* Checks a table's values: y non-decreasing (and >= lo) and, when
** cover_hi is finite, x spanning [cover_lo, cover_hi]. */
static void table_check(checker *c, const naryn__node *n, const char *field,
                        const naryn__table *t, const char *xname,
                        const char *yname, double ylo, double cover_lo,
                        double cover_hi) {
  if (t->n == 0) return;
  char w[256];
  naryn__node_where(n, field, w, sizeof w);
  for (int i = 0; i < t->n; i++) {
    if (t->y[i] < ylo) {
      bad(c, n->doc, field, w, "expected %s >= %g, got %g", yname, ylo, t->y[i]);
      return;
    }
    if (i > 0 && t->y[i] < t->y[i - 1]) {
      bad(c, n->doc, field, w,
          "expected %s not to decrease as %s grows, got %g after %g", yname,
          xname, t->y[i], t->y[i - 1]);
      return;
    }
  }
  if (t->x[0] > cover_lo)
    bad(c, n->doc, field, w,
        "expected the table to start at or below min_storage_hm3 (%g), got a "
        "first point at %g", cover_lo, t->x[0]);
  if (isfinite(cover_hi) && t->x[t->n - 1] < cover_hi)
    bad(c, n->doc, field, w,
        "expected the table to reach max_storage_hm3 (%g), got a last point "
        "at %g", cover_hi, t->x[t->n - 1]);
}

static void check_reservoir(checker *c, naryn__node *n) {
  char w[256];
  node_range(c, n, "max_storage_hm3", n->max_storage_hm3, 1e-9, INFINITY,
             "a storage > 0");
  node_range(c, n, "min_storage_hm3", n->min_storage_hm3, 0, INFINITY,
             "a storage >= 0");
  if (n->min_storage_hm3 > n->max_storage_hm3)
    bad(c, n->doc, "max_storage_hm3",
        naryn__node_where(n, "max_storage_hm3", w, sizeof w),
        "expected a value >= min_storage_hm3 (%g), got %g",
        n->min_storage_hm3, n->max_storage_hm3);
  else if (n->initial_storage_hm3 < n->min_storage_hm3 ||
           n->initial_storage_hm3 > n->max_storage_hm3)
    bad(c, n->doc, "initial_storage_hm3",
        naryn__node_where(n, "initial_storage_hm3", w, sizeof w),
        "expected a value between min_storage_hm3 (%g) and max_storage_hm3 "
        "(%g), got %g", n->min_storage_hm3, n->max_storage_hm3,
        n->initial_storage_hm3);
  table_check(c, n, "level_table", &n->level, "storage_hm3", "level_m",
              -INFINITY, n->min_storage_hm3, n->max_storage_hm3);
  table_check(c, n, "area_table", &n->area, "storage_hm3", "area_km2", 0,
              n->min_storage_hm3, n->max_storage_hm3);
  if (n->evaporation_mm.v && n->area.n == 0)
    bad(c, n->doc, "evaporation_mm",
        naryn__node_where(n, "evaporation_mm", w, sizeof w),
        "expected an area_table to turn evaporation depth into volume, got "
        "none");
  ts_range(c, &n->evaporation_mm,
           naryn__node_where(n, "evaporation_mm", w, sizeof w), 0, INFINITY,
           "an evaporation depth >= 0 mm");
  ts_range(c, &n->target_storage_hm3,
           naryn__node_where(n, "target_storage_hm3", w, sizeof w),
           n->min_storage_hm3, n->max_storage_hm3,
           "a target between min_storage_hm3 and max_storage_hm3");
  ts_range(c, &n->release_m3s, naryn__node_where(n, "release_m3s", w, sizeof w),
           0, INFINITY, "a release >= 0 m3/s");
  ts_range(c, &n->forced_release_m3s,
           naryn__node_where(n, "forced_release_m3s", w, sizeof w), 0, INFINITY,
           "a release >= 0 m3/s");
}

static void check_hydropower(checker *c, naryn__node *n) {
  char w[256];
  const naryn_model *m = c->m;
  static const char *const source_keys[] = {"reservoir", "headwater_m", "head_m"};
  int has[3] = {n->reservoir >= 0, !isnan(n->headwater_m), !isnan(n->head_m)};
  int sources = has[0] + has[1] + has[2];
  int tail = !isnan(n->tailwater_m) + (n->tailwater.n > 0);
  naryn__node_where(n, NULL, w, sizeof w);
  if (sources != 1) {
    /* Name what was given, and point at the second source given. */
    char given[96] = "none";
    const naryn__doc *at = n->doc;
    if (sources > 1) {
      size_t used = 0;
      int seen = 0;
      for (int k = 0; k < 3; k++)
        if (has[k]) {
          used += (size_t)snprintf(given + used, sizeof given - used, "%s%s",
                                   seen ? " and " : sources == 2 ? "both " : "all of ",
                                   source_keys[k]);
          if (++seen == 2) at = naryn__doc_key(n->doc, source_keys[k]);
        }
    }
    naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at->file, at->line, at->col,
                w, "expected exactly one of reservoir (head from its level), "
                "headwater_m or head_m (a fixed net head), got %s", given);
    c->failed = 1;
  } else if (!isnan(n->head_m)) {
    node_range(c, n, "head_m", n->head_m, 1e-9, INFINITY, "a head > 0 m");
    if (tail)
      bad(c, n->doc, isnan(n->tailwater_m) ? "tailwater_table" : "tailwater_m",
          w, "expected no tailwater with a fixed net head_m, got one");
  } else if (tail != 1) {
    bad(c, n->doc, NULL, w,
        "expected one of tailwater_m or tailwater_table to go with %s, got %s",
        n->reservoir >= 0 ? "reservoir" : "headwater_m",
        tail ? "both" : "neither");
  }
  if (n->reservoir >= 0) {
    const naryn__node *r = &m->nodes[n->reservoir];
    if (r->type != NARYN_NODE_RESERVOIR)
      bad(c, n->doc, "reservoir", naryn__node_where(n, "reservoir", w, sizeof w),
          "expected the name of a reservoir, got \"%s\", a %s", r->name,
          naryn_node_type_name(r->type));
    else if (r->level.n == 0)
      bad(c, n->doc, "reservoir", naryn__node_where(n, "reservoir", w, sizeof w),
          "expected reservoir \"%s\" to have a level_table giving its level, "
          "got none", r->name);
    else if (!r->enabled && n->enabled)
      bad(c, n->doc, "reservoir", naryn__node_where(n, "reservoir", w, sizeof w),
          "expected an enabled reservoir to give the head, got \"%s\", which "
          "is disabled (disable the plant too, or give it head_m)", r->name);
  }
  if (n->tailwater.n > 0) {
    naryn__node_where(n, "tailwater_table", w, sizeof w);
    if (n->tailwater.x[0] < 0)
      bad(c, n->doc, "tailwater_table", w,
          "expected discharges >= 0 m3/s, got %g", n->tailwater.x[0]);
    for (int i = 1; i < n->tailwater.n; i++)
      if (n->tailwater.y[i] < n->tailwater.y[i - 1]) {
        bad(c, n->doc, "tailwater_table", w,
            "expected level_m not to decrease as discharge grows, got %g "
            "after %g", n->tailwater.y[i], n->tailwater.y[i - 1]);
        break;
      }
  }
  if (!isnan(n->headwater_m)) {
    double low = n->tailwater.n > 0 ? n->tailwater.y[0] : n->tailwater_m;
    if (!(n->headwater_m > low))
      bad(c, n->doc, "headwater_m", naryn__node_where(n, "headwater_m", w, sizeof w),
          "expected a level above the tailwater (%g m), got %g", low,
          n->headwater_m);
  }
  node_range(c, n, "max_turbine_flow_m3s", n->max_turbine_flow_m3s, 1e-9,
             INFINITY, "a flow > 0 m3/s");
  node_range(c, n, "capacity_mw", n->capacity_mw, 1e-9, INFINITY,
             "a capacity > 0 MW");
  node_range(c, n, "efficiency", n->efficiency, 1e-9, 1.0,
             "an efficiency above 0 and at most 1");
}

static void check_node_values(checker *c, naryn__node *n, int index) {
  const naryn_model *m = c->m;
  char w[256];
  if (n->country[0] && m->ncountries > 0) {
    int known = 0;
    for (int i = 0; i < m->ncountries; i++)
      if (strcmp(n->country, m->country_codes[i]) == 0) known = 1;
    if (!known) {
      char list[256] = "";
      size_t used = 0;
      for (int i = 0; i < m->ncountries && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                                 i ? ", " : "", m->country_codes[i]);
      bad(c, n->doc, "country", naryn__node_where(n, "country", w, sizeof w),
          "expected one of the countries listed in the model (%s), got \"%s\"",
          list, n->country);
    }
  }
  switch (n->type) {
  case NARYN_NODE_INFLOW:
    ts_range(c, &n->inflow_m3s, naryn__node_where(n, "inflow_m3s", w, sizeof w),
             0, INFINITY, "an inflow >= 0 m3/s");
    break;
  case NARYN_NODE_RESERVOIR:
    check_reservoir(c, n);
    break;
  case NARYN_NODE_HYDROPOWER:
    check_hydropower(c, n);
    break;
  case NARYN_NODE_DEMAND:
    ts_range(c, &n->demand_hm3,
             naryn__node_where(n, n->demand_hm3.src == naryn__doc_get(n->doc, "demand_m3s")
                                      ? "demand_m3s" : "demand_hm3", w, sizeof w),
             0, INFINITY, "a demand >= 0");
    node_range(c, n, "return_fraction", n->return_fraction, 0, 1,
               "a fraction from 0 to 1");
    if (n->return_fraction > 0 && n->return_to < 0)
      bad(c, n->doc, "return_fraction",
          naryn__node_where(n, "return_fraction", w, sizeof w),
          "expected a return_to node to receive %g of the delivered water, "
          "got none", n->return_fraction);
    if (n->return_to == index)
      bad(c, n->doc, "return_to", naryn__node_where(n, "return_to", w, sizeof w),
          "expected another node, got the demand itself");
    break;
  case NARYN_NODE_MIN_FLOW:
    ts_range(c, &n->min_flow_m3s,
             naryn__node_where(n, "min_flow_m3s", w, sizeof w), 0, INFINITY,
             "a flow >= 0 m3/s");
    break;
  case NARYN_NODE_JUNCTION:
  case NARYN_NODE_SINK:
  case NARYN_NODE_TYPE_COUNT:
    break;
  }
}

static void check_link_values(checker *c, naryn__link *l) {
  char w[256];
  const naryn_model *m = c->m;
  if (l->from == l->to) {
    bad(c, l->doc, "to", naryn__link_where(l, "to", w, sizeof w),
        "expected a node other than the link's own start, got \"%s\" (a loop "
        "with no reservoir)", m->nodes[l->to].name);
    return;
  }
  if (!(l->loss_fraction >= 0 && l->loss_fraction < 1))
    bad(c, l->doc, "loss_fraction",
        naryn__link_where(l, "loss_fraction", w, sizeof w),
        "expected a fraction >= 0 and below 1, got %g", l->loss_fraction);
  if (!(l->cost >= 0 && isfinite(l->cost)))
    bad(c, l->doc, "cost", naryn__link_where(l, "cost", w, sizeof w),
        "expected a cost >= 0 per hm3, got %g", l->cost);
  ts_range(c, &l->min_flow_m3s,
           naryn__link_where(l, "min_flow_m3s", w, sizeof w), 0, INFINITY,
           "a flow >= 0 m3/s");
  ts_range(c, &l->max_flow_m3s,
           naryn__link_where(l, "max_flow_m3s", w, sizeof w), 0, INFINITY,
           "a flow >= 0 m3/s");
  if (l->min_flow_m3s.v && l->max_flow_m3s.v)
    for (int i = 0; i < m->nsteps; i++)
      if (l->min_flow_m3s.v[i] > l->max_flow_m3s.v[i]) {
        naryn__ts_at at = naryn__ts_source(m, &l->max_flow_m3s, i);
        naryn__diag(c->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                    at.col, naryn__link_where(l, "max_flow_m3s", w, sizeof w),
                    "expected a maximum >= min_flow_m3s (%g), got %g%s",
                    naryn__ts_source(m, &l->min_flow_m3s, i).given, at.given,
                    at.label);
        c->failed = 1;
        break;
      }
}

/* ====================================================================== */
/* Network                                                                 */
/* ====================================================================== */

/* Fills each node's lists of incoming and outgoing links and of demands
** returning water to it. */
static int build_adjacency(naryn_model *m) {
  naryn__arena *a = m->arena;
  for (int i = 0; i < m->nlinks; i++) {
    m->nodes[m->links[i].from].n_out++;
    m->nodes[m->links[i].to].n_in++;
  }
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_DEMAND && m->nodes[i].return_to >= 0)
      m->nodes[m->nodes[i].return_to].n_ret++;
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    n->in = naryn__arena_alloc(a, (size_t)(n->n_in + 1) * sizeof(int));
    n->out = naryn__arena_alloc(a, (size_t)(n->n_out + 1) * sizeof(int));
    n->ret = naryn__arena_alloc(a, (size_t)(n->n_ret + 1) * sizeof(int));
    if (!n->in || !n->out || !n->ret) return -1;
    n->n_in = n->n_out = n->n_ret = 0;
  }
  for (int i = 0; i < m->nlinks; i++) {
    naryn__node *f = &m->nodes[m->links[i].from], *t = &m->nodes[m->links[i].to];
    f->out[f->n_out++] = i;
    t->in[t->n_in++] = i;
  }
  for (int i = 0; i < m->nnodes; i++)
    if (m->nodes[i].type == NARYN_NODE_DEMAND && m->nodes[i].return_to >= 0) {
      naryn__node *t = &m->nodes[m->nodes[i].return_to];
      t->ret[t->n_ret++] = i;
    }
  return 0;
}

/* Checks that each node has the links its type needs. */
static void check_degrees(checker *c) {
  const naryn_model *m = c->m;
  char w[256];
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    naryn__node_where(n, NULL, w, sizeof w);
    int inflow = n->n_in + n->n_ret;
    switch (n->type) {
    case NARYN_NODE_DEMAND:
    case NARYN_NODE_SINK:
      if (n->n_out > 0)
        bad(c, m->links[n->out[0]].doc, NULL, w,
            "expected no link leaving a %s (%s), got one to \"%s\"",
            naryn_node_type_name(n->type),
            n->type == NARYN_NODE_DEMAND ? "its return flow goes to return_to"
                                         : "water ends there",
            m->nodes[m->links[n->out[0]].to].name);
      if (inflow == 0 && n->enabled)
        bad(c, n->doc, NULL, w, "expected at least one link bringing water "
            "in, got none");
      break;
    case NARYN_NODE_INFLOW:
    case NARYN_NODE_RESERVOIR:
      if (n->n_out == 0 && n->enabled)
        bad(c, n->doc, NULL, w, "expected at least one link taking water "
            "out, got none");
      break;
    case NARYN_NODE_HYDROPOWER:
    case NARYN_NODE_JUNCTION:
    case NARYN_NODE_MIN_FLOW:
      if (n->enabled && (inflow == 0 || n->n_out == 0))
        bad(c, n->doc, NULL, w, "expected links both into and out of a %s, "
            "got none %s", naryn_node_type_name(n->type),
            inflow == 0 ? "in" : "out");
      break;
    case NARYN_NODE_TYPE_COUNT:
      break;
    }
  }
}

/* State of the strongly-connected-components search (Tarjan's method),
** kept in arrays rather than on the C stack so that a chain of any length
** is walked in constant stack space: 'path' holds the nodes being visited,
** deepest last, and 'next' the successor each will look at next. */
typedef struct scc {
  const naryn_model *m;
  int *index, *low, *stack, *on_stack, *path, *next;
  int sp, count;
  int *comp, *order; /* each node's component, and the nodes in the order
                     ** their components close */
  int ncomps, norder;
  checker *c;
} scc;

/* Returns the k-th node that 'u' sends water to directly, through a link
** or as return flow, or -1 past the last. */
static int successor(const naryn_model *m, int u, int k) {
  const naryn__node *n = &m->nodes[u];
  if (k < n->n_out) return m->links[n->out[k]].to;
  if (k == n->n_out && n->type == NARYN_NODE_DEMAND && n->return_to >= 0)
    return n->return_to;
  return -1;
}

/* Reports a node of a loop of links or return flows (through a
** reservoir) where water going round the loop would earn something from
** nothing: a plant would generate from the same water again and again, a
** demand would have its return flow delivered to it again, a minimum flow
** would count the same water as it passed again, and an inflow term would
** see its target met by water that only goes round. A disabled node acts
** as a junction and earns nothing. */
static void loop_node_check(checker *c, int i, const char *list) {
  const naryn_model *m = c->m;
  const naryn__node *n = &m->nodes[i];
  const char *what = NULL;
  char w[256];
  if (!n->enabled) return;
  if (n->type == NARYN_NODE_HYDROPOWER)
    what = "a hydropower plant (the water going round would generate "
           "energy again and again from nothing)";
  else if (n->type == NARYN_NODE_DEMAND)
    what = "a demand and its return flow (the water going round would be "
           "delivered to it again and again)";
  else if (n->type == NARYN_NODE_MIN_FLOW)
    what = "a minimum flow (the water going round would count towards it "
           "again and again)";
  if (what) {
    bad(c, n->doc, NULL, naryn__node_where(n, NULL, w, sizeof w),
        "expected no loop of links or return flows through %s, got the loop "
        "%s", what, list);
    return;
  }
  for (int k = 0; k < m->nterms; k++) {
    const naryn__term *tm = &m->terms[k];
    if (tm->kind != NARYN__TERM_INFLOW || !tm->node_on || !tm->node_on[i])
      continue;
    snprintf(w, sizeof w, "term \"%.100s\"", tm->name);
    bad(c, tm->doc, "nodes", w,
        "expected no node in a loop of links or return flows (the water "
        "going round would count towards its target inflow again and "
        "again), got \"%s\" in the loop %s", n->name, list);
    return;
  }
}

/* Pops the component whose root is u off the stack and reports it when it
** is a cycle that holds no reservoir. */
static void scc_close(scc *s, int u) {
  const naryn_model *m = s->m;
  int start = s->sp;
  do start--; while (s->stack[start] != u);
  int size = s->sp - start, storage = 0;
  for (int i = start; i < s->sp; i++) {
    s->on_stack[s->stack[i]] = 0;
    s->comp[s->stack[i]] = s->ncomps;
    s->order[s->norder++] = s->stack[i];
    const naryn__node *n = &m->nodes[s->stack[i]];
    if (n->type == NARYN_NODE_RESERVOIR && n->enabled) storage = 1;
  }
  if (size > 1) {
    /* The loop as its nodes were met, cut short when long. */
    char list[512] = "";
    size_t used = 0;
    for (int i = start; i < s->sp && used < sizeof list; i++)
      used += (size_t)snprintf(list + used, sizeof list - used, "\"%s\" -> ",
                               m->nodes[s->stack[i]].name);
    if (used < sizeof list)
      snprintf(list + used, sizeof list - used, "\"%s\"", m->nodes[u].name);
    char w[256];
    if (!storage) {
      const naryn__node *n = &m->nodes[u];
      bad(s->c, n->doc, NULL, naryn__node_where(n, NULL, w, sizeof w),
          "expected every loop of links to pass through a reservoir, got the "
          "loop %s with none", list);
    } else {
      for (int i = start; i < s->sp; i++) loop_node_check(s->c, s->stack[i], list);
    }
  }
  s->sp = start;
  s->ncomps++;
}

/* Visits every node reachable from 'root' not yet visited, depth first,
** closing each component as its root is left. */
static void scc_walk(scc *s, int root) {
  int depth = 0;
  s->path[depth] = root;
  s->next[depth] = 0;
  s->index[root] = s->low[root] = s->count++;
  s->stack[s->sp++] = root;
  s->on_stack[root] = 1;
  while (depth >= 0) {
    int u = s->path[depth];
    int v = successor(s->m, u, s->next[depth]++);
    if (v >= 0) {
      if (s->index[v] < 0) {
        depth++;
        s->path[depth] = v;
        s->next[depth] = 0;
        s->index[v] = s->low[v] = s->count++;
        s->stack[s->sp++] = v;
        s->on_stack[v] = 1;
      } else if (s->on_stack[v] && s->index[v] < s->low[u]) {
        s->low[u] = s->index[v];
      }
      continue;
    }
    /* Every successor of u is done: close its component if it is a root,
    ** and hand its low link back to the node that reached it. */
    if (s->low[u] == s->index[u]) scc_close(s, u);
    if (--depth >= 0) {
      int p = s->path[depth];
      if (s->low[u] < s->low[p]) s->low[p] = s->low[u];
    }
  }
}

/* Gives each reservoir a small worth per stored hm3 that grows with the
** number of reservoirs below it, so that, other things equal, water is
** drawn from the lowest reservoir first and kept upstream, where it can
** still reach every demand. "Below" counts the enabled reservoirs on the
** path downstream that passes the most of them (the reservoir itself
** left out), which on a river that does not split again below its
** reservoirs is every reservoir its water can reach. Counting, for every
** reservoir, each one its water could reach over every branch would take
** time that grows with the product of reservoirs and nodes.
**
** The count is found in one pass over the components of the network
** (nodes that reach each other, found by Tarjan's method) in the order
** that method closes them, which puts every component after all those
** below it: 'comp' gives each node's component and 'order' the nodes in
** closing order, each component's nodes together. */
static void set_storage_values(naryn_model *m, const int *comp,
                               const int *order, int ncomps, int *best) {
  int n = m->nnodes;
  for (int c = 0; c < ncomps; c++) best[c] = 0;
  for (int k = 0; k < n;) {
    int c = comp[order[k]], own = 0, below = 0, end = k;
    for (; end < n && comp[order[end]] == c; end++) {
      int u = order[end];
      const naryn__node *nu = &m->nodes[u];
      if (nu->type == NARYN_NODE_RESERVOIR && nu->enabled) own++;
      for (int j = 0;; j++) {
        int v = successor(m, u, j);
        if (v < 0) break;
        if (comp[v] != c && best[comp[v]] > below) below = best[comp[v]];
      }
    }
    best[c] = own + below;
    for (; k < end; k++) {
      naryn__node *nu = &m->nodes[order[k]];
      if (nu->type == NARYN_NODE_RESERVOIR)
        nu->storage_value = 0.01 * (1 + best[c] - (nu->enabled ? 1 : 0));
    }
  }
}

/* Reports every loop of links with no reservoir in it, and gives each
** reservoir its storage value. */
static void check_cycles(checker *c) {
  const naryn_model *m = c->m;
  int n = m->nnodes;
  int *buf = malloc((size_t)n * 9 * sizeof *buf);
  if (!buf) {
    naryn__diag(c->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "out of memory");
    c->failed = 1;
    return;
  }
  scc s = {.m = m, .index = buf, .low = buf + n, .stack = buf + 2 * n,
           .on_stack = buf + 3 * n, .path = buf + 4 * n, .next = buf + 5 * n,
           .comp = buf + 6 * n, .order = buf + 7 * n, .c = c};
  for (int i = 0; i < n; i++) s.index[i] = -1, s.on_stack[i] = 0;
  for (int i = 0; i < n; i++)
    if (s.index[i] < 0) scc_walk(&s, i);
  set_storage_values(c->m, s.comp, s.order, s.ncomps, buf + 8 * n);
  free(buf);
}

int naryn__model_check(naryn_model *m, naryn_diags *d) {
  checker c = {.m = m, .d = d};
  for (int i = 0; i < m->nnodes; i++) {
    /* A number past its physical limit is reported before what follows
    ** from it (a table too short for a storage of 1e308). */
    if (naryn__check_node_limits(m, &m->nodes[i], d)) c.failed = 1;
    check_node_values(&c, &m->nodes[i], i);
  }
  for (int i = 0; i < m->nlinks; i++) {
    if (naryn__check_link_limits(m, &m->links[i], d)) c.failed = 1;
    check_link_values(&c, &m->links[i]);
  }
  if (build_adjacency(m) != 0)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  check_degrees(&c);
  check_cycles(&c);
  /* Rules name plants and control points that must lie downstream, so
  ** they are read once the links of every node are known. */
  int rc = naryn__model_read_rules(m, d);
  if (rc == NARYN_ENOMEM || rc == NARYN_EIO) return rc;
  return c.failed || rc != NARYN_OK ? NARYN_EMODEL : NARYN_OK;
}
