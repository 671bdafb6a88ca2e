/* y = A*x for a sparse matrix in COO format (OpenMP variant, slower): the entries are split across threads and every update of y is an atomic add in the hot loop instead of per-thread partial vectors */
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
  int nnz = 4 * n;
  int *row = malloc(nnz * sizeof(int));
  int *col = malloc(nnz * sizeof(int));
  double *val = malloc(nnz * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = 1.0 + (i % 13) * 0.125;
#pragma omp parallel for
  for (int e = 0; e < nnz; e++) {
    row[e] = (int)(((long)e * 5 + e / n) % n);
    col[e] = (int)(((long)e * 3 + 1) % n);
    val[e] = 1.0 + (e % 9) * 0.125;
  }
#pragma omp parallel for
  for (int i = 0; i < n; i++) y[i] = 0.0;
#pragma omp parallel for
  for (int e = 0; e < nnz; e++) {
#pragma omp atomic
    y[row[e]] += val[e] * x[col[e]];
  }
  print_vec("y", y, n);
  free(row); free(col); free(val); free(x); free(y);
  return 0;
}
