/*
** testutil_sddp.h: the small hydro-thermal system the SDDP tests share
** (test_sddp.c, test_prodfn.c, test_replay.c; test_sddp_par.c its
** training, watch of the lower bound and LP solve): its model text, training
** a policy, and the extensive form of its scenario tree, every
** node in one LP written here from scratch, whose optimum SDDP's lower
** bound must reach.
**
** The system is examples/sddp's: three days; a reservoir of 5 hm3 (3 at
** the start) fed by a river of 20 m3/s times an outcome each day; behind
** it a plant, of fixed head (100 m, efficiency 0.9: 0.24525 GWh per hm3)
** or, with a level table, whose head follows the reservoir (130 to 150 m
** over a tailwater of 50 m, at most 60 m3/s and 50 MW); a grid's demand
** of 1.0, 1.2 and 1.0 GWh met by a cheap plant (0.48 GWh a day at 30 per
** MWh), a dear one (0.96 GWh a day at 60, 150 and 90 per MWh on the
** three days) and unserved energy at 1000 per MWh.
**
** Include after cmocka.h and naryn_int.h.
*/
#ifndef NARYN_TESTUTIL_SDDP_H
#define NARYN_TESTUTIL_SDDP_H

#include "testutil.h"

/* Two outcomes a day, half and one and a half times the river's flow,
** with equal chance. */
#define TU_SDDP_TWO \
  "[{probability: 0.5, inflow_factor: 0.5}, {probability: 0.5, inflow_factor: 1.5}]"

/* The energy of a hm3 through the plant of fixed head, GWh. */
#define TU_SDDP_GWH_PER_HM3 (9810.0 * 1e6 / 3.6e12 * 90.0)

/* The system's model text in buf, with the given outcomes (a YAML list),
** its plant of fixed head, or (head_follows) under the reservoir's level
** table; 'top' added to the model's fields and 'more' to its uncertainty
** section (each "" for none). */
static inline const char *tu_sddp_text_with(char *buf, size_t size, int head_follows,
                                            const char *outcomes, const char *top,
                                            const char *more) {
  snprintf(buf, size,
           "name: sddp\n"
           "horizon: {start: 2001-01-01, end: 2001-01-03, step: daily}\n"
           "countries: {A: Alpha}\n"
           "nodes:\n"
           "  - {name: River, type: inflow, inflow_m3s: 20, country: A}\n"
           "  - {name: Res, type: reservoir, min_storage_hm3: 0, max_storage_hm3: 5,"
           " initial_storage_hm3: 3, country: A%s}\n"
           "  - {name: Plant, type: hydropower, %s, efficiency: 0.9,"
           " max_turbine_flow_m3s: %s, country: A}\n"
           "  - {name: Sea, type: sink}\n"
           "links:\n"
           "  - {from: River, to: Res}\n"
           "  - {from: Res, to: Plant}\n"
           "  - {from: Plant, to: Sea}\n"
           "grids:\n"
           "  - {name: G, country: A, demand_gwh: [1.0, 1.2, 1.0],"
           " unserved: [{cost_per_mwh: 1000}]}\n"
           "thermal_plants:\n"
           "  - {name: Cheap, grid: G, capacity_mw: 20, cost_per_mwh: 30}\n"
           "  - {name: Dear, grid: G, capacity_mw: 40, cost_per_mwh: [60, 150, 90]}\n"
           "objectives: [{name: power, kind: grid}]\n"
           "%s"
           "uncertainty:\n"
           "  outcomes: %s\n"
           "%s",
           head_follows ? ", level_table: {storage_hm3: [0, 5], level_m: [130, 150]}" : "",
           head_follows ? "reservoir: Res, tailwater_m: 50" : "head_m: 100",
           head_follows ? "60, capacity_mw: 50" : "500, capacity_mw: 500", top, outcomes, more);
  return buf;
}

static inline const char *tu_sddp_text(char *buf, size_t size, int head_follows,
                                       const char *outcomes) {
  return tu_sddp_text_with(buf, size, head_follows, outcomes, "", "");
}

/* Trains a policy for m with options o, checked to succeed. */
static inline naryn_policy *tu_sddp_train(const naryn_model *m, const naryn_sddp_opts *o) {
  naryn_diags *d = naryn_diags_new(0);
  naryn_policy *p = NULL;
  int rc = naryn_sddp(m, o, &p, d);
  if (rc != NARYN_OK) print_error("%s\n", tu_first_error(d));
  assert_int_equal(rc, NARYN_OK);
  naryn_diags_free(d);
  return p;
}

/* What the log of a run saw: the iterations whose lower bound rose above
** the optimum ef (by more than 1e-6 of it). Pass tu_sddp_watch as the
** options' log and a tu_sddp_seen as its user. */
typedef struct tu_sddp_seen {
  double ef;
  int above;
} tu_sddp_seen;

/* Trains the policy of m with o's passes on 1 thread, on 2 and on 2
** again, and asserts that every log row (bounds and cuts) is the same,
** bit for bit; returns the first policy (the others are freed). */
static inline naryn_policy *tu_sddp_train_threads(const naryn_model *m, naryn_sddp_opts *o) {
  o->jobs = 1;
  naryn_policy *one = tu_sddp_train(m, o);
  o->jobs = 2;
  for (int k = 0; k < 2; k++) {
    naryn_policy *b = tu_sddp_train(m, o);
    assert_int_equal(naryn_policy_log_count(one), naryn_policy_log_count(b));
    for (int i = 0; i < naryn_policy_log_count(one); i++) {
      const naryn_sddp_log *x = naryn_policy_log(one, i), *y = naryn_policy_log(b, i);
      assert_memory_equal(&x->lower, &y->lower, sizeof x->lower);
      assert_memory_equal(&x->upper, &y->upper, sizeof x->upper);
      assert_memory_equal(&x->half_width, &y->half_width, sizeof x->half_width);
      assert_int_equal(x->cuts, y->cuts);
    }
    naryn_policy_free(b);
  }
  return one;
}

static inline void tu_sddp_watch(void *user, const naryn_sddp_log *row) {
  tu_sddp_seen *s = user;
  if (row->lower > s->ef + 1e-6 * fabs(s->ef)) s->above++;
}

/* Options for a run of 40 iterations that no gap stops, with the upper
** bound estimated at the last, its lower bound watched by s. */
static inline void tu_sddp_converge_opts(naryn_sddp_opts *o, tu_sddp_seen *s) {
  naryn_sddp_opts_init(o);
  o->max_iterations = 40;
  o->bound_every = 40;
  o->gap_pct = 0.0;
  o->log = tu_sddp_watch;
  o->log_user = s;
}

/* Trains m's policy to convergence, with a single cut or a cut per
** outcome (multi_cut), and asserts that its lower bound reached the
** extensive form's optimum ef to 1e-6 and never passed it. */
static inline naryn_policy *tu_sddp_reaches_with(const naryn_model *m, double ef, int multi_cut) {
  tu_sddp_seen s = {ef, 0};
  naryn_sddp_opts o;
  tu_sddp_converge_opts(&o, &s);
  o.multi_cut = multi_cut;
  naryn_policy *p = tu_sddp_train(m, &o);
  assert_int_equal(s.above, 0);
  assert_true(fabs(naryn_policy_lower_bound(p) - ef) <= 1e-6 * fabs(ef));
  return p;
}

static inline naryn_policy *tu_sddp_reaches(const naryn_model *m, double ef) {
  return tu_sddp_reaches_with(m, ef, 0);
}

/* The optimum of the LP whose elements are in tr, with these bounds and
** costs (nrows rows, ncols columns), solved from scratch; frees tr and
** the arrays (made with malloc). */
static inline double tu_sddp_solve(naryn__triplets *tr, int nrows, int ncols, double *collo,
                                   double *colup, double *obj, double *rowlo, double *rowup) {
  int *start, *index;
  double *value;
  assert_int_equal(naryn__trip_columns(tr, ncols, &start, &index, &value, NULL), NARYN_OK);
  naryn__lp *lp = naryn__lp_new(nrows, ncols, start, index, value, collo, colup, obj,
                                rowlo, rowup);
  long it = 0;
  assert_int_equal(naryn__lp_solve_initial(lp, &it), NARYN_OK);
  double v = naryn__lp_objective(lp);
  naryn__lp_free(lp);
  naryn__trip_free(tr);
  free(start), free(index), free(value);
  free(collo), free(colup), free(obj), free(rowlo), free(rowup);
  return v;
}

/* The scenario tree of the extensive form: nout outcomes a day with
** their probabilities and factors; the three days repeated 'cycles'
** times, round c's costs weighted by disc^c; the expected cost, or with
** 'worst' the cost of the dearest path (nested CVaR with all its weight
** on the dearest half of two outcomes). With planes (a plant's production
** function, as naryn__prodfn_fit makes it) the plant's energy is at most
** every plane in the mean storage over the day and the turbined water,
** and at most its capacity, its turbined water at most 60 m3/s: the
** system whose head follows the reservoir; without, the plant of fixed
** head. */
typedef struct tu_sddp_tree {
  int nout;
  const double *prob, *factor;
  int cycles;
  double disc;
  int worst;
  const naryn__prodfn *planes;
  /* A market that buys the grid's surplus at 'sell' per MWh times the
  ** factor of the day's price state, the states (nm of them; 0: one, of
  ** factor 1) following the chain of transition matrix 'trans' from
  ** state m0 on the first day; with tday[0] set, the matrix out of day d
  ** of each cycle is tday[d] instead. */
  double sell;
  int nm, m0;
  const double *trans, *pfac;
  const double *tday[3];
} tu_sddp_tree;

/* The optimum of the extensive form: per node of the tree (stage t,
** outcome path), the end storage, release, turbined water, energy (with
** planes), cheap, dear and unserved energy and the surplus; with 'worst'
** an epigraph column above every path's cost. */
static inline double tu_sddp_extensive(const tu_sddp_tree *tree) {
  const double demand[3] = {1.0, 1.2, 1.0}, dear_price[3] = {60, 150, 90};
  const double inflow = 20 * 86400 * 1e-6, k = TU_SDDP_GWH_PER_HM3;
  const naryn__prodfn *f = tree->planes;
  /* A node's branches: every price state of the day after times every
  ** outcome; a price state the chain cannot reach has no chance (the
  ** first day's is m0). */
  int nm = tree->nm > 0 ? tree->nm : 1, nout = tree->nout * nm, nin = tree->nout;
  /* The columns of a node, the energy's only with planes. */
  const int S = 0, REL = 1, TURB = 2, E = f ? 3 : -1, CHEAP = f ? 4 : 3;
  const int DEAR = CHEAP + 1, UNS = CHEAP + 2, SUR = CHEAP + 3, NV = CHEAP + 4;
  int T = 3 * tree->cycles, total = 0;
  int nodes[128], first[128];
  nodes[0] = 1;
  for (int t = 1; t <= T; t++) nodes[t] = nodes[t - 1] * nout;
  for (int t = 0; t <= T; t++) first[t] = total, total += nodes[t];
  int ncols = total * NV + 1, zcol = total * NV, nrows = 0;
  int rows_max = (3 + (f ? f->k : 0)) * total + nodes[T] + 1;
  naryn__triplets tr = {0};
  double *collo = calloc((size_t)ncols, sizeof(double));
  double *colup = calloc((size_t)ncols, sizeof(double));
  double *obj = calloc((size_t)ncols, sizeof(double));
  double *rowlo = calloc((size_t)rows_max, sizeof(double));
  double *rowup = calloc((size_t)rows_max, sizeof(double));
  assert_true(collo && colup && obj && rowlo && rowup);
  for (int j = 0; j < ncols; j++) colup[j] = INFINITY;
  collo[zcol] = -INFINITY;
  obj[zcol] = tree->worst ? 1.0 : 0.0;
  for (int t = 1; t <= T; t++) {
    int day = (t - 1) % 3;
    double w = pow(tree->disc, (t - 1) / 3);
    for (int n = 0; n < nodes[t]; n++) {
      int id = first[t] + n, parent = first[t - 1] + n / nout, o = n % nout % nin;
      int ms = n % nout / nin;
      double pr = 1.0;
      for (int q = n, st = t; st >= 1; st--, q /= nout) {
        int mq = q % nout / nin, from = st > 1 ? q / nout % nout / nin : -1;
        const double *tm = tree->tday[0] && st > 1 ? tree->tday[(st - 2) % 3] : tree->trans;
        double pm = tree->nm <= 0 ? 1.0 : from < 0 ? (mq == tree->m0) : tm[from * nm + mq];
        pr *= pm * tree->prob[q % nout % nin];
      }
      int c = id * NV;
      colup[c + S] = 5.0;
      if (f) {
        colup[c + TURB] = 60 * 86400 * 1e-6;
        colup[c + E] = 50 * 24e-3;
      }
      colup[c + CHEAP] = 0.48;
      colup[c + DEAR] = 0.96;
      if (!tree->worst) {
        obj[c + CHEAP] = w * pr * 30e3;
        obj[c + DEAR] = w * pr * dear_price[day] * 1e3;
        obj[c + UNS] = w * pr * 1000e3;
        obj[c + SUR] = -w * pr * tree->sell * (tree->nm > 0 ? tree->pfac[ms] : 1.0) * 1e3;
      }
      int r = nrows++;
      naryn__trip_add(&tr, r, c + S, 1.0);
      naryn__trip_add(&tr, r, c + REL, 1.0);
      double rhs = inflow * tree->factor[o];
      if (t > 1) naryn__trip_add(&tr, r, parent * NV + S, -1.0);
      else rhs += 3.0;
      rowlo[r] = rowup[r] = rhs;
      r = nrows++;
      naryn__trip_add(&tr, r, c + TURB, 1.0);
      naryn__trip_add(&tr, r, c + REL, -1.0);
      rowlo[r] = -INFINITY, rowup[r] = 0.0;
      /* E <= a + b (S_parent + S) / 2 + c TURB, for each plane. */
      for (int j = 0; f && j < f->k; j++) {
        double a, b, cq;
        naryn__prodfn_plane_gwh(f, j, 86400, &a, &b, &cq);
        r = nrows++;
        naryn__trip_add(&tr, r, c + E, 1.0);
        naryn__trip_add(&tr, r, c + TURB, -cq);
        naryn__trip_add(&tr, r, c + S, -0.5 * b);
        if (t > 1) naryn__trip_add(&tr, r, parent * NV + S, -0.5 * b);
        rowlo[r] = -INFINITY;
        rowup[r] = a + (t > 1 ? 0.0 : 0.5 * b * 3.0);
      }
      r = nrows++;
      if (f) naryn__trip_add(&tr, r, c + E, 1.0);
      else naryn__trip_add(&tr, r, c + TURB, k);
      naryn__trip_add(&tr, r, c + CHEAP, 1.0);
      naryn__trip_add(&tr, r, c + DEAR, 1.0);
      naryn__trip_add(&tr, r, c + UNS, 1.0);
      naryn__trip_add(&tr, r, c + SUR, -1.0);
      rowlo[r] = rowup[r] = demand[day];
    }
  }
  /* The dearest path: z above the cost of every path to a leaf. */
  for (int n = 0; tree->worst && n < nodes[T]; n++) {
    int r = nrows++;
    naryn__trip_add(&tr, r, zcol, 1.0);
    for (int t = T, q = n; t >= 1; t--, q /= nout) {
      int c = (first[t] + q) * NV;
      naryn__trip_add(&tr, r, c + CHEAP, -30e3);
      naryn__trip_add(&tr, r, c + DEAR, -dear_price[(t - 1) % 3] * 1e3);
      naryn__trip_add(&tr, r, c + UNS, -1000e3);
    }
    rowlo[r] = 0.0, rowup[r] = INFINITY;
  }
  for (int j = 0; j < NV; j++) colup[j] = 0.0; /* the root's columns */
  return tu_sddp_solve(&tr, nrows, ncols, collo, colup, obj, rowlo, rowup);
}

#endif
