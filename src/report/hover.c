/*
** hover.c: the values a chart shows on hover, as SVG <title> elements.
**
** The page runs no script, so a value is read by pointing at it: the
** browser shows the <title> of the element under the pointer. A chart
** over dates or numbers gets a column of the plot's height at each x that
** some line or band has a point at, transparent and drawn over the
** lines, whose title is that x and the value of every series there; a
** chart of categories gets a column per category. Bars and labelled
** points carry titles of their own. A column is one <rect> with its
** title, so that a page of many long lines stays small: a chart of 360
** months gains about 45 kB.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

size_t naryn__hover_num(double v, char *buf, size_t size) {
  double a = fabs(v);
  int dec = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  if (a < 0.5 * pow(10, -dec)) v = 0.0; /* never "-0" */
  return naryn__group_digits(v, dec, buf, size);
}

/* The x of a column as its title says it: a category, a number, a month
** ("2001-03") or a day ("2001-03-01", the instant a storage at the end of
** February is drawn at). */
static void x_text(const naryn__chart *c, double x, char *buf, size_t size) {
  if (c->x_axis != NARYN__AXIS_DATE) {
    naryn__hover_num(x, buf, size);
    return;
  }
  double m = floor(x + 1e-9);
  int y = (int)floor(m / 12.0), mo = (int)(m - y * 12.0) + 1;
  if (c->hover_month) {
    snprintf(buf, size, "%04d-%02d", y, mo);
    return;
  }
  int dd = 1 + (int)floor((x - m) * naryn__date_month_days(y, mo) + 1e-6);
  if (dd > naryn__date_month_days(y, mo)) dd = naryn__date_month_days(y, mo);
  snprintf(buf, size, "%04d-%02d-%02d", y, mo, dd);
}

/* The unit of a chart's values: the y label after its last comma
** ("storage, hm3" gives "hm3"), the whole label when it has none ("GWh"),
** or "". */
static const char *y_unit(const naryn__chart *c) {
  const char *l = c->y_label, *comma = l ? strrchr(l, ',') : NULL;
  return comma ? comma + 1 + (comma[1] == ' ') : l ? l : "";
}

/* Writes one series' value at point i into a title: "name value" on a
** line of its own. */
static void series_line(FILE *out, const naryn__series *se, int i) {
  char a[64], b[64];
  fputc('\n', out);
  naryn__html_text(out, se->name ? se->name : "value");
  naryn__hover_num(se->y[i], a, sizeof a);
  if (se->style == NARYN__BAND) {
    naryn__hover_num(se->y_hi[i], b, sizeof b);
    fprintf(out, " %s to %s", a, b);
  } else {
    fprintf(out, " %s", a);
  }
}

/* Ends the first line of a title with the chart's unit: ", hm3". */
static void unit_after(FILE *out, const naryn__chart *c) {
  if (!*y_unit(c)) return;
  fputs(", ", out);
  naryn__html_text(out, y_unit(c));
}

void naryn__hover_bar(FILE *out, const naryn__chart *c, int k, int i) {
  const naryn__series *se = &c->series[k];
  fprintf(out, "<title>");
  if (c->x_axis == NARYN__AXIS_CATEGORY && c->categories && c->categories[i])
    naryn__html_text(out, c->categories[i]);
  unit_after(out, c);
  series_line(out, se, i);
  fprintf(out, "</title>");
}

void naryn__hover_point(FILE *out, const naryn__chart *c, int k, int i) {
  const naryn__series *se = &c->series[k];
  char buf[64];
  fprintf(out, "<title>");
  if (se->labels && se->labels[i]) {
    naryn__html_text(out, se->labels[i]);
    fputc('\n', out);
  }
  if (c->x_axis == NARYN__AXIS_CATEGORY) {
    if (c->categories && c->categories[i]) naryn__html_text(out, c->categories[i]);
  } else {
    x_text(c, se->x[i], buf, sizeof buf);
    fputs(buf, out);
  }
  unit_after(out, c);
  series_line(out, se, i);
  fprintf(out, "</title>");
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The point of series se at x, or -1: by halving when its x rise, else
** by a scan from *hint, where the last search ended. */
static int point_at(const naryn__series *se, int sorted, double x, int *hint) {
  if (sorted) {
    int lo = 0, hi = se->n - 1;
    while (lo <= hi) {
      int mid = (lo + hi) / 2;
      if (fabs(se->x[mid] - x) <= 1e-9 * fmax(1.0, fabs(x))) return mid;
      if (se->x[mid] < x) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
  for (int j = 0; j < se->n; j++) {
    int i = (*hint + j) % se->n;
    if (fabs(se->x[i] - x) <= 1e-9 * fmax(1.0, fabs(x))) {
      *hint = i + 1;
      return i;
    }
  }
  return -1;
}

int naryn__hover_constant(const naryn__chart *c, int k) {
  const naryn__series *se = &c->series[k];
  if (se->n < 2 || se->style == NARYN__BAND || se->style == NARYN__POINTS ||
      ((se->style == NARYN__BARS || se->style == NARYN__STACKED) &&
       c->x_axis == NARYN__AXIS_CATEGORY))
    return 0;
  for (int i = 1; i < se->n; i++)
    if (se->y[i] != se->y[0]) return 0;
  return 1;
}

void naryn__hover_line(FILE *out, const naryn__chart *c, int k) {
  fprintf(out, "<title>");
  naryn__html_text(out, c->series[k].name ? c->series[k].name : "value");
  char a[64];
  naryn__hover_num(c->series[k].y[0], a, sizeof a);
  fprintf(out, " %s", a);
  if (*y_unit(c)) {
    fputc(' ', out);
    naryn__html_text(out, y_unit(c));
  }
  fprintf(out, "</title>");
}

/* Whether series k takes part in the columns: all but labelled points and
** constant lines, which have titles of their own. */
static int in_columns(const naryn__chart *c, int k) {
  return c->series[k].style != NARYN__POINTS && !naryn__hover_constant(c, k);
}

int naryn__hover_columns(FILE *out, const naryn__chart *c, const naryn__scale *xs,
                         double left, double top, double plot_w, double plot_h,
                         naryn_diags *d) {
  int is_cat = c->x_axis == NARYN__AXIS_CATEGORY;
  size_t total = 0;
  for (int k = 0; k < c->nseries; k++)
    if (in_columns(c, k)) total += (size_t)c->series[k].n;
  if (total == 0) return NARYN_OK;
  double *ux = NULL;
  int nu = 0;
  if (is_cat) {
    nu = c->ncategories;
  } else {
    ux = malloc(total * sizeof *ux);
    if (!ux) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    size_t m = 0;
    for (int k = 0; k < c->nseries; k++)
      if (in_columns(c, k))
        for (int i = 0; i < c->series[k].n; i++) ux[m++] = c->series[k].x[i];
    qsort(ux, m, sizeof *ux, cmp_double);
    for (size_t i = 0; i < m; i++)
      if (nu == 0 || ux[i] - ux[nu - 1] > 1e-9 * fmax(1.0, fabs(ux[i]))) ux[nu++] = ux[i];
  }
  unsigned char *sorted = calloc((size_t)c->nseries + 1, 1);
  int *hint = calloc((size_t)c->nseries + 1, sizeof *hint);
  if (!sorted || !hint) {
    free(ux), free(sorted), free(hint);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int k = 0; k < c->nseries && !is_cat; k++) {
    const naryn__series *se = &c->series[k];
    sorted[k] = 1;
    for (int i = 1; i < se->n && sorted[k]; i++) sorted[k] = se->x[i] > se->x[i - 1];
  }
  double band = nu > 0 ? plot_w / nu : plot_w;
  fprintf(out, "<g class=\"hover\" fill=\"transparent\">");
  char buf[64];
  for (int j = 0; j < nu; j++) {
    /* The column reaches halfway to its neighbours, inside the plot. */
    double x0, x1;
    if (is_cat) {
      x0 = left + band * j, x1 = x0 + band;
    } else {
      double px = naryn__scale_px(xs, ux[j]);
      x0 = j > 0 ? (naryn__scale_px(xs, ux[j - 1]) + px) / 2 : px - 4;
      x1 = j + 1 < nu ? (naryn__scale_px(xs, ux[j + 1]) + px) / 2 : px + 4;
      x0 = fmax(x0, left - 4), x1 = fmin(x1, left + plot_w + 4);
    }
    fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\"><title>", x0,
            top, fmax(x1 - x0, 0.5), plot_h);
    if (is_cat) {
      naryn__html_text(out, c->categories && c->categories[j] ? c->categories[j] : "");
    } else {
      x_text(c, ux[j], buf, sizeof buf);
      fputs(buf, out);
    }
    unit_after(out, c);
    for (int k = 0; k < c->nseries; k++) {
      if (!in_columns(c, k)) continue;
      const naryn__series *se = &c->series[k];
      int i = is_cat ? (j < se->n ? j : -1) : point_at(se, sorted[k], ux[j], &hint[k]);
      if (i >= 0) series_line(out, se, i);
    }
    fprintf(out, "</title></rect>");
  }
  fprintf(out, "</g>\n");
  free(ux), free(sorted), free(hint);
  return NARYN_OK;
}
