/*
** fitfile.c: the fit file, a YAML file that holds a synthetic-inflow model
** for people to read and for naryn to draw from (doc/inflows.md, "The fit
** file").
**
** It holds what a draw needs and nothing it can recompute: per site and
** calendar month the record's mean and smallest flow, the mean and the
** standard deviation of the transformed flows (and the Box-Cox exponent),
** for PAR the order and coefficients and per month the residual
** covariance between sites, for Kirsch-Nowak the record's whole calendar
** years. Cholesky factors and standardised values are recomputed on
** reading. Numbers are written in the fewest digits that read back as the
** same double, so a fit read back draws exactly what the fit written
** draws.
**
** Reading checks every field and names its file, line, column and path
** (sites[2].months[4].sd) when it is missing, unknown or out of range.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

#define FORMAT "naryn-inflow-fit-1"

/* The smallest median flow a month's statistics may give, m3/s: a
** trickle, well below any river a model routes. */
#define FLOW_MIN_M3S 1e-6
/* The largest size of an autoregressive coefficient of standardised
** flows: a fit of a record gives coefficients of some 0.1 to 1. */
#define PHI_MAX 10.0

/* ====================================================================== */
/* Writing                                                                 */
/* ====================================================================== */

static void put_str(naryn__outfile *o, const char *s) {
  naryn__outfile_write(o, "\"", 1);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\') naryn__outfile_write(o, "\\", 1);
    if ((unsigned char)*s < 0x20) naryn__outfile_printf(o, "\\x%02x", (unsigned char)*s);
    else naryn__outfile_write(o, s, 1);
  }
  naryn__outfile_write(o, "\"", 1);
}

/* Writes v in the fewest significant digits (15 to 17) that read back as
** the same double, so that a fit read back draws exactly what the fit
** that was written draws. */
static void put_num(naryn__outfile *o, double v) {
  char buf[40];
  if (v == 0) v = 0.0; /* no "-0" */
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  naryn__outfile_printf(o, "%s", buf);
}

int naryn_inflow_fit_write(const naryn_inflow_fit *f, const char *path, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  naryn__outfile *o = naryn__outfile_open(path, d);
  if (!o) return naryn__diags_status(d, mark, NARYN_EIO);
  int kirsch = f->method == NARYN_INFLOW_KIRSCH, n = f->nsites;
  const char *tname = f->boxcox ? "the Box-Cox transform (q^lambda - 1) / lambda" : "ln(flow)";
  naryn__outfile_printf(o, "# A synthetic-inflow model (doc/inflows.md), made by:\n# %s\n",
                        f->command ? f->command : "naryn_inflow_fit_record");
  naryn__outfile_printf(o, "format: %s\nmethod: %s\ntransform: %s\n", FORMAT,
                        kirsch ? "kirsch" : "par", f->boxcox ? "boxcox" : "log");
  if (!kirsch)
    naryn__outfile_printf(o, "criterion: %s\nmax_order: %d\n", f->aic ? "aic" : "bic",
                          f->max_order);
  int last = f->rec_start + f->rec_months - 1;
  naryn__outfile_printf(o, "record: {file: ");
  put_str(o, f->record_file ? f->record_file : "");
  naryn__outfile_printf(o, ", first: %04d-%02d, last: %04d-%02d, months: %d}\n",
                        f->rec_start / 12, f->rec_start % 12 + 1, last / 12, last % 12 + 1,
                        f->rec_months);
  if (kirsch)
    naryn__outfile_printf(o, "history: {first_year: %d, years: %d}\n", f->hist_year0,
                          f->hist_years);
  naryn__outfile_printf(o, "sites:\n");
  for (int s = 0; s < n; s++) {
    const naryn__inflow_site *site = &f->site[s];
    naryn__outfile_printf(o, "  - name: ");
    put_str(o, site->name);
    naryn__outfile_printf(o, "\n    column: ");
    put_str(o, site->column);
    naryn__outfile_printf(o, "\n");
    if (site->rescale_file) {
      naryn__outfile_printf(o, "    rescaled: {file: ");
      put_str(o, site->rescale_file);
      naryn__outfile_printf(o, ", cv_annual: ");
      put_num(o, site->rescale_cv);
      naryn__outfile_printf(o, ", power: ");
      put_num(o, site->rescale_power);
      naryn__outfile_printf(o, "}\n");
    }
    naryn__outfile_printf(o,
                          "    # Per calendar month: the record's mean and smallest flow (m3/s), "
                          "the mean\n    # and standard deviation of %s%s\n    months:\n",
                          tname, kirsch ? "" : ", the PAR order and its coefficients");
    for (int m = 0; m < 12; m++) {
      naryn__outfile_printf(o, "      - {month: %s, mean_m3s: ", naryn__month_names[m]);
      put_num(o, site->mean_m3s[m]);
      naryn__outfile_printf(o, ", min_m3s: ");
      put_num(o, site->min_m3s[m]);
      if (f->boxcox) {
        naryn__outfile_printf(o, ", lambda: ");
        put_num(o, site->lambda[m]);
      }
      naryn__outfile_printf(o, ", mean: ");
      put_num(o, site->mu[m]);
      naryn__outfile_printf(o, ", sd: ");
      put_num(o, site->sd[m]);
      if (!kirsch) {
        naryn__outfile_printf(o, ", order: %d, phi: [", site->order[m]);
        for (int k = 0; k < site->order[m]; k++) {
          if (k) naryn__outfile_printf(o, ", ");
          put_num(o, site->phi[m][k]);
        }
        naryn__outfile_printf(o, "]");
      }
      naryn__outfile_printf(o, "}\n");
    }
    if (kirsch) {
      naryn__outfile_printf(o, "    # Flows (m3/s) of each whole calendar year of the record, "
                               "January to December\n    flows:\n");
      for (int y = 0; y < f->hist_years; y++) {
        naryn__outfile_printf(o, "      - [");
        for (int m = 0; m < 12; m++) {
          if (m) naryn__outfile_printf(o, ", ");
          put_num(o, f->hist[((size_t)s * f->hist_years + y) * 12 + m]);
        }
        naryn__outfile_printf(o, "]  # %d\n", f->hist_year0 + y);
      }
    }
  }
  if (!kirsch) {
    naryn__outfile_printf(o, "# Covariance of the residuals of the standardised flows per "
                             "month, sites in the order above\ncovariance:\n");
    for (int m = 0; m < 12; m++) {
      naryn__outfile_printf(o, "  - {month: %s, matrix: [", naryn__month_names[m]);
      for (int i = 0; i < n; i++) {
        naryn__outfile_printf(o, "%s[", i ? ", " : "");
        for (int j = 0; j < n; j++) {
          if (j) naryn__outfile_printf(o, ", ");
          put_num(o, f->cov[((size_t)m * n + i) * n + j]);
        }
        naryn__outfile_printf(o, "]");
      }
      naryn__outfile_printf(o, "]}\n");
    }
  }
  return naryn__diags_status(d, mark, naryn__outfile_commit(o, d));
}

/* ====================================================================== */
/* Reading                                                                 */
/* ====================================================================== */

typedef struct reader {
  naryn_inflow_fit *f;
  naryn_diags *d;
  int failed;
} reader;

/* Reports a problem at a document node with the path 'where'. Returns -1. */
static int bad(reader *r, const naryn__doc *at, const char *where, const char *fmt, ...)
    NARYN__PRINTF(4, 5);
static int bad(reader *r, const naryn__doc *at, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(r->d, NARYN_ESYNTAX, NARYN_SEV_ERROR, at ? at->file : NULL, at ? at->line : 0,
               at ? at->col : 0, where, fmt, ap);
  va_end(ap);
  r->failed = 1;
  return -1;
}

/* Refuses keys of obj not in 'allowed' (NULL-terminated). */
static int check_keys(reader *r, const naryn__doc *obj, const char *where,
                      const char *const *allowed) {
  for (int i = 0; i < obj->n; i++) {
    const char *k = obj->keys[i]->str;
    int ok = 0, best = -1, best_dist = 3;
    for (int j = 0; allowed[j] && !ok; j++) {
      ok = strcmp(k, allowed[j]) == 0;
      int dist = naryn__edit_distance(k, allowed[j]);
      if (dist < best_dist) best_dist = dist, best = j;
    }
    if (ok) continue;
    if (best >= 0)
      return bad(r, obj->keys[i], where,
                 "expected a known field, got unknown field \"%s\" (did you mean \"%s\"?)", k,
                 allowed[best]);
    char list[256] = "";
    size_t len = 0;
    for (int j = 0; allowed[j]; j++)
      len += (size_t)snprintf(list + len, len < sizeof list ? sizeof list - len : 0, "%s%s",
                              j ? ", " : "", allowed[j]);
    return bad(r, obj->keys[i], where, "expected one of the fields %s, got unknown field \"%s\"",
               list, k);
  }
  return 0;
}

/* The value of a required field of a mapping, of the kind wanted. */
static const naryn__doc *field(reader *r, const naryn__doc *obj, const char *key,
                               naryn__doc_kind kind, const char *what, const char *where) {
  const naryn__doc *v = naryn__doc_get(obj, key);
  char path[160], got[96];
  snprintf(path, sizeof path, "%s%s%s", where, *where ? "." : "", key);
  if (!v) return bad(r, obj, where, "expected a field \"%s\" (%s), got none", key, what), NULL;
  if (v->kind != kind)
    return bad(r, v, path, "expected %s, got %s", what, naryn__doc_describe(v, got, sizeof got)),
           NULL;
  return v;
}

/* A number in [lo, hi] (open at 'lo' when lo_open). */
static int number(reader *r, const naryn__doc *v, const char *path, double lo, int lo_open,
                  double hi, const char *what, double *out) {
  char got[96];
  if (naryn__doc_number(v, out) != 0)
    return bad(r, v, path, "expected %s, got %s", what, naryn__doc_describe(v, got, sizeof got));
  if (*out < lo || (lo_open && *out == lo) || *out > hi)
    return bad(r, v, path, "expected %s, got %g", what, *out);
  return 0;
}

static int num_field(reader *r, const naryn__doc *obj, const char *key, const char *where,
                     double lo, int lo_open, double hi, const char *what, double *out) {
  const naryn__doc *v = field(r, obj, key, NARYN__DOC_SCALAR, what, where);
  char path[160];
  snprintf(path, sizeof path, "%s.%s", where, key);
  return v ? number(r, v, path, lo, lo_open, hi, what, out) : -1;
}

static int choice(reader *r, const naryn__doc *obj, const char *key, const char *a,
                  const char *b, int *out) {
  char what[64];
  snprintf(what, sizeof what, "%s or %s", a, b);
  const naryn__doc *v = field(r, obj, key, NARYN__DOC_SCALAR, what, "");
  if (!v) return -1;
  if (strcmp(v->str, a) == 0) *out = 0;
  else if (strcmp(v->str, b) == 0) *out = 1;
  else return bad(r, v, key, "expected %s, got \"%.40s\"", what, v->str);
  return 0;
}

static int read_month(reader *r, const naryn__doc *v, int s, int m) {
  naryn_inflow_fit *f = r->f;
  naryn__inflow_site *site = &f->site[s];
  char where[96];
  snprintf(where, sizeof where, "sites[%d].months[%d]", s, m);
  if (v->kind != NARYN__DOC_MAP) {
    char got[96];
    return bad(r, v, where, "expected %s, got %s", "an object for one month",
               naryn__doc_describe(v, got, sizeof got));
  }
  static const char *const par_keys[] = {"month", "mean_m3s", "min_m3s", "lambda", "mean",
                                         "sd", "order", "phi", NULL};
  static const char *const kirsch_keys[] = {"month", "mean_m3s", "min_m3s", "lambda", "mean",
                                            "sd", NULL};
  if (check_keys(r, v, where, f->method == NARYN_INFLOW_KIRSCH ? kirsch_keys : par_keys) != 0)
    return -1;
  const naryn__doc *mv = field(r, v, "month", NARYN__DOC_SCALAR, "a month, jan to dec", where);
  if (!mv) return -1;
  if (strcmp(mv->str, naryn__month_names[m]) != 0) {
    char path[120];
    snprintf(path, sizeof path, "%s.month", where);
    return bad(r, mv, path, "expected %s (the months in order), got \"%.20s\"",
               naryn__month_names[m], mv->str);
  }
  /* Flows within a model's limit, and transformed statistics that keep
  ** the month's median flow from 1e-6 m3/s to that limit (the generator
  ** still checks every flow it draws). */
  double order = 0, lambda = 0, qmax = NARYN__MAX_FLOW_M3S;
  char flow[128], mean[160], sd[160];
  snprintf(flow, sizeof flow, "a flow > 0 m3/s, at most %g (%s)", qmax, NARYN__MAX_FLOW_WHY);
  if (num_field(r, v, "mean_m3s", where, 0, 1, qmax, flow, &site->mean_m3s[m]) ||
      num_field(r, v, "min_m3s", where, 0, 1, qmax, flow, &site->min_m3s[m]) ||
      (f->boxcox && num_field(r, v, "lambda", where, 0, 0, 1, "an exponent from 0 to 1", &lambda)))
    return -1;
  double ylo = naryn__inflow_fwd(FLOW_MIN_M3S, lambda), yhi = naryn__inflow_fwd(qmax, lambda);
  snprintf(mean, sizeof mean, "a mean from %g to %g (a median flow from %g to %g m3/s)", ylo, yhi,
           FLOW_MIN_M3S, qmax);
  snprintf(sd, sizeof sd, "a standard deviation > 0, at most %g (the span from %g to %g m3/s)",
           yhi - ylo, FLOW_MIN_M3S, qmax);
  if (num_field(r, v, "mean", where, ylo, 0, yhi, mean, &site->mu[m]) ||
      num_field(r, v, "sd", where, 0, 1, yhi - ylo, sd, &site->sd[m]))
    return -1;
  site->lambda[m] = lambda;
  if (f->method == NARYN_INFLOW_KIRSCH) return 0;
  if (num_field(r, v, "order", where, 0, 0, f->max_order, "a PAR order from 0 to max_order",
                &order))
    return -1;
  if (order != floor(order)) {
    char path[120];
    snprintf(path, sizeof path, "%s.order", where);
    return bad(r, naryn__doc_get(v, "order"), path, "expected %s, got %g", "a whole number",
               order);
  }
  site->order[m] = (int)order;
  const naryn__doc *phi = field(r, v, "phi", NARYN__DOC_SEQ, "a list of coefficients", where);
  if (!phi) return -1;
  char path[120];
  snprintf(path, sizeof path, "%s.phi", where);
  if (phi->n != site->order[m])
    return bad(r, phi, path, "expected %d coefficients (the order), got %d", site->order[m],
               phi->n);
  for (int k = 0; k < phi->n; k++)
    if (number(r, phi->vals[k], path, -PHI_MAX, 0, PHI_MAX, "a coefficient from -10 to 10",
               &site->phi[m][k]))
      return -1;
  return 0;
}

/* Reads a list of n numbers (a row of a matrix or of the flows). */
static int read_row(reader *r, const naryn__doc *v, const char *path, int n, double lo,
                    int lo_open, const char *what, double *out) {
  char got[96];
  if (v->kind != NARYN__DOC_SEQ || v->n != n)
    return bad(r, v, path, "expected a list of %d numbers, got %s", n,
               naryn__doc_describe(v, got, sizeof got));
  for (int k = 0; k < n; k++)
    if (number(r, v->vals[k], path, lo, lo_open, HUGE_VAL, what, &out[k])) return -1;
  return 0;
}

static int read_site(reader *r, const naryn__doc *v, int s) {
  naryn_inflow_fit *f = r->f;
  naryn__inflow_site *site = &f->site[s];
  char where[64];
  snprintf(where, sizeof where, "sites[%d]", s);
  static const char *const keys[] = {"name", "column", "rescaled", "months", "flows", NULL};
  if (check_keys(r, v, where, keys) != 0) return -1;
  const naryn__doc *name = field(r, v, "name", NARYN__DOC_SCALAR, "a site name", where);
  if (!name) return -1;
  for (int k = 0; k < s; k++)
    if (strcmp(f->site[k].name, name->str) == 0)
      return bad(r, name, where, "expected each site once, got \"%.60s\" twice", name->str);
  site->name = name->str;
  const naryn__doc *col = naryn__doc_get(v, "column");
  site->column = col && col->kind == NARYN__DOC_SCALAR ? col->str : name->str;
  for (int m = 0; m < 12; m++) site->factor[m] = 1.0;
  const naryn__doc *months = field(r, v, "months", NARYN__DOC_SEQ, "a list of 12 months", where);
  if (!months) return -1;
  if (months->n != 12) {
    char path[80];
    snprintf(path, sizeof path, "%s.months", where);
    return bad(r, months, path, "expected 12 monthly values (January to December), got %d",
               months->n);
  }
  for (int m = 0; m < 12; m++)
    if (read_month(r, months->vals[m], s, m) != 0) return -1;
  if (f->method != NARYN_INFLOW_KIRSCH) return 0;
  const naryn__doc *flows = field(r, v, "flows", NARYN__DOC_SEQ, "a list of years", where);
  if (!flows) return -1;
  char path[80];
  snprintf(path, sizeof path, "%s.flows", where);
  if (flows->n != f->hist_years)
    return bad(r, flows, path, "expected %d years (history.years), got %d", f->hist_years,
               flows->n);
  for (int y = 0; y < flows->n; y++)
    if (read_row(r, flows->vals[y], path, 12, 0, 1, "a flow > 0 m3/s",
                 f->hist + ((size_t)s * f->hist_years + y) * 12))
      return -1;
  return 0;
}

static int read_covariance(reader *r, const naryn__doc *root) {
  naryn_inflow_fit *f = r->f;
  int n = f->nsites;
  const naryn__doc *cov = field(r, root, "covariance", NARYN__DOC_SEQ, "a list of 12 months", "");
  if (!cov) return -1;
  if (cov->n != 12)
    return bad(r, cov, "covariance", "expected 12 monthly values (January to December), got %d",
               cov->n);
  for (int m = 0; m < 12; m++) {
    const naryn__doc *v = cov->vals[m];
    char where[64], path[96];
    snprintf(where, sizeof where, "covariance[%d]", m);
    static const char *const keys[] = {"month", "matrix", NULL};
    if (v->kind != NARYN__DOC_MAP) {
      char got[96];
      return bad(r, v, where, "expected %s, got %s", "an object for one month",
                 naryn__doc_describe(v, got, sizeof got));
    }
    if (check_keys(r, v, where, keys) != 0) return -1;
    const naryn__doc *mv = field(r, v, "month", NARYN__DOC_SCALAR, "a month, jan to dec", where);
    if (!mv) return -1;
    if (strcmp(mv->str, naryn__month_names[m]) != 0)
      return bad(r, mv, where, "expected %s (the months in order), got \"%.20s\"",
                 naryn__month_names[m], mv->str);
    const naryn__doc *mat = field(r, v, "matrix", NARYN__DOC_SEQ, "a list of rows", where);
    if (!mat) return -1;
    snprintf(path, sizeof path, "%s.matrix", where);
    if (mat->n != n)
      return bad(r, mat, path, "expected %d rows (one per site), got %d", n, mat->n);
    double *c = f->cov + (size_t)m * n * n;
    for (int i = 0; i < n; i++)
      if (read_row(r, mat->vals[i], path, n, -HUGE_VAL, 0, "a number", c + (size_t)i * n))
        return -1;
    for (int i = 0; i < n; i++) {
      if (!(c[i * n + i] >= 0))
        return bad(r, mat->vals[i], path, "expected %s, got %g", "a variance >= 0 on the diagonal",
                   c[i * n + i]);
      for (int j = 0; j < i; j++)
        if (fabs(c[i * n + j] - c[j * n + i]) > 1e-9 * (fabs(c[i * n + j]) + 1e-300) ||
            c[i * n + j] * c[i * n + j] > c[i * n + i] * c[j * n + j] * (1 + 1e-9))
          return bad(r, mat->vals[i], path,
                     "expected a symmetric covariance with correlations from -1 to 1, got %g "
                     "and %g in rows %d and %d",
                     c[i * n + j], c[j * n + i], i + 1, j + 1);
    }
  }
  return 0;
}

int naryn_inflow_fit_read(const char *path, naryn_inflow_fit **out, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int from = naryn_diags_count(d);
  *out = NULL;
  naryn_inflow_fit *f = naryn__inflow_fit_new();
  if (!f) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  reader r = {f, d, 0};
  f->path = naryn__arena_strdup(f->a, path);
  const naryn__doc *root = naryn__doc_read_file(path, f->a, d);
  if (!root) goto fail;
  if (root->kind != NARYN__DOC_MAP) {
    char got[96];
    bad(&r, root, NULL, "expected %s, got %s", "a fit file written by naryn inflows fit",
        naryn__doc_describe(root, got, sizeof got));
    goto fail;
  }
  static const char *const keys[] = {"format", "method", "transform", "criterion", "max_order",
                                     "record", "history", "sites", "covariance", NULL};
  if (check_keys(&r, root, "", keys) != 0) goto fail;
  const naryn__doc *fmt = field(&r, root, "format", NARYN__DOC_SCALAR, "\"" FORMAT "\"", "");
  if (!fmt) goto fail;
  if (strcmp(fmt->str, FORMAT) != 0) {
    bad(&r, fmt, "format", "expected %s, got \"%.40s\"", "\"" FORMAT "\"", fmt->str);
    goto fail;
  }
  int kirsch, boxcox;
  if (choice(&r, root, "method", "par", "kirsch", &kirsch) ||
      choice(&r, root, "transform", "log", "boxcox", &boxcox))
    goto fail;
  f->method = kirsch ? NARYN_INFLOW_KIRSCH : NARYN_INFLOW_PAR;
  f->boxcox = boxcox;
  if (!kirsch) {
    double order;
    if (choice(&r, root, "criterion", "bic", "aic", &f->aic) ||
        num_field(&r, root, "max_order", "", 0, 0, NARYN__INFLOW_MAX_ORDER,
                  "a PAR order from 0 to 3", &order))
      goto fail;
    if (order != floor(order)) {
      bad(&r, naryn__doc_get(root, "max_order"), "max_order", "expected %s, got %g",
          "a whole number", order);
      goto fail;
    }
    f->max_order = (int)order;
  }
  const naryn__doc *rec = naryn__doc_get(root, "record");
  if (rec && rec->kind == NARYN__DOC_MAP) {
    const naryn__doc *file = naryn__doc_get(rec, "file");
    if (file && file->kind == NARYN__DOC_SCALAR) f->record_file = file->str;
  }
  if (kirsch) {
    const naryn__doc *h = field(&r, root, "history", NARYN__DOC_MAP,
                                "an object {first_year, years}", "");
    double y0, years;
    if (!h || num_field(&r, h, "first_year", "history", 1, 0, 9999, "a year", &y0) ||
        num_field(&r, h, "years", "history", 3, 0, 100000, "at least 3 years", &years))
      goto fail;
    f->hist_year0 = (int)y0;
    f->hist_years = (int)years;
  }
  const naryn__doc *sites = field(&r, root, "sites", NARYN__DOC_SEQ, "a list of sites", "");
  if (!sites) goto fail;
  if (sites->n < 1) {
    bad(&r, sites, "sites", "expected %s, got %s", "at least one site", "an empty list");
    goto fail;
  }
  f->nsites = sites->n;
  f->site = naryn__arena_alloc(f->a, (size_t)f->nsites * sizeof *f->site);
  if (kirsch) f->hist = naryn__arena_alloc(f->a, (size_t)f->nsites * f->hist_years * 12 * sizeof *f->hist);
  else {
    f->cov = naryn__arena_alloc(f->a, (size_t)12 * f->nsites * f->nsites * sizeof *f->cov);
    f->chol = naryn__arena_alloc(f->a, (size_t)12 * f->nsites * f->nsites * sizeof *f->chol);
  }
  if (!f->site || (kirsch ? !f->hist : !f->cov || !f->chol)) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    goto fail;
  }
  for (int s = 0; s < f->nsites; s++) {
    const naryn__doc *v = sites->vals[s];
    if (v->kind != NARYN__DOC_MAP) {
      char got[96], where[32];
      snprintf(where, sizeof where, "sites[%d]", s);
      bad(&r, v, where, "expected %s, got %s", "an object for one site",
          naryn__doc_describe(v, got, sizeof got));
      goto fail;
    }
    if (read_site(&r, v, s) != 0) goto fail;
  }
  if (kirsch) {
    /* The fit's record is the history it resamples. */
    f->rec_start = f->hist_year0 * 12;
    f->rec_months = f->hist_years * 12;
    f->rec = f->hist;
    if (naryn__kirsch_prepare(f, d) != 0) goto fail;
  } else {
    if (read_covariance(&r, root) != 0) goto fail;
    naryn__par_factor(f);
  }
  *out = f;
  return NARYN_OK;
fail:
  naryn_inflow_fit_free(f);
  return naryn__diags_status(d, mark, naryn__inflow_status(d, from, NARYN_ESYNTAX));
}
