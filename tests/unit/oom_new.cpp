/*
** oom_new.cpp: C++'s global operator new and delete built on the fault
** injector of test_oom.c, so that the allocations of the LP solver (CLP,
** a C++ library) fail in turn as well and come back as std::bad_alloc.
** Defined in the test program, these replace the standard library's for
** every shared library the program loads. Linked into test_oom only when
** the LP adapter is C++ (src/lp/lp_clp.cpp) and can catch the exception.
*/
#include <cstdlib>
#include <new>

#include "oom.h"

void *operator new(std::size_t n) {
  void *p = __wrap_malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  return p;
}

void *operator new[](std::size_t n) { return operator new(n); }

void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return __wrap_malloc(n ? n : 1);
}

void *operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return __wrap_malloc(n ? n : 1);
}

void operator delete(void *p) noexcept { __wrap_free(p); }
void operator delete[](void *p) noexcept { __wrap_free(p); }
void operator delete(void *p, std::size_t) noexcept { __wrap_free(p); }
void operator delete[](void *p, std::size_t) noexcept { __wrap_free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { __wrap_free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { __wrap_free(p); }
