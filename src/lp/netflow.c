/*
** netflow.c: a primal network simplex for step LPs that are pure networks.
**
** Many step LPs of the simulator are minimum-cost flow problems: every
** column has at most one +1 and one -1 (a flow from the row of the -1 to
** the row of the +1, or to or from the ground when one of them is missing)
** and every row is an equality, a node's water balance. Such an LP is
** solved here on the network itself: a basis is a spanning tree of the
** rows and one extra node, the ground, and a pivot costs a walk along one
** cycle of the tree and a pass over the subtree it moves, never a
** factorisation. The tree is kept from solve to solve, as CLP keeps its
** basis, so that the small changes between steps cost a few pivots.
**
** Column j becomes arc j with its cost and bounds; row i becomes node i,
** whose balance (flow in minus flow out) must equal the row's right-hand
** side. Node i also has an artificial arc to or from the ground at a cost
** above any path of real arcs (big M), which makes a starting tree: at
** the first solve every real arc sits at its lower bound and every node
** hangs from the ground by its artificial arc, carrying what the node
** lacks. An artificial arc that leaves the tree never returns; one that
** ends a solve carrying water means the LP is infeasible.
**
** From one solve to the next the tree and the bound each non-tree arc sits
** at are kept; the flows of the tree arcs are worked out again from the
** new bounds and balances, from the leaves up. A tree arc whose flow then
** breaks its bounds is set at the bound it broke and its subtree is hung
** from the ground by the artificial arc of the subtree's top node, so that
** the solve starts from a feasible tree.
**
** Pivots choose the entering arc by block search (the most negative
** reduced cost within blocks of about the square root of the number of
** arcs, starting where the last search stopped) over a list of the arcs
** that may price out: every arc that does at the start of a solve, then
** the arcs at the ends of each subtree a pivot moves, whose reduced costs
** are the only ones a pivot changes; an arc found not to price out leaves
** the list. The leaving arc is chosen by Cunningham's rule (the last
** blocking arc of the cycle, walked in the direction of the flow from its
** apex), which prevents cycling while the tree stays strongly feasible. A warm start may lose that property, so
** the number of pivots of a solve is limited; past the limit the solve
** gives up and the caller solves the step with CLP instead.
**
** The solve is deterministic: the same sequence of problems gives the same
** pivots and the same flows, bit for bit.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Where a non-tree arc sits; tree arcs are ST_TREE. An artificial arc
** that has left the tree is ST_GONE. */
enum { ST_TREE = 0, ST_LOWER = 1, ST_UPPER = -1, ST_GONE = 2 };

struct naryn__net {
  int nrows, ncols, nnodes, root;
  int nreal;            /* arcs before the artificial ones: columns, slacks */
  int *fold;            /* per row: the row it is folded into, or -1 */
  int *slack;           /* per row: its slack arc, or -1 */
  double *rhs;          /* per row: the balance after folding */
  int *tail, *head;     /* per arc: nreal real, then one artificial per row */
  double *cost, *lo, *up, *x;
  signed char *state;
  int *parent, *pred;   /* per node: parent in the tree, arc to it */
  signed char *updir;   /* per node: 1 when pred runs from the node to its parent */
  int *depth;
  int *child, *next, *prev; /* per node: first child, siblings */
  double *pi;           /* potentials: pi[head] = pi[tail] + cost on tree arcs */
  double *need;         /* scratch: net inflow a subtree still needs */
  int *order;           /* scratch: the nodes in preorder */
  double big_m, eps_cost;
  int block, next_arc;  /* pricing: block size, where the last search stopped */
  int warm;             /* a tree from an earlier solve exists */
  int *inc_start, *inc; /* per node: the real arcs that touch it */
  int *list, nlist;     /* the arcs pricing still has to look at */
  unsigned char *listed;/* per real arc: it is in list */
};

/* ---------------------------------------------------------------------- */
/* Building                                                                */
/* ---------------------------------------------------------------------- */

/* The entries of one column after folding: an entry v in a row r that is
** folded into row b counts v in b and -v in r. Returns how many entries
** there are (at most cap; -1 when there would be more). */
static int folded_entries(const int *fold, const int *index,
                          const double *value, int from, int to, int *row,
                          double *val, int cap) {
  int n = 0;
  for (int k = from; k < to; k++) {
    int r = index[k];
    for (int pass = 0; pass < 2; pass++) {
      int target = r;
      double v = value[k];
      if (fold && fold[r] >= 0) {
        if (pass == 0) target = fold[r];
        else v = -v;
      } else if (pass == 1) {
        break;
      }
      int found = -1;
      for (int e = 0; e < n; e++)
        if (row[e] == target) found = e;
      if (found >= 0) {
        val[found] += v;
      } else {
        if (n == cap) return -1;
        row[n] = target;
        val[n++] = v;
      }
    }
  }
  /* Entries that cancel (a link's -1 in its node's balance and +1 in the
  ** node's folded row) drop out. */
  int kept = 0;
  for (int e = 0; e < n; e++)
    if (val[e] != 0.0) row[kept] = row[e], val[kept++] = val[e];
  return kept;
}

/* Whether a column's folded entries make an arc; its ends when they do. */
static int column_arc(const int *fold, const int *index, const double *value,
                      int from, int to, int root, int *tail, int *head) {
  int row[8];
  double val[8];
  int n = folded_entries(fold, index, value, from, to, row, val, 8);
  if (n < 1 || n > 2) return 0;
  *tail = *head = root;
  for (int e = 0; e < n; e++) {
    if (val[e] == 1.0 && *head == root) *head = row[e];
    else if (val[e] == -1.0 && *tail == root) *tail = row[e];
    else return 0;
  }
  return 1;
}

/* A fold is usable when it folds rows into rows that are not folded. */
static int folds_valid(int nrows, const int *fold) {
  if (!fold) return 1;
  for (int i = 0; i < nrows; i++)
    if (fold[i] >= nrows || (fold[i] >= 0 && (fold[i] == i || fold[fold[i]] >= 0)))
      return 0;
  return 1;
}

int naryn__net_is_network(int nrows, int ncols, const int *start,
                          const int *index, const double *value,
                          const int *fold) {
  if (nrows < 1 || ncols < 1 || !folds_valid(nrows, fold)) return 0;
  for (int j = 0; j < ncols; j++) {
    int t, h;
    for (int k = start[j]; k < start[j + 1]; k++)
      if (index[k] < 0 || index[k] >= nrows) return 0;
    if (!column_arc(fold, index, value, start[j], start[j + 1], nrows, &t, &h))
      return 0;
  }
  return 1;
}

naryn__net *naryn__net_new(int nrows, int ncols, const int *start,
                           const int *index, const double *value,
                           const double *cost, const int *fold,
                           const unsigned char *slack) {
  naryn__net *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  int nslack = 0;
  for (int i = 0; slack && i < nrows; i++) nslack += slack[i] != 0;
  int nn = nrows + 1, nreal = ncols + nslack, na = nreal + nrows;
  g->nrows = nrows;
  g->ncols = ncols;
  g->nreal = nreal;
  g->nnodes = nn;
  g->root = nrows;
  g->fold = malloc((size_t)nrows * sizeof *g->fold);
  g->slack = malloc((size_t)nrows * sizeof *g->slack);
  g->rhs = malloc((size_t)nrows * sizeof *g->rhs);
  g->tail = malloc((size_t)na * sizeof *g->tail);
  g->head = malloc((size_t)na * sizeof *g->head);
  g->cost = malloc((size_t)na * sizeof *g->cost);
  g->lo = malloc((size_t)na * sizeof *g->lo);
  g->up = malloc((size_t)na * sizeof *g->up);
  g->x = malloc((size_t)na * sizeof *g->x);
  g->state = malloc((size_t)na);
  g->parent = malloc((size_t)nn * sizeof *g->parent);
  g->pred = malloc((size_t)nn * sizeof *g->pred);
  g->updir = malloc((size_t)nn);
  g->depth = malloc((size_t)nn * sizeof *g->depth);
  g->child = malloc((size_t)nn * sizeof *g->child);
  g->next = malloc((size_t)nn * sizeof *g->next);
  g->prev = malloc((size_t)nn * sizeof *g->prev);
  g->pi = malloc((size_t)nn * sizeof *g->pi);
  g->need = malloc((size_t)nn * sizeof *g->need);
  g->order = malloc((size_t)nn * sizeof *g->order);
  g->inc_start = calloc((size_t)nn + 1, sizeof *g->inc_start);
  g->inc = malloc(((size_t)2 * nreal + 1) * sizeof *g->inc);
  g->list = malloc(((size_t)nreal + 1) * sizeof *g->list);
  g->listed = calloc((size_t)nreal + 1, 1);
  if (!g->fold || !g->slack || !g->rhs || !g->tail || !g->head || !g->cost ||
      !g->lo || !g->up || !g->x || !g->state || !g->parent || !g->pred ||
      !g->updir || !g->depth || !g->child || !g->next || !g->prev || !g->pi ||
      !g->need || !g->order || !g->inc_start || !g->inc || !g->list ||
      !g->listed) {
    naryn__net_free(g);
    return NULL;
  }
  for (int i = 0; i < nrows; i++) g->fold[i] = fold ? fold[i] : -1;
  double sum = 0.0, top = 0.0;
  for (int j = 0; j < ncols; j++) {
    column_arc(g->fold, index, value, start[j], start[j + 1], g->root,
               &g->tail[j], &g->head[j]);
    g->cost[j] = cost[j];
    sum += fabs(cost[j]);
    if (fabs(cost[j]) > top) top = fabs(cost[j]);
  }
  /* The slack s of a row whose bounds may differ: row - s = lower bound,
  ** 0 <= s <= upper - lower; it enters the row with -1, folded like any
  ** other entry. */
  for (int i = 0, j = ncols; i < nrows; i++) {
    g->slack[i] = -1;
    if (!slack || !slack[i]) continue;
    static const double minus_one = -1.0;
    column_arc(g->fold, &i, &minus_one, 0, 1, g->root, &g->tail[j], &g->head[j]);
    g->cost[j] = 0.0;
    g->slack[i] = j++;
  }
  /* No path of real arcs costs more than the sum of all their costs. */
  g->big_m = 2.0 * sum + 1.0;
  g->eps_cost = 1e-9 * (1.0 + top);
  for (int i = 0; i < nrows; i++) {
    int a = nreal + i;
    g->cost[a] = g->big_m;
    g->lo[a] = 0.0;
    g->up[a] = INFINITY;
  }
  g->block = (int)sqrt((double)nreal);
  if (g->block < 16) g->block = 16;
  /* Each node's arcs, for pricing only the arcs whose reduced cost a pivot
  ** may have changed. */
  for (int j = 0; j < nreal; j++) g->inc_start[g->tail[j]]++, g->inc_start[g->head[j]]++;
  for (int v = 0, at = 0; v <= nn; v++) {
    int k = v < nn ? g->inc_start[v] : 0;
    g->inc_start[v] = at;
    at += k;
  }
  for (int j = 0; j < nreal; j++) {
    g->inc[g->inc_start[g->tail[j]]++] = j;
    g->inc[g->inc_start[g->head[j]]++] = j;
  }
  for (int v = nn; v > 0; v--) g->inc_start[v] = g->inc_start[v - 1];
  g->inc_start[0] = 0;
  return g;
}

void naryn__net_free(naryn__net *g) {
  if (!g) return;
  free(g->fold);
  free(g->slack);
  free(g->rhs);
  free(g->tail);
  free(g->head);
  free(g->cost);
  free(g->lo);
  free(g->up);
  free(g->x);
  free(g->state);
  free(g->parent);
  free(g->pred);
  free(g->updir);
  free(g->depth);
  free(g->child);
  free(g->next);
  free(g->prev);
  free(g->pi);
  free(g->need);
  free(g->order);
  free(g->inc_start);
  free(g->inc);
  free(g->list);
  free(g->listed);
  free(g);
}

const double *naryn__net_x(const naryn__net *g) { return g->x; }

/* ---------------------------------------------------------------------- */
/* The tree                                                                */
/* ---------------------------------------------------------------------- */

static void unlink_child(naryn__net *g, int v) {
  int p = g->parent[v];
  if (g->prev[v] >= 0) g->next[g->prev[v]] = g->next[v];
  else g->child[p] = g->next[v];
  if (g->next[v] >= 0) g->prev[g->next[v]] = g->prev[v];
}

static void link_child(naryn__net *g, int p, int v) {
  g->parent[v] = p;
  g->prev[v] = -1;
  g->next[v] = g->child[p];
  if (g->child[p] >= 0) g->prev[g->child[p]] = v;
  g->child[p] = v;
}

/* Depth and potential of v from its parent's. */
static void settle(naryn__net *g, int v) {
  int p = g->parent[v], a = g->pred[v];
  g->depth[v] = g->depth[p] + 1;
  g->pi[v] = g->updir[v] ? g->pi[p] - g->cost[a] : g->pi[p] + g->cost[a];
}

/* Visits the subtree of v in preorder, v first; settles every node below v
** and, when order is not NULL, lists the nodes there. Returns how many. */
static int walk(naryn__net *g, int v, int *order) {
  int n = 0, u = v;
  if (order) order[n] = v;
  n++;
  for (;;) {
    if (g->child[u] >= 0) {
      u = g->child[u];
    } else {
      while (u != v && g->next[u] < 0) u = g->parent[u];
      if (u == v) break;
      u = g->next[u];
    }
    settle(g, u);
    if (order) order[n] = u;
    n++;
  }
  return n;
}

/* Hangs node v from the ground by its artificial arc carrying 'lack', the
** net inflow v's subtree still needs (pointing the arc the way it flows). */
static void hang_from_ground(naryn__net *g, int v, double lack, int rehang) {
  int a = g->nreal + v;
  if (rehang) unlink_child(g, v);
  link_child(g, g->root, v);
  g->pred[v] = a;
  g->state[a] = ST_TREE;
  if (lack >= 0) {
    g->tail[a] = g->root, g->head[a] = v, g->updir[v] = 0, g->x[a] = lack;
  } else {
    g->tail[a] = v, g->head[a] = g->root, g->updir[v] = 1, g->x[a] = -lack;
  }
}

/* Sets the flow of every non-tree arc at its bound and the lack of every
** node: its balance less the net inflow of the non-tree arcs. */
static void place_nontree(naryn__net *g, const double *rhs) {
  for (int i = 0; i < g->nrows; i++) g->need[i] = rhs[i];
  g->need[g->root] = 0.0;
  for (int j = 0; j < g->nreal; j++) {
    if (g->state[j] == ST_TREE) continue;
    if (g->state[j] == ST_UPPER && g->up[j] == INFINITY) g->state[j] = ST_LOWER;
    double f = g->state[j] == ST_UPPER ? g->up[j] : g->lo[j];
    g->x[j] = f;
    g->need[g->head[j]] -= f;
    g->need[g->tail[j]] += f;
  }
  for (int i = 0; i < g->nrows; i++)
    if (g->state[g->nreal + i] == ST_GONE) g->x[g->nreal + i] = 0.0;
}

/* The first tree: every real arc at its lower bound, every node hung from
** the ground. */
static void cold_start(naryn__net *g, const double *rhs) {
  for (int v = 0; v < g->nnodes; v++) g->child[v] = -1;
  g->parent[g->root] = -1;
  g->pred[g->root] = -1;
  g->depth[g->root] = 0;
  g->pi[g->root] = 0.0;
  for (int j = 0; j < g->nreal; j++) g->state[j] = ST_LOWER;
  for (int i = 0; i < g->nrows; i++) g->state[g->nreal + i] = ST_TREE;
  place_nontree(g, rhs);
  for (int v = g->nrows - 1; v >= 0; v--) {
    hang_from_ground(g, v, g->need[v], 0);
    settle(g, v);
  }
  g->next_arc = 0;
  g->warm = 1;
}

/* Works out the flows of the tree arcs for new bounds and balances from
** the leaves up, hanging from the ground every subtree whose arc to its
** parent would break its bounds. */
static void warm_start(naryn__net *g, const double *rhs) {
  place_nontree(g, rhs);
  int n = walk(g, g->root, g->order), moved = 0;
  for (int k = n - 1; k >= 1; k--) {
    int v = g->order[k], a = g->pred[v], p = g->parent[v];
    double f = g->updir[v] ? -g->need[v] : g->need[v];
    if (a >= g->nreal) {
      if (f < 0) {
        int t = g->tail[a];
        g->tail[a] = g->head[a], g->head[a] = t;
        g->updir[v] ^= 1;
        f = -f;
        moved = 1;
      }
      g->x[a] = f;
      g->need[p] += g->need[v];
      continue;
    }
    double tol = 1e-9 * (1.0 + fabs(f));
    if (f >= g->lo[a] - tol && f <= g->up[a] + tol) {
      g->x[a] = f;
      g->need[p] += g->need[v];
      continue;
    }
    /* The arc leaves the tree at the bound it broke; the subtree takes what
    ** it still lacks from the ground. */
    double fix = f < g->lo[a] ? g->lo[a] : g->up[a];
    g->state[a] = f < g->lo[a] ? ST_LOWER : ST_UPPER;
    g->x[a] = fix;
    double into_v = g->updir[v] ? -fix : fix;
    g->need[p] += into_v;
    hang_from_ground(g, v, g->need[v] - into_v, 1);
    moved = 1;
  }
  if (moved) walk(g, g->root, NULL);
}

/* ---------------------------------------------------------------------- */
/* Pivots                                                                  */
/* ---------------------------------------------------------------------- */

/* The reduced cost of real arc a as seen from its bound, negative when
** bringing it into the tree would lower the cost; 0 for a tree arc and an
** arc whose bounds are equal. */
static inline double reduced_cost(const naryn__net *g, int a) {
  int s = g->state[a];
  if ((s != ST_LOWER && s != ST_UPPER) || !(g->up[a] > g->lo[a])) return 0.0;
  return s * (g->cost[a] + g->pi[g->tail[a]] - g->pi[g->head[a]]);
}

/* Makes the pricing list anew from every real arc, at the start of a solve,
** when bounds, states and potentials may all have changed: the arcs that
** price out. */
static void list_all(naryn__net *g) {
  for (int k = 0; k < g->nlist; k++) g->listed[g->list[k]] = 0;
  g->nlist = 0;
  for (int j = 0; j < g->nreal; j++)
    if (reduced_cost(g, j) < -g->eps_cost) g->listed[j] = 1, g->list[g->nlist++] = j;
  g->next_arc = 0;
}

/* Puts on the pricing list the arcs that touch the n nodes of order,
** whose potentials a pivot has just changed. */
static void list_touched(naryn__net *g, const int *order, int n) {
  for (int k = 0; k < n; k++) {
    int v = order[k];
    for (int i = g->inc_start[v]; i < g->inc_start[v + 1]; i++) {
      int a = g->inc[i];
      if (!g->listed[a]) g->listed[a] = 1, g->list[g->nlist++] = a;
    }
  }
}

/* The entering arc by block search over the pricing list (the most
** negative reduced cost within blocks of about the square root of the
** number of arcs, starting where the last search stopped), or -1 when the
** tree is optimal. An arc found not to price out is taken off the list: its
** reduced cost changes only when a pivot moves one of its ends, which puts
** it back (list_touched), so an empty list means that no arc prices out. */
static int price(naryn__net *g) {
  int k = g->next_arc, seen = 0, best_arc = -1, first = g->nlist;
  double best = -g->eps_cost;
  while (g->nlist > 0) {
    if (k >= g->nlist) k = 0;
    int a = g->list[k];
    double rc = reduced_cost(g, a);
    if (rc < -g->eps_cost) {
      if (rc < best) best = rc, best_arc = a;
      k++;
    } else {
      /* Off the list; the last entry takes its place and is looked at next. */
      g->listed[a] = 0;
      g->list[k] = g->list[--g->nlist];
    }
    if (++seen >= g->block && best_arc >= 0) break;
    if (seen >= first && best_arc >= 0) break;
  }
  g->next_arc = k;
  return best_arc;
}

/* Brings arc e into the tree. Returns 0, or -1 when the cycle has no
** bound (the LP is unbounded). */
static int pivot(naryn__net *g, int e) {
  int up_e = g->state[e] == ST_LOWER;
  int first = up_e ? g->tail[e] : g->head[e];
  int second = up_e ? g->head[e] : g->tail[e];
  int u = first, w = second;
  while (u != w) {
    if (g->depth[u] > g->depth[w]) u = g->parent[u];
    else if (g->depth[w] > g->depth[u]) w = g->parent[w];
    else u = g->parent[u], w = g->parent[w];
  }
  int join = u;
  /* The cycle runs from the join down to first, along e to second and up
  ** to the join; the last arc to block in that order leaves. */
  double delta = g->up[e] - g->lo[e];
  int out = -1, side = 0;
  for (int v = first; v != join; v = g->parent[v]) {
    int a = g->pred[v];
    double room = g->updir[v] ? g->x[a] - g->lo[a] : g->up[a] - g->x[a];
    if (room < delta) delta = room, out = v, side = 1;
  }
  for (int v = second; v != join; v = g->parent[v]) {
    int a = g->pred[v];
    double room = g->updir[v] ? g->up[a] - g->x[a] : g->x[a] - g->lo[a];
    if (room <= delta) delta = room, out = v, side = 2;
  }
  if (delta == INFINITY) return -1;
  if (delta < 0) delta = 0;
  if (delta > 0) {
    g->x[e] += up_e ? delta : -delta;
    for (int v = first; v != join; v = g->parent[v])
      g->x[g->pred[v]] += g->updir[v] ? -delta : delta;
    for (int v = second; v != join; v = g->parent[v])
      g->x[g->pred[v]] += g->updir[v] ? delta : -delta;
  }
  if (out < 0) {
    /* e goes from one bound to the other. */
    g->state[e] = up_e ? ST_UPPER : ST_LOWER;
    g->x[e] = up_e ? g->up[e] : g->lo[e];
    return 0;
  }
  int la = g->pred[out];
  if (la >= g->nreal) {
    g->state[la] = ST_GONE;
    g->x[la] = 0.0;
  } else {
    int at_upper = side == 1 ? !g->updir[out] : g->updir[out];
    g->state[la] = at_upper ? ST_UPPER : ST_LOWER;
    g->x[la] = at_upper ? g->up[la] : g->lo[la];
  }
  /* The subtree below the leaving arc hangs from e now: the path from e's
  ** end in it up to the leaving arc turns over. */
  int u_in = side == 1 ? first : second;
  int v_in = side == 1 ? second : first;
  int cur = u_in, new_parent = v_in, new_pred = e;
  int new_up = g->tail[e] == u_in;
  for (;;) {
    int old_parent = g->parent[cur], old_pred = g->pred[cur];
    int old_up = g->updir[cur];
    unlink_child(g, cur);
    link_child(g, new_parent, cur);
    g->pred[cur] = new_pred;
    g->updir[cur] = (signed char)new_up;
    if (cur == out) break;
    new_parent = cur;
    new_pred = old_pred;
    new_up = !old_up;
    cur = old_parent;
  }
  g->state[e] = ST_TREE;
  settle(g, u_in);
  list_touched(g, g->order, walk(g, u_in, g->order));
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Solving                                                                 */
/* ---------------------------------------------------------------------- */

int naryn__net_solve(naryn__net *g, const double *collo, const double *colup,
                     const double *rowlo, const double *rowup,
                     long *iterations) {
  if (naryn_interrupted()) return NARYN_EINTR;
  for (int j = 0; j < g->ncols; j++) {
    if (!isfinite(collo[j]) || colup[j] < collo[j]) return NARYN_ESOLVER;
    g->lo[j] = collo[j];
    g->up[j] = colup[j];
  }
  /* Each row's balance at its lower bound, its slack taking the rest; then
  ** folded as the columns were. */
  for (int i = 0; i < g->nrows; i++) {
    int sl = g->slack[i];
    if (!isfinite(rowlo[i]) || (sl < 0 && rowup[i] != rowlo[i]) ||
        rowup[i] < rowlo[i])
      return NARYN_ESOLVER;
    if (sl >= 0) {
      g->lo[sl] = 0.0;
      g->up[sl] = rowup[i] - rowlo[i];
    }
    g->rhs[i] = rowlo[i];
  }
  for (int i = 0; i < g->nrows; i++)
    if (g->fold[i] >= 0) g->rhs[g->fold[i]] += rowlo[i], g->rhs[i] = -rowlo[i];
  double scale = 1.0;
  for (int i = 0; i < g->nrows; i++)
    if (fabs(g->rhs[i]) > scale) scale = fabs(g->rhs[i]);
  if (g->warm) warm_start(g, g->rhs);
  else cold_start(g, g->rhs);
  list_all(g);
  /* A limit on pivots: a warm tree that is not strongly feasible could in
  ** principle cycle, and a first solve of a huge network is better left to
  ** CLP's presolve. */
  long limit = 20L * (g->nnodes + g->nreal) + 1000, pivots = 0;
  int rc = NARYN_OK;
  for (;;) {
    int e = price(g);
    if (e < 0) break;
    if (++pivots > limit) {
      rc = NARYN_ESOLVER;
      break;
    }
    if ((pivots & 1023) == 0 && naryn_interrupted()) {
      rc = NARYN_EINTR;
      break;
    }
    if (pivot(g, e) < 0) {
      rc = NARYN_ESOLVER;
      break;
    }
  }
  if (iterations) *iterations += pivots;
  if (rc != NARYN_OK) return rc;
  /* Water still carried by an artificial arc is water the network cannot
  ** move: the LP is infeasible. */
  double tol = 1e-9 * scale;
  for (int i = 0; i < g->nrows; i++) {
    int a = g->nreal + i;
    if (g->state[a] == ST_TREE && g->x[a] > tol) return NARYN_EINFEAS;
  }
  return NARYN_OK;
}
