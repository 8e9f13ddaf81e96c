/*
** oom.h: the fault injector of test_oom.c, shared with oom_new.cpp, which
** makes C++'s operator new fail through it as well.
**
** test_oom is linked with -Wl,--wrap for malloc, calloc, realloc, free,
** strdup and the stdio calls that allocate, so every such call made by the
** objects of libnaryn.a (and of the test) reaches the wrappers in
** test_oom.c. While the injector is armed they count allocations, make the
** one numbered oom_fail_at fail as a real shortage would (NULL, errno
** ENOMEM), and remember every block handed out until it is freed, so that
** a leak is caught at the run that made it. C++'s operator new is
** counted and made to fail apart from them (oom_new.cpp).
*/
#ifndef NARYN_TEST_OOM_H
#define NARYN_TEST_OOM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The wrappers (see above) and the library calls they forward to. */
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
char *__wrap_strdup(const char *s);
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
char *__real_strdup(const char *s);

/* C++'s operator new and delete (oom_new.cpp) are built on these, which
** count operator new apart from the malloc family: a block of 'size'
** bytes, NULL when this allocation must fail, put down to CLP or naryn by
** oom_called_from_clp(caller) where 'caller' called operator new. */
void *oom_new_block(size_t size, const void *caller);
void oom_new_free(void *p);

/* From oom_new.cpp: finds CLP's and CoinUtils' libraries in the process
** and returns how many code segments they have (none when they are not
** loaded); to be called before the injector is armed. */
int oom_new_init(void);
/* 1 when an allocation asked for from 'caller' was asked for by CLP: the
** caller or a frame further up the stack is in CLP's or CoinUtils' code. */
int oom_called_from_clp(const void *caller);
/* 1 while a C++ exception is unwinding in the calling thread (thrown and
** not yet caught). */
int oom_exception_in_flight(void);
/* Names the innermost function of CLP's or CoinUtils' on the stack, for a
** report of a death there (its mangled name); and prints the stack to
** stderr. Both are meant for a dying process. */
void oom_clp_site(char *buf, size_t size);
void oom_print_stack(void);
/* Replaces a mangled C++ name in buf by its demangled form. */
void oom_demangle(char *buf, size_t size);
/* The event handler a ClpSimplex holds. */
void *oom_clp_event_handler(void *model);
/* A ClpSimplex made and deleted by the test program, NULL when an
** allocation fails: the object is naryn's, its members CLP's. */
void *oom_new_clp_model(void);
void oom_delete_clp_model(void *model);

#ifdef __cplusplus
}
#endif

#endif
