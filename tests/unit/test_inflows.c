/*
** test_inflows.c: synthetic inflows. A PAR(1) series of 2000 years made
** here with known parameters is fitted, and the fit must find them within
** four standard errors; two sites with a known correlation keep it; the
** validation's statistics are checked against figures worked by hand on
** tiny records; flows stay positive; a seed and a member always give the
** same series, alone, among others, on other threads, and a longer series
** begins as a shorter one.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows/inflows_int.h"
#include "testutil.h"

/* ====================================================================== */
/* Records made here                                                       */
/* ====================================================================== */

/* The test's own generator (not the library's): splitmix64 and
** Box-Muller, so that the fit is checked against numbers it did not
** draw. */
static uint64_t tstate;
static double tuniform(void) {
  uint64_t z = (tstate += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}
static double tnormal(void) {
  return sqrt(-2 * log(tuniform())) * cos(6.283185307179586 * tuniform());
}

/* Known parameters: the mean and sd of ln q per month, and phi per month;
** z_t = phi_m z_{t-1} + sqrt(1 - phi_m^2) e_t keeps z at unit variance. */
static const double true_mu[12] = {3.9, 3.8, 4.1, 5.0, 5.7, 6.0, 5.8, 5.3, 4.8, 4.4, 4.2, 4.0};
static const double true_sd[12] = {0.15, 0.16, 0.28, 0.35, 0.30, 0.28, 0.30, 0.24, 0.19, 0.17,
                                   0.18, 0.16};
static const double true_phi[12] = {0.92, 0.85, 0.60, 0.50, 0.65, 0.75, 0.85, 0.92, 0.93, 0.80,
                                    0.85, 0.90};

/* Writes a record of 'years' water years from 1001-10 for 'sites' sites
** (columns s0, s1, ...) whose innovations are correlated 'rho' with site
** 0's: e_s = rho e_0 + sqrt(1 - rho^2) w_s. */
static void write_par1(const char *path, int years, int sites, double rho, uint64_t seed) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "date");
  for (int s = 0; s < sites; s++) fprintf(f, ",s%d", s);
  fprintf(f, "\n");
  tstate = seed;
  double z[4] = {0};
  for (int t = -120; t < 12 * years; t++) {
    int k = 1001 * 12 + 9 + t, m = ((k % 12) + 12) % 12;
    double common = tnormal();
    for (int s = 0; s < sites; s++) {
      double e = s == 0 ? common : rho * common + sqrt(1 - rho * rho) * tnormal();
      z[s] = true_phi[m] * z[s] + sqrt(1 - true_phi[m] * true_phi[m]) * e;
    }
    if (t < 0) continue;
    fprintf(f, "%04d-%02d", k / 12, m + 1);
    for (int s = 0; s < sites; s++) fprintf(f, ",%.17g", exp(true_mu[m] + true_sd[m] * z[s]));
    fprintf(f, "\n");
  }
  fclose(f);
}

static naryn_inflow_fit *fit_file(const char *path, const naryn_inflow_fit_opts *o) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_inflow_fit *f = NULL;
  int rc = naryn_inflow_fit_record(path, o, &f, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return f;
}

/* ====================================================================== */
/* Parameters recovered                                                    */
/* ====================================================================== */

/* The standard errors, for n = 2000 values per month: of a mean sd/sqrt(n)
** (the months of one calendar month are nearly independent from year to
** year: the product of twelve phi is 0.08), of a standard deviation
** sd/sqrt(2n), of phi sqrt((1 - phi^2)/n), of a residual variance
** v sqrt(2/n). Each estimate must fall within 4 of them. */
static void par1_parameters_recovered(void **state) {
  (void)state;
  write_par1("par1.csv", 2000, 1, 0, 20240601);
  naryn_inflow_fit *f = fit_file("par1.csv", NULL);
  const naryn__inflow_site *s = &f->site[0];
  double n = 2000;
  int order1 = 0;
  for (int m = 0; m < 12; m++) {
    assert_near(s->mu[m], true_mu[m], 4 * true_sd[m] / sqrt(n));
    assert_near(s->sd[m], true_sd[m], 4 * true_sd[m] / sqrt(2 * n));
    order1 += s->order[m] == 1;
    if (s->order[m] != 1) continue;
    double se = sqrt((1 - true_phi[m] * true_phi[m]) / n);
    assert_near(s->phi[m][0], true_phi[m], 4 * se);
    double var = 1 - true_phi[m] * true_phi[m];
    assert_near(f->cov[m], var, 4 * var * sqrt(2 / n));
  }
  /* BIC finds the true order in (nearly) every month. */
  print_message("order 1 chosen in %d of 12 months\n", order1);
  assert_true(order1 >= 11);
  naryn_inflow_fit_free(f);
}

/* Two sites whose innovations are correlated 0.7: the fit's residual
** correlation is 0.7 within 4 standard errors, (1 - r^2)/sqrt(n), and a
** long synthetic series reproduces the record's correlation of log flows
** month by month within the sampling error of both, 4 sqrt(2) (1 - r^2) /
** sqrt(n). */
static void two_site_correlation_kept(void **state) {
  (void)state;
  write_par1("two.csv", 1000, 2, 0.7, 77);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.max_order = 1;
  naryn_inflow_fit *f = fit_file("two.csv", &o);
  assert_int_equal(naryn_inflow_fit_sites(f), 2);
  assert_string_equal(naryn_inflow_fit_site(f, 1), "s1");
  int months = 12 * 1000;
  double *q = malloc(2 * (size_t)months * sizeof *q);
  assert_int_equal(naryn_inflow_generate(f, 5, 0, "2001-10", months, q, NULL), NARYN_OK);
  for (int m = 0; m < 12; m++) {
    const double *c = f->cov + (size_t)m * 4;
    double r_fit = c[1] / sqrt(c[0] * c[3]);
    assert_near(r_fit, 0.7, 4 * (1 - 0.49) / sqrt(1000));
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, hn = 0;
    double ha = 0, hb = 0, haa = 0, hbb = 0, hab = 0;
    for (int t = 0; t < months; t++) {
      if ((2001 * 12 + 9 + t) % 12 != m) continue;
      double a = log(q[t]), b = log(q[months + t]);
      sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
      double x = log(f->rec[t]), y = log(f->rec[f->rec_months + t]);
      ha += x, hb += y, haa += x * x, hbb += y * y, hab += x * y, hn++;
    }
    double r_syn = (sab - sa * sb / hn) / sqrt((saa - sa * sa / hn) * (sbb - sb * sb / hn));
    double r_rec = (hab - ha * hb / hn) / sqrt((haa - ha * ha / hn) * (hbb - hb * hb / hn));
    assert_near(r_syn, r_rec, 4 * sqrt(2.0) * (1 - r_rec * r_rec) / sqrt(hn));
  }
  free(q);
  naryn_inflow_fit_free(f);
}

/* ====================================================================== */
/* Statistics worked by hand                                               */
/* ====================================================================== */

static double row_of(const naryn_inflow_validation *v, const char *site, const char *stat,
                     const char *period, int synthetic) {
  for (int i = 0; i < naryn_inflow_validation_rows(v); i++) {
    const char *a, *b, *c;
    double h, s;
    naryn_inflow_validation_row(v, i, &a, &b, &c, &h, &s);
    if (!strcmp(a, site) && !strcmp(b, stat) && !strcmp(c, period)) return synthetic ? s : h;
  }
  fail_msg("no row %s %s %s", site, stat, period);
  return NAN;
}

/* Four water years 2001/02 to 2004/05 of two sites; every month of site a
** is 5 m3/s but January (1, 2, 3, 10) and February (e, e^2, e^3, e^2);
** site b is 5 but January (4, 3, 2, 1).
**   a, January: mean 4; deviations -3 -2 -1 6, sum of squares 50, sd
**   sqrt(50/3) = 4.08248; m2 = 50/4 = 12.5, m3 = (-27 - 8 - 1 + 216)/4 =
**   45, skew 45 / 12.5^1.5 = 1.018234.
**   a, February: ln q = 1 2 3 2, mean 2, sd (divided by n) sqrt(2/4) =
**   0.707107.
**   a against b in January: b's deviations 1.5 .5 -.5 -1.5, sum of squares
**   5, products -4.5 - 1 + .5 - 9 = -14, r = -14 / sqrt(250) = -0.885438.
**   a, lag one in February: the pairs (February, January) are (e, 1),
**   (e^2, 2), (e^3, 3), (e^2, 10), whose correlation is worked below.
** The other months are 5 m3/s plus 0.1 (a) or 0.2 (b) a year, so that
** every month varies. */
static void statistics_by_hand(void **state) {
  (void)state;
  FILE *fp = fopen("tiny.csv", "w");
  fprintf(fp, "date,a,b\n");
  double e = exp(1.0);
  double jan_a[4] = {1, 2, 3, 10}, feb_a[4] = {e, e * e, e * e * e, e * e},
         jan_b[4] = {4, 3, 2, 1};
  for (int y = 0; y < 4; y++)
    for (int k = 0; k < 12; k++) {
      int t = (2001 + y) * 12 + 9 + k, m = t % 12;
      fprintf(fp, "%04d-%02d,%.17g,%.17g\n", t / 12, m + 1,
              m == 0 ? jan_a[y] : m == 1 ? feb_a[y] : 5.0 + 0.1 * y,
              m == 0 ? jan_b[y] : 5.0 + 0.2 * y);
    }
  fclose(fp);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.max_order = 0; /* 24 months suffice */
  naryn_inflow_fit *f = fit_file("tiny.csv", &o);
  assert_near(f->site[0].mu[1], 2.0, 1e-12);
  assert_near(f->site[0].sd[1], sqrt(0.5), 1e-12);
  naryn_inflow_validation *v = NULL;
  assert_int_equal(naryn_inflow_validate(f, 50, 1, &v, NULL), NARYN_OK);
  assert_near(row_of(v, "a", "mean_m3s", "jan", 0), 4.0, 1e-12);
  assert_near(row_of(v, "a", "sd_m3s", "jan", 0), sqrt(50.0 / 3), 1e-12);
  assert_near(row_of(v, "a", "skew", "jan", 0), 45 / pow(12.5, 1.5), 1e-12);
  assert_near(row_of(v, "a:b", "corr", "jan", 0), -14 / sqrt(250.0), 1e-12);
  double x[4] = {1, 2, 3, 10}, y[4] = {e, e * e, e * e * e, e * e};
  double mx = 4, my = (y[0] + y[1] + y[2] + y[3]) / 4, sxy = 0, sxx = 0, syy = 0;
  for (int k = 0; k < 4; k++)
    sxy += (x[k] - mx) * (y[k] - my), sxx += (x[k] - mx) * (x[k] - mx), syy += (y[k] - my) * (y[k] - my);
  assert_near(row_of(v, "a", "lag1", "feb", 0), sxy / sqrt(sxx * syy), 1e-12);
  int hy, sy;
  naryn_inflow_validation_years(v, &hy, &sy);
  assert_int_equal(hy, 4);
  assert_int_equal(sy, 50);
  naryn_inflow_validation_free(v);
  naryn_inflow_fit_free(f);
}

/* Five water years 2001/02 to 2005/06 of one site whose flows are the same
** all year: 10, 20, 5, 4, 30 m3/s. 2003/04 holds 29
** February, so its 366 days give 5 * 366 * 86400 / 1e9 = 0.158112 km3;
** the others have 365 days: 10 m3/s is 0.31536 km3 a year.
**   sorted volumes (365-day units of m3/s): 4, 5 * 366/365, 10, 20, 30;
**   p25: rank (5 - 1) 0.25 = 1, the second: 0.158112 km3;
**   p10: rank 0.4, 0.6 of the first and 0.4 of the second:
**        0.6 * 0.126144 + 0.4 * 0.158112 = 0.1389312 km3;
**   median 0.31536 km3; one drought, 2003/04 and 2004/05, of 2 years,
**   deficit (0.31536 - 0.158112) + (0.31536 - 0.126144) = 0.346464 km3;
**   20 droughts per 100 years. */
static void annual_statistics_by_hand(void **state) {
  (void)state;
  double c[5] = {10, 20, 5, 4, 30};
  FILE *fp = fopen("years.csv", "w");
  fprintf(fp, "date,q\n");
  for (int y = 0; y < 5; y++)
    for (int k = 0; k < 12; k++) {
      int t = (2001 + y) * 12 + 9 + k;
      fprintf(fp, "%04d-%02d,%.17g\n", t / 12, t % 12 + 1, c[y]);
    }
  fclose(fp);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.max_order = 0;
  naryn_inflow_fit *f = fit_file("years.csv", &o);
  naryn_inflow_validation *v = NULL;
  assert_int_equal(naryn_inflow_validate(f, 10, 3, &v, NULL), NARYN_OK);
  double unit = 365 * 86400 / 1e9;
  assert_near(row_of(v, "q", "annual_km3", "min", 0), 4 * unit, 1e-12);
  assert_near(row_of(v, "q", "annual_km3", "p25", 0), 5 * 366 * 86400 / 1e9, 1e-12);
  assert_near(row_of(v, "q", "annual_km3", "p10", 0), 0.6 * 4 * unit + 0.4 * 0.158112, 1e-12);
  assert_near(row_of(v, "q", "annual_km3", "p50", 0), 10 * unit, 1e-12);
  assert_near(row_of(v, "q", "drought_per_100y", "year", 0), 20, 1e-12);
  assert_near(row_of(v, "q", "drought_longest_years", "year", 0), 2, 1e-12);
  assert_near(row_of(v, "q", "drought_mean_deficit_km3", "year", 0), 0.346464, 1e-9);
  assert_near(row_of(v, "q", "drought_largest_deficit_km3", "year", 0), 0.346464, 1e-9);
  naryn_inflow_validation_free(v);
  naryn_inflow_fit_free(f);
}

/* ====================================================================== */
/* Positive, reproducible, independent of other members and threads        */
/* ====================================================================== */

typedef struct job {
  const naryn_inflow_fit *f;
  long member;
  double *q;
} job;

static void *draw(void *arg) {
  job *j = arg;
  naryn_inflow_generate(j->f, 42, j->member, "2030-01", 600, j->q, NULL);
  return NULL;
}

static void check_reproducible(naryn_inflow_fit *f) {
  int n = naryn_inflow_fit_sites(f), months = 600;
  size_t len = (size_t)n * months;
  double *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b), *c = malloc(len * sizeof *c);
  double *longer = malloc(2 * len * sizeof *longer);
  assert_int_equal(naryn_inflow_generate(f, 42, 3, "2030-01", months, a, NULL), NARYN_OK);
  for (size_t i = 0; i < len; i++) assert_true(a[i] > 0 && isfinite(a[i]));
  /* Members 0 to 2 first change nothing for member 3. */
  for (long k = 0; k < 3; k++) naryn_inflow_generate(f, 42, k, "2030-01", months, b, NULL);
  assert_int_equal(naryn_inflow_generate(f, 42, 3, "2030-01", months, b, NULL), NARYN_OK);
  assert_memory_equal(a, b, len * sizeof *a);
  /* Another seed and another member differ. */
  naryn_inflow_generate(f, 43, 3, "2030-01", months, c, NULL);
  assert_true(memcmp(a, c, len * sizeof *a) != 0);
  naryn_inflow_generate(f, 42, 4, "2030-01", months, c, NULL);
  assert_true(memcmp(a, c, len * sizeof *a) != 0);
  /* A series twice as long begins as this one. */
  naryn_inflow_generate(f, 42, 3, "2030-01", 2 * months, longer, NULL);
  for (int s = 0; s < n; s++)
    assert_memory_equal(a + (size_t)s * months, longer + (size_t)s * 2 * months,
                        (size_t)months * sizeof *a);
  /* Members 2 and 3 drawn on two threads at once. */
  job j[2] = {{f, 2, b}, {f, 3, c}};
  pthread_t th[2];
  for (int k = 0; k < 2; k++) assert_int_equal(pthread_create(&th[k], NULL, draw, &j[k]), 0);
  for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
  assert_memory_equal(a, c, len * sizeof *a);
  free(a), free(b), free(c), free(longer);
}

static void same_seed_same_series(void **state) {
  (void)state;
  write_par1("rep.csv", 60, 2, 0.5, 9);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  naryn_inflow_fit *f = fit_file("rep.csv", &o);
  check_reproducible(f);
  naryn_inflow_fit_free(f);
  o.boxcox = 1;
  f = fit_file("rep.csv", &o);
  check_reproducible(f);
  naryn_inflow_fit_free(f);
  o.boxcox = 0;
  o.method = NARYN_INFLOW_KIRSCH;
  f = fit_file("rep.csv", &o);
  check_reproducible(f);
  naryn_inflow_fit_free(f);
}

/* Member k of a file of several members is member k drawn alone: the
** CSV's rows of member 2 are its flows to two decimals. */
static void members_in_one_file(void **state) {
  (void)state;
  write_par1("mem.csv", 40, 2, 0.5, 11);
  naryn_inflow_fit *f = fit_file("mem.csv", NULL);
  assert_int_equal(naryn_inflow_write(f, 8, 0, 4, "2025-10", 24, "made by a test", "out.csv", NULL),
                   NARYN_OK);
  double q[48];
  assert_int_equal(naryn_inflow_generate(f, 8, 2, "2025-10", 24, q, NULL), NARYN_OK);
  char *text = tu_slurp("out.csv");
  assert_non_null(text);
  assert_true(strncmp(text, "# made by a test\nmember,date,s0,s1\n0,2025-10,", 45) == 0);
  char want[64];
  snprintf(want, sizeof want, "\n2,2026-03,%.2f,%.2f\n", q[5], q[24 + 5]);
  assert_non_null(strstr(text, want));
  free(text);
  naryn_inflow_fit_free(f);
}

/* ====================================================================== */
/* Kirsch-Nowak                                                            */
/* ====================================================================== */

/* Correlation of ln q at months t and t - 1 over the months t of
** calendar month m (start is the month index of q[0]). */
static double log_lag1(const double *q, int start, int months, int m) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (int t = 1; t < months; t++) {
    if ((start + t) % 12 != m) continue;
    double a = log(q[t]), b = log(q[t - 1]);
    sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b, n++;
  }
  return (sab - sa * sb / n) / sqrt((saa - sa * sa / n) * (sbb - sb * sb / n));
}

/* The resampling keeps the record's monthly means (within 4 standard
** errors of the synthetic mean, sd/sqrt(n), and of the record's) and the
** correlation between sites (within 0.1). Across the seams of its two
** products, December-January and June-July, it keeps the part of the
** correlation that the products share: for December-January the sum over
** July to December of the December row of the year's factor U times the
** January row of the shifted year's factor U6. The synthetic correlation
** of log flows must match that within 4 (1 - r^2)/sqrt(n), and hold at
** least half of the record's (without the shifted year it would be 0). */
static void kirsch_keeps_means_and_december_january(void **state) {
  (void)state;
  write_par1("kn.csv", 300, 2, 0.6, 123);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.method = NARYN_INFLOW_KIRSCH;
  naryn_inflow_fit *f = fit_file("kn.csv", &o);
  assert_int_equal(f->hist_years, 299); /* 1002 to 1300, whole calendar years */
  naryn_inflow_validation *v = NULL;
  assert_int_equal(naryn_inflow_validate(f, 3000, 1, &v, NULL), NARYN_OK);
  for (int m = 0; m < 12; m++) {
    double h = row_of(v, "s0", "mean_m3s", naryn__month_names[m], 0);
    double s = row_of(v, "s0", "mean_m3s", naryn__month_names[m], 1);
    double sd = row_of(v, "s0", "sd_m3s", naryn__month_names[m], 1);
    assert_near(s, h, 4 * sd / sqrt(3000.0) + 4 * sd / sqrt(299.0));
  }
  double h = row_of(v, "s0:s1", "corr", "jun", 0), s = row_of(v, "s0:s1", "corr", "jun", 1);
  assert_near(s, h, 0.1);
  naryn_inflow_validation_free(v);
  int months = 12 * 3000;
  double *q = malloc(2 * (size_t)months * sizeof *q);
  assert_int_equal(naryn_inflow_generate(f, 1, 0, "2001-01", months, q, NULL), NARYN_OK);
  const double *u = f->u, *u6 = f->u6;
  double want = 0;
  for (int j = 0; j < 6; j++) want += u[11 * 12 + 6 + j] * u6[6 * 12 + j];
  double got = log_lag1(q, 2001 * 12, months, 0);
  double rec = log_lag1(f->rec, f->rec_start, f->rec_months, 0);
  print_message("December-January correlation of log flows: record %.3f, the method's %.3f, "
                "synthetic %.3f\n", rec, want, got);
  assert_near(got, want, 4 * (1 - want * want) / sqrt(3000.0));
  assert_true(got >= 0.5 * rec);
  free(q);
  naryn_inflow_fit_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(par1_parameters_recovered),
      cmocka_unit_test(two_site_correlation_kept),
      cmocka_unit_test(statistics_by_hand),
      cmocka_unit_test(annual_statistics_by_hand),
      cmocka_unit_test(same_seed_same_series),
      cmocka_unit_test(members_in_one_file),
      cmocka_unit_test(kirsch_keeps_means_and_december_january),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
