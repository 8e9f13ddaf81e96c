/*
** policy_page.c: the page of an SDDP policy's folder (convergence.csv,
** water_values.csv), drawn from those files alone: how training closed
** the gap between the lower bound and the upper bound's estimates, and
** the water values the policy's cuts give each reservoir by stage.
**
** The files do not hold the model's name, and the folder's name may be a
** staging folder's when naryn sddp draws the page, so the page is titled
** by what it is, and "naryn report DIR" draws the same bytes again.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* The most stages drawn as lines on a reservoir's chart of water values:
** a year of monthly stages. A policy of more stages is drawn at this many
** of them, evenly spaced. */
#define MAX_LINES 12

typedef struct policy {
  run_files f;
  naryn__csv *conv, *wv;
  const char *currency;
  /* convergence.csv: a value an iteration, NaN for an empty cell. */
  int n;
  double *it, *lb, *ub, *hw, *gap;
  int nest;            /* iterations with an upper bound estimate */
  /* water_values.csv: the reservoirs and stages in the order of the
  ** file, and each row's reservoir, stage, storage and value. A policy
  ** with a chain of prices has a price_state column: a stage is then a
  ** step in one price state, and the states are listed in file order. */
  int nres, nstage, nps;
  const char **res;    /* [nres] */
  const char **ps;     /* [nps] the price states; NULL without a chain */
  int *stage_ps;       /* [nstage] the stage's price state, 0 without */
  int *stage_row;      /* [nstage] the stage's first row */
  int *ri, *si;        /* [rows] */
  double *st, *val;    /* [rows] */
  unsigned char *has_value; /* [nstage] 1 when some cell of the stage has a value */
} policy;

static int nomem(const run_files *f) {
  return naryn__diag(f->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

/* A number cell into *v: NaN for an empty cell when 'may_be_empty'.
** Reports anything else that is not a finite number. */
static int num(const run_files *f, const naryn__csv *t, int r, const char *col,
               int may_be_empty, double *v) {
  const char *s = cell(t, r, col);
  *v = NAN;
  if (!s[0] && may_be_empty) return NARYN_OK;
  char *end;
  double x = strtod(s, &end);
  if (!s[0] || *end || !isfinite(x)) {
    char *got = s[0] ? naryn__arena_printf(f->a, ", got \"%s\"", s)
                     : naryn__arena_printf(f->a, ", got an empty cell");
    return got ? naryn__rep_bad(f, t, r, col, "column \"%s\": expected a number%s", got)
               : nomem(f);
  }
  *v = x;
  return NARYN_OK;
}

static void *alloc(policy *p, size_t n, size_t size) {
  return naryn__arena_alloc(p->f.a, (n ? n : 1) * size);
}

/* Reads convergence.csv: an iteration a row, its lower bound, and where
** the upper bound was estimated its estimate, half width and gap. */
static int read_convergence(policy *p) {
  run_files *f = &p->f;
  naryn__csv *t = p->conv = naryn__rep_read_csv(f, "convergence.csv");
  if (!t) return NARYN_EIO;
  static const char *const cols[] = {"iteration", "lower_bound", "upper_bound",
                                     "upper_half_width", "gap_pct", "cuts", "currency"};
  for (int k = 0; k < 7; k++)
    if (need_column(f, t, cols[k]) != NARYN_OK) return NARYN_EIO;
  if (t->nrows < 1)
    return naryn__diag(f->d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                       "expected a row for each iteration of training, got none");
  p->n = t->nrows;
  double *v = alloc(p, (size_t)p->n * 5, sizeof *v);
  if (!v) return nomem(f);
  p->it = v, p->lb = v + p->n, p->ub = v + 2 * p->n, p->hw = v + 3 * p->n, p->gap = v + 4 * p->n;
  int rc = NARYN_OK;
  for (int r = 0; r < p->n && rc == NARYN_OK; r++) {
    rc = num(f, t, r, "iteration", 0, &p->it[r]);
    if (rc == NARYN_OK) rc = num(f, t, r, "lower_bound", 0, &p->lb[r]);
    if (rc == NARYN_OK) rc = num(f, t, r, "upper_bound", 1, &p->ub[r]);
    /* An estimate has its half width and gap; a row without has neither. */
    int est = !isnan(p->ub[r]);
    if (rc == NARYN_OK) rc = num(f, t, r, "upper_half_width", !est, &p->hw[r]);
    if (rc == NARYN_OK) rc = num(f, t, r, "gap_pct", 1, &p->gap[r]);
    p->nest += est;
  }
  p->currency = cell(t, 0, "currency");
  return rc;
}

/* Reads water_values.csv: the reservoirs and stages in the order of the
** file, and the storage and value of every row. */
static int read_water_values(policy *p) {
  run_files *f = &p->f;
  naryn__csv *t = p->wv = naryn__rep_read_csv(f, "water_values.csv");
  if (!t) return NARYN_EIO;
  static const char *const cols[] = {"stage", "date", "month", "reservoir", "storage_hm3",
                                     "value_per_hm3"};
  for (int k = 0; k < 6; k++)
    if (need_column(f, t, cols[k]) != NARYN_OK) return NARYN_EIO;
  size_t n = (size_t)t->nrows;
  p->res = alloc(p, n, sizeof *p->res);
  p->stage_row = alloc(p, n, sizeof *p->stage_row);
  p->ri = alloc(p, n, sizeof *p->ri);
  p->si = alloc(p, n, sizeof *p->si);
  p->st = alloc(p, n, sizeof *p->st);
  p->val = alloc(p, n, sizeof *p->val);
  p->has_value = alloc(p, n, 1);
  p->stage_ps = alloc(p, n, sizeof *p->stage_ps);
  int chain = naryn__csv_column(t, "price_state") >= 0;
  if (chain) p->ps = alloc(p, n, sizeof *p->ps);
  if (!p->res || !p->stage_row || !p->ri || !p->si || !p->st || !p->val || !p->has_value ||
      !p->stage_ps || (chain && !p->ps))
    return nomem(f);
  memset(p->has_value, 0, n ? n : 1);
  int rc = NARYN_OK;
  for (int r = 0; r < t->nrows && rc == NARYN_OK; r++) {
    double stage;
    rc = num(f, t, r, "stage", 0, &stage);
    if (rc == NARYN_OK) rc = num(f, t, r, "storage_hm3", 0, &p->st[r]);
    if (rc == NARYN_OK) rc = num(f, t, r, "value_per_hm3", 1, &p->val[r]);
    if (rc != NARYN_OK) break;
    const char *name = cell(t, r, "reservoir");
    int k = 0;
    while (k < p->nres && strcmp(p->res[k], name) != 0) k++;
    if (k == p->nres) p->res[p->nres++] = name;
    p->ri[r] = k;
    /* The rows come stage by stage: the last stage seen is looked at
    ** first. With a chain, a stage and price state. */
    int s = p->nstage - 1;
    while (s >= 0 && (strcmp(cell(t, p->stage_row[s], "stage"), cell(t, r, "stage")) != 0 ||
                      (chain && strcmp(cell(t, p->stage_row[s], "price_state"),
                                       cell(t, r, "price_state")) != 0)))
      s--;
    if (s < 0) {
      s = p->nstage++;
      p->stage_row[s] = r;
      int g = 0;
      const char *state = chain ? cell(t, r, "price_state") : "";
      while (chain && g < p->nps && strcmp(p->ps[g], state) != 0) g++;
      if (chain && g == p->nps) p->ps[p->nps++] = state;
      p->stage_ps[s] = g;
    }
    p->si[r] = s;
    if (!isnan(p->val[r])) p->has_value[s] = 1;
  }
  return rc;
}

static void header(naryn__page *p, const policy *q) {
  char buf[256];
  fprintf(p->out, "<header>\n<h1>SDDP policy</h1>\n<p class=\"sub\">A policy trained by "
                  "stochastic dual dynamic programming: how its bounds met, and what "
                  "water is worth to it</p>\n<dl class=\"meta\">");
  snprintf(buf, sizeof buf, "%d", q->n);
  naryn__meta(p, "Iterations", buf);
  naryn__meta(p, "Cuts", cell(q->conv, q->n - 1, "cuts"));
  if (q->ps)
    snprintf(buf, sizeof buf, "%d, each in %d price states", q->nstage / q->nps, q->nps);
  else
    snprintf(buf, sizeof buf, "%d", q->nstage);
  naryn__meta(p, "Stages", buf);
  fprintf(p->out, "<dt>Reservoirs</dt><dd>");
  for (int k = 0; k < q->nres; k++) {
    if (k) fprintf(p->out, ", ");
    naryn__text(p, q->res[k]);
  }
  fprintf(p->out, "%s</dd>", q->nres ? "" : "(none)");
  naryn__meta(p, "Currency", q->currency);
  naryn__meta(p, "Engine", "naryn " NARYN_VERSION);
  fprintf(p->out, "</dl>\n</header>\n<nav><ul><li><a href=\"#s-bounds\">Bounds</a>"
                  "<li><a href=\"#s-water-values\">Water values</a></ul></nav>\n");
}

/* The section "Bounds": the lower bound by iteration, each upper bound
** estimate as a point in a box of its 95 % interval, and a table of the
** estimates with their gaps. */
static int bounds_section(naryn__page *p, policy *q) {
  run_files *f = &q->f;
  fprintf(p->out, "<h2 id=\"s-bounds\">Bounds</h2>\n<p class=\"note\">The lower bound is "
                  "the expected cost the stages' cuts promise from the initial storage; it "
                  "rises as cuts are added. The upper bound is the mean cost of the policy "
                  "simulated over sampled inflows, with its 95 %% confidence interval; the "
                  "gap is how far the lower bound stands below it, in %% of it (none with "
                  "CVaR, whose lower bound is of the risk-adjusted cost and may pass the "
                  "expected one). Costs are totals over the horizon, in ");
  naryn__text(p, q->currency);
  fprintf(p->out, ".</p>\n");
  int ns = 2 + q->nest;
  naryn__series *s = alloc(q, (size_t)ns, sizeof *s);
  double *ex = alloc(q, (size_t)q->nest, sizeof *ex), *ey = alloc(q, (size_t)q->nest, sizeof *ey);
  double *bx = alloc(q, (size_t)q->nest * 3, sizeof *bx);
  double *blo = alloc(q, (size_t)q->nest * 3, sizeof *blo);
  double *bhi = alloc(q, (size_t)q->nest * 3, sizeof *bhi);
  const char **labels = alloc(q, (size_t)q->nest, sizeof *labels);
  if (!s || !ex || !ey || !bx || !blo || !bhi || !labels) return nomem(f);
  memset(s, 0, (size_t)ns * sizeof *s);
  /* A box is 3 % of the iterations drawn wide (of one at least), so that
  ** it shows as a bar on a short run and on a long one alike. */
  double span = q->it[q->n - 1] - q->it[0];
  double w = 0.015 * fmax(1.0, fabs(span));
  int e = 0;
  for (int r = 0; r < q->n; r++) {
    if (isnan(q->ub[r])) continue;
    /* A point is labelled with its gap; of many, only the last is, so
    ** that the labels do not cover each other. The table gives them all. */
    labels[e] = NULL;
    if (!isnan(q->gap[r]) && (q->nest <= 8 || e == q->nest - 1)) {
      labels[e] = naryn__arena_printf(f->a, "gap %.3f %%", q->gap[r]);
      if (!labels[e]) return nomem(f);
    }
    ex[e] = q->it[r];
    ey[e] = q->ub[r];
    /* The box has a point at the iteration too, so that the hover there
    ** gives the interval with the lower bound. */
    for (int k = 0; k < 3; k++) {
      bx[3 * e + k] = q->it[r] + (k - 1) * w;
      blo[3 * e + k] = q->ub[r] - q->hw[r];
      bhi[3 * e + k] = q->ub[r] + q->hw[r];
    }
    s[2 + e] = (naryn__series){e ? NULL : "95 % interval of the upper bound", bx + 3 * e,
                               blo + 3 * e, 3, NARYN__BAND, "#d55e00", NULL, bhi + 3 * e, 0.3};
    e++;
  }
  s[0] = (naryn__series){"lower bound", q->it, q->lb, q->n, NARYN__LINE, "#0072b2", NULL, NULL, 0};
  s[1] = (naryn__series){"upper bound estimate", ex, ey, q->nest, NARYN__POINTS, "#d55e00",
                         labels, NULL, 0};
  char yl[256];
  snprintf(yl, sizeof yl, "expected cost over the horizon, %s", q->currency);
  naryn__chart c = {"bounds", "The lower bound and the upper bound estimates", "iteration", yl,
                    NARYN__AXIS_NUMBER, NULL, 0, 0, s, ns, 0, 320, 0, 0, 0, 0};
  int rc = naryn__figure(p, &c, "The lower bound by iteration and the upper bound estimates",
                         "(the boxes: 95 % confidence intervals)");
  if (rc != NARYN_OK) return rc;
  if (!q->nest) {
    naryn__rep_not_drawn(p->out, "The upper bound", "training estimated it at no iteration");
    return NARYN_OK;
  }
  naryn__table_open(p, "bounds-estimates");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "iteration", 1);
  naryn__th(p, "lower bound", 0);
  naryn__th(p, "upper bound", 0);
  naryn__th(p, "± half width (95 %)", 0);
  naryn__th(p, "interval from", 0);
  naryn__th(p, "interval to", 0);
  naryn__th(p, "gap, %", 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < q->n; r++) {
    if (isnan(q->ub[r])) continue;
    fprintf(p->out, "<tr>");
    naryn__td_text(p, cell(q->conv, r, "iteration"));
    naryn__td_num(p, q->lb[r], 2);
    naryn__td_num(p, q->ub[r], 2);
    naryn__td_num(p, q->hw[r], 2);
    naryn__td_num(p, q->ub[r] - q->hw[r], 2);
    naryn__td_num(p, q->ub[r] + q->hw[r], 2);
    naryn__td_num(p, q->gap[r], 3);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
  return NARYN_OK;
}

/* The month (1 to 12) of stage s from its "month" cell, or 0. */
static int stage_month(const policy *q, int s) {
  int m = atoi(cell(q->wv, q->stage_row[s], "month"));
  return m >= 1 && m <= 12 ? m : 0;
}

/* The stages drawn of price state g (every stage without a chain) into
** drawn[]: all of them, or MAX_LINES evenly spaced; how many there are
** into *all; whether each has a month of its own (then the lines are
** named by month, as a cycle of monthly stages is) into *by_month. */
static int drawn_stages(const policy *q, int g, int *drawn, int *all, int *by_month) {
  int n = 0, seen[13] = {0};
  for (int s = 0; s < q->nstage; s++) n += q->stage_ps[s] == g;
  int nd = n <= MAX_LINES ? n : MAX_LINES;
  *all = n;
  *by_month = n <= 12;
  for (int s = 0, j = 0, k = 0; s < q->nstage; s++) {
    if (q->stage_ps[s] != g) continue;
    int m = stage_month(q, s);
    if (!m || seen[m]++) *by_month = 0;
    if (k < nd && j == (nd == n ? k : (int)((long)k * (n - 1) / (MAX_LINES - 1)))) drawn[k++] = s;
    j++;
  }
  return nd;
}

/* The note naming the stages without values. */
static void empty_stages(naryn__page *p, const policy *q) {
  int nempty = 0;
  for (int s = 0; s < q->nstage; s++) nempty += !q->has_value[s];
  if (!nempty) return;
  fprintf(p->out, "<p class=\"note\">No values (no cuts) at %s ", nempty > 1 ? "stages" : "stage");
  int shown = 0;
  for (int s = 0; s < q->nstage && shown < 10; s++) {
    if (q->has_value[s]) continue;
    fprintf(p->out, "%s", shown ? ", " : "");
    naryn__text(p, cell(q->wv, q->stage_row[s], "stage"));
    fprintf(p->out, " (");
    naryn__text(p, cell(q->wv, q->stage_row[s], "date"));
    if (q->ps) {
      fprintf(p->out, ", ");
      naryn__text(p, q->ps[q->stage_ps[s]]);
    }
    fprintf(p->out, ")");
    shown++;
  }
  if (nempty > shown) fprintf(p->out, " and %d more", nempty - shown);
  fprintf(p->out, ": a stage without cuts gives water no value, and its %s not drawn.</p>\n",
          nempty > 1 ? "lines are" : "line is");
}

/* The chart of reservoir k's water values in price state g (every stage
** without a chain): a line per stage drawn, its points in x and y. */
static int water_value_chart(naryn__page *p, policy *q, int k, int g, double *x, double *y) {
  run_files *f = &q->f;
  int drawn[MAX_LINES], all, by_month, nd = drawn_stages(q, g, drawn, &all, &by_month);
  (void)all;
  naryn__series s[MAX_LINES];
  int ns = 0;
  size_t used = 0, rows = (size_t)q->wv->nrows;
  for (int j = 0; j < nd; j++) {
    int st = drawn[j], n = 0;
    for (size_t r = 0; r < rows; r++)
      if (q->ri[r] == k && q->si[r] == st && !isnan(q->val[r])) {
        x[used + n] = q->st[r];
        y[used + n] = q->val[r];
        n++;
      }
    if (!n) continue;
    const char *name;
    int m = stage_month(q, st);
    if (by_month) name = naryn__rep_month_names[water_month(m)];
    else
      name = naryn__arena_printf(f->a, "stage %s, %s", cell(q->wv, q->stage_row[st], "stage"),
                                 cell(q->wv, q->stage_row[st], "date"));
    if (!name) return nomem(f);
    /* A stage keeps its colour on every reservoir's chart; the lines
    ** after the palette's nine are dashed. */
    s[ns] = (naryn__series){name, x + used, y + used, n, j < 9 ? NARYN__LINE : NARYN__DASHED,
                            naryn__colour(j), NULL, NULL, 0};
    ns++;
    used += (size_t)n;
  }
  fprintf(p->out, "<h3>");
  naryn__text(p, q->res[k]);
  if (q->ps) {
    fprintf(p->out, ", price state ");
    naryn__text(p, q->ps[g]);
  }
  fprintf(p->out, "</h3>\n");
  if (!ns) {
    naryn__rep_not_drawn(p->out, "The water values", "no stage drawn has values");
    return NARYN_OK;
  }
  char id[48], yl[256], cap[512];
  snprintf(id, sizeof id, q->ps ? "wv-%d-%d" : "wv-%d", k + 1, g + 1);
  snprintf(yl, sizeof yl, "value of water, %s per hm3", q->currency);
  if (q->ps)
    snprintf(cap, sizeof cap, "The value of water in %s by its storage at the end of the stage, "
             "prices %s", q->res[k], q->ps[g]);
  else
    snprintf(cap, sizeof cap, "The value of water in %s by its storage at the end of the stage",
             q->res[k]);
  naryn__chart c = {id, cap, "storage at the end of the stage, hm3", yl, NARYN__AXIS_NUMBER,
                    NULL, 0, 1, s, ns, 0, 320, 0, 0, 0, 0};
  return naryn__figure(p, &c, cap, by_month ? "(a line a month)" : "(a line a stage)");
}

/* The section "Water values": a chart per reservoir (and price state) of
** the value of water against storage, and a note naming the stages
** without values. */
static int water_value_section(naryn__page *p, policy *q) {
  run_files *f = &q->f;
  fprintf(p->out, "<h2 id=\"s-water-values\">Water values</h2>\n<p class=\"note\">What "
                  "one more hm3 left in a reservoir at the end of a stage is worth to the "
                  "stages after it, by its storage then, the other reservoirs at their "
                  "initial storage (water_values.csv), in ");
  naryn__text(p, q->currency);
  fprintf(p->out, " per hm3%s.</p>\n", q->ps ? ", in each state of the energy prices" : "");
  if (!q->nres || !q->nstage) {
    naryn__rep_not_drawn(p->out, "Water values", "water_values.csv has no rows");
    return NARYN_OK;
  }
  int drawn[MAX_LINES], all, by_month, nd = drawn_stages(q, 0, drawn, &all, &by_month);
  if (nd < all)
    fprintf(p->out, "<p class=\"note\">The policy has %d stages%s; the charts draw %d of them, "
                    "evenly spaced. water_values.csv holds them all.</p>\n",
            all, q->ps ? " in each price state" : "", nd);
  empty_stages(p, q);
  size_t rows = (size_t)q->wv->nrows;
  double *x = alloc(q, rows, sizeof *x), *y = alloc(q, rows, sizeof *y);
  if (!x || !y) return nomem(f);
  int rc = NARYN_OK;
  for (int k = 0; k < q->nres && rc == NARYN_OK; k++)
    for (int g = 0; g < (q->ps ? q->nps : 1) && rc == NARYN_OK; g++)
      rc = water_value_chart(p, q, k, g, x, y);
  return rc;
}

int naryn__report_policy(const char *dir, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  policy q;
  memset(&q, 0, sizeof q);
  q.f.dir = dir;
  q.f.a = a;
  q.f.d = d;
  int rc = read_convergence(&q);
  if (rc == NARYN_OK) rc = read_water_values(&q);
  naryn__page p;
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc != NARYN_OK) {
    naryn__arena_free(a);
    return rc;
  }
  naryn__page_head(&p, "SDDP policy: bounds and water values");
  header(&p, &q);
  fprintf(p.out, "<main>\n");
  rc = bounds_section(&p, &q);
  if (rc == NARYN_OK) rc = water_value_section(&p, &q);
  if (rc == NARYN_OK) {
    fprintf(p.out, "</main>\n");
    rc = naryn__page_close(&p, dir);
  } else {
    naryn__page_abort(&p);
  }
  naryn__arena_free(a);
  return rc;
}
