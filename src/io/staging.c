/*
** staging.c: a command's whole output put in place in one step.
**
** A command writes many files and folders into its output folder DIR. To
** make them appear all at once or not at all, they are written into a
** fresh hidden sibling of DIR, the staging folder
** "PARENT/.NAME.naryn-tmp-PID-XXXXXX", and only when everything is
** written is that folder put in place: renamed to DIR when DIR does not
** exist, or swapped with it atomically (renameat2 with RENAME_EXCHANGE)
** when it does, after which the previous tree, now under the staging
** name, is removed. Where the system cannot swap, DIR is first renamed
** away to a hidden name and the new folder renamed in, and a process
** killed between those two renames leaves no DIR (documented).
**
** Only a folder naryn wrote is replaced: an empty folder, or one that
** holds nothing but naryn's result files (with at least one of run.csv,
** compare.csv, pareto.csv, game.csv or ensemble.csv beside any file), naryn's
** temporaries, and folders of the same kind, at most four deep. Anything
** else is refused before anything is written, naming what was found.
** Folders of other commands nested in DIR and not rewritten by this one
** (the default layout puts "share/" inside the built-in model's
** comparison folder) are kept: they are carried into the new tree by hard
** links (copies where links are not supported) before the swap.
**
** Temporaries carry the PID of the process that made them. Opening a
** staging folder removes the temporaries in the same parent folder whose
** process no longer runs (a killed run's), never a live one's.
*/
#define _GNU_SOURCE /* renameat2, nftw */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "../naryn_int.h"

/* How deep naryn's own folders nest: a comparison, a game or a curve in
** it, a run in that. Deeper trees are not naryn's. */
#define MAX_DEPTH 4
/* The longest part of DIR's name kept in a temporary's name. */
#define NAME_KEEP 160

struct naryn_staging {
  char *shown;  /* DIR as given, for messages */
  char *dir;    /* DIR as renamed: the given path, or its target if a link */
  char *parent; /* the folder holding dir */
  char *path;   /* the staging folder, in parent */
};

/* ====================================================================== */
/* Names                                                                   */
/* ====================================================================== */

/* The files naryn writes into a result folder (run, comparison, curve,
** game, ensemble, policy); an existing folder may hold these and nothing
** else. */
static const char *const known_files[] = {
    "nodes.csv",     "links.csv",   "summary.csv",   "objective.csv",
    "network.csv",   "run.csv",     "water_values.csv", "plants.csv",
    "report.html",   "compare.csv", "pareto.csv",    "game.csv",
    "share.csv",     "allocation.csv", "exchange.csv", "superadditivity.csv",
    "results.nc",    "zones.csv",   "fit.csv",       "observed.csv",
    "filled.csv",    "ensemble.csv", "members.csv",  "stats.csv",
    "reliability.csv", "april.csv", "exceedance.csv", "histogram.csv",
    "storage.csv",   "members.nc",  "grids.csv",     "convergence.csv",
    "cuts.csv",      "cuts.bin",    "prodfn.csv",    "price_states.csv"};

/* The files that say which kind of result a folder holds. */
static const char *const index_files[] = {"run.csv", "compare.csv",
                                          "pareto.csv", "game.csv",
                                          "ensemble.csv", "convergence.csv"};

static int in_list(const char *name, const char *const *list, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(name, list[i]) == 0) return 1;
  return 0;
}

long naryn__temp_pid(const char *name) {
  if (name[0] != '.') return 0;
  const char *tag = NULL;
  for (const char *p = strstr(name, NARYN__TEMP_TAG); p;
       p = strstr(p + 1, NARYN__TEMP_TAG))
    tag = p;
  if (!tag || tag == name) return 0;
  const char *s = tag + strlen(NARYN__TEMP_TAG);
  long pid = 0;
  const char *q = s;
  while (*q >= '0' && *q <= '9' && pid < 100000000) pid = pid * 10 + (*q++ - '0');
  if (q == s || *q != '-' || pid <= 0) return 0;
  /* mkstemp's and mkdtemp's six characters end the name. */
  if (strlen(q + 1) != 6) return 0;
  return pid;
}

/* Returns 1 for a name naryn gives its temporaries: the current form
** with a PID, and the ".NAME.tmp.XXXXXX" files of earlier versions. */
static int is_temp_name(const char *name) {
  if (naryn__temp_pid(name) > 0) return 1;
  const char *t = strstr(name, ".tmp.");
  return name[0] == '.' && t && t != name && strlen(t + 5) == 6;
}

/* Returns 1 while the process pid runs (or cannot be told apart from a
** running one), so that its temporaries are kept. */
static int pid_alive(long pid) {
  if (pid == (long)getpid()) return 1;
  if (pid > INT_MAX) return 0;
  return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

/* ====================================================================== */
/* Removing trees                                                          */
/* ====================================================================== */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0; /* go on: remove as much as can be removed */
}

/* Removes a file or a whole tree, never following symbolic links.
** Returns 0 when nothing is left. */
static int remove_tree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  struct stat st;
  return lstat(path, &st) == 0 ? -1 : 0;
}

void naryn__clean_stale(const char *dir, const char *prefix) {
  DIR *dp = opendir(dir);
  if (!dp) return;
  size_t plen = prefix ? strlen(prefix) : 0;
  struct dirent *e;
  while ((e = readdir(dp)) != NULL) {
    long pid = naryn__temp_pid(e->d_name);
    if (pid <= 0 || pid_alive(pid)) continue;
    if (prefix && strncmp(e->d_name, prefix, plen) != 0) continue;
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path)
      continue;
    remove_tree(path);
  }
  closedir(dp);
}

/* ====================================================================== */
/* Which folders naryn wrote                                               */
/* ====================================================================== */

/* Checks that 'path' (shown as 'rel' inside DIR, "" for DIR itself) is a
** folder naryn wrote, at nesting 'depth'. On refusal writes what was
** found into why and returns -1. */
static int check_folder(const char *path, const char *rel, int depth,
                        char *why, size_t size) {
  DIR *dp = opendir(path);
  if (!dp) {
    snprintf(why, size, "cannot read the folder%s%s: %s", rel[0] ? " " : "",
             rel, strerror(errno));
    return -1;
  }
  int files = 0, indexed = 0, rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dp)) != NULL) {
    const char *n = e->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || is_temp_name(n)) continue;
    char sub[PATH_MAX], subrel[PATH_MAX];
    if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, n) >= sizeof sub ||
        (size_t)snprintf(subrel, sizeof subrel, "%s%s%s", rel, rel[0] ? "/" : "",
                         n) >= sizeof subrel) {
      snprintf(why, size, "it holds a path too long to check");
      rc = -1;
      break;
    }
    struct stat st;
    if (lstat(sub, &st) != 0) continue; /* gone meanwhile */
    if (S_ISREG(st.st_mode) && in_list(n, known_files,
                                       sizeof known_files / sizeof *known_files)) {
      files++;
      indexed |= in_list(n, index_files, sizeof index_files / sizeof *index_files);
    } else if (S_ISDIR(st.st_mode)) {
      if (depth + 1 >= MAX_DEPTH) {
        snprintf(why, size, "it holds \"%s\", folders nested deeper than naryn "
                 "writes them", subrel);
        rc = -1;
      } else {
        rc = check_folder(sub, subrel, depth + 1, why, size);
      }
    } else {
      snprintf(why, size, "it holds \"%s\", which naryn did not write", subrel);
      rc = -1;
    }
  }
  closedir(dp);
  if (rc == 0 && files > 0 && !indexed) {
    snprintf(why, size, "%s%s%sholds result file names but none of run.csv, "
             "compare.csv, pareto.csv, game.csv or ensemble.csv, so naryn did not "
             "write it",
             rel[0] ? "its folder \"" : "it ", rel, rel[0] ? "\" " : "");
    rc = -1;
  }
  return rc;
}

/* Reports that DIR cannot be replaced. */
static int refuse(naryn_diags *d, const char *shown, const char *why) {
  return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, shown, 0, 0, NULL,
                     "cannot put the results in place: %s; expected a folder "
                     "that does not exist, an empty folder, or one naryn wrote "
                     "(its result files and folders only); choose another "
                     "folder, or move that away", why);
}

/* Checks that the existing target may be replaced. 0 when it may, 1 when
** there is nothing there, -1 (reported) when it may not. */
static int check_target(const char *dir, const char *shown, naryn_diags *d) {
  struct stat st;
  if (lstat(dir, &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return 1;
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, shown, 0, 0, NULL,
                "cannot write: %s", strerror(errno));
    return -1;
  }
  if (!S_ISDIR(st.st_mode)) {
    refuse(d, shown, "it is a file, not a folder");
    return -1;
  }
  char why[PATH_MAX + 200];
  if (check_folder(dir, "", 0, why, sizeof why) != 0) {
    refuse(d, shown, why);
    return -1;
  }
  return 0;
}

int naryn_staging_check(const char *dir, naryn_diags *d) {
  if (!dir || !*dir)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected the name of an output folder, got an empty one");
  char *real = NULL;
  struct stat st;
  if (lstat(dir, &st) == 0 && S_ISLNK(st.st_mode)) real = realpath(dir, NULL);
  int rc = check_target(real ? real : dir, dir, d) < 0 ? NARYN_EIO : NARYN_OK;
  free(real);
  return rc;
}

/* ====================================================================== */
/* Opening                                                                 */
/* ====================================================================== */

static void staging_free(naryn_staging *s) {
  if (!s) return;
  free(s->shown);
  free(s->dir);
  free(s->parent);
  free(s->path);
  free(s);
}

/* Splits s->dir into its parent and its last name; the name is returned
** inside s->dir. Trailing slashes are dropped first. */
static const char *split_dir(naryn_staging *s) {
  size_t n = strlen(s->dir);
  while (n > 1 && s->dir[n - 1] == '/') s->dir[--n] = '\0';
  char *slash = strrchr(s->dir, '/');
  if (!slash) {
    s->parent = strdup(".");
    return s->dir;
  }
  size_t pn = slash == s->dir ? 1 : (size_t)(slash - s->dir);
  s->parent = strndup(s->dir, pn);
  return slash + 1;
}

int naryn_staging_open(const char *dir, naryn_staging **out, naryn_diags *d) {
  *out = NULL;
  if (!dir || !*dir)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "expected the name of an output folder, got an empty one");
  if (naryn_interrupted()) return naryn__diag(d, NARYN_EINTR, NARYN_SEV_ERROR, NULL,
                                              0, 0, NULL, "interrupted");
  naryn_staging *s = calloc(1, sizeof *s);
  if (s) s->shown = strdup(dir);
  /* A link to a folder is followed: the folder it names is replaced. A
  ** last name of "." or ".." is resolved to a real one. */
  struct stat st;
  const char *last = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
  int islink = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
  if (s && (islink || strcmp(last, ".") == 0 || strcmp(last, "..") == 0))
    s->dir = realpath(dir, NULL);
  else if (s)
    s->dir = strdup(dir);
  if (s && !s->dir && errno != ENOMEM) {
    int e = errno;
    staging_free(s);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: %s", strerror(e));
  }
  const char *name = s && s->shown && s->dir ? split_dir(s) : NULL;
  if (!name || !s->parent) {
    staging_free(s);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: %s", strerror(ENOMEM));
  }
  if (strcmp(name, "/") == 0 || name[0] == '\0') {
    staging_free(s);
    return refuse(d, dir, "it is the root folder");
  }
  int rc = naryn__mkdirs_for(s->parent, s->shown, d);
  if (rc == NARYN_OK && check_target(s->dir, s->shown, d) < 0) rc = NARYN_EIO;
  if (rc != NARYN_OK) {
    staging_free(s);
    return rc;
  }
  /* A killed run's temporaries go first: they are never needed again. */
  naryn__clean_stale(s->parent, NULL);
  size_t plen = strlen(s->parent), nlen = strlen(name);
  if (nlen > NAME_KEEP) nlen = NAME_KEEP;
  s->path = malloc(plen + nlen + 64);
  if (!s->path) {
    staging_free(s);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: %s", strerror(ENOMEM));
  }
  snprintf(s->path, plen + nlen + 64, "%s/.%.*s" NARYN__TEMP_TAG "%ld-XXXXXX",
           s->parent, (int)nlen, name, (long)getpid());
  if (!mkdtemp(s->path)) {
    int e = errno;
    staging_free(s);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot create a folder beside it to write into: %s",
                       strerror(e));
  }
  *out = s;
  return NARYN_OK;
}

const char *naryn_staging_path(const naryn_staging *s) { return s ? s->path : NULL; }

void naryn_staging_reroot(const naryn_staging *s, naryn_diags *d) {
  if (s) naryn__diags_reroot(d, s->path, s->shown);
}

void naryn_staging_abort(naryn_staging *s) {
  if (!s) return;
  remove_tree(s->path);
  staging_free(s);
}

/* ====================================================================== */
/* Keeping other commands' folders                                         */
/* ====================================================================== */

static int has_file(const char *dir, const char *name) {
  char path[PATH_MAX];
  struct stat st;
  return (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) < sizeof path &&
         stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Returns 1 when the folder 'name' in the previous results 'old' belongs
** to them (a game's plans, a curve's points and rules, a comparison's
** runs) and so goes with them; other naryn folders in it are kept. */
static int owned_by_old(const char *old, const char *name) {
  if (has_file(old, "game.csv") &&
      (strcmp(name, "baseline") == 0 || strcmp(name, "grand") == 0))
    return 1;
  if (has_file(old, "pareto.csv") &&
      (strcmp(name, "rules") == 0 || strncmp(name, "point-", 6) == 0))
    return 1;
  if (!has_file(old, "compare.csv")) return 0;
  /* A comparison owns the runs its compare.csv lists; when that cannot be
  ** read, every run folder in it. */
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/compare.csv", old);
  naryn__arena *a = naryn__arena_new();
  naryn_diags *quiet = naryn_diags_new(1);
  naryn__csv *t = a && quiet ? naryn__csv_read(path, a, quiet) : NULL;
  int col = t ? naryn__csv_column(t, "folder") : -1, owned = 0;
  if (col >= 0) {
    for (int r = 0; r < t->nrows && !owned; r++)
      owned = strcmp(t->cells[(size_t)r * t->ncols + col], name) == 0;
  } else {
    snprintf(path, sizeof path, "%s/%s", old, name);
    owned = has_file(path, "run.csv");
  }
  naryn_diags_free(quiet);
  naryn__arena_free(a);
  return owned;
}

/* Copies the regular file src to dst (which must not exist). */
static int copy_file(const char *src, const char *dst, mode_t mode) {
  int in = open(src, O_RDONLY), e = 0;
  if (in < 0) return -1;
  int out = open(dst, O_WRONLY | O_CREAT | O_EXCL, mode & 07777);
  if (out < 0) {
    e = errno;
    close(in);
    errno = e;
    return -1;
  }
  char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      e = errno;
      break;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(out, buf + done, (size_t)(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        e = errno;
        break;
      }
      done += w;
    }
    if (e) break;
  }
  if (!e && fsync(out) != 0) e = errno;
  if (close(out) != 0 && !e) e = errno;
  close(in);
  errno = e;
  return e ? -1 : 0;
}

/* Recreates the tree src as dst, each file a hard link to the same data
** (naryn never changes a file in place, so the two trees may share it),
** or a copy where links are not supported. Temporaries are left out. */
static int link_tree(const char *src, const char *dst, int depth) {
  struct stat st;
  if (depth >= MAX_DEPTH || lstat(src, &st) != 0) return -1;
  if (mkdir(dst, st.st_mode & 07777) != 0) return -1;
  DIR *dp = opendir(src);
  if (!dp) return -1;
  int rc = 0;
  struct dirent *e;
  while (rc == 0 && (e = readdir(dp)) != NULL) {
    const char *n = e->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || is_temp_name(n)) continue;
    char a[PATH_MAX], b[PATH_MAX];
    if ((size_t)snprintf(a, sizeof a, "%s/%s", src, n) >= sizeof a ||
        (size_t)snprintf(b, sizeof b, "%s/%s", dst, n) >= sizeof b) {
      errno = ENAMETOOLONG;
      rc = -1;
    } else if (lstat(a, &st) != 0) {
      continue;
    } else if (S_ISDIR(st.st_mode)) {
      rc = link_tree(a, b, depth + 1);
    } else if (S_ISREG(st.st_mode) && link(a, b) != 0) {
      rc = copy_file(a, b, st.st_mode);
    }
  }
  int e2 = errno;
  closedir(dp);
  errno = e2;
  return rc;
}

/* Carries into the new tree every folder of the previous results 'old'
** that they do not own and the new tree does not replace. */
static int carry_over(const naryn_staging *s, naryn_diags *d) {
  DIR *dp = opendir(s->dir);
  if (!dp) return NARYN_OK; /* checked just before; gone means nothing to keep */
  int rc = NARYN_OK;
  struct dirent *e;
  while (rc == NARYN_OK && (e = readdir(dp)) != NULL) {
    const char *n = e->d_name;
    if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 || is_temp_name(n)) continue;
    char a[PATH_MAX], b[PATH_MAX];
    struct stat st;
    if ((size_t)snprintf(a, sizeof a, "%s/%s", s->dir, n) >= sizeof a ||
        (size_t)snprintf(b, sizeof b, "%s/%s", s->path, n) >= sizeof b)
      continue;
    if (lstat(a, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    if (lstat(b, &st) == 0 || owned_by_old(s->dir, n)) continue;
    if (link_tree(a, b, 1) != 0)
      rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, s->shown, 0, 0, NULL,
                       "cannot keep the folder \"%s\" of the results already "
                       "there: %s", n, strerror(errno));
  }
  closedir(dp);
  return rc;
}

/* ====================================================================== */
/* Putting the folder in place                                             */
/* ====================================================================== */

/* Syncs a directory's entries; failures are ignored (the data is safe). */
static void sync_folder(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
}

int naryn__staging_no_exchange;

/* Swaps the folders a and b in one step. Returns 0, or -1 with errno;
** ENOSYS when the system or file system cannot. */
static int exchange(const char *a, const char *b) {
#ifdef RENAME_EXCHANGE
  if (!naryn__staging_no_exchange) {
    if (renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0) return 0;
    if (errno != ENOSYS && errno != EINVAL && errno != ENOTSUP) return -1;
  }
#else
  (void)a, (void)b;
#endif
  errno = ENOSYS;
  return -1;
}

/* Replaces dir by the staging folder where they cannot be swapped: dir
** is renamed to a fresh temporary name (a killed run leaves it there for
** the next run to remove), the new folder renamed in, and on failure the
** old one renamed back. On success s->path names the previous tree. */
static int two_step(naryn_staging *s) {
  size_t n = strlen(s->path) + 1;
  char *old = malloc(n);
  if (!old) return -1;
  memcpy(old, s->path, n);
  memcpy(old + n - 7, "XXXXXX", 6);
  if (!mkdtemp(old) || rename(s->dir, old) != 0) {
    int e = errno;
    rmdir(old);
    free(old);
    errno = e;
    return -1;
  }
  if (rename(s->path, s->dir) != 0) {
    int e = errno;
    rename(old, s->dir);
    free(old);
    errno = e;
    return -1;
  }
  free(s->path);
  s->path = old;
  return 0;
}

int naryn_staging_commit(naryn_staging *s, naryn_diags *d) {
  if (!s) return NARYN_EIO;
  if (naryn_interrupted()) {
    naryn_staging_reroot(s, d);
    naryn_staging_abort(s);
    return naryn__diag(d, NARYN_EINTR, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "interrupted");
  }
  int there = check_target(s->dir, s->shown, d);
  int rc = there < 0 ? NARYN_EIO : NARYN_OK;
  /* The new folder takes the mode of the one it replaces, or that of a
  ** new folder. */
  struct stat st;
  mode_t mode = there == 0 && stat(s->dir, &st) == 0 ? st.st_mode & 07777
                                                     : 0777 & ~naryn__umask();
  if (rc == NARYN_OK && chmod(s->path, mode) != 0)
    rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, s->shown, 0, 0, NULL,
                     "cannot write: %s", strerror(errno));
  if (rc == NARYN_OK) sync_folder(s->path);
  if (rc == NARYN_OK && there == 1 && rename(s->path, s->dir) != 0) {
    /* Something appeared meanwhile: an empty folder is replaced by the
    ** rename itself; anything else is checked and swapped below. */
    int e = errno;
    there = (e == EEXIST || e == ENOTEMPTY) ? check_target(s->dir, s->shown, d) : 1;
    if (there == 1)
      naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, s->shown, 0, 0, NULL,
                  "cannot put the results in place: %s", strerror(e));
    if (there != 0) rc = NARYN_EIO;
  } else if (rc == NARYN_OK && there == 1) {
    there = 2; /* renamed into place: no previous tree */
  }
  if (rc == NARYN_OK && there == 0) {
    rc = carry_over(s, d);
    if (rc == NARYN_OK && exchange(s->path, s->dir) != 0 &&
        (errno != ENOSYS || two_step(s) != 0))
      rc = naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, s->shown, 0, 0, NULL,
                       "cannot put the results in place: %s", strerror(errno));
  }
  if (rc != NARYN_OK) {
    naryn_staging_reroot(s, d);
    naryn_staging_abort(s);
    return rc;
  }
  sync_folder(s->parent);
  /* s->path now names the previous tree, or nothing. */
  if (there == 0 && remove_tree(s->path) != 0)
    naryn__diag(d, NARYN_EIO, NARYN_SEV_WARNING, s->path, 0, 0, NULL,
                "the previous results could not all be removed; the next run "
                "writing beside them removes them");
  staging_free(s);
  return NARYN_OK;
}

int naryn__staged_write(const char *dir,
                        int (*fill)(const void *ctx, const char *path,
                                    naryn_diags *d),
                        const void *ctx, naryn_diags *d) {
  naryn_staging *s = NULL;
  int rc = naryn_staging_open(dir, &s, d);
  if (rc == NARYN_OK) rc = fill(ctx, naryn_staging_path(s), d);
  if (rc == NARYN_OK) return naryn_staging_commit(s, d);
  naryn_staging_reroot(s, d);
  naryn_staging_abort(s);
  return rc;
}
