/*
** doc_merge.c: merging one document over another, which is how scenario
** files change a model without code.
**
** Mappings merge key by key; sequences of named items (nodes, or links
** known by "from" and "to") merge item by item; anything else is replaced.
** Nodes of the base tree may be shared through aliases or earlier merges,
** so a node is copied before it is changed. Positions stay with the values
** they came from, so an error in a merged value points into the scenario
** file that gave it.
*/
#include <string.h>

#include "../naryn_int.h"

/* How a sequence item is matched when merging. */
typedef enum { ID_NONE, ID_NAME, ID_FROM_TO } id_kind;

typedef struct item_id {
  id_kind kind;
  const naryn__doc *a, *b; /* the name, or the from and to */
} item_id;

/* Identifies a sequence item by its scalar "name" or, without a name, by
** its scalar "from" and "to". */
static item_id identify(const naryn__doc *item) {
  item_id id = {ID_NONE, NULL, NULL};
  if (!item || item->kind != NARYN__DOC_MAP) return id;
  const naryn__doc *name = naryn__doc_get(item, "name");
  if (name) {
    if (name->kind == NARYN__DOC_SCALAR) id = (item_id){ID_NAME, name, NULL};
    return id;
  }
  const naryn__doc *from = naryn__doc_get(item, "from"), *to = naryn__doc_get(item, "to");
  if (from && to && from->kind == NARYN__DOC_SCALAR && to->kind == NARYN__DOC_SCALAR)
    id = (item_id){ID_FROM_TO, from, to};
  return id;
}

/* 1 when two scalars have the same text. */
static int same_text(const naryn__doc *x, const naryn__doc *y) {
  return x->len == y->len && memcmp(x->str, y->str, x->len) == 0;
}

/* 1 when the overlay item known by 'id' is the base item 'item': the same
** name, or, for an overlay item known by its ends, the same "from" and
** "to" whether or not the base item also has a name. */
static int is_item(item_id id, const naryn__doc *item) {
  if (id.kind == ID_NAME) {
    item_id b = identify(item);
    return b.kind == ID_NAME && same_text(id.a, b.a);
  }
  if (id.kind != ID_FROM_TO) return 0;
  const naryn__doc *from = naryn__doc_get(item, "from"), *to = naryn__doc_get(item, "to");
  return from && to && from->kind == NARYN__DOC_SCALAR &&
         to->kind == NARYN__DOC_SCALAR && same_text(id.a, from) && same_text(id.b, to);
}

/* 1 when every item of both sequences can be identified. */
static int seqs_keyed(const naryn__doc *base, const naryn__doc *over) {
  for (int i = 0; i < base->n; i++)
    if (identify(base->vals[i]).kind == ID_NONE) return 0;
  for (int i = 0; i < over->n; i++)
    if (identify(over->vals[i]).kind == ID_NONE) return 0;
  return 1;
}

/* Returns a copy of a node with its own key and value arrays, so that it
** can be changed without changing other places that share the node. */
static naryn__doc *copy_node(const naryn__doc *v, naryn__arena *a) {
  naryn__doc *c = naryn__arena_alloc(a, sizeof *c);
  if (!c) return NULL;
  *c = *v;
  size_t bytes = (size_t)v->n * sizeof *v->vals;
  if (v->n > 0 && v->vals) {
    if (!(c->vals = naryn__arena_alloc(a, bytes))) return NULL;
    memcpy(c->vals, v->vals, bytes);
  }
  if (v->n > 0 && v->keys) {
    if (!(c->keys = naryn__arena_alloc(a, bytes))) return NULL;
    memcpy(c->keys, v->keys, bytes);
  }
  return c;
}

static naryn__doc *merge(naryn__doc *base, naryn__doc *over, naryn__arena *a,
                         int in_place);

/* Merges mapping 'over' into mapping 'base', which the caller owns: keys of
** both get the merged value, keys of 'over' alone are appended. */
static naryn__doc *merge_maps(naryn__doc *base, const naryn__doc *over,
                              naryn__arena *a) {
  int extra = 0;
  for (int i = 0; i < over->n; i++)
    if (naryn__doc_find(base, over->keys[i]->str, over->keys[i]->len) < 0) extra++;
  if (extra > 0) {
    size_t bytes = (size_t)(base->n + extra) * sizeof *base->vals;
    naryn__doc **keys = naryn__arena_alloc(a, bytes);
    naryn__doc **vals = naryn__arena_alloc(a, bytes);
    if (!keys || !vals) return NULL;
    if (base->n > 0) {
      memcpy(keys, base->keys, (size_t)base->n * sizeof *keys);
      memcpy(vals, base->vals, (size_t)base->n * sizeof *vals);
    }
    base->keys = keys;
    base->vals = vals;
  }
  int n = base->n;
  for (int i = 0; i < over->n; i++) {
    int j = naryn__doc_find(base, over->keys[i]->str, over->keys[i]->len);
    if (j < 0) {
      base->keys[n] = over->keys[i];
      base->vals[n++] = over->vals[i];
    } else if (!(base->vals[j] = merge(base->vals[j], over->vals[i], a, 0))) {
      return NULL;
    }
  }
  base->n = n;
  return base;
}

/* Merges the items of sequence 'over' into sequence 'base', which the
** caller owns, matching items by identity; unmatched items are appended. */
static naryn__doc *merge_seqs(naryn__doc *base, const naryn__doc *over,
                              naryn__arena *a) {
  if (over->n == 0) return base;
  naryn__doc **vals = naryn__arena_alloc(a, (size_t)(base->n + over->n) * sizeof *vals);
  if (!vals) return NULL;
  if (base->n > 0) memcpy(vals, base->vals, (size_t)base->n * sizeof *vals);
  int n = base->n;
  for (int i = 0; i < over->n; i++) {
    item_id id = identify(over->vals[i]);
    int k = 0;
    while (k < n && !is_item(id, vals[k])) k++;
    if (k == n) vals[n++] = over->vals[i];
    else if (!(vals[k] = merge(vals[k], over->vals[i], a, 0))) return NULL;
  }
  base->vals = vals;
  base->n = n;
  return base;
}

/* Merges 'over' into 'base'. Unless 'in_place' is set, a collection of
** 'base' is copied before it changes, since aliases or earlier merges may
** share it. Returns the merged value, or NULL when out of memory. */
static naryn__doc *merge(naryn__doc *base, naryn__doc *over, naryn__arena *a,
                         int in_place) {
  if (!over) return base;
  if (!base || base->kind != over->kind || base->kind == NARYN__DOC_SCALAR)
    return over;
  if (base->kind == NARYN__DOC_SEQ && !seqs_keyed(base, over)) return over;
  naryn__doc *target = in_place ? base : copy_node(base, a);
  if (!target) return NULL;
  return base->kind == NARYN__DOC_MAP ? merge_maps(target, over, a)
                                      : merge_seqs(target, over, a);
}

naryn__doc *naryn__doc_merge(naryn__doc *base, naryn__doc *over,
                             naryn__arena *a) {
  return merge(base, over, a, 1);
}
