/*
** common.c: the checks and the loading from memory that the libFuzzer
** targets share (see common.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void fuzz_require(int ok, const char *what) {
  if (ok) return;
  fprintf(stderr, "fuzz: broken promise: %s\n", what);
  abort();
}

void fuzz_write(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  fuzz_require(f != NULL, "cannot write in the working folder");
  if (n) fwrite(data, 1, n, f);
  fuzz_require(fclose(f) == 0, "cannot write in the working folder");
}

void fuzz_check_diags(const naryn_diags *d, int status) {
  if (status == NARYN_OK) {
    fuzz_require(naryn_diags_errors(d) == 0, "success with an error reported");
  } else {
    fuzz_require(naryn_diags_errors(d) > 0, "failure without an error reported");
  }
  char text[1024];
  for (int i = 0; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    fuzz_require(g != NULL, "a kept diagnostic that cannot be read");
    fuzz_require(g->msg[0] != '\0', "a diagnostic without a message");
    fuzz_require(g->line >= 0 && g->col >= 0, "a negative line or column");
    fuzz_require(naryn_diag_format(g, text, sizeof text) > 0,
                 "a diagnostic that formats to nothing");
  }
}

/* The documents of one load, handed to the reader by index. */
typedef struct fuzz_docs {
  const uint8_t *const *bufs;
  const size_t *lens;
  int n;
} fuzz_docs;

/* Parses document index + 1 (the model is index -1) from memory. */
static naryn__doc *read_memory(void *user, int index, const char *path,
                               naryn__arena *a, naryn_diags *d) {
  const fuzz_docs *docs = user;
  int k = index + 1;
  fuzz_require(k >= 0 && k < docs->n, "a document asked for that was not given");
  return naryn__doc_read_buffer(path, (const char *)docs->bufs[k],
                                docs->lens[k], a, d);
}

/* Walks a loaded model through its getters, checking that every index
** they hand out is in range. */
static void look_at(const naryn_model *m) {
  int nnodes = naryn_model_node_count(m), nlinks = naryn_model_link_count(m);
  fuzz_require(nnodes > 0 && naryn_model_steps(m) > 0, "an empty model loaded");
  for (int i = 0; i < nnodes; i++) {
    const char *name = naryn_model_node_name(m, i);
    fuzz_require(name && naryn_model_node_index(m, name) == i,
                 "a node name that does not find its node");
    fuzz_require(naryn_model_node_type(m, i) < NARYN_NODE_TYPE_COUNT,
                 "a node without a type");
  }
  for (int l = 0; l < nlinks; l++) {
    int from = naryn_model_link_from(m, l), to = naryn_model_link_to(m, l);
    fuzz_require(from >= 0 && from < nnodes && to >= 0 && to < nnodes,
                 "a link to a node outside the model");
  }
  for (int t = 0; t < naryn_model_steps(m); t++)
    fuzz_require(naryn_model_step_seconds(m, t) > 0, "a step without length");
  for (int k = 0; k < naryn_model_term_count(m); k++)
    fuzz_require(naryn_model_term_name(m, k) != NULL, "a term without a name");
}

void fuzz_load(const uint8_t *const *bufs, const size_t *lens, int n) {
  static const char *const names[FUZZ_MAX_DOCS - 1] = {
      "scenario1.yaml", "scenario2.yaml", "scenario3.yaml"};
  fuzz_require(n >= 1 && n <= FUZZ_MAX_DOCS, "too many documents");
  naryn_diags *d = naryn_diags_new(0);
  if (!d) return;
  fuzz_docs docs = {bufs, lens, n};
  naryn_model *m = NULL;
  int rc = naryn__model_load_with("model.yaml", names, n - 1, read_memory,
                                  &docs, &m, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (m != NULL), "a model without success");
  if (m) look_at(m);
  naryn_model_free(m);
  naryn_diags_free(d);
}
