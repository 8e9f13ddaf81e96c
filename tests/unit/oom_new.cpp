/*
** oom_new.cpp: C++'s global operator new and delete built on the fault
** injector of test_oom.c, so that the allocations of the LP solver (CLP,
** a C++ library) and of naryn's adapter to it fail in turn as well and
** come back as std::bad_alloc. Defined in the test program, these replace
** the standard library's for every shared library the program loads.
**
** Each block made by operator new is put down to CLP when a frame of
** CLP's or CoinUtils' shared libraries is on the stack of the call, and to
** naryn otherwise (the adapter's own `new`). CLP is not exception-safe:
** when one of its allocations throws, it can leave blocks of its own that
** nothing frees, and test_oom counts those apart from naryn's.
*/
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <cxxabi.h>
#include <dlfcn.h>
#include <exception>
#include <execinfo.h>
#include <link.h>
#include <unistd.h>

#include <ClpSimplex.hpp>

#include "oom.h"

namespace {

/* The code segments of CLP's and CoinUtils' libraries. */
struct range {
  std::uintptr_t lo, hi;
};
range clp_code[16];
int clp_ranges;

int note_library(struct dl_phdr_info *info, std::size_t, void *) {
  const char *slash = std::strrchr(info->dlpi_name, '/');
  const char *base = slash ? slash + 1 : info->dlpi_name;
  if (std::strncmp(base, "libClp.", 7) != 0 &&
      std::strncmp(base, "libCoinUtils.", 13) != 0)
    return 0;
  for (int i = 0; i < info->dlpi_phnum && clp_ranges < 16; i++) {
    const ElfW(Phdr) &ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
    std::uintptr_t lo = info->dlpi_addr + ph.p_vaddr;
    clp_code[clp_ranges++] = range{lo, lo + ph.p_memsz};
  }
  return 0;
}

bool in_clp(const void *address) {
  std::uintptr_t a = reinterpret_cast<std::uintptr_t>(address);
  for (int i = 0; i < clp_ranges; i++)
    if (a >= clp_code[i].lo && a < clp_code[i].hi) return true;
  return false;
}

} // namespace

extern "C" int oom_new_init(void) {
  clp_ranges = 0;
  dl_iterate_phdr(note_library, NULL);
  /* The first backtrace loads the unwinder, which allocates: done here,
  ** before the injector is armed. */
  void *frames[4];
  backtrace(frames, 4);
  return clp_ranges;
}

extern "C" int oom_called_from_clp(const void *caller) {
  if (in_clp(caller)) return 1;
  /* Called through the C++ library (std::string, say) or from naryn's
  ** adapter, which CLP may have called back (to clone a handler). */
  void *frames[64];
  int n = backtrace(frames, 64);
  for (int i = 1; i < n; i++)
    if (in_clp(frames[i])) return 1;
  return 0;
}

extern "C" int oom_exception_in_flight(void) {
  return std::uncaught_exceptions() > 0;
}

extern "C" void oom_clp_site(char *buf, std::size_t size) {
  /* In a dying process: no allocation, no lock. */
  std::snprintf(buf, size, "an unknown place");
  void *frames[64];
  int n = backtrace(frames, 64);
  for (int i = 1; i < n; i++) {
    if (!in_clp(frames[i])) continue;
    Dl_info info;
    if (!dladdr(frames[i], &info) || !info.dli_sname)
      std::snprintf(buf, size, "%p", frames[i]);
    else
      std::snprintf(buf, size, "%s", info.dli_sname);
    return;
  }
}

extern "C" void oom_demangle(char *buf, std::size_t size) {
  int status = 1;
  char *name = abi::__cxa_demangle(buf, NULL, NULL, &status);
  if (status == 0 && name) std::snprintf(buf, size, "%s", name);
  __real_free(name);
}

extern "C" void oom_print_stack(void) {
  void *frames[64];
  int n = backtrace(frames, 64);
  backtrace_symbols_fd(frames, n, 2);
}

/* For the test of the injector: a model made here (so by naryn, as far as
** the injector can tell) whose members CLP makes; NULL when an allocation
** fails. */
extern "C" void *oom_new_clp_model(void) {
  try {
    return new ClpSimplex();
  } catch (const std::bad_alloc &) {
    return NULL;
  }
}

extern "C" void *oom_clp_event_handler(void *model) {
  return static_cast<ClpSimplex *>(model)->eventHandler();
}

extern "C" void oom_delete_clp_model(void *model) {
  delete static_cast<ClpSimplex *>(model);
}

void *operator new(std::size_t n) {
  void *p = oom_new_block(n ? n : 1, __builtin_return_address(0));
  if (!p) throw std::bad_alloc();
  return p;
}

void *operator new[](std::size_t n) {
  void *p = oom_new_block(n ? n : 1, __builtin_return_address(0));
  if (!p) throw std::bad_alloc();
  return p;
}

void *operator new(std::size_t n, const std::nothrow_t &) noexcept {
  return oom_new_block(n ? n : 1, __builtin_return_address(0));
}

void *operator new[](std::size_t n, const std::nothrow_t &) noexcept {
  return oom_new_block(n ? n : 1, __builtin_return_address(0));
}

void operator delete(void *p) noexcept { oom_new_free(p); }
void operator delete[](void *p) noexcept { oom_new_free(p); }
void operator delete(void *p, std::size_t) noexcept { oom_new_free(p); }
void operator delete[](void *p, std::size_t) noexcept { oom_new_free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { oom_new_free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { oom_new_free(p); }
