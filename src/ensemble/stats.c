/*
** stats.c: the statistics of an ensemble, from its members' records read
** in member order (doc/ensembles.md gives each definition).
**
** Percentiles are Hyndman and Fan's type 7, numpy's default: of n values
** sorted x[0] <= ... <= x[n-1], the p-quantile is x[j] + (h - j)(x[j+1] -
** x[j]) with h = (n - 1) p and j = floor(h). Means are sums in member
** order (and within a member in order of water year) divided by the
** count. The reliability figures follow Hashimoto, Stedinger and Loucks
** (1982): a period (a step for a demand, a winter for energy) fails when
** it is short by more than a cubic metre (NARYN__FAIL_HM3) or a kWh
** (NARYN__FAIL_GWH) and, for energy, twice the settle tolerance's share of
** the target (energy follows a head known to that tolerance); reliability is the share of periods that do not
** fail, resilience the share of failed periods with a next one in the
** horizon that are followed by one that does not fail, vulnerability the
** mean shortage over the failed periods. Counts are exact; every sum runs
** over members in order, so that the figures do not depend on which
** thread or process ran which member.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void naryn__ens_sort(double *v, long n) {
  if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_double);
}

double naryn__ens_quantile(const double *sorted, long n, double p) {
  if (n <= 0) return NAN;
  if (n == 1 || p <= 0) return sorted[0];
  if (p >= 1) return sorted[n - 1];
  double h = (double)(n - 1) * p;
  long j = (long)floor(h);
  if (j >= n - 1) return sorted[n - 1];
  return sorted[j] + (h - (double)j) * (sorted[j + 1] - sorted[j]);
}

/* Mean and the 5th, 50th and 95th percentiles of n values (sorted here). */
static void describe(double *v, long n, double *mean, double *p5, double *p50,
                     double *p95) {
  double sum = 0.0;
  for (long k = 0; k < n; k++) sum += v[k];
  *mean = n ? sum / (double)n : NAN;
  naryn__ens_sort(v, n);
  *p5 = naryn__ens_quantile(v, n, 0.05);
  *p50 = naryn__ens_quantile(v, n, 0.50);
  *p95 = naryn__ens_quantile(v, n, 0.95);
}

void naryn__ens_yearly_stats(const ens_run *run, int g, int s, int q, int by_member,
                             double *work, long *n, double *mean, double *p5,
                             double *p50, double *p95) {
  const ens_layout *L = &run->L;
  long k = 0;
  for (long mi = 0; mi < run->members; mi++) {
    const double *rec = run->yearly + (size_t)mi * run->ylen;
    double sum = 0.0;
    for (int y = 0; y < L->nyears; y++) {
      double v = YEARLY(L, rec, y, g, s, q);
      if (by_member) sum += v;
      else work[k++] = v;
    }
    if (by_member) work[k++] = sum / L->nyears;
  }
  *n = k;
  describe(work, k, mean, p5, p50, p95);
}

/* ====================================================================== */
/* The reduction of a run's records                                        */
/* ====================================================================== */

/* The storage bands of every reservoir and step. */
static void fan(ens_run *run, const double *rec, long members, double *work) {
  const ens_layout *L = &run->L;
  int T = L->nsteps;
  for (int r = 0; r < L->nres; r++)
    for (int t = 0; t < T; t++) {
      double *f = run->fan + ((size_t)r * T + t) * FAN_COUNT;
      double sum = 0.0;
      for (long mi = 0; mi < members; mi++) {
        work[mi] = rec[(size_t)mi * L->len + L->storage + (size_t)r * T + t];
        sum += work[mi];
      }
      f[FAN_MEAN] = sum / (double)members;
      naryn__ens_sort(work, members);
      f[FAN_P5] = naryn__ens_quantile(work, members, 0.05);
      f[FAN_P25] = naryn__ens_quantile(work, members, 0.25);
      f[FAN_P50] = naryn__ens_quantile(work, members, 0.50);
      f[FAN_P75] = naryn__ens_quantile(work, members, 0.75);
      f[FAN_P95] = naryn__ens_quantile(work, members, 0.95);
    }
}

/* Fills a reliability row from its counts and sums. */
static void rrv_figures(ens_rrv *x, double shortage, double share) {
  x->reliability = x->periods ? 1.0 - (double)x->failures / (double)x->periods : NAN;
  x->resilience = x->with_next ? (double)x->recoveries / (double)x->with_next : NAN;
  x->vulnerability = x->failures ? shortage / (double)x->failures : NAN;
  x->vulnerability_share = x->failures ? share / (double)x->failures : NAN;
}

/* Every demand's and minimum flow's reliability figures. */
static void demands(ens_run *run, const double *rec, long members) {
  const ens_layout *L = &run->L;
  for (int k = 0; k < L->ndem; k++) {
    ens_rrv *x = &run->rrv[k];
    int i = L->dem[k];
    double shortage = 0.0, share = 0.0;
    memset(x, 0, sizeof *x);
    x->kind = run->node_type[i] == NARYN_NODE_MIN_FLOW ? "min_flow" : "demand";
    x->name = run->node_name[i];
    x->country = run->node_country[i];
    x->unit = "hm3";
    x->plants = "";
    x->target = NAN;
    for (long mi = 0; mi < members; mi++) {
      const double *f = rec + (size_t)mi * L->len + L->demand + (size_t)k * DF_COUNT;
      x->periods += L->nsteps;
      x->failures += (long)f[DF_FAIL];
      x->with_next += (long)f[DF_FAIL_NEXT];
      x->recoveries += (long)f[DF_RECOVER];
      shortage += f[DF_SHORT];
      share += f[DF_SHARE];
      if (mi == 0 || f[DF_WORST] > x->worst) x->worst = f[DF_WORST];
    }
    rrv_figures(x, shortage, share);
  }
}

/* The chance of storage below each level on 1 April: the storage at the
** start of every step that begins on 1 April, or of the first step after
** it when none does (the end of the step holding 31 March). */
static int april(ens_run *run, const double *rec, long members, double *work) {
  const ens_layout *L = &run->L;
  int T = L->nsteps;
  int *steps = malloc((size_t)T * sizeof *steps), nsteps = 0;
  if (!steps) return NARYN_ENOMEM;
  for (int t = 0; t < T; t++) {
    char first[16];
    snprintf(first, sizeof first, "%.4s-04-01", run->step_date[t]);
    if (strcmp(run->step_date[t], first) < 0) continue;
    if (t == 0 ? strcmp(run->step_date[t], first) == 0
               : strcmp(run->step_date[t - 1], first) < 0)
      steps[nsteps++] = t;
  }
  for (int k = 0; k < run->napril; k++) {
    ens_april *a = &run->april[k];
    int r = 0;
    while (r < L->nres && strcmp(run->node_name[L->res[r]], a->reservoir) != 0) r++;
    long n = 0;
    for (long mi = 0; mi < members; mi++) {
      const double *st = rec + (size_t)mi * L->len + L->storage + (size_t)r * T;
      long below = 0;
      for (int j = 0; j < nsteps; j++) {
        double v = steps[j] == 0 ? run->initial[r] : st[steps[j] - 1];
        work[n++] = v;
        below += v < a->level_hm3;
      }
      a->below += below;
      a->members_below += below > 0;
    }
    a->member_years = n;
    a->members = members;
    a->probability = n ? (double)a->below / (double)n : NAN;
    a->member_probability = members ? (double)a->members_below / (double)members : NAN;
    naryn__ens_sort(work, n);
    a->p5 = naryn__ens_quantile(work, n, 0.05);
    a->p50 = naryn__ens_quantile(work, n, 0.50);
    a->p95 = naryn__ens_quantile(work, n, 0.95);
  }
  free(steps);
  return NARYN_OK;
}

int naryn__ens_reduce(naryn_ensemble *e, ens_run *run, const double *rec, long members,
                      naryn_diags *d) {
  const ens_layout *L = &run->L;
  int T = L->nsteps;
  size_t ylen = L->plants - L->yearly, wlen = (size_t)L->nplants * L->nyears;
  size_t slen = (size_t)L->nsel * T;
  run->ylen = ylen;
  run->yearly = malloc(((size_t)members * ylen + 1) * sizeof *run->yearly);
  run->winter = malloc(((size_t)members * wlen + 1) * sizeof *run->winter);
  run->sel = slen ? malloc(((size_t)members * slen + 1) * sizeof *run->sel) : NULL;
  run->fan = naryn__arena_alloc(e->a, ((size_t)L->nres * T + 1) * FAN_COUNT * sizeof *run->fan);
  run->rrv = naryn__arena_alloc(e->a, ((size_t)L->ndem + 64) * sizeof *run->rrv);
  run->april = naryn__arena_alloc(e->a, ((size_t)e->o.napril + 1) * sizeof *run->april);
  size_t most = (size_t)members * (T > L->nyears ? T : L->nyears) + 1;
  double *work = malloc(most * sizeof *work);
  if (!run->yearly || !run->winter || (slen && !run->sel) || !run->fan || !run->rrv ||
      !run->april || !work) {
    free(work);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (long mi = 0; mi < members; mi++) {
    const double *r = rec + (size_t)mi * L->len;
    memcpy(run->yearly + (size_t)mi * ylen, r + L->yearly, ylen * sizeof *r);
    memcpy(run->winter + (size_t)mi * wlen, r + L->plants, wlen * sizeof *r);
    if (slen) memcpy(run->sel + (size_t)mi * slen, r + L->sel, slen * sizeof *r);
  }
  fan(run, rec, members, work);
  run->ndemrrv = run->nrrv = L->ndem;
  demands(run, rec, members);
  for (int k = 0; k < e->o.napril; k++) {
    run->april[k].reservoir = e->o.april_reservoir[k];
    run->april[k].level_hm3 = e->o.april_hm3[k];
  }
  run->napril = e->o.napril;
  int rc = april(run, rec, members, work);
  free(work);
  if (rc != NARYN_OK)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return NARYN_OK;
}

/* ====================================================================== */
/* Winter energy against its targets                                       */
/* ====================================================================== */

/* The rows of one country's winter energy against a target per water
** year, of the plants marked in 'on' (by the run's plant index). */
static void energy_row(ens_run *run, ens_rrv *x, const char *country, const char *plants,
                       const unsigned char *on, const double *target_y, double settle) {
  const ens_layout *L = &run->L;
  double deficit = 0.0, share = 0.0, tsum = 0.0;
  memset(x, 0, sizeof *x);
  x->kind = "energy";
  x->name = country;
  x->country = country;
  x->unit = "GWh";
  x->plants = plants;
  for (int y = 0; y < L->nyears; y++) tsum += target_y[y];
  x->target = tsum / L->nyears;
  for (long mi = 0; mi < run->members; mi++) {
    const double *w = run->winter + (size_t)mi * L->nplants * L->nyears;
    int failed_before = 0;
    for (int y = 0; y < L->nyears; y++) {
      double e = 0.0;
      for (int p = 0; p < L->nplants; p++)
        if (on[p]) e += w[(size_t)p * L->nyears + y];
      double short_gwh = target_y[y] - e;
      /* Energy follows the settled head, which is known only to within
      ** the settle tolerance: a winter short by no more than twice that
      ** share of its target met it. */
      int fail = short_gwh > NARYN__FAIL_GWH + 2.0 * settle * target_y[y];
      x->periods++;
      if (y > 0 && failed_before) x->recoveries += !fail;
      if (fail) {
        x->failures++;
        deficit += short_gwh;
        share += target_y[y] > 0 ? short_gwh / target_y[y] : 1.0;
        if (y + 1 < L->nyears) x->with_next++;
        if (short_gwh > x->worst) x->worst = short_gwh;
      }
      failed_before = fail;
    }
  }
  rrv_figures(x, deficit, share);
}

int naryn__ens_energy(naryn_ensemble *e, naryn_diags *d) {
  /* The targets: the options' (every plant of the country), else the
  ** energy rules of the first run that has any (the plants they name,
  ** by country), applied to every run by plant name. */
  const ens_run *src = NULL;
  for (int k = 0; k < e->nruns && !src && e->o.nenergy == 0; k++)
    for (size_t j = 0; j < (size_t)e->runs[k].L.nplants * e->runs[k].L.nyears; j++)
      if (!isnan(e->runs[k].target[j])) {
        src = &e->runs[k];
        break;
      }
  for (int k = 0; k < e->nruns; k++) {
    ens_run *run = &e->runs[k];
    const ens_layout *L = &run->L;
    run->nrrv = run->ndemrrv;
    unsigned char *on = malloc((size_t)L->nplants + 1);
    double *ty = malloc(((size_t)L->nyears + 1) * sizeof *ty);
    if (!on || !ty) {
      free(on), free(ty);
      return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    }
    for (int c = 0; c < e->o.nenergy && run->nrrv < run->ndemrrv + 64; c++) {
      for (int p = 0; p < L->nplants; p++)
        on[p] = strcmp(run->node_country[L->plant[p]], e->o.energy_country[c]) == 0;
      for (int y = 0; y < L->nyears; y++) ty[y] = e->o.energy_gwh[c];
      energy_row(run, &run->rrv[run->nrrv++], e->o.energy_country[c], "all", on, ty,
                 e->o.sim.settle_tolerance);
    }
    for (int g = 0; src && g < src->L.ngroups - 1 && run->nrrv < run->ndemrrv + 64; g++) {
      const char *country = src->L.group[g];
      char names[512] = "";
      size_t len = 0;
      int any = 0;
      for (int y = 0; y < L->nyears; y++) ty[y] = 0.0;
      for (int p = 0; p < L->nplants; p++) on[p] = 0;
      for (int sp = 0; sp < src->L.nplants; sp++) {
        const char *plant = src->node_name[src->L.plant[sp]];
        if (strcmp(src->node_country[src->L.plant[sp]], country) != 0) continue;
        const double *tg = src->target + (size_t)sp * src->L.nyears;
        int has = 0;
        for (int y = 0; y < src->L.nyears; y++) has |= !isnan(tg[y]);
        if (!has) continue;
        any = 1;
        if (len < sizeof names)
          len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? "+" : "",
                                  plant);
        for (int y = 0; y < L->nyears; y++)
          ty[y] += y < src->L.nyears && !isnan(tg[y]) ? tg[y] : 0.0;
        for (int p = 0; p < L->nplants; p++)
          if (strcmp(run->node_name[L->plant[p]], plant) == 0) on[p] = 1;
      }
      if (!any) continue;
      const char *kept = naryn__arena_strdup(e->a, names);
      if (!kept) {
        free(on), free(ty);
        return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                           "out of memory");
      }
      energy_row(run, &run->rrv[run->nrrv++], country, kept, on, ty, e->o.sim.settle_tolerance);
    }
    free(on);
    free(ty);
  }
  return NARYN_OK;
}
