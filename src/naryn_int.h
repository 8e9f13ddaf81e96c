/*
** naryn_int.h: declarations shared between the library's modules and not
** part of the public contract. Internal non-static functions are named
** naryn__<module>_<verb>, and the module word names the file that defines
** them (naryn__doc_* lives in src/io/doc.c, naryn__sim_* in src/simulate/).
**
** Dependencies point one way: core <- io <- model <- hydro <- lp <- simulate
** <- report.
*/
#ifndef NARYN_INT_H
#define NARYN_INT_H

#include <stdarg.h>
#include <stddef.h>

#include "naryn.h"

#if defined(__GNUC__)
#define NARYN__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NARYN__PRINTF(f, a)
#endif

/* ====================================================================== */
/* core/mem.c: an arena that owns many small allocations                  */
/* ====================================================================== */

/* Blocks are chained and freed together; nothing in an arena is freed on
** its own. Allocations are aligned for any type. */
typedef struct naryn__arena naryn__arena;

naryn__arena *naryn__arena_new(void);
void naryn__arena_free(naryn__arena *a);
/* Returns n zeroed bytes, or NULL when out of memory. */
void *naryn__arena_alloc(naryn__arena *a, size_t n);
/* Returns a copy of s (or of its first n bytes) in the arena, or NULL. */
char *naryn__arena_strdup(naryn__arena *a, const char *s);
char *naryn__arena_strndup(naryn__arena *a, const char *s, size_t n);
/* Returns a formatted string in the arena, or NULL. */
char *naryn__arena_printf(naryn__arena *a, const char *fmt, ...)
    NARYN__PRINTF(2, 3);

/* A growable array of doubles, ints or pointers kept outside arenas. */
void *naryn__grow(void *p, int *cap, int need, size_t elem);

/* ====================================================================== */
/* core/diag.c: reporting problems                                         */
/* ====================================================================== */

/* Adds a diagnostic. 'file' is copied into the list; 'where' may be NULL.
** Returns 'code' so that callers can write 'return naryn__diag(...)'. */
int naryn__diag(naryn_diags *d, int code, int severity, const char *file,
                int line, int col, const char *where, const char *fmt, ...)
    NARYN__PRINTF(8, 9);
int naryn__vdiag(naryn_diags *d, int code, int severity, const char *file,
                 int line, int col, const char *where, const char *fmt,
                 va_list ap);
/* 1 when the list has reached its cap of errors. */
int naryn__diags_full(const naryn_diags *d);

/* ====================================================================== */
/* core/date.c: calendar dates as day numbers                              */
/* ====================================================================== */

/* A date as the number of days since 1970-01-01 (proleptic Gregorian). */
long naryn__date_days(int y, int m, int d);
void naryn__date_ymd(long days, int *y, int *m, int *d);
int naryn__date_month_days(int y, int m);
/* Parses "YYYY-MM-DD" or, when allow_month is set, "YYYY-MM" (taken as
** day 1). The whole string must match. Returns 0 on success. */
int naryn__date_parse(const char *s, size_t len, int allow_month, int *y,
                      int *m, int *d);

/* ====================================================================== */
/* io/doc.c: JSON or YAML documents with a source position on every value  */
/* ====================================================================== */

typedef enum naryn__doc_kind {
  NARYN__DOC_SCALAR = 0,
  NARYN__DOC_MAP,
  NARYN__DOC_SEQ
} naryn__doc_kind;

typedef struct naryn__doc naryn__doc;

/* One value of a parsed document. Every node, including every mapping
** key, records where it starts in its file. */
struct naryn__doc {
  naryn__doc_kind kind;
  const char *file; /* the path the document was read from */
  int line, col;    /* 1-based start of the value */
  /* Scalars: the text, NUL-terminated, and whether it was quoted in the
  ** source (a quoted "12" is a string, not a number). */
  const char *str;
  size_t len;
  int quoted;
  /* Mappings: n keys (scalar nodes) and n values, in source order.
  ** Sequences: n items in 'vals'; 'keys' is NULL. */
  int n;
  naryn__doc **keys;
  naryn__doc **vals;
};

/* Reads a JSON or YAML file into a tree allocated in 'a'. Syntax errors,
** duplicate keys, unreadable files and empty documents are reported in d
** with their line and column; the result is then NULL. */
naryn__doc *naryn__doc_read_file(const char *path, naryn__arena *a,
                                 naryn_diags *d);
/* The same, from a buffer; 'name' is used as the file name in positions. */
naryn__doc *naryn__doc_read_buffer(const char *name, const char *buf,
                                   size_t len, naryn__arena *a,
                                   naryn_diags *d);
/* The value stored under 'key' in a mapping, or NULL (also when 'map' is
** not a mapping or is NULL). */
naryn__doc *naryn__doc_get(const naryn__doc *map, const char *key);
/* The key node stored for 'key', for reporting positions, or NULL. */
naryn__doc *naryn__doc_key(const naryn__doc *map, const char *key);
/* 1 for an unquoted scalar null, ~ or empty value. */
int naryn__doc_is_null(const naryn__doc *v);
/* Converts an unquoted scalar that is a finite decimal number. Returns 0 on
** success, -1 otherwise (quoted, not a number, nan, inf, trailing text). */
int naryn__doc_number(const naryn__doc *v, double *out);
/* Converts an unquoted scalar integer in the int range; 0 or -1. */
int naryn__doc_int(const naryn__doc *v, int *out);
/* Converts an unquoted true or false; 0 or -1. */
int naryn__doc_bool(const naryn__doc *v, int *out);
/* Describes a value for "got ..." in messages: 'an object', 'a list of 3
** items', 'the number 12', 'the string "abc"', 'true', 'null'. Long
** strings are shortened. Returns buf. */
const char *naryn__doc_describe(const naryn__doc *v, char *buf, size_t size);
/* Merges 'over' into 'base' in place and returns the merged tree (which is
** 'over' itself when the kinds differ or 'base' is NULL):
** - mapping into mapping: key by key, recursively;
** - sequence into sequence, when every item of both is a mapping with a
**   scalar "name" (or, for items without one, "from" and "to"): items of
**   'over' are merged into the item of 'base' with the same name, or
**   appended when no item has it;
** - anything else: 'over' replaces 'base'.
** New nodes are allocated in 'a'. Returns NULL only when out of memory. */
naryn__doc *naryn__doc_merge(naryn__doc *base, naryn__doc *over,
                             naryn__arena *a);

/* ====================================================================== */
/* io/csv.c: comma-separated tables with the position of every cell        */
/* ====================================================================== */

/* A CSV file read whole. The first line that is not blank and does not
** start with '#' is the header. Cells are stored as strings. */
typedef struct naryn__csv {
  const char *file;
  int ncols;       /* columns in the header */
  int nrows;       /* data rows (blank and '#' lines are skipped) */
  char **header;   /* ncols names, surrounding spaces trimmed */
  char **cells;    /* nrows * ncols strings, row-major, spaces trimmed */
  int *row_line;   /* 1-based line of each row in the file */
  int *cell_col;   /* nrows * ncols 1-based character column of each cell */
} naryn__csv;

/* Reads a CSV file (RFC 4180 quoting, LF or CRLF line ends, an optional
** UTF-8 byte-order mark). Reports an unreadable file, an empty file, a
** missing header, a duplicate header name, an unterminated quote and a
** row whose field count differs from the header's, each with its line and
** column; the result is then NULL. */
naryn__csv *naryn__csv_read(const char *path, naryn__arena *a,
                            naryn_diags *d);
/* Index of the header column with this name, or -1. */
int naryn__csv_column(const naryn__csv *t, const char *name);
/* Converts cell (row, col) to a finite number. On failure reports
**   FILE:LINE:COL: error: column "NAME": expected a number, got "TEXT"
** (or 'got an empty cell') and returns -1. */
int naryn__csv_number(const naryn__csv *t, int row, int col, double *out,
                      naryn_diags *d);

/* ====================================================================== */
/* io/outfile.c: files written whole or not at all                         */
/* ====================================================================== */

/* A file being written under a temporary name in the same directory. */
typedef struct naryn__outfile naryn__outfile;

/* Creates every missing directory of 'dir'. Reports failures naming the
** directory and the system's reason. Returns NARYN_OK or NARYN_EIO. */
int naryn__mkdirs(const char *dir, naryn_diags *d);
/* Opens 'path' for writing through a temporary file, or returns NULL
** with the reason in d. */
naryn__outfile *naryn__outfile_open(const char *path, naryn_diags *d);
/* Appends formatted text; errors are remembered and reported by commit. */
void naryn__outfile_printf(naryn__outfile *f, const char *fmt, ...)
    NARYN__PRINTF(2, 3);
void naryn__outfile_write(naryn__outfile *f, const char *s, size_t n);
/* Flushes, syncs and renames the file into place, then frees f. Returns
** NARYN_OK, or NARYN_EIO with the reason in d (the temporary file is then
** removed and 'path' is left as it was). */
int naryn__outfile_commit(naryn__outfile *f, naryn_diags *d);
/* Removes the temporary file and frees f; accepts NULL. */
void naryn__outfile_abort(naryn__outfile *f);

#endif /* NARYN_INT_H */
