/*
** cutfile.c: SDDP's cuts in a binary file, checked by CRC-32, written
** whole or appended an iteration at a time so that a run that is killed
** resumes from the cuts it had saved.
**
** The format (version 3). Every number is little-endian whatever the
** machine: integers of 4 bytes (two's complement where signed) and 8,
** IEEE-754 doubles as their 8 bytes. Every CRC field holds zlib's CRC-32
** of all the bytes of the file before it, so the last four bytes of a
** complete file are the CRC-32 of everything before them.
**
**   header   "NARYNCUT"; version; n_state; n_stages; the model's 64-bit
**            fingerprint; (from version 3) the 64-bit hash of the stage
**            problems; the length of the names; CRC; then the n_state
**            state names, each ended by a NUL byte; CRC
**   block    "CUTS"; iteration; the number of cuts k; the number of
**            trial states m; CRC; then k cuts, each stage, outcome (-1
**            for single-cut), iteration, alpha, beta[n_state]; then m
**            trial states, each stage and x[n_state]; CRC
**
** A trial state of stage t is a state at the end of stage t that a
** backward pass made cuts at: reading a policy keeps, by level-1
** dominance, the cuts that are the highest at one of them (cuts.c).
** Version 1, which naryn wrote before, has no m and no trial states in
** its blocks; it is read as it is (its cuts all kept), and a run resuming
** from it appends blocks of version 1. Version 2 has no hash of the stage
** problems, which the fingerprint alone does not tell apart (a model's
** states, not its costs and limits); its blocks are version 3's.
**
** Blocks follow the header, any number of them. A run appends a block an
** iteration, written in one piece and synced, so a run killed while
** writing leaves at most its last block incomplete. The reader takes each
** block whose CRCs match and leaves out, with a note, a last block that
** the file ends inside or whose closing CRC fails with nothing after it; a
** failed CRC anywhere else means the file was damaged, an error naming the
** byte. A file is refused when its fingerprint, stage count or state
** names are not those of the store it is read into (a cut file of another
** model).
*/
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "../naryn_int.h"

#define MAGIC "NARYNCUT"
#define BLOCK_TAG "CUTS"
#define VERSION 3
/* The header before the names, its CRC included, by version; where the
** length of the names is in it. */
#define FIXED_BYTES(version) ((version) >= 3 ? 44 : 36)
#define NAMES_AT(version) ((version) >= 3 ? 36 : 28)
/* A block before its cuts, its CRC included, by version. */
#define BLOCK_HEAD(version) ((version) >= 2 ? 20 : 16)
#define CHUNK (64 * 1024)

/* The largest size of a number of a cut or trial state read back. A cut of
** the built-in model's policy has constants of some 10^10 and slopes of
** some 10^7; the largest a model's limits allow (its prices and energies
** over a cycle discounted by 0.99) are some 10^22. A number of 10^300
** stopped CLP on an assertion when a replay solved the stage; fuzzing
** found no fault with numbers up to this limit. */
#define NUMBER_MAX 1e30

static int sane(double x) { return isfinite(x) && fabs(x) <= NUMBER_MAX; }

static size_t cut_bytes(int n_state) { return 12 + 8 * (size_t)(n_state + 1); }
static size_t point_bytes(int n_state) { return 4 + 8 * (size_t)n_state; }

static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void put64(unsigned char *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const unsigned char *p) {
  return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}
static void put_double(unsigned char *p, double x) {
  uint64_t v;
  memcpy(&v, &x, sizeof v);
  put64(p, v);
}
static double get_double(const unsigned char *p) {
  uint64_t v = get64(p);
  double x;
  memcpy(&x, &v, sizeof x);
  return x;
}
static uint32_t crc_of(uint32_t crc, const unsigned char *p, size_t n) {
  return (uint32_t)crc32_z(crc, p, (z_size_t)n);
}

/* ====================================================================== */
/* Writing                                                                 */
/* ====================================================================== */

/* Bytes on their way to a result file (whole writes) or to a file
** descriptor (appends), with the CRC-32 of all those passed so far. */
typedef struct sink {
  naryn__outfile *of;
  int fd;
  int version; /* of the blocks written: the file's */
  uint32_t crc;
  int err; /* the first errno of a write to fd */
  size_t len;
  unsigned char buf[CHUNK];
} sink;

static void sink_flush(sink *s) {
  s->crc = crc_of(s->crc, s->buf, s->len);
  if (s->of) {
    naryn__outfile_write(s->of, (const char *)s->buf, s->len);
  } else {
    for (size_t off = 0; off < s->len && !s->err;) {
      ssize_t w = write(s->fd, s->buf + off, s->len - off);
      if (w < 0 && errno != EINTR) s->err = errno;
      if (w > 0) off += (size_t)w;
    }
  }
  s->len = 0;
}

/* Room for n bytes (n <= CHUNK) at the end of the buffer. */
static unsigned char *sink_room(sink *s, size_t n) {
  if (s->len + n > CHUNK) sink_flush(s);
  unsigned char *p = s->buf + s->len;
  s->len += n;
  return p;
}

/* The CRC field: the CRC-32 of every byte before it. */
static void sink_crc(sink *s) {
  uint32_t crc = crc_of(s->crc, s->buf, s->len);
  put32(sink_room(s, 4), crc);
}

static void put_header(sink *s, const naryn__cuts *c) {
  int n = naryn__cuts_states(c);
  size_t names = 0;
  for (int i = 0; i < n; i++) names += strlen(naryn__cuts_state_name(c, i)) + 1;
  unsigned char *p = sink_room(s, FIXED_BYTES(VERSION) - 4);
  memcpy(p, MAGIC, 8);
  put32(p + 8, VERSION);
  put32(p + 12, (uint32_t)n);
  put32(p + 16, (uint32_t)naryn__cuts_stages(c));
  put64(p + 20, naryn__cuts_fingerprint(c));
  put64(p + 28, naryn__cuts_problem(c));
  put32(p + NAMES_AT(VERSION), (uint32_t)names);
  sink_crc(s);
  for (int i = 0; i < n; i++) {
    const char *name = naryn__cuts_state_name(c, i);
    size_t len = strlen(name) + 1;
    while (len > 0) {
      size_t k = len < CHUNK ? len : CHUNK;
      memcpy(sink_room(s, k), name, k);
      name += k;
      len -= k;
    }
  }
  sink_crc(s);
}

/* A block of the cuts of each stage t from from[t] (0 when from is NULL)
** on, only the active ones when active_only, and (from version 2) of its
** trial states from pfrom[t] on. */
static void put_block(sink *s, const naryn__cuts *c, const int *from, const int *pfrom,
                      int active_only, int iteration) {
  int n = naryn__cuts_states(c), count = 0, points = 0;
  for (int t = 0; t < naryn__cuts_stages(c); t++) {
    count += active_only ? naryn__cuts_active_count(c, t)
                         : naryn__cuts_count(c, t) - (from ? from[t] : 0);
    points += naryn__cuts_points(c, t) - (pfrom ? pfrom[t] : 0);
  }
  unsigned char *p = sink_room(s, BLOCK_HEAD(s->version) - 4);
  memcpy(p, BLOCK_TAG, 4);
  put32(p + 4, (uint32_t)iteration);
  put32(p + 8, (uint32_t)count);
  if (s->version >= 2) put32(p + 12, (uint32_t)points);
  sink_crc(s);
  for (int t = 0; t < naryn__cuts_stages(c); t++)
    for (int i = from ? from[t] : 0; i < naryn__cuts_count(c, t); i++) {
      naryn__cut cut = naryn__cuts_get(c, t, i);
      if (active_only && !cut.active) continue;
      unsigned char *q = sink_room(s, cut_bytes(n));
      put32(q, (uint32_t)t);
      put32(q + 4, (uint32_t)cut.outcome);
      put32(q + 8, (uint32_t)cut.iteration);
      put_double(q + 12, cut.alpha);
      for (int j = 0; j < n; j++) put_double(q + 20 + 8 * (size_t)j, cut.beta[j]);
    }
  for (int t = 0; t < naryn__cuts_stages(c) && s->version >= 2; t++)
    for (int k = pfrom ? pfrom[t] : 0; k < naryn__cuts_points(c, t); k++) {
      const double *x = naryn__cuts_point(c, t, k);
      unsigned char *q = sink_room(s, point_bytes(n));
      put32(q, (uint32_t)t);
      for (int j = 0; j < n; j++) put_double(q + 4 + 8 * (size_t)j, x[j]);
    }
  sink_crc(s);
}

int naryn__cutfile_write(const naryn__cuts *c, const char *path, int active_only,
                         naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  if (cut_bytes(naryn__cuts_states(c)) > CHUNK) return NARYN_EARG;
  sink *s = calloc(1, sizeof *s);
  if (!s)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  s->version = VERSION;
  s->of = naryn__outfile_open(path, d);
  if (!s->of) {
    free(s);
    return naryn__diags_status(d, mark, NARYN_EIO);
  }
  int last = 0;
  for (int t = 0; t < naryn__cuts_stages(c); t++)
    for (int i = 0; i < naryn__cuts_count(c, t); i++) {
      int it = naryn__cuts_get(c, t, i).iteration;
      if (it > last) last = it;
    }
  put_header(s, c);
  put_block(s, c, NULL, NULL, active_only, last);
  sink_flush(s);
  int rc = naryn__outfile_commit(s->of, d);
  free(s);
  return naryn__diags_status(d, mark, rc);
}

/* ====================================================================== */
/* Reading                                                                 */
/* ====================================================================== */

typedef struct reader {
  FILE *f;
  const char *path;
  long long off, size; /* bytes read so far; the file's length */
  uint32_t crc;        /* of the bytes read so far */
  int version;         /* the file's */
  int whole;           /* 1: a file written whole, which no block may end short */
  naryn_diags *d;
} reader;

/* Reads up to n bytes, adding them to the CRC; returns how many came. */
static size_t take(reader *r, unsigned char *p, size_t n) {
  size_t got = fread(p, 1, n, r->f);
  r->crc = crc_of(r->crc, p, got);
  r->off += (long long)got;
  return got;
}

static int truncated(reader *r) {
  return naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                     "truncated header: the file ends at byte %lld", r->off);
}

/* Reads a CRC field and checks it against the bytes before it: NARYN_OK,
** or 1 when the file ends first, or 2 when it does not match (*want and
** *got then hold the two). */
static int check_crc(reader *r, uint32_t *want, uint32_t *got) {
  unsigned char b[4];
  *want = r->crc;
  if (take(r, b, 4) < 4) return 1;
  *got = get32(b);
  return *got == *want ? NARYN_OK : 2;
}

static int corrupt_crc(reader *r, uint32_t want, uint32_t got) {
  return naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                     "corrupt at byte %lld: expected the CRC-32 of the bytes before it, "
                     "%08lx, got %08lx",
                     r->off - 4, (unsigned long)want, (unsigned long)got);
}

/* The header, checked against the store's model. */
static int read_header(reader *r, naryn__cuts *c) {
  unsigned char h[FIXED_BYTES(VERSION)];
  size_t got = take(r, h, 8);
  if (memcmp(h, MAGIC, got) != 0)
    return naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                       "not a cut file: expected \"%s\" at its start", MAGIC);
  if (got < 8 || take(r, h + 8, 4) < 4) return truncated(r);
  uint32_t version = get32(h + 8);
  if (version < 1 || version > VERSION)
    return naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                       "expected a cut file of version 1 to %d, got version %lu", VERSION,
                       (unsigned long)version);
  r->version = (int)version;
  size_t fixed = (size_t)FIXED_BYTES(r->version);
  if (take(r, h + 12, fixed - 16) < fixed - 16) return truncated(r);
  uint32_t want, crc;
  int rc = check_crc(r, &want, &crc);
  if (rc == 1) return truncated(r);
  if (rc) return corrupt_crc(r, want, crc);
  uint32_t n_state = get32(h + 12), n_stages = get32(h + 16);
  uint32_t names = get32(h + NAMES_AT(r->version));
  uint64_t fp = get64(h + 20);
  naryn__cuts_set_problem_read(c, r->version >= 3 ? get64(h + 28) : 0);
  int bad = 0;
  if (n_state != (uint32_t)naryn__cuts_states(c))
    bad = naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                      "expected cuts of %d state variables, got %lu",
                      naryn__cuts_states(c), (unsigned long)n_state);
  if (n_stages != (uint32_t)naryn__cuts_stages(c))
    bad = naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                      "expected cuts of %d stages, got %lu", naryn__cuts_stages(c),
                      (unsigned long)n_stages);
  if (fp != naryn__cuts_fingerprint(c))
    bad = naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                      "expected the cuts of this model (fingerprint %016llx), got those "
                      "of another (%016llx)",
                      (unsigned long long)naryn__cuts_fingerprint(c), (unsigned long long)fp);
  if (bad) return bad;
  if ((long long)names > r->size - r->off) {
    r->off = r->size;
    return truncated(r);
  }
  unsigned char *text = malloc((size_t)names + 1);
  if (!text)
    return naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  long long at = r->off;
  if (take(r, text, names) < names) {
    free(text);
    return truncated(r);
  }
  rc = check_crc(r, &want, &crc);
  if (rc) {
    free(text);
    return rc == 1 ? truncated(r) : corrupt_crc(r, want, crc);
  }
  /* The names, each ended by a NUL, compared with the store's. */
  text[names] = '\0';
  size_t pos = 0;
  for (int i = 0; i < (int)n_state && !bad; i++) {
    const char *name = (const char *)text + pos;
    if (pos >= names) name = "";
    if (strcmp(name, naryn__cuts_state_name(c, i)) != 0)
      bad = naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                        "state %d at byte %lld: expected \"%s\", got \"%s\"", i + 1,
                        at + (long long)pos, naryn__cuts_state_name(c, i), name);
    pos += strlen(name) + 1;
  }
  free(text);
  return bad;
}

/* A torn last block: in a log, a note, its cuts left out (NARYN_OK); in a
** file written whole, an error (NARYN_ESYNTAX), since its cuts would be
** missing from the policy read. */
static int torn(reader *r, long long at, const char *why) {
  if (r->whole)
    return naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                       "damaged at byte %lld: expected a whole file, as a policy's cuts are "
                       "written, but the block there is incomplete (%s): the file was cut "
                       "short or changed after it was written; train the policy again or "
                       "copy its folder anew",
                       at, why);
  naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_NOTE, r->path, 0, 0, NULL,
              "the last block, at byte %lld, is incomplete (%s) and was left out; the "
              "blocks before it were read",
              at, why);
  return NARYN_OK;
}

/* Reads the blocks into c; *good gets the bytes up to the end of the last
** block read, *crc their CRC. */
static int read_blocks(reader *r, naryn__cuts *c, long long *good, uint32_t *crc) {
  int n = naryn__cuts_states(c), head = BLOCK_HEAD(r->version);
  size_t per = cut_bytes(n), pper = point_bytes(n);
  unsigned char *buf = NULL;
  size_t cap = 0;
  long blocks = 0;
  double *beta = malloc((size_t)n * sizeof *beta);
  int rc = beta ? NARYN_OK
                : naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                              "out of memory");
  while (rc == NARYN_OK) {
    *good = r->off;
    *crc = r->crc;
    unsigned char h[BLOCK_HEAD(VERSION)];
    size_t got = take(r, h, (size_t)head - 4);
    if (got == 0 && r->whole && blocks == 0)
      rc = naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                       "damaged at byte %lld: expected a block of cuts after the header, as "
                       "a policy's cuts are written, but the file ends there: it was cut "
                       "short after it was written; train the policy again or copy its "
                       "folder anew",
                       *good);
    if (got == 0) break; /* the end of the file after a whole block */
    blocks++;
    if (memcmp(h, BLOCK_TAG, got < 4 ? got : 4) != 0) {
      rc = naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                       "corrupt at byte %lld: expected \"%s\", the start of a block of cuts",
                       *good, BLOCK_TAG);
      break;
    }
    uint32_t want, stored;
    int crc_rc = got < (size_t)head - 4 ? 1 : check_crc(r, &want, &stored);
    if (crc_rc == 1) {
      rc = torn(r, *good, "the file ends inside it");
      break;
    }
    if (crc_rc) {
      rc = corrupt_crc(r, want, stored);
      break;
    }
    uint32_t count = get32(h + 8), points = r->version >= 2 ? get32(h + 12) : 0;
    if ((long long)count * (long long)per + (long long)points * (long long)pper + 4 >
        r->size - r->off) {
      rc = torn(r, *good, "the file ends inside it");
      break;
    }
    size_t cuts_body = (size_t)count * per, body = cuts_body + (size_t)points * pper;
    if (body > cap) {
      unsigned char *p = realloc(buf, body);
      if (!p) {
        rc = naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "out of memory");
        break;
      }
      buf = p;
      cap = body;
    }
    take(r, buf, body);
    crc_rc = check_crc(r, &want, &stored);
    if (crc_rc && r->off >= r->size) {
      rc = torn(r, *good, "its CRC-32 does not match");
      break;
    }
    if (crc_rc) {
      rc = corrupt_crc(r, want, stored);
      break;
    }
    /* Checked whole before any cut is added. */
    for (uint32_t k = 0; k < count; k++) {
      const unsigned char *q = buf + k * per;
      int32_t outcome = (int32_t)get32(q + 4);
      int ok = get32(q) < (uint32_t)naryn__cuts_stages(c) && outcome >= -1 &&
               outcome < naryn__cuts_outcomes(c);
      for (int j = 0; j <= n && ok; j++) ok = sane(get_double(q + 12 + 8 * (size_t)j));
      if (!ok) {
        rc = naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                         "corrupt at byte %lld: expected a stage from 0 to %d, an outcome "
                         "from -1 to %d and numbers of at most %g in size",
                         *good + head + (long long)(k * per), naryn__cuts_stages(c) - 1,
                         naryn__cuts_outcomes(c) - 1, NUMBER_MAX);
        break;
      }
    }
    for (uint32_t k = 0; k < points && rc == NARYN_OK; k++) {
      const unsigned char *q = buf + cuts_body + k * pper;
      int ok = get32(q) < (uint32_t)naryn__cuts_stages(c);
      for (int j = 0; j < n && ok; j++) ok = sane(get_double(q + 4 + 8 * (size_t)j));
      if (!ok)
        rc = naryn__diag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, r->path, 0, 0, NULL,
                         "corrupt at byte %lld: expected a trial state of a stage from 0 to "
                         "%d, of numbers of at most %g in size",
                         *good + head + (long long)(cuts_body + k * pper),
                         naryn__cuts_stages(c) - 1, NUMBER_MAX);
    }
    for (uint32_t k = 0; k < count && rc == NARYN_OK; k++) {
      const unsigned char *q = buf + k * per;
      for (int j = 0; j < n; j++) beta[j] = get_double(q + 20 + 8 * (size_t)j);
      rc = naryn__cuts_add(c, (int)get32(q), (int32_t)get32(q + 4), (int32_t)get32(q + 8),
                           get_double(q + 12), beta, r->d);
    }
    for (uint32_t k = 0; k < points && rc == NARYN_OK; k++) {
      const unsigned char *q = buf + cuts_body + k * pper;
      for (int j = 0; j < n; j++) beta[j] = get_double(q + 4 + 8 * (size_t)j);
      rc = naryn__cuts_add_point(c, (int)get32(q), beta, r->d);
    }
  }
  free(buf);
  free(beta);
  return rc;
}

/* Reads path into c; *good and *crc as read_blocks gives them, *version
** the file's. */
static int read_file(naryn__cuts *c, const char *path, int whole, long long *good,
                     uint32_t *crc, int *version, naryn_diags *d) {
  reader r = {.path = path, .whole = whole, .d = d};
  r.crc = crc_of(0, NULL, 0);
  /* A pipe or a device would be waited on, or read but once. */
  struct stat first;
  if (stat(path, &first) == 0 && !S_ISREG(first.st_mode) && !S_ISDIR(first.st_mode))
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot read: expected a regular file of cuts, got a pipe or a "
                       "device");
  r.f = fopen(path, "rb");
  struct stat st;
  if (!r.f || fstat(fileno(r.f), &st) != 0 || S_ISDIR(st.st_mode)) {
    int err = r.f && S_ISDIR(st.st_mode) ? EISDIR : errno;
    if (r.f) fclose(r.f);
    return naryn__diag(d, err == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0,
                       NULL, "cannot read: %s", strerror(err));
  }
  r.size = (long long)st.st_size;
  setvbuf(r.f, NULL, _IOFBF, CHUNK);
  int rc = read_header(&r, c);
  if (rc == NARYN_OK) rc = read_blocks(&r, c, good, crc);
  *version = r.version;
  if (rc == NARYN_OK && ferror(r.f))
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL, "cannot read: %s",
                     strerror(EIO));
  fclose(r.f);
  return rc;
}

/* Reads path into c, whole or as a log (read_file), as the two readers
** below do. */
static int read_checked(naryn__cuts *c, const char *path, int whole, long long *good_bytes,
                        naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  long long good = 0;
  uint32_t crc;
  int version;
  int rc = read_file(c, path, whole, &good, &crc, &version, d);
  if (good_bytes) *good_bytes = good;
  return naryn__diags_status(d, mark, rc);
}

int naryn__cutfile_read(naryn__cuts *c, const char *path, long long *good_bytes,
                        naryn_diags *d) {
  return read_checked(c, path, 0, good_bytes, d);
}

int naryn__cutfile_read_whole(naryn__cuts *c, const char *path, naryn_diags *d) {
  return read_checked(c, path, 1, NULL, d);
}

/* ====================================================================== */
/* Appending                                                               */
/* ====================================================================== */

struct naryn__cutlog {
  char *path;
  int *written; /* per stage, the cuts already in the file */
  int *points;  /* per stage, the trial states already in the file */
  sink s;
};

static int cannot_write(naryn__cutlog *l, int err, naryn_diags *d) {
  return naryn__diag(d, err == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, NARYN_SEV_ERROR, l->path, 0,
                     0, NULL, "cannot write: %s", strerror(err));
}

/* Syncs the folder of path, so that a file just made stays after a
** crash; failures are not reported (the file itself is synced). */
static void sync_folder(const char *path) {
  const char *slash = strrchr(path, '/');
  char dir[4096];
  if (!slash) snprintf(dir, sizeof dir, ".");
  else snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
  int fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

/* Takes the log's lock, held while its descriptor is open, so that two
** runs given the same file do not write over each other's blocks. A file
** system without such locks is written without. */
static int lock_log(naryn__cutlog *l, naryn_diags *d) {
  if (flock(l->s.fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) return NARYN_OK;
  return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, l->path, 0, 0, NULL,
                     "cannot write: another process is writing to it (a naryn sddp given "
                     "the same --cut-log); wait for it to end or give another file");
}

int naryn__cutlog_open(naryn__cuts *c, const char *path, naryn__cutlog **out,
                       naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  *out = NULL;
  int stages = naryn__cuts_stages(c);
  for (int t = 0; t < stages; t++)
    if (naryn__cuts_count(c, t)) return NARYN_EARG;
  if (cut_bytes(naryn__cuts_states(c)) > CHUNK) return NARYN_EARG;
  naryn__cutlog *l = calloc(1, sizeof *l);
  size_t len = strlen(path) + 1;
  if (l) l->path = malloc(len);
  if (l && l->path) l->written = calloc(2 * (size_t)stages, sizeof *l->written);
  if (!l || !l->path || !l->written) {
    naryn__cutlog_close(l);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  memcpy(l->path, path, len);
  l->points = l->written + stages;
  l->s.fd = -1;
  l->s.version = VERSION;
  int rc = NARYN_OK;
  struct stat st;
  if (stat(path, &st) == 0) {
    long long good = 0;
    uint32_t crc = 0;
    /* Locked before it is read: a run writing it may be mid-block. A pipe
    ** or a device is left to the reader, which refuses it. */
    if (S_ISREG(st.st_mode)) {
      if ((l->s.fd = open(path, O_WRONLY)) < 0) rc = cannot_write(l, errno, d);
      else rc = lock_log(l, d);
    }
    if (rc == NARYN_OK) rc = read_file(c, path, 0, &good, &crc, &l->s.version, d);
    if (rc == NARYN_OK && fstat(l->s.fd, &st) != 0) rc = cannot_write(l, errno, d);
    if (rc == NARYN_OK && good < (long long)st.st_size && ftruncate(l->s.fd, (off_t)good) != 0)
      rc = cannot_write(l, errno, d);
    if (rc == NARYN_OK && lseek(l->s.fd, (off_t)good, SEEK_SET) < 0)
      rc = cannot_write(l, errno, d);
    l->s.crc = crc;
    for (int t = 0; t < stages; t++) {
      l->written[t] = naryn__cuts_count(c, t);
      l->points[t] = naryn__cuts_points(c, t);
    }
  } else if (errno != ENOENT) {
    rc = cannot_write(l, errno, d);
  } else if ((l->s.fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0666)) < 0) {
    rc = cannot_write(l, errno, d);
  } else if ((rc = lock_log(l, d)) != NARYN_OK) {
    /* Another run opened the file just made before this one locked it. */
  } else {
    l->s.crc = crc_of(0, NULL, 0);
    put_header(&l->s, c);
    sink_flush(&l->s);
    if (!l->s.err && fsync(l->s.fd) != 0) l->s.err = errno;
    if (l->s.err) rc = cannot_write(l, l->s.err, d);
    else sync_folder(path);
  }
  if (rc != NARYN_OK) {
    naryn__cutlog_close(l);
    return naryn__diags_status(d, mark, rc);
  }
  *out = l;
  return NARYN_OK;
}

int naryn__cutlog_append(naryn__cutlog *l, const naryn__cuts *c, int iteration,
                         naryn_diags *d) {
  if (l->s.err) return cannot_write(l, l->s.err, d);
  put_block(&l->s, c, l->written, l->points, 0, iteration);
  sink_flush(&l->s);
  if (!l->s.err && fsync(l->s.fd) != 0) l->s.err = errno;
  if (l->s.err) return cannot_write(l, l->s.err, d);
  for (int t = 0; t < naryn__cuts_stages(c); t++) {
    l->written[t] = naryn__cuts_count(c, t);
    l->points[t] = naryn__cuts_points(c, t);
  }
  return NARYN_OK;
}

void naryn__cutlog_close(naryn__cutlog *l) {
  if (!l) return;
  if (l->s.fd >= 0) close(l->s.fd);
  free(l->path);
  free(l->written);
  free(l);
}
