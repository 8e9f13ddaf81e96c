/*
** pareto.c: the trade-off between two objective terms, by the
** epsilon-constraint method.
**
** The curve runs between two anchor plans: the one best for every term but
** x (x's weight cut to a thousandth, to break ties, and y's raised to at
** least one), and the one best for x (x alone, with the others at a
** thousandth of their weights to break ties). Between x's values in those two plans, n levels are spread
** evenly; at each, the combined objective without x is maximised subject
** to x being at least as good as the level, x again keeping a thousandth
** of its weight. Every point is a full plan,
** evaluated like any other result.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../naryn_int.h"

static int find_term(const naryn_model *m, const char *name, const char *role,
                     naryn_diags *d) {
  int k = naryn_model_term_index(m, name);
  if (k >= 0) return k;
  int best = -1, bd = 0;
  for (int j = 0; j < m->nterms; j++) {
    int e = naryn__edit_distance(name, m->terms[j].name);
    if (best < 0 || e < bd) best = j, bd = e;
  }
  char hint[160] = "";
  if (best >= 0 && bd <= 3)
    snprintf(hint, sizeof hint, "; did you mean \"%s\"?", m->terms[best].name);
  naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, role,
              "expected the name of one of the model's %d objective terms, "
              "got \"%s\"%s", m->nterms, name, hint);
  return -1;
}

/* Passes each point's optimisation progress on to the caller's callback,
** saying which point of how many it is. */
typedef struct relay {
  naryn_progress_fn fn;
  void *user;
  int part, parts;
} relay;

static void relay_progress(void *user, const naryn_progress *p) {
  const relay *r = user;
  naryn_progress q = *p;
  q.part = r->part;
  q.parts = r->parts;
  r->fn(r->user, &q);
}

int naryn_pareto(const naryn_model *m, const naryn_opt_opts *o,
                 const char *x, const char *y, int n_points,
                 naryn_result ***points, naryn_diags *d) {
  *points = NULL;
  int kx = find_term(m, x, "--x", d), ky = find_term(m, y, "--y", d);
  if (kx < 0 || ky < 0) return NARYN_EARG;
  if (kx == ky)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--y",
                       "expected a term other than --x, got \"%s\" for both", y);
  if (n_points < 2)
    return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, "--points",
                       "expected at least 2 points, got %d", n_points);
  /* The options of every point's optimisation: the caller's, with its
  ** progress callback told which point is under way. */
  naryn_opt_opts po;
  if (o) po = *o; else naryn_opt_opts_init(&po);
  relay rl = {po.progress, po.progress_user, 0, n_points};
  if (po.progress) {
    po.progress = relay_progress;
    po.progress_user = &rl;
  }
  o = &po;
  int nt = m->nterms, rc;
  double *w = malloc(((size_t)nt + 1) * sizeof *w);
  naryn_result **pts = calloc((size_t)n_points, sizeof *pts);
  naryn_result *ax = NULL, *ar = NULL;
  if (!w || !pts) {
    free(w);
    free(pts);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  int benefit = NARYN__TERM_BENEFIT(m->terms[kx].kind);
  /* Away from its own anchor, x keeps a thousandth of its weight (at
  ** least of one) to break ties: otherwise a plan could waste x for
  ** nothing, for example spill water past the turbines when energy is
  ** not counted (the augmented epsilon-constraint method). */
  double tie = 1e-3 * (m->terms[kx].weight > 1.0 ? m->terms[kx].weight : 1.0);
  /* The plan best for the other terms. */
  for (int k = 0; k < nt; k++) w[k] = m->terms[k].weight;
  w[kx] = tie;
  if (w[ky] < 1.0) w[ky] = 1.0;
  rl.part = 1;
  rc = naryn__optimise(m, o, w, -1, 0.0, NULL, NULL, &ar, d);
  if (rc != NARYN_OK) goto done;
  /* The plan best for x. */
  double wy = w[ky];
  for (int k = 0; k < nt; k++) w[k] = 1e-3 * m->terms[k].weight;
  w[ky] = 1e-3 * wy;
  w[kx] = 1.0;
  rl.part = 2;
  rc = naryn__optimise(m, o, w, -1, 0.0, ar, NULL, &ax, d);
  if (rc != NARYN_OK) goto done;
  double lo = naryn_result_term(ar, kx, NULL), hi = naryn_result_term(ax, kx, NULL);
  /* For a benefit the levels rise from lo to hi; for a cost they fall. */
  if (benefit ? hi < lo : hi > lo) hi = lo;
  for (int k = 0; k < nt; k++) w[k] = m->terms[k].weight;
  w[kx] = tie;
  if (w[ky] < 1.0) w[ky] = 1.0;
  for (int i = 0; i < n_points; i++) {
    /* The check between points; each point's optimisation checks between
    ** its passes and reports its own interruption. */
    if ((rc = naryn__interrupt_check(d)) != NARYN_OK) goto done;
    double level = lo + (hi - lo) * i / (n_points - 1);
    if (i == 0 || i == n_points - 1) {
      /* The end levels are the anchors themselves. */
      pts[i] = i == 0 ? ar : ax;
      if (i == 0) ar = NULL; else ax = NULL;
      pts[i]->pareto_level = level;
      continue;
    }
    naryn_diags *scratch = naryn_diags_new(0);
    if (!scratch) {
      rc = naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
      goto done;
    }
    /* Each point starts its linearisation from the plan before it. */
    rl.part = i + 2;
    rc = naryn__optimise(m, o, w, kx, level, pts[i - 1] ? pts[i - 1] : NULL, NULL,
                         &pts[i], scratch);
    if (rc == NARYN_EINFEAS) {
      /* The linearised energy can fall a little short of the level the
      ** exact plan reached; the point is then left out. */
      naryn__diag(d, NARYN_EINFEAS, NARYN_SEV_WARNING, NULL, 0, 0, NULL,
                  "point %d of the curve (%s at level %g) could not be "
                  "reached and is left out", i + 1, x, level);
      pts[i] = NULL;
      rc = NARYN_OK;
    } else if (rc != NARYN_OK) {
      for (int g = 0; g < naryn_diags_count(scratch); g++) {
        const naryn_diag *e = naryn_diags_get(scratch, g);
        naryn__diag(d, e->code, e->severity, e->file, e->line, e->col,
                    e->where[0] ? e->where : NULL, "%s", e->msg);
      }
    }
    naryn_diags_free(scratch);
    if (rc != NARYN_OK) goto done;
  }
done:
  naryn_result_free(ax);
  naryn_result_free(ar);
  free(w);
  if (rc != NARYN_OK) {
    for (int i = 0; i < n_points; i++) naryn_result_free(pts[i]);
    free(pts);
    return rc;
  }
  *points = pts;
  return NARYN_OK;
}
