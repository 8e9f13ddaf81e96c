/*
** test_chart.c: the report's charts and pages: nice scales and their tick
** labels, date axes, empty and constant series, values that are not
** finite refused with an error that says where, escaping of every string,
** the network's layout, and report.html drawn from a run's folder, again
** by naryn_report_write to the same bytes, and refused when a file is
** missing or short; the guide curves and controlling rules of a model
** with zones.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* Draws a chart into a string; returns the status. The caller frees *svg. */
static int draw(const naryn__chart *c, char **svg, naryn_diags *d) {
  size_t len;
  FILE *f = open_memstream(svg, &len);
  assert_non_null(f);
  int rc = naryn__chart_svg(f, c, d);
  fclose(f);
  return rc;
}

static int count(const char *s, const char *what) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, what)); p += strlen(what)) n++;
  return n;
}

/* Ticks are 1, 2, 2.5 or 5 times a power of ten and cover the data. */
static void nice_scales(void **state) {
  (void)state;
  naryn__scale s;
  assert_int_equal(naryn__scale_nice(0, 97, 7, &s), NARYN_OK);
  assert_near(s.lo, 0, 0);
  assert_near(s.hi, 100, 1e-12);
  assert_near(s.step, 20, 1e-12);
  assert_int_equal(s.nticks, 6);
  assert_int_equal(naryn__scale_nice(-3.2, 11.9, 7, &s), NARYN_OK);
  assert_near(s.step, 5, 1e-12); /* 2.5 would need 8 ticks */
  assert_near(s.lo, -5, 1e-12);
  assert_near(s.hi, 15, 1e-12);
  assert_int_equal(s.nticks, 5);
  assert_int_equal(naryn__scale_nice(0, 14.5, 7, &s), NARYN_OK);
  assert_near(s.step, 2.5, 1e-12);
  assert_near(s.hi, 15, 1e-12);
  /* Tiny and huge ranges. */
  assert_int_equal(naryn__scale_nice(0.0012, 0.0049, 5, &s), NARYN_OK);
  assert_near(s.step, 0.001, 1e-15);
  assert_int_equal(naryn__scale_nice(0, 19456, 7, &s), NARYN_OK);
  assert_near(s.step, 5000, 1e-9);
  assert_near(s.hi, 20000, 1e-9);
  /* Every value lies inside, whatever the range. */
  for (int k = 0; k < 200; k++) {
    double lo = -50 + k * 0.731, hi = lo + pow(10, (k % 9) - 3) * (1 + k % 7);
    assert_int_equal(naryn__scale_nice(lo, hi, 6, &s), NARYN_OK);
    assert_true(s.lo <= lo + 1e-12 && s.hi >= hi - 1e-12);
    assert_true(s.nticks >= 2 && s.nticks <= 6);
  }
  /* A constant: from zero to it, or 0 to 1 for zero itself. */
  assert_int_equal(naryn__scale_nice(5, 5, 7, &s), NARYN_OK);
  assert_near(s.lo, 0, 0);
  assert_true(s.hi >= 5);
  assert_int_equal(naryn__scale_nice(-3, -3, 7, &s), NARYN_OK);
  assert_true(s.lo <= -3 && s.hi == 0);
  assert_int_equal(naryn__scale_nice(0, 0, 7, &s), NARYN_OK);
  assert_near(s.lo, 0, 0);
  assert_near(s.hi, 1, 1e-12);
  /* Not a range. */
  assert_int_equal(naryn__scale_nice(NAN, 1, 7, &s), NARYN_EARG);
  assert_int_equal(naryn__scale_nice(0, INFINITY, 7, &s), NARYN_EARG);
  assert_int_equal(naryn__scale_nice(2, 1, 7, &s), NARYN_EARG);
}

static void tick_labels(void **state) {
  (void)state;
  naryn__scale s;
  char buf[64];
  naryn__scale_nice(0, 20000, 5, &s);
  assert_string_equal(naryn__scale_label(&s, 15000, buf, sizeof buf), "15,000");
  assert_string_equal(naryn__scale_label(&s, 5000, buf, sizeof buf), "5000");
  assert_string_equal(naryn__scale_label(&s, 1250000, buf, sizeof buf), "1,250,000");
  naryn__scale_nice(-1, 1.5, 6, &s); /* step 0.5 */
  assert_string_equal(naryn__scale_label(&s, 0.5, buf, sizeof buf), "0.5");
  assert_string_equal(naryn__scale_label(&s, -1, buf, sizeof buf), "-1.0");
  assert_string_equal(naryn__scale_label(&s, -1e-17, buf, sizeof buf), "0.0");
  naryn__scale_nice(0, 1, 5, &s); /* step 0.25 */
  assert_near(s.step, 0.25, 1e-15);
  assert_string_equal(naryn__scale_label(&s, 0.75, buf, sizeof buf), "0.75");
  assert_string_equal(naryn__scale_label(&s, -12345.5, buf, sizeof buf), "-12,345.50");
}

/* A date axis spans the data; its ticks fall on Januaries or months. */
static void date_scales(void **state) {
  (void)state;
  naryn__scale s;
  char buf[64];
  double start = 2025 * 12 + 9, end = 2055 * 12 + 9; /* Oct 2025 to Oct 2055 */
  assert_int_equal(naryn__scale_dates(start, end, 10, &s), NARYN_OK);
  assert_near(s.lo, start, 0);
  assert_near(s.hi, end, 0);
  assert_near(s.step, 60, 0);
  assert_string_equal(naryn__scale_label(&s, naryn__scale_tick(&s, 0), buf, sizeof buf), "2030");
  assert_int_equal(s.nticks, 6); /* 2030 to 2055 */
  assert_int_equal(naryn__scale_dates(2001 * 12, 2001 * 12 + 11, 12, &s), NARYN_OK);
  assert_near(s.step, 1, 0);
  assert_string_equal(naryn__scale_label(&s, naryn__scale_tick(&s, 3), buf, sizeof buf), "2001-04");
  for (int i = 0; i < s.nticks; i++) {
    double v = naryn__scale_tick(&s, i);
    assert_true(v >= s.lo && v <= s.hi);
  }
}

/* A line chart has its axes, ticks, legend and one polyline per series;
** the same data gives the same bytes. */
static void line_chart(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  double x[4] = {24012, 24013, 24014, 24015}, y[4] = {10, 30, 20, 40}, z[4] = {5, 5, 5, 5};
  naryn__series s[2] = {{"storage", x, y, 4, NARYN__LINE, NULL, NULL, NULL, 0},
                        {"minimum", x, z, 4, NARYN__DASHED, NULL, NULL, NULL, 0}};
  naryn__chart c = {"t1", "A <title>", "date", "storage, hm3", NARYN__AXIS_DATE,
                    NULL, 0, 1, s, 2, 0, 0, 0, 0, 0, 0};
  char *a, *b;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  assert_int_equal(draw(&c, &b, d), NARYN_OK);
  assert_string_equal(a, b);
  assert_int_equal(count(a, "<svg"), 1);
  assert_int_equal(count(a, "<polyline"), 2);
  assert_int_equal(count(a, "stroke-dasharray=\"6 4\""), 1);
  assert_non_null(strstr(a, ">storage, hm3</text>"));
  assert_non_null(strstr(a, ">storage</text>"));  /* the legend */
  assert_non_null(strstr(a, ">minimum</text>"));
  assert_non_null(strstr(a, ">40</text>"));        /* the top tick */
  assert_non_null(strstr(a, "A &lt;title&gt;"));
  assert_null(strstr(a, "<title>A <"));
  assert_null(strstr(a, "No data"));
  /* Values on hover: a column at each of the four months, titled with
  ** the month's day and every varying series' value there; the constant
  ** minimum has a title of its own on its line. */
  assert_int_equal(count(a, "<g class=\"hover\""), 1);
  assert_int_equal(count(a, "<rect x="), 4); /* a column a month */
  assert_non_null(strstr(a, "<title>2001-02-01, hm3\nstorage 30.0</title></rect>"));
  assert_non_null(strstr(a, "<title>2001-04-01, hm3\nstorage 40.0</title></rect>"));
  assert_non_null(strstr(a, "<title>minimum 5.00 hm3</title></polyline>"));
  free(a);
  free(b);
  /* Titles by month, where a point is a month's mean; a value of
  ** thousands has commas from 10,000 and no decimals. */
  double big[4] = {12345.6, 9876.6, 0.0123, -0.0001};
  s[0].y = big;
  c.hover_month = 1;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  assert_non_null(strstr(a, "<title>2001-01, hm3\nstorage 12,346</title>"));
  assert_non_null(strstr(a, "<title>2001-02, hm3\nstorage 9877</title>"));
  assert_non_null(strstr(a, "<title>2001-03, hm3\nstorage 0.012</title>"));
  assert_non_null(strstr(a, "<title>2001-04, hm3\nstorage 0.000</title>"));
  free(a);
  naryn_diags_free(d);
}

/* Bars on a category axis: one rect per value; labels that do not fit
** their band are turned. */
static void bar_chart(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  const char *cats[3] = {"Toktogul HPP", "Kurpsai HPP", "<b>"};
  double w[3] = {100, -20, 0}, s2[3] = {50, 60, 70};
  naryn__series s[2] = {{"winter", NULL, w, 3, NARYN__BARS, NULL, NULL, NULL, 0},
                        {"summer", NULL, s2, 3, NARYN__BARS, NULL, NULL, NULL, 0}};
  naryn__chart c = {"t2", "bars", NULL, "GWh", NARYN__AXIS_CATEGORY, cats, 3, 1, s, 2, 200, 0, 0, 0, 0, 0};
  char *a;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  /* 6 bars, 2 legend swatches and a column per category for the hover */
  assert_int_equal(count(a, "<rect x="), 6 + 2 + 3);
  assert_non_null(strstr(a, "<title>Kurpsai HPP, GWh\nwinter -20.0</title></rect>"));
  assert_non_null(strstr(a, "<title>Toktogul HPP, GWh\nwinter 100\nsummer 50.0</title></rect>"));
  assert_non_null(strstr(a, "rotate(-35)"));
  assert_non_null(strstr(a, "&lt;b&gt;"));
  assert_null(strstr(a, "<b>"));
  assert_non_null(strstr(a, ">-20</text>")); /* the axis reaches below zero */
  free(a);
  /* More values than categories is refused. */
  s[0].n = 4;
  double w4[4] = {1, 2, 3, 4};
  s[0].y = w4;
  assert_int_equal(draw(&c, &a, d), NARYN_EARG);
  free(a);
  assert_non_null(strstr(tu_first_error(d), "expected at most 3 values"));
  naryn_diags_free(d);
}

/* Empty series draw a frame that says so; a constant series still has a
** readable axis. */
static void empty_and_constant(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn__series s = {"nothing", NULL, NULL, 0, NARYN__LINE, NULL, NULL, NULL, 0};
  naryn__chart c = {"t3", "empty", "x", "y", NARYN__AXIS_NUMBER, NULL, 0, 0, &s, 1, 0, 0, 0, 0, 0, 0};
  char *a;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  assert_non_null(strstr(a, "No data"));
  assert_int_equal(count(a, "<polyline"), 0);
  free(a);
  c.nseries = 0;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  assert_non_null(strstr(a, "No data"));
  free(a);
  double x[3] = {1, 2, 3}, y[3] = {7, 7, 7};
  naryn__series k = {"flat", x, y, 3, NARYN__LINE, NULL, NULL, NULL, 0};
  c.series = &k;
  c.nseries = 1;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  assert_int_equal(count(a, "<polyline"), 1);
  assert_non_null(strstr(a, ">0</text>"));
  assert_null(strstr(a, "nan"));
  assert_null(strstr(a, "inf"));
  free(a);
  naryn_diags_free(d);
}

/* NaN and infinities are refused, naming the chart, series and point, and
** nothing is drawn. */
static void not_finite_refused(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  double x[3] = {1, 2, 3}, y[3] = {1, NAN, 3};
  naryn__series s = {"release", x, y, 3, NARYN__LINE, NULL, NULL, NULL, 0};
  naryn__chart c = {"release-5", "r", "x", "y", NARYN__AXIS_NUMBER, NULL, 0, 0, &s, 1, 0, 0, 0, 0, 0, 0};
  char *a;
  assert_int_equal(draw(&c, &a, d), NARYN_EARG);
  assert_string_equal(a, "");
  free(a);
  assert_non_null(strstr(tu_first_error(d),
                         "chart \"release-5\": series \"release\": point 2 is not a number"));
  naryn_diags_clear(d);
  y[1] = 2;
  x[2] = INFINITY;
  assert_int_equal(draw(&c, &a, d), NARYN_EARG);
  free(a);
  assert_non_null(strstr(tu_first_error(d), "point 3 is infinite"));
  naryn_diags_free(d);
}

/* A band is a polygon along its upper edge and back along its lower one,
** under the lines; its upper edge counts in the y range; an upper edge
** that is not finite is refused. */
static void band_chart(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  double x[3] = {0, 1, 2}, lo[3] = {1, 2, 1}, hi[3] = {3, 9, 3}, mid[3] = {2, 5, 2};
  naryn__series s[2] = {{"5th to 95th", x, lo, 3, NARYN__BAND, "#0072b2", NULL, hi, 0.2},
                        {"median", x, mid, 3, NARYN__LINE, NULL, NULL, NULL, 0}};
  naryn__chart c = {"fan-1", "fan", "x", "y", NARYN__AXIS_NUMBER, NULL, 0, 1, s, 2, 0, 0, 0, 0, 0, 0};
  char *a;
  assert_int_equal(draw(&c, &a, d), NARYN_OK);
  const char *poly = strstr(a, "<polygon class=\"band\" fill=\"#0072b2\" fill-opacity=\"0.20\"");
  assert_non_null(poly);
  /* Six points: three along the top, three back along the bottom. */
  const char *pts = strstr(poly, "points=\"");
  assert_non_null(pts);
  int spaces = 0;
  for (const char *q = pts + 8; *q && *q != '"'; q++) spaces += *q == ' ';
  assert_int_equal(spaces, 5);
  /* The band is drawn before the line, and the axis reaches 9. */
  assert_true(poly < strstr(a, "<polyline"));
  assert_non_null(strstr(a, ">10</text>"));
  free(a);
  hi[1] = NAN;
  assert_int_equal(draw(&c, &a, d), NARYN_EARG);
  free(a);
  assert_non_null(strstr(tu_first_error(d), "series \"5th to 95th\": point 2 is not a number"));
  naryn_diags_free(d);
}

/* The network: a tributary joins where it enters, not at the top; names
** are escaped; a cycle does not hang the layout. */
static void network_layout(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  /* 0 -> 1 -> 2 -> 3 -> 4 (the river), 5 -> 6 -> 3 (a tributary). */
  naryn__net_node n[7] = {{"Source", "inflow", "A", 1, 0},   {"Dam", "reservoir", "A", 1, 0},
                          {"Plant", "hydropower", "A", 1, 0}, {"Join", "junction", "B", 1, 1},
                          {"<Sea>", "sink", "B", 1, 1},      {"Trib", "inflow", "B", 1, 1},
                          {"Weir", "reservoir", "B", 0, 1}};
  naryn__net_link l[7] = {{0, 1, 0}, {1, 2, 0}, {2, 3, 0}, {3, 4, 0},
                          {5, 6, 0}, {6, 3, 0}, {4, 1, 1}};
  const char *countries[2] = {"A Upland", "B & Downland"};
  char *a;
  size_t len;
  FILE *f = open_memstream(&a, &len);
  assert_int_equal(naryn__network_svg(f, "net", n, 7, l, 7, countries, 2, d), NARYN_OK);
  fclose(f);
  assert_non_null(strstr(a, "&lt;Sea&gt;"));
  assert_non_null(strstr(a, "B &amp; Downland"));
  assert_null(strstr(a, "<Sea>"));
  assert_int_equal(count(a, "stroke-dasharray=\"4 3\""), 1); /* the return flow */
  assert_non_null(strstr(a, "class=\"off\">Weir")); /* disabled */
  /* The tributary's headwater sits two rows above the junction, beside
  ** the plant, not at the top: find the y of each label. */
  const char *ps = strstr(a, ">Source</text>"), *pt = strstr(a, ">Trib</text>"),
             *pd = strstr(a, ">Dam</text>");
  assert_non_null(ps);
  assert_non_null(pt);
  assert_non_null(pd);
  double ys, yt, yd;
  const char *q;
  for (q = ps; strncmp(q, " y=\"", 4) != 0; q--) {}
  ys = atof(q + 4);
  for (q = pt; strncmp(q, " y=\"", 4) != 0; q--) {}
  yt = atof(q + 4);
  for (q = pd; strncmp(q, " y=\"", 4) != 0; q--) {}
  yd = atof(q + 4);
  assert_true(yt > ys);               /* below the river's source */
  assert_near(yt, yd, 1e-9);   /* level with the dam, two above the join */
  free(a);
  /* A cycle (which a model check forbids) still ends. */
  naryn__net_link cyc[2] = {{0, 1, 0}, {1, 0, 0}};
  f = open_memstream(&a, &len);
  assert_int_equal(naryn__network_svg(f, "cyc", n, 2, cyc, 2, countries, 2, d), NARYN_OK);
  fclose(f);
  free(a);
  /* A link to a node that does not exist is refused. */
  naryn__net_link bad[1] = {{0, 9, 0}};
  f = open_memstream(&a, &len);
  assert_int_equal(naryn__network_svg(f, "bad", n, 2, bad, 1, countries, 2, d), NARYN_EARG);
  fclose(f);
  free(a);
  naryn_diags_free(d);
}

/* The report of a run: every section, drawn again to the same bytes by
** naryn_report_write from the folder alone. */
static void report_of_a_run(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(naryn_model_load("examples/single/model.json", NULL, 0, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  assert_int_equal(naryn_result_set_command(r, "naryn simulate 'a b'"), NARYN_OK);
  char dir[64], path[128];
  tu_mkdtemp(dir);
  assert_int_equal(naryn_result_write(r, dir, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", dir);
  char *first = tu_slurp(path);
  assert_non_null(first);
  static const char *const ids[] = {"id=\"summary\"", "id=\"objective\"", "id=\"network\"",
                                    "id=\"storage-2\"", "id=\"release-2\"",
                                    "id=\"generation\"", "id=\"delivery-",
                                    "id=\"sinks\"", "id=\"end\""};
  for (size_t k = 0; k < sizeof ids / sizeof *ids; k++) assert_non_null(strstr(first, ids[k]));
  assert_non_null(strstr(first, "naryn simulate &#39;a b&#39;"));
  assert_non_null(strstr(first, "Content-Security-Policy"));
  assert_null(strstr(first, "<script"));
  /* Nothing is fetched: the only address is the SVG namespace. */
  assert_int_equal(count(first, "http:"), count(first, "http://www.w3.org/2000/svg"));
  assert_int_equal(count(first, "https:"), 0);
  assert_null(strstr(first, "nan"));
  /* Drawn again from the files alone: the same bytes. */
  remove(path);
  assert_int_equal(naryn_report_write(dir, d), NARYN_OK);
  char *again = tu_slurp(path);
  assert_string_equal(first, again);
  free(again);
  /* A short nodes.csv is refused with the file and what was expected. */
  snprintf(path, sizeof path, "%s/nodes.csv", dir);
  FILE *f = fopen(path, "w");
  fputs("date,node\n2001-01-01,River\n", f);
  fclose(f);
  assert_int_equal(naryn_report_write(dir, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "nodes.csv:2:1: error: expected "));
  assert_non_null(strstr(tu_first_error(d), "the file is short or from another run"));
  naryn_diags_clear(d);
  /* Without the place and time of each row it is refused too. */
  f = fopen(path, "w");
  fputs("node,storage_hm3\nRiver,1\n", f);
  fclose(f);
  assert_int_equal(naryn_report_write(dir, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "nodes.csv:1:1: error: expected a column \"date\""));
  naryn_diags_clear(d);
  /* Without nodes.csv (a run that wrote summaries only) the page has its
  ** tables and says which charts it does not draw. */
  remove(path);
  snprintf(path, sizeof path, "%s/report.html", dir);
  assert_int_equal(naryn_report_write(dir, d), NARYN_OK);
  char *few = tu_slurp(path);
  assert_non_null(strstr(few, "id=\"summary\""));
  assert_null(strstr(few, "id=\"storage-2\""));
  assert_non_null(strstr(few, "Storage not drawn: this run wrote no per-step results"));
  free(few);
  /* A missing file still needed is named. */
  snprintf(path, sizeof path, "%s/summary.csv", dir);
  remove(path);
  assert_int_equal(naryn_report_write(dir, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "summary.csv"));
  naryn_diags_clear(d);
  /* A folder without results says what it expected. */
  char empty[64];
  tu_mkdtemp(empty);
  assert_int_equal(naryn_report_write(empty, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "expected the results of a naryn run"));
  tu_rmdir(empty);
  free(first);
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A model named "<script>alert(1)</script>" shows its name and runs
** nothing; a comparison of two runs links to both. */
static void hostile_names_and_comparison(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], path[160];
  tu_mkdtemp(dir);
  naryn_model *m;
  naryn_result *r;
  static const char evil[] =
      "name: \"<script>alert(1)</script>\"\n"
      "countries: {EV: \"<img src=x onerror=alert(2)>\"}\n"
      "horizon: {start: 2001-01, end: 2001-12, step: monthly}\n"
      "nodes:\n"
      "  - {name: \"River & <b>\", type: inflow, country: EV, inflow_m3s: 10}\n"
      "  - {name: \"Sea\\\"'\", type: sink, country: EV}\n"
      "links:\n"
      "  - {from: \"River & <b>\", to: \"Sea\\\"'\"}\n";
  assert_int_equal(tu_load_text(evil, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  char a[128];
  snprintf(a, sizeof a, "%s/one", dir);
  assert_int_equal(naryn_result_write(r, a, d), NARYN_OK);
  snprintf(a, sizeof a, "%s/two", dir);
  assert_int_equal(naryn_result_write(r, a, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/one/report.html", dir);
  char *html = tu_slurp(path);
  assert_null(strstr(html, "<script"));
  assert_null(strstr(html, "<img"));
  assert_null(strstr(html, "<b>"));
  assert_non_null(strstr(html, "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
  assert_non_null(strstr(html, "River &amp; &lt;b&gt;"));
  assert_non_null(strstr(html, "Sea&quot;&#39;"));
  assert_non_null(strstr(html, "EV &lt;img src=x onerror=alert(2)&gt;"));
  free(html);
  const char *runs[2] = {"one", "two"};
  assert_int_equal(naryn_compare_write(dir, runs, 2, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", dir);
  html = tu_slurp(path);
  assert_non_null(strstr(html, "href=\"one/report.html\""));
  assert_non_null(strstr(html, "id=\"comparison\""));
  assert_non_null(strstr(html, "id=\"compare-objective\""));
  assert_null(strstr(html, "<script"));
  free(html);
  /* A run name that would leave the folder is refused. */
  const char *bad[1] = {"../x"};
  assert_int_equal(naryn_compare_write(dir, bad, 1, d), NARYN_EARG);
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* The points of the first line drawn in the figure with this id. */
static int line_points(const char *html, const char *id) {
  char key[64];
  snprintf(key, sizeof key, "<figure class=\"chart\" id=\"%s\"", id);
  const char *fig = strstr(html, key);
  assert_non_null(fig);
  const char *pts = strstr(fig, "points=\"");
  assert_non_null(pts);
  int n = 1;
  for (pts += 8; *pts != '"'; pts++) n += *pts == ' ';
  return n;
}

/* Writes the results and the report of a small daily run from START to
** END into DIR/NAME, and returns the page. */
static char *daily_report(const char *dir, const char *name, const char *start,
                          const char *end, naryn_diags *d) {
  char model[1024], out[128], path[160];
  snprintf(model, sizeof model,
           "name: daily\n"
           "horizon: {start: %s, end: %s, step: daily}\n"
           "nodes:\n"
           "  - {name: catchment, type: inflow, inflow_m3s: [12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11]}\n"
           "  - {name: lake, type: reservoir, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
           "  - {name: town, type: demand, demand_m3s: 7, priority: 1}\n"
           "  - {name: outfall, type: sink}\n"
           "links:\n"
           "  - {from: catchment, to: lake}\n"
           "  - {from: lake, to: town}\n"
           "  - {from: lake, to: outfall}\n",
           start, end);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(tu_load_text(model, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  snprintf(out, sizeof out, "%s/%s", dir, name);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *html = tu_slurp(path);
  assert_non_null(html);
  return html;
}

/* A daily run of more than 1,500 steps is drawn by calendar month, and
** says so; one of up to 1,500 steps is drawn per step, and a comparison
** of the two draws both. */
static void long_daily_runs_drawn_by_month(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  char dir[64], path[192];
  tu_mkdtemp(dir);
  /* 2001 to 2005: 1,826 days in 60 months. */
  char *html = daily_report(dir, "long", "2001-01-01", "2005-12-31", d);
  assert_non_null(strstr(html, "This daily run has 1826 steps, more than a chart can show "
                               "(1500): the charts over time are drawn by calendar month, "
                               "60 points"));
  assert_non_null(strstr(html, "lake: storage at the end of each month"));
  assert_non_null(strstr(html, "(mean over each month, m3/s)"));
  assert_int_equal(line_points(html, "storage-2"), 60);
  assert_int_equal(line_points(html, "sinks"), 60);
  assert_null(strstr(html, "nan"));
  /* The months follow run.csv's start: a nodes.csv of other dates is
  ** refused. */
  snprintf(path, sizeof path, "%s/long/run.csv", dir);
  char *run = tu_slurp(path);
  char *start = strstr(run, "start,2001-01-01");
  assert_non_null(start);
  memcpy(start, "start,2001-01-02", 16);
  FILE *f = fopen(path, "w");
  fputs(run, f);
  fclose(f);
  snprintf(path, sizeof path, "%s/long", dir);
  assert_int_equal(naryn_report_write(path, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "nodes.csv:2:1: error: column \"date\": expected "
                                            "a date YYYY-MM-DD, the date of step 1 from "
                                            "run.csv's start, 2001-01-02"));
  naryn_diags_clear(d);
  memcpy(start, "start,2001-01-01", 16);
  snprintf(path, sizeof path, "%s/long/run.csv", dir);
  f = fopen(path, "w");
  fputs(run, f);
  fclose(f);
  free(run);
  /* 2001 to 2004: 1,461 days, each drawn. */
  char *shorter = daily_report(dir, "short", "2001-01-01", "2004-12-31", d);
  assert_null(strstr(shorter, "by-month"));
  assert_non_null(strstr(shorter, "lake: storage at the end of each step"));
  assert_int_equal(line_points(shorter, "storage-2"), 1461);
  assert_int_equal(line_points(shorter, "sinks"), 1461);
  /* A comparison of the two draws each run as its own page does, the
  ** long one by month, and says so under the storage chart. */
  const char *runs[2] = {"long", "short"};
  assert_int_equal(naryn_compare_write(dir, runs, 2, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", dir);
  char *both = tu_slurp(path);
  assert_int_equal(line_points(both, "compare-storage-1"), 60);
  assert_int_equal(line_points(both, "compare-storage-2"), 1461);
  assert_non_null(strstr(both, "(end of each step, or of each month for a long daily run, hm3; "
                               "every run on the same scale)"));
  free(both);
  free(shorter);
  free(html);
  tu_rmdir(dir);
  naryn_diags_free(d);
}


/* A reservoir whose storage falls into its buffer zone on the seventh day
** (test_rules_sim.c works it by hand): up to then no rule holds its
** release, from then the buffer's rule "cut" does. */
static const char zone_switch[] =
    "name: zone-switch\n"
    "horizon: {start: 2001-01-01, end: 2001-01-12, step: daily}\n"
    "nodes:\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    rules:\n"
    "      - {name: roomy, type: max_release, release_m3s: 100, priority: 9}\n"
    "      - {name: cut, type: max_release, release_m3s: 5, priority: 2}\n"
    "    zones:\n"
    "      - {name: normal, rules: [roomy]}\n"
    "      - {name: buffer, top_hm3: 45, rules: [cut]}\n"
    "  - {name: D, type: demand, demand_m3s: 10, priority: 5}\n"
    "links:\n"
    "  - {from: R, to: D}\n";

/* Rewrites DIR/NAME with text. */
static void rewrite(const char *dir, const char *name, const char *text) {
  char path[192];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

/* A run of a model with zones writes its guide curves into zones.csv; the
** storage chart draws them, and a table counts the steps each rule
** controlled; a run that did not write the rule column says so; a
** zones.csv that is not as naryn writes it is refused with its place. */
static void operating_rules_drawn(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  assert_int_equal(tu_load_text(zone_switch, &m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  char dir[64], out[128], path[192];
  tu_mkdtemp(dir);
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/zones.csv", out);
  char *zones = tu_slurp(path);
  assert_non_null(zones);
  assert_int_equal(count(zones, "\n"), 13);
  assert_non_null(strstr(zones, "date,reservoir,zone,top_hm3\n2001-01-01,R,buffer,45.000000\n"));
  assert_non_null(strstr(zones, "\n2001-01-12,R,buffer,45.000000\n"));
  snprintf(path, sizeof path, "%s/report.html", out);
  char *html = tu_slurp(path);
  assert_non_null(html);
  const char *fig = strstr(html, "<figure class=\"chart\" id=\"storage-1\"");
  assert_non_null(fig);
  assert_non_null(strstr(fig, "the guide curves are the top of each zone at the start of "
                              "each step)"));
  assert_non_null(strstr(fig, ">top of buffer</text>"));
  assert_non_null(strstr(html, "<a href=\"#s-rules\">Controlling rules</a>"));
  assert_non_null(strstr(html, "<table class=\"data\" id=\"rules-1\">\n<thead><tr><th "
                               "class=\"l\">water year</th><th>allocation</th><th>cut</th>"
                               "</tr></thead>\n<tbody>\n<tr><td class=\"l\">2000–01</td>"
                               "<td>6</td><td>6</td></tr>\n<tr class=\"total\"><td "
                               "class=\"l\">all years</td><td>6</td><td>6</td></tr>\n"));
  /* Drawn again from the folder: the same bytes. */
  remove(path);
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  char *again = tu_slurp(path);
  assert_string_equal(html, again);
  free(again);
  /* A guide curve that is not a number, a short file and a curve of a
  ** node that is no reservoir are refused. */
  char *bad = strdup(zones);
  memcpy(strstr(bad, "45.000000\n2001-01-02") , "4x", 2);
  rewrite(out, "zones.csv", bad);
  assert_int_equal(naryn_report_write(out, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "zones.csv:2:21: error: column \"top_hm3\": "
                                            "expected a number, got \"4x.000000\""));
  naryn_diags_clear(d);
  *strstr(bad, "2001-01-12") = '\0';
  rewrite(out, "zones.csv", bad);
  assert_int_equal(naryn_report_write(out, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "zones.csv:12:1: error: expected 12 rows (12 steps "
                                            "of 1 guide curves), got 11: the file is short"));
  naryn_diags_clear(d);
  rewrite(out, "zones.csv", "date,reservoir,zone,top_hm3\n2001-01-01,D,buffer,45\n");
  assert_int_equal(naryn_report_write(out, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "zones.csv:2:12: error: column \"reservoir\": "
                                            "expected a node of network.csv, a reservoir, "
                                            "got \"D\""));
  naryn_diags_clear(d);
  free(bad);
  /* Without the rule column the rules are not drawn, and the page says
  ** why; the guide curves still are. */
  naryn_output o;
  naryn_output_init(&o);
  o.control = 0;
  snprintf(out, sizeof out, "%s/no-rule", dir);
  assert_int_equal(naryn_result_write_with(r, &o, out, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *few = tu_slurp(path);
  assert_non_null(strstr(few, "Controlling rules not drawn: this run did not write rule per "
                              "step (nodes.csv has no such column)."));
  assert_null(strstr(few, "id=\"rules-1\""));
  assert_non_null(strstr(few, ">top of buffer</text>"));
  free(few);
  /* A run of a model without zones has no zones.csv and no such section. */
  char *plain = daily_report(dir, "plain", "2001-01-01", "2001-03-31", d);
  assert_null(strstr(plain, "s-rules"));
  assert_null(strstr(plain, "top of"));
  snprintf(path, sizeof path, "%s/plain/zones.csv", dir);
  assert_int_equal(access(path, F_OK), -1);
  free(plain);
  free(html);
  free(zones);
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nice_scales),
      cmocka_unit_test(tick_labels),
      cmocka_unit_test(date_scales),
      cmocka_unit_test(line_chart),
      cmocka_unit_test(bar_chart),
      cmocka_unit_test(empty_and_constant),
      cmocka_unit_test(not_finite_refused),
      cmocka_unit_test(band_chart),
      cmocka_unit_test(network_layout),
      cmocka_unit_test(report_of_a_run),
      cmocka_unit_test(hostile_names_and_comparison),
      cmocka_unit_test(long_daily_runs_drawn_by_month),
      cmocka_unit_test(operating_rules_drawn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
