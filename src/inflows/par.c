/*
** par.c: the periodic autoregressive model PAR(p) of monthly flows at
** several sites at once.
**
** Each site's flows q are transformed, y = ln q (or Box-Cox, (q^L - 1) / L
** with L fitted per month), and standardised per calendar month m,
** z = (y - mu_m) / sd_m, with the mean and the standard deviation (divided
** by n) of the month's values in the record. Then for each site and month
**
**   z_t = phi_1 z_{t-1} + ... + phi_p z_{t-p} + e_t,   p = 0 .. 3,
**
** fitted by least squares, with p chosen per site and month by the
** Bayesian information criterion, n ln(RSS / n) + p ln n (or Akaike's,
** n ln(RSS / n) + 2 p). Every order is fitted on the same months (those
** from the max_order-th month of the record on), so that the criteria
** compare like with like. The residuals e of the sites in a month are
** taken as multivariate normal with the month's covariance S_m (divided
** by n), which keeps the correlation between sites: a draw is
** e = L_m w with L_m the lower Cholesky factor of S_m and w independent
** standard normals. Flows are the inverse transform of mu + sd z, so they
** stay positive.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inflows_int.h"

/* ====================================================================== */
/* Transforms and the statistics of each month                             */
/* ====================================================================== */

double naryn__inflow_fwd(double q, double lambda) {
  return lambda == 0.0 ? log(q) : (pow(q, lambda) - 1.0) / lambda;
}

double naryn__inflow_inv(double y, double lambda, double floor_m3s) {
  double q;
  if (lambda == 0.0) {
    q = exp(y);
  } else {
    double v = 1.0 + lambda * y;
    q = v > 0 ? pow(v, 1.0 / lambda) : 0.0;
  }
  return q > floor_m3s ? q : floor_m3s;
}

double naryn__inflow_floor(const naryn__inflow_site *s, int m) {
  /* The logarithm needs no floor; Box-Cox with L > 0 is bounded below,
  ** and a draw past the bound takes half the record's smallest flow. */
  return s->lambda[m] == 0.0 ? 0.0 : 0.5 * s->min_m3s[m];
}

/* The profile log-likelihood of a Box-Cox exponent for n flows. */
static double boxcox_loglik(const double *q, int n, double lambda) {
  double sum = 0, sum2 = 0, logs = 0;
  for (int i = 0; i < n; i++) {
    double y = naryn__inflow_fwd(q[i], lambda);
    sum += y, sum2 += y * y, logs += log(q[i]);
  }
  double var = sum2 / n - (sum / n) * (sum / n);
  if (!(var > 0)) return -HUGE_VAL;
  return -0.5 * n * log(var) + (lambda - 1.0) * logs;
}

int naryn__inflow_fit_margins(naryn_inflow_fit *f, const double *flows, int start, int months,
                              naryn_diags *d) {
  double *q = malloc((size_t)(months / 12 + 1) * sizeof *q);
  if (!q) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory"), -1;
  for (int s = 0; s < f->nsites; s++) {
    naryn__inflow_site *site = &f->site[s];
    const double *rec = flows + (size_t)s * months;
    for (int m = 0; m < 12; m++) {
      int n = 0;
      for (int t = 0; t < months; t++)
        if ((start + t) % 12 == m) q[n++] = rec[t];
      double sum = 0, lo = q[0];
      for (int i = 0; i < n; i++) sum += q[i], lo = q[i] < lo ? q[i] : lo;
      site->mean_m3s[m] = sum / n;
      site->min_m3s[m] = lo;
      /* Box-Cox: the exponent in [0, 1] of highest likelihood, by steps
      ** of 0.01 (0 is the logarithm). */
      double best = 0.0;
      if (f->boxcox) {
        double best_ll = boxcox_loglik(q, n, 0.0);
        for (int k = 1; k <= 100; k++) {
          double ll = boxcox_loglik(q, n, k / 100.0);
          if (ll > best_ll) best_ll = ll, best = k / 100.0;
        }
      }
      site->lambda[m] = best;
      double ysum = 0, y2 = 0;
      for (int i = 0; i < n; i++) ysum += naryn__inflow_fwd(q[i], best);
      double mu = ysum / n;
      for (int i = 0; i < n; i++) {
        double e = naryn__inflow_fwd(q[i], best) - mu;
        y2 += e * e;
      }
      site->mu[m] = mu;
      site->sd[m] = sqrt(y2 / n);
      if (!(site->sd[m] > 1e-9 * (fabs(mu) + 1.0))) {
        free(q);
        char where[160];
        snprintf(where, sizeof where, "column \"%s\"", site->column);
        return naryn__diag(d, NARYN_ESYNTAX, NARYN_SEV_ERROR, f->record_file, 0, 0, where,
                           "expected the flows of %s to vary from year to year, got the same "
                           "flow in every year of the record",
                           naryn__month_names[m]), -1;
      }
    }
  }
  free(q);
  return 0;
}

/* ====================================================================== */
/* Small linear algebra                                                    */
/* ====================================================================== */

void naryn__chol_psd(const double *a, int n, double *l) {
  memset(l, 0, (size_t)n * n * sizeof *l);
  for (int j = 0; j < n; j++) {
    double s = a[j * n + j];
    for (int k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    /* A pivot lost in rounding: the variable is a combination of the ones
    ** before it (two sites fitted to one column), its column stays 0. */
    if (!(s > 1e-10 * (a[j * n + j] > 0 ? a[j * n + j] : 1.0))) continue;
    double piv = sqrt(s);
    l[j * n + j] = piv;
    for (int i = j + 1; i < n; i++) {
      double v = a[i * n + j];
      for (int k = 0; k < j; k++) v -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = v / piv;
    }
  }
}

/* Solves the p x p system g x = b (symmetric positive definite, p <= 3)
** by Cholesky; returns -1 when g is singular. */
static int solve_spd(const double *g, const double *b, int p, double *x) {
  double l[NARYN__INFLOW_MAX_ORDER * NARYN__INFLOW_MAX_ORDER] = {0}, y[NARYN__INFLOW_MAX_ORDER];
  for (int j = 0; j < p; j++) {
    double s = g[j * p + j];
    for (int k = 0; k < j; k++) s -= l[j * p + k] * l[j * p + k];
    if (!(s > 1e-12 * (g[j * p + j] > 0 ? g[j * p + j] : 1.0))) return -1;
    l[j * p + j] = sqrt(s);
    for (int i = j + 1; i < p; i++) {
      double v = g[i * p + j];
      for (int k = 0; k < j; k++) v -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = v / l[j * p + j];
    }
  }
  for (int i = 0; i < p; i++) {
    double v = b[i];
    for (int k = 0; k < i; k++) v -= l[i * p + k] * y[k];
    y[i] = v / l[i * p + i];
  }
  for (int i = p - 1; i >= 0; i--) {
    double v = y[i];
    for (int k = i + 1; k < p; k++) v -= l[k * p + i] * x[k];
    x[i] = v / l[i * p + i];
  }
  return 0;
}

/* ====================================================================== */
/* Fitting                                                                 */
/* ====================================================================== */

int naryn__par_fit(naryn_inflow_fit *f, naryn_diags *d) {
  int n = f->nsites, months = f->rec_months, pmax = f->max_order;
  double *z = malloc((size_t)n * months * sizeof *z);
  double *e = malloc((size_t)n * months * sizeof *e);
  f->cov = naryn__arena_alloc(f->a, (size_t)12 * n * n * sizeof *f->cov);
  f->chol = naryn__arena_alloc(f->a, (size_t)12 * n * n * sizeof *f->chol);
  if (!z || !e || !f->cov || !f->chol) {
    free(z), free(e);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory"), -1;
  }
  for (int s = 0; s < n; s++) {
    const naryn__inflow_site *site = &f->site[s];
    for (int t = 0; t < months; t++) {
      int m = (f->rec_start + t) % 12;
      double y = naryn__inflow_fwd(f->rec[(size_t)s * months + t], site->lambda[m]);
      z[(size_t)s * months + t] = (y - site->mu[m]) / site->sd[m];
    }
  }
  for (int s = 0; s < n; s++) {
    naryn__inflow_site *site = &f->site[s];
    const double *zs = z + (size_t)s * months;
    for (int m = 0; m < 12; m++) {
      /* The sums of the normal equations of the largest order; smaller
      ** orders use their leading parts. */
      double g[NARYN__INFLOW_MAX_ORDER][NARYN__INFLOW_MAX_ORDER] = {{0}};
      double b[NARYN__INFLOW_MAX_ORDER] = {0}, yy = 0;
      int cnt = 0;
      for (int t = pmax; t < months; t++) {
        if ((f->rec_start + t) % 12 != m) continue;
        cnt++;
        yy += zs[t] * zs[t];
        for (int i = 0; i < pmax; i++) {
          b[i] += zs[t] * zs[t - 1 - i];
          for (int j = 0; j < pmax; j++) g[i][j] += zs[t - 1 - i] * zs[t - 1 - j];
        }
      }
      double best_crit = HUGE_VAL;
      int best_p = 0;
      double best_phi[NARYN__INFLOW_MAX_ORDER] = {0};
      for (int p = 0; p <= pmax; p++) {
        double gp[NARYN__INFLOW_MAX_ORDER * NARYN__INFLOW_MAX_ORDER], phi[NARYN__INFLOW_MAX_ORDER];
        for (int i = 0; i < p; i++)
          for (int j = 0; j < p; j++) gp[i * p + j] = g[i][j];
        if (p > 0 && solve_spd(gp, b, p, phi) != 0) break;
        /* RSS = z'z - 2 phi'b + phi'G phi = z'z - phi'b at the optimum. */
        double rss = yy;
        for (int i = 0; i < p; i++) rss -= phi[i] * b[i];
        double var = rss / cnt;
        if (var < 1e-300) var = 1e-300;
        double crit = cnt * log(var) + p * (f->aic ? 2.0 : log((double)cnt));
        if (crit < best_crit - 1e-12) {
          best_crit = crit, best_p = p;
          for (int i = 0; i < p; i++) best_phi[i] = phi[i];
        }
      }
      site->order[m] = best_p;
      for (int i = 0; i < NARYN__INFLOW_MAX_ORDER; i++)
        site->phi[m][i] = i < best_p ? best_phi[i] : 0.0;
    }
    for (int t = 0; t < months; t++) {
      int m = (f->rec_start + t) % 12;
      double v = zs[t];
      for (int i = 0; i < site->order[m] && t - 1 - i >= 0; i++) v -= site->phi[m][i] * zs[t - 1 - i];
      e[(size_t)s * months + t] = v;
    }
  }
  for (int m = 0; m < 12; m++) {
    double *c = f->cov + (size_t)m * n * n;
    int cnt = 0;
    for (int t = pmax; t < months; t++) {
      if ((f->rec_start + t) % 12 != m) continue;
      cnt++;
      for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) c[i * n + j] += e[(size_t)i * months + t] * e[(size_t)j * months + t];
    }
    for (int i = 0; i < n; i++)
      for (int j = 0; j <= i; j++) c[j * n + i] = c[i * n + j] /= cnt;
  }
  free(z), free(e);
  return naryn__par_factor(f);
}

int naryn__par_factor(naryn_inflow_fit *f) {
  int n = f->nsites;
  for (int m = 0; m < 12; m++)
    naryn__chol_psd(f->cov + (size_t)m * n * n, n, f->chol + (size_t)m * n * n);
  return 0;
}

/* ====================================================================== */
/* Drawing                                                                 */
/* ====================================================================== */

int naryn__par_draw(const naryn_inflow_fit *f, naryn__rng *r, int start, int months,
                    double *z) {
  int n = f->nsites, warm = 12 * NARYN__INFLOW_WARMUP_YEARS, total = warm + months;
  /* The last max_order values of every site, newest first, and a vector
  ** of normals. */
  double *lag = calloc((size_t)n * NARYN__INFLOW_MAX_ORDER + 2 * (size_t)n, sizeof *lag);
  if (!lag) return -1;
  double *w = lag + (size_t)n * NARYN__INFLOW_MAX_ORDER, *now = w + n;
  for (int t = 0; t < total; t++) {
    int m = ((start - warm + t) % 12 + 12) % 12;
    const double *l = f->chol + (size_t)m * n * n;
    for (int i = 0; i < n; i++) w[i] = naryn__rng_normal(r);
    for (int i = 0; i < n; i++) {
      const naryn__inflow_site *site = &f->site[i];
      double v = 0;
      for (int k = 0; k < site->order[m]; k++) v += site->phi[m][k] * lag[i * NARYN__INFLOW_MAX_ORDER + k];
      for (int j = 0; j <= i; j++) v += l[i * n + j] * w[j];
      now[i] = v;
    }
    for (int i = 0; i < n; i++) {
      double *h = lag + i * NARYN__INFLOW_MAX_ORDER;
      for (int k = NARYN__INFLOW_MAX_ORDER - 1; k > 0; k--) h[k] = h[k - 1];
      h[0] = now[i];
      if (t >= warm) z[(size_t)i * months + (t - warm)] = now[i];
    }
  }
  free(lag);
  return 0;
}
