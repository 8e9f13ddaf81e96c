/*
** test_report_short.c: the report of a run shorter than a year, which
** gives its totals over the horizon rather than yearly means, and the
** charts a run's page draws beside its means (a minimum flow's
** requirement on the chart of its sink, duration curves), against
** figures worked by hand.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "naryn.h"
#include "testutil.h"

/* Twelve days of January: 12 m3/s into the lake (1.0368 hm3 a day), 7
** m3/s to the town (0.6048 hm3 a day) and 2 m3/s past the river's
** minimum flow to the outfall (0.1728 hm3 a day); the lake gains 0.2592
** hm3 a day, from 17.28 hm3 to 20.3904 hm3 at the end of the twelfth
** day. */
static const char short_model[] =
    "name: short\n"
    "horizon: {start: 2001-01-01, end: 2001-01-12, step: daily}\n"
    "nodes:\n"
    "  - {name: catchment, type: inflow, inflow_m3s: [12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11]}\n"
    "  - {name: lake, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: town, type: demand, kind: municipal, demand_m3s: 7, priority: 1}\n"
    "  - {name: river, type: min_flow, min_flow_m3s: 2, priority: 2}\n"
    "  - {name: outfall, type: sink}\n"
    "links:\n"
    "  - {from: catchment, to: lake}\n"
    "  - {from: lake, to: town}\n"
    "  - {from: lake, to: river}\n"
    "  - {from: river, to: outfall}\n";

/* The text of figure ID in html, as a new string. */
static char *figure(const char *html, const char *id) {
  char open[96];
  snprintf(open, sizeof open, "<figure class=\"chart\" id=\"%s\">", id);
  const char *at = strstr(html, open);
  assert_non_null(at);
  const char *end = strstr(at, "</figure>");
  assert_non_null(end);
  return strndup(at, (size_t)(end - at));
}

static void short_run_reported_as_totals(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], out[128], path[160];
  tu_mkdtemp(dir);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(tu_load_text(short_model, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *html = tu_slurp(path);
  assert_non_null(html);

  /* Totals over the 12 days (12 / 365 = 0.0329 years), not yearly means:
  ** the town got 12 x 0.6048 = 7.2576 hm3 and the outfall 12 x 0.1728 =
  ** 2.0736 hm3, not 220.8 and 63.1 hm3 "a year". */
  assert_non_null(strstr(html, "<h2 id=\"s-summary\">Totals by country and season</h2>"));
  assert_non_null(strstr(html, "The horizon is shorter than a year (0.0329 years): the "
                               "figures are its totals, not extrapolated to a year."));
  assert_non_null(strstr(html, "<tr class=\"total\"><td class=\"l\"></td><td class=\"l\">"
                               "whole horizon</td><td>0</td><td>0.0</td><td>0.0</td>"
                               "<td>7.3</td><td>0.0</td><td>0.0</td><td>0.0</td><td>2.1</td>"
                               "<td>0.0</td></tr>"));
  assert_non_null(strstr(html, "Each term's total over the horizon"));
  assert_non_null(strstr(html, "Figures are totals over the horizon, which is shorter than "
                               "a year"));
  assert_null(strstr(html, "Yearly means"));
  assert_null(strstr(html, "hm3 a year"));
  assert_null(strstr(html, "nan"));
  /* One year of each month: no band of the years' range. */
  assert_null(strstr(html, "lowest to highest"));
  assert_non_null(strstr(html, "(mean over the horizon, hm3 a month)"));

  /* The minimum flow runs straight into the outfall: its requirement,
  ** 2 m3/s, is dashed on the sinks' chart, where the flow is 2 m3/s. */
  assert_non_null(strstr(html, "river: its requirement is drawn, dashed, on the chart of "
                               "the flow into outfall"));
  assert_null(strstr(html, "id=\"minflow-4\""));
  char *sinks = figure(html, "sinks");
  assert_non_null(strstr(sinks, "<title>outfall 2.00 m3/s</title>"));
  assert_non_null(strstr(sinks, "<title>river: required 2.00 m3/s</title>"));
  free(sinks);

  /* Duration curves: the lake's storage runs from 20.3904 / 25.92 =
  ** 78.67 % (reached on no day but the last: 0 %) down to 17.5392 /
  ** 25.92 = 67.67 % (at 100 %); at 50 %, halfway between the sixth and
  ** seventh highest days, (17.28 + 6.5 x 0.2592) / 25.92 = 73.17 %. Its
  ** release is 9 m3/s every day, and nobody is short. */
  char *storage = figure(html, "duration-storage");
  assert_non_null(strstr(storage, "<title>0.000, % of maximum\nlake 78.7</title>"));
  assert_non_null(strstr(storage, "<title>50.0, % of maximum\nlake 73.2</title>"));
  assert_non_null(strstr(storage, "<title>100, % of maximum\nlake 67.7</title>"));
  free(storage);
  char *release = figure(html, "duration-release");
  assert_non_null(strstr(release, "<title>lake 9.00 m3/s</title>"));
  free(release);
  char *short_of = figure(html, "duration-shortage");
  assert_non_null(strstr(short_of, "<title>no country 0.000 hm3 a day</title>"));
  free(short_of);

  /* Drawn again from the folder alone: the same bytes. */
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  char *again = tu_slurp(path);
  assert_string_equal(html, again);
  free(again);
  free(html);
  assert_int_equal(naryn_diags_count(d), 0);
  tu_rmdir(dir);
  naryn_diags_free(d);
}

/* A term's confidence and source: read with the model, carried into
** objective.csv (the source quoted, as it holds a comma) and named on the
** page, where a term without a confidence counts as an estimate. */
static void prices_confidence_carried(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], out[128], path[160];
  tu_mkdtemp(dir);
  char model[2048];
  snprintf(model, sizeof model, "%s%s", short_model,
           "objectives:\n"
           "  - {name: town, kind: shortage, penalty_per_hm3: 1000, confidence: medium,\n"
           "     source: \"the water board's tariff, 2020\"}\n"
           "  - {name: river, kind: min_flow, penalty_per_hm3: 500}\n");
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(tu_load_text(model, &m, d), NARYN_OK);
  assert_string_equal(naryn_model_term_confidence(m, 0), "medium");
  assert_string_equal(naryn_model_term_source(m, 0), "the water board's tariff, 2020");
  assert_string_equal(naryn_model_term_confidence(m, 1), "");
  assert_string_equal(naryn_model_term_source(m, 1), "");
  assert_null(naryn_model_term_confidence(m, 2));
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(path, sizeof path, "%s/objective.csv", out);
  char *csv = tu_slurp(path);
  assert_non_null(strstr(csv, "term,kind,weight,country,value,value_per_year,currency,"
                              "confidence,source\n"));
  assert_non_null(strstr(csv, "town,shortage,1,all,0.00,0.00,units,medium,"
                              "\"the water board's tariff, 2020\"\n"));
  assert_non_null(strstr(csv, "river,min_flow,1,all,0.00,0.00,units,,\n"));
  assert_non_null(strstr(csv, "combined,weighted benefits less costs,,all,0.00,0.00,units,,\n"));
  free(csv);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *html = tu_slurp(path);
  assert_non_null(strstr(html, "<td class=\"l\" title=\"the water board&#39;s tariff, "
                               "2020\">medium</td>"));
  assert_non_null(strstr(html, "<td class=\"l\">not given (estimate)</td>"));
  assert_non_null(strstr(html, "The prices of the term river are estimates (confidence low, "
                               "or not given in the model file)."));
  free(html);
  assert_int_equal(naryn_diags_count(d), 0);
  tu_rmdir(dir);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(short_run_reported_as_totals),
      cmocka_unit_test(prices_confidence_carried),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
