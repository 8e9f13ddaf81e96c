/*
** fuzz_fit.c: libFuzzer target for the reader of a fit file of naryn
** inflows (src/inflows/fitfile.c) and for what reads one: the draws of
** naryn inflows generate, and a model whose policy's inflows follow it
** (src/model/par_inflows.c). The input is written as fit.yaml in the
** working folder and read. A fit that reads must draw five years of
** flows, each a number from 0 to 10^6 m3/s, or fail with an error; then a
** three-month model whose river is the fit's site "river_m3s" is loaded
** with the fit as its PAR inflows and, when it loads, its policy is
** trained for two iterations, which must end or fail with an error (never
** stop CLP on an assertion).
**
** The harness writes the model and its inflow series into the working
** folder once; fuzz/run.sh seeds the target with every fit file of the
** repository.
*/
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

static const char model_text[] =
    "horizon: {start: 2001-01, end: 2001-03, step: monthly}\n"
    "countries: {A: Alpha}\n"
    "nodes:\n"
    "  - {name: River, type: inflow, country: A,"
    " inflow_m3s: {file: fit-inflows.csv, column: river_m3s}}\n"
    "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 10,"
    " initial_storage_hm3: 5, country: A}\n"
    "  - {name: Plant, type: hydropower, head_m: 100, efficiency: 0.9,"
    " max_turbine_flow_m3s: 500, capacity_mw: 500, country: A}\n"
    "  - {name: Sea, type: sink}\n"
    "links:\n"
    "  - {from: River, to: Res}\n"
    "  - {from: Res, to: Plant}\n"
    "  - {from: Plant, to: Sea}\n"
    "grids:\n"
    "  - {name: G, country: A, demand_gwh: [2.0, 2.5, 2.0],"
    " unserved: [{cost_per_mwh: 1000}]}\n"
    "thermal_plants:\n"
    "  - {name: Cheap, grid: G, capacity_mw: 1, cost_per_mwh: 30}\n"
    "objectives: [{name: power, kind: grid}]\n"
    "uncertainty:\n"
    "  inflows: {fit: fit.yaml, outcomes: 3, max_order: 3}\n";

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_write("fit-model.yaml", model_text, sizeof model_text - 1);
  static const char series[] = "date,river_m3s\n2001-01,2\n2001-02,3\n2001-03,1\n";
  fuzz_write("fit-inflows.csv", series, sizeof series - 1);
  return 0;
}

/* Draws five years from the fit: flows from 0 to 10^6 m3/s, or an error. */
static void draw(const naryn_inflow_fit *f, naryn_diags *d) {
  int n = naryn_inflow_fit_sites(f), months = 60;
  double *q = malloc((size_t)n * months * sizeof *q);
  if (!q) return;
  int rc = naryn_inflow_generate(f, 1, 0, "2001-01", months, q, d);
  fuzz_check_diags(d, rc);
  for (int i = 0; rc == NARYN_OK && i < n * months; i++)
    fuzz_require(q[i] >= 0 && q[i] <= 1e6, "a drawn flow that is not from 0 to 10^6 m3/s");
  free(q);
}

/* The model with the fit as its PAR inflows, and its policy trained. */
static void train(naryn_diags *d) {
  naryn_model *m = NULL;
  int rc = naryn_model_load("fit-model.yaml", NULL, 0, &m, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (m != NULL), "a status that disagrees with the result");
  if (!m) return;
  naryn_diags_clear(d);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 2;
  o.bound_samples = 2;
  naryn_policy *p = NULL;
  rc = naryn_sddp(m, &o, &p, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (p != NULL), "a status that disagrees with the result");
  naryn_policy_free(p);
  naryn_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_write("fit.yaml", data, size);
  naryn_diags *d = naryn_diags_new(0);
  if (!d) return 0;
  naryn_inflow_fit *f = NULL;
  int rc = naryn_inflow_fit_read("fit.yaml", &f, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (f != NULL), "a status that disagrees with the result");
  if (f) {
    naryn_diags_clear(d);
    draw(f, d);
    naryn_inflow_fit_free(f);
    naryn_diags_clear(d);
    train(d);
  }
  naryn_diags_free(d);
  return 0;
}
