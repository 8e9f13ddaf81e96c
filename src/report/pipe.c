/*
** pipe.c: a streamed run's per-step files, written by a second thread.
**
** Formatting a step's rows as text (or compressing them into results.nc)
** costs about as much as solving the step on a large network, and the two
** need not wait for each other. The simulation hands each finished step to
** a writer thread through a queue of QUEUE_STEPS steps: it copies the
** step's node quantities and link flows and losses into the next free
** place and goes on with the next step, waiting only while the queue is
** full. The writer takes the steps in order and writes each exactly as
** naryn__steps_write would, so the files are the same bytes whether or not
** a thread wrote them.
**
** Each place of the queue is seen by the writer as a result of one step
** slot (slot_mask 0), a shallow copy of the run's result whose per-step
** arrays point into the queue. Only the writer touches the files while it
** runs; a failed step of results.nc is remembered by the file itself and
** reported by naryn__steps_finish once the writer has stopped.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Steps the simulation may run ahead of the writer. */
#define QUEUE_STEPS 32

struct naryn__pipe {
  naryn__steps *w;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed;
  long pushed, written;       /* steps handed over, steps written */
  int stop, failed;
  size_t nq, nl;              /* doubles of a step's node and link values */
  double *values;             /* QUEUE_STEPS places of nq + 2 nl doubles */
  int step[QUEUE_STEPS];
  naryn_result view[QUEUE_STEPS];
};

static void *writer(void *arg) {
  naryn__pipe *p = arg;
  pthread_mutex_lock(&p->lock);
  for (;;) {
    while (p->written == p->pushed && !p->stop)
      pthread_cond_wait(&p->changed, &p->lock);
    if (p->written == p->pushed) break;
    int k = (int)(p->written % QUEUE_STEPS);
    int failed = p->failed;
    pthread_mutex_unlock(&p->lock);
    /* After a failure the remaining steps are dropped: the run stops. */
    int rc = failed ? NARYN_EIO : naryn__steps_write_quiet(p->w, &p->view[k], p->step[k]);
    pthread_mutex_lock(&p->lock);
    if (rc != NARYN_OK) p->failed = 1;
    p->written++;
    pthread_cond_broadcast(&p->changed);
  }
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

naryn__pipe *naryn__pipe_start(naryn__steps *w, const naryn_result *r) {
  naryn__pipe *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->w = w;
  p->nq = (size_t)r->nnodes * NARYN_Q_COUNT;
  p->nl = (size_t)r->nlinks;
  p->values = malloc(QUEUE_STEPS * (p->nq + 2 * p->nl + 1) * sizeof *p->values);
  if (!p->values) {
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
  }
  if (pthread_mutex_init(&p->lock, NULL) != 0) {
    free(p->values);
    free(p);
    return NULL;
  }
  if (pthread_cond_init(&p->changed, NULL) != 0) {
    pthread_mutex_destroy(&p->lock);
    free(p->values);
    free(p);
    return NULL;
  }
  if (pthread_create(&p->thread, NULL, writer, p) != 0) {
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    free(p->values);
    free(p);
    return NULL;
  }
  return p;
}

int naryn__pipe_push(naryn__pipe *p, const naryn_result *r, int t) {
  pthread_mutex_lock(&p->lock);
  while (p->pushed - p->written == QUEUE_STEPS && !p->failed)
    pthread_cond_wait(&p->changed, &p->lock);
  int failed = p->failed;
  pthread_mutex_unlock(&p->lock);
  if (failed) return NARYN_EIO;
  /* The place is free: the writer is done with it and will not look at it
  ** again until it is handed over below. */
  int k = (int)(p->pushed % QUEUE_STEPS);
  naryn_result *v = &p->view[k];
  memcpy(v->q, &NARYN__Q(r, t, 0, 0), p->nq * sizeof *v->q);
  memcpy(v->link_flow, &NARYN__LINK_FLOW(r, t, 0), p->nl * sizeof *v->link_flow);
  memcpy(v->link_loss, &NARYN__LINK_LOSS(r, t, 0), p->nl * sizeof *v->link_loss);
  v->command = r->command;
  p->step[k] = t;
  pthread_mutex_lock(&p->lock);
  p->pushed++;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  return NARYN_OK;
}

void naryn__pipe_stop(naryn__pipe *p) {
  if (!p) return;
  pthread_mutex_lock(&p->lock);
  p->stop = 1;
  pthread_cond_broadcast(&p->changed);
  pthread_mutex_unlock(&p->lock);
  pthread_join(p->thread, NULL);
  pthread_cond_destroy(&p->changed);
  pthread_mutex_destroy(&p->lock);
  free(p->values);
  free(p);
}
