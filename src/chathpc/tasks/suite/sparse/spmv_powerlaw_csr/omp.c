/* y = A*x for a sparse matrix in CSR format whose row lengths follow a heavy-tailed law (1 + 64 / (1 + i % 64)); OpenMP: rows of 2 to 65 entries dealt out dynamically in chunks (the prefix sum of row lengths stays serial) */
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
  int n = argc > 1 ? atoi(argv[1]) : 4000000;
  int *first = malloc((n + 1) * sizeof(int));
  first[0] = 0;
  for (int i = 0; i < n; i++) first[i + 1] = first[i] + 1 + 64 / (1 + i % 64);
  int *cols = malloc(first[n] * sizeof(int));
  double *vals = malloc(first[n] * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for schedule(dynamic, 1024)
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int k = 0; k < first[i + 1] - first[i]; k++) {
      cols[first[i] + k] = (int)(((long)i * 31 + (long)k * k * 7 + k) % n);
      vals[first[i] + k] = 0.5 + ((i * 3 + k) % 8) * 0.125;
    }
  }
#pragma omp parallel for schedule(dynamic, 1024)
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int p = first[i]; p < first[i + 1]; p++) s += vals[p] * x[cols[p]];
    y[i] = s;
  }
  print_vec("y", y, n);
  free(first); free(cols); free(vals); free(x); free(y);
  return 0;
}
