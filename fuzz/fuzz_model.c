/*
** fuzz_model.c: libFuzzer target for the model reader. The input is a
** model file, JSON or YAML; it is parsed, built into a model and checked
** by the path naryn_model_load takes.
*/
#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *bufs[1] = {data};
  size_t lens[1] = {size};
  fuzz_load(bufs, lens, 1);
  return 0;
}
