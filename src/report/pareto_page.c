/*
** pareto_page.c: the page of a trade-off curve (pareto.csv): the curve
** between two objective terms, with the simulated rules marked on it.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

int naryn__report_pareto(const char *dir, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  run_files f;
  memset(&f, 0, sizeof f);
  f.dir = dir;
  f.a = a;
  f.d = d;
  naryn__csv *t = naryn__rep_read_csv(&f, "pareto.csv");
  int rc = t ? NARYN_OK : NARYN_EIO;
  static const char *const cols[] = {"point", "x_term", "x", "y_term", "y", "combined",
                                     "currency", "plan", "level"};
  for (int k = 0; k < 9 && rc == NARYN_OK; k++) rc = need_column(&f, t, cols[k]);
  if (rc == NARYN_OK && t->nrows < 1)
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, t->file, 1, 1, NULL,
                     "expected at least one point of the curve");
  /* The plans' folders give what was run and its length in years. */
  run_files plan;
  if (rc == NARYN_OK) {
    const char *folder = cell(t, 0, "plan");
    if (!folder[0] || strstr(folder, "..") || folder[0] == '/')
      rc = naryn__rep_bad(&f, t, 0, "plan", "column \"%s\": expected a folder inside the curve's%s", "");
    char *sub = rc == NARYN_OK ? naryn__arena_printf(a, "%s/%s", dir, folder) : NULL;
    if (rc == NARYN_OK && !sub)
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    if (rc == NARYN_OK) rc = naryn__rep_load_run(&plan, sub, a, d);
  }
  naryn__page p;
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc != NARYN_OK) {
    naryn__arena_free(a);
    return rc;
  }
  int n = t->nrows;
  double *x = calloc((size_t)n * 4, sizeof *x), *y = x ? x + n : NULL;
  double *rx = x ? x + 2 * n : NULL, *ry = x ? x + 3 * n : NULL;
  const char **labels = calloc((size_t)n, sizeof *labels);
  char (*lbuf)[24] = calloc((size_t)n, sizeof *lbuf);
  const char *xt = cell(t, 0, "x_term"), *yt = cell(t, 0, "y_term"), *cur = cell(t, 0, "currency");
  int cx = naryn__csv_column(t, "x"), cy = naryn__csv_column(t, "y");
  int np = 0, nr = 0;
  if (!x || !labels || !lbuf)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  for (int r = 0; r < n && rc == NARYN_OK; r++) {
    double vx = cell_num(t, r, cx), vy = cell_num(t, r, cy);
    if (isnan(vx) || isnan(vy)) {
      rc = naryn__rep_bad(&f, t, r, isnan(vx) ? "x" : "y", "column \"%s\": expected a number%s", "");
      break;
    }
    if (strcmp(cell(t, r, "point"), "rules") == 0) {
      rx[nr] = vx / per_year(&plan) / 1e6;
      ry[nr++] = vy / per_year(&plan) / 1e6;
      continue;
    }
    x[np] = vx / per_year(&plan) / 1e6;
    y[np] = vy / per_year(&plan) / 1e6;
    snprintf(lbuf[np], sizeof lbuf[np], "%s", cell(t, r, "point"));
    labels[np] = lbuf[np];
    np++;
  }
  static const char *const rules_label[] = {"simulated rules"};
  if (rc == NARYN_OK) {
    char title[512], xl[256], yl[256];
    snprintf(title, sizeof title, "%s: trade-off between %s and %s", run_key(&plan, "model"), xt, yt);
    p.totals = !whole_years(&plan);
    naryn__page_head(&p, title);
    naryn__rep_run_header(&p, &plan, "A trade-off curve by the epsilon-constraint method "
                                     "(the header gives the first plan's run)");
    fprintf(p.out, "<main>\n<h2 id=\"s-curve\">The trade-off</h2>\n<p class=\"note\">Each "
                   "point is a plan optimised with ");
    naryn__text(&p, xt);
    fprintf(p.out, " held at a level; the simulated operating rules are marked "
                   "for comparison. Values are %s, in millions of ",
            whole_years(&plan) ? "yearly" : "totals over the horizon");
    naryn__text(&p, cur);
    fprintf(p.out, " (costs positive).</p>\n");
    naryn__series s[3] = {{"optimised plans", x, y, np, NARYN__LINE, "#0072b2", NULL, NULL, 0},
                          {NULL, x, y, np, NARYN__POINTS, "#0072b2", labels, NULL, 0},
                          {"simulated rules", rx, ry, nr, NARYN__POINTS, "#d55e00", rules_label, NULL, 0}};
    snprintf(xl, sizeof xl, "%s, millions of %s %s", xt, cur, a_year(&plan));
    snprintf(yl, sizeof yl, "%s, millions of %s %s", yt, cur, a_year(&plan));
    naryn__chart c = {"pareto", title, xl, yl, NARYN__AXIS_NUMBER, NULL, 0, 0, s, 3, 0, 380, 0, 0, 0, 0};
    rc = naryn__figure(&p, &c, "The trade-off curve", NULL);
  }
  if (rc == NARYN_OK) {
    naryn__table_open(&p, "pareto-points");
    fprintf(p.out, "<thead><tr>");
    naryn__th(&p, "point", 1);
    naryn__th(&p, xt, 0);
    naryn__th(&p, yt, 0);
    naryn__th(&p, "combined", 0);
    naryn__th(&p, "plan", 1);
    fprintf(p.out, "</tr></thead>\n<tbody>\n");
    int cc = naryn__csv_column(t, "combined");
    for (int r = 0; r < n; r++) {
      fprintf(p.out, "<tr>");
      naryn__td_text(&p, cell(t, r, "point"));
      naryn__td_num(&p, cell_num(t, r, cx) / per_year(&plan) / 1e6, 2);
      naryn__td_num(&p, cell_num(t, r, cy) / per_year(&plan) / 1e6, 2);
      naryn__td_num(&p, cell_num(t, r, cc) / per_year(&plan) / 1e6, 2);
      fprintf(p.out, "<td class=\"l\"><a href=\"");
      naryn__text(&p, cell(t, r, "plan"));
      fprintf(p.out, "/report.html\">");
      naryn__text(&p, cell(t, r, "plan"));
      fprintf(p.out, "</a></td></tr>\n");
    }
    fprintf(p.out, "</tbody>\n");
    naryn__table_close(&p);
    fprintf(p.out, "</main>\n");
    rc = naryn__page_close(&p, dir);
  } else {
    naryn__page_abort(&p);
  }
  free(x), free(labels), free(lbuf);
  naryn__arena_free(a);
  return rc;
}
