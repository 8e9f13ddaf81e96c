/*
** test_numfmt.c: the fixed-point formatter of io/numfmt.c against
** snprintf's "%.Nf", byte for byte: edge values (ties, negative zero,
** powers of ten, the smallest and largest doubles, NaN and infinities),
** values just either side of every kind of tie, and several hundred
** thousand random doubles, both random bit patterns and values of the
** sizes a run writes.
*/
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naryn_int.h"

/* A fixed-seed generator (xorshift64*), so that a failure repeats. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 0x2545f4914f6cdd1dULL;
}
/* A uniform double in [0, 1). */
static double rng_unit(void) { return (double)(rng() >> 11) * 0x1p-53; }

static long compared;

/* Fails, showing the value's bits, unless the formatter writes v with d
** decimals exactly as snprintf does. */
static void check(double v, int d) {
  char want[NARYN__NUMFMT_MAX], got[NARYN__NUMFMT_MAX + 8];
  memset(got, 'x', sizeof got);
  int n = snprintf(want, sizeof want, "%.*f", d, v);
  double as_read = 0.0, parsed;
  size_t len = naryn__numfmt_fixed_read(got, v, d, &as_read);
  compared++;
  /* What a reader gets back from the text, as the report reads a cell. */
  if (!naryn__csv_decimal(want, &parsed)) {
    char *end;
    parsed = strtod(want, &end);
    if (*end) parsed = NAN;
  }
  if (!(memcmp(&parsed, &as_read, sizeof parsed) == 0 ||
        (isnan(parsed) && isnan(as_read))))
    fail_msg("%%.%df of %.17g: the text \"%s\" reads back as %.17g, numfmt said %.17g",
             d, v, want, parsed, as_read);
  if ((size_t)n != len || strcmp(want, got) != 0) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    fail_msg("%%.%df of %.17g (bits %016llx): snprintf \"%s\", numfmt \"%s\" (%zu)",
             d, v, (unsigned long long)bits, want, got, len);
  }
}

/* Checks v and -v, and their neighbours two units of the last place away
** each side, with decimals 0 to 17. */
static void check_around(double v) {
  for (int d = 0; d <= 17; d++) {
    double lo = v, hi = v;
    for (int k = 0; k < 3; k++) {
      check(lo, d), check(-lo, d), check(hi, d), check(-hi, d);
      lo = nextafter(lo, -INFINITY);
      hi = nextafter(hi, INFINITY);
    }
  }
}

static void edge_values(void **state) {
  (void)state;
  static const double v[] = {
      0.0, 5e-7, 0.0000005, 2.5e-7, 4.9999999e-7, 5.0000001e-7, 0.5, 1.5, 2.5,
      0.125, 0.375, 0.05, 0.15, 0.25, 0.35, 1.0005, 2.675, 1.005, 0.045,
      123.4565, 0.00005, 0.00015, 1e-4, 1e-6, 1e-7, 9.5, 99.5, 999.5,
      0.9999995, 9.9999995, 99999.99999949, 1234567.8901234, 3.14159265358979,
      4503599627370495.5, 4503599627370496.0, 9007199254740992.0, 1e15, 1e16,
      1e17, 1e20, 1e22, 1e23, 1e100, 1e300, DBL_MAX, DBL_MIN, DBL_TRUE_MIN,
      1e-250, 1e-251, 1e-300, 1e-320, 4.94e-324, 2.2250738585072014e-308,
      86.4, 0.0864, 1.0368, 17.7984, 0.5184, 0.2592, 31.536, 5.0e-5};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) check_around(v[i]);
  /* Every power of ten that a double comes near, and its halves. */
  for (int e = -30; e <= 30; e++) {
    check_around(pow(10.0, e));
    check_around(0.5 * pow(10.0, e));
    check_around(5.5 * pow(10.0, e));
  }
  /* Powers of two, exact ties for enough decimals. */
  for (int e = -60; e <= 60; e++) check_around(ldexp(1.0, e));
  static const double odd[] = {NAN, -NAN, INFINITY, -INFINITY, -0.0};
  for (size_t i = 0; i < sizeof odd / sizeof *odd; i++)
    for (int d = 0; d <= 17; d++) check(odd[i], d);
}

/* Values that are exact ties at some number of decimals, and their
** neighbours: m + 1/2 units of 10^-d, and sums of halves, quarters and
** eighths that doubles hold exactly. */
static void near_ties(void **state) {
  (void)state;
  for (int i = 0; i < 40000; i++) {
    int d = (int)(rng() % 10);
    double m = (double)(rng() % 100000000ULL);
    double v = (m + 0.5) / pow(10.0, d);
    int dd = (int)(rng() % 10);
    check(v, d), check(v, dd), check(nextafter(v, 0), d), check(nextafter(v, INFINITY), d);
    double t = (double)(rng() % 1000000ULL) + (double)(rng() % 64) / 64.0;
    check(t, (int)(rng() % 8)), check(-t, 6), check(t, 4);
  }
}

/* Random bit patterns: every exponent, both signs, the odd values too. */
static void random_bits(void **state) {
  (void)state;
  for (int i = 0; i < 150000; i++) {
    uint64_t b = rng();
    double v;
    memcpy(&v, &b, sizeof v);
    check(v, 6);
    check(v, 4);
    if (i % 8 == 0) check(v, (int)(rng() % 18));
  }
}

/* Values of the sizes a run writes: volumes, flows, levels and energy
** from 1e-9 to 1e7, as sums and products of step lengths and rates. */
static void result_like(void **state) {
  (void)state;
  for (int i = 0; i < 150000; i++) {
    double scale = pow(10.0, (double)(int)(rng() % 17) - 9.0);
    double v = rng_unit() * scale;
    double flow_m3s = (double)(rng() % 100000) / 100.0;
    double hm3 = flow_m3s * 86400.0 * 1e-6;
    check(v, 6), check(-v, 6), check(v, 4);
    check(hm3, 6), check(hm3 * (1.0 + 0.1 * (double)(rng() % 5)), 6);
    check(hm3 / 0.0864, 4);
  }
}

static void format_strings(void **state) {
  (void)state;
  assert_int_equal(naryn__numfmt_decimals("%.6f"), 6);
  assert_int_equal(naryn__numfmt_decimals("%.4f"), 4);
  assert_int_equal(naryn__numfmt_decimals("%.0f"), 0);
  assert_int_equal(naryn__numfmt_decimals("%.17f"), 17);
  assert_int_equal(naryn__numfmt_decimals("%.18f"), -1);
  assert_int_equal(naryn__numfmt_decimals("%.6g"), -1);
  assert_int_equal(naryn__numfmt_decimals("%f"), -1);
  assert_int_equal(naryn__numfmt_decimals("%.f"), -1);
  assert_int_equal(naryn__numfmt_decimals("%.6f,"), -1);
  assert_int_equal(naryn__numfmt_decimals("%.123f"), -1);
  assert_int_equal(naryn__numfmt_decimals("x%.6f"), -1);
}

static void enough_compared(void **state) {
  (void)state;
  /* The suites above must have compared several hundred thousand. */
  assert_true(compared > 500000);
}

/* "%.3g", the residuals' format, against snprintf: values of every size,
** near the powers of ten and the ties of three digits, both signs. */
static void check_g3(double v) {
  char want[NARYN__NUMFMT_MAX], got[NARYN__NUMFMT_MAX + 8];
  memset(got, 'x', sizeof got);
  int n = snprintf(want, sizeof want, "%.3g", v);
  size_t len = naryn__numfmt_g3(got, v);
  compared++;
  if ((size_t)n != len || strcmp(want, got) != 0) {
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    fail_msg("%%.3g of %.17g (bits %016llx): snprintf \"%s\", numfmt \"%s\" (%zu)",
             v, (unsigned long long)bits, want, got, len);
  }
}

static void g3_values(void **state) {
  (void)state;
  for (int e = -25; e <= 6; e++)
    for (int m = 0; m < 2000; m++) {
      /* 100.0 to 999.5 in halves, times 10^(e-2), and neighbours. */
      double v = (100.0 + m * 0.45) * pow(10.0, e - 2);
      double lo = v, hi = v;
      for (int k = 0; k < 3; k++) {
        check_g3(lo), check_g3(-lo), check_g3(hi), check_g3(-hi);
        lo = nextafter(lo, 0.0);
        hi = nextafter(hi, INFINITY);
      }
    }
  for (int i = 0; i < 200000; i++) {
    uint64_t b = rng();
    double v;
    memcpy(&v, &b, sizeof v);
    check_g3(v);
    /* Residuals: round-off of sums of volumes, 1e-18 to 1e-6. */
    check_g3(ldexp((double)(rng() % 4096) - 2048.0, -(int)(rng() % 40) - 20));
    check_g3((rng_unit() - 0.5) * pow(10.0, (double)(rng() % 30) - 22.0));
  }
  static const double odd[] = {0.0, -0.0, NAN, INFINITY, -INFINITY, 1e-20, 1e-21,
                               999.5, 999.4999999999999, 99.95, 9.995, 0.0001,
                               0.00009995, 0.000099949999, 1000.0, 4.44e-16};
  for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) check_g3(odd[i]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(edge_values),    cmocka_unit_test(near_ties),
      cmocka_unit_test(random_bits),    cmocka_unit_test(result_like),
      cmocka_unit_test(format_strings), cmocka_unit_test(g3_values),
      cmocka_unit_test(enough_compared),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
