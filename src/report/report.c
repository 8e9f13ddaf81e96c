/*
** report.c: report.html, the page an analyst opens instead of the CSV
** files. It is drawn only from the files a run leaves in its folder, so
** that "naryn report DIR" rebuilds exactly what the run wrote, and a
** report can be drawn for results from another machine.
**
** These kinds of folder are understood:
**   a run (run.csv, network.csv, nodes.csv, summary.csv,
**     objective.csv, and for an optimised plan water_values.csv and
**     plants.csv): what was run, the yearly means by country and season,
**     the objective, the network, and charts of storage, release against
**     inflow, generation, deliveries against demands, water reaching the
**     sinks and, for a plan, the marginal value of water; and for a model
**     with operating rules (zones.csv, the rule column of nodes.csv) the
**     guide curves on the storage charts and the controlling rules, drawn
**     by guides.c;
**   a comparison (compare.csv naming run folders): the runs side by side;
**   a trade-off curve (pareto.csv): the curve, with the simulated rules
**     marked on it;
**   a benefit-sharing game (game.csv): drawn by share_page.c from the
**     parts of a page in page.c (naryn__page and its helpers);
**   an ensemble (ensemble.csv): drawn by ensemble_page.c;
**   an SDDP policy (convergence.csv, water_values.csv): its bounds by
**     iteration and its water values, drawn by policy_page.c.
**
** This file only tells which kind of folder it is given and hands it on.
** A run's folder is read by run_files.c; its page is drawn by
** run_page.c (the tables and the order of the sections), run_charts.c,
** run_spread.c and run_sinks.c; a comparison by compare_page.c; a
** trade-off curve by pareto_page.c. What they share is in report_int.h.
**
** The page is one file with inline SVG and CSS and no scripts; its
** Content-Security-Policy forbids loading anything, so that a name in a
** model can never run or fetch anything even if it escaped escaping.
*/
#include <stdio.h>
#include <unistd.h>

#include "report_int.h"

/* 1 when DIR/NAME can be read; asked without opening it, which needs
** memory that may not be there. */
static int exists(const char *dir, const char *name) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) return 0;
  return access(path, R_OK) == 0;
}

int naryn_report_write(const char *dir, naryn_diags *d) {
  return naryn__report_write_fed(dir, NULL, d);
}

int naryn__report_write_fed(const char *dir, const naryn__report_feed *fd,
                            naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  int rc;
  if (exists(dir, "game.csv")) rc = naryn__report_share(dir, d);
  else if (exists(dir, "ensemble.csv")) rc = naryn__report_ensemble(dir, d);
  else if (exists(dir, "pareto.csv")) rc = naryn__report_pareto(dir, d);
  else if (exists(dir, "compare.csv")) rc = naryn__report_compare(dir, d);
  else if (exists(dir, "convergence.csv")) rc = naryn__report_policy(dir, d);
  else if (exists(dir, "run.csv")) rc = naryn__report_run(dir, fd, d);
  else
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                     "expected the results of a naryn run (run.csv), a comparison "
                     "(compare.csv), a trade-off curve (pareto.csv), a benefit-"
                     "sharing game (game.csv), an ensemble (ensemble.csv) or an SDDP "
                     "policy (convergence.csv) in this folder, found none");
  return naryn__diags_status(d, mark, rc);
}
