/*
** diag.c: the diagnostics list and status codes.
**
** A naryn_diags list is owned by the caller and filled by the library. Each
** entry says where a problem is (file, line, column), what it concerns (the
** "where": a node and field, a CSV column, a step) and what was expected
** against what was found. The list keeps up to a cap of errors so that one
** run of 'naryn check' reports many problems without flooding the terminal;
** the counts go on past the cap.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

#define DEFAULT_MAX_ERRORS 20

struct naryn_diags {
  naryn_diag *items;
  int n, cap;
  int max_errors;
  int errors, warnings;
  char **files; /* interned file names, owned */
  int nfiles, capfiles;
  /* Out-of-memory errors ever reported, kept or not; clearing the list
  ** leaves it, so that a call can tell whether it ran out of memory by
  ** comparing it before and after (naryn__diags_status). */
  long nomem;
};

static const char *const status_text[] = {
#define NARYN__TEXT(code, text) text,
    NARYN_STATUS_LIST(NARYN__TEXT)
#undef NARYN__TEXT
};

const char *naryn_strerror(int status) {
  if (status < 0 || status >= NARYN_STATUS_COUNT) return "unknown status";
  return status_text[status];
}

const char *naryn_version(void) { return NARYN_VERSION; }

naryn_diags *naryn_diags_new(int max_errors) {
  naryn_diags *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->max_errors = max_errors > 0 ? max_errors : DEFAULT_MAX_ERRORS;
  /* Room for the first few from the start, so that running out of
  ** memory can always be told. */
  d->items = naryn__grow(NULL, &d->cap, 8, sizeof *d->items);
  if (!d->items) {
    free(d);
    return NULL;
  }
  return d;
}

void naryn_diags_clear(naryn_diags *d) {
  if (!d) return;
  d->n = 0;
  d->errors = d->warnings = 0;
}

void naryn_diags_free(naryn_diags *d) {
  if (!d) return;
  for (int i = 0; i < d->nfiles; i++) free(d->files[i]);
  free(d->files);
  free(d->items);
  free(d);
}

int naryn_diags_count(const naryn_diags *d) { return d ? d->n : 0; }
int naryn_diags_errors(const naryn_diags *d) { return d ? d->errors : 0; }
int naryn_diags_warnings(const naryn_diags *d) { return d ? d->warnings : 0; }

const naryn_diag *naryn_diags_get(const naryn_diags *d, int i) {
  if (!d || i < 0 || i >= d->n) return NULL;
  return &d->items[i];
}

int naryn__diags_full(const naryn_diags *d) {
  return d && d->errors >= d->max_errors;
}

long naryn__diags_nomem(const naryn_diags *d) { return d ? d->nomem : 0; }

int naryn__diags_status(const naryn_diags *d, long mark, int rc) {
  return rc != NARYN_OK && naryn__diags_nomem(d) > mark ? NARYN_ENOMEM : rc;
}

/* Returns the list's own copy of a file name, adding it when new, or NULL
** when out of memory. */
static const char *intern_file(naryn_diags *d, const char *file) {
  for (int i = 0; i < d->nfiles; i++)
    if (strcmp(d->files[i], file) == 0) return d->files[i];
  char **f = naryn__grow(d->files, &d->capfiles, d->nfiles + 1, sizeof *f);
  if (!f) return NULL;
  d->files = f;
  size_t n = strlen(file) + 1;
  char *copy = malloc(n);
  if (!copy) return NULL;
  memcpy(copy, file, n);
  d->files[d->nfiles++] = copy;
  return copy;
}

int naryn__vdiag(naryn_diags *d, int code, int severity, const char *file,
                 int line, int col, const char *where, const char *fmt,
                 va_list ap) {
  if (!d) return code;
  if (code == NARYN_ENOMEM && severity == NARYN_SEV_ERROR) d->nomem++;
  if (severity == NARYN_SEV_ERROR) {
    if (d->errors++ >= d->max_errors) return code;
  } else if (severity == NARYN_SEV_WARNING) {
    if (d->warnings++ >= d->max_errors) return code;
  } else if (d->n >= 4 * d->max_errors) {
    return code;
  }
  naryn_diag *items = naryn__grow(d->items, &d->cap, d->n + 1, sizeof *items);
  naryn_diag *g;
  if (items) {
    d->items = items;
    g = &d->items[d->n++];
  } else if (code == NARYN_ENOMEM && d->n > 0) {
    /* No room for one more: running out of memory, which explains what
    ** follows, takes the place of the last. */
    g = &d->items[d->n - 1];
  } else {
    return code;
  }
  memset(g, 0, sizeof *g);
  g->code = code;
  g->severity = severity;
  g->file = file ? intern_file(d, file) : NULL;
  g->line = g->file ? line : 0;
  g->col = g->file ? col : 0;
  if (where) snprintf(g->where, sizeof g->where, "%s", where);
  vsnprintf(g->msg, sizeof g->msg, fmt, ap);
  return code;
}

int naryn__diag(naryn_diags *d, int code, int severity, const char *file,
                int line, int col, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(d, code, severity, file, line, col, where, fmt, ap);
  va_end(ap);
  return code;
}

int naryn_diag_format(const naryn_diag *g, char *buf, size_t size) {
  static const char *const sev[] = {"error", "warning", "note"};
  const char *s = (g->severity >= 0 && g->severity <= 2) ? sev[g->severity] : "error";
  char pos[4096 + 32] = "";
  if (g->file) {
    if (g->line > 0 && g->col > 0)
      snprintf(pos, sizeof pos, "%s:%d:%d: ", g->file, g->line, g->col);
    else if (g->line > 0)
      snprintf(pos, sizeof pos, "%s:%d: ", g->file, g->line);
    else
      snprintf(pos, sizeof pos, "%s: ", g->file);
  }
  if (g->where[0])
    return snprintf(buf, size, "%s%s: %s: %s", pos, s, g->where, g->msg);
  return snprintf(buf, size, "%s%s: %s", pos, s, g->msg);
}

/* Edit distance between two short strings, for "did you mean" suggestions;
** strings over 63 bytes count as far from everything. */
int naryn__edit_distance(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  if (na > 63 || nb > 63) return 99;
  int row[64];
  for (size_t j = 0; j <= nb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= na; i++) {
    int diag = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= nb; j++) {
      int up = row[j];
      int best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best) best = up + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[nb];
}

void naryn__diags_reroot(naryn_diags *d, const char *from, const char *to) {
  if (!d || !from || !to) return;
  size_t n = strlen(from);
  for (int i = 0; i < d->n; i++) {
    naryn_diag *g = &d->items[i];
    if (!g->file || strncmp(g->file, from, n) != 0 ||
        (g->file[n] != '\0' && g->file[n] != '/'))
      continue;
    size_t size = strlen(to) + strlen(g->file + n) + 1;
    char *name = malloc(size);
    if (!name) return; /* the message keeps the staging path */
    snprintf(name, size, "%s%s", to, g->file + n);
    const char *kept = intern_file(d, name);
    free(name);
    if (kept) g->file = kept;
  }
}
