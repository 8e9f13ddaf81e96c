/*
** test_naryn.c: the built-in Naryn-Syr Darya model against the published
** figures it is meant to reproduce (models/naryn/README.md says where each
** comes from and why the model differs where it does):
** - the synthetic Naryn inflow's 30-year mean within one standard error of
**   the long-term 12.44 km3/yr, and the five lower Naryn plants' mean
**   generation within 10 % of their design total, 10.3 TWh/yr at that
**   mean, in proportion to the series' own mean;
** - Toktogul's water-to-energy rate within 5 % of the 0.342 kWh/m3
**   observed on 11-12 Dec 2024 at the storage of that day, and its mean
**   over the run within 10 % of the design 0.354 kWh/m3;
** - in the irrigation mode 70-80 % of Toktogul's release in April-September;
**   in the energy mode winter releases of 500-930 m3/s whenever Toktogul is
**   in its normal zone and not full, and a lower summer share;
** - issue 14's acceptance of the three regimes' rules: Toktogul's storage on
**   1 April never at its dead storage (5.5 km3) under the base case and
**   the energy mode, and under the irrigation mode only after a water year
**   below 9 km3; at or below 6.6 km3 in at most 8 of the 30 years under
**   all three;
** - Kambarata-1 and -2 together adding 6 TWh/yr to within 15 %;
** - issue 15's targets for the replay of the measured 2022-24 (below);
** - the basin's water balance closed to 1e-6 of its inflow in every run;
** - the Kyrgyz grid's winter (October-March) imports plus unserved energy
**   in the base case within 25 % of the 1.9 TWh deficit reported for
**   2022 (models/naryn/README.md says why 25 %), its energy balanced in
**   every step, its hydropower that of the Kyrgyz plants, and its thermal
**   energy within the plants' available capacity;
** - evaporation settled in every step of every reservoir (the evaporation
**   at the step's mean storage within the settle tolerance of what the
**   step took), its shallow lakes included, in under three solves a step.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

#define MODEL "models/naryn/model.yaml"

/* Runs the model with at most two scenarios of its own, in that order. */
static void run2(const char *scenario, const char *second, naryn_model **m, naryn_result **r) {
  char path[2][256];
  snprintf(path[0], sizeof path[0], "models/naryn/scenarios/%s.yaml", scenario ? scenario : "");
  snprintf(path[1], sizeof path[1], "models/naryn/scenarios/%s.yaml", second ? second : "");
  const char *over[] = {path[0], path[1]};
  naryn_diags *d = naryn_diags_new(0);
  int rc = naryn_model_load(MODEL, over, scenario ? (second ? 2 : 1) : 0, m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  rc = naryn_simulate(*m, NULL, r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  /* The whole basin balances: inflow = consumption + evaporation + losses
  ** + sink inflow + storage change. */
  double inflow = 0;
  for (int t = 0; t < naryn_model_steps(*m); t++)
    for (int i = 0; i < naryn_model_node_count(*m); i++)
      if (naryn_model_node_type(*m, i) == NARYN_NODE_INFLOW)
        inflow += naryn_result_node(*r, NARYN_Q_RELEASE_HM3, i, t);
  assert_true(fabs(naryn_result_system_residual_hm3(*r)) <= 1e-6 * inflow);
  naryn_diags_free(d);
}

static void run(const char *scenario, naryn_model **m, naryn_result **r) {
  run2(scenario, NULL, m, r);
}

/* Mean yearly total of a quantity at a node. */
static double yearly(const naryn_model *m, const naryn_result *r, const char *node,
                     naryn_quantity q) {
  int i = naryn_model_node_index(m, node);
  double sum = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) sum += naryn_result_node(r, q, i, t);
  return sum / naryn_result_years(r);
}

static const char *const lower_plants[] = {"Toktogul HPP", "Kurpsai HPP", "Tash-Kumyr HPP",
                                           "Shamaldy-Sai HPP", "Uch-Kurgan HPP"};

static double lower_cascade_gwh(const naryn_model *m, const naryn_result *r) {
  double e = 0;
  for (int k = 0; k < 5; k++) e += yearly(m, r, lower_plants[k], NARYN_Q_ENERGY_GWH);
  return e;
}

static void lower_cascade_makes_its_design_energy(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  /* The synthetic series is a draw, not scaled to its long-term mean: its
  ** 30-year mean must lie within one standard error of 12.44 km3/yr (CV
  ** 0.20 over 30 years, 3.7 %), and the design energy, given at that
  ** mean, is compared in proportion to the series' own mean. */
  double inflow_km3 = yearly(m, r, "Naryn inflow", NARYN_Q_RELEASE_HM3) / 1000;
  print_message("Naryn inflow over the 30 years: %.2f km3/yr against the long-term 12.44 (%+.1f %%)\n",
                inflow_km3, 100 * (inflow_km3 / 12.44 - 1));
  assert_true(fabs(inflow_km3 / 12.44 - 1) <= 0.20 / sqrt(30));
  double gwh = lower_cascade_gwh(m, r), design = 10305 * inflow_km3 / 12.44;
  print_message("lower Naryn cascade: %.0f GWh/yr against %.0f designed at this inflow (%+.1f %%)\n",
                gwh, design, 100 * (gwh / design - 1));
  assert_true(fabs(gwh / design - 1) <= 0.10);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* The rate is energy over turbined water, GWh per hm3 = kWh per m3. */
static void toktogul_rate_matches_the_observed_point(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  int res = naryn_model_node_index(m, "Toktogul"), hpp = naryn_model_node_index(m, "Toktogul HPP");
  double near = 0, near_n = 0, energy = 0, water = 0, start = 10800;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    double end = naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, res, t), mean = 0.5 * (start + end);
    double e = naryn_result_node(r, NARYN_Q_ENERGY_GWH, hpp, t);
    double v = naryn_result_node(r, NARYN_Q_TURBINED_HM3, hpp, t);
    if (v > 0 && fabs(mean - 11400) < 500) near += e / v, near_n++;
    energy += e;
    water += v;
    start = end;
  }
  assert_true(near_n >= 5);
  print_message("Toktogul: %.3f kWh/m3 near 11.4 km3 (%g months), %.3f over the run\n",
                near / near_n, near_n, energy / water);
  assert_true(fabs(near / near_n / 0.342 - 1) <= 0.05);
  assert_true(fabs(energy / water / 0.354 - 1) <= 0.10);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Share of Toktogul's release in April-September, and the winter months
** whose release lies outside [lo, hi] m3/s while Toktogul is in its normal
** zone at the start of the month and did not have to spill ("full"). */
static double summer_share(const naryn_model *m, const naryn_result *r, double lo,
                           double hi, int *outside) {
  int tok = naryn_model_node_index(m, "Toktogul");
  double summer = 0, total = 0;
  *outside = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    double v = naryn_result_node(r, NARYN_Q_RELEASE_HM3, tok, t);
    int month = atoi(naryn_model_step_date(m, t) + 5);
    double q = v * 1e6 / naryn_model_step_seconds(m, t);
    const char *zone = naryn_result_zone(r, tok, t), *rule = naryn_result_rule(r, tok, t);
    int normal = zone && strcmp(zone, "normal") == 0 && rule && strcmp(rule, "full") != 0;
    total += v;
    if (month >= 4 && month <= 9) summer += v;
    else if (normal && (q < lo - 1e-6 || q > hi + 1e-6)) (*outside)++;
  }
  return summer / total;
}

static void irrigation_and_energy_modes(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  int outside;
  run("irrigation-mode", &m, &r);
  double irr = summer_share(m, r, 0, INFINITY, &outside);
  naryn_result_free(r);
  naryn_model_free(m);
  run("energy-mode", &m, &r);
  double energy = summer_share(m, r, 500, 930, &outside);
  naryn_result_free(r);
  naryn_model_free(m);
  print_message("Toktogul's April-September share: irrigation mode %.1f %%, energy mode %.1f %%\n",
                100 * irr, 100 * energy);
  assert_true(irr >= 0.70 && irr <= 0.80);
  assert_int_equal(outside, 0);
  assert_true(energy < irr - 0.3);
}

/* Toktogul's storage on 1 April (the end of each March step) under a run:
** prints its distribution and checks the acceptance of issue 14. */
static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The Naryn's inflow (km3) over the water year (October to September)
** that ends before the March step t, or -1 before the first whole one. */
static double last_water_year_km3(const naryn_model *m, const naryn_result *r, int t) {
  int end = t - 6, nar = naryn_model_node_index(m, "Naryn inflow"); /* the September step */
  if (end - 11 < 0 || atoi(naryn_model_step_date(m, end - 11) + 5) != 10) return -1;
  double v = 0;
  for (int k = end - 11; k <= end; k++) v += naryn_result_node(r, NARYN_Q_RELEASE_HM3, nar, k);
  return v / 1000;
}

/* Under the base case and the energy mode Toktogul never reaches dead
** storage on 1 April; the irrigation mode may, but only where the inflows
** make it unavoidable (issue 14): after a water year below 9 km3, the 5th
** percentile of the Naryn's water years in the fit behind inflows.csv. */
static void check_1_april(const char *scenario) {
  naryn_model *m;
  naryn_result *r;
  run(scenario, &m, &r);
  int tok = naryn_model_node_index(m, "Toktogul");
  int may_empty = scenario && strcmp(scenario, "irrigation-mode") == 0;
  double s[64];
  int n = 0, low = 0, dead = 0, excused = 0;
  for (int t = 0; t < naryn_model_steps(m) && n < 64; t++) {
    if (atoi(naryn_model_step_date(m, t) + 5) != 3) continue;
    s[n] = naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, tok, t) / 1000;
    if (s[n] <= 6.6 + 1e-9) low++;
    if (s[n] <= 5.5 + 1e-6) {
      double before = last_water_year_km3(m, r, t);
      print_message("%-16s at dead storage on 1 April %.4s, after a water year of %.2f km3\n",
                    scenario ? scenario : "base", naryn_model_step_date(m, t), before);
      if (!may_empty || before < 0 || before >= 9.0) dead++;
      else excused++;
    }
    n++;
  }
  qsort(s, (size_t)n, sizeof s[0], by_value);
  print_message("%-16s Toktogul on 1 April, km3: min %.2f, quartiles %.2f %.2f %.2f, max %.2f; "
                "<= 6.6 in %d of %d years, at dead storage in %d\n",
                scenario ? scenario : "base", s[0], s[n / 4], s[n / 2], s[(3 * n) / 4], s[n - 1],
                low, n, dead + excused);
  assert_int_equal(n, 30);
  assert_int_equal(dead, 0);
  assert_true(low <= 8);
  naryn_result_free(r);
  naryn_model_free(m);
}

static void toktogul_1_april_storage(void **state) {
  (void)state;
  check_1_april(NULL);
  check_1_april("energy-mode");
  check_1_april("irrigation-mode");
}

static void kambarata_adds_about_6_twh(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  naryn_summary base, with;
  naryn_result_summary(r, "KG", NARYN_SEASON_ALL, &base);
  double years = naryn_result_years(r);
  naryn_result_free(r);
  naryn_model_free(m);
  run("kambarata", &m, &r);
  naryn_result_summary(r, "KG", NARYN_SEASON_ALL, &with);
  double added = (with.energy_gwh - base.energy_gwh) / years;
  double k1 = yearly(m, r, "Kambarata-1 HPP", NARYN_Q_ENERGY_GWH);
  print_message("Kambarata-1 and -2 add %.0f GWh/yr (Kambarata-1 alone %.0f)\n", added, k1);
  assert_true(fabs(added / 6000 - 1) <= 0.15);
  assert_true(fabs(k1 / 5600 - 1) <= 0.10);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Modernisation adds capacity but, at monthly releases that rarely need
** it, little energy: it must not lose any. */
static void modernised_plants_lose_no_energy(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  double base = lower_cascade_gwh(m, r);
  naryn_result_free(r);
  naryn_model_free(m);
  run("modernised", &m, &r);
  double modern = lower_cascade_gwh(m, r);
  print_message("modernised lower cascade: %+.0f GWh/yr\n", modern - base);
  assert_true(modern >= base - 1e-6);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* The replay of April 2022 - September 2024 with the measured releases
** forced: Toktogul's storage at each month's end against the storage the
** bulletins give on its last day (months whose last day is missing are
** left out), read here from the data file itself. Issue 15 asks for an
** RMSE of at most 0.2 km3; models/naryn/README.md gives the figures. */
/* The measured record of 2022-24, read column by column by name: one
** value per day (NaN where the cell is empty), in the file's date order. */
#define DATA "models/naryn/data/syr_darya_daily_operations_2022_2024.csv"
enum { MAX_DAYS = 1000 };
typedef struct {
  int n, year[MAX_DAYS], month[MAX_DAYS], day[MAX_DAYS];
} record_days;

static int read_column(const char *name, record_days *days, double *v) {
  FILE *f = fopen(DATA, "r");
  assert_non_null(f);
  char line[4096];
  assert_non_null(fgets(line, sizeof line, f));
  int col = -1, k = 0;
  for (char *tok = strtok(line, ",\n"); tok; tok = strtok(NULL, ",\n"), k++)
    if (strcmp(tok, name) == 0) col = k;
  assert_true(col > 0);
  int n = 0;
  while (fgets(line, sizeof line, f) && n < MAX_DAYS) {
    if (sscanf(line, "%d-%d-%d", &days->year[n], &days->month[n], &days->day[n]) != 3) continue;
    char *c = line;
    for (k = 0; k < col && c; k++) c = strchr(c, ','), c = c ? c + 1 : NULL;
    v[n++] = (c && *c != ',' && *c != '\n') ? atof(c) : NAN;
  }
  fclose(f);
  days->n = n;
  return n;
}

/* The step of the monthly replay (from April 2022) of a date. */
static int replay_step(int year, int month) { return (year - 2022) * 12 + (month - 4); }

/* Toktogul's storage RMSE against the measured one at each month's end. */
static double toktogul_rmse(const naryn_model *m, const naryn_result *r, int *months) {
  static record_days days;
  static double v[MAX_DAYS];
  read_column("toktogul_volume_Mm3", &days, v);
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int tok = naryn_model_node_index(m, "Toktogul"), n = 0;
  double sq = 0;
  for (int i = 0; i < days.n; i++) {
    int mo = days.month[i], last = mdays[mo - 1] + (mo == 2 && days.year[i] % 4 == 0);
    if (days.day[i] != last || isnan(v[i])) continue;
    double diff =
        naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, tok, replay_step(days.year[i], mo)) - v[i];
    sq += diff * diff;
    n++;
  }
  *months = n;
  return sqrt(sq / n);
}

/* A node's mean inflow (m3/s) over the replay's summers (April-September,
** summer = 1) or winters, and the measured column's mean over the same
** days. */
static void season_means(const naryn_model *m, const naryn_result *r, const char *node,
                         const char *column, int summer, double *model_m3s, double *meas_m3s) {
  static record_days days;
  static double v[MAX_DAYS];
  read_column(column, &days, v);
  double sum = 0;
  int n = 0;
  for (int i = 0; i < days.n; i++)
    if ((days.month[i] >= 4 && days.month[i] <= 9) == summer && !isnan(v[i])) sum += v[i], n++;
  *meas_m3s = sum / n;
  int k = naryn_model_node_index(m, node);
  double hm3 = 0, seconds = 0;
  for (int t = 0; t < naryn_model_steps(m); t++) {
    int month = atoi(naryn_model_step_date(m, t) + 5);
    if ((month >= 4 && month <= 9) != summer) continue;
    hm3 += naryn_result_node(r, NARYN_Q_INFLOW_HM3, k, t);
    seconds += naryn_model_step_seconds(m, t);
  }
  *model_m3s = hm3 * 1e6 / seconds;
}

/* Issue 15's targets for the replay of April 2022 - September 2024
** (models/naryn/README.md, "Replaying 2022-2024"): with the measured
** releases forced, Toktogul's storage within an RMSE of 200 hm3 of the
** measured one, the inflows of Kayrakkum (Akjar gauge) and Shardara (as
** the Kazakh hydromet service gives it) within 15 % in each season, and
** the North Aral Sea's inflow within 20 % of the measured 2.5 km3/yr;
** under the base case's rules, Toktogul within an RMSE of 800 hm3. The
** Fergana valley's tributary irrigation and drainage were derived from
** this same replay, so the Kayrakkum figures check that derivation rather
** than test the model on data it has not seen. */
static void replay_meets_its_targets(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run("replay-2022-2024", &m, &r);
  int months;
  double rmse = toktogul_rmse(m, r, &months);
  print_message("replay, measured releases: Toktogul storage RMSE %.0f hm3 over %d months\n",
                rmse, months);
  assert_true(months >= 20);
  assert_true(rmse <= 200);
  static const struct {
    const char *node, *column;
  } gauges[] = {{"Kayrakkum", "kayrakkum_inflow_akjar_m3s"},
                {"Shardara", "shardara_inflow_kazhydromet_m3s"}};
  for (int g = 0; g < 2; g++)
    for (int summer = 1; summer >= 0; summer--) {
      double model_m3s, meas_m3s;
      season_means(m, r, gauges[g].node, gauges[g].column, summer, &model_m3s, &meas_m3s);
      print_message("  %-9s inflow, %s: %.0f m3/s against %.0f measured (%+.0f %%)\n",
                    gauges[g].node, summer ? "Apr-Sep" : "Oct-Mar", model_m3s, meas_m3s,
                    100 * (model_m3s / meas_m3s - 1));
      assert_true(fabs(model_m3s / meas_m3s - 1) <= 0.15);
    }
  double aral_km3 = 0;
  int aral = naryn_model_node_index(m, "North Aral Sea");
  for (int t = 0; t < naryn_model_steps(m); t++)
    aral_km3 += naryn_result_node(r, NARYN_Q_INFLOW_HM3, aral, t) / 1000;
  aral_km3 /= naryn_result_years(r);
  print_message("  North Aral Sea inflow: %.2f km3/yr against about 2.5 measured (%+.0f %%)\n",
                aral_km3, 100 * (aral_km3 / 2.5 - 1));
  assert_true(fabs(aral_km3 / 2.5 - 1) <= 0.20);
  naryn_result_free(r);
  naryn_model_free(m);

  run2("replay-2022-2024", "replay-base-rule", &m, &r);
  rmse = toktogul_rmse(m, r, &months);
  print_message("replay, base case's rules: Toktogul storage RMSE %.0f hm3 over %d months\n", rmse,
                months);
  assert_true(rmse <= 800);
  naryn_result_free(r);
  naryn_model_free(m);
}

/* Evaporation settles (sim.c, next_evaporation): in every step of every
** reservoir, the evaporation at the mean of the step's start and end
** storage is within the settle tolerance of the evaporation the step took.
** The shallow lakes (Kayrakkum, Shardara, Koksaray), whose area grows
** fastest with storage, took 4.3 solves a step by plain iteration to a
** tolerance of 1e-9; the secant method needs fewer than three. */
/* The Kyrgyz grid in the base case: winter imports plus unserved energy
** against the reported 2022 deficit of about 1.9 TWh (facts 4.2), within
** 25 %: the figure is one year's, the model's 30 winters spread from 1.3
** to 4.0 TWh about their mean, and the grid leaves out Kyrgyz plants off
** the Naryn (README.md, "The Kyrgyz grid"). Then the balance of every
** step, the hydropower the grid is given, and sanity bounds. */
static void kyrgyz_winter_deficit(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  int g = -1;
  for (int k = 0; k < naryn_result_grid_count(r); k++)
    if (strcmp(naryn_result_grid_name(r, k), "KG") == 0) g = k;
  assert_true(g >= 0);
  double years = naryn_result_years(r);
  double winter[NARYN_G_COUNT], all[NARYN_G_COUNT];
  naryn_result_grid_summary(r, g, NARYN_SEASON_OCT_MAR, winter);
  naryn_result_grid_summary(r, g, NARYN_SEASON_ALL, all);
  double imports = (winter[NARYN_G_IMPORT_LINES_GWH] + winter[NARYN_G_IMPORT_MARKET_GWH]) / years;
  double unserved = winter[NARYN_G_UNSERVED_GWH] / years;
  print_message("Kyrgyz winter: imports %.0f + unserved %.0f = %.0f GWh/yr against the reported "
                "deficit of 1900 (%+.1f %%); imports over the year %.0f GWh (2000-3500 contracted)\n",
                imports, unserved, imports + unserved, 100 * ((imports + unserved) / 1900 - 1),
                (all[NARYN_G_IMPORT_LINES_GWH] + all[NARYN_G_IMPORT_MARKET_GWH]) / years);
  assert_true(fabs((imports + unserved) / 1900 - 1) <= 0.25);
  /* The grid's hydropower is the energy of the Kyrgyz plants. */
  naryn_summary kg;
  naryn_result_summary(r, "KG", NARYN_SEASON_ALL, &kg);
  assert_true(fabs(all[NARYN_G_HYDRO_GWH] - kg.energy_gwh) <= 1e-6 * kg.energy_gwh);
  for (int t = 0; t < naryn_model_steps(m); t++) {
    double q[NARYN_G_COUNT];
    for (int k = 0; k < NARYN_G_COUNT; k++) q[k] = naryn_result_grid(r, g, t, (naryn_grid_quantity)k);
    double in = q[NARYN_G_HYDRO_GWH] + q[NARYN_G_THERMAL_GWH] + q[NARYN_G_IMPORT_LINES_GWH] +
                q[NARYN_G_IMPORT_MARKET_GWH] + q[NARYN_G_UNSERVED_GWH];
    double out = q[NARYN_G_DEMAND_GWH] + q[NARYN_G_EXPORT_LINES_GWH] +
                 q[NARYN_G_EXPORT_MARKET_GWH] + q[NARYN_G_SURPLUS_GWH];
    assert_true(fabs(in - out) <= 1e-6 * q[NARYN_G_DEMAND_GWH]);
    for (int k = 0; k < NARYN_G_COUNT; k++)
      if (k != NARYN_G_PRICE_PER_MWH && k != NARYN_G_COST) assert_true(q[k] >= -1e-9);
    assert_true(q[NARYN_G_UNSERVED_GWH] <= q[NARYN_G_DEMAND_GWH]);
    /* Bishkek and Osh CHP, 862 MW, at most 70 % available. */
    double hours = naryn_model_step_seconds(m, t) / 3600;
    assert_true(q[NARYN_G_THERMAL_GWH] <= 862 * 0.7 * hours / 1000 * (1 + 1e-9));
    /* The price is never above the dearest unserved tier's. */
    assert_true(q[NARYN_G_PRICE_PER_MWH] <= 1000 + 1e-6);
  }
  naryn_result_free(r);
  naryn_model_free(m);
}

static void evaporation_settles_in_every_step(void **state) {
  (void)state;
  naryn_model *m;
  naryn_result *r;
  run(NULL, &m, &r);
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  int T = naryn_model_steps(m), checked = 0;
  for (int i = 0; i < naryn_model_node_count(m); i++) {
    const naryn__node *n = &m->nodes[i];
    if (n->type != NARYN_NODE_RESERVOIR || !n->evaporation_mm.v || !n->area.n) continue;
    double s0 = n->initial_storage_hm3;
    for (int t = 0; t < T; t++) {
      double s1 = naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, i, t);
      double took = naryn_result_node(r, NARYN_Q_EVAPORATION_HM3, i, t);
      double at_mean = naryn__hyd_evaporation_hm3(n, t, 0.5 * (s0 + s1));
      if (fabs(at_mean - took) > o.settle_tolerance * (1.0 + took))
        print_error("%s in step %d: took %.12g hm3, %.12g at the mean storage\n",
                    n->name, t, took, at_mean);
      assert_true(fabs(at_mean - took) <= o.settle_tolerance * (1.0 + took));
      s0 = s1;
      checked++;
    }
  }
  assert_true(checked >= 6 * T);
  print_message("evaporation settled in %d reservoir steps; %.2f solves a step\n", checked,
                (double)r->solves / T);
  assert_true(r->solves < 3 * T);
  naryn_result_free(r);
  naryn_model_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lower_cascade_makes_its_design_energy),
      cmocka_unit_test(toktogul_rate_matches_the_observed_point),
      cmocka_unit_test(irrigation_and_energy_modes),
      cmocka_unit_test(toktogul_1_april_storage),
      cmocka_unit_test(kambarata_adds_about_6_twh),
      cmocka_unit_test(modernised_plants_lose_no_energy),
      cmocka_unit_test(replay_meets_its_targets),
      cmocka_unit_test(kyrgyz_winter_deficit),
      cmocka_unit_test(evaporation_settles_in_every_step),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
