/*
** rng.c: seeded random streams for synthetic series.
**
** A stream is splitmix64 (a Weyl sequence with a 64-bit output mix) started
** from a hash of (seed, stream). Different streams start at unrelated
** places of the generator's 2^64 cycle, so the streams of an ensemble's
** members do not overlap in practice and member k's numbers do not depend
** on which other members are drawn. Integer arithmetic only up to the
** uniform; normal numbers use log, sqrt, cos and sin, whose results are
** the same on every machine with the same C library.
*/
#include <math.h>

#include "../naryn_int.h"

#define GOLDEN 0x9E3779B97F4A7C15ull
#define PI 3.14159265358979323846

/* The output mix of splitmix64, a bijection of 64-bit words. */
static uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void naryn__rng_seed(naryn__rng *r, uint64_t seed, uint64_t stream) {
  r->state = mix(mix(seed + GOLDEN) ^ mix(stream * GOLDEN + 0x632BE59BD9B4E019ull));
  r->have_spare = 0;
  r->spare = 0.0;
}

uint64_t naryn__rng_u64(naryn__rng *r) {
  r->state += GOLDEN;
  return mix(r->state);
}

double naryn__rng_uniform(naryn__rng *r) {
  /* 53 random bits, shifted half a step off zero: never 0, never 1. */
  return ((double)(naryn__rng_u64(r) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

long naryn__rng_below(naryn__rng *r, long n) {
  if (n <= 1) return 0;
  long k = (long)(naryn__rng_uniform(r) * (double)n);
  return k < n ? k : n - 1;
}

double naryn__rng_normal(naryn__rng *r) {
  if (r->have_spare) {
    r->have_spare = 0;
    return r->spare;
  }
  double u = naryn__rng_uniform(r), v = naryn__rng_uniform(r);
  double radius = sqrt(-2.0 * log(u)), angle = 2.0 * PI * v;
  r->spare = radius * sin(angle);
  r->have_spare = 1;
  return radius * cos(angle);
}
