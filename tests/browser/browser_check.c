/*
** browser_check.c: opens an HTML report in headless Chromium and checks
** that it really renders.
**
** Usage: browser_check [options] REPORT.html
**
** Chromium is driven over the Chrome DevTools Protocol on two pipes: it
** reads commands from its fd 3 and writes answers and events to its fd 4,
** each message a JSON text ended by a NUL byte. Answers are parsed with the
** project's own document reader (libyaml underneath), and the screenshot is
** decoded with libpng.
**
** The page fails when it logs a console error or warning, throws, has a
** log entry of level error or warning (blocked content, failed loads), or
** requests anything but its own file (data: URLs are fine); when a chart
** (figure.chart) has no svg, an svg of no size, one that is cut off or
** has fewer than three text elements; when a data table (table.data) has
** no body row; when the page is wider than the window or holds a script;
** when footer#end is missing or not last; and when its full-page
** screenshot is blank, not the page's size, or empty where the footer is.
**
** Exit status: 0 when the page passes, 1 when it fails a check (one line
** per problem, naming the report), 2 for bad usage, 3 when Chromium could
** not be started or driven (not installed, crashed, timed out).
**
** Invariants: every exit path after Chromium is started kills its whole
** process group and removes the temporary folder that holds its profile,
** its home and its log; no wait lasts longer than the timeout.
*/
/* realpath() is an X/Open extension of POSIX. */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <png.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "naryn.h"
#include "naryn_int.h"

/* Exit statuses. */
#define EXIT_PASS 0
#define EXIT_PROBLEMS 1
#define EXIT_USAGE 2
#define EXIT_BROWSER 3

/* The most --expect and --expect-text options taken. */
#define MAX_EXPECT 64
/* Bytes read from Chromium at a time. */
#define READ_CHUNK 65536
/* The least share of screenshot pixels, in percent, that must differ from
** the background, and the least number of distinct colours. */
#define MIN_INK_PERCENT 1.0
#define MIN_COLOURS 3
/* Pixels by which the screenshot may differ from the page's size. */
#define SIZE_SLACK 2
/* Lines of Chromium's own output shown when it fails. */
#define LOG_TAIL_LINES 8

/* What the command line asked for. */
typedef struct options {
  const char *report;
  const char *chromium;
  const char *screenshot;
  const char *pdf;
  const char *expect[MAX_EXPECT];
  int n_expect;
  const char *expect_text[MAX_EXPECT];
  int n_expect_text;
  int min_charts, min_tables;
  int width, height;
  int timeout_s;
  int no_sandbox;
  int verbose;
} options;

/* A growable NUL-terminated string on the heap. */
typedef struct sbuf {
  char *s;
  size_t len, cap;
  int failed; /* out of memory: the text is cut short */
} sbuf;

/* One message from Chromium: its parsed tree and the arena holding it. */
typedef struct message {
  naryn__arena *arena;
  naryn__doc *root;
} message;

/* The state of one check. */
typedef struct checker {
  const options *opt;
  char *url;       /* the report's file:// URL */
  char *tmpdir;    /* holds profile/, home/ and chromium.log */
  pid_t pid;       /* Chromium, leader of its own process group; 0 when gone */
  int wait_status; /* set once Chromium has been reaped */
  int to_chrome;   /* our end of Chromium's fd 3 */
  int from_chrome; /* our end of Chromium's fd 4 */
  char *in;        /* bytes read but not yet taken as messages */
  size_t in_len, in_cap;
  int next_id;
  char *session; /* the page's session id */
  int problems;
  int pdf_pages;   /* pages of the printed PDF */
  int console_messages;
  int loaded; /* Page.loadEventFired was seen */
  int crashed;
  int hung;       /* a wait timed out: Chromium is not asked to close */
  double started; /* when the check began, for --verbose */
} checker;

static volatile sig_atomic_t got_signal = 0;

/* Records the signal that asks us to stop; waits then end early. */
static void on_signal(int sig) { got_signal = sig; }

/* ---- Small helpers ------------------------------------------------------ */

/* Seconds on a clock that never jumps. */
static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Sleeps for a number of milliseconds. */
static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

/* Appends n bytes to a string buffer. */
static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->failed) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) cap *= 2;
    char *bigger = realloc(b->s, cap);
    if (!bigger) {
      b->failed = 1;
      return;
    }
    b->s = bigger;
    b->cap = cap;
  }
  memcpy(b->s + b->len, s, n);
  b->len += n;
  b->s[b->len] = '\0';
}

/* Appends formatted text to a string buffer. */
NARYN__PRINTF(2, 3)
static void sb_printf(sbuf *b, const char *fmt, ...) {
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) {
    sb_add(b, small, (size_t)n);
    return;
  }
  char *big = malloc((size_t)n + 1);
  if (!big) {
    b->failed = 1;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_add(b, big, (size_t)n);
  free(big);
}

/* Appends s as a quoted JSON string: quotes, backslashes and control
** characters are escaped, other bytes (UTF-8 included) kept. */
static void sb_json_string(sbuf *b, const char *s) {
  sb_add(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      char e[2] = {'\\', (char)*p};
      sb_add(b, e, 2);
    } else if (*p < 0x20 || *p == 0x7f) {
      sb_printf(b, "\\u%04x", *p);
    } else {
      sb_add(b, (const char *)p, 1);
    }
  }
  sb_add(b, "\"", 1);
}

/* Returns a heap copy of "<dir>/<name>", or NULL. */
static char *path_join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

/* Removes a folder and everything in it; errors are ignored. */
static void remove_tree(const char *path) {
  DIR *dir = opendir(path);
  if (dir) {
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
      char *child = path_join(path, e->d_name);
      if (!child) continue;
      struct stat st;
      if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(child);
      else unlink(child);
      free(child);
    }
    closedir(dir);
  }
  rmdir(path);
}

/* Returns the file:// URL of an absolute path, every byte but letters,
** digits and -._~/ percent-encoded, on the heap, or NULL. */
static char *file_url(const char *abs) {
  sbuf b = {0};
  sb_add(&b, "file://", 7);
  for (const unsigned char *p = (const unsigned char *)abs; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
      sb_add(&b, (const char *)p, 1);
    else
      sb_printf(&b, "%%%02X", *p);
  }
  if (b.failed) {
    free(b.s);
    return NULL;
  }
  return b.s;
}

/* Finds an executable by name in PATH, or takes a name with a slash as it
** is. Returns a heap path, or NULL when there is none. */
static char *find_program(const char *name) {
  if (strchr(name, '/')) return access(name, X_OK) == 0 ? strdup(name) : NULL;
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    size_t n = strcspn(path, ":");
    char *dir = strndup(path, n);
    char *full = dir ? path_join(n ? dir : ".", name) : NULL;
    free(dir);
    if (full && access(full, X_OK) == 0) return full;
    free(full);
    path += n;
    if (*path == ':') path++;
  }
  return NULL;
}

/* ---- Reporting ---------------------------------------------------------- */

/* Reports one problem with the page, on its own line naming the report.
** Control characters in the text (newlines among them) are shown as
** spaces, so that it stays one line and cannot upset a terminal. */
NARYN__PRINTF(2, 3)
static void problem(checker *c, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  for (unsigned char *p = (unsigned char *)line; *p; p++)
    if (*p < 0x20 || *p == 0x7f) *p = ' ';
  fprintf(stderr, "%s: %s\n", c->opt->report, line);
  c->problems++;
}

/* Shows the last lines Chromium wrote to its log, indented. */
static void show_log_tail(const checker *c) {
  char *path = c->tmpdir ? path_join(c->tmpdir, "chromium.log") : NULL;
  FILE *f = path ? fopen(path, "r") : NULL;
  free(path);
  if (!f) return;
  char lines[LOG_TAIL_LINES][256];
  int n = 0;
  while (fgets(lines[n % LOG_TAIL_LINES], sizeof lines[0], f)) n++;
  fclose(f);
  if (n == 0) return;
  fprintf(stderr, "  chromium's last output:\n");
  for (int i = n > LOG_TAIL_LINES ? n - LOG_TAIL_LINES : 0; i < n; i++) {
    char *l = lines[i % LOG_TAIL_LINES];
    l[strcspn(l, "\n")] = '\0';
    fprintf(stderr, "    %s\n", l);
  }
}

/* Reports that the browser itself failed. */
NARYN__PRINTF(2, 3)
static void browser_failed(checker *c, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s: %s\n", c->opt->report, line);
  show_log_tail(c);
}

/* ---- Values in messages ------------------------------------------------- */

/* The value at a dotted path of keys ("params.entry.level"), or NULL. */
static const naryn__doc *at(const naryn__doc *v, const char *path) {
  char key[64];
  while (v && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key) return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    v = naryn__doc_get(v, key);
    path += n;
    if (*path == '.') path++;
  }
  return v;
}

/* The text of a scalar at a path, or "" when there is none. */
static const char *text_at(const naryn__doc *v, const char *path) {
  const naryn__doc *s = at(v, path);
  return s && s->kind == NARYN__DOC_SCALAR && s->str ? s->str : "";
}

/* The number at a path, or 'dflt' when it is missing or not a number. */
static double num_at(const naryn__doc *v, const char *path, double dflt) {
  double x;
  const naryn__doc *s = at(v, path);
  return s && naryn__doc_number(s, &x) == 0 ? x : dflt;
}

/* 1 when the value at a path is the literal true. */
static int true_at(const naryn__doc *v, const char *path) {
  int b = 0;
  const naryn__doc *s = at(v, path);
  return s && naryn__doc_bool(s, &b) == 0 && b;
}

/* Frees a message; accepts one never filled. */
static void message_free(message *m) {
  naryn__arena_free(m->arena);
  m->arena = NULL;
  m->root = NULL;
}

/* Reads four hex digits; returns 0 with the value, or -1. */
static int hex4(const char *s, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char ch = s[i];
    int d = ch >= '0' && ch <= '9'   ? ch - '0'
            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                     : -1;
    if (d < 0) return -1;
    v = v * 16 + (unsigned)d;
  }
  *out = v;
  return 0;
}

/* Rewrites in place the \u escapes of UTF-16 surrogates, which libyaml
** rejects, as the UTF-8 bytes they stand for: a high and low pair becomes
** one four-byte character and a lone half becomes U+FFFD. The text only
** gets shorter; returns its new length. In JSON a backslash only occurs
** inside strings, so every backslash starts an escape. */
static size_t fix_surrogates(char *t, size_t len) {
  size_t r = 0, w = 0;
  while (r < len) {
    unsigned hi = 0, lo = 0;
    if (t[r] != '\\' || r + 1 >= len) {
      t[w++] = t[r++];
      continue;
    }
    if (t[r + 1] != 'u' || r + 6 > len || hex4(t + r + 2, &hi) != 0 || hi < 0xD800 ||
        hi > 0xDFFF) {
      t[w++] = t[r++]; /* the backslash and the escaped character */
      t[w++] = t[r++];
      continue;
    }
    unsigned long cp = 0xFFFD;
    size_t used = 6;
    if (hi <= 0xDBFF && r + 12 <= len && t[r + 6] == '\\' && t[r + 7] == 'u' &&
        hex4(t + r + 8, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
      cp = 0x10000 + (((unsigned long)hi - 0xD800) << 10) + (lo - 0xDC00);
      used = 12;
    }
    if (cp >= 0x10000) {
      t[w++] = (char)(0xF0 | (cp >> 18));
      t[w++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      t[w++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      t[w++] = (char)(0x80 | (cp & 0x3F));
    } else {
      t[w++] = (char)0xEF, t[w++] = (char)0xBF, t[w++] = (char)0xBD;
    }
    r += used;
  }
  return w;
}

/* ---- Base64 ------------------------------------------------------------- */

/* Decodes base64 text (padding optional, no other characters) into a new
** heap buffer. Returns it with its length, or NULL when the text is bad. */
static unsigned char *base64_decode(const char *s, size_t n, size_t *out_len) {
  unsigned char *out = malloc(n / 4 * 3 + 3);
  if (!out) return NULL;
  size_t w = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=') break;
    else {
      free(out);
      return NULL;
    }
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[w++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1;
    }
  }
  *out_len = w;
  return out;
}

/* ---- Starting and stopping Chromium ------------------------------------- */

/* Marks a file descriptor close-on-exec. */
static void cloexec(int fd) { fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC); }

/* Makes the temporary folder with its profile/ and home/ subfolders. */
static int make_tmpdir(checker *c) {
  const char *base = getenv("TMPDIR");
  if (!base || !*base) base = "/tmp";
  char *tmpl = path_join(base, "browser_check.XXXXXX");
  if (!tmpl) return -1;
  if (!mkdtemp(tmpl)) {
    fprintf(stderr, "%s: cannot create a temporary folder in %s: %s\n",
            c->opt->report, base, strerror(errno));
    free(tmpl);
    return -1;
  }
  c->tmpdir = tmpl;
  const char *subs[] = {"profile", "home", "home/.config", "home/.cache"};
  for (size_t i = 0; i < sizeof subs / sizeof *subs; i++) {
    char *p = path_join(tmpl, subs[i]);
    int rc = p ? mkdir(p, 0700) : -1;
    free(p);
    if (rc != 0) return -1;
  }
  return 0;
}

/* Starts Chromium with its command pipe on fd 3 and its answer pipe on
** fd 4, as the leader of a new process group, its output going to
** chromium.log. Returns 0, or -1 after reporting. */
static int start_chromium(checker *c, const char *program) {
  int cmd[2], ans[2];
  if (pipe(cmd) != 0) return -1;
  if (pipe(ans) != 0) {
    close(cmd[0]);
    close(cmd[1]);
    return -1;
  }
  cloexec(cmd[0]), cloexec(cmd[1]), cloexec(ans[0]), cloexec(ans[1]);

  char *profile = path_join(c->tmpdir, "profile");
  char *home = path_join(c->tmpdir, "home");
  char *config = path_join(c->tmpdir, "home/.config");
  char *cache = path_join(c->tmpdir, "home/.cache");
  char *logpath = path_join(c->tmpdir, "chromium.log");
  char user_data[PATH_MAX + 32], size[64];
  snprintf(user_data, sizeof user_data, "--user-data-dir=%s", profile ? profile : "");
  snprintf(size, sizeof size, "--window-size=%d,%d", c->opt->width, c->opt->height);
  const char *argv[32];
  int n = 0;
  argv[n++] = program;
  argv[n++] = "--headless";
  argv[n++] = "--remote-debugging-pipe";
  argv[n++] = "--disable-gpu";
  argv[n++] = "--no-first-run";
  argv[n++] = "--no-default-browser-check";
  argv[n++] = user_data;
  argv[n++] = "--hide-scrollbars";
  argv[n++] = size;
  /* Chromium's own traffic and extras stay off, and shared memory comes
  ** from /tmp, as /dev/shm is small in containers. */
  argv[n++] = "--disable-dev-shm-usage";
  argv[n++] = "--disable-background-networking";
  argv[n++] = "--disable-component-update";
  argv[n++] = "--disable-extensions";
  argv[n++] = "--disable-sync";
  argv[n++] = "--disable-breakpad";
  argv[n++] = "--mute-audio";
  argv[n++] = "--force-color-profile=srgb";
  /* The sandbox cannot work for root; CI runs as root. */
  if (c->opt->no_sandbox || geteuid() == 0) argv[n++] = "--no-sandbox";
  argv[n++] = "about:blank";
  argv[n] = NULL;

  pid_t pid = profile && home && config && cache && logpath ? fork() : -1;
  if (pid == 0) {
    /* The child: move the pipe ends clear of 0-4 first, since any of them
    ** may sit there, then put everything in place. */
    setpgid(0, 0);
    int in = fcntl(cmd[0], F_DUPFD, 10), out = fcntl(ans[1], F_DUPFD, 10);
    int null = open("/dev/null", O_RDONLY);
    int log = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || null < 0 || log < 0) _exit(126);
    dup2(null, 0);
    dup2(log, 1);
    dup2(log, 2);
    if (null > 2) close(null);
    if (log > 2) close(log);
    dup2(in, 3);
    dup2(out, 4);
    close(in);
    close(out);
    /* Chromium writes under HOME and the XDG folders: keep that in the
    ** temporary folder too. */
    setenv("HOME", home, 1);
    setenv("XDG_CONFIG_HOME", config, 1);
    setenv("XDG_CACHE_HOME", cache, 1);
    signal(SIGPIPE, SIG_DFL);
    execv(program, (char *const *)argv);
    _exit(127);
  }
  int err = errno;
  free(profile), free(home), free(config), free(cache), free(logpath);
  close(cmd[0]);
  close(ans[1]);
  if (pid < 0) {
    close(cmd[1]);
    close(ans[0]);
    browser_failed(c, "cannot start chromium: %s", strerror(err));
    return -1;
  }
  setpgid(pid, pid); /* also here, so that it holds before any kill */
  c->pid = pid;
  c->to_chrome = cmd[1];
  c->from_chrome = ans[0];
  return 0;
}

/* Reaps Chromium when it has exited. Returns 1 when it is gone. */
static int reap(checker *c, int block) {
  if (c->pid <= 0) return 1;
  int st;
  pid_t r = waitpid(c->pid, &st, block ? 0 : WNOHANG);
  if (r == c->pid || (r < 0 && errno == ECHILD)) {
    c->wait_status = r == c->pid ? st : 0;
    /* What its children left behind goes with it. */
    kill(-c->pid, SIGKILL);
    c->pid = 0;
    return 1;
  }
  return 0;
}

/* Describes how Chromium ended, for messages. */
static void describe_exit(const checker *c, char *out, size_t size) {
  int st = c->wait_status;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
    snprintf(out, size, "could not be run");
  else if (WIFEXITED(st))
    snprintf(out, size, "exited with status %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    snprintf(out, size, "was killed by signal %d", WTERMSIG(st));
  else
    snprintf(out, size, "ended");
}

/* Waits up to ms milliseconds for Chromium to exit; 1 when it has. */
static int wait_exit(checker *c, int ms) {
  for (int i = 0; i < ms / 20 && !reap(c, 0); i++) sleep_ms(20);
  return reap(c, 0);
}

/* Stops Chromium and its whole process group: by asking it to close, so
** that it ends its own helpers, then by SIGTERM, then for good. Closes
** the pipes. */
static void stop_chromium(checker *c) {
  if (c->pid > 0 && c->to_chrome >= 0 && !got_signal && !c->hung) {
    static const char close_cmd[] = "{\"id\":999999,\"method\":\"Browser.close\"}";
    if (write(c->to_chrome, close_cmd, sizeof close_cmd) == (ssize_t)sizeof close_cmd)
      wait_exit(c, 3000);
  }
  if (c->to_chrome >= 0) close(c->to_chrome);
  if (c->from_chrome >= 0) close(c->from_chrome);
  c->to_chrome = c->from_chrome = -1;
  if (c->pid <= 0) return;
  kill(-c->pid, SIGTERM);
  if (!wait_exit(c, 2000)) {
    kill(-c->pid, SIGKILL);
    reap(c, 1);
  }
}

/* ---- Talking to Chromium ------------------------------------------------ */

/* Sends one command; 'params' is a JSON object or NULL. Commands go to the
** page's session when there is one and 'to_page' is set. Returns the
** command's id, or -1 after reporting. */
static int send_command(checker *c, const char *method, const char *params,
                        int to_page) {
  sbuf b = {0};
  int id = ++c->next_id;
  sb_printf(&b, "{\"id\":%d,\"method\":\"%s\"", id, method);
  if (params) sb_printf(&b, ",\"params\":%s", params);
  if (to_page && c->session) {
    sb_add(&b, ",\"sessionId\":", 13);
    sb_json_string(&b, c->session);
  }
  sb_add(&b, "}", 1);
  sb_add(&b, "", 1); /* the NUL that ends a message is part of it */
  if (c->opt->verbose)
    fprintf(stderr, "browser_check: %6.3f s: %s\n", now_s() - c->started, method);
  if (b.failed) {
    free(b.s);
    browser_failed(c, "out of memory");
    return -1;
  }
  size_t off = 0, len = b.len + 1;
  while (off < len) {
    ssize_t w = write(c->to_chrome, b.s + off, len - off);
    if (w < 0 && errno == EINTR && !got_signal) continue;
    if (w <= 0) {
      /* The pipe is broken: most often Chromium has exited, and how it
      ** exited says more than the write's error, so wait for it as a
      ** closed pipe on reading does. */
      const char *why = w < 0 ? strerror(errno) : "closed";
      free(b.s);
      for (int i = 0; i < 20 && !reap(c, 0); i++) sleep_ms(50);
      if (c->pid == 0) {
        char how[64];
        describe_exit(c, how, sizeof how);
        browser_failed(c, "chromium %s while waiting for %s", how, method);
      } else {
        browser_failed(c, "chromium stopped reading commands (%s)", why);
      }
      return -1;
    }
    off += (size_t)w;
  }
  free(b.s);
  return id;
}

/* Reads what Chromium has written, waiting until the deadline. Returns 1
** when bytes came, 0 at the deadline, -1 when the pipe closed or a signal
** came. */
static int read_more(checker *c, double deadline) {
  for (;;) {
    if (got_signal) return -1;
    double left = deadline - now_s();
    if (left <= 0) return 0;
    struct pollfd p = {c->from_chrome, POLLIN, 0};
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) continue;
    if (c->in_len + READ_CHUNK + 1 > c->in_cap) {
      size_t cap = c->in_cap ? c->in_cap * 2 : 4 * READ_CHUNK;
      while (cap < c->in_len + READ_CHUNK + 1) cap *= 2;
      char *bigger = realloc(c->in, cap);
      if (!bigger) return -1;
      c->in = bigger;
      c->in_cap = cap;
    }
    ssize_t n = read(c->from_chrome, c->in + c->in_len, READ_CHUNK);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return -1;
    c->in_len += (size_t)n;
    return 1;
  }
}

/* Takes the next complete message out of the input, parsed. Returns 1 with
** *m filled, 0 when no whole message has arrived, -1 when one cannot be
** parsed (reported). */
static int next_message(checker *c, message *m) {
  char *end = c->in ? memchr(c->in, '\0', c->in_len) : NULL;
  if (!end) return 0;
  size_t len = (size_t)(end - c->in);
  size_t fixed = fix_surrogates(c->in, len);
  m->arena = naryn__arena_new();
  naryn_diags *d = naryn_diags_new(1);
  m->root = m->arena && d ? naryn__doc_read_buffer("chromium", c->in, fixed, m->arena, d) : NULL;
  int rc = 1;
  if (!m->root) {
    char why[512] = "out of memory";
    const naryn_diag *g = d ? naryn_diags_get(d, 0) : NULL;
    if (g) naryn_diag_format(g, why, sizeof why);
    browser_failed(c, "cannot read chromium's answer: %s", why);
    message_free(m);
    rc = -1;
  }
  naryn_diags_free(d);
  memmove(c->in, end + 1, c->in_len - len - 1);
  c->in_len -= len + 1;
  return rc;
}

/* Joins the values of a console call's arguments into one text. */
static void console_text(const naryn__doc *args, char *out, size_t size) {
  out[0] = '\0';
  for (int i = 0; args && args->kind == NARYN__DOC_SEQ && i < args->n; i++) {
    const naryn__doc *a = args->vals[i];
    const char *t = text_at(a, "value");
    if (!*t) t = text_at(a, "description");
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", i ? " " : "", t);
  }
}

/* 1 when the page may load this URL: its own file (fragment aside),
** data: URLs and about:blank. */
static int url_allowed(const checker *c, const char *url) {
  if (strncmp(url, "data:", 5) == 0 || strcmp(url, "about:blank") == 0) return 1;
  size_t n = strcspn(url, "#");
  return strlen(c->url) == n && strncmp(c->url, url, n) == 0;
}

/* Checks one event and records what it says about the page. */
static void handle_event(checker *c, const naryn__doc *ev) {
  const char *method = text_at(ev, "method");
  const naryn__doc *p = at(ev, "params");
  char text[768];
  if (strcmp(method, "Page.loadEventFired") == 0) {
    c->loaded = 1;
  } else if (strcmp(method, "Runtime.consoleAPICalled") == 0) {
    const char *type = text_at(p, "type");
    c->console_messages++;
    if (strcmp(type, "error") == 0 || strcmp(type, "warning") == 0 ||
        strcmp(type, "assert") == 0) {
      console_text(at(p, "args"), text, sizeof text);
      problem(c, "console %s: %s", type, text);
    }
  } else if (strcmp(method, "Runtime.exceptionThrown") == 0) {
    /* The description's first line is the error; the rest is its stack. */
    const char *what = text_at(p, "exceptionDetails.exception.description");
    if (!*what) what = text_at(p, "exceptionDetails.text");
    problem(c, "uncaught exception at line %.0f: %.*s",
            num_at(p, "exceptionDetails.lineNumber", -1) + 1, (int)strcspn(what, "\n"), what);
  } else if (strcmp(method, "Log.entryAdded") == 0) {
    const char *level = text_at(p, "entry.level");
    if (strcmp(level, "error") == 0 || strcmp(level, "warning") == 0) {
      const char *url = text_at(p, "entry.url");
      problem(c, "logged %s (%s): %s%s%s", level, text_at(p, "entry.source"),
              text_at(p, "entry.text"), *url ? " at " : "", url);
    }
  } else if (strcmp(method, "Network.requestWillBeSent") == 0) {
    const char *url = text_at(p, "request.url");
    if (!url_allowed(c, url)) problem(c, "fetches %.300s (a report must load nothing)", url);
  } else if (strcmp(method, "Inspector.targetCrashed") == 0 ||
             strcmp(method, "Target.targetCrashed") == 0) {
    c->crashed = 1;
  } else if (strcmp(method, "Target.detachedFromTarget") == 0 && c->session &&
             strcmp(text_at(p, "sessionId"), c->session) == 0) {
    c->crashed = 1;
  }
}

/* Waits until the answer to command 'id' arrives, or, when id is 0, until
** the page has loaded; events met on the way are handled. Returns 0 with
** the answer in *m (when id is not 0), or -1 after reporting. */
static int await(checker *c, int id, const char *what, message *m) {
  double deadline = now_s() + c->opt->timeout_s;
  for (;;) {
    message msg = {0};
    int rc;
    while ((rc = next_message(c, &msg)) == 1) {
      const naryn__doc *mid = naryn__doc_get(msg.root, "id");
      int got = -1;
      if (mid && naryn__doc_int(mid, &got) == 0 && id != 0 && got == id) {
        const naryn__doc *err = naryn__doc_get(msg.root, "error");
        if (err) {
          browser_failed(c, "chromium refused %s: %s", what, text_at(err, "message"));
          message_free(&msg);
          return -1;
        }
        *m = msg;
        return 0;
      }
      if (!mid) handle_event(c, msg.root);
      message_free(&msg);
      if (id == 0 && c->loaded) return 0;
    }
    if (rc < 0) return -1;
    if (c->crashed) {
      browser_failed(c, "the page crashed while waiting for %s", what);
      return -1;
    }
    rc = read_more(c, deadline);
    if (rc > 0) continue;
    if (got_signal) {
      browser_failed(c, "stopped by signal %d", (int)got_signal);
      return -1;
    }
    if (rc == 0) {
      c->hung = 1;
      browser_failed(c, "chromium did not answer %s within %d s", what, c->opt->timeout_s);
      return -1;
    }
    /* The pipe closed: Chromium has gone. Give it a moment to be reaped. */
    for (int i = 0; i < 20 && !reap(c, 0); i++) sleep_ms(50);
    char how[64] = "closed its pipe";
    if (c->pid == 0) describe_exit(c, how, sizeof how);
    browser_failed(c, "chromium %s while waiting for %s", how, what);
    return -1;
  }
}

/* Sends a command and waits for its answer. Returns 0 with the answer in
** *m (freed by the caller; pass NULL to drop it), or -1 after reporting. */
static int call(checker *c, const char *method, const char *params, int to_page,
                message *m) {
  int id = send_command(c, method, params, to_page);
  if (id < 0) return -1;
  message local = {0};
  if (await(c, id, method, m ? m : &local) != 0) return -1;
  message_free(&local);
  return 0;
}

/* ---- Opening the page --------------------------------------------------- */

/* Opens a page, attaches to it, turns on the domains whose events are
** watched, sets the window size and loads the report. Returns 0, or -1
** after reporting. */
static int open_report(checker *c) {
  message m = {0};
  if (call(c, "Browser.getVersion", NULL, 0, &m) != 0) return -1;
  message_free(&m);
  if (call(c, "Target.createTarget", "{\"url\":\"about:blank\"}", 0, &m) != 0) return -1;
  sbuf b = {0};
  sb_add(&b, "{\"targetId\":", 12);
  sb_json_string(&b, text_at(m.root, "result.targetId"));
  sb_add(&b, ",\"flatten\":true}", 16);
  message_free(&m);
  int rc = b.failed ? -1 : call(c, "Target.attachToTarget", b.s, 0, &m);
  free(b.s);
  if (rc != 0) return -1;
  c->session = strdup(text_at(m.root, "result.sessionId"));
  message_free(&m);
  if (!c->session || !*c->session) {
    browser_failed(c, "chromium gave no session for the page");
    return -1;
  }
  static const char *const domains[] = {"Page.enable", "Runtime.enable", "Log.enable",
                                        "Network.enable", "Inspector.enable"};
  for (size_t i = 0; i < sizeof domains / sizeof *domains; i++)
    if (call(c, domains[i], NULL, 1, NULL) != 0) return -1;
  char metrics[160];
  snprintf(metrics, sizeof metrics,
           "{\"width\":%d,\"height\":%d,\"deviceScaleFactor\":1,\"mobile\":false}",
           c->opt->width, c->opt->height);
  if (call(c, "Emulation.setDeviceMetricsOverride", metrics, 1, NULL) != 0) return -1;

  /* Only the report's load counts, not that of the blank page before it;
  ** inspect checks that the page is the report. */
  c->loaded = 0;
  sbuf nav = {0};
  sb_add(&nav, "{\"url\":", 7);
  sb_json_string(&nav, c->url);
  sb_add(&nav, "}", 1);
  rc = nav.failed ? -1 : call(c, "Page.navigate", nav.s, 1, &m);
  free(nav.s);
  if (rc != 0) return -1;
  const char *err = text_at(m.root, "result.errorText");
  if (*err) {
    browser_failed(c, "chromium cannot open the report: %s", err);
    message_free(&m);
    return -1;
  }
  message_free(&m);
  return c->loaded ? 0 : await(c, 0, "the page to load (Page.loadEventFired)", NULL);
}

/* ---- Inspecting the page ------------------------------------------------ */

/* What the page reports about itself: the window, its charts and tables,
** footer#end and its text. Measured after web fonts are ready. */
static const char inspect_js[] =
    "(async () => {\n"
    "  await document.fonts.ready;\n"
    "  const box = (e) => { const r = e.getBoundingClientRect();\n"
    "    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; };\n"
    "  const clipper = (e) => {\n"
    "    const a = e.getBoundingClientRect();\n"
    "    for (let p = e.parentElement; p && p !== document.body && p !== document.documentElement;\n"
    "         p = p.parentElement) {\n"
    "      const s = getComputedStyle(p);\n"
    "      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;\n"
    "      const b = p.getBoundingClientRect();\n"
    "      if (a.left < b.left - 1 || a.right > b.right + 1 || a.top < b.top - 1 ||\n"
    "          a.bottom > b.bottom + 1)\n"
    "        return p.tagName.toLowerCase() + (p.id ? '#' + p.id : '');\n"
    "    }\n"
    "    return '';\n"
    "  };\n"
    "  const charts = Array.from(document.querySelectorAll('figure.chart'), (f) => {\n"
    "    const s = f.querySelector('svg');\n"
    "    return {id: f.id, svgs: f.querySelectorAll('svg').length,\n"
    "            texts: s ? s.querySelectorAll('text').length : 0,\n"
    "            box: s ? box(s) : null, clip: s ? clipper(s) : ''};\n"
    "  });\n"
    "  const tables = Array.from(document.querySelectorAll('table.data'), (t) => {\n"
    "    let rows = 0;\n"
    "    for (const b of t.tBodies) rows += b.rows.length;\n"
    "    return {id: t.id, rows: rows};\n"
    "  });\n"
    "  const end = document.querySelector('footer#end');\n"
    "  const all = document.body ? document.body.querySelectorAll('*') : [];\n"
    "  return {url: location.href, width: innerWidth, height: innerHeight,\n"
    "          scrollWidth: document.documentElement.scrollWidth,\n"
    "          scripts: document.scripts.length, charts: charts, tables: tables,\n"
    "          end: end ? box(end) : null,\n"
    "          endLast: !!end && all.length > 0 && end.contains(all[all.length - 1]),\n"
    "          text: document.body ? document.body.innerText : ''};\n"
    "})()";

/* The name of the i-th chart or table in messages: its id, or its place. */
static void item_name(const naryn__doc *item, const char *kind, int i, char *out,
                      size_t size) {
  const char *id = text_at(item, "id");
  if (*id) snprintf(out, size, "%s \"%s\"", kind, id);
  else snprintf(out, size, "%s %d (no id)", kind, i + 1);
}

/* 1 when some item of a list has this id. */
static int has_id(const naryn__doc *list, const char *id) {
  for (int i = 0; list && list->kind == NARYN__DOC_SEQ && i < list->n; i++)
    if (strcmp(text_at(list->vals[i], "id"), id) == 0) return 1;
  return 0;
}

/* Runs inspect_js in the page and checks what it found. Fills the number
** of charts and tables and the footer's box for the screenshot check.
** Returns 0, or -1 when the browser failed (reported). */
static int inspect(checker *c, int *n_charts, int *n_tables, double *end_top,
                   double *end_bottom) {
  sbuf b = {0};
  sb_add(&b, "{\"expression\":", 14);
  sb_json_string(&b, inspect_js);
  sb_add(&b, ",\"returnByValue\":true,\"awaitPromise\":true}", 42);
  message m = {0};
  int rc = b.failed ? -1 : call(c, "Runtime.evaluate", b.s, 1, &m);
  free(b.s);
  if (rc != 0) return -1;
  const naryn__doc *ex = at(m.root, "result.exceptionDetails");
  const naryn__doc *v = at(m.root, "result.result.value");
  if (ex || !v || v->kind != NARYN__DOC_MAP) {
    browser_failed(c, "inspecting the page failed: %s",
                   ex ? text_at(ex, "exception.description") : "no value came back");
    message_free(&m);
    return -1;
  }
  if (!url_allowed(c, text_at(v, "url")) || strncmp(text_at(v, "url"), "file:", 5) != 0) {
    browser_failed(c, "chromium shows %s instead of the report", text_at(v, "url"));
    message_free(&m);
    return -1;
  }
  double width = num_at(v, "width", 0);
  const naryn__doc *charts = at(v, "charts"), *tables = at(v, "tables");
  *n_charts = charts && charts->kind == NARYN__DOC_SEQ ? charts->n : 0;
  *n_tables = tables && tables->kind == NARYN__DOC_SEQ ? tables->n : 0;
  char name[160];
  for (int i = 0; i < *n_charts; i++) {
    const naryn__doc *ch = charts->vals[i];
    item_name(ch, "chart", i, name, sizeof name);
    if (num_at(ch, "svgs", 0) < 1) {
      problem(c, "%s has no svg", name);
      continue;
    }
    double x = num_at(ch, "box.x", 0), w = num_at(ch, "box.w", 0), h = num_at(ch, "box.h", 0);
    if (w < 1 || h < 1)
      problem(c, "%s: its svg has no size (%.0fx%.0f px)", name, w, h);
    else if (x < -0.5 || x + w > width + 0.5)
      problem(c, "%s is cut off: its svg spans x = %.0f to %.0f px of a %.0f px wide window",
              name, x, x + w, width);
    const char *clip = text_at(ch, "clip");
    if (*clip) problem(c, "%s is cut off by its container <%s>", name, clip);
    double texts = num_at(ch, "texts", 0);
    if (texts < 3)
      problem(c, "%s: its svg has %.0f text elements, expected at least 3 (ticks and labels)",
              name, texts);
  }
  for (int i = 0; i < *n_tables; i++) {
    item_name(tables->vals[i], "table", i, name, sizeof name);
    if (num_at(tables->vals[i], "rows", 0) < 1) problem(c, "%s has no body row", name);
  }
  if (*n_charts < c->opt->min_charts)
    problem(c, "has %d charts (figure.chart), expected at least %d", *n_charts,
            c->opt->min_charts);
  if (*n_tables < c->opt->min_tables)
    problem(c, "has %d data tables (table.data), expected at least %d", *n_tables,
            c->opt->min_tables);
  for (int i = 0; i < c->opt->n_expect; i++)
    if (!has_id(charts, c->opt->expect[i]) && !has_id(tables, c->opt->expect[i]))
      problem(c, "has no chart or table with id \"%s\"", c->opt->expect[i]);
  const char *text = text_at(v, "text");
  for (int i = 0; i < c->opt->n_expect_text; i++)
    if (!strstr(text, c->opt->expect_text[i]))
      problem(c, "does not show the text \"%s\"", c->opt->expect_text[i]);
  double sw = num_at(v, "scrollWidth", 0);
  if (sw > width)
    problem(c, "is wider than the window: %.0f px of content in a %.0f px window", sw, width);
  double scripts = num_at(v, "scripts", 0);
  if (scripts > 0) problem(c, "holds %.0f script elements (a report has none)", scripts);
  const naryn__doc *end = at(v, "end");
  *end_top = *end_bottom = -1;
  if (!end || end->kind != NARYN__DOC_MAP) {
    problem(c, "has no footer#end (the page must end with <footer id=\"end\">)");
  } else {
    *end_top = num_at(end, "y", 0);
    *end_bottom = *end_top + num_at(end, "h", 0);
    if (!true_at(v, "endLast")) problem(c, "footer#end is not the last element of the page");
  }
  message_free(&m);
  return 0;
}

/* ---- Screenshot and PDF ------------------------------------------------- */

/* Writes bytes to a file through a temporary name and a rename. Returns 0,
** or -1 after reporting. */
static int write_atomically(checker *c, const char *path, const unsigned char *data,
                            size_t len) {
  naryn_diags *d = naryn_diags_new(1);
  if (!d) return -1;
  naryn__outfile *f = naryn__outfile_open(path, d);
  int rc = -1;
  if (f) {
    naryn__outfile_write(f, (const char *)data, len);
    rc = naryn__outfile_commit(f, d) == NARYN_OK ? 0 : -1;
  }
  if (rc != 0) {
    char why[512] = "cannot write";
    const naryn_diag *g = naryn_diags_get(d, 0);
    if (g) naryn_diag_format(g, why, sizeof why);
    problem(c, "%s", why);
  }
  naryn_diags_free(d);
  return rc;
}

/* Checks a decoded screenshot of the whole page: its size, that it is not
** blank, and that it shows something where footer#end lies (rows
** end_top to end_bottom). Fills the share of ink in percent. */
static void check_pixels(checker *c, const unsigned char *rgb, int w, int h, double page_w,
                         double page_h, double end_top, double end_bottom, double *ink_pct) {
  if (fabs(w - page_w) > SIZE_SLACK || fabs(h - page_h) > SIZE_SLACK)
    problem(c, "the screenshot is %dx%d px but the page is %.0fx%.0f px: it is cut off", w, h,
            page_w, page_h);
  /* Colours are counted at 5 bits a channel; the commonest is the
  ** background and every other is ink. */
  size_t *count = calloc(1u << 15, sizeof *count);
  if (!count) return;
  size_t total = (size_t)w * (size_t)h;
  for (size_t i = 0; i < total; i++) {
    const unsigned char *p = rgb + 3 * i;
    count[((unsigned)(p[0] >> 3) << 10) | ((unsigned)(p[1] >> 3) << 5) | (p[2] >> 3)]++;
  }
  unsigned bg = 0;
  int colours = 0;
  for (unsigned k = 0; k < (1u << 15); k++) {
    if (count[k] > count[bg]) bg = k;
    if (count[k]) colours++;
  }
  size_t ink = total - count[bg];
  free(count);
  *ink_pct = total ? 100.0 * (double)ink / (double)total : 0;
  if (*ink_pct < MIN_INK_PERCENT || colours < MIN_COLOURS)
    problem(c, "the screenshot is blank: %.2f %% of its pixels differ from the background "
               "and it has %d colours (expected at least %.0f %% and %d)",
            *ink_pct, colours, MIN_INK_PERCENT, MIN_COLOURS);
  if (end_top < 0) return;
  int y0 = (int)floor(end_top), y1 = (int)ceil(end_bottom);
  if (y0 < 0) y0 = 0;
  if (y1 > h) y1 = h;
  size_t end_ink = 0;
  for (int y = y0; y < y1; y++)
    for (int x = 0; x < w; x++) {
      const unsigned char *p = rgb + 3 * ((size_t)y * (size_t)w + (size_t)x);
      unsigned k = ((unsigned)(p[0] >> 3) << 10) | ((unsigned)(p[1] >> 3) << 5) | (p[2] >> 3);
      if (k != bg) end_ink++;
    }
  if (end_ink == 0)
    problem(c, "the screenshot shows nothing where footer#end is (y = %.0f to %.0f px): the "
               "page was not captured to its end",
            end_top, end_bottom);
}

/* Takes a screenshot of the whole page, writes it when asked and checks
** it. Returns 0, or -1 when the browser failed (reported). */
static int screenshot(checker *c, double end_top, double end_bottom, int *shot_w,
                      int *shot_h, double *ink_pct) {
  message m = {0};
  if (call(c, "Page.getLayoutMetrics", NULL, 1, &m) != 0) return -1;
  double page_w = num_at(m.root, "result.cssContentSize.width", 0);
  double page_h = num_at(m.root, "result.cssContentSize.height", 0);
  message_free(&m);
  if (page_w < 1 || page_h < 1) {
    problem(c, "the page has no size (%.0fx%.0f px)", page_w, page_h);
    return 0;
  }
  char params[256];
  snprintf(params, sizeof params,
           "{\"format\":\"png\",\"captureBeyondViewport\":true,\"clip\":{\"x\":0,\"y\":0,"
           "\"width\":%.0f,\"height\":%.0f,\"scale\":1}}",
           ceil(page_w), ceil(page_h));
  if (call(c, "Page.captureScreenshot", params, 1, &m) != 0) return -1;
  const naryn__doc *data = at(m.root, "result.data");
  size_t png_len = 0;
  unsigned char *png =
      data && data->str ? base64_decode(data->str, data->len, &png_len) : NULL;
  message_free(&m);
  if (!png) {
    browser_failed(c, "chromium's screenshot is not base64 data");
    return -1;
  }
  if (c->opt->screenshot) write_atomically(c, c->opt->screenshot, png, png_len);

  png_image img;
  memset(&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  unsigned char *rgb = NULL;
  if (png_image_begin_read_from_memory(&img, png, png_len)) {
    img.format = PNG_FORMAT_RGB;
    rgb = malloc(PNG_IMAGE_SIZE(img));
    if (rgb && !png_image_finish_read(&img, NULL, rgb, 0, NULL)) {
      free(rgb);
      rgb = NULL;
    }
  }
  free(png);
  if (!rgb) {
    problem(c, "the screenshot cannot be decoded: %s", img.message[0] ? img.message : "out of memory");
    png_image_free(&img);
    return 0;
  }
  *shot_w = (int)img.width;
  *shot_h = (int)img.height;
  check_pixels(c, rgb, *shot_w, *shot_h, round(page_w), round(page_h), end_top, end_bottom,
               ink_pct);
  free(rgb);
  png_image_free(&img);
  return 0;
}

/* A4 in PDF points (1/72 inch), and its printable width in CSS pixels
** (96 to the inch) inside the report's page margins of 12 mm. */
#define A4_W_PT 595.28
#define A4_H_PT 841.89
#define A4_PRINT_PX 703

/* What would not fit on an A4 page, measured in print media at the
** printable width: every data table, chart and other box that reaches
** past the page's right edge, and every box that cuts off what it holds
** (a table in a scrolling box cannot be scrolled on paper). */
static const char print_js[] =
    "(() => {\n"
    "  const w = document.documentElement.clientWidth, out = [];\n"
    "  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +\n"
    "    (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : '');\n"
    "  for (const e of document.querySelectorAll('table.data, svg.chart, figure, dl, p, h1, h2')) {\n"
    "    const r = e.getBoundingClientRect();\n"
    "    if (r.right > w + 1 || r.left < -1)\n"
    "      out.push(name(e) + ' spans x = ' + Math.round(r.left) + ' to ' + Math.round(r.right) + ' px');\n"
    "  }\n"
    "  for (const e of document.querySelectorAll('body *')) {\n"
    "    const s = getComputedStyle(e);\n"
    "    if (s.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)\n"
    "      out.push(name(e) + ' cuts off its content: ' + e.scrollWidth + ' px in ' +\n"
    "               e.clientWidth + ' px');\n"
    "  }\n"
    "  return {width: w, scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 8),\n"
    "          n: out.length};\n"
    "})()";

/* The page sizes of a PDF, from its pages' /MediaBox entries (Chromium
** writes page dictionaries uncompressed). Counts the pages, and those not
** A4 (within 2 points). */
static void pdf_pages(const unsigned char *pdf, size_t len, int *pages, int *not_a4,
                      double *w_pt, double *h_pt) {
  *pages = *not_a4 = 0;
  *w_pt = *h_pt = 0;
  static const char key[] = "/MediaBox";
  for (size_t i = 0; i + sizeof key < len; i++) {
    if (memcmp(pdf + i, key, sizeof key - 1) != 0) continue;
    char box[128];
    size_t n = len - i - (sizeof key - 1) < sizeof box - 1 ? len - i - (sizeof key - 1)
                                                          : sizeof box - 1;
    memcpy(box, pdf + i + sizeof key - 1, n);
    box[n] = '\0';
    double x0, y0, x1, y1;
    if (sscanf(box, " [%lf %lf %lf %lf", &x0, &y0, &x1, &y1) != 4) continue;
    ++*pages;
    *w_pt = x1 - x0, *h_pt = y1 - y0;
    if (fabs(*w_pt - A4_W_PT) > 2 || fabs(*h_pt - A4_H_PT) > 2) ++*not_a4;
  }
}

/* Checks the page as printed on A4 and prints it to PDF: in print media
** at the printable width nothing may reach past the page or be cut off
** by its box; the PDF must be A4, every page. Writes the PDF. Returns 0,
** or -1 when the browser failed (reported). */
static int print_pdf(checker *c) {
  message m = {0};
  if (call(c, "Emulation.setEmulatedMedia", "{\"media\":\"print\"}", 1, NULL) != 0) return -1;
  char metrics[160];
  snprintf(metrics, sizeof metrics,
           "{\"width\":%d,\"height\":%d,\"deviceScaleFactor\":1,\"mobile\":false}",
           A4_PRINT_PX, c->opt->height);
  if (call(c, "Emulation.setDeviceMetricsOverride", metrics, 1, NULL) != 0) return -1;
  sbuf b = {0};
  sb_add(&b, "{\"expression\":", 14);
  sb_json_string(&b, print_js);
  sb_add(&b, ",\"returnByValue\":true}", 22);
  int rc = b.failed ? -1 : call(c, "Runtime.evaluate", b.s, 1, &m);
  free(b.s);
  if (rc != 0) return -1;
  const naryn__doc *v = at(m.root, "result.result.value");
  if (!v || v->kind != NARYN__DOC_MAP) {
    browser_failed(c, "measuring the page in print media failed");
    message_free(&m);
    return -1;
  }
  const naryn__doc *out = at(v, "out");
  double width = num_at(v, "width", 0), sw = num_at(v, "scrollWidth", 0);
  if (sw > width + 1)
    problem(c, "printed on A4 is wider than the page: %.0f px of content in %.0f px", sw,
            width);
  for (int i = 0; out && out->kind == NARYN__DOC_SEQ && i < out->n; i++)
    problem(c, "printed on A4 (%.0f px wide): %s", width,
            out->vals[i]->str ? out->vals[i]->str : "");
  if (num_at(v, "n", 0) > 8)
    problem(c, "printed on A4: %.0f more boxes do not fit", num_at(v, "n", 0) - 8);
  message_free(&m);

  if (call(c, "Page.printToPDF",
           "{\"printBackground\":true,\"preferCSSPageSize\":true,"
           "\"paperWidth\":8.27,\"paperHeight\":11.69}", 1, &m) != 0)
    return -1;
  const naryn__doc *data = at(m.root, "result.data");
  size_t len = 0;
  unsigned char *pdf = data && data->str ? base64_decode(data->str, data->len, &len) : NULL;
  message_free(&m);
  if (!pdf || len < 5 || memcmp(pdf, "%PDF", 4) != 0) {
    problem(c, "printing gave no PDF (%zu bytes)", pdf ? len : 0);
  } else {
    int pages, not_a4;
    double w_pt, h_pt;
    pdf_pages(pdf, len, &pages, &not_a4, &w_pt, &h_pt);
    if (pages == 0) problem(c, "the PDF has no page with a /MediaBox");
    else if (not_a4) problem(c, "%d of the PDF's %d pages are not A4 (one is %.1f x %.1f pt)",
                             not_a4, pages, w_pt, h_pt);
    c->pdf_pages = pages;
    write_atomically(c, c->opt->pdf, pdf, len);
  }
  free(pdf);
  return 0;
}

/* ---- The command line --------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "Usage: browser_check [options] REPORT.html\n"
          "Opens the report in headless Chromium and checks that it renders.\n"
          "  --expect ID         a chart or table with this id must exist (repeatable)\n"
          "  --expect-text TEXT  the page must show this text (repeatable)\n"
          "  --min-charts N      at least N figure.chart elements\n"
          "  --min-tables N      at least N table.data elements\n"
          "  --width PX          window width (default 1280)\n"
          "  --screenshot FILE   write the full-page PNG there\n"
          "  --pdf FILE          also check the page in print media at A4's printable\n"
          "                      width (nothing wider, nothing cut off), print it to\n"
          "                      PDF, check that every page is A4, and write it there\n"
          "  --timeout S         longest wait for Chromium, in seconds (default 60)\n"
          "  --chromium PROGRAM  the browser (default $CHROMIUM, or chromium in PATH)\n"
          "  --no-sandbox        run Chromium without its sandbox (always so as root)\n"
          "  --verbose           show each step with the time it began\n"
          "Exit status: 0 passed, 1 the page failed a check, 2 bad usage,\n"
          "3 Chromium could not be run or driven.\n");
}

/* Parses a whole positive number within [lo, hi]; -1 when it is not one. */
static int parse_int(const char *s, int lo, int hi) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  return (int)v;
}

/* Fills options from argv. Returns 0, or EXIT_USAGE after a message, or
** -1 when help was shown. */
static int parse_args(int argc, char **argv, options *o) {
  memset(o, 0, sizeof *o);
  o->width = 1280;
  o->height = 800;
  o->timeout_s = 60;
  o->chromium = getenv("CHROMIUM");
  if (!o->chromium || !*o->chromium) o->chromium = "chromium";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    int *num = NULL, lo = 0, hi = 0;
    const char **str = NULL;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      return -1;
    } else if (strcmp(a, "--no-sandbox") == 0) {
      o->no_sandbox = 1;
      continue;
    } else if (strcmp(a, "--verbose") == 0) {
      o->verbose = 1;
      continue;
    } else if (strcmp(a, "--expect") == 0 || strcmp(a, "--expect-text") == 0) {
      int text = a[8] == '-';
      int *n = text ? &o->n_expect_text : &o->n_expect;
      if (*n >= MAX_EXPECT) {
        fprintf(stderr, "browser_check: at most %d %s options\n", MAX_EXPECT, a);
        return EXIT_USAGE;
      }
      str = text ? &o->expect_text[*n] : &o->expect[*n];
      if (val) ++*n;
    } else if (strcmp(a, "--min-charts") == 0) {
      num = &o->min_charts, lo = 0, hi = 1000000;
    } else if (strcmp(a, "--min-tables") == 0) {
      num = &o->min_tables, lo = 0, hi = 1000000;
    } else if (strcmp(a, "--width") == 0) {
      num = &o->width, lo = 200, hi = 10000;
    } else if (strcmp(a, "--timeout") == 0) {
      num = &o->timeout_s, lo = 1, hi = 3600;
    } else if (strcmp(a, "--screenshot") == 0) {
      str = &o->screenshot;
    } else if (strcmp(a, "--pdf") == 0) {
      str = &o->pdf;
    } else if (strcmp(a, "--chromium") == 0) {
      str = &o->chromium;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "browser_check: unknown option \"%s\"\n", a);
      return EXIT_USAGE;
    } else if (o->report) {
      fprintf(stderr, "browser_check: expected one report, got \"%s\" and \"%s\"\n",
              o->report, a);
      return EXIT_USAGE;
    } else {
      o->report = a;
      continue;
    }
    if (!val) {
      fprintf(stderr, "browser_check: expected a value after %s\n", a);
      return EXIT_USAGE;
    }
    if (num && (*num = parse_int(val, lo, hi)) < 0) {
      fprintf(stderr, "browser_check: %s: expected a whole number from %d to %d, got \"%s\"\n",
              a, lo, hi, val);
      return EXIT_USAGE;
    }
    if (str) *str = val;
    i++;
  }
  if (!o->report) {
    usage(stderr);
    return EXIT_USAGE;
  }
  return 0;
}

/* ---- Main ----------------------------------------------------------------- */

/* Runs every check once Chromium is up. Returns the exit status. */
static int run_checks(checker *c) {
  if (open_report(c) != 0) return EXIT_BROWSER;
  int n_charts = 0, n_tables = 0, shot_w = 0, shot_h = 0;
  double end_top = -1, end_bottom = -1, ink = 0;
  if (inspect(c, &n_charts, &n_tables, &end_top, &end_bottom) != 0) return EXIT_BROWSER;
  if (screenshot(c, end_top, end_bottom, &shot_w, &shot_h, &ink) != 0) return EXIT_BROWSER;
  if (c->opt->pdf && print_pdf(c) != 0) return EXIT_BROWSER;
  if (c->problems) {
    fprintf(stderr, "%s: FAILED: %d problem%s\n", c->opt->report, c->problems,
            c->problems == 1 ? "" : "s");
    return EXIT_PROBLEMS;
  }
  printf("%s: %d chart%s, %d table%s, %d console message%s, screenshot %dx%d (%.1f %% ink)%s\n",
         c->opt->report, n_charts, n_charts == 1 ? "" : "s", n_tables,
         n_tables == 1 ? "" : "s", c->console_messages, c->console_messages == 1 ? "" : "s",
         shot_w, shot_h, ink, c->opt->pdf ? ", PDF printed" : "");
  if (c->opt->pdf) printf("%s: printed on %d A4 pages, nothing cut off\n", c->opt->report,
                          c->pdf_pages);
  return EXIT_PASS;
}

int main(int argc, char **argv) {
  options opt;
  int rc = parse_args(argc, argv, &opt);
  if (rc) return rc < 0 ? 0 : rc;

  checker c;
  memset(&c, 0, sizeof c);
  c.opt = &opt;
  c.to_chrome = c.from_chrome = -1;
  c.started = now_s();

  char *abs = realpath(opt.report, NULL);
  struct stat st;
  if (!abs || stat(abs, &st) != 0 || !S_ISREG(st.st_mode)) {
    fprintf(stderr, "%s: cannot open the report: %s\n", opt.report,
            abs ? "not a regular file" : strerror(errno));
    free(abs);
    return EXIT_USAGE;
  }
  c.url = file_url(abs);
  free(abs);
  char *program = find_program(opt.chromium);
  if (!program) {
    fprintf(stderr, "%s: %s not found: install Debian's chromium package "
                    "(scripts/deps --test)\n",
            opt.report, opt.chromium);
    free(c.url);
    return EXIT_BROWSER;
  }

  /* From here on Chromium and the temporary folder must go on every path;
  ** a signal only makes the waits end early. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  rc = EXIT_BROWSER;
  if (!c.url || make_tmpdir(&c) != 0) {
    fprintf(stderr, "%s: cannot prepare a temporary folder\n", opt.report);
  } else if (start_chromium(&c, program) == 0) {
    rc = run_checks(&c);
  }
  stop_chromium(&c);
  if (opt.verbose) fprintf(stderr, "browser_check: %6.3f s: stopped\n", now_s() - c.started);
  if (c.tmpdir) {
    /* Late writers of the profile may still be going down: try again. */
    for (int i = 0; i < 5; i++) {
      remove_tree(c.tmpdir);
      if (access(c.tmpdir, F_OK) != 0) break;
      sleep_ms(100);
    }
  }
  free(c.tmpdir);
  free(c.url);
  free(c.session);
  free(c.in);
  free(program);
  if (got_signal) rc = 128 + got_signal;
  return rc;
}
