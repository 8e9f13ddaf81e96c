/*
** nc.c: members.nc, every member's per-step values (temporary).
*/
#include "ensemble_int.h"

int naryn__ens_write_nc(const naryn_ensemble *e, const char *path, naryn_diags *d) {
  (void)e, (void)path;
  return naryn__diag(d, NARYN_EARG, NARYN_SEV_ERROR, NULL, 0, 0, NULL, "not yet");
}
