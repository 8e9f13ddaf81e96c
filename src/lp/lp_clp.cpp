/*
** lp_clp.cpp: the one file that talks to COIN-OR CLP, through its C++
** class ClpSimplex, behind the C interface naryn__lp_* of naryn_int.h.
**
** The simulator builds its per-step LP once and then, step after step,
** changes only bounds and right-hand sides and re-solves with the dual
** simplex from the previous optimal basis, which after small changes needs
** few iterations. CLP's own scaling is switched off: the simulator's rows
** are water balances with coefficients near 1, and for such re-solves the
** scaling pass costs more than it saves (see doc/performance.md). For
** the step LP, CLP also keeps its work arrays and factorisation from one
** solve to the next (naryn__lp_keep_work): a step's re-solves, which
** mostly need no pivot at all, then cost a few microseconds instead of a
** setup from scratch.
**
** Otherwise the calls made on ClpSimplex are the ones CLP's own C
** interface makes for the same requests, so that the solutions are those
** of that interface to the last bit.
**
** CLP reports running out of memory, and some of its own failures, by
** throwing C++ exceptions, which must never cross into the C library.
** Every entry point catches them: std::bad_alloc becomes NARYN_ENOMEM and
** any other exception NARYN_ESOLVER. After such a failure the LP is
** marked broken, since CLP's state may be half-changed, and every later
** call returns the same status without touching CLP again. CLP is not
** exception-safe: a model whose call threw may hold pointers that CLP has
** already freed (its presolve frees the model's arrays as the exception
** unwinds), so naryn__lp_free does not delete it but gives it up
** (lp/abandon.c), losing its memory rather than crashing. CLP may also
** leave blocks of its own behind when it throws; naryn cannot free those.
**
** An event handler, called by the simplex at the end of each iteration
** and each factorisation, stops the solve once naryn_interrupted(); the
** solve then returns NARYN_EINTR rather than a solver failure. CLP's own
** SIGINT handler, which it installs during some solves, is no concern of
** the library: the naryn command keeps SIGINT blocked in all its threads.
*/
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

#include <ClpEventHandler.hpp>
#include <ClpDualRowDantzig.hpp>
#include <ClpDualRowSteepest.hpp>
#include <ClpDualRowSteepest.hpp>
#include <ClpPrimalColumnSteepest.hpp>
#include <ClpSimplex.hpp>

extern "C" {
#include "../naryn_int.h"
}

namespace {

/* Stops the simplex at its next iteration or factorisation once an
** interruption is requested; otherwise does what CLP's own handler does,
** so that an uninterrupted solve is unchanged.
**
** ClpSimplex::passInEventHandler deletes the model's handler before it
** clones the new one, and leaves the deleted pointer in place when the
** clone throws, so that deleting the model later frees it twice. A
** handler made with a spare copy (made beforehand, where running out of
** memory is harmless) hands that copy out at its first clone(), which
** then cannot fail. */
class interrupt_handler : public ClpEventHandler {
public:
  interrupt_handler() : ClpEventHandler(), spare_(NULL) {}
  explicit interrupt_handler(interrupt_handler *spare)
      : ClpEventHandler(), spare_(spare) {}
  interrupt_handler(const interrupt_handler &other)
      : ClpEventHandler(other), spare_(NULL) {}
  interrupt_handler &operator=(const interrupt_handler &other) {
    ClpEventHandler::operator=(other);
    return *this;
  }
  ~interrupt_handler() override { delete spare_; }
  /* At the end of an iteration or a factorisation, 0 makes the simplex
  ** stop with status 5, "stopped by event". After the first solve of a
  ** presolved problem, 0 tells CLP to take the result as it is rather than
  ** clean it up with more simplex iterations on the whole problem (the
  ** primal simplex looks at events only between factorisations). */
  int event(Event which) override {
    if ((which == endOfIteration || which == endOfFactorization ||
         which == presolveAfterFirstSolve) &&
        naryn_interrupted())
      return 0;
    return ClpEventHandler::event(which);
  }
  /* CLP copies the handler into the models it derives (for presolve). */
  ClpEventHandler *clone() const override {
    if (spare_) {
      interrupt_handler *copy = spare_;
      spare_ = NULL;
      return copy;
    }
    return new interrupt_handler(*this);
  }

private:
  mutable interrupt_handler *spare_; /* handed out by the first clone() */
};

/* The status for an exception caught from CLP. */
int caught(void) {
  try {
    throw;
  } catch (const std::bad_alloc &) {
    return NARYN_ENOMEM;
  } catch (...) {
    return NARYN_ESOLVER;
  }
}

/* Infinite bounds are passed to CLP as +-DBL_MAX. */
double clp_bound(double v) {
  if (v >= 1e30) return DBL_MAX;
  if (v <= -1e30) return -DBL_MAX;
  return v;
}

/* Copies an array of bounds into CLP's convention for infinity; NULL when
** out of memory. */
double *clp_bounds(const double *v, int n) {
  double *out = static_cast<double *>(malloc((size_t)(n > 0 ? n : 1) * sizeof *out));
  if (!out) return NULL;
  for (int i = 0; i < n; i++) out[i] = clp_bound(v[i]);
  return out;
}

/* The matrix, with bounds converted, in the form ClpSimplex::loadProblem
** takes; every pointer is NULL after a failed allocation. */
struct loadable {
  double *cl, *cu, *rl, *ru;
  CoinBigIndex *st;
  loadable(int nrows, int ncols, const int *start, const double *collo,
           const double *colup, const double *rowlo, const double *rowup)
      : cl(clp_bounds(collo, ncols)), cu(clp_bounds(colup, ncols)),
        rl(clp_bounds(rowlo, nrows)), ru(clp_bounds(rowup, nrows)),
        st(static_cast<CoinBigIndex *>(malloc((size_t)(ncols + 1) * sizeof *st))) {
    if (st)
      for (int j = 0; j <= ncols; j++) st[j] = start[j];
  }
  ~loadable() { free(cl), free(cu), free(rl), free(ru), free(st); }
  bool ok() const { return cl && cu && rl && ru && st; }
  loadable(const loadable &) = delete;
  loadable &operator=(const loadable &) = delete;
};

} // namespace

struct naryn__lp {
  ClpSimplex *clp;
  int nrows, ncols;
  int broken; /* NARYN_OK, or the status of a call that threw */
  int warm;   /* 1 after naryn__lp_keep_work or naryn__lp_keep_factor */
  int rows_change; /* 1 after naryn__lp_keep_factor */
  int fresh;  /* rows added or deleted, or the basis forgotten, since the
              ** last solve */
  int dantzig; /* the dual simplex picks rows by Dantzig's rule */
  /* In the warm mode, the bounds given as infinite (per column, then per
  ** row: 1 the lower, 2 the upper) and the box they are given to CLP as. */
  unsigned char *infinite;
  double box;
  long box_solves; /* solves again without the box */
  unsigned seed;    /* the seed of CLP's random numbers when the LP was made */
};

/* CLP's startFinishOptions for a warm re-solve: keep the work arrays and
** the factorisation at the end (1), start from the kept factorisation
** (2) and skip setting up what has not changed (4). */
#define WARM_START_FINISH 7
/* The same, for a solve after the rows changed: set up afresh and keep. */
#define WARM_KEEP 1
/* CLP's specialOptions for a warm re-solve: no sanity checks of the
** matrix (128), and no refactorisation before 20 iterations (2048). */
#define WARM_SPECIAL (128 | 2048)
/* Up to this many rows, the warm mode's dual simplex picks the row to
** leave the basis by the largest infeasibility (Dantzig's rule), whose
** iterations cost less than those of CLP's default, steepest edge, and on
** the small step LPs of river networks are not more numerous. */
#define WARM_DANTZIG_ROWS 500

/* The status of a solve that CLP finished with 'status': an interruption
** whenever one was requested, whatever CLP made of it. */
static int solve_status(int status) {
  if (naryn_interrupted()) return NARYN_EINTR;
  if (status == 0) return NARYN_OK;
  if (status == 1) return NARYN_EINFEAS;
  return NARYN_ESOLVER;
}

extern "C" naryn__lp *naryn__lp_new(int nrows, int ncols, const int *start,
                                    const int *index, const double *value,
                                    const double *collo, const double *colup,
                                    const double *obj, const double *rowlo,
                                    const double *rowup) {
  naryn__lp *lp = static_cast<naryn__lp *>(calloc(1, sizeof *lp));
  if (!lp) return NULL;
  loadable in(nrows, ncols, start, collo, colup, rowlo, rowup);
  try {
    if (!in.ok()) throw std::bad_alloc();
    lp->clp = new ClpSimplex();
    lp->seed = lp->clp->randomNumberGenerator()->getSeed();
    lp->clp->setLogLevel(0);
    lp->clp->loadProblem(ncols, nrows, in.st, index, value, in.cl, in.cu, obj,
                         in.rl, in.ru);
    lp->clp->scaling(0);
    interrupt_handler stop(new interrupt_handler());
    lp->clp->passInEventHandler(&stop);
  } catch (...) {
    lp->broken = caught();
    naryn__lp_free(lp);
    return NULL;
  }
  lp->nrows = nrows;
  lp->ncols = ncols;
  return lp;
}

extern "C" void naryn__lp_free(naryn__lp *lp) {
  if (!lp) return;
  free(lp->infinite);
  if (lp->broken && lp->clp) {
    /* A model whose call threw cannot be deleted safely (see the top). */
    naryn__lp_abandon(lp->clp);
  } else {
    try {
      delete lp->clp;
    } catch (...) {
      /* A destructor that throws leaves nothing more to free. */
    }
  }
  free(lp);
}

/* The warm mode; 'rows_change' for an LP whose rows change between
** solves. */
static int keep(naryn__lp *lp, int rows_change) {
  if (lp->broken) return lp->broken;
  lp->infinite = static_cast<unsigned char *>(calloc((size_t)(lp->ncols + lp->nrows) + 1, 1));
  if (!lp->infinite) return NARYN_ENOMEM;
  try {
    /* CLP's kept arrays are sized once for the rows the LP has, and
    ** its skipped checks would let a zero element of an added row
    ** through: an LP whose rows change keeps only the factorisation. */
    if (!rows_change) {
      lp->clp->setPersistenceFlag(1);
      lp->clp->setSpecialOptions(lp->clp->specialOptions() | WARM_SPECIAL);
    }
    if (lp->nrows <= WARM_DANTZIG_ROWS) {
      ClpDualRowDantzig dantzig;
      lp->clp->setDualRowPivotAlgorithm(dantzig);
      lp->dantzig = 1;
    }
  } catch (...) {
    return lp->broken = caught();
  }
  lp->warm = 1;
  lp->rows_change = rows_change;
  return NARYN_OK;
}

extern "C" int naryn__lp_keep_work(naryn__lp *lp) { return keep(lp, 0); }

extern "C" int naryn__lp_keep_factor(naryn__lp *lp) { return keep(lp, 1); }

/* The warm mode gives CLP no infinite bound. The dual simplex must give
** every column with an infinite bound a bound of its own (CLP's "fake"
** bounds) and clean up with the primal simplex when a solution reaches
** one; a true bound saves both. Infinite bounds are given as a box: a
** power of ten at least ten times the sum of the magnitudes of all the
** finite bounds, which a flow of water would not reach. It only grows, so
** that it seldom changes. A solution that reaches the box is solved again
** without it (solve_warm); one that does not is optimal for the problem
** without the box too, since an LP's optimum where no added bound holds
** it is an optimum without them. */
static void update_box(naryn__lp *lp, const double *collo, const double *colup,
                       const double *rowlo, const double *rowup) {
  double sum = 1.0;
  for (int j = 0; j < lp->ncols; j++) {
    if (std::isfinite(collo[j])) sum += fabs(collo[j]);
    if (std::isfinite(colup[j])) sum += fabs(colup[j]);
  }
  for (int i = 0; i < lp->nrows; i++) {
    if (std::isfinite(rowlo[i])) sum += fabs(rowlo[i]);
    if (std::isfinite(rowup[i])) sum += fabs(rowup[i]);
  }
  double box = pow(10.0, ceil(log10(10.0 * sum)));
  if (box > lp->box) lp->box = box;
}

/* A bound for CLP in the warm mode, noting in *flag whether it was
** infinite (bit 'bit'). */
static double boxed(naryn__lp *lp, double v, unsigned char *flag, int bit) {
  if (v >= 1e30 || v <= -1e30) {
    *flag |= (unsigned char)bit;
    return v > 0 ? lp->box : -lp->box;
  }
  return v;
}

/* Tells CLP of each bound that changed, one by one, which keeps its work
** arrays valid where replacing whole arrays would have it set them all up
** again. */
static void change_bounds(naryn__lp *lp, const double *collo,
                          const double *colup, const double *rowlo,
                          const double *rowup) {
  ClpSimplex *clp = lp->clp;
  update_box(lp, collo, colup, rowlo, rowup);
  const double *lo = clp->getColLower(), *up = clp->getColUpper();
  for (int j = 0; j < lp->ncols; j++) {
    unsigned char *f = &lp->infinite[j];
    *f = 0;
    double l = boxed(lp, collo[j], f, 1), u = boxed(lp, colup[j], f, 2);
    if (lo[j] != l || up[j] != u) clp->setColumnBounds(j, l, u);
  }
  lo = clp->getRowLower(), up = clp->getRowUpper();
  for (int i = 0; i < lp->nrows; i++) {
    unsigned char *f = &lp->infinite[lp->ncols + i];
    *f = 0;
    double l = boxed(lp, rowlo[i], f, 1), u = boxed(lp, rowup[i], f, 2);
    if (lo[i] != l || up[i] != u) clp->setRowBounds(i, l, u);
  }
}

/* 1 when value v reaches the box on a side whose bound was infinite. */
static int at_box(const naryn__lp *lp, double v, unsigned char flag) {
  double edge = lp->box * (1.0 - 1e-9);
  return ((flag & 1) && v <= -edge) || ((flag & 2) && v >= edge);
}

/* Gives CLP the infinite bounds as they are, for the solve after one that
** reached the box. The next change_bounds puts the box back. */
static void unbox(naryn__lp *lp) {
  ClpSimplex *clp = lp->clp;
  const double *lo = clp->getColLower(), *up = clp->getColUpper();
  for (int j = 0; j < lp->ncols; j++) {
    unsigned char f = lp->infinite[j];
    if (f) clp->setColumnBounds(j, (f & 1) ? -DBL_MAX : lo[j], (f & 2) ? DBL_MAX : up[j]);
  }
  lo = clp->getRowLower(), up = clp->getRowUpper();
  for (int i = 0; i < lp->nrows; i++) {
    unsigned char f = lp->infinite[lp->ncols + i];
    if (f) clp->setRowBounds(i, (f & 1) ? -DBL_MAX : lo[i], (f & 2) ? DBL_MAX : up[i]);
  }
}

/* 1 when the last solution reaches the box anywhere. */
static int reached_box(const naryn__lp *lp) {
  const double *x = lp->clp->getColSolution(), *r = lp->clp->getRowActivity();
  for (int j = 0; j < lp->ncols; j++)
    if (lp->infinite[j] && at_box(lp, x[j], lp->infinite[j])) return 1;
  for (int i = 0; i < lp->nrows; i++)
    if (lp->infinite[lp->ncols + i] && at_box(lp, r[i], lp->infinite[lp->ncols + i])) return 1;
  return 0;
}

extern "C" int naryn__lp_set_bounds(naryn__lp *lp, const double *collo,
                                    const double *colup, const double *rowlo,
                                    const double *rowup) {
  if (lp->broken) return lp->broken;
  /* CLP keeps the basis status of every row and column across these calls,
  ** so the next solve starts from the previous optimal basis. */
  try {
    if (lp->warm) {
      change_bounds(lp, collo, colup, rowlo, rowup);
      return NARYN_OK;
    }
    lp->clp->chgColumnLower(collo);
    lp->clp->chgColumnUpper(colup);
    lp->clp->chgRowLower(rowlo);
    lp->clp->chgRowUpper(rowup);
  } catch (...) {
    return lp->broken = caught();
  }
  return NARYN_OK;
}

extern "C" int naryn__lp_set_objective(naryn__lp *lp, const double *obj) {
  if (lp->broken) return lp->broken;
  try {
    lp->clp->chgObjCoefficients(obj);
  } catch (...) {
    return lp->broken = caught();
  }
  return NARYN_OK;
}

/* A solve that failed once more: what the simplex kept may be at fault
** (its perturbation, the box around infinite bounds), or Dantzig's rule,
** which with presolve can end a badly scaled stage LP (cuts whose
** constants span ten orders of magnitude) falsely infeasible, where CLP's
** default rule solves it. A new copy of the problem, its infinite bounds
** as they are, solved from scratch with CLP's default rule (the next
** fresh start of the LP takes Dantzig's again). CLP's status. */
static int last_resort(naryn__lp *lp, long *iterations) {
  if (lp->warm) unbox(lp);
  naryn__lp_restart(lp, NULL, 0);
  if (lp->broken) return -1;
  ClpDualRowSteepest steepest;
  lp->clp->setDualRowPivotAlgorithm(steepest);
  lp->clp->initialSolve();
  *iterations += lp->clp->numberIterations();
  lp->fresh = 0;
  return lp->clp->status();
}

extern "C" int naryn__lp_solve(naryn__lp *lp, long *iterations) {
  if (lp->broken) return lp->broken;
  if (naryn_interrupted()) return NARYN_EINTR;
  try {
    /* After its rows changed, the LP is set up afresh (and kept). */
    lp->clp->dual(0, !lp->warm ? 0 : lp->fresh ? WARM_KEEP : WARM_START_FINISH);
    lp->fresh = 0;
    int status = lp->clp->status();
    *iterations += lp->clp->numberIterations();
    if (lp->warm && status == 0 && reached_box(lp) && !naryn_interrupted()) {
      unbox(lp);
      lp->box_solves++;
      lp->clp->dual(0, WARM_START_FINISH);
      status = lp->clp->status();
      *iterations += lp->clp->numberIterations();
    }
    if (status != 0 && !naryn_interrupted()) {
      /* A warm start can stall on a bad basis; a solve from scratch with
      ** presolve settles whether the problem itself is at fault. */
      lp->clp->initialSolve();
      status = lp->clp->status();
      *iterations += lp->clp->numberIterations();
    }
    if (status != 0 && !naryn_interrupted()) status = last_resort(lp, iterations);
    if (lp->broken) return lp->broken;
    return solve_status(status);
  } catch (...) {
    return lp->broken = caught();
  }
}

extern "C" const double *naryn__lp_x(naryn__lp *lp) {
  return lp->clp->getColSolution();
}

extern "C" double naryn__lp_objective(naryn__lp *lp) {
  return lp->clp->objectiveValue();
}

/* ====================================================================== */
/* The whole-horizon LP of the optimiser                                   */
/* ====================================================================== */

extern "C" void naryn__lp_tune_large(naryn__lp *lp) {
  if (lp->broken) return;
  try {
    /* Scaling mode 3 is CLP's automatic choice. Perturbation 50 lets the
    ** simplex perturb the costs when it judges the LP degenerate; the
    ** library's default (100) never does, while the clp command turns it
    ** on. The horizon LP is highly degenerate (many storages and flows
    ** have the same value), and perturbed it needs a sixth fewer
    ** iterations: 19,444 rather than 23,316 on the built-in model's first
    ** pass, 0.80 s rather than 1.08 s (bench/bench_opt.c). */
    lp->clp->scaling(3);
    lp->clp->setPerturbation(50);
  } catch (...) {
    lp->broken = caught();
  }
}

extern "C" int naryn__lp_solve_initial(naryn__lp *lp, long *iterations) {
  if (lp->broken) return lp->broken;
  if (naryn_interrupted()) return NARYN_EINTR;
  try {
    /* CLP's initial solve presolves the problem, picks dual or primal
    ** simplex, and postsolves, which for a large LP is several times
    ** faster than the plain dual simplex on the full problem. */
    lp->clp->initialSolve();
    *iterations += lp->clp->numberIterations();
    int status = lp->clp->status();
    if (status != 0 && lp->dantzig && !naryn_interrupted()) status = last_resort(lp, iterations);
    if (lp->broken) return lp->broken;
    return solve_status(status);
  } catch (...) {
    return lp->broken = caught();
  }
}

extern "C" void naryn__lp_forget_basis(naryn__lp *lp) {
  if (lp->broken) return;
  try {
    /* Every row's slack basic, every column at a bound: the basis a solve
    ** from scratch starts from. CLP's random numbers (its dual simplex
    ** perturbs costs with them) start again from the LP's first seed:
    ** otherwise the next solve would depend on how many came before. */
    lp->clp->allSlackBasis(true);
    lp->clp->setRandomSeed((int)lp->seed);
    lp->fresh = 1;
  } catch (...) {
    lp->broken = caught();
  }
}

extern "C" int naryn__lp_basis_size(const naryn__lp *lp) { return lp->ncols + lp->nrows; }

extern "C" void naryn__lp_get_basis(const naryn__lp *lp, unsigned char *status) {
  /* CLP keeps a status per column, then per row: its low three bits are
  ** the status proper (basic, at a bound, free, superbasic), the next two
  ** whether it sits at a bound the dual simplex made up, and the others
  ** CLP's notes for the solve under way, which are left out. */
  const unsigned char *s = lp->clp->statusArray();
  int n = lp->ncols + lp->nrows;
  for (int k = 0; k < n; k++) status[k] = s ? (unsigned char)(s[k] & 31) : 0;
}

extern "C" void naryn__lp_restart(naryn__lp *lp, const unsigned char *status, int n) {
  if (lp->broken) return;
  try {
    /* The next solve is a new LP's, from this basis: CLP's simplex keeps
    ** much of what it did before (its working costs and bounds, its
    ** factorisation's counts, its random numbers), which would make what it
    ** finds depend on what this LP object solved before. So the problem is
    ** copied into a new one (the data without the simplex's state), set up
    ** as this one was. */
    ClpSimplex *c = new ClpSimplex(static_cast<const ClpModel &>(*lp->clp));
    delete lp->clp;
    lp->clp = c;
    c->setWhatsChanged(0); /* nothing of the simplex's set up yet */
    c->setRandomSeed((int)lp->seed);
    interrupt_handler stop(new interrupt_handler());
    c->passInEventHandler(&stop);
    if (lp->warm && !lp->rows_change) {
      c->setPersistenceFlag(1);
      c->setSpecialOptions(c->specialOptions() | WARM_SPECIAL);
    }
    if (lp->dantzig) {
      ClpDualRowDantzig dantzig;
      c->setDualRowPivotAlgorithm(dantzig);
    }
    if (status && n > 0 && !c->statusArray()) c->createStatus();
    if (status && n > 0) {
      unsigned char *to = c->statusArray();
      int size = lp->ncols + lp->nrows;
      for (int k = 0; k < size; k++) to[k] = k < n ? status[k] : (unsigned char)ClpSimplex::basic;
    } else {
      c->allSlackBasis(true);
    }
    /* The values of the last solution, which the dual simplex places its
    ** own bounds around for columns whose bounds are far apart, are set to
    ** nought. */
    double *x = c->primalColumnSolution(), *r = c->primalRowSolution();
    double *y = c->dualRowSolution(), *dj = c->dualColumnSolution();
    if (x) memset(x, 0, (size_t)lp->ncols * sizeof *x);
    if (dj) memset(dj, 0, (size_t)lp->ncols * sizeof *dj);
    if (r) memset(r, 0, (size_t)lp->nrows * sizeof *r);
    if (y) memset(y, 0, (size_t)lp->nrows * sizeof *y);
    lp->box = 0.0;
    lp->fresh = 1;
  } catch (...) {
    lp->broken = caught();
  }
}

extern "C" int naryn__lp_reload(naryn__lp *lp, const int *start,
                                const int *index, const double *value,
                                const double *collo, const double *colup,
                                const double *obj, const double *rowlo,
                                const double *rowup) {
  if (lp->broken) return lp->broken;
  int nr = lp->nrows, nc = lp->ncols;
  /* The basis of the last solve is kept across the reload, so that the
  ** next solve starts from it. */
  unsigned char *status = static_cast<unsigned char *>(malloc((size_t)(nr + nc) + 1));
  loadable in(nr, nc, start, collo, colup, rowlo, rowup);
  if (!status || !in.ok()) {
    free(status);
    return NARYN_ENOMEM;
  }
  int rc = NARYN_OK;
  try {
    memcpy(status, lp->clp->statusArray(), (size_t)(nr + nc));
    lp->clp->loadProblem(nc, nr, in.st, index, value, in.cl, in.cu, obj,
                         in.rl, in.ru);
    /* loadProblem has made a status array of the same size. It is written
    ** in place rather than through copyinStatus, which deletes the array
    ** before it allocates the new one and leaves the deleted pointer in
    ** place when that allocation throws. */
    memcpy(lp->clp->statusArray(), status, (size_t)(nr + nc));
  } catch (...) {
    rc = lp->broken = caught();
  }
  free(status);
  return rc;
}

extern "C" int naryn__lp_resolve(naryn__lp *lp, long *iterations) {
  if (lp->broken) return lp->broken;
  if (naryn_interrupted()) return NARYN_EINTR;
  try {
    /* After the matrix changes the old basis is neither primal nor dual
    ** feasible in general; the primal simplex repairs it fastest here. */
    lp->clp->primal(0);
    int status = lp->clp->status();
    *iterations += lp->clp->numberIterations();
    if (naryn_interrupted()) return NARYN_EINTR;
    if (status != 0) return naryn__lp_solve_initial(lp, iterations);
    return NARYN_OK;
  } catch (...) {
    return lp->broken = caught();
  }
}

extern "C" const double *naryn__lp_row_duals(naryn__lp *lp) {
  return lp->clp->getRowPrice();
}

extern "C" const double *naryn__lp_reduced_costs(naryn__lp *lp) {
  return lp->clp->getReducedCost();
}

/* After rows are added or deleted, CLP's pricing keeps weights sized for
** the rows it had, which a later copy of the model (the presolve of a
** solve from scratch) reads past their end: they are given up, and made
** again for the rows the LP has when next needed. */
static void forget_weights(naryn__lp *lp) {
  ClpPrimalColumnSteepest primal;
  lp->clp->setPrimalColumnPivotAlgorithm(primal);
  if (!lp->dantzig) {
    ClpDualRowSteepest dual;
    lp->clp->setDualRowPivotAlgorithm(dual);
  }
}

extern "C" int naryn__lp_delete_rows_from(naryn__lp *lp, int first) {
  if (lp->broken) return lp->broken;
  if (lp->warm && !lp->rows_change) return NARYN_ESOLVER;
  int n = lp->nrows - first;
  if (n <= 0) return NARYN_OK;
  int *which = static_cast<int *>(malloc((size_t)n * sizeof *which));
  if (!which) return NARYN_ENOMEM;
  for (int k = 0; k < n; k++) which[k] = first + k;
  int rc = NARYN_OK;
  try {
    lp->clp->deleteRows(n, which);
    lp->nrows = first;
    lp->fresh = 1;
    forget_weights(lp);
  } catch (...) {
    rc = lp->broken = caught();
  }
  free(which);
  return rc;
}

extern "C" int naryn__lp_add_rows(naryn__lp *lp, int n, const double *rowlo,
                                  const double *rowup, const int *start,
                                  const int *index, const double *value) {
  if (lp->broken) return lp->broken;
  if (lp->warm && !lp->rows_change) return NARYN_ESOLVER;
  if (lp->warm) {
    /* The note of infinite bounds grows with the rows. */
    size_t size = (size_t)(lp->ncols + lp->nrows + n) + 1;
    unsigned char *f = static_cast<unsigned char *>(realloc(lp->infinite, size));
    if (!f) return NARYN_ENOMEM;
    memset(f + lp->ncols + lp->nrows, 0, (size_t)n + 1);
    lp->infinite = f;
  }
  try {
    /* CLP keeps the basis of the rows it had; the new rows' slacks enter
    ** it, so that the next dual simplex starts from the last optimum. */
    lp->clp->addRows(n, rowlo, rowup, start, index, value);
    lp->nrows += n;
    lp->fresh = 1;
    forget_weights(lp);
  } catch (...) {
    return lp->broken = caught();
  }
  return NARYN_OK;
}

extern "C" int naryn__lp_write_mps(naryn__lp *lp, const char *path,
                                   naryn_diags *d) {
  /* CLP writes fixed-format MPS (format 0: names and numbers in their
  ** columns, numbers in twelve characters) with its own eight-character
  ** names, which both clp and glpsol --mps read. The file is written
  ** under a temporary name and renamed into place. CLP throws an
  ** exception when it cannot open the file; it is created here first so
  ** that the reason can be told. */
  if (lp->broken)
    return naryn__diag(d, lp->broken, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write the LP: an earlier call to CLP failed");
  size_t n = strlen(path);
  char *tmp = static_cast<char *>(malloc(n + 16));
  if (!tmp)
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  snprintf(tmp, n + 16, "%s.partial", path);
  FILE *probe = fopen(tmp, "w");
  if (!probe) {
    int err = errno;
    free(tmp);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write the LP: %s", strerror(err));
  }
  fclose(probe);
  int rc = 0, thrown = NARYN_OK;
  try {
    rc = lp->clp->writeMps(tmp, 0, 1, 1.0);
  } catch (...) {
    thrown = caught();
  }
  if (thrown != NARYN_OK) lp->broken = thrown;
  if (thrown == NARYN_ENOMEM) {
    remove(tmp);
    free(tmp);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL,
                       "out of memory");
  }
  if (thrown != NARYN_OK || rc != 0 || rename(tmp, path) != 0) {
    int err = errno;
    remove(tmp);
    free(tmp);
    return naryn__diag(d, NARYN_EIO, NARYN_SEV_ERROR, path, 0, 0, NULL,
                       "cannot write the LP: %s",
                       thrown != NARYN_OK || rc != 0 ? "CLP could not write it"
                                                     : strerror(err));
  }
  free(tmp);
  return NARYN_OK;
}
