/*
** test_stream.c: a run streamed to its folder (naryn_simulate_to) against
** the same run kept whole and written after it (naryn_simulate and
** naryn_result_write_with): the same files byte for byte, the same
** summaries, objective and balance figures bit for bit, the last steps
** only, the choice of per-step output, and a folder left as it was when
** the run fails or is interrupted.
*/
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "testutil.h"

/* A small daily chain in the shape of bench/chain.sh's: three units over
** two years, its demands in two countries, short in the dry months, and
** the end storage valued, so that every term sums many nodes and steps. */
static const char chain[] =
    "name: chain-3\n"
    "countries: {A: Upstream, B: Downstream}\n"
    "horizon: {start: 2000-01-01, end: 2001-12-31, step: daily}\n"
    "nodes:\n"
    "  - {name: c0, type: inflow, country: A, inflow_m3s: [12, 14, 13, 10, 7, 5, 4, 3, 3, 5, 8, 11]}\n"
    "  - {name: r0, type: reservoir, country: A, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d0, type: demand, country: A, demand_m3s: 6, priority: 1}\n"
    "  - {name: j0, type: junction}\n"
    "  - {name: c1, type: inflow, country: B, inflow_m3s: [13.2, 15.4, 14.3, 11, 7.7, 5.5, 4.4, 3.3, 3.3, 5.5, 8.8, 12.1]}\n"
    "  - {name: r1, type: reservoir, country: B, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d1, type: demand, country: B, demand_m3s: 7, priority: 4}\n"
    "  - {name: j1, type: junction}\n"
    "  - {name: c2, type: inflow, country: B, inflow_m3s: [14.4, 16.8, 15.6, 12, 8.4, 6, 4.8, 3.6, 3.6, 6, 9.6, 13.2]}\n"
    "  - {name: r2, type: reservoir, country: B, max_storage_hm3: 25.92, initial_storage_hm3: 17.28}\n"
    "  - {name: d2, type: demand, country: B, demand_m3s: 8, priority: 7}\n"
    "  - {name: j2, type: junction}\n"
    "  - {name: outfall, type: sink}\n"
    "links:\n"
    "  - {from: c0, to: r0}\n"
    "  - {from: r0, to: d0}\n"
    "  - {from: r0, to: j0}\n"
    "  - {from: j0, to: r1}\n"
    "  - {from: c1, to: r1}\n"
    "  - {from: r1, to: d1}\n"
    "  - {from: r1, to: j1}\n"
    "  - {from: j1, to: r2, loss_fraction: 0.05}\n"
    "  - {from: c2, to: r2}\n"
    "  - {from: r2, to: d2}\n"
    "  - {from: r2, to: j2}\n"
    "  - {from: j2, to: outfall}\n"
    "objectives:\n"
    "  - {name: dry, kind: shortage, penalty_per_hm3: 1000.3}\n"
    "  - {name: lost, kind: spill, nodes: [outfall], penalty_per_hm3: 0.7}\n"
    "  - {name: carry_over, kind: end_storage, nodes: [r0, r1, r2], target_hm3: 25, penalty_per_hm3: 3}\n";

/* The top of the repository, where the examples are; the tests run in a
** temporary folder. */
static char top[4096];

static naryn_model *load_path(const char *name) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", top, name);
  return tu_load_path(path);
}

static naryn_model *load_chain(void) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(chain, &m, d);
  if (rc != NARYN_OK) print_error("chain: %s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* The names of the files in dir, sorted, joined by spaces. */
static void list_files(const char *dir, char *buf, size_t size) {
  struct dirent **names;
  int n = scandir(dir, &names, NULL, alphasort);
  assert_true(n >= 0);
  buf[0] = '\0';
  for (int i = 0; i < n; i++) {
    if (names[i]->d_name[0] != '.') {
      strncat(buf, names[i]->d_name, size - strlen(buf) - 1);
      strncat(buf, " ", size - strlen(buf) - 1);
    }
    free(names[i]);
  }
  free(names);
}

/* Every file of a and b, the same set, byte for byte; returns how many. */
static int same_folders(const char *a, const char *b) {
  char la[1024], lb[1024];
  list_files(a, la, sizeof la);
  list_files(b, lb, sizeof lb);
  assert_string_equal(la, lb);
  int n = 0;
  for (char *name = strtok(la, " "); name; name = strtok(NULL, " "), n++) {
    char pa[600], pb[600];
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    char *x = tu_slurp(pa), *y = tu_slurp(pb);
    assert_non_null(x);
    assert_non_null(y);
    if (strcmp(x, y) != 0) {
      print_error("%s and %s differ\n", pa, pb);
      fail();
    }
    free(x);
    free(y);
  }
  return n;
}

/* 1 when the report cannot yet be drawn from a folder without every
** per-step column (the report's reader that takes any columns comes
** separately), which made the write fail with rc. The test that needs it
** then checks only that the other way fails alike. */
static int report_needs_every_column(int rc, const naryn_diags *d) {
  const char *e = tu_first_error(d);
  if (rc != NARYN_EIO || !(strstr(e, "expected a column") || strstr(e, "nodes.csv")))
    return 0;
  print_message("the report cannot be drawn without every per-step column "
                "yet: %s\n", e);
  return 1;
}

/* The first error of d after the folder's name (its first '/'). */
static const char *error_in_folder(const naryn_diags *d) {
  const char *e = tu_first_error(d), *slash = strchr(e, '/');
  return slash ? slash : e;
}

/* Runs m both ways with output o (NULL for all) and compares the two
** folders; returns the streamed result and, in *full, the whole one (both
** NULL when the report cannot be drawn from o's files yet). */
static naryn_result *both_ways(const naryn_model *m, const naryn_output *o,
                               naryn_result **full, int *nfiles) {
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_simulate(m, NULL, full, d), NARYN_OK);
  int rc = naryn_result_write_with(*full, o, "whole", d);
  if (o && report_needs_every_column(rc, d)) {
    /* The streamed run fails the same way and leaves no folder either. */
    char want[1024];
    snprintf(want, sizeof want, "%s", error_in_folder(d));
    naryn_diags_clear(d);
    assert_int_equal(naryn_simulate_to(m, NULL, o, "streamed", NULL, d), rc);
    assert_string_equal(error_in_folder(d), want);
    assert_int_equal(access("whole", F_OK), -1);
    assert_int_equal(access("streamed", F_OK), -1);
    naryn_diags_free(d);
    naryn_result_free(*full);
    *full = NULL;
    return NULL;
  }
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_result *r = NULL;
  rc = naryn_simulate_to(m, NULL, o, "streamed", &r, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  assert_int_equal(naryn_diags_errors(d), 0);
  naryn_diags_free(d);
  int n = same_folders("whole", "streamed");
  if (nfiles) *nfiles = n;
  tu_rmdir("whole");
  tu_rmdir("streamed");
  return r;
}

/* The whole-model files from both ways, for models of monthly and daily
** steps, with one country, several, and steps fewer than the slots. */
static void same_files_both_ways(void **state) {
  (void)state;
  const char *paths[] = {"examples/single/model.json",
                         "examples/cascade/model.yaml",
                         "examples/two-countries/model.yaml",
                         "models/naryn/model.yaml"};
  for (int k = 0; k <= 4; k++) {
    naryn_model *m = k < 4 ? load_path(paths[k]) : load_chain();
    naryn_result *full = NULL;
    int n = 0;
    naryn_result *r = both_ways(m, NULL, &full, &n);
    /* nodes, links, summary, objective, network, run and the report, and
    ** zones.csv and grids.csv for the built-in model, whose Toktogul has
    ** zones and which has grids. */
    assert_int_equal(n, k == 3 ? 9 : 7);
    naryn_result_free(r);
    naryn_result_free(full);
    naryn_model_free(m);
  }
}

/* Two summaries, field by field, bit for bit. */
static void same_summary(const naryn_summary *a, const naryn_summary *b) {
  const double *x = &a->energy_gwh, *y = &b->energy_gwh;
  for (size_t i = 0; i < sizeof *a / sizeof(double); i++) tu_same_bits(x[i], y[i]);
}

/* What a streamed result answers is what the whole one answers: every
** total bit for bit, and the steps it still holds; NaN for the others. */
static void streamed_result_answers_as_whole(void **state) {
  (void)state;
  naryn_model *m = load_chain();
  naryn_result *full = NULL, *r = both_ways(m, NULL, &full, NULL);
  int nc = naryn_result_country_count(full);
  assert_int_equal(naryn_result_country_count(r), nc);
  assert_int_equal(nc, 3); /* A, B and the junctions' "" */
  const char *others[] = {"Z", ""};
  for (int c = -1; c <= nc + 1; c++) {
    const char *code = c < 0 ? NULL : c < nc ? naryn_result_country(full, c)
                                             : others[c - nc];
    if (c >= 0 && c < nc) assert_string_equal(naryn_result_country(r, c), code);
    for (int s = 0; s < NARYN_SEASON_COUNT; s++) {
      naryn_summary a, b;
      naryn_result_summary(full, code, (naryn_season)s, &a);
      naryn_result_summary(r, code, (naryn_season)s, &b);
      same_summary(&a, &b);
    }
    for (int k = 0; k < naryn_model_term_count(m); k++) {
      tu_same_bits(naryn_result_term(r, k, code), naryn_result_term(full, k, code));
      if (!code) assert_true(naryn_result_term(r, k, NULL) > 0);
    }
  }
  /* Shortages, spill and end storage all count, over many nodes. */
  naryn_summary all;
  naryn_result_summary(r, NULL, NARYN_SEASON_ALL, &all);
  assert_true(all.municipal_shortage_hm3 + all.irrigation_shortage_hm3 > 0);
  tu_same_bits(naryn_result_objective(r), naryn_result_objective(full));
  tu_same_bits(naryn_result_years(r), naryn_result_years(full));
  int n1, s1, n2, s2;
  tu_same_bits(naryn_result_max_residual_hm3(r, &n1, &s1),
               naryn_result_max_residual_hm3(full, &n2, &s2));
  assert_int_equal(n1, n2);
  assert_int_equal(s1, s2);
  tu_same_bits(naryn_result_max_residual_rel(r), naryn_result_max_residual_rel(full));
  tu_same_bits(naryn_result_system_residual_hm3(r),
               naryn_result_system_residual_hm3(full));
  assert_int_equal(naryn_result_solves(r), naryn_result_solves(full));
  assert_int_equal(naryn_result_iterations(r), naryn_result_iterations(full));
  /* The last two steps are held, the others are not. */
  int T = naryn_model_steps(m);
  assert_true(T > 700);
  for (int t = -1; t <= T; t++) {
    int held = t >= T - 2 && t < T;
    for (int i = 0; i < naryn_model_node_count(m); i++)
      for (int q = 0; q < NARYN_Q_COUNT; q++) {
        double v = naryn_result_node(r, (naryn_quantity)q, i, t);
        if (held)
          tu_same_bits(v, naryn_result_node(full, (naryn_quantity)q, i, t));
        else
          assert_true(isnan(v));
      }
    for (int l = 0; l < naryn_model_link_count(m); l++) {
      double f = naryn_result_link_flow_hm3(r, l, t);
      double x = naryn_result_link_loss_hm3(r, l, t);
      if (held) {
        tu_same_bits(f, naryn_result_link_flow_hm3(full, l, t));
        tu_same_bits(x, naryn_result_link_loss_hm3(full, l, t));
      } else {
        assert_true(isnan(f));
        assert_true(isnan(x));
      }
    }
  }
  assert_true(isnan(naryn_result_node(r, NARYN_Q_COUNT, 0, T - 1)));
  assert_true(isnan(naryn_result_link_flow_hm3(r, naryn_model_link_count(m), T - 1)));
  naryn_result_free(r);
  naryn_result_free(full);
  naryn_model_free(m);
}

/* A streamed result holds no steps to write: it is refused with per-step
** output, and without it writes what the whole result writes. */
static void streamed_result_writes_summaries_only(void **state) {
  (void)state;
  naryn_model *m = load_chain();
  naryn_result *full = NULL, *r = both_ways(m, NULL, &full, NULL);
  /* A streamed result holds no steps to write: only its summaries. */
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_result_write(r, "again", d), NARYN_EARG);
  assert_int_equal(access("again", F_OK), -1);
  assert_non_null(strstr(tu_first_error(d), "got a streamed result"));
  naryn_diags_clear(d);
  naryn_output o;
  naryn_output_init(&o);
  o.per_step = 0;
  int rc = naryn_result_write_with(r, &o, "again", d);
  if (report_needs_every_column(rc, d)) {
    /* The whole result fails the same way, and neither leaves a folder. */
    char want[1024];
    snprintf(want, sizeof want, "%s", error_in_folder(d));
    naryn_diags_clear(d);
    assert_int_equal(naryn_result_write_with(full, &o, "whole", d), rc);
    assert_string_equal(error_in_folder(d), want);
    assert_int_equal(access("again", F_OK), -1);
    assert_int_equal(access("whole", F_OK), -1);
  } else {
    assert_int_equal(rc, NARYN_OK);
    assert_int_equal(naryn_result_write_with(full, &o, "whole", d), NARYN_OK);
    assert_int_equal(same_folders("again", "whole"), 5);
    tu_rmdir("again");
    tu_rmdir("whole");
  }
  naryn_diags_free(d);
  naryn_result_free(r);
  naryn_result_free(full);
  naryn_model_free(m);
}

/* Splits a CSV line (no quotes) into at most 32 cells, in place. */
static int cells(char *line, char **cell) {
  int n = 0;
  cell[n++] = line;
  for (char *p = line; *p && n < 32; p++)
    if (*p == ',') {
      *p = '\0';
      cell[n++] = p + 1;
    }
  return n;
}

/* Checks that every row of 'part' is the row of 'whole' for the same key
** (its first 'key' cells) with only the columns named in part's header,
** and that part has a row for each row of whole whose key passes 'want'. */
static void is_projection(const char *part_path, const char *whole_path,
                          int key, int (*want)(char **row), int *rows) {
  char *part = tu_slurp(part_path), *whole = tu_slurp(whole_path);
  assert_non_null(part);
  assert_non_null(whole);
  char *ps = NULL, *ws = NULL;
  char *ph = strtok_r(part, "\n", &ps), *wh = strtok_r(whole, "\n", &ws);
  char *pc[32], *wc[32];
  int np = cells(ph, pc), nw = cells(wh, wc), col[32];
  for (int j = 0; j < np; j++) {
    col[j] = -1;
    for (int k = 0; k < nw; k++)
      if (strcmp(pc[j], wc[k]) == 0) col[j] = k;
    assert_true(col[j] >= 0);
    if (j < key) assert_int_equal(col[j], j);
  }
  *rows = 0;
  for (char *w = strtok_r(NULL, "\n", &ws); w; w = strtok_r(NULL, "\n", &ws)) {
    assert_int_equal(cells(w, wc), nw);
    if (!want(wc)) continue;
    char *p = strtok_r(NULL, "\n", &ps);
    assert_non_null(p);
    assert_int_equal(cells(p, pc), np);
    for (int j = 0; j < np; j++) assert_string_equal(pc[j], wc[col[j]]);
    (*rows)++;
  }
  assert_null(strtok_r(NULL, "\n", &ps));
  free(part);
  free(whole);
}

static int reservoir_or_demand(char **row) {
  return row[1][0] == 'r' || row[1][0] == 'd';
}
static int second_link(char **row) { return strcmp(row[1], "r0->j0") == 0; }

/* The files of the chosen output o, written streamed into part/, against
** the whole files in all/; then summaries only, and no column at all. */
static void check_chosen_files(const naryn_model *m, naryn_output *o,
                               naryn_diags *d) {
  assert_int_equal(naryn_simulate_to(m, NULL, o, "part", NULL, d), NARYN_OK);
  char *nodes = tu_slurp("part/nodes.csv");
  assert_true(strncmp(nodes, "date,node,country,type,storage_end_hm3,shortage_hm3,"
                             "residual_hm3\n", 65) == 0);
  free(nodes);
  char *links = tu_slurp("part/links.csv");
  assert_true(strncmp(links, "date,link,from,to,loss_hm3\n", 27) == 0);
  free(links);
  int rows;
  is_projection("part/nodes.csv", "all/nodes.csv", 4, reservoir_or_demand, &rows);
  assert_int_equal(rows, 6 * naryn_model_steps(m));
  is_projection("part/links.csv", "all/links.csv", 4, second_link, &rows);
  assert_int_equal(rows, naryn_model_steps(m));
  /* Summaries only: no per-step file, the rest as before. */
  o->per_step = 0;
  assert_int_equal(naryn_simulate_to(m, NULL, o, "part", NULL, d), NARYN_OK);
  assert_int_equal(access("part/nodes.csv", F_OK), -1);
  assert_int_equal(access("part/links.csv", F_OK), -1);
  char *x = tu_slurp("part/summary.csv"), *y = tu_slurp("all/summary.csv");
  assert_string_equal(x, y);
  free(x);
  free(y);
  /* No quantity and no link column: no per-step file either. */
  o->per_step = 1;
  memset(o->quantity, 0, sizeof o->quantity);
  o->link_loss = 0;
  assert_int_equal(naryn_simulate_to(m, NULL, o, "part", NULL, d), NARYN_OK);
  assert_int_equal(access("part/nodes.csv", F_OK), -1);
  assert_int_equal(access("part/links.csv", F_OK), -1);
  assert_int_equal(naryn_diags_errors(d), 0);
  tu_rmdir("part");
}

/* With some quantities, nodes and link columns chosen, both ways write
** the same files, holding exactly the chosen columns and rows of the
** whole files; with no per-step output, neither file. */
static void chosen_output(void **state) {
  (void)state;
  naryn_model *m = load_chain();
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *full = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &full, d), NARYN_OK);
  assert_int_equal(naryn_result_write(full, "all", d), NARYN_OK);
  /* The header of the whole file names the link as the chosen rows do. */
  char *links = tu_slurp("all/links.csv");
  assert_non_null(strstr(links, "\n2000-01-01,r0->j0,r0,j0,"));
  free(links);
  int nn = naryn_model_node_count(m), nl = naryn_model_link_count(m);
  unsigned char *node_on = calloc((size_t)nn, 1), *link_on = calloc((size_t)nl, 1);
  for (int i = 0; i < nn; i++) {
    const char *name = naryn_model_node_name(m, i);
    node_on[i] = name[0] == 'r' || name[0] == 'd';
  }
  link_on[2] = 1;
  naryn_output o;
  naryn_output_init(&o);
  memset(o.quantity, 0, sizeof o.quantity);
  o.quantity[NARYN_Q_STORAGE_END_HM3] = o.quantity[NARYN_Q_SHORTAGE_HM3] = 1;
  o.quantity[NARYN_Q_RESIDUAL_HM3] = 1;
  o.control = 0;
  o.node_on = node_on;
  o.link_on = link_on;
  o.link_flow = 0;
  naryn_result *f2 = NULL, *r = both_ways(m, &o, &f2, NULL);
  if (r) {
    naryn_result_free(r);
    naryn_result_free(f2);
    check_chosen_files(m, &o, d);
  }
  naryn_diags_free(d);
  tu_rmdir("all");
  free(node_on);
  free(link_on);
  naryn_result_free(full);
  naryn_model_free(m);
}

/* Writes m's run to "fed" with output o (NULL: all), the report drawn
** from what its writer kept of nodes.csv, then draws the report again from
** the folder alone, as "naryn report" does: the same page. */
static void fed_report_as_from_folder(const naryn_model *m, const naryn_output *o) {
  naryn_diags *d = naryn_diags_new(0);
  int rc = naryn_simulate_to(m, NULL, o, "fed", NULL, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  char *fed = tu_slurp("fed/report.html");
  assert_non_null(fed);
  rc = naryn_report_write("fed", d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  char *again = tu_slurp("fed/report.html");
  assert_non_null(again);
  if (strcmp(fed, again) != 0) {
    print_error("the report drawn as the run was written differs from the "
                "one drawn from its folder\n");
    fail();
  }
  free(fed);
  free(again);
  naryn_diags_free(d);
  tu_rmdir("fed");
}

/* The report of a run takes the series it draws from nodes.csv as the
** file is written (report/feed.c): the page is the same as the one drawn
** from the folder, for monthly runs, daily runs drawn per step, daily runs
** of more than 1,500 steps drawn by month (from the first day of a month
** or not), weekly runs (a short last step) drawn per step, runs of 3-day
** steps drawn by month, and with some nodes and quantities chosen. */
static void report_from_the_run(void **state) {
  (void)state;
  const char *paths[] = {"examples/single/model.json", "examples/cascade/model.yaml",
                         "models/naryn/model.yaml"};
  for (int k = 0; k < 3; k++) {
    naryn_model *m = load_path(paths[k]);
    fed_report_as_from_folder(m, NULL);
    naryn_model_free(m);
  }
  /* The chain: two years per step, five years by month; two years by week,
  ** fourteen years by 3-day steps (by month). */
  static const char *const horizons[] = {
      "horizon: {start: 2000-01-01, end: 2001-12-31, step: daily}",
      "horizon: {start: 2000-01-01, end: 2004-12-31, step: daily}",
      "horizon: {start: 2000-01-17, end: 2004-11-30, step: daily}",
      "horizon: {start: 2000-01-01, end: 2001-12-31, step: weekly}",
      "horizon: {start: 2000-01-17, end: 2013-11-30, step: \"3 days\"}"};
  for (int k = 0; k < 5; k++) {
    char *text = malloc(sizeof chain + 64);
    assert_non_null(text);
    const char *at = strstr(chain, "horizon:"), *end = strchr(at, '\n');
    snprintf(text, sizeof chain + 64, "%.*s%s%s", (int)(at - chain), chain,
             horizons[k], end);
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    assert_int_equal(tu_load_text(text, &m, d), NARYN_OK);
    naryn_diags_free(d);
    free(text);
    fed_report_as_from_folder(m, NULL);
    /* Some nodes and quantities only. */
    int nn = naryn_model_node_count(m);
    unsigned char *node_on = calloc((size_t)nn, 1);
    for (int i = 0; i < nn; i++) node_on[i] = i % 3 != 0;
    naryn_output o;
    naryn_output_init(&o);
    memset(o.quantity, 0, sizeof o.quantity);
    o.quantity[NARYN_Q_STORAGE_END_HM3] = o.quantity[NARYN_Q_DELIVERED_HM3] = 1;
    o.quantity[NARYN_Q_DEMAND_HM3] = o.quantity[NARYN_Q_INFLOW_HM3] = 1;
    o.node_on = node_on;
    fed_report_as_from_folder(m, &o);
    free(node_on);
    naryn_model_free(m);
  }
}

/* A reservoir with monthly guide curves and rules in each zone, over a
** daily horizon that draw_zones fills in. */
static const char zoned[] =
    "name: zoned\n"
    "horizon: {start: %s, end: %s, step: daily}\n"
    "nodes:\n"
    "  - {name: In, type: inflow, inflow_m3s: [2, 2, 4, 9, 14, 12, 8, 5, 3, 2, 2, 2]}\n"
    "  - name: R\n"
    "    type: reservoir\n"
    "    max_storage_hm3: 100\n"
    "    initial_storage_hm3: 50\n"
    "    rules:\n"
    "      - {name: roomy, type: max_release, release_m3s: 100, priority: 9}\n"
    "      - {name: cut, type: max_release, release_m3s: 4, priority: 2}\n"
    "    zones:\n"
    "      - {name: normal, rules: [roomy]}\n"
    "      - {name: buffer, top_hm3: [45, 45, 40, 40, 40, 45, 45, 48, 48, 48, 45, 45], "
    "rules: [cut]}\n"
    "  - {name: D, type: demand, demand_m3s: 7, priority: 5}\n"
    "  - {name: S, type: sink}\n"
    "links:\n"
    "  - {from: In, to: R}\n"
    "  - {from: R, to: D}\n"
    "  - {from: R, to: S}\n";

/* The same for a model with zones and rules (the guide curves and the
** controlling rules, kept by the feed), per step and by month, with and
** without the rule column. */
static void report_from_the_run_with_rules(void **state) {
  (void)state;
  static const char *const spans[][2] = {{"2000-06-01", "2001-12-31"},
                                         {"2000-06-17", "2005-03-31"}};
  for (int k = 0; k < 2; k++) {
    char text[sizeof zoned + 64];
    snprintf(text, sizeof text, zoned, spans[k][0], spans[k][1]);
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = NULL;
    assert_int_equal(tu_load_text(text, &m, d), NARYN_OK);
    naryn_diags_free(d);
    fed_report_as_from_folder(m, NULL);
    naryn_output o;
    naryn_output_init(&o);
    o.control = 0;
    fed_report_as_from_folder(m, &o);
    naryn_model_free(m);
  }
}

/* Stops the run when it reports step 'at'. */
static void stop_at(void *user, const naryn_progress *p) {
  if (p->done == *(const int *)user) naryn_interrupt();
}

/* An interrupted or failed streamed run leaves the folder as it was, and
** no temporary beside it. */
static void failure_leaves_folder(void **state) {
  (void)state;
  naryn_model *m = load_chain();
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_simulate_to(m, NULL, NULL, "out", NULL, d), NARYN_OK);
  char *before = tu_slurp("out/nodes.csv");
  naryn_sim_opts so;
  naryn_sim_opts_init(&so);
  int at = 100;
  so.progress = stop_at;
  so.progress_user = &at;
  naryn_result *r = (naryn_result *)&at; /* must be set to NULL */
  assert_int_equal(naryn_simulate_to(m, &so, NULL, "out", &r, d), NARYN_EINTR);
  naryn_interrupt_clear();
  assert_null(r);
  char *after = tu_slurp("out/nodes.csv");
  assert_string_equal(before, after);
  free(after);
  /* A format this build does not write is refused before the run. */
  naryn_diags_clear(d);
  naryn_output o;
  naryn_output_init(&o);
  o.format = (naryn_format)7;
  assert_int_equal(naryn_simulate_to(m, NULL, &o, "out", NULL, d), NARYN_EARG);
  assert_non_null(strstr(tu_first_error(d), "expected the format csv or netcdf"));
  after = tu_slurp("out/nodes.csv");
  assert_string_equal(before, after);
  free(after);
  free(before);
  DIR *here = opendir(".");
  assert_non_null(here);
  for (struct dirent *e; (e = readdir(here));)
    if (strstr(e->d_name, "naryn-tmp")) {
      print_error("temporary left behind: %s\n", e->d_name);
      fail();
    }
  closedir(here);
  naryn_diags_free(d);
  tu_rmdir("out");
  naryn_model_free(m);
}

int main(void) {
  if (!getcwd(top, sizeof top)) return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(same_files_both_ways),
      cmocka_unit_test(streamed_result_answers_as_whole),
      cmocka_unit_test(streamed_result_writes_summaries_only),
      cmocka_unit_test(chosen_output),
      cmocka_unit_test(report_from_the_run),
      cmocka_unit_test(report_from_the_run_with_rules),
      cmocka_unit_test(failure_leaves_folder),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
