/*
** network.c: the model's network drawn as an SVG diagram, from upstream at
** the top to downstream at the bottom, so that a reader can follow the
** water from the headwaters to the terminal lakes.
**
** Layout, in three steps:
**  1. Layers. Each node sits one layer below the lowest of the nodes that
**     send it water (the longest path from a source), and a node that
**     only sends water (a tributary's headwater) is then pulled down to
**     just above the first node it feeds, so that a tributary joins the
**     river where it enters rather than hanging from the top.
**  2. The main stem, the longest chain from a source to the deepest node,
**     takes column 0.
**  3. Every other node, layer by layer, takes the free column nearest to
**     the mean of the columns of the nodes feeding it: to the right when
**     it hangs off the river (demands, branches), to the left when nothing
**     feeds it (headwaters), so tributaries come in from the left.
** Shapes give the node type and fill colours the country. Return flows of
** demands are dashed. Disabled nodes are drawn hollow. Each step walks
** lists of each node's links, so the layout takes time proportional to
** the number of links times the number of rounds each step needs to
** settle; networks of more than NET_MAX_NODES nodes are not drawn.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define COL_PX 215.0  /* between columns */
#define ROW_PX 38.0   /* between layers */
#define NODE_R 8.0    /* half the size of a node's symbol */

/* Networks with more nodes than this are not drawn: the diagram would be
** too large to read, and its layout takes time that grows with the square
** of the number of nodes. The report says so instead. */
#define NET_MAX_NODES 2000

typedef struct layout {
  int *layer, *col, *stem;
  int nlayers, mincol, maxcol;
} layout;

/* The links other than return flows, by node: for node i, the links
** leaving it are out[out_at[i] .. out_at[i+1]-1] and those reaching it
** in[in_at[i] .. in_at[i+1]-1], each list in link order. */
typedef struct adjacency {
  int *out_at, *out, *in_at, *in;
} adjacency;

static void adjacency_free(adjacency *g) {
  free(g->out_at), free(g->out), free(g->in_at), free(g->in);
}

static int adjacency_build(const naryn__net_link *links, int nlinks, int n,
                           adjacency *g) {
  g->out_at = calloc((size_t)n + 1, sizeof *g->out_at);
  g->in_at = calloc((size_t)n + 1, sizeof *g->in_at);
  g->out = malloc(((size_t)nlinks + 1) * sizeof *g->out);
  g->in = malloc(((size_t)nlinks + 1) * sizeof *g->in);
  if (!g->out_at || !g->in_at || !g->out || !g->in) return -1;
  for (int l = 0; l < nlinks; l++)
    if (!links[l].is_return) g->out_at[links[l].from + 1]++, g->in_at[links[l].to + 1]++;
  for (int i = 0; i < n; i++)
    g->out_at[i + 1] += g->out_at[i], g->in_at[i + 1] += g->in_at[i];
  int *fill_out = calloc((size_t)n, sizeof *fill_out);
  int *fill_in = calloc((size_t)n, sizeof *fill_in);
  if (!fill_out || !fill_in) {
    free(fill_out), free(fill_in);
    return -1;
  }
  for (int l = 0; l < nlinks; l++) {
    if (links[l].is_return) continue;
    int a = links[l].from, b = links[l].to;
    g->out[g->out_at[a] + fill_out[a]++] = l;
    g->in[g->in_at[b] + fill_in[b]++] = l;
  }
  free(fill_out), free(fill_in);
  return 0;
}

static int layer_of(const naryn__net_link *links, int nlinks, int n,
                    const adjacency *g, int *layer) {
  for (int i = 0; i < n; i++) layer[i] = 0;
  /* Longest path from the sources; n rounds settle any acyclic network,
  ** and a cycle stops growing at n. */
  for (int round = 0; round < n; round++) {
    int changed = 0;
    for (int l = 0; l < nlinks; l++) {
      const naryn__net_link *k = &links[l];
      if (k->is_return) continue;
      if (layer[k->from] + 1 > layer[k->to] && layer[k->from] + 1 <= n) {
        layer[k->to] = layer[k->from] + 1;
        changed = 1;
      }
    }
    if (!changed) break;
  }
  /* Pull down what nothing feeds, and the chains below it, to just above
  ** the first node they feed. Leaves (demands, sinks) do not hold a node
  ** up when it also feeds the river on: they are placed under their
  ** feeders afterwards. */
  int *leaf = calloc((size_t)n, sizeof *leaf);
  if (!leaf) return -1;
  for (int i = 0; i < n; i++) leaf[i] = g->out_at[i + 1] == g->out_at[i];
  for (int round = 0; round < n; round++) {
    int changed = 0;
    for (int i = 0; i < n; i++) {
      int below = -1, below_leaf = -1;
      for (int k = g->out_at[i]; k < g->out_at[i + 1]; k++) {
        int to = links[g->out[k]].to;
        int *b = leaf[to] ? &below_leaf : &below;
        if (*b < 0 || layer[to] < *b) *b = layer[to];
      }
      if (below < 0) below = below_leaf;
      if (below < 0) continue;
      /* A node may move down while everything feeding it stays above. */
      int top = 0;
      for (int k = g->in_at[i]; k < g->in_at[i + 1]; k++)
        if (layer[links[g->in[k]].from] + 1 > top)
          top = layer[links[g->in[k]].from] + 1;
      int want = below - 1;
      if (want > layer[i] && want >= top) {
        layer[i] = want;
        changed = 1;
      }
    }
    /* Leaves sit just under their lowest feeder. */
    for (int i = 0; i < n; i++) {
      if (!leaf[i]) continue;
      int top = -1;
      for (int k = g->in_at[i]; k < g->in_at[i + 1]; k++)
        if (layer[links[g->in[k]].from] + 1 > top)
          top = layer[links[g->in[k]].from] + 1;
      if (top >= 0 && top != layer[i]) {
        layer[i] = top;
        changed = 1;
      }
    }
    if (!changed) break;
  }
  free(leaf);
  int nl = 0;
  for (int i = 0; i < n; i++)
    if (layer[i] + 1 > nl) nl = layer[i] + 1;
  return nl;
}

static int do_layout(int n, const naryn__net_link *links, int nlinks, layout *L) {
  adjacency g = {0};
  L->layer = calloc((size_t)n, sizeof *L->layer);
  L->col = calloc((size_t)n, sizeof *L->col);
  L->stem = calloc((size_t)n, sizeof *L->stem);
  int *placed = calloc((size_t)n, sizeof *placed);
  /* used[c + n] is 1 + the last layer whose column c is taken; columns
  ** stay within n of 0, since a layer holds at most n nodes. */
  int *used = calloc(2 * (size_t)n + 1, sizeof *used);
  int rc = NARYN_ENOMEM;
  if (!L->layer || !L->col || !L->stem || !placed || !used ||
      adjacency_build(links, nlinks, n, &g) != 0)
    goto done;
  L->nlayers = layer_of(links, nlinks, n, &g, L->layer);
  if (L->nlayers < 0) goto done;
  /* The main stem: from the deepest node (the first, in model order) up
  ** through a feeder one layer above, preferring the first in model order. */
  int deep = 0;
  for (int i = 1; i < n; i++)
    if (L->layer[i] > L->layer[deep]) deep = i;
  for (int cur = deep; cur >= 0;) {
    L->stem[cur] = 1;
    int up = -1;
    for (int k = g.in_at[cur]; k < g.in_at[cur + 1]; k++) {
      int from = links[g.in[k]].from;
      if (L->layer[from] == L->layer[cur] - 1 && !L->stem[from] &&
          (up < 0 || from < up))
        up = from;
    }
    cur = up;
  }
  /* Columns, layer by layer: the stem first, then the others in model
  ** order. */
  L->mincol = L->maxcol = 0;
  for (int lay = 0; lay < L->nlayers; lay++) {
    for (int pass = 0; pass < 2; pass++)
      for (int i = 0; i < n; i++) {
        if (L->layer[i] != lay || L->stem[i] != (pass == 0)) continue;
        if (L->stem[i]) {
          L->col[i] = 0;
          used[n] = lay + 1;
          placed[i] = 1;
          continue;
        }
        double sum = 0;
        int nf = 0;
        for (int k = g.in_at[i]; k < g.in_at[i + 1]; k++)
          if (placed[links[g.in[k]].from])
            sum += L->col[links[g.in[k]].from], nf++;
        int want = nf ? (int)lround(sum / nf) : -1;
        int pref = nf ? 1 : -1;
        /* The nearest free column in this layer. */
        int got = want;
        for (int dist = 0; dist <= n; dist++) {
          int found = 0;
          for (int side = 0; side < 2 && !found; side++) {
            int c = want + (side == 0 ? pref : -pref) * dist;
            if (c < -n || c > n || used[c + n] != lay + 1) {
              got = c;
              found = 1;
            }
          }
          if (found) break;
        }
        L->col[i] = got;
        if (got >= -n && got <= n) used[got + n] = lay + 1;
        placed[i] = 1;
      }
  }
  for (int i = 0; i < n; i++) {
    if (L->col[i] < L->mincol) L->mincol = L->col[i];
    if (L->col[i] > L->maxcol) L->maxcol = L->col[i];
  }
  rc = NARYN_OK;
done:
  adjacency_free(&g);
  free(placed);
  free(used);
  return rc;
}

/* The node's symbol, centred on (x, y). */
static void symbol(FILE *out, const char *type, double x, double y,
                   const char *fill, int enabled) {
  const double r = NODE_R;
  char style[96];
  snprintf(style, sizeof style, "fill=\"%s\" stroke=\"%s\"%s",
           enabled ? fill : "#ffffff", enabled ? "#222222" : fill,
           enabled ? "" : " stroke-dasharray=\"3 2\" stroke-width=\"2\"");
  if (strcmp(type, "reservoir") == 0)
    fprintf(out, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s/>", x - r * 1.3,
            y - r, x + r * 1.3, y - r, x, y + r, style);
  else if (strcmp(type, "hydropower") == 0)
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                 "rx=\"2\" %s/><path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1f\" "
                 "fill=\"none\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
            x - r, y - r, 2 * r, 2 * r, style, x + 2, y - 6, x - 3, y, x + 3, y,
            x - 2, y + 6);
  else if (strcmp(type, "demand") == 0)
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" %s/>",
            x - r, y - r * 0.8, 2 * r, 1.6 * r, style);
  else if (strcmp(type, "inflow") == 0)
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s/>", x, y, r * 0.8, style);
  else if (strcmp(type, "min_flow") == 0)
    fprintf(out, "<path d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1fZ\" %s/>", x,
            y - r, x + r, y, x, y + r, x - r, y, style);
  else if (strcmp(type, "sink") == 0)
    fprintf(out, "<ellipse cx=\"%.1f\" cy=\"%.1f\" rx=\"%.1f\" ry=\"%.1f\" %s/>", x, y,
            r * 1.6, r * 0.9, style);
  else /* junction, and anything else */
    fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" %s/>", x, y, r * 0.45, style);
}

int naryn__network_svg(FILE *out, const char *id, const naryn__net_node *nodes,
                       int nnodes, const naryn__net_link *links, int nlinks,
                       const char *const *countries, int ncountries,
                       naryn_diags *d) {
  for (int l = 0; l < nlinks; l++)
    if (links[l].from < 0 || links[l].from >= nnodes || links[l].to < 0 ||
        links[l].to >= nnodes)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "network \"%s\": link %d joins nodes %d and %d; "
                         "expected nodes 1 to %d", id, l + 1, links[l].from + 1,
                         links[l].to + 1, nnodes);
  if (nnodes > NET_MAX_NODES) {
    fprintf(out, "<svg class=\"chart network\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "viewBox=\"0 0 760 60\" width=\"760\" height=\"60\" role=\"img\" "
                 "aria-labelledby=\"%s-t\"><title id=\"%s-t\">The network</title>\n"
                 "<text class=\"empty\" x=\"380\" y=\"34\" text-anchor=\"middle\">"
                 "%d nodes and %d links: too many to draw (at most %d nodes are "
                 "drawn)</text>\n</svg>\n",
            id, id, nnodes, nlinks, NET_MAX_NODES);
    return NARYN_OK;
  }
  layout L = {0};
  if (nnodes > 0 && do_layout(nnodes, links, nlinks, &L) != NARYN_OK) {
    free(L.layer), free(L.col), free(L.stem);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  static const char *const types[] = {"inflow", "reservoir", "hydropower",
                                      "junction", "demand", "min_flow", "sink"};
  static const char *const type_labels[] = {"inflow", "reservoir", "hydropower plant",
                                            "junction", "demand", "minimum flow",
                                            "sink or lake"};
  /* The legend: node types, then countries, in rows across the top. */
  double W = 40 + (L.maxcol - L.mincol + 1) * COL_PX;
  if (W < 760) W = 760;
  double legend_h = 2 * 22 + (ncountries + 3) / 4 * 22;
  double top = legend_h + 24;
  double H = top + (nnodes > 0 ? L.nlayers : 1) * ROW_PX + 10;
  fprintf(out, "<svg class=\"chart network\" xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\" "
               "aria-labelledby=\"%s-t\"><title id=\"%s-t\">The network, from "
               "upstream (top) to downstream</title>\n",
          W, H, W, H, id, id);
  fprintf(out, "<defs><marker id=\"%s-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" "
               "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
               "<path d=\"M0 0L10 5L0 10Z\" fill=\"#555555\"/></marker></defs>\n",
          id);
  fprintf(out, "<g class=\"legend\">");
  for (int k = 0; k < 7; k++) {
    double x = 20 + (k % 4) * 180, y = 16 + (k / 4) * 22;
    symbol(out, types[k], x + 8, y - 4, "#bbbbbb", 1);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>", x + 24, y, type_labels[k]);
  }
  for (int c = 0; c < ncountries; c++) {
    double x = 20 + (c % 4) * 180, y = 16 + 2 * 22 + (c / 4) * 22;
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"12\" fill=\"%s\"/>",
            x, y - 10, naryn__colour(c));
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 24, y);
    naryn__html_text(out, countries[c]);
    fprintf(out, "</text>");
  }
  fprintf(out, "</g>\n");
  if (nnodes == 0)
    fprintf(out, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                 "No nodes</text>\n", W / 2, top + ROW_PX / 2);

  /* Links under the nodes. */
#define NX(i) (20 + NODE_R * 2 + (L.col[i] - L.mincol) * COL_PX)
#define NY(i) (top + L.layer[i] * ROW_PX + ROW_PX / 2)
  fprintf(out, "<g class=\"links\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1.3\">");
  for (int l = 0; l < nlinks; l++) {
    int a = links[l].from, b = links[l].to;
    double x1 = NX(a), y1 = NY(a), x2 = NX(b), y2 = NY(b);
    double dx = x2 - x1, dy = y2 - y1, len = sqrt(dx * dx + dy * dy);
    if (len < 1e-9) continue;
    /* Stop at the edge of the symbol, so the arrow head shows. */
    double ex = x2 - dx / len * (NODE_R + 2), ey = y2 - dy / len * (NODE_R + 2);
    const char *dash = links[l].is_return ? " stroke-dasharray=\"4 3\"" : "";
    int skips = L.col[a] == L.col[b] && abs(L.layer[b] - L.layer[a]) > 1;
    if (skips || links[l].is_return) {
      /* Bow out so as not to run through the nodes between. */
      double bow = (links[l].is_return ? -1 : 1) * (28 + 4 * abs(L.layer[b] - L.layer[a]));
      fprintf(out, "<path d=\"M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f\"%s "
                   "marker-end=\"url(#%s-arrow)\"/>",
              x1, y1, x1 + bow, y1 + dy / 3, x2 + bow, y2 - dy / 3,
              ex + (bow > 0 ? 4 : -4), ey, dash, id);
    } else {
      fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"%s "
                   "marker-end=\"url(#%s-arrow)\"/>",
              x1, y1, ex, ey, dash, id);
    }
  }
  fprintf(out, "</g>\n<g class=\"nodes\">");
  for (int i = 0; i < nnodes; i++) {
    const char *fill = nodes[i].colour >= 0 ? naryn__colour(nodes[i].colour) : "#bbbbbb";
    fprintf(out, "<g><title>");
    naryn__html_text(out, nodes[i].name);
    fprintf(out, " (");
    naryn__html_text(out, nodes[i].type);
    if (nodes[i].country && nodes[i].country[0]) {
      fprintf(out, ", ");
      naryn__html_text(out, nodes[i].country);
    }
    fprintf(out, "%s)</title>", nodes[i].enabled ? "" : ", disabled");
    symbol(out, nodes[i].type, NX(i), NY(i), fill, nodes[i].enabled);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"%s>", NX(i) + NODE_R + 6, NY(i) + 4,
            nodes[i].enabled ? "" : " class=\"off\"");
    naryn__html_text(out, nodes[i].name);
    fprintf(out, "</text></g>");
  }
#undef NX
#undef NY
  fprintf(out, "</g>\n</svg>\n");
  free(L.layer);
  free(L.col);
  free(L.stem);
  return NARYN_OK;
}
