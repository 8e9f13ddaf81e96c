/*
** write_with_tmp.c: TEMPORARY. naryn_result_write_with belongs to the
** streaming of results, which writes only the chosen columns and rows of
** nodes.csv and links.csv. Until that part is merged, this version writes
** every CSV file as naryn_result_write does and, when the output asks for
** NetCDF, results.nc with the chosen nodes, links and quantities beside
** them, in the same staging folder. Delete this file at the merge.
*/
#include <stdio.h>

#include "../naryn_int.h"

typedef struct with_ctx {
  const naryn_result *r;
  const naryn_output *o;
} with_ctx;

static int fill_with(const void *ctx, const char *path, naryn_diags *d) {
  const with_ctx *w = ctx;
  int rc = naryn__result_write_into(w->r, path, d);
  if (rc == NARYN_OK && w->o && w->o->per_step &&
      w->o->format == NARYN_FORMAT_NETCDF) {
    char file[4096];
    snprintf(file, sizeof file, "%s/results.nc", path);
    rc = naryn__nc_write(w->r, w->o, file, d);
  }
  return rc;
}

int naryn_result_write_with(const naryn_result *r, const naryn_output *o,
                            const char *dir, naryn_diags *d) {
  with_ctx w = {r, o};
  return naryn__staged_write(dir, fill_with, &w, d);
}
