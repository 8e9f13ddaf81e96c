/*
** test_report_policy.c: the page of an SDDP policy's folder.
**
** The policy of examples/sddp, trained for 10 iterations with its upper
** bound estimated at the 10th, is written with its page; the page must
** show the lower bound, the estimate with its interval and gap, and the
** water values of its reservoir by stage, say that the last stage has
** none, and be drawn again to the same bytes by naryn_report_write. A
** cycle of 12 monthly stages, written by hand, gets a line a month named
** by its month, and a policy of 24 stages 12 lines. A convergence.csv
** with a word for a number, cut short or without rows is refused, naming
** the file, line and column, and the page already there is left alone. A
** policy with a chain of prices gets a chart per reservoir and state.
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

#include "naryn_int.h"
#include "testutil.h"

/* Trains the policy of examples/EXAMPLE and writes it into DIR/policy. */
static void write_example_policy(const char *example, const char *dir, char *out, size_t size) {
  char path[256];
  snprintf(path, sizeof path, "examples/%s/model.yaml", example);
  naryn_model *m = tu_load_path(path);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 10;
  o.bound_every = 10;
  o.gap_pct = 0.0;
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  int rc = naryn_sddp(m, &o, &p, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  snprintf(out, size, "%s/policy", dir);
  rc = naryn_policy_write(p, out, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_policy_free(p);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static void write_policy(const char *dir, char *out, size_t size) {
  write_example_policy("sddp", dir, out, size);
}

static char *slurp(const char *dir, const char *name) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  char *s = tu_slurp(path);
  assert_non_null(s);
  return s;
}

/* The last row's upper bound, "%.2f" as the table gives it. */
static void last_upper_bound(const char *conv, char *buf, size_t size) {
  const char *last = conv, *nl;
  while ((nl = strchr(last, '\n')) && nl[1]) last = nl + 1;
  const char *c = last;
  for (int k = 0; k < 2; k++) c = strchr(c, ',') + 1;
  snprintf(buf, size, "<td>%.2f</td>", strtod(c, NULL));
}

/* The value that follows 'row' in water_values.csv. */
static double value_at(const char *wv, const char *row) {
  const char *at = strstr(wv, row);
  assert_non_null(at);
  return strtod(at + strlen(row), NULL);
}

/* A value as the page's titles give it: whole, in groups of three. */
static const char *group(double v, char *buf, size_t size) {
  long n = lround(v);
  if (n < 10000) snprintf(buf, size, "%ld", n);
  else snprintf(buf, size, "%ld,%03ld", n / 1000, n % 1000);
  return buf;
}

static void test_policy_page(void **state) {
  (void)state;
  char dir[64], pol[128], ub[64];
  tu_mkdtemp(dir);
  write_policy(dir, pol, sizeof pol);
  char *page = slurp(pol, "report.html"), *conv = slurp(pol, "convergence.csv");
  assert_non_null(strstr(page, "<h1>SDDP policy</h1>"));
  /* The bounds: the chart, the estimate's point and box, and the table. */
  assert_non_null(strstr(page, "id=\"bounds\""));
  assert_non_null(strstr(page, ">lower bound</text>"));
  assert_non_null(strstr(page, ">upper bound estimate</text>"));
  assert_non_null(strstr(page, ">95 % interval of the upper bound</text>"));
  assert_non_null(strstr(page, "id=\"bounds-estimates\""));
  last_upper_bound(conv, ub, sizeof ub);
  assert_non_null(strstr(page, ub));
  assert_non_null(strstr(page, "\nlower bound 39,304\n95 % interval of the upper bound "));
  /* The water values: a chart of Res, a line for each stage with cuts,
  ** and a note for the last stage, which has none. */
  assert_non_null(strstr(page, "id=\"wv-1\""));
  assert_non_null(strstr(page, ">stage 1, 2001-01-01</text>"));
  assert_non_null(strstr(page, ">stage 2, 2001-01-02</text>"));
  assert_null(strstr(page, ">stage 3, 2001-01-03</text>"));
  assert_non_null(strstr(page, "No values (no cuts) at stage 3 (2001-01-03)"));
  /* The first bar (empty storage) names each stage's value there, as
  ** water_values.csv gives it (which of the equally good cuts CLP's
  ** duals give is the solver's choice, so the value is read, not fixed). */
  char *wv = slurp(pol, "water_values.csv"), want[160], v1[32], v2[32];
  snprintf(want, sizeof want, "\nstage 1, 2001-01-01 %s\nstage 2, 2001-01-02 %s",
           group(value_at(wv, "\n1,2001-01-01,1,Res,0.000,"), v1, sizeof v1),
           group(value_at(wv, "\n2,2001-01-02,1,Res,0.000,"), v2, sizeof v2));
  assert_non_null(strstr(page, want));
  free(wv);
  /* Drawn again from the files alone: the same bytes. */
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_report_write(pol, d), NARYN_OK);
  char *again = slurp(pol, "report.html");
  assert_string_equal(page, again);
  free(again);
  free(page);
  free(conv);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A damaged convergence.csv: the first error names the file, line and
** column, and the page already there is left as it was. */
static void refused(const char *pol, const char *text, int line, int col, const char *what) {
  char *before = slurp(pol, "report.html"), *conv = slurp(pol, "convergence.csv");
  tu_write(pol, "convergence.csv", text);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_report_write(pol, d), NARYN_EIO);
  const naryn_diag *g = naryn_diags_get(d, 0);
  assert_non_null(g);
  assert_non_null(strstr(g->file, "convergence.csv"));
  assert_int_equal(g->line, line);
  assert_int_equal(g->col, col);
  if (!strstr(tu_first_error(d), what)) print_error("%s\n", tu_first_error(d));
  assert_non_null(strstr(tu_first_error(d), what));
  char *after = slurp(pol, "report.html");
  assert_string_equal(before, after);
  tu_write(pol, "convergence.csv", conv);
  free(before), free(after), free(conv);
  naryn_diags_free(d);
}

static void test_damaged_convergence(void **state) {
  (void)state;
  char dir[64], pol[128];
  tu_mkdtemp(dir);
  write_policy(dir, pol, sizeof pol);
  static const char head[] =
      "iteration,lower_bound,upper_bound,upper_half_width,gap_pct,seconds,cuts,currency\n";
  char text[1024];
  snprintf(text, sizeof text, "%s1,10,,,,0.1,2,units\n2,oops,,,,0.1,4,units\n", head);
  refused(pol, text, 3, 3, "column \"lower_bound\": expected a number, got \"oops\"");
  /* An estimate without its half width. */
  snprintf(text, sizeof text, "%s1,10,12,,,0.1,2,units\n", head);
  refused(pol, text, 2, 9, "column \"upper_half_width\": expected a number, got an empty cell");
  /* Cut short in the middle of a row. */
  snprintf(text, sizeof text, "%s1,10,,,,0.1,2,units\n2,11,12", head);
  refused(pol, text, 3, 8, "expected 8 fields");
  refused(pol, head, 1, 1, "expected a row for each iteration of training, got none");
  tu_rmdir(dir);
}

/* Writes a policy folder by hand: two iterations and nstage stages of
** one reservoir at three storages, stage 'empty' (from 1) without
** values, stage s in month (s - 1) % 12 + 1. */
static void hand_policy(const char *dir, int nstage, int empty) {
  tu_write(dir, "convergence.csv",
           "iteration,lower_bound,upper_bound,upper_half_width,gap_pct,seconds,cuts,currency\n"
           "1,90,,,,0.1,12,USD\n2,100,101,4,0.99,0.2,24,USD\n");
  char path[600];
  snprintf(path, sizeof path, "%s/water_values.csv", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fprintf(f, "stage,date,month,reservoir,storage_hm3,value_per_hm3,currency\n");
  for (int s = 1; s <= nstage; s++)
    for (int k = 0; k < 3; k++) {
      int mo = (s - 1) % 12 + 1;
      fprintf(f, "%d,%04d-%02d-01,%d,Lake,%d,", s, 2001 + (s - 1) / 12, mo, mo, 10 * k);
      if (s != empty) fprintf(f, "%d", 100 * s - 10 * k);
      fprintf(f, ",USD\n");
    }
  fclose(f);
}

static void test_monthly_cycle(void **state) {
  (void)state;
  char dir[64];
  tu_mkdtemp(dir);
  hand_policy(dir, 12, 5);
  naryn_diags *d = naryn_diags_new(0);
  int rc = naryn_report_write(dir, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  char *page = slurp(dir, "report.html");
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
                                       "Aug", "Sep", "Oct", "Nov", "Dec"};
  char want[64];
  for (int k = 0; k < 11; k++) {
    snprintf(want, sizeof want, ">%s</text>", months[k]);
    assert_non_null(strstr(page, want));
  }
  assert_null(strstr(page, ">May</text>"));
  assert_non_null(strstr(page, "No values (no cuts) at stage 5 (2001-05-01)"));
  assert_non_null(strstr(page, "(a line a month)"));
  assert_non_null(strstr(page, "<td>101.00</td><td>4.00</td><td>97.00</td><td>105.00</td>"
                               "<td>0.990</td>"));
  free(page);
  /* 24 stages: 12 of them, evenly spaced, the first and the last among
  ** them, named by stage and date. */
  hand_policy(dir, 24, 0);
  assert_int_equal(naryn_report_write(dir, d), NARYN_OK);
  page = slurp(dir, "report.html");
  assert_non_null(strstr(page, "The policy has 24 stages; the charts draw 12 of them"));
  assert_non_null(strstr(page, ">stage 1, 2001-01-01</text>"));
  assert_non_null(strstr(page, ">stage 24, 2002-12-01</text>"));
  assert_null(strstr(page, ">stage 2, 2001-02-01</text>"));
  assert_non_null(strstr(page, "(a line a stage)"));
  free(page);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* A policy trained with a chain of prices (examples/sddp-prices): its
** stages counted in each state, a chart per reservoir and price state,
** and the stages without values named with their state. */
static void test_price_states(void **state) {
  (void)state;
  char dir[64], pol[600];
  tu_mkdtemp(dir);
  write_example_policy("sddp-prices", dir, pol, sizeof pol);
  char *page = slurp(pol, "report.html");
  assert_non_null(strstr(page, "<dd>3, each in 2 price states</dd>"));
  assert_non_null(strstr(page, "<h3>Res, price state cheap</h3>"));
  assert_non_null(strstr(page, "<h3>Res, price state dear</h3>"));
  assert_non_null(strstr(page, "No values (no cuts) at stages 3 (2001-01-03, cheap), "
                               "3 (2001-01-03, dear)"));
  free(page);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_price_states),
      cmocka_unit_test(test_policy_page),
      cmocka_unit_test(test_damaged_convergence),
      cmocka_unit_test(test_monthly_cycle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
