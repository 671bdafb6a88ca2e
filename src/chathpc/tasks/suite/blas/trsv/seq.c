/* trsv: solve L*x = b by forward substitution for a lower-triangular, diagonally dominant n x n matrix L */
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
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double *l = malloc((size_t)n * n * sizeof(double));
  double *b = malloc(n * sizeof(double)), *x = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) l[i * n + j] = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
    l[i * n + i] = 2.0 + (i % 5) * 0.25;
    b[i] = 1.0 + (i % 13) * 0.125;
  }
  for (int i = 0; i < n; i++) {
    double t = b[i];
    for (int j = 0; j < i; j++) t -= l[i * n + j] * x[j];
    x[i] = t / l[i * n + i];
  }
  print_vec("x", x, n);
  free(l);
  free(b);
  free(x);
  return 0;
}
