/* 2D 5-point Jacobi (OpenMP variant, slower): a parallel region is opened for every sweep, and the new grid is copied back into the old one instead of swapping pointers */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 100;
  double *u = malloc((size_t)n * n * sizeof(double));
  double *v = malloc((size_t)n * n * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) u[(size_t)i * n + j] = v[(size_t)i * n + j] = 1.0 + ((i + 2 * j) % 13) * 0.125;
  for (int t = 0; t < sweeps; t++) {
#pragma omp parallel for
    for (int i = 1; i < n - 1; i++)
      for (int j = 1; j < n - 1; j++) {
        size_t c = (size_t)i * n + j;
        v[c] = 0.2 * (u[c] + u[c - n] + u[c + n] + u[c - 1] + u[c + 1]);
      }
#pragma omp parallel for
    for (int i = 1; i < n - 1; i++)
      for (int j = 1; j < n - 1; j++) u[(size_t)i * n + j] = v[(size_t)i * n + j];
  }
#pragma omp parallel for reduction(+:sum, wsum)
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      sum += u[(size_t)i * n + j];
      wsum += ((i + j) % 7 + 1) * u[(size_t)i * n + j];
    }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * n / 8, n / 2, u[(size_t)(k * n / 8) * n + n / 2]);
  free(u); free(v);
  return 0;
}
