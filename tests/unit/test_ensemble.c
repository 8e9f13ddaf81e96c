/*
** test_ensemble.c: ensembles on a basin small enough to work by hand.
**
** Two water years, October 2001 to September 2003, monthly. Three inflows
** read the columns of flows.csv, each a site of the members:
**   q1 feeds a demand D (country AA) of 10 m3/s, the rest to the sea;
**   q2 fills a reservoir R (100 hm3 at first) that cannot release;
**   q3, scaled by 2, runs a plant P (country BB) with a fixed head of
**   100 m and an efficiency of 1, then the sea.
** Three members:
**   1: q1 12 m3/s throughout, q2 1 m3/s, q3 5 m3/s (10 at the plant);
**   2: q1 4 m3/s in October and November 2001, else 12; q2 2; q3 4 in
**      the first water year and 5 in the second;
**   3: q1 4 m3/s in March 2002 and September 2003, else 12; q2 0; q3 4.
** D fails in 4 of the 72 steps, short by 6 m3/s each time: 6 * 86400 *
** days / 1e6 hm3, for 31, 30, 31 and 30 days. Three of the failures have
** a next step and two of those recover: resilience 2/3. R holds on 1 April
** 100 hm3 plus the inflow of 182 days (2002) and of 547 days (2003).
** The winter energy of a plant passing q m3/s for 182 days is
** 9810 * 100 * q * 182 * 86400 / 3.6e12 GWh; against the target of
** q = 9, three of the six winters fail (member 2's first, both of member
** 3's), each short by the energy of 1 m3/s.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "ensemble/ensemble_int.h"
#include "testutil.h"

static const char basin[] =
    "countries: {AA: Downstream, BB: Upstream}\n"
    "horizon: {start: 2001-10, end: 2003-09, step: monthly}\n"
    "nodes:\n"
    "  - {name: Q1, type: inflow, country: AA, inflow_m3s: {file: flows.csv, column: q1_m3s}}\n"
    "  - {name: D, type: demand, country: AA, priority: 1, demand_m3s: 10}\n"
    "  - {name: Q2, type: inflow, country: BB, inflow_m3s: {file: flows.csv, column: q2_m3s}}\n"
    "  - {name: R, type: reservoir, country: BB, min_storage_hm3: 0,\n"
    "     max_storage_hm3: 100000, initial_storage_hm3: 100}\n"
    "  - {name: Q3, type: inflow, country: BB,\n"
    "     inflow_m3s: {file: flows.csv, column: q3_m3s, scale: 2}}\n"
    "  - {name: P, type: hydropower, country: BB, head_m: 100,\n"
    "     max_turbine_flow_m3s: 1000, capacity_mw: 100000, efficiency: 1}\n"
    "  - {name: Sea, type: sink, country: AA}\n"
    "links:\n"
    "  - {from: Q1, to: D}\n"
    "  - {from: Q1, to: Sea}\n"
    "  - {from: Q2, to: R}\n"
    "  - {from: R, to: Sea, max_flow_m3s: 0}\n"
    "  - {from: Q3, to: P}\n"
    "  - {from: P, to: Sea}\n";

/* Month k (0 = October 2001) as YYYY-MM. */
static void month(int k, char *buf) {
  int mi = 2001 * 12 + 9 + k;
  sprintf(buf, "%04d-%02d", mi / 12, mi % 12 + 1);
}

static double q1_of(int member, int k) {
  if (member == 2 && k <= 1) return 4;
  if (member == 3 && (k == 5 || k == 23)) return 4;
  return 12;
}

static double q3_of(int member, int k) {
  if (member == 1) return 5;
  if (member == 2) return k < 12 ? 4 : 5;
  return 4;
}

/* Writes model.yaml, flows.csv and members.csv into the current folder. */
static void write_basin(void) {
  tu_write(".", "model.yaml", basin);
  FILE *f = fopen("flows.csv", "w"), *g = fopen("members.csv", "w");
  assert_non_null(f);
  assert_non_null(g);
  fprintf(f, "date,q1_m3s,q2_m3s,q3_m3s\n");
  fprintf(g, "member,date,q1_m3s,q2_m3s,q3_m3s\n");
  char date[16];
  for (int k = 0; k < 24; k++) {
    month(k, date);
    fprintf(f, "%s,12,1,5\n", date);
  }
  for (int m = 1; m <= 3; m++)
    for (int k = 0; k < 24; k++) {
      month(k, date);
      fprintf(g, "%d,%s,%g,%d,%g\n", m, date, q1_of(m, k), m == 1 ? 1 : m == 2 ? 2 : 0,
              q3_of(m, k));
    }
  fclose(f);
  fclose(g);
}

/* Runs the basin's ensemble with the given options. */
static naryn_ensemble *run_basin(naryn_ensemble_opts *o, naryn_members **mb) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = tu_load_path("model.yaml");
  assert_int_equal(naryn_members_read("members.csv", mb, d), NARYN_OK);
  naryn_ensemble *e = NULL;
  assert_int_equal(naryn_ensemble_new(*mb, o, &e, d), NARYN_OK);
  int rc = naryn_ensemble_run(e, m, "base", d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_model_free(m);
  naryn_diags_free(d);
  return e;
}

static void test_quantiles(void **state) {
  (void)state;
  double v[] = {4, 1, 3, 2};
  naryn__ens_sort(v, 4);
  assert_true(v[0] == 1 && v[3] == 4);
  /* h = 3p: 0.15, 1.5, 2.85. */
  assert_near(naryn__ens_quantile(v, 4, 0.05), 1.15, 1e-12);
  assert_near(naryn__ens_quantile(v, 4, 0.50), 2.5, 1e-12);
  assert_near(naryn__ens_quantile(v, 4, 0.95), 3.85, 1e-12);
  assert_near(naryn__ens_quantile(v, 4, 0), 1, 0);
  assert_near(naryn__ens_quantile(v, 4, 1), 4, 0);
  assert_near(naryn__ens_quantile(v, 1, 0.3), 1, 0);
  assert_true(isnan(naryn__ens_quantile(v, 0, 0.5)));
}

static void test_hand_worked(void **state) {
  (void)state;
  write_basin();
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  const double kappa = 9810.0 * 100 * 182 * 86400 / 3.6e12; /* GWh per m3/s a winter */
  const char *country[] = {"BB"}, *res[] = {"R"};
  double target[] = {9 * kappa}, level[] = {120};
  o.energy_country = country, o.energy_gwh = target, o.nenergy = 1;
  o.april_reservoir = res, o.april_hm3 = level, o.napril = 1;
  o.jobs = 2;
  naryn_members *mb = NULL;
  naryn_ensemble *e = run_basin(&o, &mb);
  assert_int_equal(naryn_ensemble_run_count(e), 1);
  assert_int_equal(naryn_members_count(mb), 3);
  int found = 0;
  for (int k = 0; k < naryn_ensemble_rrv_count(e, 0); k++) {
    naryn_ensemble_rrv x;
    assert_int_equal(naryn_ensemble_rrv_get(e, 0, k, &x), NARYN_OK);
    if (strcmp(x.kind, "demand") == 0 && strcmp(x.name, "D") == 0) {
      found++;
      assert_int_equal(x.periods, 72);
      assert_int_equal(x.failures, 4);
      assert_near(x.reliability, 68.0 / 72.0, 1e-12);
      assert_near(x.resilience, 2.0 / 3.0, 1e-12);
      assert_near(x.vulnerability, 6 * 86400 * (31 + 30 + 31 + 30) / 4.0 / 1e6, 1e-9);
    }
    if (strcmp(x.kind, "energy") == 0) {
      found++;
      assert_string_equal(x.name, "BB");
      assert_int_equal(x.periods, 6);
      assert_int_equal(x.failures, 3);
      assert_near(x.reliability, 0.5, 1e-12);
      assert_near(x.resilience, 0.5, 1e-12);
      assert_near(x.vulnerability, kappa, 1e-9 * kappa);
    }
  }
  assert_int_equal(found, 2);
  const char *name;
  double lv, p;
  assert_int_equal(naryn_ensemble_april_count(e, 0), 1);
  assert_int_equal(naryn_ensemble_april_get(e, 0, 0, &name, &lv, &p), NARYN_OK);
  assert_string_equal(name, "R");
  /* 1 April storages 115.7248, 147.2608; 131.4496, 194.5216; 100, 100. */
  assert_near(p, 0.5, 1e-12);
  const ens_april *a = &e->runs[0].april[0];
  assert_int_equal(a->member_years, 6);
  assert_int_equal(a->members_below, 2);
  assert_near(a->p50, (115.7248 + 131.4496) / 2, 1e-9);
  assert_near(a->p5, 100, 1e-9);
  /* AA's yearly shortage, the whole year: 0, 0 (member 1), 31.6224, 0
  ** (member 2), 16.0704, 15.552 (member 3); mean 63.2448 / 6. */
  naryn_ensemble_stat st;
  assert_int_equal(naryn_ensemble_yearly(e, 0, "AA", NARYN_SEASON_ALL, "shortage_hm3", &st),
                   NARYN_OK);
  assert_int_equal(st.n, 6);
  assert_near(st.mean, 63.2448 / 6, 1e-9);
  /* Sorted 0, 0, 0, 15.552, 16.0704, 31.6224: the median is 7.776. */
  assert_near(st.p50, 7.776, 1e-9);
  assert_near(st.p95, 16.0704 + 0.75 * (31.6224 - 16.0704), 1e-9);
  assert_int_equal(naryn_ensemble_yearly(e, 0, "AA", NARYN_SEASON_OCT_MAR, "shortage_hm3",
                                         &st), NARYN_OK);
  assert_near(st.mean, (31.6224 + 16.0704) / 6, 1e-9);
  assert_int_equal(naryn_ensemble_yearly(e, 0, "XX", NARYN_SEASON_ALL, "shortage_hm3", &st),
                   NARYN_EARG);
  assert_int_equal(naryn_ensemble_yearly(e, 0, NULL, NARYN_SEASON_ALL, "rain", &st),
                   NARYN_EARG);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
}

/* The first member is the model's own series: its yearly figures add up
** to the simulation's summary. */
static void test_member_is_the_series(void **state) {
  (void)state;
  write_basin();
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  naryn_members *mb = NULL;
  naryn_ensemble *e = run_basin(&o, &mb);
  naryn_model *m = tu_load_path("model.yaml");
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  naryn_summary sum;
  naryn_result_summary(r, NULL, NARYN_SEASON_ALL, &sum);
  const ens_run *run = &e->runs[0];
  const ens_layout *L = &run->L;
  double energy = 0, sink = 0;
  for (int y = 0; y < L->nyears; y++) {
    energy += YEARLY(L, run->yearly, y, L->ngroups - 1, NARYN_SEASON_ALL, EQ_ENERGY);
    sink += YEARLY(L, run->yearly, y, L->ngroups - 1, NARYN_SEASON_ALL, EQ_SINK);
  }
  assert_near(energy, sum.energy_gwh, 1e-9 * sum.energy_gwh);
  assert_near(sink, sum.sink_inflow_hm3, 1e-9 * sum.sink_inflow_hm3);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
}

/* Writes the basin's ensemble with 'jobs' threads into dir. */
static void write_with(int jobs, const char *dir) {
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  o.jobs = jobs;
  naryn_members *mb = NULL;
  naryn_ensemble *e = run_basin(&o, &mb);
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_ensemble_write(e, dir, d), NARYN_OK);
  naryn_diags_free(d);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
}

static void test_same_bytes_any_jobs(void **state) {
  (void)state;
  write_basin();
  write_with(1, "one");
  write_with(3, "three");
  static const char *const files[] = {"ensemble.csv", "members.csv", "stats.csv",
                                      "reliability.csv", "april.csv", "exceedance.csv",
                                      "histogram.csv", "storage.csv", "report.html"};
  for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
    char a[64], b[64];
    snprintf(a, sizeof a, "one/%s", files[k]);
    snprintf(b, sizeof b, "three/%s", files[k]);
    char *x = tu_slurp(a), *y = tu_slurp(b);
    assert_non_null(x);
    assert_non_null(y);
    assert_string_equal(x, y);
    free(x), free(y);
  }
}

/* The first error of reading members text. */
static const char *members_error(const char *text) {
  tu_write(".", "bad.csv", text);
  naryn_diags *d = naryn_diags_new(0);
  naryn_members *mb = NULL;
  static char line[1024];
  assert_int_not_equal(naryn_members_read("bad.csv", &mb, d), NARYN_OK);
  assert_null(mb);
  snprintf(line, sizeof line, "%s", tu_first_error(d));
  naryn_diags_free(d);
  return line;
}

static void test_members_errors(void **state) {
  (void)state;
  assert_string_equal(members_error("member,date,q\n"),
                      "bad.csv:1:1: error: header: expected rows of members after the "
                      "header, got none");
  assert_string_equal(members_error("member,date,q\n1,2001-01,1\n1,2001-03,1\n"),
                      "bad.csv:3:3: error: column \"date\": expected member 1's month after "
                      "2001-01 to be 2001-02, got 2001-03");
  assert_string_equal(members_error("member,date,q\n1,2001-01,1\n1,2001-02,1\n"
                                    "2,2001-01,1\n3,2001-01,1\n"),
                      "bad.csv:4:3: error: column \"date\": expected member 2 to run to "
                      "2001-02 as member 1 does, got its last month 2001-01");
  assert_string_equal(members_error("member,date,q\n2,2001-01,1\n1,2001-01,1\n"),
                      "bad.csv:3:1: error: column \"member\": expected the members in "
                      "increasing order, each member's rows together, got member 1 after "
                      "member 2");
  assert_string_equal(members_error("member,date,q\n1,2001-01,-3\n"),
                      "bad.csv:2:11: error: column \"q\": expected a flow from 0 to 1e+06 m3/s "
                      "(five times the Amazon's mean flow), got -3");
  assert_string_equal(members_error("member,date,q\n1,2001-01,x\n"),
                      "bad.csv:2:11: error: column \"q\": expected a flow in m3/s, got \"x\"");
  assert_string_equal(members_error("member,when,q\n"),
                      "bad.csv:1:1: error: header: expected a column \"date\" in a members "
                      "file (member, date and a column of flows per site), got columns "
                      "member, when, q");
  assert_string_equal(members_error("member,date,q\nx,2001-01,1\n"),
                      "bad.csv:2:1: error: column \"member\": expected a member number (a "
                      "whole number from 0 to 999999999), got \"x\"");
  assert_string_equal(members_error("member,date,q\n1,2001-01-15,1\n"),
                      "bad.csv:2:3: error: column \"date\": expected a month as YYYY-MM (or "
                      "its first or last day), got \"2001-01-15\"");
}

/* A members file changed between its reading and the runs: the member
** that no longer reads is reported as such, naming it, on whichever
** thread read it, and the run fails. */
static void test_file_changed(void **state) {
  (void)state;
  write_basin();
  char *text = tu_slurp("members.csv");
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = tu_load_path("model.yaml");
  naryn_members *mb = NULL;
  naryn_ensemble *e = NULL;
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  o.jobs = 1;
  assert_int_equal(naryn_members_read("members.csv", &mb, d), NARYN_OK);
  /* Member 3's first row gets a field too many; the rest is as it was. */
  char *third = strstr(text, "\n3,2001-10,");
  assert_non_null(third);
  third[1] = '\0';
  FILE *f = fopen("members.csv", "w");
  fprintf(f, "%s3,2001-10,12,0,4,9\n", text);
  fclose(f);
  assert_int_equal(naryn_ensemble_new(mb, &o, &e, d), NARYN_OK);
  assert_int_not_equal(naryn_ensemble_run(e, m, "base", d), NARYN_OK);
  assert_non_null(strstr(tu_first_error(d), "members.csv:50:"));
  assert_non_null(strstr(tu_first_error(d), "member 3: "));
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_model_free(m);
  naryn_diags_free(d);
  free(text);
}

/* A site the model does not read, members short of the horizon, an option
** naming no reservoir. */
static void test_run_errors(void **state) {
  (void)state;
  write_basin();
  naryn_model *m = tu_load_path("model.yaml");
  naryn_diags *d = naryn_diags_new(0);
  naryn_members *mb = NULL;
  naryn_ensemble *e = NULL;
  tu_write(".", "extra.csv", "member,date,q1_m3s,rain_mm\n1,2001-10,1,2\n");
  assert_int_equal(naryn_members_read("extra.csv", &mb, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_new(mb, NULL, &e, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(e, m, "base", d), NARYN_EMODEL);
  assert_string_equal(tu_first_error(d), "extra.csv:1:20: error: column \"rain_mm\": expected "
                                         "a site that an inflow series of model.yaml reads "
                                         "(q1_m3s, q2_m3s, q3_m3s), got a column that none "
                                         "reads");
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_diags_clear(d);
  assert_int_equal(naryn_members_read("extra.csv", &mb, d), NARYN_OK);
  assert_int_equal(naryn_members_keep(mb, 2, d), NARYN_EARG);
  assert_int_equal(naryn_members_keep(mb, 0, d), NARYN_EARG);
  naryn_members_free(mb);
  naryn_diags_clear(d);
  tu_write(".", "short.csv", "member,date,q1_m3s,q2_m3s,q3_m3s\n1,2001-10,1,1,1\n");
  assert_int_equal(naryn_members_read("short.csv", &mb, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_new(mb, NULL, &e, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(e, m, "base", d), NARYN_EMODEL);
  assert_string_equal(tu_first_error(d), "short.csv:1: error: members: expected the months of "
                                         "the horizon of model.yaml, 2001-10 to 2003-09, got "
                                         "members of 2001-10 to 2001-10");
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_diags_clear(d);
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  const char *res[] = {"Toktogul"};
  double level[] = {1};
  o.april_reservoir = res, o.april_hm3 = level, o.napril = 1;
  assert_int_equal(naryn_members_read("members.csv", &mb, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_new(mb, &o, &e, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(e, m, "base", d), NARYN_EARG);
  assert_string_equal(tu_first_error(d), "error: --april-below: expected a reservoir of "
                                         "model.yaml, got \"Toktogul\"");
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Members drawn from a fit as they are simulated are the members the
** fit's generator gives: the same yearly figures, bit for bit, as a
** members file holding the same flows to the last digit. */
static void test_members_drawn_from_a_fit(void **state) {
  (void)state;
  write_basin();
  /* A record of 40 water years at the three sites, from a fixed sequence. */
  FILE *f = fopen("record.csv", "w");
  assert_non_null(f);
  fprintf(f, "date,q1_m3s,q2_m3s,q3_m3s\n");
  unsigned long x = 12345;
  for (int k = 0; k < 480; k++) {
    int mi = 1960 * 12 + 9 + k;
    double v[3];
    for (int j = 0; j < 3; j++) {
      x = (1103515245UL * x + 12345UL) % 2147483648UL;
      v[j] = (10 + 5 * j) * (0.6 + 0.8 * (double)x / 2147483648.0) *
             (1 + 0.5 * sin(2 * 3.14159265358979 * (mi % 12) / 12.0));
    }
    fprintf(f, "%04d-%02d,%.3f,%.3f,%.3f\n", mi / 12, mi % 12 + 1, v[0], v[1], v[2]);
  }
  fclose(f);
  naryn_diags *d = naryn_diags_new(0);
  naryn_inflow_fit *fit = NULL;
  int rc = naryn_inflow_fit_record("record.csv", NULL, &fit, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_members *drawn = NULL;
  assert_int_equal(naryn_members_generate(fit, 42, 3, "2001-10", 24, "fit, seed 42", &drawn, d),
                   NARYN_OK);
  assert_int_equal(naryn_members_count(drawn), 3);
  assert_int_equal(naryn_members_id(drawn, 2), 2);
  assert_string_equal(naryn_members_site(drawn, 1), "q2_m3s");
  /* The same flows written out to the last digit. */
  f = fopen("drawn.csv", "w");
  assert_non_null(f);
  fprintf(f, "member,date,q1_m3s,q2_m3s,q3_m3s\n");
  double flows[3 * 24];
  for (int m = 0; m < 3; m++) {
    assert_int_equal(naryn_members_get(drawn, m, flows, d), NARYN_OK);
    for (int t = 0; t < 24; t++) {
      char date[16];
      month(t, date);
      fprintf(f, "%d,%s,%.17g,%.17g,%.17g\n", m, date, flows[t], flows[24 + t], flows[48 + t]);
    }
  }
  fclose(f);
  naryn_model *model = tu_load_path("model.yaml");
  naryn_members *file = NULL;
  assert_int_equal(naryn_members_read("drawn.csv", &file, d), NARYN_OK);
  naryn_ensemble *a = NULL, *b = NULL;
  assert_int_equal(naryn_ensemble_new(drawn, NULL, &a, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_new(file, NULL, &b, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(a, model, "base", d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(b, model, "base", d), NARYN_OK);
  const ens_run *ra = &a->runs[0], *rb = &b->runs[0];
  assert_int_equal(ra->ylen, rb->ylen);
  assert_memory_equal(ra->yearly, rb->yearly, 3 * ra->ylen * sizeof *ra->yearly);
  naryn_ensemble_free(a);
  naryn_ensemble_free(b);
  naryn_members_free(file);
  /* A fit whose sites the model does not all read. */
  naryn_members_free(drawn);
  naryn_inflow_fit_opts o;
  naryn_inflow_fit_opts_init(&o);
  o.sites = "q1_m3s,snow_m3s=q2_m3s";
  naryn_inflow_fit_free(fit);
  assert_int_equal(naryn_inflow_fit_record("record.csv", &o, &fit, d), NARYN_OK);
  assert_int_equal(naryn_members_generate(fit, 42, 2, "2001-10", 24, NULL, &drawn, d),
                   NARYN_OK);
  assert_int_equal(naryn_ensemble_new(drawn, NULL, &a, d), NARYN_OK);
  assert_int_equal(naryn_ensemble_run(a, model, "base", d), NARYN_EMODEL);
  assert_string_equal(tu_first_error(d), "error: site \"snow_m3s\": expected a site that an "
                                         "inflow series of model.yaml reads (q1_m3s, q2_m3s, "
                                         "q3_m3s), got a column that none reads");
  naryn_ensemble_free(a);
  naryn_members_free(drawn);
  assert_int_equal(naryn_members_generate(fit, 42, 0, "2001-10", 24, NULL, &drawn, d),
                   NARYN_EARG);
  naryn_inflow_fit_free(fit);
  naryn_model_free(model);
  naryn_diags_free(d);
}

/* On a weekly horizon a month's flow holds on each of its days and a
** step takes the mean of its days: the week of 29 October to 4 November
** 2001 has three days of October and four of November. */
static void test_weeks_spread_months(void **state) {
  (void)state;
  write_basin();
  const char *monthly = "horizon: {start: 2001-10, end: 2003-09, step: monthly}";
  char *h = strstr(basin, monthly), text[sizeof basin + 64];
  assert_non_null(h);
  snprintf(text, sizeof text, "%.*shorizon: {start: 2001-10-01, end: 2002-09-30, step: weekly}%s",
           (int)(h - basin), basin, h + strlen(monthly));
  tu_write(".", "weekly.yaml", text);
  naryn_model *m = tu_load_path("weekly.yaml");
  naryn_diags *d = naryn_diags_new(0);
  naryn_members *mb = NULL;
  assert_int_equal(naryn_members_read("members.csv", &mb, d), NARYN_OK);
  naryn__arena *a = naryn__arena_new();
  ens_layout L;
  assert_int_equal(naryn__ens_layout(&L, m, mb, NULL, a, d), NARYN_OK);
  assert_int_equal(L.nyears, 1);
  double flows[3 * 24], over_q1[60], over_q2[60], over_q3[60];
  for (int j = 0; j < 3; j++)
    for (int t = 0; t < 24; t++) flows[j * 24 + t] = 100 * (j + 1) + t; /* month t */
  double *over[8] = {NULL};
  int q1 = naryn_model_node_index(m, "Q1"), q3 = naryn_model_node_index(m, "Q3");
  over[q1] = over_q1;
  over[naryn_model_node_index(m, "Q2")] = over_q2;
  over[q3] = over_q3;
  naryn__ens_inflows(&L, m, flows, 24, over);
  assert_near(over_q1[0], 100, 1e-12);                /* 1-7 October */
  assert_near(over_q1[4], (3 * 100 + 4 * 101) / 7.0, 1e-12); /* 29 Oct - 4 Nov */
  assert_near(over_q3[4], 2 * (3 * 300 + 4 * 301) / 7.0, 1e-12); /* scale 2 */
  assert_near(over_q1[52], 111, 1e-12);               /* 30 September 2002 */
  naryn__arena_free(a);
  naryn_members_free(mb);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_quantiles),
      cmocka_unit_test(test_hand_worked),
      cmocka_unit_test(test_member_is_the_series),
      cmocka_unit_test(test_same_bytes_any_jobs),
      cmocka_unit_test(test_members_errors),
      cmocka_unit_test(test_run_errors),
      cmocka_unit_test(test_file_changed),
      cmocka_unit_test(test_members_drawn_from_a_fit),
      cmocka_unit_test(test_weeks_spread_months),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
