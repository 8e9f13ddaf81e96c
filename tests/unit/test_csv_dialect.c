/*
** test_csv_dialect.c: CSV files as spreadsheets save them in other
** languages: fields separated by semicolons or tabs, found from the header
** line or declared by a series, decimal commas read as exactly the number
** written with a point, quoting with any delimiter, and the refusals
** (thousands separators, a mark the series does not declare, two marks in
** one column, a decimal comma in a comma file), each with its message.
** Every expected value and position below was worked out by hand from the
** text of the file.
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

/* Reads text as a table with delimiter delim (0 to find it), which must
** load without any diagnostic. */
static naryn__csv *parse(const char *text, char delim, naryn__arena *a, naryn_diags *d) {
  naryn__csv *t = naryn__csv_read_buffer_delim("s.csv", text, strlen(text), delim, a, d);
  if (!t) print_error("%s\n", tu_first_error(d));
  assert_non_null(t);
  assert_int_equal(naryn_diags_count(d), 0);
  return t;
}

/* The cell at row, col. */
static const char *cell(const naryn__csv *t, int row, int col) {
  return t->cells[(size_t)row * t->ncols + col];
}

/* The number in cell (row, col) read with mark, which must be read. */
static double number(const naryn__csv *t, int row, int col, char mark) {
  naryn_diags *d = naryn_diags_new(0);
  double v = NAN;
  int rc = naryn__csv_number_mark(t, row, col, mark, &v, d);
  if (rc != 0) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, 0);
  naryn_diags_free(d);
  return v;
}

/* The message refusing cell (row, col) read with mark. */
static const char *refused(const naryn__csv *t, int row, int col, char mark) {
  static char msg[1024];
  naryn_diags *d = naryn_diags_new(0);
  double v;
  assert_int_equal(naryn__csv_number_mark(t, row, col, mark, &v, d), -1);
  snprintf(msg, sizeof msg, "%s", tu_first_error(d));
  naryn_diags_free(d);
  return msg;
}

/* A semicolon file with decimal commas, a byte-order mark and a comment:
** the delimiter is found, quoted fields keep their semicolons and doubled
** quotes, and the numbers are those written with points. */
static void semicolons_and_decimal_commas(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = parse("\xef\xbb\xbf# from a spreadsheet\n"
                        "date;q;note\n"
                        "2001-01;12,5;\"a;b\"\n"
                        "2001-02; -0,25 ;\"say \"\"hi\"\"\"\n"
                        "2001-03;1,2e3;\n",
                        0, a, d);
  assert_int_equal(t->delim, ';');
  assert_int_equal(t->ncols, 3);
  assert_int_equal(t->nrows, 3);
  assert_string_equal(t->header[2], "note");
  assert_string_equal(cell(t, 0, 2), "a;b");
  assert_string_equal(cell(t, 1, 2), "say \"hi\"");
  assert_string_equal(cell(t, 2, 2), "");
  /* "2001-02; -0,25 ;": the cell starts after the blank, at column 10. */
  assert_int_equal(t->row_line[1], 4);
  assert_int_equal(t->cell_col[1 * 3 + 1], 10);
  tu_same_bits(number(t, 0, 1, 0), 12.5);
  tu_same_bits(number(t, 1, 1, 0), -0.25);
  tu_same_bits(number(t, 2, 1, 0), 1200.0);
  tu_same_bits(number(t, 0, 1, ','), 12.5);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* A tab file: tabs separate (an empty field between two tabs is kept, not
** trimmed away), a quoted field may hold a tab, and spaces are trimmed. */
static void tabs_and_decimal_commas(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = parse("date\tq\tnote\r\n"
                        "2001-01\t7,5\t\"x\ty\"\r\n"
                        "2001-02\t\t \"z\" \r\n"
                        "2001-03\t 3 \tw\r\n",
                        0, a, d);
  assert_int_equal(t->delim, '\t');
  assert_int_equal(t->ncols, 3);
  assert_int_equal(t->nrows, 3);
  assert_string_equal(cell(t, 0, 2), "x\ty");
  assert_string_equal(cell(t, 1, 1), "");
  assert_string_equal(cell(t, 1, 2), "z");
  /* "2001-02\t\t \"z\"": the quote is the 11th byte. */
  assert_int_equal(t->cell_col[1 * 3 + 2], 11);
  tu_same_bits(number(t, 0, 1, 0), 7.5);
  tu_same_bits(number(t, 2, 1, 0), 3.0);
  /* Text after a closing quote names the tab. */
  naryn__csv *bad = naryn__csv_read_buffer_delim("s.csv", "a\tb\n\"x\" y\t1\n", 12, 0, a, d);
  assert_null(bad);
  assert_string_equal(tu_first_error(d), "s.csv:2:5: error: column \"a\": expected '\\t' or "
                                         "the end of the line after a quoted field, got 'y'");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* The header line decides: the delimiter found most often outside quotes,
** ties going to ';', then ',', then tab, and a comma for one column. */
static void delimiter_found_from_the_header(void **state) {
  (void)state;
  static const struct {
    const char *text;
    char delim;
    int ncols;
  } cases[] = {
      {"date,q\n2001-01,1\n", ',', 2},
      {"date,\tq,\tr\n2001-01,\t1,\t2\n", ',', 3},     /* tabs padding commas */
      {"date;flow, m3/s;level, m\n2001-01;1;2\n", ';', 3}, /* a tie */
      {"date\tflow, m3/s\n2001-01\t1, x\n", ',', 2},       /* needs declaring */
      {"\"a;b\",c\n1,2\n", ',', 2},                     /* quoted ';' */
      {"q\n1\n", ',', 1},
      {"\n# note; with, marks\n\ndate\tq\tr\n2001-01\t1\t2\n", '\t', 3},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    naryn__arena *a = naryn__arena_new();
    naryn_diags *d = naryn_diags_new(0);
    naryn__csv *t = parse(cases[i].text, 0, a, d);
    if (t->delim != cases[i].delim) print_error("case %zu\n", i);
    assert_int_equal(t->delim, cases[i].delim);
    assert_int_equal(t->ncols, cases[i].ncols);
    naryn_diags_free(d);
    naryn__arena_free(a);
  }
}

/* A declared delimiter overrides what the header would tell. */
static void declared_delimiter_wins(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  const char *text = "date\tflow, m3/s, daily\n2001-01\t4,5\n";
  naryn__csv *t = parse(text, '\t', a, d);
  assert_int_equal(t->ncols, 2);
  assert_string_equal(t->header[1], "flow, m3/s, daily");
  tu_same_bits(number(t, 0, 1, 0), 4.5);
  t = parse("a;b,c\n1;2,3\n", ',', a, d);
  assert_int_equal(t->ncols, 2);
  assert_string_equal(t->header[0], "a;b");
  assert_string_equal(cell(t, 0, 1), "3");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Both marks in one cell, and a mark other than the declared one, are
** refused with their own messages; a comma file keeps its old message for
** a quoted decimal comma. */
static void wrong_marks_refused(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = parse("date;q\n2001-01;1.234,5\n2001-02;12,5\n2001-03;12.5\n"
                        "2001-04;1,2,3\n",
                        0, a, d);
  assert_string_equal(refused(t, 0, 1, 0),
                      "s.csv:2:9: error: column \"q\": expected a number without thousands "
                      "separators (one decimal mark, '.' or ','), got \"1.234,5\"");
  assert_string_equal(refused(t, 1, 1, '.'),
                      "s.csv:3:9: error: column \"q\": expected a number with a decimal point, "
                      "as the series declares decimal \".\", got \"12,5\"");
  assert_string_equal(refused(t, 2, 1, ','),
                      "s.csv:4:9: error: column \"q\": expected a number with a decimal comma, "
                      "as the series declares decimal \",\", got \"12.5\"");
  assert_string_equal(refused(t, 3, 1, 0),
                      "s.csv:5:9: error: column \"q\": expected a number, got \"1,2,3\"");
  tu_same_bits(number(t, 2, 1, 0), 12.5);
  t = parse("date,q\n2001-01,\"1,5\"\n", 0, a, d);
  assert_string_equal(refused(t, 0, 1, '.'),
                      "s.csv:2:9: error: column \"q\": expected a number, got \"1,5\"");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Thousands of numbers written with a decimal comma read bit for bit as
** strtod reads them written with a point. */
static void decimal_commas_read_bit_identically(void **state) {
  (void)state;
  enum { N = 3000 };
  size_t cap = (size_t)N * 48 + 16, used = 0;
  char *text = malloc(cap), *points[N];
  assert_non_null(text);
  used += (size_t)snprintf(text, cap, "i;q\n");
  srand(15);
  for (int i = 0; i < N; i++) {
    double x = (rand() - RAND_MAX / 2) / (double)(rand() % 997 + 1) * pow(10, rand() % 9 - 4);
    char num[40];
    snprintf(num, sizeof num, i % 3 ? "%.*f" : "%.*e", rand() % 12 + 1, x);
    points[i] = strdup(num);
    char *dot = strchr(num, '.');
    assert_non_null(dot);
    *dot = ',';
    used += (size_t)snprintf(text + used, cap - used, "%d;%s\n", i, num);
  }
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = parse(text, 0, a, d);
  assert_int_equal(t->nrows, N);
  for (int i = 0; i < N; i++) {
    tu_same_bits(number(t, i, 1, 0), strtod(points[i], NULL));
    free(points[i]);
  }
  free(text);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Writes model.yaml with an inflow series 'series' and f.csv beside it,
** loads it, and returns the first error ("" when it loads) and the value
** of the first step in *q. */
static const char *load_series(const char *series, const char *csv, double *q) {
  static char msg[1024];
  char dir[64], path[128], model[1024];
  tu_mkdtemp(dir);
  snprintf(model, sizeof model,
           "horizon: {start: 2001-01, end: 2001-02, step: monthly}\n"
           "nodes:\n"
           "  - {name: In, type: inflow, inflow_m3s: %s}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: In, to: Out}\n",
           series);
  tu_write(dir, "model.yaml", model);
  tu_write(dir, "f.csv", csv);
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  /* The message without the temporary folder. */
  const char *e = tu_first_error(d), *slash = strrchr(e, '/');
  snprintf(msg, sizeof msg, "%s", rc == NARYN_OK ? "" : slash && slash < strchr(e, ':') ? slash + 1 : e);
  if (rc == NARYN_OK) *q = m->nodes[0].inflow_m3s.v[0];
  naryn_model_free(m);
  naryn_diags_free(d);
  tu_rmdir(dir);
  return msg;
}

/* A series declares its file's dialect: a tab file whose header holds
** more commas than tabs, a mark for its column, and the refusals of a bad
** value, a decimal comma in a comma file, and two marks in a column. */
static void series_declare_their_dialect(void **state) {
  (void)state;
  double q = 0;
  const char *tabbed = "date\tflow, m3/s, mean\n2001-01\t2,5\n2001-02\t3\n";
  assert_string_equal(load_series("{file: f.csv, column: \"flow, m3/s, mean\", delimiter: tab}",
                                  tabbed, &q),
                      "");
  tu_same_bits(q, 2.5);
  assert_string_equal(load_series("{file: f.csv, column: \"flow, m3/s, mean\"}", tabbed, &q),
                      "f.csv:2:12: error: row: expected 3 fields as in the header, got 2 (the "
                      "fields were cut at ',', the most common of ';', ',' and tab in the "
                      "header; give \"delimiter\" in the series if that is wrong)");
  assert_string_equal(load_series("{file: f.csv, column: q, decimal: \",\"}",
                                  "date;q\n2001-01;0,5\n2001-02;1\n", &q),
                      "");
  tu_same_bits(q, 0.5);
  assert_string_equal(load_series("{file: f.csv, column: q, delimiter: \"|\"}",
                                  "date|q\n2001-01|1\n", &q),
                      "model.yaml:3:78: error: inflow \"In\".inflow_m3s.delimiter: expected "
                      "\",\", \";\" or tab, got \"|\"");
  assert_string_equal(load_series("{file: f.csv, column: q, decimal: comma}",
                                  "date;q\n2001-01;1\n", &q),
                      "model.yaml:3:76: error: inflow \"In\".inflow_m3s.decimal: expected "
                      "\".\" or \",\", got \"comma\"");
  assert_string_equal(load_series("{file: f.csv, column: q, decimal: \",\"}",
                                  "date,q\n2001-01,1\n2001-02,2\n", &q),
                      "model.yaml:3:76: error: inflow \"In\".inflow_m3s.decimal: expected "
                      "\".\" in a file separated by commas, got \",\" (give \"delimiter\" when "
                      "the file is separated otherwise)");
  assert_string_equal(load_series("{file: f.csv, column: q}",
                                  "date;q\n2001-01;1.234\n2001-02;0,5\n", &q),
                      "f.csv:3:9: error: column \"q\": expected one decimal mark throughout the "
                      "column, got \"0,5\" here and \"1.234\" on line 2 (give \"decimal\" in "
                      "the series to say which)");
  /* Said which, the mark is read as declared. */
  assert_string_equal(load_series("{file: f.csv, column: q, decimal: \",\"}",
                                  "date;q\n2001-01;1.234\n2001-02;0,5\n", &q),
                      "f.csv:2:9: error: column \"q\": expected a number with a decimal comma, "
                      "as the series declares decimal \",\", got \"1.234\"");
}

/* Two series of one file, one declaring the delimiter the header tells
** and one not, read the same cells. */
static void one_file_two_declarations(void **state) {
  (void)state;
  char dir[64], path[128];
  tu_mkdtemp(dir);
  tu_write(dir, "model.yaml",
           "horizon: {start: 2001-01, end: 2001-01, step: monthly}\n"
           "nodes:\n"
           "  - {name: A, type: inflow, inflow_m3s: {file: f.csv, column: a}}\n"
           "  - {name: B, type: inflow,\n"
           "     inflow_m3s: {file: f.csv, column: b, delimiter: \";\", decimal: \",\"}}\n"
           "  - {name: Out, type: sink}\n"
           "links:\n"
           "  - {from: A, to: Out}\n"
           "  - {from: B, to: Out}\n");
  tu_write(dir, "f.csv", "date;a;b\n2001-01;1.5;2,25\n");
  snprintf(path, sizeof path, "%s/model.yaml", dir);
  naryn_model *m = tu_load_path(path);
  tu_same_bits(m->nodes[0].inflow_m3s.v[0], 1.5);
  tu_same_bits(m->nodes[1].inflow_m3s.v[0], 2.25);
  naryn_model_free(m);
  tu_rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(semicolons_and_decimal_commas),
      cmocka_unit_test(tabs_and_decimal_commas),
      cmocka_unit_test(delimiter_found_from_the_header),
      cmocka_unit_test(declared_delimiter_wins),
      cmocka_unit_test(wrong_marks_refused),
      cmocka_unit_test(decimal_commas_read_bit_identically),
      cmocka_unit_test(series_declare_their_dialect),
      cmocka_unit_test(one_file_two_declarations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
