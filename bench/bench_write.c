/*
** bench_write.c: the time to write a run's results, and to draw its
** report, for the chain benchmark of bench/chain.sh (N = 50 unless given;
** 4N+1 nodes, 4N links, 3,653 daily steps).
**
** The model is simulated once; then its folder is written five times with
** every file (naryn_result_write: the per-step CSV files, each by a thread
** of its own as the naryn command writes them, the summaries and
** report.html) and five times with summaries only (no per-step file); the
** report is then drawn five times again from the folder, as "naryn report"
** does. The medians are printed, and the difference of the first two,
** which is the time of the per-step CSV files (nodes.csv and links.csv).
**
** Usage: bench_write [N | MODEL.yaml]; run from the source tree, which
** holds bench/chain.sh.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "naryn.h"

#define RUNS 5

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, by_value);
  return v[n / 2];
}

/* The size in bytes of DIR/NAME, or -1. */
static long long file_size(const char *dir, const char *name) {
  char path[512];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv) {
  const char *arg = argc > 1 ? argv[1] : "50";
  char tmp[] = "/tmp/naryn-bench-write-XXXXXX", model[512], out[512], cmd[1024];
  if (!mkdtemp(tmp)) return 1;
  if (strstr(arg, ".yaml") || strstr(arg, ".json")) {
    snprintf(model, sizeof model, "%s", arg);
  } else {
    snprintf(model, sizeof model, "%s/chain.yaml", tmp);
    snprintf(cmd, sizeof cmd, "sh bench/chain.sh %d > %s", atoi(arg), model);
    if (system(cmd) != 0) {
      fprintf(stderr, "bench_write: cannot run bench/chain.sh (run from the source tree)\n");
      return 1;
    }
  }
  snprintf(out, sizeof out, "%s/out", tmp);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  int rc = naryn_model_load(model, NULL, 0, &m, d);
  if (rc == NARYN_OK) rc = naryn_simulate(m, NULL, &r, d);
  double w[RUNS], sum[RUNS], rep[RUNS];
  naryn_output summaries;
  naryn_output_init(&summaries);
  summaries.per_step = 0;
  for (int k = 0; k < RUNS && rc == NARYN_OK; k++) {
    double t0 = seconds();
    rc = naryn_result_write_with(r, &summaries, out, d);
    sum[k] = seconds() - t0;
  }
  for (int k = 0; k < RUNS && rc == NARYN_OK; k++) {
    double t0 = seconds();
    rc = naryn_result_write(r, out, d);
    w[k] = seconds() - t0;
  }
  for (int k = 0; k < RUNS && rc == NARYN_OK; k++) {
    double t0 = seconds();
    rc = naryn_report_write(out, d);
    rep[k] = seconds() - t0;
  }
  if (rc != NARYN_OK) {
    char msg[1024];
    for (int i = 0; i < naryn_diags_count(d); i++) {
      naryn_diag_format(naryn_diags_get(d, i), msg, sizeof msg);
      fprintf(stderr, "%s\n", msg);
    }
  } else {
    double mw = median(w, RUNS), ms = median(sum, RUNS), mr = median(rep, RUNS);
    printf("%-44s %8.3f s\n", "results written (every file and report)", mw);
    printf("%-44s %8.3f s\n", "results written, summaries only", ms);
    printf("%-44s %8.3f s\n", "per-step CSV files (the difference)", mw - ms);
    printf("%-44s %8.3f s\n", "report drawn again from the folder", mr);
    printf("%-44s %8.1f MB, links.csv %.1f MB, report.html %.1f MB\n", "nodes.csv",
           file_size(out, "nodes.csv") / 1e6, file_size(out, "links.csv") / 1e6,
           file_size(out, "report.html") / 1e6);
  }
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system(cmd) != 0) return 1;
  return rc == NARYN_OK ? 0 : 1;
}
