/*
** field.c: reading a field of a loaded model by its path, for programs
** that change a model field by field (naryn_model_field).
**
** The value comes from the model's merged document (the model file with
** its scenarios and overlay texts merged over it), as the reader saw it,
** and is written as JSON: objects and lists as they are, unquoted numbers
** as numbers, true, false and null as themselves, every other scalar as a
** string.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* A growing text that counts what it would hold beyond its room, as
** snprintf does. */
typedef struct jsonbuf {
  char *buf;
  size_t size, len;
} jsonbuf;

static void put(jsonbuf *b, const char *s, size_t n) {
  if (b->len < b->size) {
    size_t room = b->size - b->len;
    memcpy(b->buf + b->len, s, n < room ? n : room);
  }
  b->len += n;
}

static void put_str(jsonbuf *b, const char *s, size_t n) {
  put(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      put(b, esc, 2);
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      put(b, esc, 6);
    } else {
      put(b, s + i, 1);
    }
  }
  put(b, "\"", 1);
}

/* Writes a scalar: a number as the shortest text that reads back the
** same, true, false and null as themselves, anything else as a string. */
static void put_scalar(jsonbuf *b, const naryn__doc *v) {
  double x;
  int flag;
  if (!v->quoted && naryn__doc_is_null(v)) {
    put(b, "null", 4);
  } else if (naryn__doc_bool(v, &flag) == 0) {
    put(b, flag ? "true" : "false", flag ? 4 : 5);
  } else if (naryn__doc_number(v, &x) == 0) {
    char num[40];
    int n = snprintf(num, sizeof num, "%.15g", x);
    if (strtod(num, NULL) != x) n = snprintf(num, sizeof num, "%.17g", x);
    put(b, num, (size_t)n);
  } else {
    put_str(b, v->str, v->len);
  }
}

static void put_json(jsonbuf *b, const naryn__doc *v) {
  if (v->kind == NARYN__DOC_SCALAR) {
    put_scalar(b, v);
    return;
  }
  int map = v->kind == NARYN__DOC_MAP;
  put(b, map ? "{" : "[", 1);
  for (int i = 0; i < v->n; i++) {
    if (i) put(b, ", ", 2);
    if (map) {
      put_str(b, v->keys[i]->str, v->keys[i]->len);
      put(b, ": ", 2);
    }
    put_json(b, v->vals[i]);
  }
  put(b, map ? "}" : "]", 1);
}

/* The item of a list called 'name' (its scalar "name"), else the item at
** the 0-based index 'name' is written as, else NULL. */
static const naryn__doc *list_item(const naryn__doc *list, const char *name,
                                   size_t len) {
  for (int i = 0; i < list->n; i++) {
    const naryn__doc *nm = naryn__doc_get(list->vals[i], "name");
    if (nm && nm->kind == NARYN__DOC_SCALAR && nm->len == len &&
        memcmp(nm->str, name, len) == 0)
      return list->vals[i];
  }
  if (len == 0 || len > 9 || strspn(name, "0123456789") < len) return NULL;
  int k = atoi(name);
  return k < list->n ? list->vals[k] : NULL;
}

/* The key of a mapping nearest to 'name', or else one that begins with
** it, for "did you mean". */
static const char *nearest_key(const naryn__doc *map, const char *name) {
  const char *near = NULL;
  int best = 4;
  for (int i = 0; i < map->n; i++) {
    int dist = naryn__edit_distance(map->keys[i]->str, name);
    if (dist < best) best = dist, near = map->keys[i]->str;
  }
  /* A name given without its unit, e.g. "max_storage". */
  size_t n = strlen(name);
  for (int i = 0; !near && n > 0 && i < map->n; i++)
    if (strncmp(map->keys[i]->str, name, n) == 0) near = map->keys[i]->str;
  return near;
}

int naryn_model_field(const naryn_model *m, const char *path, char *buf,
                      size_t size, size_t *len, naryn_diags *d) {
  if (len) *len = 0;
  if (buf && size > 0) buf[0] = '\0';
  if (!m || !path || !len || (!buf && size > 0))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_model_field: no model, path or length given");
  const naryn__doc *v = m->root;
  char seg[256], where[192];
  size_t at = 0, n = strlen(path);
  while (n > 0 && at <= n) {
    const char *dot = strchr(path + at, '.');
    size_t end = dot ? (size_t)(dot - path) : n;
    size_t k = end - at < sizeof seg - 1 ? end - at : sizeof seg - 1;
    memcpy(seg, path + at, k);
    seg[k] = '\0';
    snprintf(where, sizeof where, "%.*s", (int)(at > 0 ? at - 1 : 0), path);
    const char *place = at > 0 ? where : "model";
    const naryn__doc *next = NULL;
    if (v->kind == NARYN__DOC_MAP) {
      int j = naryn__doc_find(v, seg, k);
      if (j >= 0) next = v->vals[j];
      if (!next) {
        const char *near = nearest_key(v, seg);
        char hint[160] = "";
        if (near) snprintf(hint, sizeof hint, " (did you mean \"%.100s\"?)", near);
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, v->file, v->line, v->col,
                           place, "expected a field of this object, got \"%.100s\", "
                           "which it does not have%s", seg, hint);
      }
    } else if (v->kind == NARYN__DOC_SEQ) {
      next = list_item(v, seg, k);
      if (!next)
        return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, v->file, v->line, v->col,
                           place, "expected the name or 0-based index of an item "
                           "of this list of %d items, got \"%.100s\"", v->n, seg);
    } else {
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, v->file, v->line, v->col,
                         place, "expected the path to end at this value, "
                         "\"%.100s\", got more after it: \"%.100s\"", v->str,
                         path + at);
    }
    v = next;
    at = end + 1;
  }
  jsonbuf b = {buf, size, 0};
  put_json(&b, v);
  if (buf && size > 0) buf[b.len < size ? b.len : size - 1] = '\0';
  *len = b.len;
  return NARYN_OK;
}
