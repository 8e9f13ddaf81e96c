/*
** csv.c: time-series tables read from comma-separated files, and for a
** model's input also from files separated by semicolons or tabs (as
** spreadsheets save them in languages with a decimal comma).
**
** A file is read whole into one buffer in the arena and parsed in a single
** pass, after one quick count of its line breaks and commas that sizes the
** table's arrays. Cells are cut out of that buffer in place: each is
** NUL-terminated
** where its delimiter was, and quoted cells are unescaped by copying their
** bytes backwards over the opening quote and the doubled quotes, which never
** overtakes the scan position. The table therefore points into the buffer
** and owns no other text. A record that is one line without a quote, the
** common case, is cut by a shorter path (parse_plain) that gives the same
** cells, columns and messages.
**
** The delimiter of an input file is declared or found from its header
** line (detect_delim); result files are always read with commas. The
** comma has its own copy of the record parser's loop, with the comma a
** constant, so that reading back large result files is not slowed by the
** other delimiters. A decimal comma is read by replacing it with a point
** in a copy of the cell, so that its number is the one the point gives.
**
** Invariants:
** - Every pointer in the result, and the result itself, lives in the arena;
**   the only heap memory, the field list of the record being parsed (and a
**   buffer for files of unknown size), is freed on every path, so a failed
**   read leaks nothing (the arena is the caller's).
** - Lines and columns are 1-based and count bytes; a UTF-8 byte-order mark
**   at the start is skipped and not counted.
** - A cell's column is that of its first character that is not a space or
**   tab (the opening quote of a quoted cell), or of the field's start when
**   the field is blank. A row's line is the line its first field is on.
** - Blank lines and lines whose first non-blank character is '#' are
**   skipped between records, never inside a quoted field.
** - Every hostile file gets a clear error in time linear in its size: a
**   directory, FIFO or device, a file past the size limit, UTF-16 or
**   UTF-32 text, a NUL byte (which would cut a cell short), more columns or
**   cells than the limits.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../naryn_int.h"

/* Longest text quoted in a message before it is shortened with "...", and
** buffers for such a text and for a 'column "NAME"' holding one. */
#define SHOW_MAX 40
#define SHOW_BUF (SHOW_MAX + 1)
#define WHERE_BUF (SHOW_MAX + 16)
/* Most columns and most cells (rows times columns) a table may hold
** (documented in doc/model-format.md), so that no file, however made, can
** make the reader's arrays grow past a few hundred megabytes. The file's
** size is limited too (NARYN__CSV_MAX_BYTES). */
#define MAX_COLUMNS 100000
#define MAX_CELLS 20000000

/* One field of the record being parsed. */
typedef struct field {
  char *s;       /* the cell, NUL-terminated in the buffer */
  int line, col; /* where it starts */
} field;

/* The state of one read. */
typedef struct reader {
  const char *path;
  naryn_diags *d;
  char *p, *end;    /* scan position and end of the buffer */
  char *line_start; /* first byte of the current line */
  int line;         /* 1-based number of the current line */
  int saw_comment;  /* a '#' line was skipped */
  field *f;         /* fields of the current record (heap) */
  int nf, capf;
  int end_line, end_col; /* where the current record's line ends */
  size_t max_rows;       /* room in the table's arrays */
  char **header;         /* the header's names once read, else NULL */
  int ncols;
  /* A record at plain_p known to be one line without quotes ending at
  ** plain_nl (found by the streamed reader's look ahead), else NULL. */
  char *plain_p, *plain_nl;
  char delim; /* ',' (always for a stream), ';' or '\t' */
  int guessed; /* the delimiter was found in a header holding another */
} reader;

/* Returns the 1-based column of byte q on the current line. */
static int col_of(const reader *r, const char *q) {
  return (int)(q - r->line_start) + 1;
}

/* Returns 1 for the blanks trimmed around cells: space and tab. */
static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Returns 1 for a blank that may pad a cell in r's file: a tab is none
** where it separates the fields. */
static int is_pad(const reader *r, char c) {
  return c == ' ' || (c == '\t' && r->delim != '\t');
}

/* The delimiter as a message shows it: ',' or ';' or '\t'. */
static const char *show_delim(char delim) {
  return delim == ';' ? "';'" : delim == '\t' ? "'\\t'" : "','";
}

/* Writes into out the escaped form of the one character (a UTF-8 sequence
** counts as one) at s, where n bytes remain, and returns the number of
** bytes it used; *outlen receives the length written. */
static size_t escape_one(const unsigned char *s, size_t n, char out[8],
                         size_t *outlen) {
  unsigned char c = s[0];
  const char *esc = NULL;
  switch (c) {
  case '"': esc = "\\\""; break;
  case '\\': esc = "\\\\"; break;
  case '\n': esc = "\\n"; break;
  case '\r': esc = "\\r"; break;
  case '\t': esc = "\\t"; break;
  default: break;
  }
  if (esc) {
    *outlen = strlen(esc);
    memcpy(out, esc, *outlen);
    return 1;
  }
  if (c < 0x20 || c == 0x7f) {
    snprintf(out, 8, "\\x%02x", c);
    *outlen = 4;
    return 1;
  }
  size_t k = 1;
  if (c >= 0xc0)
    while (k < n && k < 4 && (s[k] & 0xc0) == 0x80) k++;
  memcpy(out, s, k);
  *outlen = k;
  return k;
}

/* Writes s (n bytes) into dst escaped so that it stays on one line, and
** shortened to SHOW_MAX bytes ending in "..." when longer. Multi-byte
** UTF-8 characters and escapes are never cut. dst holds at least SHOW_BUF
** bytes. Returns dst. */
static const char *show_text(char *dst, size_t size, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  char piece[8];
  size_t plen, total = 0;
  for (size_t i = 0; i < n;) {
    i += escape_one(u + i, n - i, piece, &plen);
    total += plen;
  }
  int cut = total > SHOW_MAX;
  size_t limit = cut ? SHOW_MAX - 3 : SHOW_MAX;
  if (limit + (cut ? 3 : 0) + 1 > size) limit = size - 1 - (cut ? 3 : 0);
  size_t o = 0, i = 0;
  while (i < n) {
    size_t used = escape_one(u + i, n - i, piece, &plen);
    if (o + plen > limit) break;
    memcpy(dst + o, piece, plen);
    o += plen;
    i += used;
  }
  if (cut) {
    memcpy(dst + o, "...", 3);
    o += 3;
  }
  dst[o] = '\0';
  return dst;
}

/* Writes the diagnostic's "where" for a problem in field i of the current
** record: "header", column "NAME" for a row's known column, else "row". */
static const char *where_field(const reader *r, int i, char *buf,
                               size_t size) {
  if (!r->header) return "header";
  if (i >= r->ncols) return "row";
  char name[SHOW_BUF];
  const char *h = r->header[i];
  snprintf(buf, size, "column \"%s\"",
           show_text(name, sizeof name, h, strlen(h)));
  return buf;
}

/* Describes the character at q for "got ..." in a message: 'x', with
** control characters escaped ('\r') and a UTF-8 sequence kept whole. */
static const char *show_char(const reader *r, const char *q, char *buf,
                             size_t size) {
  char piece[8] = "\"";
  size_t plen = 1;
  if (*q != '"')
    escape_one((const unsigned char *)q, (size_t)(r->end - q), piece, &plen);
  snprintf(buf, size, "'%.*s'", (int)plen, piece);
  return buf;
}

/* Moves to the next line, the current one ending at q with a line break of
** 'brk' bytes. */
static void next_line(reader *r, char *q, int brk) {
  r->p = q + brk;
  r->line++;
  r->line_start = r->p;
}

/* Skips blank lines and '#' lines from the start of a line. Returns 1 when
** a record starts at r->p, 0 at the end of the buffer. */
static int skip_ignored(reader *r) {
  for (;;) {
    char *q = r->p;
    while (q < r->end && is_blank(*q)) q++;
    if (q == r->end) {
      r->p = q;
      return 0;
    }
    if (*q == '\n') {
      next_line(r, q, 1);
    } else if (*q == '\r' && q + 1 < r->end && q[1] == '\n') {
      next_line(r, q, 2);
    } else if (*q == '#') {
      r->saw_comment = 1;
      char *nl = memchr(q, '\n', (size_t)(r->end - q));
      if (!nl) {
        r->p = r->end;
        return 0;
      }
      next_line(r, nl, 1);
    } else {
      return 1;
    }
  }
}

/* Returns the length of the line break at q (1 or 2), 0 when q is not at
** one. */
static int line_break(const reader *r, const char *q) {
  if (*q == '\n') return 1;
  if (*q == '\r' && q + 1 < r->end && q[1] == '\n') return 2;
  return 0;
}

/* Parses the quoted field whose opening quote is at q, unescaping it in
** place into *cell. On return *after points just past the closing quote.
** Returns 0, or -1 after reporting an unterminated quote. */
static int parse_quoted(reader *r, char *q, char **cell, char **after) {
  int qline = r->line, qcol = col_of(r, q);
  char *w = q, *s = q + 1;
  *cell = w;
  for (;;) {
    if (s == r->end) {
      char wb[WHERE_BUF];
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, qline, qcol,
                  where_field(r, r->nf, wb, sizeof wb),
                  "expected a closing '\"', got the end of the file");
      return -1;
    }
    char c = *s;
    if (c == '"') {
      if (s + 1 < r->end && s[1] == '"') {
        *w++ = '"';
        s += 2;
        continue;
      }
      s++;
      break;
    }
    if (c == '\r' && s + 1 < r->end && s[1] == '\n') {
      s++; /* a CRLF inside quotes is kept as a bare LF */
      continue;
    }
    if (c == '\n') {
      r->line++;
      r->line_start = s + 1;
    }
    *w++ = c;
    s++;
  }
  *w = '\0';
  *after = s;
  return 0;
}

/* Appends a field to r->f: kept while a row has at most one field more
** than the header (enough to say where the extra fields start), else only
** counted. Returns 0, or -1 after reporting. */
static int add_field(reader *r, char *cell, int line, int col) {
  int keep = r->header ? r->ncols + 1 : MAX_COLUMNS + 1;
  if (r->nf >= keep) {
    r->nf++; /* counted, not kept */
    return 0;
  }
  if (r->nf == r->capf) {
    field *nf = naryn__grow(r->f, &r->capf, r->nf + 1, sizeof *nf);
    if (!nf) {
      naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, r->path, line, 0, NULL,
                  "cannot read: %s", strerror(ENOMEM));
      return -1;
    }
    r->f = nf;
  }
  r->f[r->nf++] = (field){cell, line, col};
  return 0;
}

/* The delimiters among the 8 bytes at w, as the top bit of each byte
** that is one; the test of each byte carries nothing into its neighbours.
** For a comma (a constant where inlined) the pattern is 0x2c2c...2c. */
static inline uint64_t delim_bits(const char *w, char delim) {
  const uint64_t low7 = 0x7f7f7f7f7f7f7f7fULL;
  const uint64_t pattern = 0x0101010101010101ULL * (unsigned char)delim;
  uint64_t x;
  memcpy(&x, w, 8);
  x ^= pattern;
  return ~(((x & low7) + low7) | x | low7);
}

/* Cuts out the field from q to s (a delimiter or the line's end), trimmed
** of blanks, as parse_record does, and adds it (a field between tabs holds
** no tab to trim). Returns 0, or -1 after reporting. */
static inline int plain_field(reader *r, char *q, char *s, int keep) {
  int col = col_of(r, q);
  while (q < s && is_blank(*q)) q++;
  char *term = s;
  while (term > q && is_blank(term[-1])) term--;
  if (term > q) col = col_of(r, q);
  *term = '\0';
  if (r->nf < r->capf && r->nf < keep) { /* add_field's common case */
    r->f[r->nf++] = (field){q, r->line, col};
    return 0;
  }
  return add_field(r, q, r->line, col);
}

/* Parses a record that is one line without a quote, ending in the line
** feed at nl, as parse_record does but without its tests of every byte:
** the line ends at nl or at a carriage return just before it, and the
** fields are cut at its delimiters, found eight bytes at a time where the
** byte order allows. Always inlined, so that each caller below gets its
** own loop and the comma's is built with the comma as a constant. */
static inline __attribute__((always_inline)) int plain_record(reader *r, char *nl,
                                                              char delim) {
  char *stop = nl, *q = r->p, *w = r->p;
  int brk = 1, keep = r->header ? r->ncols + 1 : MAX_COLUMNS + 1;
  if (stop > q && stop[-1] == '\r') stop--, brk = 2;
  r->nf = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* The words are read before their fields' NULs are written. */
  for (; stop - w >= 8; w += 8) {
    for (uint64_t z = delim_bits(w, delim); z; z &= z - 1) {
      char *s = w + (__builtin_ctzll(z) >> 3);
      if (plain_field(r, q, s, keep) < 0) return -1;
      q = s + 1;
    }
  }
#endif
  for (; w < stop; w++)
    if (*w == delim) {
      if (plain_field(r, q, w, keep) < 0) return -1;
      q = w + 1;
    }
  if (plain_field(r, q, stop, keep) < 0) return -1;
  r->end_line = r->line;
  r->end_col = col_of(r, stop);
  next_line(r, stop, brk);
  return 0;
}

/* A plain record of a comma file: every result file, and most inputs.
** Aligned to a cache line, so that the speed of its loop, which reads back
** result files of hundreds of megabytes, does not hang on where the code
** around it happens to end. */
static __attribute__((aligned(64))) int parse_plain(reader *r, char *nl) {
  return plain_record(r, nl, ',');
}

/* A plain record of a file separated by semicolons or tabs, kept apart so
** that the comma's loop stays as it is. */
static __attribute__((noinline)) int parse_plain_other(reader *r, char *nl) {
  return plain_record(r, nl, r->delim);
}

/* Parses one record starting at r->p into r->f, leaving r->p at the start
** of the next line and the record's line end in r->end_line, r->end_col.
** Returns 0, or -1 after reporting an error. */
static int parse_record(reader *r) {
  if (r->plain_p == r->p) {
    char *nl = r->plain_nl;
    r->plain_p = r->plain_nl = NULL;
    return parse_plain(r, nl);
  }
  char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  if (nl && !memchr(r->p, '"', (size_t)(nl - r->p)))
    return r->delim == ',' ? parse_plain(r, nl) : parse_plain_other(r, nl);
  r->nf = 0;
  const char delim = r->delim;
  for (;;) {
    char *q = r->p, *cell, *s, *term = NULL;
    int line = r->line, col = col_of(r, q);
    while (q < r->end && is_pad(r, *q)) q++;
    if (q < r->end && *q == '"') {
      col = col_of(r, q);
      if (parse_quoted(r, q, &cell, &s) < 0) return -1;
      while (s < r->end && is_pad(r, *s)) s++;
      if (s < r->end && *s != delim && !line_break(r, s)) {
        char wb[WHERE_BUF], cb[16];
        naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, r->line,
                    col_of(r, s), where_field(r, r->nf, wb, sizeof wb),
                    "expected %s or the end of the line after a quoted "
                    "field, got %s",
                    show_delim(delim), show_char(r, s, cb, sizeof cb));
        return -1;
      }
    } else {
      s = q;
      while (s < r->end && *s != delim && *s != '\n' &&
             !(*s == '\r' && s + 1 < r->end && s[1] == '\n'))
        s++;
      term = s;
      while (term > q && is_blank(term[-1])) term--;
      if (term > q) col = col_of(r, q);
      cell = q;
    }
    /* Classify the delimiter at s before the cell's terminating NUL,
    ** which may fall on it, is written. */
    int comma = s < r->end && *s == delim;
    int brk = s < r->end && !comma ? line_break(r, s) : 0;
    if (term) *term = '\0';
    if (add_field(r, cell, line, col) < 0) return -1;
    if (comma) {
      r->p = s + 1;
      continue;
    }
    r->end_line = r->line;
    r->end_col = col_of(r, s);
    if (s == r->end)
      r->p = s;
    else
      next_line(r, s, brk);
    return 0;
  }
}

/* Reports a file that holds no header line, having been scanned to its
** end: at line 1 when it is empty or blank, at its last line when it holds
** comments. */
static void report_no_header(const reader *r) {
  int line = 1;
  if (r->saw_comment) {
    /* A final line break ends the last line rather than starting one. */
    line = r->line;
    if (line > 1 && r->line_start == r->end) line--;
  }
  naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, line, 0, NULL,
              "expected a header line naming the columns, got %s",
              r->saw_comment ? "only comments and blank lines"
                             : "an empty file");
}

/* A header name and its column, for finding repeats by sorting. */
typedef struct named {
  const char *s;
  int i;
} named;

/* Orders header names by text, then by column. */
static int compare_names(const void *x, const void *y) {
  const named *p = x, *q = y;
  int c = strcmp(p->s, q->s);
  return c ? c : (p->i > q->i) - (p->i < q->i);
}

/* Checks and keeps the header's names from the record in r->f. Returns 0,
** or -1 after reporting too many columns, an empty name or a repeated one
** (the first repeat in the line, found by sorting the names). */
static int take_header(reader *r, naryn__arena *a) {
  char wb[WHERE_BUF], nb[SHOW_BUF];
  if (r->nf > MAX_COLUMNS) {
    const field *f = &r->f[MAX_COLUMNS];
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, f->line, f->col,
                "header", "expected at most %d columns, got more", MAX_COLUMNS);
    return -1;
  }
  r->header = naryn__arena_alloc(a, (size_t)r->nf * sizeof *r->header);
  named *sorted = malloc((size_t)r->nf * sizeof *sorted);
  if (!r->header || !sorted) {
    free(sorted);
    naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                "cannot read: %s", strerror(ENOMEM));
    return -1;
  }
  for (int i = 0; i < r->nf; i++) {
    /* Quoted names are trimmed too. */
    char *s = r->f[i].s;
    while (is_blank(*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1])) s[--n] = '\0';
    if (n == 0) {
      free(sorted);
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, r->f[i].line,
                  r->f[i].col, "header",
                  "expected a column name, got an empty field");
      return -1;
    }
    r->header[i] = s;
    sorted[i] = (named){s, i};
  }
  qsort(sorted, (size_t)r->nf, sizeof *sorted, compare_names);
  int dup = -1, first = -1;
  for (int k = 1, g = 0; k < r->nf; k++) {
    if (strcmp(sorted[g].s, sorted[k].s) != 0)
      g = k;
    else if (dup < 0 || sorted[k].i < dup)
      dup = sorted[k].i, first = sorted[g].i;
  }
  free(sorted);
  if (dup >= 0) {
    const char *s = r->header[dup];
    size_t n = strlen(s);
    snprintf(wb, sizeof wb, "column \"%s\"", show_text(nb, sizeof nb, s, n));
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, r->f[dup].line,
                r->f[dup].col, wb,
                "expected each column name once, got \"%s\" again "
                "(first as column %d)",
                show_text(nb, sizeof nb, s, n), first + 1);
    return -1;
  }
  r->ncols = r->nf;
  return 0;
}

/* Counts the line breaks and the delimiters from p to end into *lines
** and *delims; inlined with a constant comma for comma files. */
static inline __attribute__((always_inline)) void count_breaks(const char *p,
                                                               const char *end,
                                                               char delim,
                                                               size_t *lines,
                                                               size_t *delims) {
  size_t nl = 0, nd = 0;
  for (const char *q = p; q < end; q++) {
    nl += *q == '\n';
    nd += *q == delim;
  }
  *lines += nl;
  *delims += nd;
}

/* Allocates the table's arrays for the rows after the header, which start
** at r->p, sized by an upper bound found by counting line breaks and
** delimiters: there are at most lines+1 rows, and each needs ncols-1
** delimiters, so rows*ncols <= delimiters + rows. Returns 0, or -1 after
** reporting. */
static int alloc_rows(reader *r, naryn__csv *t, naryn__arena *a) {
  size_t lines = 1, commas = 0;
  if (r->delim == ',')
    count_breaks(r->p, r->end, ',', &lines, &commas);
  else
    count_breaks(r->p, r->end, r->delim, &lines, &commas);
  size_t cells = lines * (size_t)r->ncols;
  if (cells > commas + lines) cells = commas + lines;
  /* Room for at most MAX_CELLS; read_rows reports a table that needs
  ** more. */
  if (cells > (size_t)MAX_CELLS) cells = MAX_CELLS;
  size_t rows = cells / (size_t)r->ncols;
  cells = rows * (size_t)r->ncols;
  r->max_rows = rows;
  t->cells = naryn__arena_alloc(a, cells * sizeof *t->cells);
  t->cell_col = naryn__arena_alloc(a, cells * sizeof *t->cell_col);
  t->row_line = naryn__arena_alloc(a, rows * sizeof *t->row_line);
  if (!t->cells || !t->cell_col || !t->row_line) {
    naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                "cannot read: %s", strerror(ENOMEM));
    return -1;
  }
  return 0;
}

/* Checks that the record just parsed has as many fields as the header.
** Returns 0, or -1 after reporting where it has too many or too few. */
static int check_fields(reader *r) {
  if (r->nf == r->ncols) return 0;
  int line = r->end_line, col = r->end_col;
  if (r->nf > r->ncols) {
    line = r->f[r->ncols].line;
    col = r->f[r->ncols].col;
  }
  if (r->guessed)
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, line, col, "row",
                "expected %d field%s as in the header, got %d (the fields were cut at "
                "%s, the most common of ';', ',' and tab in the header; give "
                "\"delimiter\" in the series if that is wrong)",
                r->ncols, r->ncols == 1 ? "" : "s", r->nf, show_delim(r->delim));
  else
    naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, line, col,
                "row", "expected %d field%s as in the header, got %d",
                r->ncols, r->ncols == 1 ? "" : "s", r->nf);
  return -1;
}

/* Reads the rows after the header into t, whose arrays alloc_rows made
** large enough. Returns 0, or -1 after reporting an error. */
static int read_rows(reader *r, naryn__csv *t) {
  size_t k = 0;
  while (skip_ignored(r)) {
    if (parse_record(r) < 0) return -1;
    if (check_fields(r) < 0) return -1;
    if ((size_t)t->nrows >= r->max_rows) { /* only past MAX_CELLS */
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, r->f[0].line,
                  r->f[0].col, "row", "expected at most %d cells (rows times "
                  "columns), got more", MAX_CELLS);
      return -1;
    }
    for (int i = 0; i < r->ncols; i++, k++) {
      t->cells[k] = r->f[i].s;
      t->cell_col[k] = r->f[i].col;
    }
    t->row_line[t->nrows++] = r->f[0].line;
  }
  return 0;
}

/* Reports text that is not UTF-8 by its encoding, or that holds a NUL
** byte (which would end a cell early), at the byte's line and column.
** Returns 0 or -1. */
static int check_text(const char *path, const char *buf, size_t len,
                      naryn_diags *d) {
  const char *encoding = naryn__infile_encoding(buf, len);
  if (encoding) {
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, 1, 1, NULL,
                "expected UTF-8 text, got %s; save the file as UTF-8", encoding);
    return -1;
  }
  const char *nul = memchr(buf, '\0', len);
  if (!nul) return 0;
  int line = 1;
  const char *start = buf;
  for (const char *q = buf; q < nul; q++)
    if (*q == '\n') line++, start = q + 1;
  if (line == 1 && len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) start += 3;
  naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, path, line,
              (int)(nul - start) + 1, NULL, "expected text, got a NUL byte (0x00)");
  return -1;
}

/* The delimiter of the header line starting at p: of ';', ',' and tab,
** the one found most often outside quotes up to the line's end, a tie
** going to the one earlier in that order; a comma when none is found.
** *mixed tells whether another of them was found too. */
static char detect_delim(const char *p, const char *end, int *mixed) {
  static const char cand[3] = {';', ',', '\t'};
  size_t count[3] = {0, 0, 0};
  int quoted = 0;
  for (; p < end && (quoted || *p != '\n'); p++) {
    if (*p == '"') quoted = !quoted;
    else if (!quoted)
      for (int i = 0; i < 3; i++) count[i] += *p == cand[i];
  }
  int best = 1;
  for (int i = 0; i < 3; i++)
    if (count[i] > count[best] || (count[i] == count[best] && i < best)) best = i;
  *mixed = 0;
  for (int i = 0; i < 3; i++) *mixed |= i != best && count[i] > 0;
  return count[best] ? cand[best] : ',';
}

/* Parses the len bytes of buf, NUL-terminated, in the arena and cut up in
** place, into a table: the header first, then every row, stopping at the
** first error. 'path' names the file in messages; the fields are separated
** by delim, or by the delimiter detect_delim finds when it is 0. */
static naryn__csv *parse_table(const char *path, char *buf, size_t len,
                               char delim, naryn__arena *a, naryn_diags *d) {
  if (check_text(path, buf, len, d) < 0) return NULL;
  reader r = {0};
  r.path = path;
  r.d = d;
  r.p = r.line_start = buf;
  r.end = buf + len;
  r.line = 1;
  if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
    r.p = r.line_start = buf + 3;
  naryn__csv *t = NULL;
  if (!skip_ignored(&r)) {
    report_no_header(&r);
  } else if ((r.delim = delim ? delim : detect_delim(r.p, r.end, &r.guessed)),
             parse_record(&r) == 0 && take_header(&r, a) == 0) {
    t = naryn__arena_alloc(a, sizeof *t);
    if (t) t->file = naryn__arena_strdup(a, path);
    if (!t || !t->file) {
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                  "cannot read: %s", strerror(ENOMEM));
      t = NULL;
    } else {
      t->ncols = r.ncols;
      t->header = r.header;
      t->delim = r.delim;
      if (alloc_rows(&r, t, a) < 0 || read_rows(&r, t) < 0) t = NULL;
    }
  }
  free(r.f);
  return t;
}

naryn__csv *naryn__csv_read(const char *path, naryn__arena *a,
                            naryn_diags *d) {
  return naryn__csv_read_delim(path, ',', a, d);
}

naryn__csv *naryn__csv_read_delim(const char *path, char delim, naryn__arena *a,
                                  naryn_diags *d) {
  size_t len;
  char *buf = naryn__infile_read(path, NARYN__CSV_MAX_BYTES, a, &len, d);
  return buf ? parse_table(path, buf, len, delim, a, d) : NULL;
}

naryn__csv *naryn__csv_read_buffer(const char *name, const char *buf,
                                   size_t len, naryn__arena *a,
                                   naryn_diags *d) {
  return naryn__csv_read_buffer_delim(name, buf, len, ',', a, d);
}

naryn__csv *naryn__csv_read_buffer_delim(const char *name, const char *buf,
                                         size_t len, char delim, naryn__arena *a,
                                         naryn_diags *d) {
  if (!name) name = "<buffer>";
  /* The same bound as for a file, so that counts fit in an int. */
  int err = len > (size_t)INT_MAX ? EFBIG : 0;
  char *copy = err ? NULL : naryn__arena_alloc(a, len + 1);
  if (!copy) {
    err = err ? err : ENOMEM;
    naryn__diag(d, err == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, NARYN_SEV_ERROR,
                name, 0, 0, NULL, "cannot read: %s", strerror(err));
    return NULL;
  }
  if (len > 0) memcpy(copy, buf, len);
  return parse_table(name, copy, len, delim, a, d);
}

/* ====================================================================== */
/* A table read row by row                                                 */
/* ====================================================================== */

/* Bytes asked of each read(); tests make it tiny to cut records at every
** byte. The buffer holds at least one whole record, however long, up to
** NARYN__CSV_MAX_BYTES. */
size_t naryn__csv_stream_chunk = (size_t)1 << 20;

/* The state of a streamed read: the reader over a buffer holding the rest
** of the current line and what has been read after it. */
typedef struct stream_state {
  reader r;
  int fd;
  int eof;     /* read() has returned 0 */
  char *buf;   /* cap + 1 bytes (a cell's NUL may fall just past the data) */
  size_t cap;
  size_t len;  /* bytes of data in buf */
  int checked; /* the start has been looked at: encoding, mark, NULs */
  long long base; /* the file offset of buf[0] */
  size_t chunk;   /* bytes asked of each read() after a seek, else 0 */
} stream_state;

/* Reports a NUL byte among the n bytes just read at q, counting its line
** from the current line's start. Returns 0, or -1 after reporting. */
static int stream_check_nul(stream_state *st, const char *q, size_t n) {
  const char *nul = memchr(q, '\0', n);
  if (!nul) return 0;
  int line = st->r.line;
  const char *start = st->r.line_start;
  for (const char *c = start; c < nul; c++)
    if (*c == '\n') line++, start = c + 1;
  naryn__diag(st->r.d, NARYN_ESYNTAX, NARYN_SEV_ERROR, st->r.path, line,
              (int)(nul - start) + 1, NULL, "expected text, got a NUL byte (0x00)");
  return -1;
}

/* Moves the unparsed bytes, which start at the current line, to the front
** of the buffer, grows it when they fill it, and reads more. Returns 0, or
** -1 after reporting a read error, a row past the size limit or a NUL. */
static int stream_fill(stream_state *st) {
  reader *r = &st->r;
  r->plain_p = r->plain_nl = NULL; /* the buffer's bytes move */
  size_t keep = (size_t)(st->buf + st->len - r->line_start);
  size_t shift = (size_t)(r->line_start - st->buf);
  if (shift > 0) {
    memmove(st->buf, r->line_start, keep);
    r->p -= shift;
    r->line_start = st->buf;
    st->len = keep;
    st->base += (long long)shift;
  }
  if (st->len == st->cap) {
    if (st->cap >= NARYN__CSV_MAX_BYTES) {
      naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, r->line, 1,
                  "row", "expected a row of at most 256 MiB, got a longer one");
      return -1;
    }
    size_t cap = st->cap * 2 > NARYN__CSV_MAX_BYTES ? NARYN__CSV_MAX_BYTES : st->cap * 2;
    char *bigger = realloc(st->buf, cap + 1);
    if (!bigger) {
      naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, r->path, r->line, 0, NULL,
                  "cannot read: %s", strerror(ENOMEM));
      return -1;
    }
    r->p = bigger + (r->p - st->buf);
    r->line_start = bigger + (r->line_start - st->buf);
    st->buf = bigger;
    st->cap = cap;
  }
  size_t want = st->cap - st->len;
  size_t chunk = st->chunk ? st->chunk : naryn__csv_stream_chunk;
  if (want > chunk) want = chunk;
  ssize_t got;
  do got = read(st->fd, st->buf + st->len, want);
  while (got < 0 && errno == EINTR);
  if (got < 0) {
    naryn__diag(r->d, NARYN_EIO, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                "cannot read: %s", strerror(errno));
    return -1;
  }
  if (got == 0) st->eof = 1;
  char *fresh = st->buf + st->len;
  st->len += (size_t)got;
  r->end = st->buf + st->len;
  /* The first bytes are looked at once the byte-order mark is known. */
  return st->checked ? stream_check_nul(st, fresh, (size_t)got) : 0;
}

/* Scans the record starting at q without changing it, as parse_record
** would cut it. Returns 1 when its line break is in the buffer (or the
** file has ended), 0 when more must be read first. */
static int stream_record_whole(stream_state *st, char *q) {
  const char *end = st->r.end;
  /* Most records are one line without quotes: parse_record is told. */
  char *nl = memchr(q, '\n', (size_t)(end - q));
  if (nl && !memchr(q, '"', (size_t)(nl - q))) {
    st->r.plain_p = st->r.p;
    st->r.plain_nl = nl;
    return 1;
  }
  for (;;) {
    while (q < end && is_blank(*q)) q++;
    if (q < end && *q == '"') {
      for (q++;; q++) {
        if (q == end) return st->eof;
        if (*q != '"') continue;
        if (q + 1 == end) return st->eof;
        if (q[1] != '"') break;
        q++;
      }
      q++;
    }
    while (q < end && *q != ',' && *q != '\n') q++;
    if (q == end) return st->eof;
    if (*q == '\n') return 1;
    q++;
  }
}

/* Makes the buffer hold the next record whole, skipping the blank and '#'
** lines before it as skip_ignored does, reading more as needed. Returns 0
** (a record, or the end of the file, follows r->p), or -1 after
** reporting. */
static int stream_ensure(stream_state *st) {
  reader *r = &st->r;
  for (;;) {
    char *q = r->p, *end = r->end;
    while (q < end && is_blank(*q)) q++;
    int more = 0;
    if (q == end || (*q == '\r' && q + 1 == end)) {
      more = !st->eof;
    } else if (*q == '\n') {
      next_line(r, q, 1);
      continue;
    } else if (*q == '\r' && q[1] == '\n') {
      next_line(r, q, 2);
      continue;
    } else if (*q == '#') {
      char *nl = memchr(q, '\n', (size_t)(end - q));
      if (nl) {
        r->saw_comment = 1;
        next_line(r, nl, 1);
        continue;
      }
      more = !st->eof;
    } else {
      more = !stream_record_whole(st, q);
    }
    if (!more) return 0;
    if (stream_fill(st) < 0) return -1;
  }
}

naryn__csv_stream *naryn__csv_open(const char *path, naryn__arena *a,
                                   naryn_diags *d) {
  char msg[320];
  if (naryn__infile_check(path, (size_t)-1, NULL, msg, sizeof msg) == 1) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL, "%s", msg);
    return NULL;
  }
  naryn__csv_stream *s = naryn__arena_alloc(a, sizeof *s);
  stream_state *st = calloc(1, sizeof *st);
  size_t cap = naryn__csv_stream_chunk < 4096 ? 4096 : naryn__csv_stream_chunk;
  char *buf = malloc(cap + 1);
  if (!s || !st || !buf || !(s->file = naryn__arena_strdup(a, path))) {
    free(st), free(buf);
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot read: %s", strerror(ENOMEM));
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot read: %s", strerror(errno));
    free(st), free(buf);
    return NULL;
  }
  st->fd = fd;
  st->buf = buf;
  st->cap = cap;
  st->r.path = s->file;
  st->r.d = d;
  st->r.p = st->r.line_start = st->r.end = buf;
  st->r.line = 1;
  st->r.delim = ',';
  s->state = st;
  /* Enough of the start to judge the encoding and skip a byte-order
  ** mark. */
  while (st->len < 4 && !st->eof)
    if (stream_fill(st) < 0) goto fail;
  const char *encoding = naryn__infile_encoding(buf, st->len);
  if (encoding) {
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, 1, 1, NULL,
                "expected UTF-8 text, got %s; save the file as UTF-8", encoding);
    goto fail;
  }
  if (st->len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
    st->r.p = st->r.line_start = buf + 3;
  st->checked = 1;
  if (stream_check_nul(st, st->r.p, (size_t)(st->r.end - st->r.p)) < 0) goto fail;
  if (stream_ensure(st) < 0) goto fail;
  if (!skip_ignored(&st->r)) {
    report_no_header(&st->r);
    goto fail;
  }
  if (parse_record(&st->r) < 0 || take_header(&st->r, a) < 0) goto fail;
  /* The names are copied out of the buffer, which later reads reuse. */
  for (int i = 0; i < st->r.ncols; i++)
    if (!(st->r.header[i] = naryn__arena_strdup(a, st->r.header[i]))) {
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                  "cannot read: %s", strerror(ENOMEM));
      goto fail;
    }
  s->ncols = st->r.ncols;
  s->header = st->r.header;
  s->cells = naryn__arena_alloc(a, (size_t)s->ncols * sizeof *s->cells);
  s->cell_col = naryn__arena_alloc(a, (size_t)s->ncols * sizeof *s->cell_col);
  if (!s->cells || !s->cell_col) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot read: %s", strerror(ENOMEM));
    goto fail;
  }
  /* Until the first row is read: the header's line and columns. */
  s->line = st->r.f[0].line;
  for (int i = 0; i < s->ncols; i++) s->cell_col[i] = st->r.f[i].col;
  return s;
fail:
  naryn__csv_close(s);
  return NULL;
}

int naryn__csv_next(naryn__csv_stream *s) {
  stream_state *st = s ? s->state : NULL;
  if (!st) return -1;
  reader *r = &st->r;
  if (stream_ensure(st) < 0) return -1;
  if (!skip_ignored(r)) return 0;
  s->offset = st->base + (long long)(r->line_start - st->buf);
  if (parse_record(r) < 0) return -1;
  if (check_fields(r) < 0) return -1;
  for (int i = 0; i < r->ncols; i++) {
    s->cells[i] = r->f[i].s;
    s->cell_col[i] = r->f[i].col;
  }
  s->line = r->f[0].line;
  s->nrows++;
  return 1;
}

int naryn__csv_seek(naryn__csv_stream *s, long long offset, int line,
                    size_t chunk, naryn_diags *d) {
  stream_state *st = s ? s->state : NULL;
  if (!st) return -1;
  reader *r = &st->r;
  r->d = d;
  if (lseek(st->fd, (off_t)offset, SEEK_SET) < 0) {
    naryn__diag(r->d, NARYN_EIO, NARYN_SEV_ERROR, r->path, line, 0, NULL,
                "cannot read: %s", strerror(errno));
    return -1;
  }
  st->base = offset;
  st->len = 0;
  st->eof = 0;
  st->chunk = chunk;
  r->p = r->line_start = r->end = st->buf;
  r->plain_p = r->plain_nl = NULL;
  r->line = line;
  return 0;
}

void naryn__csv_close(naryn__csv_stream *s) {
  stream_state *st = s ? s->state : NULL;
  if (!st) return;
  close(st->fd);
  free(st->r.f);
  free(st->buf);
  free(st);
  s->state = NULL;
}

int naryn__csv_stream_column(const naryn__csv_stream *s, const char *name) {
  if (!s || !name) return -1;
  for (int i = 0; i < s->ncols; i++)
    if (strcmp(s->header[i], name) == 0) return i;
  return -1;
}

/* Powers of ten exact as doubles, for naryn__csv_decimal. */
static const double exact_pow10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};

/* With at most 15 digits the digits make an integer m below 10^15 < 2^53
** and the fraction's length k is at most 15, so m and 10^k are both exact
** doubles, and the one division m / 10^k is rounded to the nearest double
** once, as IEEE arithmetic rounds every operation: that is the correctly
** rounded value of the decimal, which is what glibc's strtod gives. */
int naryn__csv_decimal(const char *s, double *out) {
  int neg = *s == '-';
  if (*s == '-' || *s == '+') s++;
  uint64_t m = 0;
  int digits = 0, frac = 0;
  for (; *s >= '0' && *s <= '9'; s++, digits++) m = m * 10 + (uint64_t)(*s - '0');
  if (*s == '.') {
    for (s++; *s >= '0' && *s <= '9'; s++, digits++, frac++)
      m = m * 10 + (uint64_t)(*s - '0');
  }
  if (*s || digits == 0 || digits > 15) return 0;
  double v = (double)m / exact_pow10[frac];
  *out = neg ? -v : v;
  return 1;
}

/* Finds a header name by exact, case-sensitive comparison. */
int naryn__csv_column(const naryn__csv *t, const char *name) {
  if (!t || !name) return -1;
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(t->header[i], name) == 0) return i;
  return -1;
}

/* Returns 1 when s (n bytes) is a decimal number: an optional sign, digits
** with at most one '.', at least one digit, and an optional exponent. Hex,
** "inf", "nan" and anything else strtod would also take are refused. */
static int is_decimal(const char *s, size_t n) {
  size_t i = 0, digits = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++, digits++;
  }
  if (digits == 0) return 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == e) return 0;
  }
  return i == n;
}

/* 1 when the n bytes at s are made only of what a number written with
** thousands separators holds: digits, signs, '.', ',' and exponents. */
static int number_chars(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!strchr("0123456789+-.,eE", s[i]) || s[i] == '\0') return 0;
  return 1;
}

/* Converts one cell, trimmed of blanks (a quoted cell keeps them), with
** strtod after checking that it is plain decimal notation; a value out of
** the double range is refused like any other non-number. A decimal comma
** is read by replacing it with a point in a copy, so that 12,5 gives the
** very double 12.5 gives. */
int naryn__csv_number_mark(const naryn__csv *t, int row, int col, char mark,
                           double *out, naryn_diags *d) {
  if (!t || row < 0 || row >= t->nrows || col < 0 || col >= t->ncols) {
    naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, t ? t->file : NULL, 0, 0,
                NULL, "expected a cell inside the table, got row %d, column %d",
                row, col);
    return -1;
  }
  size_t k = (size_t)row * (size_t)t->ncols + (size_t)col;
  const char *s = t->cells[k];
  size_t n = strlen(s);
  while (n > 0 && is_blank(*s)) s++, n--;
  while (n > 0 && is_blank(s[n - 1])) n--;
  /* What a cell with a decimal mark other than the file's is told. */
  enum { PLAIN, THOUSANDS, WANT_POINT, WANT_COMMA } why = PLAIN;
  const char *num = s;
  char copy[128];
  const char *comma = memchr(s, ',', n), *point = memchr(s, '.', n);
  if (t->delim != ',' && comma && point) {
    if (number_chars(s, n)) why = THOUSANDS;
    num = NULL;
  } else if (t->delim != ',' && (comma || point) && n < sizeof copy) {
    /* The cell as written with the other mark, to tell which was meant. */
    memcpy(copy, s, n);
    copy[n] = '\0';
    char *c = memchr(copy, comma ? ',' : '.', n);
    *c = '.';
    int shaped = is_decimal(copy, n);
    if (comma && mark == '.') {
      why = shaped ? WANT_POINT : PLAIN;
      num = NULL;
    } else if (point && mark == ',') {
      why = shaped ? WANT_COMMA : PLAIN;
      num = NULL;
    } else if (comma) {
      num = copy;
    }
  }
  char *end = NULL;
  double v = 0;
  if (num && n > 0 && is_decimal(num, n)) v = strtod(num, &end);
  if (num && end == num + n && isfinite(v)) {
    *out = v;
    return 0;
  }
  char where[WHERE_BUF], name[SHOW_BUF], text[SHOW_BUF];
  const char *h = t->header[col];
  snprintf(where, sizeof where, "column \"%s\"",
           show_text(name, sizeof name, h, strlen(h)));
  show_text(text, sizeof text, s, n);
  int line = t->row_line[row], at = t->cell_col[k];
  if (n == 0)
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, line, at, where,
                "expected a number, got an empty cell");
  else if (why == THOUSANDS)
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, line, at, where,
                "expected a number without thousands separators (one decimal "
                "mark, '.' or ','), got \"%s\"", text);
  else if (why == WANT_POINT)
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, line, at, where,
                "expected a number with a decimal point, as the series "
                "declares decimal \".\", got \"%s\"", text);
  else if (why == WANT_COMMA)
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, line, at, where,
                "expected a number with a decimal comma, as the series "
                "declares decimal \",\", got \"%s\"", text);
  else
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, t->file, line, at, where,
                "expected a number, got \"%s\"", text);
  return -1;
}

int naryn__csv_number(const naryn__csv *t, int row, int col, double *out,
                      naryn_diags *d) {
  return naryn__csv_number_mark(t, row, col, '.', out, d);
}
