/*
** output_sel.c: what a run writes per step, read from the list given to
** "--output" (doc/results.md, "Choosing what is written").
**
** A list is a comma-separated set of items:
**   all          every node quantity and both link columns (the default)
**   summary      no per-step file at all, only the summaries; alone
**   energy_gwh   a node quantity, named as in nodes.csv (storage_end_hm3
**                also by its older name, storage_hm3)
**   flow_hm3     the flow of links (also "flow" or "flow_m3s": links.csv
**                writes both units together)
**   loss_hm3     the loss of links (also "loss")
**   nodes=A+B    the rows written: the nodes and links named, and each
**                link whose two ends are both named
** Quantities add up; a list that names none writes every quantity, so
** that "nodes=Toktogul" alone gives every column of that node.
*/
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

void naryn_output_free(naryn_output *o) {
  if (!o) return;
  free((void *)o->node_on);
  free((void *)o->link_on);
  o->node_on = o->link_on = NULL;
}

/* The item names a list accepts besides the node quantities. */
static const char *const other_items[] = {"all",  "summary", "flow_hm3",
                                          "flow_m3s", "loss_hm3", "flow",
                                          "loss", "nodes="};
#define NOTHER (int)(sizeof other_items / sizeof *other_items)

/* Reports an item that is no output name, naming the closest one. */
static int unknown_item(const char *item, naryn_diags *d) {
  int best = 4;
  const char *near = NULL;
  const char *eq = strchr(item, '=');
  if (eq) {
    /* "node=A" and the like mean the rows. */
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)(eq - item), item);
    if (naryn__edit_distance(key, "nodes") < 3) near = "nodes=";
  } else {
    /* A quantity without its unit ("storage" for storage_end_hm3). */
    size_t n = strlen(item);
    for (int q = 0; q < NARYN_Q_COUNT && !near; q++) {
      const char *name = naryn_quantity_name((naryn_quantity)q);
      if (n > 0 && strncmp(name, item, n) == 0 && name[n] == '_') near = name;
    }
    if (near) best = 0;
    for (int q = 0; q < NARYN_Q_COUNT; q++) {
      /* A slip in an older name points to the name of today. */
      const char *old = naryn__quantity_old_name((naryn_quantity)q);
      int dist = naryn__edit_distance(item, naryn_quantity_name((naryn_quantity)q));
      if (old && naryn__edit_distance(item, old) < dist) dist = naryn__edit_distance(item, old);
      if (dist < best) best = dist, near = naryn_quantity_name((naryn_quantity)q);
    }
    for (int k = 0; k < NOTHER; k++) {
      int dist = naryn__edit_distance(item, other_items[k]);
      if (dist < best) best = dist, near = other_items[k];
    }
  }
  if (near)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                       "expected an output name, got \"%.80s\" (did you mean "
                       "\"%s\"?)", item, near);
  char names[256] = "";
  size_t used = 0;
  for (int q = 0; q < NARYN_Q_COUNT && used < sizeof names; q++)
    used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                             q ? ", " : "", naryn_quantity_name((naryn_quantity)q));
  return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                     "expected all, summary, a node quantity (%s), flow_hm3, "
                     "flow_m3s, loss_hm3 or nodes=NAME+NAME..., got \"%.40s\"",
                     names, item);
}

/* The index of the link named 'name', or -1. */
static int link_index(const naryn_model *m, const char *name) {
  for (int l = 0; l < m->nlinks; l++)
    if (strcmp(m->links[l].name, name) == 0) return l;
  return -1;
}

/* Reports a name in nodes= that no node or link has, naming the closest. */
static int unknown_name(const naryn_model *m, const char *name,
                        naryn_diags *d) {
  int best = 4;
  const char *near = NULL;
  for (int i = 0; i < m->nnodes; i++) {
    int dist = naryn__edit_distance(name, m->nodes[i].name);
    if (dist < best) best = dist, near = m->nodes[i].name;
  }
  for (int l = 0; l < m->nlinks; l++) {
    int dist = naryn__edit_distance(name, m->links[l].name);
    if (dist < best) best = dist, near = m->links[l].name;
  }
  if (near)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                       "expected the name of a node or link of the model in "
                       "nodes=, got \"%.80s\", which none has (did you mean "
                       "\"%.80s\"?)", name, near);
  return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                     "expected the name of a node or link of the model in "
                     "nodes=, got \"%.80s\", which none has", name);
}

/* Marks the nodes and links named in the '+'-separated list 'names'
** (which it cuts up). */
static int mark_rows(const naryn_model *m, char *names, unsigned char *node_on,
                     unsigned char *link_on, naryn_diags *d) {
  for (char *name = names;;) {
    char *plus = strchr(name, '+');
    if (plus) *plus = '\0';
    if (!*name)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                         "expected nodes=NAME+NAME... with a node or link name "
                         "before and after each \"+\", got an empty name");
    int i = naryn_model_node_index(m, name), l = link_index(m, name);
    if (i < 0 && l < 0) return unknown_name(m, name, d);
    if (i >= 0) node_on[i] = 1;
    if (l >= 0) link_on[l] = 1;
    if (!plus) return NARYN_OK;
    name = plus + 1;
  }
}

int naryn_output_parse(naryn_output *o, const naryn_model *m,
                       const char *what, naryn_diags *d) {
  if (!o || !m || !what)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_output_parse: no output, model or list given");
  naryn_output p = *o;
  p.per_step = 1;
  memset(p.quantity, 0, sizeof p.quantity);
  p.link_flow = p.link_loss = p.control = 0;
  p.node_on = p.link_on = NULL;
  size_t n = strlen(what);
  char *list = malloc(n + 1);
  unsigned char *node_on = calloc((size_t)m->nnodes + 1, 1);
  unsigned char *link_on = calloc((size_t)m->nlinks + 1, 1);
  int rc = NARYN_OK;
  if (!list || !node_on || !link_on) {
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
    goto done;
  }
  memcpy(list, what, n + 1);
  int summary = 0, any_quantity = 0, rows = 0;
  const char *other = NULL; /* the first item beside "summary" */
  for (char *item = list;;) {
    char *comma = strchr(item, ',');
    if (comma) *comma = '\0';
    int is_summary = strcmp(item, "summary") == 0;
    if (!*item) {
      rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                       "expected a comma-separated list of outputs, got an "
                       "empty item in \"%.200s\"", what);
      goto done;
    } else if (is_summary) {
      summary = 1;
    } else if (strcmp(item, "all") == 0) {
      any_quantity = 1;
      memset(p.quantity, 1, sizeof p.quantity);
      p.link_flow = p.link_loss = p.control = 1;
    } else if (strcmp(item, "zone") == 0 || strcmp(item, "rule") == 0) {
      any_quantity = p.control = 1;
    } else if (strcmp(item, "flow") == 0 || strcmp(item, "flow_hm3") == 0 ||
               strcmp(item, "flow_m3s") == 0) {
      any_quantity = p.link_flow = 1;
    } else if (strcmp(item, "loss") == 0 || strcmp(item, "loss_hm3") == 0) {
      any_quantity = p.link_loss = 1;
    } else if (strncmp(item, "nodes=", 6) == 0) {
      rows = 1;
      if ((rc = mark_rows(m, item + 6, node_on, link_on, d)) != NARYN_OK)
        goto done;
    } else {
      int q = 0;
      while (q < NARYN_Q_COUNT && !naryn__quantity_is((naryn_quantity)q, item)) q++;
      if (q == NARYN_Q_COUNT) {
        rc = unknown_item(item, d);
        goto done;
      }
      any_quantity = p.quantity[q] = 1;
    }
    if (!is_summary && !other) other = what + (item - list);
    if (summary && other) {
      /* Name the other item as it was given, up to its comma. */
      size_t len = strcspn(other, ",");
      rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--output",
                       "expected \"summary\" alone, as it writes no per-step "
                       "file, got it with \"%.*s\"", (int)(len < 80 ? len : 80),
                       other);
      goto done;
    }
    if (!comma) break;
    item = comma + 1;
  }
  if (summary) {
    p.per_step = 0;
  } else if (!any_quantity) {
    memset(p.quantity, 1, sizeof p.quantity);
    p.link_flow = p.link_loss = p.control = 1;
  }
  if (rows) {
    /* A link runs inside the chosen part of the network when both its
    ** ends are chosen. */
    for (int l = 0; l < m->nlinks; l++)
      if (node_on[m->links[l].from] && node_on[m->links[l].to]) link_on[l] = 1;
    p.node_on = node_on;
    p.link_on = link_on;
    node_on = link_on = NULL;
  }
  *o = p;
done:
  free(list);
  free(node_on);
  free(link_on);
  return rc;
}
