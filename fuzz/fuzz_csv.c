/*
** fuzz_csv.c: libFuzzer target for the CSV reader. The input is a CSV
** file, read by the code that reads files (naryn__csv_read_buffer_delim
** shares it) with its delimiter found from the header line, as a model's
** series reads it. A table that reads is checked against the reader's
** promises and every cell is converted to a number (with a decimal mark
** chosen by the input's length: '.', ',' or either), and the first column
** to a date, as a model's series would.
*/
#include <string.h>

#include "common.h"

/* Checks a table's shape and converts its cells. */
static void look_at(const naryn__csv *t, char mark, naryn_diags *d) {
  fuzz_require(t->ncols > 0 && t->nrows >= 0, "a table without columns");
  for (int j = 0; j < t->ncols; j++) {
    int found = naryn__csv_column(t, t->header[j]);
    fuzz_require(found == j, "a header name that does not find its column");
  }
  for (int i = 0; i < t->nrows; i++) {
    fuzz_require(t->row_line[i] >= 1, "a row without a line");
    fuzz_require(i == 0 || t->row_line[i] > t->row_line[i - 1],
                 "rows out of order");
    for (int j = 0; j < t->ncols; j++) {
      size_t k = (size_t)i * (size_t)t->ncols + (size_t)j;
      fuzz_require(t->cells[k] != NULL && t->cell_col[k] >= 1,
                   "a cell without text or column");
      double v;
      int before = naryn_diags_errors(d);
      if (naryn__csv_number_mark(t, i, j, mark, &v, d) == 0)
        fuzz_require(naryn_diags_errors(d) == before, "a number with an error");
      else
        fuzz_require(naryn_diags_errors(d) == before + 1,
                     "a cell refused without an error");
      /* Keeps the list short: only the promise matters here. */
      if (naryn__diags_full(d)) naryn_diags_clear(d);
    }
    int y, m, day;
    const char *s = t->cells[(size_t)i * (size_t)t->ncols];
    if (naryn__date_parse(s, strlen(s), 1, &y, &m, &day) == 0)
      fuzz_require(m >= 1 && m <= 12 && day >= 1 &&
                       day <= naryn__date_month_days(y, m),
                   "a date outside the calendar");
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  naryn__arena *a = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(0);
  if (a && d) {
    naryn__csv *t = naryn__csv_read_buffer_delim("inflow.csv", (const char *)data,
                                                 size, 0, a, d);
    fuzz_check_diags(d, t ? NARYN_OK : NARYN_ESYNTAX);
    static const char marks[3] = {'.', ',', 0};
    if (t) look_at(t, marks[size % 3], d);
  }
  naryn_diags_free(d);
  naryn__arena_free(a);
  return 0;
}
