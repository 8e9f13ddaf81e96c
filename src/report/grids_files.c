/*
** grids_files.c: the power grids of a run as its folder holds them:
** grids.csv read and checked against run.csv's steps (each step lists the
** grids and interconnectors of the first, in the same order, with the
** step's date), the totals of a grid over a season, the words and units
** its figures are shown in, and the comparison's table of the grids. The
** run's section "Grids" is drawn by run_grids.c.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"

static int nomem(const run_files *f) {
  return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

/* A number cell of grids.csv into *v: NaN when empty. Reports anything
** else that is not a finite number. */
static int grid_num(const run_files *f, const naryn__csv *t, int r, const char *col, double *v) {
  const char *s = cell(t, r, col);
  *v = NAN;
  if (!s[0]) return NARYN_OK;
  char *end;
  double x = strtod(s, &end);
  if (*end || !isfinite(x)) {
    char *got = naryn__arena_printf(f->a, ", got \"%s\"", s);
    return got ? naryn__rep_bad(f, t, r, col, "column \"%s\": expected a number%s", got)
               : nomem(f);
  }
  *v = x;
  return NARYN_OK;
}

/* 1 when row r of grids.csv is an interconnector's ("line:NAME"). */
static int is_line(const naryn__csv *t, int r) {
  return strncmp(cell(t, r, "grid"), "line:", 5) == 0;
}

int naryn__rep_read_grids(run_files *f) {
  char *path = naryn__arena_printf(f->a, "%s/grids.csv", f->dir);
  if (!path) return nomem(f);
  if (access(path, F_OK) != 0) return NARYN_OK;
  naryn__csv *t = naryn__rep_read_csv(f, "grids.csv");
  if (!t) return NARYN_EIO;
  int rc = need_column(f, t, "date");
  if (rc == NARYN_OK) rc = need_column(f, t, "grid");
  if (rc == NARYN_OK) rc = need_column(f, t, "country");
  for (int q = 0; q < NARYN_G_COUNT && rc == NARYN_OK; q++)
    rc = need_column(f, t, naryn_grid_quantity_name((naryn_grid_quantity)q));
  if (rc == NARYN_OK) rc = need_column(f, t, "sent_gwh");
  if (rc == NARYN_OK) rc = need_column(f, t, "sent_back_gwh");
  if (rc != NARYN_OK) return rc;
  /* The grids and lines are those of the first step's rows. */
  int per = 0;
  while (per < t->nrows && strcmp(cell(t, per, "date"), cell(t, 0, "date")) == 0) per++;
  rep_grids *g = naryn__arena_alloc(f->a, sizeof *g);
  if (!g) return nomem(f);
  memset(g, 0, sizeof *g);
  for (int r = 0; r < per; r++) (is_line(t, r) ? &g->nl : &g->ng)[0]++;
  if (per == 0 || t->nrows != per * f->nsteps)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, t->file,
                       t->nrows ? t->row_line[t->nrows - 1] : 1, 1, NULL,
                       "expected %d rows (%d steps of %d grids and %d interconnectors), got "
                       "%d: the file is short or from another run", per * f->nsteps,
                       f->nsteps, g->ng, g->nl, t->nrows);
  size_t nq = (size_t)f->nsteps * (size_t)g->ng * NARYN_G_COUNT;
  size_t ns = (size_t)f->nsteps * (size_t)g->nl * 2;
  g->name = naryn__arena_alloc(f->a, (size_t)(g->ng + 1) * sizeof *g->name);
  g->country = naryn__arena_alloc(f->a, (size_t)(g->ng + 1) * sizeof *g->country);
  g->line = naryn__arena_alloc(f->a, (size_t)(g->nl + 1) * sizeof *g->line);
  g->q = naryn__arena_alloc(f->a, (nq + 1) * sizeof *g->q);
  g->sent = naryn__arena_alloc(f->a, (ns + 1) * sizeof *g->sent);
  int *slot = calloc((size_t)per, sizeof *slot);
  if (!g->name || !g->country || !g->line || !g->q || !g->sent || !slot) {
    free(slot);
    return nomem(f);
  }
  int kg = 0, kl = 0;
  for (int r = 0; r < per; r++) {
    if (is_line(t, r)) {
      slot[r] = kl;
      g->line[kl++] = cell(t, r, "grid") + 5;
    } else {
      slot[r] = kg;
      g->name[kg] = cell(t, r, "grid");
      g->country[kg++] = cell(t, r, "country");
    }
  }
  for (int r = 0; r < t->nrows && rc == NARYN_OK; r++) {
    int step = r / per, k = r % per;
    /* Every step lists the grids and lines of the first, in its order. */
    if (strcmp(cell(t, r, "grid"), cell(t, k, "grid")) != 0) {
      rc = naryn__rep_bad(f, t, r, "grid", "column \"%s\": expected \"%s\" here, in the order "
                          "of the first step: the file is short or from another run",
                          cell(t, k, "grid"));
      break;
    }
    /* The step's date, as nodes.csv or run.csv gave it. */
    int y, mo, dd, ey, em, ed;
    const char *date = cell(t, r, "date");
    naryn__date_ymd(f->step_day[step], &ey, &em, &ed);
    if (naryn__date_parse(date, strlen(date), 1, &y, &mo, &dd) != 0 || y != ey || mo != em ||
        dd != ed) {
      char *want = naryn__arena_printf(f->a, ", the date of step %d, %04d-%02d-%02d",
                                       step + 1, ey, em, ed);
      rc = want ? naryn__rep_bad(f, t, r, "date", "column \"%s\": expected a date YYYY-MM-DD%s",
                                 want)
                : nomem(f);
      break;
    }
    if (is_line(t, r)) {
      double *v = g->sent + ((size_t)step * g->nl + slot[k]) * 2;
      rc = grid_num(f, t, r, "sent_gwh", &v[0]);
      if (rc == NARYN_OK) rc = grid_num(f, t, r, "sent_back_gwh", &v[1]);
    } else {
      double *v = g->q + ((size_t)step * g->ng + slot[k]) * NARYN_G_COUNT;
      for (int q = 0; q < NARYN_G_COUNT && rc == NARYN_OK; q++)
        rc = grid_num(f, t, r, naryn_grid_quantity_name((naryn_grid_quantity)q), &v[q]);
    }
  }
  free(slot);
  if (rc == NARYN_OK) f->grids = g;
  return rc;
}

void naryn__rep_grid_totals(const run_files *f, int g, int s, double *out) {
  const rep_grids *gr = f->grids;
  for (int q = 0; q < NARYN_G_COUNT; q++) out[q] = 0.0;
  for (int t = 0; t < f->nsteps; t++) {
    int y, mo, dd;
    naryn__date_ymd(f->step_day[t], &y, &mo, &dd);
    int summer = mo >= 4 && mo <= 9;
    if ((s == 0 && summer) || (s == 1 && !summer)) continue;
    const double *v = gr->q + ((size_t)t * gr->ng + g) * NARYN_G_COUNT;
    for (int q = 0; q < NARYN_G_COUNT; q++)
      if (!isnan(v[q])) out[q] += v[q];
  }
  out[NARYN_G_PRICE_PER_MWH] = NAN;
}

const char *naryn__rep_grid_label(const run_files *f, int g, char *buf, size_t size) {
  const char *name = f->grids->name[g], *code = f->grids->country[g];
  char label[160];
  const char *cl = naryn__rep_country_label(f, code, label, sizeof label);
  if (strcmp(name, code) == 0)
    snprintf(buf, size, "%s", cl);
  else
    snprintf(buf, size, "%s (%s)", name, cl);
  return buf;
}

double naryn__rep_energy_unit(double big_gwh, const char **unit, int *decimals) {
  if (big_gwh >= 1000.0) {
    *unit = "TWh";
    *decimals = 2;
    return 1000.0;
  }
  *unit = "GWh";
  *decimals = big_gwh >= 10.0 ? 1 : 3;
  return 1.0;
}

/* The grid of run f named 'name', or -1. */
static int grid_index(const run_files *f, const char *name) {
  for (int g = 0; f->grids && g < f->grids->ng; g++)
    if (strcmp(f->grids->name[g], name) == 0) return g;
  return -1;
}

void naryn__rep_compare_grids(naryn__page *p, const run_files *runs, const char *const *names,
                              int n) {
  int first = -1, with = 0;
  for (int k = 0; k < n; k++)
    if (runs[k].grids) {
      with++;
      if (first < 0) first = k;
    }
  if (with < 2) return;
  const run_files *f0 = &runs[first];
  /* Unserved energy and imports (over lines, after their losses, and from
  ** markets) each in the unit that fits its largest figure; cost in
  ** millions. */
  double big[2] = {0, 0}, one[NARYN_G_COUNT];
  for (int k = 0; k < n; k++)
    for (int g = 0; runs[k].grids && g < runs[k].grids->ng; g++) {
      naryn__rep_grid_totals(&runs[k], g, 2, one);
      big[0] = fmax(big[0], one[NARYN_G_UNSERVED_GWH] / per_year(&runs[k]));
      big[1] = fmax(big[1], (one[NARYN_G_IMPORT_LINES_GWH] + one[NARYN_G_IMPORT_MARKET_GWH]) /
                                per_year(&runs[k]));
    }
  const char *unit[2];
  int dec[3] = {0, 0, 1};
  double div[2];
  for (int k = 0; k < 2; k++) div[k] = naryn__rep_energy_unit(big[k], &unit[k], &dec[k]);
  fprintf(p->out, "<h3 id=\"s-compare-grids\">Grids</h3>\n<p class=\"note\">Each grid's "
                  "unserved energy, imports (received over interconnectors after their "
                  "losses, and bought from markets) and cost (thermal fuel, purchases less "
                  "sales, line tariffs and the cost of unserved energy), %s, from each "
                  "run's grids.csv. A run without grids.csv (an optimised plan, which does "
                  "not dispatch the grids) has empty cells.</p>\n", a_year(f0));
  naryn__table_open(p, "compare-grids");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "grid", 1);
  naryn__th(p, "", 1);
  for (int k = 0; k < n; k++) naryn__th(p, names[k], 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  char label[256], what[3][96];
  snprintf(what[0], sizeof what[0], "unserved, %s", unit[0]);
  snprintf(what[1], sizeof what[1], "imports, %s", unit[1]);
  snprintf(what[2], sizeof what[2], "cost, millions of %s", run_key(f0, "currency"));
  for (int g = 0; g < f0->grids->ng; g++)
    for (int row = 0; row < 3; row++) {
      fprintf(p->out, "<tr>");
      naryn__td_text(p, row == 0 ? naryn__rep_grid_label(f0, g, label, sizeof label) : "");
      naryn__td_text(p, what[row]);
      for (int k = 0; k < n; k++) {
        int gk = grid_index(&runs[k], f0->grids->name[g]);
        double v = NAN;
        if (gk >= 0) {
          naryn__rep_grid_totals(&runs[k], gk, 2, one);
          v = row == 0   ? one[NARYN_G_UNSERVED_GWH] / div[0]
              : row == 1 ? (one[NARYN_G_IMPORT_LINES_GWH] + one[NARYN_G_IMPORT_MARKET_GWH]) / div[1]
                         : one[NARYN_G_COST] / 1e6;
          v /= per_year(&runs[k]);
        }
        naryn__td_num(p, v, dec[row]);
      }
      fprintf(p->out, "</tr>\n");
    }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}
