/*
** netcdf.c: a run's per-step results as one NetCDF-4 file, results.nc,
** written step by step as the run goes, through Debian's libnetcdf.
**
** The file follows the CF conventions (CF-1.8), so that xarray, pandas
** (through xarray), ncdump, Panoply and the like read it as it is:
**
**   dimensions  time (the steps), nv (2: a step's bounds), node, link
**   time        days since the first day of the horizon, at the first day
**               of each step; time_bnds gives each step's first and last
**               day (plus one), so monthly steps carry their length
**   node        node names (strings), with node_type and node_country
**   link        link names, with link_from and link_to (node names)
**   QUANTITY    one float64 variable (time, node) for each node quantity
**               chosen, named as the column of nodes.csv
**               (storage_end_hm3, energy_gwh, head_m...), NaN where it
**               does not apply
**   flow_hm3, loss_hm3  (time, link)
**   zone, rule  (time, node) CF flags: the position of the step's zone or
**               controlling rule in flag_meanings, NaN where none
**
** Only the nodes and links a naryn_output chooses are written, in the
** model's order. Every variable has units and a long_name; the data are
** compressed (shuffle and deflate) in chunks of up to 64 steps by all
** nodes: each variable gathers the steps of its chunk in a buffer of its
** own (bounded, whatever the number of steps) and writes the chunk whole,
** and reading one node's series reads a chunk per 64 steps.
**
** An ensemble's members.nc (naryn__nc_cubes) holds a group per run, each
** with the dimensions member, time, nv and node and a variable (member,
** time, node) per quantity, compressed in chunks of one member.
**
** libnetcdf is not thread-safe: naryn writes these files from one thread
** at a time.
**
** libnetcdf brings HDF5, curl, XML and TLS libraries with it, some forty
** shared libraries that took 30 ms of every start of naryn; so it is
** loaded (dlopen) the first time a file is written, and a run that
** writes none never loads it.
*/
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <netcdf.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "../naryn_int.h"

/* The library's file name, found by the Makefile from libnetcdf's. */
#ifndef NARYN_NETCDF_SONAME
#define NARYN_NETCDF_SONAME "libnetcdf.so"
#endif

/* The functions of libnetcdf used here, looked up when it is loaded; the
** names below call them through these pointers. */
#define NC_FUNCTIONS(X)                                                       \
  X(int, nc_create, (const char *, int, int *))                               \
  X(int, nc_set_fill, (int, int, int *))                                      \
  X(int, nc_def_dim, (int, const char *, size_t, int *))                      \
  X(int, nc_def_var, (int, const char *, nc_type, int, const int *, int *))   \
  X(int, nc_def_var_chunking, (int, int, int, const size_t *))                \
  X(int, nc_def_var_deflate, (int, int, int, int, int))                       \
  X(int, nc_def_var_fill, (int, int, int, const void *))                      \
  X(int, nc_set_var_chunk_cache, (int, int, size_t, size_t, float))           \
  X(int, nc_put_att_text, (int, int, const char *, size_t, const char *))     \
  X(int, nc_put_att_double, (int, int, const char *, nc_type, size_t,         \
                             const double *))                                 \
  X(int, nc_enddef, (int))                                                    \
  X(int, nc_put_var_double, (int, int, const double *))                       \
  X(int, nc_put_var_string, (int, int, const char **))                        \
  X(int, nc_put_vara_double, (int, int, const size_t *, const size_t *,       \
                              const double *))                                \
  X(int, nc_def_grp, (int, const char *, int *))                              \
  X(int, nc_put_var_int, (int, int, const int *))                             \
  X(int, nc_close, (int))                                                     \
  X(int, nc_abort, (int))                                                     \
  X(const char *, nc_strerror, (int))

static struct {
#define NC_POINTER(type, name, args) type(*name) args;
  NC_FUNCTIONS(NC_POINTER)
#undef NC_POINTER
} nc_lib;
static char nc_load_error[256];
static pthread_once_t nc_once = PTHREAD_ONCE_INIT;

/* HDF5's H5Eset_auto2, or NULL. */
static int (*hdf5_set_auto)(int64_t, void *, void *);

/* Turns off HDF5's printing of its errors for the calling thread, whose
** setting is its own: H5Eset_auto2(H5E_DEFAULT, NULL, NULL), H5E_DEFAULT
** being 0. */
static void hdf5_quiet(void) {
  if (hdf5_set_auto) hdf5_set_auto(0, NULL, NULL);
}

static void nc_load(void) {
  void *h = dlopen(NARYN_NETCDF_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(nc_load_error, sizeof nc_load_error, "%s", dlerror());
    return;
  }
  /* A function pointer read from dlsym's void pointer, as POSIX allows. */
#define NC_LOOKUP(type, name, args)                                          \
  {                                                                          \
    void *f = dlsym(h, #name);                                               \
    if (!f) {                                                                \
      snprintf(nc_load_error, sizeof nc_load_error, "%s has no %s",          \
               NARYN_NETCDF_SONAME, #name);                                  \
      return;                                                                \
    }                                                                        \
    memcpy(&nc_lib.name, &f, sizeof f);                                      \
  }
  NC_FUNCTIONS(NC_LOOKUP)
#undef NC_LOOKUP
  /* HDF5, under libnetcdf, closes its open files at exit. A file whose
  ** write failed (a full disk, a size limit) cannot be closed, and HDF5
  ** 1.10 then crashes in that exit handler; naryn has already reported the
  ** failure and removed the file, so the handler is turned off before
  ** HDF5 starts. */
  void *dont = dlsym(h, "H5dont_atexit");
  if (dont) {
    int (*dont_atexit)(void);
    memcpy(&dont_atexit, &dont, sizeof dont);
    dont_atexit();
  }
  /* HDF5 would also print its own stack of errors on stderr for such a
  ** failure; naryn reports it once, naming the file and the step. */
  void *quiet = dlsym(h, "H5Eset_auto2");
  if (quiet) memcpy(&hdf5_set_auto, &quiet, sizeof quiet);
  hdf5_quiet();
}

#define nc_create nc_lib.nc_create
#define nc_set_fill nc_lib.nc_set_fill
#define nc_def_dim nc_lib.nc_def_dim
#define nc_def_var nc_lib.nc_def_var
#define nc_def_var_chunking nc_lib.nc_def_var_chunking
#define nc_def_var_deflate nc_lib.nc_def_var_deflate
#define nc_def_var_fill nc_lib.nc_def_var_fill
#define nc_set_var_chunk_cache nc_lib.nc_set_var_chunk_cache
#define nc_put_att_text nc_lib.nc_put_att_text
#define nc_put_att_double nc_lib.nc_put_att_double
#define nc_enddef nc_lib.nc_enddef
#define nc_put_var_double nc_lib.nc_put_var_double
#define nc_put_var_string nc_lib.nc_put_var_string
#define nc_put_vara_double nc_lib.nc_put_vara_double
#define nc_def_grp nc_lib.nc_def_grp
#define nc_put_var_int nc_lib.nc_put_var_int
#define nc_close nc_lib.nc_close
#define nc_abort nc_lib.nc_abort
#define nc_strerror nc_lib.nc_strerror

/* Deflate level. On the chain of 50 units (doc/performance.md's
** benchmark) level 1 wrote 16% more bytes in 30% less time than 4. */
#ifndef NC_DEFLATE_LEVEL
#define NC_DEFLATE_LEVEL 4
#endif
/* Values a chunk holds at most: about 2 MB of doubles. */
#ifndef NC_CHUNK_VALUES
#define NC_CHUNK_VALUES (256 * 1024)
#endif
/* Steps a chunk holds at most. */
#ifndef NC_CHUNK_STEPS
#define NC_CHUNK_STEPS 64
#endif

struct naryn__nc {
  int ncid;
  char *path;
  const naryn_model *m;
  int nn, nl;             /* nodes and links written */
  int *node_at, *link_at; /* the model's index of each one */
  /* The result variables: a node quantity (what < NARYN_Q_COUNT), the
  ** link flow (NARYN_Q_COUNT) or loss (NARYN_Q_COUNT + 1). Each keeps the
  ** steps of its chunk being filled (rows of 'count' values) and writes
  ** them whole, one call per chunk. */
  int nvars;
  struct nc_series {
    int var, what, count;
    size_t chunk_steps;
    double *rows;
  } series[NARYN_Q_COUNT + 4];
  /* The zone and rule variables (what NARYN_Q_COUNT + 2 and + 3): every
  ** name a node's zone or controlling rule may have, in the order of the
  ** variables' flag_values 0, 1, 2... */
  const char **flag_name[2];
  int nflags[2];
  int next;               /* the step naryn__nc_step expects */
  int history_done;
  /* The first failure of a step, reported by naryn__nc_close. */
  int failed;             /* a libnetcdf status, or 1 for steps out of order */
  char failed_what[128];
  int failed_step;
};

/* Long names of the node quantities, in naryn_quantity order. */
static const char *const long_names[NARYN_Q_COUNT] = {
    "water entering the node in the step: outside inflow, links and return flows",
    "reservoir storage at the end of the step",
    "water leaving the node through its links in the step",
    "water through the turbines of the plant in the step",
    "water passing the plant without generating in the step",
    "reservoir evaporation in the step",
    "water the demand asked for, or the minimum flow required, in the step",
    "water the demand received, or the flow past the minimum-flow node, in the step",
    "demand or minimum flow not met in the step",
    "energy generated by the plant in the step",
    "net head of the plant",
    "reservoir level at the end of the step",
    "water-balance residual of the node in the step",
    "reservoir release less its forced release in the step"};

/* The CF (UDUNITS) unit of a quantity, from the unit its name ends with. */
static const char *unit_of(const char *name) {
  size_t n = strlen(name);
  if (strcmp(name, "zone") == 0 || strcmp(name, "rule") == 0) return "1";
  if (n > 4 && strcmp(name + n - 4, "_hm3") == 0) return "hm3";
  if (n > 4 && strcmp(name + n - 4, "_gwh") == 0) return "GW h";
  return "m";
}

/* Reports a failed libnetcdf call, naming the file and what failed. */
static int nc_fail(const char *path, int status, const char *what,
                   naryn_diags *d) {
  return naryn__diag(d, status == NC_ENOMEM ? NARYN_ENOMEM : NARYN_EIO,
                     NARYN_SEV_ERROR, path, 0, 0, NULL,
                     "cannot write NetCDF: %s: %s", what, nc_strerror(status));
}

static int put_text_att(int ncid, int var, const char *name, const char *text) {
  return nc_put_att_text(ncid, var, name, strlen(text), text);
}

/* Defines a float64 variable over (time, dim) with its attributes,
** compressed in chunks of several steps, and its buffer of one chunk.
** Returns a libnetcdf status. */
static int def_series(naryn__nc *nc, const char *name, int dim_time, int dim,
                      int count, int what, const char *long_name) {
  struct nc_series *v = &nc->series[nc->nvars];
  int dims[2] = {dim_time, dim}, s;
  size_t steps = NC_CHUNK_VALUES / (size_t)count;
  if (steps > NC_CHUNK_STEPS) steps = NC_CHUNK_STEPS;
  if (steps > (size_t)nc->m->nsteps) steps = (size_t)nc->m->nsteps;
  if (steps < 1) steps = 1;
  size_t chunk[2] = {steps, (size_t)count};
  double fill = NAN;
  if ((s = nc_def_var(nc->ncid, name, NC_DOUBLE, 2, dims, &v->var)) ||
      (s = nc_def_var_chunking(nc->ncid, v->var, NC_CHUNKED, chunk)) ||
      (s = nc_def_var_deflate(nc->ncid, v->var, 1, 1, NC_DEFLATE_LEVEL)) ||
      (s = nc_def_var_fill(nc->ncid, v->var, 0, &fill)) ||
      (s = put_text_att(nc->ncid, v->var, "units", unit_of(name))) ||
      (s = put_text_att(nc->ncid, v->var, "long_name", long_name)))
    return s;
  v->what = what;
  v->count = count;
  v->chunk_steps = steps;
  v->rows = malloc(steps * (size_t)count * sizeof *v->rows);
  if (!v->rows) return NC_ENOMEM;
  nc->nvars++;
  /* Chunks arrive whole: the cache need not hold more than one. */
  return nc_set_var_chunk_cache(nc->ncid, v->var,
                                steps * (size_t)count * sizeof(double) + 4096,
                                7, 1.0f);
}

/* Defines a string variable over one dimension and writes its values. */
static int def_strings(naryn__nc *nc, const char *name, int dim,
                       const char *long_name, int *var) {
  int s;
  if ((s = nc_def_var(nc->ncid, name, NC_STRING, 1, &dim, var)) ||
      (s = put_text_att(nc->ncid, *var, "long_name", long_name)))
    return s;
  return NC_NOERR;
}

/* Gathers every name the zone (k = 0) or rule (k = 1) of a written node
** may take, each once. Returns 0, or -1 when out of memory. */
static int gather_flags(naryn__nc *nc, int k) {
  const naryn_model *m = nc->m;
  static const int fixed[] = {NARYN__CTL_ALLOCATION, NARYN__CTL_TARGET, NARYN__CTL_SCHEDULE,
                              NARYN__CTL_FORCED, NARYN__CTL_FULL, NARYN__CTL_DEAD};
  int most = 8;
  for (int j = 0; j < nc->nn; j++)
    most += k ? m->nodes[nc->node_at[j]].nrules : m->nodes[nc->node_at[j]].nzones;
  const char **list = malloc((size_t)most * sizeof *list);
  if (!list) return -1;
  int n = 0;
  for (int j = 0; j < nc->nn; j++) {
    int i = nc->node_at[j], count = k ? m->nodes[i].nrules + 6 : m->nodes[i].nzones;
    if (m->nodes[i].type != NARYN_NODE_RESERVOIR) continue;
    for (int c = 0; c < count; c++) {
      const char *name = !k ? naryn__zone_name(m, i, c)
                         : c < m->nodes[i].nrules ? naryn__control_name(m, i, c)
                                                  : naryn__control_name(m, i, fixed[c - m->nodes[i].nrules]);
      int seen = 0;
      for (int q = 0; q < n && !seen; q++) seen = strcmp(list[q], name) == 0;
      if (name && !seen) list[n++] = name;
    }
  }
  /* A policy replayed may decide any reservoir's release: its name comes
  ** last, so that the others keep their places whether a policy ran or not. */
  if (k && n > 0) list[n++] = naryn__control_name(m, nc->node_at[0], NARYN__CTL_POLICY);
  nc->flag_name[k] = list;
  nc->nflags[k] = n;
  return 0;
}

/* The flag_values and flag_meanings of the zone (k = 0) or rule (k = 1)
** variable; a name's spaces become underscores, as CF wants. */
static int flag_atts(naryn__nc *nc, int var, int k) {
  int n = nc->nflags[k], s;
  size_t len = 1;
  for (int q = 0; q < n; q++) len += strlen(nc->flag_name[k][q]) + 1;
  double *values = malloc(((size_t)n + 1) * sizeof *values);
  char *meanings = malloc(len);
  if (!values || !meanings) {
    free(values);
    free(meanings);
    return NC_ENOMEM;
  }
  char *at = meanings;
  for (int q = 0; q < n; q++) {
    values[q] = q;
    for (const char *c = nc->flag_name[k][q]; *c; c++) *at++ = *c == ' ' ? '_' : *c;
    if (q + 1 < n) *at++ = ' ';
  }
  *at = '\0';
  s = n > 0 ? nc_put_att_double(nc->ncid, var, "flag_values", NC_DOUBLE, (size_t)n, values) : 0;
  if (!s && n > 0) s = put_text_att(nc->ncid, var, "flag_meanings", meanings);
  free(values);
  free(meanings);
  return s;
}

/* The flag value of a node's zone (k = 0) or rule (k = 1) code, or NaN. */
static double flag_of(const naryn__nc *nc, int k, int i, int code) {
  const char *name = k ? naryn__control_name(nc->m, i, code) : naryn__zone_name(nc->m, i, code);
  if (!name) return NAN;
  for (int q = 0; q < nc->nflags[k]; q++)
    if (strcmp(nc->flag_name[k][q], name) == 0) return q;
  return NAN;
}

/* Defines the file's dimensions, variables and attributes. Sets *what to
** what failed; returns a libnetcdf status. */
static int define(naryn__nc *nc, const naryn_output *o, int *var_names,
                  const char **what) {
  const naryn_model *m = nc->m;
  int s, id = nc->ncid, dim_time, dim_nv, dim_node = -1, dim_link = -1, var;
  char text[256], step_name[32];
  *what = "defining the dimensions";
  if ((s = nc_set_fill(id, NC_NOFILL, &var)) ||
      (s = nc_def_dim(id, "time", (size_t)m->nsteps, &dim_time)) ||
      (s = nc_def_dim(id, "nv", 2, &dim_nv)) ||
      (nc->nn > 0 && (s = nc_def_dim(id, "node", (size_t)nc->nn, &dim_node))) ||
      (nc->nl > 0 && (s = nc_def_dim(id, "link", (size_t)nc->nl, &dim_link))))
    return s;
  *what = "defining the global attributes";
  snprintf(text, sizeof text, "naryn results of the model \"%.80s\"%s%.80s%s",
           m->name, m->scenario[0] ? " (scenario " : "", m->scenario,
           m->scenario[0] ? ")" : "");
  if ((s = put_text_att(id, NC_GLOBAL, "Conventions", "CF-1.8")) ||
      (s = put_text_att(id, NC_GLOBAL, "title", text)) ||
      (s = put_text_att(id, NC_GLOBAL, "source", "naryn " NARYN_VERSION)) ||
      (s = put_text_att(id, NC_GLOBAL, "naryn_model", m->name)) ||
      (s = put_text_att(id, NC_GLOBAL, "naryn_scenario", m->scenario)) ||
      (s = put_text_att(id, NC_GLOBAL, "naryn_step",
                        naryn__step_days_name(m->step_days, step_name, sizeof step_name))))
    return s;
  *what = "defining the time coordinate";
  int dims[2] = {dim_time, dim_nv};
  snprintf(text, sizeof text, "days since %s 00:00:00", m->step_date[0]);
  if ((s = nc_def_var(id, "time", NC_DOUBLE, 1, &dim_time, &var_names[0])) ||
      (s = put_text_att(id, var_names[0], "units", text)) ||
      (s = put_text_att(id, var_names[0], "calendar", "standard")) ||
      (s = put_text_att(id, var_names[0], "standard_name", "time")) ||
      (s = put_text_att(id, var_names[0], "long_name", "first day of the step")) ||
      (s = put_text_att(id, var_names[0], "axis", "T")) ||
      (s = put_text_att(id, var_names[0], "bounds", "time_bnds")) ||
      (s = nc_def_var(id, "time_bnds", NC_DOUBLE, 2, dims, &var_names[1])))
    return s;
  *what = "defining the node and link coordinates";
  if (nc->nn > 0 &&
      ((s = def_strings(nc, "node", dim_node, "node name", &var_names[2])) ||
       (s = def_strings(nc, "node_type", dim_node, "node type", &var_names[3])) ||
       (s = def_strings(nc, "node_country", dim_node,
                        "country code of the node (empty when none)", &var_names[4]))))
    return s;
  if (nc->nl > 0 &&
      ((s = def_strings(nc, "link", dim_link, "link name", &var_names[5])) ||
       (s = def_strings(nc, "link_from", dim_link, "node the link leaves", &var_names[6])) ||
       (s = def_strings(nc, "link_to", dim_link, "node the link reaches", &var_names[7]))))
    return s;
  *what = "defining the result variables";
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    if (nc->nn > 0 && o->quantity[q] &&
        (s = def_series(nc, naryn_quantity_name((naryn_quantity)q), dim_time,
                        dim_node, nc->nn, q, long_names[q])))
      return s;
  if (nc->nl > 0 && o->link_flow &&
      (s = def_series(nc, "flow_hm3", dim_time, dim_link, nc->nl, NARYN_Q_COUNT,
                      "water leaving the head of the link in the step")))
    return s;
  if (nc->nl > 0 && o->link_loss &&
      (s = def_series(nc, "loss_hm3", dim_time, dim_link, nc->nl,
                      NARYN_Q_COUNT + 1,
                      "water lost on the way along the link in the step")))
    return s;
  /* The zone and the controlling rule, as CF flags: a number a name. */
  for (int k = 0; k < 2 && nc->nn > 0 && o->control; k++) {
    static const char *const names[] = {"zone", "rule"};
    static const char *const longs[] = {
        "zone of the reservoir's storage at the start of the step",
        "what decided the reservoir's release in the step (its controlling rule)"};
    if ((s = def_series(nc, names[k], dim_time, dim_node, nc->nn, NARYN_Q_COUNT + 2 + k,
                        longs[k])) ||
        (s = flag_atts(nc, nc->series[nc->nvars - 1].var, k)))
      return s;
  }
  *what = "leaving define mode";
  return nc_enddef(id);
}

/* Writes the coordinates: the time axis and its bounds, and the names. */
static int put_coordinates(naryn__nc *nc, const int *var_names,
                           const char **what) {
  const naryn_model *m = nc->m;
  int s, most = nc->nn > nc->nl ? nc->nn : nc->nl;
  double *v = malloc(3 * (size_t)m->nsteps * sizeof *v);
  const char **text = malloc(((size_t)most + 1) * sizeof *text);
  if (!v || !text) {
    free(v);
    free(text);
    *what = "allocating the coordinates";
    return NC_ENOMEM;
  }
  *what = "writing the time coordinate";
  for (int t = 0; t < m->nsteps; t++) {
    v[t] = (double)(m->step_day[t] - m->step_day[0]);
    v[m->nsteps + 2 * t] = v[t];
    v[m->nsteps + 2 * t + 1] = v[t] + m->step_s[t] / 86400.0;
  }
  s = nc_put_var_double(nc->ncid, var_names[0], v);
  if (!s) s = nc_put_var_double(nc->ncid, var_names[1], v + m->nsteps);
  if (!s && nc->nn > 0) {
    *what = "writing the node names";
    for (int k = 0; k < nc->nn; k++) text[k] = m->nodes[nc->node_at[k]].name;
    s = nc_put_var_string(nc->ncid, var_names[2], text);
    for (int k = 0; !s && k < nc->nn; k++)
      text[k] = naryn_node_type_name(m->nodes[nc->node_at[k]].type);
    if (!s) s = nc_put_var_string(nc->ncid, var_names[3], text);
    for (int k = 0; !s && k < nc->nn; k++) text[k] = m->nodes[nc->node_at[k]].country;
    if (!s) s = nc_put_var_string(nc->ncid, var_names[4], text);
  }
  if (!s && nc->nl > 0) {
    *what = "writing the link names";
    for (int k = 0; k < nc->nl; k++) text[k] = m->links[nc->link_at[k]].name;
    s = nc_put_var_string(nc->ncid, var_names[5], text);
    for (int k = 0; !s && k < nc->nl; k++)
      text[k] = m->nodes[m->links[nc->link_at[k]].from].name;
    if (!s) s = nc_put_var_string(nc->ncid, var_names[6], text);
    for (int k = 0; !s && k < nc->nl; k++)
      text[k] = m->nodes[m->links[nc->link_at[k]].to].name;
    if (!s) s = nc_put_var_string(nc->ncid, var_names[7], text);
  }
  free(v);
  free(text);
  return s;
}

static void nc_free(naryn__nc *nc) {
  free(nc->flag_name[0]);
  free(nc->flag_name[1]);
  free(nc->path);
  free(nc->node_at);
  free(nc->link_at);
  for (int k = 0; k < nc->nvars; k++) free(nc->series[k].rows);
  free(nc);
}

naryn__nc *naryn__nc_open(const char *path, const naryn_model *m,
                          const naryn_output *o, naryn_diags *d) {
  naryn__nc *nc = calloc(1, sizeof *nc);
  size_t plen = strlen(path) + 1;
  if (nc) {
    nc->m = m;
    nc->path = malloc(plen);
    nc->node_at = malloc(((size_t)m->nnodes + 1) * sizeof *nc->node_at);
    nc->link_at = malloc(((size_t)m->nlinks + 1) * sizeof *nc->link_at);
  }
  if (!nc || !nc->path || !nc->node_at || !nc->link_at) {
    if (nc) nc_free(nc);
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot write: %s", strerror(ENOMEM));
    return NULL;
  }
  memcpy(nc->path, path, plen);
  pthread_once(&nc_once, nc_load);
  if (nc_load_error[0]) {
    naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot write NetCDF: %s: %s", "loading libnetcdf", nc_load_error);
    nc_free(nc);
    return NULL;
  }
  /* Nodes (links) have a dimension only when some of their quantities
  ** are written. */
  int any_q = o->control;
  for (int q = 0; q < NARYN_Q_COUNT; q++) any_q |= o->quantity[q];
  for (int i = 0; any_q && i < m->nnodes; i++)
    if (!o->node_on || o->node_on[i]) nc->node_at[nc->nn++] = i;
  for (int l = 0; (o->link_flow || o->link_loss) && l < m->nlinks; l++)
    if (!o->link_on || o->link_on[l]) nc->link_at[nc->nl++] = l;
  if (o->control && (gather_flags(nc, 0) != 0 || gather_flags(nc, 1) != 0)) {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, path, 0, 0, NULL,
                "cannot write: %s", strerror(ENOMEM));
    nc_free(nc);
    return NULL;
  }
  const char *what = "creating the file";
  int var_names[8], s = nc_create(path, NC_NETCDF4 | NC_CLOBBER, &nc->ncid);
  if (s) {
    nc_fail(path, s, what, d);
    nc_free(nc);
    return NULL;
  }
  if ((s = define(nc, o, var_names, &what)) ||
      (s = put_coordinates(nc, var_names, &what))) {
    nc_fail(path, s, what, d);
    naryn__nc_abort(nc);
    return NULL;
  }
  return nc;
}

/* Records the first failure of a step, for naryn__nc_close to report. */
static int step_fail(naryn__nc *nc, int status, const char *what, int t) {
  nc->failed = status;
  snprintf(nc->failed_what, sizeof nc->failed_what, "%s", what);
  nc->failed_step = t;
  return status == NC_ENOMEM ? NARYN_ENOMEM : NARYN_EIO;
}

int naryn__nc_step(naryn__nc *nc, const naryn_result *r, int t) {
  if (nc->failed) return NARYN_EIO;
  /* The steps may be written by another thread than the one that opened
  ** the file (a streamed run's writer). */
  if (t == 0) hdf5_quiet();
  if (t != nc->next || t >= nc->m->nsteps) return step_fail(nc, 1, "", t);
  int s;
  if (!nc->history_done && r->command) {
    /* The command is known once the run is under way. */
    if ((s = put_text_att(nc->ncid, NC_GLOBAL, "history", r->command)))
      return step_fail(nc, s, "writing the history attribute", t);
    nc->history_done = 1;
  }
  for (int k = 0; k < nc->nvars; k++) {
    struct nc_series *v = &nc->series[k];
    size_t row = (size_t)t % v->chunk_steps;
    double *out = v->rows + row * (size_t)v->count;
    if (v->what < NARYN_Q_COUNT) {
      for (int j = 0; j < v->count; j++) out[j] = NARYN__Q(r, t, nc->node_at[j], v->what);
    } else if (v->what >= NARYN_Q_COUNT + 2) {
      int rule = v->what - NARYN_Q_COUNT - 2;
      for (int j = 0; j < v->count; j++) {
        int i = nc->node_at[j];
        out[j] = flag_of(nc, rule, i, rule ? NARYN__CONTROL(r, t, i) : NARYN__ZONE(r, t, i));
      }
    } else {
      /* Link values of step t, from the step's slot of the result. */
      for (int j = 0; j < v->count; j++)
        out[j] = v->what == NARYN_Q_COUNT ? NARYN__LINK_FLOW(r, t, nc->link_at[j])
                                          : NARYN__LINK_LOSS(r, t, nc->link_at[j]);
    }
    /* A chunk is written when its last step, or the run's, is in. */
    if (row + 1 < v->chunk_steps && t + 1 < nc->m->nsteps) continue;
    size_t start[2] = {(size_t)t - row, 0}, count[2] = {row + 1, (size_t)v->count};
    if ((s = nc_put_vara_double(nc->ncid, v->var, start, count, v->rows)))
      return step_fail(nc, s,
                       v->what < NARYN_Q_COUNT ? naryn_quantity_name((naryn_quantity)v->what)
                       : v->what == NARYN_Q_COUNT     ? "flow_hm3"
                       : v->what == NARYN_Q_COUNT + 1 ? "loss_hm3"
                       : v->what == NARYN_Q_COUNT + 2 ? "zone"
                                                      : "rule", t);
  }
  nc->next = t + 1;
  return NARYN_OK;
}

int naryn__nc_close(naryn__nc *nc, naryn_diags *d) {
  const naryn_model *m = nc->m;
  int rc;
  if (nc->failed == 1) {
    rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, nc->path, 0, 0, NULL,
                     "expected step %d of %d to be written next, got step %d",
                     nc->next + 1, m->nsteps, nc->failed_step + 1);
  } else if (nc->failed) {
    char what[192];
    snprintf(what, sizeof what, "writing %s of the step of %s",
             nc->failed_what, m->step_date[nc->failed_step]);
    rc = nc_fail(nc->path, nc->failed, what, d);
  } else if (nc->next != m->nsteps) {
    rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, nc->path, 0, 0, NULL,
                     "expected all %d steps to be written before the file is "
                     "closed, got %d", m->nsteps, nc->next);
  } else {
    int s = nc_close(nc->ncid);
    rc = NARYN_OK;
    if (s) {
      rc = nc_fail(nc->path, s, "closing the file", d);
      unlink(nc->path);
    }
    nc_free(nc);
    return rc;
  }
  naryn__nc_abort(nc);
  return rc;
}

void naryn__nc_abort(naryn__nc *nc) {
  if (!nc) return;
  nc_abort(nc->ncid);
  unlink(nc->path);
  nc_free(nc);
}

int naryn__nc_write(const naryn_result *r, const naryn_output *o,
                    const char *path, naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  naryn__nc *nc = naryn__nc_open(path, r->m, o, d);
  if (!nc) return naryn__diags_status(d, mark, NARYN_EIO);
  for (int t = 0; t < r->nsteps; t++)
    if (naryn__nc_step(nc, r, t) != NARYN_OK) break;
  return naryn__nc_close(nc, d);
}

/* ====================================================================== */
/* An ensemble's members.nc                                                */
/* ====================================================================== */

/* Defines and writes one run's group. Sets *what; returns a status. */
static int put_cube(int root, const naryn__nc_cube *c, const char **what) {
  int s, g, dm, dt, dnv, dn, v_time, v_bnds, v_node, v_country, v_member;
  *what = "defining a run's group";
  if ((s = nc_def_grp(root, c->name, &g)) ||
      (s = nc_def_dim(g, "member", (size_t)c->nmembers, &dm)) ||
      (s = nc_def_dim(g, "time", (size_t)c->nsteps, &dt)) ||
      (s = nc_def_dim(g, "nv", 2, &dnv)) ||
      (s = nc_def_dim(g, "node", (size_t)c->nnodes, &dn)))
    return s;
  char text[256];
  int dims2[2] = {dt, dnv};
  snprintf(text, sizeof text, "days since %.10s 00:00:00", c->step_date[0]);
  *what = "defining a run's coordinates";
  if ((s = put_text_att(g, NC_GLOBAL, "naryn_run", c->name)) ||
      (s = put_text_att(g, NC_GLOBAL, "naryn_model", c->model)) ||
      (s = put_text_att(g, NC_GLOBAL, "naryn_scenario", c->scenario)) ||
      (s = nc_def_var(g, "time", NC_DOUBLE, 1, &dt, &v_time)) ||
      (s = put_text_att(g, v_time, "units", text)) ||
      (s = put_text_att(g, v_time, "calendar", "standard")) ||
      (s = put_text_att(g, v_time, "standard_name", "time")) ||
      (s = put_text_att(g, v_time, "long_name", "first day of the step")) ||
      (s = put_text_att(g, v_time, "axis", "T")) ||
      (s = put_text_att(g, v_time, "bounds", "time_bnds")) ||
      (s = nc_def_var(g, "time_bnds", NC_DOUBLE, 2, dims2, &v_bnds)) ||
      (s = nc_def_var(g, "node", NC_STRING, 1, &dn, &v_node)) ||
      (s = put_text_att(g, v_node, "long_name", "node name")) ||
      (s = nc_def_var(g, "node_country", NC_STRING, 1, &dn, &v_country)) ||
      (s = put_text_att(g, v_country, "long_name",
                        "country code of the node (empty when none)")) ||
      (s = nc_def_var(g, "member", NC_INT, 1, &dm, &v_member)) ||
      (s = put_text_att(g, v_member, "long_name", "the member's number in its file")))
    return s;
  int vars[NARYN_Q_COUNT], dims3[3] = {dm, dt, dn};
  size_t chunk[3] = {1, (size_t)c->nsteps, (size_t)c->nnodes};
  double fill = NAN;
  *what = "defining the result variables";
  for (int k = 0; k < c->nq; k++) {
    const char *name = naryn_quantity_name((naryn_quantity)c->quantity[k]);
    if ((s = nc_def_var(g, name, NC_DOUBLE, 3, dims3, &vars[k])) ||
        (s = nc_def_var_chunking(g, vars[k], NC_CHUNKED, chunk)) ||
        (s = nc_def_var_deflate(g, vars[k], 1, 1, NC_DEFLATE_LEVEL)) ||
        (s = nc_def_var_fill(g, vars[k], 0, &fill)) ||
        (s = put_text_att(g, vars[k], "units", unit_of(name))) ||
        (s = put_text_att(g, vars[k], "long_name", long_names[c->quantity[k]])))
      return s;
  }
  *what = "writing a run's coordinates";
  size_t T = (size_t)c->nsteps, N = (size_t)c->nnodes;
  double *buf = malloc((3 * T + T * N + 1) * sizeof *buf);
  int *ids = malloc(((size_t)c->nmembers + 1) * sizeof *ids);
  if (!buf || !ids) {
    free(buf), free(ids);
    return NC_ENOMEM;
  }
  for (size_t t = 0; t < T; t++) {
    buf[t] = (double)(c->step_day[t] - c->step_day[0]);
    buf[T + 2 * t] = buf[t];
    buf[T + 2 * t + 1] = buf[t] + c->step_s[t] / 86400.0;
  }
  for (int m = 0; m < c->nmembers; m++) ids[m] = (int)c->member[m];
  if (!(s = nc_put_var_double(g, v_time, buf)) && !(s = nc_put_var_double(g, v_bnds, buf + T)) &&
      !(s = nc_put_var_string(g, v_node, (const char **)c->node)) &&
      !(s = nc_put_var_string(g, v_country, (const char **)c->node_country)) &&
      !(s = nc_put_var_int(g, v_member, ids))) {
    /* A member at a time, its values turned from node-major to (time,
    ** node). */
    *what = "writing the members' values";
    double *rows = buf + 3 * T;
    for (int m = 0; m < c->nmembers && !s; m++)
      for (int k = 0; k < c->nq && !s; k++) {
        const double *src = c->data + ((size_t)m * c->nq + k) * N * T;
        for (size_t j = 0; j < N; j++)
          for (size_t t = 0; t < T; t++) rows[t * N + j] = src[j * T + t];
        size_t start[3] = {(size_t)m, 0, 0}, count[3] = {1, T, N};
        s = nc_put_vara_double(g, vars[k], start, count, rows);
      }
  }
  free(buf);
  free(ids);
  return s;
}

int naryn__nc_cubes(const char *path, const naryn__nc_cube *cubes, int ncubes,
                    const char *history, naryn_diags *d) {
  pthread_once(&nc_once, nc_load);
  if (nc_load_error[0])
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write NetCDF: %s: %s", "loading libnetcdf", nc_load_error);
  hdf5_quiet();
  int id, s = nc_create(path, NC_NETCDF4 | NC_CLOBBER, &id), unused;
  const char *what = "creating the file";
  if (s) return nc_fail(path, s, what, d);
  what = "defining the global attributes";
  if (!(s = nc_set_fill(id, NC_NOFILL, &unused)) &&
      !(s = put_text_att(id, NC_GLOBAL, "Conventions", "CF-1.8")) &&
      !(s = put_text_att(id, NC_GLOBAL, "title", "naryn ensemble: every member's values "
                                                 "per step, a group per run")) &&
      !(s = put_text_att(id, NC_GLOBAL, "source", "naryn " NARYN_VERSION)) &&
      !(s = put_text_att(id, NC_GLOBAL, "history", history ? history : "")))
    for (int k = 0; k < ncubes && !s; k++) s = put_cube(id, &cubes[k], &what);
  if (s) {
    nc_abort(id);
    unlink(path);
    return nc_fail(path, s, what, d);
  }
  if ((s = nc_close(id))) {
    unlink(path);
    return nc_fail(path, s, "closing the file", d);
  }
  return NARYN_OK;
}
