/* Explicit 2D heat equation on a rows x cols grid: u += 0.2 * (laplacian of u), boundary fixed; OpenMP: one parallel region around all steps, rows split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int rows = argc > 1 ? atoi(argv[1]) : 1800;
  int cols = argc > 2 ? atoi(argv[2]) : 1800;
  int steps = argc > 3 ? atoi(argv[3]) : 80;
  double *u = malloc((size_t)rows * cols * sizeof(double));
  double *un = malloc((size_t)rows * cols * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *a = u, *b = un;
#pragma omp for
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) a[(size_t)i * cols + j] = b[(size_t)i * cols + j] = 1.0 + ((5 * i + j) % 9) * 0.25;
    for (int s = 0; s < steps; s++) {
#pragma omp for
      for (int i = 1; i < rows - 1; i++)
        for (int j = 1; j < cols - 1; j++) {
          size_t c = (size_t)i * cols + j;
          b[c] = a[c] + 0.2 * (a[c - cols] + a[c + cols] + a[c - 1] + a[c + 1] - 4.0 * a[c]);
        }
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int i = 0; i < rows; i++)
      for (int j = 0; j < cols; j++) {
        sum += a[(size_t)i * cols + j];
        wsum += ((i + j) % 7 + 1) * a[(size_t)i * cols + j];
      }
  }
  if (steps % 2) {
    double *tmp = u;
    u = un;
    un = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * rows / 8, cols / 2, u[(size_t)(k * rows / 8) * cols + cols / 2]);
  free(u); free(un);
  return 0;
}
