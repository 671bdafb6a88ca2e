/* symv: y = alpha*A*x + beta*y for a symmetric n x n matrix A stored in its lower triangle; OpenMP: triangular rows dealt out dynamically, the transposed half scattered into per-thread partial vectors summed once */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

static void print_vec(const char *name, const double *v, int n) {
  double s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = 0; i < n; i++) {
    s += v[i];
    ws += (i % 7 + 1) * v[i];
  }
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, v[k * n / 8]);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)n * n * sizeof(double));
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
  int nt = omp_get_max_threads();
  double *part = malloc((size_t)nt * n * sizeof(double));
#pragma omp parallel for schedule(static, 16)
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) a[i * n + j] = 1.0 + ((i + j) % 17) * 0.0625;
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = beta * (2.0 + (i % 11) * 0.25);
  }
#pragma omp parallel
  {
    int nthreads = omp_get_num_threads();
    double *py = part + (size_t)omp_get_thread_num() * n;
    for (int i = 0; i < n; i++) py[i] = 0.0;
#pragma omp for schedule(dynamic, 16)
    for (int i = 0; i < n; i++) {
      double t = a[i * n + i] * x[i];
      for (int j = 0; j < i; j++) {
        t += a[i * n + j] * x[j];
        py[j] += alpha * a[i * n + j] * x[i];
      }
      py[i] += alpha * t;
    }
#pragma omp for
    for (int i = 0; i < n; i++)
      for (int t = 0; t < nthreads; t++) y[i] += part[(size_t)t * n + i];
  }
  print_vec("y", y, n);
  free(a);
  free(x);
  free(y);
  free(part);
  return 0;
}
