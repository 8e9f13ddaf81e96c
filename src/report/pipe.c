/*
** pipe.c: a streamed run's per-step files, written by threads of their own.
**
** Formatting a step's rows as text (or compressing them into results.nc)
** costs about as much as solving the step on a large network, and the two
** need not wait for each other; nor need the files. The simulation hands
** each finished step to one writer thread per file (nodes.csv, links.csv
** or results.nc) through a queue of QUEUE_STEPS steps: it copies the
** step's node quantities and link flows and losses into the next free
** place and goes on with the next step, waiting only while the queue is
** full, that is while the slowest writer is QUEUE_STEPS steps behind. Each
** writer takes the steps in order, a few at a time, and writes its file's
** part of each
** exactly as naryn__steps_write would, so the files are the same bytes
** whether or not, and however many, threads wrote them. A writer flushes
** and syncs its file after the last step, so the files are synced side by
** side.
**
** Each place of the queue is seen by the writer as a result of one step
** slot (slot_mask 0), a shallow copy of the run's result whose per-step
** arrays point into the queue. Only its writer touches a file while it
** runs; a failed step of results.nc is remembered by the file itself and
** reported by naryn__steps_finish once the writer has stopped.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Steps the simulation may run ahead of the slowest writer. */
#define QUEUE_STEPS 32
/* A writer with nothing to do sleeps until this many steps wait for it
** (or the run ends), and then writes all that wait: on a small network a
** step's rows take less time than waking a thread. */
#define BATCH_STEPS 8


/* One writer: a thread that writes one part of the output (nodes.csv,
** links.csv or results.nc) from the queue. */
typedef struct writer_t {
  naryn__pipe *p;
  int part;
  int started;   /* the thread runs */
  int waiting;   /* it sleeps until BATCH_STEPS steps wait for it */
  long written;  /* steps of this part written */
  pthread_t thread;
} writer_t;

struct naryn__pipe {
  naryn__steps *w;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  long pushed;                /* steps handed over */
  int stop, failed;
  int drop;                   /* stop at once: the files will be removed */
  writer_t writer[NARYN__PARTS];
  size_t nq, nl;              /* doubles of a step's node and link values */
  double *values;             /* QUEUE_STEPS places of nq + 2 nl doubles */
  int *codes;                 /* QUEUE_STEPS places of each node's zone and control */
  int step[QUEUE_STEPS];
  naryn_result view[QUEUE_STEPS];
};

/* The steps every writer has written: places before it are free. */
static long all_written(const naryn__pipe *p) {
  long n = p->pushed;
  for (int k = 0; k < NARYN__PARTS; k++)
    if (p->writer[k].started && p->writer[k].written < n) n = p->writer[k].written;
  return n;
}

static void *writer(void *arg) {
  writer_t *me = arg;
  naryn__pipe *p = me->p;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (p->pushed - me->written < BATCH_STEPS && !p->stop) {
      me->waiting = 1;
      pthread_cond_wait(&p->changed, &p->lock);
      me->waiting = 0;
    }
    if (me->written == p->pushed || p->drop) break;
    long upto = p->pushed;
    int failed = p->failed;
    pthread_mutex_unlock(&p->lock);
    /* The steps handed over so far, in order. After a failure the
    ** remaining steps are dropped: the run stops. */
    int rc = failed ? NARYN_EIO : NARYN_OK;
    for (long step = me->written; step < upto && rc == NARYN_OK; step++) {
      int k = (int)(step % QUEUE_STEPS);
      rc = naryn__steps_write_part(p->w, &p->view[k], p->step[k], me->part);
    }
    pthread_mutex_lock(&p->lock);
    if (rc != NARYN_OK) p->failed = 1;
    me->written = upto;
    pthread_cond_broadcast(&p->changed);
  }
  int keep = !p->drop && !p->failed;
  pthread_mutex_unlock(&p->lock);
  /* The file's last bytes and its sync, beside the other writers', unless
  ** the files are to be removed. */
  if (keep) naryn__steps_sync_part(p->w, me->part);
  return NULL;
}

/* Ends the writers that were started: after their last step, or at once
** when drop. */
static void stop_writers(naryn__pipe *p, int drop) {
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  p->drop = drop;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  for (int k = 0; k < NARYN__PARTS; k++)
    if (p->writer[k].started) pthread_join(p->writer[k].thread, NULL);
}

naryn__pipe *naryn__pipe_start(naryn__steps *w, const naryn_result *r) {
  naryn__pipe *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->w = w;
  p->nq = (size_t)r->nnodes * NARYN_Q_COUNT;
  p->nl = (size_t)r->nlinks;
  p->values = malloc(QUEUE_STEPS * (p->nq + 2 * p->nl + 1) * sizeof *p->values);
  p->codes = malloc(QUEUE_STEPS * (2 * (size_t)r->nnodes + 1) * sizeof *p->codes);
  if (!p->values || !p->codes) {
    free(p->values);
    free(p->codes);
    free(p);
    return NULL;
  }
  for (int k = 0; k < QUEUE_STEPS; k++) {
    double *at = p->values + (size_t)k * (p->nq + 2 * p->nl + 1);
    p->view[k] = *r;
    p->view[k].slot_mask = 0;
    p->view[k].q = at;
    p->view[k].link_flow = at + p->nq;
    p->view[k].link_loss = at + p->nq + p->nl;
    p->view[k].zone = p->codes + (size_t)k * (2 * (size_t)r->nnodes + 1);
    p->view[k].control = p->view[k].zone + r->nnodes;
  }
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    free(p->values);
    free(p->codes);
    free(p);
    return NULL;
  }
  if (pthread_cond_init(&p->changed, NULL) != 0) {
    pthread_mutex_destroy(&p->lock);
    free(p->values);
    free(p->codes);
    free(p);
    return NULL;
  }
  /* A writer for each part; if any cannot be started, none is kept and
  ** the steps are written in line. */
  int ok = 1;
  for (int k = 0; k < NARYN__PARTS && ok; k++) {
    p->writer[k].p = p;
    p->writer[k].part = k;
    if (!naryn__steps_has_part(w, k)) continue;
    ok = pthread_create(&p->writer[k].thread, NULL, writer, &p->writer[k]) == 0;
    p->writer[k].started = ok;
  }
  if (!ok) {
    stop_writers(p, 1);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->values);
    free(p->codes);
    free(p);
    return NULL;
  }
  return p;
}

int naryn__pipe_push(naryn__pipe *p, const naryn_result *r, int t) {
  pthread_mutex_lock(&p->lock);
  while (p->pushed - all_written(p) == QUEUE_STEPS && !p->failed)
    pthread_cond_wait(&p->changed, &p->lock);
  int failed = p->failed;
  pthread_mutex_unlock(&p->lock);
  if (failed) return NARYN_EIO;
  /* The place is free: every writer is done with it and will not look at
  ** it again until it is handed over below. */
  int k = (int)(p->pushed % QUEUE_STEPS);
  naryn_result *v = &p->view[k];
  memcpy(v->q, &NARYN__Q(r, t, 0, 0), p->nq * sizeof *v->q);
  memcpy(v->link_flow, &NARYN__LINK_FLOW(r, t, 0), p->nl * sizeof *v->link_flow);
  memcpy(v->link_loss, &NARYN__LINK_LOSS(r, t, 0), p->nl * sizeof *v->link_loss);
  memcpy(v->zone, &NARYN__ZONE(r, t, 0), (size_t)r->nnodes * sizeof *v->zone);
  memcpy(v->control, &NARYN__CONTROL(r, t, 0), (size_t)r->nnodes * sizeof *v->control);
  v->command = r->command;
  p->step[k] = t;
  pthread_mutex_lock(&p->lock);
  p->pushed++;
  /* Wake a sleeping writer only once its batch is there. */
  int wake = 0;
  for (int j = 0; j < NARYN__PARTS; j++)
    wake |= p->writer[j].waiting && p->pushed - p->writer[j].written >= BATCH_STEPS;
  if (wake) pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  return NARYN_OK;
}

void naryn__pipe_stop(naryn__pipe *p, int keep) {
  if (!p) return;
  stop_writers(p, !keep);
  pthread_cond_destroy(&p->changed);
  pthread_mutex_destroy(&p->lock);
  free(p->values);
  free(p->codes);
  free(p);
}
