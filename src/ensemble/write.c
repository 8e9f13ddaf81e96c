/*
** write.c: an ensemble's results as files (doc/results.md, "Ensembles"):
** a row per run in ensemble.csv; each member's yearly figures in
** members.csv; over the members, stats.csv, reliability.csv, april.csv,
** exceedance.csv, histogram.csv and storage.csv; members.nc with the
** per-step values asked for; and last report.html, drawn from the files.
**
** Every file has the run as its first column, so that the runs of
** "--compare" sit in one table. Numbers are written with fixed decimals,
** as the other result files are, so that the same ensemble gives the same
** bytes. The folder is staged and put in place whole.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

static const char *const quantity_name[EQ_COUNT] = {"energy_gwh", "delivered_hm3",
                                                   "shortage_hm3", "sink_inflow_hm3"};
static const char *const fan_name[FAN_COUNT] = {"mean", "p5", "p25", "p50", "p75", "p95"};

/* Points of the exceedance curves, and the most bins of a histogram. */
#define EXCEED_POINTS 101
#define MAX_BINS 25

enum { F_ENSEMBLE, F_MEMBERS, F_STATS, F_RELIABILITY, F_APRIL, F_EXCEED, F_HIST,
       F_STORAGE, F_COUNT };
static const char *const file_names[F_COUNT] = {
    "ensemble.csv",   "members.csv",    "stats.csv",     "reliability.csv",
    "april.csv",      "exceedance.csv", "histogram.csv", "storage.csv"};

/* What the writers draw on besides the runs: for each run, group and
** quantity (energy, shortage) the sorted yearly values of the whole year
** over member-years; per group the histogram's bin width. */
typedef struct ctx {
  const naryn_ensemble *e;
  double **sorted;  /* [(run * ngroups_max + g) * 2 + which] */
  int gmax;
  double *width;    /* [gmax] per group of the first run, by code */
  int *nbins;
  double *work;     /* room for any run's member-years */
} ctx;

static void put_num(naryn__outfile *f, double v, int decimals) {
  naryn__outfile_write(f, ",", 1);
  naryn__put_fixed(f, v, decimals);
}

static void put_str(naryn__outfile *f, const char *s) {
  naryn__outfile_write(f, ",", 1);
  naryn__put_text(f, s);
}

static void write_ensemble(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  const naryn_members *mb = e->mb;
  naryn__outfile_printf(f, "run,model,model_file,scenario,start,end,step,steps,water_years,"
                           "first_water_year,last_water_year,members,first_member,"
                           "last_member,source,sites,naryn_version,command\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    naryn__put_text(f, r->name);
    put_str(f, r->model);
    put_str(f, r->model_file);
    put_str(f, r->scenario);
    put_str(f, r->start);
    put_str(f, r->end);
    put_str(f, r->step);
    naryn__outfile_printf(f, ",%d,%d,%d,%d,%ld,%ld,%ld", r->nsteps, r->L.nyears,
                          r->L.year_label[0], r->L.year_label[r->L.nyears - 1], r->members,
                          naryn_members_id(mb, 0), naryn_members_id(mb, r->members - 1));
    put_str(f, mb->source);
    char sites[1024] = "";
    size_t len = 0;
    for (int j = 0; j < mb->nsites && len < sizeof sites; j++)
      len += (size_t)snprintf(sites + len, sizeof sites - len, "%s%s", j ? "+" : "",
                              mb->site[j]);
    put_str(f, sites);
    put_str(f, NARYN_VERSION);
    put_str(f, e->command ? e->command : "");
    naryn__outfile_write(f, "\n", 1);
  }
}

static void write_members(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,member,water_year,country,season,energy_gwh,"
                           "delivered_hm3,shortage_hm3,sink_inflow_hm3\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    const ens_layout *L = &r->L;
    for (long mi = 0; mi < r->members; mi++) {
      const double *rec = r->yearly + (size_t)mi * r->ylen;
      long id = naryn_members_id(e->mb, mi);
      for (int y = 0; y < L->nyears; y++)
        for (int g = 0; g < L->ngroups; g++)
          for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
            naryn__put_text(f, r->name);
            naryn__outfile_printf(f, ",%ld,%d", id, L->year_label[y]);
            put_str(f, L->group[g]);
            put_str(f, naryn_season_name((naryn_season)s));
            for (int q = 0; q < EQ_COUNT; q++) put_num(f, YEARLY(L, rec, y, g, s, q), 6);
            naryn__outfile_write(f, "\n", 1);
          }
    }
  }
}

static void write_stats(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,country,season,quantity,basis,n,mean,p5,p50,p95\n");
  double *work = c->work;
  static const char *const basis[2] = {"year", "member"};
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    for (int g = 0; g < r->L.ngroups; g++)
      for (int s = 0; s < NARYN_SEASON_COUNT; s++)
        for (int q = 0; q < EQ_COUNT; q++)
          for (int b = 0; b < 2; b++) {
            long n;
            double mean, p5, p50, p95;
            naryn__ens_yearly_stats(r, g, s, q, b, work, &n, &mean, &p5, &p50, &p95);
            naryn__put_text(f, r->name);
            put_str(f, r->L.group[g]);
            put_str(f, naryn_season_name((naryn_season)s));
            put_str(f, quantity_name[q]);
            put_str(f, basis[b]);
            naryn__outfile_printf(f, ",%ld", n);
            put_num(f, mean, 6);
            put_num(f, p5, 6);
            put_num(f, p50, 6);
            put_num(f, p95, 6);
            naryn__outfile_write(f, "\n", 1);
          }
  }
}

static void write_reliability(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,kind,name,country,plants,unit,target,periods,failures,"
                           "reliability,resilience,vulnerability,vulnerability_share,"
                           "worst\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    for (int j = 0; j < r->nrrv; j++) {
      const ens_rrv *x = &r->rrv[j];
      naryn__put_text(f, r->name);
      put_str(f, x->kind);
      put_str(f, x->name);
      put_str(f, x->country);
      put_str(f, x->plants);
      put_str(f, x->unit);
      put_num(f, x->target, 6);
      naryn__outfile_printf(f, ",%ld,%ld", x->periods, x->failures);
      put_num(f, x->reliability, 6);
      put_num(f, x->resilience, 6);
      put_num(f, x->vulnerability, 6);
      put_num(f, x->vulnerability_share, 6);
      put_num(f, x->failures ? x->worst : NAN, 6);
      naryn__outfile_write(f, "\n", 1);
    }
  }
}

static void write_april(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,reservoir,level_hm3,member_years,below,probability,members,"
                           "members_below,member_probability,p5_hm3,p50_hm3,p95_hm3\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    for (int j = 0; j < r->napril; j++) {
      const ens_april *a = &r->april[j];
      naryn__put_text(f, r->name);
      put_str(f, a->reservoir);
      put_num(f, a->level_hm3, 6);
      naryn__outfile_printf(f, ",%ld,%ld", a->member_years, a->below);
      put_num(f, a->probability, 6);
      naryn__outfile_printf(f, ",%ld,%ld", a->members, a->members_below);
      put_num(f, a->member_probability, 6);
      put_num(f, a->p5, 6);
      put_num(f, a->p50, 6);
      put_num(f, a->p95, 6);
      naryn__outfile_write(f, "\n", 1);
    }
  }
}

/* The sorted yearly values of the whole year for run k, group g and
** which (0 energy, 1 shortage), or NULL. */
static const double *sorted_of(const ctx *c, int k, int g, int which) {
  return c->sorted[((size_t)k * c->gmax + g) * 2 + which];
}

static void write_exceedance(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  static const char *const what[2] = {"energy_gwh", "shortage_hm3"};
  naryn__outfile_printf(f, "run,quantity,country,exceedance,value\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    long n = r->members * r->L.nyears;
    for (int which = 0; which < 2; which++)
      for (int g = 0; g < r->L.ngroups; g++) {
        const double *v = sorted_of(c, k, g, which);
        for (int p = 0; p < EXCEED_POINTS; p++) {
          double pe = p / (double)(EXCEED_POINTS - 1);
          naryn__put_text(f, r->name);
          put_str(f, what[which]);
          put_str(f, r->L.group[g]);
          put_num(f, pe, 2);
          put_num(f, v ? naryn__ens_quantile(v, n, 1.0 - pe) : NAN, 6);
          naryn__outfile_write(f, "\n", 1);
        }
      }
  }
}

/* The group index of a country code in the first run's groups, for the
** histogram's common bins; -1 when it has none. */
static int first_group(const naryn_ensemble *e, const char *code) {
  const ens_layout *L = &e->runs[0].L;
  for (int g = 0; g < L->ngroups; g++)
    if (strcmp(L->group[g], code) == 0) return g;
  return -1;
}

static void write_histogram(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,quantity,country,bin,lower,upper,count,share\n");
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    long n = r->members * r->L.nyears;
    for (int g = 0; g < r->L.ngroups; g++) {
      int g0 = first_group(e, r->L.group[g]);
      if (g0 < 0) continue;
      const double *v = sorted_of(c, k, g, 1);
      double width = c->width[g0];
      int bins = c->nbins[g0];
      long at = 0;
      for (int b = 0; b < bins; b++) {
        double lo = b * width, hi = (b + 1) * width;
        long count = 0;
        /* A value on an edge counts for the bin above it; the last bin
        ** takes its upper edge too. */
        while (v && at < n && (v[at] < hi || b == bins - 1)) at++, count++;
        naryn__put_text(f, r->name);
        put_str(f, "shortage_hm3");
        put_str(f, r->L.group[g]);
        naryn__outfile_printf(f, ",%d", b);
        put_num(f, lo, 6);
        put_num(f, hi, 6);
        naryn__outfile_printf(f, ",%ld", count);
        put_num(f, n ? (double)count / (double)n : NAN, 6);
        naryn__outfile_write(f, "\n", 1);
      }
    }
  }
}

static void write_storage(const ctx *c, naryn__outfile *f) {
  const naryn_ensemble *e = c->e;
  naryn__outfile_printf(f, "run,reservoir,date");
  for (int b = 0; b < FAN_COUNT; b++) naryn__outfile_printf(f, ",%s_hm3", fan_name[b]);
  naryn__outfile_write(f, "\n", 1);
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    for (int j = 0; j < r->L.nres; j++)
      for (int t = 0; t < r->nsteps; t++) {
        const double *fan = r->fan + ((size_t)j * r->nsteps + t) * FAN_COUNT;
        naryn__put_text(f, r->name);
        put_str(f, r->node_name[r->L.res[j]]);
        put_str(f, r->step_date[t]);
        for (int b = 0; b < FAN_COUNT; b++) put_num(f, fan[b], 6);
        naryn__outfile_write(f, "\n", 1);
      }
  }
}

static void write_one(const void *vc, int k, naryn__outfile *f) {
  const ctx *c = vc;
  switch (k) {
  case F_ENSEMBLE: write_ensemble(c, f); break;
  case F_MEMBERS: write_members(c, f); break;
  case F_STATS: write_stats(c, f); break;
  case F_RELIABILITY: write_reliability(c, f); break;
  case F_APRIL: write_april(c, f); break;
  case F_EXCEED: write_exceedance(c, f); break;
  case F_HIST: write_histogram(c, f); break;
  default: write_storage(c, f); break;
  }
}

/* A bin width for values from 0 to hi in at most MAX_BINS bins: 1, 2, 2.5
** or 5 times a power of ten. */
static double nice_width(double hi) {
  if (!(hi > 0)) return 1.0;
  double raw = hi / (MAX_BINS - 5), p = pow(10.0, floor(log10(raw)));
  static const double steps[] = {1, 2, 2.5, 5, 10};
  for (int i = 0; i < 5; i++)
    if (steps[i] * p >= raw) return steps[i] * p;
  return 10 * p;
}

/* Sorts the whole-year values and sets the histograms' common bins. */
static int prepare(ctx *c) {
  const naryn_ensemble *e = c->e;
  for (int k = 0; k < e->nruns; k++)
    if (e->runs[k].L.ngroups > c->gmax) c->gmax = e->runs[k].L.ngroups;
  c->sorted = calloc((size_t)e->nruns * c->gmax * 2 + 1, sizeof *c->sorted);
  c->width = calloc((size_t)c->gmax + 1, sizeof *c->width);
  c->nbins = calloc((size_t)c->gmax + 1, sizeof *c->nbins);
  long most = 1;
  for (int k = 0; k < e->nruns; k++)
    if (e->runs[k].members * e->runs[k].L.nyears > most)
      most = e->runs[k].members * e->runs[k].L.nyears;
  c->work = malloc((size_t)most * sizeof *c->work);
  if (!c->sorted || !c->width || !c->nbins || !c->work) return NARYN_ENOMEM;
  double *top = calloc((size_t)c->gmax + 1, sizeof *top);
  if (!top) return NARYN_ENOMEM;
  static const int eq[2] = {EQ_ENERGY, EQ_SHORTAGE};
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    const ens_layout *L = &r->L;
    long n = r->members * L->nyears;
    for (int g = 0; g < L->ngroups; g++)
      for (int which = 0; which < 2; which++) {
        double *v = malloc(((size_t)n + 1) * sizeof *v);
        if (!v) {
          free(top);
          return NARYN_ENOMEM;
        }
        c->sorted[((size_t)k * c->gmax + g) * 2 + which] = v;
        long at = 0;
        for (long mi = 0; mi < r->members; mi++)
          for (int y = 0; y < L->nyears; y++)
            v[at++] = YEARLY(L, r->yearly + (size_t)mi * r->ylen, y, g, NARYN_SEASON_ALL,
                             eq[which]);
        naryn__ens_sort(v, n);
        int g0 = first_group(e, L->group[g]);
        if (which == 1 && g0 >= 0 && n > 0 && v[n - 1] > top[g0]) top[g0] = v[n - 1];
      }
  }
  for (int g = 0; g < c->gmax; g++) {
    c->width[g] = nice_width(top[g]);
    int bins = (int)ceil(top[g] / c->width[g]);
    c->nbins[g] = bins < 1 ? 1 : bins > MAX_BINS ? MAX_BINS : bins;
  }
  free(top);
  return NARYN_OK;
}

static void ctx_free(ctx *c) {
  if (c->sorted)
    for (int k = 0; k < c->e->nruns * c->gmax * 2; k++) free(c->sorted[k]);
  free(c->sorted);
  free(c->width);
  free(c->nbins);
  free(c->work);
}

static int fill(const void *vc, const char *path, naryn_diags *d) {
  const naryn_ensemble *e = vc;
  ctx c = {.e = e};
  int rc = prepare(&c);
  if (rc != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  if (rc == NARYN_OK) rc = naryn__write_files(path, F_COUNT, file_names, write_one, &c, d);
  ctx_free(&c);
  if (rc == NARYN_OK && e->o.per_step) rc = naryn__ens_write_nc(e, path, d);
  if (rc == NARYN_OK) rc = naryn_report_write(path, d);
  return rc;
}

int naryn_ensemble_write(const naryn_ensemble *e, const char *dir, naryn_diags *d) {
  if (!e->root) return NARYN_OK;
  long mark = naryn__diags_nomem(d);
  int rc = naryn__interrupt_check(d);
  if (rc == NARYN_OK && e->nruns == 0)
    rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "expected at least one run of the ensemble to write, got none");
  if (rc == NARYN_OK) rc = naryn__staged_write(dir, fill, e, d);
  return naryn__diags_status(d, mark, rc);
}
