/*
** common.h: what the libFuzzer targets share. Each target feeds one input
** to a reader of the library and then checks that the reader kept its
** word: a failure is reported by at least one error, a success by none,
** and every message formats to a text that names what went wrong. A
** broken promise aborts, which libFuzzer records as a crash like any
** sanitizer report.
*/
#ifndef NARYN_FUZZ_COMMON_H
#define NARYN_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "naryn_int.h"

/* The entry point libFuzzer calls once per input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What libFuzzer calls once before any input, when a target has it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Writes n bytes of data to path in the working folder, whole. */
void fuzz_write(const char *path, const void *data, size_t n);

/* Stops the run with a message on stderr when 'ok' is false. */
void fuzz_require(int ok, const char *what);

/* Checks the diagnostics of a reader that returned 'status' (NARYN_OK or
** an error status): errors exactly when it failed, each with a message. */
void fuzz_check_diags(const naryn_diags *d, int status);

/* Loads a model through naryn__model_load_with from 'n' documents in
** memory: the model first, then its scenario overlays (at most
** FUZZ_MAX_DOCS - 1). The model is named "model.yaml" and the overlays
** "scenario1.yaml" and so on, in the working folder, where any CSV file
** the model names is looked for. A model that loads is looked at through
** the public getters. */
#define FUZZ_MAX_DOCS 4
void fuzz_load(const uint8_t *const *bufs, const size_t *lens, int n);

#endif
