/* y = A*x for a sparse matrix in COO format: block of entries per rank, x by MPI_Allgatherv, y by MPI_Reduce_scatter */
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
  int nnz = 4 * n;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int elo = block_lo(rank, nnz, size), ehi = block_lo(rank + 1, nnz, size);
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  double *x = malloc(n * sizeof(double));
  for (int i = lo; i < hi; i++) x[i] = 1.0 + (i % 13) * 0.125;
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
  int *row = malloc((ehi - elo + 1) * sizeof(int));
  int *col = malloc((ehi - elo + 1) * sizeof(int));
  double *val = malloc((ehi - elo + 1) * sizeof(double));
  for (int e = elo; e < ehi; e++) {
    row[e - elo] = (int)(((long)e * 5 + e / n) % n);
    col[e - elo] = (int)(((long)e * 3 + 1) % n);
    val[e - elo] = 1.0 + (e % 9) * 0.125;
  }
  double *ypart = calloc(n, sizeof(double));
  double *y = malloc((m + 1) * sizeof(double));
  for (int e = 0; e < ehi - elo; e++) ypart[row[e]] += val[e] * x[col[e]];
  MPI_Reduce_scatter(ypart, y, counts, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  print_vec("y", y, lo, hi, n, rank);
  free(counts); free(displs); free(x); free(row); free(col); free(val); free(ypart); free(y);
  MPI_Finalize();
  return 0;
}
