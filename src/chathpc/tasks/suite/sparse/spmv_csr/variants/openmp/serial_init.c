/* y = A*x for a sparse matrix in CSR format (OpenMP variant, slower): the matrix and vector are built by one thread and only the product is parallel, so the set-up stays serial (and all pages are first touched by one thread) */
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
  int *rowptr = malloc((n + 1) * sizeof(int));
  rowptr[0] = 0;
  for (int i = 0; i < n; i++) rowptr[i + 1] = rowptr[i] + 3 + i % 4;
  int *col = malloc(rowptr[n] * sizeof(int));
  double *val = malloc(rowptr[n] * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int k = 0; k < 3 + i % 4; k++) {
      col[rowptr[i] + k] = (int)(((long)i * (2 * k + 1) + 17 * k) % n);
      val[rowptr[i] + k] = 1.0 + ((i + k) % 7) * 0.25;
    }
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    double s = 0.0;
    for (int p = rowptr[i]; p < rowptr[i + 1]; p++) s += val[p] * x[col[p]];
    y[i] = s;
  }
  print_vec("y", y, n);
  free(rowptr); free(col); free(val); free(x); free(y);
  return 0;
}
