/* y = A*x for a sparse matrix in ELLPACK format: 5 slots per row, unused slots padded with zeros; OpenMP: rows split across threads */
#include <stdio.h>
#include <stdlib.h>

#define W 5

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
  int n = argc > 1 ? atoi(argv[1]) : 6000000;
  int *col = malloc((size_t)n * W * sizeof(int));
  double *val = malloc((size_t)n * W * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int k = 0; k < W; k++) {
      int used = k < 2 + i % 4;
      col[(size_t)i * W + k] = used ? (int)((i + (long)k * (n / W + 1)) % n) : i;
      val[(size_t)i * W + k] = used ? 1.0 + ((i + 3 * k) % 7) * 0.25 : 0.0;
    }
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int k = 0; k < W; k++) s += val[(size_t)i * W + k] * x[col[(size_t)i * W + k]];
    y[i] = s;
  }
  print_vec("y", y, n);
  free(col); free(val); free(x); free(y);
  return 0;
}
