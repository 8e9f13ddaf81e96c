/*
** model.c: loading a model with its scenarios, and the model's getters.
**
** Loading reads the model document, merges each scenario document over it
** in order, builds the model from the merged tree and checks it. The
** documents come from their files, or for the fuzz targets from memory
** through the same path (naryn__model_load_with), and overlay texts given
** in memory (naryn_model_load_texts) are merged after the scenario files
** as if they were more of them. The documents stay in
** the model's arena for its whole life, because every element keeps a
** pointer to its place in them for messages.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

/* Returns the name of a file without its folders and extension. */
static const char *file_stem(naryn__arena *a, const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  return naryn__arena_strndup(a, base, dot ? (size_t)(dot - base) : strlen(base));
}

/* Returns the scenario name a scenario document gives itself, or the base
** name of its file without extension. */
static const char *scenario_name(naryn__arena *a, const naryn__doc *doc,
                                 const char *path) {
  const naryn__doc *s = naryn__doc_get(doc, "scenario");
  if (s && s->kind == NARYN__DOC_SCALAR && s->len > 0 && !naryn__doc_is_null(s))
    return s->str;
  return file_stem(a, path);
}

/* Checks that every node a scenario changes exists in the model, unless
** the scenario gives it a type and so adds it: a misspelt name would
** otherwise add a node with no type. Returns the number of problems. */
static int check_overlay_names(const naryn__doc *root, const naryn__doc *over,
                               naryn_diags *d) {
  const naryn__doc *base = naryn__doc_get(root, "nodes");
  const naryn__doc *nodes = naryn__doc_get(over, "nodes");
  int bad = 0;
  if (!base || !nodes || base->kind != NARYN__DOC_SEQ || nodes->kind != NARYN__DOC_SEQ)
    return 0;
  /* The model's node names, indexed so that a scenario changing every node
  ** of a large model is checked in time proportional to its size. */
  naryn__arena *a = naryn__arena_new();
  naryn__names names = {0};
  if (!a || naryn__names_new(&names, base->n, a) != 0) {
    naryn__arena_free(a);
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                "out of memory");
    return 1;
  }
  for (int j = 0; j < base->n; j++) {
    const naryn__doc *other = naryn__doc_get(base->vals[j], "name");
    if (other && other->kind == NARYN__DOC_SCALAR)
      naryn__names_put(&names, other->str, j);
  }
  for (int i = 0; i < nodes->n; i++) {
    const naryn__doc *item = nodes->vals[i];
    const naryn__doc *name = naryn__doc_get(item, "name");
    if (!name || name->kind != NARYN__DOC_SCALAR || naryn__doc_get(item, "type"))
      continue;
    int found = naryn__names_get(&names, name->str) >= 0;
    if (!found) {
      /* Suggest the model's node whose name is nearest. */
      const char *near = NULL;
      int best = 4;
      for (int j = 0; j < base->n; j++) {
        const naryn__doc *other = naryn__doc_get(base->vals[j], "name");
        if (!other || other->kind != NARYN__DOC_SCALAR) continue;
        int dist = naryn__edit_distance(other->str, name->str);
        if (dist < best) best = dist, near = other->str;
      }
      char where[192], hint[128] = "";
      snprintf(where, sizeof where, "node \"%.160s\"", name->str);
      if (near) snprintf(hint, sizeof hint, " (did you mean \"%.100s\"?)", near);
      naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, name->file, name->line,
                  name->col, where,
                  "expected the name of a node in the model to change (or a "
                  "\"type\" to add a node), got \"%s\", which no node has%s",
                  name->str, hint);
      bad++;
    }
  }
  naryn__arena_free(a);
  return bad;
}

/* Reads a model or scenario document from its file, for naryn_model_load. */
static naryn__doc *read_file(void *user, int index, const char *path,
                             naryn__arena *a, naryn_diags *d) {
  (void)user;
  (void)index;
  return naryn__doc_read_file(path, a, d);
}

static int load(const char *path, const char *const *overlays, int n_overlays,
                int n_files, naryn__doc_source read, void *user,
                naryn_model **out, naryn_diags *d);

int naryn_model_load(const char *path, const char *const *overlays,
                     int n_overlays, naryn_model **out, naryn_diags *d) {
  return naryn__model_load_with(path, overlays, n_overlays, read_file, NULL,
                                out, d);
}

/* The overlay texts of naryn_model_load_texts, after the scenario files. */
typedef struct texts_source {
  int n_files;
  const char *const *texts;
} texts_source;

/* Reads the model and scenario files from their files and the overlay
** texts from memory, each named as naryn_model_load_texts was told. */
static naryn__doc *read_file_or_text(void *user, int index, const char *path,
                                     naryn__arena *a, naryn_diags *d) {
  const texts_source *s = user;
  if (index < s->n_files) return naryn__doc_read_file(path, a, d);
  const char *text = s->texts[index - s->n_files];
  return naryn__doc_read_buffer(path, text, strlen(text), a, d);
}

int naryn_model_load_texts(const char *path, const char *const *overlays,
                           int n_overlays, const char *const *texts,
                           const char *const *names, int n_texts,
                           naryn_model **out, naryn_diags *d) {
  *out = NULL;
  if (n_texts == 0)
    return naryn_model_load(path, overlays, n_overlays, out, d);
  if (n_texts < 0 || !texts || !names || n_overlays < 0 || (n_overlays > 0 && !overlays))
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_model_load_texts: no overlay texts or names given");
  for (int i = 0; i < n_texts; i++)
    if (!texts[i] || !names[i])
      return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                         "naryn_model_load_texts: no overlay texts or names given");
  const char **all = malloc((size_t)(n_overlays + n_texts) * sizeof *all);
  if (!all)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  for (int i = 0; i < n_overlays; i++) all[i] = overlays[i];
  for (int i = 0; i < n_texts; i++) all[n_overlays + i] = names[i];
  texts_source s = {n_overlays, texts};
  int rc = load(path, all, n_overlays + n_texts, n_overlays, read_file_or_text,
                &s, out, d);
  free(all);
  return rc;
}

int naryn__model_load_with(const char *path, const char *const *overlays,
                           int n_overlays, naryn__doc_source read, void *user,
                           naryn_model **out, naryn_diags *d) {
  return load(path, overlays, n_overlays, n_overlays, read, user, out, d);
}

/* Loads the model at 'path' with its overlays, the first n_files of which
** are scenario files and the rest overlay texts, which add to the
** scenario's name only when they give one. */
static int load(const char *path, const char *const *overlays, int n_overlays,
                int n_files, naryn__doc_source read, void *user,
                naryn_model **out, naryn_diags *d) {
  *out = NULL;
  if (!path || (n_overlays > 0 && !overlays) || n_overlays < 0)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "naryn_model_load: no model path given");
  naryn__arena *a = naryn__arena_new();
  naryn_model *m = a ? naryn__arena_alloc(a, sizeof *m) : NULL;
  if (!m) {
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  m->arena = a;
  m->path = naryn__arena_strdup(a, path);
  m->scenario = "";
  int errors0 = naryn_diags_errors(d), kept0 = naryn_diags_count(d);
  long nomem0 = naryn__diags_nomem(d);
  if (!m->path) {
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  naryn__doc *root = read(user, -1, path, a, d);
  if (!root) goto failed;
  for (int i = 0; i < n_overlays; i++) {
    naryn__doc *over = read(user, i, overlays[i], a, d);
    if (!over) goto failed;
    if (over->kind != NARYN__DOC_MAP) {
      char got[128];
      naryn__diag(d, NARYN_EMODEL, NARYN_SEV_ERROR, over->file, over->line,
                  over->col, "scenario",
                  "expected an object with the fields to change, got %s",
                  naryn__doc_describe(over, got, sizeof got));
      goto failed;
    }
    if (naryn__doc_merge_check(root, over, d) > 0 ||
        check_overlay_names(root, over, d) > 0)
      goto failed;
    const naryn__doc *given = naryn__doc_get(over, "scenario");
    if (i < n_files || (given && given->kind == NARYN__DOC_SCALAR &&
                        given->len > 0 && !naryn__doc_is_null(given))) {
      const char *name = scenario_name(a, over, overlays[i]);
      m->scenario = !name           ? NULL
                    : m->scenario[0] ? naryn__arena_printf(a, "%s+%s", m->scenario, name)
                                     : name;
    }
    /* A scenario's own name and description describe the scenario, not
    ** the model: the model keeps its own. */
    naryn__doc *kept_name = naryn__doc_get(root, "name");
    naryn__doc *kept_desc = naryn__doc_get(root, "description");
    root = naryn__doc_merge(root, over, a);
    if (!root || !m->scenario) {
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                  "out of memory");
      goto failed;
    }
    for (int k = 0; k < root->n; k++) {
      const char *key = root->keys[k]->str;
      if (strcmp(key, "description") == 0 && kept_desc) root->vals[k] = kept_desc;
      if (strcmp(key, "name") == 0 && kept_name) root->vals[k] = kept_name;
    }
  }
  m->root = root;
  int rc = naryn__model_build(m, root, d);
  if (rc != NARYN_OK) goto failed_rc;
  rc = naryn__model_check(m, d);
  if (rc != NARYN_OK) goto failed_rc;
  if (!m->name && !(m->name = file_stem(a, path))) {
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                     "out of memory");
    goto failed_rc;
  }
  *out = m;
  return NARYN_OK;

failed:
  rc = NARYN_EMODEL;
  for (int i = kept0; i < naryn_diags_count(d); i++) {
    int c = naryn_diags_get(d, i)->code;
    if (c == NARYN_EIO || c == NARYN_ESYNTAX || c == NARYN_ENOMEM) {
      rc = c;
      break;
    }
  }
failed_rc:
  /* Running out of memory anywhere in the load is what the load failed
  ** of, whatever else a check made of the missing pieces. */
  rc = naryn__diags_status(d, nomem0, rc);
  if (naryn_diags_errors(d) == errors0)
    naryn__diag(d, rc, NARYN_SEV_ERROR, path, 0, 0, NULL, "%s",
                naryn_strerror(rc));
  naryn__arena_free(a);
  return rc;
}

void naryn_model_free(naryn_model *m) {
  if (m) naryn__arena_free(m->arena);
}

const char *naryn_model_name(const naryn_model *m) { return m->name; }
const char *naryn_model_path(const naryn_model *m) { return m->path; }
const char *naryn_model_scenario(const naryn_model *m) { return m->scenario; }
int naryn_model_steps(const naryn_model *m) { return m->nsteps; }
int naryn_model_is_daily(const naryn_model *m) { return m->daily; }

int naryn__mark_below(const naryn_model *m, int from, unsigned char *below, int *queue) {
  memset(below, 0, (size_t)m->nnodes);
  int head = 0, tail = 0;
  queue[tail++] = from;
  while (head < tail) {
    const naryn__node *u = &m->nodes[queue[head++]];
    int nnext = u->n_out + (u->type == NARYN_NODE_DEMAND && u->return_to >= 0);
    for (int k = 0; k < nnext; k++) {
      int v = k < u->n_out ? m->links[u->out[k]].to : u->return_to;
      if (below[v]) continue;
      below[v] = 1;
      queue[tail++] = v;
    }
  }
  return tail;
}
int naryn_model_step_days(const naryn_model *m) { return m->step_days; }

const char *naryn_model_step_date(const naryn_model *m, int step) {
  return (step >= 0 && step < m->nsteps) ? m->step_date[step] : "";
}

double naryn_model_step_seconds(const naryn_model *m, int step) {
  return (step >= 0 && step < m->nsteps) ? m->step_s[step] : 0.0;
}

int naryn_model_scenario_count(const naryn_model *m) { return m->nscenarios; }

const char *naryn_model_scenario_name(const naryn_model *m, int i) {
  return (i >= 0 && i < m->nscenarios) ? m->scenario_names[i] : "";
}

const char *naryn_model_scenario_path(const naryn_model *m, int i) {
  return (i >= 0 && i < m->nscenarios) ? m->scenario_paths[i] : "";
}

int naryn_model_node_count(const naryn_model *m) { return m->nnodes; }

int naryn_model_node_index(const naryn_model *m, const char *name) {
  return naryn__names_get(&m->node_names, name);
}

const char *naryn_model_node_name(const naryn_model *m, int node) {
  return (node >= 0 && node < m->nnodes) ? m->nodes[node].name : "";
}

const char *naryn_model_node_country(const naryn_model *m, int node) {
  return (node >= 0 && node < m->nnodes) ? m->nodes[node].country : "";
}

naryn_node_type naryn_model_node_type(const naryn_model *m, int node) {
  return (node >= 0 && node < m->nnodes) ? m->nodes[node].type
                                         : NARYN_NODE_TYPE_COUNT;
}

int naryn_model_link_count(const naryn_model *m) { return m->nlinks; }

const char *naryn_model_link_name(const naryn_model *m, int link) {
  return (link >= 0 && link < m->nlinks) ? m->links[link].name : "";
}

int naryn_model_link_from(const naryn_model *m, int link) {
  return (link >= 0 && link < m->nlinks) ? m->links[link].from : -1;
}

int naryn_model_link_to(const naryn_model *m, int link) {
  return (link >= 0 && link < m->nlinks) ? m->links[link].to : -1;
}
