/*
** nc.c: members.nc, every member's per-step values of an ensemble, asked
** for with --per-step: a group per run holding, for each quantity chosen,
** a variable over (member, time, node) (io/netcdf.c writes it). The values
** are the runs' kept records, in member order; its size is 8 bytes per
** member, step, node and quantity.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble_int.h"

int naryn__ens_write_nc(const naryn_ensemble *e, const char *path, naryn_diags *d) {
  naryn__nc_cube *cubes = calloc((size_t)e->nruns + 1, sizeof *cubes);
  long *ids = malloc(((size_t)e->mb->count + 1) * sizeof *ids);
  const char **names = NULL, **countries = NULL;
  int *qs = malloc((NARYN_Q_COUNT + 1) * (size_t)(e->nruns + 1) * sizeof *qs);
  int most = 1;
  for (int k = 0; k < e->nruns; k++)
    if (e->runs[k].L.sel_nodes > most) most = e->runs[k].L.sel_nodes;
  names = malloc((size_t)most * (size_t)(e->nruns + 1) * sizeof *names);
  countries = malloc((size_t)most * (size_t)(e->nruns + 1) * sizeof *countries);
  if (!cubes || !ids || !qs || !names || !countries) {
    free(cubes), free(ids), free(qs), free(names), free(countries);
    return naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  for (long m = 0; m < e->mb->count; m++) ids[m] = naryn_members_id(e->mb, m);
  int n = 0;
  for (int k = 0; k < e->nruns; k++) {
    const ens_run *r = &e->runs[k];
    const ens_layout *L = &r->L;
    if (L->nsel == 0) continue;
    const char **nm = names + (size_t)k * most, **nc = countries + (size_t)k * most;
    int *q = qs + (size_t)k * (NARYN_Q_COUNT + 1);
    for (int j = 0; j < L->sel_nodes; j++) {
      nm[j] = r->node_name[L->sel_node[j]];
      nc[j] = r->node_country[L->sel_node[j]];
    }
    for (int v = 0; v < L->sel_quantities; v++) q[v] = L->sel_q[v * L->sel_nodes];
    cubes[n++] = (naryn__nc_cube){r->name, r->model, r->scenario, (int)r->members, ids,
                                  r->nsteps, r->step_date, r->step_day, r->step_s,
                                  L->sel_nodes, nm, nc, L->sel_quantities, q, r->sel};
  }
  char *file = malloc(strlen(path) + 16);
  int rc = NARYN_ENOMEM;
  if (file) {
    sprintf(file, "%s/members.nc", path);
    rc = naryn__nc_cubes(file, cubes, n, e->command, d);
  } else {
    naryn__diag(d, NARYN_ENOMEM, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
  }
  free(file);
  free(cubes), free(ids), free(qs), free(names), free(countries);
  return rc;
}
