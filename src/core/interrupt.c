/*
** interrupt.c: the process-wide request to stop the runs in progress.
**
** A single atomic flag is set by naryn_interrupt, which may be called from
** a signal handler or another thread, and read by the long loops of the
** library (steps, passes, coalitions, CLP's iterations) at their checks.
** Lock-free atomics are safe in signal handlers, unlike locks.
*/
#include <stdatomic.h>

#include "../naryn_int.h"

static atomic_int interrupt_requested;

void naryn_interrupt(void) { atomic_store(&interrupt_requested, 1); }

void naryn_interrupt_clear(void) { atomic_store(&interrupt_requested, 0); }

int naryn_interrupted(void) { return atomic_load(&interrupt_requested); }

int naryn__interrupted(naryn_diags *d) {
  return naryn__diag(d, NARYN_EINTR, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "interrupted");
}

int naryn__interrupt_check(naryn_diags *d) {
  return naryn_interrupted() ? naryn__interrupted(d) : NARYN_OK;
}
