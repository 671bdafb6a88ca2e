/* y = A*x for a sparse matrix in CSR format: every rank builds the whole matrix, y gathered to rank 0 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int n) {
  double s = 0.0, ws = 0.0;
  for (int i = 0; i < n; i++) {
    s += v[i];
    ws += (i % 7 + 1) * v[i];
  }
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, v[k * n / 8]);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 4000000;
  int *rowptr = malloc((n + 1) * sizeof(int));
  rowptr[0] = 0;
  for (int i = 0; i < n; i++) rowptr[i + 1] = rowptr[i] + 3 + i % 4;
  int *col = malloc(rowptr[n] * sizeof(int));
  double *val = malloc(rowptr[n] * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    for (int k = 0; k < 3 + i % 4; k++) {
      col[rowptr[i] + k] = (int)(((long)i * (2 * k + 1) + 17 * k) % n);
      val[rowptr[i] + k] = 1.0 + ((i + k) % 7) * 0.25;
    }
  }
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  int lo = displs[rank], hi = lo + counts[rank];
  for (int i = lo; i < hi; i++) {
    double s = 0.0;
    for (int p = rowptr[i]; p < rowptr[i + 1]; p++) s += val[p] * x[col[p]];
    y[i] = s;
  }
  MPI_Gatherv(rank == 0 ? MPI_IN_PLACE : y + lo, counts[rank], MPI_DOUBLE, y, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) print_vec("y", y, n);
  free(rowptr); free(col); free(val); free(x); free(y); free(counts); free(displs);
  MPI_Finalize();
  return 0;
}
