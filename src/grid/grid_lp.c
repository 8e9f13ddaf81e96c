/*
** grid_lp.c: the grids of a model as rows and columns of an LP, one step
** at a time.
**
** Each grid has one balance row per step, in GWh:
**
**   hydro + thermal + received over lines + bought + unserved
**     - sent over lines - sold - surplus = demand
**
** where hydro is energy fixed by the water (a simulation's) and/or LP
** columns of the caller's (an optimisation's turbined water, each unit
** worth its GWh). A line has a column each way; what it sends leaves the
** sending grid whole and reaches the other less its loss fraction, and
** pays the line's tariff per MWh sent. A market has a column for what the
** grid buys (at the import price, up to the import limit) and one for
** what it sells (earning the export price). Unserved energy comes in
** tiers of rising cost, together as large as the demand (the last takes
** whatever the others leave of it), so every balance can be met;
** the surplus column takes hydropower no one can use, at no cost. Costs
** are per MWh times cost_scale on columns in GWh, so that a balance row's
** dual, divided by cost_scale, is the grid's marginal price per MWh.
*/
#include <math.h>
#include <stdlib.h>

#include "../naryn_int.h"

/* Hands out the next column with its cost; -1 when out of memory. */
static int new_col(int *ncols, double **obj, int *objcap, double cost) {
  double *o = naryn__grow(*obj, objcap, *ncols + 1, sizeof *o);
  if (!o) return -1;
  *obj = o;
  o[*ncols] = cost;
  return (*ncols)++;
}

/* Hours in step t. */
static double step_hours(const naryn_model *m, int t) { return m->step_s[t] / 3600.0; }

/* The share of a month step t makes: 1 for a monthly step, its days over
** the days of the month it starts in otherwise. */
static double month_share(const naryn_model *m, int t) {
  if (m->step_days == 0) return 1.0;
  int y, mo, dd;
  naryn__date_ymd(m->step_day[t], &y, &mo, &dd);
  return m->step_s[t] / 86400.0 / naryn__date_month_days(y, mo);
}

/* A column's cost per MWh in step t (before cost_scale). */
static double thermal_cost(const naryn__thermal *p, int t) { return p->cost_per_mwh.v[t]; }

int naryn__grid_lp_add(naryn__grid_lp *g, const naryn_model *m, int t,
                       const naryn__grid_hydro *hydro, double cost_scale,
                       naryn__triplets *trip, int *nrows, int *ncols,
                       double **obj, int *objcap) {
  int ng = m->ngrids;
  g->bal = malloc((size_t)(3 * ng + 1) * sizeof *g->bal);
  g->thermal = malloc((size_t)(m->nthermal + 1) * sizeof *g->thermal);
  g->line = malloc((size_t)(2 * m->nlines + 1) * sizeof *g->line);
  g->buy = malloc((size_t)(2 * m->nmarkets + 1) * sizeof *g->buy);
  if (!g->bal || !g->thermal || !g->line || !g->buy) {
    naryn__grid_lp_free(g);
    return NARYN_ENOMEM;
  }
  g->surplus = g->bal + ng;
  g->tier = g->surplus + ng;
  g->sell = g->buy + m->nmarkets;
  int bad = 0;
#define COL(cost) (new_col(ncols, obj, objcap, (cost) * cost_scale))
#define PUT(row, col, v) (bad |= (col) < 0 || naryn__trip_add(trip, row, col, v) < 0)
  for (int k = 0; k < ng; k++) {
    const naryn__grid *gr = &m->grids[k];
    g->bal[k] = (*nrows)++;
    g->surplus[k] = COL(0.0);
    PUT(g->bal[k], g->surplus[k], -1.0);
    g->tier[k] = -1;
    for (int i = 0; i < gr->ntiers; i++) {
      int c = COL(gr->tiers[i].cost_per_mwh);
      if (i == 0) g->tier[k] = c;
      PUT(g->bal[k], c, 1.0);
    }
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    g->thermal[i] = COL(thermal_cost(p, t));
    PUT(g->bal[p->grid], g->thermal[i], 1.0);
  }
  for (int l = 0; l < m->nlines; l++) {
    const naryn__line *ln = &m->lines[l];
    for (int back = 0; back < 2; back++) {
      int from = back ? ln->to : ln->from, to = back ? ln->from : ln->to;
      int c = g->line[2 * l + back] = COL(ln->tariff_per_mwh);
      PUT(g->bal[from], c, -1.0);
      PUT(g->bal[to], c, 1.0 - ln->loss_fraction);
    }
  }
  for (int k = 0; k < m->nmarkets; k++) {
    const naryn__market *mk = &m->markets[k];
    g->buy[k] = g->sell[k] = -1;
    if (mk->import_price_per_mwh.v) {
      g->buy[k] = COL(mk->import_price_per_mwh.v[t]);
      PUT(g->bal[mk->grid], g->buy[k], 1.0);
    }
    if (mk->export_price_per_mwh.v) {
      g->sell[k] = COL(-mk->export_price_per_mwh.v[t]);
      PUT(g->bal[mk->grid], g->sell[k], -1.0);
    }
  }
  for (int q = 0; hydro && q < hydro->nterms; q++)
    PUT(g->bal[hydro->grid[q]], hydro->col[q], hydro->gwh_per_unit[q]);
#undef COL
#undef PUT
  if (bad) {
    naryn__grid_lp_free(g);
    return NARYN_ENOMEM;
  }
  return NARYN_OK;
}

void naryn__grid_lp_free(naryn__grid_lp *g) {
  free(g->bal);
  free(g->thermal);
  free(g->line);
  free(g->buy);
  g->bal = g->thermal = g->line = g->buy = NULL;
}

/* The size of tier i of grid k in step t, GWh: what it is given, or the
** rest of the demand for the last, so that no grid leaves more unserved
** than its demand (which would let it sell the energy it fails to use). */
static double tier_gwh(const naryn_model *m, const naryn__grid *gr, int i, int t) {
  double before = 0.0, demand = gr->demand_gwh.v[t];
  for (int j = 0; j <= i; j++) {
    const naryn__tier *tr = &gr->tiers[j];
    double size = j + 1 == gr->ntiers   ? INFINITY
                  : !isnan(tr->share) ? tr->share * demand
                                      : tr->gwh * month_share(m, t);
    double left = fmax(0.0, demand - before);
    if (j == i) return fmin(size, left);
    before += size;
  }
  return 0.0;
}

void naryn__grid_lp_set_step(const naryn__grid_lp *g, const naryn_model *m,
                             int t, const double *hydro_gwh, double cost_scale,
                             double *collo, double *colup, double *rowlo,
                             double *rowup, double *obj) {
  double hours = step_hours(m, t);
  for (int k = 0; k < m->ngrids; k++) {
    const naryn__grid *gr = &m->grids[k];
    double rhs = gr->demand_gwh.v[t] - (hydro_gwh ? hydro_gwh[k] : 0.0);
    rowlo[g->bal[k]] = rowup[g->bal[k]] = rhs;
    collo[g->surplus[k]] = 0.0;
    colup[g->surplus[k]] = INFINITY;
    for (int i = 0; i < gr->ntiers; i++) {
      collo[g->tier[k] + i] = 0.0;
      colup[g->tier[k] + i] = tier_gwh(m, gr, i, t);
    }
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    double avail = p->availability.v ? p->availability.v[t] : 1.0;
    collo[g->thermal[i]] = 0.0;
    colup[g->thermal[i]] = p->capacity_mw * avail * hours / 1000.0;
    obj[g->thermal[i]] = thermal_cost(p, t) * cost_scale;
  }
  for (int l = 0; l < m->nlines; l++) {
    const naryn__line *ln = &m->lines[l];
    for (int back = 0; back < 2; back++) {
      int c = g->line[2 * l + back];
      collo[c] = 0.0;
      colup[c] = (back ? ln->capacity_mw_back : ln->capacity_mw) * hours / 1000.0;
    }
  }
  for (int k = 0; k < m->nmarkets; k++) {
    const naryn__market *mk = &m->markets[k];
    if (g->buy[k] >= 0) {
      collo[g->buy[k]] = 0.0;
      colup[g->buy[k]] = mk->import_limit_mw * hours / 1000.0;
      obj[g->buy[k]] = mk->import_price_per_mwh.v[t] * cost_scale;
    }
    if (g->sell[k] >= 0) {
      collo[g->sell[k]] = 0.0;
      colup[g->sell[k]] = mk->export_limit_mw * hours / 1000.0;
      obj[g->sell[k]] = -mk->export_price_per_mwh.v[t] * cost_scale;
    }
  }
}

void naryn__grid_lp_cost_coefs(const naryn__grid_lp *g, const naryn_model *m,
                               int t, int k, double w, double *c) {
  const naryn__grid *gr = &m->grids[k];
  for (int i = 0; i < gr->ntiers; i++)
    c[g->tier[k] + i] += w * gr->tiers[i].cost_per_mwh * 1000.0;
  for (int i = 0; i < m->nthermal; i++)
    if (m->thermal[i].grid == k) c[g->thermal[i]] += w * thermal_cost(&m->thermal[i], t) * 1000.0;
  for (int l = 0; l < m->nlines; l++)
    for (int back = 0; back < 2; back++)
      if ((back ? m->lines[l].to : m->lines[l].from) == k)
        c[g->line[2 * l + back]] += w * m->lines[l].tariff_per_mwh * 1000.0;
  for (int q = 0; q < m->nmarkets; q++) {
    const naryn__market *mk = &m->markets[q];
    if (mk->grid != k) continue;
    if (g->buy[q] >= 0) c[g->buy[q]] += w * mk->import_price_per_mwh.v[t] * 1000.0;
    if (g->sell[q] >= 0) c[g->sell[q]] -= w * mk->export_price_per_mwh.v[t] * 1000.0;
  }
}

void naryn__grid_lp_read(const naryn__grid_lp *g, const naryn_model *m, int t,
                         const double *hydro_gwh, double cost_scale,
                         const double *x, const double *duals, double *out,
                         double *lines) {
  int ng = m->ngrids;
  for (int k = 0; k < ng; k++) {
    const naryn__grid *gr = &m->grids[k];
    double *o = out + (size_t)k * NARYN_G_COUNT;
    for (int q = 0; q < NARYN_G_COUNT; q++) o[q] = 0.0;
    o[NARYN_G_DEMAND_GWH] = gr->demand_gwh.v[t];
    o[NARYN_G_HYDRO_GWH] = hydro_gwh ? hydro_gwh[k] : 0.0;
    o[NARYN_G_SURPLUS_GWH] = x[g->surplus[k]];
    for (int i = 0; i < gr->ntiers; i++) {
      double e = x[g->tier[k] + i];
      o[NARYN_G_UNSERVED_GWH] += e;
      o[NARYN_G_COST] += e * gr->tiers[i].cost_per_mwh * 1000.0;
    }
    o[NARYN_G_PRICE_PER_MWH] = duals ? duals[g->bal[k]] / cost_scale : NAN;
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    double *o = out + (size_t)p->grid * NARYN_G_COUNT, e = x[g->thermal[i]];
    o[NARYN_G_THERMAL_GWH] += e;
    o[NARYN_G_COST] += e * thermal_cost(p, t) * 1000.0;
  }
  for (int l = 0; l < m->nlines; l++) {
    const naryn__line *ln = &m->lines[l];
    for (int back = 0; back < 2; back++) {
      double e = x[g->line[2 * l + back]];
      double *from = out + (size_t)(back ? ln->to : ln->from) * NARYN_G_COUNT;
      double *to = out + (size_t)(back ? ln->from : ln->to) * NARYN_G_COUNT;
      lines[2 * l + back] = e;
      from[NARYN_G_EXPORT_LINES_GWH] += e;
      from[NARYN_G_COST] += e * ln->tariff_per_mwh * 1000.0;
      to[NARYN_G_IMPORT_LINES_GWH] += e * (1.0 - ln->loss_fraction);
    }
  }
  for (int k = 0; k < m->nmarkets; k++) {
    const naryn__market *mk = &m->markets[k];
    double *o = out + (size_t)mk->grid * NARYN_G_COUNT;
    if (g->buy[k] >= 0) {
      double e = x[g->buy[k]];
      o[NARYN_G_IMPORT_MARKET_GWH] += e;
      o[NARYN_G_COST] += e * mk->import_price_per_mwh.v[t] * 1000.0;
    }
    if (g->sell[k] >= 0) {
      double e = x[g->sell[k]];
      o[NARYN_G_EXPORT_MARKET_GWH] += e;
      o[NARYN_G_COST] -= e * mk->export_price_per_mwh.v[t] * 1000.0;
    }
  }
}
