/*
** cmd_sddp.c: "naryn sddp MODEL": an operating policy trained across the
** model's inflow outcomes by stochastic dual dynamic programming, with its
** convergence log.
*/
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

static const char help[] =
    "Usage: naryn sddp MODEL [--scenario FILE|NAME]... [--weight TERM=W]...\n"
    "                  [--iterations N] [--gap PCT] [--gap-confident]\n"
    "                  [--time-limit S]\n"
    "                  [--bound-samples N] [--bound-every N] [--bound-control]\n"
    "                  [--stall N]\n"
    "                  [--discount D] [--multi-cut] [--cvar ALPHA,LAMBDA]\n"
    "                  [--cut-log FILE] [--select-every N] [--jobs N]\n"
    "                  [--passes N]\n"
    "                  [--seed S] [--out DIR] [--quiet]\n"
    "\n"
    "Trains an operating policy: a release decision for each step that is\n"
    "good across the inflows the model's \"uncertainty\" section lists (one\n"
    "outcome drawn each step, independently, or the noise of a PAR model\n"
    "of the inflows), by stochastic dual dynamic programming. Each step is\n"
    "a stage: the optimiser's LP of that step, with the storage of every\n"
    "reservoir (and a PAR model's past flows, and the water routed links\n"
    "have in transit) as the state, and cuts that bound the expected cost\n"
    "of the steps after it. Each iteration draws\n"
    "one inflow path (forward pass) and adds a cut to every stage but the\n"
    "last at the state it reached (backward pass). Prints, per iteration,\n"
    "the lower bound on the policy's expected cost (the objective with its\n"
    "sign turned), and every few iterations the upper bound estimated from\n"
    "forward simulations with its 95 % confidence interval, and the gap.\n"
    "Writes the folder DIR, all of it at once or nothing:\n"
    "  convergence.csv  the log: bounds, gap, time and cuts per iteration\n"
    "  cuts.csv         every cut: its stage, constant and slope per state\n"
    "  cuts.bin         the same cuts in naryn's binary cut file\n"
    "  water_values.csv what water left in each reservoir is worth, by stage\n"
    "                   and storage (the cuts' slopes)\n"
    "  prodfn.csv       each plant whose head follows its reservoir: the planes\n"
    "                   its energy is the minimum of, and their fit's error\n"
    "  report.html      the page of the policy: its bounds by iteration and\n"
    "                   its water values (naryn report DIR draws it again)\n"
    "(doc/sddp.md).\n"
    "\n"
    "  --iterations N     at most N iterations (default 200)\n"
    "  --gap PCT          stop once the gap is at most PCT per cent (default 1; none\n"
    "                     with --cvar), the gap of the upper bound's mean\n"
    "  --gap-confident    stop on the gap only once it holds at the upper end of\n"
    "                     the upper bound's 95 % interval: a gap at most PCT with\n"
    "                     that confidence (best with --bound-control)\n"
    "  --time-limit S     stop in time to end within S seconds, the last upper\n"
    "                     bound included (default: no limit)\n"
    "  --bound-samples N  forward simulations per upper bound (default 100)\n"
    "  --bound-every N    iterations between upper bounds (default 10)\n"
    "  --bound-control    subtract from each simulation's cost a control variate\n"
    "                     of mean zero, what the cuts expected of each step less\n"
    "                     what it cost: the same upper bound, with a far\n"
    "                     narrower interval once the cuts are good, each step\n"
    "                     solved under every outcome too\n"
    "  --stall N          stop once the lower bound has moved by less than a\n"
    "                     millionth over N iterations (default: never)\n"
    "  --discount D       a cyclic policy: the model's steps repeat forever,\n"
    "                     each round's cost discounted by D (above 0, below 1)\n"
    "  --multi-cut        a cut per outcome instead of one averaged cut\n"
    "  --cut-log FILE     append each iteration's cuts to FILE (synced), and\n"
    "                     if FILE holds cuts already, go on from them: a run\n"
    "                     killed or stopped resumes where it was\n"
    "  --select-every N   every N iterations (default 10; 0: never) keep in\n"
    "                     each stage's LP only the cuts highest at some state\n"
    "                     visited (level-1 dominance); every cut is written\n"
    "  --jobs N           threads, 1 to 64 (default 1), each with its own copy\n"
    "                     of the stages\n"
    "  --passes N         forward passes an iteration, 1 to 1024 (default: one\n"
    "                     per thread of every process), in a cycle each going\n"
    "                     round as often as the first; the same seed and\n"
    "                     --passes give the same cuts and bounds, bit for bit,\n"
    "                     on any number of threads and processes\n"
    "  --cvar ALPHA,LAMBDA  risk aversion: (1 - LAMBDA) of the expected cost and\n"
    "                     LAMBDA of its CVaR, the mean of the dearest ALPHA of\n"
    "                     the outcomes (the bounds are then risk-adjusted)\n"
    "  --seed S           the seed of every draw (default 1): the same seed\n"
    "                     gives the same bounds and cuts, bit for bit\n"
    "  --out DIR          where to write (default results/MODEL-NAME/sddp)\n"
    "  --quiet            print nothing but errors\n"
    "\n"
    "Under mpirun (naryn built with make MPI=1), each process trains with its\n"
    "own --jobs threads; the processes share out the forward paths and each\n"
    "level's solves of the backward passes, and every cut reaches every\n"
    "process before the next level.\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 bad usage, 3 solver failure,\n"
    "4 I/O failure, 130 interrupted by Ctrl-C (128 + the signal's number for\n"
    "SIGTERM, SIGHUP).\n";

/* The model, for the table's heading, printed with the first row (so that
** a model the run refuses prints only its error). */
typedef struct table {
  const naryn_model *m;
  int stages;
  int headed;
} table;

static void print_row(void *user, const naryn_sddp_log *r) {
  table *tb = user;
  if (!tb->headed) {
    tb->headed = 1;
    /* Each plant whose head follows its reservoir: its planes' fit. */
    for (int i = 0; i < naryn_prodfn_count(tb->m); i++) {
      naryn_prodfn_info f;
      if (naryn_prodfn_get(tb->m, i, &f) != NARYN_OK) continue;
      double full = f.full_mw > 0 ? f.full_mw : 1.0;
      printf("%s: %d planes, largest error %.1f MW (%.1f %% of its %.0f MW at full "
             "storage and flow), mean %.1f MW (%.1f %%), never below the exact power\n",
             f.plant, f.planes, f.max_error_mw, 100.0 * f.max_error_mw / full, f.full_mw,
             f.mean_error_mw, 100.0 * f.mean_error_mw / full);
    }
    int ps = naryn_sddp_price_states(tb->m);
    char each[64] = "";
    if (ps > 0) snprintf(each, sizeof each, ", each in %d price states", ps);
    printf("%s: a policy across %d stages%s, costs in %s (the objective with its sign "
           "turned)\n", naryn_model_name(tb->m), tb->stages, each,
           naryn_model_currency(tb->m));
    printf("  %9s %18s %18s %12s %8s %9s %7s\n", "iteration", "lower bound", "upper bound",
           "+- (95 %)", "gap %", "seconds", "cuts");
  }
  if (isnan(r->upper))
    printf("  %9d %18.2f %18s %12s %8s %9.2f %7d\n", r->iteration, r->lower, "", "", "",
           r->seconds, r->cuts);
  else if (isnan(r->gap_pct))
    printf("  %9d %18.2f %18.2f %12.2f %8s %9.2f %7d\n", r->iteration, r->lower, r->upper,
           r->half_width, "", r->seconds, r->cuts);
  else
    printf("  %9d %18.2f %18.2f %12.2f %8.3f %9.2f %7d\n", r->iteration, r->lower,
           r->upper, r->half_width, r->gap_pct, r->seconds, r->cuts);
  fflush(stdout);
}

int cmd_sddp(int argc, char **argv) {
  static const cli_spec spec = {"sddp", 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0};
  /* Every process runs the command; rank 0 alone speaks and writes. */
  if (cli_mpi_join() != EXIT_OK) return EXIT_IO;
  cli_run run;
  int rc = cli_start(argc, argv, &spec, help, &run);
  if (rc >= 0) {
    naryn_mpi_stop();
    return cli_finish(&run, rc);
  }
  const naryn_model *m = run.m;
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  if (run.args.iterations) o.max_iterations = run.args.iterations;
  if (run.args.bound_samples) o.bound_samples = run.args.bound_samples;
  if (run.args.bound_every) o.bound_every = run.args.bound_every;
  if (!isnan(run.args.gap_pct)) o.gap_pct = run.args.gap_pct;
  if (!isnan(run.args.time_limit_s)) o.time_limit_s = run.args.time_limit_s;
  if (!isnan(run.args.discount)) o.discount = run.args.discount;
  if (!isnan(run.args.cvar_alpha)) o.cvar_alpha = run.args.cvar_alpha;
  if (!isnan(run.args.cvar_lambda)) o.cvar_lambda = run.args.cvar_lambda;
  o.stall_iterations = run.args.stall;
  o.multi_cut = run.args.multi_cut;
  o.bound_control = run.args.bound_control;
  o.gap_confident = run.args.gap_confident;
  o.cut_log = run.args.cut_log;
  o.jobs = run.args.jobs;
  o.passes = run.args.passes;
  if (run.args.select_every >= 0) o.select_every = run.args.select_every;
  if (run.args.seed && cli_seed("sddp", "--seed", run.args.seed, &o.seed) != 0)
    return cli_finish(&run, EXIT_USAGE);
  char out[4096];
  if (run.args.out)
    snprintf(out, sizeof out, "%s", run.args.out);
  else
    snprintf(out, sizeof out, "results/%s/sddp", naryn_model_name(m));
  rc = naryn_mpi_rank() == 0 ? naryn_staging_check(out, run.d) : NARYN_OK;
  rc = naryn_mpi_agree(rc);
  if (rc != NARYN_OK) {
    cli_print_diags(run.d);
    naryn_mpi_stop();
    return cli_finish(&run, cli_exit_status(rc));
  }
  table tb = {m, naryn_sddp_stages(m, &o), 0};
  if (!run.args.quiet) {
    o.log = print_row;
    o.log_user = &tb;
  }
  naryn_policy *p = NULL;
  rc = naryn_sddp(m, &o, &p, run.d);
  if (rc == NARYN_OK && naryn_mpi_rank() == 0) rc = naryn_policy_write(p, out, run.d);
  rc = naryn_mpi_agree(rc);
  cli_print_diags(run.d);
  if (rc == NARYN_OK && !run.args.quiet) {
    double half, ub = naryn_policy_upper_bound(p, &half);
    const naryn_sddp_log *last = naryn_policy_log(p, naryn_policy_log_count(p) - 1);
    static const char *const why[][2] = {{"gap", "Converged"},
                                         {"stalled", "Stopped as the lower bound stalled"},
                                         {"time", "Stopped at the time limit"},
                                         {"iterations", "Stopped at the iteration limit"}};
    const char *said = "Stopped", *reason = naryn_policy_stop_reason(p);
    for (size_t k = 0; k < sizeof why / sizeof *why; k++)
      if (strcmp(reason, why[k][0]) == 0) said = why[k][1];
    /* A gap within rounding of zero is printed as 0, not -0.000. */
    double gap = last ? last->gap_pct : NAN;
    if (fabs(gap) < 5e-4) gap = 0.0;
    const char *its_s = naryn_policy_iterations(p) == 1 ? "" : "s";
    if (o.cvar_lambda > 0)
      printf("\n%s after %d iteration%s: lower bound %.2f of the risk-adjusted cost, the "
             "policy's expected cost %.2f +- %.2f (95 %%%s); no gap, as under CVaR the two "
             "measure different costs\n",
             said, naryn_policy_iterations(p), its_s, naryn_policy_lower_bound(p), ub, half,
             o.bound_control ? ", with the control variate" : "");
    else {
      printf("\n%s after %d iteration%s: lower bound %.2f, upper bound %.2f +- %.2f (95 %%%s), "
             "gap %.3f %%", said, naryn_policy_iterations(p), its_s, naryn_policy_lower_bound(p),
             ub, half, o.bound_control ? ", with the control variate" : "", gap);
      /* With --gap-confident, the gap at the interval's upper end, on
      ** which the stop is taken (in per cent of the larger bound). */
      double lb = naryn_policy_lower_bound(p);
      double scale = fmax(fmax(fabs(ub), fabs(lb)), 1e-9);
      double hi = (last ? last->gap_pct : NAN) + 100.0 * half / scale;
      if (fabs(hi) < 5e-4) hi = 0.0;
      if (o.gap_confident && !isnan(hi))
        printf(", at most %.3f %% at the interval's upper end", hi);
      printf("\n");
    }
    printf("Results: %s/convergence.csv, cuts.csv, cuts.bin, prodfn.csv, water_values.csv, "
           "report.html\n", out);
  }
  naryn_policy_free(p);
  naryn_mpi_stop();
  return cli_finish(&run, cli_exit_status(rc));
}
