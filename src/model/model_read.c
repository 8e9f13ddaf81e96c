/*
** model_read.c: turns a parsed model document into a naryn_model.
**
** A model file (JSON or YAML) holds a horizon, an optional list of
** countries, the nodes and the links of a network. Reading resolves every
** time-varying field (a constant, twelve monthly values, or a CSV column)
** to one value per step of the horizon, looks up node names, and records
** the document node of every element so that later checks can point at the
** exact line and column of a field. This file checks types and structure:
** a field of the wrong kind, an unknown field, a missing field, a name that
** does not exist. Value ranges and network rules are checked in
** model_check.c. The optional "currency" and "objectives" fields are read
** by objective.c, with the helpers this file shares through naryn_int.h.
**
** Scenario files are documents of the same shape merged over the model
** before it is read (naryn__doc_merge), so a scenario can change any field
** of any element, or add elements, without code.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../naryn_int.h"

/* A CSV file read once however many fields name it (once for each
** delimiter they declare). */
struct naryn__read_csv {
  const char *path;
  char delim;        /* the delimiter asked for, 0 for the one found */
  naryn__csv *table; /* NULL when it could not be read */
};

/* The reading state (naryn_int.h), by its short name in this file. */
typedef naryn__reader reader;

static const char *const type_names[NARYN_NODE_TYPE_COUNT] = {
    "inflow", "reservoir", "hydropower", "junction", "demand", "min_flow",
    "sink"};

const char *naryn_node_type_name(naryn_node_type t) {
  return (t >= 0 && t < NARYN_NODE_TYPE_COUNT) ? type_names[t] : "unknown";
}

/* ====================================================================== */
/* Messages                                                                */
/* ====================================================================== */

/* Reports an error at a document node (or at no place when 'at' is NULL)
** and marks the read as failed. Returns -1. */
static int vfail(reader *r, const naryn__doc *at, const char *where,
                 const char *fmt, va_list ap) {
  naryn__vdiag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at ? at->file : r->m->path,
               at ? at->line : 0, at ? at->col : 0, where, fmt, ap);
  r->failed = 1;
  return -1;
}

/* The same with the message's arguments given directly. */
static int fail(reader *r, const naryn__doc *at, const char *where,
                const char *fmt, ...) NARYN__PRINTF(4, 5);
static int fail(reader *r, const naryn__doc *at, const char *where,
                const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(r, at, where, fmt, ap);
  va_end(ap);
  return -1;
}

/* Reports that the program ran out of memory. Returns -1. */
static int oom(reader *r) {
  naryn__diag(r->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
              "out of memory while reading the model");
  r->failed = 1;
  return -1;
}

const char *naryn__node_where(const naryn__node *n, const char *field,
                              char *buf, size_t size) {
  if (field)
    snprintf(buf, size, "%s \"%s\".%s", naryn_node_type_name(n->type),
             n->name, field);
  else
    snprintf(buf, size, "%s \"%s\"", naryn_node_type_name(n->type), n->name);
  return buf;
}

const char *naryn__link_where(const naryn__link *l, const char *field,
                              char *buf, size_t size) {
  if (field)
    snprintf(buf, size, "link \"%s\".%s", l->name, field);
  else
    snprintf(buf, size, "link \"%s\"", l->name);
  return buf;
}

const naryn__doc *naryn__field_pos(const naryn__doc *obj, const char *field) {
  const naryn__doc *v = naryn__doc_get(obj, field);
  return v ? v : obj;
}

/* Joins a prefix and a field name into a "where" string. */
static const char *at_field(char *buf, size_t size, const char *prefix,
                            const char *field) {
  /* A long where is cut short; the position still points at the field. */
  if (snprintf(buf, size, "%s.%s", prefix, field) >= (int)size)
    buf[size - 1] = '\0';
  return buf;
}

/* Reports every key of 'obj' that is not in the NULL-terminated list
** 'allowed', suggesting the closest allowed key when one is near. A key
** set to null counts as absent, as everywhere: a scenario that changes a
** rule's type removes the fields of the old type that way. */
static void check_keys(reader *r, const naryn__doc *obj, const char *prefix,
                       const char *const *allowed) {
  for (int i = 0; i < obj->n; i++) {
    const char *k = obj->keys[i]->str;
    if (obj->vals && obj->vals[i] && naryn__doc_is_null(obj->vals[i])) continue;
    int known = 0, best = 99;
    const char *near = NULL;
    for (int j = 0; allowed[j] && !known; j++) known = strcmp(k, allowed[j]) == 0;
    /* Distances are measured only for a key that is not known. */
    for (int j = 0; allowed[j] && !known; j++) {
      int dist = naryn__edit_distance(k, allowed[j]);
      if (dist < best) {
        best = dist;
        near = allowed[j];
      }
    }
    if (known) continue;
    char list[512] = "";
    size_t used = 0;
    for (int j = 0; allowed[j] && used < sizeof list; j++)
      used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
                               j ? ", " : "", allowed[j]);
    if (near && best <= 3)
      fail(r, obj->keys[i], prefix,
           "expected a known field, got unknown field \"%s\" (did you mean "
           "\"%s\"?)", k, near);
    else
      fail(r, obj->keys[i], prefix,
           "expected one of the fields %s, got unknown field \"%s\"", list, k);
  }
}

/* ====================================================================== */
/* Scalars                                                                 */
/* ====================================================================== */

/* The value of a field, or NULL when it is absent or null: a scenario file
** removes a field of the model by setting it to null. */
static const naryn__doc *get(const naryn__doc *obj, const char *key) {
  const naryn__doc *v = naryn__doc_get(obj, key);
  return (v && naryn__doc_is_null(v)) ? NULL : v;
}

/* Converts a scalar into the value behind 'out'; 0 on success. */
typedef int (*convert_fn)(const naryn__doc *v, void *out);

static int to_number(const naryn__doc *v, void *out) { return naryn__doc_number(v, out); }
static int to_bool(const naryn__doc *v, void *out) { return naryn__doc_bool(v, out); }

/* Reads an optional field with a converter. Returns 1 when the field is
** absent (and leaves *out), 0 when read, -1 after reporting that it is not
** what 'expect' says. */
static int opt_value(reader *r, const naryn__doc *obj, const char *key,
                     const char *prefix, convert_fn convert, void *out,
                     const char *expect) {
  const naryn__doc *v = get(obj, key);
  if (!v) return 1;
  if (convert(v, out) == 0) return 0;
  char w[256], got[128];
  return fail(r, v, at_field(w, sizeof w, prefix, key), "expected %s, got %s",
              expect, naryn__doc_describe(v, got, sizeof got));
}

static int opt_number(reader *r, const naryn__doc *obj, const char *key,
                      const char *prefix, double *out) {
  return opt_value(r, obj, key, prefix, to_number, out, "a number");
}

/* Reads an optional priority, a whole number from 1 to
** NARYN__PRIORITY_MAX; anything else is reported with that range. */
static int opt_priority(reader *r, const naryn__doc *obj, const char *key,
                        const char *prefix, int *out) {
  const naryn__doc *v = get(obj, key);
  double x;
  if (!v) return 1;
  if (naryn__doc_number(v, &x) == 0 && x == floor(x) && x >= 1 &&
      x <= NARYN__PRIORITY_MAX) {
    *out = (int)x;
    return 0;
  }
  char w[256], got[128];
  return fail(r, v, at_field(w, sizeof w, prefix, key),
              "expected a priority from 1 (served first) to %d, got %s",
              NARYN__PRIORITY_MAX,
              naryn__doc_number(v, &x) == 0
                  ? (snprintf(got, sizeof got, "%g", x), got)
                  : naryn__doc_describe(v, got, sizeof got));
}

static int opt_bool(reader *r, const naryn__doc *obj, const char *key,
                    const char *prefix, int *out) {
  return opt_value(r, obj, key, prefix, to_bool, out, "true or false");
}

/* Reads a number field that must be present. */
static int req_number(reader *r, const naryn__doc *obj, const char *key,
                      const char *prefix, const char *unit, double *out) {
  int rc = opt_number(r, obj, key, prefix, out);
  if (rc != 1) return rc;
  return fail(r, obj, prefix, "expected a field \"%s\" (%s), got none", key,
              unit);
}

/* Reads an optional string field (any scalar that is not null) into *out,
** copied into the model's arena. Returns 1, 0 or -1 as opt_number. */
static int opt_string(reader *r, const naryn__doc *obj, const char *key,
                      const char *prefix, const char **out) {
  const naryn__doc *v = get(obj, key);
  if (!v) return 1;
  if (v->kind != NARYN__DOC_SCALAR) {
    char w[256], got[128];
    return fail(r, v, at_field(w, sizeof w, prefix, key),
                "expected a string, got %s",
                naryn__doc_describe(v, got, sizeof got));
  }
  *out = naryn__arena_strndup(r->a, v->str, v->len);
  return *out ? 0 : oom(r);
}

/* ====================================================================== */
/* Horizon                                                                 */
/* ====================================================================== */

/* Reads a date value of the horizon. Monthly horizons take "YYYY-MM" or
** the first of a month; daily horizons take "YYYY-MM-DD". */
static int read_date(reader *r, const naryn__doc *h, const char *key,
                     int daily, int *y, int *mo, int *dd) {
  char w[64], got[128];
  snprintf(w, sizeof w, "horizon.%s", key);
  const naryn__doc *v = get(h, key);
  if (!v)
    return fail(r, h, "horizon", "expected a field \"%s\" (a date), got none",
                key);
  if (v->kind != NARYN__DOC_SCALAR ||
      naryn__date_parse(v->str, v->len, !daily, y, mo, dd) != 0)
    return fail(r, v, w, "expected a date as %s, got %s",
                daily ? "YYYY-MM-DD" : "YYYY-MM or YYYY-MM-01",
                naryn__doc_describe(v, got, sizeof got));
  if (!daily && *dd != 1)
    return fail(r, v, w,
                "expected the first day of a month for a monthly horizon, "
                "got day %d", *dd);
  return 0;
}

/* Reads the horizon and lays out the steps. */
static int read_horizon(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *h = get(root, "horizon");
  char got[128];
  if (!h)
    return fail(r, root, "horizon",
                "expected a field \"horizon\" with start, end and step, got "
                "none");
  if (h->kind != NARYN__DOC_MAP)
    return fail(r, h, "horizon", "expected an object, got %s",
                naryn__doc_describe(h, got, sizeof got));
  static const char *const keys[] = {"start", "end", "step", NULL};
  check_keys(r, h, "horizon", keys);
  const naryn__doc *step = get(h, "step");
  if (!step)
    return fail(r, h, "horizon",
                "expected a field \"step\" (monthly, daily, weekly or \"N days\"), "
                "got none");
  long nd = step->kind == NARYN__DOC_SCALAR ? naryn__step_days_parse(step->str) : -1;
  if (nd < 0)
    return fail(r, step, "horizon.step",
                "expected monthly, daily, weekly or \"N days\" (N from 1 to %d), got %s",
                NARYN__MAX_STEP_DAYS, naryn__doc_describe(step, got, sizeof got));
  if (nd > NARYN__MAX_STEP_DAYS || (nd == 0 && strcmp(step->str, "monthly") != 0))
    return fail(r, step, "horizon.step",
                "expected \"N days\" with N from 1 to %d, got \"%s\"",
                NARYN__MAX_STEP_DAYS, step->str);
  m->step_days = (int)nd;
  m->daily = nd > 0;
  int y0, m0, d0, y1, m1, d1;
  if (read_date(r, h, "start", m->daily, &y0, &m0, &d0) ||
      read_date(r, h, "end", m->daily, &y1, &m1, &d1))
    return -1;
  long first = naryn__date_days(y0, m0, d0), last = naryn__date_days(y1, m1, d1);
  if (last < first) {
    const naryn__doc *end = get(h, "end"), *start = get(h, "start");
    return fail(r, end, "horizon.end",
                "expected a date on or after the start %s, got %s", start->str,
                end->str);
  }
  /* Steps of N days run from the start; the last takes the days left. */
  long n = m->daily ? (last - first + nd) / nd : (y1 - y0) * 12L + (m1 - m0) + 1;
  long most_days = naryn__date_days(y0 + NARYN__MAX_YEARS, m0, d0) - first;
  long most = m->daily ? (most_days + nd - 1) / nd : 12L * NARYN__MAX_YEARS;
  if (n > most) {
    char name[32];
    return fail(r, get(h, "end"), "horizon.end",
                "expected a horizon of at most %d years (%ld %s steps from "
                "the start), got %ld steps", NARYN__MAX_YEARS, most,
                naryn__step_days_name(m->step_days, name, sizeof name), n);
  }
  m->nsteps = (int)n;
  m->step_day = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->step_day);
  m->step_s = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->step_s);
  m->step_month = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->step_month);
  m->step_date = naryn__arena_alloc(r->a, (size_t)n * sizeof *m->step_date);
  if (!m->step_day || !m->step_s || !m->step_month || !m->step_date)
    return oom(r);
  for (int i = 0; i < m->nsteps; i++) {
    int y, mo, dd;
    if (m->daily) {
      m->step_day[i] = first + i * nd;
      naryn__date_ymd(m->step_day[i], &y, &mo, &dd);
      long len = last + 1 - m->step_day[i];
      m->step_s[i] = 86400.0 * (double)(len < nd ? len : nd);
    } else {
      int k = (m0 - 1) + i;
      y = y0 + k / 12;
      mo = k % 12 + 1;
      dd = 1;
      m->step_day[i] = naryn__date_days(y, mo, 1);
      m->step_s[i] = 86400.0 * naryn__date_month_days(y, mo);
    }
    m->step_month[i] = mo;
    snprintf(m->step_date[i], sizeof m->step_date[i], "%04d-%02d-%02d", y, mo,
             dd);
  }
  return 0;
}

/* ====================================================================== */
/* Time series                                                             */
/* ====================================================================== */

/* Returns the length of the directory part of a path, up to and
** including its last slash; 0 for a bare name. */
static int dir_len(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? (int)(slash - path) + 1 : 0;
}

/* Returns the CSV table at 'path', reading it the first time it is asked
** for. Returns NULL when it could not be read (reported once). */
static naryn__csv *csv_get(reader *r, const char *path, char delim,
                           const naryn__doc *named_at, const char *where) {
  for (int i = 0; i < r->ncsv; i++) {
    const naryn__read_csv *c = &r->csv[i];
    if (strcmp(c->path, path) == 0 &&
        (c->delim == delim || (delim && c->table && c->table->delim == delim)))
      return c->table;
  }
  /* A file that cannot be read, is not a regular file or is too large is
  ** reported where the model names it. */
  char w[256], msg[320];
  int bad = naryn__infile_check(path, NARYN__CSV_MAX_BYTES, named_at->str, msg,
                                sizeof msg);
  if (bad == 0 && access(path, R_OK) != 0) bad = -1;
  if (bad < 0)
    naryn__diag(r->d, NARYN_EIO, NARYN_SEV_ERROR, named_at->file,
                named_at->line, named_at->col,
                at_field(w, sizeof w, where, "file"),
                "expected a CSV file that can be read, got \"%s\" (%s)",
                named_at->str, strerror(errno));
  else if (bad > 0)
    naryn__diag(r->d, NARYN_EIO, NARYN_SEV_ERROR, named_at->file,
                named_at->line, named_at->col,
                at_field(w, sizeof w, where, "file"), "%s", msg);
  if (bad) r->failed = 1;
  naryn__read_csv *c = naryn__grow(r->csv, &r->capcsv, r->ncsv + 1, sizeof *c);
  if (!c) {
    oom(r);
    return NULL;
  }
  r->csv = c;
  naryn__csv *t = bad ? NULL : naryn__csv_read_delim(path, delim, r->a, r->d);
  if (!t) r->failed = 1;
  r->csv[r->ncsv].path = path;
  r->csv[r->ncsv].delim = delim;
  r->csv[r->ncsv].table = t;
  r->ncsv++;
  return t;
}

naryn__csv *naryn__read_csv_table(naryn__reader *r, const char *file, char delim,
                                  const naryn__doc *named_at, const char *where) {
  /* A relative path is taken from the folder of the file that names it,
  ** which for a scenario's series is the scenario file. */
  const char *path = file[0] == '/'
                         ? file
                         : naryn__arena_printf(r->a, "%.*s%s", dir_len(named_at->file),
                                               named_at->file, file);
  if (!path) {
    oom(r);
    return NULL;
  }
  return csv_get(r, path, delim, named_at, where);
}

double naryn__step_from_months(const naryn_model *m, int t, naryn__ts_form form,
                               const double *x, double before) {
  long d = m->step_day[t], end = d + (long)(m->step_s[t] / 86400.0 + 0.5);
  int y, mo, dd;
  naryn__date_ymd(d, &y, &mo, &dd);
  double sum = 0.0, v = NAN;
  long seen = 0;
  int parts = 0;
  /* The step's days month by month: part j has cnt days of month x[j]. */
  for (int j = 0; d < end; j++) {
    int mdays = naryn__date_month_days(y, mo);
    long cnt = mdays - dd + 1 < end - d ? mdays - dd + 1 : end - d;
    double xj = x[j];
    if (form == NARYN__TS_END_TARGET) {
      /* The value at the step's last day, from the end of the month before. */
      double prev = j > 0 ? x[j - 1] : before;
      if (isnan(prev)) prev = xj;
      int last_dd = dd + (int)cnt - 1;
      double days = mdays;
      v = prev + (xj - prev) * last_dd / days;
    } else if (!isnan(xj)) {
      /* A month's rate holds on each of its days; its volume is split
      ** evenly over them. */
      double part = form == NARYN__TS_RATE ? xj * (double)cnt
                    : cnt == mdays         ? xj
                                           : xj * (double)cnt / mdays;
      if (parts++ == 0) v = form == NARYN__TS_RATE ? xj : part;
      sum += part;
      seen += cnt;
    }
    d += cnt;
    dd = 1;
    if (++mo > 12) mo = 1, y++;
  }
  /* One month's rate is kept as given rather than summed and divided. */
  if (form == NARYN__TS_RATE && parts > 1) v = sum / (double)seen;
  else if (form != NARYN__TS_END_TARGET && parts > 1) v = sum;
  return v;
}

/* Spreads one value per calendar month over the steps according to the
** form: rates are constant over the month, volumes are split by days, end
** targets are interpolated from the previous month's end; a step of
** several days is made from its days (naryn__step_from_months). */
static void spread_monthly(const naryn_model *m, const double month[12],
                           naryn__ts_form form, double *v) {
  for (int i = 0; i < m->nsteps; i++) {
    int mo = m->step_month[i];
    double x = month[mo - 1];
    if (m->step_days > 1) {
      double xs[NARYN__STEP_MONTHS];
      for (int j = 0; j < NARYN__STEP_MONTHS; j++) xs[j] = month[(mo - 1 + j) % 12];
      x = naryn__step_from_months(m, i, form, xs, month[(mo + 10) % 12]);
    } else if (m->daily && form != NARYN__TS_RATE) {
      int y, mm, dd;
      naryn__date_ymd(m->step_day[i], &y, &mm, &dd);
      double days = naryn__date_month_days(y, mm);
      if (form == NARYN__TS_END_TARGET) {
        double prev = month[(mo + 10) % 12];
        x = prev + (x - prev) * dd / days;
      } else {
        x = x / days;
      }
    }
    v[i] = x;
  }
}

/* Reads an optional time-varying field. Returns 1 when absent, 0 when
** read into ts, -1 after reporting an error. */
static int read_ts(reader *r, const naryn__doc *obj, const char *key,
                   const char *prefix, naryn__ts_form form, naryn__ts *ts) {
  const naryn__doc *v = get(obj, key);
  if (!v) return 1;
  naryn_model *m = r->m;
  char w[256], got[128];
  at_field(w, sizeof w, prefix, key);
  /* Gaps are a series' matter; the form itself spreads constants. */
  naryn__ts_form with_gaps = form;
  form = (naryn__ts_form)(form & ~NARYN__TS_GAPS);
  ts->src = v;
  ts->v = naryn__arena_alloc(r->a, (size_t)m->nsteps * sizeof *ts->v);
  if (!ts->v) return oom(r);
  double month[12];
  if (v->kind == NARYN__DOC_SCALAR) {
    if (naryn__doc_number(v, &month[0]) != 0)
      goto bad_kind;
    for (int k = 1; k < 12; k++) month[k] = month[0];
    spread_monthly(m, month, form, ts->v);
    return 0;
  }
  if (v->kind == NARYN__DOC_SEQ && v->n == m->nsteps && v->n != 12 &&
      form != NARYN__TS_MONTHLY_ONLY) {
    /* One value per step, given as a series' rows would give them. */
    for (int t = 0; t < m->nsteps; t++)
      if (naryn__doc_number(v->vals[t], &ts->v[t]) != 0) {
        char date[16];
        return fail(r, v->vals[t], w, "expected a number for the step of %s, got %s",
                    naryn__step_label(m, t, date, sizeof date),
                    naryn__doc_describe(v->vals[t], got, sizeof got));
      }
    ts->per_step = 1;
    return 0;
  }
  if (v->kind == NARYN__DOC_SEQ) {
    if (v->n != 12 && form == NARYN__TS_MONTHLY_ONLY)
      return fail(r, v, w, "expected 12 monthly values (January to "
                  "December), got %d", v->n);
    if (v->n != 12)
      return fail(r, v, w, "expected 12 monthly values (January to December) or one "
                  "value per step (%d), got %d", m->nsteps, v->n);
    for (int k = 0; k < 12; k++)
      if (naryn__doc_number(v->vals[k], &month[k]) != 0)
        return fail(r, v->vals[k], w,
                    "expected a number for %s, got %s",
                    (const char *[]){"January", "February", "March", "April",
                                     "May", "June", "July", "August",
                                     "September", "October", "November",
                                     "December"}[k],
                    naryn__doc_describe(v->vals[k], got, sizeof got));
    spread_monthly(m, month, form, ts->v);
    return 0;
  }
  if (form != NARYN__TS_MONTHLY_ONLY) return naryn__read_series(r, v, w, with_gaps, ts);
bad_kind:
  return fail(r, v, w,
              form == NARYN__TS_MONTHLY_ONLY
                  ? "expected a number or a list of 12 monthly values, got %s"
                  : "expected a number, a list of 12 monthly values or "
                    "{file, column} naming a CSV series, got %s",
              naryn__doc_describe(v, got, sizeof got));
}

const char *naryn__step_label(const naryn_model *m, int t, char *buf,
                              size_t size) {
  snprintf(buf, size, "%.*s", m->daily ? 10 : 7, m->step_date[t]);
  return buf;
}

naryn__ts_at naryn__ts_source(const naryn_model *m, const naryn__ts *ts, int t) {
  static const char *const months[] = {
      "January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"};
  naryn__ts_at at = {ts->src->file, ts->src->line, ts->src->col, ts->v[t], ""};
  if (ts->per_step) {
    const naryn__doc *item = ts->src->vals[t];
    char date[16];
    at.line = item->line;
    at.col = item->col;
    naryn__doc_number(item, &at.given);
    snprintf(at.label, sizeof at.label, " for the step of %s",
             naryn__step_label(m, t, date, sizeof date));
  } else if (ts->csv) {
    const naryn__csv *c = ts->csv;
    int row = ts->csv_row[t];
    size_t cell = (size_t)row * c->ncols + ts->csv_col;
    char date[16];
    at.file = c->file;
    at.line = c->row_line[row];
    at.col = c->cell_col[cell];
    snprintf(at.label, sizeof at.label, " for the step of %s",
             naryn__step_label(m, t, date, sizeof date));
  } else if (ts->src->kind == NARYN__DOC_SEQ) {
    const naryn__doc *item = ts->src->vals[m->step_month[t] - 1];
    at.line = item->line;
    at.col = item->col;
    naryn__doc_number(item, &at.given);
    snprintf(at.label, sizeof at.label, " for %s", months[m->step_month[t] - 1]);
  } else {
    naryn__doc_number(ts->src, &at.given);
  }
  return at;
}

/* ====================================================================== */
/* Reading shared with the readers of other parts of a model               */
/* ====================================================================== */

/* These give objective.c the same reporting, field checks and time-varying
** values as the nodes and links, so that every part of a model file reads
** alike. */

void naryn__read_done(naryn__reader *r) {
  free(r->csv);
  r->csv = NULL;
  r->ncsv = r->capcsv = 0;
}

int naryn__read_fail(naryn__reader *r, const naryn__doc *at, const char *where,
                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vfail(r, at, where, fmt, ap);
  va_end(ap);
  return -1;
}

int naryn__read_oom(naryn__reader *r) { return oom(r); }

void naryn__read_check_keys(naryn__reader *r, const naryn__doc *obj,
                            const char *prefix, const char *const *allowed) {
  check_keys(r, obj, prefix, allowed);
}

const naryn__doc *naryn__read_get(const naryn__doc *obj, const char *key) {
  return get(obj, key);
}

int naryn__read_number(naryn__reader *r, const naryn__doc *obj,
                       const char *key, const char *prefix, double *out) {
  return opt_number(r, obj, key, prefix, out);
}

int naryn__read_string(naryn__reader *r, const naryn__doc *obj,
                       const char *key, const char *prefix, const char **out) {
  return opt_string(r, obj, key, prefix, out);
}

int naryn__read_ts(naryn__reader *r, const naryn__doc *obj, const char *key,
                   const char *prefix, naryn__ts_form form, naryn__ts *ts) {
  return read_ts(r, obj, key, prefix, form, ts);
}

int naryn__read_priority(naryn__reader *r, const naryn__doc *obj,
                         const char *key, const char *prefix, int *out) {
  return opt_priority(r, obj, key, prefix, out);
}

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"};

int naryn__read_check_values(naryn__reader *r, const naryn__ts *ts, const char *where,
                             double lo, double hi, const char *expect,
                             double max, const char *unit, const char *why) {
  const naryn__doc *src = ts->src;
  if (!ts->csv && !ts->per_step) {
    int n = src->kind == NARYN__DOC_SEQ ? src->n : 1;
    for (int k = 0; k < n; k++) {
      const naryn__doc *item = src->kind == NARYN__DOC_SEQ ? src->vals[k] : src;
      double x;
      if (naryn__doc_number(item, &x) != 0) continue;
      if (!(x >= lo && x <= hi))
        return naryn__read_fail(r, item, where, "expected %s, got %g%s%s",
                                expect, x, n > 1 ? " for " : "",
                                n > 1 ? month_names[k] : "");
      if (x > max)
        return naryn__read_fail(r, item, where,
                                "expected at most %g %s (%s), got %g%s%s", max,
                                unit, why, x, n > 1 ? " for " : "",
                                n > 1 ? month_names[k] : "");
    }
    return 0;
  }
  for (int t = 0; t < r->m->nsteps; t++) {
    double x = ts->v[t];
    if (x >= lo && x <= hi && !(x > max)) continue;
    /* A series' cell is told as the file gives it. */
    naryn__ts_at at = naryn__ts_source(r->m, ts, t);
    if (!(x >= lo && x <= hi))
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                  at.col, where, "expected %s, got %g%s", expect, at.given,
                  at.label);
    else
      naryn__diag(r->d, NARYN_EMODEL, NARYN_SEV_ERROR, at.file, at.line,
                  at.col, where, "expected at most %g %s (%s), got %g%s", max,
                  unit, why, at.given, at.label);
    r->failed = 1;
    return -1;
  }
  return 0;
}

/* ====================================================================== */
/* Tables                                                                  */
/* ====================================================================== */

/* Reads an optional table {xkey: [...], ykey: [...]}. Returns 1, 0 or -1. */
static int read_table(reader *r, const naryn__doc *obj, const char *key,
                      const char *prefix, const char *xkey, const char *ykey,
                      naryn__table *t) {
  const naryn__doc *v = get(obj, key);
  if (!v) return 1;
  char w[256], got[128];
  at_field(w, sizeof w, prefix, key);
  if (v->kind != NARYN__DOC_MAP)
    return fail(r, v, w, "expected an object with lists \"%s\" and \"%s\", "
                "got %s", xkey, ykey, naryn__doc_describe(v, got, sizeof got));
  const char *keys[] = {xkey, ykey, "source", NULL};
  check_keys(r, v, w, keys);
  const naryn__doc *xs = get(v, xkey), *ys = get(v, ykey);
  if (!xs || !ys)
    return fail(r, v, w, "expected lists \"%s\" and \"%s\", got %s missing",
                xkey, ykey, !xs ? xkey : ykey);
  if (xs->kind != NARYN__DOC_SEQ || ys->kind != NARYN__DOC_SEQ)
    return fail(r, xs->kind != NARYN__DOC_SEQ ? xs : ys, w,
                "expected \"%s\" and \"%s\" to be lists of numbers, got %s",
                xkey, ykey,
                naryn__doc_describe(xs->kind != NARYN__DOC_SEQ ? xs : ys, got,
                                    sizeof got));
  if (xs->n != ys->n)
    return fail(r, ys, w, "expected as many %s as %s (%d), got %d", ykey,
                xkey, xs->n, ys->n);
  if (xs->n < 2)
    return fail(r, xs, w, "expected at least 2 points, got %d", xs->n);
  t->n = xs->n;
  t->src = v;
  t->x = naryn__arena_alloc(r->a, (size_t)t->n * sizeof *t->x);
  t->y = naryn__arena_alloc(r->a, (size_t)t->n * sizeof *t->y);
  if (!t->x || !t->y) return oom(r);
  for (int i = 0; i < t->n; i++) {
    if (naryn__doc_number(xs->vals[i], &t->x[i]) != 0)
      return fail(r, xs->vals[i], w, "expected a number in %s, got %s", xkey,
                  naryn__doc_describe(xs->vals[i], got, sizeof got));
    if (naryn__doc_number(ys->vals[i], &t->y[i]) != 0)
      return fail(r, ys->vals[i], w, "expected a number in %s, got %s", ykey,
                  naryn__doc_describe(ys->vals[i], got, sizeof got));
    if (i > 0 && !(t->x[i] > t->x[i - 1]))
      return fail(r, xs->vals[i], w,
                  "expected %s to increase from point to point, got %g after "
                  "%g", xkey, t->x[i], t->x[i - 1]);
  }
  return 0;
}

/* ====================================================================== */
/* Nodes                                                                   */
/* ====================================================================== */

/* Fields every node may have, then the fields of each type. */
#define COMMON_FIELDS "name", "type", "country", "enabled", "description", \
                      "source", "notes", "observed_storage_hm3", "observed_level_m", \
                      "observed_flow_m3s"

static const char *const inflow_fields[] = {COMMON_FIELDS, "inflow_m3s", NULL};
static const char *const reservoir_fields[] = {
    COMMON_FIELDS, "min_storage_hm3", "max_storage_hm3",
    "initial_storage_hm3", "level_table", "area_table", "evaporation_mm",
    "target_storage_hm3", "target_priority", "release_m3s",
    "release_priority", "forced_release_m3s", "rules", "zones", NULL};
static const char *const hydropower_fields[] = {
    COMMON_FIELDS, "reservoir", "headwater_m", "head_m", "tailwater_m",
    "tailwater_table", "max_turbine_flow_m3s", "capacity_mw", "efficiency",
    NULL};
static const char *const junction_fields[] = {COMMON_FIELDS, NULL};
static const char *const demand_fields[] = {
    COMMON_FIELDS, "kind", "demand_hm3", "demand_m3s", "priority",
    "return_fraction", "return_to", NULL};
static const char *const min_flow_fields[] = {COMMON_FIELDS, "min_flow_m3s",
                                              "priority", NULL};
static const char *const sink_fields[] = {COMMON_FIELDS, "kind", NULL};

static const char *const *const fields_of[NARYN_NODE_TYPE_COUNT] = {
    inflow_fields, reservoir_fields, hydropower_fields, junction_fields,
    demand_fields, min_flow_fields, sink_fields};

/* Reads a reference to another node by name; *out gets its index. */
static int read_node_ref(reader *r, const naryn__doc *obj, const char *key,
                         const char *prefix, int *out) {
  const char *name = NULL;
  int rc = opt_string(r, obj, key, prefix, &name);
  if (rc != 0) return rc;
  int i = naryn__names_get(&r->m->node_names, name);
  if (i >= 0) {
    *out = i;
    return 0;
  }
  char w[256];
  return fail(r, get(obj, key), at_field(w, sizeof w, prefix, key),
              "expected the name of a node in the model, got \"%s\", which "
              "no node has", name);
}

/* Reads the fields particular to a node's type. */
static void read_node_fields(reader *r, naryn__node *n, const char *prefix) {
  const naryn__doc *o = n->doc;
  char w[256];
  switch (n->type) {
  case NARYN_NODE_INFLOW:
    if (read_ts(r, o, "inflow_m3s", prefix, NARYN__TS_RATE,
                &n->inflow_m3s) == 1)
      fail(r, o, prefix, "expected a field \"inflow_m3s\" (m3/s), got none");
    break;
  case NARYN_NODE_RESERVOIR:
    opt_number(r, o, "min_storage_hm3", prefix, &n->min_storage_hm3);
    req_number(r, o, "max_storage_hm3", prefix, "hm3", &n->max_storage_hm3);
    req_number(r, o, "initial_storage_hm3", prefix, "hm3",
               &n->initial_storage_hm3);
    read_table(r, o, "level_table", prefix, "storage_hm3", "level_m", &n->level);
    read_table(r, o, "area_table", prefix, "storage_hm3", "area_km2", &n->area);
    read_ts(r, o, "evaporation_mm", prefix, NARYN__TS_MONTHLY_ONLY,
            &n->evaporation_mm);
    read_ts(r, o, "target_storage_hm3", prefix, NARYN__TS_END_TARGET,
            &n->target_storage_hm3);
    opt_priority(r, o, "target_priority", prefix, &n->target_priority);
    read_ts(r, o, "release_m3s", prefix, NARYN__TS_RATE, &n->release_m3s);
    opt_priority(r, o, "release_priority", prefix, &n->release_priority);
    read_ts(r, o, "forced_release_m3s", prefix, NARYN__TS_RATE, &n->forced_release_m3s);
    /* A forced release takes the place of a schedule: both would ask the
    ** same outflow twice. */
    if (n->release_m3s.v && n->forced_release_m3s.v)
      fail(r, get(o, "forced_release_m3s"), at_field(w, sizeof w, prefix, "forced_release_m3s"),
           "expected either release_m3s or forced_release_m3s, got both (release_m3s "
           "on line %d)", get(o, "release_m3s")->line);
    break;
  case NARYN_NODE_HYDROPOWER:
    read_node_ref(r, o, "reservoir", prefix, &n->reservoir);
    opt_number(r, o, "headwater_m", prefix, &n->headwater_m);
    opt_number(r, o, "head_m", prefix, &n->head_m);
    opt_number(r, o, "tailwater_m", prefix, &n->tailwater_m);
    read_table(r, o, "tailwater_table", prefix, "discharge_m3s", "level_m",
               &n->tailwater);
    req_number(r, o, "max_turbine_flow_m3s", prefix, "m3/s",
               &n->max_turbine_flow_m3s);
    req_number(r, o, "capacity_mw", prefix, "MW", &n->capacity_mw);
    req_number(r, o, "efficiency", prefix, "a fraction between 0 and 1",
               &n->efficiency);
    break;
  case NARYN_NODE_DEMAND: {
    const char *kind = NULL;
    if (opt_string(r, o, "kind", prefix, &kind) == 0) {
      if (strcmp(kind, "irrigation") == 0)
        n->kind = NARYN__IRRIGATION;
      else if (strcmp(kind, "municipal") == 0)
        n->kind = NARYN__MUNICIPAL;
      else
        fail(r, get(o, "kind"), at_field(w, sizeof w, prefix, "kind"),
             "expected irrigation or municipal, got \"%s\"", kind);
    }
    int has_vol = get(o, "demand_hm3") != NULL;
    int has_rate = get(o, "demand_m3s") != NULL;
    if (has_vol && has_rate)
      fail(r, naryn__doc_key(o, "demand_m3s"), prefix,
           "expected one of demand_hm3 or demand_m3s, got both");
    else if (!has_vol && !has_rate)
      fail(r, o, prefix,
           "expected a field \"demand_hm3\" (monthly volumes) or "
           "\"demand_m3s\", got neither");
    else if (has_vol)
      read_ts(r, o, "demand_hm3", prefix, NARYN__TS_VOLUME, &n->demand_hm3);
    else if (read_ts(r, o, "demand_m3s", prefix, NARYN__TS_RATE,
                     &n->demand_hm3) == 0)
      for (int i = 0; i < r->m->nsteps; i++)
        n->demand_hm3.v[i] *= r->m->step_s[i] * 1e-6;
    if (opt_priority(r, o, "priority", prefix, &n->priority) == 1)
      fail(r, o, prefix,
           "expected a field \"priority\" (1 is served first, up to %d), got "
           "none", NARYN__PRIORITY_MAX);
    opt_number(r, o, "return_fraction", prefix, &n->return_fraction);
    read_node_ref(r, o, "return_to", prefix, &n->return_to);
    break;
  }
  case NARYN_NODE_MIN_FLOW:
    if (read_ts(r, o, "min_flow_m3s", prefix, NARYN__TS_RATE,
                &n->min_flow_m3s) == 1)
      fail(r, o, prefix, "expected a field \"min_flow_m3s\" (m3/s), got none");
    opt_priority(r, o, "priority", prefix, &n->priority);
    break;
  case NARYN_NODE_SINK: {
    const char *kind = NULL;
    opt_string(r, o, "kind", prefix, &kind);
    break;
  }
  case NARYN_NODE_JUNCTION:
  case NARYN_NODE_TYPE_COUNT:
    break;
  }
}

/* Reads the name and type of every node first, so that nodes can refer to
** each other in any order; then reads each node's fields. */
static int read_nodes(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *nodes = get(root, "nodes");
  char got[128], w[256];
  if (!nodes)
    return fail(r, root, "nodes", "expected a field \"nodes\" listing the "
                "network's nodes, got none");
  if (nodes->kind != NARYN__DOC_SEQ || nodes->n == 0)
    return fail(r, nodes, "nodes", "expected a list of at least one node, got %s",
                naryn__doc_describe(nodes, got, sizeof got));
  if ((double)nodes->n * m->nsteps > NARYN__MAX_NODE_STEPS)
    return fail(r, nodes, "nodes", "expected at most %g nodes times steps (%s), "
                "got %d nodes over %d steps", NARYN__MAX_NODE_STEPS,
                NARYN__MAX_NODE_STEPS_WHY, nodes->n, m->nsteps);
  m->nnodes = nodes->n;
  m->nodes = naryn__arena_alloc(r->a, (size_t)m->nnodes * sizeof *m->nodes);
  if (!m->nodes || naryn__names_new(&m->node_names, m->nnodes, r->a) != 0)
    return oom(r);
  int ok = 0; /* 0 while every node has a name and a type, else -1 */
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    const naryn__doc *o = nodes->vals[i];
    snprintf(w, sizeof w, "nodes[%d]", i);
    n->doc = o;
    n->name = "";
    n->country = "";
    n->enabled = 1;
    n->reservoir = n->return_to = -1;
    n->headwater_m = n->head_m = n->tailwater_m = NAN;
    n->target_priority = 9;
    n->release_priority = 1;
    n->priority = 1;
    if (o->kind != NARYN__DOC_MAP) {
      ok = fail(r, o, w, "expected an object describing a node, got %s",
                naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    const naryn__doc *nm = get(o, "name");
    if (!nm || nm->kind != NARYN__DOC_SCALAR || nm->len == 0) {
      ok = fail(r, nm ? nm : o, w, "expected a field \"name\" with a non-empty "
                "string, got %s",
                nm ? naryn__doc_describe(nm, got, sizeof got) : "none");
      n->doc = NULL; /* fields are not read for a node without a name */
      continue;
    }
    n->name = naryn__arena_strndup(r->a, nm->str, nm->len);
    if (!n->name) return oom(r);
    /* The first node of that name may have lost its doc (no type): its
    ** line is taken from the list itself. */
    int first = naryn__names_put(&m->node_names, n->name, i);
    if (first >= 0)
      ok = fail(r, nm, w, "expected a unique node name, got \"%s\" again "
                "(first at line %d)", n->name, nodes->vals[first]->line);
    const naryn__doc *ty = get(o, "type");
    char wt[256];
    snprintf(w, sizeof w, "node \"%s\"", n->name);
    snprintf(wt, sizeof wt, "node \"%s\".type", n->name);
    n->type = NARYN_NODE_TYPE_COUNT;
    for (int t = 0; ty && ty->kind == NARYN__DOC_SCALAR && t < NARYN_NODE_TYPE_COUNT; t++)
      if (strcmp(ty->str, type_names[t]) == 0) n->type = (naryn_node_type)t;
    if (n->type == NARYN_NODE_TYPE_COUNT) {
      /* A misspelt "type" key is the likeliest cause of a missing type. */
      const char *near = NULL;
      for (int k = 0; !ty && k < o->n; k++)
        if (naryn__edit_distance(o->keys[k]->str, "type") <= 2) near = o->keys[k]->str;
      char hint[96] = "";
      if (near) snprintf(hint, sizeof hint, " (is \"%.40s\" meant to be \"type\"?)", near);
      ok = fail(r, ty ? ty : o, ty ? wt : w,
                "expected a type: inflow, reservoir, hydropower, junction, "
                "demand, min_flow or sink, got %s%s",
                ty ? naryn__doc_describe(ty, got, sizeof got) : "none", hint);
      n->type = NARYN_NODE_JUNCTION;
      n->doc = NULL; /* fields are not read for a node of unknown type */
    }
  }
  if (ok != 0) return -1;
  for (int i = 0; i < m->nnodes; i++) {
    naryn__node *n = &m->nodes[i];
    if (!n->doc) continue;
    char prefix[192];
    naryn__node_where(n, NULL, prefix, sizeof prefix);
    check_keys(r, n->doc, prefix, fields_of[n->type]);
    opt_string(r, n->doc, "country", prefix, &n->country);
    opt_bool(r, n->doc, "enabled", prefix, &n->enabled);
    read_node_fields(r, n, prefix);
  }
  return r->failed ? -1 : 0;
}

/* ====================================================================== */
/* Links                                                                   */
/* ====================================================================== */

static const char *const link_fields[] = {
    "name", "from", "to", "min_flow_m3s", "max_flow_m3s", "loss_fraction",
    "cost", "description", "source", "notes", "observed_flow_m3s", "routing", NULL};

/* Reads every link; the default name of a link is "FROM->TO". */
static int read_links(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *links = get(root, "links");
  char got[128], w[256];
  if (!links) return 0; /* a single node needs no links; checks say more */
  if (links->kind != NARYN__DOC_SEQ)
    return fail(r, links, "links", "expected a list of links, got %s",
                naryn__doc_describe(links, got, sizeof got));
  m->nlinks = links->n;
  m->links = naryn__arena_alloc(r->a, (size_t)(m->nlinks + 1) * sizeof *m->links);
  naryn__names link_names;
  if (!m->links || naryn__names_new(&link_names, m->nlinks, r->a) != 0)
    return oom(r);
  for (int i = 0; i < m->nlinks; i++) {
    naryn__link *l = &m->links[i];
    const naryn__doc *o = links->vals[i];
    l->doc = o;
    l->from = l->to = -1;
    l->name = "";
    snprintf(w, sizeof w, "links[%d]", i);
    if (o->kind != NARYN__DOC_MAP) {
      fail(r, o, w, "expected an object with from and to, got %s",
           naryn__doc_describe(o, got, sizeof got));
      continue;
    }
    check_keys(r, o, w, link_fields);
    if (read_node_ref(r, o, "from", w, &l->from) == 1)
      fail(r, o, w, "expected a field \"from\" naming a node, got none");
    if (read_node_ref(r, o, "to", w, &l->to) == 1)
      fail(r, o, w, "expected a field \"to\" naming a node, got none");
    if (l->from < 0 || l->to < 0) continue;
    if (opt_string(r, o, "name", w, &l->name) != 0)
      l->name = naryn__arena_printf(r->a, "%s->%s", m->nodes[l->from].name,
                                    m->nodes[l->to].name);
    if (!l->name) return oom(r);
    int first = naryn__names_put(&link_names, l->name, i);
    if (first >= 0)
      fail(r, naryn__field_pos(o, "name"), w,
           "expected a unique link name, got \"%s\" again (first at line "
           "%d); give parallel links a \"name\"", l->name,
           m->links[first].doc->line);
    char prefix[192];
    naryn__link_where(l, NULL, prefix, sizeof prefix);
    read_ts(r, o, "min_flow_m3s", prefix, NARYN__TS_RATE, &l->min_flow_m3s);
    read_ts(r, o, "max_flow_m3s", prefix, NARYN__TS_RATE, &l->max_flow_m3s);
    opt_number(r, o, "loss_fraction", prefix, &l->loss_fraction);
    opt_number(r, o, "cost", prefix, &l->cost);
    naryn__read_routing(r, l, o, prefix);
  }
  return r->failed ? -1 : 0;
}

/* ====================================================================== */
/* The model                                                               */
/* ====================================================================== */

/* Reads the optional "countries" mapping of codes to names. */
static int read_countries(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *c = get(root, "countries");
  char got[128];
  if (!c) return 0;
  if (c->kind != NARYN__DOC_MAP)
    return fail(r, c, "countries", "expected an object mapping country codes "
                "to names, e.g. {\"KG\": \"Kyrgyzstan\"}, got %s",
                naryn__doc_describe(c, got, sizeof got));
  m->ncountries = c->n;
  m->country_codes = naryn__arena_alloc(r->a, (size_t)(c->n + 1) * sizeof(char *));
  m->country_names = naryn__arena_alloc(r->a, (size_t)(c->n + 1) * sizeof(char *));
  if (!m->country_codes || !m->country_names) return oom(r);
  for (int i = 0; i < c->n; i++) {
    m->country_codes[i] = c->keys[i]->str;
    if (c->vals[i]->kind != NARYN__DOC_SCALAR || naryn__doc_is_null(c->vals[i]))
      return fail(r, c->vals[i], "countries",
                  "expected the name of country \"%s\" as a string, got %s",
                  c->keys[i]->str, naryn__doc_describe(c->vals[i], got, sizeof got));
    m->country_names[i] = c->vals[i]->str;
  }
  return 0;
}

static const char *const top_fields[] = {
    "name", "description", "scenario", "scenarios", "countries", "horizon",
    "nodes", "links", "currency", "objectives", "source", "notes", "grids",
    "thermal_plants", "interconnectors", "markets", "uncertainty", NULL};

/* Reads the optional list of scenario names the model ships with; each
** names FOLDER/scenarios/NAME.yaml beside the model file. */
static int read_scenario_list(reader *r, const naryn__doc *root) {
  naryn_model *m = r->m;
  const naryn__doc *list = get(root, "scenarios");
  char got[128];
  if (!list) return 0;
  if (list->kind != NARYN__DOC_SEQ)
    return fail(r, list, "scenarios", "expected a list of scenario names, got %s",
                naryn__doc_describe(list, got, sizeof got));
  m->scenario_names = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof(char *));
  m->scenario_paths = naryn__arena_alloc(r->a, (size_t)(list->n + 1) * sizeof(char *));
  if (!m->scenario_names || !m->scenario_paths) return oom(r);
  for (int i = 0; i < list->n; i++) {
    const naryn__doc *v = list->vals[i];
    if (v->kind != NARYN__DOC_SCALAR || v->len == 0 || strchr(v->str, '/'))
      return fail(r, v, "scenarios", "expected a scenario name (a file "
                  "scenarios/NAME.yaml beside the model), got %s",
                  naryn__doc_describe(v, got, sizeof got));
    m->scenario_names[i] = v->str;
    m->scenario_paths[i] = naryn__arena_printf(r->a, "%.*sscenarios/%s.yaml",
                                               dir_len(v->file), v->file, v->str);
    if (!m->scenario_paths[i]) return oom(r);
  }
  m->nscenarios = list->n;
  return 0;
}

int naryn__model_build(naryn_model *m, const naryn__doc *root,
                       naryn_diags *d) {
  reader r = {.m = m, .d = d, .a = m->arena};
  char got[128];
  if (root->kind != NARYN__DOC_MAP) {
    fail(&r, root, "model", "expected a model object with horizon, nodes and "
         "links, got %s", naryn__doc_describe(root, got, sizeof got));
    return NARYN_EMODEL;
  }
  check_keys(&r, root, "model", top_fields);
  opt_string(&r, root, "name", "model", &m->name);
  opt_string(&r, root, "description", "model", &m->description);
  read_countries(&r, root);
  read_scenario_list(&r, root);
  /* Objective terms name nodes, so they are read once the network is. */
  if (read_horizon(&r, root) == 0 && read_nodes(&r, root) == 0 &&
      read_links(&r, root) == 0 && naryn__model_read_observed(&r) == 0 &&
      naryn__model_read_grids(&r, root) == 0 &&
      naryn__model_read_objectives(m, root, d) != NARYN_OK)
    r.failed = 1;
  if (!r.failed) naryn__model_read_uncertainty(&r, root);
  naryn__read_done(&r);
  if (naryn_diags_errors(d) && r.failed) {
    /* Out of memory is reported as such; everything else is bad input. */
    for (int i = 0; i < naryn_diags_count(d); i++)
      if (naryn_diags_get(d, i)->code == NARYN_ENOMEM) return NARYN_ENOMEM;
    for (int i = 0; i < naryn_diags_count(d); i++)
      if (naryn_diags_get(d, i)->code == NARYN_EIO) return NARYN_EIO;
    return NARYN_EMODEL;
  }
  return r.failed ? NARYN_EMODEL : NARYN_OK;
}
