/* 1D 3-point Jacobi: u[i] = (u[i-1] + u[i] + u[i+1]) / 3 for a number of sweeps, boundary values fixed; OpenMP: one parallel region around all sweeps, each thread swapping its own pointers after the loop's barrier */
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
  int n = argc > 1 ? atoi(argv[1]) : 2000000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 300;
  double *u = malloc(n * sizeof(double));
  double *v = malloc(n * sizeof(double));
#pragma omp parallel
  {
    double *a = u, *b = v;
#pragma omp for
    for (int i = 0; i < n; i++) a[i] = b[i] = 1.0 + (i % 13) * 0.125;
    for (int t = 0; t < sweeps; t++) {
#pragma omp for
      for (int i = 1; i < n - 1; i++) b[i] = (a[i - 1] + a[i] + a[i + 1]) / 3.0;
      double *tmp = a;
      a = b;
      b = tmp;
    }
  }
  if (sweeps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  print_vec("u", u, n);
  free(u); free(v);
  return 0;
}
