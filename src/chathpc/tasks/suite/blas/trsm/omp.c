/* trsm: solve L*X = B for X (overwriting B), L lower-triangular and diagonally dominant, B n x n, i-k-j loop order; OpenMP: the columns of B are independent, so each thread solves its own block of columns */
#include <omp.h>
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
  double *l = malloc((size_t)n * n * sizeof(double)), *b = malloc((size_t)n * n * sizeof(double));
#pragma omp parallel for schedule(static, 16)
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) l[i * n + j] = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
    l[i * n + i] = 2.0 + (i % 5) * 0.25;
  }
#pragma omp parallel
  {
    int t = omp_get_thread_num(), nt = omp_get_num_threads();
    int jlo = (int)((long)t * n / nt), jhi = (int)((long)(t + 1) * n / nt);
    for (int i = 0; i < n; i++)
      for (int j = jlo; j < jhi; j++) b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < i; k++) {
        double lik = l[i * n + k];
        for (int j = jlo; j < jhi; j++) b[i * n + j] -= lik * b[k * n + j];
      }
      for (int j = jlo; j < jhi; j++) b[i * n + j] /= l[i * n + i];
    }
  }
  print_mat("x", b, n);
  free(l);
  free(b);
  return 0;
}
