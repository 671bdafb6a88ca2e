/* y = A*x for a banded sparse matrix in DIA format with the 5 diagonals at offsets -2..2; OpenMP: rows split across threads */
#include <stdio.h>
#include <stdlib.h>

#define ND 5

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
  int n = argc > 1 ? atoi(argv[1]) : 9000000;
  int off[ND] = {-2, -1, 0, 1, 2};
  double *data = malloc((size_t)ND * n * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int d = 0; d < ND; d++) data[(size_t)d * n + i] = 1.0 + ((i + d) % 5) * 0.25;
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int d = 0; d < ND; d++) {
      int j = i + off[d];
      if (j >= 0 && j < n) s += data[(size_t)d * n + i] * x[j];
    }
    y[i] = s;
  }
  print_vec("y", y, n);
  free(data); free(x); free(y);
  return 0;
}
