/*
** plausible.c: magnitudes that a valid model may hold but that are more
** likely a mistake of units, reported as warnings by "naryn check" (and
** refused by "naryn check --strict").
**
** Three comparisons, each made on the model as read and resolved, each
** named in its warning with the numbers it compared:
**
** - A demand or a minimum flow wanting more water over the horizon than
**   all the water that can reach it: every inflow upstream of it (along
**   links and return flows) over the horizon, and the storage of every
**   reservoir upstream above its dead storage at the start. Such a demand
**   can never be met; the usual cause is a volume per month typed into an
**   m3/s field (2.6 times too much) or m3/s into a field in hm3.
** - An inflow whose mean over the horizon is a thousand times the median
**   of the model's other inflows' means, or a thousandth of it: m3 given
**   for hm3, or m3/s for hm3 per month, shows as three or more orders of
**   magnitude.
** - A field in m3/s read from a CSV column whose name says it holds a
**   volume (hm3, mcm, km3, "volume"), or demand_hm3 read from a column
**   whose name says it holds a rate (m3s, m3/s, cumecs, "rate").
*/
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* An inflow this many times the median of the others, or this fraction of
** it, is reported. */
#define MAGNITUDE_RATIO 1000.0

/* The key under which the node's document holds the value 'src', or
** 'fallback' when it is not found there (a field set by a scenario). */
static const char *field_name(const naryn__node *n, const naryn__doc *src,
                              const char *fallback) {
  const naryn__doc *doc = n->doc;
  if (doc && doc->keys && src)
    for (int k = 0; k < doc->n; k++)
      if (doc->vals[k] == src) return doc->keys[k]->str;
  return fallback;
}

/* Reports a warning at the value of field 'ts' of node n. */
static void warn(naryn_diags *d, const naryn__node *n, const naryn__ts *ts,
                 const char *field, const char *fmt, ...) NARYN__PRINTF(5, 6);
static void warn(naryn_diags *d, const naryn__node *n, const naryn__ts *ts,
                 const char *field, const char *fmt, ...) {
  const naryn__doc *at = ts->src ? ts->src : n->doc;
  char w[256];
  va_list ap;
  va_start(ap, fmt);
  naryn__vdiag(d, NARYN_EMODEL, NARYN_SEV_WARNING, at ? at->file : NULL,
               at ? at->line : 0, at ? at->col : 0,
               naryn__node_where(n, field_name(n, ts->src, field), w, sizeof w),
               fmt, ap);
  va_end(ap);
}

/* The water that can reach node i: the inflow of every inflow node above
** it over the horizon (hm3) into *inflow_hm3, and the storage above dead
** storage at the start of every reservoir above it into *stored_hm3;
** returns the number of inflow nodes above it, or -1 when out of memory. */
static int water_above(const naryn_model *m, int i, double *inflow_hm3,
                       double *stored_hm3) {
  unsigned char *below = malloc((size_t)m->nnodes + 1);
  int *queue = malloc(((size_t)m->nnodes + 1) * sizeof *queue);
  int count = -1;
  *inflow_hm3 = *stored_hm3 = 0.0;
  if (below && queue) {
    count = 0;
    for (int u = 0; u < m->nnodes; u++) {
      const naryn__node *n = &m->nodes[u];
      if (!n->enabled || u == i) continue;
      int is_inflow = n->type == NARYN_NODE_INFLOW && n->inflow_m3s.v;
      int is_store = n->type == NARYN_NODE_RESERVOIR;
      if (!is_inflow && !is_store) continue;
      naryn__mark_below(m, u, below, queue);
      if (!below[i]) continue;
      if (is_inflow) {
        for (int t = 0; t < m->nsteps; t++)
          *inflow_hm3 += n->inflow_m3s.v[t] * m->step_s[t] * 1e-6;
        count++;
      } else {
        *stored_hm3 += fmax(0.0, n->initial_storage_hm3 - n->min_storage_hm3);
      }
    }
  }
  free(below);
  free(queue);
  return count;
}

/* Demands and minimum flows that want more than can reach them. */
static int check_wants(const naryn_model *m, naryn_diags *d) {
  int found = 0;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!n->enabled) continue;
    const naryn__ts *ts = n->type == NARYN_NODE_DEMAND ? &n->demand_hm3
                          : n->type == NARYN_NODE_MIN_FLOW ? &n->min_flow_m3s
                                                           : NULL;
    if (!ts || !ts->v) continue;
    double want_hm3 = 0.0;
    for (int t = 0; t < m->nsteps; t++)
      want_hm3 += n->type == NARYN_NODE_DEMAND ? ts->v[t] : ts->v[t] * m->step_s[t] * 1e-6;
    double inflow_hm3, stored_hm3;
    int inflows = water_above(m, i, &inflow_hm3, &stored_hm3);
    if (inflows < 0) return -1;
    /* A node without any inflow above it is another check's concern. */
    if (inflows == 0 || !(want_hm3 > (inflow_hm3 + stored_hm3) * (1.0 + 1e-9)))
      continue;
    const char *field = n->type == NARYN_NODE_DEMAND ? "demand_hm3" : "min_flow_m3s";
    warn(d, n, ts, field,
         "expected no more than the water that can reach it, got %.6g hm3 "
         "wanted over the horizon against %.6g hm3 of inflow from the %d "
         "inflow node%s upstream and %.6g hm3 stored above dead storage at "
         "the start; check the units (a volume per month given in m3/s?)",
         want_hm3, inflow_hm3, inflows, inflows == 1 ? "" : "s", stored_hm3);
    found++;
  }
  return found;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Inflows three orders of magnitude from the model's others. */
static int check_inflows(const naryn_model *m, naryn_diags *d) {
  int n_in = 0;
  double *mean = malloc(((size_t)m->nnodes + 1) * sizeof *mean);
  double *other = malloc(((size_t)m->nnodes + 1) * sizeof *other);
  int *node = malloc(((size_t)m->nnodes + 1) * sizeof *node);
  int found = 0;
  if (!mean || !other || !node) {
    found = -1;
    goto done;
  }
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!n->enabled || n->type != NARYN_NODE_INFLOW || !n->inflow_m3s.v) continue;
    double sum = 0.0, secs = 0.0;
    for (int t = 0; t < m->nsteps; t++) {
      sum += n->inflow_m3s.v[t] * m->step_s[t];
      secs += m->step_s[t];
    }
    node[n_in] = i;
    mean[n_in++] = secs > 0 ? sum / secs : 0.0;
  }
  /* A median needs two others to mean anything. */
  if (n_in < 3) goto done;
  for (int k = 0; k < n_in; k++) {
    int no = 0;
    for (int j = 0; j < n_in; j++)
      if (j != k) other[no++] = mean[j];
    qsort(other, (size_t)no, sizeof *other, by_value);
    double median = no % 2 ? other[no / 2] : 0.5 * (other[no / 2 - 1] + other[no / 2]);
    if (!(median > 0.0) || !(mean[k] > 0.0)) continue;
    double ratio = mean[k] / median;
    if (ratio < MAGNITUDE_RATIO && ratio > 1.0 / MAGNITUDE_RATIO) continue;
    const naryn__node *n = &m->nodes[node[k]];
    warn(d, n, &n->inflow_m3s, "inflow_m3s",
         "expected an inflow within a factor of %g of the model's others, got "
         "a mean of %.6g m3/s over the horizon, %.4g times the median of the "
         "other %d inflows' means (%.6g m3/s); check the units (m3, hm3 or a "
         "volume per month given in m3/s?)",
         MAGNITUDE_RATIO, mean[k], ratio, no, median);
    found++;
  }
done:
  free(mean);
  free(other);
  free(node);
  return found;
}

/* 1 when 'name', lowered, holds 'word'. */
static int names(const char *name, const char *word) {
  char low[256];
  size_t i = 0;
  for (; name[i] && i + 1 < sizeof low; i++) low[i] = (char)tolower((unsigned char)name[i]);
  low[i] = '\0';
  return strstr(low, word) != NULL;
}

/* What a column's name says it holds: "volumes", "rates" or NULL. */
static const char *column_says(const char *name) {
  static const char *const volume[] = {"hm3", "mcm", "km3", "mm3", "volume"};
  static const char *const rate[] = {"m3s", "m3/s", "m3_s", "cumec", "rate"};
  for (size_t k = 0; k < sizeof rate / sizeof *rate; k++)
    if (names(name, rate[k])) return "rates";
  for (size_t k = 0; k < sizeof volume / sizeof *volume; k++)
    if (names(name, volume[k])) return "volumes";
  return NULL;
}

/* A series read from a column whose name says the other unit. */
static int check_column(naryn_diags *d, const naryn__node *n, const naryn__ts *ts,
                        const char *field, const char *expected) {
  if (!ts->v || !ts->csv || ts->csv_col < 0 || ts->csv_col >= ts->csv->ncols) return 0;
  const char *col = ts->csv->header[ts->csv_col];
  const char *says = column_says(col);
  if (!says || strcmp(says, expected) == 0) return 0;
  warn(d, n, ts, field,
       "expected a column of %s, as the field's unit says, got column \"%s\" "
       "of %s, whose name says it holds %s; check the units",
       expected, col, ts->csv->file, says);
  return 1;
}

static int check_columns(const naryn_model *m, naryn_diags *d) {
  int found = 0;
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (!n->enabled) continue;
    found += check_column(d, n, &n->inflow_m3s, "inflow_m3s", "rates");
    found += check_column(d, n, &n->release_m3s, "release_m3s", "rates");
    found += check_column(d, n, &n->forced_release_m3s, "forced_release_m3s", "rates");
    found += check_column(d, n, &n->min_flow_m3s, "min_flow_m3s", "rates");
    /* A demand given in m3/s is held as hm3 per step; its field tells. */
    if (n->type == NARYN_NODE_DEMAND && n->demand_hm3.v) {
      const char *f = field_name(n, n->demand_hm3.src, "demand_hm3");
      int as_rate = strcmp(f, "demand_m3s") == 0;
      found += check_column(d, n, &n->demand_hm3, f, as_rate ? "rates" : "volumes");
    }
  }
  return found;
}

int naryn_model_plausible(const naryn_model *m, naryn_diags *d, int *warnings) {
  *warnings = 0;
  int a = check_wants(m, d);
  int b = a < 0 ? 0 : check_inflows(m, d);
  if (a < 0 || b < 0)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  *warnings = a + b + check_columns(m, d);
  return NARYN_OK;
}
