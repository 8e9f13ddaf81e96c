/*
** mpi.c: the processes of an MPI job, the one file that knows MPI.
**
** Built with "make MPI=1" (NARYN_MPI defined, compiled by mpicc), the
** library joins an MPI job when its process was started by mpirun (the
** launcher's environment says so: OMPI_COMM_WORLD_SIZE, PMI_SIZE or
** PMIX_RANK); a process started otherwise is alone, as in a library built
** without MPI, where every function below is the one-process case. Only
** the thread that called naryn_mpi_start calls MPI (MPI_THREAD_FUNNELED):
** the ensemble's worker threads never do.
**
** The members are shared out in contiguous blocks: rank r of K takes
** members [n r / K, n (r + 1) / K). Rank 0 gathers the records rank by
** rank, so in member order, in pieces of at most 2^26 doubles each (MPI's
** counts are ints). A failure is agreed on by every process so that all
** go on or all stop; the messages of the first member that failed travel
** to rank 0, which alone prints and writes.
**
** SDDP (sddp/sddp.c) gathers every process's cuts and costs on every
** process (naryn__mpi_allgather) and takes rank 0's bounds
** (naryn__mpi_bcast), so that all processes make the same decisions.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

#ifdef NARYN_MPI
#include <mpi.h>

static int started; /* MPI_Init_thread was called */
static int my_rank, my_size = 1;

/* Open MPI's MPI_Init opens every messaging layer it has and picks one.
** Its "cm" layer first probes the libraries of cluster networks (PSM and
** PSM2, for Omni-Path), which costs each process about 0.2 s and gains
** nothing between processes of one machine, where Open MPI's own layer
** (ob1) goes through shared memory. When the launcher says every process
** of the job is on this machine (OMPI_COMM_WORLD_LOCAL_SIZE equal to
** OMPI_COMM_WORLD_SIZE), the job asks for ob1 alone, unless the user
** chose a layer (OMPI_MCA_pml, which setenv leaves as it is); every
** process sees the same environment, so all choose alike. */
static void one_machine_layer(void) {
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  if (size && local && strcmp(size, local) == 0) setenv("OMPI_MCA_pml", "ob1", 0);
}

int naryn_mpi_start(int *argc, char ***argv) {
  if (started || !(getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") ||
                   getenv("PMIX_RANK")))
    return NARYN_OK;
  one_machine_layer();
  int provided;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return NARYN_EIO;
  started = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &my_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &my_size);
  return NARYN_OK;
}

void naryn_mpi_stop(void) {
  if (started) MPI_Finalize();
  started = 0;
  my_rank = 0, my_size = 1;
}

int naryn_mpi_rank(void) { return my_rank; }
int naryn_mpi_size(void) { return my_size; }
int naryn_mpi_built(void) { return 1; }

int naryn_mpi_agree(int status) {
  if (my_size == 1) return status;
  int *all = malloc((size_t)my_size * sizeof *all);
  if (!all) MPI_Abort(MPI_COMM_WORLD, 4);
  MPI_Allgather(&status, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
  int rc = NARYN_OK;
  for (int r = 0; r < my_size && rc == NARYN_OK; r++) rc = all[r];
  free(all);
  return rc;
}

/* Doubles sent or received at once. */
#define PIECE (1L << 26)

static void block(long n, int r, long *first, long *last) {
  *first = (long)((long long)n * r / my_size);
  *last = (long)((long long)n * (r + 1) / my_size);
}

void naryn__mpi_share(long n, long *first, long *last) { block(n, my_rank, first, last); }

int naryn__mpi_gather(const double *mine, long mine_n, double *all, long n, size_t len) {
  size_t count = (size_t)mine_n * len;
  if (my_rank == 0 && count) memcpy(all, mine, count * sizeof *mine);
  for (int r = 1; r < my_size; r++) {
    long first, last;
    block(n, r, &first, &last);
    size_t total = (size_t)(last - first) * len;
    for (size_t at = 0; at < total; at += PIECE) {
      int piece = (int)(total - at < PIECE ? total - at : PIECE);
      if (my_rank == 0)
        MPI_Recv(all + (size_t)first * len + at, piece, MPI_DOUBLE, r, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
      else if (my_rank == r)
        MPI_Send((void *)(mine + at), piece, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD);
    }
  }
  return NARYN_OK;
}

int naryn__mpi_allgather(const double *mine, long n, double **all, long *total) {
  *all = NULL;
  *total = 0;
  if (my_size == 1) {
    /* Alone (also when not started by mpirun): a copy. */
    *all = malloc(((size_t)n + 1) * sizeof **all);
    if (!*all) return NARYN_ENOMEM;
    if (n > 0) memcpy(*all, mine, (size_t)n * sizeof *mine);
    *total = n;
    return NARYN_OK;
  }
  int *counts = malloc((size_t)my_size * sizeof *counts);
  int *at = malloc((size_t)my_size * sizeof *at);
  int me = (int)n;
  if (!counts || !at || n > INT_MAX) {
    free(counts), free(at);
    return NARYN_ENOMEM;
  }
  MPI_Allgather(&me, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
  long sum = 0;
  for (int r = 0; r < my_size; r++) at[r] = (int)sum, sum += counts[r];
  double *buf = malloc(((size_t)sum + 1) * sizeof *buf);
  if (!buf || sum > INT_MAX) {
    free(counts), free(at), free(buf);
    MPI_Abort(MPI_COMM_WORLD, 4);
    return NARYN_ENOMEM;
  }
  MPI_Allgatherv((void *)mine, me, MPI_DOUBLE, buf, counts, at, MPI_DOUBLE, MPI_COMM_WORLD);
  free(counts), free(at);
  *all = buf;
  *total = sum;
  return NARYN_OK;
}

void naryn__mpi_bcast(double *v, int n) {
  if (my_size > 1) MPI_Bcast(v, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

/* A message as it travels between processes. */
typedef struct wire_diag {
  int code, severity, line, col;
  char file[512];
  char where[sizeof ((naryn_diag *)0)->where];
  char msg[sizeof ((naryn_diag *)0)->msg];
} wire_diag;

/* The most messages of one member sent to rank 0. */
#define WIRE_MAX 8

int naryn__mpi_failure_agree(naryn__mpi_failure *f) {
  if (my_size == 1) return f->status;
  int intr = f->status == NARYN_EINTR, any_intr;
  MPI_Allreduce(&intr, &any_intr, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  long member, count;
  MPI_Allreduce(&f->member, &member, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&f->count, &count, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  /* The process whose member it is tells its status and messages. */
  int owner = member == f->member ? my_rank : INT_MAX, who;
  MPI_Allreduce(&owner, &who, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  int status = f->status;
  if (who != INT_MAX) MPI_Bcast(&status, 1, MPI_INT, who, MPI_COMM_WORLD);
  else status = NARYN_OK;
  if (any_intr) status = NARYN_EINTR;
  if (who != INT_MAX && who != 0) {
    wire_diag w[WIRE_MAX];
    int nw = 0;
    memset(w, 0, sizeof w);
    if (my_rank == who) {
      for (int k = 0; f->d && k < naryn_diags_count(f->d) && nw < WIRE_MAX; k++) {
        const naryn_diag *x = naryn_diags_get(f->d, k);
        wire_diag *y = &w[nw++];
        y->code = x->code, y->severity = x->severity, y->line = x->line, y->col = x->col;
        if (x->file) strncpy(y->file, x->file, sizeof y->file - 1);
        memcpy(y->where, x->where, sizeof y->where);
        memcpy(y->msg, x->msg, sizeof y->msg);
      }
      MPI_Send(&nw, 1, MPI_INT, 0, 2, MPI_COMM_WORLD);
      MPI_Send(w, (int)sizeof w, MPI_BYTE, 0, 3, MPI_COMM_WORLD);
    } else if (my_rank == 0) {
      MPI_Recv(&nw, 1, MPI_INT, who, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Recv(w, (int)sizeof w, MPI_BYTE, who, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      naryn_diags_free(f->d);
      f->d = naryn_diags_new(0);
      for (int k = 0; f->d && k < nw; k++)
        naryn__diag(f->d, w[k].code, w[k].severity, w[k].file[0] ? w[k].file : NULL,
                    w[k].line, w[k].col, w[k].where[0] ? w[k].where : NULL, "%s", w[k].msg);
    }
  }
  if (my_rank == 0) f->member = member, f->count = count, f->status = status;
  return status;
}

#else /* one process */

int naryn_mpi_start(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return NARYN_OK;
}
void naryn_mpi_stop(void) {}
int naryn_mpi_rank(void) { return 0; }
int naryn_mpi_size(void) { return 1; }
int naryn_mpi_built(void) { return 0; }
int naryn_mpi_agree(int status) { return status; }

void naryn__mpi_share(long n, long *first, long *last) {
  *first = 0;
  *last = n;
}

int naryn__mpi_gather(const double *mine, long mine_n, double *all, long n, size_t len) {
  (void)n;
  if (mine_n) memcpy(all, mine, (size_t)mine_n * len * sizeof *mine);
  return NARYN_OK;
}

int naryn__mpi_failure_agree(naryn__mpi_failure *f) { return f->status; }

int naryn__mpi_allgather(const double *mine, long n, double **all, long *total) {
  *all = malloc(((size_t)n + 1) * sizeof **all);
  *total = n;
  if (!*all) return NARYN_ENOMEM;
  if (n > 0) memcpy(*all, mine, (size_t)n * sizeof *mine);
  return NARYN_OK;
}

void naryn__mpi_bcast(double *v, int n) {
  (void)v;
  (void)n;
}

#endif
