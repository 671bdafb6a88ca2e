/* 3D 7-point Jacobi on an n x n x n grid for a number of sweeps, boundary values fixed; OpenMP: one parallel region around all sweeps, the (i, j) lines collapsed and split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 120;
  int sweeps = argc > 2 ? atoi(argv[2]) : 300;
  size_t p = (size_t)n * n;
  double *u = malloc(p * n * sizeof(double));
  double *v = malloc(p * n * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *a = u, *b = v;
#pragma omp for collapse(2)
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        for (int k = 0; k < n; k++) a[i * p + (size_t)j * n + k] = b[i * p + (size_t)j * n + k] = 1.0 + ((i + 2 * j + 3 * k) % 13) * 0.125;
    for (int t = 0; t < sweeps; t++) {
#pragma omp for collapse(2)
      for (int i = 1; i < n - 1; i++)
        for (int j = 1; j < n - 1; j++)
          for (int k = 1; k < n - 1; k++) {
            size_t c = i * p + (size_t)j * n + k;
            b[c] = (a[c] + a[c - p] + a[c + p] + a[c - n] + a[c + n] + a[c - 1] + a[c + 1]) / 7.0;
          }
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int i = 0; i < n; i++)
      for (size_t c = 0; c < p; c++) {
        sum += a[i * p + c];
        wsum += ((i + c) % 7 + 1) * a[i * p + c];
      }
  }
  if (sweeps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("u[%d] %.12e\n", k * n / 8, u[(k * n / 8) * p + (size_t)(n / 2) * n + n / 2]);
  free(u); free(v);
  return 0;
}
