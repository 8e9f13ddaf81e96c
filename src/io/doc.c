/*
** doc.c: JSON and YAML documents as trees of values with source positions.
**
** A model or scenario file is read whole into memory and handed to
** libyaml's event parser; JSON is YAML's flow style, so one parser serves
** both. The events are assembled into naryn__doc nodes with an explicit
** stack of open collections. Invariants:
** - every node, string and array of a tree lives in the caller's arena;
**   heap memory (the file, the stack, the anchor table, the parser) is
**   temporary and freed before returning, on every path;
** - every value and every mapping key carries its file and 1-based line
**   and column; libyaml's marks are 0-based and count characters, not
**   bytes, and a byte-order mark takes no column;
** - a tree is returned only when the whole file was read without error: a
**   syntax error stops the parse, while duplicate keys, non-scalar keys and
**   bad aliases are each reported before the tree is dropped;
** - an alias shares the anchored node, so a tree is a DAG and never a
**   cycle, and a node that may be shared is copied before it is changed
**   (see naryn__doc_merge).
*/
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "../naryn_int.h"

/* Deepest nesting accepted, so that recursive readers of a tree are safe. */
#define MAX_DEPTH 256
/* Characters of a string quoted in a message before it is cut short. */
#define QUOTE_CHARS 40

/* A collection being read: its node and its items so far. */
typedef struct frame {
  naryn__doc *node;
  naryn__doc **items; /* heap; a mapping's alternate key, value */
  int n, cap;
  const char *anchor; /* the collection's anchor (arena), or NULL */
} frame;

/* An anchor defined so far and the complete node it names. */
typedef struct anchor {
  const char *name;
  naryn__doc *node;
} anchor;

/* The state of one read. */
typedef struct reader {
  const char *file; /* arena copy of the name */
  const char *text; /* the text given to libyaml */
  size_t len;
  naryn__arena *a;
  naryn_diags *d;
  frame *stack;
  int depth, cap_stack;
  anchor *anchors;
  int nanchors, cap_anchors;
  naryn__doc *root;
  naryn__doc *last_scalar; /* set when the latest event was a scalar */
  int failed;              /* an error was reported; the tree is dropped */
} reader;

/* ---- Text helpers ------------------------------------------------------ */

/* Appends formatted text to the NUL-terminated string in out, cutting it
** at the buffer's end. */
NARYN__PRINTF(3, 4)
static void append(char *out, size_t size, const char *fmt, ...) {
  size_t used = strlen(out);
  if (used + 1 >= size) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(out + used, size - used, fmt, ap);
  va_end(ap);
}

/* Appends s[0..n) to out so that it stays on one line: quotes, backslashes
** and control characters are escaped, and text past 'max' characters is
** replaced by "...". A character is never split. */
static void append_escaped(char *out, size_t size, const char *s, size_t n,
                           size_t max) {
  const unsigned char *u = (const unsigned char *)s;
  size_t chars = 0;
  for (size_t i = 0; i < n;) {
    if (chars == max) {
      append(out, size, "...");
      return;
    }
    char piece[8];
    size_t w = 1;
    if (u[i] == '"' || u[i] == '\\') {
      snprintf(piece, sizeof piece, "\\%c", u[i]);
    } else if (u[i] == '\n' || u[i] == '\t' || u[i] == '\r') {
      snprintf(piece, sizeof piece, "\\%c", u[i] == '\n' ? 'n' : u[i] == '\t' ? 't' : 'r');
    } else if (u[i] < 0x20 || u[i] == 0x7f) {
      snprintf(piece, sizeof piece, "\\x%02x", u[i]);
    } else {
      while (i + w < n && w < 4 && (u[i + w] & 0xC0) == 0x80) w++;
      memcpy(piece, s + i, w);
      piece[w] = '\0';
    }
    size_t used = strlen(out);
    if (used + strlen(piece) + 1 > size) return;
    memcpy(out + used, piece, strlen(piece) + 1);
    i += w;
    chars++;
  }
}

/* Returns the byte length of the line break at p (CR LF, CR, LF, or the
** Unicode breaks NEL, LS and PS that libyaml also counts), or 0. */
static size_t break_len(const unsigned char *p, size_t left) {
  if (p[0] == '\r') return left > 1 && p[1] == '\n' ? 2 : 1;
  if (p[0] == '\n') return 1;
  if (left > 1 && p[0] == 0xC2 && p[1] == 0x85) return 2;
  if (left > 2 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9))
    return 3;
  return 0;
}

/* Returns 3 when the text starts with a UTF-8 byte-order mark, else 0. */
static size_t bom_len(const char *t, size_t len) {
  return len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Walks the text from its start (after any byte-order mark) until it
** reaches byte offset 'stop' or the 0-based character position
** (stop_line, stop_col), whichever comes first, and returns the byte
** offset reached (at most the length) with its 1-based line and column. */
static size_t locate(const reader *r, size_t stop, size_t stop_line,
                     size_t stop_col, int *line, int *col) {
  const unsigned char *t = (const unsigned char *)r->text;
  size_t i = bom_len(r->text, r->len), l = 0, c = 0;
  while (i < stop && i < r->len && (l < stop_line || c < stop_col)) {
    size_t b = break_len(t + i, r->len - i);
    if (b && l == stop_line) break; /* the column lies past the line's end */
    if (b) {
      l++, c = 0, i += b;
      continue;
    }
    c++;
    for (i++; i < r->len && (t[i] & 0xC0) == 0x80; i++) {}
  }
  *line = (int)l + 1;
  *col = (int)c + 1;
  return i;
}

/* Returns the byte offset of a libyaml mark in the text. */
static size_t offset_of(const reader *r, const yaml_mark_t *m) {
  int line, col;
  return locate(r, SIZE_MAX, m->line, m->column, &line, &col);
}

/* 1 for a byte that may continue an unquoted word in a message. */
static int is_word_byte(unsigned char c) {
  return c >= 0x80 || (c > ' ' && c != 0x7f && !strchr(",[]{}:#\"'", c));
}

/* Describes the source text at byte offset 'off' for "got ...": the end of
** the file or line, a tab, a control character, a quoted string, a word,
** or, when 'one_char' is set or nothing longer fits, one character. */
static void describe_source(const reader *r, size_t off, int one_char,
                            char *out, size_t size) {
  const unsigned char *t = (const unsigned char *)r->text;
  out[0] = '\0';
  if (off >= r->len) {
    append(out, size, "the end of the file");
    return;
  }
  unsigned char c = t[off];
  size_t end = off + 1;
  if (break_len(t + off, r->len - off)) {
    append(out, size, "the end of the line");
    return;
  }
  if (c == '\t' || c < 0x20 || c == 0x7f) {
    if (c == '\t') append(out, size, "a tab character");
    else append(out, size, "the control character 0x%02X", c);
    return;
  }
  if (!one_char && (c == '"' || c == '\'')) {
    while (end < r->len && t[end] != c && !break_len(t + end, r->len - end))
      end += (c == '"' && t[end] == '\\' && end + 1 < r->len) ? 2 : 1;
    if (end < r->len && t[end] == c) {
      append(out, size, "the string \"");
      append_escaped(out, size, r->text + off + 1, end - off - 1, QUOTE_CHARS);
      append(out, size, "\"");
      return;
    }
    end = off + 1;
  }
  if (!one_char && is_word_byte(c)) {
    while (end < r->len && is_word_byte(t[end])) end++;
  } else {
    while (end < r->len && (t[end] & 0xC0) == 0x80) end++;
  }
  append(out, size, c == '\'' ? "\"" : "'");
  append_escaped(out, size, r->text + off, end - off, QUOTE_CHARS);
  append(out, size, c == '\'' ? "\"" : "'");
}

/* ---- Building the tree ------------------------------------------------- */

/* Reports that memory ran out and marks the read failed. Returns -1. */
static int out_of_memory(reader *r) {
  naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, r->file, 0, 0, NULL,
              "out of memory");
  r->failed = 1;
  return -1;
}

/* Returns a new node of the given kind starting at a libyaml mark. */
static naryn__doc *new_node(reader *r, naryn__doc_kind kind,
                            const yaml_mark_t *m) {
  naryn__doc *v = naryn__arena_alloc(r->a, sizeof *v);
  if (!v) return NULL;
  v->kind = kind;
  v->file = r->file;
  v->line = (int)m->line + 1;
  v->col = (int)m->column + 1;
  return v;
}

/* Writes into out the path of the value being read, such as
** nodes[2].max_storage_hm3: each open collection contributes the key or
** index of its open child, and the innermost the slot about to be filled
** (nothing when a mapping awaits a key). Returns out, or "syntax" for the
** document's root. */
static const char *value_path(const reader *r, char *out, size_t size) {
  out[0] = '\0';
  for (int i = 0; i < r->depth; i++) {
    const frame *f = &r->stack[i];
    int open = i < r->depth - 1;
    if (f->node->kind == NARYN__DOC_SEQ) {
      append(out, size, "[%d]", open ? f->n - 1 : f->n);
      continue;
    }
    int k = open ? f->n - 2 : (f->n % 2 ? f->n - 1 : -1);
    if (k < 0) continue;
    const naryn__doc *key = f->items[k];
    if (out[0]) append(out, size, ".");
    if (key->kind == NARYN__DOC_SCALAR)
      append_escaped(out, size, key->str, key->len, QUOTE_CHARS);
    else
      append(out, size, "?");
  }
  return out[0] ? out : "syntax";
}

/* Reports an error about the value being read, at a mark. */
NARYN__PRINTF(3, 4)
static void value_error(reader *r, const yaml_mark_t *m, const char *fmt, ...) {
  char path[192];
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, (int)m->line + 1,
               (int)m->column + 1, value_path(r, path, sizeof path), fmt, ap);
  va_end(ap);
  r->failed = 1;
}

/* Adds a value (complete, or a collection just opened) to the innermost
** open collection, or makes it the root. A mapping's keys must be
** scalars. Returns 0, or -1 when out of memory. */
static int add_value(reader *r, naryn__doc *v, const yaml_mark_t *m) {
  if (r->depth == 0) {
    r->root = v;
    return 0;
  }
  frame *f = &r->stack[r->depth - 1];
  if (f->node->kind == NARYN__DOC_MAP && f->n % 2 == 0 &&
      v->kind != NARYN__DOC_SCALAR)
    value_error(r, m, "expected a text key, got %s",
                v->kind == NARYN__DOC_MAP ? "an object" : "a list");
  naryn__doc **items = naryn__grow(f->items, &f->cap, f->n + 1, sizeof *items);
  if (!items) return out_of_memory(r);
  f->items = items;
  f->items[f->n++] = v;
  return 0;
}

/* Records a complete node under its anchor name. Returns 0 or -1. */
static int define_anchor(reader *r, const char *name, naryn__doc *v) {
  anchor *t = naryn__grow(r->anchors, &r->cap_anchors, r->nanchors + 1, sizeof *t);
  if (!t) return out_of_memory(r);
  r->anchors = t;
  r->anchors[r->nanchors].name = name;
  r->anchors[r->nanchors].node = v;
  r->nanchors++;
  return 0;
}

/* Returns the node an alias names (the latest definition wins), or NULL
** after reporting an undefined or self-containing alias. */
static naryn__doc *resolve_alias(reader *r, const char *name,
                                 const yaml_mark_t *m) {
  for (int i = r->nanchors - 1; i >= 0; i--)
    if (strcmp(r->anchors[i].name, name) == 0) return r->anchors[i].node;
  char quoted[128] = "";
  append_escaped(quoted, sizeof quoted, name, strlen(name), QUOTE_CHARS);
  for (int i = 0; i < r->depth; i++)
    if (r->stack[i].anchor && strcmp(r->stack[i].anchor, name) == 0) {
      value_error(r, m, "expected an alias to a complete value, got *%s "
                  "inside the value anchored as &%s", quoted, quoted);
      return NULL;
    }
  value_error(r, m, "expected an anchor &%s defined before this alias, got "
              "the undefined alias *%s", quoted, quoted);
  return NULL;
}

/* Opens a collection: adds its node to the parent and pushes a frame.
** Returns 0, or -1 when the parse must stop. */
static int open_collection(reader *r, naryn__doc_kind kind,
                           const yaml_event_t *ev, const yaml_char_t *anchor_name) {
  if (r->depth >= MAX_DEPTH) {
    value_error(r, &ev->start_mark, "expected at most %d levels of nesting, "
                "got more", MAX_DEPTH);
    return -1;
  }
  naryn__doc *v = new_node(r, kind, &ev->start_mark);
  if (!v) return out_of_memory(r);
  if (add_value(r, v, &ev->start_mark)) return -1;
  frame *s = naryn__grow(r->stack, &r->cap_stack, r->depth + 1, sizeof *s);
  if (!s) return out_of_memory(r);
  r->stack = s;
  frame *f = &r->stack[r->depth++];
  memset(f, 0, sizeof *f);
  f->node = v;
  if (anchor_name) {
    f->anchor = naryn__arena_strdup(r->a, (const char *)anchor_name);
    if (!f->anchor) return out_of_memory(r);
  }
  return 0;
}

/* A mapping key and its index, for finding duplicates by sorting. */
typedef struct keyref {
  const naryn__doc *key;
  int i;
} keyref;

/* Orders keys by text, then by position in the mapping. */
static int compare_keys(const void *x, const void *y) {
  const keyref *p = x, *q = y;
  if (p->key->len != q->key->len) return p->key->len < q->key->len ? -1 : 1;
  int c = memcmp(p->key->str, q->key->str, p->key->len);
  if (c) return c;
  return (p->i > q->i) - (p->i < q->i);
}

/* Reports every key of the innermost (complete) mapping that repeats an
** earlier one, in source order. Returns 0, or -1 when out of memory. */
static int check_duplicates(reader *r, const naryn__doc *map) {
  if (map->n < 2) return 0;
  keyref *refs = malloc((size_t)map->n * sizeof *refs);
  int *first = malloc((size_t)map->n * sizeof *first);
  if (!refs || !first) {
    free(refs);
    free(first);
    return out_of_memory(r);
  }
  int m = 0;
  for (int i = 0; i < map->n; i++) {
    first[i] = -1;
    if (map->keys[i]->kind == NARYN__DOC_SCALAR) refs[m++] = (keyref){map->keys[i], i};
  }
  qsort(refs, (size_t)m, sizeof *refs, compare_keys);
  for (int j = 1, g = 0; j < m; j++) {
    if (compare_keys(&(keyref){refs[g].key, 0}, &(keyref){refs[j].key, 0}) == 0)
      first[refs[j].i] = refs[g].i;
    else
      g = j;
  }
  for (int i = 0; i < map->n; i++) {
    if (first[i] < 0) continue;
    const naryn__doc *key = map->keys[i];
    char path[192], text[128] = "";
    value_path(r, path, sizeof path);
    if (strcmp(path, "syntax") == 0) path[0] = '\0';
    if (path[0]) append(path, sizeof path, ".");
    append_escaped(path, sizeof path, key->str, key->len, QUOTE_CHARS);
    append_escaped(text, sizeof text, key->str, key->len, QUOTE_CHARS);
    const naryn__doc *was = map->keys[first[i]];
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, key->line,
                key->col, path, "expected each key once, got \"%s\" again "
                "(first at line %d column %d)", text, was->line, was->col);
    r->failed = 1;
  }
  free(refs);
  free(first);
  return 0;
}

/* Closes the innermost collection: moves its items into the arena, checks
** a mapping's keys and defines its anchor. Returns 0 or -1. */
static int close_collection(reader *r) {
  frame *f = &r->stack[r->depth - 1];
  naryn__doc *v = f->node;
  int is_map = v->kind == NARYN__DOC_MAP;
  v->n = is_map ? f->n / 2 : f->n;
  if (v->n > 0) {
    v->vals = naryn__arena_alloc(r->a, (size_t)v->n * sizeof *v->vals);
    if (is_map) v->keys = naryn__arena_alloc(r->a, (size_t)v->n * sizeof *v->keys);
    if (!v->vals || (is_map && !v->keys)) return out_of_memory(r);
    for (int i = 0; i < v->n; i++) {
      if (is_map) v->keys[i] = f->items[2 * i];
      v->vals[i] = f->items[is_map ? 2 * i + 1 : i];
    }
  }
  if (is_map && check_duplicates(r, v)) return -1;
  free(f->items);
  f->items = NULL;
  const char *name = f->anchor;
  r->depth--;
  return name ? define_anchor(r, name, v) : 0;
}

/* Makes a scalar node from a scalar event and adds it. Returns 0 or -1. */
static int add_scalar(reader *r, const yaml_event_t *ev) {
  naryn__doc *v = new_node(r, NARYN__DOC_SCALAR, &ev->start_mark);
  if (!v) return out_of_memory(r);
  v->str = naryn__arena_strndup(r->a, (const char *)ev->data.scalar.value,
                                ev->data.scalar.length);
  if (!v->str) return out_of_memory(r);
  v->len = ev->data.scalar.length;
  yaml_scalar_style_t s = ev->data.scalar.style;
  const char *tag = (const char *)ev->data.scalar.tag;
  v->quoted = s == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
              s == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
              s == YAML_LITERAL_SCALAR_STYLE || s == YAML_FOLDED_SCALAR_STYLE ||
              (tag && strcmp(tag, YAML_STR_TAG) == 0);
  if (ev->data.scalar.anchor) {
    const char *name = naryn__arena_strdup(r->a, (const char *)ev->data.scalar.anchor);
    if (!name) return out_of_memory(r);
    if (define_anchor(r, name, v)) return -1;
  }
  if (add_value(r, v, &ev->start_mark)) return -1;
  r->last_scalar = v;
  return 0;
}

/* Turns one event into tree changes. Sets *done at the end of the stream.
** Returns 0, or -1 when the parse must stop. */
static int handle_event(reader *r, const yaml_event_t *ev, int *docs, int *done) {
  naryn__doc *v;
  r->last_scalar = NULL;
  switch (ev->type) {
  case YAML_DOCUMENT_START_EVENT:
    if (++*docs > 1) {
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file,
                  (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                  "syntax", "expected one document in the file, got a second "
                  "document");
      r->failed = 1;
      return -1;
    }
    return 0;
  case YAML_SCALAR_EVENT:
    return add_scalar(r, ev);
  case YAML_ALIAS_EVENT:
    v = resolve_alias(r, (const char *)ev->data.alias.anchor, &ev->start_mark);
    if (!v) { /* a stand-in keeps keys and values paired */
      v = new_node(r, NARYN__DOC_SCALAR, &ev->start_mark);
      if (!v || !(v->str = naryn__arena_strdup(r->a, ""))) return out_of_memory(r);
    }
    return add_value(r, v, &ev->start_mark);
  case YAML_SEQUENCE_START_EVENT:
    return open_collection(r, NARYN__DOC_SEQ, ev, ev->data.sequence_start.anchor);
  case YAML_MAPPING_START_EVENT:
    return open_collection(r, NARYN__DOC_MAP, ev, ev->data.mapping_start.anchor);
  case YAML_SEQUENCE_END_EVENT:
  case YAML_MAPPING_END_EVENT:
    return close_collection(r);
  case YAML_STREAM_END_EVENT:
    *done = 1;
    return 0;
  default:
    return 0;
  }
}

/* ---- Syntax errors ----------------------------------------------------- */

/* What each libyaml problem means as "expected ...". Problems not listed
** read "did not find expected X" (taken as "expected X") or "found X"
** (taken as "expected valid JSON or YAML, got X"). */
static const struct {
  const char *problem, *expected;
} problem_text[] = {
    {"did not find expected node content", "expected a value"},
    {"did not find expected key", "expected a key aligned with the keys above it"},
    {"did not find expected '-' indicator", "expected '-' starting the next list item"},
    {"did not find expected <document start>",
     "expected the end of the file after the top-level value"},
    {"mapping values are not allowed in this context", "expected the end of the value"},
    {"block sequence entries are not allowed in this context", "expected a value"},
    {"mapping keys are not allowed in this context", "expected a value"},
    {"found unknown escape character",
     "expected an escape such as \\n, \\t, \\\", \\\\ or \\u00e9"},
    {"found a tab character that violates indentation",
     "expected spaces for indentation"},
    {"found a tab character where an indentation space is expected",
     "expected spaces for indentation"},
    {"found character that cannot start any token", "expected a value or punctuation"},
};

/* Reports libyaml's reader error (bad encoding or a control character),
** which is located by byte offset rather than by mark. */
static void report_reader_error(reader *r, const yaml_parser_t *p) {
  int line, col;
  locate(r, p->problem_offset, SIZE_MAX, SIZE_MAX, &line, &col);
  const char *problem = p->problem ? p->problem : "";
  unsigned value = (unsigned)p->problem_value;
  char got[96] = "";
  if (strstr(problem, "control characters"))
    append(got, sizeof got, "text, got the control character 0x%02X", value);
  else if (strstr(problem, "incomplete"))
    append(got, sizeof got, "UTF-8 text, got an incomplete UTF-8 sequence at "
           "the end of the file");
  else if (strstr(problem, "Unicode") && p->problem_value >= 0)
    append(got, sizeof got, "UTF-8 text, got the invalid character U+%04X", value);
  else
    append(got, sizeof got, "UTF-8 text, got the byte 0x%02X (%s)", value & 0xFF,
           problem);
  naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, line, col, "syntax",
              "expected %s", got);
}

/* Reports the error that stopped libyaml as one diagnostic of the form
** "EXPECTED (CONTEXT), got FOUND HINT", reading what was found from the
** text at libyaml's problem mark. */
static void report_syntax(reader *r, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR) {
    out_of_memory(r);
    return;
  }
  r->failed = 1;
  if (p->error == YAML_READER_ERROR) {
    report_reader_error(r, p);
    return;
  }
  const char *problem = p->problem ? p->problem : "unknown problem";
  const yaml_mark_t *pm = &p->problem_mark, *cm = &p->context_mark;
  size_t off = offset_of(r, pm);
  const unsigned char *t = (const unsigned char *)r->text;
  char expected[160] = "", context[160] = "", got[160] = "", hint[200] = "";

  for (size_t i = 0; i < sizeof problem_text / sizeof *problem_text; i++)
    if (strcmp(problem, problem_text[i].problem) == 0)
      append(expected, sizeof expected, "%s", problem_text[i].expected);
  int one_char = strstr(problem, "cannot start any token") != NULL;
  describe_source(r, off, one_char, got, sizeof got);
  if (!expected[0] && strncmp(problem, "did not find expected ", 22) == 0) {
    append(expected, sizeof expected, "expected %s", problem + 22);
  } else if (!expected[0] && strncmp(problem, "could not find expected ", 24) == 0) {
    append(expected, sizeof expected, "expected %s", problem + 24);
  } else if (!expected[0] && strstr(problem, "end of stream") && p->context &&
             strstr(p->context, "quoted scalar")) {
    size_t q = offset_of(r, cm);
    append(expected, sizeof expected, "expected the closing %s",
           q < r->len && t[q] == '\'' ? "\"'\"" : "'\"'");
  } else if (!expected[0]) {
    append(expected, sizeof expected, "expected valid JSON or YAML");
    if (strncmp(problem, "found ", 6) == 0) {
      got[0] = '\0';
      append(got, sizeof got, "%s", problem + 6);
    }
  }

  if (p->context && strcmp(p->context, "while scanning for the next token") != 0) {
    if (cm->line != pm->line || cm->column != pm->column)
      append(context, sizeof context, " (%s started at line %d column %d)",
             p->context, (int)cm->line + 1, (int)cm->column + 1);
    else
      append(context, sizeof context, " (%s)", p->context);
  }

  /* Hints for the usual JSON and YAML slips. */
  const naryn__doc *last = r->last_scalar;
  const frame *top = r->depth ? &r->stack[r->depth - 1] : NULL;
  int wants_comma = strstr(problem, "expected ',' or") != NULL;
  if (wants_comma && last && !last->quoted && last->len == 0 && top &&
      top->node->kind == NARYN__DOC_MAP && top->n >= 2 && top->n % 2 == 0 &&
      top->items[top->n - 1] == last &&
      top->items[top->n - 2]->kind == NARYN__DOC_SCALAR) {
    const naryn__doc *key = top->items[top->n - 2];
    expected[0] = '\0';
    append(expected, sizeof expected, "expected ':' after the key \"");
    append_escaped(expected, sizeof expected, key->str, key->len, QUOTE_CHARS);
    append(expected, sizeof expected, "\"");
  } else if (wants_comma && last && last->quoted && off > 0 && t[off - 1] == '"' &&
             is_word_byte(t[off])) {
    /* {"name": "Sea, "type": ...}: the string took in what followed. */
    append(hint, sizeof hint, " (is a '\"' missing from the string \"");
    append_escaped(hint, sizeof hint, last->str, last->len, QUOTE_CHARS);
    append(hint, sizeof hint, "\" just before it?)");
  } else if (wants_comma && last && !last->quoted && strpbrk(last->str, " \n")) {
    append(hint, sizeof hint, " after the unquoted text \"");
    append_escaped(hint, sizeof hint, last->str, last->len, QUOTE_CHARS);
    append(hint, sizeof hint, "\" (is a ',' missing?)");
  } else if (one_char && off < r->len && t[off] == '\t') {
    expected[0] = context[0] = '\0';
    append(expected, sizeof expected, "expected spaces for indentation");
  } else if (one_char) {
    append(hint, sizeof hint, " (text starting with it must be quoted)");
  } else if (wants_comma && off < r->len && (t[off] == '"' || t[off] == '\'' ||
                                             is_word_byte(t[off]))) {
    append(hint, sizeof hint, " (is a ',' missing?)");
  } else if (strstr(problem, "tab character")) {
    got[0] = context[0] = '\0';
    append(got, sizeof got, "a tab character");
  } else if (strstr(problem, "mapping values are not allowed") && last &&
             !last->quoted && last->line < (int)pm->line + 1 && top &&
             top->node->kind == NARYN__DOC_MAP && top->n >= 2 &&
             top->items[top->n - 1] == last) {
    /* A key indented deeper than its neighbours reads as the continuation
    ** of the value above it; say so at the key. */
    size_t start = off;
    while (start > 0 && t[start - 1] != '\n') start--;
    while (start < off && (t[start] == ' ' || t[start] == '\t')) start++;
    int line = (int)pm->line + 1, col = (int)pm->column + 1 - (int)(off - start);
    const naryn__doc *key = top->items[top->n - 2];
    char word[96] = "";
    append_escaped(word, sizeof word, (const char *)t + start, off - start,
                   QUOTE_CHARS);
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, line, col,
                "syntax", "expected a key at column %d like the keys above "
                "it, got '%s' at column %d", key->col, word, col);
    return;
  } else if (strstr(problem, "mapping values are not allowed")) {
    append(hint, sizeof hint, " (quote a value that contains ': ')");
  } else if (strstr(problem, "block sequence entries")) {
    append(hint, sizeof hint, " (a list item must start its own line)");
  } else if (strstr(problem, "unknown escape") && off + 1 < r->len &&
             t[off] == '\\' && t[off + 1] > ' ' && t[off + 1] < 0x7f) {
    got[0] = '\0';
    append(got, sizeof got, "'\\%c'", t[off + 1]);
  }
  naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, (int)pm->line + 1,
              (int)pm->column + 1, "syntax", "%s%s, got %s%s", expected, context,
              got, hint);
}

/* ---- Reading ----------------------------------------------------------- */

/* 1 when the first thing in the text, after a byte-order mark, blank space
** and comments, is '{' or '[': the whole document is then in flow style. */
static int starts_with_flow(const char *t, size_t len) {
  for (size_t i = bom_len(t, len); i < len; i++) {
    if (t[i] == '#')
      while (i + 1 < len && t[i + 1] != '\n' && t[i + 1] != '\r') i++;
    else if (!strchr(" \t\r\n", t[i]) || t[i] == '\0')
      return t[i] == '{' || t[i] == '[';
  }
  return 0;
}

/* Replaces with spaces the tabs among the blanks that start each line.
** libyaml takes such tabs for indentation and rejects them outside flow
** collections; in a document that is one flow collection they are only
** separators, and inside a quoted string that goes on over lines YAML
** drops a continuation line's leading blanks anyway, so the meaning and
** every position stay the same. */
static void untab_line_starts(char *t, size_t len) {
  int at_start = 1;
  for (size_t i = bom_len(t, len); i < len; i++) {
    if (t[i] == '\n' || t[i] == '\r') at_start = 1;
    else if (at_start && t[i] == '\t') t[i] = ' ';
    else if (t[i] != ' ') at_start = 0;
  }
}

/* Runs libyaml over r->text and builds the tree. Returns the root, or NULL
** when anything was reported. Frees every temporary it made. */
static naryn__doc *parse(reader *r) {
  yaml_parser_t p;
  if (!yaml_parser_initialize(&p)) {
    out_of_memory(r);
    return NULL;
  }
  yaml_parser_set_input_string(&p, (const unsigned char *)r->text, r->len);
  int docs = 0, done = 0;
  while (!done) {
    yaml_event_t ev;
    if (!yaml_parser_parse(&p, &ev)) {
      report_syntax(r, &p);
      break;
    }
    int rc = handle_event(r, &ev, &docs, &done);
    yaml_event_delete(&ev);
    if (rc) break;
  }
  yaml_parser_delete(&p);
  for (int i = 0; i < r->depth; i++) free(r->stack[i].items);
  free(r->stack);
  free(r->anchors);
  if (!done || r->failed) return NULL;
  const naryn__doc *root = r->root;
  if (!root || (root->kind == NARYN__DOC_SCALAR && !root->quoted && root->len == 0)) {
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->file, 1, 1, "syntax",
                "expected a model object, got an empty file");
    return NULL;
  }
  return r->root;
}

naryn__doc *naryn__doc_read_buffer(const char *name, const char *buf,
                                   size_t len, naryn__arena *a,
                                   naryn_diags *d) {
  reader r;
  memset(&r, 0, sizeof r);
  r.a = a;
  r.d = d;
  r.file = naryn__arena_strdup(a, name ? name : "<buffer>");
  r.text = buf ? buf : "";
  r.len = buf ? len : 0;
  if (!r.file) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, name, 0, 0, NULL, "out of memory");
    return NULL;
  }
  if (r.len >= 2 && (memcmp(r.text, "\xFF\xFE", 2) == 0 ||
                     memcmp(r.text, "\xFE\xFF", 2) == 0)) {
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r.file, 1, 1, "syntax",
                "expected UTF-8 text, got a UTF-16 file (save it as UTF-8)");
    return NULL;
  }
  char *untabbed = NULL;
  if (starts_with_flow(r.text, r.len) && memchr(r.text, '\t', r.len)) {
    untabbed = malloc(r.len);
    if (!untabbed) {
      out_of_memory(&r);
      return NULL;
    }
    memcpy(untabbed, r.text, r.len);
    untab_line_starts(untabbed, r.len);
    r.text = untabbed;
  }
  naryn__doc *root = parse(&r);
  free(untabbed);
  return root;
}

/* Reads a whole file into a heap buffer. Returns it (the caller frees it)
** with its length, or NULL with errno set. */
static char *read_whole_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  int err = buf ? 0 : ENOMEM;
  while (!err) {
    errno = 0;
    n += fread(buf + n, 1, cap - n, f);
    if (ferror(f)) {
      err = errno ? errno : EIO;
    } else if (n < cap) {
      break; /* the end of the file */
    } else {
      char *bigger = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
      if (!bigger) err = ENOMEM;
      else buf = bigger, cap *= 2;
    }
  }
  fclose(f);
  if (err) {
    free(buf);
    errno = err;
    return NULL;
  }
  *len = n;
  return buf;
}

naryn__doc *naryn__doc_read_file(const char *path, naryn__arena *a,
                                 naryn_diags *d) {
  size_t len = 0;
  errno = 0;
  char *buf = read_whole_file(path, &len);
  if (!buf) {
    int e = errno;
    naryn__diag(d, e == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, NARYN_SEV_ERROR,
                path, 0, 0, NULL, "cannot read: %s", strerror(e));
    return NULL;
  }
  naryn__doc *root = naryn__doc_read_buffer(path, buf, len, a, d);
  free(buf);
  return root;
}

/* ---- Looking at values ------------------------------------------------- */

/* Returns the index of 'key' among a mapping's keys, or -1. */
int naryn__doc_find(const naryn__doc *map, const char *key, size_t len) {
  if (!map || map->kind != NARYN__DOC_MAP) return -1;
  for (int i = 0; i < map->n; i++) {
    const naryn__doc *k = map->keys[i];
    if (k->kind == NARYN__DOC_SCALAR && k->len == len && memcmp(k->str, key, len) == 0)
      return i;
  }
  return -1;
}

naryn__doc *naryn__doc_get(const naryn__doc *map, const char *key) {
  int i = naryn__doc_find(map, key, strlen(key));
  return i < 0 ? NULL : map->vals[i];
}

naryn__doc *naryn__doc_key(const naryn__doc *map, const char *key) {
  int i = naryn__doc_find(map, key, strlen(key));
  return i < 0 ? NULL : map->keys[i];
}

/* 1 when v is an unquoted scalar whose text is one of the given words. */
static int plain_is(const naryn__doc *v, const char *const *words) {
  if (!v || v->kind != NARYN__DOC_SCALAR || v->quoted) return 0;
  for (; *words; words++)
    if (strlen(*words) == v->len && memcmp(*words, v->str, v->len) == 0) return 1;
  return 0;
}

int naryn__doc_is_null(const naryn__doc *v) {
  static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
  return plain_is(v, nulls);
}

int naryn__doc_bool(const naryn__doc *v, int *out) {
  static const char *const yes[] = {"true", "True", "TRUE", NULL};
  static const char *const no[] = {"false", "False", "FALSE", NULL};
  if (plain_is(v, yes)) *out = 1;
  else if (plain_is(v, no)) *out = 0;
  else return -1;
  return 0;
}

/* Returns the length of the decimal number at the start of s[0..n): an
** optional sign, digits with an optional fraction (or a fraction alone)
** and an optional exponent; 'integer' allows neither fraction nor
** exponent. Returns 0 when s does not start with such a number. */
static size_t number_syntax(const char *s, size_t n, int integer) {
  size_t i = 0, digits = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
  if (!integer && i < n && s[i] == '.')
    for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) digits++;
  if (digits == 0) return 0;
  if (!integer && i < n && (s[i] == 'e' || s[i] == 'E')) {
    size_t j = i + 1;
    if (j < n && (s[j] == '+' || s[j] == '-')) j++;
    size_t start = j;
    while (j < n && s[j] >= '0' && s[j] <= '9') j++;
    if (j == start) return 0;
    i = j;
  }
  return i;
}

int naryn__doc_number(const naryn__doc *v, double *out) {
  if (!v || v->kind != NARYN__DOC_SCALAR || v->quoted || v->len == 0 ||
      number_syntax(v->str, v->len, 0) != v->len)
    return -1;
  char *end;
  double x = strtod(v->str, &end);
  if (end != v->str + v->len || !isfinite(x)) return -1;
  *out = x;
  return 0;
}

int naryn__doc_int(const naryn__doc *v, int *out) {
  if (!v || v->kind != NARYN__DOC_SCALAR || v->quoted || v->len == 0 ||
      number_syntax(v->str, v->len, 1) != v->len)
    return -1;
  char *end;
  errno = 0;
  long x = strtol(v->str, &end, 10);
  if (end != v->str + v->len || errno == ERANGE || x < INT_MIN || x > INT_MAX)
    return -1;
  *out = (int)x;
  return 0;
}

const char *naryn__doc_describe(const naryn__doc *v, char *buf, size_t size) {
  if (!buf || size == 0) return buf;
  buf[0] = '\0';
  double x;
  int b;
  if (!v) {
    append(buf, size, "nothing");
  } else if (v->kind == NARYN__DOC_MAP) {
    append(buf, size, v->n ? "an object" : "an empty object");
  } else if (v->kind == NARYN__DOC_SEQ) {
    if (v->n == 0) append(buf, size, "an empty list");
    else append(buf, size, "a list of %d item%s", v->n, v->n == 1 ? "" : "s");
  } else if (!v->quoted && v->len == 0) {
    append(buf, size, "an empty value");
  } else if (naryn__doc_is_null(v)) {
    append(buf, size, "null");
  } else if (naryn__doc_bool(v, &b) == 0) {
    append(buf, size, b ? "true" : "false");
  } else if (naryn__doc_number(v, &x) == 0) {
    append(buf, size, "the number ");
    append_escaped(buf, size, v->str, v->len, QUOTE_CHARS);
  } else if (v->len == 0) {
    append(buf, size, "an empty string");
  } else {
    append(buf, size, "the string \"");
    append_escaped(buf, size, v->str, v->len, QUOTE_CHARS);
    append(buf, size, "\"");
  }
  return buf;
}
