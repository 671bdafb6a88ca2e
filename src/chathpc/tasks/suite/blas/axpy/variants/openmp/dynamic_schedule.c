/* axpy: y = a*x + y (OpenMP variant, slower): schedule(dynamic, 1) on a loop whose iterations all cost the same, so every element is fetched from the shared work queue */
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
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double a = 1.5;
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = 2.0 + (i % 11) * 0.25;
  }
#pragma omp parallel for schedule(dynamic, 1)
  for (int i = 0; i < n; i++) y[i] = a * x[i] + y[i];
  print_vec("y", y, n);
  free(x);
  free(y);
  return 0;
}
