/*
** test_report_grids.c: the section "Grids" of a run's page and the grids
** of a comparison: the figures of examples/grids (worked by hand in its
** README) in the table, the charts' hovers and the line's flows; the
** built-in model's Kyrgyz grid, whose yearly figures in the table must be
** grids.csv's sums over the years; no section for a model without grids
** or a run that did not dispatch them; a grids.csv cut short refused; and
** bars stacked in one column, the chart the energy balance is drawn with.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* The text of figure ID in html, as a new string. */
static char *figure(const char *html, const char *id) {
  char open[96];
  snprintf(open, sizeof open, "<figure class=\"chart\" id=\"%s\">", id);
  const char *at = strstr(html, open);
  if (!at) print_error("no figure %s\n", id);
  assert_non_null(at);
  const char *end = strstr(at, "</figure>");
  assert_non_null(end);
  return strndup(at, (size_t)(end - at));
}

/* Simulates the model at path (grids dispatched or not) into dir/name. */
static void run_into(const char *path, int grids, const char *dir, const char *name) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = tu_load_path(path);
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.grids = grids;
  naryn_result *r;
  assert_int_equal(naryn_simulate(m, &o, &r, d), NARYN_OK);
  char out[256];
  snprintf(out, sizeof out, "%s/%s", dir, name);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

static char *page(const char *dir, const char *name) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s/report.html", dir, name);
  char *html = tu_slurp(path);
  assert_non_null(html);
  return html;
}

/* examples/grids over three days: drawn per step, its totals over the
** horizon in the table. U: demand 3 x 1.5 GWh, hydropower 0.423792 +
** 0.847584 + 1.2 = 2.471376, thermal 1.076208 + 0.652416 + 0.42 =
** 2.148624, 0.12 sent to D on day 3, cost 62,096.64 + 28,193.28 + 13,200
** = 103,489.92; D: thermal 1 + 1 + 0.892 = 2.892, 0.108 received, cost
** 90,000 + 90,000 + 80,280 = 260,280. */
static void example_grids_drawn(void **state) {
  (void)state;
  char dir[64];
  tu_mkdtemp(dir);
  run_into("examples/grids/model.yaml", 1, dir, "run");
  char *html = page(dir, "run");
  assert_non_null(strstr(html, "<li><a href=\"#s-grids\">Grids</a>"));
  assert_non_null(strstr(html, "<h2 id=\"s-grids\">Grids</h2>"));
  assert_non_null(strstr(html, "<th>demand GWh</th><th>hydro GWh</th><th>thermal GWh</th>"
                               "<th>imports GWh</th><th>exports GWh</th><th>unserved GWh</th>"
                               "<th>unused hydro GWh</th><th>cost, units</th>"));
  assert_non_null(strstr(html, "<tr class=\"total\"><td class=\"l\"></td><td class=\"l\">whole "
                               "horizon</td><td>4.500</td><td>2.471</td><td>2.149</td>"
                               "<td>0.000</td><td>0.120</td><td>0.000</td><td>0.000</td>"
                               "<td>103490</td></tr>"));
  assert_non_null(strstr(html, "<tr class=\"total\"><td class=\"l\"></td><td class=\"l\">whole "
                               "horizon</td><td>3.000</td><td>0.000</td><td>2.892</td>"
                               "<td>0.108</td><td>0.000</td><td>0.000</td><td>0.000</td>"
                               "<td>260280</td></tr>"));
  /* U on day 3: 1.2 GWh of hydropower and 0.42 of thermal above zero,
  ** 0.12 sent to D below, against its 1.5; nothing received, bought or
  ** unserved, so those are not drawn. */
  char *u = figure(html, "grid-balance-1");
  assert_non_null(strstr(u, "U Upstream: energy balance per step"));
  assert_non_null(strstr(u, "<title>2001-01-03, GWh a day\nhydropower 1.20\nthermal 0.420\n"
                            "sent over lines -0.120</title>"));
  assert_non_null(strstr(u, "<title>2001-01-01, GWh a day\nhydropower 0.424\nthermal 1.08\n"
                            "sent over lines 0.000</title>"));
  assert_non_null(strstr(u, "<title>demand 1.50 GWh a day</title>")); /* every day */
  assert_null(strstr(u, "unserved"));
  assert_null(strstr(u, "received over lines"));
  free(u);
  char *dn = figure(html, "grid-balance-2");
  assert_non_null(strstr(dn, "<title>2001-01-03, GWh a day\nthermal 0.892\nreceived over "
                             "lines 0.108</title>"));
  free(dn);
  /* The line runs full on day 3 only, and never back. */
  char *lines = figure(html, "grid-lines");
  assert_non_null(strstr(lines, "<title>2001-01-03, GWh a day\nU-&gt;D sent 0.120\n"
                                "U-&gt;D sent back 0.000</title>"));
  free(lines);
  assert_non_null(strstr(html, "No grid left any demand unserved."));
  /* U's price falls from 80 to 30 when Dear stops; D's is Down's 90. */
  char *price = figure(html, "grid-price");
  assert_non_null(strstr(price, "<title>2001-01-02, units per MWh\nU Upstream 80.0</title>"));
  assert_non_null(strstr(price, "<title>2001-01-03, units per MWh\nU Upstream 30.0</title>"));
  assert_non_null(strstr(price, "<title>D 90.0 units per MWh</title>"));
  free(price);
  assert_null(strstr(html, "nan"));
  /* Drawn again from the folder alone: the same bytes. */
  naryn_diags *d = naryn_diags_new(0);
  char out[128], path[160];
  snprintf(out, sizeof out, "%s/run", dir);
  assert_int_equal(naryn_report_write(out, d), NARYN_OK);
  snprintf(path, sizeof path, "%s/report.html", out);
  char *again = tu_slurp(path);
  assert_string_equal(html, again);
  free(again);
  free(html);
  /* A grids.csv whose grids are out of order, or cut short, is refused,
  ** naming the file, the line and the column. */
  snprintf(path, sizeof path, "%s/grids.csv", out);
  char *csv = tu_slurp(path);
  char *dd = strstr(csv, "2001-01-02,D,D,");
  assert_non_null(dd);
  dd[11] = 'X';
  tu_write(out, "grids.csv", csv);
  assert_int_equal(naryn_report_write(out, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "grids.csv:6:12: error: column \"grid\": expected "
                                            "\"D\" here, in the order of the first step"));
  naryn_diags_clear(d);
  dd[11] = 'D';
  char *last = strrchr(csv, '\n');
  *last = '\0';
  *(strrchr(csv, '\n') + 1) = '\0';
  tu_write(out, "grids.csv", csv);
  free(csv);
  assert_int_equal(naryn_report_write(out, d), NARYN_EIO);
  assert_non_null(strstr(tu_first_error(d), "grids.csv:"));
  assert_non_null(strstr(tu_first_error(d), "expected 9 rows (3 steps of 2 grids and 1 "
                                            "interconnectors), got 8"));
  naryn_diags_free(d);
  tu_rmdir(dir);
}

/* The sum of column col of grids.csv's rows of grid 'grid'. */
static double grids_csv_sum(const char *csv, const char *grid, const char *col) {
  int c = -1, k = 0;
  for (const char *p = csv; *p && *p != '\n'; k++) {
    size_t n = strcspn(p, ",\n");
    if (strlen(col) == n && strncmp(p, col, n) == 0) c = k;
    p += n + (p[n] == ',');
  }
  assert_true(c >= 2);
  double sum = 0;
  for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
    const char *p = line + 1, *cells[32];
    for (k = 0; k < 32 && *p && *p != '\n'; k++) {
      cells[k] = p;
      p += strcspn(p, ",\n");
      if (*p == ',') p++;
    }
    size_t gl = strcspn(cells[1], ",");
    if (gl == strlen(grid) && strncmp(cells[1], grid, gl) == 0) sum += strtod(cells[c], NULL);
  }
  return sum;
}

/* The built-in model: 30 years by month; the Kyrgyz grid's yearly figures
** in the table are grids.csv's sums over 30 years, in the unit of each
** column (demand in TWh, unserved energy in GWh), and its January demand,
** 1,887 GWh, is the dashed line of its balance. A run without its grids
** dispatched has no section, nor has a model without grids; a comparison
** sets the grids of two runs side by side, with empty cells for a run
** without. */
static void builtin_grids_drawn(void **state) {
  (void)state;
  char dir[64], path[160];
  tu_mkdtemp(dir);
  run_into("models/naryn/model.yaml", 1, dir, "base");
  run_into("models/naryn/model.yaml", 0, dir, "no-grids");
  run_into("examples/single/model.json", 1, dir, "single");
  snprintf(path, sizeof path, "%s/base/grids.csv", dir);
  char *csv = tu_slurp(path);
  assert_non_null(csv);
  char *html = page(dir, "base");
  assert_non_null(strstr(html, "<th>demand TWh</th>"));
  const char *kg_first = "<td class=\"l\">KG Kyrgyzstan</td>";
  double demand = grids_csv_sum(csv, "KG", "demand_gwh") / 30.0;
  double unserved = grids_csv_sum(csv, "KG", "unserved_gwh") / 30.0;
  double imports = (grids_csv_sum(csv, "KG", "import_lines_gwh") +
                    grids_csv_sum(csv, "KG", "import_market_gwh")) / 30.0;
  assert_near(demand, 15900.0, 1e-6);
  assert_true(unserved > 10.0 && unserved < 1000.0); /* shown in GWh, one decimal */
  /* The KG rows: Oct–Mar, Apr–Sep, then the year, which holds the
  ** year's demand, imports and unserved energy. */
  const char *oct = strstr(strstr(html, "<table class=\"data\" id=\"grids\">"), kg_first);
  assert_non_null(oct);
  const char *year = strstr(strstr(strstr(oct, "</tr>") + 5, "</tr>") + 5, "<tr");
  assert_non_null(year);
  assert_non_null(strstr(year, "<td class=\"l\">year</td>"));
  char *row = strndup(year, (size_t)(strstr(year, "</tr>") - year));
  char want[64];
  snprintf(want, sizeof want, "<td>%.2f</td>", demand / 1000.0);
  assert_non_null(strstr(row, want));
  snprintf(want, sizeof want, "<td>%.1f</td>", unserved);
  assert_non_null(strstr(row, want));
  snprintf(want, sizeof want, "<td>%.2f</td>", imports / 1000.0);
  assert_non_null(strstr(row, want));
  free(row);
  char *kg = figure(html, "grid-balance-1");
  assert_non_null(strstr(kg, "KG Kyrgyzstan: energy balance by month"));
  assert_non_null(strstr(kg, "the mean over the years"));
  assert_non_null(strstr(kg, "demand 1.89</title>"));
  free(kg);
  assert_non_null(strstr(html, "id=\"grid-lines\""));
  assert_non_null(strstr(html, "id=\"grid-unserved\""));
  assert_non_null(strstr(html, "id=\"grid-price\""));
  free(html);
  for (int k = 0; k < 2; k++) {
    html = page(dir, k ? "single" : "no-grids");
    assert_null(strstr(html, "s-grids"));
    assert_null(strstr(html, "grid-balance"));
    free(html);
  }
  /* Two runs with grids and one without, side by side. */
  naryn_diags *d = naryn_diags_new(0);
  const char *runs[3] = {"base", "no-grids", "base"};
  assert_int_equal(naryn_compare_write(dir, runs, 3, d), NARYN_OK);
  html = page(dir, ".");
  assert_non_null(strstr(html, "<table class=\"data\" id=\"compare-grids\">"));
  snprintf(want, sizeof want, "<td>%.1f</td><td></td><td>%.1f</td>", unserved, unserved);
  const char *tab = strstr(html, "id=\"compare-grids\"");
  assert_non_null(strstr(tab, "<td class=\"l\">unserved, GWh</td>"));
  assert_non_null(strstr(tab, want));
  free(html);
  /* One run with grids: no table. */
  assert_int_equal(naryn_compare_write(dir, runs, 2, d), NARYN_OK);
  html = page(dir, ".");
  assert_null(strstr(html, "compare-grids"));
  free(html);
  free(csv);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
  tu_rmdir(dir);
}

#define RECT "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\""

/* Bars stacked in one column a category: positive values up from zero in
** the order of the series, negative ones down; the axis covers the
** column's sums, and a zero draws nothing. */
static void stacked_bars(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  const char *cats[2] = {"Jan", "Feb"};
  double a[2] = {3, 1}, b[2] = {2, 0}, c[2] = {-1, -4}, dem[2] = {4, 1};
  naryn__series s[4] = {{"hydro", NULL, a, 2, NARYN__STACKED, "#0072b2", NULL, NULL, 0},
                        {"thermal", NULL, b, 2, NARYN__STACKED, "#999933", NULL, NULL, 0},
                        {"sent", NULL, c, 2, NARYN__STACKED, "#56b4e9", NULL, NULL, 0},
                        {"demand", NULL, dem, 2, NARYN__DASHED, "#1f2328", NULL, NULL, 0}};
  naryn__chart ch = {"st", "stacked", NULL, "energy, GWh", NARYN__AXIS_CATEGORY, cats, 2, 1,
                     s, 4, 300, 300, 0, 0, 0, 0};
  size_t len;
  char *svg;
  FILE *f = open_memstream(&svg, &len);
  assert_int_equal(naryn__chart_svg(f, &ch, d), NARYN_OK);
  fclose(f);
  /* Four values drawn (Feb's thermal is zero), three swatches, two
  ** hover columns. */
  int rects = 0;
  for (const char *p = svg; (p = strstr(p, "<rect ")); p++) rects++;
  assert_int_equal(rects, 5 + 3 + 2);
  /* The axis runs from -4 (Feb's column below zero) past 5 (Jan's above),
  ** to 6, in steps of 2. */
  assert_non_null(strstr(svg, ">-4</text>"));
  assert_non_null(strstr(svg, ">6</text>"));
  /* Jan's thermal sits on its hydropower: the top of one is the bottom of
  ** the other. */
  double x1, y1, w1, h1, x2, y2, w2, h2;
  const char *p = strstr(svg, "fill=\"#0072b2\"><rect ");
  assert_non_null(p);
  assert_int_equal(sscanf(strstr(p, "<rect "), RECT,
                          &x1, &y1, &w1, &h1), 4);
  p = strstr(svg, "fill=\"#999933\"><rect ");
  assert_non_null(p);
  assert_int_equal(sscanf(strstr(p, "<rect "), RECT,
                          &x2, &y2, &w2, &h2), 4);
  assert_near(x1, x2, 1e-9);
  assert_near(y2 + h2, y1, 0.11);
  assert_near(h2 / h1, 2.0 / 3.0, 0.01);
  assert_non_null(strstr(svg, "<title>Feb, GWh\nsent -4.00</title>"));
  assert_non_null(strstr(svg, "<title>Jan, GWh\nhydro 3.00\nthermal 2.00\nsent -1.00\n"
                              "demand 4.00</title>"));
  free(svg);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(example_grids_drawn),
      cmocka_unit_test(builtin_grids_drawn),
      cmocka_unit_test(stacked_bars),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
