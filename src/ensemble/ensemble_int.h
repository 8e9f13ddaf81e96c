/*
** ensemble_int.h: what the files of an ensemble share: the members
** (members.c), the runs of the members under one model and what each
** member's run leaves (ensemble.c), the statistics over the members
** (stats.c), the files written (write.c) and the processes of an MPI job
** (mpi.c).
**
** A member's run leaves a record: a row of doubles laid out as 'layout'
** says (yearly figures by water year, country and season; each plant's
** winter energy; each reservoir's storage at the end of every step; each
** demand's failure counts; the per-step values asked for). Records are
** made by any thread of any process, in any order, and read only in
** member order, so that every statistic is summed in the same order
** whatever ran where: the results are the same bytes for any number of
** threads and processes.
*/
#ifndef NARYN_ENSEMBLE_INT_H
#define NARYN_ENSEMBLE_INT_H

#include <stdint.h>

#include "../naryn_int.h"

/* ====================================================================== */
/* members.c                                                               */
/* ====================================================================== */

/* Where a member's rows are in its file. */
typedef struct naryn__member_at {
  long id;            /* its number in the file */
  long long offset;   /* the byte offset of its first row */
  int line;           /* the line of its first row */
  size_t bytes;       /* the bytes of its rows; 0 when not known (the last) */
  int rows;
} naryn__member_at;

struct naryn_members {
  naryn__arena *a;
  const char *path;        /* the members file */
  const char *source;      /* what the members come from, for results */
  int member_col, date_col, header_line;
  int nsites;
  const char **site;       /* [nsites] column names */
  int *site_col;           /* [nsites] their columns in the file */
  int *site_pos;           /* [nsites] 1-based character column of each name */
  long month0;             /* the first month: year * 12 + month - 1 */
  int months;              /* months of every member */
  char start[32];          /* "YYYY-MM" */
  naryn__member_at *at;    /* [n] */
  long n, cap;             /* members in the file */
  long count;              /* members used: the first 'count' */
  /* Members drawn from a fit instead (path NULL): member k is member k of
  ** the ensemble of 'seed'. */
  const naryn_inflow_fit *fit;
  uint64_t seed;
};

/* A month index (year * 12 + month - 1) as "YYYY-MM" (32 bytes suffice). */
const char *naryn__ens_month(long mi, char *buf, size_t size);
/* Reads members' flows again, one reader per thread. */
typedef struct naryn__member_reader naryn__member_reader;
naryn__member_reader *naryn__members_reader(const naryn_members *mb, naryn_diags *d);
/* Member k's flows into out[site * months + month], m3/s. */
int naryn__members_load(naryn__member_reader *rd, long k, double *out, naryn_diags *d);
void naryn__members_reader_free(naryn__member_reader *rd);

/* ====================================================================== */
/* ensemble.c: a member's record                                           */
/* ====================================================================== */

/* The yearly figures of a member, by water year, group and season. */
enum { EQ_ENERGY = 0, EQ_DELIVERED, EQ_SHORTAGE, EQ_SINK, EQ_COUNT };
/* A demand's counts in a member's record (see stats.c). */
enum { DF_FAIL = 0, DF_FAIL_NEXT, DF_RECOVER, DF_SHORT, DF_SHARE, DF_WORST, DF_COUNT };
/* The storage bands of the fan charts: mean and five percentiles. */
enum { FAN_MEAN = 0, FAN_P5, FAN_P25, FAN_P50, FAN_P75, FAN_P95, FAN_COUNT };

/* A step above this shortage (hm3) failed its demand: one cubic metre,
** well above the solver's noise. */
#define NARYN__FAIL_HM3 1e-6
/* A winter this far (GWh) below its energy target failed it. */
#define NARYN__FAIL_GWH 1e-6

/* How a member's record is laid out, and the model's figures it needs;
** made once per run, read by every thread. */
typedef struct ens_layout {
  int nsteps, nyears;
  int *year_of;          /* [nsteps] water year index, -1 outside whole ones */
  int *year_label;       /* [nyears] the year each water year ends in */
  int ngroups;           /* countries, then all */
  const char **group;    /* [ngroups] codes; the last is "all" */
  int *node_group;       /* [nnodes] */
  int nplants, nres, ndem;
  int *plant, *res, *dem; /* node indices */
  int nsel;              /* per-step values kept: (node, quantity) pairs, */
  int *sel_node, *sel_q; /* quantity by quantity, each over the same nodes */
  int sel_nodes, sel_quantities;
  size_t yearly, plants, storage, demand, sel, len; /* offsets, length */
  /* Inflow nodes the members replace: the site and scale of each node
  ** (site -1 for a node left as it is); per step the months it draws
  ** on (k from step_m0[t] to step_m0[t + 1]), as offsets into the
  ** member's months, with weights summing to 1. */
  int *site_of;
  double *scale;
  int *step_m0, *step_mon;
  double *step_w;
} ens_layout;

/* Lays out the records of model m's runs over the members mb, with the
** per-step values per_step asks for (NULL: none), in arena a. Reports
** a site no inflow reads, members that do not cover the horizon and a
** horizon without a whole water year. */
int naryn__ens_layout(ens_layout *L, const naryn_model *m, const naryn_members *mb,
                      const naryn_output *per_step, naryn__arena *a, naryn_diags *d);
/* A member's inflows: over[i][t] (m3/s) for every node the members
** replace, from its flows (flows[site * months + month]). */
void naryn__ens_inflows(const ens_layout *L, const naryn_model *m, const double *flows,
                        int months, double *const *over);
/* The record of a member's run r. */
void naryn__ens_record(const ens_layout *L, const naryn_result *r, double *rec);

#define YEARLY(L, rec, y, g, s, q) \
  ((rec)[(L)->yearly + (((size_t)(y) * (L)->ngroups + (g)) * NARYN_SEASON_COUNT + (s)) * EQ_COUNT + (q)])

/* One kind of reliability figure: a demand's, a minimum flow's or a
** country's winter energy, over every member. */
typedef struct ens_rrv {
  const char *kind;      /* "demand", "min_flow", "energy" */
  const char *name;      /* the node, or the country code */
  const char *country;
  const char *unit;      /* "hm3" or "GWh" */
  const char *plants;    /* energy: the plants counted ("+"), or "all" */
  double target;         /* energy: the mean winter target, GWh; else NaN */
  long periods, failures, with_next, recoveries;
  double reliability, resilience, vulnerability, vulnerability_share, worst;
} ens_rrv;

/* The chance that a reservoir's storage is below a level on 1 April. */
typedef struct ens_april {
  const char *reservoir;
  double level_hm3;
  long member_years, below, members_below, members;
  double probability, member_probability, p5, p50, p95;
} ens_april;

/* One model's run over every member, as rank 0 keeps it. */
typedef struct ens_run {
  const char *name, *model, *model_file, *scenario;
  const char *start, *end, *step;
  int nsteps;
  long members;
  ens_layout L;
  const char **step_date;  /* [nsteps] "YYYY-MM-DD" */
  long *step_day;          /* [nsteps] day numbers */
  double *step_s;          /* [nsteps] seconds */
  const char **node_name;  /* [nnodes] */
  const char **node_country;
  int *node_type;          /* [nnodes] naryn_node_type */
  double *initial;         /* [nres] initial storage, hm3 */
  int nnodes;
  double *yearly;          /* [member * ylen]: each member's yearly figures */
  size_t ylen;
  double *winter;          /* [member * nplants * nyears]: plants' winter energy */
  double *target;          /* [nplants * nyears]: energy-rule winter target, NaN none */
  double *sel;             /* [member * nsel * nsteps], or NULL */
  double *fan;             /* [(res * nsteps + t) * FAN_COUNT] */
  ens_rrv *rrv;            /* demands, then energy */
  int nrrv, ndemrrv;
  ens_april *april;
  int napril;
} ens_run;

struct naryn_ensemble {
  naryn__arena *a;
  const naryn_members *mb;
  naryn_ensemble_opts o;
  const char *command;
  ens_run *runs;
  int nruns;
  int root;                /* 1 in the process that keeps and writes */
};

/* ====================================================================== */
/* stats.c                                                                 */
/* ====================================================================== */

/* Sorts n numbers in place, in increasing order. */
void naryn__ens_sort(double *v, long n);
/* The p-quantile (0..1) of n sorted numbers: linear between the closest
** ranks (Hyndman and Fan's type 7), NaN for n = 0. */
double naryn__ens_quantile(const double *sorted, long n, double p);
/* Reduces the records of 'members' members (in member order) into the
** run's storage bands, demand figures and 1 April figures, and keeps its
** yearly figures, winter energy and per-step values. */
int naryn__ens_reduce(naryn_ensemble *e, ens_run *run, const double *rec,
                      long members, naryn_diags *d);
/* (Re)computes every run's winter-energy figures for the targets of the
** options, or else of the first run with energy rules. */
int naryn__ens_energy(naryn_ensemble *e, naryn_diags *d);
/* The statistics of yearly figures of a run: for a group, season and
** quantity, over member-years (by_member 0) or over each member's mean
** year (1); *n is set to the count. Returns NaN-filled figures for none. */
void naryn__ens_yearly_stats(const ens_run *run, int g, int s, int q, int by_member,
                             double *work, long *n, double *mean, double *p5,
                             double *p50, double *p95);

/* ====================================================================== */
/* write.c and nc.c                                                        */
/* ====================================================================== */

/* members.nc: every member's per-step values asked for, in path. */
int naryn__ens_write_nc(const naryn_ensemble *e, const char *path, naryn_diags *d);

/* ====================================================================== */
/* mpi.c: the processes of an MPI job; one process without MPI             */
/* ====================================================================== */

/* The members [*first, *last) this process runs of n. */
void naryn__mpi_share(long n, long *first, long *last);
/* Gathers every process's records (len doubles each, its members in
** order) into 'all' on rank 0 (n * len doubles), in member order. */
int naryn__mpi_gather(const double *mine, long mine_n, double *all, long n, size_t len);
/* A failure's messages, sent from the process that met it to rank 0. */
typedef struct naryn__mpi_failure {
  long member;        /* the first member that failed, or LONG_MAX */
  int status;         /* its status, or NARYN_OK */
  long count;         /* members counted (those with warnings) */
  naryn_diags *d;     /* its messages */
} naryn__mpi_failure;
/* Agrees on the first failure over every process: an interruption in
** any, else the status of the lowest member that failed. Returns that
** status in every process; on rank 0, f holds that member, its messages
** and the sum of every process's count. */
int naryn__mpi_failure_agree(naryn__mpi_failure *f);

#endif
