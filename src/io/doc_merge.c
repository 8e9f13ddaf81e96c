/*
** doc_merge.c: merging one document over another, which is how scenario
** files change a model without code.
**
** Mappings merge key by key; sequences of named items (nodes, or links
** known by "from" and "to") merge item by item; anything else is replaced.
** A CSV series object (one with a "file" and a "column") that a scenario
** gives a new file keeps only its column from the base: the scale, date
** column, step, fill, delimiter and decimal mark described the old file.
** Nodes of the base tree may be shared through aliases or earlier merges,
** so a node is copied before it is changed. Positions stay with the values
** they came from, so an error in a merged value points into the scenario
** file that gave it.
**
** Before merging, naryn__doc_merge_check reports the slips that merging
** would hide: an item named twice in one list of a scenario (the last
** would silently win) and an item without a name in a list that merges
** by name (the whole list would silently be replaced).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The length of the folder part of a path, up to its last slash. */
static size_t dir_len(const char *path) {
  const char *slash = path ? strrchr(path, '/') : NULL;
  return slash ? (size_t)(slash - path) + 1 : 0;
}

/* 1 when two "file" scalars name the same file: the same text, and for a
** relative path, written in files of the same folder (a relative path is
** taken from the folder of the file that gives it). */
static int same_file(const naryn__doc *x, const naryn__doc *y) {
  if (!same_text(x, y)) return 0;
  if (x->str[0] == '/') return 1;
  size_t nx = dir_len(x->file), ny = dir_len(y->file);
  return nx == ny && (nx == 0 || memcmp(x->file, y->file, nx) == 0);
}

/* When 'over' gives the CSV series object 'base' a different file,
** returns a copy of base holding only its "file" and "column", so that
** nothing said about the old file carries over to the new one; else
** returns base. NULL when out of memory. */
static naryn__doc *series_for_new_file(naryn__doc *base, const naryn__doc *over,
                                       naryn__arena *a) {
  const naryn__doc *old = naryn__doc_get(base, "file"), *col = naryn__doc_get(base, "column");
  const naryn__doc *now = naryn__doc_get(over, "file");
  if (!old || !col || !now || old->kind != NARYN__DOC_SCALAR ||
      now->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(now) || same_file(old, now))
    return base;
  naryn__doc *c = copy_node(base, a);
  if (!c) return NULL;
  int n = 0;
  for (int i = 0; i < base->n; i++) {
    const naryn__doc *k = base->keys[i];
    if ((k->len == 4 && memcmp(k->str, "file", 4) == 0) ||
        (k->len == 6 && memcmp(k->str, "column", 6) == 0)) {
      c->keys[n] = base->keys[i];
      c->vals[n++] = base->vals[i];
    }
  }
  c->n = n;
  return c;
}

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
  naryn__doc *target = base;
  if (base->kind == NARYN__DOC_MAP) {
    naryn__doc *fresh = series_for_new_file(base, over, a);
    if (!fresh) return NULL;
    if (fresh != base) target = fresh, in_place = 1; /* a copy already */
  }
  if (!in_place) target = copy_node(base, a);
  if (!target) return NULL;
  return base->kind == NARYN__DOC_MAP ? merge_maps(target, over, a)
                                      : merge_seqs(target, over, a);
}

naryn__doc *naryn__doc_merge(naryn__doc *base, naryn__doc *over,
                             naryn__arena *a) {
  return merge(base, over, a, 1);
}

/* ---- Checking a scenario before it is merged --------------------------- */

/* An item of an overlay list with its identity, for finding repeats by
** sorting. */
typedef struct ided {
  item_id id;
  int i;
} ided;

/* Orders scalars by text. */
static int compare_text(const naryn__doc *x, const naryn__doc *y) {
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return memcmp(x->str, y->str, x->len);
}

/* Orders items by kind of identity, identity, then position. */
static int compare_ided(const void *x, const void *y) {
  const ided *p = x, *q = y;
  if (p->id.kind != q->id.kind) return p->id.kind < q->id.kind ? -1 : 1;
  int c = compare_text(p->id.a, q->id.a);
  if (!c && p->id.kind == ID_FROM_TO) c = compare_text(p->id.b, q->id.b);
  return c ? c : (p->i > q->i) - (p->i < q->i);
}

/* Reports at 'at' an error about the overlay value at 'path'. */
NARYN__PRINTF(4, 5)
static void check_error(naryn_diags *d, const naryn__doc *at, const char *path,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(d, NARYN_EMODEL, NARYN_SEV_ERROR, at->file, at->line, at->col,
               path[0] ? path : "scenario", fmt, ap);
  va_end(ap);
}

/* Reports every item of an overlay list that repeats an earlier item's
** identity. Returns the number reported, or -1 when out of memory. */
static int check_repeats(const naryn__doc *over, const char *path,
                         naryn_diags *d) {
  ided *ids = malloc((size_t)over->n * sizeof *ids);
  int *first = malloc((size_t)over->n * sizeof *first);
  if (!ids || !first) {
    free(ids);
    free(first);
    return -1;
  }
  int m = 0, bad = 0;
  for (int i = 0; i < over->n; i++) {
    first[i] = -1;
    item_id id = identify(over->vals[i]);
    if (id.kind != ID_NONE) ids[m++] = (ided){id, i};
  }
  qsort(ids, (size_t)m, sizeof *ids, compare_ided);
  for (int k = 1, g = 0; k < m; k++) {
    ided a = ids[g], b = ids[k];
    a.i = b.i = 0;
    if (compare_ided(&a, &b) == 0) first[ids[k].i] = ids[g].i;
    else g = k;
  }
  for (int i = 0; i < over->n; i++) {
    if (first[i] < 0) continue;
    item_id id = identify(over->vals[i]);
    const naryn__doc *was = over->vals[first[i]];
    char where[320];
    snprintf(where, sizeof where, "%s[%d]", path, i);
    if (id.kind == ID_NAME) {
      const naryn__doc *was_name = identify(was).a;
      snprintf(where, sizeof where, "%s[%d].name", path, i);
      check_error(d, id.a, where, "expected each name once in the list, got "
                  "\"%.100s\" again (first at line %d column %d)", id.a->str,
                  was_name->line, was_name->col);
    } else {
      check_error(d, over->vals[i], where, "expected each link once in the "
                  "list, got from \"%.100s\" to \"%.100s\" again (first at "
                  "line %d column %d)", id.a->str, id.b->str, was->line,
                  was->col);
    }
    bad++;
  }
  free(ids);
  free(first);
  return bad;
}

/* Walks 'over' where merging would meet 'base', reporting repeated and
** unnamed items of lists that merge item by item. Returns the number of
** problems, or -1 when out of memory. */
static int check(const naryn__doc *base, const naryn__doc *over,
                 const char *path, naryn_diags *d) {
  if (!base || !over || base->kind != over->kind) return 0;
  char sub[320];
  int bad = 0;
  if (base->kind == NARYN__DOC_MAP) {
    for (int i = 0; i < over->n; i++) {
      const naryn__doc *key = over->keys[i];
      int j = naryn__doc_find(base, key->str, key->len);
      if (j < 0) continue;
      snprintf(sub, sizeof sub, "%s%s%.100s", path, path[0] ? "." : "", key->str);
      int n = check(base->vals[j], over->vals[i], sub, d);
      if (n < 0) return -1;
      bad += n;
    }
    return bad;
  }
  if (base->kind != NARYN__DOC_SEQ || base->n == 0) return 0;
  for (int i = 0; i < base->n; i++)
    if (identify(base->vals[i]).kind == ID_NONE) return 0;
  /* The base list merges by name: an overlay item that is an object
  ** without a name or ends would replace the whole list. */
  for (int i = 0; i < over->n; i++) {
    const naryn__doc *item = over->vals[i];
    if (item->kind != NARYN__DOC_MAP || identify(item).kind != ID_NONE) continue;
    snprintf(sub, sizeof sub, "%s[%d]", path, i);
    check_error(d, item, sub, "expected a field \"name\" (or \"from\" and "
                "\"to\") saying which item of the model to change, got an item "
                "without one (it would replace the whole list)");
    return 1;
  }
  if (!seqs_keyed(base, over)) return 0;
  bad = check_repeats(over, path, d);
  if (bad != 0) return bad;
  /* Items merged into a base item are checked inside it. */
  for (int i = 0; i < over->n; i++) {
    item_id id = identify(over->vals[i]);
    for (int k = 0; k < base->n; k++) {
      if (!is_item(id, base->vals[k])) continue;
      snprintf(sub, sizeof sub, "%s[%d]", path, i);
      int n = check(base->vals[k], over->vals[i], sub, d);
      if (n < 0) return -1;
      bad += n;
      break;
    }
  }
  return bad;
}

int naryn__doc_merge_check(const naryn__doc *base, const naryn__doc *over,
                           naryn_diags *d) {
  int bad = check(base, over, "", d);
  if (bad < 0)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory"), 1;
  return bad;
}
