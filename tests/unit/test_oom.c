/*
** test_oom.c: running out of memory at every allocation in turn.
**
** Each phase (loading and checking a model, with or without a scenario,
** simulating it, optimising it, tracing a trade-off curve, writing each
** kind of results folder, sharing the benefit between countries on one
** thread and on several) is run over and over with the injector of oom.h
** armed: the first run makes allocation 0 fail, the next allocation 1,
** and so on. Every run that
** meets the failure must return NARYN_ENOMEM, with only out-of-memory
** errors in its diagnostics, must not crash or trip a sanitizer, and must
** give back every block it took; results it wrote must be whole files or
** none. (A few allocations are optional, such as reading the umask from
** /proc: a run may succeed without them, and then its results must be
** the same as without faults.) Once N passes the number of allocations
** the phase makes, the run succeeds, and its results must equal those of
** a run without faults. Every N is tried, in both builds: faults were
** found only at allocations a stride would have stepped over.
**
** Allocations are counted and made to fail in the library's objects only
** (and this file's): libyaml and CLP allocate on their own, until the LP
** adapter is C++ and oom_new.cpp is linked in (see the Makefile).
*/
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
#include <sys/stat.h>
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

/* Blocks handed out while armed and not yet freed, with the number of the
** allocation that made each: an open-addressing set of pointers, with
** deletion by shifting back. */
#define LIVE_SLOTS (1u << 18)
typedef struct block {
  void *p;
  long made_by;
} block;
static block live[LIVE_SLOTS];
static size_t live_count;

static pthread_mutex_t oom_lock = PTHREAD_MUTEX_INITIALIZER;
static int oom_armed;         /* 1 while counting */
static long oom_count;        /* allocations made while armed */
static long oom_fail_at = -1; /* the allocation that fails */
static int oom_injected;      /* 1 once it has failed */
/* For a debugger: NARYN_OOM_BREAK=N (or N:K) stops with SIGTRAP in the
** run of phase NARYN_OOM_PHASE (or every phase) where allocation N fails,
** at that allocation (or at allocation K, e.g. one that leaked). */
static long oom_break_run = -1, oom_break_at = -1, oom_break_here = -1;

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

/* Forgets every block, after a leak has been reported. */
static void live_reset(void) {
  memset(live, 0, sizeof live);
  live_count = 0;
}

/* Counts an allocation and returns its number, or -1 when it must fail
** (or when not armed). */
static long take(void) {
  pthread_mutex_lock(&oom_lock);
  long k = -1;
  if (oom_armed) {
    k = oom_count++;
    if (k == oom_break_at && oom_fail_at == oom_break_here) raise(SIGTRAP);
    if (k == oom_fail_at) {
      oom_injected = 1;
      k = -2;
    }
  }
  pthread_mutex_unlock(&oom_lock);
  if (k == -2) errno = ENOMEM;
  return k;
}

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

static void arm(long fail_at) {
  pthread_mutex_lock(&oom_lock);
  oom_count = 0;
  oom_fail_at = fail_at;
  oom_injected = 0;
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
} phase;

/* Problems found in the current loop; each is printed (the first few
** hundred) and the loop goes on, so that one run shows them all. */
static int problems;

static void problem(const phase *p, long n, const char *fmt, ...)
    NARYN_TEST_PRINTF(3, 4);

static void problem(const phase *p, long n, const char *fmt, ...) {
  if (problems++ >= 200) return;
  char text[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  print_error("%s, allocation %ld failing: %s\n", p->name, n, text);
}

/* Every error must be the shortage itself: no syntax error, solver failure
** or anything else made up from a missing block. */
static void expect_only_enomem(const phase *p, long n, const naryn_diags *d) {
  int found = 0;
  for (int i = 0; i < naryn_diags_count(d); i++) {
    const naryn_diag *g = naryn_diags_get(d, i);
    if (g->severity != NARYN_SEV_ERROR) continue;
    char line[1024];
    naryn_diag_format(g, line, sizeof line);
    if (g->code != NARYN_ENOMEM || !strstr(g->msg, "memory"))
      problem(p, n, "%s (code %d)", line, g->code);
    found = 1;
  }
  if (!found) problem(p, n, "no diagnostic");
}

/* Reports the blocks a run left and forgets them. */
static void expect_no_leak(const phase *p, long n) {
  if (live_count == 0) return;
  char list[600] = "";
  size_t len = 0;
  for (size_t i = 0, shown = 0; i < LIVE_SLOTS && shown < 12; i++)
    if (live[i].p && len < sizeof list - 24) {
      len += (size_t)snprintf(list + len, sizeof list - len, " %ld", live[i].made_by);
      shown++;
    }
  problem(p, n, "%zu blocks leaked, made by allocations%s%s", live_count, list,
          live_count > 12 ? " ..." : "");
  live_reset();
}

/* Runs the phase with allocation N failing for N = 0, 1, ... until a run
** meets no failure, and returns the number of allocations of that run. */
static long oom_loop(phase *p) {
  long n = 0, ran = 0, absorbed = 0;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  problems = 0;
  live_reset();
  const char *only = getenv("NARYN_OOM_PHASE");
  oom_break_here = !only || strcmp(only, p->name) == 0 ? oom_break_run : -1;
  for (;;) {
    naryn_diags *d = naryn_diags_new(0);
    assert_non_null(d);
    arm(n);
    int rc = p->run(p, d);
    disarm();
    long made = oom_count;
    int injected = oom_injected;
    ran++;
    if (!injected) {
      if (rc != NARYN_OK) print_error("%s: %s\n", p->name, tu_first_error(d));
      assert_int_equal(rc, NARYN_OK);
    } else if (rc == NARYN_OK) {
      /* A failure the library could do without (a probe of the umask, a
      ** sync of the folder): allowed when nothing it gives differs. */
      absorbed++;
    } else if (rc != NARYN_ENOMEM) {
      problem(p, n, "status %d (%s), first error: %s", rc, naryn_strerror(rc),
              tu_first_error(d));
    } else {
      expect_only_enomem(p, n, d);
    }
    p->settle(p, !injected || rc == NARYN_OK);
    naryn_diags_free(d);
    expect_no_leak(p, n);
    if (!injected) {
      clock_gettime(CLOCK_MONOTONIC, &t1);
      printf("# %s: %ld allocations; %ld runs, %ld failures absorbed, %.2f s\n",
             p->name, made, ran, absorbed,
             (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
      if (problems) print_error("%s: %d problems\n", p->name, problems);
      assert_int_equal(problems, 0);
      return made;
    }
    n++;
  }
}

/* ====================================================================== */
/* The phases                                                              */
/* ====================================================================== */

static char examples[4096]; /* the examples folder, absolute */

static const char *example(const char *name, char *buf, size_t size) {
  snprintf(buf, size, "%s/%s", examples, name);
  return buf;
}

static naryn_model *load_quietly(const char *path) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_model *m = NULL;
  int rc = naryn_model_load(path, NULL, 0, &m, d);
  if (rc != NARYN_OK) print_error("%s: %s\n", path, tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return m;
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

/* One loop per phase over one model; the reference results are made
** without faults first. */
static void phases_of(const char *model_path, long *counts) {
  naryn_model *m = load_quietly(model_path);
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
  naryn_result_free(sim);
  naryn_result_free(opt);
  naryn_model_free(m);
}

static void single(void **state) {
  (void)state;
  char path[4200];
  long counts[4];
  phases_of(example("single/model.json", path, sizeof path), counts);
  for (int i = 0; i < 4; i++) assert_true(counts[i] > 0);
}

static void cascade(void **state) {
  (void)state;
  char path[4200];
  long counts[4];
  phases_of(example("cascade/model.yaml", path, sizeof path), counts);
  for (int i = 0; i < 4; i++) assert_true(counts[i] > 0);
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
  naryn_model *m = load_quietly(example("single/model.json", path, sizeof path));
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
  naryn_model *m = load_quietly(example("single/model.json", path, sizeof path));
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
  naryn_model *m = load_quietly(example("two-countries/model.yaml", path, sizeof path));
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

/* The injector itself: the Nth allocation fails and the others do not,
** and a block kept past the run is seen. */
static void the_injector_works(void **state) {
  (void)state;
  arm(1);
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

int main(void) {
  const char *brk = getenv("NARYN_OOM_BREAK");
  if (brk) {
    oom_break_run = oom_break_at = atol(brk);
    if (strchr(brk, ':')) oom_break_at = atol(strchr(brk, ':') + 1);
  }
  if (!getcwd(examples, sizeof examples - 10)) return 1;
  strcat(examples, "/examples");
  /* Each test works in a fresh temporary folder. */
#define OOM_TEST(f) cmocka_unit_test_setup_teardown(f, tu_enter_tmpdir, tu_leave_tmpdir)
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(the_injector_works),
      OOM_TEST(single),
      OOM_TEST(cascade),
      OOM_TEST(cascade_scenario),
      OOM_TEST(pareto),
      OOM_TEST(compare),
      OOM_TEST(two_countries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
