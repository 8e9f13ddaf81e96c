/*
** outfile.c: result files written whole or not at all.
**
** A result file is written under a temporary name,
** ".<name>.naryn-tmp-PID-XXXXXX", in the directory it will end up in, and renamed over its final name only
** once every byte has been written and synced. rename() within a directory
** is atomic, so a reader sees either the previous file or the complete new
** one; a run that is killed leaves at most a hidden temporary file, which
** the next one writing the same file removes (its process being gone).
** A command's whole output is put in place in one step by staging.c.
**
** Invariants:
** - Between open and commit or abort the final path is never touched.
** - The first write error is remembered (errno) and later writes are
**   skipped; commit reports it and removes the temporary.
** - commit and abort always free the object and never leave the temporary
**   behind, except when the process dies first.
** - A committed file has the mode an ordinary creat() would give it,
**   0666 & ~umask, not mkstemp's 0600.
*/
#define _GNU_SOURCE /* sync_file_range */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../naryn_int.h"

/* The buffer of each file: results are written in many small pieces, and
** a few large write() calls are much cheaper than many small ones. The
** pieces are copied into it without stdio, whose locking and format
** parsing cost more than the copying. */
#define OUT_BUFFER_BYTES (1024 * 1024)

/* A large file's pages are handed to the disk as it is written, each
** WRITEBACK_BYTES, so that its sync at the end waits only for the last
** of them instead of for the whole file: the disk works while the run
** goes on. */
#define WRITEBACK_BYTES (8L * 1024 * 1024)

struct naryn__outfile {
  int fd;     /* the temporary file, or -1 once closed */
  char *path; /* the final name, as given */
  char *tmp;  /* the temporary name, in the same directory */
  char *buf;  /* OUT_BUFFER_BYTES bytes not yet written; freed when closed */
  size_t len; /* bytes held in buf */
  int err;    /* the first errno met while writing, or 0 */
  int synced; /* written out, given its mode and synced by outfile_sync */
  off_t written, started; /* bytes written; of them, handed to the disk */
};

/* Returns a heap copy of the directory part of path ("." when there is
** none, "/" for a file in the root), or NULL when out of memory. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *s = malloc(n + 1);
  if (!s) return NULL;
  memcpy(s, path, n);
  s[n] = '\0';
  return s;
}

/* Returns 1 when p names a directory (or a link to one). */
static int dir_exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Creates 'p' as a directory unless it is one already. Returns 0, or -1
** with errno set (ENOTDIR when p exists and is not a directory). */
static int make_one(const char *p) {
  if (mkdir(p, 0777) == 0) return 0;
  int e = errno;
  struct stat st;
  if (stat(p, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return 0;
    e = ENOTDIR;
  }
  errno = e;
  return -1;
}

/* Creates dir and its missing parents with mode 0777 & ~umask, like
** mkdir -p; directories that exist already are fine. Every failure is
** NARYN_EIO, but running out of memory, which is NARYN_ENOMEM; each is
** reported against 'shown' (the folder the caller was asked for). */
int naryn__mkdirs_for(const char *dir, const char *shown, naryn_diags *d) {
  if (!dir || !*dir) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, shown && *shown ? shown : NULL,
                0, 0, NULL, "cannot create directory: %s", strerror(ENOENT));
    return NARYN_EIO;
  }
  if (dir_exists(dir)) return NARYN_OK;
  char *buf = strdup(dir);
  if (!buf)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, shown, 0, 0, NULL,
                       "cannot create directory: %s", strerror(ENOMEM));
  /* Create each prefix ending before a '/', then the whole path; empty
  ** components (leading, doubled or trailing slashes) are skipped. */
  int rc = 0;
  for (char *s = buf + 1; rc == 0; s++) {
    if (*s != '/' && *s != '\0') continue;
    char c = *s;
    *s = '\0';
    if (s[-1] != '/') rc = make_one(buf);
    *s = c;
    if (c == '\0') break;
  }
  int e = errno;
  free(buf);
  if (rc != 0) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, shown, 0, 0, NULL,
                "cannot create directory: %s", strerror(e));
    return NARYN_EIO;
  }
  return NARYN_OK;
}

int naryn__mkdirs(const char *dir, naryn_diags *d) {
  return naryn__mkdirs_for(dir, dir, d);
}

/* Frees the object without touching any file. */
static void outfile_free(naryn__outfile *f) {
  free(f->path);
  free(f->tmp);
  free(f->buf);
  free(f);
}

/* Creates the temporary ".<name>.naryn-tmp-PID-XXXXXX" next to path with
** mkstemp and opens it for buffered writing; the temporaries of the same
** file left by killed processes are removed first. */
naryn__outfile *naryn__outfile_open(const char *path, naryn_diags *d) {
  char suffix[64];
  snprintf(suffix, sizeof suffix, NARYN__TEMP_TAG "%ld-XXXXXX", (long)getpid());
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t dirlen = (size_t)(base - path), baselen = strlen(base);
  int err = 0;
  if (baselen == 0) {
    /* "out/" names a directory, not a file. */
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot write: %s", strerror(EISDIR));
    return NULL;
  }
  naryn__outfile *f = calloc(1, sizeof *f);
  if (f) {
    f->fd = -1;
    f->path = strdup(path);
    f->tmp = malloc(dirlen + 1 + baselen + strlen(suffix) + 1);
    f->buf = malloc(OUT_BUFFER_BYTES);
  }
  if (!f || !f->path || !f->tmp || !f->buf) {
    if (f) outfile_free(f);
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot write: %s", strerror(ENOMEM));
    return NULL;
  }
  memcpy(f->tmp, path, dirlen);
  f->tmp[dirlen] = '.';
  memcpy(f->tmp + dirlen + 1, base, baselen);
  memcpy(f->tmp + dirlen + 1 + baselen, suffix, strlen(suffix) + 1);
  /* Stale temporaries of this file: ".<name>" then the tag. */
  {
    char *dir = dir_of(path);
    size_t plen = 1 + baselen + strlen(NARYN__TEMP_TAG);
    char *prefix = malloc(plen + 1);
    if (dir && prefix) {
      snprintf(prefix, plen + 1, ".%s" NARYN__TEMP_TAG, base);
      naryn__clean_stale(dir, prefix);
    }
    free(prefix);
    free(dir);
  }
  f->fd = mkstemp(f->tmp);
  if (f->fd < 0) err = errno;
  if (err) {
    outfile_free(f);
    naryn__diag(d, err == ENOMEM ? NARYN_ENOMEM : NARYN_EIO, NARYN_SEV_ERROR,
                path, 0, 0, NULL, "cannot write: %s", strerror(err));
    return NULL;
  }
  return f;
}

/* Writes n bytes at s to the file, however many write() calls it takes;
** a failure is remembered for commit. */
static void write_out(naryn__outfile *f, const char *s, size_t n) {
  while (n > 0 && !f->err) {
    ssize_t k = write(f->fd, s, n);
    if (k < 0) {
      if (errno != EINTR) f->err = errno ? errno : EIO;
      continue;
    }
    if (k == 0) {
      f->err = EIO;
      break;
    }
    s += k;
    n -= (size_t)k;
  }
}

/* Writes out what the buffer holds, and starts the disk writing the file's
** pages once WRITEBACK_BYTES more are ready (without waiting for it; a
** failure there is met again, and reported, by the sync). */
static void flush_buffer(naryn__outfile *f) {
  write_out(f, f->buf, f->len);
  f->written += (off_t)f->len;
  f->len = 0;
#ifdef SYNC_FILE_RANGE_WRITE
  if (!f->err && f->written - f->started >= WRITEBACK_BYTES) {
    sync_file_range(f->fd, f->started, f->written - f->started,
                    SYNC_FILE_RANGE_WRITE);
    f->started = f->written;
  }
#endif
}

/* Returns room for n bytes at the end of the buffer (n at most
** OUT_BUFFER_BYTES), writing the buffer out first when it lacks it; NULL
** after a write error. */
static char *room(naryn__outfile *f, size_t n) {
  if (f->err || f->fd < 0) return NULL;
  if (OUT_BUFFER_BYTES - f->len < n) flush_buffer(f);
  return f->err ? NULL : f->buf + f->len;
}

char *naryn__outfile_room(naryn__outfile *f, size_t n) {
  if (!f || n > OUT_BUFFER_BYTES) return NULL;
  return room(f, n);
}

void naryn__outfile_wrote(naryn__outfile *f, size_t n) { f->len += n; }

/* Appends n bytes unless an earlier write failed; a short write is
** remembered for commit. */
void naryn__outfile_write(naryn__outfile *f, const char *s, size_t n) {
  if (!f || f->err || f->fd < 0 || n == 0) return;
  if (n <= OUT_BUFFER_BYTES - f->len) {
    memcpy(f->buf + f->len, s, n);
    f->len += n;
    return;
  }
  flush_buffer(f);
  if (n >= OUT_BUFFER_BYTES / 2) {
    write_out(f, s, n); /* large: straight to the file */
    f->written += (off_t)n;
  } else {
    memcpy(f->buf, s, n);
    f->len = n;
  }
}

void naryn__outfile_number(naryn__outfile *f, double v, int decimals) {
  if (decimals < 0 || decimals > 17) {
    naryn__outfile_printf(f, "%.*f", decimals, v);
    return;
  }
  char *p = f ? room(f, NARYN__NUMFMT_MAX) : NULL;
  if (p) f->len += naryn__numfmt_fixed(p, v, decimals);
}

/* Writes fmt when it holds no conversions but %s, %d and %%, which is the
** case of most of a result file's formats, without vsnprintf. Returns 0,
** or -1 having written nothing when fmt holds another conversion. */
static int format_simple(naryn__outfile *f, const char *fmt, va_list ap) {
  for (const char *q = fmt; *q; q++)
    if (*q == '%') {
      if (q[1] != 's' && q[1] != 'd' && q[1] != '%') return -1;
      q++;
    }
  const char *lit = fmt;
  for (const char *q = fmt;; q++) {
    if (*q != '%' && *q != '\0') continue;
    naryn__outfile_write(f, lit, (size_t)(q - lit));
    if (*q == '\0') break;
    q++;
    if (*q == 's') {
      const char *s = va_arg(ap, const char *);
      naryn__outfile_write(f, s, strlen(s));
    } else if (*q == 'd') {
      char num[16];
      int k = va_arg(ap, int);
      int n = snprintf(num, sizeof num, "%d", k);
      naryn__outfile_write(f, num, (size_t)n);
    } else {
      naryn__outfile_write(f, "%", 1);
    }
    lit = q + 1;
  }
  return 0;
}

/* Appends formatted text unless an earlier write failed; a failure is
** remembered for commit. */
void naryn__outfile_printf(naryn__outfile *f, const char *fmt, ...) {
  if (!f || f->err || f->fd < 0) return;
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  if (format_simple(f, fmt, ap) != 0) {
    /* Into the buffer when it fits there, else through a heap copy. */
    size_t free_bytes = OUT_BUFFER_BYTES - f->len;
    int n = vsnprintf(f->buf + f->len, free_bytes, fmt, again);
    if (n < 0) {
      f->err = errno ? errno : EINVAL;
    } else if ((size_t)n < free_bytes) {
      f->len += (size_t)n;
    } else {
      char *tmp = malloc((size_t)n + 1);
      va_end(again);
      va_start(again, fmt);
      if (!tmp) {
        f->err = ENOMEM;
      } else {
        vsnprintf(tmp, (size_t)n + 1, fmt, again);
        naryn__outfile_write(f, tmp, (size_t)n);
        free(tmp);
      }
    }
  }
  va_end(again);
  va_end(ap);
}

/* Returns the process's file-mode creation mask without changing it, from
** /proc where it is shown; elsewhere it is read by setting and restoring
** it, which for a moment makes files other threads create private. */
mode_t naryn__umask(void) {
  FILE *fp = fopen("/proc/self/status", "r");
  if (fp) {
    char line[256];
    while (fgets(line, sizeof line, fp)) {
      if (strncmp(line, "Umask:", 6) == 0) {
        char *end;
        unsigned long m = strtoul(line + 6, &end, 8);
        if (end != line + 6) {
          fclose(fp);
          return (mode_t)(m & 0777);
        }
      }
    }
    fclose(fp);
  }
  mode_t m = umask(077);
  umask(m);
  return m & 0777;
}

/* Syncs the directory holding path so that the rename survives a crash.
** Failures are ignored: the file itself is already complete. */
static void sync_dir(const char *path) {
  char *dir = dir_of(path);
  if (!dir) return;
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(dir);
}

/* Writes out the buffer, gives the file its ordinary mode and syncs it,
** remembering the first failure for naryn__outfile_finish: the part of
** finishing that takes time, done by the thread that wrote the file. */
void naryn__outfile_sync(naryn__outfile *f) {
  if (!f || f->fd < 0 || f->synced) return;
  if (!f->err) flush_buffer(f);
  if (!f->err && fchmod(f->fd, 0666 & ~naryn__umask()) != 0) f->err = errno;
  if (!f->err && fsync(f->fd) != 0) f->err = errno;
  f->synced = 1;
}

/* Makes the temporary file complete: write out the buffer, give it its
** ordinary mode, sync, close (the first three done already when
** naryn__outfile_sync was called). A failure removes the temporary and is
** reported against the final name. */
int naryn__outfile_finish(naryn__outfile *f, naryn_diags *d) {
  if (!f) return NARYN_EIO;
  if (f->fd < 0) return f->err ? NARYN_EIO : NARYN_OK;
  naryn__outfile_sync(f);
  int err = f->err;
  if (close(f->fd) != 0 && !err && errno != EINTR) err = errno;
  f->fd = -1;
  free(f->buf);
  f->buf = NULL;
  if (err) {
    unlink(f->tmp);
    f->err = err;
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, f->path, 0, 0, NULL,
                "cannot write: %s", strerror(err));
    return NARYN_EIO;
  }
  return NARYN_OK;
}

/* Renames the finished temporary over the final name, syncs the
** directory, and frees f. */
int naryn__outfile_publish(naryn__outfile *f, naryn_diags *d) {
  if (!f) return NARYN_EIO;
  int err = f->err;
  if (!err && f->fd >= 0) err = EINVAL; /* not finished: a caller's mistake */
  if (!err && rename(f->tmp, f->path) != 0) {
    err = errno;
    unlink(f->tmp);
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, f->path, 0, 0, NULL,
                "cannot write: %s", strerror(err));
  }
  if (!err) sync_dir(f->path);
  if (f->fd >= 0) {
    close(f->fd);
    unlink(f->tmp);
  }
  outfile_free(f);
  return err ? NARYN_EIO : NARYN_OK;
}

/* Puts the file in place: finish, then publish. A NULL f (an open that
** failed and was reported) returns NARYN_EIO. */
int naryn__outfile_commit(naryn__outfile *f, naryn_diags *d) {
  if (!f) return NARYN_EIO;
  if (naryn__outfile_finish(f, d) != NARYN_OK) {
    outfile_free(f);
    return NARYN_EIO;
  }
  return naryn__outfile_publish(f, d);
}

/* Drops everything written: closes and removes the temporary. */
void naryn__outfile_abort(naryn__outfile *f) {
  if (!f) return;
  if (f->fd >= 0) close(f->fd);
  unlink(f->tmp);
  outfile_free(f);
}
