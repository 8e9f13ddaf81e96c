/*
** signals.c: Ctrl-C (SIGINT), SIGTERM and SIGHUP for the naryn command.
**
** CLP installs its own SIGINT handler inside some solves, which would
** swallow Ctrl-C or turn it into a false solver failure. So no thread of
** the command ever takes these signals: the main thread blocks them before
** anything else, every thread it starts inherits the mask, and one small
** thread waits for them with sigwait(). The first signal asks the library
** to stop (naryn_interrupt); the run in progress then returns NARYN_EINTR
** within a second and the command exits with 128 + the signal's number
** (130 for Ctrl-C). A second signal while stopping ends the process at
** once with the same status.
*/
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

static sigset_t stop_signals;
static atomic_int received; /* the first signal's number, or 0 */
static atomic_int told;     /* "naryn: interrupted" already printed */

static void *wait_for_signals(void *arg) {
  (void)arg;
  for (;;) {
    int sig = 0;
    if (sigwait(&stop_signals, &sig) != 0) continue;
    int first = 0;
    if (!atomic_compare_exchange_strong(&received, &first, sig)) {
      /* The second signal: no waiting for the run to wind down. Only
      ** async-signal-safe calls from here. */
      static const char msg[] = "\nnaryn: interrupted\n";
      if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
        /* Nothing more can be said. */
      }
      _exit(128 + first);
    }
    naryn_interrupt();
  }
  return NULL;
}

void cli_signals_start(void) {
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  if (pthread_sigmask(SIG_BLOCK, &stop_signals, NULL) != 0) return;
  pthread_t t;
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) goto unblock;
  /* The thread needs little: sigwait and a write. */
  pthread_attr_setstacksize(&attr, 64 * 1024);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int rc = pthread_create(&t, &attr, wait_for_signals, NULL);
  pthread_attr_destroy(&attr);
  if (rc == 0) return;
unblock:
  /* Without the thread the signals keep their default action: the
  ** command can still be stopped, if not cleanly. */
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, NULL);
}

int cli_signal_received(void) { return atomic_load(&received); }

void cli_interrupted_told(void) { atomic_store(&told, 1); }

int cli_signals_finish(int status) {
  int sig = atomic_load(&received);
  if (!sig) return status;
  if (!atomic_load(&told)) {
    cli_progress_clear();
    fputs("naryn: interrupted\n", stderr);
  }
  return 128 + sig;
}
