/*
** builtin.c: finding the built-in Naryn-Syr Darya model and a model's own
** scenario files.
**
** The model ships in models/naryn/ of the source tree and is installed
** into DATADIR/models/naryn/ (DATADIR is PREFIX/share/naryn, set when
** building). It is looked for, in order:
**   1. $NARYN_DATADIR/models/naryn/model.yaml;
**   2. beside the running program: ../models/naryn/model.yaml (the build
**      tree) and ../share/naryn/models/naryn/model.yaml (an installed tree,
**      wherever it was put: a package unpacked under another root, or an
**      install moved elsewhere);
**   3. DATADIR/models/naryn/model.yaml.
** The program's own tree comes before DATADIR so that a build tree or a
** relocated install never runs the model of another naryn installed in
** DATADIR.
*/
/* realpath is an X/Open extension of POSIX. */
#define _XOPEN_SOURCE 700
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#ifndef NARYN_DATADIR
#define NARYN_DATADIR "/usr/local/share/naryn"
#endif

#define BUILTIN_MODEL "models/naryn/model.yaml"

/* Returns path made canonical (no "..", no links) in buf, or path. */
static const char *canonical(const char *path) {
  static char buf[PATH_MAX];
  return realpath(path, buf) ? buf : path;
}

/* 1 when a regular file can be read at path. */
static int readable(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  fclose(f);
  return 1;
}

const char *cli_builtin_model(void) {
  static char path[PATH_MAX + 64];
  const char *env = getenv("NARYN_DATADIR");
  if (env && env[0]) {
    snprintf(path, sizeof path, "%s/%s", env, BUILTIN_MODEL);
    if (readable(path)) return path;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const rel[] = {"../" BUILTIN_MODEL,
                                      "../share/naryn/" BUILTIN_MODEL};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
      snprintf(path, sizeof path, "%s/%s", exe, rel[i]);
      if (readable(path)) return canonical(path);
    }
  }
  snprintf(path, sizeof path, "%s/%s", NARYN_DATADIR, BUILTIN_MODEL);
  if (readable(path)) return path;
  return NULL;
}

const char *cli_scenario_file(const char *model, const char *name,
                              char *buf, size_t size) {
  if (readable(name) || strchr(name, '/')) return name;
  const char *slash = strrchr(model, '/');
  int dir = slash ? (int)(slash - model) + 1 : 0;
  snprintf(buf, size, "%.*sscenarios/%s.yaml", dir, model, name);
  return readable(buf) ? buf : name;
}
