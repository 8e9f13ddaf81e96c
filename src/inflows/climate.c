/*
** climate.c: climate-shift files, which change a fitted inflow model the
** way a warmer climate is expected to change the rivers (doc/inflows.md,
** "Climate shifts").
**
** A file gives, for every site and under "sites" for named sites (whose
** fields replace the ones for every site):
**
**   melt_shift_weeks: N   the seasonal shape moved earlier by N weeks: the
**                         monthly mean flows, taken as the values at the
**                         middle of their months and joined by straight
**                         lines round the year, are read N weeks later,
**                         then scaled so that the year's volume is kept;
**   annual_change_pct: X  every month's flows changed by X %;
**   glacier: {share: G, decline_pct_per_decade: Y}
**                         a part G of the July-September flows comes from
**                         glaciers and falls by Y % per decade, compounded,
**                         from the first year of a series.
**
** The shifts become factors on the drawn flows (a factor per calendar
** month, and the glacier parts), so the fit's own figures are untouched and
** the month-to-month and site-to-site correlations of the draws are kept.
** Several files add up: each multiplies the factors the ones before left.
** A file is read and checked whole before anything is changed.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "inflows_int.h"

#define MAX_SHIFT_WEEKS 26.0

/* What a file asks of one site; 'has' flags which fields it gives. */
typedef struct shift {
  int has_melt, has_annual, has_glacier;
  double melt_weeks, annual_pct;
  naryn__glacier glacier;
} shift;

static int bad(naryn_diags *d, const naryn__doc *at, const char *where, const char *fmt, ...)
    NARYN__PRINTF(4, 5);
static int bad(naryn_diags *d, const naryn__doc *at, const char *where, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, at->file, at->line, at->col, where, fmt, ap);
  va_end(ap);
  return -1;
}

static int number_in(naryn_diags *d, const naryn__doc *v, const char *where, double lo, double hi,
                     int lo_open, const char *what, double *out) {
  char got[96];
  if (naryn__doc_number(v, out) != 0)
    return bad(d, v, where, "expected %s, got %s", what, naryn__doc_describe(v, got, sizeof got));
  if (*out < lo || (lo_open && *out == lo) || *out > hi)
    return bad(d, v, where, "expected %s, got %g", what, *out);
  return 0;
}

/* Refuses a key of obj that is not one of 'allowed' (NULL-terminated). */
static int known_keys(naryn_diags *d, const naryn__doc *obj, const char *where,
                      const char *const *allowed) {
  for (int i = 0; i < obj->n; i++) {
    int best = -1, best_dist = 4, ok = 0;
    for (int j = 0; allowed[j] && !ok; j++) {
      ok = strcmp(obj->keys[i]->str, allowed[j]) == 0;
      int dist = naryn__edit_distance(obj->keys[i]->str, allowed[j]);
      if (dist < best_dist) best_dist = dist, best = j;
    }
    if (ok) continue;
    if (best >= 0)
      return bad(d, obj->keys[i], where,
                 "expected a known field, got unknown field \"%s\" (did you mean \"%s\"?)",
                 obj->keys[i]->str, allowed[best]);
    return bad(d, obj->keys[i], where, "expected one of the fields %s, got unknown field \"%s\"",
               "melt_shift_weeks, annual_change_pct, glacier, sites", obj->keys[i]->str);
  }
  return 0;
}

/* Reads the shift fields of obj into s (over what s holds already). */
static int read_shift(naryn_diags *d, const naryn__doc *obj, const char *where, int top,
                      shift *s) {
  char path[160], got[96];
  if (obj->kind != NARYN__DOC_MAP)
    return bad(d, obj, where, "expected %s, got %s", "an object of climate shifts",
               naryn__doc_describe(obj, got, sizeof got));
  static const char *const top_keys[] = {"melt_shift_weeks", "annual_change_pct", "glacier",
                                         "sites", NULL};
  if (known_keys(d, obj, where, top_keys) != 0) return -1;
  if (!top && naryn__doc_get(obj, "sites"))
    return bad(d, naryn__doc_key(obj, "sites"), where,
               "expected the shifts of one site, got a field \"sites\" inside it");
  const naryn__doc *v;
  if ((v = naryn__doc_get(obj, "melt_shift_weeks"))) {
    snprintf(path, sizeof path, "%s%smelt_shift_weeks", where, *where ? "." : "");
    if (number_in(d, v, path, -MAX_SHIFT_WEEKS, MAX_SHIFT_WEEKS, 0,
                  "a number of weeks from -26 to 26", &s->melt_weeks))
      return -1;
    s->has_melt = 1;
  }
  if ((v = naryn__doc_get(obj, "annual_change_pct"))) {
    snprintf(path, sizeof path, "%s%sannual_change_pct", where, *where ? "." : "");
    if (number_in(d, v, path, -100, 1000, 1, "a change above -100 % and at most 1000 %",
                  &s->annual_pct))
      return -1;
    s->has_annual = 1;
  }
  if ((v = naryn__doc_get(obj, "glacier"))) {
    snprintf(path, sizeof path, "%s%sglacier", where, *where ? "." : "");
    if (v->kind != NARYN__DOC_MAP)
      return bad(d, v, path, "expected %s, got %s", "an object {share, decline_pct_per_decade}",
                 naryn__doc_describe(v, got, sizeof got));
    static const char *const gkeys[] = {"share", "decline_pct_per_decade", NULL};
    for (int i = 0; i < v->n; i++)
      if (strcmp(v->keys[i]->str, gkeys[0]) != 0 && strcmp(v->keys[i]->str, gkeys[1]) != 0)
        return bad(d, v->keys[i], path, "expected one of the fields %s, got unknown field \"%s\"",
                   "share, decline_pct_per_decade", v->keys[i]->str);
    const naryn__doc *share = naryn__doc_get(v, "share"),
                     *decline = naryn__doc_get(v, "decline_pct_per_decade");
    if (!share || !decline)
      return bad(d, v, path, "expected a field \"%s\" (%s), got none",
                 share ? "decline_pct_per_decade" : "share",
                 share ? "% per decade" : "a fraction of the July-September flow");
    char p2[200];
    snprintf(p2, sizeof p2, "%s.share", path);
    if (number_in(d, share, p2, 0, 1, 0, "a fraction from 0 to 1", &s->glacier.share)) return -1;
    snprintf(p2, sizeof p2, "%s.decline_pct_per_decade", path);
    if (number_in(d, decline, p2, 0, 100, 0, "a decline from 0 to 100 % per decade",
                  &s->glacier.decline_pct))
      return -1;
    s->has_glacier = 1;
  }
  return 0;
}

/* The factors that move site's seasonal shape earlier by 'weeks'. */
static void melt_factors(const naryn__inflow_site *site, double weeks, double *f) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double mean[12], moved[12], before = 0, after = 0;
  double delta = weeks * 7.0 / (365.25 / 12.0); /* in months */
  for (int m = 0; m < 12; m++) mean[m] = site->mean_m3s[m] * site->factor[m];
  for (int m = 0; m < 12; m++) {
    /* The value at the middle of month m, delta months later, on the line
    ** through the middles of the months on either side. */
    double at = m + delta;
    double lo = floor(at), w = at - lo;
    int a = ((int)lo % 12 + 12) % 12, b = (a + 1) % 12;
    moved[m] = (1 - w) * mean[a] + w * mean[b];
    before += days[m] * mean[m];
    after += days[m] * moved[m];
  }
  for (int m = 0; m < 12; m++) f[m] = moved[m] * (before / after) / mean[m];
}

int naryn_inflow_fit_climate(naryn_inflow_fit *f, const char *path, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int from = naryn_diags_count(d);
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  int n = f->nsites;
  shift all = {0};
  shift *per = naryn__arena_alloc(a, (size_t)n * sizeof *per);
  naryn__glacier **grown = naryn__arena_alloc(a, (size_t)n * sizeof *grown);
  const naryn__doc *root = per && grown ? naryn__doc_read_file(path, a, d) : NULL;
  int rc = -1;
  if (!per || !grown) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    goto done;
  }
  if (!root || read_shift(d, root, "", 1, &all) != 0) goto done;
  for (int s = 0; s < n; s++) per[s] = all;
  const naryn__doc *sites = naryn__doc_get(root, "sites");
  if (sites) {
    char got[96];
    if (sites->kind != NARYN__DOC_MAP) {
      bad(d, sites, "sites", "expected %s, got %s", "an object naming sites",
          naryn__doc_describe(sites, got, sizeof got));
      goto done;
    }
    for (int i = 0; i < sites->n; i++) {
      const char *name = sites->keys[i]->str;
      int s = 0;
      while (s < n && strcmp(f->site[s].name, name) != 0) s++;
      char where[160];
      snprintf(where, sizeof where, "sites.%s", name);
      if (s == n) {
        char list[512] = "";
        size_t len = 0;
        for (int k = 0; k < n && len + 4 < sizeof list; k++)
          len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "",
                                  f->site[k].name);
        bad(d, sites->keys[i], where, "expected a site of the fit, got \"%s\" (its sites: %s)",
            name, list);
        goto done;
      }
      if (read_shift(d, sites->vals[i], where, 0, &per[s]) != 0) goto done;
    }
  }
  /* Everything read and the room for the glacier parts taken: change the
  ** fit. */
  for (int s = 0; s < n; s++) {
    if (!per[s].has_glacier) continue;
    grown[s] = naryn__arena_alloc(f->a, (size_t)(f->site[s].nglacier + 1) * sizeof **grown);
    if (!grown[s]) {
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
      goto done;
    }
  }
  for (int s = 0; s < n; s++) {
    naryn__inflow_site *site = &f->site[s];
    const shift *sh = &per[s];
    if (sh->has_annual)
      for (int m = 0; m < 12; m++) site->factor[m] *= 1.0 + sh->annual_pct / 100.0;
    if (sh->has_melt) {
      double mf[12];
      melt_factors(site, sh->melt_weeks, mf);
      for (int m = 0; m < 12; m++) site->factor[m] *= mf[m];
    }
    if (sh->has_glacier) {
      naryn__glacier *g = grown[s];
      if (site->nglacier) memcpy(g, site->glacier, (size_t)site->nglacier * sizeof *g);
      g[site->nglacier] = sh->glacier;
      site->glacier = g;
      site->nglacier++;
    }
  }
  rc = 0;
done:
  naryn__arena_free(a);
  if (rc == 0) return NARYN_OK;
  return naryn__diags_status(d, mark, naryn__inflow_status(d, from, NARYN_ESYNTAX));
}
