/* Power iteration with a sparse CSR matrix (4 entries per row): x = A*x / ||A*x||, printing the norm of each step; OpenMP: SpMV with a reduction of the squared norm, then a parallel scaling */
#include <math.h>
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
  int n = argc > 1 ? atoi(argv[1]) : 1500000;
  int steps = argc > 2 ? atoi(argv[2]) : 20;
  int *rowptr = malloc((n + 1) * sizeof(int));
  int *col = malloc((size_t)n * 4 * sizeof(int));
  double *val = malloc((size_t)n * 4 * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) {
    rowptr[i] = 4 * i;
    x[i] = 1.0;
    for (int k = 0; k < 4; k++) {
      col[4 * i + k] = (int)(((long)i * (k + 1) * 3 + k) % n);
      val[4 * i + k] = 0.5 + ((i + 5 * k) % 6) * 0.25;
    }
  }
  rowptr[n] = 4 * n;
  for (int s = 1; s <= steps; s++) {
    double ss = 0.0;
#pragma omp parallel for reduction(+:ss)
    for (int i = 0; i < n; i++) {
      double acc = 0.0;
      for (int p = rowptr[i]; p < rowptr[i + 1]; p++) acc += val[p] * x[col[p]];
      y[i] = acc;
      ss += acc * acc;
    }
    double norm = sqrt(ss);
#pragma omp parallel for
    for (int i = 0; i < n; i++) x[i] = y[i] / norm;
    printf("step %d norm %.12e\n", s, norm);
  }
  print_vec("x", x, n);
  free(rowptr); free(col); free(val); free(x); free(y);
  return 0;
}
