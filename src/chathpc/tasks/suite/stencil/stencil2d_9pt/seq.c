/* 2D 9-point smoothing on an n x n grid: centre 0.2, edge neighbours 0.125, corner neighbours 0.075 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1600;
  int steps = argc > 2 ? atoi(argv[2]) : 80;
  double *grid = malloc((size_t)n * n * sizeof(double));
  double *next = malloc((size_t)n * n * sizeof(double));
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++) grid[(size_t)r * n + c] = next[(size_t)r * n + c] = 1.0 + ((3 * r + c) % 11) * 0.25;
  for (int s = 0; s < steps; s++) {
    for (int r = 1; r < n - 1; r++)
      for (int c = 1; c < n - 1; c++) {
        double *g = &grid[(size_t)r * n + c];
        next[(size_t)r * n + c] = 0.2 * g[0] + 0.125 * (g[-n] + g[n] + g[-1] + g[1])
                    + 0.075 * (g[-n - 1] + g[-n + 1] + g[n - 1] + g[n + 1]);
      }
    double *tmp = grid;
    grid = next;
    next = tmp;
  }
  double sum = 0.0, wsum = 0.0;
  for (int r = 0; r < n; r++)
    for (int c = 0; c < n; c++) {
      sum += grid[(size_t)r * n + c];
      wsum += ((r + c) % 7 + 1) * grid[(size_t)r * n + c];
    }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("grid[%d][%d] %.12e\n", k * n / 8, n / 3, grid[(size_t)(k * n / 8) * n + n / 3]);
  free(grid); free(next);
  return 0;
}
