/*
** fuzz_merge.c: libFuzzer target for scenarios merged over a model. The
** input is a model file followed by up to three scenario files, each
** after a line "#scenario" (a YAML comment, so that a seed still reads as
** a model in an editor). The model is loaded with the scenarios merged
** over it in order, by the path naryn_model_load takes. An input without
** a scenario is left to the model target.
*/
#include <string.h>

#include "common.h"

/* Finds the next separator in [p, end), or returns NULL. */
static const uint8_t *find_separator(const uint8_t *p, const uint8_t *end) {
  static const char sep[] = "\n#scenario\n";
  size_t n = sizeof sep - 1;
  while ((size_t)(end - p) >= n) {
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p) - n + 1);
    if (!nl) return NULL;
    if (memcmp(nl, sep, n) == 0) return nl;
    p = nl + 1;
  }
  return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *bufs[FUZZ_MAX_DOCS];
  size_t lens[FUZZ_MAX_DOCS];
  const uint8_t *p = data, *end = data + size;
  int n = 0;
  while (n < FUZZ_MAX_DOCS - 1) {
    const uint8_t *sep = find_separator(p, end);
    if (!sep) break;
    bufs[n] = p;
    lens[n++] = (size_t)(sep - p) + 1; /* keeps the line's end */
    p = sep + strlen("\n#scenario\n");
  }
  if (n == 0) return 0;
  bufs[n] = p;
  lens[n++] = (size_t)(end - p);
  fuzz_load(bufs, lens, n);
  return 0;
}
