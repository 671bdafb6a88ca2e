/* 1D Jacobi until converged (OpenMP variant, slower): a parallel region with a max reduction is opened for every sweep, and the end-of-run checksums are computed by one thread */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void print_vec(const char *name, const double *v, int n) {
  double s = 0.0, ws = 0.0;
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
  for (int i = 0; i < n; i++) u[i] = v[i] = 1.0 + (i % 5) * 0.25;
  while (change > tol && iters < maxit) {
    change = 0.0;
#pragma omp parallel for reduction(max:change)
    for (int i = 1; i < n - 1; i++) {
      v[i] = 0.5 * (u[i - 1] + u[i + 1]);
      change = fmax(change, fabs(v[i] - u[i]));
    }
    double *tmp = u;
    u = v;
    v = tmp;
    iters++;
  }
  printf("iters %d\n", iters);
  print_vec("u", u, n);
  free(u); free(v);
  return 0;
}
