/*
** test_interval.c: the 95 % confidence interval of a mean (core/interval.c),
** which an SDDP upper bound's estimate gives: Student's t quantile against
** its exact values, and the half width against intervals worked by hand.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "naryn_int.h"
#include "testutil.h"

/* The exact 0.975 quantiles of t: 1 to 3 degrees of freedom from the
** closed forms (tan(0.475 pi); 0.95 / sqrt(0.04875); the root of the CDF
** of 3), the others from the CDF integrated numerically to 1e-9. The
** table holds to 10 degrees of freedom; the expansion used from 11 on is
** within 2.3e-6 of them, and nearer as df grows; below 1 there is no
** quantile. */
static void test_t975(void **state) {
  (void)state;
  static const struct {
    int df;
    double t, tol;
  } known[] = {{1, 12.706204736174704, 1e-12}, {2, 4.302652729749464, 1e-12},
               {3, 3.182446305284263, 1e-12},  {4, 2.7764451051977987, 1e-9},
               {5, 2.5705818366147395, 1e-9},  {9, 2.2621571627409915, 1e-9},
               {11, 2.2009851600915926, 3e-6}, {12, 2.1788128296672475, 2e-6},
               {19, 2.093024054408263, 1e-6},  {29, 2.045229642132703, 1e-6},
               {99, 1.9842169515086832, 1e-7}, {1000, 1.9623390808264074, 1e-9}};
  for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
    double t = naryn__t975(known[k].df);
    print_message("df %d: %.12f against %.12f\n", known[k].df, t, known[k].t);
    assert_true(fabs(t - known[k].t) <= known[k].tol * known[k].t);
  }
  assert_true(isnan(naryn__t975(0)));
  assert_true(isnan(naryn__t975(-5)));
}

/* Two samples 1 and 3: standard error 1, so the half width is t of one
** degree of freedom, 12.71, where 1.96 gave a sixth of it. Three costs of
** some 10^9 one apart: standard error 1 / sqrt(3) to 1e-9, though their
** squares' sum is some 10^18. Fewer than two: none. */
static void test_half_width(void **state) {
  (void)state;
  const double two[2] = {1.0, 3.0};
  assert_true(fabs(naryn__half_width95(two, 2) - 12.706204736174704) <= 1e-12);
  const double big[3] = {2.2e9 - 1.0, 2.2e9, 2.2e9 + 1.0};
  double want = 4.302652729749464 / sqrt(3.0);
  assert_true(fabs(naryn__half_width95(big, 3) - want) <= 1e-9 * want);
  const double same[4] = {5.0, 5.0, 5.0, 5.0};
  assert_true(naryn__half_width95(same, 4) == 0.0);
  assert_true(isnan(naryn__half_width95(two, 1)));
  assert_true(isnan(naryn__half_width95(two, 0)));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_t975),
      cmocka_unit_test(test_half_width),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
