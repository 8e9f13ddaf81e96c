/*
** members.c: the inflow members of an ensemble, read from a members file.
**
** A members file (doc/ensembles.md) is a CSV table with a column "member"
** (the member's number), a column "date" (its month, YYYY-MM or the first
** or last day of the month) and one column of flows in m3/s per site, a
** site being the name of a column that the model's inflow series read
** ("naryn_m3s"). Each member gives a row per month for the same run of
** consecutive months; its rows are together, in order of month, and the
** members come in increasing order of their numbers.
**
** A file without the column "member" is one member, numbered 0: a
** single series, as "naryn inflows generate" writes one.
**
** The file is read twice. naryn_members_read checks it whole, up front,
** so that a bad cell is reported before hours of simulation, and keeps
** only where each member's rows start (byte offset and line) and how many
** bytes they take; the values are not kept. A member's flows are read
** again, from its offset, when it is simulated (naryn__members_load), by
** the thread that simulates it: memory holds an index of the members, not
** their flows, whatever their number. The second read checks what it
** reads as the first did, in case the file changed in between.
**
** Members may also be drawn from a fit of synthetic inflows
** (naryn_members_generate): each is drawn when it is simulated, by the
** generator, which depends only on the fit, the seed and the member.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

/* The largest member number: nine digits. */
#define MAX_MEMBER_ID 999999999L

const char *naryn__ens_month(long mi, char *buf, size_t size) {
  snprintf(buf, size, "%04ld-%02ld", mi / 12, mi % 12 + 1);
  return buf;
}

/* Reads a member number: digits only, at most MAX_MEMBER_ID. */
static int parse_id(const char *s, long *out) {
  long v = 0;
  int n = 0;
  for (; s[n] >= '0' && s[n] <= '9'; n++) {
    if (n >= 9) return -1;
    v = v * 10 + (s[n] - '0');
  }
  if (n == 0 || s[n] != '\0') return -1;
  *out = v;
  return 0;
}

/* Reads a month: YYYY-MM or its first or last day. Returns the month
** index, or -1. */
static long parse_month(const char *s) {
  int y, mo, dd;
  if (naryn__date_parse(s, strlen(s), 1, &y, &mo, &dd) != 0) return -1;
  if (dd != 1 && dd != naryn__date_month_days(y, mo)) return -1;
  return y * 12L + (mo - 1);
}

/* Reads the flows of the current row into out[site * stride] (out may be
** NULL: only checked). Returns 0, or -1 after reporting the first bad
** cell. */
static int row_flows(const naryn_members *mb, const naryn__csv_stream *s,
                     double *out, size_t stride, naryn_diags *d) {
  for (int j = 0; j < mb->nsites; j++) {
    int c = mb->site_col[j];
    const char *cell = s->cells[c];
    char w[160];
    double v;
    int ok = naryn_parse_number(cell, &v) == NARYN_OK;
    if (ok && v >= 0 && v <= NARYN__MAX_FLOW_M3S) {
      if (out) out[(size_t)j * stride] = v;
      continue;
    }
    snprintf(w, sizeof w, "column \"%s\"", mb->site[j]);
    if (!ok) {
      naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line,
                  s->cell_col[c], w, "expected a flow in m3/s, got \"%.40s\"", cell);
      return -1;
    }
    naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, s->file, s->line, s->cell_col[c], w,
                "expected a flow from 0 to %g m3/s (%s), got %g", NARYN__MAX_FLOW_M3S,
                NARYN__MAX_FLOW_WHY, v);
    return -1;
  }
  return 0;
}

/* Opens the file and finds its columns: member, date and the sites. */
static naryn__csv_stream *open_table(naryn_members *mb, naryn_diags *d) {
  naryn__csv_stream *s = naryn__csv_open(mb->path, mb->a, d);
  if (!s) return NULL;
  mb->member_col = naryn__csv_stream_column(s, "member");
  mb->date_col = naryn__csv_stream_column(s, "date");
  const char *missing = mb->date_col < 0 ? "date" : NULL;
  if (missing) {
    char cols[512];
    size_t used = 0;
    cols[0] = '\0';
    for (int j = 0; j < s->ncols && used < sizeof cols; j++)
      used += (size_t)snprintf(cols + used, sizeof cols - used, "%s%s", j ? ", " : "",
                               s->header[j]);
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, 1, "header",
                "expected a column \"%s\" in a members file (member, date and a "
                "column of flows per site), got columns %s", missing, cols);
    naryn__csv_close(s);
    return NULL;
  }
  mb->nsites = s->ncols - 1 - (mb->member_col >= 0);
  if (mb->nsites < 1) {
    naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, 1, "header",
                "expected a column of flows per site besides member and date, got none");
    naryn__csv_close(s);
    return NULL;
  }
  mb->site = naryn__arena_alloc(mb->a, (size_t)mb->nsites * sizeof *mb->site);
  mb->site_col = naryn__arena_alloc(mb->a, (size_t)mb->nsites * sizeof *mb->site_col);
  mb->site_pos = naryn__arena_alloc(mb->a, (size_t)mb->nsites * sizeof *mb->site_pos);
  if (!mb->site || !mb->site_col || !mb->site_pos) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    naryn__csv_close(s);
    return NULL;
  }
  mb->header_line = s->line;
  for (int j = 0, k = 0; j < s->ncols; j++) {
    if (j == mb->member_col || j == mb->date_col) continue;
    mb->site[k] = s->header[j];
    mb->site_col[k] = j;
    mb->site_pos[k] = s->cell_col[j];
    k++;
  }
  return s;
}

/* Appends member k's place to the index. */
static int index_member(naryn_members *mb, long id, const naryn__csv_stream *s) {
  if (mb->n == mb->cap) {
    long cap = mb->cap ? 2 * mb->cap : 64;
    naryn__member_at *grown = realloc(mb->at, (size_t)cap * sizeof *grown);
    if (!grown) return -1;
    mb->at = grown;
    mb->cap = cap;
  }
  mb->at[mb->n++] = (naryn__member_at){id, s->offset, s->line, 0, 0};
  return 0;
}

/* A member that ended before the first member's last month. */
static int report_short(naryn_members *mb, const naryn__member_at *at, long last,
                        int line, int col, naryn_diags *d) {
  char want[32], got[32];
  return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, mb->path, line, col,
                     "column \"date\"", "expected member %ld to run to %s as member %ld "
                     "does, got its last month %s", at->id,
                     naryn__ens_month(mb->month0 + mb->months - 1, want, sizeof want),
                     mb->at[0].id, naryn__ens_month(last, got, sizeof got));
}

int naryn_members_read(const char *path, naryn_members **out, naryn_diags *d) {
  *out = NULL;
  long mark = naryn__diags_nomem(d);
  naryn_members *mb = calloc(1, sizeof *mb);
  naryn__arena *a = naryn__arena_new();
  if (!mb || !a || !(mb->path = naryn__arena_strdup(a, path))) {
    free(mb);
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  mb->a = a;
  mb->source = mb->path;
  naryn__csv_stream *s = open_table(mb, d);
  int rc = s ? NARYN_OK : NARYN_EIO;
  long month = -1;          /* the last month of the current member */
  int last_line = 0, last_col = 0;
  char w[32], g[32];
  int got;
  while (rc == NARYN_OK && (got = naryn__csv_next(s)) == 1) {
    int single = mb->member_col < 0;
    const char *idc = single ? "0" : s->cells[mb->member_col], *dc = s->cells[mb->date_col];
    int icol = single ? 1 : s->cell_col[mb->member_col], dcol = s->cell_col[mb->date_col];
    long id, mi = parse_month(dc);
    if (parse_id(idc, &id) != 0) {
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, icol,
                       "column \"member\"", "expected a member number (a whole number "
                       "from 0 to %ld), got \"%.40s\"", MAX_MEMBER_ID, idc);
      break;
    }
    if (mi < 0) {
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, dcol,
                       "column \"date\"", "expected a month as YYYY-MM (or its first or "
                       "last day), got \"%.40s\"", dc);
      break;
    }
    naryn__member_at *cur = mb->n ? &mb->at[mb->n - 1] : NULL;
    if (!cur || id != cur->id) {
      if (cur && id < cur->id) {
        rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, icol,
                         "column \"member\"", "expected the members in increasing order, "
                         "each member's rows together, got member %ld after member %ld",
                         id, cur->id);
        break;
      }
      if (cur && mb->n == 1) mb->months = (int)(month - mb->month0 + 1);
      if (cur && month != mb->month0 + mb->months - 1) {
        rc = report_short(mb, cur, month, last_line, last_col, d);
        break;
      }
      if (index_member(mb, id, s) != 0) {
        rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
        break;
      }
      if (mb->n == 1) {
        mb->month0 = mi;
      } else if (mi != mb->month0) {
        rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, dcol,
                         "column \"date\"", "expected member %ld to start in %s as member "
                         "%ld does, got %s", id, naryn__ens_month(mb->month0, w, sizeof w),
                         mb->at[0].id, naryn__ens_month(mi, g, sizeof g));
        break;
      }
    } else if (mi != month + 1) {
      char prev[32];
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, dcol,
                       "column \"date\"", "expected member %ld's month after %s to be %s, "
                       "got %s", id, naryn__ens_month(month, prev, sizeof prev),
                       naryn__ens_month(month + 1, w, sizeof w), naryn__ens_month(mi, g, sizeof g));
      break;
    } else if (mb->n > 1 && mi > mb->month0 + mb->months - 1) {
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, s->file, s->line, dcol,
                       "column \"date\"", "expected member %ld to end in %s as member %ld "
                       "does, got another month, %s", id,
                       naryn__ens_month(mb->month0 + mb->months - 1, w, sizeof w), mb->at[0].id,
                       naryn__ens_month(mi, g, sizeof g));
      break;
    }
    if (row_flows(mb, s, NULL, 0, d) != 0) {
      rc = NARYN_ESYNTAX;
      break;
    }
    month = mi;
    last_line = s->line, last_col = dcol;
    mb->at[mb->n - 1].rows++;
  }
  if (rc == NARYN_OK && got < 0) rc = NARYN_ESYNTAX;
  if (rc == NARYN_OK && mb->n == 0)
    rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, mb->path, mb->header_line, 1,
                     "header", "expected rows of members after the header, got none");
  if (rc == NARYN_OK && mb->n == 1) mb->months = (int)(month - mb->month0 + 1);
  if (rc == NARYN_OK && month != mb->month0 + mb->months - 1)
    rc = report_short(mb, &mb->at[mb->n - 1], month, last_line, last_col, d);
  if (rc == NARYN_OK) {
    /* Each member's rows end where the next one's start; the last one's
    ** end is not known, and it is read in chunks as long as the longest
    ** other member's (or the reader's own, when it is alone). */
    size_t longest = 0;
    for (long k = 0; k + 1 < mb->n; k++) {
      mb->at[k].bytes = (size_t)(mb->at[k + 1].offset - mb->at[k].offset);
      if (mb->at[k].bytes > longest) longest = mb->at[k].bytes;
    }
    mb->at[mb->n - 1].bytes = longest ? longest + 4096 : 0;
    mb->count = mb->n;
    naryn__ens_month(mb->month0, mb->start, sizeof mb->start);
  }
  naryn__csv_close(s);
  if (rc != NARYN_OK) {
    naryn_members_free(mb);
    rc = rc == NARYN_EIO || rc == NARYN_ENOMEM ? rc : NARYN_ESYNTAX;
    return naryn__diags_status(d, mark, rc);
  }
  *out = mb;
  return NARYN_OK;
}

void naryn_members_free(naryn_members *mb) {
  if (!mb) return;
  free(mb->at);
  naryn__arena_free(mb->a);
  free(mb);
}

int naryn_members_keep(naryn_members *mb, long n, naryn_diags *d) {
  if (n < 1)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "members",
                       "expected a number of members of at least 1, got %ld", n);
  if (n > mb->n)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, mb->path, 0, 0, "members",
                       "expected at most the %ld members the file holds, got %ld", mb->n, n);
  mb->count = n;
  return NARYN_OK;
}

long naryn_members_count(const naryn_members *mb) { return mb->count; }

long naryn_members_id(const naryn_members *mb, long k) {
  if (k < 0 || k >= mb->count) return -1;
  return mb->fit ? k : mb->at[k].id;
}

int naryn_members_site_count(const naryn_members *mb) { return mb->nsites; }

const char *naryn_members_site(const naryn_members *mb, int i) {
  return i >= 0 && i < mb->nsites ? mb->site[i] : NULL;
}

const char *naryn_members_start(const naryn_members *mb) { return mb->start; }

int naryn_members_months(const naryn_members *mb) { return mb->months; }

const char *naryn_members_source(const naryn_members *mb) { return mb->source; }

/* ====================================================================== */
/* A member's flows, read again                                            */
/* ====================================================================== */

struct naryn__member_reader {
  const naryn_members *mb;
  naryn__arena *a;
  naryn__csv_stream *s;
};

naryn__member_reader *naryn__members_reader(const naryn_members *mb, naryn_diags *d) {
  naryn__member_reader *rd = calloc(1, sizeof *rd);
  if (!rd || !(rd->a = naryn__arena_new())) {
    free(rd);
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    return NULL;
  }
  rd->mb = mb;
  return rd;
}

void naryn__members_reader_free(naryn__member_reader *rd) {
  if (!rd) return;
  naryn__csv_close(rd->s);
  naryn__arena_free(rd->a);
  free(rd);
}

/* The file no longer holds what naryn_members_read found in it. */
static int changed(const naryn_members *mb, long k, naryn_diags *d) {
  return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, mb->path, mb->at[k].line, 0, NULL,
                     "expected member %ld's rows as they were when the file was first "
                     "read, got other rows: the file changed during the run",
                     mb->at[k].id);
}

int naryn__members_load(naryn__member_reader *rd, long k, double *out, naryn_diags *d) {
  const naryn_members *mb = rd->mb;
  if (mb->fit)
    return naryn_inflow_generate(mb->fit, mb->seed, k, mb->start, mb->months, out, d);
  const naryn__member_at *at = &mb->at[k];
  if (!rd->s) {
    /* The header is checked again. */
    rd->s = naryn__csv_open(mb->path, rd->a, d);
    if (!rd->s) return NARYN_EIO;
    if (rd->s->ncols != mb->nsites + 1 + (mb->member_col >= 0) ||
        naryn__csv_stream_column(rd->s, "member") != mb->member_col ||
        naryn__csv_stream_column(rd->s, "date") != mb->date_col)
      return changed(mb, k, d);
  }
  size_t chunk = at->bytes && at->bytes < 4096 ? 4096 : at->bytes;
  if (naryn__csv_seek(rd->s, at->offset, at->line, chunk, d) != 0) return NARYN_EIO;
  for (int t = 0; t < mb->months; t++) {
    int got = naryn__csv_next(rd->s);
    if (got < 0) return NARYN_EIO;
    long id = 0;
    if (got == 0 ||
        (mb->member_col >= 0 && parse_id(rd->s->cells[mb->member_col], &id) != 0) ||
        id != at->id ||
        parse_month(rd->s->cells[mb->date_col]) != mb->month0 + t)
      return changed(mb, k, d);
    if (row_flows(mb, rd->s, out + t, (size_t)mb->months, d) != 0) return NARYN_EIO;
  }
  return NARYN_OK;
}

int naryn_members_get(const naryn_members *mb, long k, double *out, naryn_diags *d) {
  if (k < 0 || k >= mb->count)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected a member from 0 to %ld, got %ld", mb->count - 1, k);
  naryn__member_reader *rd = naryn__members_reader(mb, d);
  if (!rd) return NARYN_ENOMEM;
  int rc = naryn__members_load(rd, k, out, d);
  naryn__members_reader_free(rd);
  return rc;
}

/* ====================================================================== */
/* Members drawn from a fit                                                */
/* ====================================================================== */

int naryn_members_generate(const naryn_inflow_fit *f, uint64_t seed, long n,
                           const char *start, int months, const char *source,
                           naryn_members **out, naryn_diags *d) {
  *out = NULL;
  int y, mo, dd;
  if (n < 1)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "members",
                       "expected a number of members of at least 1, got %ld", n);
  if (!start || naryn__date_parse(start, strlen(start), 1, &y, &mo, &dd) != 0 || dd != 1 ||
      months < 1)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "members",
                       "expected a first month YYYY-MM and at least 1 month, got \"%.40s\" "
                       "and %d", start ? start : "", months);
  naryn_members *mb = calloc(1, sizeof *mb);
  naryn__arena *a = naryn__arena_new();
  int ns = naryn_inflow_fit_sites(f);
  if (mb && a) {
    mb->a = a;
    mb->site = naryn__arena_alloc(a, ((size_t)ns + 1) * sizeof *mb->site);
    mb->site_pos = naryn__arena_alloc(a, ((size_t)ns + 1) * sizeof *mb->site_pos);
    mb->source = naryn__arena_strdup(a, source ? source : "synthetic inflows");
  }
  int ok = mb && a && mb->site && mb->site_pos && mb->source;
  for (int j = 0; ok && j < ns; j++)
    ok = (mb->site[j] = naryn__arena_strdup(a, naryn_inflow_fit_site(f, j))) != NULL;
  if (!ok) {
    if (mb) mb->a = NULL;
    free(mb);
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  mb->nsites = ns;
  mb->fit = f;
  mb->seed = seed;
  mb->month0 = y * 12L + (mo - 1);
  mb->months = months;
  mb->n = mb->count = n;
  naryn__ens_month(mb->month0, mb->start, sizeof mb->start);
  *out = mb;
  return NARYN_OK;
}
