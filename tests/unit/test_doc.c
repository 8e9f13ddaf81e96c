/*
** test_doc.c: reading JSON and YAML into positioned trees, the messages
** for malformed files, scalar conversions, descriptions and merging.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "naryn_int.h"
#include "testutil.h"


/* Parses text named "m.json". */
static naryn__doc *parse(tu_fixture *f, const char *text) {
  return naryn__doc_read_buffer("m.json", text, strlen(text), f->a, f->d);
}

/* Parses text that must fail with exactly one diagnostic, and returns that
** diagnostic formatted (in a static buffer). */
static const char *only_error(tu_fixture *f, const char *text) {
  static char buf[1024];
  naryn_diags_clear(f->d);
  assert_null(parse(f, text));
  assert_int_equal(naryn_diags_count(f->d), 1);
  naryn_diag_format(naryn_diags_get(f->d, 0), buf, sizeof buf);
  return buf;
}

/* Formats the i-th diagnostic (in a static buffer). */
static const char *diag_text(tu_fixture *f, int i) {
  static char buf[1024];
  naryn_diag_format(naryn_diags_get(f->d, i), buf, sizeof buf);
  return buf;
}

static void assert_at(const naryn__doc *v, int line, int col) {
  assert_non_null(v);
  assert_int_equal(v->line, line);
  assert_int_equal(v->col, col);
}

static void assert_text(const naryn__doc *v, const char *text) {
  assert_non_null(v);
  assert_int_equal(v->kind, NARYN__DOC_SCALAR);
  assert_string_equal(v->str, text);
  assert_int_equal(v->len, strlen(text));
}

static void json_positions_are_exact(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "{\"a\":1,\n \"list\": [[1,2],[3.5, -4e3]],\n  \"s\": \"x y\"}");
  assert_non_null(r);
  assert_int_equal(r->kind, NARYN__DOC_MAP);
  assert_at(r, 1, 1);
  assert_int_equal(r->n, 3);
  assert_string_equal(r->file, "m.json");
  assert_at(naryn__doc_key(r, "a"), 1, 2);
  assert_at(naryn__doc_get(r, "a"), 1, 6);
  assert_text(naryn__doc_get(r, "a"), "1");
  assert_at(naryn__doc_key(r, "list"), 2, 2);
  naryn__doc *list = naryn__doc_get(r, "list");
  assert_at(list, 2, 10);
  assert_int_equal(list->kind, NARYN__DOC_SEQ);
  assert_null(list->keys);
  assert_int_equal(list->n, 2);
  assert_at(list->vals[0], 2, 11);
  assert_at(list->vals[0]->vals[1], 2, 14);
  assert_at(list->vals[1]->vals[1], 2, 23);
  assert_text(list->vals[1]->vals[1], "-4e3");
  assert_at(naryn__doc_key(r, "s"), 3, 3);
  assert_at(naryn__doc_get(r, "s"), 3, 8);
  assert_text(naryn__doc_get(r, "s"), "x y");
  assert_int_equal(naryn_diags_count(f->d), 0);
}

static void yaml_positions_and_comments(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f,
                        "# a model\n"
                        "name: Naryn   # trailing comment\n"
                        "nodes:\n"
                        "  - name: Toktogul\n"
                        "    max_storage_hm3: 19500\n"
                        "  - {name: Sink, type: sink}\n"
                        "horizon:\n"
                        "- 2000-01\n");
  assert_non_null(r);
  assert_at(r, 2, 1);
  assert_at(naryn__doc_key(r, "name"), 2, 1);
  assert_text(naryn__doc_get(r, "name"), "Naryn");
  assert_at(naryn__doc_get(r, "name"), 2, 7);
  naryn__doc *nodes = naryn__doc_get(r, "nodes");
  assert_at(nodes, 4, 3);
  assert_int_equal(nodes->n, 2);
  assert_at(nodes->vals[0], 4, 5);
  assert_at(naryn__doc_key(nodes->vals[0], "max_storage_hm3"), 5, 5);
  assert_at(naryn__doc_get(nodes->vals[0], "max_storage_hm3"), 5, 22);
  assert_at(nodes->vals[1], 6, 5);
  assert_at(naryn__doc_get(nodes->vals[1], "type"), 6, 24);
  naryn__doc *horizon = naryn__doc_get(r, "horizon");
  assert_at(horizon, 8, 1);
  assert_text(horizon->vals[0], "2000-01");
  assert_at(horizon->vals[0], 8, 3);
}

static void quoted_and_plain_scalars(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f,
                        "plain: 12\n"
                        "double: \"12\"\n"
                        "single: 'it''s'\n"
                        "literal: |\n  line\n"
                        "folded: >\n  a\n  b\n"
                        "tagged: !!str 12\n"
                        "empty:\n");
  assert_non_null(r);
  assert_false(naryn__doc_get(r, "plain")->quoted);
  assert_true(naryn__doc_get(r, "double")->quoted);
  assert_at(naryn__doc_get(r, "double"), 2, 9);
  assert_text(naryn__doc_get(r, "single"), "it's");
  assert_true(naryn__doc_get(r, "single")->quoted);
  assert_text(naryn__doc_get(r, "literal"), "line\n");
  assert_true(naryn__doc_get(r, "literal")->quoted);
  assert_text(naryn__doc_get(r, "folded"), "a b\n");
  assert_true(naryn__doc_get(r, "folded")->quoted);
  assert_true(naryn__doc_get(r, "tagged")->quoted);
  assert_text(naryn__doc_get(r, "empty"), "");
  assert_false(naryn__doc_get(r, "empty")->quoted);
  assert_true(naryn__doc_is_null(naryn__doc_get(r, "empty")));
  /* A NUL escaped inside a string is kept, with its length. */
  r = parse(f, "{\"z\": \"a\\u0000b\"}");
  assert_non_null(r);
  assert_int_equal(naryn__doc_get(r, "z")->len, 3);
}

/* JSON that YAML treats specially: tabs, a byte-order mark, CRLF. */
static void tabs_bom_and_crlf_are_read(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "\t{\n\t\"a\":\t{\n\t\t\"b\": \"x\ty\"\n\t}\n}\n\t\n");
  assert_non_null(r);
  assert_at(r, 1, 2);
  naryn__doc *a = naryn__doc_get(r, "a");
  assert_at(naryn__doc_key(r, "a"), 2, 2);
  assert_at(a, 2, 7);
  assert_at(naryn__doc_key(a, "b"), 3, 3);
  assert_text(naryn__doc_get(a, "b"), "x\ty");

  r = parse(f, "\xEF\xBB\xBF{\"a\": 1}");
  assert_non_null(r);
  assert_at(r, 1, 1);
  assert_at(naryn__doc_get(r, "a"), 1, 7);

  r = parse(f, "{\"a\": 1,\r\n \"b\": \"\xC3\xA9\", \"c\": 2}\r\n");
  assert_non_null(r);
  assert_at(naryn__doc_key(r, "b"), 2, 2);
  assert_at(naryn__doc_get(r, "c"), 2, 17); /* columns count characters */

  r = parse(f, "a: 1\r\nb:\r\n  - 2\r\n");
  assert_non_null(r);
  assert_at(naryn__doc_get(r, "b")->vals[0], 3, 5);
  assert_int_equal(naryn_diags_count(f->d), 0);
}

/* YAML flow style accepts a trailing comma and unquoted words. */
static void lenient_json_is_accepted(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "{\"a\": [1, 2,], \"b\": bad garbage,}");
  assert_non_null(r);
  assert_int_equal(r->n, 2);
  assert_int_equal(naryn__doc_get(r, "a")->n, 2);
  assert_text(naryn__doc_get(r, "b"), "bad garbage");
}

static void json_mistakes_have_clear_messages(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "{\"a\": 1 \"b\": 2}"),
                      "m.json:1:12: error: syntax: expected ',' or '}' (while parsing a "
                      "flow mapping started at line 1 column 1), got ':' after the "
                      "unquoted text \"1 \\\"b\\\"\" (is a ',' missing?)");
  assert_string_equal(only_error(f, "{\n  \"a\": \"x\"\n  \"b\": 2\n}"),
                      "m.json:3:3: error: syntax: expected ',' or '}' (while parsing a "
                      "flow mapping started at line 1 column 1), got the string \"b\" "
                      "(is a ',' missing?)");
  assert_string_equal(only_error(f, "[\"a\" \"b\"]"),
                      "m.json:1:6: error: syntax: expected ',' or ']' (while parsing a "
                      "flow sequence started at line 1 column 1), got the string \"b\" "
                      "(is a ',' missing?)");
  assert_string_equal(only_error(f, "{\"a\": 1"),
                      "m.json:2:1: error: syntax: expected ',' or '}' (while parsing a "
                      "flow mapping started at line 1 column 1), got the end of the file");
  assert_string_equal(only_error(f, "{\"a\": [1, 2}"),
                      "m.json:1:12: error: syntax: expected ',' or ']' (while parsing a "
                      "flow sequence started at line 1 column 7), got '}'");
  assert_string_equal(only_error(f, "[1,\n"),
                      "m.json:2:1: error: syntax: expected a value (while parsing a flow "
                      "node), got the end of the file");
  assert_string_equal(only_error(f, "{\"a\": 1}}"),
                      "m.json:1:9: error: syntax: expected the end of the file after the "
                      "top-level value, got '}'");
  assert_string_equal(only_error(f, "{\"a\" 1}"),
                      "m.json:1:6: error: syntax: expected ':' after the key \"a\" (while "
                      "parsing a flow mapping started at line 1 column 1), got '1'");
  assert_string_equal(only_error(f, "{\"a\": 1,, \"b\": 2}"),
                      "m.json:1:9: error: syntax: expected a value (while parsing a flow "
                      "node), got ','");
  assert_string_equal(only_error(f, "{\"a\": @x}"),
                      "m.json:1:7: error: syntax: expected a value or punctuation, got '@' "
                      "(text starting with it must be quoted)");
  assert_string_equal(only_error(f, "{\"a\": \"abc}\n"),
                      "m.json:2:1: error: syntax: expected the closing '\"' (while scanning "
                      "a quoted scalar started at line 1 column 7), got the end of the file");
  assert_string_equal(only_error(f, "{'a': 'abc}"),
                      "m.json:1:12: error: syntax: expected the closing \"'\" (while "
                      "scanning a quoted scalar started at line 1 column 7), got the end "
                      "of the file");
  assert_string_equal(only_error(f, "{\"a\": \"\\q\"}"),
                      "m.json:1:8: error: syntax: expected an escape such as \\n, \\t, \\\", "
                      "\\\\ or \\u00e9 (while parsing a quoted scalar started at line 1 "
                      "column 7), got '\\q'");
}

static void yaml_mistakes_have_clear_messages(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "a:\n\tb: 1\n"),
                      "m.json:2:1: error: syntax: expected spaces for indentation, got a "
                      "tab character");
  assert_string_equal(only_error(f, "a: b: c\n"),
                      "m.json:1:5: error: syntax: expected the end of the value, got ':' "
                      "(quote a value that contains ': ')");
  assert_string_equal(only_error(f, "a:\n  b: 1\n c: 2\n"),
                      "m.json:3:2: error: syntax: expected a key aligned with the keys "
                      "above it (while parsing a block mapping started at line 1 column "
                      "1), got 'c'");
  assert_string_equal(only_error(f, "- a\nb: 1\n"),
                      "m.json:2:1: error: syntax: expected '-' starting the next list item "
                      "(while parsing a block collection started at line 1 column 1), got "
                      "'b'");
  assert_string_equal(only_error(f, "a: - b\n"),
                      "m.json:1:4: error: syntax: expected a value, got '-' (a list item "
                      "must start its own line)");
  assert_string_equal(only_error(f, "{a: 1}\n{b: 2}\n"),
                      "m.json:2:1: error: syntax: expected the end of the file after the "
                      "top-level value, got '{'");
}

static void bad_bytes_are_located(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "a: 1\nb: \"x\x01y\"\n"),
                      "m.json:2:6: error: syntax: expected text, got the control "
                      "character 0x01");
  assert_string_equal(only_error(f, "\xEF\xBB\xBF" "a: \xFF\n"),
                      "m.json:1:4: error: syntax: expected UTF-8 text, got the byte 0xFF "
                      "(invalid leading UTF-8 octet)");
  assert_string_equal(only_error(f, "a: \xC3"),
                      "m.json:1:4: error: syntax: expected UTF-8 text, got an incomplete "
                      "UTF-8 sequence at the end of the file");
  naryn_diags_clear(f->d);
  assert_null(naryn__doc_read_buffer("w.json", "\xFF\xFE{\0}\0", 6, f->a, f->d));
  assert_string_equal(diag_text(f, 0), "w.json:1:1: error: syntax: expected UTF-8 text, "
                                       "got UTF-16 (little-endian); save the file as UTF-8");
}

static void duplicate_keys_are_all_reported(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "nodes:\n  - name: A\n    type: sink\n    name: B\n"),
                      "m.json:4:5: error: nodes[0].name: expected each key once, got "
                      "\"name\" again (first at line 2 column 5)");
  naryn_diags_clear(f->d);
  assert_null(parse(f, "{\"a\": 1,\n \"b\": {\"x\": 1, \"x\": 2},\n \"a\": 3}"));
  assert_int_equal(naryn_diags_count(f->d), 2);
  assert_string_equal(diag_text(f, 0), "m.json:2:16: error: b.x: expected each key once, "
                                       "got \"x\" again (first at line 2 column 8)");
  assert_string_equal(diag_text(f, 1), "m.json:3:2: error: a: expected each key once, "
                                       "got \"a\" again (first at line 1 column 2)");
  /* Many keys, one repeated far apart. */
  char big[20000] = "{";
  for (int i = 0; i < 1000; i++) {
    size_t used = strlen(big);
    snprintf(big + used, sizeof big - used, "\"k%d\": %d, ", i, i);
  }
  strcat(big, "\"k7\": 0}");
  assert_string_equal(only_error(f, big), "m.json:1:12782: error: k7: expected each key once, "
                                          "got \"k7\" again (first at line 1 column 65)");
}

static void keys_must_be_scalars(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "{[1]: 2}"),
                      "m.json:1:2: error: syntax: expected a text key, got a list");
  assert_string_equal(only_error(f, "a:\n  ? {x: 1}\n  : 2\n"),
                      "m.json:2:5: error: a: expected a text key, got an object");
}

static void aliases_share_the_anchored_node(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "base: &b {x: 1}\nname: &n Toktogul\nuse: *b\nalso: *n\n");
  assert_non_null(r);
  assert_ptr_equal(naryn__doc_get(r, "use"), naryn__doc_get(r, "base"));
  assert_ptr_equal(naryn__doc_get(r, "also"), naryn__doc_get(r, "name"));
  assert_text(naryn__doc_get(r, "also"), "Toktogul");

  assert_string_equal(only_error(f, "{\"a\": *x}"),
                      "m.json:1:7: error: a: expected an anchor &x defined before this "
                      "alias, got the undefined alias *x");
  assert_string_equal(only_error(f, "a: &r [1, *r]\n"),
                      "m.json:1:11: error: a[1]: expected an alias to a complete value, "
                      "got *r inside the value anchored as &r");
}

static void documents_must_be_one_and_not_empty(void **state) {
  tu_fixture *f = *state;
  assert_string_equal(only_error(f, "{\"a\": 1}\n---\n{\"b\": 2}\n"),
                      "m.json:2:1: error: syntax: expected one document in the file, got "
                      "a second document");
  const char *empty = "m.json:1:1: error: syntax: expected a model object, got an empty file";
  assert_string_equal(only_error(f, ""), empty);
  assert_string_equal(only_error(f, "# only a comment\n\n# another\n"), empty);
  assert_string_equal(only_error(f, "---\n"), empty);
  /* One document with explicit markers is fine. */
  assert_non_null(parse(f, "---\na: 1\n...\n"));
}

static void nesting_depth_is_limited(void **state) {
  tu_fixture *f = *state;
  char deep[1201];
  memset(deep, '[', 600);
  memset(deep + 600, ']', 600);
  deep[1200] = '\0';
  const char *msg = only_error(f, deep);
  assert_non_null(strstr(msg, "m.json:1:257: error: [0][0]"));
  assert_non_null(strstr(msg, ": expected at most 256 levels of nesting, got more"));
  assert_non_null(parse(f, "[[[[[[[[[[1]]]]]]]]]]"));
}

/* A scalar node made by hand. */
static naryn__doc scalar(const char *text, int quoted) {
  naryn__doc v;
  memset(&v, 0, sizeof v);
  v.kind = NARYN__DOC_SCALAR;
  v.str = text;
  v.len = strlen(text);
  v.quoted = quoted;
  return v;
}

static void numbers_convert_strictly(void **state) {
  (void)state;
  static const struct {
    const char *text;
    double value;
  } good[] = {{"12", 12},   {"-1", -1}, {"2.5", 2.5},     {"1e3", 1000}, {"+4", 4},
              {".5", 0.5},  {"5.", 5},  {"1E-2", 0.01},   {"-0", 0},     {"007", 7},
              {"1e-400", 0}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    naryn__doc v = scalar(good[i].text, 0);
    double x = -99;
    assert_int_equal(naryn__doc_number(&v, &x), 0);
    assert_true(x == good[i].value);
  }
  static const char *const bad[] = {"",    "nan", ".nan", "inf", ".inf", "-.inf", "0x1A",
                                    "1_000", "12abc", "1e400", "1e", "-", ".", "1.2.3",
                                    " 1", "1 ", "e5", "0o17"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    naryn__doc v = scalar(bad[i], 0);
    double x = -99;
    assert_int_equal(naryn__doc_number(&v, &x), -1);
    assert_true(x == -99);
  }
  naryn__doc quoted = scalar("12", 1);
  double x;
  assert_int_equal(naryn__doc_number(&quoted, &x), -1);
  assert_int_equal(naryn__doc_number(NULL, &x), -1);
}

static void ints_convert_strictly(void **state) {
  (void)state;
  static const struct {
    const char *text;
    int value;
  } good[] = {{"42", 42}, {"-7", -7}, {"+3", 3}, {"2147483647", 2147483647},
              {"-2147483648", -2147483647 - 1}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    naryn__doc v = scalar(good[i].text, 0);
    int n = -99;
    assert_int_equal(naryn__doc_int(&v, &n), 0);
    assert_int_equal(n, good[i].value);
  }
  static const char *const bad[] = {"2147483648", "-2147483649", "99999999999999999999",
                                    "1.0", "1e3", "", "x", "0x10", "1_0"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    naryn__doc v = scalar(bad[i], 0);
    int n = -99;
    assert_int_equal(naryn__doc_int(&v, &n), -1);
    assert_int_equal(n, -99);
  }
  naryn__doc quoted = scalar("4", 1);
  int n;
  assert_int_equal(naryn__doc_int(&quoted, &n), -1);
}

static void bools_and_nulls(void **state) {
  (void)state;
  static const char *const yes[] = {"true", "True", "TRUE"};
  static const char *const no[] = {"false", "False", "FALSE"};
  for (int i = 0; i < 3; i++) {
    naryn__doc t = scalar(yes[i], 0), fl = scalar(no[i], 0);
    int b = -1;
    assert_int_equal(naryn__doc_bool(&t, &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(naryn__doc_bool(&fl, &b), 0);
    assert_int_equal(b, 0);
  }
  static const char *const not_bool[] = {"yes", "no", "tRue", "1", "", "on"};
  for (size_t i = 0; i < sizeof not_bool / sizeof *not_bool; i++) {
    naryn__doc v = scalar(not_bool[i], 0);
    int b = -1;
    assert_int_equal(naryn__doc_bool(&v, &b), -1);
    assert_int_equal(b, -1);
  }
  naryn__doc quoted_true = scalar("true", 1);
  int b;
  assert_int_equal(naryn__doc_bool(&quoted_true, &b), -1);

  static const char *const nulls[] = {"null", "~", "Null", "NULL", ""};
  for (int i = 0; i < 5; i++) {
    naryn__doc v = scalar(nulls[i], 0);
    assert_true(naryn__doc_is_null(&v));
  }
  naryn__doc quoted_null = scalar("null", 1), nil = scalar("nil", 0), empty_q = scalar("", 1);
  assert_false(naryn__doc_is_null(&quoted_null));
  assert_false(naryn__doc_is_null(&nil));
  assert_false(naryn__doc_is_null(&empty_q));
  assert_false(naryn__doc_is_null(NULL));
}

static void describe_values(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "{\"o\": {\"k\": 1}, \"e\": {}, \"l\": [1, 2, 3], \"one\": [1],"
                           " \"none\": [], \"n\": 12, \"s\": \"abc\", \"q\": \"12\","
                           " \"t\": true, \"z\": null, \"w\": x, \"es\": \"\","
                           " \"long\": \"0123456789012345678901234567890123456789xyz\","
                           " \"esc\": \"say \\\"hi\\\"\\n\\tnow\", \"u\": \"\xC3\xA9t\xC3\xA9\"}");
  assert_non_null(r);
  static const struct {
    const char *key, *text;
  } cases[] = {{"o", "an object"},
               {"e", "an empty object"},
               {"l", "a list of 3 items"},
               {"one", "a list of 1 item"},
               {"none", "an empty list"},
               {"n", "the number 12"},
               {"s", "the string \"abc\""},
               {"q", "the string \"12\""},
               {"t", "true"},
               {"z", "null"},
               {"w", "the string \"x\""},
               {"es", "an empty string"},
               {"long", "the string \"0123456789012345678901234567890123456789...\""},
               {"esc", "the string \"say \\\"hi\\\"\\n\\tnow\""},
               {"u", "the string \"\xC3\xA9t\xC3\xA9\""}};
  char buf[128];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    assert_string_equal(naryn__doc_describe(naryn__doc_get(r, cases[i].key), buf, sizeof buf),
                        cases[i].text);
  naryn__doc empty = scalar("", 0);
  assert_string_equal(naryn__doc_describe(&empty, buf, sizeof buf), "an empty value");
  assert_string_equal(naryn__doc_describe(NULL, buf, sizeof buf), "nothing");
  char small[8];
  assert_string_equal(naryn__doc_describe(naryn__doc_get(r, "s"), small, sizeof small),
                      "the str");
}

static void get_and_key_lookups(void **state) {
  tu_fixture *f = *state;
  naryn__doc *r = parse(f, "{\"a\": 1, \"list\": [1]}");
  assert_non_null(r);
  assert_null(naryn__doc_get(r, "missing"));
  assert_null(naryn__doc_key(r, "missing"));
  assert_null(naryn__doc_get(NULL, "a"));
  assert_null(naryn__doc_get(naryn__doc_get(r, "list"), "a"));
  assert_null(naryn__doc_get(naryn__doc_get(r, "a"), "a"));
  assert_text(naryn__doc_key(r, "list"), "list");
}

/* Parses an overlay under its own file name. */
static naryn__doc *parse_as(tu_fixture *f, const char *name, const char *text) {
  naryn__doc *v = naryn__doc_read_buffer(name, text, strlen(text), f->a, f->d);
  assert_non_null(v);
  return v;
}

static void merge_matches_items_by_name(void **state) {
  tu_fixture *f = *state;
  naryn__doc *base = parse_as(f, "m.yaml",
                              "nodes:\n"
                              "  - {name: A, type: reservoir, max_storage_hm3: 10}\n"
                              "horizon: {start: 2000-01}\n");
  naryn__doc *over = parse_as(f, "s.yaml",
                              "nodes:\n"
                              "  - {name: A, max_storage_hm3: 20}\n"
                              "  - {name: B, type: sink}\n");
  naryn__doc *horizon = naryn__doc_get(base, "horizon");
  naryn__doc *m = naryn__doc_merge(base, over, f->a);
  assert_ptr_equal(m, base);
  naryn__doc *nodes = naryn__doc_get(m, "nodes");
  assert_int_equal(nodes->n, 2);
  naryn__doc *a = nodes->vals[0], *b = nodes->vals[1];
  assert_text(naryn__doc_get(a, "name"), "A");
  assert_text(naryn__doc_get(a, "max_storage_hm3"), "20");
  assert_string_equal(naryn__doc_get(a, "max_storage_hm3")->file, "s.yaml");
  assert_at(naryn__doc_get(a, "max_storage_hm3"), 2, 32);
  assert_text(naryn__doc_get(a, "type"), "reservoir");
  assert_string_equal(naryn__doc_get(a, "type")->file, "m.yaml");
  assert_text(naryn__doc_get(b, "name"), "B");
  assert_string_equal(b->file, "s.yaml");
  assert_at(b, 3, 5);
  assert_ptr_equal(naryn__doc_get(m, "horizon"), horizon);
  /* The overlay itself is untouched. */
  assert_int_equal(naryn__doc_get(over, "nodes")->n, 2);
  assert_int_equal(naryn__doc_get(over, "nodes")->vals[0]->n, 2);
}

static void merge_matches_links_by_from_and_to(void **state) {
  tu_fixture *f = *state;
  naryn__doc *base = parse_as(f, "m.yaml",
                              "links:\n"
                              "  - {from: A, to: B, max_flow_m3s: 5}\n"
                              "  - {from: B, to: C}\n");
  naryn__doc *over = parse_as(f, "s.yaml",
                              "links:\n"
                              "  - {from: B, to: C, loss_fraction: 0.1}\n"
                              "  - {from: B, to: D}\n");
  naryn__doc *links = naryn__doc_get(naryn__doc_merge(base, over, f->a), "links");
  assert_int_equal(links->n, 3);
  assert_text(naryn__doc_get(links->vals[0], "max_flow_m3s"), "5");
  assert_null(naryn__doc_get(links->vals[0], "loss_fraction"));
  assert_text(naryn__doc_get(links->vals[1], "loss_fraction"), "0.1");
  assert_text(naryn__doc_get(links->vals[1], "from"), "B");
  assert_text(naryn__doc_get(links->vals[2], "to"), "D");
}

static void merge_replaces_what_it_cannot_match(void **state) {
  tu_fixture *f = *state;
  naryn__doc *base = parse_as(f, "m.yaml",
                              "steps: [1, 2]\n"
                              "nodes: [{name: A, x: 1}, {type: sink}]\n"
                              "kind: {a: 1}\n"
                              "keep: [{name: A, x: 1}]\n");
  naryn__doc *over = parse_as(f, "s.yaml",
                              "steps: [3]\n"
                              "nodes: [{name: A, y: 2}]\n"
                              "kind: 5\n"
                              "keep: []\n");
  naryn__doc *m = naryn__doc_merge(base, over, f->a);
  assert_ptr_equal(naryn__doc_get(m, "steps"), naryn__doc_get(over, "steps"));
  assert_ptr_equal(naryn__doc_get(m, "nodes"), naryn__doc_get(over, "nodes"));
  assert_ptr_equal(naryn__doc_get(m, "kind"), naryn__doc_get(over, "kind"));
  /* An empty overlay list matches nothing, so the keyed list stays. */
  assert_int_equal(naryn__doc_get(m, "keep")->n, 1);
  /* Whole documents of different kinds, and missing sides. */
  naryn__doc *list = parse_as(f, "l.yaml", "[1]");
  assert_ptr_equal(naryn__doc_merge(base, list, f->a), list);
  assert_ptr_equal(naryn__doc_merge(NULL, list, f->a), list);
  assert_ptr_equal(naryn__doc_merge(base, NULL, f->a), base);
}

static void merge_recurses_into_mappings(void **state) {
  tu_fixture *f = *state;
  naryn__doc *base = parse_as(f, "m.json", "{\"a\": {\"b\": {\"c\": 1, \"d\": 2}}, \"z\": 0}");
  naryn__doc *over = parse_as(f, "s.json", "{\"a\": {\"b\": {\"c\": 3, \"e\": 4}}, \"y\": 9}");
  naryn__doc *m = naryn__doc_merge(base, over, f->a);
  naryn__doc *b = naryn__doc_get(naryn__doc_get(m, "a"), "b");
  assert_int_equal(b->n, 3);
  assert_text(naryn__doc_get(b, "c"), "3");
  assert_string_equal(naryn__doc_get(b, "c")->file, "s.json");
  assert_at(naryn__doc_get(b, "c"), 1, 19);
  assert_text(naryn__doc_get(b, "d"), "2");
  assert_text(naryn__doc_get(b, "e"), "4");
  assert_text(b->keys[2], "e");
  assert_string_equal(b->keys[2]->file, "s.json");
  assert_int_equal(m->n, 3);
  assert_text(m->keys[2], "y");
}

/* Merging must not change nodes that aliases or earlier overlays share. */
static void merge_leaves_shared_nodes_alone(void **state) {
  tu_fixture *f = *state;
  naryn__doc *base = parse_as(f, "m.yaml",
                              "defaults: &d {x: 1}\n"
                              "nodes: [{name: A, cfg: *d}, {name: B, cfg: *d}]\n");
  naryn__doc *over1 = parse_as(f, "s1.yaml", "nodes: [{name: A, cfg: {x: 2}}, {name: C, v: 1}]");
  naryn__doc *over2 = parse_as(f, "s2.yaml", "nodes: [{name: C, v: 2}]");
  naryn__doc *m = naryn__doc_merge(base, over1, f->a);
  m = naryn__doc_merge(m, over2, f->a);
  naryn__doc *nodes = naryn__doc_get(m, "nodes");
  assert_int_equal(nodes->n, 3);
  assert_text(naryn__doc_get(naryn__doc_get(nodes->vals[0], "cfg"), "x"), "2");
  assert_text(naryn__doc_get(naryn__doc_get(nodes->vals[1], "cfg"), "x"), "1");
  assert_text(naryn__doc_get(naryn__doc_get(m, "defaults"), "x"), "1");
  assert_text(naryn__doc_get(nodes->vals[2], "v"), "2");
  assert_text(naryn__doc_get(naryn__doc_get(over1, "nodes")->vals[1], "v"), "1");
}

static void files_are_read_whole(void **state) {
  tu_fixture *f = *state;
  char path[] = "/tmp/naryn_test_doc_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *text = "# model\nname: Naryn\nnodes:\n  - name: A\n";
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  naryn__doc *r = naryn__doc_read_file(path, f->a, f->d);
  remove(path);
  assert_non_null(r);
  assert_string_equal(r->file, path);
  assert_at(naryn__doc_get(r, "nodes")->vals[0], 4, 5);
  assert_string_equal(naryn__doc_get(r, "nodes")->vals[0]->file, path);

  assert_null(naryn__doc_read_file("/tmp/naryn_no_such_dir/m.yaml", f->a, f->d));
  assert_string_equal(diag_text(f, 0), "/tmp/naryn_no_such_dir/m.yaml: error: cannot read: "
                                       "No such file or directory");
  assert_int_equal(naryn_diags_get(f->d, 0)->code, NARYN_EIO);
  naryn_diags_clear(f->d);
  assert_null(naryn__doc_read_file("/tmp", f->a, f->d));
  assert_string_equal(diag_text(f, 0), "/tmp: error: expected a regular file, got a "
                                       "directory");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(json_positions_are_exact, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(yaml_positions_and_comments, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(quoted_and_plain_scalars, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(tabs_bom_and_crlf_are_read, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(lenient_json_is_accepted, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(json_mistakes_have_clear_messages, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(yaml_mistakes_have_clear_messages, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(bad_bytes_are_located, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(duplicate_keys_are_all_reported, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(keys_must_be_scalars, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(aliases_share_the_anchored_node, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(documents_must_be_one_and_not_empty, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(nesting_depth_is_limited, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test(numbers_convert_strictly),
      cmocka_unit_test(ints_convert_strictly),
      cmocka_unit_test(bools_and_nulls),
      cmocka_unit_test_setup_teardown(describe_values, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(get_and_key_lookups, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_matches_items_by_name, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_matches_links_by_from_and_to, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_replaces_what_it_cannot_match, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_recurses_into_mappings, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(merge_leaves_shared_nodes_alone, tu_fixture_setup, tu_fixture_teardown),
      cmocka_unit_test_setup_teardown(files_are_read_whole, tu_fixture_setup, tu_fixture_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
