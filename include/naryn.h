/*
** naryn.h: the public interface of libnaryn, a planning engine for river,
** reservoir, hydropower and irrigation systems.
**
** This header is the library's contract. Anything not declared here is
** private and may change without notice.
**
** Conventions used throughout:
** - Every object is opaque and has a constructor returning a status code and
**   a destructor that accepts NULL.
** - Functions that can fail return a naryn status code (NARYN_OK on success)
**   and describe each problem in a caller-owned naryn_diags list, with the
**   file, line, column and field it concerns.
** - The library never prints and never exits; the caller decides what to do
**   with the diagnostics.
** - A call that runs out of memory returns NARYN_ENOMEM (whatever else the
**   shortage made fail), frees what it took and leaves no half-written file.
** - Strings and arrays returned by getters are borrowed: they stay valid until
**   the object they came from is freed.
** - Units are part of every name: volumes in hm3 (10^6 m3), flows in m3/s,
**   power in MW, energy in GWh, levels and heads in m.
*/
#ifndef NARYN_H
#define NARYN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NARYN_VERSION "0.1.0"

/* ====================================================================== */
/* Status codes                                                            */
/* ====================================================================== */

/* One list expands into the enum and into naryn_strerror()'s table. */
#define NARYN_STATUS_LIST(X)                                            \
  X(NARYN_OK, "ok")                                                     \
  X(NARYN_ENOMEM, "out of memory")                                      \
  X(NARYN_EIO, "cannot read or write a file")                           \
  X(NARYN_ESYNTAX, "malformed input file")                              \
  X(NARYN_EMODEL, "invalid model")                                      \
  X(NARYN_EINFEAS, "the model's hard constraints cannot all be met")    \
  X(NARYN_ESOLVER, "the LP solver failed")                              \
  X(NARYN_EBALANCE, "water balance does not close")                     \
  X(NARYN_EARG, "invalid argument")                                     \
  X(NARYN_EINTR, "interrupted")

typedef enum naryn_status {
#define NARYN__ENUM(code, text) code,
  NARYN_STATUS_LIST(NARYN__ENUM)
#undef NARYN__ENUM
  NARYN_STATUS_COUNT
} naryn_status;

/* Returns a short English description of a status code. */
const char *naryn_strerror(int status);

/* Returns the library version, the same string as NARYN_VERSION. */
const char *naryn_version(void);

/* Converts text written as model files write numbers: decimal, with an
** optional sign, fraction and exponent, and finite; hexadecimal, inf,
** nan, blanks and trailing text are refused, so that a number given on
** the command line means what it would in a model. Returns NARYN_OK, or
** NARYN_EARG leaving *out unchanged. */
int naryn_parse_number(const char *text, double *out);

/* ====================================================================== */
/* Interruption                                                            */
/* ====================================================================== */

/* Asks every run in progress in this process (naryn_simulate,
** naryn_optimise, naryn_pareto, naryn_share and the writers of results)
** to stop. Each returns NARYN_EINTR at its next check, well within a
** second, with nothing half-written. It is safe to call from a signal
** handler or another thread. The request stays until cleared; a run
** started while it stands returns NARYN_EINTR at once.
**
** The runs check between steps (simulate), between passes and inside the
** LP solver (optimise), between points (pareto) and between coalitions
** (share, in each of its threads). The writers of results
** (naryn_result_write, naryn_pareto_write, naryn_game_write,
** naryn_compare_write) check once, before they write anything; once they
** have begun they finish, so a set of results is published whole or not at
** all. An interrupted call reports the one error "interrupted" (status
** NARYN_EINTR) in its naryn_diags and leaves its outputs unset. Any run
** may also fail with NARYN_ENOMEM, including when CLP runs out of memory. */
void naryn_interrupt(void);
/* Withdraws an interruption request. */
void naryn_interrupt_clear(void);
/* 1 while an interruption has been requested and not cleared, else 0. */
int naryn_interrupted(void);

/* ====================================================================== */
/* Diagnostics                                                             */
/* ====================================================================== */

typedef enum naryn_severity {
  NARYN_SEV_ERROR = 0,
  NARYN_SEV_WARNING = 1,
  NARYN_SEV_NOTE = 2
} naryn_severity;

/* One problem found in the input or during a run. 'file' is NULL and
** 'line' and 'col' are 0 when the problem has no place in a file. */
typedef struct naryn_diag {
  int code;          /* a naryn_status */
  int severity;      /* a naryn_severity */
  const char *file;  /* owned by the naryn_diags list */
  int line, col;     /* 1-based; 0 when unknown */
  char where[192];   /* what the problem concerns, e.g. reservoir "R1".max_storage_hm3 */
  char msg[384];     /* what was expected and what was found */
} naryn_diag;

/* A caller-owned list of diagnostics. It keeps at most 'max_errors' errors
** (warnings and notes are kept up to the same cap) and counts the rest. */
typedef struct naryn_diags naryn_diags;

/* Creates an empty list; max_errors <= 0 selects the default of 20.
** Returns NULL when out of memory. */
naryn_diags *naryn_diags_new(int max_errors);
void naryn_diags_free(naryn_diags *d);
/* Removes every diagnostic and resets the counts. */
void naryn_diags_clear(naryn_diags *d);
/* Number of diagnostics kept in the list. */
int naryn_diags_count(const naryn_diags *d);
/* Number of errors reported, including those beyond the cap. */
int naryn_diags_errors(const naryn_diags *d);
/* Number of warnings reported, including those beyond the cap. */
int naryn_diags_warnings(const naryn_diags *d);
/* The i-th kept diagnostic, in the order reported, or NULL. */
const naryn_diag *naryn_diags_get(const naryn_diags *d, int i);
/* Writes one diagnostic in the form
**   FILE:LINE:COL: error: WHERE: MESSAGE
** (parts that are unknown are left out) into buf, always NUL-terminated.
** Returns the length the full text needs, like snprintf. */
int naryn_diag_format(const naryn_diag *g, char *buf, size_t size);

/* ====================================================================== */
/* Models                                                                  */
/* ====================================================================== */

/* A node-link network with its horizon, read from a JSON or YAML file and
** the CSV files it names. Immutable once loaded. */
typedef struct naryn_model naryn_model;

typedef enum naryn_node_type {
  NARYN_NODE_INFLOW = 0,
  NARYN_NODE_RESERVOIR,
  NARYN_NODE_HYDROPOWER,
  NARYN_NODE_JUNCTION,
  NARYN_NODE_DEMAND,
  NARYN_NODE_MIN_FLOW,
  NARYN_NODE_SINK,
  NARYN_NODE_TYPE_COUNT
} naryn_node_type;

/* Reads, resolves and validates a model. 'overlays' names n_overlays
** scenario files (may be NULL when n_overlays is 0) whose fields are merged
** over the model's, in order, before it is checked. On success *out holds
** the model and NARYN_OK is returned; otherwise *out is NULL and every
** problem found (up to the list's cap) is in d. */
int naryn_model_load(const char *path, const char *const *overlays,
                     int n_overlays, naryn_model **out, naryn_diags *d);
void naryn_model_free(naryn_model *m);
/* Looks for magnitudes a valid model may hold but that are more likely a
** mistake of units (doc/model-format.md, "Implausible magnitudes"): a
** demand or minimum flow wanting more than all the water that can reach
** it, an inflow a thousand times the model's others (or a thousandth), a
** field in m3/s read from a CSV column named for a volume (or the other
** way round). Adds a warning to d for each, naming the field and the
** numbers compared, and sets *warnings to their number. Returns NARYN_OK,
** or NARYN_ENOMEM. */
int naryn_model_plausible(const naryn_model *m, naryn_diags *d, int *warnings);

/* Loads a model as naryn_model_load does, with n_texts more overlays given
** as text in memory (JSON or YAML, each an object of the fields to change,
** as a scenario file is), merged in order after the scenario files and
** checked as they are. texts[i] is called names[i] in messages, where a
** file's path would be, so a name should say where the text came from
** (e.g. "<set nodes.Toktogul.max_storage_hm3>"). A relative file name in
** an overlay text is taken from the current folder. An overlay text adds
** to the model's scenario name (naryn_model_scenario) only when it gives
** a field "scenario". With n_texts 0 this is naryn_model_load. */
int naryn_model_load_texts(const char *path, const char *const *overlays,
                           int n_overlays, const char *const *texts,
                           const char *const *names, int n_texts,
                           naryn_model **out, naryn_diags *d);

/* Writes the value of a field of the model as JSON into buf (at most size
** bytes, always NUL-terminated when size > 0; buf may be NULL when size
** is 0) and its full length, without the NUL, into *len, so that a caller
** can ask for the length first. The value is the one the model was built
** from: the model file's with every scenario and overlay text merged over
** it. 'path' names the field by dot-separated steps: a field of an
** object, or an item of a list by its "name" or its 0-based index, e.g.
** "nodes.Toktogul.max_storage_hm3" or "links.0.from"; "" is the whole
** document. Numbers are written as numbers, true, false and null as
** themselves and other values as strings. A step that names nothing fails
** with NARYN_EARG, naming the place it looked in and the closest field. */
int naryn_model_field(const naryn_model *m, const char *path, char *buf,
                      size_t size, size_t *len, naryn_diags *d);

const char *naryn_model_name(const naryn_model *m);
/* Path of the model file as given to naryn_model_load. */
const char *naryn_model_path(const naryn_model *m);
/* Names of the scenarios applied, joined by "+", or "" when none. */
const char *naryn_model_scenario(const naryn_model *m);
int naryn_model_steps(const naryn_model *m);
/* 1 when the model's steps are counted in days (daily, weekly or "N
** days"), 0 when monthly. */
int naryn_model_is_daily(const naryn_model *m);
/* The days in each step: 0 for monthly steps, 1 daily, 7 weekly, N for
** "N days". The last step of the horizon may be shorter (see
** naryn_model_step_seconds). */
int naryn_model_step_days(const naryn_model *m);
/* Date of step i as "YYYY-MM-DD" (the first day of the step). */
const char *naryn_model_step_date(const naryn_model *m, int step);
/* Length of step i in seconds. */
double naryn_model_step_seconds(const naryn_model *m, int step);

/* The scenarios a model ships with, listed in its "scenarios" field: each
** NAME is the file scenarios/NAME.yaml in the model's folder. */
int naryn_model_scenario_count(const naryn_model *m);
const char *naryn_model_scenario_name(const naryn_model *m, int i);
const char *naryn_model_scenario_path(const naryn_model *m, int i);

int naryn_model_node_count(const naryn_model *m);
/* Index of the node with this name, or -1. */
int naryn_model_node_index(const naryn_model *m, const char *name);
const char *naryn_model_node_name(const naryn_model *m, int node);
/* Country code of a node, or "" when it has none. */
const char *naryn_model_node_country(const naryn_model *m, int node);
naryn_node_type naryn_model_node_type(const naryn_model *m, int node);
/* Name of a node type as it is spelled in model files, e.g. "reservoir". */
const char *naryn_node_type_name(naryn_node_type t);

int naryn_model_link_count(const naryn_model *m);
const char *naryn_model_link_name(const naryn_model *m, int link);
int naryn_model_link_from(const naryn_model *m, int link);
int naryn_model_link_to(const naryn_model *m, int link);

/* ====================================================================== */
/* Objectives                                                              */
/* ====================================================================== */

/* What a plan is worth: a list of named terms, each a benefit (the value
** of energy) or a cost (shortages, shortfalls, spills, end storage below
** target), in the model's currency and multiplied by a weight. The model's
** "objectives" field lists them; a model without one gets the default
** terms described in doc/model-format.md. The combined objective is the
** weighted benefits minus the weighted costs. For a term index out of
** range the getters return NULL (name, kind), 0 (is_benefit) or NaN
** (weight). */
int naryn_model_term_count(const naryn_model *m);
/* Index of the term with this name, or -1. */
int naryn_model_term_index(const naryn_model *m, const char *name);
const char *naryn_model_term_name(const naryn_model *m, int term);
/* The term's kind as written in model files: "energy", "shortage",
** "min_flow", "inflow", "spill" or "end_storage". */
const char *naryn_model_term_kind(const naryn_model *m, int term);
/* 1 for a benefit (energy), 0 for a cost. */
int naryn_model_term_is_benefit(const naryn_model *m, int term);
double naryn_model_term_weight(const naryn_model *m, int term);
/* How sure the term's prices are, its "confidence" field: "high", "medium"
** or "low", or "" when the model gives none; and its "source" when it is
** text, else "". NULL for a term index out of range. */
const char *naryn_model_term_confidence(const naryn_model *m, int term);
const char *naryn_model_term_source(const naryn_model *m, int term);
/* Changes a term's weight (e.g. from the command line). Fails with
** NARYN_EARG, naming the closest term, when there is no such term, or
** when the weight is negative or not finite. */
int naryn_model_set_weight(naryn_model *m, const char *term, double weight,
                           naryn_diags *d);
/* Unit of objective values, e.g. "USD"; "units" when the model names none. */
const char *naryn_model_currency(const naryn_model *m);

/* ====================================================================== */
/* Progress of long runs                                                   */
/* ====================================================================== */

/* What a run is doing, passed to a progress callback (see
** naryn_progress_fn). Every field describes the moment of the call; the
** struct and its strings are valid only during the call. */
typedef struct naryn_progress {
  /* What is under way: "simulate" (units are steps) or "optimise" (units
  ** are successive-LP passes). */
  const char *phase;
  /* Units finished, from 0 (the run is starting) upwards; it grows by one
  ** with each call of a run. */
  int done;
  /* Units in the run. When total_is_bound is 1 it is only an upper bound:
  ** optimisation passes stop when the plan settles, often well before
  ** max_passes; on the call for the pass that settles, total equals done
  ** and total_is_bound is 0. */
  int total;
  int total_is_bound;
  /* "simulate": the date ("YYYY-MM-DD") of the step just finished, or of
  ** the first step when done is 0. NULL for "optimise". */
  const char *step_date;
  /* naryn_pareto: the optimisation under way (1-based) of the n_points it
  ** makes, one per point, in the order they are found (both anchors
  ** first). Both 0 outside naryn_pareto. */
  int part, parts;
} naryn_progress;

/* A progress callback. The library calls it synchronously, from the thread
** that called naryn_simulate, naryn_optimise or naryn_pareto, and only
** while that call runs: the simulator once before the first step and
** after every step, the optimiser once before it builds its LP and after
** every pass (inside naryn_pareto, for each point's optimisation). It
** receives the 'user' pointer given with it. It must return promptly, must
** not change or free the model or use the diagnostics list of the call
** that reports to it, and must not call into the library on the run in
** progress; it may read the model through the getters. Whether a
** callback is given never changes a result: the outputs are bit-for-bit
** the same with and without one. The library itself never prints. */
typedef void (*naryn_progress_fn)(void *user, const naryn_progress *p);

/* ====================================================================== */
/* Simulation                                                              */
/* ====================================================================== */

/* How each step's LP is solved. NARYN_STEP_AUTO (the default) solves the
** steps of a model whose step LP is a network (one with no link losses
** and no return flows) with naryn's own network simplex, and every other
** model's steps, or a step the network simplex gives up on, with CLP;
** NARYN_STEP_CLP solves every step with CLP. Both give an optimal
** allocation; where several allocations are equally good they may pick
** different ones. */
typedef enum naryn_step_solver {
  NARYN_STEP_AUTO = 0,
  NARYN_STEP_CLP
} naryn_step_solver;

/* An operating policy trained by naryn_sddp (see the SDDP section). */
typedef struct naryn_policy naryn_policy;

/* Options for naryn_simulate; fill with naryn_sim_opts_init, then change
** fields as needed. */
typedef struct naryn_sim_opts {
  /* Most solves per step while head and evaporation settle (default 20). */
  int max_iterations;
  /* Head and evaporation are settled when they change by less than this
  ** fraction between two solves (default 1e-6). */
  double settle_tolerance;
  /* Largest water-balance residual at a node, as a fraction of the water
  ** passing through it, before the run fails (default 1e-6). */
  double balance_tolerance;
  /* Called before the first step and after each step, as described at
  ** naryn_progress_fn, with progress_user; NULL (the default) for none. */
  naryn_progress_fn progress;
  void *progress_user;
  /* How the steps' LPs are solved (default NARYN_STEP_AUTO). */
  naryn_step_solver step_solver;
  /* 1 (the default): a model's grids are dispatched after each step's
  ** water (doc/model-format.md, "Grids"); 0: they are not, and the result
  ** holds no grid figures (the water is the same either way). */
  int grids;
  /* NULL (the default): the reservoirs follow their rules. Otherwise a
  ** policy read for the same model (naryn_policy_read): each step it
  ** decides the release of every reservoir it holds as a state, from the
  ** storage reached and the step's inflows, and the simulator applies it
  ** as a forced release (doc/sddp.md, "Replaying a policy"). Its stage
  ** LPs change as they are solved: one policy serves one run at a time. */
  naryn_policy *policy;
  /* For a policy trained with a Markov chain of prices: the run's price
  ** states are drawn from the chain, from random stream price_member
  ** (default 0; an ensemble's member k draws from stream k) of price_seed
  ** (default 1), and the run is valued at those prices (doc/sddp.md,
  ** "Prices that follow a Markov chain"). */
  uint64_t price_seed;
  long price_member;
} naryn_sim_opts;

void naryn_sim_opts_init(naryn_sim_opts *o);

/* The results of a run: one value per node (or link) and step for each
** quantity below, plus the run's water-balance figures. */
typedef struct naryn_result naryn_result;

/* Quantities kept per node and step. A quantity that does not apply to a
** node (storage of a junction) is NaN. */
typedef enum naryn_quantity {
  NARYN_Q_INFLOW_HM3 = 0,   /* water entering the node: outside inflow, links, return flows */
  NARYN_Q_STORAGE_END_HM3,  /* reservoir storage at the end of the step */
  NARYN_Q_RELEASE_HM3,      /* water leaving the node through its links */
  NARYN_Q_TURBINED_HM3,     /* water through the turbines of a plant */
  NARYN_Q_SPILL_HM3,        /* water passing a plant without generating */
  NARYN_Q_EVAPORATION_HM3,  /* reservoir evaporation */
  NARYN_Q_DEMAND_HM3,       /* what a demand asked for, or a minimum flow required */
  NARYN_Q_DELIVERED_HM3,    /* what a demand received, or the flow past a minimum-flow node */
  NARYN_Q_SHORTAGE_HM3,     /* demand or minimum flow not met */
  NARYN_Q_ENERGY_GWH,       /* energy generated by a plant */
  NARYN_Q_HEAD_M,           /* net head of a plant */
  NARYN_Q_LEVEL_M,          /* reservoir level at the end of the step */
  NARYN_Q_RESIDUAL_HM3,     /* water-balance residual of the node */
  NARYN_Q_RELEASE_DEVIATION_HM3, /* reservoir release less its forced_release_m3s */
  NARYN_Q_COUNT
} naryn_quantity;

/* The name NARYN_Q_STORAGE_END_HM3 had before it said which end of the
** step it is; kept so that older programs still build. */
#define NARYN_Q_STORAGE_HM3 NARYN_Q_STORAGE_END_HM3

/* Name of a quantity as it appears in nodes.csv, e.g. "storage_end_hm3". */
const char *naryn_quantity_name(naryn_quantity q);

/* Runs the model from its first to its last step, solving one LP per step.
** On success *out holds the results. Fails with NARYN_EINFEAS (and names
** the node, step and constraint) when hard constraints cannot all hold,
** NARYN_EBALANCE when the water balance does not close, NARYN_ESOLVER when
** CLP fails. 'o' may be NULL for the defaults. */
int naryn_simulate(const naryn_model *m, const naryn_sim_opts *o,
                   naryn_result **out, naryn_diags *d);
void naryn_result_free(naryn_result *r);

/* Value of a quantity at a node and step, or NaN when it does not apply,
** and for a step the result does not hold (a result of naryn_simulate_to
** holds only its last two). */
double naryn_result_node(const naryn_result *r, naryn_quantity q, int node,
                         int step);
/* Flow leaving the head of a link in a step, and the part lost on the way;
** NaN for a step the result does not hold. */
double naryn_result_link_flow_hm3(const naryn_result *r, int link, int step);
/* The zone a reservoir's storage was in at the start of a step (its name
** in the model), or NULL for a node without zones, a result that has none
** (an optimum) or a step the result does not hold. */
const char *naryn_result_zone(const naryn_result *r, int node, int step);
/* What decided a reservoir's release in a step (its "controlling rule"):
** the name of one of its rules, "target_storage_hm3" or "release_m3s" (its
** target or schedule), "full" (water that did not fit had to leave), "dead
** storage", or "allocation" (no rule held it: it released what the
** demands and minimum flows downstream took); NULL for a node that is not
** a reservoir, an optimum, or a step the result does not hold. */
const char *naryn_result_rule(const naryn_result *r, int node, int step);
double naryn_result_link_loss_hm3(const naryn_result *r, int link, int step);
/* Largest node water-balance residual of the run in hm3 (absolute), and
** where it occurred. */
double naryn_result_max_residual_hm3(const naryn_result *r, int *node,
                                     int *step);
/* The same residual relative to the water passing through that node. */
double naryn_result_max_residual_rel(const naryn_result *r);
/* Whole-system balance over the run, in hm3: outside inflow minus
** (consumption + evaporation + link losses + sink inflow + storage change). */
double naryn_result_system_residual_hm3(const naryn_result *r);
/* Number of LP solves and simplex iterations over the run. */
long naryn_result_solves(const naryn_result *r);
long naryn_result_iterations(const naryn_result *r);

/* ====================================================================== */
/* Optimisation                                                            */
/* ====================================================================== */

/* Options for naryn_optimise and naryn_pareto; fill with
** naryn_opt_opts_init, then change fields as needed. */
typedef struct naryn_opt_opts {
  /* Most successive-LP passes (default 30). */
  int max_passes;
  /* The passes stop when the plan's total energy, evaluated with the exact
  ** head, and its objective change by less than this fraction between two
  ** accepted passes (default 1e-4). */
  double tolerance;
  /* As in naryn_sim_opts (default 1e-6). */
  double balance_tolerance;
  /* When not NULL, the LP of the last accepted pass is written to this
  ** path in fixed MPS form, which Debian's clp and glpsol both read. */
  const char *write_lp;
  /* Called before the LP is built and after each pass, as described at
  ** naryn_progress_fn, with progress_user; NULL (the default) for none. */
  naryn_progress_fn progress;
  void *progress_user;
} naryn_opt_opts;

void naryn_opt_opts_init(naryn_opt_opts *o);

/* Finds the plan that maximises the model's combined objective over the
** whole horizon with perfect foresight: one LP over every node and step,
** with the network of the simulation (links, losses, storage limits,
** turbine limits, return flows, evaporation), but without the operating
** rules (targets, release schedules, priorities), which the objective
** replaces. Energy depends on head and so on storage; it is linearised
** around a trajectory and re-linearised around each new plan (successive
** LP with a trust region on storage) until it settles; the plan is then
** evaluated with the exact head. The result has the shape of a
** simulation's, plus water values and the linearisation error (below).
** Fails with NARYN_EINFEAS, naming each link bound that cannot hold with
** its step and by how much, when the hard constraints cannot all be met. */
int naryn_optimise(const naryn_model *m, const naryn_opt_opts *o,
                   naryn_result **out, naryn_diags *d);

/* Traces the trade-off between objective terms x and y by the
** epsilon-constraint method: it finds the best x can be, and the value of
** x in the plan that is best for every other term, and between the two
** places n_points levels of x (n_points >= 2); at each it maximises the
** combined objective with x at a thousandth of its weight (to break ties)
** and y at least at weight 1, subject to x being at least as good as the
** level, held on the LP's linearised value of x. On success *points holds n_points results
** (free each, then the array with free()), in order from the plan best
** for the other terms to the plan best for x; a level that cannot be
** reached leaves NULL in its place. */
int naryn_pareto(const naryn_model *m, const naryn_opt_opts *o,
                 const char *x, const char *y, int n_points,
                 naryn_result ***points, naryn_diags *d);
/* Writes each point's plan into DIR/point-NN/ (as naryn_result_write),
** the plan of the simulated operating rules, when 'rules' is not NULL,
** into DIR/rules/, and then DIR/pareto.csv, one row per point that was
** reached (and a last row "rules"): its level, x and y, every term, the
** combined objective and the folder of its plan; and last DIR/report.html
** with the curve and the rules marked on it. The whole folder is put in
** place in one step, as naryn_result_write's. */
int naryn_pareto_write(const naryn_model *m, naryn_result *const *points,
                       int n_points, const naryn_result *rules, const char *x,
                       const char *y, const char *dir, naryn_diags *d);
/* The epsilon level a pareto point was found at (the term's value it had
** to reach), or NaN for any other result. */
double naryn_result_pareto_level(const naryn_result *r);

/* 1 for a result of naryn_optimise or naryn_pareto, 0 for a simulation. */
int naryn_result_is_optimised(const naryn_result *r);
/* Value of objective term k in the result, in the model's currency, for
** the nodes of one country (NULL for all; "" for nodes without a country).
** Costs are positive numbers. Energy is valued with the exact head. */
double naryn_result_term(const naryn_result *r, int term, const char *country);
/* The combined objective: weighted benefits minus weighted costs. */
double naryn_result_objective(const naryn_result *r);
/* Marginal value of one more hm3 of water in reservoir 'node' at the end
** of a step, in currency per hm3, from the duals of the last LP (NaN for a
** simulation or for nodes that are not reservoirs). */
double naryn_result_water_value(const naryn_result *r, int node, int step);
/* Energy of a plant over the horizon as the last LP saw it, linearised
** around the previous plan (GWh); compare naryn_result_node(...ENERGY...)
** summed, which uses the exact head. NaN for a simulation. */
double naryn_result_linearised_energy_gwh(const naryn_result *r, int node);
/* Successive-LP passes made and whether they settled within tolerance. */
int naryn_result_passes(const naryn_result *r);
int naryn_result_converged(const naryn_result *r);
/* Seconds spent building the LP and in CLP (not written to any file, so
** that results stay identical from run to run). */
void naryn_result_timing(const naryn_result *r, double *build_s,
                         double *solve_s);

/* Seasons of the summary: the winter half-year October-March, when the
** upstream country wants water for power, the summer half-year
** April-September, when the downstream countries want it for crops, and
** the whole year. */
typedef enum naryn_season {
  NARYN_SEASON_OCT_MAR = 0,
  NARYN_SEASON_APR_SEP,
  NARYN_SEASON_ALL,
  NARYN_SEASON_COUNT
} naryn_season;

/* Totals over the horizon for a country (or all) and season. */
typedef struct naryn_summary {
  double energy_gwh;
  double irrigation_demand_hm3, irrigation_delivered_hm3, irrigation_shortage_hm3;
  double municipal_demand_hm3, municipal_delivered_hm3, municipal_shortage_hm3;
  double min_flow_shortage_hm3; /* minimum flows not met */
  double spill_hm3;             /* water passing plants without generating */
  double sink_inflow_hm3;       /* water reaching terminal lakes and sinks */
  double evaporation_hm3;
  double max_residual_hm3;      /* largest node water-balance residual */
} naryn_summary;

/* Grids (doc/model-format.md, "Grids"; grids.csv in doc/results.md): a
** simulation dispatches each grid every step at least cost, hydropower
** fixed by the water. The figures of grid g in step t, energy in GWh per
** step, the price in currency per MWh. */
typedef enum naryn_grid_quantity {
  NARYN_G_DEMAND_GWH = 0,     /* the grid's energy demand */
  NARYN_G_HYDRO_GWH,          /* energy of the plants of its country */
  NARYN_G_THERMAL_GWH,        /* energy of its thermal plants */
  NARYN_G_IMPORT_LINES_GWH,   /* received over interconnectors, after losses */
  NARYN_G_IMPORT_MARKET_GWH,  /* bought from its markets */
  NARYN_G_EXPORT_LINES_GWH,   /* sent over interconnectors, before losses */
  NARYN_G_EXPORT_MARKET_GWH,  /* sold to its markets */
  NARYN_G_UNSERVED_GWH,       /* demand not met */
  NARYN_G_SURPLUS_GWH,        /* hydropower left unused: nothing took it */
  NARYN_G_PRICE_PER_MWH,      /* the marginal price: the balance's dual */
  NARYN_G_COST,               /* fuel, purchases less sales, tariffs paid on
                              ** what it sent, unserved energy (currency) */
  NARYN_G_HYDRO_VALUE,        /* what the hydropower saves: the cost of the
                              ** step dispatched with no hydropower at all,
                              ** less NARYN_G_COST (currency); what a grid
                              ** objective term counts */
  NARYN_G_PEAK_PRICE_PER_MWH, /* the marginal price in the peak hours (for a
                              ** grid with a peak: its peak block's dual,
                              ** NARYN_G_PRICE_PER_MWH being the off-peak
                              ** block's; without a peak, the one price) */
  NARYN_G_COUNT
} naryn_grid_quantity;

/* The grids of a result: 0 for a model without grids or a result that did
** not dispatch them (an ensemble member's). */
int naryn_result_grid_count(const naryn_result *r);
/* The name and country of grid g, or NULL. */
const char *naryn_result_grid_name(const naryn_result *r, int g);
const char *naryn_result_grid_country(const naryn_result *r, int g);
/* Quantity q of grid g in step t; NaN when there is no such figure. */
double naryn_result_grid(const naryn_result *r, int g, int t,
                         naryn_grid_quantity q);
/* The column name of quantity q in grids.csv ("demand_gwh", ...), or "". */
const char *naryn_grid_quantity_name(naryn_grid_quantity q);
/* The interconnectors: how many, the name of line l, and the energy it
** sent in step t from its "from" grid to its "to" grid (back = 0) or the
** other way (back = 1), in GWh before losses; NaN when there is none. */
int naryn_result_line_count(const naryn_result *r);
const char *naryn_result_line_name(const naryn_result *r, int l);
double naryn_result_line_gwh(const naryn_result *r, int l, int t, int back);
/* Totals over the horizon of grid g's quantities (the prices excepted,
** left NaN) for a season, into out[NARYN_G_COUNT]. */
void naryn_result_grid_summary(const naryn_result *r, int g,
                               naryn_season season, double *out);

/* Countries of the run in summary order: those the model lists, then any
** other named by a node, then "" when some node has none. */
int naryn_result_country_count(const naryn_result *r);
const char *naryn_result_country(const naryn_result *r, int i);
/* Full name of a country code from the model's countries list, or the
** code itself. */
const char *naryn_model_country_name(const naryn_model *m, const char *code);
/* Fills *out with the totals for 'country' (NULL for all countries) over
** the steps of a season. */
void naryn_result_summary(const naryn_result *r, const char *country,
                          naryn_season season, naryn_summary *out);
/* Name of a season as written in summary.csv: "oct-mar", "apr-sep", "all". */
const char *naryn_season_name(naryn_season s);
/* Length of the horizon in years: each step counts for its share of its
** calendar year, so whole calendar years count exactly. */
double naryn_result_years(const naryn_result *r);

/* Records the command line that asked for the run, for run.csv and the
** report (NULL for none). Returns NARYN_OK or NARYN_ENOMEM. */
int naryn_result_set_command(naryn_result *r, const char *command);

/* Writes nodes.csv, links.csv, summary.csv, objective.csv, network.csv
** and run.csv into dir, and for an optimised result also
** water_values.csv and plants.csv; then report.html, drawn from those
** files (as naryn_report_write). The folder is put in place whole, as a
** naryn_staging folder: it appears complete or not at all, replacing a
** previous one only when naryn wrote it (see naryn_staging_open), and an
** error, NARYN_EINTR included, leaves dir as it was. */
int naryn_result_write(const naryn_result *r, const char *dir,
                       naryn_diags *d);

/* What a run writes per step. Fill with naryn_output_init (every
** quantity of every node, flow and loss of every link, as CSV), then change
** fields, or let naryn_output_parse read a --output list into it (the
** list's syntax is in doc/results.md). */
typedef enum naryn_format {
  NARYN_FORMAT_CSV = 0,  /* nodes.csv and links.csv */
  NARYN_FORMAT_NETCDF    /* results.nc: NetCDF-4, CF conventions, compressed */
} naryn_format;

typedef struct naryn_output {
  /* 0: summaries only, no per-step file at all. */
  int per_step;
  /* 1 for each node quantity to write per step. */
  unsigned char quantity[NARYN_Q_COUNT];
  /* 1 to write each link's flow (flow_hm3 and flow_m3s) and its loss. */
  int link_flow, link_loss;
  /* 1 to write each reservoir's zone and the rule that decided its
  ** release (the zone and rule columns of nodes.csv). */
  int control;
  /* NULL: every node and link. Otherwise one flag per node (node_on) and
  ** per link (link_on) of the model: 1 to write its rows. Flags that
  ** naryn_output_parse sets are owned by the struct and freed by
  ** naryn_output_free; flags a caller sets are the caller's. */
  const unsigned char *node_on, *link_on;
  naryn_format format;
  /* The command line that asked for the run, for run.csv and the report,
  ** or NULL (the default): naryn_result_write_with then records the
  ** result's own (naryn_result_set_command). */
  const char *command;
} naryn_output;

/* Fills o with the defaults: per_step 1, every quantity, link_flow,
** link_loss and control 1, every node and link, NARYN_FORMAT_CSV, no
** command. */
void naryn_output_init(naryn_output *o);

/* Reads a --output list for model m into o, setting every field but
** format: a comma-separated list of "all" (every quantity), "summary"
** (no per-step file; alone), node quantities as named in nodes.csv
** ("storage_end_hm3", also accepted by its older name "storage_hm3"),
** the link columns "flow_hm3", "flow_m3s" and "loss_hm3" (or "flow" and
** "loss"), "zone" or "rule" (both the zone and the rule columns), and
** "nodes=NAME+NAME..." naming the nodes and links whose rows are
** written (a link is also written when both its ends are named). A list
** that names no quantity writes every quantity. An unknown or misplaced
** item fails with NARYN_EARG, naming it, what was expected and the
** closest name, and leaves o unchanged. Free what it allocates with
** naryn_output_free before o is parsed into again or dropped. */
int naryn_output_parse(naryn_output *o, const naryn_model *m,
                       const char *what, naryn_diags *d);
/* Frees the node and link flags naryn_output_parse allocated and sets
** them to NULL (every node and link); accepts NULL. */
void naryn_output_free(naryn_output *o);

/* Writes the results of a run as naryn_result_write does, with only the
** per-step output that 'o' asks for (NULL: all of it, as CSV). nodes.csv
** has the columns date, node, country and type, then the quantities
** chosen in the order naryn_result_write gives them, for the nodes chosen;
** it is left out when no quantity is chosen. links.csv has date, link,
** from and to, then flow_hm3 and flow_m3s (link_flow) and loss_hm3
** (link_loss), for the links chosen; it is left out when neither is
** chosen. With per_step 0 neither is written. A streamed result (of
** naryn_simulate_to) holds no steps to write: it may be written only
** without per-step output, and is refused with NARYN_EARG otherwise. */
int naryn_result_write_with(const naryn_result *r, const naryn_output *o,
                            const char *dir, naryn_diags *d);

/* Runs the model as naryn_simulate does and writes its results into dir
** as naryn_result_write_with does, streaming each step's results to their
** files as the run goes: memory does not grow with the number of steps.
** The files are byte for byte those that naryn_simulate and
** naryn_result_write_with would write. The result returned in *out (which
** may be NULL when it is not wanted) keeps the run's summaries, objective
** values, water-balance figures, solves and iterations, all equal to a
** full result's bit for bit, but per-step values only for the last two
** steps; naryn_result_node and the link getters return NaN for other
** steps. The folder appears whole or not at all, as naryn_result_write's:
** any error, an interruption too, leaves dir as it was. */
int naryn_simulate_to(const naryn_model *m, const naryn_sim_opts *so,
                      const naryn_output *o, const char *dir,
                      naryn_result **out, naryn_diags *d);

/* ====================================================================== */
/* Output folders put in place whole                                       */
/* ====================================================================== */

/* A folder being written beside the output folder DIR, to replace it in
** one step. The writers above and below use one each; a caller that
** writes several results that belong together (several runs and their
** comparison) opens one, writes everything into naryn_staging_path, and
** commits. */
typedef struct naryn_staging naryn_staging;

/* Checks that dir may receive a command's results: it does not exist, is
** an empty folder, or is one naryn wrote (naryn's result files, with one
** of run.csv, compare.csv, pareto.csv, game.csv or ensemble.csv beside any file, its
** temporaries, and such folders nested at most four deep). Anything else
** is refused with NARYN_EIO, naming dir and what was found in it; nothing
** is changed. A link to a folder stands for that folder. */
int naryn_staging_check(const char *dir, naryn_diags *d);
/* Checks dir as naryn_staging_check, creates its missing parent folders,
** removes the temporaries in the parent folder left by processes that no
** longer run (never a live one's), and creates the empty hidden folder
** PARENT/.NAME.naryn-tmp-PID-XXXXXX to write into. Returns NARYN_OK with
** *s set, or an error with *s NULL. */
int naryn_staging_open(const char *dir, naryn_staging **s, naryn_diags *d);
/* The folder to write into; it becomes dir on commit. */
const char *naryn_staging_path(const naryn_staging *s);
/* Puts the folder in place in one step and frees s: renamed to dir when
** dir does not exist, or swapped with it atomically (renameat2 with
** RENAME_EXCHANGE; elsewhere two renames, between which a killed process
** leaves no dir) after checking it again as naryn_staging_check, and the
** previous tree removed. Folders of other commands nested in the previous
** dir and not rewritten are kept (hard links). When interrupted
** (naryn_interrupt) or on failure, removes the staging folder instead,
** leaves dir as it was and returns NARYN_EINTR or NARYN_EIO. */
int naryn_staging_commit(naryn_staging *s, naryn_diags *d);
/* Removes the staging folder and everything in it and frees s; accepts
** NULL. */
void naryn_staging_abort(naryn_staging *s);
/* Makes the messages in d that name a file inside the staging folder name
** it inside dir instead, where it was to go, so that a user reads the
** path they asked for. The library's writers do this themselves; call it
** for messages of writes made into naryn_staging_path. */
void naryn_staging_reroot(const naryn_staging *s, naryn_diags *d);

/* ====================================================================== */
/* Reports                                                                 */
/* ====================================================================== */

/* Writes DIR/report.html, a self-contained page (inline SVG charts and
** CSS, no scripts, nothing fetched) drawn from the results already in
** DIR: a run's files (run.csv and the rest), a comparison of runs
** (compare.csv), a trade-off curve (pareto.csv) or a benefit-sharing game
** (game.csv and the other files of naryn_game_write). Every string from the
** files is escaped. Fails with NARYN_EIO naming the file, line and field
** when a results file is missing or malformed, and writes nothing then.
** The page is one file, written under a temporary name and renamed over
** the old one, so it too appears whole or not at all; the rest of DIR is
** left as it is (any folder of results may be drawn, naryn's or copied). */
int naryn_report_write(const char *dir, naryn_diags *d);

/* Records that the runs in DIR/RUN (for each of the nruns names, each
** written by naryn_result_write) are to be read side by side: writes
** DIR/compare.csv and then DIR/report.html comparing them, each file
** whole. The runs are already in DIR, so the folder is not swapped: to
** put the runs and their comparison in place together, write them all
** into a naryn_staging folder and commit it (as naryn simulate does). */
int naryn_compare_write(const char *dir, const char *const *runs, int nruns,
                        naryn_diags *d);

/* ====================================================================== */
/* Benefit sharing                                                         */
/* ====================================================================== */

/* What each country gains from cooperation, and the transfers that share
** the gain fairly: a cooperative game whose players are the countries
** that own the model's nodes (doc/sharing.md).
**
** Baseline (no cooperation): the countries plan in turn, upstream first
** (or in the order given). Each optimises its own benefit, with perfect
** foresight, over the reservoirs, plants and demands it owns, while every
** country that planned before keeps what it decided (its reservoirs'
** storage paths and its withdrawals) and every country still to plan
** takes nothing and holds its reservoirs at their initial storage. The
** baseline is the plan of the last to plan.
**
** Coalition values: for each of the 2^n - 1 coalitions S, v(S) is the
** most S's members can secure together by co-ordinating everything they
** own, while the countries outside S keep their baseline actions. A
** country's benefit is the model's objective terms over the nodes it
** owns (energy value less shortage, shortfall, spill and end-storage
** costs), in the model's currency per year.
**
** Allocations of v(N), each checked for efficiency and against the core:
** the Shapley value, the nucleolus, and an equal split of the gain; with
** the baseline and the grand coalition's plan without transfers beside
** them. */

/* Ways of sharing the grand coalition's value. */
typedef enum naryn_allocation {
  NARYN_ALLOC_BASELINE = 0, /* each keeps its baseline benefit (not efficient) */
  NARYN_ALLOC_GRAND_PLAN,   /* the grand coalition's plan, without transfers */
  NARYN_ALLOC_SHAPLEY,      /* the Shapley value */
  NARYN_ALLOC_NUCLEOLUS,    /* the nucleolus */
  NARYN_ALLOC_EQUAL_GAIN,   /* baseline plus an equal share of the gain */
  NARYN_ALLOC_COUNT
} naryn_allocation;

/* Name of an allocation as written in allocation.csv, e.g. "shapley". */
const char *naryn_allocation_name(naryn_allocation a);

/* Options for naryn_share; fill with naryn_share_opts_init. */
typedef struct naryn_share_opts {
  /* Options of every optimisation (its progress callback is not used). */
  naryn_opt_opts opt;
  /* Coalitions optimised at once, each on its own thread; 0 (the
  ** default) for one per online processor. The results do not depend on
  ** it. */
  int jobs;
  /* Country codes in the order the countries plan in the baseline, or
  ** NULL (the default) for upstream first: by the first of their
  ** reservoirs and demands in the network's upstream-to-downstream order.
  ** When given it must name every player once. */
  const char *const *order;
  int norder;
  /* Called with phase "baseline" (done of total countries) and then
  ** "coalitions" (done of total coalitions), from the calling thread. */
  naryn_progress_fn progress;
  void *progress_user;
} naryn_share_opts;

void naryn_share_opts_init(naryn_share_opts *o);

typedef struct naryn_game naryn_game;

/* Computes the baseline, every coalition's value and the allocations.
** Fails with NARYN_EMODEL when a reservoir or demand has no country or
** there are fewer than 2 or more than 10 countries, NARYN_EARG for a bad
** order, and as naryn_optimise does. Warnings in d report properties
** that do not hold (a coalition worth less than its parts, a country
** that would gain by leaving the baseline, an allocation outside an
** non-empty core). */
int naryn_share(const naryn_model *m, const naryn_share_opts *o,
                naryn_game **out, naryn_diags *d);
void naryn_game_free(naryn_game *g);

/* Players in the order they planned in the baseline; player i is bit i of
** a coalition mask. */
int naryn_game_player_count(const naryn_game *g);
const char *naryn_game_player(const naryn_game *g, int i);
/* v(S) for a coalition mask (1 .. 2^n - 1), in currency per year; NaN for
** a mask out of range. */
double naryn_game_value(const naryn_game *g, unsigned coalition);
/* Player i's benefit, currency per year, under an allocation. */
double naryn_game_allocation(const naryn_game *g, naryn_allocation a,
                             int player);
/* 1 when no allocation gives every coalition at least its value. */
int naryn_game_core_empty(const naryn_game *g);
/* Records the command line that asked for the game, for game.csv and the
** two plans' run.csv. NARYN_OK or NARYN_ENOMEM. */
int naryn_game_set_command(naryn_game *g, const char *command);
/* The plans of the baseline and of the grand coalition (borrowed). */
const naryn_result *naryn_game_baseline_plan(const naryn_game *g);
const naryn_result *naryn_game_grand_plan(const naryn_game *g);

/* Writes into DIR: share.csv (every coalition's value and each country's
** benefit in its plan), allocation.csv (per allocation and country:
** benefit, baseline, gain, transfer, and the transfer as winter energy),
** exchange.csv (per country and season: energy, water leaving its
** territory and water withdrawn, baseline against the grand plan),
** superadditivity.csv (every pair of coalitions worth more apart than
** together), game.csv (the game's figures), the plans baseline/ and
** grand/ (as naryn_result_write), and last report.html. The whole folder
** is put in place in one step, as naryn_result_write's. */
int naryn_game_write(const naryn_game *g, const char *dir, naryn_diags *d);

/* ====================================================================== */
/* Synthetic inflows                                                       */
/* ====================================================================== */

/* A model of monthly inflows at one or more sites, fitted to a record and
** used to generate as many synthetic series as wanted (doc/inflows.md).
** Two methods:
** - "par": a periodic autoregressive model, PAR(p), of the standardised
**   log (or Box-Cox) flows, with the order of each site and calendar month
**   chosen by BIC (or AIC) up to 3, and the residuals of the sites drawn
**   together from each month's fitted covariance, so that the sites stay
**   as correlated as in the record;
** - "kirsch": the Kirsch-Nowak resampling of the record's standardised
**   log flows, which keeps the record's seasonal shape, its month-to-month
**   correlation (December to January included) and the correlation
**   between sites without assuming a distribution.
** Flows stay positive. A fit may be changed by climate-shift files (an
** earlier melt, a change of the annual volume, a declining glacier part).
** Every series is drawn from its own random stream, named by a seed and a
** member number, so that it is the same on any machine and whatever other
** members are drawn, in whatever order, thread or process. */
typedef struct naryn_inflow_fit naryn_inflow_fit;

typedef enum naryn_inflow_method {
  NARYN_INFLOW_PAR = 0,
  NARYN_INFLOW_KIRSCH
} naryn_inflow_method;

/* Options of naryn_inflow_fit_record; fill with
** naryn_inflow_fit_opts_init, then change fields as needed. */
typedef struct naryn_inflow_fit_opts {
  naryn_inflow_method method; /* default NARYN_INFLOW_PAR */
  /* 1 to fit a Box-Cox transform per site and month instead of the
  ** logarithm (default 0: log). */
  int boxcox;
  /* 1 to choose the PAR orders by AIC instead of BIC (default 0: BIC). */
  int aic;
  /* The highest PAR order tried, 0 to 3 (default 3). */
  int max_order;
  /* The sites to fit, comma-separated: "NAME" for the record's column of
  ** that name, or "NAME=COLUMN" for a site named NAME fitted to COLUMN
  ** (one column may serve several sites). NULL (the default): every column
  ** of the record but the date. */
  const char *sites;
  /* A statistics file (columns series, cv_annual, jan ... dec): each
  ** site's record is first rescaled to the monthly mean flows and the
  ** coefficient of variation of water-year volumes it gives for the site
  ** (doc/inflows.md). NULL (the default): fitted as recorded. */
  const char *rescale;
  /* The command line that asked for the fit, written into the fit file's
  ** first line, or NULL. */
  const char *command;
} naryn_inflow_fit_opts;

void naryn_inflow_fit_opts_init(naryn_inflow_fit_opts *o);

/* Fits a model to a monthly record: a CSV file with a column "date"
** (YYYY-MM, or the first or last day of each month) and one column of
** flows (m3/s) per site, every month from the first to the last given
** once, in order, with flows > 0. A gap, a flow <= 0 or a record too
** short for the method is an error naming the file, line and column. 'o'
** may be NULL for the defaults. On success *out holds the fit (free it
** with naryn_inflow_fit_free). */
int naryn_inflow_fit_record(const char *record, const naryn_inflow_fit_opts *o,
                            naryn_inflow_fit **out, naryn_diags *d);
/* Writes a fit as a YAML file that naryn_inflow_fit_read reads back (the
** file appears whole or not at all). */
int naryn_inflow_fit_write(const naryn_inflow_fit *f, const char *path,
                           naryn_diags *d);
/* Reads a fit file written by naryn inflows fit (naryn_inflow_fit_write);
** errors name file:line:col and the field. On success *out holds the fit,
** else NULL. */
int naryn_inflow_fit_read(const char *path, naryn_inflow_fit **out,
                          naryn_diags *d);
/* Frees a fit; accepts NULL. */
void naryn_inflow_fit_free(naryn_inflow_fit *f);
/* The number of sites of a fit, and the name of site i (0-based; NULL out
** of range). The name is borrowed from the fit. */
int naryn_inflow_fit_sites(const naryn_inflow_fit *f);
const char *naryn_inflow_fit_site(const naryn_inflow_fit *f, int i);
/* The method of a fit. */
naryn_inflow_method naryn_inflow_fit_method(const naryn_inflow_fit *f);

/* Applies a climate-shift file to a fit (in place): a YAML file with any of
** melt_shift_weeks, annual_change_pct and glacier {share,
** decline_pct_per_decade} for every site, and under "sites" the same per
** site (doc/inflows.md). Files applied one after another add up. Unknown
** sites and fields are errors naming file:line:col; the fit is then
** unchanged. */
int naryn_inflow_fit_climate(naryn_inflow_fit *f, const char *path,
                             naryn_diags *d);

/* Member 'member' (0-based) of the ensemble of 'seed': 'months' monthly
** flows (m3/s) from the month 'start' ("YYYY-MM"), site-major:
** out[site * months + t]. Depends only on (fit, seed, member, start,
** months), and the first months of a longer series are those of a
** shorter one. Thread-safe (no global state): any number of threads may
** generate from one fit at once. Returns NARYN_OK, or NARYN_EARG for a
** bad start, months < 1 or member < 0, or NARYN_ENOMEM. */
int naryn_inflow_generate(const naryn_inflow_fit *f, uint64_t seed,
                          long member, const char *start, int months,
                          double *out, naryn_diags *d);

/* Writes members first_member .. first_member + members - 1 of the
** ensemble of 'seed' as one CSV file (doc/inflows.md): the lines of
** 'comment' (may be NULL) each after "# ", then the header "date" and the
** site names, and a row per month of flows in m3/s with two decimals;
** when members > 1 a first column "member" holds each row's member number
** and the members follow one another. The file appears whole or not at
** all. */
int naryn_inflow_write(const naryn_inflow_fit *f, uint64_t seed,
                       long first_member, long members, const char *start,
                       int months, const char *comment, const char *path,
                       naryn_diags *d);

/* The record a fit was made from against a long synthetic series drawn
** from it: per site and calendar month the mean, standard deviation, skew
** and lag-one correlation of the flows, per site the percentiles of
** water-year volumes and the runs of dry years, and per pair of sites the
** correlation of their flows (doc/inflows.md, "Validation"). */
typedef struct naryn_inflow_validation naryn_inflow_validation;

/* Draws 'years' water years (member 0 of 'seed', without climate shifts)
** and compares them with the record. Only a fit made by
** naryn_inflow_fit_record holds its record (a fit read from a file does
** for "kirsch" only); otherwise NARYN_EARG. */
int naryn_inflow_validate(const naryn_inflow_fit *f, int years, uint64_t seed,
                          naryn_inflow_validation **out, naryn_diags *d);
void naryn_inflow_validation_free(naryn_inflow_validation *v);
/* The figures as rows: 'site' is a site name or "A:B" for a pair,
** 'statistic' what is measured (e.g. "mean_m3s", "annual_km3",
** "drought_longest_years", "corr_annual") and 'period' a month ("jan"),
** a percentile ("p10") or "year"; 'history' and 'synthetic' the values.
** The strings are borrowed from v. Returns 0, or -1 for i out of range. */
int naryn_inflow_validation_rows(const naryn_inflow_validation *v);
int naryn_inflow_validation_row(const naryn_inflow_validation *v, int i,
                                const char **site, const char **statistic,
                                const char **period, double *history,
                                double *synthetic);
/* Water years of the record compared and of the synthetic series. */
void naryn_inflow_validation_years(const naryn_inflow_validation *v,
                                   int *history_years, int *synthetic_years);
/* Writes the rows as CSV: site,statistic,period,history,synthetic. */
int naryn_inflow_validation_write(const naryn_inflow_validation *v,
                                  const char *path, naryn_diags *d);

/* ====================================================================== */
/* Ensembles                                                               */
/* ====================================================================== */

/* How a plan holds up over many inflow series (doc/ensembles.md): the
** model is simulated once per member, a member being a monthly inflow
** series for every site, and the runs are summarised over the members:
** yearly figures by country and season, their means and percentiles,
** the reliability, resilience and vulnerability of every demand and of
** the winter energy, the chance that a reservoir is low on 1 April,
** exceedance curves and the spread of storage step by step. */

/* Inflow members: N series of the same consecutive months, each giving a
** flow in m3/s for every site. A site is the name of a column that
** inflow series of the model read ("naryn_m3s"); a member replaces, for
** every inflow node whose inflow_m3s is a CSV series of column C with C a
** site, the node's inflow in every step with the member's flow of C times
** the series' scale. */
typedef struct naryn_members naryn_members;

/* Reads a members file (doc/ensembles.md): CSV with the columns member
** (a whole number) and date (YYYY-MM) and a column of flows per site, a
** row per member and month, each member's months the same consecutive
** run and its rows together, the members in increasing order; a file
** without the column member is one member, numbered 0 (as naryn inflows
** generate writes a single series). The file
** is checked whole, each problem reported at its line and column; what
** is kept is where each member's rows are, not their values, which are
** read again as each member is simulated. */
int naryn_members_read(const char *path, naryn_members **out, naryn_diags *d);
void naryn_members_free(naryn_members *mb);
/* Keeps only the first n members. Fails with NARYN_EARG for n < 1 or
** more members than there are. */
int naryn_members_keep(naryn_members *mb, long n, naryn_diags *d);
/* Members used, and the number member k (0-based) carries; -1 for k out
** of range. */
long naryn_members_count(const naryn_members *mb);
long naryn_members_id(const naryn_members *mb, long k);
int naryn_members_site_count(const naryn_members *mb);
const char *naryn_members_site(const naryn_members *mb, int i);
/* The first month ("YYYY-MM") and the number of months of every member. */
const char *naryn_members_start(const naryn_members *mb);
int naryn_members_months(const naryn_members *mb);
/* Members drawn from a fit of synthetic inflows (naryn_inflow_fit_read,
** doc/inflows.md): members 0 to n - 1 of the ensemble of 'seed', 'months'
** monthly flows from 'start' ("YYYY-MM") at each of the fit's sites, each
** drawn by naryn_inflow_generate when it is simulated (so the members
** hold nothing but the fit). The fit is borrowed: it must outlive the
** members. 'source' says what they come from in the results (e.g. the
** fit file and the seed). Fails with NARYN_EARG for n < 1, months < 1 or
** a bad start. */
int naryn_members_generate(const naryn_inflow_fit *f, uint64_t seed, long n,
                           const char *start, int months, const char *source,
                           naryn_members **out, naryn_diags *d);
/* What the members come from, as the results name it (the file). */
const char *naryn_members_source(const naryn_members *mb);
/* Member k's flows, out[site * months + month] in m3/s (out holds
** sites * months numbers). */
int naryn_members_get(const naryn_members *mb, long k, double *out,
                      naryn_diags *d);

/* Options for an ensemble; fill with naryn_ensemble_opts_init. The
** arrays are copied by naryn_ensemble_new. */
typedef struct naryn_ensemble_opts {
  /* Options of every member's simulation (its progress callback is not
  ** used). */
  naryn_sim_opts sim;
  /* Members simulated at once, each on its own thread; 0 (the default)
  ** for one per online processor, or 1 in a job of several MPI
  ** processes. The results do not depend on it. */
  int jobs;
  /* Winter (October-March) energy targets, GWh per winter, for the
  ** country codes energy_country[0..nenergy-1]: a winter whose energy
  ** from the country's plants falls below its target fails. Without any,
  ** the targets are the energy rules' (doc/ensembles.md). */
  const char *const *energy_country;
  const double *energy_gwh;
  int nenergy;
  /* Levels on 1 April: the chance that reservoir april_reservoir[k] holds
  ** less than april_hm3[k] on 1 April. */
  const char *const *april_reservoir;
  const double *april_hm3;
  int napril;
  /* NULL (the default): no per-step values. Otherwise the node
  ** quantities and nodes of every member to keep per step and write as
  ** members.nc (per_step and format are not looked at; links are not
  ** written). */
  const naryn_output *per_step;
  /* NULL (the default), or the folder of a policy (naryn_policy_write) to
  ** replay in every member: each thread reads its own, for the model of
  ** each run (sim.policy is not used). */
  const char *policy_dir;
  /* Called with phase "ensemble" (done of total members of this
  ** process), from the calling thread. */
  naryn_progress_fn progress;
  void *progress_user;
} naryn_ensemble_opts;

void naryn_ensemble_opts_init(naryn_ensemble_opts *o);

/* The runs of one or more models over the same members, and their
** statistics. Under MPI every process calls every function with the same
** arguments; the members are shared out between them and the statistics
** kept by rank 0 alone, which alone writes (the getters of the others
** report no runs). */
typedef struct naryn_ensemble naryn_ensemble;

int naryn_ensemble_new(const naryn_members *mb, const naryn_ensemble_opts *o,
                       naryn_ensemble **out, naryn_diags *d);
void naryn_ensemble_free(naryn_ensemble *e);
/* Simulates every member under model m (a rule, a scenario) and adds the
** run, called 'name', to the ensemble. Fails as naryn_simulate does for
** the first member (in member order) whose run fails, naming it; with
** NARYN_EMODEL when the members do not cover the model's horizon, when a
** site is read by no inflow of the model, or when the horizon holds no
** whole water year (October-September); with NARYN_EARG for an option
** naming no reservoir or country of the model. The model must stay alive
** only during the call. */
int naryn_ensemble_run(naryn_ensemble *e, const naryn_model *m,
                       const char *name, naryn_diags *d);
/* Records the command line that asked for the ensemble, for
** ensemble.csv. NARYN_OK or NARYN_ENOMEM. */
int naryn_ensemble_set_command(naryn_ensemble *e, const char *command);
/* Writes into DIR (doc/results.md): ensemble.csv, members.csv, stats.csv,
** reliability.csv, april.csv, exceedance.csv, histogram.csv,
** storage.csv, members.nc with per-step values, and last report.html.
** The whole folder is put in place in one step, as naryn_result_write's.
** Every process but rank 0 writes nothing and returns NARYN_OK. */
int naryn_ensemble_write(const naryn_ensemble *e, const char *dir,
                         naryn_diags *d);

int naryn_ensemble_run_count(const naryn_ensemble *e);
const char *naryn_ensemble_run_name(const naryn_ensemble *e, int run);
long naryn_ensemble_members(const naryn_ensemble *e);

/* Figures over the members of a run. */
typedef struct naryn_ensemble_stat {
  long n;                       /* values */
  double mean, p5, p50, p95;    /* percentiles as doc/ensembles.md says */
} naryn_ensemble_stat;
/* A yearly figure ("energy_gwh", "delivered_hm3", "shortage_hm3" or
** "sink_inflow_hm3") of a country (NULL for all) and season, over every
** member and water year. NARYN_EARG for an unknown run, country or
** quantity. */
int naryn_ensemble_yearly(const naryn_ensemble *e, int run, const char *country,
                          naryn_season season, const char *quantity,
                          naryn_ensemble_stat *out);
/* A reliability figure: of a demand, a minimum flow or a country's winter
** energy (kind "demand", "min_flow", "energy"), as reliability.csv
** gives it. */
typedef struct naryn_ensemble_rrv {
  const char *kind, *name, *country, *unit;
  long periods, failures;
  double reliability, resilience, vulnerability;
} naryn_ensemble_rrv;
int naryn_ensemble_rrv_count(const naryn_ensemble *e, int run);
int naryn_ensemble_rrv_get(const naryn_ensemble *e, int run, int k,
                       naryn_ensemble_rrv *out);
/* The chance of storage below a level on 1 April, as april.csv gives it. */
int naryn_ensemble_april_count(const naryn_ensemble *e, int run);
int naryn_ensemble_april_get(const naryn_ensemble *e, int run, int k,
                         const char **reservoir, double *level_hm3,
                         double *probability);

/* ====================================================================== */
/* MPI                                                                     */
/* ====================================================================== */

/* The processes of an MPI job (doc/ensembles.md). A library built with
** "make MPI=1" joins the job when the process was started by mpirun;
** otherwise, and in a library built without MPI, there is one process,
** rank 0 of 1, and these calls do nothing. */
/* Joins the job (MPI_Init_thread); call it first thing in main. */
int naryn_mpi_start(int *argc, char ***argv);
/* Leaves the job (MPI_Finalize); call it last. */
void naryn_mpi_stop(void);
int naryn_mpi_rank(void);
int naryn_mpi_size(void);
/* 1 when the library was built with MPI. */
int naryn_mpi_built(void);
/* The worst of every process's status (the first that is not NARYN_OK,
** by rank), the same on every process: so that all go on or all stop. */
int naryn_mpi_agree(int status);

/* ---------------------------------------------------------------------- */
/* Operating policies under uncertainty: SDDP (doc/sddp.md)                */
/* ---------------------------------------------------------------------- */

/* A row of an SDDP run's convergence log: after iteration 'iteration', the
** deterministic lower bound on the policy's expected cost, the estimated
** upper bound (NaN between estimates) with the half width of its 95 %
** confidence interval, the gap in per cent of the larger bound, the time
** since the start and the cuts so far. Costs are the model's objective
** with its sign turned, in its currency. */
typedef struct naryn_sddp_log {
  int iteration;
  double lower, upper, half_width, gap_pct, seconds;
  int cuts;
} naryn_sddp_log;

/* Options for naryn_sddp; fill with naryn_sddp_opts_init. */
typedef struct naryn_sddp_opts {
  int max_iterations;   /* default 200 */
  int bound_samples;    /* forward simulations per upper bound, default 100 */
  int bound_every;      /* iterations between upper bounds, default 10 */
  double gap_pct;       /* stop at a gap at most this, default 1 */
  double time_limit_s;  /* stop after this long; 0 (default) for no limit */
  uint64_t seed;        /* default 1 */
  int stall_iterations; /* stop when the lower bound has moved by less than
                        ** a millionth over this many; 0 (default): never */
  int multi_cut;        /* 1: a cut per outcome; 0 (default): one, averaged */
  /* The risk measure: (1 - cvar_lambda) E + cvar_lambda CVaR_cvar_alpha of
  ** the cost; cvar_lambda 0 (default) is the expectation. */
  double cvar_alpha, cvar_lambda;
  /* Above 0 (and below 1): the model's steps are one cycle of a policy of
  ** infinite horizon, each cycle's cost discounted by this (the chance a
  ** forward path goes round again); 0 (default): a finite horizon. */
  double discount;
  /* A cut file each iteration's cuts are appended to (synced), so that a
  ** run killed or stopped goes on from where it was: the cuts it holds
  ** already are loaded first and the iterations counted on from its last.
  ** NULL (default): none. */
  const char *cut_log;
  /* Every this many iterations, each stage's LP keeps only the cuts that
  ** are highest at some state visited (level-1 dominance); 0: never.
  ** Default 10. */
  int select_every;
  /* Threads (1 to 64; 0, the default: 1), each with its own copy of the
  ** stages, and forward passes an iteration (0, the default: one per
  ** thread of every MPI process). The paths' backward passes go level by
  ** level, each level's cuts added to every copy in path order, and each
  ** chunk of work starts its stages afresh from a basis every thread has,
  ** so the same seed and passes give the same cuts and bounds, bit for
  ** bit, on any number of threads and processes. */
  int jobs, passes;
  /* Called after every iteration with its log row; may be NULL. */
  void (*log)(void *user, const naryn_sddp_log *row);
  void *log_user;
  /* 1: the upper bound's simulations subtract a control variate of mean
  ** zero from their costs (doc/sddp.md, "The upper bound with a control
  ** variate"): the same expectation, with an interval many times narrower
  ** once the cuts are good, each step of a simulation solving its stage
  ** under every outcome too. 0 (default): their plain costs. */
  int bound_control;
  /* 1: the gap stop is taken on the upper end of the upper bound's 95 %
  ** interval (upper + half_width - lower, in per cent of the larger
  ** bound), so that a run stops only once the gap is at most gap_pct with
  ** that confidence; 0 (default): on the estimate's mean, the log's gap. */
  int gap_confident;
} naryn_sddp_opts;

typedef struct naryn_policy naryn_policy;

void naryn_sddp_opts_init(naryn_sddp_opts *o);
/* Trains a policy for the model, stage by step, across its inflow
** outcomes (its "uncertainty" section). NARYN_OK, NARYN_EMODEL (no
** outcomes, routed links), NARYN_EARG, NARYN_ESOLVER, NARYN_EINTR or
** NARYN_ENOMEM (in d). */
int naryn_sddp(const naryn_model *m, const naryn_sddp_opts *o, naryn_policy **out,
               naryn_diags *d);
void naryn_policy_free(naryn_policy *p);
/* The stages a policy of the model trained with o has: the steps of its
** cycle (the uncertainty section's cycle_steps) or of its horizon. */
int naryn_sddp_stages(const naryn_model *m, const naryn_sddp_opts *o);
/* The states of the model's Markov chain of energy prices (the
** uncertainty section's "prices"), each a stage problem of every stage;
** 0 without a chain. */
int naryn_sddp_price_states(const naryn_model *m);
double naryn_policy_lower_bound(const naryn_policy *p);
/* The last estimated upper bound (NaN before one) and its half width. */
double naryn_policy_upper_bound(const naryn_policy *p, double *half_width);
int naryn_policy_iterations(const naryn_policy *p);
/* 1 when the run stopped at the gap asked for. */
int naryn_policy_converged(const naryn_policy *p);
/* Why training stopped: "gap", "stalled", "time" or "iterations" ("" for
** a policy read back). */
const char *naryn_policy_stop_reason(const naryn_policy *p);
int naryn_policy_log_count(const naryn_policy *p);
const naryn_sddp_log *naryn_policy_log(const naryn_policy *p, int i);
/* Writes the folder DIR, whole or not at all: convergence.csv (the log),
** cuts.csv (every cut, by stage), cuts.bin (the same, in the binary cut
** file) and prodfn.csv (each plant's production function; doc/sddp.md). */
int naryn_policy_write(const naryn_policy *p, const char *dir, naryn_diags *d);
/* A plant's production function in SDDP's stages: for each plant whose
** head follows its reservoir, its power as the minimum of 'planes' planes
** in storage and turbined flow, never below the exact power (doc/sddp.md);
** the largest and mean error over a fine sample (MW), and the power at full
** storage and full flow. */
typedef struct naryn_prodfn_info {
  const char *plant;
  int planes;
  double full_mw, max_error_mw, mean_error_mw;
} naryn_prodfn_info;
/* How many plants of the model have one. */
int naryn_prodfn_count(const naryn_model *m);
/* Fits the i-th (0 to naryn_prodfn_count - 1) as the stages do: NARYN_OK,
** NARYN_EARG (no such plant) or NARYN_ENOMEM. */
int naryn_prodfn_get(const naryn_model *m, int i, naryn_prodfn_info *out);
/* Reads the policy naryn_policy_write wrote into DIR for the same model
** (its cuts.bin, whose fingerprint and reservoirs must be the model's):
** its stages, each with the cuts that are the highest at one of the trial
** states saved with them (level-1 dominance: the same future cost at
** those states as every cut gives; every cut of a file that keeps no
** trial states, written by an earlier naryn). Its bounds and log are NaN
** and empty. */
int naryn_policy_read(const naryn_model *m, const char *dir, naryn_policy **out,
                      naryn_diags *d);

#ifdef __cplusplus
}
#endif

#endif /* NARYN_H */
