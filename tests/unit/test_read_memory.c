/*
** test_read_memory.c: reading models and CSV tables from memory, as the
** fuzz targets do: naryn__csv_read_buffer gives the same table and the
** same messages as reading the same bytes from a file, reads no byte past
** the length it is given, and naryn__model_load_with loads a model and its
** scenario from memory as naryn_model_load loads them from files.
**
** The suite works in a temporary directory (see testutil.h).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"
#include "testutil.h"

/* A table with every feature the reader handles: a byte-order mark, a
** comment, a blank line, CRLF and LF line ends, quotes and blanks. */
static const char table_text[] =
    "\xef\xbb\xbf# inflows\r\n"
    "date, flow_m3s ,\"note, quoted\"\r\n"
    "\n"
    "2001-01,  12.5,\"a \"\"b\"\"\"\n"
    "2001-02,7e1,  plain  \n";

/* Writes n bytes of text into the file 'name'. */
static void write_bytes(const char *name, const char *text, size_t n) {
  FILE *fp = fopen(name, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, n, fp), n);
  assert_int_equal(fclose(fp), 0);
}

/* Formats every diagnostic of d, one a line, into buf. */
static const char *all_diags(const naryn_diags *d, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < naryn_diags_count(d) && used < size; i++) {
    int n = naryn_diag_format(naryn_diags_get(d, i), buf + used, size - used);
    used += (size_t)n < size - used ? (size_t)n : size - used - 1;
    if (used + 1 < size) buf[used++] = '\n', buf[used] = '\0';
  }
  return buf;
}

static void csv_buffer_matches_file(void **state) {
  (void)state;
  size_t n = sizeof table_text - 1;
  write_bytes("in.csv", table_text, n);
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *f = naryn__csv_read("in.csv", a, d);
  /* The buffer goes on past its length with bytes that would change the
  ** last cell and add a row if they were read. */
  char *buf = malloc(n + 8);
  assert_non_null(buf);
  memcpy(buf, table_text, n);
  memcpy(buf + n, "X\n9,9,9\n", 8);
  naryn__csv *b = naryn__csv_read_buffer("in.csv", buf, n, a, d);
  /* The table is the reader's own copy: changing the buffer after the
  ** read changes nothing. */
  memset(buf, '?', n + 8);
  free(buf);
  assert_non_null(f);
  assert_non_null(b);
  assert_int_equal(naryn_diags_count(d), 0);
  assert_string_equal(b->file, "in.csv");
  assert_int_equal(b->ncols, 3);
  assert_int_equal(b->nrows, 2);
  assert_int_equal(b->ncols, f->ncols);
  assert_int_equal(b->nrows, f->nrows);
  for (int j = 0; j < b->ncols; j++)
    assert_string_equal(b->header[j], f->header[j]);
  for (int i = 0; i < b->nrows; i++) {
    assert_int_equal(b->row_line[i], f->row_line[i]);
    for (int j = 0; j < b->ncols; j++) {
      int k = i * b->ncols + j;
      assert_string_equal(b->cells[k], f->cells[k]);
      assert_int_equal(b->cell_col[k], f->cell_col[k]);
    }
  }
  assert_string_equal(b->header[1], "flow_m3s");
  assert_string_equal(b->cells[2], "a \"b\"");
  assert_string_equal(b->cells[5], "plain");
  assert_int_equal(b->row_line[1], 5);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Reads text from a file and from memory under the same name: both must
** fail with the same messages, which name that file. */
static void same_errors(const char *text, const char *want) {
  write_bytes("bad.csv", text, strlen(text));
  naryn__arena *a = naryn__arena_new();
  naryn_diags *df = naryn_diags_new(0), *db = naryn_diags_new(0);
  assert_null(naryn__csv_read("bad.csv", a, df));
  assert_null(naryn__csv_read_buffer("bad.csv", text, strlen(text), a, db));
  char ef[2048], eb[2048];
  assert_string_equal(all_diags(db, eb, sizeof eb), all_diags(df, ef, sizeof ef));
  assert_non_null(strstr(eb, want));
  naryn_diags_free(df);
  naryn_diags_free(db);
  naryn__arena_free(a);
}

static void csv_buffer_errors_match_file(void **state) {
  (void)state;
  same_errors("date,flow\n2001-01\n", "bad.csv:2:");
  same_errors("date,flow\n2001-01,\"12\n", "bad.csv:2:9:");
  same_errors("date,date\n", "bad.csv:1:");
  same_errors("# only a comment\n", "bad.csv");
  same_errors("", "bad.csv");
}

static void csv_buffer_without_name_or_bytes(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  assert_null(naryn__csv_read_buffer(NULL, NULL, 0, a, d));
  assert_int_equal(naryn_diags_errors(d), 1);
  assert_string_equal(naryn_diags_get(d, 0)->file, "<buffer>");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static const char model_text[] =
    "name: memory\n"
    "horizon: {start: \"2001-01\", end: \"2001-12\", step: monthly}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, inflow_m3s: 100}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Sea}\n";
static const char scenario_text[] =
    "scenario: wet\n"
    "nodes:\n"
    "  - {name: River, inflow_m3s: 150}\n"
    "  - {name: Town, type: demand, kind: municipal, demand_hm3: 1,\n"
    "     priority: 1}\n"
    "links:\n"
    "  - {from: River, to: Town}\n";

/* The documents of one load from memory, and the order they were asked
** for in. */
typedef struct source {
  const char *texts[2];
  int asked[4], nasked;
  int fail_at; /* the index to refuse, or -2 for none */
} source;

static naryn__doc *from_memory(void *user, int index, const char *path,
                               naryn__arena *a, naryn_diags *d) {
  source *s = user;
  if (s->nasked < 4) s->asked[s->nasked++] = index;
  if (index == s->fail_at) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot read: refused by the test");
    return NULL;
  }
  const char *t = s->texts[index + 1];
  return naryn__doc_read_buffer(path, t, strlen(t), a, d);
}

static void model_from_memory_matches_files(void **state) {
  (void)state;
  tu_write(".", "model.yaml", model_text);
  tu_write(".", "wet.yaml", scenario_text);
  const char *const overlays[] = {"wet.yaml"};
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *mf = NULL, *mm = NULL;
  assert_int_equal(naryn_model_load("model.yaml", overlays, 1, &mf, d), NARYN_OK);
  source s = {{model_text, scenario_text}, {0}, 0, -2};
  assert_int_equal(naryn__model_load_with("model.yaml", overlays, 1,
                                          from_memory, &s, &mm, d),
                   NARYN_OK);
  assert_int_equal(naryn_diags_errors(d), 0);
  assert_int_equal(s.nasked, 2);
  assert_int_equal(s.asked[0], -1);
  assert_int_equal(s.asked[1], 0);
  assert_string_equal(naryn_model_scenario(mm), "wet");
  assert_string_equal(naryn_model_scenario(mm), naryn_model_scenario(mf));
  assert_string_equal(naryn_model_name(mm), naryn_model_name(mf));
  assert_int_equal(naryn_model_node_count(mm), 3);
  assert_int_equal(naryn_model_node_count(mm), naryn_model_node_count(mf));
  assert_int_equal(naryn_model_link_count(mm), naryn_model_link_count(mf));
  assert_int_equal(naryn_model_steps(mm), naryn_model_steps(mf));
  int town = naryn_model_node_index(mm, "Town");
  assert_int_equal(town, naryn_model_node_index(mf, "Town"));
  assert_int_equal(naryn_model_node_type(mm, town), NARYN_NODE_DEMAND);
  naryn_model_free(mm);
  naryn_model_free(mf);
  naryn_diags_free(d);
}

static void model_source_failure_is_the_load_failure(void **state) {
  (void)state;
  const char *const overlays[] = {"wet.yaml"};
  for (int fail_at = -1; fail_at <= 0; fail_at++) {
    naryn_diags *d = naryn_diags_new(0);
    naryn_model *m = (naryn_model *)&m; /* must be reset to NULL */
    source s = {{model_text, scenario_text}, {0}, 0, fail_at};
    assert_int_equal(naryn__model_load_with("model.yaml", overlays, 1,
                                            from_memory, &s, &m, d),
                     NARYN_EIO);
    assert_null(m);
    assert_int_equal(naryn_diags_errors(d), 1);
    assert_int_equal(s.nasked, fail_at + 2);
    naryn_diags_free(d);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(csv_buffer_matches_file),
      cmocka_unit_test(csv_buffer_errors_match_file),
      cmocka_unit_test(csv_buffer_without_name_or_bytes),
      cmocka_unit_test(model_from_memory_matches_files),
      cmocka_unit_test(model_source_failure_is_the_load_failure),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
