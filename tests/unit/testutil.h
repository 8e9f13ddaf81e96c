/*
** testutil.h: helpers the unit tests share: writing a model into a fresh
** temporary folder, loading it, and finding a diagnostic's text.
*/
#ifndef NARYN_TESTUTIL_H
#define NARYN_TESTUTIL_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "naryn.h"

/* Writes text into dir/name. */
static inline void tu_write(const char *dir, const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) abort();
  fputs(text, f);
  fclose(f);
}

/* Makes a temporary folder; the caller removes it with tu_rmdir. */
static inline char *tu_mkdtemp(char *buf) {
  strcpy(buf, "/tmp/naryn-test-XXXXXX");
  if (!mkdtemp(buf)) abort();
  return buf;
}

static inline void tu_rmdir(const char *dir) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) abort();
}

/* Group fixtures for suites that work inside a temporary folder: the
** setup makes one and moves into it; the teardown moves back and removes
** it with all it holds. */
static char tu_group_dir[64], tu_group_cwd[4096];

static inline int tu_enter_tmpdir(void **state) {
  (void)state;
  if (!getcwd(tu_group_cwd, sizeof tu_group_cwd)) return -1;
  tu_mkdtemp(tu_group_dir);
  return chdir(tu_group_dir);
}

static inline int tu_leave_tmpdir(void **state) {
  (void)state;
  if (chdir(tu_group_cwd) != 0) return -1;
  tu_rmdir(tu_group_dir);
  return 0;
}

/* A whole file as a string (free it), or NULL when it cannot be read. */
static inline char *tu_slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t n = 0, cap = 1 << 16;
  char *buf = malloc(cap);
  for (size_t got; buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0;) {
    n += got;
    if (cap - n - 1 == 0) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  if (!buf) abort();
  buf[n] = '\0';
  return buf;
}

/* Loads model text written to a temporary file; returns the status and
** leaves the model in *m (NULL on failure). */
static inline int tu_load_text(const char *text, naryn_model **m,
                               naryn_diags *d) {
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml", text);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  int rc = naryn_model_load(path, NULL, 0, m, d);
  tu_rmdir(dir);
  return rc;
}

/* Asserts |a - b| <= tol in double precision (cmocka's assert_float_equal
** compares floats), printing both values when it fails. */
#define assert_near(a, b, tol)                                                  \
  do {                                                                          \
    double tu_a_ = (a), tu_b_ = (b), tu_t_ = (tol);                             \
    if (!(fabs(tu_a_ - tu_b_) <= tu_t_))                                        \
      print_error("%.17g != %.17g (tolerance %g)\n", tu_a_, tu_b_, tu_t_);      \
    assert_true(fabs(tu_a_ - tu_b_) <= tu_t_);                                  \
  } while (0)

/* The formatted text of the first diagnostic of severity sev in d, or ""
** when none. */
static inline const char *tu_first_of(const naryn_diags *d, naryn_severity sev) {
  static char line[1024];
  line[0] = '\0';
  for (int i = 0; i < naryn_diags_count(d); i++)
    if (naryn_diags_get(d, i)->severity == (int)sev) {
      naryn_diag_format(naryn_diags_get(d, i), line, sizeof line);
      break;
    }
  return line;
}

/* The formatted text of the first error in d, or "" when none. */
static inline const char *tu_first_error(const naryn_diags *d) {
  return tu_first_of(d, NARYN_SEV_ERROR);
}

/* Loads model text, failing the test with its first error when it does
** not load. */
static inline naryn_model *tu_load_model(const char *text) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = tu_load_text(text, &m, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* Asserts that model text is refused as a bad model, its first error
** holding 'want' (printed when it does not). */
static inline void tu_refused(const char *text, const char *want) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(tu_load_text(text, &m, d), NARYN_EMODEL);
  const char *e = tu_first_error(d);
  if (!strstr(e, want)) print_error("%s\n", e);
  assert_non_null(strstr(e, want));
  naryn_diags_free(d);
}

/* Loads the model file at path, failing the test with its first error
** when it does not load. */
static inline naryn_model *tu_load_path(const char *path) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("%s: %s\n", path, tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
}

/* Value of a quantity at a named node and step. */
static inline double tu_q(const naryn_model *m, const naryn_result *r,
                          naryn_quantity q, const char *node, int step) {
  return naryn_result_node(r, q, naryn_model_node_index(m, node), step);
}


/* Fails the test unless got is within rel (relative to |want|, and at
** least rel absolute) of want. Needs cmocka.h, which every test includes
** first. */
static inline void tu_close_to(double got, double want, double rel) {
  double tol = rel * (fabs(want) > 1.0 ? fabs(want) : 1.0);
  if (fabs(got - want) > tol) {
    print_error("got %.12g, want %.12g (tolerance %g)\n", got, want, tol);
    fail();
  }
}

/* The same double, bit for bit (NaN matching NaN). */
static inline void tu_same_bits(double x, double y) {
  if (isnan(x) && isnan(y)) return;
  if (memcmp(&x, &y, sizeof x) != 0) {
    print_error("got %.17g and %.17g\n", x, y);
    fail();
  }
}

/* Every figure two results hold, compared bit for bit (needs cmocka.h). */
static inline void tu_same_results(const naryn_model *m, const naryn_result *a,
                         const naryn_result *b) {
  for (int t = 0; t < naryn_model_steps(m); t++) {
    for (int i = 0; i < naryn_model_node_count(m); i++) {
      for (int q = 0; q < NARYN_Q_COUNT; q++)
        tu_same_bits(naryn_result_node(a, (naryn_quantity)q, i, t),
                  naryn_result_node(b, (naryn_quantity)q, i, t));
      tu_same_bits(naryn_result_water_value(a, i, t), naryn_result_water_value(b, i, t));
    }
    for (int l = 0; l < naryn_model_link_count(m); l++) {
      tu_same_bits(naryn_result_link_flow_hm3(a, l, t), naryn_result_link_flow_hm3(b, l, t));
      tu_same_bits(naryn_result_link_loss_hm3(a, l, t), naryn_result_link_loss_hm3(b, l, t));
    }
  }
  for (int k = 0; k < naryn_model_term_count(m); k++)
    tu_same_bits(naryn_result_term(a, k, NULL), naryn_result_term(b, k, NULL));
  tu_same_bits(naryn_result_objective(a), naryn_result_objective(b));
  assert_int_equal(naryn_result_passes(a), naryn_result_passes(b));
  assert_int_equal(naryn_result_solves(a), naryn_result_solves(b));
  assert_int_equal(naryn_result_iterations(a), naryn_result_iterations(b));
}

#ifdef NARYN_INT_H
/* For tests of the internal readers (naryn_int.h included first): each
** test gets a fresh arena and diagnostics list. */
typedef struct tu_fixture {
  naryn__arena *a;
  naryn_diags *d;
} tu_fixture;

static inline int tu_fixture_setup(void **state) {
  tu_fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  f->a = naryn__arena_new();
  f->d = naryn_diags_new(0);
  *state = f;
  return f->a && f->d ? 0 : -1;
}

static inline int tu_fixture_teardown(void **state) {
  tu_fixture *f = *state;
  naryn__arena_free(f->a);
  naryn_diags_free(f->d);
  free(f);
  return 0;
}
#endif

#endif
