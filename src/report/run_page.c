/*
** run_page.c: the page of a run: what was run, the contents, the tables
** (the yearly means by country and season, the objective's terms and, for
** an optimised plan, the energy with the exact head), the network, and
** the charts drawn by run_charts.c, run_spread.c, run_sinks.c and
** run_grids.c in the order the page shows them.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

/* 1 when the prices of a term of objective.csv are estimates: its
** confidence is "low", or not given (a folder of an earlier version has no
** such column). */
static int estimated(const naryn__csv *obj, int row) {
  const char *c = cell(obj, row, "confidence");
  return !c[0] || strcmp(c, "low") == 0;
}

/* Names the terms whose prices are estimates, in a sentence: each term
** once, in the order of objective.csv. */
static int first_row_of_term(const naryn__csv *obj, int r) {
  const char *term = cell(obj, r, "term");
  return strcmp(term, "combined") != 0 && (r == 0 || strcmp(cell(obj, r - 1, "term"), term) != 0);
}

static void estimates_sentence(FILE *out, const naryn__csv *obj) {
  int n = 0, terms = 0, all = 0;
  for (int r = 0; r < obj->nrows; r++) all += first_row_of_term(obj, r) && estimated(obj, r);
  for (int r = 0; r < obj->nrows; r++) {
    if (!first_row_of_term(obj, r)) continue;
    terms++;
    if (!estimated(obj, r)) continue;
    fprintf(out, "%s", !n ? all == 1 ? "The prices of the term " : "The prices of the terms "
                           : n == all - 1 ? " and " : ", ");
    naryn__html_text(out, cell(obj, r, "term"));
    n++;
  }
  if (n)
    fprintf(out, " are estimates (confidence low, or not given in the model file).");
  else if (terms)
    fprintf(out, "No price is an estimate: the model gives every term a confidence of high "
                 "or medium.");
}

/* What an optimised plan is and is not, and where its prices come from:
** said on the plan's page and on a comparison that holds one. */
void naryn__rep_foresight_note(FILE *out, const char *name, const naryn__csv *obj) {
  fprintf(out, "<p class=\"note foresight\" id=\"foresight\"><strong>");
  naryn__html_text(out, name);
  fprintf(out, " assumes perfect foresight:</strong> it is planned knowing every inflow of "
               "the horizon in advance, which no operator does, so its figures are an "
               "upper bound on what operating rules could reach with the same system, "
               "not a plan to follow. The money in its objective is at the prices of the "
               "model's objective terms, which are the model's inputs, not measurements "
               "of naryn's, each as sure as its confidence in the model file (high: taken "
               "from a source, medium: derived from one, low: an estimate; a term that "
               "gives none is taken as an estimate). ");
  estimates_sentence(out, obj);
  fprintf(out, "</p>\n");
}

/* The yearly means by country and season, from summary.csv. */
static void summary_table(naryn__page *p, const run_files *f) {
  static const char *const cols[] = {"energy_gwh", "irrigation_delivered_hm3",
                                     "irrigation_shortage_hm3", "municipal_delivered_hm3",
                                     "municipal_shortage_hm3", "min_flow_shortage_hm3",
                                     "spill_hm3", "sink_inflow_hm3", "evaporation_hm3"};
  static const char *const heads[] = {"energy", "irrigation delivered",
                                      "irrigation short", "town water delivered",
                                      "town water short", "minimum flow short",
                                      "spill", "to sinks and lakes",
                                      "evaporation"};
  const char *stat = stat_key(f);
  if (whole_years(f))
    fprintf(p->out, "<h2 id=\"s-summary\">Yearly means by country and season</h2>\n");
  else
    fprintf(p->out, "<h2 id=\"s-summary\">Totals by country and season</h2>\n"
                    "<p class=\"note\">The horizon is shorter than a year (%s years): "
                    "the figures are its totals, not extrapolated to a year.</p>\n",
            run_key(f, "years"));
  /* Each column of volumes in the unit that fits its largest figure. */
  double div[9] = {1};
  int dec[9] = {0};
  const char *unit[9] = {"GWh"};
  for (int k = 1; k < 9; k++) {
    double big = 0;
    int col = naryn__csv_column(f->summary, cols[k]);
    for (int r = 0; r < f->summary->nrows; r++)
      if (strcmp(cell(f->summary, r, "statistic"), stat) == 0) {
        double v = cell_num(f->summary, r, col);
        if (!isnan(v)) big = fmax(big, fabs(v));
      }
    div[k] = fit_unit(big, &unit[k], &dec[k]);
  }
  naryn__table_open(p, "summary");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "country", 1);
  naryn__th(p, "season", 1);
  char head[96];
  for (int k = 0; k < 9; k++) {
    snprintf(head, sizeof head, "%s %s", heads[k], unit[k]);
    naryn__th(p, head, 0);
  }
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  char buf[256];
  for (int r = 0; r < f->summary->nrows; r++) {
    if (strcmp(cell(f->summary, r, "statistic"), stat) != 0) continue;
    const char *code = cell(f->summary, r, "country"), *season = cell(f->summary, r, "season");
    int first = strcmp(season, "oct-mar") == 0;
    int whole = strcmp(season, "all") == 0;
    fprintf(p->out, "<tr%s>", whole ? " class=\"total\"" : "");
    naryn__td_text(p, first ? naryn__rep_country_label(f, code, buf, sizeof buf) : "");
    const char *sl = season;
    for (int s = 0; s < 3; s++)
      if (strcmp(season, naryn__rep_season_key[s]) == 0) sl = naryn__rep_season_label[s];
    naryn__td_text(p, whole && !whole_years(f) ? "whole horizon" : sl);
    for (int k = 0; k < 9; k++) {
      double v = cell_num(f->summary, r, naryn__csv_column(f->summary, cols[k]));
      naryn__td_num(p, v / div[k], dec[k]);
    }
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* The objective terms: one row per term, one column per country. */
static void objective_table(naryn__page *p, const run_files *f) {
  const char *cur = cell(f->objective, 0, "currency");
  fprintf(p->out, "<h2 id=\"s-objective\">The objective</h2>\n<p class=\"note\">"
                  "Each term's %s in millions of ", whole_years(f) ? "yearly value"
                                                     : "total over the horizon");
  naryn__text(p, cur);
  fprintf(p->out, " and its weight; benefits and costs as the term defines them "
                  "(costs positive), at the prices the model gives them, its inputs. "
                  "The column \"prices\" says how sure the model is of each term's "
                  "prices (its confidence: high, taken from a source; medium, derived "
                  "from one; low, an estimate; a term that gives none is taken as an "
                  "estimate), and pointing at it shows their source when the model "
                  "gives one. ");
  estimates_sentence(p->out, f->objective);
  fprintf(p->out, " The combined objective is the weighted "
                  "benefits less the weighted costs.</p>\n");
  const char *countries[64];
  int nc = 0;
  for (int r = 0; r < f->objective->nrows && nc < 64; r++) {
    const char *c = cell(f->objective, r, "country");
    int seen = 0;
    for (int k = 0; k < nc && !seen; k++) seen = strcmp(countries[k], c) == 0;
    if (!seen && strcmp(cell(f->objective, r, "term"), "combined") != 0) countries[nc++] = c;
  }
  naryn__table_open(p, "objective");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "term", 1);
  naryn__th(p, "kind", 1);
  naryn__th(p, "weight", 0);
  naryn__th(p, "prices", 1);
  char buf[256];
  for (int k = 0; k < nc; k++)
    naryn__th(p, strcmp(countries[k], "all") == 0
                     ? "all countries"
                     : naryn__rep_country_label(f, countries[k], buf, sizeof buf),
              0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  int vcol = naryn__csv_column(f->objective, term_key(f));
  for (int r = 0; r < f->objective->nrows;) {
    const char *term = cell(f->objective, r, "term");
    int combined = strcmp(term, "combined") == 0;
    fprintf(p->out, "<tr%s>", combined ? " class=\"total\"" : "");
    naryn__td_text(p, combined ? "combined (benefits − costs)" : term);
    naryn__td_text(p, combined ? "" : cell(f->objective, r, "kind"));
    fprintf(p->out, "<td>");
    naryn__text(p, cell(f->objective, r, "weight"));
    fprintf(p->out, "</td>");
    const char *conf = cell(f->objective, r, "confidence"), *src = cell(f->objective, r, "source");
    fprintf(p->out, "<td class=\"l\"");
    if (!combined && src[0]) {
      fprintf(p->out, " title=\"");
      naryn__text(p, src);
      fprintf(p->out, "\"");
    }
    fprintf(p->out, ">");
    if (!combined) {
      naryn__text(p, conf[0] ? conf : "not given");
      if (estimated(f->objective, r)) fprintf(p->out, " (estimate)");
    }
    fprintf(p->out, "</td>");
    int r2 = r;
    for (int k = 0; k < nc; k++) {
      int found = -1;
      for (int j = r; j < f->objective->nrows && strcmp(cell(f->objective, j, "term"), term) == 0; j++) {
        if (strcmp(cell(f->objective, j, "country"), countries[k]) == 0) found = j;
        r2 = j;
      }
      naryn__td_num(p, found >= 0 ? cell_num(f->objective, found, vcol) / 1e6 : NAN, 1);
    }
    fprintf(p->out, "</tr>\n");
    r = r2 + 1;
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

static int network_section(naryn__page *p, const run_files *f) {
  int n = f->nnodes, rc;
  naryn__net_node *nodes = calloc((size_t)n, sizeof *nodes);
  naryn__net_link *links = calloc((size_t)(f->nlinks + n), sizeof *links);
  const char *codes[64];
  char (*labels)[128] = calloc(64, sizeof *labels);
  const char *label_ptr[64];
  if (!nodes || !links || !labels) {
    free(nodes), free(links), free(labels);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  int nc = naryn__rep_network_countries(f, codes, 64);
  for (int k = 0; k < nc; k++) {
    char buf[128];
    snprintf(labels[k], sizeof labels[k], "%s", naryn__rep_country_label(f, codes[k], buf, sizeof buf));
    label_ptr[k] = labels[k];
  }
  for (int i = 0; i < n; i++) {
    nodes[i].name = cell(f->network, i, "name");
    nodes[i].type = cell(f->network, i, "type");
    nodes[i].country = cell(f->network, i, "country");
    nodes[i].enabled = node_enabled(f, i);
    nodes[i].colour = -1;
    for (int k = 0; k < nc; k++)
      if (strcmp(codes[k], nodes[i].country) == 0) nodes[i].colour = k;
  }
  int nl = 0;
  /* Names are looked up in an index; a name given twice is found at its
  ** last row, as a search through every row would find it. */
  naryn__arena *na = naryn__arena_new();
  naryn__names names = {0};
  if (!na || naryn__names_new(&names, n, na) != 0) {
    naryn__arena_free(na);
    free(nodes), free(links), free(labels);
    return naryn__diag(p->d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = n - 1; i >= 0; i--) naryn__names_put(&names, nodes[i].name, i);
  /* The links follow the nodes in network.csv. */
  for (int l = 0; l < f->nlinks; l++) {
    int row = f->nnodes + l;
    const char *from = cell(f->network, row, "from"), *to = cell(f->network, row, "to");
    int a = naryn__names_get(&names, from), b = naryn__names_get(&names, to);
    if (a < 0 || b < 0) {
      rc = naryn__rep_bad(f, f->network, row, a < 0 ? "from" : "to",
                          "column \"%s\": expected a node of network.csv%s", "");
      naryn__arena_free(na);
      free(nodes), free(links), free(labels);
      return rc;
    }
    links[nl++] = (naryn__net_link){a, b, 0};
  }
  for (int i = 0; i < n; i++) {
    const char *ret = cell(f->network, i, "return_to");
    if (!ret[0]) continue;
    int j = naryn__names_get(&names, ret);
    if (j >= 0) links[nl++] = (naryn__net_link){i, j, 1};
  }
  naryn__arena_free(na);
  fprintf(p->out, "<h2 id=\"s-network\">The network</h2>\n"
                  "<figure class=\"chart\" id=\"network\"><figcaption>Nodes by type "
                  "and country, from upstream (top) to downstream <span>(dashed: "
                  "return flows; hollow: disabled)</span></figcaption>\n");
  rc = naryn__network_svg(p->out, "network-svg", nodes, n, links, nl, label_ptr, nc, p->d);
  fprintf(p->out, "</figure>\n");
  p->nfig++;
  free(nodes), free(links), free(labels);
  return rc;
}

static void plants_table(naryn__page *p, const run_files *f) {
  const naryn__csv *t = f->plants;
  fprintf(p->out, "<h3>Energy with the exact head against the plan's linearisation</h3>\n");
  naryn__table_open(p, "plants");
  fprintf(p->out, "<thead><tr>");
  naryn__th(p, "plant", 1);
  naryn__th(p, "country", 1);
  naryn__th(p, whole_years(f) ? "GWh a year, exact head" : "GWh, exact head", 0);
  naryn__th(p, "linearised", 0);
  naryn__th(p, "difference %", 0);
  fprintf(p->out, "</tr></thead>\n<tbody>\n");
  for (int r = 0; r < t->nrows; r++) {
    fprintf(p->out, "<tr>");
    naryn__td_text(p, cell(t, r, "node"));
    naryn__td_text(p, cell(t, r, "country"));
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "energy_gwh")) / per_year(f), 1);
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "energy_linearised_gwh")) / per_year(f), 1);
    naryn__td_num(p, cell_num(t, r, naryn__csv_column(t, "difference_percent")), 3);
    fprintf(p->out, "</tr>\n");
  }
  fprintf(p->out, "</tbody>\n");
  naryn__table_close(p);
}

/* 1 when the page has a section of controlling rules (a table or a note). */
static int rules_drawn(const run_files *f) {
  if (naryn__rep_rules_missing(f)) return 1;
  for (int i = 0; i < f->nnodes; i++)
    if (keeps_rule(f, i) && f->ops.rule[i] && naryn__ops_has_rules(&f->ops, i)) return 1;
  return 0;
}

static void contents(naryn__page *p, const run_files *f, int optimised) {
  fprintf(p->out, "<nav><ul><li><a href=\"#s-summary\">%s by country and season</a>"
                  "<li><a href=\"#s-objective\">The objective</a>"
                  "<li><a href=\"#s-network\">The network</a>",
          whole_years(f) ? "Yearly means" : "Totals");
  int res = 0, hp = 0, dem = 0, sink = 0;
  for (int i = 0; i < f->nnodes; i++) {
    res |= node_is(f, i, "reservoir") && node_enabled(f, i);
    hp |= node_is(f, i, "hydropower") && node_enabled(f, i);
    dem |= node_is(f, i, "demand") && node_enabled(f, i);
    sink |= node_is(f, i, "sink");
  }
  if (res) fprintf(p->out, "<li><a href=\"#s-storage\">Reservoir storage</a>");
  if (res && rules_drawn(f))
    fprintf(p->out, "<li><a href=\"#s-rules\">Controlling rules</a>");
  if (res) fprintf(p->out, "<li><a href=\"#s-release\">Release against inflow</a>");
  if (hp) fprintf(p->out, "<li><a href=\"#s-generation\">Generation</a>");
  if (f->grids && f->grids->ng > 0) fprintf(p->out, "<li><a href=\"#s-grids\">Grids</a>");
  if (dem) fprintf(p->out, "<li><a href=\"#s-delivery\">Water delivered against demanded</a>");
  int mf = 0;
  for (int i = 0; i < f->nnodes; i++) mf |= node_is(f, i, "min_flow") && node_enabled(f, i);
  if (mf) fprintf(p->out, "<li><a href=\"#s-minflow\">Minimum flows</a>");
  if (sink) fprintf(p->out, "<li><a href=\"#s-sinks\">Water reaching the sinks</a>");
  if (res || dem) fprintf(p->out, "<li><a href=\"#s-duration\">Duration curves</a>");
  if (naryn__observed_any(f->obs_table))
    fprintf(p->out, "<li><a href=\"#s-observed\">Observed and simulated</a>");
  if (optimised) fprintf(p->out, "<li><a href=\"#s-water-values\">The marginal value of water</a>");
  fprintf(p->out, "</ul></nav>\n");
}

int naryn__report_run(const char *dir, const naryn__report_feed *fd, naryn_diags *d) {
  naryn__arena *a = naryn__arena_new();
  if (!a) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  run_files f;
  naryn__page p;
  int rc = naryn__rep_load_run_fed(&f, dir, a, fd, d);
  /* A feed that does not fit: the page is drawn from the folder alone. */
  if (rc == -1) rc = naryn__rep_load_run(&f, dir, a, d);
  if (rc == NARYN_OK) rc = naryn__page_open(&p, d);
  if (rc != NARYN_OK) {
    naryn__arena_free(a);
    return rc;
  }
  int optimised = f.water_values != NULL;
  size_t n = (size_t)f.npts;
  double *buf = calloc(n * 4 + n * 16, sizeof *buf);
  if (!buf) rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  char title[512];
  snprintf(title, sizeof title, "%s: %s", run_key(&f, "model"),
           optimised ? "optimised plan" : "simulation");
  if (rc == NARYN_OK) {
    p.totals = !whole_years(&f);
    naryn__page_head(&p, title);
    naryn__rep_run_header(&p, &f, optimised ? "The plan optimised over the whole horizon with "
                                              "perfect foresight of the inflows"
                                            : "Simulated under the model's operating rules");
    if (optimised) naryn__rep_foresight_note(p.out, "This plan", f.objective);
    contents(&p, &f, optimised);
    fprintf(p.out, "<main>\n");
    summary_table(&p, &f);
    objective_table(&p, &f);
    rc = network_section(&p, &f);
  }
  if (rc == NARYN_OK) rc = naryn__rep_storage_section(&p, &f, buf, buf + n, buf + 2 * n, buf + 3 * n);
  if (rc == NARYN_OK) rc = naryn__rep_rules_section(&p, &f);
  if (rc == NARYN_OK) rc = naryn__rep_release_section(&p, &f);
  if (rc == NARYN_OK) rc = naryn__rep_generation_section(&p, &f);
  if (rc == NARYN_OK) rc = naryn__rep_grids_section(&p, &f);
  if (rc == NARYN_OK) rc = naryn__rep_delivery_section(&p, &f);
  if (rc == NARYN_OK) rc = naryn__rep_minflow_section(&p, &f, buf, buf + n, buf + 2 * n);
  if (rc == NARYN_OK) rc = naryn__rep_sink_section(&p, &f, buf, buf + n * 4);
  if (rc == NARYN_OK) rc = naryn__rep_duration_section(&p, &f);
  if (rc == NARYN_OK)
    rc = naryn__observed_section(&p, f.obs_table, f.obs_pt, f.npts, f.month, d);
  if (rc == NARYN_OK && optimised) {
    rc = naryn__rep_water_value_section(&p, &f);
    if (rc == NARYN_OK) plants_table(&p, &f);
  }
  free(buf);
  if (rc == NARYN_OK) {
    fprintf(p.out, "</main>\n");
    rc = naryn__page_close(&p, dir);
  } else {
    naryn__page_abort(&p);
  }
  naryn__arena_free(a);
  return rc;
}
