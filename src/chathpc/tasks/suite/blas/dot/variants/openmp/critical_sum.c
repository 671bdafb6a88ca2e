/* dot: s = x . y (OpenMP variant, slower): every product is added to the shared sum inside a critical section instead of a reduction clause, so the threads queue on one lock n times */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = 2.0 + (i % 11) * 0.25;
  }
  double s = 0.0;
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
#pragma omp critical
    s += x[i] * y[i];
  }
  printf("dot %.12e\n", s);
  free(x);
  free(y);
  return 0;
}
