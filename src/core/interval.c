/*
** interval.c: the half width of a 95 % confidence interval for the mean of
** n independent samples, by Student's t distribution with n - 1 degrees of
** freedom, as an SDDP upper bound's estimate is given.
**
** The 0.975 quantile of t is tabled for 1 to 10 degrees of freedom (1 to
** 3 from the distribution's closed forms, 4 to 10 by bisection on its CDF
** integrated numerically, to 1e-10) and from 11 on is the Cornish-Fisher
** expansion in the normal quantile to the fourth power of 1 / df, within
** 2.3e-6 of the exact quantile at 11 degrees of freedom and nearer
** beyond.
*/
#include <math.h>

#include "../naryn_int.h"

double naryn__t975(int df) {
  /* The normal distribution's 0.975 quantile. */
  static const double z = 1.959963984540054;
  static const double table[10] = {12.706204736174704, 4.302652729749464, 3.182446305284263,
                                   2.776445105197802,  2.570581835636167, 2.446911851144934,
                                   2.364624251592782,  2.306004135204101, 2.262157162798213,
                                   2.228138851986313};
  if (df < 1) return NAN;
  if (df <= 10) return table[df - 1];
  double v = df, z2 = z * z;
  double g1 = (z2 + 1.0) * z / 4.0;
  double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
  double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
  double g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
  return z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v);
}

double naryn__half_width95(const double *x, int n) {
  if (n < 2) return NAN;
  /* Two passes, the mean first, so that costs of some 10^9 whose spread
  ** is some 10^6 keep their variance's digits. */
  double mean = 0.0, ss = 0.0;
  for (int j = 0; j < n; j++) mean += x[j];
  mean /= n;
  for (int j = 0; j < n; j++) ss += (x[j] - mean) * (x[j] - mean);
  return naryn__t975(n - 1) * sqrt(ss / (n - 1) / n);
}
