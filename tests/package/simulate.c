/*
** simulate.c: a program built against an installed naryn, as a user's
** would be (tests/package/run.sh builds it with "pkg-config --cflags
** --libs naryn" and runs it on the shared library). It loads the model
** named on its command line, simulates it and prints the number of steps
** and the energy every plant generated over the horizon, in GWh, as
** "steps N energy_gwh E".
*/
#include <math.h>
#include <stdio.h>

#include <naryn.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s MODEL\n", argv[0]);
    return 2;
  }
  naryn_diags *d = naryn_diags_new(20);
  naryn_model *m = NULL;
  naryn_result *r = NULL;
  int status = naryn_model_load(argv[1], NULL, 0, &m, d);
  if (status == NARYN_OK) status = naryn_simulate(m, NULL, &r, d);
  if (status != NARYN_OK) {
    char buf[1024];
    for (int i = 0; i < naryn_diags_count(d); i++) {
      naryn_diag_format(naryn_diags_get(d, i), buf, sizeof buf);
      fprintf(stderr, "%s\n", buf);
    }
    fprintf(stderr, "%s: %s\n", argv[0], naryn_strerror(status));
  } else {
    double energy_gwh = 0;
    int steps = naryn_model_steps(m);
    for (int node = 0; node < naryn_model_node_count(m); node++)
      for (int step = 0; step < steps; step++) {
        double e = naryn_result_node(r, NARYN_Q_ENERGY_GWH, node, step);
        if (!isnan(e)) energy_gwh += e;
      }
    printf("steps %d energy_gwh %.6f\n", steps, energy_gwh);
  }
  naryn_result_free(r);
  naryn_model_free(m);
  naryn_diags_free(d);
  return status == NARYN_OK ? 0 : 1;
}
