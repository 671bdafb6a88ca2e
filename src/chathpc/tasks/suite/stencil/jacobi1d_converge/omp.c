/* 1D Jacobi relaxation towards fixed end values, repeated until the largest change is below tol (at most maxit sweeps); OpenMP: one parallel region around the sweeps, the largest change a max reduction that every thread then tests */
#include <math.h>
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
  int n = argc > 1 ? atoi(argv[1]) : 120000;
  double tol = argc > 2 ? atof(argv[2]) : 1e-8;
  int maxit = argc > 3 ? atoi(argv[3]) : 2000;
  double *u = malloc(n * sizeof(double));
  double *v = malloc(n * sizeof(double));
  int iters = 0;
  double change = tol + 1.0;
#pragma omp parallel
  {
    double *a = u, *b = v;
#pragma omp for
    for (int i = 0; i < n; i++) a[i] = b[i] = 1.0 + (i % 5) * 0.25;
    while (change > tol && iters < maxit) {
#pragma omp barrier
#pragma omp single
      change = 0.0;
#pragma omp for reduction(max:change)
      for (int i = 1; i < n - 1; i++) {
        b[i] = 0.5 * (a[i - 1] + a[i + 1]);
        change = fmax(change, fabs(b[i] - a[i]));
      }
      double *tmp = a;
      a = b;
      b = tmp;
#pragma omp single
      iters++;
    }
  }
  if (iters % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  printf("iters %d\n", iters);
  print_vec("u", u, n);
  free(u); free(v);
  return 0;
}
