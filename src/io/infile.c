/*
** infile.c: input files (models, scenarios, CSV tables) read whole, with
** limits.
**
** An input path may name anything: a directory, a FIFO that never ends,
** /dev/zero, or a file far larger than any model. Such a path is refused
** before it is read, so that no input can make naryn wait forever or read
** until memory runs out:
** - only regular files are read; a FIFO is opened without blocking, so
**   that asking what it is cannot hang;
** - a file larger than the caller's limit is refused from its size, and a
**   file that grows past the limit while it is read (or whose size the
**   system does not know, as in /proc) is refused when it gets there;
** - the text is also checked for the byte patterns of UTF-16 and UTF-32,
**   which would otherwise be reported as stray control characters.
** The buffer returned holds the file's bytes and one NUL after them.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../naryn_int.h"

/* Writes into buf a size in bytes as a reader would say it: "64 MiB",
** "1.5 GiB", "900 bytes". */
static void show_size(char *buf, size_t size, unsigned long long bytes) {
  static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) {
    snprintf(buf, size, "%llu byte%s", bytes, bytes == 1 ? "" : "s");
    return;
  }
  double x = (double)bytes / 1024;
  int u = 0;
  while (x >= 1024 && u < 3) x /= 1024, u++;
  if (x == (double)(unsigned long long)x)
    snprintf(buf, size, "%.0f %s", x, units[u]);
  else
    snprintf(buf, size, "%.1f %s", x, units[u]);
}

/* Names the kind of a file that is not a regular one: "a directory". */
static const char *kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISFIFO(mode)) return "FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "socket";
  return "special file";
}

/* Writes the problem with a file of this mode and size, if any, into msg
** and returns 1; returns 0 for a regular file within the limit. 'name',
** when not NULL, is quoted after the kind of file. */
static int describe_problem(mode_t mode, unsigned long long bytes,
                            size_t max_bytes, const char *name, char *msg,
                            size_t size) {
  if (!S_ISREG(mode)) {
    const char *kind = kind_of(mode);
    if (name)
      snprintf(msg, size, "expected a regular file, got the %s \"%.200s\"",
               kind, name);
    else
      snprintf(msg, size, "expected a regular file, got a%s %s",
               strchr("aeiou", kind[0]) ? "n" : "", kind);
    return 1;
  }
  if (bytes > max_bytes) {
    char limit[32], got[32];
    show_size(limit, sizeof limit, max_bytes);
    show_size(got, sizeof got, bytes);
    if (name)
      snprintf(msg, size, "expected a file of at most %s, got \"%.200s\" of "
               "%llu bytes (%s)", limit, name, bytes, got);
    else
      snprintf(msg, size, "expected a file of at most %s, got %llu bytes (%s)",
               limit, bytes, got);
    return 1;
  }
  return 0;
}

int naryn__infile_check(const char *path, size_t max_bytes, const char *name,
                        char *msg, size_t size) {
  struct stat st;
  if (stat(path, &st) != 0) return -1;
  return describe_problem(st.st_mode, (unsigned long long)st.st_size,
                          max_bytes, name, msg, size);
}

const char *naryn__infile_encoding(const char *text, size_t len) {
  const unsigned char *u = (const unsigned char *)text;
  /* Byte-order marks first; UTF-32's little-endian mark starts like
  ** UTF-16's. */
  if (len >= 4 && memcmp(u, "\xFF\xFE\0\0", 4) == 0) return "UTF-32 (little-endian)";
  if (len >= 4 && memcmp(u, "\0\0\xFE\xFF", 4) == 0) return "UTF-32 (big-endian)";
  if (len >= 2 && memcmp(u, "\xFF\xFE", 2) == 0) return "UTF-16 (little-endian)";
  if (len >= 2 && memcmp(u, "\xFE\xFF", 2) == 0) return "UTF-16 (big-endian)";
  /* Without a mark, text in these encodings shows its first character
  ** (almost always below U+0100) next to zero bytes, which UTF-8 text
  ** never holds. */
  if (len >= 4 && u[0] && !u[1] && !u[2] && !u[3]) return "UTF-32 (little-endian)";
  if (len >= 4 && !u[0] && !u[1] && !u[2] && u[3]) return "UTF-32 (big-endian)";
  if (len >= 2 && u[0] && !u[1]) return "UTF-16 (little-endian)";
  if (len >= 2 && !u[0] && u[1]) return "UTF-16 (big-endian)";
  return NULL;
}

/* Reports a problem with the file itself, which has no line. */
static char *fail(naryn_diags *d, int code, const char *path, const char *msg) {
  naryn__diag(d, code, NARYN_SEV_ERROR, path, 0, 0, NULL, "%s", msg);
  return NULL;
}

/* Reads from fd into a heap buffer that already holds n bytes of cap,
** growing it, until the end of the file or max_bytes + 1 bytes. Returns
** the buffer (with *n updated), or NULL with *err set; frees buf then. */
static char *read_rest(int fd, char *buf, size_t *n, size_t cap,
                       size_t max_bytes, int *err) {
  for (;;) {
    if (*n + 1 >= cap) {
      if (cap > max_bytes + 1) return buf; /* past the limit: stop */
      size_t more = cap < max_bytes / 2 ? cap * 2 : max_bytes + 2;
      char *bigger = realloc(buf, more);
      if (!bigger) {
        free(buf);
        *err = ENOMEM;
        return NULL;
      }
      buf = bigger;
      cap = more;
    }
    ssize_t got = read(fd, buf + *n, cap - 1 - *n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      *err = errno;
      free(buf);
      return NULL;
    }
    if (got == 0) return buf;
    *n += (size_t)got;
  }
}

char *naryn__infile_read(const char *path, size_t max_bytes, naryn__arena *a,
                         size_t *len, naryn_diags *d) {
  char msg[320];
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
    return fail(d, NARYN_EIO, path, msg);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
    close(fd);
    return fail(d, NARYN_EIO, path, msg);
  }
  if (describe_problem(st.st_mode, (unsigned long long)st.st_size, max_bytes,
                       NULL, msg, sizeof msg)) {
    close(fd);
    return fail(d, NARYN_EIO, path, msg);
  }
  /* The file is read straight into its final place, with room for the
  ** size the system gives, the NUL and one byte more that shows whether
  ** the file has grown since fstat (or had no known size). Only then is a
  ** growing heap buffer used. */
  size_t cap = (size_t)st.st_size + 2, n = 0;
  char *buf = a ? naryn__arena_alloc(a, cap) : malloc(cap);
  int err = buf ? 0 : ENOMEM;
  while (!err && n < cap - 1) {
    ssize_t got = read(fd, buf + n, cap - 1 - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) err = errno;
    if (got <= 0) break;
    n += (size_t)got;
  }
  if (!err && n == cap - 1) {
    char *heap = malloc(cap);
    if (!heap) err = ENOMEM;
    else memcpy(heap, buf, n);
    if (!a) free(buf);
    buf = heap ? read_rest(fd, heap, &n, cap, max_bytes, &err) : NULL;
    if (buf && n <= max_bytes && a) {
      char *copy = naryn__arena_alloc(a, n + 1);
      if (copy) memcpy(copy, buf, n);
      else err = ENOMEM;
      free(buf);
      buf = copy;
    }
  }
  close(fd);
  if (err) {
    if (buf && !a) free(buf);
    snprintf(msg, sizeof msg, "cannot read: %s", strerror(err));
    return fail(d, err == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, path, msg);
  }
  if (n > max_bytes) {
    /* It grew past the limit while it was read, so buf is still the heap
    ** buffer, whether or not an arena was given. */
    free(buf);
    char limit[32];
    show_size(limit, sizeof limit, max_bytes);
    snprintf(msg, sizeof msg, "expected a file of at most %s, got more", limit);
    return fail(d, NARYN_EIO, path, msg);
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}
