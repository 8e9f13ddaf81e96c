/*
** cmd_share.c: "naryn share MODEL": what each country gains from
** co-operating in the operation of the basin, and the transfers that
** would share the gain fairly.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn share [MODEL] [--scenario FILE|NAME]... [--out DIR]\n"
    "                   [--jobs N] [--order A,B,...] [--weight TERM=W]...\n"
    "                   [--quiet]\n"
    "\n"
    "Treats the countries that own the model's nodes as players of a\n"
    "cooperative game (doc/sharing.md). First the baseline without\n"
    "cooperation: the countries plan in turn, upstream first, each\n"
    "optimising its own benefit over what it owns while those before it\n"
    "keep what they decided. Then, for every coalition, the best its members\n"
    "can do together while the others keep their baseline actions, each an\n"
    "optimisation with perfect foresight, run in parallel. From these: the\n"
    "gain from full cooperation, whether the core is empty, the Shapley\n"
    "value, the nucleolus and an equal split of the gain, and the transfers\n"
    "that turn the grand coalition's plan into each allocation, in money\n"
    "and as winter energy. Writes the folder DIR, all of it at once or\n"
    "nothing (an existing DIR is replaced only if naryn wrote it):\n"
    "  share.csv            each coalition's value and each country's benefit\n"
    "  allocation.csv       per allocation and country: benefit, baseline,\n"
    "                       gain, transfer, transfer as winter energy (GWh)\n"
    "  exchange.csv         per country and season: energy, water leaving its\n"
    "                       territory and water withdrawn, baseline and grand\n"
    "  superadditivity.csv  pairs of coalitions worth more apart than together\n"
    "  game.csv             the game's figures and checks\n"
    "  baseline/, grand/    the two plans, as naryn optimise writes them\n"
    "  report.html          the coalition table, the allocations and the\n"
    "                       water-for-energy exchange\n"
    "\n"
    "Values are the model's objective terms over each country's own nodes,\n"
    "in the model's currency per year.\n"
    "\n"
    "  --scenario FILE   merge FILE's fields over the model (repeatable)\n"
    "  --weight TERM=W   set the weight of an objective term (repeatable)\n"
    "  --jobs N          coalitions optimised at once (default: one per\n"
    "                    processor); the results do not depend on it\n"
    "  --order A,B,...   the order the countries plan in the baseline\n"
    "                    (default: upstream first)\n"
    "  --out DIR         where to write (default results/MODEL-NAME/share)\n"
    "  --quiet           print nothing but errors, and no progress\n"
    "\n"
    "Exit status: 0 success, 1 bad input or constraints that cannot all\n"
    "hold, 2 bad usage, 3 solver or water-balance failure, 4 I/O failure,\n"
    "130 interrupted by Ctrl-C (128 + the signal's number for SIGTERM, SIGHUP).\n";

/* Splits "A,B,C" into at most 'max' codes in buf. Returns the count. */
static int split_order(const char *s, char *buf, size_t size,
                       const char **codes, int max) {
  snprintf(buf, size, "%s", s);
  int n = 0;
  for (char *p = buf; n < max;) {
    codes[n++] = p;
    char *comma = strchr(p, ',');
    if (!comma) break;
    *comma = '\0';
    p = comma + 1;
  }
  return n;
}

static void print_game(const naryn_model *m, const naryn_game *g, int jobs,
                       const char *out) {
  int n = naryn_game_player_count(g);
  unsigned full = (1u << n) - 1u;
  const char *cur = naryn_model_currency(m);
  const naryn_result *base = naryn_game_baseline_plan(g);
  double years = naryn_result_years(base);
  printf("%s: benefit sharing between %d countries over %d %s steps "
         "(%.1f years); %u coalitions, %d at once\n",
         naryn_model_name(m), n, naryn_model_steps(m),
         cli_step_word(m, (char[16]){0}, 16), years, full, jobs);
  printf("Baseline: the countries plan in turn, in the order");
  for (int i = 0; i < n; i++) printf("%s %s", i ? "," : "", naryn_game_player(g, i));
  printf("\n\nCoalition values, millions of %s a year\n", cur);
  printf("  %-24s %12s %12s %12s\n", "coalition", "value", "baseline", "gain");
  for (unsigned S = 1; S <= full; S++) {
    char name[128] = "";
    double b = 0.0;
    for (int i = 0; i < n; i++)
      if (S >> i & 1u) {
        size_t len = strlen(name);
        snprintf(name + len, sizeof name - len, "%s%s", len ? "+" : "",
                 naryn_game_player(g, i));
        b += naryn_game_allocation(g, NARYN_ALLOC_BASELINE, i);
      }
    double v = naryn_game_value(g, S);
    printf("  %-24s %12.2f %12.2f %12.2f\n", name, v / 1e6, b / 1e6, (v - b) / 1e6);
  }
  double sum_base = 0.0;
  for (int i = 0; i < n; i++) sum_base += naryn_game_allocation(g, NARYN_ALLOC_BASELINE, i);
  double gain = naryn_game_value(g, full) - sum_base;
  printf("\nGain from full cooperation: %.2f M %s a year. The core is %s.\n",
         gain / 1e6, cur, naryn_game_core_empty(g) ? "EMPTY: no allocation "
         "gives every coalition its value" : "not empty");
  printf("\nAllocations, millions of %s a year (transfer: received, + , or "
         "paid, -, against the grand plan)\n", cur);
  printf("  %-8s %10s %10s %10s %10s %10s %10s\n", "country", "baseline",
         "grand plan", "shapley", "nucleolus", "equal gain", "transfer");
  for (int i = 0; i < n; i++) {
    printf("  %-8s", naryn_game_player(g, i));
    for (int a = 0; a < NARYN_ALLOC_COUNT; a++)
      printf(" %10.2f", naryn_game_allocation(g, (naryn_allocation)a, i) / 1e6);
    printf(" %10.2f\n", (naryn_game_allocation(g, NARYN_ALLOC_SHAPLEY, i) -
                         naryn_game_allocation(g, NARYN_ALLOC_GRAND_PLAN, i)) / 1e6);
  }
  printf("  (transfer: the Shapley value less the grand plan's benefit)\n");
  printf("\nResults: %s/share.csv, allocation.csv, exchange.csv, "
         "superadditivity.csv, game.csv, baseline/, grand/\n", out);
  printf("Report: %s/report.html\n", out);
}

int cmd_share(int argc, char **argv) {
  static const cli_spec spec = {"share", 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0};
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) return cli_finish(&run, rc);
  const naryn_model *m = run.m;
  char out[4096];
  cli_out_dir(&run, "share", out, sizeof out);
  /* A folder that cannot be replaced is refused before the run. */
  rc = naryn_staging_check(out, run.d);
  if (rc != NARYN_OK) {
    cli_print_diags(run.d);
    return cli_finish(&run, cli_exit_status(rc));
  }
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  naryn_opt_opts progress;
  cli_progress_opt(&progress);
  o.progress = progress.progress;
  o.progress_user = progress.progress_user;
  o.jobs = run.args.jobs;
  char buf[1024];
  const char *codes[64];
  if (run.args.order) {
    o.norder = split_order(run.args.order, buf, sizeof buf, codes, 64);
    o.order = codes;
  }
  naryn_game *g = NULL;
  rc = naryn_share(m, &o, &g, run.d);
  if (rc == NARYN_OK) rc = naryn_game_set_command(g, run.command);
  if (rc == NARYN_OK) rc = naryn_game_write(g, out, run.d);
  cli_progress_clear();
  cli_print_diags(run.d);
  if (rc == NARYN_OK && !run.args.quiet) {
    int jobs = o.jobs;
    if (jobs <= 0) jobs = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1) jobs = 1;
    if (jobs > 64) jobs = 64;
    unsigned full = (1u << naryn_game_player_count(g)) - 1u;
    if ((unsigned)jobs > full) jobs = (int)full;
    print_game(m, g, jobs, out);
  }
  naryn_game_free(g);
  return cli_finish(&run, cli_exit_status(rc));
}
