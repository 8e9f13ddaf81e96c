/*
** test_inflows_files.c: the files of synthetic inflows. A fit written and
** read back draws the same flows (to the 12 digits the file keeps); a fit
** file with a field wrong is refused naming its line, column and path; a
** climate-shift file changes the draws as worked by hand (a change of the
** annual volume, a glacier part falling by half a decade, a melt moved a
** month earlier with the year's volume kept) and a file naming an unknown
** site is refused, leaving the fit as it was.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflows/inflows_int.h"
#include "testutil.h"

/* A record of 12 water years from 2001-10 at two sites, a and b, with a
** snowmelt peak in June and year-to-year variation from a fixed sequence. */
static void write_record(const char *path) {
  static const double shape[12] = {40, 38, 50, 120, 260, 330, 250, 140, 80, 60, 50, 45};
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "date,a,b\n");
  for (int t = 0; t < 144; t++) {
    int k = 2001 * 12 + 9 + t, m = k % 12, y = t / 12;
    double wet = 1 + 0.25 * sin(1.7 * y + 0.3) + 0.05 * cos(2.9 * t);
    fprintf(f, "%04d-%02d,%.6f,%.6f\n", k / 12, m + 1, shape[m] * wet,
            0.5 * shape[(m + 11) % 12] * (1 + 0.2 * sin(1.7 * y + 0.9)));
  }
  fclose(f);
}

static naryn_inflow_fit *fit(naryn_inflow_method method) {
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.method = method;
  o.max_order = 2;
  naryn_diags *d = naryn_diags_new(0);
  naryn_inflow_fit *f = NULL;
  int rc = naryn_inflow_fit_record("rec.csv", &o, &f, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return f;
}

static naryn_inflow_fit *read_fit(const char *path) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_inflow_fit *f = NULL;
  int rc = naryn_inflow_fit_read(path, &f, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return f;
}

/* Written and read back, both methods draw exactly what the fit in memory
** draws (the file keeps every number to the bit). */
static void fit_file_round_trip(void **state) {
  (void)state;
  write_record("rec.csv");
  for (int k = 0; k < 2; k++) {
    naryn_inflow_fit *f = fit(k ? NARYN_INFLOW_KIRSCH : NARYN_INFLOW_PAR);
    assert_int_equal(naryn_inflow_fit_write(f, "fit.yaml", NULL), NARYN_OK);
    naryn_inflow_fit *g = read_fit("fit.yaml");
    assert_int_equal(naryn_inflow_fit_method(g), k ? NARYN_INFLOW_KIRSCH : NARYN_INFLOW_PAR);
    assert_int_equal(naryn_inflow_fit_sites(g), 2);
    assert_string_equal(naryn_inflow_fit_site(g, 1), "b");
    assert_null(naryn_inflow_fit_site(g, 2));
    double a[2 * 240], b[2 * 240];
    assert_int_equal(naryn_inflow_generate(f, 3, 1, "2040-05", 240, a, NULL), NARYN_OK);
    assert_int_equal(naryn_inflow_generate(g, 3, 1, "2040-05", 240, b, NULL), NARYN_OK);
    assert_memory_equal(a, b, sizeof a);
    naryn_inflow_fit_free(f);
    naryn_inflow_fit_free(g);
  }
}

/* Reads fit.yaml after replacing the first 'from' in it by 'to'; returns
** the first error. */
static const char *read_changed(const char *from, const char *to) {
  char *text = tu_slurp("good.yaml");
  assert_non_null(text);
  char *at = strstr(text, from);
  assert_non_null(at);
  FILE *f = fopen("bad.yaml", "w");
  fprintf(f, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
  fclose(f);
  free(text);
  naryn_diags *d = naryn_diags_new(0);
  naryn_inflow_fit *g = NULL;
  assert_int_not_equal(naryn_inflow_fit_read("bad.yaml", &g, d), NARYN_OK);
  assert_null(g);
  static char line[1024];
  snprintf(line, sizeof line, "%s", tu_first_error(d));
  naryn_diags_free(d);
  return line;
}

static void fit_file_errors_name_the_field(void **state) {
  (void)state;
  write_record("rec.csv");
  naryn_inflow_fit *f = fit(NARYN_INFLOW_PAR);
  assert_int_equal(naryn_inflow_fit_write(f, "good.yaml", NULL), NARYN_OK);
  naryn_inflow_fit_free(f);
  /* Lines 1-2 are comments, 3-8 the header fields, 10 the first site's
  ** name; its months start on line 15. */
  assert_string_equal(read_changed("method: par", "method: arma"),
                      "bad.yaml:4:9: error: method: expected par or kirsch, got \"arma\"");
  assert_string_equal(read_changed("{month: feb, mean_m3s:", "{month: feb, mean_m4s:"),
                      "bad.yaml:16:22: error: sites[0].months[1]: expected a known field, got "
                      "unknown field \"mean_m4s\" (did you mean \"mean_m3s\"?)");
  assert_non_null(strstr(read_changed(", sd: ", ", sd: -"),
                         "error: sites[0].months[0].sd: expected a standard deviation > 0, at "
                         "most 27.631 (the span from 1e-06 to 1e+06 m3/s), got -"));
  /* Magnitudes that would draw infinite flows. */
  assert_non_null(strstr(read_changed(", sd: ", ", sd: 1e300"),
                         "sites[0].months[0].sd: expected a standard deviation > 0, at most "
                         "27.631 (the span from 1e-06 to 1e+06 m3/s), got "));
  assert_non_null(strstr(read_changed(", mean: ", ", mean: 900"),
                         "sites[0].months[0].mean: expected a mean from -13.8155 to 13.8155 (a "
                         "median flow from 1e-06 to 1e+06 m3/s), got 900"));
  assert_non_null(strstr(read_changed(", mean_m3s: ", ", mean_m3s: 2000000"),
                         "sites[0].months[0].mean_m3s: expected a flow > 0 m3/s, at most 1e+06 "
                         "(five times the Amazon's mean flow), got "));

  assert_non_null(strstr(read_changed("order: 1, phi: [", "order: 1, phi: [1, "),
                         "expected 1 coefficients (the order), got 2"));
  assert_non_null(strstr(read_changed("format: naryn-inflow-fit-1", "format: 2"),
                         "bad.yaml:3:9: error: format: expected \"naryn-inflow-fit-1\", got"));
  assert_non_null(strstr(read_changed("{month: mar,", "{month: apr,"),
                         "sites[0].months[2].month: expected mar (the months in order), got "
                         "\"apr\""));
}

/* A fit within its fields' bounds whose flows still grow past a model's
** limit as they are drawn (a January deviation of 27 in ln flow) is an
** error naming its file, site and month, not a series of infinite flows. */
static void generate_refuses_flows_past_the_limit(void **state) {
  (void)state;
  write_record("rec.csv");
  naryn_inflow_fit *f = fit(NARYN_INFLOW_PAR);
  assert_int_equal(naryn_inflow_fit_write(f, "good.yaml", NULL), NARYN_OK);
  naryn_inflow_fit_free(f);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_inflow_fit_read("good.yaml", &f, d), NARYN_OK);
  double q[2 * 240];
  assert_int_equal(naryn_inflow_generate(f, 1, 0, "2030-01", 240, q, d), NARYN_OK);
  f->site[0].sd[0] = 27.0;
  assert_int_equal(naryn_inflow_generate(f, 1, 0, "2030-01", 240, q, d), NARYN_EMODEL);
  assert_non_null(strstr(tu_first_error(d), "good.yaml: error: site \""));
  assert_non_null(strstr(tu_first_error(d), "-01: expected flows from 0 to 1e+06 m3/s"));
  assert_int_equal(naryn_inflow_write(f, 1, 0, 1, "2030-01", 240, NULL, "drawn.csv", d),
                   NARYN_EMODEL);
  assert_null(fopen("drawn.csv", "r"));
  /* A coefficient of an absurd size is refused as the file is read. */
  f->site[0].sd[0] = 0.2;
  int m = 0;
  while (m < 12 && f->site[0].order[m] < 1) m++;
  assert_true(m < 12);
  f->site[0].phi[m][0] = 1e200;
  assert_int_equal(naryn_inflow_fit_write(f, "phi.yaml", d), NARYN_OK);
  naryn_inflow_fit_free(f);
  naryn_diags_clear(d);
  assert_int_equal(naryn_inflow_fit_read("phi.yaml", &f, d), NARYN_ESYNTAX);
  assert_null(f);
  char want[96];
  snprintf(want, sizeof want, "sites[0].months[%d].phi: expected a coefficient from -10 to 10, "
           "got 1e+200", m);
  assert_non_null(strstr(tu_first_error(d), want));
  naryn_diags_free(d);
}

/* ====================================================================== */
/* Climate shifts                                                          */
/* ====================================================================== */

static void draws(const naryn_inflow_fit *f, double *q) {
  assert_int_equal(naryn_inflow_generate(f, 11, 0, "2030-01", 360, q, NULL), NARYN_OK);
}

static int apply(naryn_inflow_fit *f, const char *text, const char **err) {
  tu_write(".", "clim.yaml", text);
  naryn_diags *d = naryn_diags_new(0);
  int rc = naryn_inflow_fit_climate(f, "clim.yaml", d);
  static char line[1024];
  snprintf(line, sizeof line, "%s", tu_first_error(d));
  if (err) *err = line;
  naryn_diags_free(d);
  return rc;
}

/* annual_change_pct: -10 multiplies every flow of every site by 0.9; a
** glacier part of a's July-September flows, share 0.5 falling 50 % a
** decade, leaves 2030 (decade 0) alone and multiplies July 2040 by
** 0.5 + 0.5 * 0.5 = 0.75 and July 2050 by 0.5 + 0.5 * 0.25 = 0.625,
** b and other months unchanged. */
static void climate_annual_and_glacier(void **state) {
  (void)state;
  write_record("rec.csv");
  naryn_inflow_fit *f = fit(NARYN_INFLOW_PAR);
  static double base[720], q[720];
  draws(f, base);
  assert_int_equal(apply(f, "annual_change_pct: -10\n", NULL), NARYN_OK);
  draws(f, q);
  for (int i = 0; i < 720; i++) assert_near(q[i], 0.9 * base[i], 1e-12 * base[i]);
  naryn_inflow_fit_free(f);
  f = fit(NARYN_INFLOW_PAR);
  assert_int_equal(
      apply(f, "sites:\n  a: {glacier: {share: 0.5, decline_pct_per_decade: 50}}\n", NULL),
      NARYN_OK);
  draws(f, q);
  for (int t = 0; t < 360; t++) {
    int year = 2030 + t / 12, m = t % 12;
    double want = base[t];
    if (m >= 6 && m <= 8) want *= 0.5 + 0.5 * pow(0.5, (year - 2030) / 10.0);
    assert_near(q[t], want, 1e-12 * want);
    assert_near(q[360 + t], base[360 + t], 0);
  }
  assert_near(q[10 * 12 + 6], 0.75 * base[10 * 12 + 6], 1e-12 * base[126]);
  assert_near(q[20 * 12 + 6], 0.625 * base[20 * 12 + 6], 1e-12 * base[246]);
  naryn_inflow_fit_free(f);
}

/* A melt moved earlier by one month (365.25/12/7 weeks) gives each month
** the mean of the month after it, scaled so that the year's volume
** (days times mean flows) is that of the fit: worked from the fit's own
** monthly means M, the factor of month m is M[m+1] / M[m] times
** sum(days M) / sum(days M[m+1]). */
static void climate_melt_shift(void **state) {
  (void)state;
  write_record("rec.csv");
  naryn_inflow_fit *f = fit(NARYN_INFLOW_KIRSCH);
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const double *mean = f->site[1].mean_m3s;
  double before = 0, after = 0;
  for (int m = 0; m < 12; m++) before += days[m] * mean[m], after += days[m] * mean[(m + 1) % 12];
  char text[128];
  snprintf(text, sizeof text, "melt_shift_weeks: %.17g\n", 365.25 / 12 / 7);
  static double base[720], q[720];
  draws(f, base);
  assert_int_equal(apply(f, text, NULL), NARYN_OK);
  draws(f, q);
  for (int m = 0; m < 12; m++) {
    double factor = mean[(m + 1) % 12] / mean[m] * before / after;
    assert_near(f->site[1].factor[m], factor, 1e-9 * factor);
    assert_near(q[360 + m], factor * base[360 + m], 1e-9 * base[360 + m]);
  }
  naryn_inflow_fit_free(f);
}

/* A file naming a site the fit lacks is refused at its line and column,
** naming the sites there are, and the fit is left unchanged (the annual
** change given before the bad site is not applied). */
static void climate_unknown_site(void **state) {
  (void)state;
  write_record("rec.csv");
  naryn_inflow_fit *f = fit(NARYN_INFLOW_PAR);
  const char *err;
  assert_int_equal(apply(f, "annual_change_pct: 20\nsites:\n  a: {melt_shift_weeks: 2}\n"
                            "  naryn: {annual_change_pct: -5}\n",
                         &err),
                   NARYN_ESYNTAX);
  assert_string_equal(err, "clim.yaml:4:3: error: sites.naryn: expected a site of the fit, got "
                           "\"naryn\" (its sites: a, b)");
  for (int m = 0; m < 12; m++) assert_true(f->site[0].factor[m] == 1.0);
  assert_int_equal(apply(f, "glacier: {share: 1.5, decline_pct_per_decade: 5}\n", &err),
                   NARYN_ESYNTAX);
  assert_string_equal(err, "clim.yaml:1:18: error: glacier.share: expected a fraction from 0 "
                           "to 1, got 1.5");
  assert_int_equal(apply(f, "melt_shift_wks: 2\n", &err), NARYN_ESYNTAX);
  assert_string_equal(err, "clim.yaml:1:1: error: expected a known field, got unknown field "
                           "\"melt_shift_wks\" (did you mean \"melt_shift_weeks\"?)");
  naryn_inflow_fit_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fit_file_round_trip),
      cmocka_unit_test(fit_file_errors_name_the_field),
      cmocka_unit_test(generate_refuses_flows_past_the_limit),
      cmocka_unit_test(climate_annual_and_glacier),
      cmocka_unit_test(climate_melt_shift),
      cmocka_unit_test(climate_unknown_site),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
