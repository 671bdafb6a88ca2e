/* symm: C = alpha*A*B + beta*C with B and C distributed by column blocks, the lower triangle of A computed whole on every rank */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_mat_cols(const char *name, const double *a, int lo, int hi, int n, int rank) {
  double out[10] = {0.0};
  int w = hi - lo;
  for (int i = 0; i < n; i++)
    for (int j = lo; j < hi; j++) {
      out[0] += a[i * w + j - lo];
      out[1] += ((i + 2 * j) % 7 + 1) * a[i * w + j - lo];
    }
  for (int k = 0; k < 8; k++) {
    int i = k * n / 8, j = (7 - k) * n / 8;
    if (j >= lo && j < hi) out[2 + k] = a[i * w + j - lo];
  }
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("%s sum %.12e wsum %.12e\n", name, out[0], out[1]);
    for (int k = 0; k < 8; k++) printf("%s[%d][%d] %.12e\n", name, k * n / 8, (7 - k) * n / 8, out[2 + k]);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 500;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), w = hi - lo;
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)n * n * sizeof(double)), *b = malloc((size_t)n * w * sizeof(double));
  double *c = malloc((size_t)n * w * sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j <= i; j++) a[i * n + j] = 1.0 + ((i + j) % 17) * 0.0625;
  for (int i = 0; i < n; i++)
    for (int j = lo; j < hi; j++) b[i * w + j - lo] = 0.5 + ((3 * i + j) % 19) * 0.03125;
  for (int i = 0; i < n; i++)
    for (int j = lo; j < hi; j++) c[i * w + j - lo] = 1.0 + ((i + j) % 5) * 0.25;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < w; j++) c[i * w + j] *= beta;
    for (int k = 0; k < n; k++) {
      double aik = alpha * (k <= i ? a[i * n + k] : a[k * n + i]);
      for (int j = 0; j < w; j++) c[i * w + j] += aik * b[k * w + j];
    }
  }
  print_mat_cols("c", c, lo, hi, n, rank);
  free(a);
  free(b);
  free(c);
  MPI_Finalize();
  return 0;
}
