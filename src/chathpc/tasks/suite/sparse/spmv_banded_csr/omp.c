/* w = A*v for a banded sparse matrix (entries at columns r-3..r+3) stored in compressed sparse row form; OpenMP: row lengths counted in parallel, one serial prefix sum, rows filled and multiplied in parallel */
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
  int rows = argc > 1 ? atoi(argv[1]) : 5000000;
  int *start = malloc((rows + 1) * sizeof(int));
  int *idx = malloc((size_t)rows * 7 * sizeof(int));
  double *coef = malloc((size_t)rows * 7 * sizeof(double));
  double *v = malloc(rows * sizeof(double));
  double *w = malloc(rows * sizeof(double));
  start[0] = 0;
#pragma omp parallel for
  for (int r = 0; r < rows; r++) start[r + 1] = (r + 3 < rows ? r + 3 : rows - 1) - (r > 3 ? r - 3 : 0) + 1;
  for (int r = 0; r < rows; r++) start[r + 1] += start[r];
#pragma omp parallel for
  for (int r = 0; r < rows; r++) {
    int nz = start[r];
    v[r] = 0.5 + (r % 11) * 0.25;
    for (int c = r - 3; c <= r + 3; c++)
      if (c >= 0 && c < rows) {
        idx[nz] = c;
        coef[nz] = (c == r ? 4.0 : 1.0) + ((r + 2 * c) % 9) * 0.125;
        nz++;
      }
  }
#pragma omp parallel for
  for (int r = 0; r < rows; r++) {
    double acc = 0.0;
    for (int e = start[r]; e < start[r + 1]; e++) acc += coef[e] * v[idx[e]];
    w[r] = acc;
  }
  print_vec("w", w, rows);
  free(start); free(idx); free(coef); free(v); free(w);
  return 0;
}
