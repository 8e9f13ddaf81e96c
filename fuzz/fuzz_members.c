/*
** fuzz_members.c: libFuzzer target for the reader of an ensemble's members
** file (src/ensemble/members.c). The input is written as members.csv in
** the working folder and read as naryn ensemble reads it: checked whole,
** then every member's flows read again from where the first reading found
** them. A file that reads must give each member its months of flows, every
** one a number from 0 to 10^6 m3/s, and keep only as many members as it
** holds.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_write("members.csv", data, size);
  naryn_diags *d = naryn_diags_new(0);
  naryn_members *mb = NULL;
  if (!d) return 0;
  int rc = naryn_members_read("members.csv", &mb, d);
  fuzz_check_diags(d, rc);
  fuzz_require((rc == NARYN_OK) == (mb != NULL), "a status that disagrees with the result");
  if (mb) {
    long n = naryn_members_count(mb);
    int sites = naryn_members_site_count(mb), months = naryn_members_months(mb);
    fuzz_require(n >= 1 && sites >= 1 && months >= 1, "members without flows");
    double *flows = malloc((size_t)sites * (size_t)months * sizeof *flows);
    for (long k = 0; flows && k < n && k < 64; k++) {
      naryn_diags_clear(d);
      int got = naryn_members_get(mb, k, flows, d);
      fuzz_check_diags(d, got);
      fuzz_require(got == NARYN_OK, "a member checked whole that cannot be read again");
      for (int j = 0; j < sites * months; j++)
        fuzz_require(flows[j] >= 0 && flows[j] <= 1e6, "a flow out of range");
      if (k > 0)
        fuzz_require(naryn_members_id(mb, k) > naryn_members_id(mb, k - 1),
                     "members out of order");
    }
    free(flows);
    naryn_diags_clear(d);
    fuzz_require(naryn_members_keep(mb, n + 1, d) == NARYN_EARG, "more members kept than held");
    fuzz_require(naryn_members_keep(mb, 1, d) == NARYN_OK && naryn_members_count(mb) == 1,
                 "the first member not kept");
  }
  naryn_members_free(mb);
  naryn_diags_free(d);
  return 0;
}
