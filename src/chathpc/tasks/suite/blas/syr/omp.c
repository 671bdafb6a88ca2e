/* syr: symmetric rank-1 update A = A + alpha*x*x^T of the lower triangle of an n x n matrix; OpenMP: triangular rows dealt out dynamically in chunks */
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
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double alpha = 0.5;
  double *a = malloc((size_t)n * n * sizeof(double)), *x = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) a[i * n + j] = 1.0 + ((i + j) % 17) * 0.0625;
    x[i] = 1.0 + (i % 13) * 0.125;
  }
#pragma omp parallel for schedule(dynamic, 16)
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) a[i * n + j] += alpha * x[i] * x[j];
  print_mat("a", a, n);
  free(a);
  free(x);
  return 0;
}
