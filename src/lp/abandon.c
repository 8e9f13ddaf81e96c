/*
** abandon.c: the solver models given up after CLP failed inside them.
**
** CLP is not exception-safe. When one of its calls throws (std::bad_alloc
** when memory runs out), the model it worked on can be left holding
** pointers to arrays already freed: its presolve, for one, lends the
** model's arrays to a postsolve matrix whose destructor frees them as the
** exception unwinds. Deleting such a model frees them again and crashes
** the process. lp_clp.cpp therefore never deletes a model whose call
** threw; it hands it here, and the memory it holds stays lost, once for
** each LP that ran out of memory. The count is kept for the record; the
** out-of-memory test (tests/unit/test_oom.c) also wraps this function to
** see which blocks were given up on purpose. This is a separate file so
** that the call from lp_clp.cpp goes through the linker.
*/
#include <stdatomic.h>

#include "../naryn_int.h"

static atomic_long abandoned;

void naryn__lp_abandon(void *model) {
  (void)model; /* never touched again */
  atomic_fetch_add(&abandoned, 1);
}

long naryn__lp_abandoned(void) { return atomic_load(&abandoned); }
