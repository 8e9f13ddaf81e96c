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
**
** A grid with a peak (peak_mw for peak_hours a month, a step having its
** share of the hours) has two blocks each step, each with its balance:
** the peak block, peak_mw times the peak's hours (at most the demand),
** and the off-peak block, the rest of the demand over the rest of the
** hours. Each thermal plant and market of the grid has a column per
** block, bounded by its power times the block's hours; the tiers of
** unserved energy are split between the blocks as the demand is. The
** grid's hydropower (fixed or columns) enters a split row instead of a
** balance:
**
**   hydro_peak + hydro_off + surplus = hydro
**
** each part bounded by the power of the grid's plants times its block's
** hours: the plants are taken to shape their flow within the step as the
** LP likes. A line touching a grid with a peak keeps its column of energy
** sent (its tariff, its limit, what closing it zeroes), which a row makes
** the sum of its segments: the hours where the sending grid is in one
** block and the receiving grid in another, each segment bounded by the
** line's power times its hours and feeding those blocks. The peaks of
** all grids are taken to start together, so that a grid with the
** shorter peak is off-peak in the rest of the other's.
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

/* A grid's blocks in step t: the step's hours and demand, and the peak's
** hours and energy (0 without a peak). */
typedef struct blocks {
  double hours, demand_gwh, peak_hours, peak_gwh;
} blocks;

static blocks grid_blocks(const naryn_model *m, const naryn__grid *gr, int t) {
  blocks b = {step_hours(m, t), gr->demand_gwh.v[t], 0.0, 0.0};
  if (gr->peak_mw.v) {
    b.peak_hours = fmin(gr->peak_hours.v[t] * month_share(m, t), b.hours);
    b.peak_gwh = fmin(gr->peak_mw.v[t] * b.peak_hours / 1000.0, b.demand_gwh);
  }
  return b;
}

/* The hours of a block: the peak's, or the rest. */
static double block_hours(const blocks *b, int peak) {
  return peak ? b->peak_hours : b->hours - b->peak_hours;
}

/* Energy at power mw over h hours, GWh (an unbounded power gives no
** bound, even over no hours). */
static double energy_gwh(double mw, double h) {
  return isfinite(mw) ? mw * h / 1000.0 : INFINITY;
}

/* The power of the hydropower plants feeding grid k, MW (unbounded when
** one of them has no capacity). */
static double hydro_mw(const naryn_model *m, int k) {
  double mw = 0.0;
  for (int i = 0; i < m->nnodes; i++)
    if (m->plant_grid[i] == k) {
      double c = m->nodes[i].capacity_mw;
      mw += isfinite(c) && c >= 0 ? c : INFINITY;
    }
  return mw;
}

static int has_peak(const naryn_model *m, int k) { return m->grids[k].peak_mw.v != NULL; }

/* The segments of a line sent from grid s to grid r: segment j is the
** hours where s is in its block *bs and r in its block *br (1 for the
** peak); a grid without a peak is off-peak throughout. Returns the number
** of segments (1 when neither end has a peak). */
static int segment(const naryn_model *m, int s, int r, int j, int *bs, int *br) {
  int nr = has_peak(m, r) ? 2 : 1;
  *bs = has_peak(m, s) && j / nr == 0;
  *br = has_peak(m, r) && j % nr == 0;
  return (has_peak(m, s) ? 2 : 1) * nr;
}

/* The hours of a segment: the overlap of the two blocks, each peak taken
** to start with the step. */
static double segment_hours(const blocks *s, int bs, const blocks *r, int br) {
  double s0 = bs ? 0.0 : s->peak_hours, s1 = bs ? s->peak_hours : s->hours;
  double r0 = br ? 0.0 : r->peak_hours, r1 = br ? r->peak_hours : r->hours;
  return fmax(0.0, fmin(s1, r1) - fmax(s0, r0));
}

/* A column's cost per MWh in step t (before cost_scale). */
static double thermal_cost(const naryn__thermal *p, int t) { return p->cost_per_mwh.v[t]; }

/* Grid k's balance row of a block (1 for the peak). */
static int block_row(const naryn__grid_lp *g, int k, int peak) {
  return peak ? g->peak[k] : g->bal[k];
}

int naryn__grid_lp_add(naryn__grid_lp *g, const naryn_model *m, int t,
                       const naryn__grid_hydro *hydro, double cost_scale,
                       naryn__triplets *trip, int *nrows, int *ncols,
                       double **obj, int *objcap) {
  int ng = m->ngrids;
  g->bal = malloc((size_t)(3 * ng + 1) * sizeof *g->bal);
  g->thermal = malloc((size_t)(m->nthermal + 1) * sizeof *g->thermal);
  g->line = malloc((size_t)(2 * m->nlines + 1) * sizeof *g->line);
  g->buy = malloc((size_t)(2 * m->nmarkets + 1) * sizeof *g->buy);
  g->peak = malloc((size_t)(4 * ng + m->nthermal + 2 * m->nmarkets + 4 * m->nlines + 1) *
                   sizeof *g->peak);
  if (!g->bal || !g->thermal || !g->line || !g->buy || !g->peak) {
    naryn__grid_lp_free(g);
    return NARYN_ENOMEM;
  }
  g->surplus = g->bal + ng;
  g->tier = g->surplus + ng;
  g->sell = g->buy + m->nmarkets;
  g->split = g->peak + ng;
  g->hydro_peak = g->split + ng;
  g->peak_tier = g->hydro_peak + ng;
  g->thermal_peak = g->peak_tier + ng;
  g->buy_peak = g->thermal_peak + m->nthermal;
  g->sell_peak = g->buy_peak + m->nmarkets;
  g->seg = g->sell_peak + m->nmarkets;
  g->seg_row = g->seg + 2 * m->nlines;
  int bad = 0;
#define COL(cost) (new_col(ncols, obj, objcap, (cost) * cost_scale))
#define PUT(row, col, v) (bad |= (col) < 0 || naryn__trip_add(trip, row, col, v) < 0)
  for (int k = 0; k < ng; k++) {
    const naryn__grid *gr = &m->grids[k];
    g->bal[k] = (*nrows)++;
    g->surplus[k] = COL(0.0);
    g->peak[k] = g->split[k] = g->hydro_peak[k] = g->peak_tier[k] = -1;
    if (has_peak(m, k)) {
      g->peak[k] = (*nrows)++;
      g->split[k] = (*nrows)++;
      PUT(g->split[k], g->surplus[k], 1.0);
      g->hydro_peak[k] = COL(0.0);
      PUT(g->split[k], g->hydro_peak[k], 1.0);
      PUT(g->peak[k], g->hydro_peak[k], 1.0);
      int off = COL(0.0);
      PUT(g->split[k], off, 1.0);
      PUT(g->bal[k], off, 1.0);
    } else {
      PUT(g->bal[k], g->surplus[k], -1.0);
    }
    for (int peak = 0; peak < 1 + has_peak(m, k); peak++) {
      int *first = peak ? &g->peak_tier[k] : &g->tier[k];
      *first = -1;
      for (int i = 0; i < gr->ntiers; i++) {
        int c = COL(gr->tiers[i].cost_per_mwh);
        if (i == 0) *first = c;
        PUT(block_row(g, k, peak), c, 1.0);
      }
    }
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    g->thermal[i] = COL(thermal_cost(p, t));
    PUT(g->bal[p->grid], g->thermal[i], 1.0);
    g->thermal_peak[i] = -1;
    if (has_peak(m, p->grid)) {
      g->thermal_peak[i] = COL(thermal_cost(p, t));
      PUT(g->peak[p->grid], g->thermal_peak[i], 1.0);
    }
  }
  for (int l = 0; l < m->nlines; l++) {
    const naryn__line *ln = &m->lines[l];
    for (int back = 0; back < 2; back++) {
      int from = back ? ln->to : ln->from, to = back ? ln->from : ln->to;
      int c = g->line[2 * l + back] = COL(ln->tariff_per_mwh);
      int bs, br, nseg = segment(m, from, to, 0, &bs, &br);
      g->seg[2 * l + back] = g->seg_row[2 * l + back] = -1;
      if (nseg == 1) {
        PUT(g->bal[from], c, -1.0);
        PUT(g->bal[to], c, 1.0 - ln->loss_fraction);
        continue;
      }
      int row = g->seg_row[2 * l + back] = (*nrows)++;
      PUT(row, c, 1.0);
      for (int j = 0; j < nseg; j++) {
        segment(m, from, to, j, &bs, &br);
        int sc = COL(0.0);
        if (j == 0) g->seg[2 * l + back] = sc;
        PUT(row, sc, -1.0);
        PUT(block_row(g, from, bs), sc, -1.0);
        PUT(block_row(g, to, br), sc, 1.0 - ln->loss_fraction);
      }
    }
  }
  for (int k = 0; k < m->nmarkets; k++) {
    const naryn__market *mk = &m->markets[k];
    int peak = has_peak(m, mk->grid);
    g->buy[k] = g->sell[k] = g->buy_peak[k] = g->sell_peak[k] = -1;
    if (mk->import_price_per_mwh.v) {
      g->buy[k] = COL(mk->import_price_per_mwh.v[t]);
      PUT(g->bal[mk->grid], g->buy[k], 1.0);
      if (peak) {
        g->buy_peak[k] = COL(mk->import_price_per_mwh.v[t]);
        PUT(g->peak[mk->grid], g->buy_peak[k], 1.0);
      }
    }
    if (mk->export_price_per_mwh.v) {
      g->sell[k] = COL(-mk->export_price_per_mwh.v[t]);
      PUT(g->bal[mk->grid], g->sell[k], -1.0);
      if (peak) {
        g->sell_peak[k] = COL(-mk->export_price_per_mwh.v[t]);
        PUT(g->peak[mk->grid], g->sell_peak[k], -1.0);
      }
    }
  }
  for (int q = 0; hydro && q < hydro->nterms; q++) {
    int k = hydro->grid[q];
    if (has_peak(m, k))
      PUT(g->split[k], hydro->col[q], -hydro->gwh_per_unit[q]);
    else
      PUT(g->bal[k], hydro->col[q], hydro->gwh_per_unit[q]);
  }
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
  free(g->peak);
  g->bal = g->thermal = g->line = g->buy = g->peak = NULL;
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
    double hydro = hydro_gwh ? hydro_gwh[k] : 0.0;
    collo[g->surplus[k]] = 0.0;
    colup[g->surplus[k]] = INFINITY;
    if (!has_peak(m, k)) {
      rowlo[g->bal[k]] = rowup[g->bal[k]] = gr->demand_gwh.v[t] - hydro;
      for (int i = 0; i < gr->ntiers; i++) {
        collo[g->tier[k] + i] = 0.0;
        colup[g->tier[k] + i] = tier_gwh(m, gr, i, t);
      }
      continue;
    }
    blocks b = grid_blocks(m, gr, t);
    double mw = hydro_mw(m, k);
    rowlo[g->split[k]] = rowup[g->split[k]] = hydro;
    for (int peak = 0; peak < 2; peak++) {
      double demand = peak ? b.peak_gwh : b.demand_gwh - b.peak_gwh;
      double share = b.demand_gwh > 0 ? demand / b.demand_gwh : 0.0;
      int row = block_row(g, k, peak), first = peak ? g->peak_tier[k] : g->tier[k];
      int hc = g->hydro_peak[k] + !peak;
      rowlo[row] = rowup[row] = demand;
      collo[hc] = 0.0;
      colup[hc] = energy_gwh(mw, block_hours(&b, peak));
      for (int i = 0; i < gr->ntiers; i++) {
        collo[first + i] = 0.0;
        colup[first + i] = tier_gwh(m, gr, i, t) * share;
      }
    }
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    double avail = p->availability.v ? p->availability.v[t] : 1.0;
    blocks b = grid_blocks(m, &m->grids[p->grid], t);
    for (int peak = 0; peak < 2; peak++) {
      int c = peak ? g->thermal_peak[i] : g->thermal[i];
      if (c < 0) continue;
      collo[c] = 0.0;
      colup[c] = p->capacity_mw * avail * block_hours(&b, peak) / 1000.0;
      obj[c] = thermal_cost(p, t) * cost_scale;
    }
  }
  for (int l = 0; l < m->nlines; l++) {
    const naryn__line *ln = &m->lines[l];
    for (int back = 0; back < 2; back++) {
      int c = g->line[2 * l + back];
      double mw = back ? ln->capacity_mw_back : ln->capacity_mw;
      collo[c] = 0.0;
      colup[c] = mw * hours / 1000.0;
      if (g->seg[2 * l + back] < 0) continue;
      int from = back ? ln->to : ln->from, to = back ? ln->from : ln->to;
      blocks bf = grid_blocks(m, &m->grids[from], t), bt = grid_blocks(m, &m->grids[to], t);
      int bs, br, nseg = segment(m, from, to, 0, &bs, &br);
      rowlo[g->seg_row[2 * l + back]] = rowup[g->seg_row[2 * l + back]] = 0.0;
      for (int j = 0; j < nseg; j++) {
        segment(m, from, to, j, &bs, &br);
        int sc = g->seg[2 * l + back] + j;
        collo[sc] = 0.0;
        colup[sc] = mw * segment_hours(&bf, bs, &bt, br) / 1000.0;
      }
    }
  }
  for (int k = 0; k < m->nmarkets; k++) {
    const naryn__market *mk = &m->markets[k];
    blocks b = grid_blocks(m, &m->grids[mk->grid], t);
    for (int peak = 0; peak < 2; peak++) {
      int buy = peak ? g->buy_peak[k] : g->buy[k], sell = peak ? g->sell_peak[k] : g->sell[k];
      double h = has_peak(m, mk->grid) ? block_hours(&b, peak) : hours;
      if (buy >= 0) {
        collo[buy] = 0.0;
        colup[buy] = energy_gwh(mk->import_limit_mw, h);
        obj[buy] = mk->import_price_per_mwh.v[t] * cost_scale;
      }
      if (sell >= 0) {
        collo[sell] = 0.0;
        colup[sell] = energy_gwh(mk->export_limit_mw, h);
        obj[sell] = -mk->export_price_per_mwh.v[t] * cost_scale;
      }
    }
  }
}

void naryn__grid_lp_cost_coefs(const naryn__grid_lp *g, const naryn_model *m,
                               int t, int k, double w, double *c) {
  const naryn__grid *gr = &m->grids[k];
  for (int i = 0; i < gr->ntiers; i++) {
    c[g->tier[k] + i] += w * gr->tiers[i].cost_per_mwh * 1000.0;
    if (g->peak_tier[k] >= 0) c[g->peak_tier[k] + i] += w * gr->tiers[i].cost_per_mwh * 1000.0;
  }
  for (int i = 0; i < m->nthermal; i++) {
    if (m->thermal[i].grid != k) continue;
    double cost = w * thermal_cost(&m->thermal[i], t) * 1000.0;
    c[g->thermal[i]] += cost;
    if (g->thermal_peak[i] >= 0) c[g->thermal_peak[i]] += cost;
  }
  for (int l = 0; l < m->nlines; l++)
    for (int back = 0; back < 2; back++)
      if ((back ? m->lines[l].to : m->lines[l].from) == k)
        c[g->line[2 * l + back]] += w * m->lines[l].tariff_per_mwh * 1000.0;
  for (int q = 0; q < m->nmarkets; q++) {
    const naryn__market *mk = &m->markets[q];
    if (mk->grid != k) continue;
    double buy = w * (mk->import_price_per_mwh.v ? mk->import_price_per_mwh.v[t] : 0.0) * 1000.0;
    double sell = w * (mk->export_price_per_mwh.v ? mk->export_price_per_mwh.v[t] : 0.0) * 1000.0;
    if (g->buy[q] >= 0) c[g->buy[q]] += buy;
    if (g->buy_peak[q] >= 0) c[g->buy_peak[q]] += buy;
    if (g->sell[q] >= 0) c[g->sell[q]] -= sell;
    if (g->sell_peak[q] >= 0) c[g->sell_peak[q]] -= sell;
  }
}

/* The value of column c in x, 0 for a column that is not there. */
static double at(const double *x, int c) { return c >= 0 ? x[c] : 0.0; }

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
      double e = x[g->tier[k] + i] + (g->peak_tier[k] >= 0 ? x[g->peak_tier[k] + i] : 0.0);
      o[NARYN_G_UNSERVED_GWH] += e;
      o[NARYN_G_COST] += e * gr->tiers[i].cost_per_mwh * 1000.0;
    }
    o[NARYN_G_PRICE_PER_MWH] = duals ? duals[g->bal[k]] / cost_scale : NAN;
    o[NARYN_G_PEAK_PRICE_PER_MWH] =
        duals ? duals[g->peak[k] >= 0 ? g->peak[k] : g->bal[k]] / cost_scale : NAN;
  }
  for (int i = 0; i < m->nthermal; i++) {
    const naryn__thermal *p = &m->thermal[i];
    double *o = out + (size_t)p->grid * NARYN_G_COUNT;
    double e = x[g->thermal[i]] + at(x, g->thermal_peak[i]);
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
      double e = x[g->buy[k]] + at(x, g->buy_peak[k]);
      o[NARYN_G_IMPORT_MARKET_GWH] += e;
      o[NARYN_G_COST] += e * mk->import_price_per_mwh.v[t] * 1000.0;
    }
    if (g->sell[k] >= 0) {
      double e = x[g->sell[k]] + at(x, g->sell_peak[k]);
      o[NARYN_G_EXPORT_MARKET_GWH] += e;
      o[NARYN_G_COST] -= e * mk->export_price_per_mwh.v[t] * 1000.0;
    }
  }
}
