/* y = A*x for a sparse matrix in CSC format with a general pattern of 3-6 entries per column; OpenMP: columns split across threads, each adding into its own partial y, the partials summed once in parallel */
#include <omp.h>
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
  int *colptr = malloc((n + 1) * sizeof(int));
  colptr[0] = 0;
  for (int j = 0; j < n; j++) colptr[j + 1] = colptr[j] + 3 + j % 4;
  int *row = malloc(colptr[n] * sizeof(int));
  double *val = malloc(colptr[n] * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
  double *part = malloc((size_t)omp_get_max_threads() * n * sizeof(double));
#pragma omp parallel for
  for (int j = 0; j < n; j++) {
    x[j] = 1.0 + (j % 13) * 0.125;
    for (int k = 0; k < 3 + j % 4; k++) {
      row[colptr[j] + k] = (int)(((long)j * (2 * k + 1) + 11 * k) % n);
      val[colptr[j] + k] = 1.0 + ((j + 2 * k) % 7) * 0.25;
    }
  }
#pragma omp parallel
  {
    int nthreads = omp_get_num_threads();
    double *py = part + (size_t)omp_get_thread_num() * n;
    for (int i = 0; i < n; i++) py[i] = 0.0;
#pragma omp for
    for (int j = 0; j < n; j++)
      for (int p = colptr[j]; p < colptr[j + 1]; p++) py[row[p]] += val[p] * x[j];
#pragma omp for
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int t = 0; t < nthreads; t++) s += part[(size_t)t * n + i];
      y[i] = s;
    }
  }
  print_vec("y", y, n);
  free(colptr); free(row); free(val); free(x); free(y); free(part);
  return 0;
}
