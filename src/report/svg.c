/*
** svg.c: charts for the HTML report, drawn as inline SVG.
**
** A chart is a frame with a y axis of numbers and an x axis of numbers,
** of dates (months since year 0) or of categories, and series drawn as
** lines, dashed lines, grouped bars, bars stacked in one column (an
** energy balance by source), labelled points or shaded bands (between a
** lower and an upper line, for the spread of an ensemble), with a legend.
** Axes are rounded out to "nice" ticks so that an analyst can read values
** off them. Every number is written with a fixed format, so the same data
** gives the same bytes. Values that are not finite are refused with an
** error naming the chart, the series and the point: a gap in a chart
** must be the caller's decision, never an accident of the data.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Layout, in CSS pixels. */
#define FONT_PX 12.0
#define CHAR_PX 7.2   /* mean width of a character at FONT_PX */
#define LEGEND_ROW_PX 18.0

/* ====================================================================== */
/* Colours and text                                                        */
/* ====================================================================== */

const char *naryn__colour(int i) {
  /* Okabe and Ito's palette (2008), with black last. */
  static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73",
                                        "#cc79a7", "#56b4e9", "#d55e00",
                                        "#999933", "#332288", "#000000"};
  int n = (int)(sizeof palette / sizeof palette[0]);
  return palette[((i % n) + n) % n];
}

void naryn__html_text(FILE *out, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '&': fputs("&amp;", out); break;
    case '<': fputs("&lt;", out); break;
    case '>': fputs("&gt;", out); break;
    case '"': fputs("&quot;", out); break;
    case '\'': fputs("&#39;", out); break;
    default: fputc(*s, out);
    }
  }
}

/* ====================================================================== */
/* Scales                                                                  */
/* ====================================================================== */

/* The smallest step of the form {1, 2, 2.5, 5} x 10^k not below raw. */
static double nice_step(double raw) {
  double p = pow(10.0, floor(log10(raw)));
  static const double m[] = {1.0, 2.0, 2.5, 5.0, 10.0};
  for (int i = 0; i < 5; i++)
    if (m[i] * p >= raw * (1 - 1e-12)) return m[i] * p;
  return 10.0 * p;
}

static int finite_range(double min, double max) {
  return isfinite(min) && isfinite(max) && min <= max;
}

int naryn__scale_nice(double min, double max, int max_ticks, naryn__scale *s) {
  memset(s, 0, sizeof *s);
  if (!finite_range(min, max)) return NARYN_EARG;
  if (max_ticks < 2) max_ticks = 2;
  if (max - min <= 1e-12 * fmax(fabs(min), fabs(max))) {
    /* A constant: a range around it, from zero when it is positive. */
    if (min == 0.0) {
      max = 1.0;
    } else if (min > 0) {
      min = 0.0;
    } else {
      max = 0.0;
    }
  }
  double step = nice_step((max - min) / (max_ticks - 1));
  for (;;) {
    double lo = floor(min / step + 1e-9) * step;
    double hi = ceil(max / step - 1e-9) * step;
    int n = (int)lround((hi - lo) / step) + 1;
    if (n <= max_ticks || !isfinite(step)) {
      s->lo = s->first = lo;
      s->hi = hi;
      s->step = step;
      s->nticks = n;
      break;
    }
    step = nice_step(step * 1.01);
  }
  s->px_lo = 0;
  s->px_hi = 1;
  return NARYN_OK;
}

int naryn__scale_dates(double min, double max, int max_ticks, naryn__scale *s) {
  memset(s, 0, sizeof *s);
  if (!finite_range(min, max)) return NARYN_EARG;
  if (max_ticks < 2) max_ticks = 2;
  s->dates = 1;
  static const double months[] = {1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200};
  int nm = (int)(sizeof months / sizeof months[0]);
  if (max - min < 1.0) max = min + 1.0;
  s->lo = min;
  s->hi = max;
  for (int k = 0; k < nm; k++) {
    double step = months[k];
    /* Year steps fall on a January whose year is a multiple of the step. */
    double first = ceil(min / step - 1e-9) * step;
    int n = (int)floor((max - first) / step + 1e-9) + 1;
    if (n <= max_ticks || k == nm - 1) {
      s->first = first;
      s->step = step;
      s->nticks = n < 0 ? 0 : n;
      break;
    }
  }
  s->px_lo = 0;
  s->px_hi = 1;
  return NARYN_OK;
}

double naryn__scale_tick(const naryn__scale *s, int i) {
  return s->first + s->step * i;
}

double naryn__scale_px(const naryn__scale *s, double v) {
  if (s->hi == s->lo) return s->px_lo;
  return s->px_lo + (v - s->lo) / (s->hi - s->lo) * (s->px_hi - s->px_lo);
}

const char *naryn__scale_label(const naryn__scale *s, double v, char *buf,
                               size_t size) {
  if (s->dates) {
    long m = lround(v);
    long year = m >= 0 ? m / 12 : -((-m + 11) / 12);
    long month = m - year * 12 + 1;
    if (s->step >= 12)
      snprintf(buf, size, "%ld", year);
    else
      snprintf(buf, size, "%ld-%02ld", year, month);
    return buf;
  }
  /* As many decimals as the step needs. */
  int dec = 0;
  while (dec < 6 && fabs(s->step * pow(10, dec) - round(s->step * pow(10, dec))) >
                        1e-6 * s->step * pow(10, dec))
    dec++;
  if (fabs(v) < 1e-9 * s->step) v = 0.0; /* never "-0" */
  naryn__group_digits(v, dec, buf, size);
  return buf;
}

size_t naryn__group_digits(double v, int dec, char *buf, size_t size) {
  char raw[64];
  snprintf(raw, sizeof raw, "%.*f", dec, fabs(v));
  /* Thousands separators in the integer part, from 10,000 up. */
  const char *dot = strchr(raw, '.');
  size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
  char out[96];
  size_t k = 0;
  if (v < 0) out[k++] = '-';
  for (size_t i = 0; i < int_len; i++) {
    out[k++] = raw[i];
    size_t left = int_len - i - 1;
    if (int_len > 4 && left > 0 && left % 3 == 0) out[k++] = ',';
  }
  snprintf(out + k, sizeof out - k, "%s", raw + int_len);
  return (size_t)snprintf(buf, size, "%s", out);
}

/* ====================================================================== */
/* Charts                                                                  */
/* ====================================================================== */

/* Text width estimate, enough to keep labels apart and inside the frame:
** characters, not bytes, of UTF-8 text. */
static double text_px(const char *s) {
  int n = 0;
  for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
  return CHAR_PX * n;
}

static const char *series_colour(const naryn__chart *c, int k) {
  return c->series[k].colour ? c->series[k].colour : naryn__colour(k);
}

/* Refuses values that are not finite, naming where they are. */
static int check_values(const naryn__chart *c, naryn_diags *d) {
  for (int k = 0; k < c->nseries; k++) {
    const naryn__series *se = &c->series[k];
    if (se->n < 0 || (se->n > 0 && !se->y))
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "chart \"%s\": series \"%s\": expected %d values, "
                         "got none", c->id, se->name ? se->name : "", se->n);
    if (c->x_axis == NARYN__AXIS_CATEGORY && se->n > c->ncategories)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "chart \"%s\": series \"%s\": expected at most %d "
                         "values, one per category, got %d", c->id,
                         se->name ? se->name : "", c->ncategories, se->n);
    if (c->x_axis != NARYN__AXIS_CATEGORY && se->n > 0 && !se->x)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "chart \"%s\": series \"%s\": expected x values",
                         c->id, se->name ? se->name : "");
    if (se->style == NARYN__BAND && se->n > 0 && !se->y_hi)
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "chart \"%s\": series \"%s\": expected upper values of the band",
                         c->id, se->name ? se->name : "");
    for (int i = 0; i < se->n; i++) {
      double x = se->x ? se->x[i] : 0.0;
      if (se->style == NARYN__BAND && !isfinite(se->y_hi[i])) x = se->y_hi[i];
      if (isfinite(se->y[i]) && isfinite(x)) continue;
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "chart \"%s\": series \"%s\": point %d is %s; expected "
                         "finite numbers (leave the point out instead)",
                         c->id, se->name ? se->name : "", i + 1,
                         isnan(isfinite(x) ? se->y[i] : x) ? "not a number"
                                                           : "infinite");
    }
  }
  return NARYN_OK;
}

/* The legend's rows: items laid out left to right, wrapping at 'width'. */
static int legend_rows(const naryn__chart *c, double width) {
  int named = 0;
  for (int k = 0; k < c->nseries; k++) named += c->series[k].name != NULL;
  if (named == 0) return 0;
  int rows = 1;
  double x = 0;
  for (int k = 0; k < c->nseries; k++) {
    if (!c->series[k].name) continue;
    double w = 26 + text_px(c->series[k].name ? c->series[k].name : "") + 14;
    if (x > 0 && x + w > width) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

static void draw_legend(FILE *out, const naryn__chart *c, double left,
                        double width) {
  if (legend_rows(c, width) == 0) return;
  double x = 0, y = 12;
  fprintf(out, "<g class=\"legend\">");
  for (int k = 0; k < c->nseries; k++) {
    const naryn__series *se = &c->series[k];
    if (!se->name) continue; /* drawn, but not in the legend */
    const char *name = se->name;
    double w = 26 + text_px(name) + 14;
    if (x > 0 && x + w > width) {
      x = 0;
      y += LEGEND_ROW_PX;
    }
    double sx = left + x;
    const char *col = series_colour(c, k);
    if (se->style == NARYN__BARS || se->style == NARYN__STACKED)
      fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\"/>",
              sx, y - 9, col);
    else if (se->style == NARYN__BAND)
      fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\" "
                   "fill-opacity=\"%.2f\"/>",
              sx, y - 9, col, se->opacity > 0 ? se->opacity : 0.25);
    else if (se->style == NARYN__POINTS)
      fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>", sx + 9,
              y - 4, col);
    else
      fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                   "stroke=\"%s\" stroke-width=\"2\"%s/>",
              sx, y - 4, sx + 18, y - 4, col,
              se->style == NARYN__DASHED ? " stroke-dasharray=\"5 3\"" : "");
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", sx + 24, y);
    naryn__html_text(out, name);
    fprintf(out, "</text>");
    x += w;
  }
  fprintf(out, "</g>\n");
}

/* The x position of point i of a series. */
static double x_px(const naryn__chart *c, const naryn__scale *xs,
                   const naryn__series *se, int i, double band) {
  if (c->x_axis == NARYN__AXIS_CATEGORY) return xs->px_lo + band * (i + 0.5);
  return naryn__scale_px(xs, se->x[i]);
}

int naryn__chart_svg(FILE *out, const naryn__chart *c, naryn_diags *d) {
  int rc = check_values(c, d);
  if (rc != NARYN_OK) return rc;
  double W = c->width > 0 ? c->width : 760, H = c->height > 0 ? c->height : 300;
  int is_cat = c->x_axis == NARYN__AXIS_CATEGORY;

  /* The data's ranges. */
  int any = 0;
  double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
  int nbars = 0;
  for (int k = 0; k < c->nseries; k++) {
    const naryn__series *se = &c->series[k];
    if (se->style == NARYN__BARS) {
      nbars++;
      if (se->n > 0) ymin = fmin(ymin, 0), ymax = fmax(ymax, 0);
    }
    for (int i = 0; i < se->n; i++) {
      any = 1;
      ymin = fmin(ymin, se->y[i]);
      ymax = fmax(ymax, se->y[i]);
      if (se->style == NARYN__BAND)
        ymin = fmin(ymin, se->y_hi[i]), ymax = fmax(ymax, se->y_hi[i]);
      if (!is_cat) {
        xmin = fmin(xmin, se->x[i]);
        xmax = fmax(xmax, se->x[i]);
      }
    }
  }
  /* Stacked bars reach the sums of their positive and of their negative
  ** values in each category. */
  int nstacked = 0;
  for (int k = 0; k < c->nseries; k++) nstacked += is_cat && c->series[k].style == NARYN__STACKED;
  double *base = NULL; /* [2 * ncategories]: the top and bottom of each column so far */
  if (nstacked) {
    base = calloc((size_t)c->ncategories * 2 + 1, sizeof *base);
    if (!base)
      return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    for (int k = 0; k < c->nseries; k++) {
      const naryn__series *se = &c->series[k];
      if (se->style != NARYN__STACKED) continue;
      for (int i = 0; i < se->n; i++) base[2 * i + (se->y[i] < 0)] += se->y[i];
    }
    for (int i = 0; i < c->ncategories; i++) {
      ymax = fmax(ymax, fmax(base[2 * i], 0.0));
      ymin = fmin(ymin, fmin(base[2 * i + 1], 0.0));
      base[2 * i] = base[2 * i + 1] = 0.0;
    }
    nbars++; /* the stack takes one bar's room */
  }
  if (!any) ymin = 0, ymax = 1, xmin = 0, xmax = 1;
  if (c->y_zero) ymin = fmin(ymin, 0), ymax = fmax(ymax, 0);
  if (c->y_fixed) ymin = fmin(ymin, c->y_lo), ymax = fmax(ymax, c->y_hi);

  naryn__scale ys, xs;
  int ny_ticks = H >= 260 ? 7 : 5;
  naryn__scale_nice(ymin, ymax, ny_ticks, &ys);
  if (c->x_axis == NARYN__AXIS_DATE)
    naryn__scale_dates(xmin, xmax, (int)(W / 70), &xs);
  else if (!is_cat)
    naryn__scale_nice(xmin, xmax, (int)(W / 80), &xs);
  else
    memset(&xs, 0, sizeof xs);

  /* Margins: room for the legend, the tick labels and the axis labels. */
  char buf[96];
  double ylab_px = 0;
  for (int i = 0; i < ys.nticks; i++)
    ylab_px = fmax(ylab_px, text_px(naryn__scale_label(&ys, naryn__scale_tick(&ys, i),
                                                       buf, sizeof buf)));
  double left = 8 + (c->y_label ? FONT_PX + 8 : 0) + ylab_px + 8;
  double right = 16;
  double plot_w = W - left - right;
  double top = 8 + legend_rows(c, plot_w) * LEGEND_ROW_PX + 8;
  /* Category labels turn when they do not fit their band. */
  int ncat = is_cat ? c->ncategories : 0;
  double band = ncat > 0 ? plot_w / ncat : plot_w;
  double cat_px = 0;
  for (int i = 0; i < ncat; i++)
    cat_px = fmax(cat_px, text_px(c->categories[i] ? c->categories[i] : ""));
  int turn = is_cat && cat_px > band - 4;
  double xlab_h = turn ? cat_px * 0.57 + 14 : FONT_PX + 8;
  double bottom = 6 + xlab_h + (c->x_label ? FONT_PX + 10 : 0);
  H = fmax(H, top + bottom + 120); /* the plot keeps a usable height */
  double plot_h = H - top - bottom;
  ys.px_lo = top + plot_h;
  ys.px_hi = top;
  xs.px_lo = left;
  xs.px_hi = left + plot_w;

  fprintf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
               "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
               "role=\"img\" aria-labelledby=\"%s-t\">",
          W, H, W, H, c->id);
  fprintf(out, "<title id=\"%s-t\">", c->id);
  naryn__html_text(out, c->title ? c->title : c->id);
  fprintf(out, "</title>\n");
  draw_legend(out, c, left, plot_w);

  /* Grid and y ticks. */
  fprintf(out, "<g class=\"axis y\">");
  for (int i = 0; i < ys.nticks; i++) {
    double v = naryn__scale_tick(&ys, i), py = naryn__scale_px(&ys, v);
    fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
            left, py, left + plot_w, py);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
            left - 6, py + 4, naryn__scale_label(&ys, v, buf, sizeof buf));
  }
  if (c->y_label) {
    fprintf(out, "<text class=\"label\" transform=\"translate(%.1f %.1f) rotate(-90)\" "
                 "text-anchor=\"middle\">", 8 + FONT_PX, top + plot_h / 2);
    naryn__html_text(out, c->y_label);
    fprintf(out, "</text>");
  }
  fprintf(out, "</g>\n<g class=\"axis x\">");
  /* x ticks or categories. */
  if (is_cat) {
    for (int i = 0; i < ncat; i++) {
      double px = left + band * (i + 0.5), py = top + plot_h + 14;
      if (turn)
        fprintf(out, "<text transform=\"translate(%.1f %.1f) rotate(-35)\" "
                     "text-anchor=\"end\">", px + 3, py - 2);
      else
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", px, py);
      naryn__html_text(out, c->categories[i] ? c->categories[i] : "");
      fprintf(out, "</text>");
    }
  } else {
    for (int i = 0; i < xs.nticks; i++) {
      double v = naryn__scale_tick(&xs, i), px = naryn__scale_px(&xs, v);
      fprintf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
              px, top + plot_h, px, top + plot_h + 4);
      fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", px,
              top + plot_h + 16, naryn__scale_label(&xs, v, buf, sizeof buf));
    }
  }
  if (c->x_label) {
    fprintf(out, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
            left + plot_w / 2, H - 6);
    naryn__html_text(out, c->x_label);
    fprintf(out, "</text>");
  }
  fprintf(out, "<line class=\"frame\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
               "<line class=\"frame\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
          left, top, left, top + plot_h, left, top + plot_h, left + plot_w, top + plot_h);
  fprintf(out, "</g>\n");

  if (!any)
    fprintf(out, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                 "No data</text>\n", left + plot_w / 2, top + plot_h / 2);

  /* Bars first, then lines, then points on top. The columns that show
  ** values on hover lie under the bars (which have titles of their own)
  ** on a category axis, and over the lines elsewhere. */
  double zero_px = naryn__scale_px(&ys, fmax(ys.lo, fmin(0.0, ys.hi)));
  double inner = band * 0.8, bar_w = nbars > 0 ? inner / nbars : 0;
  for (int pass = 0; pass < 3; pass++) {
    int bar_k = 0;
    if (pass == (is_cat ? 0 : 2)) {
      rc = naryn__hover_columns(out, c, &xs, left, top, plot_w, plot_h, d);
      if (rc != NARYN_OK) {
        free(base);
        return rc;
      }
    }
    for (int k = 0; k < c->nseries; k++) {
      const naryn__series *se = &c->series[k];
      const char *col = series_colour(c, k);
      int is_bar = se->style == NARYN__BARS && is_cat;
      int is_pts = se->style == NARYN__POINTS;
      if (se->style == NARYN__BAND) {
        /* Bands go under everything: the upper edge left to right, then
        ** the lower edge back. */
        if (pass == 0 && se->n > 0) {
          fprintf(out, "<polygon class=\"band\" fill=\"%s\" fill-opacity=\"%.2f\" "
                       "stroke=\"none\" points=\"",
                  col, se->opacity > 0 ? se->opacity : 0.25);
          for (int j = 0; j < 2 * se->n; j++) {
            int i = j < se->n ? j : 2 * se->n - 1 - j;
            double v = j < se->n ? se->y_hi[i] : se->y[i];
            char pt[2 * NARYN__NUMFMT_MAX + 2];
            size_t len = 0;
            if (j) pt[len++] = ' ';
            len += naryn__numfmt_fixed(pt + len, x_px(c, &xs, se, i, band), 1);
            pt[len++] = ',';
            len += naryn__numfmt_fixed(pt + len, naryn__scale_px(&ys, v), 1);
            fwrite(pt, 1, len, out);
          }
          fprintf(out, "\"/>\n");
        }
        continue;
      }
      if (se->style == NARYN__STACKED && is_cat) {
        /* Each value from the top (or bottom) of its column so far, in the
        ** room the grouped bars leave last. */
        if (pass == 0) {
          fprintf(out, "<g class=\"bars stacked\" fill=\"%s\">", col);
          for (int i = 0; i < se->n; i++) {
            double *b = &base[2 * i + (se->y[i] < 0)];
            if (se->y[i] == 0.0) continue;
            double x0 = left + band * i + (band - inner) / 2 + bar_w * (nbars - 1);
            double p0 = naryn__scale_px(&ys, *b), p1 = naryn__scale_px(&ys, *b + se->y[i]);
            *b += se->y[i];
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
                    x0, fmin(p0, p1), fmax(bar_w - 1, 1), fabs(p1 - p0));
            naryn__hover_bar(out, c, k, i);
            fprintf(out, "</rect>");
          }
          fprintf(out, "</g>\n");
        }
        continue;
      }
      if (is_bar) {
        if (pass == 0) {
          fprintf(out, "<g class=\"bars\" fill=\"%s\">", col);
          for (int i = 0; i < se->n; i++) {
            double x0 = left + band * i + (band - inner) / 2 + bar_w * bar_k;
            double py = naryn__scale_px(&ys, se->y[i]);
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">",
                    x0, fmin(py, zero_px), fmax(bar_w - 1, 1), fabs(zero_px - py));
            naryn__hover_bar(out, c, k, i);
            fprintf(out, "</rect>");
          }
          fprintf(out, "</g>\n");
        }
        bar_k++;
        continue;
      }
      if (pass == 1 && !is_pts && se->n > 0) {
        fprintf(out, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" "
                     "stroke-width=\"%s\"%s points=\"",
                col, se->style == NARYN__DASHED ? "1.5" : "2",
                se->style == NARYN__DASHED ? " stroke-dasharray=\"6 4\"" : "");
        /* The points, as "%.1f,%.1f" writes them, without printf. */
        for (int i = 0; i < se->n; i++) {
          char pt[2 * NARYN__NUMFMT_MAX + 2];
          size_t len = 0;
          if (i) pt[len++] = ' ';
          len += naryn__numfmt_fixed(pt + len, x_px(c, &xs, se, i, band), 1);
          pt[len++] = ',';
          len += naryn__numfmt_fixed(pt + len, naryn__scale_px(&ys, se->y[i]), 1);
          fwrite(pt, 1, len, out);
        }
        if (naryn__hover_constant(c, k)) {
          fprintf(out, "\">");
          naryn__hover_line(out, c, k);
          fprintf(out, "</polyline>\n");
        } else {
          fprintf(out, "\"/>\n");
        }
        /* A single point would be invisible as a line. */
        if (se->n == 1)
          fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n",
                  x_px(c, &xs, se, 0, band), naryn__scale_px(&ys, se->y[0]), col);
      }
      if (pass == 2 && is_pts) {
        fprintf(out, "<g class=\"points\" fill=\"%s\">", col);
        for (int i = 0; i < se->n; i++) {
          double px = x_px(c, &xs, se, i, band), py = naryn__scale_px(&ys, se->y[i]);
          fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\">", px, py);
          naryn__hover_point(out, c, k, i);
          fprintf(out, "</circle>");
          if (se->labels && se->labels[i]) {
            /* Labels sit to the side with the most room. */
            int to_left = px > left + plot_w * 0.7;
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">",
                    px + (to_left ? -8 : 8), py - 6, to_left ? "end" : "start");
            naryn__html_text(out, se->labels[i]);
            fprintf(out, "</text>");
          }
        }
        fprintf(out, "</g>\n");
      }
    }
  }
  fprintf(out, "</svg>\n");
  free(base);
  return NARYN_OK;
}
