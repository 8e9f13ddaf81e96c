/*
** stream.c: a simulation written to its folder as it runs.
**
** naryn_simulate_to runs the simulation into a result that holds only two
** step slots (the step being solved and the one before it, whose storage
** the next step starts from), and after each step is recorded and its
** water balance checked it writes the step's rows to the per-step files
** (steps.c) and adds the step to the run's totals: the summary by country
** and season, the system's water balance and the values of each objective
** term at each node (naryn__sums_add_step). So the memory a run takes
** does not grow with its steps, beyond the model's own series and those
** term values (8 bytes for each node and step where a term counts, kept
** so that terms are summed exactly as from a full result: evaluate.c). At the end the summaries,
** objective, network and run files and the report are written from those
** totals exactly as from a full result, and the folder, written in a
** staging folder beside DIR, is put in place in one step; any failure or
** interruption leaves DIR as it was. The per-step files are written by
** threads of their own while the run goes on (pipe.c).
*/
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* A streamed run in progress. */
typedef struct stream {
  const naryn_model *m;
  const naryn_sim_opts *so;
  const naryn_output *o;
  naryn_result *r;
  naryn__steps w;
  naryn__pipe *pipe;  /* the writer thread, or NULL to write in line */
} stream;

/* The staging folder's callback gets a const context; the run it points
** to is changed through it. */
typedef struct stream_job {
  stream *s;
} stream_job;

/* Called by the simulation after step t is recorded and balanced. */
static int each_step(void *user, naryn_result *r, int t, naryn_diags *d) {
  stream *s = user;
  int rc = naryn__sums_add_step(r, t, d);
  if (rc != NARYN_OK) return rc;
  if (!s->pipe) return naryn__steps_write(&s->w, r, t, d);
  if (naryn__pipe_push(s->pipe, r, t) == NARYN_OK) return NARYN_OK;
  /* A write failed in the writer: stop it, and let the files say why. */
  naryn__pipe_stop(s->pipe, 0);
  s->pipe = NULL;
  rc = naryn__steps_finish(&s->w, d);
  return rc != NARYN_OK ? rc : NARYN_EIO;
}

/* Runs the simulation into the staging folder 'path' and writes the rest
** of the run's files there. */
static int fill(const void *ctx, const char *path, naryn_diags *d) {
  stream *s = ((const stream_job *)ctx)->s;
  int rc = naryn__steps_open(&s->w, s->m, s->o, path, d);
  if (rc != NARYN_OK) return rc;
  /* With per-step files, a thread for each writes it while the run goes
  ** on; without threads to be had, they are written in line. */
  if (s->w.nodes || s->w.links || s->w.nc) s->pipe = naryn__pipe_start(&s->w, s->r);
  rc = naryn__simulate_into(s->m, s->so, s->r, each_step, s, d);
  naryn__pipe_stop(s->pipe, rc == NARYN_OK);
  s->pipe = NULL;
  if (rc == NARYN_OK)
    rc = naryn__steps_finish(&s->w, d);
  else
    naryn__steps_abort(&s->w);
  if (rc == NARYN_OK) rc = naryn__result_write_rest(s->r, &s->w, path, d);
  return rc;
}

int naryn_simulate_to(const naryn_model *m, const naryn_sim_opts *so,
                      const naryn_output *o, const char *dir,
                      naryn_result **out, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  if (out) *out = NULL;
  naryn_output all;
  if (!o) {
    naryn_output_init(&all);
    o = &all;
  }
  stream s = {.m = m, .so = so, .o = o};
  int rc = NARYN_OK;
  s.r = naryn__result_new_slots(m, 2);
  if (!s.r || naryn__sums_new(s.r) != NARYN_OK ||
      naryn_result_set_command(s.r, o->command) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
  if (rc == NARYN_OK) {
    stream_job job = {&s};
    rc = naryn__staged_write(dir, fill, &job, d);
  }
  if (rc != NARYN_OK || !out)
    naryn_result_free(s.r);
  else
    *out = s.r;
  return naryn__diags_status(d, mark, rc);
}
