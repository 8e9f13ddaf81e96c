/*
** grid_result.c: a result's grid figures: the public accessors, the
** totals by season, and grids.csv.
**
** grids.csv has a row per step and grid: its demand, hydropower, thermal
** energy, imports over lines (after losses) and from markets, exports
** over lines (before losses) and to markets, unserved energy, unused
** hydropower, the marginal price, the cost of the dispatch and what the
** hydropower saved of it; then a row
** per step and interconnector under the grid "line:NAME" with what it
** sent each way. Energies are written to six decimals, prices and costs
** to four and two, like the other per-step files.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../naryn_int.h"

static const char *const quantity_names[NARYN_G_COUNT] = {
    "demand_gwh",          "hydro_gwh",          "thermal_gwh",
    "import_lines_gwh",    "import_market_gwh",  "export_lines_gwh",
    "export_market_gwh",   "unserved_gwh",       "surplus_gwh",
    "price_per_mwh",       "cost",               "hydro_value",
    "peak_price_per_mwh"};

const char *naryn_grid_quantity_name(naryn_grid_quantity q) {
  return (q >= 0 && q < NARYN_G_COUNT) ? quantity_names[q] : "";
}

int naryn_result_grid_count(const naryn_result *r) {
  return r && r->grid_q ? r->m->ngrids : 0;
}

const char *naryn_result_grid_name(const naryn_result *r, int g) {
  return g >= 0 && g < naryn_result_grid_count(r) ? r->m->grids[g].name : NULL;
}

const char *naryn_result_grid_country(const naryn_result *r, int g) {
  return g >= 0 && g < naryn_result_grid_count(r) ? r->m->grids[g].country : NULL;
}

double naryn_result_grid(const naryn_result *r, int g, int t,
                         naryn_grid_quantity q) {
  if (g < 0 || g >= naryn_result_grid_count(r) || t < 0 || t >= r->nsteps ||
      q < 0 || q >= NARYN_G_COUNT)
    return NAN;
  return r->grid_q[((size_t)t * r->m->ngrids + g) * NARYN_G_COUNT + q];
}

int naryn_result_line_count(const naryn_result *r) {
  return r && r->grid_q ? r->m->nlines : 0;
}

const char *naryn_result_line_name(const naryn_result *r, int l) {
  return l >= 0 && l < naryn_result_line_count(r) ? r->m->lines[l].name : NULL;
}

double naryn_result_line_gwh(const naryn_result *r, int l, int t, int back) {
  if (l < 0 || l >= naryn_result_line_count(r) || t < 0 || t >= r->nsteps)
    return NAN;
  return r->line_gwh[((size_t)t * r->m->nlines + l) * 2 + (back ? 1 : 0)];
}

void naryn_result_grid_summary(const naryn_result *r, int g,
                               naryn_season season, double *out) {
  for (int q = 0; q < NARYN_G_COUNT; q++) out[q] = 0.0;
  out[NARYN_G_PRICE_PER_MWH] = out[NARYN_G_PEAK_PRICE_PER_MWH] = NAN;
  if (g < 0 || g >= naryn_result_grid_count(r)) {
    for (int q = 0; q < NARYN_G_COUNT; q++) out[q] = NAN;
    return;
  }
  for (int t = 0; t < r->nsteps; t++) {
    int summer = r->m->step_month[t] >= 4 && r->m->step_month[t] <= 9;
    if ((season == NARYN_SEASON_OCT_MAR && summer) ||
        (season == NARYN_SEASON_APR_SEP && !summer))
      continue;
    for (int q = 0; q < NARYN_G_COUNT; q++) {
      double v = naryn_result_grid(r, g, t, (naryn_grid_quantity)q);
      if (q != NARYN_G_PRICE_PER_MWH && q != NARYN_G_PEAK_PRICE_PER_MWH && !isnan(v))
        out[q] += v;
    }
  }
}

void naryn__write_grids(const naryn_result *r, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "date,grid,country");
  for (int q = 0; q < NARYN_G_COUNT; q++)
    naryn__outfile_printf(f, ",%s", quantity_names[q]);
  naryn__outfile_printf(f, ",sent_gwh,sent_back_gwh\n");
  for (int t = 0; t < m->nsteps; t++) {
    for (int g = 0; g < m->ngrids; g++) {
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      naryn__put_text(f, m->grids[g].name);
      naryn__outfile_write(f, ",", 1);
      naryn__put_text(f, m->grids[g].country);
      for (int q = 0; q < NARYN_G_COUNT; q++) {
        double v = naryn_result_grid(r, g, t, (naryn_grid_quantity)q);
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, v, q == NARYN_G_PRICE_PER_MWH ||
                                        q == NARYN_G_PEAK_PRICE_PER_MWH ? "%.4f"
                                : q == NARYN_G_COST ||
                                          q == NARYN_G_HYDRO_VALUE ? "%.2f"
                                                           : "%.6f");
      }
      naryn__outfile_write(f, ",,\n", 3);
    }
    for (int l = 0; l < m->nlines; l++) {
      char name[320];
      snprintf(name, sizeof name, "line:%s", m->lines[l].name);
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      naryn__put_text(f, name);
      naryn__outfile_write(f, ",", 1);
      for (int q = 0; q < NARYN_G_COUNT; q++) naryn__outfile_write(f, ",", 1);
      for (int back = 0; back < 2; back++) {
        naryn__outfile_write(f, ",", 1);
        naryn__put_number(f, naryn_result_line_gwh(r, l, t, back), "%.6f");
      }
      naryn__outfile_write(f, "\n", 1);
    }
  }
}
