/*
** csvcmp.c: compares a CSV result file with its expected copy.
**
** Usage: csvcmp EXPECTED ACTUAL [REL_TOL [ABS_TOL]]
**
** The files must have the same lines and cells. Cells that both parse as
** numbers must agree within REL_TOL of the larger magnitude or ABS_TOL
** (defaults 1e-9 and 1e-6, since results are printed to six decimals);
** other cells must match exactly. Prints the first difference with its
** line, column name and both values, and exits 1; exits 0 when equal.
** Cells are split on commas; result files quote no cell that matters here.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 65536
#define MAX_CELLS 256

/* Splits a line in place at commas; returns the number of cells. */
static int split(char *line, char **cells) {
  int n = 0;
  line[strcspn(line, "\r\n")] = '\0';
  cells[n++] = line;
  for (char *p = line; *p && n < MAX_CELLS; p++)
    if (*p == ',') {
      *p = '\0';
      cells[n++] = p + 1;
    }
  return n;
}

/* Parses a whole cell as a number. */
static int number(const char *s, double *v) {
  char *end;
  if (!*s) return 0;
  *v = strtod(s, &end);
  return *end == '\0';
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: csvcmp EXPECTED ACTUAL [REL_TOL [ABS_TOL]]\n");
    return 2;
  }
  double rel = argc > 3 ? atof(argv[3]) : 1e-9, abs_tol = argc > 4 ? atof(argv[4]) : 1e-6;
  FILE *fe = fopen(argv[1], "r"), *fa = fopen(argv[2], "r");
  if (!fe || !fa) {
    fprintf(stderr, "csvcmp: cannot open %s\n", !fe ? argv[1] : argv[2]);
    return 2;
  }
  static char le[MAX_LINE], la[MAX_LINE], header[MAX_LINE];
  char *ce[MAX_CELLS], *ca[MAX_CELLS], *ch[MAX_CELLS];
  int nh = 0, status = 0;
  for (int line = 1;; line++) {
    char *ge = fgets(le, sizeof le, fe), *ga = fgets(la, sizeof la, fa);
    if (!ge && !ga) break;
    if (!ge || !ga) {
      printf("%s:%d: %s ends here, the other goes on\n", argv[2], line,
             !ge ? "the expected file" : "the result");
      status = 1;
      break;
    }
    if (line == 1) {
      memcpy(header, le, sizeof header);
      nh = split(header, ch);
    }
    int ne = split(le, ce), na = split(la, ca);
    if (ne != na) {
      printf("%s:%d: expected %d cells, got %d\n", argv[2], line, ne, na);
      status = 1;
      break;
    }
    for (int k = 0; k < ne; k++) {
      double x, y;
      int same;
      if (number(ce[k], &x) && number(ca[k], &y))
        same = fabs(x - y) <= fmax(abs_tol, rel * fmax(fabs(x), fabs(y)));
      else
        same = strcmp(ce[k], ca[k]) == 0;
      if (!same) {
        printf("%s:%d: column %s: expected %s, got %s\n", argv[2], line,
               k < nh ? ch[k] : "?", ce[k], ca[k]);
        status = 1;
        break;
      }
    }
    if (status) break;
  }
  fclose(fe);
  fclose(fa);
  return status;
}
