/*
** numfmt.c: numbers in fixed-point notation for result files, written
** byte for byte as printf's "%.Nf" writes them, but without printf.
**
** printf rounds the exact binary value of a double to N decimals, a tie
** going to the even neighbour. The fast path finds that rounding exactly:
** with p = 10^N (exact as a double for N <= 22), s = v * p rounded to a
** double and r = fma(v, p, -s), the exact product v * 10^N is s + r, r
** being the rounding error of the product, which is itself a double. When
** s < 2^52 every double near s is a multiple of at most 1/2, so the
** fractional part of s less one half is exact, and it is at least one
** unit in the last place of s from zero unless it is zero, while |r| is at
** most half of one: the sign of (frac(s) - 1/2) + r is then known without
** rounding, and it says whether the exact value lies below, on or above
** the midpoint. The rounded integer (below 2^52) is then cut into its
** integer and decimal digits.
**
** Everything else - not finite, past 2^52 once scaled, so small that the
** product's error could underflow, more than 17 decimals - is handed to
** snprintf, so the output is always printf's.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* 10^k for k = 0..22, all exact as doubles (and to 17 as 64-bit
** integers, below). */
static const double pow10_d[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                 1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                 1e18, 1e19, 1e20, 1e21, 1e22};
static const uint64_t pow10_u[] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL};

/* The pairs of digits 00 to 99, for writing two digits at a time. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes the decimal digits of u (no leading zeros; "0" for zero) at out
** and returns their number. Most values of a result file are below 100
** before the point, so those are written without a loop. */
static size_t put_uint(char *out, uint64_t u) {
  if (u < 10) {
    out[0] = (char)('0' + u);
    return 1;
  }
  if (u < 100) {
    memcpy(out, digit_pairs + 2 * u, 2);
    return 2;
  }
  int n = 3;
  for (uint64_t p = 1000; n < 20 && u >= p; p *= 10) n++;
  char *q = out + n;
  while (u >= 100) {
    unsigned k = (unsigned)(u % 100) * 2;
    u /= 100;
    q -= 2;
    memcpy(q, digit_pairs + k, 2);
  }
  if (u >= 10) {
    memcpy(q - 2, digit_pairs + 2 * u, 2);
  } else {
    q[-1] = (char)('0' + u);
  }
  return (size_t)n;
}

/* Writes exactly n digits of u, with leading zeros, at out: two at a time
** from the last, in 32-bit arithmetic while u fits. */
static void put_digits(char *out, uint64_t u, int n) {
  int i = n;
  while (i >= 2 && u > 0xffffffffu) {
    unsigned k = (unsigned)(u % 100) * 2;
    u /= 100;
    i -= 2;
    memcpy(out + i, digit_pairs + k, 2);
  }
  uint32_t v = (uint32_t)u;
  while (i >= 2) {
    unsigned k = (v % 100) * 2;
    v /= 100;
    i -= 2;
    memcpy(out + i, digit_pairs + k, 2);
  }
  if (i == 1) out[0] = (char)('0' + v % 10);
}

/* The fast path of naryn__numfmt_fixed_read; returns 0 (having written
** nothing) where it does not apply. *as_read is the decimal written,
** rounded to a double. */
static size_t fixed_fast(char *out, double v, int decimals, double *as_read) {
  if (decimals < 0 || decimals > 17 || !isfinite(v)) return 0;
  int neg = signbit(v) != 0;
  double a = fabs(v);
  uint64_t n; /* a * 10^decimals rounded to the nearest, ties to even */
  if (a < 1e-250) {
    /* Far below half a unit of the last decimal: the value rounds to
    ** zero, and the product's rounding error might not be a double. */
    n = 0;
  } else {
    double p = pow10_d[decimals];
    double s = a * p;
    if (!(s < 4503599627370496.0)) return 0; /* 2^52 */
    double k = floor(s);
    double half = (s - k) - 0.5; /* exact: see the file's comment */
    n = (uint64_t)k;
    /* Only on the midpoint does the product's rounding error decide. */
    if (half > 0) {
      n++;
    } else if (half == 0) {
      double r = fma(a, p, -s);
      if (r > 0 || (r == 0 && (n & 1))) n++;
    }
  }
  char *o = out;
  if (neg) *o++ = '-';
  uint64_t p10 = pow10_u[decimals];
  o += put_uint(o, n / p10);
  if (decimals > 0) {
    *o++ = '.';
    put_digits(o, n % p10, decimals);
    o += decimals;
  }
  *o = '\0';
  /* n and 10^decimals are exact doubles (n < 2^52): one division rounds
  ** the decimal n / 10^decimals correctly, as a reader of the text does. */
  if (as_read) {
    double x = (double)n / pow10_d[decimals];
    *as_read = neg ? -x : x;
  }
  return (size_t)(o - out);
}

size_t naryn__numfmt_fixed_read(char *out, double v, int decimals,
                                double *as_read) {
  size_t len = fixed_fast(out, v, decimals, as_read);
  if (len > 0) return len;
  int k = snprintf(out, NARYN__NUMFMT_MAX, "%.*f", decimals, v);
  /* Only more than 17 decimals could overflow: cut, as documented. */
  if (k < 0) {
    out[0] = '\0';
    k = 0;
  } else if ((size_t)k >= NARYN__NUMFMT_MAX) {
    k = NARYN__NUMFMT_MAX - 1;
  }
  if (as_read) {
    /* As a reader of a CSV cell takes it: an exact decimal, else strtod
    ** of the whole cell ("inf"), else no number. */
    char *end;
    if (!naryn__csv_decimal(out, as_read)) {
      double x = strtod(out, &end);
      *as_read = *end || !out[0] ? NAN : x;
    }
  }
  return (size_t)k;
}

size_t naryn__numfmt_fixed(char *out, double v, int decimals) {
  return naryn__numfmt_fixed_read(out, v, decimals, NULL);
}

/* a * 10^k rounded to the nearest integer, ties to even, exactly (as in
** fixed_fast: 10^k exact, the product below 2^52). */
static uint64_t scaled_round(double a, int k) {
  double p = pow10_d[k];
  double s = a * p;
  double f = floor(s);
  double half = (s - f) - 0.5;
  uint64_t n = (uint64_t)f;
  if (half > 0) {
    n++;
  } else if (half == 0) {
    double r = fma(a, p, -s);
    if (r > 0 || (r == 0 && (n & 1))) n++;
  }
  return n;
}

size_t naryn__numfmt_g3(char *out, double v) {
  double a = fabs(v);
  /* The fast path: 1e-20 <= |v| < 1000, where the three significant
  ** digits are |v| * 10^k rounded for a k from 0 to 22. */
  if (a >= 1e-20 && a < 1000.0) {
    int x = (int)floor(log10(a)); /* the decimal exponent, give or take one */
    if (x < -20 || x > 2) goto slow;
    double s = a * pow10_d[2 - x];
    /* Near a power of ten the rounded product may say 100 or 1000 for an
    ** exact one just below: either way three digits round to the same. */
    if (s < 100.0) x--;
    else if (s >= 1000.0) x++;
    if (x < -20 || x > 2) goto slow;
    uint64_t n = scaled_round(a, 2 - x);
    if (n >= 1000) { /* rounded up to the next power of ten */
      n /= 10;
      x++;
    }
    if (n < 100) goto slow; /* cannot happen; printf decides */
    char d[3] = {(char)('0' + n / 100), (char)('0' + n / 10 % 10), (char)('0' + n % 10)};
    char *o = out;
    if (signbit(v)) *o++ = '-';
    if (x < -4 || x >= 3) {
      /* d.dde-XX, trailing zeros of the fraction dropped. */
      *o++ = d[0];
      int keep = d[2] != '0' ? 2 : d[1] != '0' ? 1 : 0;
      if (keep) {
        *o++ = '.';
        for (int i = 1; i <= keep; i++) *o++ = d[i];
      }
      *o++ = 'e';
      *o++ = x < 0 ? '-' : '+';
      int ax = x < 0 ? -x : x;
      *o++ = (char)('0' + ax / 10);
      *o++ = (char)('0' + ax % 10);
    } else {
      /* 2 - x decimals: the digits with the point after digit x + 1
      ** (x + 1 <= 0: "0." and -x - 1 zeros first), trailing zeros and a
      ** bare point dropped. */
      char buf[16];
      int len = 0, point;
      if (x >= 0) {
        for (int i = 0; i <= x; i++) buf[len++] = d[i];
        point = len;
        buf[len++] = '.';
        for (int i = x + 1; i < 3; i++) buf[len++] = d[i];
      } else {
        buf[len++] = '0';
        point = len;
        buf[len++] = '.';
        for (int i = 0; i < -x - 1; i++) buf[len++] = '0';
        for (int i = 0; i < 3; i++) buf[len++] = d[i];
      }
      while (len > point + 1 && buf[len - 1] == '0') len--;
      if (len == point + 1) len = point;
      memcpy(o, buf, (size_t)len);
      o += len;
    }
    *o = '\0';
    return (size_t)(o - out);
  }
slow:;
  int k = snprintf(out, NARYN__NUMFMT_MAX, "%.3g", v);
  return k < 0 ? 0 : (size_t)k;
}

/* Reads the number of decimals of a format that is exactly "%.Nf" with N
** of one or two digits; -1 for any other format. */
int naryn__numfmt_decimals(const char *fmt) {
  if (fmt[0] != '%' || fmt[1] != '.') return -1;
  const char *q = fmt + 2;
  int d = 0, nd = 0;
  while (*q >= '0' && *q <= '9' && nd < 2) d = d * 10 + (*q++ - '0'), nd++;
  if (nd == 0 || q[0] != 'f' || q[1] != '\0' || d > 17) return -1;
  return d;
}
