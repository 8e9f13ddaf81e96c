/*
** test_csv.c: reading CSV time series: values, positions of rows and cells,
** quoting, line ends, byte-order marks, comments, every syntax error with
** its exact message, and number conversion.
**
** The suite works in a temporary directory made with mkdtemp under /tmp;
** the tests write their files there under short names so that the
** expected messages read as they would for a user, and the directory is
** removed at the end.
*/
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "naryn_int.h"
#include "testutil.h"

/* Writes n bytes of text into the file 'name'. */
static void write_bytes(const char *name, const char *text, size_t n) {
  FILE *fp = fopen(name, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, n, fp), n);
  assert_int_equal(fclose(fp), 0);
}

static void stream_matches(const char *name, const naryn__csv *t, const char *want);

/* Writes text into 'name' and reads it back as a table, which must load
** without any diagnostic. */
static naryn__csv *load(const char *name, const char *text, naryn__arena *a,
                        naryn_diags *d) {
  write_bytes(name, text, strlen(text));
  naryn__csv *t = naryn__csv_read(name, a, d);
  assert_non_null(t);
  assert_int_equal(naryn_diags_count(d), 0);
  stream_matches(name, t, NULL);
  return t;
}

/* Formats the only diagnostic in d into buf. */
static const char *only_diag(naryn_diags *d, char *buf, size_t size) {
  assert_int_equal(naryn_diags_count(d), 1);
  assert_int_equal(naryn_diags_errors(d), 1);
  naryn_diag_format(naryn_diags_get(d, 0), buf, size);
  return buf;
}

/* Reads 'name' row by row with reads of every size in a list, from one
** byte (so that a record is cut at every byte) to the default, and checks
** that the stream gives what naryn__csv_read gave: t's header and rows
** with their lines and columns, then the end; or, when t is NULL, the one
** diagnostic 'want' (after any rows before the error). Large files are
** read with larger pieces only. */
static void stream_matches(const char *name, const naryn__csv *t, const char *want) {
  static const size_t chunks[] = {1, 2, 3, 5, 8, 64, 4096, (size_t)1 << 20};
  struct stat st = {0};
  if (stat(name, &st) != 0) st.st_size = 0;
  size_t saved = naryn__csv_stream_chunk;
  for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
    if (st.st_size > 20000 && chunks[k] < 4096) continue;
    naryn__csv_stream_chunk = chunks[k];
    naryn__arena *a = naryn__arena_new();
    naryn_diags *d = naryn_diags_new(0);
    naryn__csv_stream *s = naryn__csv_open(name, a, d);
    int rc = s ? 1 : -1;
    if (s) {
      if (t) {
        assert_int_equal(s->ncols, t->ncols);
        for (int c = 0; c < t->ncols; c++) assert_string_equal(s->header[c], t->header[c]);
      }
      long row = 0;
      while ((rc = naryn__csv_next(s)) == 1) {
        if (t) {
          assert_true(row < t->nrows);
          assert_int_equal(s->line, t->row_line[row]);
          for (int c = 0; c < t->ncols; c++) {
            size_t i = (size_t)row * (size_t)t->ncols + (size_t)c;
            assert_string_equal(s->cells[c], t->cells[i]);
            assert_int_equal(s->cell_col[c], t->cell_col[i]);
          }
        }
        row++;
      }
      assert_int_equal(s->nrows, row);
      if (t) assert_int_equal(row, t->nrows);
      naryn__csv_close(s);
      naryn__csv_close(s); /* a second close does nothing */
    }
    if (t) {
      assert_int_equal(rc, 0);
      assert_int_equal(naryn_diags_count(d), 0);
    } else {
      char buf[1024];
      assert_int_equal(rc, -1);
      assert_string_equal(only_diag(d, buf, sizeof buf), want);
    }
    naryn_diags_free(d);
    naryn__arena_free(a);
  }
  naryn__csv_stream_chunk = saved;
}

/* Writes text into 'name', reads it, and checks that reading fails with
** exactly the one formatted diagnostic 'want' and the code 'code'. */
static void expect_error(const char *name, const char *text, int code,
                         const char *want) {
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  if (text) write_bytes(name, text, strlen(text));
  assert_null(naryn__csv_read(name, a, d));
  char buf[1024];
  assert_string_equal(only_diag(d, buf, sizeof buf), want);
  assert_int_equal(naryn_diags_get(d, 0)->code, code);
  stream_matches(name, NULL, want);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void normal_file_values_and_positions(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("flows.csv",
                       "date,naryn_m3s,karadarya_m3s\n"
                       "2020-01,120.5,45\n"
                       "2020-02, 118 ,44.25\n"
                       "\t2020-03\t,\t99,\t\n",
                       a, d);
  assert_string_equal(t->file, "flows.csv");
  assert_int_equal(t->ncols, 3);
  assert_int_equal(t->nrows, 3);
  assert_string_equal(t->header[0], "date");
  assert_string_equal(t->header[1], "naryn_m3s");
  assert_string_equal(t->header[2], "karadarya_m3s");
  const char *want[] = {"2020-01", "120.5", "45", "2020-02", "118",
                        "44.25",   "2020-03", "99", ""};
  const int cols[] = {1, 9, 15, 1, 10, 15, 2, 12, 15};
  for (int i = 0; i < 9; i++) {
    assert_string_equal(t->cells[i], want[i]);
    assert_int_equal(t->cell_col[i], cols[i]);
  }
  assert_int_equal(t->row_line[0], 2);
  assert_int_equal(t->row_line[1], 3);
  assert_int_equal(t->row_line[2], 4);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void header_only_file_has_no_rows(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("empty_rows.csv", " date , q ", a, d);
  assert_int_equal(t->ncols, 2);
  assert_int_equal(t->nrows, 0);
  assert_string_equal(t->header[0], "date");
  assert_string_equal(t->header[1], "q");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void quoting_rules(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("quoted.csv",
                       "name,\"note, with comma\",value\n"
                       "\"Toktogul, upper\",\"said \"\"hi\"\"\",1\n"
                       "\"two\nlines\",\"\",2\n"
                       "  \"sp  \" ,ab\"c,3\n"
                       "\"# not a comment\",\"\"\"\",\" 4 \"\n",
                       a, d);
  assert_int_equal(t->ncols, 3);
  assert_int_equal(t->nrows, 4);
  assert_string_equal(t->header[1], "note, with comma");
  assert_string_equal(t->cells[0], "Toktogul, upper");
  assert_string_equal(t->cells[1], "said \"hi\"");
  assert_int_equal(t->cell_col[1], 19);
  assert_string_equal(t->cells[3], "two\nlines");
  assert_string_equal(t->cells[4], "");
  assert_int_equal(t->cell_col[4], 8); /* on line 4, after the break */
  assert_string_equal(t->cells[6], "sp  ");
  assert_int_equal(t->cell_col[6], 3);
  assert_string_equal(t->cells[7], "ab\"c");
  assert_int_equal(t->cell_col[7], 11);
  assert_string_equal(t->cells[9], "# not a comment");
  assert_string_equal(t->cells[10], "\"");
  assert_string_equal(t->cells[11], " 4 ");
  assert_int_equal(t->row_line[0], 2);
  assert_int_equal(t->row_line[1], 3);
  assert_int_equal(t->row_line[2], 5);
  assert_int_equal(t->row_line[3], 6);
  double v;
  assert_int_equal(naryn__csv_number(t, 3, 2, &v, d), 0);
  assert_true(v == 4.0);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void crlf_line_ends(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("crlf.csv",
                       "date,q\r\n2020-01, 1 \r\n\r\n# c\r\n"
                       "2020-02,\"a\r\nb\"\r\n2020-03,\r\n",
                       a, d);
  assert_int_equal(t->nrows, 3);
  assert_string_equal(t->header[1], "q");
  assert_string_equal(t->cells[1], "1");
  assert_string_equal(t->cells[3], "a\nb");
  assert_string_equal(t->cells[4], "2020-03");
  assert_string_equal(t->cells[5], "");
  assert_int_equal(t->cell_col[5], 9);
  assert_int_equal(t->row_line[0], 2);
  assert_int_equal(t->row_line[1], 5);
  assert_int_equal(t->row_line[2], 7);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void bom_is_skipped_and_not_counted(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("bom.csv", "\xef\xbb\xbf" "date,q\n2020-01,5\n", a, d);
  assert_int_equal(t->ncols, 2);
  assert_string_equal(t->header[0], "date");
  assert_int_equal(naryn__csv_column(t, "date"), 0);
  naryn_diags_free(d);
  naryn__arena_free(a);
  expect_error("bomdup.csv", "\xef\xbb\xbf" "date,date\n", NARYN_ESYNTAX,
               "bomdup.csv:1:6: error: column \"date\": expected each column "
               "name once, got \"date\" again (first as column 1)");
}

static void comments_and_blank_lines_are_skipped(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("comments.csv",
                       "# inflow series\n\n  \t\ndate,q\n# mid\n\n"
                       "2020-01,1\n   # indented\n2020-02,2",
                       a, d);
  assert_int_equal(t->nrows, 2);
  assert_string_equal(t->header[0], "date");
  assert_int_equal(t->row_line[0], 7);
  assert_int_equal(t->row_line[1], 9);
  assert_string_equal(t->cells[3], "2");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void empty_files_are_errors(void **state) {
  (void)state;
  expect_error("empty.csv", "", NARYN_ESYNTAX,
               "empty.csv:1: error: expected a header line naming the "
               "columns, got an empty file");
  expect_error("blank.csv", "\xef\xbb\xbf\n  \n\n", NARYN_ESYNTAX,
               "blank.csv:1: error: expected a header line naming the "
               "columns, got an empty file");
  expect_error("onlycomments.csv", "# a\n\n# b\n", NARYN_ESYNTAX,
               "onlycomments.csv:3: error: expected a header line naming the "
               "columns, got only comments and blank lines");
  expect_error("onlycomments2.csv", "# a\n\n# b\n\n  ", NARYN_ESYNTAX,
               "onlycomments2.csv:5: error: expected a header line naming "
               "the columns, got only comments and blank lines");
}

static void header_errors(void **state) {
  (void)state;
  expect_error("eh.csv", "date,,q\n", NARYN_ESYNTAX,
               "eh.csv:1:6: error: header: expected a column name, got an "
               "empty field");
  expect_error("eh2.csv", "# c\ndate, q , \"  \"\n", NARYN_ESYNTAX,
               "eh2.csv:2:11: error: header: expected a column name, got an "
               "empty field");
  expect_error("dup.csv", "date,q,q\n", NARYN_ESYNTAX,
               "dup.csv:1:8: error: column \"q\": expected each column "
               "name once, got \"q\" again (first as column 2)");
  expect_error("dupq.csv", "date, q ,\"q\"\n", NARYN_ESYNTAX,
               "dupq.csv:1:10: error: column \"q\": expected each column "
               "name once, got \"q\" again (first as column 2)");
  expect_error("hq.csv", "date,\"q\n", NARYN_ESYNTAX,
               "hq.csv:1:6: error: header: expected a closing '\"', got the "
               "end of the file");
}

static void row_field_count_errors(void **state) {
  (void)state;
  expect_error("few.csv", "date,a,b\n2020-01,1\n", NARYN_ESYNTAX,
               "few.csv:2:10: error: row: expected 3 fields as in the "
               "header, got 2");
  expect_error("fewcrlf.csv", "date,a,b\r\n2020-01,1,2\r\n2020-02,1\r\n",
               NARYN_ESYNTAX,
               "fewcrlf.csv:3:10: error: row: expected 3 fields as in the "
               "header, got 2");
  expect_error("fewend.csv", "date,a,b\n2020-01", NARYN_ESYNTAX,
               "fewend.csv:2:8: error: row: expected 3 fields as in the "
               "header, got 1");
  expect_error("many.csv", "date,a\n2020-01,1, 2\n", NARYN_ESYNTAX,
               "many.csv:2:12: error: row: expected 2 fields as in the "
               "header, got 3");
  expect_error("manyone.csv", "value\n1,\n", NARYN_ESYNTAX,
               "manyone.csv:2:3: error: row: expected 1 field as in the "
               "header, got 2");
  /* After a quoted line break, the position is on the line it points at. */
  expect_error("manyml.csv", "a,b\n\"x\ny\",1,2\n", NARYN_ESYNTAX,
               "manyml.csv:3:6: error: row: expected 2 fields as in the "
               "header, got 3");
}

static void quote_errors(void **state) {
  (void)state;
  expect_error("unterm.csv", "date,note\n2020-01,\"open\n2020-02,x\n",
               NARYN_ESYNTAX,
               "unterm.csv:2:9: error: column \"note\": expected a closing "
               "'\"', got the end of the file");
  expect_error("unterm2.csv", "a\n1,\"x", NARYN_ESYNTAX,
               "unterm2.csv:2:3: error: row: expected a closing '\"', got "
               "the end of the file");
  expect_error("after.csv", "date,note\n2020-01,\"ok\"x\n", NARYN_ESYNTAX,
               "after.csv:2:13: error: column \"note\": expected ',' or the "
               "end of the line after a quoted field, got 'x'");
  expect_error("after2.csv", "date,note\n\"2020-01\"  \"\n", NARYN_ESYNTAX,
               "after2.csv:2:12: error: column \"date\": expected ',' or the "
               "end of the line after a quoted field, got '\"'");
  expect_error("after3.csv", "\"date\"\r,note\n", NARYN_ESYNTAX,
               "after3.csv:1:7: error: header: expected ',' or the end of the "
               "line after a quoted field, got '\\r'");
  expect_error("after4.csv", "a,b\n1,\"2\"\xc3\xa9\n", NARYN_ESYNTAX,
               "after4.csv:2:6: error: column \"b\": expected ',' or the end "
               "of the line after a quoted field, got '\xc3\xa9'");
}

static void unreadable_files(void **state) {
  (void)state;
  expect_error("missing.csv", NULL, NARYN_EIO,
               "missing.csv: error: cannot read: No such file or directory");
  assert_int_equal(mkdir("adir", 0777), 0);
  expect_error("adir", NULL, NARYN_EIO,
               "adir: error: expected a regular file, got a directory");
  assert_int_equal(rmdir("adir"), 0);
}

/* Converts cell (row, 1) of t and checks the value. */
static void number_ok(const naryn__csv *t, int row, double want) {
  naryn_diags *d = naryn_diags_new(0);
  double v = -12345;
  assert_int_equal(naryn__csv_number(t, row, 1, &v, d), 0);
  assert_true(v == want);
  assert_int_equal(naryn_diags_count(d), 0);
  naryn_diags_free(d);
}

/* Converts cell (row, 1) of t, which must fail with the message 'want'. */
static void number_bad(const naryn__csv *t, int row, const char *want) {
  naryn_diags *d = naryn_diags_new(0);
  double v = -12345;
  assert_int_equal(naryn__csv_number(t, row, 1, &v, d), -1);
  assert_true(v == -12345);
  char buf[1024];
  assert_string_equal(only_diag(d, buf, sizeof buf), want);
  assert_int_equal(naryn_diags_get(d, 0)->code, NARYN_ESYNTAX);
  naryn_diags_free(d);
}

static void number_conversion(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("num.csv",
                       "date,flow_m3s\n"
                       "r0,12\n"            /* line 2 */
                       "r1, -2.5 \n"        /* 3 */
                       "r2,+3e2\n"          /* 4 */
                       "r3,.5\n"            /* 5 */
                       "r4,5.\n"            /* 6 */
                       "r5,1E-3\n"          /* 7 */
                       "r6,\" 7 \"\n"       /* 8 */
                       "r7,\n"              /* 9 */
                       "r8,  \"\"\n"        /* 10 */
                       "r9,abc\n"           /* 11 */
                       "r10,nan\n"          /* 12 */
                       "r11,inf\n"          /* 13 */
                       "r12,NA\n"           /* 14 */
                       "r13,0x10\n"         /* 15 */
                       "r14,1e999\n"        /* 16 */
                       "r15,\"1,5\"\n"      /* 17 */
                       "r16,12abc\n"        /* 18 */
                       "r17,\"a \"\"quoted\"\" value\nthat goes on and on "
                       "and on and on\"\n"  /* 19 */
                       "r18,.\n"            /* 21 */
                       "r19,1e\n"           /* 22 */
                       "r20,-\n"            /* 23 */
                       "r21,\"\xc3\xa9t\xc3\xa9\"\n", /* 24 */
                       a, d);
  number_ok(t, 0, 12);
  number_ok(t, 1, -2.5);
  number_ok(t, 2, 300);
  number_ok(t, 3, 0.5);
  number_ok(t, 4, 5);
  number_ok(t, 5, 1e-3);
  number_ok(t, 6, 7);
  number_bad(t, 7, "num.csv:9:4: error: column \"flow_m3s\": expected a "
                   "number, got an empty cell");
  number_bad(t, 8, "num.csv:10:6: error: column \"flow_m3s\": expected a "
                   "number, got an empty cell");
  number_bad(t, 9, "num.csv:11:4: error: column \"flow_m3s\": expected a "
                   "number, got \"abc\"");
  number_bad(t, 10, "num.csv:12:5: error: column \"flow_m3s\": expected a "
                    "number, got \"nan\"");
  number_bad(t, 11, "num.csv:13:5: error: column \"flow_m3s\": expected a "
                    "number, got \"inf\"");
  number_bad(t, 12, "num.csv:14:5: error: column \"flow_m3s\": expected a "
                    "number, got \"NA\"");
  number_bad(t, 13, "num.csv:15:5: error: column \"flow_m3s\": expected a "
                    "number, got \"0x10\"");
  number_bad(t, 14, "num.csv:16:5: error: column \"flow_m3s\": expected a "
                    "number, got \"1e999\"");
  number_bad(t, 15, "num.csv:17:5: error: column \"flow_m3s\": expected a "
                    "number, got \"1,5\"");
  number_bad(t, 16, "num.csv:18:5: error: column \"flow_m3s\": expected a "
                    "number, got \"12abc\"");
  number_bad(t, 17, "num.csv:19:5: error: column \"flow_m3s\": expected a "
                    "number, got \"a \\\"quoted\\\" value\\nthat goes on and "
                    "...\"");
  number_bad(t, 18, "num.csv:21:5: error: column \"flow_m3s\": expected a "
                    "number, got \".\"");
  number_bad(t, 19, "num.csv:22:5: error: column \"flow_m3s\": expected a "
                    "number, got \"1e\"");
  number_bad(t, 20, "num.csv:23:5: error: column \"flow_m3s\": expected a "
                    "number, got \"-\"");
  number_bad(t, 21, "num.csv:24:5: error: column \"flow_m3s\": expected a "
                    "number, got \"\xc3\xa9t\xc3\xa9\"");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void long_text_is_shortened_without_cutting_characters(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  /* 36 ASCII letters then two-byte characters: the cut must fall between
  ** characters, and text of exactly 40 bytes is shown whole. */
  naryn__csv *t = load("long.csv",
                       "k,v\n"
                       "a,abcdefghijklmnopqrstuvwxyzABCDEFGHIJ\xc3\xa9\xc3\xa9"
                       "\xc3\xa9\n"
                       "b,abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\n",
                       a, d);
  number_bad(t, 0, "long.csv:2:3: error: column \"v\": expected a number, got "
                   "\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ...\"");
  number_bad(t, 1, "long.csv:3:3: error: column \"v\": expected a number, got "
                   "\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN\"");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Rows of unquoted cells, cut by the reader's shorter path for such
** lines, give the cells and columns a plain reading of the text gives:
** split at every comma, trimmed of spaces and tabs, each at the column of
** its first character that is not blank (or of the field when it is
** blank). Random cells of letters, digits and blanks, some long, put
** commas at every place of the eight-byte words the reader looks at;
** some lines end in CRLF. Read whole and streamed. */
static void plain_lines_cut_as_written(void **state) {
  (void)state;
  enum { ROWS = 400, COLS = 7 };
  static const char alphabet[] = "ab1 \t.-";
  static char text[ROWS * COLS * 24 + 64], want[ROWS * COLS][24];
  static int want_col[ROWS * COLS];
  size_t len = (size_t)snprintf(text, sizeof text, "a,b,c,d,e,f,g\n");
  unsigned seed = 13;
  for (int r = 0; r < ROWS; r++) {
    size_t line_start = len;
    for (int c = 0; c < COLS; c++) {
      if (c) text[len++] = ',';
      seed = seed * 1103515245u + 12345u;
      int n = (int)((seed >> 16) % (c == 3 ? 20 : 5));
      size_t field = len;
      for (int k = 0; k < n; k++) {
        seed = seed * 1103515245u + 12345u;
        text[len++] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
      }
      /* The expected cell: the field trimmed of blanks. */
      size_t a = field, b = len;
      while (a < b && (text[a] == ' ' || text[a] == '\t')) a++;
      while (b > a && (text[b - 1] == ' ' || text[b - 1] == '\t')) b--;
      memcpy(want[r * COLS + c], text + a, b - a);
      want[r * COLS + c][b - a] = '\0';
      want_col[r * COLS + c] = (int)((b > a ? a : field) - line_start) + 1;
    }
    if (r % 3 == 0) text[len++] = '\r';
    text[len++] = '\n';
  }
  write_bytes("plain.csv", text, len);
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = naryn__csv_read("plain.csv", a, d);
  assert_non_null(t);
  assert_int_equal(t->nrows, ROWS);
  for (int i = 0; i < ROWS * COLS; i++) {
    assert_string_equal(t->cells[i], want[i]);
    assert_int_equal(t->cell_col[i], want_col[i]);
  }
  stream_matches("plain.csv", t, NULL);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* naryn__csv_decimal gives strtod's double for every short plain decimal
** and leaves everything else to strtod. */
static void short_decimals_as_strtod(void **state) {
  (void)state;
  unsigned seed = 7;
  char buf[40];
  for (int k = 0; k < 200000; k++) {
    size_t n = 0;
    seed = seed * 1103515245u + 12345u;
    if (seed & 0x10000) buf[n++] = (seed & 0x20000) ? '-' : '+';
    seed = seed * 1103515245u + 12345u;
    int digits = 1 + (int)((seed >> 16) % 15), dot = (int)((seed >> 8) % (digits + 1));
    for (int i = 0; i < digits; i++) {
      if (i == dot && (seed & 1)) buf[n++] = '.';
      seed = seed * 1103515245u + 12345u;
      buf[n++] = (char)('0' + (seed >> 16) % 10);
    }
    buf[n] = '\0';
    double v, w = strtod(buf, NULL);
    assert_int_equal(naryn__csv_decimal(buf, &v), 1);
    assert_memory_equal(&v, &w, sizeof v); /* the same bits, -0 too */
  }
  static const char *const same[] = {"0", "-0", "-0.000000", "1.", ".5", "0.1",
                                     "999999999999999", "0.00000000000001",
                                     "17.798400", "-25.920000"};
  for (size_t k = 0; k < sizeof same / sizeof *same; k++) {
    double v, w = strtod(same[k], NULL);
    assert_int_equal(naryn__csv_decimal(same[k], &v), 1);
    assert_memory_equal(&v, &w, sizeof v);
  }
  static const char *const others[] = {"", ".", "-", "+", "1e5", "4.44e-16", " 1", "1 ",
                                       "1.2.3", "nan", "inf", "0x10", "1,5",
                                       "1234567890123456", "0.1234567890123456"};
  for (size_t k = 0; k < sizeof others / sizeof *others; k++) {
    double v = 42;
    assert_int_equal(naryn__csv_decimal(others[k], &v), 0);
    assert_true(v == 42);
  }
}

static void column_lookup(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = load("cols.csv", "date, naryn_m3s ,\"kara darya\"\n", a, d);
  assert_int_equal(naryn__csv_column(t, "date"), 0);
  assert_int_equal(naryn__csv_column(t, "naryn_m3s"), 1);
  assert_int_equal(naryn__csv_column(t, "kara darya"), 2);
  assert_int_equal(naryn__csv_column(t, "Date"), -1);
  assert_int_equal(naryn__csv_column(t, ""), -1);
  assert_int_equal(naryn__csv_column(NULL, "date"), -1);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

static void large_file_reads_every_row(void **state) {
  (void)state;
  const int n = 100000;
  size_t cap = (size_t)n * 40 + 64, len = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  len += (size_t)snprintf(text, cap, "date,naryn_m3s,karadarya_m3s\r\n");
  for (int i = 0; i < n; i++)
    len += (size_t)snprintf(text + len, cap - len, "%d-%02d-01,%d.25,%d\r\n",
                            1900 + i / 12, i % 12 + 1, i, n - i);
  write_bytes("large.csv", text, len);
  free(text);
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  naryn__csv *t = naryn__csv_read("large.csv", a, d);
  assert_non_null(t);
  assert_int_equal(t->nrows, n);
  double v;
  for (int i = 0; i < n; i += 997) {
    assert_int_equal(t->row_line[i], i + 2);
    assert_int_equal(naryn__csv_number(t, i, 1, &v, d), 0);
    assert_true(v == i + 0.25);
    assert_int_equal(naryn__csv_number(t, i, 2, &v, d), 0);
    assert_true(v == n - i);
  }
  assert_string_equal(t->cells[3 * (n - 1)], "10233-04-01");
  stream_matches("large.csv", t, NULL);
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* A FIFO, a directory or a device is refused without reading (a FIFO
** without a writer would otherwise block, and /dev/zero never ends). */
static void special_files_are_refused(void **state) {
  (void)state;
  unlink("pipe.csv");
  assert_int_equal(mkfifo("pipe.csv", 0600), 0);
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  char buf[256];
  assert_null(naryn__csv_read("pipe.csv", a, d));
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, "pipe.csv: error: expected a regular file, got a FIFO "
                           "(named pipe)");
  naryn_diags_clear(d);
  assert_null(naryn__csv_open("pipe.csv", a, d));
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, "pipe.csv: error: expected a regular file, got a FIFO "
                           "(named pipe)");
  unlink("pipe.csv");
  naryn_diags_clear(d);
  assert_null(naryn__csv_read("/dev/zero", a, d));
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, "/dev/zero: error: expected a regular file, got a "
                           "character device");
  naryn_diags_clear(d);
  assert_null(naryn__csv_read(".", a, d));
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, ".: error: expected a regular file, got a directory");
  naryn_diags_clear(d);
  assert_null(naryn__csv_open(".", a, d));
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, ".: error: expected a regular file, got a directory");
  naryn_diags_free(d);
  naryn__arena_free(a);
}

/* Reads n bytes written to 'name' and checks the one error. */
static void expect_bytes_error(const char *name, const char *text, size_t n,
                               const char *want) {
  write_bytes(name, text, n);
  expect_error(name, NULL, NARYN_ESYNTAX, want);
}

/* Text a hostile or careless user may give: other encodings, NUL bytes,
** more columns than the limit, many columns with one repeated. */
static void hostile_text_is_refused(void **state) {
  (void)state;
  expect_bytes_error("u16.csv", "\xFF\xFE" "d\0a\0", 6,
                     "u16.csv:1:1: error: expected UTF-8 text, got UTF-16 "
                     "(little-endian); save the file as UTF-8");
  expect_bytes_error("u16.csv", "d\0a\0t\0e\0", 8,
                     "u16.csv:1:1: error: expected UTF-8 text, got UTF-16 "
                     "(little-endian); save the file as UTF-8");
  expect_bytes_error("u16.csv", "\0d\0a", 4,
                     "u16.csv:1:1: error: expected UTF-8 text, got UTF-16 "
                     "(big-endian); save the file as UTF-8");
  expect_bytes_error("u16.csv", "d\0\0\0a\0\0\0", 8,
                     "u16.csv:1:1: error: expected UTF-8 text, got UTF-32 "
                     "(little-endian); save the file as UTF-8");
  /* A NUL would end the cell "12" early and hide what follows it. */
  expect_bytes_error("nul.csv", "date,q\n2001-01,12\0" "9\n", 19,
                     "nul.csv:2:11: error: expected text, got a NUL byte (0x00)");

  /* 100,001 columns: one too many. */
  size_t cap = 100002 * 8, len = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  for (int i = 0; i <= 100000; i++)
    len += (size_t)snprintf(text + len, cap - len, "%sc%d", i ? "," : "", i);
  char want[128];
  snprintf(want, sizeof want, "wide.csv:1:%zu: error: header: expected at most "
           "100000 columns, got more", len - strlen("c100000") + 1);
  expect_bytes_error("wide.csv", text, len, want);
  /* 100,000 columns, the last repeating column 7: found by sorting. */
  len = 0;
  for (int i = 0; i < 99999; i++)
    len += (size_t)snprintf(text + len, cap - len, "%sc%d", i ? "," : "", i);
  len += (size_t)snprintf(text + len, cap - len, ",c6\n");
  snprintf(want, sizeof want, "wide.csv:1:%zu: error: column \"c6\": expected "
           "each column name once, got \"c6\" again (first as column 7)",
           len - 2);
  expect_bytes_error("wide.csv", text, len, want);
  free(text);
  unlink("u16.csv");
  unlink("nul.csv");
  unlink("wide.csv");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(normal_file_values_and_positions),
      cmocka_unit_test(header_only_file_has_no_rows),
      cmocka_unit_test(quoting_rules),
      cmocka_unit_test(crlf_line_ends),
      cmocka_unit_test(bom_is_skipped_and_not_counted),
      cmocka_unit_test(comments_and_blank_lines_are_skipped),
      cmocka_unit_test(empty_files_are_errors),
      cmocka_unit_test(header_errors),
      cmocka_unit_test(row_field_count_errors),
      cmocka_unit_test(quote_errors),
      cmocka_unit_test(unreadable_files),
      cmocka_unit_test(number_conversion),
      cmocka_unit_test(long_text_is_shortened_without_cutting_characters),
      cmocka_unit_test(column_lookup),
      cmocka_unit_test(plain_lines_cut_as_written),
      cmocka_unit_test(short_decimals_as_strtod),
      cmocka_unit_test(large_file_reads_every_row),
      cmocka_unit_test(special_files_are_refused),
      cmocka_unit_test(hostile_text_is_refused),
  };
  return cmocka_run_group_tests(tests, tu_enter_tmpdir, tu_leave_tmpdir);
}
