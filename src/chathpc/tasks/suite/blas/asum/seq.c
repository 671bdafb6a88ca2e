/* asum: sum of absolute values |x[i]| of a vector of length n with mixed signs */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) x[i] = (i % 13 - 6) * 0.125 + 0.0625;
  double s = 0.0;
  for (int i = 0; i < n; i++) s += fabs(x[i]);
  printf("asum %.12e\n", s);
  free(x);
  return 0;
}
