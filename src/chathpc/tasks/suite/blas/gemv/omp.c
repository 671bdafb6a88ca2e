/* gemv: y = alpha*A*x + beta*y for a dense row-major n x n matrix A; OpenMP: rows split across threads */
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
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) a[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = 2.0 + (i % 11) * 0.25;
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double t = 0.0;
    for (int j = 0; j < n; j++) t += a[i * n + j] * x[j];
    y[i] = alpha * t + beta * y[i];
  }
  print_vec("y", y, n);
  free(a);
  free(x);
  free(y);
  return 0;
}
