/* trsv: solve L*x = b by forward substitution for a lower-triangular, diagonally dominant n x n matrix L; OpenMP: blocked, a block of rows is solved by one thread, then all threads subtract it from the rows below */
#include <stdio.h>
#include <stdlib.h>

#define BS 64

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
  double *l = malloc((size_t)n * n * sizeof(double));
  double *b = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
#pragma omp parallel for schedule(static, 16)
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) l[i * n + j] = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
    l[i * n + i] = 2.0 + (i % 5) * 0.25;
    b[i] = 1.0 + (i % 13) * 0.125;
    x[i] = b[i];
  }
  /* x[i] holds b[i] minus the terms of the solved blocks until row i's own block is solved */
#pragma omp parallel
  for (int lo = 0; lo < n; lo += BS) {
    int hi = lo + BS < n ? lo + BS : n;
#pragma omp single
    for (int i = lo; i < hi; i++) {
      double t = x[i];
      for (int j = lo; j < i; j++) t -= l[i * n + j] * x[j];
      x[i] = t / l[i * n + i];
    }
#pragma omp for schedule(static)
    for (int i = hi; i < n; i++) {
      double t = x[i];
      for (int j = lo; j < hi; j++) t -= l[i * n + j] * x[j];
      x[i] = t;
    }
  }
  print_vec("x", x, n);
  free(l);
  free(b);
  free(x);
  return 0;
}
