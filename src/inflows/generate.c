/*
** generate.c: fitting a synthetic-inflow model to a record, drawing a
** member of an ensemble from it, and writing members as CSV.
**
** A member is named by (seed, member): its random stream is seeded from
** both (core/rng.c) and nothing else, so that member k is the same whether
** it is drawn alone or among others, in any order, on any thread. The
** method draws standardised flows z (par.c, kirsch.c); this file turns them
** into flows, q = T^-1(mu_m + sd_m z), and applies the fit's climate
** shifts: a factor per calendar month and the glacier parts of July to
** September, which fall from the series' first year.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

/* ====================================================================== */
/* The fit object                                                          */
/* ====================================================================== */

void naryn_inflow_fit_opts_init(naryn_inflow_fit_opts *o) {
  memset(o, 0, sizeof *o);
  o->method = NARYN_INFLOW_PAR;
  o->max_order = NARYN__INFLOW_MAX_ORDER;
}

naryn_inflow_fit *naryn__inflow_fit_new(void) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return NULL;
  naryn_inflow_fit *f = naryn__arena_alloc(a, sizeof *f);
  if (!f) {
    naryn__arena_free(a);
    return NULL;
  }
  f->a = a;
  return f;
}

void naryn_inflow_fit_free(naryn_inflow_fit *f) {
  if (f) naryn__arena_free(f->a);
}

int naryn_inflow_fit_sites(const naryn_inflow_fit *f) { return f ? f->nsites : 0; }

const char *naryn_inflow_fit_site(const naryn_inflow_fit *f, int i) {
  return f && i >= 0 && i < f->nsites ? f->site[i].name : NULL;
}

naryn_inflow_method naryn_inflow_fit_method(const naryn_inflow_fit *f) { return f->method; }

int naryn__month_parse(const char *s, int *index) {
  int y, m, day;
  if (!s || naryn__date_parse(s, strlen(s), 1, &y, &m, &day) != 0 || strlen(s) != 7) return -1;
  *index = y * 12 + m - 1;
  return 0;
}

/* The status of the first error reported in d from its kept diagnostic
** 'from' on, or 'otherwise'. */
int naryn__inflow_status(const naryn_diags *d, int from, int otherwise) {
  for (int i = from; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    if (g->severity == NARYN_SEV_ERROR) return g->code;
  }
  return otherwise;
}

int naryn_inflow_fit_record(const char *record, const naryn_inflow_fit_opts *o,
                            naryn_inflow_fit **out, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int from = naryn_diags_count(d);
  naryn_inflow_fit_opts defaults;
  if (!o) naryn_inflow_fit_opts_init(&defaults), o = &defaults;
  *out = NULL;
  if (o->max_order < 0 || o->max_order > NARYN__INFLOW_MAX_ORDER)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--max-order",
                       "expected a PAR order from 0 to %d, got %d", NARYN__INFLOW_MAX_ORDER,
                       o->max_order);
  naryn_inflow_fit *f = naryn__inflow_fit_new();
  if (!f) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  f->method = o->method;
  f->boxcox = o->boxcox;
  f->aic = o->aic;
  f->max_order = o->method == NARYN_INFLOW_PAR ? o->max_order : 0;
  f->record_file = naryn__arena_strdup(f->a, record);
  f->command = o->command ? naryn__arena_strdup(f->a, o->command) : NULL;
  naryn__record rec;
  int rc = NARYN_ESYNTAX;
  if (!f->record_file || (o->command && !f->command)) {
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    goto fail;
  }
  if (naryn__record_read(record, o->sites, f->a, &rec, d) != 0) goto fail;
  f->nsites = rec.nsites;
  f->site = naryn__arena_alloc(f->a, (size_t)rec.nsites * sizeof *f->site);
  if (!f->site) {
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    goto fail;
  }
  for (int s = 0; s < rec.nsites; s++) {
    f->site[s].name = rec.name[s];
    f->site[s].column = rec.column[s];
    for (int m = 0; m < 12; m++) f->site[s].factor[m] = 1.0;
  }
  /* Long enough: PAR(p) fits each month on the months from the p-th on,
  ** and needs p + 2 of them per calendar month. */
  if (f->method == NARYN_INFLOW_PAR) {
    int p = f->max_order, need = p + 12 * (p + 2);
    if (rec.months < need) {
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, record, rec.last_line, 1,
                       "column \"date\"",
                       "expected at least %d months for PAR(%d) (every calendar month needs "
                       "%d values after the first %d months), got %d",
                       need, p, p + 2, p, rec.months);
      goto fail;
    }
  }
  if (f->method == NARYN_INFLOW_KIRSCH) {
    int first = (rec.start + 11) / 12 * 12, years = (rec.start + rec.months - first) / 12;
    if (years < 3) {
      rc = naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, record, rec.last_line, 1,
                       "column \"date\"",
                       "expected at least 3 whole calendar years (January to December) for the "
                       "kirsch method, got %d",
                       years < 0 ? 0 : years);
      goto fail;
    }
  }
  if (o->rescale && naryn__record_rescale(&rec, o->rescale, f->site, f->a, d) != 0) goto fail;
  f->rec_start = rec.start;
  f->rec_months = rec.months;
  f->rec = rec.q;
  if (f->method == NARYN_INFLOW_KIRSCH) {
    if (naryn__kirsch_fit(f, d) != 0 ||
        naryn__inflow_fit_margins(f, f->hist, f->hist_year0 * 12, f->hist_years * 12, d) != 0 ||
        naryn__kirsch_prepare(f, d) != 0)
      goto fail;
  } else if (naryn__inflow_fit_margins(f, f->rec, f->rec_start, f->rec_months, d) != 0 ||
             naryn__par_fit(f, d) != 0) {
    goto fail;
  }
  *out = f;
  return NARYN_OK;
fail:
  naryn_inflow_fit_free(f);
  return naryn__diags_status(d, mark, naryn__inflow_status(d, from, rc));
}

/* ====================================================================== */
/* Drawing a member                                                        */
/* ====================================================================== */

int naryn_inflow_generate(const naryn_inflow_fit *f, uint64_t seed, long member,
                          const char *start, int months, double *out, naryn_diags *d) {
  int t0;
  if (!f || !out)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_inflow_generate: expected a fit and an output array");
  if (naryn__month_parse(start, &t0) != 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--start",
                       "expected a month as YYYY-MM, got \"%.40s\"", start ? start : "");
  if (months < 1 || member < 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_inflow_generate: expected months >= 1 and member >= 0, got %d "
                       "and %ld",
                       months, member);
  naryn__rng r;
  naryn__rng_seed(&r, seed, (uint64_t)member);
  int rc = f->method == NARYN_INFLOW_KIRSCH ? naryn__kirsch_draw(f, &r, t0, months, out)
                                            : naryn__par_draw(f, &r, t0, months, out);
  if (rc != 0) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int s = 0; s < f->nsites; s++) {
    const naryn__inflow_site *site = &f->site[s];
    double *q = out + (size_t)s * months;
    for (int t = 0; t < months; t++) {
      int m = (t0 + t) % 12;
      double v = naryn__inflow_inv(site->mu[m] + site->sd[m] * q[t], site->lambda[m],
                                   naryn__inflow_floor(site, m));
      v *= site->factor[m];
      if (m >= 6 && m <= 8) {
        double decades = ((t0 + t) / 12 - t0 / 12) / 10.0;
        for (int g = 0; g < site->nglacier; g++) {
          const naryn__glacier *gl = &site->glacier[g];
          v *= 1.0 - gl->share + gl->share * pow(1.0 - gl->decline_pct / 100.0, decades);
        }
      }
      /* A fit's numbers are checked as it is read, but coefficients above
      ** 1 compound from month to month: a flow past a model's limit is
      ** refused, not written. */
      if (!(v >= 0.0 && v <= NARYN__MAX_FLOW_M3S))
        return naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, f->path, 0, 0, NULL,
                           "site \"%s\" in %04d-%02d: expected flows from 0 to %g m3/s (%s), "
                           "got %g m3/s: the fit's coefficients make its flows grow beyond "
                           "any river's",
                           site->name, (t0 + t) / 12, (t0 + t) % 12 + 1, NARYN__MAX_FLOW_M3S,
                           NARYN__MAX_FLOW_WHY, v);
      q[t] = v;
    }
  }
  return NARYN_OK;
}

/* ====================================================================== */
/* Members as CSV                                                          */
/* ====================================================================== */

int naryn_inflow_write(const naryn_inflow_fit *f, uint64_t seed, long first_member,
                       long members, const char *start, int months, const char *comment,
                       const char *path, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int t0;
  if (naryn__month_parse(start, &t0) != 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--start",
                       "expected a month as YYYY-MM, got \"%.40s\"", start ? start : "");
  if (members < 1 || first_member < 0 || months < 1)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--members",
                       "expected at least 1 member and 1 month, got %ld and %d", members,
                       months);
  double *q = malloc((size_t)f->nsites * months * sizeof *q);
  if (!q) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  naryn__outfile *o = naryn__outfile_open(path, d);
  if (!o) {
    free(q);
    return naryn__diags_status(d, mark, NARYN_EIO);
  }
  for (const char *c = comment; c && *c;) {
    const char *nl = strchr(c, '\n');
    size_t len = nl ? (size_t)(nl - c) : strlen(c);
    naryn__outfile_write(o, "# ", 2);
    naryn__outfile_write(o, c, len);
    naryn__outfile_write(o, "\n", 1);
    c += len + (nl != NULL);
  }
  if (members > 1) naryn__outfile_write(o, "member,", 7);
  naryn__outfile_write(o, "date", 4);
  for (int s = 0; s < f->nsites; s++) naryn__outfile_printf(o, ",%s", f->site[s].name);
  naryn__outfile_write(o, "\n", 1);
  for (long k = 0; k < members; k++) {
    int rc = naryn_inflow_generate(f, seed, first_member + k, start, months, q, d);
    if (rc != NARYN_OK) {
      free(q);
      naryn__outfile_abort(o);
      return naryn__diags_status(d, mark, rc);
    }
    for (int t = 0; t < months; t++) {
      if (members > 1) naryn__outfile_printf(o, "%ld,", first_member + k);
      naryn__outfile_printf(o, "%04d-%02d", (t0 + t) / 12, (t0 + t) % 12 + 1);
      for (int s = 0; s < f->nsites; s++) {
        naryn__outfile_write(o, ",", 1);
        naryn__outfile_number(o, q[(size_t)s * months + t], 2);
      }
      naryn__outfile_write(o, "\n", 1);
    }
  }
  free(q);
  return naryn__diags_status(d, mark, naryn__outfile_commit(o, d));
}
