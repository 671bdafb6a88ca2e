/* y = A*x for a heavy-tailed CSR matrix: block rows per rank, x gathered with MPI_Allgatherv */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int lo, int hi, int n, int rank) {
  double out[10] = {0.0};
  for (int i = lo; i < hi; i++) {
    out[0] += v[i - lo];
    out[1] += (i % 7 + 1) * v[i - lo];
  }
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = v[k * n / 8 - lo];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("%s sum %.12e wsum %.12e\n", name, out[0], out[1]);
    for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, out[2 + k]);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 4000000;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  double *x = malloc(n * sizeof(double));
  for (int i = lo; i < hi; i++) x[i] = 1.0 + (i % 13) * 0.125;
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
  int *first = malloc((m + 1) * sizeof(int));
  first[0] = 0;
  for (int i = lo; i < hi; i++) first[i - lo + 1] = first[i - lo] + 1 + 64 / (1 + i % 64);
  int *cols = malloc((first[m] + 1) * sizeof(int));
  double *vals = malloc((first[m] + 1) * sizeof(double));
  double *y = malloc((m + 1) * sizeof(double));
  for (int i = lo; i < hi; i++)
    for (int k = 0; k < first[i - lo + 1] - first[i - lo]; k++) {
      cols[first[i - lo] + k] = (int)(((long)i * 31 + (long)k * k * 7 + k) % n);
      vals[first[i - lo] + k] = 0.5 + ((i * 3 + k) % 8) * 0.125;
    }
  for (int i = 0; i < m; i++) {
    double s = 0.0;
    for (int p = first[i]; p < first[i + 1]; p++) s += vals[p] * x[cols[p]];
    y[i] = s;
  }
  print_vec("y", y, lo, hi, n, rank);
  free(counts); free(displs); free(x); free(first); free(cols); free(vals); free(y);
  MPI_Finalize();
  return 0;
}
