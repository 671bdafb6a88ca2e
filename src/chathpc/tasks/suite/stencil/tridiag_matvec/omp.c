/* y = T*x for a tridiagonal matrix T stored as its sub-, main and super-diagonal; OpenMP: rows split across threads */
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
  int n = argc > 1 ? atoi(argv[1]) : 12000000;
  double *lower = malloc(n * sizeof(double));
  double *diag = malloc(n * sizeof(double));
  double *upper = malloc(n * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    lower[i] = 0.5 + (i % 3) * 0.125;
    diag[i] = 2.0 + (i % 5) * 0.25;
    upper[i] = 0.25 + (i % 4) * 0.125;
    x[i] = 1.0 + (i % 13) * 0.125;
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double s = diag[i] * x[i];
    if (i > 0) s += lower[i] * x[i - 1];
    if (i < n - 1) s += upper[i] * x[i + 1];
    y[i] = s;
  }
  print_vec("y", y, n);
  free(lower); free(diag); free(upper); free(x); free(y);
  return 0;
}
