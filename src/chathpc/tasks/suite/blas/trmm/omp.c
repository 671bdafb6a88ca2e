/* trmm: C = alpha*L*B for a lower-triangular n x n matrix L and a dense n x n matrix B, i-k-j loop order; OpenMP: triangular rows of C dealt out dynamically in chunks */
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
  double alpha = 1.5;
  double *l = malloc((size_t)n * n * sizeof(double)), *b = malloc((size_t)n * n * sizeof(double));
  double *c = malloc((size_t)n * n * sizeof(double));
#pragma omp parallel for schedule(static, 16)
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) l[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
#pragma omp parallel for
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
#pragma omp parallel for schedule(dynamic, 8)
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) c[i * n + j] = 0.0;
    for (int k = 0; k <= i; k++) {
      double lik = alpha * l[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += lik * b[k * n + j];
    }
  }
  print_mat("c", c, n);
  free(l);
  free(b);
  free(c);
  return 0;
}
