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
** demands are dashed. Disabled nodes are drawn hollow.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define COL_PX 215.0  /* between columns */
#define ROW_PX 38.0   /* between layers */
#define NODE_R 8.0    /* half the size of a node's symbol */

typedef struct layout {
  int *layer, *col, *stem;
  int nlayers, mincol, maxcol;
} layout;

static int layer_of(const naryn__net_link *links, int nlinks, int n, int *layer) {
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
  for (int i = 0; i < n; i++) {
    leaf[i] = 1;
    for (int l = 0; l < nlinks; l++)
      if (!links[l].is_return && links[l].from == i) leaf[i] = 0;
  }
  for (int round = 0; round < n; round++) {
    int changed = 0;
    for (int i = 0; i < n; i++) {
      int below = -1, below_leaf = -1;
      for (int l = 0; l < nlinks; l++) {
        if (links[l].is_return || links[l].from != i) continue;
        int *b = leaf[links[l].to] ? &below_leaf : &below;
        if (*b < 0 || layer[links[l].to] < *b) *b = layer[links[l].to];
      }
      if (below < 0) below = below_leaf;
      if (below < 0) continue;
      /* A node may move down while everything feeding it stays above. */
      int top = 0;
      for (int l = 0; l < nlinks; l++)
        if (!links[l].is_return && links[l].to == i && layer[links[l].from] + 1 > top)
          top = layer[links[l].from] + 1;
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
      for (int l = 0; l < nlinks; l++)
        if (!links[l].is_return && links[l].to == i && layer[links[l].from] + 1 > top)
          top = layer[links[l].from] + 1;
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
  L->layer = calloc((size_t)n, sizeof *L->layer);
  L->col = calloc((size_t)n, sizeof *L->col);
  L->stem = calloc((size_t)n, sizeof *L->stem);
  int *placed = calloc((size_t)n, sizeof *placed);
  if (!L->layer || !L->col || !L->stem || !placed) {
    free(placed);
    return NARYN_ENOMEM;
  }
  L->nlayers = layer_of(links, nlinks, n, L->layer);
  if (L->nlayers < 0) {
    free(placed);
    return NARYN_ENOMEM;
  }
  /* The main stem: from the deepest node (the first, in model order) up
  ** through a feeder one layer above, preferring the first in model order. */
  int deep = 0;
  for (int i = 1; i < n; i++)
    if (L->layer[i] > L->layer[deep]) deep = i;
  for (int cur = deep; cur >= 0;) {
    L->stem[cur] = 1;
    int up = -1;
    for (int l = 0; l < nlinks; l++)
      if (!links[l].is_return && links[l].to == cur &&
          L->layer[links[l].from] == L->layer[cur] - 1 && !L->stem[links[l].from] &&
          (up < 0 || links[l].from < up))
        up = links[l].from;
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
          placed[i] = 1;
          continue;
        }
        double sum = 0;
        int nf = 0;
        for (int l = 0; l < nlinks; l++)
          if (!links[l].is_return && links[l].to == i && placed[links[l].from])
            sum += L->col[links[l].from], nf++;
        int want = nf ? (int)lround(sum / nf) : -1;
        int pref = nf ? 1 : -1;
        /* The nearest free column in this layer. */
        int got = want;
        for (int dist = 0; dist <= n; dist++) {
          int found = 0;
          for (int side = 0; side < 2 && !found; side++) {
            int c = want + (side == 0 ? pref : -pref) * dist;
            int used = 0;
            for (int j = 0; j < n && !used; j++)
              used = placed[j] && L->layer[j] == lay && L->col[j] == c;
            if (!used) {
              got = c;
              found = 1;
            }
          }
          if (found) break;
        }
        L->col[i] = got;
        placed[i] = 1;
      }
  }
  for (int i = 0; i < n; i++) {
    if (L->col[i] < L->mincol) L->mincol = L->col[i];
    if (L->col[i] > L->maxcol) L->maxcol = L->col[i];
  }
  free(placed);
  return NARYN_OK;
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
