/*
** ensemble.c: a model simulated once per inflow member, the members
** shared between threads and between the processes of an MPI job.
**
** A run of a model over the members goes in three parts:
**
**   each process takes a contiguous block of the members (mpi.c) and
**   simulates them on its threads: a thread takes the next member not yet
**   taken, reads its flows (members.c), makes them the run's inflows
**   (a per-run override of the inflow nodes' series, naryn_result's
**   inflow_m3s: the model itself is shared and never copied or changed),
**   simulates with the simulator every run uses, and leaves the member's
**   record (layout.c) in the member's own row;
**
**   the first failure, in member order, is agreed between the processes
**   and reported naming its member; a failure stops the threads taking
**   more members, but every member before it has run, so the failure
**   reported is the same whatever the number of threads and processes;
**
**   the records are gathered on rank 0 in member order and reduced there
**   (stats.c), in member order.
**
** A member's run depends only on the model and its flows: every thread
** builds its own LP for every member, so that no solver state passes from
** one member to the next. The records, and so every file written, are
** then the same bytes for any number of threads and processes.
*/
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ensemble_int.h"

void naryn_ensemble_opts_init(naryn_ensemble_opts *o) {
  memset(o, 0, sizeof *o);
  naryn_sim_opts_init(&o->sim);
}

int naryn_ensemble_new(const naryn_members *mb, const naryn_ensemble_opts *o,
                       naryn_ensemble **out, naryn_diags *d) {
  *out = NULL;
  naryn_ensemble *e = calloc(1, sizeof *e);
  naryn__arena *a = naryn__arena_new();
  if (!e || !a) {
    free(e);
    naryn__arena_free(a);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  e->a = a;
  e->mb = mb;
  naryn_ensemble_opts_init(&e->o);
  if (o) e->o = *o;
  e->o.sim.progress = NULL;
  e->root = naryn_mpi_rank() == 0;
  /* The options' arrays, copied. */
  int n = e->o.nenergy > 0 ? e->o.nenergy : 0, k = e->o.napril > 0 ? e->o.napril : 0;
  const char **ec = naryn__arena_alloc(a, (size_t)(n + 1) * sizeof *ec);
  double *eg = naryn__arena_alloc(a, (size_t)(n + 1) * sizeof *eg);
  const char **ar = naryn__arena_alloc(a, (size_t)(k + 1) * sizeof *ar);
  double *ah = naryn__arena_alloc(a, (size_t)(k + 1) * sizeof *ah);
  int ok = ec && eg && ar && ah;
  for (int i = 0; ok && i < n; i++) {
    ok = (ec[i] = naryn__arena_strdup(a, o->energy_country[i])) != NULL;
    eg[i] = o->energy_gwh[i];
  }
  for (int i = 0; ok && i < k; i++) {
    ok = (ar[i] = naryn__arena_strdup(a, o->april_reservoir[i])) != NULL;
    ah[i] = o->april_hm3[i];
  }
  if (!ok) {
    naryn_ensemble_free(e);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  e->o.energy_country = ec, e->o.energy_gwh = eg, e->o.nenergy = n;
  e->o.april_reservoir = ar, e->o.april_hm3 = ah, e->o.napril = k;
  if (o && o->policy_dir && !(e->o.policy_dir = naryn__arena_strdup(a, o->policy_dir))) {
    naryn_ensemble_free(e);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  *out = e;
  return NARYN_OK;
}

void naryn_ensemble_free(naryn_ensemble *e) {
  if (!e) return;
  for (int i = 0; i < e->nruns; i++) {
    free(e->runs[i].yearly);
    free(e->runs[i].winter);
    free(e->runs[i].sel);
  }
  free(e->runs);
  naryn__arena_free(e->a);
  free(e);
}

int naryn_ensemble_set_command(naryn_ensemble *e, const char *command) {
  e->command = command ? naryn__arena_strdup(e->a, command) : NULL;
  return !command || e->command ? NARYN_OK : NARYN_ENOMEM;
}

/* ====================================================================== */
/* The members of this process, on its threads                             */
/* ====================================================================== */

typedef struct pool {
  naryn_ensemble *e;
  const naryn_model *m;
  const ens_layout *L;
  long first, last, next;     /* this process's members, the next to take */
  double *rec;                /* [(member - first) * len] */
  long done;
  int failed;
  naryn__mpi_failure fail;    /* the first member that failed */
  naryn__mpi_failure warn;    /* the first member with warnings, and how many */
  naryn_policy *policy0;      /* the policy read to check it, for a thread */
  pthread_mutex_t lock;
  pthread_cond_t finished;
} pool;

/* What a thread holds: a reader of the members, a member's flows and the
** inflows made from them, and its own copy of a policy replayed (a
** policy's stage LPs change as they are solved). */
typedef struct worker {
  naryn__member_reader *rd;
  double *flows;
  double *over_data;
  double **over;
  naryn_policy *policy;
} worker;

static void worker_free(worker *w) {
  naryn_policy_free(w->policy);
  naryn__members_reader_free(w->rd);
  free(w->flows);
  free(w->over_data);
  free(w->over);
}

static int worker_new(pool *p, worker *w, naryn_diags *d) {
  const naryn_model *m = p->m;
  const naryn_members *mb = p->e->mb;
  memset(w, 0, sizeof *w);
  int mapped = 0;
  for (int i = 0; i < m->nnodes; i++) mapped += p->L->site_of[i] >= 0;
  w->rd = naryn__members_reader(mb, d);
  w->flows = malloc(((size_t)mb->nsites * (size_t)mb->months + 1) * sizeof *w->flows);
  w->over_data = malloc(((size_t)mapped * (size_t)m->nsteps + 1) * sizeof *w->over_data);
  w->over = calloc((size_t)m->nnodes + 1, sizeof *w->over);
  if (!w->rd || !w->flows || !w->over_data || !w->over) {
    worker_free(w);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (int i = 0, k = 0; i < m->nnodes; i++)
    if (p->L->site_of[i] >= 0) w->over[i] = w->over_data + (size_t)k++ * m->nsteps;
  if (!p->e->o.policy_dir) return NARYN_OK;
  /* The policy read to check it goes to the first thread; every other
  ** reads its own. */
  pthread_mutex_lock(&p->lock);
  w->policy = p->policy0;
  p->policy0 = NULL;
  pthread_mutex_unlock(&p->lock);
  int rc = w->policy ? NARYN_OK : naryn_policy_read(m, p->e->o.policy_dir, &w->policy, d);
  if (rc != NARYN_OK) worker_free(w);
  return rc;
}

/* Simulates member k and leaves its record. */
static int member(pool *p, worker *w, long k, naryn_diags *d) {
  const naryn_model *m = p->m;
  int rc = naryn__members_load(w->rd, k, w->flows, d);
  if (rc != NARYN_OK) return rc;
  naryn__ens_inflows(p->L, m, w->flows, p->e->mb->months, w->over);
  naryn_result *r = naryn__result_new(m);
  if (!r) return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  r->inflow_m3s = (const double *const *)w->over;
  /* An ensemble's figures hold no grid figures yet (doc/ensembles.md), so
  ** its members do not dispatch the grids: a third of a member's time on
  ** the built-in model. */
  naryn_sim_opts so = p->e->o.sim;
  so.grids = 0;
  so.policy = w->policy;
  /* A policy's chain of prices: member k's states from stream k. */
  so.price_member = k;
  rc = naryn__simulate_into(m, &so, r, NULL, NULL, d);
  if (rc == NARYN_OK) naryn__ens_record(p->L, r, p->rec + (size_t)(k - p->first) * p->L->len);
  naryn_result_free(r);
  return rc;
}

/* Keeps member k's messages in slot f when k comes before the member whose
** messages it holds; frees them otherwise. */
static void keep_first(naryn__mpi_failure *f, long k, int rc, naryn_diags *dk) {
  if (k < f->member) {
    naryn_diags_free(f->d);
    f->d = dk, f->member = k, f->status = rc;
  } else {
    naryn_diags_free(dk);
  }
}

static void *work(void *arg) {
  pool *p = arg;
  worker w;
  naryn_diags *d0 = naryn_diags_new(0);
  int rc0 = d0 ? worker_new(p, &w, d0) : NARYN_ENOMEM;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    long k = p->failed ? p->last : p->next++;
    pthread_mutex_unlock(&p->lock);
    if (k >= p->last) break;
    naryn_diags *dk = rc0 == NARYN_OK ? naryn_diags_new(0) : NULL;
    int rc = rc0 != NARYN_OK ? rc0
             : !dk           ? NARYN_ENOMEM
             : naryn_interrupted() ? naryn__interrupted(dk)
                                   : member(p, &w, k, dk);
    pthread_mutex_lock(&p->lock);
    if (rc != NARYN_OK) {
      p->failed = 1;
      if (rc0 != NARYN_OK) {
        /* The thread could not start: its own messages. */
        keep_first(&p->fail, k, rc, d0);
        d0 = NULL;
        naryn_diags_free(dk);
      } else {
        keep_first(&p->fail, k, rc, dk);
      }
    } else if (naryn_diags_warnings(dk) > 0) {
      p->warn.count++;
      keep_first(&p->warn, k, NARYN_OK, dk);
    } else {
      naryn_diags_free(dk);
    }
    p->done++;
    pthread_cond_signal(&p->finished);
    pthread_mutex_unlock(&p->lock);
    if (rc0 != NARYN_OK) break;
  }
  if (rc0 == NARYN_OK) worker_free(&w);
  naryn_diags_free(d0);
  return NULL;
}

static void tell(const naryn_ensemble *e, long done, long total) {
  if (!e->o.progress) return;
  naryn_progress pr = {.phase = "ensemble", .done = (int)done, .total = (int)total};
  e->o.progress(e->o.progress_user, &pr);
}

/* Runs this process's members on its threads. */
static void run_members(pool *p) {
  naryn_ensemble *e = p->e;
  long n = p->last - p->first;
  int jobs = e->o.jobs;
  if (jobs <= 0) jobs = naryn_mpi_size() > 1 ? 1 : (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1) jobs = 1;
  if (jobs > 64) jobs = 64;
  if (jobs > n) jobs = n > 0 ? (int)n : 1;
  pthread_t threads[64];
  int started = 0;
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->finished, NULL);
  for (int k = 0; k < jobs && n > 0; k++)
    if (pthread_create(&threads[k], NULL, work, p) == 0) started++;
  if (started == 0 && n > 0) work(p); /* no threads to be had: work here */
  pthread_mutex_lock(&p->lock);
  for (;;) {
    long taken = p->next - p->first > n ? n : p->next - p->first;
    if ((p->failed || p->next >= p->last) && p->done == taken) break;
    long done = p->done;
    pthread_mutex_unlock(&p->lock);
    tell(e, done, n);
    pthread_mutex_lock(&p->lock);
    if (p->done == done) pthread_cond_wait(&p->finished, &p->lock);
  }
  pthread_mutex_unlock(&p->lock);
  for (int k = 0; k < started; k++) pthread_join(threads[k], NULL);
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->finished);
  tell(e, p->done, n);
}

/* Passes a member's messages on, each naming the member. */
static void pass_on(naryn_diags *d, const naryn_diags *from, long id, int severity_max) {
  for (int k = 0; from && k < naryn_diags_count(from); k++) {
    const naryn_diag *x = naryn_diags_get(from, k);
    if (x->code == NARYN_EINTR || x->severity > severity_max) continue;
    naryn__diag(d, x->code, x->severity, x->file, x->line, x->col,
                x->where[0] ? x->where : NULL, "member %ld: %s", id, x->msg);
  }
}

/* ====================================================================== */
/* A run                                                                   */
/* ====================================================================== */

/* Copies what the files need of the model into the run, which outlives it. */
static int describe(naryn_ensemble *e, ens_run *run, const naryn_model *m,
                    const char *name) {
  naryn__arena *a = e->a;
  char buf[32];
  int T = m->nsteps;
  run->name = naryn__arena_strdup(a, name);
  run->model = naryn__arena_strdup(a, m->name);
  run->model_file = naryn__arena_strdup(a, m->path);
  run->scenario = naryn__arena_strdup(a, m->scenario ? m->scenario : "");
  run->start = naryn__arena_strdup(a, m->step_date[0]);
  run->end = naryn__arena_strdup(a, m->step_date[T - 1]);
  run->step = naryn__arena_strdup(a, naryn__step_days_name(m->step_days, buf, sizeof buf));
  run->nsteps = T;
  run->nnodes = m->nnodes;
  run->step_date = naryn__arena_alloc(a, (size_t)T * sizeof *run->step_date);
  run->step_day = naryn__arena_alloc(a, (size_t)T * sizeof *run->step_day);
  run->step_s = naryn__arena_alloc(a, (size_t)T * sizeof *run->step_s);
  run->node_name = naryn__arena_alloc(a, (size_t)m->nnodes * sizeof *run->node_name);
  run->node_country = naryn__arena_alloc(a, (size_t)m->nnodes * sizeof *run->node_country);
  run->node_type = naryn__arena_alloc(a, (size_t)m->nnodes * sizeof *run->node_type);
  run->initial = naryn__arena_alloc(a, ((size_t)run->L.nres + 1) * sizeof *run->initial);
  int ok = run->node_type && run->initial && run->step_day && run->step_s && run->name && run->model && run->model_file && run->scenario && run->start &&
           run->end && run->step && run->step_date && run->node_name && run->node_country;
  for (int t = 0; ok && t < T; t++) {
    ok = (run->step_date[t] = naryn__arena_strdup(a, m->step_date[t])) != NULL;
    run->step_day[t] = m->step_day[t];
    run->step_s[t] = m->step_s[t];
  }
  for (int i = 0; ok && i < m->nnodes; i++) {
    ok = (run->node_name[i] = naryn__arena_strdup(a, m->nodes[i].name)) &&
         (run->node_country[i] = naryn__arena_strdup(a, m->nodes[i].country));
    run->node_type[i] = m->nodes[i].type;
  }
  for (int r = 0; ok && r < run->L.nres; r++)
    run->initial[r] = m->nodes[run->L.res[r]].initial_storage_hm3;
  /* Each plant's winter target from the energy rules that ask it for
  ** energy: per step the most any of them asks, summed over each water
  ** year's October-March steps; NaN for a plant without one. */
  const ens_layout *L = &run->L;
  size_t nt = (size_t)L->nplants * L->nyears;
  run->target = naryn__arena_alloc(a, (nt + 1) * sizeof *run->target);
  ok = ok && run->target;
  for (size_t k = 0; ok && k < nt; k++) run->target[k] = NAN;
  for (int p = 0; ok && p < L->nplants; p++)
    for (int t = 0; t < T; t++) {
      int y = L->year_of[t];
      if (y < 0 || (m->step_month[t] >= 4 && m->step_month[t] <= 9)) continue;
      double most = NAN;
      for (int i = 0; i < m->nnodes; i++)
        for (int k = 0; k < m->nodes[i].nrules; k++) {
          const naryn__rule *ru = &m->nodes[i].rules[k];
          /* A target that follows a residual demand is known only in
          ** the run: it sets no winter target. */
          if (ru->type == NARYN__RULE_ENERGY && ru->node == L->plant[p] &&
              ru->energy_gwh.v && !(ru->energy_gwh.v[t] <= most))
            most = ru->energy_gwh.v[t];
        }
      if (isnan(most)) continue;
      double *tg = &run->target[(size_t)p * L->nyears + y];
      *tg = isnan(*tg) ? most : *tg + most;
    }
  return ok ? NARYN_OK : NARYN_ENOMEM;
}

int naryn_ensemble_run(naryn_ensemble *e, const naryn_model *m, const char *name,
                       naryn_diags *d) {
  long mark = naryn__diags_nomem(d);
  ens_run *grown = realloc(e->runs, (size_t)(e->nruns + 1) * sizeof *grown);
  if (!grown)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  e->runs = grown;
  ens_run *run = &e->runs[e->nruns];
  memset(run, 0, sizeof *run);
  int rc = naryn__ens_layout(&run->L, m, e->mb, e->o.per_step, e->a, d);
  if (rc == NARYN_OK && describe(e, run, m, name) != NARYN_OK)
    rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  /* Every process meets the same model and members, so these checks
  ** agree; an option naming nothing in the model fails here too. */
  for (int k = 0; rc == NARYN_OK && k < e->o.napril; k++)
    if (naryn_model_node_index(m, e->o.april_reservoir[k]) < 0 ||
        m->nodes[naryn_model_node_index(m, e->o.april_reservoir[k])].type !=
            NARYN_NODE_RESERVOIR)
      rc = naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--april-below",
                       "expected a reservoir of %s, got \"%s\"", m->path,
                       e->o.april_reservoir[k]);
  /* A policy replayed is read here first, in every process, so that a
  ** folder that cannot be read, or a policy of another model, stops the
  ** run before any member with its own message. */
  naryn_policy *policy0 = NULL;
  if (rc == NARYN_OK && e->o.policy_dir)
    rc = naryn_policy_read(m, e->o.policy_dir, &policy0, d);
  rc = naryn_mpi_agree(rc);
  if (rc != NARYN_OK) {
    naryn_policy_free(policy0);
    return naryn__diags_status(d, mark, rc);
  }
  long n = e->mb->count, first, last;
  naryn__mpi_share(n, &first, &last);
  const ens_layout *L = &run->L;
  pool p = {.e = e, .m = m, .L = L, .first = first, .last = last, .next = first,
            .policy0 = policy0};
  p.fail.member = p.warn.member = LONG_MAX;
  p.rec = malloc(((size_t)(last - first) * L->len + 1) * sizeof *p.rec);
  if (!p.rec) {
    p.failed = 1;
    p.fail.status = NARYN_ENOMEM;
    p.fail.member = first;
  } else {
    if (!naryn_interrupted()) run_members(&p);
    else p.fail.status = NARYN_EINTR, p.fail.member = first, p.failed = 1;
  }
  /* The first failure over every process, then the first warnings. */
  rc = naryn__mpi_failure_agree(&p.fail);
  naryn__mpi_failure_agree(&p.warn);
  if (e->root) {
    long id = p.fail.member < n ? naryn_members_id(e->mb, p.fail.member) : -1;
    if (rc == NARYN_EINTR) naryn__interrupted(d);
    else if (rc != NARYN_OK && p.fail.d) pass_on(d, p.fail.d, id, NARYN_SEV_NOTE);
    else if (rc == NARYN_ENOMEM)
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
    if (rc == NARYN_OK && p.warn.d) {
      long wid = naryn_members_id(e->mb, p.warn.member);
      pass_on(d, p.warn.d, wid, NARYN_SEV_WARNING);
      if (p.warn.count > 1)
        naryn__diag(d, NARYN_EMODEL, NARYN_SEV_NOTE, NULL, 0, 0, NULL,
                    "%ld members of the run \"%s\" had warnings; the first, member %ld, "
                    "is shown", p.warn.count, name, wid);
    }
  }
  naryn_policy_free(p.policy0);
  naryn_diags_free(p.fail.d);
  naryn_diags_free(p.warn.d);
  /* The records, in member order, on rank 0. */
  double *all = NULL;
  if (rc == NARYN_OK && e->root) {
    all = malloc(((size_t)n * L->len + 1) * sizeof *all);
    if (!all) rc = NARYN_ENOMEM;
  }
  rc = naryn_mpi_agree(rc);
  if (rc == NARYN_OK) rc = naryn__mpi_gather(p.rec, last - first, all, n, L->len);
  free(p.rec);
  if (rc == NARYN_OK && e->root) rc = naryn__ens_reduce(e, run, all, n, d);
  free(all);
  if (rc == NARYN_OK) {
    run->members = n;
    e->nruns++;
    if (e->root) rc = naryn__ens_energy(e, d);
  } else {
    free(run->yearly), free(run->winter), free(run->sel);
    if (rc == NARYN_ENOMEM && e->root && naryn_diags_errors(d) == 0)
      naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  return naryn__diags_status(d, mark, rc);
}

/* ====================================================================== */
/* Getters                                                                 */
/* ====================================================================== */

int naryn_ensemble_run_count(const naryn_ensemble *e) { return e->root ? e->nruns : 0; }

const char *naryn_ensemble_run_name(const naryn_ensemble *e, int run) {
  return e->root && run >= 0 && run < e->nruns ? e->runs[run].name : NULL;
}

long naryn_ensemble_members(const naryn_ensemble *e) { return e->mb->count; }

int naryn_ensemble_yearly(const naryn_ensemble *e, int run, const char *country,
                          naryn_season season, const char *quantity,
                          naryn_ensemble_stat *out) {
  static const char *const names[EQ_COUNT] = {"energy_gwh", "delivered_hm3",
                                              "shortage_hm3", "sink_inflow_hm3"};
  if (!e->root || run < 0 || run >= e->nruns || season < 0 || season >= NARYN_SEASON_COUNT)
    return NARYN_EARG;
  const ens_run *r = &e->runs[run];
  int g = r->L.ngroups - 1, q = -1;
  if (country)
    for (g = 0; g < r->L.ngroups - 1 && strcmp(r->L.group[g], country) != 0; g++) continue;
  if (country && g == r->L.ngroups - 1) return NARYN_EARG;
  for (int k = 0; k < EQ_COUNT; k++)
    if (quantity && strcmp(names[k], quantity) == 0) q = k;
  if (q < 0) return NARYN_EARG;
  double *work = malloc(((size_t)r->members * r->L.nyears + 1) * sizeof *work);
  if (!work) return NARYN_ENOMEM;
  naryn__ens_yearly_stats(r, g, season, q, 0, work, &out->n, &out->mean, &out->p5,
                          &out->p50, &out->p95);
  free(work);
  return NARYN_OK;
}

int naryn_ensemble_rrv_count(const naryn_ensemble *e, int run) {
  return e->root && run >= 0 && run < e->nruns ? e->runs[run].nrrv : 0;
}

int naryn_ensemble_rrv_get(const naryn_ensemble *e, int run, int k, naryn_ensemble_rrv *out) {
  if (k < 0 || k >= naryn_ensemble_rrv_count(e, run)) return NARYN_EARG;
  const ens_rrv *x = &e->runs[run].rrv[k];
  *out = (naryn_ensemble_rrv){x->kind, x->name, x->country, x->unit, x->periods,
                              x->failures, x->reliability, x->resilience, x->vulnerability};
  return NARYN_OK;
}

int naryn_ensemble_april_count(const naryn_ensemble *e, int run) {
  return e->root && run >= 0 && run < e->nruns ? e->runs[run].napril : 0;
}

int naryn_ensemble_april_get(const naryn_ensemble *e, int run, int k, const char **reservoir,
                         double *level_hm3, double *probability) {
  if (k < 0 || k >= naryn_ensemble_april_count(e, run)) return NARYN_EARG;
  const ens_april *x = &e->runs[run].april[k];
  *reservoir = x->reservoir;
  *level_hm3 = x->level_hm3;
  *probability = x->probability;
  return NARYN_OK;
}
