/*
** inflows_int.h: what the files of the synthetic-inflow module share.
**
** A fit holds, per site and calendar month, the statistics of the
** transformed flows (y = ln q, or the Box-Cox transform of q) and, for the
** PAR method, the autoregressive coefficients of the standardised flows
** z = (y - mean) / sd and the covariance of their residuals between sites;
** for the Kirsch-Nowak method, the record's whole calendar years that it
** resamples. Climate shifts are kept apart as factors on the flows, so that
** the fitted figures stay those of the record.
**
** Files: record.c reads a monthly record; par.c fits and draws PAR(p);
** kirsch.c fits and draws Kirsch-Nowak; fitfile.c writes and reads fit
** files; climate.c reads climate-shift files; generate.c draws a member and
** writes members as CSV; stats.c compares a record with a synthetic series.
*/
#ifndef NARYN_INFLOWS_INT_H
#define NARYN_INFLOWS_INT_H

#include "../naryn_int.h"

/* The highest PAR order fitted. */
#define NARYN__INFLOW_MAX_ORDER 3
/* The water year begins in October (month index 9). */
#define NARYN__WATER_YEAR_MONTH 9
/* Years drawn before the first month asked for, so that a PAR series
** starts from its stationary state rather than from zero. */
#define NARYN__INFLOW_WARMUP_YEARS 10

extern const char *const naryn__month_names[12];

/* A glacier part of a site's July-September flow, falling from the year a
** series starts. */
typedef struct naryn__glacier {
  double share;       /* part of the flow, 0..1 */
  double decline_pct; /* % lost per decade, compounded */
} naryn__glacier;

typedef struct naryn__inflow_site {
  const char *name;
  const char *column;     /* the record's column it was fitted to */
  double mean_m3s[12];    /* the record's mean flow per calendar month */
  double min_m3s[12];     /* and its smallest */
  double mu[12], sd[12];  /* mean and standard deviation of y */
  double lambda[12];      /* Box-Cox exponent; 0 for the logarithm */
  int order[12];          /* PAR order of each month */
  double phi[12][NARYN__INFLOW_MAX_ORDER];
  /* A rescaled record: the statistics file, the target CV and the power
  ** applied to the log-flow anomalies (0 when not rescaled). */
  const char *rescale_file;
  double rescale_cv, rescale_power;
  /* Climate shifts: a factor per calendar month and glacier parts. */
  double factor[12];
  naryn__glacier *glacier;
  int nglacier;
} naryn__inflow_site;

struct naryn_inflow_fit {
  naryn__arena *a;
  naryn_inflow_method method;
  int boxcox, aic, max_order;
  int nsites;
  naryn__inflow_site *site;
  const char *command;     /* the command line that made it, or NULL */
  const char *record_file; /* as given to the fit */
  const char *path;        /* the fit file it was read from, or NULL */
  /* The record, site-major rec[s * rec_months + t], from month index
  ** rec_start (year * 12 + month - 1). A fit read from a PAR fit file has
  ** none (rec_months 0) but its span. */
  int rec_start, rec_months;
  double *rec;
  /* PAR: the residual covariance and its lower Cholesky factor per month,
  ** cov[(m * n + i) * n + j]. */
  double *cov, *chol;
  /* Kirsch-Nowak: whole calendar years from hist_year0, flows
  ** hist[(s * hist_years + y) * 12 + m]; their standardised transforms z
  ** in the same layout; per site the upper Cholesky factors of the
  ** correlation of the 12 months (u) and of the 12 months from July (u6),
  ** u[(s * 12 + i) * 12 + j]. */
  int hist_year0, hist_years;
  double *hist, *z, *u, *u6;
};

/* ---- record.c ---- */

/* The months of a record: column values per site, site-major. */
typedef struct naryn__record {
  int nsites;
  const char **name, **column; /* per site */
  int start, months;           /* first month index, number of months */
  double *q;                   /* [nsites * months] flows, m3/s */
  int last_line;               /* line of the last row (for messages) */
  const char *file;
} naryn__record;

/* Reads a record and the sites asked for ("NAME" or "NAME=COLUMN",
** comma-separated; NULL for every column), into the arena. Reports a bad
** date, a gap, a repeated or misordered month, a flow that is not a number
** > 0, and an unknown column; returns 0 or -1. */
int naryn__record_read(const char *path, const char *sites, naryn__arena *a,
                       naryn__record *out, naryn_diags *d);
/* Rescales each site's record to the monthly means and annual CV of the
** statistics file (doc/inflows.md); returns 0 or -1. */
int naryn__record_rescale(naryn__record *rec, const char *stats,
                          naryn__inflow_site *sites, naryn__arena *a,
                          naryn_diags *d);
/* Days in month index t (year * 12 + month - 1). */
int naryn__month_days(int t);

/* ---- transform (par.c) ---- */

/* The transform of a flow and its inverse, for exponent lambda (0: log).
** The inverse never gives less than floor_m3s. */
double naryn__inflow_fwd(double q, double lambda);
double naryn__inflow_inv(double y, double lambda, double floor_m3s);
/* Fits each site's per-month transform statistics (lambda, mu, sd, mean
** and min flow) to flows laid out as the record is (site-major, 'months'
** from month index 'start'); returns 0 or -1 (a month whose flows never
** vary). */
int naryn__inflow_fit_margins(naryn_inflow_fit *f, const double *flows, int start, int months,
                              naryn_diags *d);
/* The flows' lowest allowed value for month m of site s. */
double naryn__inflow_floor(const naryn__inflow_site *s, int m);

/* ---- par.c ---- */

int naryn__par_fit(naryn_inflow_fit *f, naryn_diags *d);
/* Computes the Cholesky factors of the covariances (after a fit or a read). */
int naryn__par_factor(naryn_inflow_fit *f);
/* Draws months of standardised flows z[s * months + t] from month index
** 'start' (warm-up years before it), with r. */
int naryn__par_draw(const naryn_inflow_fit *f, naryn__rng *r, int start,
                    int months, double *z);
/* Lower Cholesky factor of an n x n positive semi-definite matrix: a
** pivot that is zero within rounding leaves its column zero. */
void naryn__chol_psd(const double *a, int n, double *l);

/* ---- kirsch.c ---- */

/* Keeps the record's whole calendar years; 0 or -1 when it has fewer
** than 3. */
int naryn__kirsch_fit(naryn_inflow_fit *f, naryn_diags *d);
/* Standardises the kept years and factors their correlations (after a fit
** or a read). */
int naryn__kirsch_prepare(naryn_inflow_fit *f, naryn_diags *d);
int naryn__kirsch_draw(const naryn_inflow_fit *f, naryn__rng *r, int start,
                       int months, double *z);

/* ---- generate.c ---- */

/* A new empty fit with its arena; NULL when out of memory. */
naryn_inflow_fit *naryn__inflow_fit_new(void);
/* The status of the first error reported in d from its kept diagnostic
** 'from' on, or 'otherwise'. */
int naryn__inflow_status(const naryn_diags *d, int from, int otherwise);
/* Parses "YYYY-MM" into a month index; 0 or -1. */
int naryn__month_parse(const char *s, int *index);

#endif
