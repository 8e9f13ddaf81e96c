/*
** fuzz_cuts.c: libFuzzer target for the reader of a policy's cut file
** (src/sddp/cutfile.c), which `naryn simulate --policy`, `naryn ensemble
** --policy` and a resumed `naryn sddp --cut-log` read. The input's first
** byte chooses a model and whether its CRCs are mended; the rest is a
** cuts.bin, written into a policy folder and read back by
** naryn_policy_read for that model. A policy that reads must be
** replayed through the simulator with every storage a number within its
** reservoir's bounds, or fail with an error.
**
** The file's CRC-32 fields guard against damage, so that most mutated
** inputs stop at the first one. With the first byte's lowest bit set, the
** harness first writes into every CRC field, where the reader will look
** for it, the CRC of the bytes before it: the reader's checks behind the
** CRCs (counts, stages, outcomes, finite numbers, trial states) then meet
** the mutations too. The second bit chooses the model: examples/sddp-prices
** (one reservoir, a chain of prices) or examples/sddp-routing (a reservoir
** and the water of two routed links as states), which fuzz/run.sh copies
** into the working folder.
**
** With FUZZ_SEED_DIR set, the harness first trains each model's policy
** for a few iterations and writes its cut file there, with each first
** byte, as seeds.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common.h"

#define NMODELS 2
static const char *const model_files[NMODELS] = {"model-prices.yaml", "model-routing.yaml"};
static naryn_model *models[NMODELS];

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Writes at p + at the CRC of the n bytes before it, when they fit. */
static int mend(unsigned char *p, size_t n, size_t at) {
  if (at + 4 > n) return 0;
  uint32_t c = (uint32_t)crc32(0L, p, (uInt)at);
  for (int i = 0; i < 4; i++) p[at + i] = (unsigned char)(c >> (8 * i));
  return 1;
}

/* Mends every CRC field of the cut file p[n], walking it as the reader
** does (the layout in src/sddp/cutfile.c). */
static void mend_crcs(unsigned char *p, size_t n) {
  if (n < 12) return;
  /* The header's fixed part: 36 bytes, 44 from version 3 (the hash of
  ** the stage problems before the length of the names). */
  uint32_t version = get32(p + 8);
  size_t fixed = version >= 3 ? 44 : 36;
  if (n < fixed || !mend(p, n, fixed - 4)) return;
  uint32_t n_state = get32(p + 12), names = get32(p + fixed - 8);
  if (names > n || n_state > 100000) return;
  size_t at = fixed + names;
  if (!mend(p, n, at)) return;
  at += 4;
  size_t head = version >= 2 ? 16 : 12, per = 12 + 8 * ((size_t)n_state + 1),
         pper = 4 + 8 * (size_t)n_state;
  while (at + head <= n) {
    uint32_t count = get32(p + at + 8), points = version >= 2 ? get32(p + at + 12) : 0;
    if (!mend(p, n, at + head)) return;
    at += head + 4;
    size_t body = (size_t)count * per + (size_t)points * pper;
    if (body > n - at || !mend(p, n, at + body)) return;
    at += body + 4;
  }
}

/* Trains model k's policy briefly and writes its cuts.bin into dir as
** seeds, one for each first byte. */
static void make_seeds(int k, const char *dir) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_sddp_opts o;
  naryn_sddp_opts_init(&o);
  o.max_iterations = 5;
  o.bound_samples = 4;
  naryn_policy *p = NULL;
  char folder[64], path[4200];
  snprintf(folder, sizeof folder, "seed-policy-%d", k);
  if (naryn_sddp(models[k], &o, &p, d) == NARYN_OK && naryn_policy_write(p, folder, d) == NARYN_OK) {
    snprintf(path, sizeof path, "%s/cuts.bin", folder);
    FILE *f = fopen(path, "rb");
    unsigned char *buf = f ? malloc(1 << 20) : NULL;
    size_t n = buf ? fread(buf + 1, 1, (1 << 20) - 1, f) : 0;
    if (f) fclose(f);
    for (int mode = 0; buf && mode < 2; mode++) {
      buf[0] = (unsigned char)(mode | k << 1);
      snprintf(path, sizeof path, "%s/cuts-%d-%d.bin", dir, k, mode);
      fuzz_write(path, buf, n + 1);
    }
    free(buf);
  }
  naryn_policy_free(p);
  naryn_diags_free(d);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  naryn_diags *d = naryn_diags_new(0);
  for (int k = 0; k < NMODELS; k++) {
    int rc = naryn_model_load(model_files[k], NULL, 0, &models[k], d);
    fuzz_require(rc == NARYN_OK, "cannot load the models in the working folder");
  }
  naryn_diags_free(d);
  const char *seeds = getenv("FUZZ_SEED_DIR");
  for (int k = 0; seeds && k < NMODELS; k++) make_seeds(k, seeds);
  return 0;
}

/* Replays policy p of model m through the simulator: a success holds a
** storage within its reservoir's bounds at every reservoir and step. */
static void replay(const naryn_model *m, naryn_policy *p, naryn_diags *d) {
  naryn_sim_opts o;
  naryn_sim_opts_init(&o);
  o.policy = p;
  naryn_result *r = NULL;
  int rc = naryn_simulate(m, &o, &r, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (r != NULL), "a status that disagrees with the result");
  for (int i = 0; r && i < naryn_model_node_count(m); i++) {
    if (naryn_model_node_type(m, i) != NARYN_NODE_RESERVOIR) continue;
    for (int t = 0; t < naryn_model_steps(m); t++) {
      double s = naryn_result_node(r, NARYN_Q_STORAGE_END_HM3, i, t);
      /* Both models' reservoirs hold 0 to 5 hm3. */
      fuzz_require(s >= -1e-6 && s <= 5.0 + 1e-6, "a replayed storage outside its bounds");
    }
  }
  naryn_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int k = (data[0] >> 1) % NMODELS;
  unsigned char *file = malloc(size);
  if (!file) return 0;
  memcpy(file, data + 1, size - 1);
  if (data[0] & 1) mend_crcs(file, size - 1);
  mkdir("policy", 0777);
  fuzz_write("policy/cuts.bin", file, size - 1);
  free(file);
  naryn_diags *d = naryn_diags_new(0);
  if (!d) return 0;
  naryn_policy *p = NULL;
  int rc = naryn_policy_read(models[k], "policy", &p, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (p != NULL), "a status that disagrees with the result");
  if (p) {
    naryn_diags_clear(d);
    replay(models[k], p, d);
  }
  naryn_policy_free(p);
  naryn_diags_free(d);
  return 0;
}
