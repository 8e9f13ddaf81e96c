/*
** page.c: the parts every page of report.html is made of: the style
** sheet, the document's head and footer, figures, tables and the
** header's list (shared with share_page.c and the other pages, declared in
** naryn_int.h); and the parts of a run's page that the comparison and the
** trade-off curve use too: countries, seasons, months and the header
** saying what was run (declared in report_int.h).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI','DejaVu Sans',sans-serif;"
    "color:#1f2328;margin:0 auto;max-width:1080px;padding:0 20px 40px;line-height:1.45}"
    "h1{font-size:1.6em;margin:24px 0 4px}h2{font-size:1.25em;margin:32px 0 8px;"
    "border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:1.05em;margin:20px 0 6px}"
    ".sub{color:#57606a;margin:0 0 12px}"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}"
    "dl.meta dt{color:#57606a}dl.meta dd{margin:0;overflow-wrap:anywhere}"
    "code{font-family:'DejaVu Sans Mono',monospace;font-size:.9em;background:#f3f4f6;"
    "padding:1px 4px;border-radius:3px}"
    "nav ul{columns:3;padding-left:18px;margin:4px 0}"
    "table.data{border-collapse:collapse;margin:8px 0 16px;font-size:.88em;"
    "font-variant-numeric:tabular-nums}"
    "table.data th,table.data td{border-bottom:1px solid #d8dee4;padding:3px 8px;"
    "text-align:right;white-space:nowrap}"
    "table.data th{background:#f6f8fa}table.data td.l,table.data th.l{text-align:left}"
    "table.data td.w,table.data th.w{white-space:normal}"
    "table.data tr.total td{font-weight:600}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "figure.chart{margin:12px 0 22px;break-inside:avoid}"
    ".multiples{display:flex;flex-wrap:wrap;gap:0 20px}"
    ".multiples figure.chart{flex:1 1 420px;min-width:0;max-width:530px;margin:6px 0 10px}"
    "figure.chart figcaption{font-weight:600;margin-bottom:4px}"
    "figure.chart figcaption span{font-weight:normal;color:#57606a}"
    "svg.chart{max-width:100%;height:auto;display:block}"
    "svg.chart text{font-size:12px;fill:#1f2328}"
    "svg.chart text.label{fill:#57606a}svg.chart text.off{fill:#8c959f}"
    "svg.chart text.empty{fill:#8c959f;font-size:14px}"
    "svg.chart line.grid{stroke:#eaeef2}svg.chart line.frame,svg.chart line.tick{stroke:#57606a}"
    ".note{color:#57606a;font-size:.92em}"
    "footer{margin-top:36px;color:#57606a;font-size:.88em;border-top:1px solid #d0d7de;"
    "padding-top:8px}"
    /* On paper (A4, margins of 12 mm: 186 mm, about 700 CSS pixels) a table
    ** cannot scroll: tables take the page's width, their headers wrap and
    ** their type shrinks, and charts shrink to the width. */
    "@page{size:A4;margin:12mm}"
    "@media print{body{max-width:none;padding:0;font-size:10pt}nav{display:none}"
    "h2{break-after:avoid}h2,h3{break-after:avoid}"
    ".scroll{overflow:visible}table.data{font-size:7pt;max-width:100%}"
    "table.data th,table.data td{padding:1px 3px}"
    "table.data th{white-space:normal;overflow-wrap:anywhere;hyphens:auto}"
    "table.data tr{break-inside:avoid}figure.chart{break-inside:avoid}"
    "svg.chart{width:100%;height:auto}dl.meta{font-size:9pt}"
    ".multiples figure.chart{flex-basis:300px}}";

/* The parts below are shared with share_page.c (declared in naryn_int.h). */

void naryn__text(naryn__page *p, const char *s) { naryn__html_text(p->out, s); }

int naryn__page_open(naryn__page *p, naryn_diags *d) {
  memset(p, 0, sizeof *p);
  p->d = d;
  p->out = open_memstream(&p->buf, &p->len);
  if (!p->out)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  return NARYN_OK;
}

void naryn__page_head(naryn__page *p, const char *title) {
  fprintf(p->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                  "'none'; style-src 'unsafe-inline'; img-src data:\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<meta name=\"generator\" content=\"naryn %s\">\n<title>",
          NARYN_VERSION);
  naryn__text(p, title);
  fprintf(p->out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
}

/* Writes the page to DIR/report.html, whole or not at all. */
int naryn__page_close(naryn__page *p, const char *dir) {
  fprintf(p->out, "<footer id=\"end\">Drawn by naryn %s from the files in this "
                  "folder; <code>naryn report FOLDER</code> draws it again. Figures "
                  "are %s unless a chart says otherwise; km3 = 1000 hm3 = "
                  "10<sup>9</sup> m3.</footer>\n</body>\n</html>\n",
          NARYN_VERSION, p->totals ? "totals over the horizon, which is shorter than a year,"
                                   : "yearly means");
  if (fclose(p->out) != 0) {
    free(p->buf);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  p->out = NULL;
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/report.html", dir) >= sizeof path) {
    free(p->buf);
    return naryn__diag(p->d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
  }
  naryn__outfile *f = naryn__outfile_open(path, p->d);
  if (!f) {
    free(p->buf);
    return NARYN_EIO;
  }
  naryn__outfile_write(f, p->buf, p->len);
  free(p->buf);
  p->buf = NULL;
  return naryn__outfile_commit(f, p->d);
}

void naryn__page_abort(naryn__page *p) {
  if (p->out) fclose(p->out);
  free(p->buf);
  p->out = NULL;
  p->buf = NULL;
}

/* A chart in a figure with its caption and a note under it. */
int naryn__figure(naryn__page *p, const naryn__chart *c, const char *caption,
                  const char *unit_note) {
  fprintf(p->out, "<figure class=\"chart\" id=\"%s\"><figcaption>", c->id);
  naryn__text(p, caption);
  if (unit_note) {
    fprintf(p->out, " <span>");
    naryn__text(p, unit_note);
    fprintf(p->out, "</span>");
  }
  fprintf(p->out, "</figcaption>\n");
  int rc = naryn__chart_svg(p->out, c, p->d);
  fprintf(p->out, "</figure>\n");
  p->nfig++;
  return rc;
}

void naryn__table_open(naryn__page *p, const char *id) {
  fprintf(p->out, "<div class=\"scroll\"><table class=\"data\" id=\"%s\">\n", id);
  p->ntab++;
}

void naryn__table_close(naryn__page *p) { fprintf(p->out, "</table></div>\n"); }

void naryn__th(naryn__page *p, const char *s, int left) {
  fprintf(p->out, "<th%s>", left ? " class=\"l\"" : "");
  naryn__text(p, s);
  fprintf(p->out, "</th>");
}

void naryn__td_text(naryn__page *p, const char *s) {
  fprintf(p->out, "<td class=\"l\">");
  naryn__text(p, s);
  fprintf(p->out, "</td>");
}

void naryn__td_num(naryn__page *p, double v, int decimals) {
  if (isnan(v)) {
    fprintf(p->out, "<td></td>");
    return;
  }
  if (fabs(v) < 0.5 * pow(10, -decimals)) v = 0.0;
  fprintf(p->out, "<td>%.*f</td>", decimals, v);
}

void naryn__meta(naryn__page *p, const char *key, const char *value) {
  fprintf(p->out, "<dt>%s</dt><dd>", key);
  naryn__text(p, value);
  fprintf(p->out, "</dd>");
}

/* The country label "KG Kyrgyzstan" of a code, from network.csv. */
const char *naryn__rep_country_label(const run_files *f, const char *code, char *buf,
                                     size_t size) {
  if (!code[0]) return "(no country)";
  if (strcmp(code, "all") == 0) return "all countries";
  for (int i = 0; i < f->nnodes; i++)
    if (strcmp(cell(f->network, i, "country"), code) == 0) {
      const char *name = cell(f->network, i, "country_name");
      if (name[0] && strcmp(name, code) != 0) {
        snprintf(buf, size, "%s %s", code, name);
        return buf;
      }
    }
  return code;
}

/* The distinct countries of the network, in order of first use. */
int naryn__rep_network_countries(const run_files *f, const char **codes, int max) {
  int n = 0;
  for (int i = 0; i < f->nnodes; i++) {
    const char *c = cell(f->network, i, "country");
    int seen = !c[0];
    for (int k = 0; k < n && !seen; k++) seen = strcmp(codes[k], c) == 0;
    if (!seen && n < max) codes[n++] = c;
  }
  return n;
}

const char *const naryn__rep_season_label[] = {"Oct–Mar", "Apr–Sep", "year"};
const char *const naryn__rep_season_key[] = {"oct-mar", "apr-sep", "all"};
/* Months in water-year order, October first. */
const char *const naryn__rep_month_names[12] = {"Oct", "Nov", "Dec", "Jan", "Feb", "Mar",
                                            "Apr", "May", "Jun", "Jul", "Aug", "Sep"};

/* The header: what was run. */
void naryn__rep_run_header(naryn__page *p, const run_files *f, const char *what) {
  const char *model = run_key(f, "model"), *scen = run_key(f, "scenario");
  fprintf(p->out, "<header>\n<h1>");
  naryn__text(p, model);
  fprintf(p->out, "</h1>\n<p class=\"sub\">");
  naryn__text(p, what);
  if (scen[0]) {
    fprintf(p->out, ", scenario ");
    naryn__text(p, scen);
  }
  fprintf(p->out, "</p>\n<dl class=\"meta\">");
  naryn__meta(p, "Model", model);
  naryn__meta(p, "Model file", run_key(f, "model_file"));
  naryn__meta(p, "Scenario", scen[0] ? scen : "none (the model as given)");
  char buf[256];
  /* Steps of N days are told as "N-day steps"; a short last step ends at
  ** run.csv's last_day. */
  char step_name[32];
  if (f->step_days > 1 && f->step_days != 7)
    snprintf(step_name, sizeof step_name, "%d-day", f->step_days);
  else
    snprintf(step_name, sizeof step_name, "%s", run_key(f, "step"));
  snprintf(buf, sizeof buf, "%.7s to %.7s: %s %s steps, %s years", run_key(f, "start"),
           f->step_days > 1 && f->last_day >= 0 ? run_key(f, "last_day") : run_key(f, "end"),
           run_key(f, "steps"), step_name, run_key(f, "years"));
  naryn__meta(p, "Horizon", buf);
  naryn__meta(p, "Step", run_key(f, "step"));
  naryn__meta(p, "Engine", "naryn " NARYN_VERSION);
  snprintf(buf, sizeof buf, "naryn %s", run_key(f, "naryn_version"));
  naryn__meta(p, "Results written by", buf);
  naryn__meta(p, "Command", run_key(f, "command")[0] ? run_key(f, "command") : "(not recorded)");
  const char *node = run_key(f, "max_residual_node");
  snprintf(buf, sizeof buf, "%s hm3%s%s%s%.10s%s; relative to the flow %s; whole system %s hm3",
           run_key(f, "max_residual_hm3"), node[0] ? " (" : "", node,
           node[0] ? ", " : "", run_key(f, "max_residual_date"), node[0] ? ")" : "",
           run_key(f, "max_residual_relative"), run_key(f, "system_residual_hm3"));
  naryn__meta(p, "Largest water-balance residual", buf);
  fprintf(p->out, "</dl>\n</header>\n");
}
