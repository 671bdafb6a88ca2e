/* Weighted 2D 5-point Jacobi on a ny x nx grid: centre 0.4, each neighbour 0.15, boundary fixed; OpenMP: one parallel region around all sweeps, rows split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int ny = argc > 1 ? atoi(argv[1]) : 2000;
  int nx = argc > 2 ? atoi(argv[2]) : 2000;
  int steps = argc > 3 ? atoi(argv[3]) : 60;
  double *u = malloc((size_t)ny * nx * sizeof(double));
  double *v = malloc((size_t)ny * nx * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *a = u, *b = v;
#pragma omp for
    for (int i = 0; i < ny; i++)
      for (int j = 0; j < nx; j++) a[(size_t)i * nx + j] = b[(size_t)i * nx + j] = 1.0 + ((i + 4 * j) % 13) * 0.125;
    for (int s = 0; s < steps; s++) {
#pragma omp for
      for (int i = 1; i < ny - 1; i++)
        for (int j = 1; j < nx - 1; j++) {
          size_t c = (size_t)i * nx + j;
          b[c] = 0.4 * a[c] + 0.15 * (a[c - nx] + a[c + nx] + a[c - 1] + a[c + 1]);
        }
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int i = 0; i < ny; i++)
      for (int j = 0; j < nx; j++) {
        sum += a[(size_t)i * nx + j];
        wsum += ((i + j) % 7 + 1) * a[(size_t)i * nx + j];
      }
  }
  if (steps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * ny / 8, nx / 2, u[(size_t)(k * ny / 8) * nx + nx / 2]);
  free(u); free(v);
  return 0;
}
