/* y = A*x for a symmetric sparse matrix stored as its upper triangle (diagonal included) in CSR format; OpenMP: rows split across threads, the transposed half scattered into per-thread partial vectors summed once in parallel */
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
  int n = argc > 1 ? atoi(argv[1]) : 5000000;
  int *rowptr = malloc((n + 1) * sizeof(int));
  int *col = malloc((size_t)n * 5 * sizeof(int));
  double *val = malloc((size_t)n * 5 * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
  double *part = malloc((size_t)omp_get_max_threads() * n * sizeof(double));
  rowptr[0] = 0;
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    int count = 0;
    for (int k = 0; k < 5; k++) count += i + k * k * (1 + i % 3) < n;
    rowptr[i + 1] = count;
  }
  for (int i = 0; i < n; i++) rowptr[i + 1] += rowptr[i];
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    int nnz = rowptr[i];
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int k = 0; k < 5; k++) {
      int j = i + k * k * (1 + i % 3);
      if (j < n) {
        col[nnz] = j;
        val[nnz] = (k == 0 ? 3.0 : 0.5) + ((i + j) % 6) * 0.125;
        nnz++;
      }
    }
  }
#pragma omp parallel
  {
    int nthreads = omp_get_num_threads();
    double *py = part + (size_t)omp_get_thread_num() * n;
    for (int i = 0; i < n; i++) py[i] = 0.0;
#pragma omp for
    for (int i = 0; i < n; i++)
      for (int p = rowptr[i]; p < rowptr[i + 1]; p++) {
        py[i] += val[p] * x[col[p]];
        if (col[p] != i) py[col[p]] += val[p] * x[i];
      }
#pragma omp for
    for (int i = 0; i < n; i++) {
      double s = 0.0;
      for (int t = 0; t < nthreads; t++) s += part[(size_t)t * n + i];
      y[i] = s;
    }
  }
  print_vec("y", y, n);
  free(rowptr); free(col); free(val); free(x); free(y); free(part);
  return 0;
}
