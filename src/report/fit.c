/*
** fit.c: how well a run matches the model's observed series
** (model/observed.c), written as fit.csv and observed.csv
** (doc/results.md).
**
** For each observed series the steps where both the observation and the
** run's value are numbers are compared: the root-mean-square error, the
** bias (mean simulated minus observed), the Nash-Sutcliffe efficiency,
** the Kling-Gupta efficiency (2009) and the largest error with its step.
** Standard deviations are those of the population (divided by n), which
** KGE's ratios do not depend on. NSE is undefined (NaN, an empty cell)
** when the observations do not vary; KGE when either series does not
** vary or the observed mean is zero.
**
** A full result gives the run's value at any step; a streamed one keeps
** the run's values at the observed steps as it goes (naryn__sums).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

void naryn__fit_stats(const double *sim, const double *obs, int n, naryn__fit *out) {
  int k = 0;
  double ss = 0.0, so = 0.0;
  *out = (naryn__fit){0, NAN, NAN, NAN, NAN, NAN, -1};
  for (int t = 0; t < n; t++) {
    if (isnan(sim[t]) || isnan(obs[t])) continue;
    k++;
    ss += sim[t];
    so += obs[t];
  }
  out->observed_steps = k;
  if (k == 0) return;
  double ms = ss / k, mo = so / k;
  double sq = 0.0, vs = 0.0, vo = 0.0, cov = 0.0, worst = -1.0;
  for (int t = 0; t < n; t++) {
    if (isnan(sim[t]) || isnan(obs[t])) continue;
    double e = sim[t] - obs[t], ds = sim[t] - ms, dob = obs[t] - mo;
    sq += e * e;
    vs += ds * ds;
    vo += dob * dob;
    cov += ds * dob;
    if (fabs(e) > worst) worst = fabs(e), out->max_error_step = t;
  }
  out->rmse = sqrt(sq / k);
  out->bias = ms - mo;
  out->max_abs_error = worst;
  if (vo > 0.0) out->nse = 1.0 - sq / vo;
  if (vo > 0.0 && vs > 0.0 && mo != 0.0) {
    double r = cov / sqrt(vs * vo), alpha = sqrt(vs / vo), beta = ms / mo;
    out->kge = 1.0 - sqrt((r - 1) * (r - 1) + (alpha - 1) * (alpha - 1) +
                          (beta - 1) * (beta - 1));
  }
}

double *naryn__fit_sim(const naryn_result *r) {
  const naryn_model *m = r->m;
  size_t n = (size_t)m->nobs * (size_t)m->nsteps;
  double *sim = malloc((n ? n : 1) * sizeof *sim);
  if (!sim) return NULL;
  if (!NARYN__FULL(r)) {
    for (size_t i = 0; i < n; i++) sim[i] = r->sums->obs_sim ? r->sums->obs_sim[i] : NAN;
    return sim;
  }
  for (int k = 0; k < m->nobs; k++)
    for (int t = 0; t < m->nsteps; t++)
      sim[(size_t)k * m->nsteps + t] = naryn__obs_sim(r, k, t);
  return sim;
}

int naryn__sums_add_obs(naryn_result *r, int t) {
  const naryn_model *m = r->m;
  naryn__sums *s = r->sums;
  if (m->nobs == 0) return NARYN_OK;
  if (!s->obs_sim) {
    s->obs_sim = malloc((size_t)m->nobs * m->nsteps * sizeof *s->obs_sim);
    if (!s->obs_sim) return NARYN_ENOMEM;
    for (size_t i = 0; i < (size_t)m->nobs * m->nsteps; i++) s->obs_sim[i] = NAN;
  }
  for (int k = 0; k < m->nobs; k++)
    if (!isnan(m->obs[k].ts.v[t]))
      s->obs_sim[(size_t)k * m->nsteps + t] = naryn__obs_sim(r, k, t);
  return NARYN_OK;
}

/* The name of what observation k observes: its node's or its link's. */
static const char *obs_element(const naryn_model *m, int k) {
  const naryn__obs *o = &m->obs[k];
  return o->link >= 0 ? m->links[o->link].name : m->nodes[o->node].name;
}

/* Writes "ELEMENT,KIND,QUANTITY" of observation k. */
static void put_series(naryn__outfile *f, const naryn_model *m, int k) {
  naryn__put_text(f, obs_element(m, k));
  naryn__outfile_printf(f, ",%s,%s", m->obs[k].link >= 0 ? "link" : "node",
                        m->obs[k].quantity);
}

void naryn__write_fit(const naryn_result *r, const double *sim, naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "element,kind,quantity,unit,observed_steps,rmse,bias,nse,kge,"
                           "max_abs_error,max_error_date\n");
  for (int k = 0; k < m->nobs; k++) {
    naryn__fit fit;
    naryn__fit_stats(sim + (size_t)k * m->nsteps, m->obs[k].ts.v, m->nsteps, &fit);
    put_series(f, m, k);
    naryn__outfile_printf(f, ",%s,%d", m->obs[k].unit, fit.observed_steps);
    const double v[] = {fit.rmse, fit.bias, fit.nse, fit.kge, fit.max_abs_error};
    for (int j = 0; j < 5; j++) {
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, v[j], "%.6f");
    }
    naryn__outfile_write(f, ",", 1);
    if (fit.max_error_step >= 0)
      naryn__outfile_printf(f, "%s", m->step_date[fit.max_error_step]);
    naryn__outfile_write(f, "\n", 1);
  }
}

void naryn__write_observed(const naryn_result *r, const double *sim,
                          naryn__outfile *f) {
  const naryn_model *m = r->m;
  naryn__outfile_printf(f, "date,element,kind,quantity,observed,simulated\n");
  for (int k = 0; k < m->nobs; k++) {
    const double *s = sim + (size_t)k * m->nsteps;
    for (int t = 0; t < m->nsteps; t++) {
      double x = m->obs[k].ts.v[t];
      if (isnan(x)) continue;
      naryn__outfile_printf(f, "%s,", m->step_date[t]);
      put_series(f, m, k);
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, x, "%.6f");
      naryn__outfile_write(f, ",", 1);
      naryn__put_number(f, s[t], "%.6f");
      naryn__outfile_write(f, "\n", 1);
    }
  }
}
