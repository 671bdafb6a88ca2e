/* 2D 5-point Jacobi on an n x n grid for a number of sweeps, boundary values fixed; OpenMP: one parallel region around all sweeps, rows split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 100;
  double *u = malloc((size_t)n * n * sizeof(double));
  double *v = malloc((size_t)n * n * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *a = u, *b = v;
#pragma omp for
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) a[(size_t)i * n + j] = b[(size_t)i * n + j] = 1.0 + ((i + 2 * j) % 13) * 0.125;
    for (int t = 0; t < sweeps; t++) {
#pragma omp for
      for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++) {
          size_t c = (size_t)i * n + j;
          b[c] = 0.2 * (a[c] + a[c - n] + a[c + n] + a[c - 1] + a[c + 1]);
        }
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        sum += a[(size_t)i * n + j];
        wsum += ((i + j) % 7 + 1) * a[(size_t)i * n + j];
      }
  }
  if (sweeps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * n / 8, n / 2, u[(size_t)(k * n / 8) * n + n / 2]);
  free(u); free(v);
  return 0;
}
