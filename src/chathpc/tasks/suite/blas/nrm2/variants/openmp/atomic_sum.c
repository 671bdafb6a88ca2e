/* nrm2: Euclidean norm (OpenMP variant, slower): every square is added to the shared sum with an atomic update in the hot loop instead of a reduction clause */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = 1.0 + (i % 13) * 0.125;
  double s = 0.0;
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
#pragma omp atomic
    s += x[i] * x[i];
  }
  printf("nrm2 %.12e\n", sqrt(s));
  free(x);
  return 0;
}
