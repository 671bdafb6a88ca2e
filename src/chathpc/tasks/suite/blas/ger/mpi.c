/* ger: A = A + alpha*x*y^T with A and x distributed by row blocks, y computed whole on every rank */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_mat(const char *name, const double *a, int lo, int hi, int n, int rank) {
  double out[10] = {0.0};
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < n; j++) {
      out[0] += a[(i - lo) * n + j];
      out[1] += ((i + 2 * j) % 7 + 1) * a[(i - lo) * n + j];
    }
  for (int k = 0; k < 8; k++) {
    int i = k * n / 8, j = (7 - k) * n / 8;
    if (i >= lo && i < hi) out[2 + k] = a[(i - lo) * n + j];
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
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size);
  double alpha = 0.5;
  double *a = malloc((size_t)(hi - lo) * n * sizeof(double));
  double *x = malloc((hi - lo) * sizeof(double)), *y = malloc(n * sizeof(double));
  for (int j = 0; j < n; j++) y[j] = 2.0 + (j % 11) * 0.25;
  for (int i = lo; i < hi; i++) {
    for (int j = 0; j < n; j++) a[(i - lo) * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
    x[i - lo] = 1.0 + (i % 13) * 0.125;
  }
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < n; j++) a[(i - lo) * n + j] += alpha * x[i - lo] * y[j];
  print_mat("a", a, lo, hi, n, rank);
  free(a);
  free(x);
  free(y);
  MPI_Finalize();
  return 0;
}
