/* asum: sum of |x[i]| (OpenMP variant, slower): per-thread partial sums kept in adjacent elements of a shared array, so every update of one thread invalidates the cache line of the others (false sharing) */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = (i % 13 - 6) * 0.125 + 0.0625;
  double s = 0.0;
  double partial[64] = {0.0};
  int nthreads = 1;
#pragma omp parallel
  {
    int t = omp_get_thread_num();
#pragma omp single
    nthreads = omp_get_num_threads();
#pragma omp for
    for (int i = 0; i < n; i++) partial[t] += fabs(x[i]);
  }
  for (int t = 0; t < nthreads; t++) s += partial[t];
  printf("asum %.12e\n", s);
  free(x);
  return 0;
}
