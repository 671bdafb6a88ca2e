/* syr2k: rows of C split by equal triangle area; each rank computes rows 0..hi-1 of A and B, which its rows of C need */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int tri_lo(int r, int n, int size) { return (int)(n * sqrt((double)r / size)); }

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
  int n = argc > 1 ? atoi(argv[1]) : 500;
  int lo = tri_lo(rank, n, size), hi = tri_lo(rank + 1, n, size);
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)hi * n * sizeof(double)), *b = malloc((size_t)hi * n * sizeof(double));
  double *c = malloc((size_t)(hi - lo) * n * sizeof(double));
  for (int i = 0; i < hi; i++)
    for (int j = 0; j < n; j++) {
      a[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
      b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
    }
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < n; j++) c[(i - lo) * n + j] = 1.0 + ((i + j) % 5) * 0.25;
  for (int i = lo; i < hi; i++)
    for (int j = 0; j <= i; j++) {
      double t = 0.0;
      for (int k = 0; k < n; k++) t += a[i * n + k] * b[j * n + k] + b[i * n + k] * a[j * n + k];
      c[(i - lo) * n + j] = alpha * t + beta * c[(i - lo) * n + j];
    }
  print_mat("c", c, lo, hi, n, rank);
  free(a);
  free(b);
  free(c);
  MPI_Finalize();
  return 0;
}
