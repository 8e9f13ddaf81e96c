/*
** dispatch.c: a simulation's dispatch of the grids, step by step.
**
** Once a step's water has settled, the energy each hydropower plant made
** is fixed; every grid is then dispatched at least cost over the whole
** set of grids at once (thermal plants, interconnectors, markets and
** unserved energy, grid_lp.c), which is what a system operator does with
** the water the reservoirs' rules have let through. The dispatch LP is
** built once; each step changes its bounds and costs and re-solves it
** from the last basis. Each grid's figures and marginal price, and each
** line's flows, are recorded in the result, and every grid's energy
** balance is checked, as the water balance is.
**
** What the hydropower is worth to a grid is the cost it saves: before
** the first step every step is dispatched once with no hydropower at all
** and every line closed, each grid on its own, and each step's value is
** that cost less the step's own. (With the lines open, a grid's cost
** without hydropower would include what it sends its neighbours for
** nothing.) A cooperative game closes the lines between a coalition and
** the others (naryn__dispatch_open_lines); the cost without hydropower
** stays the same, so that values of different coalitions compare.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

struct naryn__dispatch {
  const naryn_model *m;
  naryn__grid_lp g;
  naryn__lp *lp;
  int nrows, ncols;
  int solved;          /* the LP has been solved once */
  double *collo, *colup, *rowlo, *rowup, *obj;
  double *hydro;       /* per grid: the step's hydropower, GWh */
  double *cost0;       /* [t * ngrids + k]: grid k's cost in step t with no
                       ** hydropower */
  unsigned char *open; /* per line: 1 when it may carry energy */
};

void naryn__dispatch_free(naryn__dispatch *p) {
  if (!p) return;
  naryn__lp_free(p->lp);
  naryn__grid_lp_free(&p->g);
  free(p->collo);
  free(p->obj);
  free(p->hydro);
  free(p->cost0);
  free(p->open);
  free(p);
}

int naryn__dispatch_room(const naryn_model *m, naryn_result *r) {
  if (r->grid_q) return NARYN_OK;
  size_t n = (size_t)m->nsteps;
  r->grid_q = malloc(n * (size_t)m->ngrids * NARYN_G_COUNT * sizeof *r->grid_q + 1);
  r->line_gwh = malloc(n * (size_t)m->nlines * 2 * sizeof *r->line_gwh + 1);
  if (!r->grid_q || !r->line_gwh) return NARYN_ENOMEM;
  for (size_t k = 0; k < n * (size_t)m->ngrids * NARYN_G_COUNT; k++) r->grid_q[k] = NAN;
  for (size_t k = 0; k < n * (size_t)m->nlines * 2; k++) r->line_gwh[k] = NAN;
  return NARYN_OK;
}

double naryn__dispatch_cost0(const naryn__dispatch *p, int t, int k) {
  return p->cost0[(size_t)t * p->m->ngrids + k];
}

/* Closes the lines whose flags are 0 (NULL: opens every line). */
void naryn__dispatch_open_lines(naryn__dispatch *p, const unsigned char *open) {
  for (int l = 0; p && l < p->m->nlines; l++) p->open[l] = open ? open[l] : 1;
}

/* Sets step t's bounds and costs with the hydropower in p->hydro, solves
** the LP from the last basis and reads its figures into out and lines. */
static int solve_step(naryn__dispatch *p, int t, long *iterations,
                      double *out, double *lines) {
  const naryn_model *m = p->m;
  naryn__grid_lp_set_step(&p->g, m, t, p->hydro, 1.0, p->collo, p->colup,
                          p->rowlo, p->rowup, p->obj);
  for (int l = 0; l < m->nlines; l++)
    if (!p->open[l]) p->colup[p->g.line[2 * l]] = p->colup[p->g.line[2 * l + 1]] = 0.0;
  int rc = naryn__lp_set_bounds(p->lp, p->collo, p->colup, p->rowlo, p->rowup);
  if (rc == NARYN_OK) rc = naryn__lp_set_objective(p->lp, p->obj);
  if (rc == NARYN_OK) {
    rc = p->solved ? naryn__lp_resolve(p->lp, iterations)
                   : naryn__lp_solve_initial(p->lp, iterations);
    p->solved = 1;
  }
  if (rc == NARYN_OK)
    naryn__grid_lp_read(&p->g, m, t, p->hydro, 1.0, naryn__lp_x(p->lp),
                        naryn__lp_row_duals(p->lp), out, lines);
  return rc;
}

/* Tells of a failed solve of step t's dispatch. */
static int solve_failed(const naryn_model *m, int t, int rc, naryn_diags *d) {
  if (rc == NARYN_EINTR) return naryn__interrupted(d);
  if (rc == NARYN_ENOMEM)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory in CLP while dispatching the grids in "
                       "the step of %s", m->step_date[t]);
  /* The last tier of unserved energy and the surplus make every balance
  ** feasible, and every cost is bounded: a failure is numerical. */
  return naryn__diag(d, NARYN_ESOLVER, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "CLP could not dispatch the grids in the step of %s: "
                     "it reported the LP %s, which unserved energy rules "
                     "out; this is a numerical failure", m->step_date[t],
                     rc == NARYN_EINFEAS ? "infeasible" : "unsolved");
}

/* The cost of every step and grid with no hydropower, every line closed. */
static int cost_without_hydro(naryn__dispatch *p, naryn_diags *d) {
  const naryn_model *m = p->m;
  size_t ng = (size_t)m->ngrids;
  double *out = malloc(ng * NARYN_G_COUNT * sizeof *out + 1);
  double *lines = malloc((size_t)m->nlines * 2 * sizeof *lines + 1);
  int rc = NARYN_OK;
  long iterations = 0;
  if (!out || !lines) rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                                       "out of memory");
  for (int k = 0; k < m->ngrids; k++) p->hydro[k] = 0.0;
  for (int l = 0; l < m->nlines; l++) p->open[l] = 0;
  for (int t = 0; t < m->nsteps && rc == NARYN_OK; t++) {
    int s = solve_step(p, t, &iterations, out, lines);
    if (s != NARYN_OK) {
      rc = solve_failed(m, t, s, d);
      break;
    }
    for (size_t k = 0; k < ng; k++)
      p->cost0[(size_t)t * ng + k] = out[k * NARYN_G_COUNT + NARYN_G_COST];
  }
  naryn__dispatch_open_lines(p, NULL);
  free(out);
  free(lines);
  return rc;
}

int naryn__dispatch_new(const naryn_model *m, naryn_result *r,
                        naryn__dispatch **out, naryn_diags *d) {
  *out = NULL;
  if (m->ngrids == 0) return NARYN_OK;
  naryn__dispatch *p = calloc(1, sizeof *p);
  naryn__triplets trip = {0};
  int objcap = 0, rc = NARYN_ENOMEM;
  int *start = NULL, *index = NULL;
  double *value = NULL;
  if (!p) goto done;
  p->m = m;
  if (naryn__dispatch_room(m, r) != NARYN_OK) goto done;
  if (naryn__grid_lp_add(&p->g, m, 0, NULL, 1.0, &trip, &p->nrows, &p->ncols,
                         &p->obj, &objcap) != NARYN_OK)
    goto done;
  /* The objective has room for every column already. */
  p->collo = malloc((size_t)(2 * p->ncols + 2 * p->nrows + 1) * sizeof *p->collo);
  p->hydro = calloc((size_t)m->ngrids + 1, sizeof *p->hydro);
  p->cost0 = malloc((size_t)m->nsteps * (size_t)m->ngrids * sizeof *p->cost0 + 1);
  p->open = malloc((size_t)m->nlines + 1);
  if (!p->collo || !p->hydro || !p->cost0 || !p->open) goto done;
  naryn__dispatch_open_lines(p, NULL);
  p->colup = p->collo + p->ncols;
  p->rowlo = p->colup + p->ncols;
  p->rowup = p->rowlo + p->nrows;
  naryn__grid_lp_set_step(&p->g, m, 0, p->hydro, 1.0, p->collo, p->colup,
                          p->rowlo, p->rowup, p->obj);
  if (naryn__trip_columns(&trip, p->ncols, &start, &index, &value, NULL) != NARYN_OK)
    goto done;
  p->lp = naryn__lp_new(p->nrows, p->ncols, start, index, value, p->collo,
                        p->colup, p->obj, p->rowlo, p->rowup);
  if (p->lp) rc = NARYN_OK;
done:
  naryn__trip_free(&trip);
  free(start);
  free(index);
  free(value);
  if (rc != NARYN_OK) {
    naryn__dispatch_free(p);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  rc = cost_without_hydro(p, d);
  if (rc != NARYN_OK) {
    naryn__dispatch_free(p);
    return rc;
  }
  *out = p;
  return NARYN_OK;
}

/* Checks grid k's energy balance in step t: what it makes, receives and
** buys, less what it sends, sells and leaves unused, against its demand. */
static int check_balance(const naryn_model *m, const double *o, int k, int t,
                         double tolerance, naryn_diags *d) {
  double in = o[NARYN_G_HYDRO_GWH] + o[NARYN_G_THERMAL_GWH] +
              o[NARYN_G_IMPORT_LINES_GWH] + o[NARYN_G_IMPORT_MARKET_GWH] +
              o[NARYN_G_UNSERVED_GWH];
  double away = o[NARYN_G_EXPORT_LINES_GWH] + o[NARYN_G_EXPORT_MARKET_GWH] +
                o[NARYN_G_SURPLUS_GWH];
  double residual = in - away - o[NARYN_G_DEMAND_GWH];
  if (fabs(residual) <= tolerance * (1.0 + fabs(o[NARYN_G_DEMAND_GWH]))) return NARYN_OK;
  const naryn__grid *g = &m->grids[k];
  char w[256];
  snprintf(w, sizeof w, "grid \"%s\"", g->name);
  return naryn__diag(d, NARYN_EBALANCE, NARYN_SEV_ERROR, g->doc->file,
                     g->doc->line, g->doc->col, w,
                     "the energy balance is off by %g GWh in the step of %s "
                     "(%g GWh in, %g GWh out and %g GWh of demand)", residual,
                     m->step_date[t], in, away, o[NARYN_G_DEMAND_GWH]);
}

int naryn__dispatch_step(naryn__dispatch *p, naryn_result *r, int t,
                         double tolerance, naryn_diags *d) {
  const naryn_model *m = p->m;
  for (int k = 0; k < m->ngrids; k++) p->hydro[k] = 0.0;
  for (int i = 0; i < m->nnodes; i++) {
    if (m->plant_grid[i] < 0) continue;
    double e = NARYN__Q(r, t, i, NARYN_Q_ENERGY_GWH);
    if (!isnan(e)) p->hydro[m->plant_grid[i]] += e;
  }
  double *out = r->grid_q + (size_t)t * m->ngrids * NARYN_G_COUNT;
  int rc = solve_step(p, t, &r->iterations, out,
                      r->line_gwh + (size_t)t * m->nlines * 2);
  if (rc != NARYN_OK) return solve_failed(m, t, rc, d);
  for (int k = 0; k < m->ngrids; k++) {
    double *o = out + (size_t)k * NARYN_G_COUNT;
    o[NARYN_G_HYDRO_VALUE] = p->cost0[(size_t)t * m->ngrids + k] - o[NARYN_G_COST];
    rc = check_balance(m, o, k, t, tolerance, d);
    if (rc != NARYN_OK) return rc;
  }
  return NARYN_OK;
}
