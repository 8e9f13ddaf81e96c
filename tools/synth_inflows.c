/*
** synth_inflows.c: a seeded synthetic monthly inflow series for a model.
**
** Usage: synth_inflows STATS.csv START YEARS SEED > inflows.csv
**
** STATS.csv has one row per series: its column name, the coefficient of
** variation of its annual volume, and its twelve monthly mean flows
** (January to December, m3/s); '#' lines are comments. The output holds
** YEARS water years of monthly flows from START (YYYY-MM), one column per
** series.
**
** The model of variation is deliberately simple and stated in full:
** - each water year (October to September) has one annual factor per
**   series, lognormal with mean 1 and the series' CV;
** - the factors' normal scores follow an AR(1) process from year to year
**   (lag-one correlation RHO_YEAR) and share a common basin-wide part
**   (correlation RHO_SERIES between series), since dry and wet years come
**   to the whole Tien Shan at once;
** - each month is then its mean times the annual factor times a lognormal
**   monthly factor (CV CV_MONTH, independent);
** - finally each series is scaled so that its mean over the whole output
**   equals the mean of its monthly means exactly, so the long-term volume
**   is the one the statistics give.
** Random numbers come from splitmix64 and the Box-Muller transform, so the
** same arguments give the same bytes on any machine.
*/
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RHO_YEAR 0.3
#define RHO_SERIES 0.7
#define CV_MONTH 0.10
#define MAX_SERIES 16
#define MAX_LINE 1024
#define PI 3.14159265358979323846

static uint64_t state;

/* splitmix64: a small generator with good statistical quality. */
static uint64_t next_u64(void) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* A uniform number in (0, 1). */
static double uniform(void) { return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0; }

/* A standard normal number (Box-Muller, cosine branch). */
static double normal(void) {
  double u = uniform(), v = uniform();
  return sqrt(-2.0 * log(u)) * cos(2.0 * PI * v);
}

/* A lognormal factor with mean 1 and the given CV, from a normal score. */
static double lognormal(double z, double cv) {
  double s2 = log(1.0 + cv * cv);
  return exp(sqrt(s2) * z - 0.5 * s2);
}

static int days_in(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: synth_inflows STATS.csv START(YYYY-MM) YEARS SEED\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  char names[MAX_SERIES][64];
  double cv[MAX_SERIES], mean[MAX_SERIES][12];
  int n = 0, lineno = 0;
  char line[MAX_LINE];
  while (fgets(line, sizeof line, f)) {
    lineno++;
    if (line[0] == '#' || line[0] == '\n' || strncmp(line, "series,", 7) == 0) continue;
    if (n == MAX_SERIES) {
      fprintf(stderr, "%s:%d: at most %d series\n", argv[1], lineno, MAX_SERIES);
      return 1;
    }
    char *tok = strtok(line, ",");
    snprintf(names[n], sizeof names[n], "%s", tok ? tok : "");
    int k = -1;
    for (tok = strtok(NULL, ",\n"); tok && k < 12; tok = strtok(NULL, ",\n"), k++) {
      char *end;
      double v = strtod(tok, &end);
      if (end == tok || v < 0) {
        fprintf(stderr, "%s:%d: expected a number >= 0, got \"%s\"\n", argv[1], lineno, tok);
        return 1;
      }
      if (k < 0) cv[n] = v; else mean[n][k] = v;
    }
    if (k != 12) {
      fprintf(stderr, "%s:%d: expected a CV and 12 monthly means\n", argv[1], lineno);
      return 1;
    }
    n++;
  }
  fclose(f);
  int y0, m0, years = atoi(argv[3]);
  if (sscanf(argv[2], "%d-%d", &y0, &m0) != 2 || m0 < 1 || m0 > 12 || years < 1 || n == 0) {
    fprintf(stderr, "synth_inflows: bad START, YEARS or empty STATS\n");
    return 2;
  }
  state = strtoull(argv[4], NULL, 10);
  int months = 12 * years;
  double *q = malloc((size_t)months * n * sizeof *q);
  int *days = malloc((size_t)months * sizeof *days);
  if (!q || !days) return 1;
  double z_prev[MAX_SERIES];
  for (int s = 0; s < n; s++) z_prev[s] = 0.0;
  int have_prev = 0;
  for (int t = 0; t < months; t++) {
    int mi = (m0 - 1 + t) % 12, y = y0 + (m0 - 1 + t) / 12;
    days[t] = days_in(y, mi + 1);
    /* A new water year starts in October, or at the first month. */
    if (t == 0 || mi == 9) {
      double common = normal();
      for (int s = 0; s < n; s++) {
        double own = sqrt(RHO_SERIES) * common + sqrt(1.0 - RHO_SERIES) * normal();
        z_prev[s] = have_prev ? RHO_YEAR * z_prev[s] + sqrt(1.0 - RHO_YEAR * RHO_YEAR) * own : own;
      }
      have_prev = 1;
    }
    for (int s = 0; s < n; s++)
      q[(size_t)t * n + s] = mean[s][mi] * lognormal(z_prev[s], cv[s]) * lognormal(normal(), CV_MONTH);
  }
  for (int s = 0; s < n; s++) {
    double want = 0.0, got = 0.0;
    for (int t = 0; t < months; t++) {
      int mi = (m0 - 1 + t) % 12;
      want += mean[s][mi] * days[t];
      got += q[(size_t)t * n + s] * days[t];
    }
    for (int t = 0; t < months; t++) q[(size_t)t * n + s] *= want / got;
  }
  printf("# Synthetic monthly inflows, m3/s: tools/synth_inflows.c %s %s %s %s\n",
         argv[1], argv[2], argv[3], argv[4]);
  printf("# Not observed data. See the model's README for the method and the statistics.\n");
  printf("date");
  for (int s = 0; s < n; s++) printf(",%s", names[s]);
  printf("\n");
  for (int t = 0; t < months; t++) {
    int mi = (m0 - 1 + t) % 12, y = y0 + (m0 - 1 + t) / 12;
    printf("%04d-%02d", y, mi + 1);
    for (int s = 0; s < n; s++) printf(",%.1f", q[(size_t)t * n + s]);
    printf("\n");
  }
  free(q);
  free(days);
  return 0;
}
