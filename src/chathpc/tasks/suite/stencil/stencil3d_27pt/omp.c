/* 3D 27-point smoothing on an n x n x n grid: each interior point becomes the mean of its 3x3x3 box; OpenMP: one parallel region around all steps, the (z, y) lines collapsed and split across threads, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 100;
  int steps = argc > 2 ? atoi(argv[2]) : 80;
  size_t p = (size_t)n * n;
  double *a = malloc(p * n * sizeof(double));
  double *b = malloc(p * n * sizeof(double));
  double sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
    double *src = a, *dst = b;
#pragma omp for collapse(2)
    for (int z = 0; z < n; z++)
      for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) src[z * p + (size_t)y * n + x] = dst[z * p + (size_t)y * n + x] = 1.0 + ((z + 3 * y + 5 * x) % 17) * 0.0625;
    for (int s = 0; s < steps; s++) {
#pragma omp for collapse(2)
      for (int z = 1; z < n - 1; z++)
        for (int y = 1; y < n - 1; y++)
          for (int x = 1; x < n - 1; x++) {
            double acc = 0.0;
            for (int dz = -1; dz <= 1; dz++)
              for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) acc += src[(z + dz) * p + (size_t)(y + dy) * n + x + dx];
            dst[z * p + (size_t)y * n + x] = acc / 27.0;
          }
      double *tmp = src;
      src = dst;
      dst = tmp;
    }
#pragma omp for reduction(+:sum, wsum)
    for (int z = 0; z < n; z++)
      for (size_t c = 0; c < p; c++) {
        sum += src[z * p + c];
        wsum += ((z + c) % 7 + 1) * src[z * p + c];
      }
  }
  if (steps % 2) {
    double *tmp = a;
    a = b;
    b = tmp;
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("a[%d] %.12e\n", k * n / 8, a[(k * n / 8) * p + (size_t)(n / 2) * n + n / 3]);
  free(a); free(b);
  return 0;
}
