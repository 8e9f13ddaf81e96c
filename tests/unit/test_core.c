/*
** test_core.c: the arena, the diagnostics list and calendar dates.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "naryn_int.h"

static void arena_strings_survive_many_blocks(void **state) {
  (void)state;
  naryn__arena *a = naryn__arena_new();
  assert_non_null(a);
  char *first = naryn__arena_strdup(a, "Toktogul");
  for (int i = 0; i < 20000; i++) assert_non_null(naryn__arena_alloc(a, 17));
  char *big = naryn__arena_alloc(a, 1 << 20);
  assert_non_null(big);
  big[(1 << 20) - 1] = 'x';
  char *p = naryn__arena_printf(a, "%s-%d", first, 7);
  assert_string_equal(first, "Toktogul");
  assert_string_equal(p, "Toktogul-7");
  naryn__arena_free(a);
  naryn__arena_free(NULL);
}

static void diag_format_has_file_line_col_where(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, "m.json", 12, 5,
              "reservoir \"R\".max_storage_hm3", "must be >= %s (%g), got %g",
              "min_storage_hm3", 10.0, 5.0);
  naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "disk full");
  assert_int_equal(naryn_diags_count(d), 2);
  assert_int_equal(naryn_diags_errors(d), 2);
  char buf[512];
  naryn_diag_format(naryn_diags_get(d, 0), buf, sizeof buf);
  assert_string_equal(buf, "m.json:12:5: error: reservoir \"R\".max_storage_hm3: "
                           "must be >= min_storage_hm3 (10), got 5");
  naryn_diag_format(naryn_diags_get(d, 1), buf, sizeof buf);
  assert_string_equal(buf, "error: disk full");
  assert_null(naryn_diags_get(d, 2));
  naryn_diags_free(d);
}

static void diag_cap_counts_beyond_kept(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(3);
  for (int i = 0; i < 10; i++)
    naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, "f", i + 1, 1, NULL, "e%d", i);
  assert_int_equal(naryn_diags_count(d), 3);
  assert_int_equal(naryn_diags_errors(d), 10);
  assert_true(naryn__diags_full(d));
  naryn_diags_free(d);
}

/* Messages about files in a staging folder are made to name the folder the
** user asked for; a folder whose name only begins the same is left alone. */
static void diag_reroot_names_the_asked_folder(void **state) {
  (void)state;
  naryn_diags *d = naryn_diags_new(0);
  assert_non_null(d);
  naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, "r/.o.naryn-tmp-7-ab/base/nodes.csv",
              0, 0, NULL, "cannot write: disk full");
  naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, "r/.o.naryn-tmp-7-ab", 0, 0, NULL,
              "cannot write: disk full");
  naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, "r/.o.naryn-tmp-7-abc/x.csv", 0, 0,
              NULL, "cannot write: disk full");
  naryn__diag(d, NARYN_EINTR, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "interrupted");
  naryn__diags_reroot(d, "r/.o.naryn-tmp-7-ab", "r/o");
  assert_string_equal(naryn_diags_get(d, 0)->file, "r/o/base/nodes.csv");
  assert_string_equal(naryn_diags_get(d, 1)->file, "r/o");
  assert_string_equal(naryn_diags_get(d, 2)->file, "r/.o.naryn-tmp-7-abc/x.csv");
  assert_null(naryn_diags_get(d, 3)->file);
  naryn_diags_free(d);
}

static void dates_round_trip_and_month_lengths(void **state) {
  (void)state;
  assert_int_equal(naryn__date_days(1970, 1, 1), 0);
  assert_int_equal(naryn__date_days(2000, 3, 1) - naryn__date_days(2000, 2, 1), 29);
  assert_int_equal(naryn__date_days(2100, 3, 1) - naryn__date_days(2100, 2, 1), 28);
  for (long t = -800000; t < 800000; t += 997) {
    int y, m, dd;
    naryn__date_ymd(t, &y, &m, &dd);
    assert_int_equal(naryn__date_days(y, m, dd), t);
  }
  int y, m, dd;
  assert_int_equal(naryn__date_parse("2024-02-29", 10, 0, &y, &m, &dd), 0);
  assert_int_equal(naryn__date_parse("2023-02-29", 10, 0, &y, &m, &dd), -1);
  assert_int_equal(naryn__date_parse("2023-13", 7, 1, &y, &m, &dd), -1);
  assert_int_equal(naryn__date_parse("2023-11", 7, 0, &y, &m, &dd), -1);
  assert_int_equal(naryn__date_parse("2023-11", 7, 1, &y, &m, &dd), 0);
  assert_int_equal(dd, 1);
}

static void strerror_covers_every_code(void **state) {
  (void)state;
  for (int i = 0; i < NARYN_STATUS_COUNT; i++)
    assert_true(strlen(naryn_strerror(i)) > 0);
  assert_string_equal(naryn_strerror(-1), "unknown status");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(arena_strings_survive_many_blocks),
      cmocka_unit_test(diag_format_has_file_line_col_where),
      cmocka_unit_test(diag_cap_counts_beyond_kept),
      cmocka_unit_test(diag_reroot_names_the_asked_folder),
      cmocka_unit_test(dates_round_trip_and_month_lengths),
      cmocka_unit_test(strerror_covers_every_code),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
