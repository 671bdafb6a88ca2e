/* asum: sum of absolute values |x[i]| of a vector of length n with mixed signs; OpenMP: parallel for with a sum reduction */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = (i % 13 - 6) * 0.125 + 0.0625;
  double s = 0.0;
#pragma omp parallel for reduction(+:s)
  for (int i = 0; i < n; i++) s += fabs(x[i]);
  printf("asum %.12e\n", s);
  free(x);
  return 0;
}
