/*
** test_netcdf.c: results.nc, the NetCDF-4 file of a run's per-step values,
** written step by step and read back through libnetcdf's C interface.
**
** examples/single is simulated once; its results are written for every
** step and the file is checked against the result: the dimensions, the
** time axis and its bounds, the names, types and countries of nodes and
** links, the units, long names and global attributes, and every value bit
** for bit. A selection of nodes and quantities writes only those; two
** writes give the same bytes; a step out of order, a file closed early and
** a file that cannot be created are reported, naming the file, and leave
** no file behind.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <netcdf.h>
#include <sys/stat.h>

#include "naryn_int.h"
#include "testutil.h"

static naryn_model *model;
static naryn_result *result;

static int setup(void **state) {
  naryn_diags *d = naryn_diags_new(0);
  if (tu_enter_tmpdir(state) != 0 || !d) return -1;
  /* The suite works in a temporary folder: the model is found from the
  ** folder the tests started in. */
  char path[4200];
  snprintf(path, sizeof path, "%s/examples/single/model.json", tu_group_cwd);
  int rc = naryn_model_load(path, NULL, 0, &model, d);
  if (rc == NARYN_OK) rc = naryn_simulate(model, NULL, &result, d);
  if (rc == NARYN_OK) rc = naryn_result_set_command(result, "naryn simulate model.json");
  naryn_diags_free(d);
  return rc == NARYN_OK ? 0 : -1;
}

static int teardown(void **state) {
  naryn_result_free(result);
  naryn_model_free(model);
  return tu_leave_tmpdir(state);
}

/* Writes every step of the result into path through the three calls. */
static int write_steps(const char *path, const naryn_output *o,
                       naryn_diags *d) {
  naryn__nc *nc = naryn__nc_open(path, model, o, d);
  if (!nc) return NARYN_EIO;
  for (int t = 0; t < naryn_model_steps(model); t++)
    assert_int_equal(naryn__nc_step(nc, result, t), NARYN_OK);
  return naryn__nc_close(nc, d);
}

/* The text of an attribute, NUL-terminated, into buf. */
static const char *att_text(int id, int var, const char *name, char *buf,
                            size_t size) {
  size_t len = 0;
  assert_int_equal(nc_inq_attlen(id, var, name, &len), NC_NOERR);
  assert_true(len < size);
  assert_int_equal(nc_get_att_text(id, var, name, buf), NC_NOERR);
  buf[len] = '\0';
  return buf;
}

static size_t dim_len(int id, const char *name) {
  int dim;
  size_t len;
  assert_int_equal(nc_inq_dimid(id, name, &dim), NC_NOERR);
  assert_int_equal(nc_inq_dimlen(id, dim, &len), NC_NOERR);
  return len;
}

/* Checks a string variable against the n strings want(k). */
static void check_strings(int id, const char *name, int n,
                          const char *(*want)(int k)) {
  int var;
  char *got[64];
  assert_true(n <= 64);
  assert_int_equal(nc_inq_varid(id, name, &var), NC_NOERR);
  assert_int_equal(nc_get_var_string(id, var, got), NC_NOERR);
  for (int k = 0; k < n; k++) assert_string_equal(got[k], want(k));
  nc_free_string((size_t)n, got);
}

static const char *node_name(int k) { return naryn_model_node_name(model, k); }
static const char *node_type(int k) {
  return naryn_node_type_name(naryn_model_node_type(model, k));
}
static const char *node_country(int k) { return naryn_model_node_country(model, k); }
static const char *link_name(int k) { return naryn_model_link_name(model, k); }
static const char *link_from(int k) {
  return naryn_model_node_name(model, naryn_model_link_from(model, k));
}

/* Reads a (time, dim) variable whole; the caller frees it. */
static double *get_series(int id, const char *name, size_t n) {
  int var;
  assert_int_equal(nc_inq_varid(id, name, &var), NC_NOERR);
  double *v = malloc(n * sizeof *v);
  assert_non_null(v);
  assert_int_equal(nc_get_var_double(id, var, v), NC_NOERR);
  return v;
}

static void every_value(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  o.format = NARYN_FORMAT_NETCDF;
  assert_int_equal(write_steps("results.nc", &o, d), NARYN_OK);
  int id, var;
  char text[512];
  assert_int_equal(nc_open("results.nc", NC_NOWRITE, &id), NC_NOERR);
  int format;
  assert_int_equal(nc_inq_format(id, &format), NC_NOERR);
  assert_int_equal(format, NC_FORMAT_NETCDF4);
  int steps = naryn_model_steps(model), nn = naryn_model_node_count(model),
      nl = naryn_model_link_count(model);
  assert_int_equal(dim_len(id, "time"), steps);
  assert_int_equal(dim_len(id, "node"), nn);
  assert_int_equal(dim_len(id, "link"), nl);
  assert_int_equal(dim_len(id, "nv"), 2);
  assert_string_equal(att_text(id, NC_GLOBAL, "Conventions", text, sizeof text), "CF-1.8");
  assert_string_equal(att_text(id, NC_GLOBAL, "source", text, sizeof text),
                      "naryn " NARYN_VERSION);
  assert_string_equal(att_text(id, NC_GLOBAL, "history", text, sizeof text),
                      "naryn simulate model.json");
  assert_string_equal(att_text(id, NC_GLOBAL, "title", text, sizeof text),
                      "naryn results of the model \"single\"");
  /* The time axis: days since the first day, at each step's first day,
  ** with each month's bounds. */
  assert_int_equal(nc_inq_varid(id, "time", &var), NC_NOERR);
  assert_string_equal(att_text(id, var, "units", text, sizeof text),
                      "days since 2001-01-01 00:00:00");
  assert_string_equal(att_text(id, var, "calendar", text, sizeof text), "standard");
  assert_string_equal(att_text(id, var, "bounds", text, sizeof text), "time_bnds");
  double *time = get_series(id, "time", (size_t)steps);
  double *bnds = get_series(id, "time_bnds", 2 * (size_t)steps);
  double month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  double day = 0;
  for (int t = 0; t < steps; t++) {
    tu_same_bits(time[t], day);
    tu_same_bits(bnds[2 * t], day);
    day += month_days[t];
    tu_same_bits(bnds[2 * t + 1], day);
  }
  free(time);
  free(bnds);
  check_strings(id, "node", nn, node_name);
  check_strings(id, "node_type", nn, node_type);
  check_strings(id, "node_country", nn, node_country);
  check_strings(id, "link", nl, link_name);
  check_strings(id, "link_from", nl, link_from);
  /* Every quantity, with its units, bit for bit. */
  for (int q = 0; q < NARYN_Q_COUNT; q++) {
    const char *name = naryn_quantity_name((naryn_quantity)q);
    assert_int_equal(nc_inq_varid(id, name, &var), NC_NOERR);
    const char *unit = strstr(name, "_hm3") ? "hm3" : strstr(name, "_gwh") ? "GW h" : "m";
    assert_string_equal(att_text(id, var, "units", text, sizeof text), unit);
    assert_true(strlen(att_text(id, var, "long_name", text, sizeof text)) > 10);
    double fill = 0;
    assert_int_equal(nc_get_att_double(id, var, "_FillValue", &fill), NC_NOERR);
    assert_true(isnan(fill));
    int shuffle, deflate, level;
    assert_int_equal(nc_inq_var_deflate(id, var, &shuffle, &deflate, &level), NC_NOERR);
    assert_true(shuffle && deflate && level == 4);
    double *v = get_series(id, name, (size_t)steps * (size_t)nn);
    for (int t = 0; t < steps; t++)
      for (int i = 0; i < nn; i++)
        tu_same_bits(v[(size_t)t * (size_t)nn + (size_t)i],
                     naryn_result_node(result, (naryn_quantity)q, i, t));
    free(v);
  }
  double *flow = get_series(id, "flow_hm3", (size_t)steps * (size_t)nl);
  double *loss = get_series(id, "loss_hm3", (size_t)steps * (size_t)nl);
  for (int t = 0; t < steps; t++)
    for (int l = 0; l < nl; l++) {
      tu_same_bits(flow[(size_t)t * (size_t)nl + (size_t)l],
                   naryn_result_link_flow_hm3(result, l, t));
      tu_same_bits(loss[(size_t)t * (size_t)nl + (size_t)l],
                   naryn_result_link_loss_hm3(result, l, t));
    }
  free(flow);
  free(loss);
  /* The zone and the controlling rule as CF flags: each step's value is
  ** the position of its name (spaces as underscores) in flag_meanings,
  ** NaN where there is none. */
  for (int k = 0; k < 2; k++) {
    const char *vname = k ? "rule" : "zone";
    assert_int_equal(nc_inq_varid(id, vname, &var), NC_NOERR);
    char meanings[1024] = "";
    size_t mlen = 0;
    if (nc_inq_attlen(id, var, "flag_meanings", &mlen) == NC_NOERR)
      att_text(id, var, "flag_meanings", meanings, sizeof meanings);
    double *v = get_series(id, vname, (size_t)steps * (size_t)nn);
    for (int t = 0; t < steps; t++)
      for (int i = 0; i < nn; i++) {
        const char *name = k ? naryn_result_rule(result, i, t) : naryn_result_zone(result, i, t);
        double x = v[(size_t)t * (size_t)nn + (size_t)i];
        if (!name) {
          assert_true(isnan(x));
          continue;
        }
        /* The word at position x of flag_meanings. */
        const char *w = meanings;
        for (int q = 0; q < (int)x; q++) w = strchr(w, ' ') + 1;
        size_t wl = strcspn(w, " ");
        char want[64];
        snprintf(want, sizeof want, "%s", name);
        for (char *c = want; *c; c++) if (*c == ' ') *c = '_';
        assert_int_equal(wl, strlen(want));
        assert_memory_equal(w, want, wl);
      }
    free(v);
  }
  assert_int_equal(nc_close(id), NC_NOERR);
  assert_int_equal(naryn_diags_count(d), 0);
  /* The same result gives the same bytes. */
  assert_int_equal(rename("results.nc", "first.nc"), 0);
  assert_int_equal(naryn__nc_write(result, &o, "results.nc", d), NARYN_OK);
  char *a = tu_slurp("first.nc"), *b = tu_slurp("results.nc");
  struct stat sa, sb;
  assert_int_equal(stat("first.nc", &sa), 0);
  assert_int_equal(stat("results.nc", &sb), 0);
  assert_int_equal(sa.st_size, sb.st_size);
  assert_memory_equal(a, b, (size_t)sa.st_size);
  free(a);
  free(b);
  naryn_diags_free(d);
}

/* Two nodes, one quantity and the link flow: only those are written, the
** nodes in the model's order. */
static void a_selection(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  assert_int_equal(naryn_output_parse(&o, model, "nodes=Plant+Lake,storage_end_hm3,energy_gwh,flow",
                                      d), NARYN_OK);
  assert_int_equal(write_steps("some.nc", &o, d), NARYN_OK);
  naryn_output_free(&o);
  int id, var;
  assert_int_equal(nc_open("some.nc", NC_NOWRITE, &id), NC_NOERR);
  assert_int_equal(dim_len(id, "node"), 2);
  assert_int_equal(dim_len(id, "link"), 1);
  assert_int_equal(nc_inq_varid(id, "inflow_hm3", &var), NC_ENOTVAR);
  assert_int_equal(nc_inq_varid(id, "loss_hm3", &var), NC_ENOTVAR);
  int steps = naryn_model_steps(model), lake = naryn_model_node_index(model, "Lake"),
      plant = naryn_model_node_index(model, "Plant");
  double *s = get_series(id, "storage_end_hm3", 2 * (size_t)steps);
  double *e = get_series(id, "energy_gwh", 2 * (size_t)steps);
  double *f = get_series(id, "flow_hm3", (size_t)steps);
  for (int t = 0; t < steps; t++) {
    tu_same_bits(s[2 * t], naryn_result_node(result, NARYN_Q_STORAGE_END_HM3, lake, t));
    assert_true(isnan(s[2 * t + 1]));
    tu_same_bits(e[2 * t + 1], naryn_result_node(result, NARYN_Q_ENERGY_GWH, plant, t));
    tu_same_bits(f[t], naryn_result_link_flow_hm3(result, 1, t));
  }
  assert_true(e[1] > 0);
  free(s);
  free(e);
  free(f);
  char *names[2];
  assert_int_equal(nc_inq_varid(id, "node", &var), NC_NOERR);
  assert_int_equal(nc_get_var_string(id, var, names), NC_NOERR);
  assert_string_equal(names[0], "Lake");
  assert_string_equal(names[1], "Plant");
  nc_free_string(2, names);
  assert_int_equal(nc_close(id), NC_NOERR);
  /* Links only: no node dimension at all. */
  naryn_output_init(&o);
  assert_int_equal(naryn_output_parse(&o, model, "loss_hm3", d), NARYN_OK);
  assert_int_equal(write_steps("links.nc", &o, d), NARYN_OK);
  assert_int_equal(nc_open("links.nc", NC_NOWRITE, &id), NC_NOERR);
  int dim;
  assert_int_equal(nc_inq_dimid(id, "node", &dim), NC_EBADDIM);
  assert_int_equal(dim_len(id, "link"), naryn_model_link_count(model));
  assert_int_equal(nc_inq_varid(id, "loss_hm3", &var), NC_NOERR);
  assert_int_equal(nc_inq_varid(id, "flow_hm3", &var), NC_ENOTVAR);
  assert_int_equal(nc_close(id), NC_NOERR);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

static void failures(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn_output o;
  naryn_output_init(&o);
  /* A folder that does not exist. */
  assert_null(naryn__nc_open("missing/results.nc", model, &o, d));
  assert_non_null(strstr(tu_first_error(d), "missing/results.nc: error: cannot write "
                                            "NetCDF: creating the file: "));
  naryn_diags_clear(d);
  /* A step skipped. */
  naryn__nc *nc = naryn__nc_open("skip.nc", model, &o, d);
  assert_non_null(nc);
  assert_int_equal(naryn__nc_step(nc, result, 0), NARYN_OK);
  assert_int_equal(naryn__nc_step(nc, result, 2), NARYN_EIO);
  assert_int_equal(naryn__nc_step(nc, result, 1), NARYN_EIO);
  assert_int_equal(naryn__nc_close(nc, d), NARYN_EARG);
  assert_string_equal(tu_first_error(d),
                      "skip.nc: error: expected step 2 of 12 to be written next, got step 3");
  assert_int_equal(access("skip.nc", F_OK), -1);
  naryn_diags_clear(d);
  /* Closed before the last step. */
  nc = naryn__nc_open("short.nc", model, &o, d);
  assert_non_null(nc);
  for (int t = 0; t < 5; t++) assert_int_equal(naryn__nc_step(nc, result, t), NARYN_OK);
  assert_int_equal(naryn__nc_close(nc, d), NARYN_EARG);
  assert_string_equal(tu_first_error(d),
                      "short.nc: error: expected all 12 steps to be written before "
                      "the file is closed, got 5");
  assert_int_equal(access("short.nc", F_OK), -1);
  /* Given up. */
  nc = naryn__nc_open("aborted.nc", model, &o, d);
  assert_non_null(nc);
  assert_int_equal(naryn__nc_step(nc, result, 0), NARYN_OK);
  naryn__nc_abort(nc);
  assert_int_equal(access("aborted.nc", F_OK), -1);
  naryn__nc_abort(NULL);
  naryn_diags_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_value),
      cmocka_unit_test(a_selection),
      cmocka_unit_test(failures),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
