/* 2D 9-point smoothing on an n x n grid: centre 0.2, edge neighbours 0.125, corner neighbours 0.075; OpenMP: one parallel region around all steps, rows split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1600;
  int steps = argc > 2 ? atoi(argv[2]) : 80;
  double *grid = malloc((size_t)n * n * sizeof(double));
  double *next = malloc((size_t)n * n * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *a = grid, *b = next;
#pragma omp for
    for (int r = 0; r < n; r++)
      for (int c = 0; c < n; c++) a[(size_t)r * n + c] = b[(size_t)r * n + c] = 1.0 + ((3 * r + c) % 11) * 0.25;
    for (int s = 0; s < steps; s++) {
#pragma omp for
      for (int r = 1; r < n - 1; r++)
        for (int c = 1; c < n - 1; c++) {
          double *g = &a[(size_t)r * n + c];
          b[(size_t)r * n + c] = 0.2 * g[0] + 0.125 * (g[-n] + g[n] + g[-1] + g[1])
                      + 0.075 * (g[-n - 1] + g[-n + 1] + g[n - 1] + g[n + 1]);
        }
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int r = 0; r < n; r++)
      for (int c = 0; c < n; c++) {
        sum += a[(size_t)r * n + c];
        wsum += ((r + c) % 7 + 1) * a[(size_t)r * n + c];
      }
  }
  if (steps % 2) {
    double *tmp = grid;
    grid = next;
    next = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("grid[%d][%d] %.12e\n", k * n / 8, n / 3, grid[(size_t)(k * n / 8) * n + n / 3]);
  free(grid); free(next);
  return 0;
}
