/*
** naryn_int.h: declarations shared between the library's modules and not
** part of the public contract. Internal non-static functions are named
** naryn__<module>_<verb>, and the module word names the file that defines
** them (naryn__doc_* lives in src/io/doc.c, naryn__sim_* in src/simulate/).
**
** Dependencies point one way: core <- io <- model <- hydro <- lp <- simulate
** <- optimise <- report (the optimiser records its plans in the simulator's
** result and checks them with its water-balance checks). The synthetic
** inflows (src/inflows/, with its own header inflows_int.h) use core and io
** only; so, so far, does SDDP's cut store (src/sddp/cuts.c, cutfile.c).
** One call goes the other way: a simulation that replays an SDDP policy
** asks it for each step's releases through sddp/replay.c.
*/
#ifndef NARYN_INT_H
#define NARYN_INT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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
/* Edit distance between two strings, for "did you mean" suggestions. */
int naryn__edit_distance(const char *a, const char *b);
/* 1 when the list has reached its cap of errors. */
int naryn__diags_full(const naryn_diags *d);
/* Running out of memory is the cause of any failure it comes with: a
** public call that can fail takes mark = naryn__diags_nomem(d) (the count
** of out-of-memory errors ever reported in d) on entry and returns
** naryn__diags_status(d, mark, rc), which is NARYN_ENOMEM when rc is a
** failure and memory ran out since the mark, whatever the failure was
** reported as further up (a file that "cannot be read"), else rc. */
long naryn__diags_nomem(const naryn_diags *d);
/* Makes every diagnostic whose file is 'from' or lies inside it name the
** same file under 'to' instead (a staging folder's messages name the
** folder the user asked for). */
void naryn__diags_reroot(naryn_diags *d, const char *from, const char *to);
int naryn__diags_status(const naryn_diags *d, long mark, int rc);

/* core/interrupt.c: reports the interruption of a run as the one error
** "interrupted" in d and returns NARYN_EINTR. A run calls it once, where it
** stops; runs nested in it pass NARYN_EINTR up without another. */
int naryn__interrupted(naryn_diags *d);
/* The check of a long run between its steps, passes, points or files:
** NARYN_OK, or naryn__interrupted(d) when an interruption is requested. */
int naryn__interrupt_check(naryn_diags *d);

/* ====================================================================== */
/* core/rng.c: seeded random streams                                       */
/* ====================================================================== */

/* A stream of random numbers named by a seed and a stream number (a
** member of an ensemble): splitmix64 started from a hash of both, so that
** each stream is the same on any machine and whatever other streams are
** drawn. The state is the caller's: no global state. */
typedef struct naryn__rng {
  uint64_t state;
  int have_spare;  /* a second normal number from the last pair */
  double spare;
} naryn__rng;

void naryn__rng_seed(naryn__rng *r, uint64_t seed, uint64_t stream);
uint64_t naryn__rng_u64(naryn__rng *r);
/* A uniform number in the open interval (0, 1). */
double naryn__rng_uniform(naryn__rng *r);
/* A uniform whole number in 0 .. n - 1 (n >= 1). */
long naryn__rng_below(naryn__rng *r, long n);
/* A standard normal number (Box-Muller, both numbers of a pair used). */
double naryn__rng_normal(naryn__rng *r);

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
/* The length in days of a horizon's step named s: 0 for "monthly", 1 for
** "daily", 7 for "weekly", N for "N days" or "N day" (any N, checked by
** the caller), -1 for anything else. */
long naryn__step_days_parse(const char *s);
/* The name of a step of step_days days as run.csv writes it: "monthly",
** "daily", "weekly" or "N days" (written into buf). */
const char *naryn__step_days_name(int step_days, char *buf, size_t size);
/* The most days a step may have ("N days"). */
#define NARYN__MAX_STEP_DAYS 366

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
/* Index of the key of n bytes among a mapping's keys, or -1. */
int naryn__doc_find(const naryn__doc *map, const char *key, size_t len);
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
/* Reports, before 'over' is merged into 'base', what merging would hide:
** an item of an overlay list that repeats an earlier item's name (or
** "from" and "to"), where the list merges item by item; and an object
** without a name (or ends) in a list whose base items all have one, which
** would replace the whole list. Returns the number of errors reported. */
int naryn__doc_merge_check(const naryn__doc *base, const naryn__doc *over,
                           naryn_diags *d);

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
  char delim;      /* the fields' delimiter: ',', ';' or '\t' */
} naryn__csv;

/* Reads a CSV file (RFC 4180 quoting, LF or CRLF line ends, an optional
** UTF-8 byte-order mark). Reports an unreadable file, an empty file, a
** missing header, a duplicate header name, an unterminated quote and a
** row whose field count differs from the header's, each with its line and
** column; the result is then NULL. */
naryn__csv *naryn__csv_read(const char *path, naryn__arena *a,
                            naryn_diags *d);
/* The same from the len bytes of buf (copied into the arena), 'name'
** standing for the file in messages: the fuzz target reads through it. */
naryn__csv *naryn__csv_read_buffer(const char *name, const char *buf,
                                   size_t len, naryn__arena *a,
                                   naryn_diags *d);
/* The same for a file whose fields are separated by delim, ',', ';' or
** '\t', or by 0 for the one of these that occurs most often outside quotes
** in the header line (a tie going to ';', then ',', then tab; a comma
** when there is none): a model's input file. The rest of the rules are
** naryn__csv_read's. Result files, always commas, use naryn__csv_read. */
naryn__csv *naryn__csv_read_delim(const char *path, char delim, naryn__arena *a,
                                  naryn_diags *d);
naryn__csv *naryn__csv_read_buffer_delim(const char *name, const char *buf,
                                         size_t len, char delim, naryn__arena *a,
                                         naryn_diags *d);
/* Index of the header column with this name, or -1. */
int naryn__csv_column(const naryn__csv *t, const char *name);
/* Converts cell (row, col) to a finite number. On failure reports
**   FILE:LINE:COL: error: column "NAME": expected a number, got "TEXT"
** (or 'got an empty cell') and returns -1. */
int naryn__csv_number(const naryn__csv *t, int row, int col, double *out,
                      naryn_diags *d);
/* The same with the decimal mark 'mark': '.' or ',' or 0 for either. In a
** table separated by commas a cell's comma never is one. In other tables
** a cell with a comma gives the double the same text with a point gives;
** a cell with both marks (thousands separators) and a cell with the mark
** other than 'mark' are refused, each with its own message. */
int naryn__csv_number_mark(const naryn__csv *t, int row, int col, char mark,
                           double *out, naryn_diags *d);

/* A CSV file read row by row, in memory bounded by its longest record
** rather than by its size: for result files of any length. The rules and
** messages are those of naryn__csv_read, without its limits on the file's
** size and its number of cells; a row may hold at most 256 MiB. */
typedef struct naryn__csv_stream {
  const char *file;
  int ncols;
  char **header;  /* ncols names, as naryn__csv_read gives them */
  /* The current row: ncols cells (valid until the next call), their
  ** 1-based columns, its line, and the number of rows read so far; before
  ** the first row, the header's columns and line. */
  char **cells;
  int *cell_col;
  int line;
  long nrows;
  long long offset; /* the byte offset in the file of the current row */
  void *state;    /* the reader's own */
} naryn__csv_stream;

/* Opens a CSV file and reads its header. Reports what naryn__csv_read
** reports about a header; the result is then NULL. The object lives in the
** arena, the buffer outside it: naryn__csv_close frees it. */
naryn__csv_stream *naryn__csv_open(const char *path, naryn__arena *a,
                                   naryn_diags *d);
/* Reads the next row: 1, 0 at the end of the file, or -1 after reporting
** the error naryn__csv_read would report for it. */
int naryn__csv_next(naryn__csv_stream *s);
/* Goes on reading at byte 'offset' of the file, the start of a row as
** the stream's offset gave it, that row being on line 'line'; each read()
** then asks for 'chunk' bytes (0: naryn__csv_stream_chunk), so that a
** reader of a few rows here and there reads little more than them. From
** now on the stream reports its problems in d. Returns 0, or -1 after
** reporting why the file cannot be read there. */
int naryn__csv_seek(naryn__csv_stream *s, long long offset, int line,
                    size_t chunk, naryn_diags *d);
/* Closes the file and frees the reader's buffers; accepts NULL and
** streams closed already. */
void naryn__csv_close(naryn__csv_stream *s);
/* Index of the header column with this name, or -1. */
int naryn__csv_stream_column(const naryn__csv_stream *s, const char *name);
/* The bytes asked of each read (by default 1 MiB); tests make it small. */
extern size_t naryn__csv_stream_chunk;
/* Converts s when it is a short plain decimal, an optional sign, digits and
** an optional fraction, at most 15 digits in all: sets *out to the double
** strtod gives for it and returns 1. Returns 0 for anything else, which
** the caller hands to strtod. */
int naryn__csv_decimal(const char *s, double *out);

/* ====================================================================== */
/* io/infile.c: input files read whole, refused when not regular or too big */
/* ====================================================================== */

/* The largest model or scenario file, and the largest CSV file, read
** (documented in doc/model-format.md). */
#define NARYN__DOC_MAX_BYTES ((size_t)64 << 20)
#define NARYN__CSV_MAX_BYTES ((size_t)256 << 20)

/* Reads the whole regular file at 'path', of at most max_bytes bytes, into
** the arena (or, when 'a' is NULL, a heap buffer the caller frees), with a
** NUL after its *len bytes. A directory, device, FIFO or socket, a file
** past the limit and an unreadable file are reported at the path
** ("FILE: error: expected a regular file, got a directory"), and the
** result is then NULL. Never blocks on a FIFO. */
char *naryn__infile_read(const char *path, size_t max_bytes, naryn__arena *a,
                         size_t *len, naryn_diags *d);
/* Checks the file at 'path' without opening it. Returns 0 for a regular
** file of at most max_bytes bytes; -1 when it cannot be looked at (errno
** set); 1 otherwise, with msg set to "expected a regular file, got the
** directory \"NAME\"" or "expected a file of at most 256 MiB, got
** \"NAME\" of 1.5 GiB", quoting 'name' (the path as the user wrote it). */
int naryn__infile_check(const char *path, size_t max_bytes, const char *name,
                        char *msg, size_t size);
/* Names the encoding of text that is UTF-16 or UTF-32 rather than UTF-8,
** judged from a byte-order mark or the zero bytes beside its first
** character: "UTF-16 (little-endian)". Returns NULL for other text. */
const char *naryn__infile_encoding(const char *text, size_t len);

/* ====================================================================== */
/* io/outfile.c: files written whole or not at all                         */
/* ====================================================================== */

/* A file being written under a temporary name in the same directory. */
typedef struct naryn__outfile naryn__outfile;

/* Creates every missing directory of 'dir'. Reports failures naming the
** directory and the system's reason. Returns NARYN_OK, NARYN_EIO or
** NARYN_ENOMEM. */
int naryn__mkdirs(const char *dir, naryn_diags *d);
/* The same, the failure reported against 'shown'. */
int naryn__mkdirs_for(const char *dir, const char *shown, naryn_diags *d);
/* Opens 'path' for writing through a temporary file, or returns NULL
** with the reason in d. */
naryn__outfile *naryn__outfile_open(const char *path, naryn_diags *d);
/* Appends formatted text; errors are remembered and reported by commit. */
void naryn__outfile_printf(naryn__outfile *f, const char *fmt, ...)
    NARYN__PRINTF(2, 3);
void naryn__outfile_write(naryn__outfile *f, const char *s, size_t n);
/* Room for n bytes at the end of the file's buffer, written out first
** when it lacks them, for a writer that formats in place; NULL after a
** write error, or when n is more than the buffer holds. The bytes used
** are then counted by naryn__outfile_wrote (at most n). */
char *naryn__outfile_room(naryn__outfile *f, size_t n);
void naryn__outfile_wrote(naryn__outfile *f, size_t n);
/* Appends v as printf's "%.Nf" writes it, N = decimals (io/numfmt.c). */
void naryn__outfile_number(naryn__outfile *f, double v, int decimals);
/* Flushes and syncs the temporary file, remembering any error for
** naryn__outfile_finish, which then only closes it; reports nothing, so
** that the thread that wrote the file may call it. */
void naryn__outfile_sync(naryn__outfile *f);
/* Flushes, syncs and closes the temporary file, reporting any write error
** in d; the file is not yet in place. Returns NARYN_OK or NARYN_EIO (the
** temporary is then removed). Several files finished first and published
** after appear together or not at all, but for a failed rename. */
int naryn__outfile_finish(naryn__outfile *f, naryn_diags *d);
/* Renames a finished file into place and frees f. Returns NARYN_OK, or
** NARYN_EIO with the reason in d ('path' is then left as it was). */
int naryn__outfile_publish(naryn__outfile *f, naryn_diags *d);
/* Finishes and publishes in one call, then frees f. */
int naryn__outfile_commit(naryn__outfile *f, naryn_diags *d);
/* Removes the temporary file and frees f; accepts NULL. */
void naryn__outfile_abort(naryn__outfile *f);

/* Returns the process's file-mode creation mask without changing it. */
mode_t naryn__umask(void);

/* ====================================================================== */
/* io/numfmt.c: fixed-point numbers as printf writes them, fast             */
/* ====================================================================== */

/* Room for any number naryn__numfmt_fixed writes, with its NUL: a sign,
** 309 integer digits, the point and 17 decimals. */
#define NARYN__NUMFMT_MAX 336
/* Writes v at out (NARYN__NUMFMT_MAX bytes) exactly as
** snprintf(out, size, "%.*f", decimals, v) does, NaN, infinities and
** negative zero included, for decimals 0 to 17 (others are passed to
** snprintf and cut to fit). Returns the length written, without the NUL. */
size_t naryn__numfmt_fixed(char *out, double v, int decimals);
/* The same, and *as_read (unless NULL) is what a reader of the text gets
** back: the decimal written rounded to the nearest double, as
** naryn__csv_decimal or strtod reads it (NaN for text that is no number),
** without reading the text in the common case. */
size_t naryn__numfmt_fixed_read(char *out, double v, int decimals,
                                double *as_read);
/* Writes v at out (NARYN__NUMFMT_MAX bytes) exactly as
** snprintf(out, size, "%.3g", v) does; returns the length written. */
size_t naryn__numfmt_g3(char *out, double v);
/* The N of a format that is exactly "%.Nf" (N of one or two digits, at
** most 17), or -1 for any other format. */
int naryn__numfmt_decimals(const char *fmt);

/* io/netcdf.c: an ensemble's per-step values (members.nc), a group per
** run: the values of quantity[k] (a naryn_quantity) of node j of member m
** in step t are data[((m * nq + k) * nnodes + j) * nsteps + t]. */
typedef struct naryn__nc_cube {
  const char *name, *model, *scenario;   /* the run */
  int nmembers;
  const long *member;                    /* [nmembers] their numbers */
  int nsteps;
  const char *const *step_date;          /* [nsteps] "YYYY-MM-DD" */
  const long *step_day;                  /* [nsteps] day numbers */
  const double *step_s;                  /* [nsteps] seconds */
  int nnodes;
  const char *const *node, *const *node_country;
  int nq;
  const int *quantity;
  const double *data;
} naryn__nc_cube;
/* Writes the file whole, or reports why not (naming the file and what
** failed) and leaves none. */
int naryn__nc_cubes(const char *path, const naryn__nc_cube *cubes, int ncubes,
                    const char *history, naryn_diags *d);

/* ====================================================================== */
/* io/staging.c: a command's whole output put in place in one step          */
/* ====================================================================== */

/* The tag in the name of every temporary naryn makes, file or folder:
** ".NAME" NARYN__TEMP_TAG "PID-XXXXXX". */
#define NARYN__TEMP_TAG ".naryn-tmp-"
/* The PID in a temporary's name, or 0 when the name is not one. */
long naryn__temp_pid(const char *name);
/* Removes from dir every temporary (file or tree) whose process no longer
** runs; with a prefix, only those whose name starts with it. */
void naryn__clean_stale(const char *dir, const char *prefix);
/* When set (by tests), folders are replaced by the two renames used
** where the system cannot swap them. */
extern int naryn__staging_no_exchange;
/* Opens a staging folder for dir, calls fill(ctx, PATH, d) to write the
** whole output into PATH, and puts it in place when fill returns
** NARYN_OK; otherwise (any error, NARYN_EINTR too) removes it and leaves
** dir as it was. Returns fill's status or the staging's. */
int naryn__staged_write(const char *dir,
                        int (*fill)(const void *ctx, const char *path,
                                    naryn_diags *d),
                        const void *ctx, naryn_diags *d);

/* report/write.c: writes a run's files and report straight into dir
** (created if missing), each file whole; naryn_result_write does the same
** through a staging folder. For the plans inside a larger folder. */
int naryn__result_write_into(const naryn_result *r, const char *dir,
                             naryn_diags *d);
/* report/write.c: writes a run's files other than the per-step ones
** (summary.csv, objective.csv, network.csv, run.csv, zones.csv for a
** model with guide curves, and for an optimised result water_values.csv
** and plants.csv) into dir, then puts w's finished
** per-step files in place (or drops them on failure), then report.html.
** run.csv records w's command, else the result's. */
typedef struct naryn__steps naryn__steps;
typedef struct naryn__nc naryn__nc;
int naryn__result_write_rest(const naryn_result *r, naryn__steps *w,
                             const char *dir, naryn_diags *d);

/* report/feed.c: what the report of a run draws from nodes.csv, kept as
** the rows are written, so that the page need not read the file back. */
/* Daily runs of more steps than this are drawn by calendar month. */
#define NARYN__REPORT_STEP_POINTS 1500
/* 1 when a run of nsteps steps of step_days days (0: monthly) is drawn by
** calendar month: more steps than NARYN__REPORT_STEP_POINTS, of at most 28
** days, so that every calendar month has a step that starts in it (the
** month a step is counted in). Runs of longer steps are drawn per step,
** as monthly runs are: their steps are about a month already, and a
** horizon of 200 years has at most 2,519 of them. */
#define NARYN__REPORT_BY_MONTH(step_days, nsteps) \
  ((step_days) >= 1 && (step_days) <= 28 && (nsteps) > NARYN__REPORT_STEP_POINTS)
typedef struct naryn__report_feed {
  int nnodes, nsteps;
  const char (*step_date)[11];  /* the model's "YYYY-MM-DD", for the time axis */
  int by_month, npts;           /* the report's time axis */
  int *step_pt;                 /* [nsteps] the month of each step, by_month */
  int has_q[NARYN_Q_COUNT];     /* nodes.csv's quantities */
  unsigned char *written;       /* [nnodes] 1 for the nodes it has rows for */
  unsigned *keep;               /* [nnodes] bit q: quantity q is kept */
  double **series;              /* [NARYN_Q_COUNT * nnodes], NULL: not kept */
  /* The rule column: each enabled reservoir's controlling rule in each
  ** step, a code of NARYN__CTL_* or a rule's index, named as nodes.csv
  ** names it by naryn__control_name of m. */
  const naryn_model *m;
  int has_rule;                 /* nodes.csv has the column */
  int **rule;                   /* [nnodes] of [nsteps], NULL: not kept */
} naryn__report_feed;
/* A feed for a run of m writing nodes.csv as o chooses; NULL when out of
** memory or when the report must read the file itself. */
naryn__report_feed *naryn__report_feed_new(const naryn_model *m,
                                           const naryn_output *o);
/* Adds x, as read back from nodes.csv, to the point of step t of the
** series of quantity q of node i (bit q of keep[i] set). */
void naryn__report_feed_add(naryn__report_feed *fd, int q, int i, int t,
                            double x);
/* Keeps the controlling rule code of node i (rule[i] not NULL) in step t. */
void naryn__report_feed_rule(naryn__report_feed *fd, int i, int t, int code);
void naryn__report_feed_free(naryn__report_feed *fd);
/* report/report.c: naryn_report_write for a run's folder whose nodes.csv
** was written with the feed fd (NULL: read it from the folder). */
int naryn__report_write_fed(const char *dir, const naryn__report_feed *fd,
                            naryn_diags *d);

/* report/steps.c: a run's per-step output, written one step at a time,
** both from a full result after its run and by a streamed run as it goes,
** through the same code. */
struct naryn__steps {
  const naryn_model *m;
  naryn_output o;                /* what to write (a copy) */
  naryn__outfile *nodes, *links; /* NULL for a file not written */
  naryn__nc *nc;                 /* results.nc, or NULL */
  /* The cells after the date that never change from step to step, ready
  ** to copy: "NAME,COUNTRY,TYPE" of each node and "NAME,FROM,TO" of each
  ** link, quoted as CSV wants, at text + at[k] with length at[k+1] - at[k]
  ** (nodes first, then links). */
  char *text;
  size_t *at;
  size_t ctl_len;                /* the longest zone or rule name */
  /* What the report draws from nodes.csv, kept as it is written; NULL
  ** when the report is to read the file. */
  naryn__report_feed *feed;
};
/* 1 when o asks for nodes.csv, links.csv. */
int naryn__steps_wants_nodes(const naryn_output *o);
int naryn__steps_wants_links(const naryn_output *o);
/* Opens the per-step files o asks for (NULL: all, as CSV) in dir, which
** exists, and writes their headers. NARYN_OK, or an error in d with
** nothing left open. */
int naryn__steps_open(naryn__steps *w, const naryn_model *m,
                      const naryn_output *o, const char *dir, naryn_diags *d);
/* Writes step t's rows; r must hold step t. A step of results.nc that
** fails is only remembered here (NARYN_EIO or NARYN_ENOMEM is returned);
** naryn__steps_finish reports it. */
int naryn__steps_write_quiet(naryn__steps *w, const naryn_result *r, int t);
/* The same, and a failure of results.nc is reported at once and the file
** dropped. */
int naryn__steps_write(naryn__steps *w, const naryn_result *r, int t,
                       naryn_diags *d);
/* The parts of the per-step output, each a file that one thread may
** write while others write the rest: nodes.csv, links.csv, results.nc. */
enum { NARYN__PART_NODES, NARYN__PART_LINKS, NARYN__PART_NC, NARYN__PARTS };
/* 1 when w writes the part. */
int naryn__steps_has_part(const naryn__steps *w, int part);
/* Writes step t of one part, as naryn__steps_write_quiet does. */
int naryn__steps_write_part(naryn__steps *w, const naryn_result *r, int t,
                            int part);
/* Flushes and syncs a part's file after its last step, remembering any
** failure for naryn__steps_finish (reports nothing). */
void naryn__steps_sync_part(naryn__steps *w, int part);
/* Writes every step of a full result r, each part by a thread of its own
** when one can be had, and syncs the files; the same bytes as
** naryn__steps_write step by step. A failed step of results.nc is
** reported and the file dropped, as there. */
int naryn__steps_write_all(naryn__steps *w, const naryn_result *r,
                           naryn_diags *d);
/* Finishes the files, not yet in place; on failure drops them. */
int naryn__steps_finish(naryn__steps *w, naryn_diags *d);
/* Puts finished files in place. */
int naryn__steps_publish(naryn__steps *w, naryn_diags *d);
/* Drops the files; accepts files never opened. */
void naryn__steps_abort(naryn__steps *w);

/* report/pipe.c: a streamed run's per-step files written by a second
** thread while the simulation solves the next steps. The writer gets a
** copy of each step's values, in order, through a queue of a few dozen
** steps, and writes exactly what naryn__steps_write would. */
typedef struct naryn__pipe naryn__pipe;
/* Starts a writer for w, whose steps come from runs of r's model; NULL
** when no thread or memory can be had (then write in line). */
naryn__pipe *naryn__pipe_start(naryn__steps *w, const naryn_result *r);
/* Hands step t of r to the writer, waiting while the queue is full.
** NARYN_OK, or NARYN_EIO once a write has failed (naryn__steps_finish
** reports why). */
int naryn__pipe_push(naryn__pipe *p, const naryn_result *r, int t);
/* With keep, waits until every step handed over is written and the files
** are synced; without (the run failed or was interrupted, and the files
** will be removed), stops the writers after the step they are on. Ends
** the threads and frees p; accepts NULL. */
void naryn__pipe_stop(naryn__pipe *p, int keep);

/* report/write.c: CSV cells. A number in a fixed format, an empty cell for
** NaN and never a negative zero; a text quoted when it holds a comma,
** quote or line end. */
void naryn__put_number(naryn__outfile *f, double v, const char *fmt);
/* The same for the format "%.<decimals>f", the per-step files' own. */
void naryn__put_fixed(naryn__outfile *f, double v, int decimals);
/* Writes a water-balance residual as printf's "%.3g" does (nothing for
** NaN). */
void naryn__put_residual(naryn__outfile *f, double v);
void naryn__put_text(naryn__outfile *f, const char *s);
/* grid/grid_result.c: writes grids.csv of a result that dispatched grids. */
void naryn__write_grids(const naryn_result *r, naryn__outfile *f);
/* report/write.c: writes the nfiles (at most 16) files DIR/names[k],
** each by write(ctx, k, f), all finished before any is put in place, so
** that a set of results appears whole or not at all. Creates DIR. */
int naryn__write_files(const char *dir, int nfiles, const char *const *names,
                       void (*write)(const void *ctx, int k, naryn__outfile *f),
                       const void *ctx, naryn_diags *d);

/* ====================================================================== */
/* io/netcdf.c: per-step results as a NetCDF-4 file (CF-1.8), step by step */
/* ====================================================================== */

/* A results.nc being written. Write it inside a staging folder, as the
** other files of a run, so that it appears whole or not at all. (The
** type is declared with naryn__steps, which holds one.) */

/* Creates 'path' for model m's run, with the nodes, links and quantities
** that o chooses (its format is not looked at), and writes its
** coordinates. Returns NULL with the reason in d (naming the file and what
** failed). */
naryn__nc *naryn__nc_open(const char *path, const naryn_model *m,
                          const naryn_output *o, naryn_diags *d);
/* Writes step t of r: steps must come one by one from 0, each once. Reads
** NARYN__Q(r, t, ...) and r's link flow and loss of step t. The first
** call with r->command set records it as the "history" attribute.
** Returns NARYN_OK, or NARYN_EIO or NARYN_ENOMEM after which further steps
** do nothing; naryn__nc_close then reports the failure. */
int naryn__nc_step(naryn__nc *nc, const naryn_result *r, int t);
/* Finishes the file after its last step and frees nc. Reports a failed
** step, a step missing or out of order, or a failed close, naming the
** file; the file is then removed. NARYN_OK, NARYN_EIO, NARYN_ENOMEM or
** NARYN_EARG (the steps were not all written in order). */
int naryn__nc_close(naryn__nc *nc, naryn_diags *d);
/* Removes the file and frees nc, reporting nothing; accepts NULL. */
void naryn__nc_abort(naryn__nc *nc);
/* Writes every step of a whole result into 'path': open, each step,
** close (for results already in memory, such as an optimised plan). */
int naryn__nc_write(const naryn_result *r, const naryn_output *o,
                    const char *path, naryn_diags *d);

/* ====================================================================== */
/* model/: the network, its horizon and its data, resolved per step        */
/* ====================================================================== */

/* A piecewise-linear table y(x), x strictly increasing. Outside its range
** the end segments are extended. */
typedef struct naryn__table {
  int n;
  double *x, *y;
  const naryn__doc *src; /* the table in the model file, for messages */
} naryn__table;

/* A time-varying quantity resolved to one value per step, in the unit its
** field name carries. v is NULL when the field was not given. */
typedef struct naryn__ts {
  double *v;
  const naryn__doc *src;   /* the field's value in the model file */
  const naryn__csv *csv;   /* for a series: its table, column and the row */
  int csv_col;             /* of each step */
  int *csv_row;
  int per_step;            /* src is a list of one value per step */
  double scale;            /* a series' "scale" (1 when not given) */
} naryn__ts;

/* Where the value of a time-varying field for one step was given, for
** messages: the constant, the month's item of a list of twelve, or the
** CSV cell; the value as given there; and a label naming the step ("",
** " for March" or " for the step of 2001-03"). */
typedef struct naryn__ts_at {
  const char *file;
  int line, col;
  double given;
  char label[48];
} naryn__ts_at;

/* Operating rules of a reservoir (model/rules.c and model/zones.c;
** doc/model-format.md, "Operating rules: zones and rules"): each rule asks
** for something at a priority, and zones, bounded by guide curves, choose
** which rules apply from the storage at the start of a step. */
typedef enum naryn__rule_type {
  NARYN__RULE_RELEASE = 0,  /* a release wanted, either side penalised */
  NARYN__RULE_MIN_RELEASE,  /* a release below it is penalised */
  NARYN__RULE_MAX_RELEASE,  /* a release above it is penalised */
  NARYN__RULE_RAMP,         /* a change of release from step to step */
  NARYN__RULE_STORAGE,      /* a storage wanted at the end of the step */
  NARYN__RULE_HEDGING,      /* deliveries to named demands cut */
  NARYN__RULE_ENERGY,       /* a plant's energy wanted */
  NARYN__RULE_DOWNSTREAM,   /* a flow wanted at a node downstream */
  NARYN__RULE_TYPE_COUNT
} naryn__rule_type;

/* A release given per step, or as a function of the start storage (or
** level) and the month. */
typedef struct naryn__rule_curve {
  naryn__ts ts;          /* per step (m3/s); ts.v NULL when the table is used */
  int n;                 /* table points; 0 when ts is used */
  int by_level;          /* x are levels (m), else storages (hm3) */
  double *x;             /* n points, strictly increasing */
  double *y;             /* 12 * n values: y[12 * i + month0] (m3/s) */
  const naryn__doc *src; /* the by_storage or by_level object, or NULL */
} naryn__rule_curve;

typedef struct naryn__rule {
  const char *name;
  naryn__rule_type type;
  int priority;                /* 1..NARYN__PRIORITY_MAX, default 5 */
  const naryn__doc *doc;       /* the rule's object, for messages */
  naryn__rule_curve release;   /* release, min_release, max_release */
  naryn__ts storage_hm3;       /* storage: per-step target in hm3 (levels converted) */
  double max_up_m3s, max_down_m3s; /* ramp: INFINITY where not limited */
  double initial_release_m3s;  /* ramp: NAN when not given */
  int *demands, ndemands;      /* hedging: node indices */
  double cut;                  /* hedging: 0..1 */
  /* hedging: per step in hm3 (levels converted); v NULL when absent */
  naryn__ts trigger_hm3, full_cut_hm3;
  int node;                    /* energy: the plant; downstream: the node; else -1 */
  naryn__ts energy_gwh;        /* energy: per step (power_mw turned into GWh);
                               ** v NULL when it follows a residual demand */
  /* energy: the grid whose residual demand is the target (residual_of),
  ** else -1; the share of that residual asked of the plant; the price up
  ** to which the grid's thermal plants run first (NaN: none do). */
  int residual_grid;
  double residual_share, residual_thermal_per_mwh;
  naryn__ts flow_m3s;          /* downstream: the flow wanted */
} naryn__rule;

/* A zone of a reservoir's storage, below the zone above it and above its
** own top's guide curve for the zone below. */
typedef struct naryn__zone {
  const char *name;
  double *top_hm3;             /* per step; NULL for the first zone (full storage) */
  int *rules, nrules;          /* indices into the reservoir's rules */
  const naryn__doc *doc;
} naryn__zone;

typedef enum naryn__demand_kind {
  NARYN__IRRIGATION = 0,
  NARYN__MUNICIPAL
} naryn__demand_kind;

/* What decided a reservoir's release in a step (its "controlling rule"):
** the index of one of its rules (>= 0), or one of these. */
enum {
  NARYN__CTL_NONE = -1,       /* not a reservoir, or switched off */
  NARYN__CTL_ALLOCATION = -2, /* no rule: it released what the allocation asked */
  NARYN__CTL_TARGET = -3,     /* its target_storage_hm3 */
  NARYN__CTL_SCHEDULE = -4,   /* its release_m3s */
  NARYN__CTL_FULL = -5,       /* it was full: the rest had to leave */
  NARYN__CTL_DEAD = -6,       /* it was at dead storage */
  NARYN__CTL_FORCED = -7,     /* its forced_release_m3s */
  NARYN__CTL_POLICY = -8      /* the release an SDDP policy decided */
};

typedef struct naryn__node {
  const char *name;
  naryn_node_type type;
  const char *country; /* "" when none */
  int enabled;         /* a disabled node acts as a junction: it stores,
                       ** generates, takes and adds nothing */
  const naryn__doc *doc;

  /* inflow */
  naryn__ts inflow_m3s;

  /* reservoir */
  double min_storage_hm3, max_storage_hm3, initial_storage_hm3;
  naryn__table level;          /* level_m over storage_hm3, n == 0 if none */
  naryn__table area;           /* area_km2 over storage_hm3, n == 0 if none */
  naryn__ts evaporation_mm;    /* depth over each step */
  naryn__ts target_storage_hm3;/* wanted storage at the end of each step */
  int target_priority;
  naryn__ts release_m3s;       /* scheduled release */
  naryn__ts forced_release_m3s;/* release kept above every priority (measured) */
  int release_priority;
  double storage_value;        /* worth of a stored hm3, tiny, see sim.c */
  naryn__rule *rules;          /* operating rules (model/rules.c) */
  int nrules;
  naryn__zone *zones;          /* top to bottom; none: every rule applies */
  int nzones;

  /* hydropower */
  int reservoir;               /* node giving the headwater level, or -1 */
  double headwater_m;          /* fixed headwater level, NAN if not given */
  double head_m;               /* fixed net head, NAN if not given */
  double tailwater_m;          /* fixed tailwater level, NAN if not given */
  naryn__table tailwater;      /* level_m over discharge_m3s */
  double max_turbine_flow_m3s, capacity_mw, efficiency;

  /* demand and min_flow */
  naryn__demand_kind kind;
  naryn__ts demand_hm3;        /* demand: volume wanted in each step */
  naryn__ts min_flow_m3s;      /* min_flow: flow wanted past the node */
  int priority;
  double return_fraction;
  int return_to;               /* node receiving return flow, or -1 */

  /* topology, filled after reading */
  int n_in, n_out, n_ret;
  int *in, *out;               /* link indices */
  int *ret;                    /* demands whose return flow comes here */
} naryn__node;

/* How a link delays its water (model/routing.c): not at all, by a lag of
** lag_steps steps and a fraction lag_frac of one more, or through a
** Muskingum reach. Rates in m3/s. */
enum { NARYN__ROUTE_NONE = 0, NARYN__ROUTE_LAG, NARYN__ROUTE_MUSKINGUM };
typedef struct naryn__route {
  int kind;
  int lag_steps;               /* lag: the whole steps water takes */
  double lag_frac;             /* lag: the share that takes one step more */
  double k_days, x;            /* Muskingum: storage constant, weighting */
  double c0, c1, c2;           /* Muskingum: O_t = c0 I_t + c1 I_t-1 + c2 O_t-1 */
  double initial_flow_m3s;     /* the flow in the reach before the horizon */
} naryn__route;

typedef struct naryn__link {
  const char *name;
  int from, to;
  naryn__ts min_flow_m3s, max_flow_m3s; /* max NULL means unlimited */
  double loss_fraction;
  double cost;                 /* per hm3 leaving the head of the link */
  const naryn__doc *doc;
  naryn__route route;
} naryn__link;

/* Priorities run from 1 (served first) to NARYN__PRIORITY_MAX. */
#define NARYN__PRIORITY_MAX 10

/* Physical limits on a model's numbers, generous multiples of the largest
** found on Earth, so that nothing absurd reaches the LP solver
** (doc/model-format.md, "Limits"; checked in model_check.c and
** objective.c). Each has a note saying what it rests on, for messages. */
#define NARYN__MAX_STORAGE_HM3 1e6   /* storages, targets, monthly volumes */
#define NARYN__MAX_STORAGE_WHY "five times the largest reservoir, Kariba's 180,000 hm3"
#define NARYN__MAX_FLOW_M3S 1e6      /* inflows, releases, link and turbine flows */
#define NARYN__MAX_FLOW_WHY "five times the Amazon's mean flow"
#define NARYN__MIN_LEVEL_M (-1e3)    /* levels, headwater and tailwater */
#define NARYN__MAX_LEVEL_M 1e4
#define NARYN__LEVEL_WHY "from below the Dead Sea to above the highest lake"
#define NARYN__MAX_HEAD_M 3000.0
#define NARYN__MAX_HEAD_WHY "the highest plant's head is 1,883 m"
#define NARYN__MAX_CAPACITY_MW 1e5
#define NARYN__MAX_CAPACITY_WHY "four times the largest plant, Three Gorges' 22,500 MW"
#define NARYN__MAX_AREA_KM2 1e6
#define NARYN__MAX_AREA_WHY "three times the Caspian Sea"
#define NARYN__MAX_EVAPORATION_MM 1e4
#define NARYN__MAX_EVAPORATION_WHY "in a month, twenty times the most ever measured"
#define NARYN__MAX_PRICE 1e9         /* per MWh or per hm3 */
#define NARYN__MAX_PRICE_WHY "a million times a typical price"
#define NARYN__MAX_ENERGY_GWH 1e5     /* energy targets, per calendar month */
#define NARYN__MAX_ENERGY_WHY "more than a plant of 100,000 MW makes in a month, 74,400 GWh"
#define NARYN__MAX_GRID_MW 1e7         /* grids' peaks, thermal plants, lines, markets */
#define NARYN__MAX_GRID_MW_WHY "more than the world's installed capacity, about 9,000,000 MW"
#define NARYN__MAX_GRID_GWH 1e7        /* grids' demands (per month) and tiers */
#define NARYN__MAX_GRID_GWH_WHY "four times the world's consumption in a month, about 2,500,000 GWh"
#define NARYN__MAX_WEIGHT 1e6
#define NARYN__MAX_WEIGHT_WHY "a million times another term already makes that term vanish"
#define NARYN__MAX_YEARS 200         /* the horizon */
/* Nodes times steps: every node keeps its series and results for every
** step, about 600 bytes a node and step in all with the files written. */
#define NARYN__MAX_NODE_STEPS 2e7
#define NARYN__MAX_NODE_STEPS_WHY "about 12 GB of memory at some 600 bytes a node and step"

/* Objective terms: what a plan is worth. A term is a benefit (energy) or
** a cost (everything else), valued in the model's currency. */
typedef enum naryn__term_kind {
  NARYN__TERM_ENERGY = 0,  /* energy of plants, at value_per_mwh: a benefit */
  NARYN__TERM_SHORTAGE,    /* demand not delivered, per hm3 or by a loss curve */
  NARYN__TERM_MIN_FLOW,    /* flow short of a min_flow node's requirement */
  NARYN__TERM_INFLOW,      /* inflow to a node short of a target flow */
  NARYN__TERM_SPILL,       /* water entering a node (e.g. a sink), per hm3 */
  NARYN__TERM_END_STORAGE, /* reservoir storage below a target at the end */
  NARYN__TERM_GRID,        /* what hydropower saves grids (NARYN_G_HYDRO_VALUE):
                           ** a benefit; it values their plants' energy in
                           ** place of energy terms */
  NARYN__TERM_KIND_COUNT
} naryn__term_kind;

typedef struct naryn__term {
  const char *name;
  naryn__term_kind kind;
  double weight;              /* multiplies the term in the combined objective */
  const naryn__doc *doc;      /* the term in the model file; NULL for defaults */
  /* How sure its prices are ("high": taken from a source, "medium":
  ** derived from one, "low": an estimate) and where they come from, as
  ** the model file gives them; NULL when it gives none. */
  const char *confidence, *source;
  unsigned char *node_on;     /* [nnodes]: 1 for every node the term covers */
  unsigned char *grid_on;     /* [ngrids]: grid terms, 1 for every grid the
                              ** term covers; NULL for other kinds */
  unsigned char *step_on;     /* [nsteps]: 1 for steps in its season or months */
  /* Unit price of step t (per MWh for energy, per hm3 otherwise), already
  ** zero outside step_on. NULL when the price is given by priority or by a
  ** loss curve instead. */
  double *price;
  /* Penalty per hm3 by the priority of the node (index 1..10); used when
  ** by_priority is set, together with step_on. */
  int by_priority;
  double priority_price[NARYN__PRIORITY_MAX + 1];
  /* A convex loss curve (shortage only): ncurve segments between the
  ** shortage fractions curve_frac[0] = 0 < ... < curve_frac[ncurve] = 1, the
  ** marginal penalty per hm3 within segment k being curve_price[k],
  ** non-decreasing. ncurve is 0 when there is none. Used with step_on. */
  int ncurve;
  double *curve_frac, *curve_price;
  /* Inflow terms: the flow wanted into each covered node, per step. */
  naryn__ts target_m3s;
  /* End-storage terms: [nnodes] storage wanted at the end of the horizon,
  ** NAN for nodes not covered. */
  double *end_target_hm3;
} naryn__term;

/* Unit price of term k for node i at step t, in currency per MWh (energy)
** or per hm3; 0 outside the term's steps or nodes. For loss curves, the
** price of the first segment. (model/objective.c) */
double naryn__term_price(const naryn_model *m, const naryn__term *tm, int node,
                         int step);
/* 1 for the kinds that are benefits (energy and grid terms), 0 for costs. */
#define NARYN__TERM_BENEFIT(kind) ((kind) == NARYN__TERM_ENERGY || (kind) == NARYN__TERM_GRID)
/* Name of a kind as written in model files: "energy", "shortage", ... */
const char *naryn__term_kind_name(naryn__term_kind k);

/* model/names.c: an index of names for lookups in constant time. It holds
** borrowed pointers to at most n names (those given to naryn__names_new). */
typedef struct naryn__name_slot {
  const char *key;  /* NULL for an empty slot */
  int index;
} naryn__name_slot;
typedef struct naryn__names {
  int cap;
  naryn__name_slot *slot;
} naryn__names;

/* Makes an empty index for up to n names in the arena; 0, or -1 when out
** of memory. */
int naryn__names_new(naryn__names *t, int n, naryn__arena *a);
/* The index stored under key, or -1 (also for an index never made). */
int naryn__names_get(const naryn__names *t, const char *key);
/* Stores key (not copied) with its index unless it is there already.
** Returns -1 when it was added, else the index stored under it before. */
int naryn__names_put(naryn__names *t, const char *key, int index);

/* The energy side of a model (model/grids.c; doc/model-format.md,
** "Grids"): a grid per country, its demand and the unserved energy it
** may leave at a cost per tier; thermal plants feeding a grid; lines
** between grids; outside markets a grid trades with. Energy is in GWh per
** step, power in MW, costs and prices in currency per MWh. */
typedef struct naryn__tier {
  double gwh, share;          /* the tier's size: GWh, or a share of the
                              ** demand (NaN when not given); the last tier
                              ** is unbounded */
  double cost_per_mwh;
} naryn__tier;

typedef struct naryn__grid {
  const naryn__doc *doc;
  const char *name, *country;
  naryn__ts demand_gwh;       /* per step */
  naryn__ts peak_mw, peak_hours; /* v NULL when no peak is given */
  int ntiers;
  naryn__tier *tiers;
} naryn__grid;

typedef struct naryn__thermal {
  const naryn__doc *doc;
  const char *name;
  int grid;
  double capacity_mw;
  naryn__ts availability;     /* 0..1 per step; v NULL for always 1 */
  naryn__ts cost_per_mwh;
} naryn__thermal;

typedef struct naryn__line {
  const naryn__doc *doc;
  const char *name;           /* "FROM->TO" unless given */
  int from, to;               /* grids */
  double capacity_mw, capacity_mw_back;
  double loss_fraction;       /* of what is sent, either way */
  double tariff_per_mwh;      /* per MWh sent, either way */
} naryn__line;

typedef struct naryn__market {
  const naryn__doc *doc;
  const char *name;
  int grid;
  naryn__ts import_price_per_mwh, export_price_per_mwh;
  double import_limit_mw, export_limit_mw;
} naryn__market;

struct naryn_model {
  naryn__arena *arena;
  const naryn__doc *root;      /* the merged document (naryn_model_field) */
  const char *path, *name, *scenario, *description;
  int daily;                   /* 1 when the steps are counted in days */
  int step_days;               /* days in a step: 0 monthly, 1 daily, N;
                               ** the last step may be shorter */
  int nsteps;
  long *step_day;              /* first day of each step, days since 1970 */
  double *step_s;              /* seconds in each step */
  int *step_month;             /* calendar month of each step, 1..12 */
  char (*step_date)[11];       /* "YYYY-MM-DD" of each step */
  int nnodes, nlinks;
  naryn__node *nodes;
  naryn__link *links;
  naryn__names node_names;     /* node name -> index, for lookups */
  int ncountries;
  const char **country_codes, **country_names;
  int nscenarios;              /* the scenario files the model ships with */
  const char **scenario_names; /* as listed under "scenarios" */
  const char **scenario_paths; /* FOLDER/scenarios/NAME.yaml beside the model */
  const char *currency;        /* unit of objective values, default "units" */
  int nterms;                  /* objective terms, from the model's */
  naryn__term *terms;          /* "objectives" list or the defaults */
  int objectives_given;        /* 1 when the model lists its own */
  int nobs;                    /* observed series (model/observed.c) */
  int nfills;                  /* series with rows made up (model/series.c) */
  struct naryn__fill *fills;
  struct naryn__obs *obs;
  int ngrids, nthermal, nlines, nmarkets; /* the energy side (grids.c) */
  naryn__grid *grids;
  naryn__thermal *thermal;
  naryn__line *lines;
  naryn__market *markets;
  int *plant_grid;             /* per node: the grid a plant feeds, else -1;
                               ** NULL without grids */
  /* Inflow outcomes of every stage of an SDDP policy (model/uncertainty.c;
  ** doc/model-format.md, "Uncertainty"): stage-wise independent, each
  ** with its probability and a factor on every inflow node's inflow,
  ** outcome_factor[k * nnodes + i]. 0 outcomes without the section. */
  int noutcomes;
  double *outcome_p, *outcome_factor;
  double outcome_discount;     /* above 0: a cyclic policy's discount */
  int outcome_cycle;           /* its steps (0: every step of the horizon) */
  int outcome_base_mean;       /* 1: outcomes scale each calendar month's
                               ** mean inflow over the horizon */
  struct naryn__par *par;      /* the PAR inflow model of the section's
                               ** "inflows", or NULL (model/par_inflows.c) */
  struct naryn__prices *prices; /* the section's Markov chain of prices, or
                               ** NULL (model/prices.c) */
};

/* The most states of a Markov chain of prices. */
#define NARYN__MAX_PRICE_STATES 20

/* A Markov chain of energy prices (model/prices.c; doc/sddp.md, "Prices
** that follow a Markov chain"): each step the prices are in one of n
** states, state k scaling every energy price (energy terms' value_per_mwh,
** markets' import and export prices) by factor[k * 12 + month], and the
** state of the next step drawn from row k of the transition matrix of the
** calendar month of the step it leaves. */
typedef struct naryn__prices {
  int n;
  const char **name;           /* [n] */
  double *factor;              /* [n * 12], month-major within a state */
  double *p;                   /* [12 * n * n] p[(month * n + from) * n + to],
                               ** month 0 January */
  int monthly;                 /* 1: a matrix per month was given; 0: one
                               ** matrix, the same for every month */
  int initial;                 /* the state of the first step */
} naryn__prices;

/* model/prices.c: reads the "prices" of the uncertainty section u into
** m->prices; 0, or -1 after reporting. */
struct naryn__reader;
int naryn__model_read_prices(struct naryn__reader *r, const naryn__doc *u);
/* A copy of m whose energy prices in step t are scaled by factor[t] (the
** rest shared with m, which must outlive it); NULL when out of memory.
** Free with naryn__model_variant_free. */
naryn_model *naryn__model_price_variant(const naryn_model *m, const double *factor);
void naryn__model_variant_free(naryn_model *v);
/* The state a uniform number u in [0, 1) takes the chain to from state k
** in a step of calendar month 'month' (1 to 12): the first whose chances
** from k in that month's matrix, summed in order, pass u. */
int naryn__prices_next(const naryn__prices *pc, int k, int month, double u);

/* The most lags of a PAR inflow model a policy carries as states. */
#define NARYN__PAR_MAX_LAGS 3

/* A policy's PAR inflow model (model/par_inflows.c; doc/sddp.md, "Inflows
** that remember their past"), read from a fit file of naryn inflows: the
** flow q of each site (m3/s) in a step of calendar month c is
** eps (a[c] + sum_k b[c][k] q_{t-k}), the conditional median of the log
** model linearised around each month's median, under noise eps drawn once
** per step and outcome. The inflow node that reads a site as a CSV column
** takes 'scale' times its flow, as an ensemble's members give it. */
typedef struct naryn__par {
  const char *fit;             /* the fit file, as the model names it */
  int nsites, nout, max_order;
  uint64_t seed;
  const char **site;           /* [nsites] names */
  int *lags;                   /* [nsites] lags carried as states */
  int *first;                  /* [nsites] the first of a site's lag states
                               ** among the inflow states */
  int nstates;                 /* the lags of every site */
  const char **state_name;     /* [nstates] "SITE.lagK" */
  int *node_site;              /* [nnodes] the site an inflow node reads, -1 */
  double *node_scale;          /* [nnodes] its series' scale */
  int *site_node;              /* [nsites] the first node reading the site */
  double *a;                   /* [12 * nsites] m3/s, month-major */
  double *b;                   /* [(12 * nsites) * MAX_LAGS] */
  double *median;              /* [12 * nsites] exp(mu), m3/s */
  double *mean;                /* [12 * nsites] the fit's mean flow, m3/s */
  double *init;                /* [nsites * MAX_LAGS]: lag k + 1 before the
                               ** first step, the median of its month */
  double *eps;                 /* [(nsteps * nout) * nsites] */
} naryn__par;
/* The noise of outcome k of step t, per site (NULL: none). */
const double *naryn__par_eps(const naryn_model *m, int t, int k);

/* A CSV series some of whose rows a fill or fallback made up: the field
** (as messages name it), how, and per step the rows of the file made up
** for it (filled.csv, report/write.c). */
typedef struct naryn__fill {
  const char *where;
  const char *method;
  const double *v;             /* the series' value in each step */
  int *rows;
} naryn__fill;

/* An observed series: a measured quantity of a node or a link to compare
** the run with (model/observed.c). Its values are in 'unit', NaN for the
** steps not observed. */
typedef struct naryn__obs {
  int node, link;         /* the node observed, else -1 and the link */
  naryn_quantity q;       /* of a node: STORAGE, LEVEL or INFLOW */
  const char *field;      /* "observed_storage_hm3", ... */
  const char *quantity;   /* what fit.csv calls it: "storage_end_hm3",
                          ** "level_m", "inflow_m3s", "flow_m3s" */
  const char *unit;       /* "hm3", "m" or "m3/s" */
  naryn__ts ts;
} naryn__obs;
/* model/observed.c: reads the observed series of the nodes and links
** once both are read; 0, or -1 after reporting. */
struct naryn__reader;
int naryn__model_read_observed(struct naryn__reader *r);
/* ensemble/mpi.c, for SDDP: every process's n doubles, rank by rank, into
** *all (allocated, *total of them) on every process; and rank 0's n
** doubles v given to every process. One process: a copy, and nothing. */
int naryn__mpi_allgather(const double *mine, long n, double **all, long *total);
void naryn__mpi_bcast(double *v, int n);
/* model/uncertainty.c: reads the optional "uncertainty" section. 0, or -1
** after reporting. */
int naryn__model_read_uncertainty(struct naryn__reader *r, const naryn__doc *root);
/* model/par_inflows.c: reads the "inflows" of the uncertainty section u
** into m->par and the outcomes; 0, or -1 after reporting. */
int naryn__model_read_par(struct naryn__reader *r, const naryn__doc *u);
/* model/grids.c: reads the grids, thermal plants, interconnectors and
** markets once the nodes are read; 0, or -1 after reporting. */
int naryn__model_read_grids(struct naryn__reader *r, const naryn__doc *root);
/* model/observed.c: the run's value of observation k at step t, in its
** unit; the step must be held by r. */
double naryn__obs_sim(const naryn_result *r, int k, int t);


/* model/model.c: where naryn_model_load gets its documents: the model
** (index -1, named 'path') and the scenario overlays (index 0, 1, ...).
** Returns the document allocated in 'a', or NULL with the problem in d. */
typedef naryn__doc *(*naryn__doc_source)(void *user, int index,
                                         const char *path, naryn__arena *a,
                                         naryn_diags *d);
/* naryn_model_load with the documents from 'read' instead of from their
** files (CSV files that the model names are still read from disk): the
** fuzz targets load models from memory through it. */
int naryn__model_load_with(const char *path, const char *const *overlays,
                           int n_overlays, naryn__doc_source read, void *user,
                           naryn_model **out, naryn_diags *d);
/* model/model_read.c: builds a model from a merged document. */
int naryn__model_build(naryn_model *m, const naryn__doc *root,
                       naryn_diags *d);
/* model/model_check.c: checks values, links and cycles once read. */
int naryn__model_check(naryn_model *m, naryn_diags *d);
/* model/model_check.c: reports a problem with a field of a model element
** whose document is 'obj' as NARYN_EMODEL, at the field's value when it
** was given, else at the element (at no place when 'obj' is NULL). */
void naryn__model_vbad(const naryn_model *m, naryn_diags *d,
                       const naryn__doc *obj, const char *field,
                       const char *where, const char *fmt, va_list ap);
/* model/limits.c: reports each number of a node or a link past its
** physical limit (above). Return 1 when one was reported, else 0. */
int naryn__check_node_limits(const naryn_model *m, const naryn__node *n,
                             naryn_diags *d);
int naryn__check_link_limits(const naryn_model *m, const naryn__link *l,
                             naryn_diags *d);
/* model/rules.c: reads and checks every reservoir's "rules" and "zones"
** once the network's links are known (a plant or a control point must lie
** downstream), and warns of rules no zone lists. Called by
** naryn__model_check. NARYN_OK, NARYN_EMODEL, NARYN_EIO or NARYN_ENOMEM. */
int naryn__model_read_rules(naryn_model *m, naryn_diags *d);
/* model/zones.c: the zone of reservoir res at a step for a storage at the
** start of the step: the zone k with top[k+1] < storage <= top[k] (the
** first zone has no top and the last reaches down to empty); 0 when the
** reservoir has no zones. */
int naryn__zone_of(const naryn__node *res, int step, double storage_hm3);
/* 1 when rule index 'rule' applies in zone 'zone' (always without zones). */
int naryn__rule_applies(const naryn__node *res, int rule, int zone);
/* model/rules.c: the release a curve wants at a step (m3/s), from the
** storage at the start of the step: its series, or its table interpolated
** linearly in storage (or in the level the reservoir's level_table gives)
** with the step's month's values, held at the end values outside the
** table. */
double naryn__rule_release_m3s(const naryn_model *m, const naryn__node *res,
                               const naryn__rule_curve *c, int step,
                               double start_storage_hm3);
/* model/objective.c: reads the optional "currency" and "objectives" fields
** into m->terms, or sets up the default terms when there are none. Called
** by naryn__model_build after the nodes and links are read. */
int naryn__model_read_objectives(naryn_model *m, const naryn__doc *root,
                                 naryn_diags *d);
/* model/model_read.c: reading shared by the readers of a model's parts
** (model_read.c and objective.c), so that every field reads alike. */

/* The forms a time-varying field may take, and how its values spread over
** steps that are shorter than a month. */
typedef enum naryn__ts_form {
  NARYN__TS_RATE,        /* a rate (m3/s) or a price: constant, 12 monthly
                         ** values, or a series; a month's value holds on
                         ** each of its days */
  NARYN__TS_VOLUME,      /* a volume per calendar month (hm3, mm): constant
                         ** or 12 values split over the month's days; a
                         ** series gives the volume of each step */
  NARYN__TS_END_TARGET,  /* a level to reach at the end of each month,
                         ** interpolated day by day; a series gives the
                         ** value at each step's end */
  NARYN__TS_MONTHLY_ONLY, /* like NARYN__TS_VOLUME but a series is not
                         ** allowed */
  NARYN__TS_GAPS = 16    /* a flag added to a form: a series may miss rows
                         ** or leave cells empty, and those steps are NaN
                         ** (an observed series) */
} naryn__ts_form;

/* model/model_read.c: the value of step t of a horizon of N-day steps made
** from its days, each day taking its calendar month's value: x[j] is the
** value of the j-th month from the month of the step's first day (at most
** NARYN__STEP_MONTHS of them), 'before' that of the month before it (NaN
** when unknown: the month's own value is used). A rate is the mean of the
** days' rates, a volume the sum of the days' shares of their months'
** volumes, an end-of-month target its day-interpolated value at the
** step's last day. Months whose value is NaN are left out of a rate or a
** volume (not observed); NaN when no day is left. */
#define NARYN__STEP_MONTHS 14
double naryn__step_from_months(const naryn_model *m, int t, naryn__ts_form form,
                               const double *x, double before);

/* A model document being read. Problems are reported at their place in the
** document and remembered in 'failed'; a CSV file that several fields name
** is read once. Start with m, d and a (the model's arena) set and the rest
** zero, and end with naryn__read_done. */
typedef struct naryn__read_csv naryn__read_csv;
typedef struct naryn__reader {
  naryn_model *m;
  naryn_diags *d;
  naryn__arena *a;
  naryn__read_csv *csv;  /* the CSV files read so far */
  int ncsv, capcsv;
  int failed;            /* 1 once a problem has been reported */
} naryn__reader;

/* Frees what the reader holds outside the arena. */
void naryn__read_done(naryn__reader *r);
/* Reports an error at a document node (at no place when 'at' is NULL) and
** marks the read as failed. Returns -1. */
int naryn__read_fail(naryn__reader *r, const naryn__doc *at, const char *where,
                     const char *fmt, ...) NARYN__PRINTF(4, 5);
/* Reports that memory ran out. Returns -1. */
int naryn__read_oom(naryn__reader *r);
/* Reports every key of 'obj' missing from the NULL-terminated 'allowed',
** suggesting the nearest allowed key. */
void naryn__read_check_keys(naryn__reader *r, const naryn__doc *obj,
                            const char *prefix, const char *const *allowed);
/* The value of a field, or NULL when it is absent or null (a scenario
** removes a field by setting it to null). */
const naryn__doc *naryn__read_get(const naryn__doc *obj, const char *key);
/* Read an optional number or string field of obj into *out. Return 1 when
** the field is absent (*out is left alone), 0 when read, -1 after
** reporting a value of the wrong kind at PREFIX.KEY. Strings are copied
** into the model's arena. */
int naryn__read_number(naryn__reader *r, const naryn__doc *obj,
                       const char *key, const char *prefix, double *out);
int naryn__read_string(naryn__reader *r, const naryn__doc *obj,
                       const char *key, const char *prefix, const char **out);
/* Reads an optional time-varying field into ts, one value per step.
** Returns 1 when absent, 0 when read, -1 after reporting an error. */
/* Checks every value of a time-varying field as given, each of twelve
** monthly values (even of months outside the horizon) or each step of a
** series, against [lo, hi] (told as 'expect') and then against the
** physical limit 'max' in 'unit', resting on 'why'. Returns 0, or -1
** after reporting the first value outside. */
int naryn__read_check_values(naryn__reader *r, const naryn__ts *ts,
                             const char *where, double lo, double hi,
                             const char *expect, double max, const char *unit,
                             const char *why);
int naryn__read_ts(naryn__reader *r, const naryn__doc *obj, const char *key,
                   const char *prefix, naryn__ts_form form, naryn__ts *ts);
/* model/model_read.c: the CSV file named by the field value named_at
** (a relative path from the folder of the file that names it), read the
** first time it is asked for; NULL after reporting. */
/* Its fields are separated by delim (',', ';' or '\t'), or by the
** delimiter naryn__csv_read_delim finds when delim is 0. A file is read
** once for each delimiter asked for, a found one serving a field that asks
** for it too. */
naryn__csv *naryn__read_csv_table(naryn__reader *r, const char *file, char delim,
                                  const naryn__doc *named_at, const char *where);
/* model/series.c: a CSV series, the object spec, read into ts as a field
** of the given form; 0, or -1 after reporting. */
int naryn__read_series(naryn__reader *r, const naryn__doc *spec, const char *where,
                       naryn__ts_form form, naryn__ts *ts);
/* model/routing.c: reads a link's optional "routing" (obj is the link's
** object, prefix its name for messages) into l->route; 0, or -1 after
** reporting. Needs the horizon read. */
struct naryn__link;
int naryn__read_routing(naryn__reader *r, struct naryn__link *l, const naryn__doc *obj,
                        const char *prefix);
/* A lag's mapping from steps to steps, the one the simulation and the
** optimiser share: the share of the rate entering its reach in a step that
** reaches the tail d steps later (d >= 0); the longest d with a share; and
** the share of the rate reaching the tail in step t that entered before
** the horizon, so that is initial_flow_m3s. */
double naryn__route_lag_share(const naryn__route *rt, int d);
int naryn__route_lag_reach(const naryn__route *rt);
double naryn__route_lag_before(const naryn__route *rt, int t);
/* Reads an optional priority, a whole number from 1 to
** NARYN__PRIORITY_MAX. Returns 1, 0 or -1 as naryn__read_number. */
int naryn__read_priority(naryn__reader *r, const naryn__doc *obj,
                         const char *key, const char *prefix, int *out);

/* model/model.c: marks in below[] (nnodes bytes) every node that water
** leaving node 'from' reaches along links and return flows ('from' itself
** only through a loop). queue, room for nnodes + 1 ints, ends up holding
** 'from' and then the nodes marked, in the order reached; returns how
** many entries it holds. */
int naryn__mark_below(const naryn_model *m, int from, unsigned char *below, int *queue);

/* model/model_read.c: "reservoir \"R\".field" for messages. */
const char *naryn__node_where(const naryn__node *n, const char *field,
                              char *buf, size_t size);
const char *naryn__link_where(const naryn__link *l, const char *field,
                              char *buf, size_t size);
/* model/model_read.c: where step t's value of ts was given. */
naryn__ts_at naryn__ts_source(const naryn_model *m, const naryn__ts *ts, int t);
/* model/model_read.c: a step's date as "YYYY-MM" (monthly) or "YYYY-MM-DD"
** (its first day, for steps of days). */
const char *naryn__step_label(const naryn_model *m, int t, char *buf,
                              size_t size);
/* The position to report for a node's or link's field: the value if the
** field was given, else the object. */
const naryn__doc *naryn__field_pos(const naryn__doc *obj, const char *field);

/* ====================================================================== */
/* hydro/hydro.c: level, area, head, energy and evaporation                */
/* ====================================================================== */

/* Water density times gravity, N/m3. */
#define NARYN__RHO_G 9810.0

double naryn__table_eval(const naryn__table *t, double x);
/* The storage (hm3) at which a reservoir's level_table reaches a level:
** the inverse of the table, the lowest storage where the level is flat,
** extended along the end segments outside it (held where an end segment
** is flat). The reservoir must have a level table. */
double naryn__hyd_storage_hm3(const naryn__node *res, double level_m);
/* Net head of a plant in m for a reservoir storage (hm3, ignored when the
** plant has a fixed head or headwater) and a plant discharge (m3/s). */
double naryn__hyd_head_m(const naryn_model *m, const naryn__node *plant,
                         double storage_hm3, double discharge_m3s);
/* Largest turbine flow in m3/s at a net head: the turbine limit, or the
** flow at which the plant reaches its installed capacity. */
double naryn__hyd_turbine_cap_m3s(const naryn__node *plant, double head_m);
/* Energy in GWh from a turbined volume (hm3) at a net head over a step of
** step_s seconds, capped by installed capacity. */
double naryn__hyd_energy_gwh(const naryn__node *plant, double turbined_hm3,
                             double head_m, double step_s);
/* Evaporation in hm3 from a reservoir over a step, for a mean storage. */
double naryn__hyd_evaporation_hm3(const naryn__node *res, int step,
                                  double storage_hm3);

/* ====================================================================== */
/* hydro/prodfn.c: production functions, a plant's energy as the minimum   */
/* of planes in storage and turbined flow                                  */
/* ====================================================================== */

#define NARYN__PRODFN_MAX 16
/* The default count of planes of a plant. */
#define NARYN__PRODFN_PLANES 8

/* A plant's fitted production function, in power: over the box
** [s_lo, s_hi] (its reservoir's storage, hm3) x [q_lo, q_hi] (turbined,
** m3/s), P <= min(cap_mw, min_k a[k] + b[k] S + c[k] q) in MW, never below
** the exact power at the fit's sample points. The errors are those of this
** minimum less the exact power over the sample (max and mean, MW; below_mw
** the most it lies below, 0 or a rounding), and full_mw the exact power at
** s_hi and q_hi. plant is -1 in a model's array for a node without one. */
typedef struct naryn__prodfn {
  int plant, reservoir, k;
  double a[NARYN__PRODFN_MAX], b[NARYN__PRODFN_MAX], c[NARYN__PRODFN_MAX];
  double cap_mw, full_mw;
  double max_err_mw, mean_err_mw, below_mw;
  double s_lo, s_hi, q_lo, q_hi;
} naryn__prodfn;

/* 1 when node i is an enabled plant whose head follows an enabled
** reservoir's level table (no fixed head): the plants that are fitted. */
int naryn__prodfn_applies(const naryn_model *m, int i);
/* Fits k planes (1 to NARYN__PRODFN_MAX) to plant's power over its box:
** its reservoir's storage limits and a turbined flow from 0 to its
** maximum. NARYN_OK or NARYN_ENOMEM. */
int naryn__prodfn_fit(const naryn_model *m, int plant, int k, naryn__prodfn *out);
/* The same over a given box; q_lo = q_hi fits at one flow. */
int naryn__prodfn_fit_box(const naryn_model *m, int plant, int k, double s_lo, double s_hi,
                          double q_lo, double q_hi, naryn__prodfn *out);
/* Every plant's fit with k planes, into an array of one per node (plant -1
** where none applies), freed with free(). NARYN_OK or NARYN_ENOMEM. */
int naryn__prodfn_fit_model(const naryn_model *m, int k, naryn__prodfn **out);
/* The exact power (MW) of hydro.c at a storage and a turbined flow. */
double naryn__prodfn_exact_mw(const naryn_model *m, int plant, double storage_hm3,
                              double flow_m3s);
/* The fitted power (MW): the lowest plane, at most the capacity. */
double naryn__prodfn_eval_mw(const naryn__prodfn *f, double storage_hm3, double flow_m3s);
/* Plane k over a step of step_s seconds: energy (GWh) <= a + b S + c Q,
** S the mean storage (hm3), Q the turbined volume (hm3). */
void naryn__prodfn_plane_gwh(const naryn__prodfn *f, int k, double step_s, double *a,
                             double *b, double *c);

/* ====================================================================== */
/* lp/lp_clp.cpp: linear programs solved by COIN-OR CLP                   */
/* ====================================================================== */

/* lp/matrix.c: coefficients gathered as (row, column, value) entries in
** any order, then sorted column by column as naryn__lp_new takes them. */
typedef struct naryn__triplets {
  int n, cap;
  int *row, *col;
  double *val;
} naryn__triplets;

/* Appends an entry; returns its index, or -1 when out of memory. */
int naryn__trip_add(naryn__triplets *t, int row, int col, double val);
void naryn__trip_free(naryn__triplets *t);
/* Sorts the entries into newly allocated column-major arrays (start has
** ncols + 1 items). When 'where' is not NULL (t->n items), where[k] is set
** to the position of entry k. NARYN_OK or NARYN_ENOMEM. */
int naryn__trip_columns(const naryn__triplets *t, int ncols, int **start,
                        int **index, double **value, int *where);

/* grid/grid_lp.c: the grids' part of an LP, one step at a time: each
** grid's energy balance row, and the columns of its thermal plants, its
** interconnectors (each way), its markets (buying and selling), the tiers
** of its unserved energy and the hydropower it cannot use. Energy is in
** GWh; a column's cost is cost_scale times its cost per MWh (so that with
** cost_scale 1 the objective is in thousands of currency and a balance
** row's dual is the price in currency per MWh). The one mapping of the
** grids to LP rows and columns: simulation, optimisation and the later
** modes extend it rather than copy it. */
typedef struct naryn__grid_lp {
  int *bal;           /* per grid: its balance row (off-peak with a peak) */
  int *surplus;       /* per grid: hydropower left unused */
  int *tier;          /* per grid: its first tier of unserved energy */
  int *thermal;       /* per thermal plant: its energy (off-peak) */
  int *line;          /* per line: energy sent forward, then back (2 each) */
  int *buy, *sell;    /* per market: bought and sold, -1 where it does not */
  /* A grid with a peak has two blocks per step, its peak and the rest;
  ** every item below is -1 for a grid without a peak (whose one balance
  ** stays as above). */
  int *peak;          /* per grid: its peak block's balance row */
  int *split;         /* per grid: the row splitting its hydropower between
                      ** the blocks (peak, then off-peak column from
                      ** hydro_peak on) */
  int *hydro_peak;    /* per grid: hydropower in the peak block; the next
                      ** column is hydropower off-peak */
  int *peak_tier;     /* per grid: its first tier in the peak block */
  int *thermal_peak;  /* per thermal plant: its energy in the peak block */
  int *buy_peak, *sell_peak; /* per market: in the peak block */
  int *seg;           /* per line and way: its first segment column (the
                      ** hours where each end is in a given block), for a
                      ** line touching a grid with a peak */
  int *seg_row;       /* per line and way: the row making its segments
                      ** add up to its energy sent */
} naryn__grid_lp;

/* How hydropower enters the balances besides energy fixed per grid: LP
** columns, each bringing gwh_per_unit GWh per unit to a grid (the
** optimiser's turbined water); nterms 0 for a simulation's dispatch. */
typedef struct naryn__grid_hydro {
  int nterms;
  const int *grid, *col;
  const double *gwh_per_unit;
} naryn__grid_hydro;

/* Adds step t's rows and columns to an LP being built: entries into
** trip, rows and columns counted on from *nrows and *ncols, each column's
** cost into (*obj)[col], grown as needed (capacity *objcap). NARYN_OK or
** NARYN_ENOMEM. */
int naryn__grid_lp_add(naryn__grid_lp *g, const naryn_model *m, int t,
                       const naryn__grid_hydro *hydro, double cost_scale,
                       naryn__triplets *trip, int *nrows, int *ncols,
                       double **obj, int *objcap);
void naryn__grid_lp_free(naryn__grid_lp *g);
/* Sets the bounds and costs of g's rows and columns for step t, with
** hydro_gwh[grid] (NULL for none) fixed in each balance. */
void naryn__grid_lp_set_step(const naryn__grid_lp *g, const naryn_model *m,
                             int t, const double *hydro_gwh, double cost_scale,
                             double *collo, double *colup, double *rowlo,
                             double *rowup, double *obj);
/* Adds w times the cost in currency per GWh of each of grid k's columns
** in step t to c[column], so that c'x is w times NARYN_G_COST: its
** thermal plants, tiers, markets (sales as a negative cost), each in
** both blocks of a grid with a peak, and the tariffs of the lines it
** sends over. */
void naryn__grid_lp_cost_coefs(const naryn__grid_lp *g, const naryn_model *m,
                               int t, int k, double w, double *c);
/* Reads step t's figures from a solution: out[grid * NARYN_G_COUNT + q]
** and lines[line * 2 + back]; hydro_gwh as given to set_step (the
** energy of hydro columns, if any, is the caller's to add). */
void naryn__grid_lp_read(const naryn__grid_lp *g, const naryn_model *m, int t,
                         const double *hydro_gwh, double cost_scale,
                         const double *x, const double *duals, double *out,
                         double *lines);

/* grid/dispatch.c: a simulation's dispatch of the grids after each step's
** water has settled. */
typedef struct naryn__dispatch naryn__dispatch;
/* Builds the dispatch LP of a model with grids and makes room for the
** figures in r; sets *out to NULL for a model without grids. NARYN_OK or
** NARYN_ENOMEM (in d). */
int naryn__dispatch_new(const naryn_model *m, naryn_result *r,
                        naryn__dispatch **out, naryn_diags *d);
/* Dispatches step t (whose plants' energy r holds) and records it; checks
** every grid's energy balance against tolerance_gwh (relative to the
** demand). NARYN_OK, NARYN_EBALANCE, NARYN_ESOLVER, NARYN_EINTR or
** NARYN_ENOMEM (in d). */
int naryn__dispatch_step(naryn__dispatch *p, naryn_result *r, int t,
                         double tolerance, naryn_diags *d);
void naryn__dispatch_free(naryn__dispatch *p);
/* Makes room in r for the grid figures of every step (NaN until
** dispatched). NARYN_OK or NARYN_ENOMEM. */
int naryn__dispatch_room(const naryn_model *m, naryn_result *r);
/* Grid k's cost in step t with no hydropower, on its own (every line
** closed). */
double naryn__dispatch_cost0(const naryn__dispatch *p, int t, int k);
/* Closes the lines whose flag in open[line] is 0 for the steps dispatched
** from now on; NULL opens them all (as they are at first). */
void naryn__dispatch_open_lines(naryn__dispatch *p, const unsigned char *open);

/* An LP  min c'x  s.t.  rowlo <= Ax <= rowup,  collo <= x <= colup, kept
** loaded between solves so that each solve starts from the last basis.
** lp/lp_clp.cpp wraps CLP's C++ classes; no C++ exception leaves it. Every
** call that can fail returns NARYN_ENOMEM when CLP ran out of memory and
** NARYN_ESOLVER when it failed otherwise; after either the LP is broken
** and every later call returns the same status. A solve returns
** NARYN_EINTR when naryn_interrupted() holds at its start, or becomes
** true while it runs (the simplex then stops at its next iteration). */
typedef struct naryn__lp naryn__lp;

/* Loads a problem given column by column: column j has the entries
** index[start[j] .. start[j+1]-1] with coefficients value[...]. Bounds may
** be +-INFINITY. Returns NULL when out of memory (or when CLP refused the
** problem). */
naryn__lp *naryn__lp_new(int nrows, int ncols, const int *start,
                         const int *index, const double *value,
                         const double *collo, const double *colup,
                         const double *obj, const double *rowlo,
                         const double *rowup);
void naryn__lp_free(naryn__lp *lp);
/* For an LP re-solved many times with only its bounds changed (the
** simulator's step LP): from now on CLP keeps its work arrays and its
** factorisation between solves, is told of each bound that changed rather
** than given all of them, and skips its checks of the matrix, which does
** not change. Much faster for small LPs; where an LP has several optimal
** solutions, it may pick another than a solve from scratch would.
** NARYN_OK, NARYN_ENOMEM or NARYN_ESOLVER. */
int naryn__lp_keep_work(naryn__lp *lp);
/* The warm mode for an LP whose rows change (an SDDP stage, which gains
** cuts): CLP keeps its factorisation between solves of the same rows and
** is told of each bound that changed, and sets its work up afresh after
** rows are added or deleted; it keeps no arrays of fixed size and checks
** the matrix. Same returns as naryn__lp_keep_work. */
int naryn__lp_keep_factor(naryn__lp *lp);
/* Replaces all column and row bounds (arrays of ncols and nrows).
** NARYN_OK, NARYN_ENOMEM or NARYN_ESOLVER. */
int naryn__lp_set_bounds(naryn__lp *lp, const double *collo,
                         const double *colup, const double *rowlo,
                         const double *rowup);
/* Replaces every column's cost (an array of ncols), keeping the basis;
** re-solve with naryn__lp_resolve. NARYN_OK, NARYN_ENOMEM or
** NARYN_ESOLVER. */
int naryn__lp_set_objective(naryn__lp *lp, const double *obj);
/* Solves from the current basis with the dual simplex. Returns NARYN_OK,
** NARYN_EINFEAS when the problem is infeasible, NARYN_EINTR, NARYN_ENOMEM
** or NARYN_ESOLVER. Adds the simplex iterations used to *iterations. */
int naryn__lp_solve(naryn__lp *lp, long *iterations);
/* Borrowed arrays valid until the next solve. */
const double *naryn__lp_x(naryn__lp *lp);
double naryn__lp_objective(naryn__lp *lp);
/* Sets up the optimiser's large LP as the clp command would: CLP's
** automatic scaling (off for the simulator's small LPs) and its automatic
** perturbation of the costs. A failure shows at the next solve. */
void naryn__lp_tune_large(naryn__lp *lp);
/* Solves from scratch with presolve. Same returns as naryn__lp_solve. */
int naryn__lp_solve_initial(naryn__lp *lp, long *iterations);
/* Forgets the basis of the last solve, and sets CLP's random numbers
** back to a new LP's, so that the next solve starts as one of a new LP
** would, whatever was solved before. A failure shows at the next solve. */
void naryn__lp_forget_basis(naryn__lp *lp);
/* The size of a basis: the LP's columns and rows. */
int naryn__lp_basis_size(const naryn__lp *lp);
/* The basis of the last solve into status[naryn__lp_basis_size]: per
** column, then per row, CLP's status of it. */
void naryn__lp_get_basis(const naryn__lp *lp, unsigned char *status);
/* The next solve starts afresh from the basis status[n] (NULL: every
** slack basic) as a new LP would from it: rows beyond n (added since it
** was taken) with their slacks basic. So what it finds depends on the LP
** and the basis alone. A failure shows at the next solve. */
void naryn__lp_restart(naryn__lp *lp, const unsigned char *status, int n);
/* Loads a changed problem of the same size, keeping the last basis.
** NARYN_OK, NARYN_ENOMEM or NARYN_ESOLVER. */
int naryn__lp_reload(naryn__lp *lp, const int *start, const int *index,
                     const double *value, const double *collo,
                     const double *colup, const double *obj,
                     const double *rowlo, const double *rowup);
/* Re-solves from the kept basis with the primal simplex, falling back to
** a solve from scratch. Same returns as naryn__lp_solve. */
int naryn__lp_resolve(naryn__lp *lp, long *iterations);
/* Row duals of the last solve: the change of the objective per unit
** increase of a row's bound. Borrowed until the next solve. */
const double *naryn__lp_row_duals(naryn__lp *lp);
/* Writes the loaded LP in fixed MPS form; the file appears whole or not at
** all. NARYN_OK, or NARYN_EIO (NARYN_ENOMEM) with the path in d. */
int naryn__lp_write_mps(naryn__lp *lp, const char *path, naryn_diags *d);
/* Deletes the rows from 'first' on (rows added with naryn__lp_add_rows);
** not in the warm mode of naryn__lp_keep_work. NARYN_OK, NARYN_ENOMEM or
** NARYN_ESOLVER. */
int naryn__lp_delete_rows_from(naryn__lp *lp, int first);
/* The reduced costs of the last solution, per column. */
const double *naryn__lp_reduced_costs(naryn__lp *lp);
/* Adds n rows rowlo <= a'x <= rowup, row k's entries index[start[k] ..
** start[k + 1] - 1] with their values, keeping the basis (not in the
** warm mode of naryn__lp_keep_work). NARYN_OK, NARYN_ENOMEM or
** NARYN_ESOLVER. */
int naryn__lp_add_rows(naryn__lp *lp, int n, const double *rowlo,
                       const double *rowup, const int *start,
                       const int *index, const double *value);
/* lp/abandon.c: naryn__lp_free gives a CLP model whose call threw to
** naryn__lp_abandon instead of deleting it, since CLP may have left it
** holding freed pointers; naryn__lp_abandoned counts them (process-wide). */
void naryn__lp_abandon(void *model);
long naryn__lp_abandoned(void);

/* lp/netflow.c: a network simplex for LPs that are minimum-cost flow
** problems, kept loaded between solves like naryn__lp. The LP is a
** network when, after folding, every column has at most one +1 and one -1.
** Folding row r into row b (fold[r] = b; -1 for none; fold may be NULL)
** replaces row b by b + r and row r by -r, which leaves the LP the same:
** it turns a node's side row over its outgoing links (a plant's split
** between turbines and spill, a minimum flow, a release schedule) into a
** node of its own. A row with slack[r] set may have different lower and
** upper bounds (a finite lower one); every other row must be an equality.
** slack may be NULL. */
typedef struct naryn__net naryn__net;

/* 1 when the columns (given as to naryn__lp_new) form a network once the
** rows are folded as fold says. */
int naryn__net_is_network(int nrows, int ncols, const int *start,
                          const int *index, const double *value,
                          const int *fold);
/* Loads a network (check it with naryn__net_is_network first) with its
** costs; NULL when out of memory. */
naryn__net *naryn__net_new(int nrows, int ncols, const int *start,
                           const int *index, const double *value,
                           const double *cost, const int *fold,
                           const unsigned char *slack);
void naryn__net_free(naryn__net *net);
/* Solves for the given bounds from the tree of the last solve. Returns
** NARYN_OK; NARYN_EINFEAS when no flow meets the bounds; NARYN_EINTR;
** NARYN_ESOLVER when the problem is not one it solves (a row without slack
** that is not an equality, a lower bound that is not finite, an unbounded
** cost) or it
** gave up after too many pivots. Adds its pivots to *iterations. */
int naryn__net_solve(naryn__net *net, const double *collo, const double *colup,
                     const double *rowlo, const double *rowup,
                     long *iterations);
/* The flow of every column in the last solve; borrowed. */
const double *naryn__net_x(const naryn__net *net);

/* ====================================================================== */
/* game/tu.c: transferable-utility games                                   */
/* ====================================================================== */

/* A game of n players (1 to NARYN__GAME_MAX_PLAYERS) is given as 2^n values
** v[S] indexed by coalition bit mask (bit i set when player i is a member);
** v[0] is ignored and the grand coalition N is (1 << n) - 1. An allocation
** x gives player i the payoff x[i]; the excess of coalition S is
** x(S) - v(S). The functions are pure and may run in several threads. */
#define NARYN__GAME_MAX_PLAYERS 10

/* The tolerance for comparing values of this game: 1e-9 * max(1, max |v(S)|)
** over non-empty S, so a billionth of the largest value and never less than
** 1e-9 of a unit (1e-9 for n out of range or a NULL v). The nucleolus's LPs
** decide ties more finely than this, and its payoffs carry CLP's rounding,
** about 1e-11 of max |v(S)|. */
double naryn__game_tolerance(int n, const double *v);
/* Shapley value: x[i] = sum over S not containing i of
** |S|!(n-|S|-1)!/n! (v(S+i) - v(S)), summed over S in increasing mask
** order, so results are the same bit for bit on every run. NARYN_OK, or
** NARYN_EARG in d for n out of range, a NULL array or a value that is not
** finite. */
int naryn__game_shapley(int n, const double *v, double *x, naryn_diags *d);
/* The nucleolus, by the sequence of LPs of Maschler, Peleg and Shapley
** (see tu.c), into x[n]. *least_core_eps (may be NULL) gets eps_1, the
** largest smallest excess of an efficient allocation: the core is
** non-empty iff eps_1 >= -tolerance; for n == 1 there is no proper
** coalition and eps_1 is +INFINITY. *nlps (may be NULL) gets the number of
** LPs of the sequence, one per value of eps (0 for n == 1); the LPs that
** decide which coalitions stay at eps_k are not counted. NARYN_OK,
** NARYN_EARG as for the Shapley value, NARYN_ENOMEM, or NARYN_ESOLVER. */
int naryn__game_nucleolus(int n, const double *v, double *x,
                          double *least_core_eps, int *nlps, naryn_diags *d);
/* The smallest excess x(S) - v(S) over proper non-empty coalitions, and in
** *worst (may be NULL) the smallest mask that has it. For n == 1 there is no
** such coalition: +INFINITY, *worst = 0. NAN (and *worst = 0) for n out of
** range, a NULL array or an excess that is not a number. */
double naryn__game_min_excess(int n, const double *v, const double *x,
                              int *worst);
/* Superadditivity: calls each(user, A, B, shortfall) for every pair of
** disjoint non-empty coalitions A < B (masks) with
** shortfall = v(A) + v(B) - v(A+B) > tol, in increasing order of A then B;
** a shortfall that is not a number counts too. 'each' may be NULL. Returns
** the number of such pairs, or -1 for n out of range or a NULL v. */
int naryn__game_superadditivity(int n, const double *v, double tol,
                                void (*each)(void *user, int a, int b,
                                             double shortfall),
                                void *user);

/* ====================================================================== */
/* simulate/: the step-by-step priority simulation and its results        */
/* ====================================================================== */

/* What a streamed result (below) keeps instead of its steps: totals filled
** step by step as the run goes, in the same order of additions as the full
** result's getters use, so that both give the same numbers bit for bit. */
typedef struct naryn__sums {
  int ngroups;             /* the run's countries (naryn_result_country), then all */
  int *node_group;         /* [nnodes]: each node's country among them */
  naryn_summary *season;   /* [ngroups * NARYN_SEASON_COUNT] */
  /* [nterms * nnodes]: the values of each term at each node that are not
  ** zero, step by step. A term is summed node by node and, for each node,
  ** step by step into one running total (evaluate.c), so its value can
  ** be had exactly only at the end: these are all a streamed run keeps
  ** that grows with its steps, 8 bytes for each node and step where a
  ** term counts (a shortage, a spill). */
  struct naryn__values {
    double *v;
    int n, cap;
  } *term_values;
  double system[5];        /* system balance: see naryn__balance_system_add */
  double *obs_sim;         /* [nobs * nsteps]: the run's value of each observed
                           ** series at its observed steps, else NaN (fit.c) */
} naryn__sums;

struct naryn_result {
  const naryn_model *m;
  int nnodes, nlinks, nsteps;
  /* Step slots held: nsteps for a full result; for a streamed one a power
  ** of two (2: the step and the one before, which start storage and head
  ** read). Step t lives in slot t % q_steps, which is t & slot_mask. */
  int q_steps;
  size_t slot_mask;   /* SIZE_MAX for a full result, q_steps - 1 otherwise */
  int newest_step;    /* the last step recorded, -1 before the first */
  double *q;          /* [(slot * nnodes + node) * NARYN_Q_COUNT + quantity] */
  double *link_flow;  /* [slot * nlinks + link], hm3 leaving the link's head */
  double *link_loss;  /* [slot * nlinks + link], hm3 lost on the way */
  double *link_arrival; /* [slot * nlinks + link], hm3 reaching the tail of a
                      ** routed link; NULL when the model routes none */
  double transit_hm3; /* water in the routed reaches: its change over the run */
  int *zone;          /* [slot * nnodes + node]: a reservoir's zone, -1 for none */
  int *control;       /* [slot * nnodes + node]: NARYN__CTL_* or a rule's index */
  naryn__sums *sums;  /* a streamed result's totals; NULL for a full one */
  /* The outside inflow of the run, when it is not the model's: per node,
  ** NULL or the inflow in each step (m3/s) that replaces the node's own
  ** inflow_m3s (an ensemble member's, ensemble/ensemble.c). NULL for a
  ** run of the model's own inflows. Set before the run; not owned. */
  const double *const *inflow_m3s;
  double max_residual_hm3, max_residual_rel;
  int max_residual_node, max_residual_step;
  double system_residual_hm3;
  long solves, iterations;
  long net_solves;     /* steps solved by the network simplex */
  long net_fallbacks;  /* network-simplex solves that CLP had to redo */
  int unsettled_steps; /* steps whose head or evaporation did not settle */
  /* Optimised results only (NULL or 0 for a simulation). */
  int optimised;
  double *water_value;   /* [step * nnodes + node], currency per hm3 */
  double *energy_lin;    /* [step * nnodes + node], GWh as the LP saw it */
  int passes, converged;
  double lp_objective;   /* of the last accepted LP, in LP units */
  double objective_scale;/* currency per LP objective unit */
  double max_evap_lin_hm3; /* largest gap, linearised against exact evaporation */
  double pareto_level;   /* NaN unless a pareto point */
  double hold_broken_hm3;/* held actions given up for want of water */
  double build_s, solve_s;
  char *command;         /* the command line that asked for it, or NULL */
  /* Grids dispatched (grid/dispatch.c), every step even for a streamed
  ** result; NULL when none. */
  double *grid_q;        /* [(step * ngrids + grid) * NARYN_G_COUNT + q] */
  double *line_gwh;      /* [(step * nlines + line) * 2 + back] */
  /* A replay of a policy with a chain of prices: the price state of each
  ** step, and the model with those prices (m points to it), both owned;
  ** NULL otherwise. */
  int *price_state;
  naryn_model *own_model;
};

/* The name quantity q had in the results of older versions, as nodes.csv
** and fit.csv wrote it ("storage_hm3" for NARYN_Q_STORAGE_END_HM3), or
** NULL when it kept its name. */
const char *naryn__quantity_old_name(naryn_quantity q);
/* 1 when 'name' names quantity q in results: its name, or its older one. */
int naryn__quantity_is(naryn_quantity q, const char *name);

/* Allocates a full result for a model, every quantity of every step set
** to NaN. */
naryn_result *naryn__result_new(const naryn_model *m);
/* Allocates a result holding only q_steps step slots (a power of two, at
** least 2, or the model's steps for a full result), set to NaN. */
naryn_result *naryn__result_new_slots(const naryn_model *m, int q_steps);
/* The outside inflow of inflow node i in step t of the run of r, m3/s:
** the run's own (r->inflow_m3s) where it has one, else the model's. */
static inline double naryn__inflow_m3s(const naryn_result *r, int i, int t) {
  if (r->inflow_m3s && r->inflow_m3s[i]) return r->inflow_m3s[i][t];
  return r->m->nodes[i].inflow_m3s.v[t];
}
/* 1 when the result holds every step of its run. */
#define NARYN__FULL(r) ((r)->q_steps >= (r)->nsteps)
/* 1 when step t is still held: any step of a full result, the last
** q_steps recorded of a streamed one. */
int naryn__result_holds(const naryn_result *r, int t);
/* Makes step t the newest: a slot that held an earlier step is set to NaN
** again (links to 0) before step t is recorded into it. */
void naryn__result_begin_step(naryn_result *r, int t);
/* Completes step t of a result from what a solver decided, once the link
** flows and losses, each reservoir's end storage and evaporation, each
** demand's delivery and each plant's turbined and spilled water are in
** place: release, level, demand and shortage, minimum-flow delivery, head
** and energy. With 'clip', turbine flow above what reaches the installed
** capacity at the head is counted as spill. */
void naryn__result_derive_step(naryn_result *r, int t, int clip);
/* Storage of reservoir i at the start of step t: the initial storage, or
** the end storage of the step before. */
double naryn__result_start_storage(const naryn_result *r, int t, int i);
/* The slot of a quantity at a node and step, and of a link's flow and loss
** in a step. The step must be held (naryn__result_holds). */
#define NARYN__SLOT(r, step) ((size_t)(step) & (r)->slot_mask)
#define NARYN__Q(r, step, node, quantity) \
  ((r)->q[(NARYN__SLOT(r, step) * (size_t)(r)->nnodes + (size_t)(node)) * NARYN_Q_COUNT + (quantity)])
/* The names of a zone index and a control code (NARYN__CTL_*) of a node,
** as nodes.csv writes them; NULL for none. */
const char *naryn__zone_name(const naryn_model *m, int node, int zone);
const char *naryn__control_name(const naryn_model *m, int node, int code);
#define NARYN__ZONE(r, step, node) \
  ((r)->zone[NARYN__SLOT(r, step) * (size_t)(r)->nnodes + (size_t)(node)])
#define NARYN__CONTROL(r, step, node) \
  ((r)->control[NARYN__SLOT(r, step) * (size_t)(r)->nnodes + (size_t)(node)])
#define NARYN__LINK_FLOW(r, step, link) \
  ((r)->link_flow[NARYN__SLOT(r, step) * (size_t)(r)->nlinks + (size_t)(link)])
#define NARYN__LINK_LOSS(r, step, link) \
  ((r)->link_loss[NARYN__SLOT(r, step) * (size_t)(r)->nlinks + (size_t)(link)])
#define NARYN__LINK_ARRIVAL(r, step, link) \
  ((r)->link_arrival[NARYN__SLOT(r, step) * (size_t)(r)->nlinks + (size_t)(link)])

/* simulate/sim.c: runs the simulation into r (from naryn__result_new or
** naryn__result_new_slots), calling each(user, r, t, d), when not NULL,
** after step t is recorded and its balance checked, before the progress
** callback; a status other than NARYN_OK from it stops the run. Ends with
** the system balance check. On failure r holds a partial run for the
** caller to free. */
typedef int (*naryn__step_fn)(void *user, naryn_result *r, int t,
                              naryn_diags *d);
int naryn__simulate_into(const naryn_model *m, const naryn_sim_opts *o,
                         naryn_result *r, naryn__step_fn each, void *user,
                         naryn_diags *d);

/* A plan made by some of the players only (game/share.c): the nodes
** 'plans' marks are planned, and only their terms count; every other
** reservoir keeps its end storage and every other demand takes its
** delivery, both given per step ([step * nnodes + node], hm3). What these
** held actions cannot do for want of water (a coalition upstream holding
** it back) they give up at a prohibitive price that is not part of the
** plan's value; the result's hold_broken_hm3 says how much. A node not
** planned that has several outlets also keeps the shares in which it
** split its outflow among them (link_hm3, [step * nlinks + link], the
** flows it had). Plants of nodes not planned turbine all they can of
** what passes them. */
typedef struct naryn__hold {
  const unsigned char *plans;   /* [nnodes] */
  const double *storage_hm3;    /* held reservoirs' end storage */
  const double *delivered_hm3;  /* held demands' deliveries */
  const double *link_hm3;       /* held nodes' outflow, link by link */
} naryn__hold;

/* optimise/opt.c: optimises with the given weights (one per term) and,
** when eps_term >= 0, that term held at least as good as eps_level (at
** least for a benefit, at most for a cost). The first linearisation is
** around 'start' when not NULL, else around the initial storage. With
** 'hold' (NULL for none) only the nodes it marks are planned. */
int naryn__optimise(const naryn_model *m, const naryn_opt_opts *o,
                    const double *weights, int eps_term, double eps_level,
                    const naryn_result *start, const naryn__hold *hold,
                    naryn_result **out, naryn_diags *d);

/* optimise/evaluate.c: value of term k for the nodes of country c (NULL
** for all) in result r, with energy from e_gwh[step * nnodes + node] when
** not NULL instead of the result's exact energy (a full result only; NaN
** for a streamed one). A term's value is one running total of its values
** node by node and, for each node, step by step; a streamed result keeps
** those values (naryn__terms_add_step) to sum them the same way, so that
** both give the same value bit for bit. */
double naryn__term_value(const naryn_result *r, int k, const char *country,
                         const double *e_gwh);
/* Combined objective with the given weights (NULL: the model's), energy
** from e_gwh as above. */
double naryn__objective_value(const naryn_result *r, const double *weights,
                              const double *e_gwh);
/* The same two for the nodes marked in 'nodes' ([nnodes], NULL for all). */
double naryn__term_value_nodes(const naryn_result *r, int k,
                               const unsigned char *nodes, const double *e_gwh);
double naryn__objective_value_nodes(const naryn_result *r, const double *weights,
                                    const unsigned char *nodes,
                                    const double *e_gwh);
/* Appends step t's value of every term at every node it covers, when it
** is not zero, to sums->term_values[term * nnodes + node], with the
** result's exact energy. NARYN_OK or NARYN_ENOMEM (reported in d). */
int naryn__terms_add_step(const naryn_result *r, int t, naryn__sums *sums,
                          naryn_diags *d);
/* Shortage cost of delivering 'got' of 'want' hm3 under a loss curve. */
double naryn__curve_cost(const naryn__term *tm, double want, double got);

/* simulate/balance.c: checks that water is conserved at every node of a
** step and records the residuals in the result. Returns NARYN_OK or
** NARYN_EBALANCE with the node and step in d. */
int naryn__balance_step(naryn_result *r, int step, double tolerance,
                        naryn_diags *d);
/* Checks the whole system over the run: outside inflow against
** consumption, evaporation, losses, sink inflow and storage change. A
** full result is summed here step by step; a streamed one was summed as
** it went, by naryn__balance_system_add into r->sums->system. */
int naryn__balance_system(naryn_result *r, double tolerance, naryn_diags *d);
/* Adds step t's outside inflow, consumption, evaporation, link losses and
** sink inflow to system[0..4]. */
void naryn__balance_system_add(const naryn_result *r, int t, double *system);

/* report/summary.c: the totals of a streamed result. naryn__sums_new
** allocates r->sums, zeroed, with each node's country group;
** naryn__summary_add adds node i's figures in step t to one summary;
** naryn__sums_add_step adds step t to every summary, term and system
** total, in the order the full result's getters add them. */
int naryn__sums_new(naryn_result *r);
void naryn__summary_add(naryn_summary *acc, const naryn_result *r, int t,
                        int i);
int naryn__sums_add_step(naryn_result *r, int t, naryn_diags *d);
/* report/fit.c: the fit of a run to one observed series: the steps where
** both sim and obs are numbers, and over them the root-mean-square error,
** bias (mean sim - obs), Nash-Sutcliffe and Kling-Gupta (2009)
** efficiencies (NaN when undefined: observations that do not vary, for
** KGE also a run that does not vary or an observed mean of zero) and the
** largest absolute error with its step (the first such, -1 for none). */
typedef struct naryn__fit {
  int observed_steps;
  double rmse, bias, nse, kge, max_abs_error;
  int max_error_step;
} naryn__fit;
void naryn__fit_stats(const double *sim, const double *obs, int n, naryn__fit *out);
/* report/fit.c: keeps a streamed run's values at step t of the observed
** steps (naryn__sums.obs_sim); NARYN_OK or NARYN_ENOMEM. */
int naryn__sums_add_obs(naryn_result *r, int t);
/* report/fit.c: the run's value of every observed series at every step,
** [k * nsteps + t], NaN where a streamed run kept none; NULL when out of
** memory. The caller frees it. */
double *naryn__fit_sim(const naryn_result *r);
/* report/fit.c: fit.csv (a row per observed series) and observed.csv (a
** row per observed step of each series) from r and naryn__fit_sim's sim. */
void naryn__write_fit(const naryn_result *r, const double *sim, naryn__outfile *f);
void naryn__write_observed(const naryn_result *r, const double *sim,
                           naryn__outfile *f);

/* ====================================================================== */
/* report/svg.c: charts drawn as inline SVG                                */
/* ====================================================================== */

/* An axis: the data range rounded out to "nice" ticks (1, 2, 2.5 or 5
** times a power of ten), or for a date axis to whole months or years. */
typedef struct naryn__scale {
  double lo, hi;   /* the axis range: from the first to the last tick, or
                   ** on a date axis the data's own range */
  double first;    /* the first tick */
  double step;     /* between ticks, in axis units (months on a date axis) */
  int nticks;
  int dates;       /* 1: values are months since year 0 (year*12 + month-1) */
  double px_lo, px_hi; /* where lo and hi are drawn */
} naryn__scale;

/* Sets s to cover [min, max] with at most max_ticks ticks (at least 2).
** A single value gets a range around it (0 to 1 for zero). Returns
** NARYN_EARG when min or max is not finite or min > max. */
int naryn__scale_nice(double min, double max, int max_ticks, naryn__scale *s);
/* The same for a date axis over months since year 0: the axis spans the
** data exactly, with ticks on whole months (1, 2, 3 or 6 apart) or on
** Januaries (1, 2, 5, 10... years) inside it. */
int naryn__scale_dates(double min, double max, int max_ticks, naryn__scale *s);
/* Value of tick i. */
double naryn__scale_tick(const naryn__scale *s, int i);
/* Where a value is drawn. */
double naryn__scale_px(const naryn__scale *s, double v);
/* The label of tick value v: as many decimals as the step needs, thousands
** separated by commas, never "-0"; on a date axis "2031" or "2031-04". */
const char *naryn__scale_label(const naryn__scale *s, double v, char *buf,
                               size_t size);

typedef enum naryn__style {
  NARYN__LINE = 0,  /* a line through the points */
  NARYN__DASHED,    /* the same, dashed (limits, targets, demands) */
  NARYN__BARS,      /* one bar per category (category axes only) */
  NARYN__POINTS,    /* markers, with an optional label each */
  NARYN__BAND,      /* a shaded band from y up to y_hi (fan charts) */
  NARYN__STACKED    /* bars stacked in one column per category, in the order
                    ** of the series: positive values up from zero, negative
                    ** ones down from it (category axes only) */
} naryn__style;

typedef struct naryn__series {
  const char *name;       /* in the legend; NULL keeps it out */
  const double *x;        /* n values, or NULL on a category axis */
  const double *y;        /* n values; NaN and infinities are refused */
  int n;
  naryn__style style;
  const char *colour;     /* a CSS colour, or NULL for the palette */
  const char *const *labels; /* POINTS: a label per point, or NULL */
  const double *y_hi;     /* BAND: the upper edge, n values */
  double opacity;         /* BAND: of the fill, 0 for 0.25 */
} naryn__series;

typedef enum naryn__axis {
  NARYN__AXIS_NUMBER = 0, /* x values are numbers */
  NARYN__AXIS_DATE,       /* x values are months since year 0 */
  NARYN__AXIS_CATEGORY    /* y[i] belongs to category i */
} naryn__axis;

typedef struct naryn__chart {
  const char *id;         /* element id, unique in the page */
  const char *title;      /* for screen readers; the page gives a caption */
  const char *x_label, *y_label; /* with units, e.g. "storage, hm3" */
  naryn__axis x_axis;
  const char *const *categories; /* CATEGORY: ncategories labels */
  int ncategories;
  int y_zero;             /* 1: the y axis includes zero */
  const naryn__series *series;
  int nseries;
  int width, height;      /* in CSS pixels; 0 for 760 x 300 */
  int hover_month;        /* DATE: hover titles name months ("2001-03"), not days */
  int y_fixed;            /* 1: the y axis covers y_lo to y_hi as well as the data,
                          ** so that small multiples share one scale */
  double y_lo, y_hi;
} naryn__chart;

/* The palette: colour i (cycling), distinguishable by most colour-blind
** readers. */
const char *naryn__colour(int i);
/* Writes s with &, <, >, " and ' escaped for HTML text and attributes. */
void naryn__html_text(FILE *out, const char *s);
/* Writes chart c as an <svg> element. A value that is not finite is
** refused, naming the chart, the series and the point, and nothing is
** written; empty series draw an empty frame that says so. */
int naryn__chart_svg(FILE *out, const naryn__chart *c, naryn_diags *d);

/* report/hover.c: the values shown on hover, as <title> elements. */
/* Writes v for a reader: 0 to 3 decimals by its size, thousands separated
** by commas from 10,000, never "-0". */
size_t naryn__hover_num(double v, char *buf, size_t size);
/* svg.c: v with 'dec' decimals and thousands separators in its integer
** part from 10,000 up ("12,345.6"), as the axes and hovers print it;
** returns what snprintf returns. */
size_t naryn__group_digits(double v, int dec, char *buf, size_t size);
/* The title of bar i of series k, and of labelled point i of series k. */
void naryn__hover_bar(FILE *out, const naryn__chart *c, int k, int i);
void naryn__hover_point(FILE *out, const naryn__chart *c, int k, int i);
/* 1 when line k of c has one value throughout (a limit): its title, which
** naryn__hover_line writes, says it, and the columns leave it out. */
int naryn__hover_constant(const naryn__chart *c, int k);
void naryn__hover_line(FILE *out, const naryn__chart *c, int k);
/* Transparent columns over the plot, one at each x some line or band has
** a point at (each category), titled with that x and every series' value
** there. */
int naryn__hover_columns(FILE *out, const naryn__chart *c, const naryn__scale *xs,
                         double left, double top, double plot_w, double plot_h,
                         naryn_diags *d);

/* core/interval.c: 95 % confidence intervals of a mean. The 0.975
** quantile of Student's t with df degrees of freedom (NaN below 1); and
** the half width of the interval for the mean of the n values x, t of
** n - 1 degrees of freedom times their standard error (NaN below 2). */
double naryn__t975(int df);
double naryn__half_width95(const double *x, int n);

/* report/distrib.c: duration curves and months' spreads over the years. */
/* The q quantile (0 to 1) of n sorted values, interpolated linearly
** between them; NaN when n is 0. */
double naryn__quantile_sorted(const double *v, int n, double q);
/* The duration curve of v's n values (n > 0; v is sorted in place): at
** npts shares pct[k] of 0 to 100 %, evenly spaced, y[k] is the value
** reached or exceeded in pct[k] % of them (the largest at 0 %, the
** smallest at 100 %). */
void naryn__duration(double *v, int n, int npts, double *pct, double *y);
/* For each month m (0 to 11) of n values v[i] of month month[i]: the
** lowest, the median and the highest, and how many there are (NaN for
** none). NARYN_OK or NARYN_ENOMEM. */
int naryn__month_spread(const double *v, const int *month, int n, double lo[12],
                        double mid[12], double hi[12], int count[12]);

/* report/network.c: the model's network as an SVG diagram, laid out from
** upstream (top) to downstream (bottom). */
typedef struct naryn__net_node {
  const char *name, *type, *country; /* type as in nodes.csv */
  int enabled;
  int colour;             /* palette index of its country, -1 for none */
} naryn__net_node;

typedef struct naryn__net_link {
  int from, to;
  int is_return;          /* a demand's return flow, drawn dashed */
} naryn__net_link;

/* Draws the network; 'countries' names the ncountries colours that nodes'
** 'colour' fields index, for the legend. */
int naryn__network_svg(FILE *out, const char *id, const naryn__net_node *nodes,
                       int nnodes, const naryn__net_link *links, int nlinks,
                       const char *const *countries, int ncountries,
                       naryn_diags *d);

/* ====================================================================== */
/* report/page.c: the parts every page of report.html is made of           */
/* ====================================================================== */

/* A page being drawn into memory; it reaches DIR/report.html only whole,
** by naryn__page_close. */
typedef struct naryn__page {
  FILE *out;
  char *buf;
  size_t len;
  int nfig, ntab;     /* figures and tables drawn so far */
  int totals;         /* 1: the horizon is shorter than a year, and the page's
                      ** figures are totals over it, not yearly means */
  naryn_diags *d;
} naryn__page;

/* Starts a page in memory. NARYN_OK or NARYN_ENOMEM. */
int naryn__page_open(naryn__page *p, naryn_diags *d);
/* The document's head: the Content-Security-Policy that forbids scripts
** and fetching, the style sheet and the escaped title; opens the body. */
void naryn__page_head(naryn__page *p, const char *title);
/* Writes footer#end and the page to DIR/report.html, whole or not at all,
** and frees the page. */
int naryn__page_close(naryn__page *p, const char *dir);
/* Frees a page that will not be written. */
void naryn__page_abort(naryn__page *p);
/* Writes s escaped. */
void naryn__text(naryn__page *p, const char *s);
/* A chart in a figure with an id, a caption and a unit note (or NULL). */
int naryn__figure(naryn__page *p, const naryn__chart *c, const char *caption,
                  const char *unit_note);
/* report/observed_page.c: the section "Observed and simulated" of a run's
** page, from observed.csv (o, NULL for none), whose row r falls on point
** pt[r] of the time axis (-1: outside it), x_at[] the points' dates. */
int naryn__observed_section(naryn__page *p, const naryn__csv *o, const int *pt, int npts,
                            const double *x_at, naryn_diags *d);
/* 1 when o holds a series the section draws (anything but storage). */
int naryn__observed_any(const naryn__csv *o);
/* A data table with an id, in a box that scrolls when it is too wide. */
void naryn__table_open(naryn__page *p, const char *id);
void naryn__table_close(naryn__page *p);
/* A header cell, left-aligned when 'left'; a text cell; a number cell
** with a fixed number of decimals (empty for NaN, never "-0"). */
void naryn__th(naryn__page *p, const char *s, int left);
void naryn__td_text(naryn__page *p, const char *s);
void naryn__td_num(naryn__page *p, double v, int decimals);
/* A row of the header's list: key (markup of ours) and value (escaped). */
void naryn__meta(naryn__page *p, const char *key, const char *value);
/* Reports a results file without the column 'col' in its header:
**   FILE:1:1: error: expected a column "COL" in the header, as naryn writes it
** and returns NARYN_EIO; NARYN_OK when the column is there. */
int naryn__report_need_column(const naryn__csv *t, const char *col,
                              naryn_diags *d);

/* report/guides.c: what a run's report shows of its reservoirs' operating
** rules: the guide curves of zones.csv and the controlling rule of each
** step from nodes.csv's rule column. Its memory is in the arena a. */
typedef struct naryn__report_ops {
  naryn__arena *a;
  int nnodes, nsteps, npts;
  int has_zones;          /* zones.csv was read */
  int *ncurves;           /* [nnodes] guide curves of each reservoir */
  const char ***curve;    /* [nnodes][ncurves] the zone each curve is the top of */
  double ***top_hm3;      /* [nnodes][ncurves][npts] the top at each point's start */
  int **rule;             /* [nnodes][nsteps] index into names, -1 for none;
                          ** NULL for a node whose rules are not kept */
  const char ***names;    /* [nnodes] rule names in the order they first appear */
  int *nnames;
  int *last;              /* [nnodes] the index given last */
} naryn__report_ops;
/* Sets o up for a run's nnodes nodes, nsteps steps and npts points on its
** time axis. NARYN_OK or NARYN_ENOMEM (reported). */
int naryn__ops_init(naryn__report_ops *o, naryn__arena *a, int nnodes, int nsteps,
                    int npts, naryn_diags *d);
/* Keeps the rule named 'name' (empty or NULL: none) for node i in step t. */
int naryn__ops_rule(naryn__report_ops *o, int i, int t, const char *name,
                    naryn_diags *d);
/* Reads the guide curves of zones.csv (z): each step's rows must be the
** first step's curves, of reservoirs of network.csv (is_reservoir, by
** node_names), dated as step_day says (day numbers); step_pt gives the
** point of each step when the axis is by month (else NULL). Errors are
** reported with the file's line and column. */
int naryn__ops_read_zones(naryn__report_ops *o, const naryn__csv *z,
                          const char *const *node_names, const unsigned char *is_reservoir,
                          const long *step_day, const int *step_pt, naryn_diags *d);
/* The same guide curves taken from the model m of the run that writes
** zones.csv, each value as a reader of the file gets it back. */
int naryn__ops_model_zones(naryn__report_ops *o, const naryn_model *m,
                           const int *step_pt, naryn_diags *d);
/* 1 when some step of node i was decided by one of its rules (or its
** target_storage_hm3 or release_m3s), not only by the allocation or by
** being full or empty. */
int naryn__ops_has_rules(const naryn__report_ops *o, int i);
/* The section "Controlling rules": a table for each node with shown[i]
** set, of the steps each rule controlled in each water year; with no node
** shown, only the note that it is not drawn and why (nothing when why is
** NULL). */
int naryn__ops_rules_section(naryn__page *p, const naryn__report_ops *o,
                             const char *const *node_names, const unsigned char *shown,
                             const long *step_day, const char *why);

/* report/share_page.c: the page of a benefit-sharing folder (game.csv,
** share.csv, allocation.csv, exchange.csv and superadditivity.csv, as
** naryn_game_write leaves them), drawn into DIR/report.html from those
** files alone. A missing or malformed file is reported with its line,
** column and field, and nothing is written then. */
int naryn__report_share(const char *dir, naryn_diags *d);
/* report/ensemble_page.c: the report of an ensemble, from its files. */
int naryn__report_ensemble(const char *dir, naryn_diags *d);

/* ====================================================================== */
/* sddp/cuts.c: the cut store of SDDP                                       */
/* ====================================================================== */

/* Per stage t (0 .. n_stages - 1), Benders cuts on the expected future
** cost theta as a function of the state x at the end of the stage
** (n_state numbers): theta >= alpha + beta' x. A cut's outcome is -1 for a
** single cut per iteration, or the outcome (0, 1, ...) whose theta it
** bounds with multi-cut. Cuts keep the order they were added in (index 0
** is the oldest); a new cut is active until a selection says otherwise. */
typedef struct naryn__cuts naryn__cuts;

/* One cut as the store holds it; beta is borrowed, valid until the next
** cut is added to that stage. */
typedef struct naryn__cut {
  double alpha;
  const double *beta; /* n_state slopes */
  int outcome;        /* -1 for single-cut */
  int iteration;      /* the iteration that added it */
  int active;         /* 1 when the stage's LP holds it */
} naryn__cut;

/* An empty store for n_stages stages of n_state state variables, named by
** state_names (copied), whose cuts of one outcome (with multiple cuts)
** name one of n_outcomes, and tied to a model by its fingerprint, which a
** cut file must carry to be read into the store. Returns NARYN_OK,
** NARYN_EARG (fewer than one stage, state or outcome) or NARYN_ENOMEM.
** Free with naryn__cuts_free, which accepts NULL. */
int naryn__cuts_new(int n_stages, int n_state, int n_outcomes, const char *const *state_names,
                    uint64_t fingerprint, naryn__cuts **out, naryn_diags *d);
void naryn__cuts_free(naryn__cuts *c);
int naryn__cuts_stages(const naryn__cuts *c);
int naryn__cuts_states(const naryn__cuts *c);
int naryn__cuts_outcomes(const naryn__cuts *c);
const char *naryn__cuts_state_name(const naryn__cuts *c, int i);
uint64_t naryn__cuts_fingerprint(const naryn__cuts *c);
/* The hash of the stage problems the cuts were made for (the training's
** settings and every stage's LP under every outcome; 0: not known), which
** a cut file of version 3 carries; and the one of the file last read into
** the store (0: none, or a file of an earlier version). A run that
** resumes from a cut log must have its own; a replay may take a policy's
** cuts into a model that has changed (a scenario's). */
void naryn__cuts_set_problem(naryn__cuts *c, uint64_t h);
uint64_t naryn__cuts_problem(const naryn__cuts *c);
void naryn__cuts_set_problem_read(naryn__cuts *c, uint64_t h);
uint64_t naryn__cuts_problem_read(const naryn__cuts *c);
/* Adds a cut (beta copied), active. Returns NARYN_OK, NARYN_ENOMEM, or
** NARYN_EARG without a message when the stage is out of range, the outcome
** is neither -1 nor one of the store's or a number is not finite. */
int naryn__cuts_add(naryn__cuts *c, int stage, int outcome, int iteration, double alpha,
                    const double *beta, naryn_diags *d);
/* The number of cuts of a stage, and cut i of them (0 <= i < count). */
int naryn__cuts_count(const naryn__cuts *c, int stage);
naryn__cut naryn__cuts_get(const naryn__cuts *c, int stage, int i);
/* The number of active cuts of a stage; naryn__cuts_active writes their
** indices, ascending, into idx (room for that many) and returns it. */
int naryn__cuts_active_count(const naryn__cuts *c, int stage);
int naryn__cuts_active(const naryn__cuts *c, int stage, int *idx);
/* The value of the stage's cut set at x for one outcome (-1 for
** single-cut): the largest alpha + beta' x over its active cuts, or
** -HUGE_VAL when it has none. *which (when not NULL) gets the index of the
** cut that gives it, the oldest of equals, or -1. */
double naryn__cuts_value(const naryn__cuts *c, int stage, int outcome, const double *x,
                         int *which);
/* Stores a state point x (copied) that a forward pass visited in the
** stage, for cut selection. Returns NARYN_OK, NARYN_EARG or NARYN_ENOMEM. */
int naryn__cuts_add_point(naryn__cuts *c, int stage, const double *x, naryn_diags *d);
int naryn__cuts_points(const naryn__cuts *c, int stage);
const double *naryn__cuts_point(const naryn__cuts *c, int stage, int p);
/* Cut selection by level-1 dominance for one stage: a cut is active iff it
** is the highest of its outcome's cuts at one of the stage's stored points
** (the oldest of equals); with no point stored every cut is active. The
** same cuts and points give the same active set, bit for bit. Returns
** NARYN_OK, NARYN_EARG (stage out of range) or NARYN_ENOMEM. */
int naryn__cuts_select(naryn__cuts *c, int stage, naryn_diags *d);

/* sddp/replay.c: an SDDP policy replayed through the simulator. Each
** step, before its LP, the simulator asks the policy for the releases of
** the reservoirs it holds as states, from the storage reached and the
** step's inflows, and applies them as forced releases; the simulator then
** applies the exact physics. This is the one call from the simulator up
** to SDDP. */
typedef struct naryn__replay naryn__replay;

/* A replay of policy p (read for model m) in a simulation of m. Returns
** NARYN_OK, NARYN_EARG when p was read for another model, or NARYN_ENOMEM,
** the reason in d. */
int naryn__replay_new(const naryn_model *m, naryn_policy *p, naryn__replay **out,
                      naryn_diags *d);
void naryn__replay_free(naryn__replay *rp);
/* 1 when the policy decides node i's releases. */
int naryn__replay_holds(const naryn__replay *rp, int i);
/* The releases of step t: the policy's stage solved from the storage at
** the start of the step (storage_hm3, per node) and the routed reaches'
** rates (route_m3s, as naryn__routing_states gives them) with the inflows
** of the result r; release_hm3[i] gets the release (hm3 over the step) of
** each node the policy holds, NaN for every other. NARYN_OK, or the
** stage's failure, reported in d. */
int naryn__replay_step(naryn__replay *rp, int t, const double *storage_hm3,
                       const double *route_m3s, const naryn_result *r, double *release_hm3,
                       naryn_diags *d);
/* For policy p with a chain of prices, the states a run of model m goes
** through (*states, one per step: the chain's first state, then each
** drawn from the one before, from random stream 'stream' of 'seed') and
** m with the prices of those states (*priced, a variant of m); both NULL
** for a policy without a chain. NARYN_OK, or NARYN_ENOMEM in d. */
int naryn__replay_prices(const naryn_policy *p, const naryn_model *m, uint64_t seed,
                         uint64_t stream, int **states, naryn_model **priced,
                         naryn_diags *d);
/* The price state of each step the replay's stages take (NULL: the
** first state, for a policy without a chain). */
void naryn__replay_set_prices(naryn__replay *rp, const int *states);

/* sddp/cutfile.c: cuts saved in a binary file with CRC-32 checks, written
** whole or appended an iteration at a time so that a killed run resumes
** (the format is described at the top of the file). Cuts are read back in
** the order written, each stage's after those the store already holds,
** active, bit for bit, and with them the stages' trial states (none from
** a file of version 1). */

/* Writes every cut of c (only the active ones when active_only) and every
** trial state to path as one block, the file replaced whole or not at all. Returns NARYN_OK,
** NARYN_EIO or NARYN_ENOMEM, the reason in d. */
int naryn__cutfile_write(const naryn__cuts *c, const char *path, int active_only,
                         naryn_diags *d);
/* Reads the cuts of path into c. The file must be of c's model (the same
** fingerprint, stages and state names). A torn last block (the file ends
** inside it, or its CRC does not match and nothing follows it) is left
** out with a note; *good_bytes (when not NULL) gets the length of the part
** read. Returns NARYN_OK; NARYN_EIO when it cannot be read; NARYN_ESYNTAX
** when it is not a cut file, of another version, or corrupt (a block
** before the last fails its CRC), naming the byte; NARYN_EMODEL when it is
** of another model; or NARYN_ENOMEM. */
int naryn__cutfile_read(naryn__cuts *c, const char *path, long long *good_bytes,
                        naryn_diags *d);
/* The same for a file written whole (naryn__cutfile_write, a policy's
** cuts.bin), where a torn last block is damage: NARYN_ESYNTAX, naming its
** byte, rather than a note. */
int naryn__cutfile_read_whole(naryn__cuts *c, const char *path, naryn_diags *d);

/* A cut file being appended to, an iteration's cuts at a time. */
typedef struct naryn__cutlog naryn__cutlog;
/* Opens path for appending the cuts of c, which must hold none (else
** NARYN_EARG): an existing file is read into c as naryn__cutfile_read
** does and a torn last block cut off; a missing one is created with its
** header. Returns as naryn__cutfile_read does, or NARYN_EIO. */
int naryn__cutlog_open(naryn__cuts *c, const char *path, naryn__cutlog **out,
                       naryn_diags *d);
/* Appends, as one block for the iteration, every cut and trial state c
** holds that is not yet in the file (no trial state to a file of version
** 1), then flushes and syncs it. Returns NARYN_OK, NARYN_EIO
** or NARYN_ENOMEM. */
int naryn__cutlog_append(naryn__cutlog *l, const naryn__cuts *c, int iteration,
                         naryn_diags *d);
/* Closes the file; accepts NULL. */
void naryn__cutlog_close(naryn__cutlog *l);

#endif /* NARYN_INT_H */
