/*
** test_oom.c: running out of memory at every allocation in turn.
**
** Each phase (loading and checking a model, with or without a scenario,
** simulating it, optimising it, tracing a trade-off curve, writing each
** kind of results folder, sharing the benefit between countries on one
** thread and on several) is run over and over with the injector of oom.h
** armed, once for each allocation of the malloc family made by the
** library's objects (malloc and the rest, the streams, every request to
** the library's arenas: all of them, N = 0, 1, 2, ...), then for C++'s
** operator new (oom_new.cpp), which CLP and the LP adapter use (every
** OOM_NEW_STRIDE-th, see below). Every run that meets the failure must
** return NARYN_ENOMEM, with only out-of-memory errors in its diagnostics,
** must not crash or trip a sanitizer, and must give back every block of
** naryn's; results it wrote must be whole files or none. (A few
** allocations are optional, such as reading the umask from /proc: a run
** may succeed without them, and then its results must be the same as
** without faults.) Once N passes the number of allocations the phase
** makes, the run succeeds, and its results must equal those of a run
** without faults.
**
** CLP is not exception-safe, and naryn cannot change it. When one of its
** allocations throws, it leaves blocks of its own that nothing frees, and
** some of its functions free memory twice as the exception unwinds, which
** kills the process inside CLP. So:
** - a block of operator new is CLP's when a frame of CLP's or CoinUtils'
**   libraries is on the stack of the call (oom_new.cpp). CLP's blocks left
**   after a run are counted and reported, not failed; naryn's (every block
**   of the malloc family, and naryn's own `new`) must all be freed;
** - a CLP model whose call threw is never deleted by the library (it may
**   hold freed pointers) but given up (src/lp/abandon.c); the naryn blocks
**   it holds are counted apart, as given up;
** - the runs of operator new are made in child processes, and a death
**   while CLP's exception is still unwinding is counted as CLP's (the
**   place is reported); any other death fails the test;
** - under SAN=1, LeakSanitizer checks the children too, with the
**   suppression file tests/unit/test_oom.supp (used by this test only,
**   see __lsan_default_options), which names only libClp.so and
**   libCoinUtils.so.
** Each phase prints a line with these figures.
**
** For a debugger: NARYN_OOM_TEST (a test name), NARYN_OOM_PHASE,
** NARYN_OOM_BREAK (below), NARYN_OOM_STRIDE and NARYN_OOM_NOFORK.
*/
/* madvise */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include "naryn_int.h"
#include "oom.h"
#include "testutil.h"

#if defined(__GNUC__)
#define NARYN_TEST_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NARYN_TEST_PRINTF(f, a)
#endif

/* ====================================================================== */
/* The injector                                                            */
/* ====================================================================== */

/* Allocations come in two families, counted and made to fail separately:
** the malloc family (malloc, calloc, realloc, strdup, the streams and the
** arenas of the library's objects) and C++'s operator new (naryn's own in
** lp_clp.cpp and CLP's). */
enum { FAM_MALLOC, FAM_NEW, FAM_COUNT };
static const char *const fam_name[FAM_COUNT] = {"", "new "};

/* Who made a block still live: naryn (any block of the malloc family, and
** operator new called with no frame of CLP's or CoinUtils' libraries on
** the stack) or CLP (operator new called with one). A block of CLP's that
** outlives a run is a leak of CLP's own (see the top of this file). A
** block of naryn's becomes "given up" when the library abandons the CLP
** model it is (or its event handler) after CLP threw inside it. */
enum { BY_NARYN, BY_CLP, BY_GIVEN_UP };

/* Blocks of the malloc family handed out while armed and not yet freed,
** with the number of the allocation that made each: an open-addressing
** set of pointers, with deletion by shifting back. */
#define LIVE_SLOTS (1u << 17)
typedef struct block {
  void *p;
  long made_by;
} block;
static block live[LIVE_SLOTS] __attribute__((aligned(4096)));
static size_t live_count;

/* Blocks of operator new carry their record in a header in front of them
** (operator new and delete are the test's own, so every such block has
** one), and those made while armed are kept in a doubly linked list: a
** run makes thousands, and a list touches only memory the run uses
** anyway. A block stays in the list of its generation; live_reset starts
** a new one. */
typedef struct new_block {
  struct new_block *prev, *next;
  size_t size;
  long made_by;
  unsigned generation; /* 0: made while not armed */
  unsigned char owner;
  uint32_t magic; /* NEW_LIVE, or NEW_FREED once freed */
} new_block;
#define NEW_LIVE 0x6e61726eu
#define NEW_FREED 0x66726565u
#define NEW_HEADER ((sizeof(new_block) + 15) / 16 * 16)
static new_block new_list = {&new_list, &new_list, 0, 0, 0, 0, NEW_LIVE};
static unsigned new_generation = 1;
static size_t new_live_count;

static new_block *header_of(const void *p) {
  return (new_block *)(void *)((char *)(uintptr_t)p - NEW_HEADER);
}

/* Live blocks of both kinds. */
static size_t live_total(void) { return live_count + new_live_count; }

static pthread_mutex_t oom_lock = PTHREAD_MUTEX_INITIALIZER;
static int oom_armed;                         /* 1 while counting */
static long oom_count[FAM_COUNT];             /* allocations made while armed */
static long oom_fail_at[FAM_COUNT] = {-1, -1}; /* the allocation that fails */
static int oom_injected;                      /* 1 once it has failed */
static long oom_new_by_clp;                   /* operator new called from CLP */
/* For a debugger: NARYN_OOM_BREAK=N (or N:K) stops with SIGTRAP in the
** run of phase NARYN_OOM_PHASE (or every phase) where allocation N fails,
** at that allocation (or at allocation K, e.g. one that leaked). N and K
** count the malloc family, or operator new when written "newN". */
static long oom_break_run = -1, oom_break_at = -1, oom_break_here = -1;
static int oom_break_run_family, oom_break_at_family;

static size_t slot_of(const void *p) {
  uintptr_t h = (uintptr_t)p;
  h ^= h >> 17;
  h *= 0x9e3779b97f4a7c15u;
  return (size_t)(h >> 7) & (LIVE_SLOTS - 1);
}

/* live_add and live_remove are called with oom_lock held. */
static void live_add(void *p, long made_by) {
  if (live_count + 1 >= LIVE_SLOTS / 2) abort(); /* the test's own limit */
  size_t i = slot_of(p);
  while (live[i].p) i = (i + 1) & (LIVE_SLOTS - 1);
  live[i].p = p;
  live[i].made_by = made_by;
  live_count++;
}

static void live_remove(void *p) {
  if (live_count == 0) return;
  size_t i = slot_of(p);
  while (live[i].p && live[i].p != p) i = (i + 1) & (LIVE_SLOTS - 1);
  if (!live[i].p) return; /* not taken while armed */
  live[i].p = NULL;
  live_count--;
  /* Move back later members of the cluster that can no longer be found. */
  for (size_t j = (i + 1) & (LIVE_SLOTS - 1); live[j].p;
       j = (j + 1) & (LIVE_SLOTS - 1)) {
    size_t home = slot_of(live[j].p);
    int between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      live[i] = live[j];
      live[j].p = NULL;
      i = j;
    }
  }
}

/* Forgets every block, after a leak has been reported. Only the slots in
** use are written: a run made in a child process (see one_run_apart)
** would otherwise copy every page of the set. */
static void live_reset(void) {
  for (size_t i = 0; i < LIVE_SLOTS && live_count > 0; i++)
    if (live[i].p) {
      live[i].p = NULL;
      live_count--;
    }
  live_count = 0;
  new_list.prev = new_list.next = &new_list;
  new_live_count = 0;
  new_generation++;
}

/* Counts an allocation of the family and returns its number, or -1 when
** not armed, or -2 when it must fail. */
static long take_of(int family) {
  pthread_mutex_lock(&oom_lock);
  long k = -1;
  if (oom_armed) {
    k = oom_count[family]++;
    if (oom_break_here >= 0 && k == oom_break_at && family == oom_break_at_family &&
        oom_fail_at[oom_break_run_family] == oom_break_here)
      raise(SIGTRAP);
    if (k == oom_fail_at[family]) {
      oom_injected = 1;
      k = -2;
    }
  }
  pthread_mutex_unlock(&oom_lock);
  if (k == -2) errno = ENOMEM;
  return k;
}

static long take(void) { return take_of(FAM_MALLOC); }

static void *track(void *p, long k) {
  if (!p || k < 0) return p;
  pthread_mutex_lock(&oom_lock);
  live_add(p, k);
  pthread_mutex_unlock(&oom_lock);
  return p;
}

static void untrack(void *p) {
  if (!p) return;
  pthread_mutex_lock(&oom_lock);
  live_remove(p);
  pthread_mutex_unlock(&oom_lock);
}

void *__wrap_malloc(size_t n) {
  long k = take();
  return k == -2 ? NULL : track(__real_malloc(n), k);
}

void *__wrap_calloc(size_t n, size_t size) {
  long k = take();
  return k == -2 ? NULL : track(__real_calloc(n, size), k);
}

void *__wrap_realloc(void *p, size_t n) {
  long k = take();
  if (k == -2) return NULL;
  void *q = __real_realloc(p, n);
  if (q || n == 0) {
    untrack(p);
    track(q, k);
  }
  return q;
}

void __wrap_free(void *p) {
  untrack(p);
  __real_free(p);
}

char *__wrap_strdup(const char *s) {
  long k = take();
  return k == -2 ? NULL : track(__real_strdup(s), k);
}

/* operator new (oom_new.cpp) is counted on its own, and its blocks are
** told apart by who asked for them. Which libraries are on the stack is
** worked out only while armed. */
void *oom_new_block(size_t n, const void *caller) {
  long k = take_of(FAM_NEW);
  if (k == -2) return NULL;
  new_block *h = __real_malloc(NEW_HEADER + n);
  if (!h) return NULL;
  memset(h, 0, sizeof *h);
  h->magic = NEW_LIVE;
  if (k >= 0) {
    int owner = oom_called_from_clp(caller) ? BY_CLP : BY_NARYN;
    pthread_mutex_lock(&oom_lock);
    if (owner == BY_CLP) oom_new_by_clp++;
    h->size = n;
    h->made_by = k;
    h->owner = (unsigned char)owner;
    h->generation = new_generation;
    h->next = &new_list;
    h->prev = new_list.prev;
    new_list.prev->next = h;
    new_list.prev = h;
    new_live_count++;
    pthread_mutex_unlock(&oom_lock);
  }
  return (char *)h + NEW_HEADER;
}

void oom_new_free(void *p) {
  if (!p) return;
  new_block *h = header_of(p);
  /* A block freed twice (CLP does that as some of its exceptions unwind)
  ** is stopped here, as the C library would stop it, before the list is
  ** followed through the freed header. */
  if (h->magic != NEW_LIVE) {
    static const char text[] = "test_oom: operator delete of a block not live\n";
    if (write(2, text, sizeof text - 1) < 0) {}
    abort();
  }
  h->magic = NEW_FREED;
  if (h->generation) {
    pthread_mutex_lock(&oom_lock);
    if (h->generation == new_generation) {
      h->prev->next = h->next;
      h->next->prev = h->prev;
      new_live_count--;
    }
    pthread_mutex_unlock(&oom_lock);
  }
  __real_free(h);
}

/* Marks a live block of operator new of naryn's as given up. */
static void give_up(const void *p) {
  if (!p) return;
  new_block *h = header_of(p);
  pthread_mutex_lock(&oom_lock);
  if (h->generation == new_generation && h->owner == BY_NARYN) h->owner = BY_GIVEN_UP;
  pthread_mutex_unlock(&oom_lock);
}

/* The models the library gives up (src/lp/abandon.c) and the event
** handlers they hold. */
static long oom_abandoned;
void __real_naryn__lp_abandon(void *model);
void __wrap_naryn__lp_abandon(void *model);
void __wrap_naryn__lp_abandon(void *model) {
  give_up(model);
  give_up(oom_clp_event_handler(model));
  pthread_mutex_lock(&oom_lock);
  oom_abandoned++;
  pthread_mutex_unlock(&oom_lock);
  __real_naryn__lp_abandon(model);
}

/* Opening a stream allocates its buffers: it fails as the others do. The
** stream's memory is libc's own and is not tracked. */
FILE *__real_fopen(const char *path, const char *mode);
FILE *__real_fdopen(int fd, const char *mode);
FILE *__real_open_memstream(char **buf, size_t *len);
FILE *__wrap_fopen(const char *path, const char *mode);
FILE *__wrap_fdopen(int fd, const char *mode);
FILE *__wrap_open_memstream(char **buf, size_t *len);

FILE *__wrap_fopen(const char *path, const char *mode) {
  return take() == -2 ? NULL : __real_fopen(path, mode);
}
FILE *__wrap_fdopen(int fd, const char *mode) {
  return take() == -2 ? NULL : __real_fdopen(fd, mode);
}
FILE *__wrap_open_memstream(char **buf, size_t *len) {
  return take() == -2 ? NULL : __real_open_memstream(buf, len);
}

/* The library's arenas hand out memory from large blocks, so a run asks
** malloc for a block only now and then; each request to an arena counts
** as an allocation too, so that every one of them is tried. (Calls inside
** mem.c itself are not seen, which is why the string helpers are
** wrapped as well as naryn__arena_alloc.) */
void *__real_naryn__arena_alloc(naryn__arena *a, size_t n);
char *__real_naryn__arena_strndup(naryn__arena *a, const char *s, size_t n);
void *__wrap_naryn__arena_alloc(naryn__arena *a, size_t n);
char *__wrap_naryn__arena_strdup(naryn__arena *a, const char *s);
char *__wrap_naryn__arena_strndup(naryn__arena *a, const char *s, size_t n);
char *__wrap_naryn__arena_printf(naryn__arena *a, const char *fmt, ...)
    NARYN_TEST_PRINTF(2, 3);

void *__wrap_naryn__arena_alloc(naryn__arena *a, size_t n) {
  return take() == -2 ? NULL : __real_naryn__arena_alloc(a, n);
}

char *__wrap_naryn__arena_strndup(naryn__arena *a, const char *s, size_t n) {
  return take() == -2 ? NULL : __real_naryn__arena_strndup(a, s, n);
}

char *__wrap_naryn__arena_strdup(naryn__arena *a, const char *s) {
  return take() == -2 ? NULL : __real_naryn__arena_strndup(a, s, strlen(s));
}

char *__wrap_naryn__arena_printf(naryn__arena *a, const char *fmt, ...) {
  if (take() == -2) return NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) return NULL;
  char *p = __real_naryn__arena_alloc(a, (size_t)n + 1);
  if (!p) return NULL;
  va_start(ap, fmt);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return p;
}

/* Results are synced to disk as they are written; what is tested here is
** memory, and a thousand syncs would only make the test slow. */
int __wrap_fsync(int fd);
int __wrap_fsync(int fd) { return fcntl(fd, F_GETFD) == -1 ? -1 : 0; }

/* Arms the injector to fail allocation 'fail_at' of the family. */
static void arm(int family, long fail_at) {
  pthread_mutex_lock(&oom_lock);
  for (int f = 0; f < FAM_COUNT; f++) {
    oom_count[f] = 0;
    oom_fail_at[f] = f == family ? fail_at : -1;
  }
  oom_injected = 0;
  oom_new_by_clp = 0;
  oom_abandoned = 0;
  oom_armed = 1;
  pthread_mutex_unlock(&oom_lock);
}

static void disarm(void) {
  pthread_mutex_lock(&oom_lock);
  oom_armed = 0;
  pthread_mutex_unlock(&oom_lock);
}

/* ====================================================================== */
/* Comparing results                                                       */
/* ====================================================================== */

/* Two doubles are the same when their bits are (NaN equals NaN). */
static int same(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void expect_same(double got, double want, const char *what, int i,
                        int j) {
  if (same(got, want)) return;
  print_error("%s [%d][%d]: got %.17g, want %.17g\n", what, i, j, got, want);
  fail();
}

static void expect_same_results(const naryn_model *m, const naryn_result *a,
                                const naryn_result *b) {
  int steps = naryn_model_steps(m), nodes = naryn_model_node_count(m);
  int links = naryn_model_link_count(m);
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    for (int i = 0; i < nodes; i++)
      for (int t = 0; t < steps; t++)
        expect_same(naryn_result_node(a, (naryn_quantity)q, i, t),
                    naryn_result_node(b, (naryn_quantity)q, i, t),
                    naryn_quantity_name((naryn_quantity)q), i, t);
  for (int k = 0; k < links; k++)
    for (int t = 0; t < steps; t++) {
      expect_same(naryn_result_link_flow_hm3(a, k, t),
                  naryn_result_link_flow_hm3(b, k, t), "link flow", k, t);
      expect_same(naryn_result_link_loss_hm3(a, k, t),
                  naryn_result_link_loss_hm3(b, k, t), "link loss", k, t);
    }
  for (int i = 0; i < nodes; i++) {
    for (int t = 0; t < steps; t++)
      expect_same(naryn_result_water_value(a, i, t),
                  naryn_result_water_value(b, i, t), "water value", i, t);
    expect_same(naryn_result_linearised_energy_gwh(a, i),
                naryn_result_linearised_energy_gwh(b, i), "linearised energy",
                i, 0);
  }
  for (int k = 0; k < naryn_model_term_count(m); k++)
    expect_same(naryn_result_term(a, k, NULL), naryn_result_term(b, k, NULL),
                "term", k, 0);
  expect_same(naryn_result_objective(a), naryn_result_objective(b),
              "objective", 0, 0);
  expect_same(naryn_result_system_residual_hm3(a),
              naryn_result_system_residual_hm3(b), "system residual", 0, 0);
  assert_int_equal(naryn_result_is_optimised(a), naryn_result_is_optimised(b));
  assert_int_equal(naryn_result_passes(a), naryn_result_passes(b));
  assert_int_equal(naryn_result_converged(a), naryn_result_converged(b));
  assert_int_equal(naryn_result_solves(a), naryn_result_solves(b));
  assert_int_equal(naryn_result_iterations(a), naryn_result_iterations(b));
  assert_int_equal(naryn_result_country_count(a), naryn_result_country_count(b));
  for (int c = 0; c < naryn_result_country_count(a); c++)
    assert_string_equal(naryn_result_country(a, c), naryn_result_country(b, c));
}

static void expect_same_models(const naryn_model *a, const naryn_model *b) {
  assert_string_equal(naryn_model_name(a), naryn_model_name(b));
  assert_string_equal(naryn_model_path(a), naryn_model_path(b));
  assert_string_equal(naryn_model_scenario(a), naryn_model_scenario(b));
  assert_string_equal(naryn_model_currency(a), naryn_model_currency(b));
  assert_int_equal(naryn_model_steps(a), naryn_model_steps(b));
  assert_int_equal(naryn_model_is_daily(a), naryn_model_is_daily(b));
  for (int t = 0; t < naryn_model_steps(a); t++) {
    assert_string_equal(naryn_model_step_date(a, t), naryn_model_step_date(b, t));
    expect_same(naryn_model_step_seconds(a, t), naryn_model_step_seconds(b, t),
                "step seconds", t, 0);
  }
  assert_int_equal(naryn_model_node_count(a), naryn_model_node_count(b));
  for (int i = 0; i < naryn_model_node_count(a); i++) {
    assert_string_equal(naryn_model_node_name(a, i), naryn_model_node_name(b, i));
    assert_string_equal(naryn_model_node_country(a, i),
                        naryn_model_node_country(b, i));
    assert_int_equal(naryn_model_node_type(a, i), naryn_model_node_type(b, i));
  }
  assert_int_equal(naryn_model_link_count(a), naryn_model_link_count(b));
  for (int k = 0; k < naryn_model_link_count(a); k++) {
    assert_string_equal(naryn_model_link_name(a, k), naryn_model_link_name(b, k));
    assert_int_equal(naryn_model_link_from(a, k), naryn_model_link_from(b, k));
    assert_int_equal(naryn_model_link_to(a, k), naryn_model_link_to(b, k));
  }
  assert_int_equal(naryn_model_term_count(a), naryn_model_term_count(b));
  for (int k = 0; k < naryn_model_term_count(a); k++) {
    assert_string_equal(naryn_model_term_name(a, k), naryn_model_term_name(b, k));
    assert_string_equal(naryn_model_term_kind(a, k), naryn_model_term_kind(b, k));
    expect_same(naryn_model_term_weight(a, k), naryn_model_term_weight(b, k),
                "term weight", k, 0);
  }
  assert_int_equal(naryn_model_scenario_count(a), naryn_model_scenario_count(b));
}

/* ====================================================================== */
/* Folders of results                                                      */
/* ====================================================================== */

static void remove_tree(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = opendir(path);
    assert_non_null(dir);
    for (struct dirent *e; (e = readdir(dir));) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char sub[1024];
      snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
      remove_tree(sub);
    }
    closedir(dir);
    assert_int_equal(rmdir(path), 0);
  } else {
    assert_int_equal(unlink(path), 0);
  }
}

/* Checks that every file under 'got' is the file of the same name under
** 'want', byte for byte, and that no temporary file is left; when
** 'complete', also that every file of 'want' is there. Returns the number
** of files compared. */
static int expect_same_files(const char *got, const char *want, int complete) {
  int files = 0;
  DIR *dir = opendir(got);
  if (!dir) {
    assert_int_equal(complete, 0); /* nothing written at all */
    return 0;
  }
  for (struct dirent *e; (e = readdir(dir));) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char g[1024], w[1024];
    snprintf(g, sizeof g, "%s/%s", got, e->d_name);
    snprintf(w, sizeof w, "%s/%s", want, e->d_name);
    if (e->d_name[0] == '.') {
      print_error("temporary file left behind: %s\n", g);
      fail();
    }
    struct stat st;
    assert_int_equal(stat(g, &st), 0);
    if (S_ISDIR(st.st_mode)) {
      files += expect_same_files(g, w, complete);
      continue;
    }
    char *a = tu_slurp(g), *b = tu_slurp(w);
    if (!b) print_error("unexpected file %s\n", g);
    assert_non_null(b);
    if (strcmp(a, b) != 0) {
      print_error("%s differs from the run without faults\n", g);
      fail();
    }
    free(a);
    free(b);
    files++;
  }
  closedir(dir);
  if (complete) assert_int_equal(files, expect_same_files(want, want, 0));
  return files;
}

/* ====================================================================== */
/* The loop                                                                */
/* ====================================================================== */

/* One phase: run() does the work with the injector armed and returns its
** status; settle() checks what a run left, unarmed (whole results after a
** failure, the same results as without faults after a success), and frees
** it. */
typedef struct phase {
  const char *name;
  int (*run)(struct phase *p, naryn_diags *d);
  void (*settle)(struct phase *p, int ok);
  const naryn_model *model;  /* the model the phase works on */
  const naryn_result *ref;   /* the result without faults */
  const char *ref_dir;       /* results written without faults */
  naryn_model *got_model;
  naryn_result *got;
  naryn_game *game, *ref_game;
  const char *path;
  const char *const *overlays; /* scenarios applied by the load */
  int noverlays;
  naryn_result **points, **ref_points; /* a trade-off curve */
  const char *out_dir;  /* where the write phases write */
  int jobs;             /* naryn_share's threads */
  long break_run;       /* NARYN_OOM_BREAK's N, for this phase */
} phase;

/* Problems found in the current loop; each is printed (the first few
** hundred) and the loop goes on, so that one run shows them all. */
static int problems;

static void problem(const phase *p, int family, long n, const char *fmt, ...)
    NARYN_TEST_PRINTF(4, 5);

static void problem(const phase *p, int family, long n, const char *fmt, ...) {
  if (problems++ >= 200) return;
  char text[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  print_error("%s, allocation %s%ld failing: %s\n", p->name, fam_name[family], n,
              text);
}

/* Every error must be the shortage itself: no syntax error, solver failure
** or anything else made up from a missing block. */
static void expect_only_enomem(const phase *p, int family, long n,
                               const naryn_diags *d) {
  int found = 0;
  for (int i = 0; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    if (g->severity != NARYN_SEV_ERROR) continue;
    char line[1024];
    naryn_diag_format(g, line, sizeof line);
    if (g->code != NARYN_ENOMEM || !strstr(g->msg, "memory"))
      problem(p, family, n, "%s (code %d)", line, g->code);
    found = 1;
  }
  if (!found) problem(p, family, n, "no diagnostic");
}

/* What the runs of one family of one phase came to. */
#define CLP_SITES 8
typedef struct tally {
  long made;      /* allocations of the family in a run without faults */
  long made_clp;  /* of which operator new called from CLP */
  long runs, absorbed;
  long clp_runs;  /* runs after which CLP's own blocks were left */
  long clp_blocks;
  size_t clp_bytes;
  long clp_crashes; /* runs that died in CLP's code as its exception unwound */
  long abandoned;   /* CLP models given up by the library */
  long given_up_blocks; /* naryn's blocks in them */
  int nsites;
  char sites[CLP_SITES][160]; /* the first few places where they died */
} tally;

/* Operator new is made to fail at every OOM_NEW_STRIDE-th allocation only
** (0, s, 2s, ...), and every malloc-family allocation in turn: CLP makes
** thousands of small allocations per solve from a few dozen places in its
** code, and the stride keeps the test within its time, about 30 s in the
** normal build and 90 s under the sanitizers, where a run costs five
** times as much (NARYN_OOM_STRIDE=1 tries them all). */
#ifndef OOM_NEW_STRIDE
#if defined(__SANITIZE_ADDRESS__)
#define OOM_NEW_STRIDE 37
#else
#define OOM_NEW_STRIDE 8
#endif
#endif
static long new_stride = OOM_NEW_STRIDE;

/* Reports the blocks of naryn's that a run left, adds CLP's own to the
** tally, and forgets them all. */
static void expect_no_leak(const phase *p, int family, long n, tally *t) {
  if (live_total() == 0) return;
  char list[600] = "";
  size_t len = 0, naryn = 0, clp = 0, clp_bytes = 0;
  for (size_t i = 0; live_count > 0 && i < LIVE_SLOTS; i++) {
    if (!live[i].p) continue;
    if (naryn++ < 12 && len < sizeof list - 32)
      len += (size_t)snprintf(list + len, sizeof list - len, " %ld",
                              (long)live[i].made_by);
  }
  for (new_block *h = new_list.next; h != &new_list; h = h->next) {
    if (h->owner == BY_GIVEN_UP) {
      t->given_up_blocks++;
    } else if (h->owner == BY_CLP) {
      clp++;
      clp_bytes += h->size;
    } else if (naryn++ < 12 && len < sizeof list - 32) {
      len += (size_t)snprintf(list + len, sizeof list - len, " new %ld", h->made_by);
    }
  }
  if (naryn)
    problem(p, family, n, "%zu blocks leaked, made by allocations%s%s", naryn,
            list, naryn > 12 ? " ..." : "");
  if (clp) {
    t->clp_runs++;
    t->clp_blocks += (long)clp;
    t->clp_bytes += clp_bytes;
  }
  live_reset();
}

/* Runs the phase once with allocation n of the family failing, checks
** what it gave and left, and returns 1 when the failure was met. */
static int one_run(phase *p, int family, long n, tally *t) {
  naryn_diags *d = naryn_diags_new(0);
  assert_non_null(d);
  arm(family, n);
  oom_break_here = oom_break_run_family == family ? p->break_run : -1;
  int rc = p->run(p, d);
  disarm();
  long made = oom_count[family];
  int injected = oom_injected;
  t->runs++;
  t->abandoned += oom_abandoned;
  if (!injected) {
    if (rc != NARYN_OK) print_error("%s: %s\n", p->name, tu_first_error(d));
    assert_int_equal(rc, NARYN_OK);
    t->made = made;
    t->made_clp = oom_new_by_clp;
  } else if (rc == NARYN_OK) {
    /* A failure the library could do without (a probe of the umask, a
    ** sync of the folder): allowed when nothing it gives differs. */
    t->absorbed++;
  } else if (rc != NARYN_ENOMEM) {
    problem(p, family, n, "status %d (%s), first error: %s", rc,
            naryn_strerror(rc), tu_first_error(d));
  } else {
    expect_only_enomem(p, family, n, d);
  }
  p->settle(p, !injected || rc == NARYN_OK);
  naryn_diags_free(d);
  expect_no_leak(p, family, n, t);
  return injected;
}

/* ---------------------------------------------------------------------- */
/* Runs of the operator-new family, each in a child process                */
/* ---------------------------------------------------------------------- */

/* CLP is not exception-safe: when one of its allocations throws, some of
** its functions free a member and leave the pointer to be freed again as
** the exception unwinds (CoinPackedMatrix::reverseOrderedCopyOf, for one),
** and the process dies inside CLP before the exception comes back to
** naryn. The runs of this family are therefore made in child processes,
** each making up to RUNS_PER_CHILD runs one after the other (a process
** per run would cost several times the run itself) and sending a verdict
** for each back through a pipe; when one dies, the next starts at the
** following N. A death while CLP's exception is still unwinding (not yet
** caught by the adapter) is CLP's own and is counted as such; naryn's
** code on that path is only the adapter's event handler, whose destructor
** frees one pointer it owns. Any other death, a failed check, or a leak
** of naryn's fails the test. */
#define RUNS_PER_CHILD 100

typedef struct verdict {
  long n;        /* the allocation made to fail */
  long lsan_from; /* >= 0: LeakSanitizer's report on the runs from here to n */
  int done;      /* 1 once the child got to the end of the run */
  int injected;  /* 1 when the failure was met */
  int problems;
  int clp_crash; /* 1 when the child died in CLP's unwinding */
  int signal;
  char where[160];
  tally t;
} verdict;

static int in_child;
static int child_fd = -1;
static verdict child_verdict;

static void send_verdict(void) {
  const char *b = (const char *)&child_verdict;
  size_t left = sizeof child_verdict;
  while (left > 0) {
    ssize_t w = write(child_fd, b, left);
    if (w <= 0) break;
    b += w;
    left -= (size_t)w;
  }
}

/* Called when the child dies (a signal, or AddressSanitizer's report):
** no allocation and no lock from here on. */
static void child_died(int sig) {
  child_verdict.signal = sig;
  child_verdict.done = 0;
  child_verdict.clp_crash = oom_exception_in_flight();
  if (child_verdict.clp_crash) {
    oom_clp_site(child_verdict.where, sizeof child_verdict.where);
  } else {
    static const char text[] = "test_oom: the run died outside CLP's unwinding:\n";
    if (write(2, text, sizeof text - 1) < 0) {}
    oom_print_stack();
  }
  send_verdict();
  _exit(3);
}

#if defined(__SANITIZE_ADDRESS__)
/* AddressSanitizer calls this before its report: a fault of CLP's while
** its exception unwinds ends the child quietly; any other is reported. */
void __asan_on_error(void);
void __asan_on_error(void) {
  if (in_child && oom_exception_in_flight()) child_died(0);
}
int __lsan_do_recoverable_leak_check(void);
/* LeakSanitizer is told to overlook the blocks of CLP's and CoinUtils'
** own (see the top of this file), through the file tests/unit/test_oom.supp
** under the folder the test is started in (the top of the tree). The path
** is made absolute here, at start-up: the file is read at the first leak
** check, in a test's temporary folder. */
const char *__lsan_default_options(void);
__attribute__((no_sanitize("address", "undefined")))
const char *__lsan_default_options(void) {
  /* Called while the sanitizer starts, before its shadow memory is made:
  ** not instrumented, and no call it intercepts. */
  static char options[4200];
  static const char head[] = "suppressions=", tail[] =
      "/tests/unit/test_oom.supp:print_suppressions=0";
  char cwd[4000];
  if (!options[0] && syscall(SYS_getcwd, cwd, sizeof cwd) > 0) {
    size_t n = 0;
    for (size_t i = 0; head[i]; i++) options[n++] = head[i];
    for (size_t i = 0; cwd[i]; i++) options[n++] = cwd[i];
    for (size_t i = 0; tail[i]; i++) options[n++] = tail[i];
    options[n] = 0;
  }
  return options;
}
#endif

/* The child's end after a failed cmocka check (cmocka goes on to the
** test's teardown). */
static void child_failed(void) {
  if (!in_child) return;
  child_verdict.done = 0;
  send_verdict();
  _exit(4);
}

/* In the child: runs from allocation n0 on, a verdict for each, then the
** end of the process. */
static void runs_in_child(phase *p, long n0, int fd) {
  in_child = 1;
  child_fd = fd;
  /* The set of live blocks is empty here: the child takes fresh zeroed
  ** pages for it rather than copying the parent's. */
  madvise(live, sizeof live, MADV_DONTNEED);
  static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL};
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = child_died;
    sa.sa_flags = SA_RESETHAND;
    sigaction(sigs[i], &sa, NULL);
  }
  for (long k = 0, n = n0; k < RUNS_PER_CHILD; k++, n += new_stride) {
    memset(&child_verdict, 0, sizeof child_verdict);
    child_verdict.n = n;
    alarm(60); /* a run that hangs ends, and the parent reports it */
    child_verdict.lsan_from = -1;
    problems = 0;
    child_verdict.injected = one_run(p, FAM_NEW, n, &child_verdict.t);
    child_verdict.problems = problems;
    child_verdict.done = 1;
    fflush(NULL);
    send_verdict();
    if (!child_verdict.injected) break;
  }
#if defined(__SANITIZE_ADDRESS__)
  /* LeakSanitizer's own view of the child's runs, once at their end
  ** (what a run leaks stays unreachable): nothing of naryn's. */
  long last = child_verdict.n;
  if (__lsan_do_recoverable_leak_check()) {
    memset(&child_verdict, 0, sizeof child_verdict);
    child_verdict.lsan_from = n0;
    child_verdict.n = last;
    send_verdict();
  }
#endif
  _exit(0);
}

/* Takes in a verdict; returns 1 when it was the run without a failure. */
static int take_verdict(phase *p, const verdict *v, tally *t) {
  if (v->lsan_from >= 0) {
    problem(p, FAM_NEW, v->n, "LeakSanitizer found a leak in the runs from new %ld on"
            " (see above)", v->lsan_from);
    return 0;
  }
  t->runs++;
  if (v->clp_crash) {
    char where[sizeof v->where];
    memcpy(where, v->where, sizeof where);
    oom_demangle(where, sizeof where);
    t->clp_crashes++;
    int known = 0;
    for (int i = 0; i < t->nsites; i++) known |= strcmp(t->sites[i], where) == 0;
    if (!known && t->nsites < CLP_SITES) {
      snprintf(t->sites[t->nsites], sizeof t->sites[0], "%s", where);
      t->nsites++;
    }
    return 0;
  }
  if (!v->done) {
    if (v->signal)
      problem(p, FAM_NEW, v->n, "the run died of signal %d (see above)", v->signal);
    else
      problem(p, FAM_NEW, v->n, "the run failed a check (see above)");
    return 0;
  }
  problems += v->problems;
  t->absorbed += v->t.absorbed;
  t->clp_runs += v->t.clp_runs;
  t->clp_blocks += v->t.clp_blocks;
  t->clp_bytes += v->t.clp_bytes;
  t->abandoned += v->t.abandoned;
  t->given_up_blocks += v->t.given_up_blocks;
  if (v->injected) return 0;
  t->made = v->t.made;
  t->made_clp = v->t.made_clp;
  return 1;
}

/* The runs of operator new, N = 0, s, 2s, ..., in child processes. */
static void oom_new_apart(phase *p, tally *t) {
  for (long n = 0;;) {
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(fds[0]);
      runs_in_child(p, n, fds[1]);
    }
    close(fds[1]);
    int finished = 0, died = 0;
    long next = n;
    for (;;) {
      verdict v;
      size_t got = 0;
      while (got < sizeof v) {
        ssize_t r = read(fds[0], (char *)&v + got, sizeof v - got);
        if (r <= 0) break;
        got += (size_t)r;
      }
      if (got < sizeof v) break;
      finished |= take_verdict(p, &v, t);
      if (v.lsan_from >= 0) continue;
      died |= !v.done;
      next = v.n + new_stride;
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (finished) return;
    if (!died && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      /* Killed without a word (a hang, say) in the run after the last. */
      t->runs++;
      problem(p, FAM_NEW, next, "the run ended with status %#x", (unsigned)status);
      next += new_stride;
    }
    n = next;
  }
}

/* Runs the phase with allocation N of the family failing for N = 0, 1, ...
** (or 0, s, 2s, ... for operator new) until a run meets no failure, which
** must give the results of a run without faults. */
static void oom_family(phase *p, int family, tally *t) {
  if (family == FAM_MALLOC) {
    for (long n = 0; one_run(p, family, n, t); n++) {}
  } else if (getenv("NARYN_OOM_NOFORK")) {
    /* For a debugger: the runs in the test's own process. */
    for (long n = 0; one_run(p, family, n, t); n += new_stride) {}
  } else {
    oom_new_apart(p, t);
  }
}

/* CLP's own leaks and deaths over the whole test, for the closing line. */
static tally clp_total;

/* Runs the phase through both families and returns the number of
** malloc-family allocations of a run without faults. */
static long oom_loop(phase *p) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  problems = 0;
  live_reset();
  const char *only = getenv("NARYN_OOM_PHASE");
  p->break_run = !only || strcmp(only, p->name) == 0 ? oom_break_run : -1;
  tally m, c;
  memset(&m, 0, sizeof m);
  memset(&c, 0, sizeof c);
  oom_family(p, FAM_MALLOC, &m);
  oom_family(p, FAM_NEW, &c);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("# %s: malloc family: %ld allocations, %ld runs, %ld failures absorbed;"
         " operator new: %ld allocations (%ld by CLP), %ld runs (every %ldth),"
         " %ld failures absorbed; CLP's own faults: %ld blocks (%zu bytes) left"
         " in %ld runs, %ld runs died in CLP; %ld models given up (%ld blocks"
         " of naryn's); %.2f s\n",
         p->name, m.made, m.runs, m.absorbed, c.made, c.made_clp, c.runs,
         new_stride, c.absorbed, m.clp_blocks + c.clp_blocks,
         m.clp_bytes + c.clp_bytes, m.clp_runs + c.clp_runs, c.clp_crashes,
         m.abandoned + c.abandoned, m.given_up_blocks + c.given_up_blocks,
         (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
  for (int i = 0; i < c.nsites; i++) printf("#   died in CLP at %s\n", c.sites[i]);
  clp_total.clp_blocks += m.clp_blocks + c.clp_blocks;
  clp_total.clp_bytes += m.clp_bytes + c.clp_bytes;
  clp_total.clp_runs += m.clp_runs + c.clp_runs;
  clp_total.clp_crashes += c.clp_crashes;
  clp_total.abandoned += m.abandoned + c.abandoned;
  clp_total.runs += m.runs + c.runs;
  if (problems) print_error("%s: %d problems\n", p->name, problems);
  assert_int_equal(problems, 0);
  return m.made;
}

/* ====================================================================== */
/* The phases                                                              */
/* ====================================================================== */

static char examples[4096]; /* the examples folder, absolute */

static const char *example(const char *name, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s", examples, name);
  return buf;
}

static naryn_result *simulate_quietly(const naryn_model *m) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_result *r = NULL;
  assert_int_equal(naryn_simulate(m, NULL, &r, d), NARYN_OK);
  naryn_diags_free(d);
  return r;
}

static naryn_result *optimise_quietly(const naryn_model *m) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  naryn_result *r = NULL;
  assert_int_equal(naryn_optimise(m, &o, &r, d), NARYN_OK);
  naryn_diags_free(d);
  return r;
}

static int run_load(phase *p, naryn_diags *d) {
  return naryn_model_load(p->path, p->overlays, p->noverlays, &p->got_model, d);
}

/* A loaded model must be the model loaded without faults, down to the
** results of simulating it. */
static void settle_load(phase *p, int ok) {
  if (!ok) {
    assert_null(p->got_model);
    return;
  }
  expect_same_models(p->got_model, p->model);
  naryn_result *r = simulate_quietly(p->got_model);
  expect_same_results(p->model, r, p->ref);
  naryn_result_free(r);
  naryn_model_free(p->got_model);
  p->got_model = NULL;
}

static int run_simulate(phase *p, naryn_diags *d) {
  return naryn_simulate(p->model, NULL, &p->got, d);
}

static int run_optimise(phase *p, naryn_diags *d) {
  naryn_opt_opts o;
  naryn_opt_opts_init(&o);
  return naryn_optimise(p->model, &o, &p->got, d);
}

static void settle_result(phase *p, int ok) {
  if (!ok) {
    assert_null(p->got);
    return;
  }
  expect_same_results(p->model, p->got, p->ref);
  naryn_result_free(p->got);
  p->got = NULL;
}

static int run_write(phase *p, naryn_diags *d) {
  return naryn_result_write(p->ref, p->out_dir, d);
}

/* Whatever a failed write left must be whole files of the run; a
** successful one must have written them all. */
static void settle_write(phase *p, int ok) {
  expect_same_files(p->out_dir, p->ref_dir, ok);
  remove_tree(p->out_dir);
}

static int run_simulate_to(phase *p, naryn_diags *d) {
  return naryn_simulate_to(p->model, NULL, NULL, p->out_dir, &p->got, d);
}

/* A streamed run leaves the folder of the full result written, whole, or
** nothing at all. */
static void settle_simulate_to(phase *p, int ok) {
  if (!ok) assert_null(p->got);
  expect_same_files(p->out_dir, p->ref_dir, ok);
  naryn_result_free(p->got);
  p->got = NULL;
  remove_tree(p->out_dir);
}

/* One loop per phase over one model; the reference results are made
** without faults first. */
static void phases_of(const char *model_path, long *counts) {
  naryn_model *m = tu_load_path(model_path);
  naryn_result *sim = simulate_quietly(m), *opt = optimise_quietly(m);
  phase load = {.name = "load", .run = run_load, .settle = settle_load,
                .model = m, .ref = sim, .path = model_path};
  counts[0] = oom_loop(&load);
  phase simulate = {.name = "simulate", .run = run_simulate,
                    .settle = settle_result, .model = m, .ref = sim};
  counts[1] = oom_loop(&simulate);
  phase optimise = {.name = "optimise", .run = run_optimise,
                    .settle = settle_result, .model = m, .ref = opt};
  counts[2] = oom_loop(&optimise);
  /* The reference folder of the write phase. */
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_result_write(opt, "ref", d), NARYN_OK);
  naryn_diags_free(d);
  phase write = {.name = "write", .run = run_write, .settle = settle_write,
                 .model = m, .ref = opt, .ref_dir = "ref", .out_dir = "out"};
  counts[3] = oom_loop(&write);
  remove_tree("ref");
  /* The run streamed to its folder, against the full result written. */
  d = naryn_diags_new(0);
  assert_int_equal(naryn_result_write(sim, "ref", d), NARYN_OK);
  naryn_diags_free(d);
  phase streamed = {.name = "simulate to a folder", .run = run_simulate_to,
                    .settle = settle_simulate_to, .model = m,
                    .ref_dir = "ref", .out_dir = "out"};
  counts[4] = oom_loop(&streamed);
  remove_tree("ref");
  naryn_result_free(sim);
  naryn_result_free(opt);
  naryn_model_free(m);
}

static void single(void **state) {
  (void)state;
  char path[4200];
  long counts[5];
  phases_of(example("single/model.json", path, sizeof path), counts);
  for (int i = 0; i < 5; i++) assert_true(counts[i] > 0);
}

static void cascade(void **state) {
  (void)state;
  char path[4200];
  long counts[5];
  phases_of(example("cascade/model.yaml", path, sizeof path), counts);
  for (int i = 0; i < 5; i++) assert_true(counts[i] > 0);
}

/* A scenario merged over the model as it is loaded. */
static void cascade_scenario(void **state) {
  (void)state;
  char path[4200], over[4200];
  const char *overlays[] = {example("cascade/irrigation-mode.yaml", over, sizeof over)};
  example("cascade/model.yaml", path, sizeof path);
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  assert_int_equal(naryn_model_load(path, overlays, 1, &m, d), NARYN_OK);
  naryn_diags_free(d);
  naryn_result *sim = simulate_quietly(m);
  phase load = {.name = "load with a scenario", .run = run_load,
                .settle = settle_load, .model = m, .ref = sim, .path = path,
                .overlays = overlays, .noverlays = 1};
  assert_true(oom_loop(&load) > 0);
  naryn_result_free(sim);
  naryn_model_free(m);
}

/* A trade-off curve of two points (its two ends), and the folder it is
** written to. */
#define CURVE_POINTS 2

static int run_pareto(phase *p, naryn_diags *d) {
  return naryn_pareto(p->model, NULL, "energy", "shortage", CURVE_POINTS,
                      &p->points, d);
}

static void settle_pareto(phase *p, int ok) {
  if (!ok) {
    assert_null(p->points);
    return;
  }
  for (int i = 0; i < CURVE_POINTS; i++) {
    assert_true((p->points[i] == NULL) == (p->ref_points[i] == NULL));
    if (p->points[i]) expect_same_results(p->model, p->points[i], p->ref_points[i]);
    naryn_result_free(p->points[i]);
  }
  free(p->points);
  p->points = NULL;
}

static int run_pareto_write(phase *p, naryn_diags *d) {
  return naryn_pareto_write(p->model, p->ref_points, CURVE_POINTS, p->ref,
                            "energy", "shortage", p->out_dir, d);
}

static void pareto(void **state) {
  (void)state;
  char path[4200];
  naryn_model *m = tu_load_path(example("single/model.json", path, sizeof path));
  naryn_result *sim = simulate_quietly(m), **ref = NULL;
  naryn_diags *d = naryn_diags_new(0);
  assert_int_equal(naryn_pareto(m, NULL, "energy", "shortage", CURVE_POINTS,
                                &ref, d), NARYN_OK);
  phase curve = {.name = "pareto", .run = run_pareto, .settle = settle_pareto,
                 .model = m, .ref_points = ref};
  assert_true(oom_loop(&curve) > 0);
  assert_int_equal(naryn_pareto_write(m, ref, CURVE_POINTS, sim, "energy",
                                      "shortage", "ref", d), NARYN_OK);
  phase write = {.name = "pareto write", .run = run_pareto_write,
                 .settle = settle_write, .model = m, .ref = sim,
                 .ref_points = ref, .ref_dir = "ref", .out_dir = "out"};
  assert_true(oom_loop(&write) > 0);
  remove_tree("ref");
  for (int i = 0; i < CURVE_POINTS; i++) naryn_result_free(ref[i]);
  free(ref);
  naryn_result_free(sim);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* Two runs side by side: compare.csv and the report drawn from them. */
static int run_compare(phase *p, naryn_diags *d) {
  static const char *const runs[] = {"simulated", "optimised"};
  return naryn_compare_write(p->out_dir, runs, 2, d);
}

static void settle_compare(phase *p, int ok) {
  expect_same_files(p->out_dir, p->ref_dir, ok);
  char path[256];
  snprintf(path, sizeof path, "%s/compare.csv", p->out_dir);
  remove_tree(path);
  snprintf(path, sizeof path, "%s/report.html", p->out_dir);
  remove_tree(path);
}

static void compare(void **state) {
  (void)state;
  char path[4200];
  naryn_model *m = tu_load_path(example("single/model.json", path, sizeof path));
  naryn_result *sim = simulate_quietly(m), *opt = optimise_quietly(m);
  naryn_diags *d = naryn_diags_new(0);
  const char *dirs[] = {"cmp", "cmpref"};
  for (int k = 0; k < 2; k++) {
    char run[64];
    snprintf(run, sizeof run, "%s/simulated", dirs[k]);
    assert_int_equal(naryn_result_write(sim, run, d), NARYN_OK);
    snprintf(run, sizeof run, "%s/optimised", dirs[k]);
    assert_int_equal(naryn_result_write(opt, run, d), NARYN_OK);
  }
  static const char *const runs[] = {"simulated", "optimised"};
  assert_int_equal(naryn_compare_write("cmpref", runs, 2, d), NARYN_OK);
  phase cmp = {.name = "compare", .run = run_compare, .settle = settle_compare,
               .model = m, .ref_dir = "cmpref", .out_dir = "cmp"};
  assert_true(oom_loop(&cmp) > 0);
  remove_tree("cmp");
  remove_tree("cmpref");
  naryn_result_free(sim);
  naryn_result_free(opt);
  naryn_diags_free(d);
  naryn_model_free(m);
}

/* naryn_share on one worker thread, so that the allocations come in the
** same order in every run, or on three (the coalitions of two countries),
** whose allocations interleave differently from run to run. */
static int run_share(phase *p, naryn_diags *d) {
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  o.jobs = p->jobs;
  return naryn_share(p->model, &o, &p->game, d);
}

static void settle_share(phase *p, int ok) {
  if (!ok) {
    assert_null(p->game);
    return;
  }
  const naryn_game *a = p->game, *b = p->ref_game;
  int n = naryn_game_player_count(b);
  assert_int_equal(naryn_game_player_count(a), n);
  for (int i = 0; i < n; i++)
    assert_string_equal(naryn_game_player(a, i), naryn_game_player(b, i));
  for (unsigned s = 1; s < (1u << n); s++)
    expect_same(naryn_game_value(a, s), naryn_game_value(b, s), "value",
                (int)s, 0);
  for (int k = 0; k < NARYN_ALLOC_COUNT; k++)
    for (int i = 0; i < n; i++)
      expect_same(naryn_game_allocation(a, (naryn_allocation)k, i),
                  naryn_game_allocation(b, (naryn_allocation)k, i),
                  naryn_allocation_name((naryn_allocation)k), i, 0);
  assert_int_equal(naryn_game_core_empty(a), naryn_game_core_empty(b));
  expect_same_results(p->model, naryn_game_baseline_plan(a),
                      naryn_game_baseline_plan(b));
  expect_same_results(p->model, naryn_game_grand_plan(a),
                      naryn_game_grand_plan(b));
  naryn_game_free(p->game);
  p->game = NULL;
}

static int run_game_write(phase *p, naryn_diags *d) {
  return naryn_game_write(p->ref_game, p->out_dir, d);
}

static void two_countries(void **state) {
  (void)state;
  char path[4200];
  naryn_model *m = tu_load_path(example("two-countries/model.yaml", path, sizeof path));
  naryn_diags *d = naryn_diags_new(0);
  naryn_share_opts o;
  naryn_share_opts_init(&o);
  o.jobs = 1;
  naryn_game *ref = NULL;
  assert_int_equal(naryn_share(m, &o, &ref, d), NARYN_OK);
  naryn_diags_free(d);
  phase share = {.name = "share", .run = run_share, .settle = settle_share,
                 .model = m, .ref_game = ref, .jobs = 1};
  assert_true(oom_loop(&share) > 0);
  phase threads = {.name = "share on threads", .run = run_share,
                   .settle = settle_share, .model = m, .ref_game = ref, .jobs = 3};
  assert_true(oom_loop(&threads) > 0);
  d = naryn_diags_new(0);
  assert_int_equal(naryn_game_write(ref, "ref", d), NARYN_OK);
  naryn_diags_free(d);
  phase write = {.name = "share write", .run = run_game_write,
                 .settle = settle_write, .model = m, .ref_game = ref,
                 .ref_dir = "ref", .out_dir = "out"};
  assert_true(oom_loop(&write) > 0);
  remove_tree("ref");
  naryn_game_free(ref);
  naryn_model_free(m);
}

/* An ensemble: two members of examples/ensemble read from a file, run on
** one thread (the allocations in the same order every run) and on two,
** and written with their report; a failure leaves no folder. */
static int run_ensemble(phase *p, naryn_diags *d) {
  naryn_members *mb = NULL;
  naryn_ensemble *e = NULL;
  naryn_ensemble_opts o;
  naryn_ensemble_opts_init(&o);
  o.jobs = p->jobs;
  int rc = naryn_members_read(p->path, &mb, d);
  if (rc == NARYN_OK) rc = naryn_ensemble_new(mb, &o, &e, d);
  if (rc == NARYN_OK) rc = naryn_ensemble_run(e, p->model, "base", d);
  if (rc == NARYN_OK) rc = naryn_ensemble_write(e, p->out_dir, d);
  naryn_ensemble_free(e);
  naryn_members_free(mb);
  return rc;
}

static void ensemble(void **state) {
  (void)state;
  char path[4200];
  naryn_model *m = tu_load_path(example("ensemble/model.yaml", path, sizeof path));
  /* The first two members of the example's file. */
  char *all = tu_slurp(example("ensemble/members.csv", path, sizeof path));
  assert_non_null(all);
  char *cut = strstr(all, "\n3,");
  assert_non_null(cut);
  cut[1] = '\0';
  tu_write(".", "two.csv", all);
  free(all);
  phase ens = {.name = "ensemble", .run = run_ensemble, .settle = settle_write,
               .model = m, .path = "two.csv", .ref_dir = "ref", .out_dir = "out", .jobs = 1};
  naryn_diags *d = naryn_diags_new(0);
  ens.out_dir = "ref";
  assert_int_equal(run_ensemble(&ens, d), NARYN_OK);
  naryn_diags_free(d);
  ens.out_dir = "out";
  assert_true(oom_loop(&ens) > 0);
  phase threads = ens;
  threads.name = "ensemble on threads";
  threads.jobs = 2;
  assert_true(oom_loop(&threads) > 0);
  remove_tree("ref");
  naryn_model_free(m);
}

/* The injector itself: the Nth allocation fails and the others do not,
** and a block kept past the run is seen. */
static void the_injector_works(void **state) {
  (void)state;
  arm(FAM_MALLOC, 1);
  void *a = malloc(8), *b = malloc(8), *c = calloc(1, 8);
  disarm();
  assert_non_null(a);
  assert_null(b);
  assert_non_null(c);
  assert_int_equal(live_count, 2);
  free(a);
  assert_int_equal(live_count, 1);
  free(c);
  assert_int_equal(live_count, 0);
}

/* Counts the live blocks of operator new of an owner. */
static long live_of(int owner) {
  long n = 0;
  for (new_block *h = new_list.next; h != &new_list; h = h->next) n += h->owner == owner;
  return n;
}

/* Operator new is counted apart from the malloc family, fails in turn
** as well, and its blocks are put down to whoever asked for them: a
** ClpSimplex made by the test is the test's block (naryn's, as the
** injector sees it), the members its constructor makes are CLP's. */
static void operator_new_is_told_apart(void **state) {
  (void)state;
  arm(FAM_NEW, -1);
  void *model = oom_new_clp_model();
  disarm();
  assert_non_null(model);
  long made = oom_count[FAM_NEW];
  assert_int_equal(oom_count[FAM_MALLOC], 0);
  assert_true(made >= 2);
  assert_int_equal(live_of(BY_NARYN), 1);
  assert_true(live_of(BY_CLP) >= 1);
  assert_int_equal(live_of(BY_NARYN) + live_of(BY_CLP), (long)live_total());
  oom_delete_clp_model(model);
  assert_int_equal(live_total(), 0);
  for (long n = 0; n < made; n++) {
    arm(FAM_NEW, n);
    model = oom_new_clp_model();
    disarm();
    assert_null(model);
    assert_int_equal(oom_count[FAM_NEW], n + 1);
    /* A constructor of CLP's that throws leaves what it had made. */
    assert_int_equal(live_of(BY_NARYN), 0);
    live_reset();
  }
}

/* A test's teardown; in a child process, which gets here only after a
** failed check, the end of the child. */
static int oom_teardown(void **state) {
  child_failed();
  return tu_leave_tmpdir(state);
}

/* Reads "N" or "newN" of NARYN_OOM_BREAK and returns its family. */
static int break_number(const char **s, long *n) {
  int family = strncmp(*s, "new", 3) == 0 ? FAM_NEW : FAM_MALLOC;
  char *end;
  *n = strtol(*s + (family == FAM_NEW ? 3 : 0), &end, 10);
  *s = end;
  return family;
}

int main(void) {
  const char *brk = getenv("NARYN_OOM_BREAK");
  if (brk) {
    oom_break_run_family = oom_break_at_family = break_number(&brk, &oom_break_run);
    oom_break_at = oom_break_run;
    if (*brk == ':') {
      brk++;
      oom_break_at_family = break_number(&brk, &oom_break_at);
    }
  }
  /* NARYN_OOM_TEST=name runs only the tests whose name matches. */
  if (getenv("NARYN_OOM_TEST")) cmocka_set_test_filter(getenv("NARYN_OOM_TEST"));
  if (oom_new_init() == 0) {
    fprintf(stderr, "test_oom: CLP's libraries are not loaded\n");
    return 1;
  }
  if (getenv("NARYN_OOM_STRIDE")) new_stride = atol(getenv("NARYN_OOM_STRIDE"));
  if (new_stride < 1) new_stride = 1;
  if (!getcwd(examples, sizeof examples - 10)) return 1;
  strcat(examples, "/examples");
  /* Each test works in a fresh temporary folder. */
#define OOM_TEST(f) cmocka_unit_test_setup_teardown(f, tu_enter_tmpdir, oom_teardown)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_injector_works),
      cmocka_unit_test(operator_new_is_told_apart),
      OOM_TEST(single),
      OOM_TEST(cascade),
      OOM_TEST(cascade_scenario),
      OOM_TEST(pareto),
      OOM_TEST(compare),
      OOM_TEST(two_countries),
      OOM_TEST(ensemble),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
