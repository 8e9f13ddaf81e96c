/*
** test_report.c: the result files: their columns, their rows, the summary
** by country and season, and a directory that cannot be written.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>

#include "testutil.h"

/* Reads a whole small file into buf; returns its number of lines. */
static int slurp(const char *path, char *buf, size_t size) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  size_t n = fread(buf, 1, size - 1, f);
  fclose(f);
  buf[n] = '\0';
  int lines = 0;
  for (size_t i = 0; i < n; i++) lines += buf[i] == '\n';
  return lines;
}

static void single_results(naryn_model **m, naryn_result **r, naryn_diags *d) {
  assert_int_equal(naryn_model_load("examples/single/model.json", NULL, 0, m, d), NARYN_OK);
  assert_int_equal(naryn_simulate(*m, NULL, r, d), NARYN_OK);
}

/* The five files (objective.csv too) appear whole, with the promised columns and one row per
** node (or link) and step, and nothing else is left in the folder. */
static void files_have_their_columns_and_rows(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  single_results(&m, &r, d);
  char dir[64], out[128], path[192];
  tu_mkdtemp(dir);
  snprintf(out, sizeof out, "%s/a/b", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_OK);
  static char buf[1 << 20];
  snprintf(path, sizeof path, "%s/nodes.csv", out);
  assert_int_equal(slurp(path, buf, sizeof buf), 1 + 12 * 8);
  assert_memory_equal(buf,
                      "date,node,country,type,inflow_hm3,storage_end_hm3,release_hm3,"
                      "turbined_hm3,spill_hm3,evaporation_hm3,delivered_hm3,"
                      "shortage_hm3,energy_gwh,head_m,demand_hm3,level_m,residual_hm3,"
                      "release_deviation_hm3,zone,rule\n",
                      strlen("date,node,country,type,inflow_hm3,storage_end_hm3,release_hm3,"
                             "turbined_hm3,spill_hm3,evaporation_hm3,delivered_hm3,"
                             "shortage_hm3,energy_gwh,head_m,demand_hm3,level_m,residual_hm3,"
                             "release_deviation_hm3,zone,rule\n"));
  assert_non_null(strstr(buf, "\n2001-01-01,Lake,UP,reservoir,267.840000,526.578684,"
                              "241.056000,,,0.205316,,,,,,152.6579,"));
  snprintf(path, sizeof path, "%s/links.csv", out);
  assert_int_equal(slurp(path, buf, sizeof buf), 1 + 12 * 7);
  assert_non_null(strstr(buf, "2001-06-01,Split->Farms,Split,Farms,233.280000,90.0000,23.328000\n"));
  snprintf(path, sizeof path, "%s/summary.csv", out);
  /* Two countries and all, three seasons, total and per year. */
  assert_int_equal(slurp(path, buf, sizeof buf), 1 + 3 * 3 * 2);
  assert_non_null(strstr(buf, "\nDN,apr-sep,total,0.000000,1586.304000,1171.843200,414.460800,"));
  snprintf(path, sizeof path, "%s/run.csv", out);
  slurp(path, buf, sizeof buf);
  assert_non_null(strstr(buf, "model,single\n"));
  assert_non_null(strstr(buf, "steps,12\n"));
  assert_non_null(strstr(buf, "years,1.0000\n"));
  DIR *dp = opendir(out);
  int files = 0;
  for (struct dirent *e; (e = readdir(dp));)
    if (e->d_name[0] != '.' || strstr(e->d_name, ".naryn-tmp-")) files++;
  closedir(dp);
  assert_int_equal(files, 7); /* and network.csv and report.html */
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* Seasons split the year; per-year figures divide by calendar years. */
static void summary_by_country_and_season(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  single_results(&m, &r, d);
  assert_int_equal(naryn_result_country_count(r), 2);
  assert_string_equal(naryn_result_country(r, 0), "UP");
  assert_string_equal(naryn_model_country_name(m, "DN"), "Downland");
  naryn_summary w, s, y;
  naryn_result_summary(r, "UP", NARYN_SEASON_OCT_MAR, &w);
  naryn_result_summary(r, "UP", NARYN_SEASON_APR_SEP, &s);
  naryn_result_summary(r, "UP", NARYN_SEASON_ALL, &y);
  assert_near(w.energy_gwh + s.energy_gwh, y.energy_gwh, 1e-9);
  assert_true(w.energy_gwh > 200 && s.energy_gwh > 200);
  naryn_result_summary(r, NULL, NARYN_SEASON_APR_SEP, &s);
  assert_near(s.irrigation_shortage_hm3, 414.4608, 1e-6);
  assert_near(s.min_flow_shortage_hm3, 0, 1e-9);
  assert_string_equal(naryn_season_name(NARYN_SEASON_OCT_MAR), "oct-mar");
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

/* A results folder under a regular file cannot be made: the error names
** the folder and the reason. */
static void unwritable_folder_is_an_io_error(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m;
  naryn_result *r;
  single_results(&m, &r, d);
  char dir[64], out[128];
  tu_mkdtemp(dir);
  tu_write(dir, "file", "x");
  snprintf(out, sizeof out, "%s/file/results", dir);
  assert_int_equal(naryn_result_write(r, out, d), NARYN_EIO);
  const char *e = tu_first_error(d);
  assert_non_null(strstr(e, "/file/results: error: cannot create directory: Not a directory"));
  tu_rmdir(dir);
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(files_have_their_columns_and_rows),
      cmocka_unit_test(summary_by_country_and_season),
      cmocka_unit_test(unwritable_folder_is_an_io_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
