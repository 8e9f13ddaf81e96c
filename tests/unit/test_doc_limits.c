/*
** test_doc_limits.c: model and scenario documents a hostile or careless
** user may give: files that are not regular or too large, other
** encodings, alias bombs, thousands of anchors, deep nesting, YAML merge
** keys, scenario lists that merging would silently misread, and numbers on
** the command line. Each must get one clear error, and none may take time
** or memory out of proportion to the file.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "naryn_int.h"
#include "testutil.h"


/* Parses n bytes copied into a heap buffer of exactly n bytes, so that
** AddressSanitizer sees any read past the end. */
static naryn__doc *parse_n(tu_fixture *f, const char *text, size_t n) {
  char *buf = malloc(n ? n : 1);
  assert_non_null(buf);
  memcpy(buf, text, n);
  naryn__doc *v = naryn__doc_read_buffer("m.yaml", buf, n, f->a, f->d);
  free(buf);
  return v;
}

/* Parses text that must fail with one error; returns it formatted. */
static const char *only_error_n(tu_fixture *f, const char *text, size_t n) {
  static char buf[1024];
  naryn_diags_clear(f->d);
  assert_null(parse_n(f, text, n));
  assert_int_equal(naryn_diags_count(f->d), 1);
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  return buf;
}

static const char *only_error(tu_fixture *f, const char *text) {
  return only_error_n(f, text, strlen(text));
}

/* Appends formatted text to a growing heap string. */
typedef struct text {
  char *s;
  size_t len, cap;
} text;

NARYN__PRINTF(2, 3)
static void add(text *t, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  assert_true(n >= 0);
  if (t->len + (size_t)n + 1 > t->cap) {
    t->cap = (t->len + (size_t)n + 1) * 2;
    t->s = realloc(t->s, t->cap);
    assert_non_null(t->s);
  }
  va_start(ap, fmt);
  vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  t->len += (size_t)n;
}

/* The seven-byte file found by fuzzing: the hint for the missing ':'
** looked at the byte after the end of the text. */
static void syntax_hint_stays_inside_the_text(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error_n(f, "{e\t: \"\"", 7),
                      "m.yaml:2:1: error: syntax: expected ',' or '}' (while parsing "
                      "a flow mapping started at line 1 column 1), got the end of "
                      "the file");
  assert_string_equal(only_error_n(f, "{\"a\": \"b\"", 9),
                      "m.yaml:2:1: error: syntax: expected ',' or '}' (while parsing "
                      "a flow mapping started at line 1 column 1), got the end of "
                      "the file");
}

/* 50,000 anchors and as many aliases read, each alias finding its anchor
** by hashing (the old linear search took seconds). */
static void many_anchors_read(void **state) {
  tu_fixture *f = *state;
  const int n = 50000;
  text t = {0};
  add(&t, "defs:\n");
  for (int i = 0; i < n; i++) add(&t, "  - &a%d %d\n", i, i);
  add(&t, "uses:\n");
  for (int i = n - 1; i >= 0; i--) add(&t, "  - *a%d\n", i);
  naryn__doc *r = parse_n(f, t.s, t.len);
  free(t.s);
  assert_non_null(r);
  naryn__doc *defs = naryn__doc_get(r, "defs"), *uses = naryn__doc_get(r, "uses");
  assert_int_equal(uses->n, n);
  for (int i = 0; i < n; i += 4999) assert_ptr_equal(uses->vals[n - 1 - i], defs->vals[i]);
  /* A later anchor of the same name wins. */
  r = parse_n(f, "a: &x 1\nb: &x 2\nc: *x\n", 22);
  assert_non_null(r);
  assert_string_equal(naryn__doc_get(r, "c")->str, "2");
}

/* Nested aliases that would stand for about 2^42 values are refused at the
** first alias that takes the count past the limit; fifteen levels of the
** same (about 2^18 values) read. */
static void alias_bombs_are_refused(void **state) {
  tu_fixture *f = *state;
  text t = {0};
  add(&t, "a0: &a0 [1, 2]\n");
  for (int i = 1; i <= 40; i++) add(&t, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
  const char *msg = only_error_n(f, t.s, t.len);
  free(t.s);
  assert_string_equal(msg, "m.yaml:18:18: error: a17[1]: expected aliases to stand "
                           "for at most 1000000 values in all, got more with *a16 "
                           "(an alias counts every value of what it names)");
  t = (text){0};
  add(&t, "a0: &a0 [1, 2]\n");
  for (int i = 1; i <= 15; i++) add(&t, "a%d: &a%d [*a%d, *a%d]\n", i, i, i - 1, i - 1);
  assert_non_null(parse_n(f, t.s, t.len));
  free(t.s);
}

/* Nesting is counted with aliases expanded: l1 is 202 levels deep, so the
** alias to it inside the 101 levels that lead to it in l2 passes 256. Without aliases, 100,000 '[' stop at
** the 257th. */
static void nesting_is_bounded_through_aliases(void **state) {
  tu_fixture *f = *state;
  text t = {0};
  for (int k = 0; k < 4; k++) {
    add(&t, "l%d: &l%d ", k, k);
    for (int i = 0; i < 100; i++) add(&t, "[");
    add(&t, k ? "*l%d" : "1", k - 1);
    for (int i = 0; i < 100; i++) add(&t, "]");
    add(&t, "\n");
  }
  const char *msg = only_error_n(f, t.s, t.len);
  free(t.s);
  assert_non_null(strstr(msg, "m.yaml:3:109: error: l2[0][0][0]"));
  assert_non_null(strstr(msg, ": expected at most 256 levels of nesting, got more "
                              "with the alias *l1"));
  size_t n = 100000;
  char *deep = malloc(n);
  assert_non_null(deep);
  memset(deep, '[', n);
  msg = only_error_n(f, deep, n);
  free(deep);
  assert_non_null(strstr(msg, "m.yaml:1:257: error: [0][0]"));
  assert_non_null(strstr(msg, "]...[0]"));
  assert_non_null(strstr(msg, ": expected at most 256 levels of nesting, got more"));
  assert_true(strlen(msg) < 200);
}

static void merge_keys_are_refused(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "d: &d {type: sink}\nnodes:\n  - name: Sea\n"
                                    "    <<: *d\n"),
                      "m.yaml:4:5: error: nodes[0]: expected a field name, got the "
                      "YAML merge key \"<<\", which naryn does not support (write "
                      "the fields out)");
  /* A quoted "<<" is an ordinary (if odd) key. */
  assert_non_null(parse_n(f, "\"<<\": 1\n", 8));
}

static void other_encodings_are_named(void **state) {
  tu_fixture *f = *state;
  static const struct {
    const char *text;
    size_t n;
    const char *got;
  } cases[] = {
      {"\xFF\xFE{\0}\0", 6, "UTF-16 (little-endian)"},
      {"{\0}\0", 4, "UTF-16 (little-endian)"},
      {"\xFE\xFF\0{\0}", 6, "UTF-16 (big-endian)"},
      {"\0{\0}", 4, "UTF-16 (big-endian)"},
      {"\xFF\xFE\0\0{\0\0\0", 8, "UTF-32 (little-endian)"},
      {"{\0\0\0}\0\0\0", 8, "UTF-32 (little-endian)"},
      {"\0\0\0{\0\0\0}", 8, "UTF-32 (big-endian)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char want[160];
    snprintf(want, sizeof want, "m.yaml:1:1: error: syntax: expected UTF-8 text, "
             "got %s; save the file as UTF-8", cases[i].got);
    assert_string_equal(only_error_n(f, cases[i].text, cases[i].n), want);
  }
}

/* A FIFO is refused without waiting for a writer, and a file one byte
** past the limit (sparse, so it takes no disk) from its size. */
static void special_and_huge_files_are_refused(void **state) {
  tu_fixture *f = *state;
  char dir[] = "/tmp/naryn_test_limits_XXXXXX", path[64], buf[256];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/fifo.yaml", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  assert_null(naryn__doc_read_file(path, f->a, f->d));
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  assert_non_null(strstr(buf, "fifo.yaml: error: expected a regular file, got a "
                              "FIFO (named pipe)"));
  assert_int_equal(unlink(path), 0);
  naryn_diags_clear(f->d);
  assert_null(naryn__doc_read_file("/dev/zero", f->a, f->d));
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  assert_string_equal(buf, "/dev/zero: error: expected a regular file, got a "
                           "character device");
  naryn_diags_clear(f->d);
  snprintf(path, sizeof path, "%s/huge.yaml", dir);
  int fd = open(path, O_WRONLY | O_CREAT, 0600);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)NARYN__DOC_MAX_BYTES + 1), 0);
  close(fd);
  assert_null(naryn__doc_read_file(path, f->a, f->d));
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  assert_non_null(strstr(buf, "huge.yaml: error: expected a file of at most 64 MiB, "
                              "got 67108865 bytes (64.0 MiB)"));
  char msg[320];
  assert_int_equal(naryn__infile_check(path, NARYN__CSV_MAX_BYTES, "huge.yaml", msg,
                                       sizeof msg), 0);
  assert_int_equal(naryn__infile_check(dir, NARYN__CSV_MAX_BYTES, "data", msg,
                                       sizeof msg), 1);
  assert_string_equal(msg, "expected a regular file, got the directory \"data\"");
  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* Parses a scenario-merge pair and returns the number of problems the
** merge check reports. */
static int merge_problems(tu_fixture *f, const char *base, const char *over) {
  naryn_diags_clear(f->d);
  naryn__doc *b = naryn__doc_read_buffer("m.yaml", base, strlen(base), f->a, f->d);
  naryn__doc *o = naryn__doc_read_buffer("s.yaml", over, strlen(over), f->a, f->d);
  assert_non_null(b);
  assert_non_null(o);
  return naryn__doc_merge_check(b, o, f->d);
}

static const char *diag0(tu_fixture *f) {
  static char buf[512];
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  return buf;
}

static void scenario_slips_are_reported(void **state) {
  tu_fixture *f = *state;
  const char *base = "nodes:\n  - {name: A, type: sink}\n  - {name: B, type: sink}\n"
                     "links:\n  - {from: A, to: B}\n";
  assert_int_equal(merge_problems(f, base, "nodes:\n  - {name: A, x: 1}\n"
                                           "  - {name: B, x: 2}\n"), 0);
  assert_int_equal(merge_problems(f, base, "nodes:\n  - {name: A, x: 1}\n"
                                           "  - {name: A, x: 2}\n"), 1);
  assert_string_equal(diag0(f), "s.yaml:3:12: error: nodes[1].name: expected each "
                                "name once in the list, got \"A\" again (first at "
                                "line 2 column 12)");
  assert_int_equal(merge_problems(f, base, "links:\n  - {from: A, to: B, a: 1}\n"
                                           "  - {from: A, to: B, a: 2}\n"), 1);
  assert_string_equal(diag0(f), "s.yaml:3:5: error: links[1]: expected each link "
                                "once in the list, got from \"A\" to \"B\" again "
                                "(first at line 2 column 5)");
  assert_int_equal(merge_problems(f, base, "nodes:\n  - {name: A, x: 1}\n"
                                           "  - {x: 2}\n"), 1);
  assert_string_equal(diag0(f), "s.yaml:3:5: error: nodes[1]: expected a field "
                                "\"name\" (or \"from\" and \"to\") saying which item "
                                "of the model to change, got an item without one "
                                "(it would replace the whole list)");
  /* A list of plain values replaces a list, as documented. */
  assert_int_equal(merge_problems(f, "a: [1, 2]\n", "a: [3]\n"), 0);
  /* Lists inside merged items are checked too. */
  assert_int_equal(merge_problems(f, "nodes:\n  - name: A\n    parts: [{name: p}]\n",
                                  "nodes:\n  - name: A\n    parts: [{name: q}, "
                                  "{name: q}]\n"), 1);
  assert_non_null(strstr(diag0(f), "nodes[0].parts[1].name: expected each name once"));
}

static void command_line_numbers_are_model_numbers(void **state) {
  (void)state;
  static const char *const good[] = {"16", "1.5", "-2e3", ".5", "5.", "+1", "0"};
  static const char *const bad[] = {"0x10", "inf", "nan", " 1", "1 ", "", "1e999",
                                    "1_000", "1,5", "e3", "0x1p3"};
  double x = 0;
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    assert_int_equal(naryn_parse_number(good[i], &x), NARYN_OK);
    assert_true(x == strtod(good[i], NULL));
  }
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    x = 7;
    assert_int_equal(naryn_parse_number(bad[i], &x), NARYN_EARG);
    assert_true(x == 7);
  }
  assert_int_equal(naryn_parse_number(NULL, &x), NARYN_EARG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(syntax_hint_stays_inside_the_text, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(many_anchors_read, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(alias_bombs_are_refused, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(nesting_is_bounded_through_aliases, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_keys_are_refused, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(other_encodings_are_named, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(special_and_huge_files_are_refused, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(scenario_slips_are_reported, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test(command_line_numbers_are_model_numbers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
