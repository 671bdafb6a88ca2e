/* y = A*x for a sparse matrix in CSC format: block columns per rank, partial y combined with MPI_Reduce_scatter */
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
  int *counts = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) counts[r] = block_lo(r + 1, n, size) - block_lo(r, n, size);
  int *colptr = malloc((m + 1) * sizeof(int));
  colptr[0] = 0;
  for (int j = lo; j < hi; j++) colptr[j - lo + 1] = colptr[j - lo] + 3 + j % 4;
  int *row = malloc((colptr[m] + 1) * sizeof(int));
  double *val = malloc((colptr[m] + 1) * sizeof(double));
  double *x = malloc((m + 1) * sizeof(double));
  double *ypart = calloc(n, sizeof(double));
  double *y = malloc((m + 1) * sizeof(double));
  for (int j = lo; j < hi; j++) {
    x[j - lo] = 1.0 + (j % 13) * 0.125;
    for (int k = 0; k < 3 + j % 4; k++) {
      row[colptr[j - lo] + k] = (int)(((long)j * (2 * k + 1) + 11 * k) % n);
      val[colptr[j - lo] + k] = 1.0 + ((j + 2 * k) % 7) * 0.25;
    }
  }
  for (int j = 0; j < m; j++)
    for (int p = colptr[j]; p < colptr[j + 1]; p++) ypart[row[p]] += val[p] * x[j];
  MPI_Reduce_scatter(ypart, y, counts, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  print_vec("y", y, lo, hi, n, rank);
  free(counts); free(colptr); free(row); free(val); free(x); free(ypart); free(y);
  MPI_Finalize();
  return 0;
}
