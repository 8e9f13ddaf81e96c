/*
** steps.c: a run's per-step output, the rows of nodes.csv and links.csv.
**
** Every per-step file goes through here, one step at a time: a full
** result is written by looping over its steps after the run
** (naryn_result_write), a streamed run writes each step as soon as it is
** recorded (naryn_simulate_to), so that both give the same bytes. What is
** written is chosen by a naryn_output: which node quantities, which link
** columns, which nodes and links, and the format.
**
**   nodes.csv  one row per step and node: date, node, country, type, then
**              the chosen quantities, then a reservoir's zone and the rule
**              that decided its release
**   links.csv  one row per step and link: date, link, from, to, then the
**              flow leaving its head (hm3 and m3/s) and its loss
**
** The files are opened under temporary names and only finished here; the
** caller puts them in place with the rest of the run's files.
*/
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

void naryn_output_init(naryn_output *o) {
  memset(o, 0, sizeof *o);
  o->per_step = 1;
  for (int q = 0; q < NARYN_Q_COUNT; q++) o->quantity[q] = 1;
  o->link_flow = o->link_loss = o->control = 1;
  o->node_on = o->link_on = NULL;
  o->format = NARYN_FORMAT_CSV;
  o->command = NULL;
}

/* The quantities of nodes.csv in their column order: first those the
** format promises, then the extras. */
static const naryn_quantity node_columns[] = {
    NARYN_Q_INFLOW_HM3,   NARYN_Q_STORAGE_END_HM3, NARYN_Q_RELEASE_HM3,
    NARYN_Q_TURBINED_HM3, NARYN_Q_SPILL_HM3,     NARYN_Q_EVAPORATION_HM3,
    NARYN_Q_DELIVERED_HM3, NARYN_Q_SHORTAGE_HM3, NARYN_Q_ENERGY_GWH,
    NARYN_Q_HEAD_M,       NARYN_Q_DEMAND_HM3,    NARYN_Q_LEVEL_M,
    NARYN_Q_RESIDUAL_HM3, NARYN_Q_RELEASE_DEVIATION_HM3};
#define NODE_COLUMNS (int)(sizeof node_columns / sizeof *node_columns)

int naryn__steps_wants_nodes(const naryn_output *o) {
  if (!o->per_step || o->format != NARYN_FORMAT_CSV) return 0;
  for (int q = 0; q < NARYN_Q_COUNT; q++)
    if (o->quantity[q]) return 1;
  return o->control;
}

int naryn__steps_wants_links(const naryn_output *o) {
  return o->per_step && o->format == NARYN_FORMAT_CSV &&
         (o->link_flow || o->link_loss);
}

/* Opens DIR/NAME for writing into *f. */
static int open_file(const char *dir, const char *name, naryn__outfile **f,
                     naryn_diags *d) {
  char path[4096];
  if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                       "cannot write: the path is too long");
  *f = naryn__outfile_open(path, d);
  return *f ? NARYN_OK : NARYN_EIO;
}

/* Appends s to the text being built, quoted as naryn__put_text quotes it. */
static int append_text(char **text, size_t *len, size_t *cap, const char *s,
                       int comma) {
  size_t n = strlen(s), need = *len + 2 * n + 4;
  if (need > *cap) {
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    char *t = realloc(*text, c);
    if (!t) return NARYN_ENOMEM;
    *text = t;
    *cap = c;
  }
  char *o = *text + *len;
  if (comma) *o++ = ',';
  if (strpbrk(s, ",\"\r\n") == NULL) {
    memcpy(o, s, n);
    o += n;
  } else {
    *o++ = '"';
    for (const char *p = s; *p; p++) {
      if (*p == '"') *o++ = '"';
      *o++ = *p;
    }
    *o++ = '"';
  }
  *len = (size_t)(o - *text);
  return NARYN_OK;
}

/* Builds w->text and w->at, the cells of each row that do not change. */
static int build_fixed_cells(naryn__steps *w) {
  const naryn_model *m = w->m;
  size_t len = 0, cap = 0;
  int rc = NARYN_OK;
  w->at = malloc(((size_t)m->nnodes + (size_t)m->nlinks + 1) * sizeof *w->at);
  if (!w->at) return NARYN_ENOMEM;
  for (int i = 0; i < m->nnodes && rc == NARYN_OK; i++) {
    const naryn__node *n = &m->nodes[i];
    w->at[i] = len;
    rc = append_text(&w->text, &len, &cap, n->name, 0);
    if (rc == NARYN_OK) rc = append_text(&w->text, &len, &cap, n->country, 1);
    if (rc == NARYN_OK)
      rc = append_text(&w->text, &len, &cap, naryn_node_type_name(n->type), 1);
  }
  for (int l = 0; l < m->nlinks && rc == NARYN_OK; l++) {
    const naryn__link *ln = &m->links[l];
    w->at[m->nnodes + l] = len;
    rc = append_text(&w->text, &len, &cap, ln->name, 0);
    if (rc == NARYN_OK)
      rc = append_text(&w->text, &len, &cap, m->nodes[ln->from].name, 1);
    if (rc == NARYN_OK)
      rc = append_text(&w->text, &len, &cap, m->nodes[ln->to].name, 1);
  }
  w->at[m->nnodes + m->nlinks] = len;
  /* The longest zone or rule name, for the room a row needs. */
  w->ctl_len = strlen("target_storage_hm3");
  for (int i = 0; i < m->nnodes; i++) {
    const naryn__node *n = &m->nodes[i];
    for (int k = 0; k < n->nzones; k++)
      if (strlen(n->zones[k].name) > w->ctl_len) w->ctl_len = strlen(n->zones[k].name);
    for (int k = 0; k < n->nrules; k++)
      if (strlen(n->rules[k].name) > w->ctl_len) w->ctl_len = strlen(n->rules[k].name);
  }
  return rc;
}

static void free_fixed_cells(naryn__steps *w) {
  free(w->text);
  free(w->at);
  w->text = NULL;
  w->at = NULL;
}

int naryn__steps_open(naryn__steps *w, const naryn_model *m,
                      const naryn_output *o, const char *dir, naryn_diags *d) {
  memset(w, 0, sizeof *w);
  w->m = m;
  if (o)
    w->o = *o;
  else
    naryn_output_init(&w->o);
  o = &w->o;
  if (o->format != NARYN_FORMAT_CSV && o->format != NARYN_FORMAT_NETCDF)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "output",
                       "expected the format csv or netcdf, got the format "
                       "number %d", (int)o->format);
  if (o->per_step && o->format == NARYN_FORMAT_NETCDF) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/results.nc", dir) >= sizeof path)
      return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, dir, 0, 0, NULL,
                         "cannot write: the path is too long");
    w->nc = naryn__nc_open(path, m, o, d);
    return w->nc ? NARYN_OK : NARYN_EIO;
  }
  int rc = NARYN_OK;
  if ((naryn__steps_wants_nodes(o) || naryn__steps_wants_links(o)) &&
      build_fixed_cells(w) != NARYN_OK) {
    free_fixed_cells(w);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  if (naryn__steps_wants_nodes(o)) {
    /* Without a feed (no memory) the report reads the file back. */
    w->feed = naryn__report_feed_new(m, o);
    rc = open_file(dir, "nodes.csv", &w->nodes, d);
    if (rc != NARYN_OK) {
      naryn__steps_abort(w);
      return rc;
    }
    naryn__outfile_printf(w->nodes, "date,node,country,type");
    for (int c = 0; c < NODE_COLUMNS; c++)
      if (o->quantity[node_columns[c]])
        naryn__outfile_printf(w->nodes, ",%s",
                              naryn_quantity_name(node_columns[c]));
    naryn__outfile_printf(w->nodes, "%s\n", o->control ? ",zone,rule" : "");
  }
  if (naryn__steps_wants_links(o)) {
    rc = open_file(dir, "links.csv", &w->links, d);
    if (rc != NARYN_OK) {
      naryn__steps_abort(w);
      return rc;
    }
    naryn__outfile_printf(w->links, "date,link,from,to%s%s\n",
                          o->link_flow ? ",flow_hm3,flow_m3s" : "",
                          o->link_loss ? ",loss_hm3" : "");
  }
  return NARYN_OK;
}

/* Writes "DATE," for step t. */
static void put_date(naryn__outfile *f, const naryn_model *m, int t) {
  const char *date = m->step_date[t];
  naryn__outfile_write(f, date, strlen(date));
  naryn__outfile_write(f, ",", 1);
}

/* The decimals of quantity q in nodes.csv. */
static int node_decimals(naryn_quantity q) {
  return q == NARYN_Q_HEAD_M || q == NARYN_Q_LEVEL_M ? 4 : 6;
}

/* Row by row through the outfile's own calls: for rows longer than its
** buffer (names of thousands of characters). */
static void write_node_row_slow(naryn__steps *w, const naryn_result *r, int t,
                                int i) {
  naryn__outfile *f = w->nodes;
  put_date(f, w->m, t);
  naryn__outfile_write(f, w->text + w->at[i], w->at[i + 1] - w->at[i]);
  for (int c = 0; c < NODE_COLUMNS; c++) {
    naryn_quantity q = node_columns[c];
    if (!w->o.quantity[q]) continue;
    naryn__outfile_write(f, ",", 1);
    if (q == NARYN_Q_RESIDUAL_HM3)
      naryn__put_residual(f, NARYN__Q(r, t, i, q));
    else
      naryn__put_fixed(f, NARYN__Q(r, t, i, q), node_decimals(q));
  }
  if (w->o.control) {
    const char *zone = naryn__zone_name(w->m, i, NARYN__ZONE(r, t, i));
    const char *rule = naryn__control_name(w->m, i, NARYN__CONTROL(r, t, i));
    naryn__outfile_write(f, ",", 1);
    if (zone) naryn__put_text(f, zone);
    naryn__outfile_write(f, ",", 1);
    if (rule) naryn__put_text(f, rule);
  }
  naryn__outfile_write(f, "\n", 1);
}

/* Writes ",S" at o, S quoted as naryn__put_text quotes it (nothing for
** NULL), and returns the end. */
static char *cell_text(char *o, const char *s) {
  *o++ = ',';
  if (!s) return o;
  if (strpbrk(s, ",\"\r\n") == NULL) {
    size_t n = strlen(s);
    memcpy(o, s, n);
    return o + n;
  }
  *o++ = '"';
  for (; *s; s++) {
    if (*s == '"') *o++ = '"';
    *o++ = *s;
  }
  *o++ = '"';
  return o;
}

/* Writes ",V" at o as naryn__put_fixed writes V, and returns the end;
** *as_read (unless NULL) is what a reader gets back from the cell. */
static char *cell_fixed(char *o, double v, int decimals, double *as_read) {
  *o++ = ',';
  if (isnan(v)) {
    if (as_read) *as_read = NAN;
    return o;
  }
  if (fabs(v) < 5e-7) v = 0.0;
  return o + naryn__numfmt_fixed_read(o, v, decimals, as_read);
}

/* Writes ",V" at o as naryn__put_residual writes V. */
static char *cell_residual(char *o, double v) {
  *o++ = ',';
  if (v == 0.0) {
    *o++ = '0';
  } else if (!isnan(v)) {
    o += naryn__numfmt_g3(o, v);
  }
  return o;
}

/* The rows are formatted in place in the file's buffer, each in room for
** its longest possible text, so that a cell costs no call into the
** outfile. */
static void write_nodes(naryn__steps *w, const naryn_result *r, int t) {
  const naryn_model *m = w->m;
  naryn__outfile *f = w->nodes;
  const char *date = m->step_date[t];
  size_t date_len = strlen(date);
  naryn_quantity cols[NODE_COLUMNS];
  int ncols = 0;
  for (int c = 0; c < NODE_COLUMNS; c++)
    if (w->o.quantity[node_columns[c]]) cols[ncols++] = node_columns[c];
  for (int i = 0; i < m->nnodes; i++) {
    if (w->o.node_on && !w->o.node_on[i]) continue;
    size_t fixed = w->at[i + 1] - w->at[i];
    size_t ctl = w->o.control ? 2 * (2 * w->ctl_len + 3) : 0;
    char *o0 = naryn__outfile_room(
        f, date_len + 1 + fixed + (size_t)ncols * (1 + NARYN__NUMFMT_MAX) + ctl + 1);
    if (!o0) {
      /* No values kept for the report from here: it reads the file. */
      naryn__report_feed_free(w->feed);
      w->feed = NULL;
      write_node_row_slow(w, r, t, i);
      continue;
    }
    char *o = o0;
    memcpy(o, date, date_len);
    o += date_len;
    *o++ = ',';
    memcpy(o, w->text + w->at[i], fixed);
    o += fixed;
    unsigned keep = w->feed ? w->feed->keep[i] : 0;
    for (int c = 0; c < ncols; c++) {
      naryn_quantity q = cols[c];
      double v = NARYN__Q(r, t, i, q);
      if (q == NARYN_Q_RESIDUAL_HM3) {
        o = cell_residual(o, v);
      } else if (keep >> q & 1) {
        double x;
        o = cell_fixed(o, v, node_decimals(q), &x);
        naryn__report_feed_add(w->feed, q, i, t, x);
      } else {
        o = cell_fixed(o, v, node_decimals(q), NULL);
      }
    }
    if (w->o.control) {
      o = cell_text(o, naryn__zone_name(m, i, NARYN__ZONE(r, t, i)));
      o = cell_text(o, naryn__control_name(m, i, NARYN__CONTROL(r, t, i)));
      if (w->feed && w->feed->rule[i])
        naryn__report_feed_rule(w->feed, i, t, NARYN__CONTROL(r, t, i));
    }
    *o++ = '\n';
    naryn__outfile_wrote(f, (size_t)(o - o0));
  }
}

static void write_link_row_slow(naryn__steps *w, const naryn_result *r, int t,
                                int l) {
  const naryn_model *m = w->m;
  naryn__outfile *f = w->links;
  size_t k = (size_t)m->nnodes + (size_t)l;
  put_date(f, m, t);
  naryn__outfile_write(f, w->text + w->at[k], w->at[k + 1] - w->at[k]);
  if (w->o.link_flow) {
    double q = NARYN__LINK_FLOW(r, t, l);
    naryn__outfile_write(f, ",", 1);
    naryn__put_fixed(f, q, 6);
    naryn__outfile_write(f, ",", 1);
    naryn__put_fixed(f, q * 1e6 / m->step_s[t], 4);
  }
  if (w->o.link_loss) {
    naryn__outfile_write(f, ",", 1);
    naryn__put_fixed(f, NARYN__LINK_LOSS(r, t, l), 6);
  }
  naryn__outfile_write(f, "\n", 1);
}

static void write_links(naryn__steps *w, const naryn_result *r, int t) {
  const naryn_model *m = w->m;
  naryn__outfile *f = w->links;
  const char *date = m->step_date[t];
  size_t date_len = strlen(date);
  double step_s = m->step_s[t];
  for (int l = 0; l < m->nlinks; l++) {
    if (w->o.link_on && !w->o.link_on[l]) continue;
    size_t k = (size_t)m->nnodes + (size_t)l, fixed = w->at[k + 1] - w->at[k];
    char *o0 = naryn__outfile_room(f, date_len + 1 + fixed + 3 * (1 + NARYN__NUMFMT_MAX) + 1);
    if (!o0) {
      write_link_row_slow(w, r, t, l);
      continue;
    }
    char *o = o0;
    memcpy(o, date, date_len);
    o += date_len;
    *o++ = ',';
    memcpy(o, w->text + w->at[k], fixed);
    o += fixed;
    if (w->o.link_flow) {
      double q = NARYN__LINK_FLOW(r, t, l);
      o = cell_fixed(o, q, 6, NULL);
      o = cell_fixed(o, q * 1e6 / step_s, 4, NULL);
    }
    if (w->o.link_loss) o = cell_fixed(o, NARYN__LINK_LOSS(r, t, l), 6, NULL);
    *o++ = '\n';
    naryn__outfile_wrote(f, (size_t)(o - o0));
  }
}

int naryn__steps_has_part(const naryn__steps *w, int part) {
  return part == NARYN__PART_NODES ? w->nodes != NULL
         : part == NARYN__PART_LINKS ? w->links != NULL
                                     : w->nc != NULL;
}

int naryn__steps_write_part(naryn__steps *w, const naryn_result *r, int t,
                            int part) {
  if (part == NARYN__PART_NODES && w->nodes) write_nodes(w, r, t);
  if (part == NARYN__PART_LINKS && w->links) write_links(w, r, t);
  if (part == NARYN__PART_NC && w->nc) return naryn__nc_step(w->nc, r, t);
  return NARYN_OK;
}

void naryn__steps_sync_part(naryn__steps *w, int part) {
  if (part == NARYN__PART_NODES) naryn__outfile_sync(w->nodes);
  if (part == NARYN__PART_LINKS) naryn__outfile_sync(w->links);
}

int naryn__steps_write_quiet(naryn__steps *w, const naryn_result *r, int t) {
  int rc = NARYN_OK;
  for (int part = 0; part < NARYN__PARTS; part++) {
    int k = naryn__steps_write_part(w, r, t, part);
    if (rc == NARYN_OK) rc = k;
  }
  return rc;
}

int naryn__steps_write(naryn__steps *w, const naryn_result *r, int t,
                       naryn_diags *d) {
  /* A step of results.nc that failed stops the run: closing the file
  ** reports why, names it and removes it. */
  if (naryn__steps_write_quiet(w, r, t) != NARYN_OK) {
    int rc = naryn__nc_close(w->nc, d);
    w->nc = NULL;
    return rc != NARYN_OK ? rc : NARYN_EIO;
  }
  return NARYN_OK;
}

/* One part of a full result's per-step output, written by its own thread. */
typedef struct part_job {
  naryn__steps *w;
  const naryn_result *r;
  int part, rc;
} part_job;

/* Writes every step of one part, then syncs its file. */
static void *write_part_all(void *arg) {
  part_job *j = arg;
  for (int t = 0; t < j->r->nsteps && j->rc == NARYN_OK; t++)
    j->rc = naryn__steps_write_part(j->w, j->r, t, j->part);
  naryn__steps_sync_part(j->w, j->part);
  return NULL;
}

int naryn__steps_write_all(naryn__steps *w, const naryn_result *r,
                           naryn_diags *d) {
  /* Each file is written by a thread of its own, the last on this one:
  ** each file's bytes are those of one writer going through the steps in
  ** order, so the threads change only when the files are ready. */
  part_job job[NARYN__PARTS];
  pthread_t thread[NARYN__PARTS];
  int started[NARYN__PARTS] = {0}, last = -1;
  for (int part = 0; part < NARYN__PARTS; part++) {
    job[part] = (part_job){w, r, part, NARYN_OK};
    if (naryn__steps_has_part(w, part)) last = part;
  }
  for (int part = 0; part < last; part++)
    if (naryn__steps_has_part(w, part))
      started[part] = pthread_create(&thread[part], NULL, write_part_all,
                                     &job[part]) == 0;
  /* Without a thread to be had, a part is written here. */
  for (int part = 0; part <= last; part++)
    if (naryn__steps_has_part(w, part) && !started[part])
      write_part_all(&job[part]);
  int rc = NARYN_OK;
  for (int part = 0; part < NARYN__PARTS; part++) {
    if (started[part]) pthread_join(thread[part], NULL);
    if (rc == NARYN_OK) rc = job[part].rc;
  }
  /* A step of results.nc that failed: closing the file reports why. */
  if (rc != NARYN_OK) {
    int k = naryn__nc_close(w->nc, d);
    w->nc = NULL;
    return k != NARYN_OK ? k : NARYN_EIO;
  }
  return NARYN_OK;
}

int naryn__steps_finish(naryn__steps *w, naryn_diags *d) {
  int rc = NARYN_OK;
  if (w->nc) {
    rc = naryn__nc_close(w->nc, d);
    w->nc = NULL;
  }
  naryn__outfile **files[] = {&w->nodes, &w->links};
  for (int k = 0; k < 2; k++) {
    if (!*files[k]) continue;
    if (rc == NARYN_OK) rc = naryn__outfile_finish(*files[k], d);
  }
  free_fixed_cells(w);
  if (rc != NARYN_OK) naryn__steps_abort(w);
  return rc;
}

int naryn__steps_publish(naryn__steps *w, naryn_diags *d) {
  int rc = NARYN_OK;
  naryn__outfile **files[] = {&w->nodes, &w->links};
  for (int k = 0; k < 2; k++) {
    if (!*files[k]) continue;
    if (rc == NARYN_OK)
      rc = naryn__outfile_publish(*files[k], d);
    else
      naryn__outfile_abort(*files[k]);
    *files[k] = NULL;
  }
  return rc;
}

void naryn__steps_abort(naryn__steps *w) {
  naryn__nc_abort(w->nc);
  w->nc = NULL;
  naryn__outfile_abort(w->nodes);
  naryn__outfile_abort(w->links);
  w->nodes = w->links = NULL;
  free_fixed_cells(w);
  naryn__report_feed_free(w->feed);
  w->feed = NULL;
}
