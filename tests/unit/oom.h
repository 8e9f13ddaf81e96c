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
** a leak is caught at the run that made it.
*/
#ifndef NARYN_TEST_OOM_H
#define NARYN_TEST_OOM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The wrappers (see above) and the library calls they forward to. C++'s
** operator new in oom_new.cpp is built on __wrap_malloc and __wrap_free. */
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

#ifdef __cplusplus
}
#endif

#endif
