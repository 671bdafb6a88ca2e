/* gemm: C = alpha*A*B + beta*C (OpenMP variant, slower): a parallel region is opened for every row of C (n fork/joins instead of one), and the j-k loop order inside walks B by columns (stride n) instead of by rows */
#include <stdio.h>
#include <stdlib.h>

static void print_mat(const char *name, const double *a, int n) {
  double s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      s += a[i * n + j];
      ws += ((i + 2 * j) % 7 + 1) * a[i * n + j];
    }
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) {
    int i = k * n / 8, j = (7 - k) * n / 8;
    printf("%s[%d][%d] %.12e\n", name, i, j, a[i * n + j]);
  }
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 500;
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)n * n * sizeof(double)), *b = malloc((size_t)n * n * sizeof(double));
  double *c = malloc((size_t)n * n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      a[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
      c[i * n + j] = 1.0 + ((i + j) % 5) * 0.25;
    }
  for (int i = 0; i < n; i++) {
#pragma omp parallel for
    for (int j = 0; j < n; j++) {
      double cij = beta * c[i * n + j];
      for (int k = 0; k < n; k++) cij += alpha * a[i * n + k] * b[k * n + j];
      c[i * n + j] = cij;
    }
  }
  print_mat("c", c, n);
  free(a);
  free(b);
  free(c);
  return 0;
}
