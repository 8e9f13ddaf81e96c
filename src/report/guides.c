/*
** guides.c: what the report of a run shows of its reservoirs' operating
** rules (doc/model-format.md, section 18): the guide curves that bound
** their zones, drawn on each storage chart, and the rule that controlled
** each reservoir's release, counted by water year in a table.
**
** The guide curves come from zones.csv (a row per step, reservoir and
** zone but the first: the zone's top in that step), or, in the run that
** writes that file, from the model itself, each value as the file gives it
** back, so that both pages are the same bytes. Each curve is kept
** one value a point of the report's time axis: the top in the step, or by
** month the top in the month's first step, since a zone is chosen by the
** storage at the start of a step, which the storage chart draws at the
** step's (or the month's) start.
**
** The controlling rules come from the rule column of nodes.csv, kept per
** step for each enabled reservoir as an index into the names it has met,
** in the order they first appear; the run that writes nodes.csv keeps the
** same from its feed (feed.c), so that both pages are the same bytes.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* A step with no rule (an empty cell). */
#define NO_RULE (-1)

static int nomem(naryn_diags *d) {
  return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
}

int naryn__ops_init(naryn__report_ops *o, naryn__arena *a, int nnodes, int nsteps,
                    int npts, naryn_diags *d) {
  memset(o, 0, sizeof *o);
  o->a = a;
  o->nnodes = nnodes;
  o->nsteps = nsteps;
  o->npts = npts;
  size_t n = (size_t)nnodes;
  o->ncurves = naryn__arena_alloc(a, n * sizeof *o->ncurves);
  o->curve = naryn__arena_alloc(a, n * sizeof *o->curve);
  o->top_hm3 = naryn__arena_alloc(a, n * sizeof *o->top_hm3);
  o->rule = naryn__arena_alloc(a, n * sizeof *o->rule);
  o->names = naryn__arena_alloc(a, n * sizeof *o->names);
  o->nnames = naryn__arena_alloc(a, n * sizeof *o->nnames);
  o->last = naryn__arena_alloc(a, n * sizeof *o->last);
  if (!o->ncurves || !o->curve || !o->top_hm3 || !o->rule || !o->names || !o->nnames ||
      !o->last)
    return nomem(d);
  for (size_t i = 0; i < n; i++) {
    o->ncurves[i] = o->nnames[i] = o->last[i] = 0;
    o->curve[i] = NULL;
    o->top_hm3[i] = NULL;
    o->rule[i] = NULL;
    o->names[i] = NULL;
  }
  return NARYN_OK;
}

int naryn__ops_rule(naryn__report_ops *o, int i, int t, const char *name,
                    naryn_diags *d) {
  if (!o->rule[i]) {
    o->rule[i] = naryn__arena_alloc(o->a, (size_t)o->nsteps * sizeof *o->rule[i]);
    if (!o->rule[i]) return nomem(d);
    for (int k = 0; k < o->nsteps; k++) o->rule[i][k] = NO_RULE;
  }
  if (!name || !name[0]) return NARYN_OK;
  /* The rule of the step before first: a rule holds for many steps. */
  int k = o->last[i];
  if (!(k < o->nnames[i] && strcmp(o->names[i][k], name) == 0)) {
    for (k = 0; k < o->nnames[i] && strcmp(o->names[i][k], name) != 0; k++) continue;
    if (k == o->nnames[i]) {
      /* The list doubles when full: the arena frees it with the rest. */
      if ((k & (k - 1)) == 0) {
        const char **grown = naryn__arena_alloc(o->a, (size_t)(k ? 2 * k : 1) * sizeof *grown);
        if (!grown) return nomem(d);
        if (k) memcpy(grown, o->names[i], (size_t)k * sizeof *grown);
        o->names[i] = grown;
      }
      if (!(o->names[i][k] = naryn__arena_strdup(o->a, name))) return nomem(d);
      o->nnames[i]++;
    }
    o->last[i] = k;
  }
  o->rule[i][t] = k;
  return NARYN_OK;
}

/* Reports a cell of zones.csv (row r, column col) with a message whose
** first %s is the column's name and second the detail. */
static int bad_cell(const naryn__csv *z, int r, const char *col, const char *fmt,
                    const char *what, naryn_diags *d) {
  int c = naryn__csv_column(z, col);
  return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, z->file, z->row_line[r],
                     c >= 0 ? z->cell_col[(size_t)r * z->ncols + c] : 1, NULL, fmt, col,
                     what);
}

int naryn__ops_read_zones(naryn__report_ops *o, const naryn__csv *z,
                          const char *const *node_names, const unsigned char *is_reservoir,
                          const long *step_day, const int *step_pt, naryn_diags *d) {
  static const char *const cols[] = {"date", "reservoir", "zone", "top_hm3"};
  for (int k = 0; k < 4; k++) {
    int rc = naryn__report_need_column(z, cols[k], d);
    if (rc != NARYN_OK) return rc;
  }
  int cdate = naryn__csv_column(z, "date"), cres = naryn__csv_column(z, "reservoir");
  int czone = naryn__csv_column(z, "zone"), ctop = naryn__csv_column(z, "top_hm3");
#define CELL(r, c) (z->cells[(size_t)(r) * z->ncols + (c)])
  /* The curves are those of the first step's rows: every row with its
  ** date. */
  int ncurves = 0;
  while (ncurves < z->nrows && strcmp(CELL(ncurves, cdate), CELL(0, cdate)) == 0) ncurves++;
  /* Each curve's reservoir and room for its points. */
  int *node = calloc((size_t)(ncurves ? ncurves : 1), sizeof *node);
  if (!node) return nomem(d);
  int rc = NARYN_OK;
  for (int k = 0; k < ncurves && rc == NARYN_OK; k++) {
    const char *name = CELL(k, cres);
    int i = 0;
    while (i < o->nnodes && !(is_reservoir[i] && strcmp(node_names[i], name) == 0)) i++;
    if (i == o->nnodes) {
      char *got = naryn__arena_printf(o->a, ", a reservoir, got \"%s\"", name);
      rc = got ? bad_cell(z, k, "reservoir", "column \"%s\": expected a node of network.csv%s",
                          got, d)
               : nomem(d);
      break;
    }
    node[k] = i;
    o->ncurves[i]++;
  }
  if (rc == NARYN_OK && (ncurves == 0 || z->nrows != ncurves * o->nsteps))
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, z->file,
                     z->nrows ? z->row_line[z->nrows - 1] : 1, 1, NULL,
                     "expected %d rows (%d steps of %d guide curves), got %d: the file is "
                     "short or from another run", ncurves * o->nsteps, o->nsteps, ncurves,
                     z->nrows);
  for (int k = 0; k < ncurves && rc == NARYN_OK; k++) {
    int i = node[k];
    if (o->curve[i]) continue;
    o->curve[i] = naryn__arena_alloc(o->a, (size_t)o->ncurves[i] * sizeof *o->curve[i]);
    o->top_hm3[i] = naryn__arena_alloc(o->a, (size_t)o->ncurves[i] * sizeof *o->top_hm3[i]);
    if (!o->curve[i] || !o->top_hm3[i]) rc = nomem(d);
    o->ncurves[i] = 0; /* counted again as the curves are filled in */
  }
  int *slot = calloc((size_t)(ncurves ? ncurves : 1), sizeof *slot);
  if (rc == NARYN_OK && !slot) rc = nomem(d);
  for (int k = 0; k < ncurves && rc == NARYN_OK; k++) {
    int i = node[k];
    slot[k] = o->ncurves[i]++;
    o->curve[i][slot[k]] = CELL(k, czone);
    double *v = naryn__arena_alloc(o->a, (size_t)o->npts * sizeof *v);
    if (!v) {
      rc = nomem(d);
      break;
    }
    for (int t = 0; t < o->npts; t++) v[t] = NAN;
    o->top_hm3[i][slot[k]] = v;
  }
  for (int r = 0; r < z->nrows && rc == NARYN_OK; r++) {
    int t = r / ncurves, k = r % ncurves, i = node[k];
    /* Every step lists the curves of the first, in the same order. */
    if (strcmp(CELL(r, cres), node_names[i]) != 0 ||
        strcmp(CELL(r, czone), o->curve[i][slot[k]]) != 0) {
      char *want = naryn__arena_printf(o->a, ", reservoir \"%s\", zone \"%s\"",
                                       node_names[i], o->curve[i][slot[k]]);
      rc = want ? bad_cell(z, r, "reservoir", "column \"%s\": expected the guide curve%s "
                           "here, in the order of the first step: the file is short or "
                           "from another run", want, d)
                : nomem(d);
      break;
    }
    /* The step's date, as nodes.csv or run.csv gave it. */
    int y, mo, dd, ey, em, ed;
    const char *date = CELL(r, cdate);
    naryn__date_ymd(step_day[t], &ey, &em, &ed);
    if (naryn__date_parse(date, strlen(date), 1, &y, &mo, &dd) != 0 || y != ey || mo != em ||
        dd != ed) {
      char *want = naryn__arena_printf(o->a, ", the date of step %d, %04d-%02d-%02d",
                                       t + 1, ey, em, ed);
      rc = want ? bad_cell(z, r, "date", "column \"%s\": expected a date YYYY-MM-DD%s", want, d)
                : nomem(d);
      break;
    }
    const char *s = CELL(r, ctop);
    char *end;
    double x = strtod(s, &end);
    if (!s[0] || *end || !isfinite(x)) {
      char *got = naryn__arena_printf(o->a, ", got \"%s\"", s);
      rc = got ? bad_cell(z, r, "top_hm3", "column \"%s\": expected a number%s", got, d)
               : nomem(d);
      break;
    }
    /* By month, the month's first step. */
    int pt = step_pt ? step_pt[t] : t;
    double *v = o->top_hm3[i][slot[k]];
    if (isnan(v[pt])) v[pt] = x;
  }
#undef CELL
  free(node);
  free(slot);
  if (rc == NARYN_OK) o->has_zones = 1;
  return rc;
}

int naryn__ops_model_zones(naryn__report_ops *o, const naryn_model *m,
                           const int *step_pt, naryn_diags *d) {
  int any = 0;
  for (int i = 0; i < m->nnodes && i < o->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    if (n->type != NARYN_NODE_RESERVOIR || n->nzones < 2) continue;
    int nc = n->nzones - 1;
    o->ncurves[i] = nc;
    o->curve[i] = naryn__arena_alloc(o->a, (size_t)nc * sizeof *o->curve[i]);
    o->top_hm3[i] = naryn__arena_alloc(o->a, (size_t)nc * sizeof *o->top_hm3[i]);
    if (!o->curve[i] || !o->top_hm3[i]) return nomem(d);
    for (int k = 0; k < nc; k++) {
      const naryn__zone *z = &n->zones[k + 1];
      double *v = naryn__arena_alloc(o->a, (size_t)o->npts * sizeof *v);
      if (!v || !(o->curve[i][k] = naryn__arena_strdup(o->a, z->name))) return nomem(d);
      for (int t = 0; t < o->npts; t++) v[t] = NAN;
      /* Each point's value is the first of its steps, as zones.csv writes
      ** it ("%.6f", naryn__put_number) and a reader gets it back. */
      for (int t = 0; t < o->nsteps && z->top_hm3; t++) {
        int pt = step_pt ? step_pt[t] : t;
        if (!isnan(v[pt])) continue;
        double x = z->top_hm3[t], back;
        char buf[NARYN__NUMFMT_MAX];
        if (fabs(x) < 5e-7) x = 0.0;
        naryn__numfmt_fixed_read(buf, x, 6, &back);
        v[pt] = back;
      }
      o->top_hm3[i][k] = v;
    }
    any = 1;
  }
  if (any) o->has_zones = 1;
  return NARYN_OK;
}

/* 1 for the names nodes.csv gives a step that no rule decided. */
static int no_rule(const char *name) {
  return strcmp(name, "allocation") == 0 || strcmp(name, "full") == 0 ||
         strcmp(name, "dead storage") == 0;
}

int naryn__ops_has_rules(const naryn__report_ops *o, int i) {
  for (int k = 0; k < o->nnames[i]; k++)
    if (!no_rule(o->names[i][k])) return 1;
  return 0;
}

int naryn__ops_rules_section(naryn__page *p, const naryn__report_ops *o,
                             const char *const *node_names, const unsigned char *shown,
                             const long *step_day, const char *why) {
  int any = 0;
  for (int i = 0; i < o->nnodes; i++) any |= shown[i];
  if (!any && !why) return NARYN_OK;
  fprintf(p->out, "<h2 id=\"s-rules\">Controlling rules</h2>\n");
  if (!any) {
    fprintf(p->out, "<p class=\"note not-drawn\">Controlling rules not drawn: ");
    naryn__text(p, why);
    fprintf(p->out, ".</p>\n");
    return NARYN_OK;
  }
  fprintf(p->out, "<p class=\"note\">For each reservoir with operating rules, the number "
                  "of steps in each water year (October to September) in which each "
                  "rule decided its release (the <code>rule</code> column of "
                  "<code>nodes.csv</code>): <code>allocation</code> when no rule held "
                  "the release, <code>full</code> and <code>dead storage</code> when "
                  "the reservoir was full or empty.</p>\n");
  /* The water year of each step: Octobers start one. */
  int y0, m0, d0, y1, m1, d1;
  naryn__date_ymd(step_day[0], &y0, &m0, &d0);
  naryn__date_ymd(step_day[o->nsteps - 1], &y1, &m1, &d1);
  int wy0 = m0 >= 10 ? y0 : y0 - 1, nwy = (m1 >= 10 ? y1 : y1 - 1) - wy0 + 1;
  for (int i = 0; i < o->nnodes; i++) {
    if (!shown[i]) continue;
    int nn = o->nnames[i];
    long *count = calloc((size_t)(nwy + 1) * (size_t)nn, sizeof *count);
    int *order = malloc((size_t)nn * sizeof *order);
    if (!count || !order) {
      free(count), free(order);
      return nomem(p->d);
    }
    for (int t = 0; t < o->nsteps; t++) {
      int k = o->rule[i][t];
      if (k == NO_RULE) continue;
      int y, mo, dd;
      naryn__date_ymd(step_day[t], &y, &mo, &dd);
      int w = (mo >= 10 ? y : y - 1) - wy0;
      count[(size_t)w * nn + k]++;
      count[(size_t)nwy * nn + k]++;
    }
    /* The rules that controlled most steps first; a tie in the order
    ** they first controlled one. */
    for (int k = 0; k < nn; k++) order[k] = k;
    const long *total = count + (size_t)nwy * nn;
    for (int a = 1; a < nn; a++)
      for (int b = a; b > 0 && total[order[b]] > total[order[b - 1]]; b--) {
        int x = order[b];
        order[b] = order[b - 1];
        order[b - 1] = x;
      }
    fprintf(p->out, "<h3>");
    naryn__text(p, node_names[i]);
    fprintf(p->out, ": steps controlled by each rule</h3>\n");
    char id[32];
    snprintf(id, sizeof id, "rules-%d", i + 1);
    naryn__table_open(p, id);
    fprintf(p->out, "<thead><tr>");
    naryn__th(p, "water year", 1);
    for (int k = 0; k < nn; k++) naryn__th(p, o->names[i][order[k]], 0);
    fprintf(p->out, "</tr></thead>\n<tbody>\n");
    for (int w = 0; w <= nwy; w++) {
      long steps = 0;
      for (int k = 0; k < nn; k++) steps += count[(size_t)w * nn + k];
      if (w < nwy && steps == 0) continue;
      char label[32];
      if (w < nwy)
        snprintf(label, sizeof label, "%d–%02d", wy0 + w, (wy0 + w + 1) % 100);
      else
        snprintf(label, sizeof label, "all years");
      fprintf(p->out, w < nwy ? "<tr>" : "<tr class=\"total\">");
      naryn__td_text(p, label);
      for (int k = 0; k < nn; k++) naryn__td_num(p, (double)count[(size_t)w * nn + order[k]], 0);
      fprintf(p->out, "</tr>\n");
    }
    fprintf(p->out, "</tbody>\n");
    naryn__table_close(p);
    free(count), free(order);
  }
  return NARYN_OK;
}
