/* 2D 5-point Jacobi: every rank holds the whole grid and the updated rows are shared with MPI_Allgatherv every sweep */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 100;
  double *u = malloc((size_t)n * n * sizeof(double));
  double *v = malloc((size_t)n * n * sizeof(double));
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) u[(size_t)i * n + j] = v[(size_t)i * n + j] = 1.0 + ((i + 2 * j) % 13) * 0.125;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size) * n;
    counts[r] = (block_lo(r + 1, n, size) - block_lo(r, n, size)) * n;
  }
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size);
  for (int t = 0; t < sweeps; t++) {
    for (int i = lo; i < hi; i++) {
      if (i == 0 || i == n - 1) continue;
      for (int j = 1; j < n - 1; j++) {
        size_t c = (size_t)i * n + j;
        v[c] = 0.2 * (u[c] + u[c - n] + u[c + n] + u[c - 1] + u[c + 1]);
      }
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, v, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
    double *tmp = u;
    u = v;
    v = tmp;
  }
  if (rank == 0) {
    double sum = 0.0, wsum = 0.0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        sum += u[(size_t)i * n + j];
        wsum += ((i + j) % 7 + 1) * u[(size_t)i * n + j];
      }
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * n / 8, n / 2, u[(size_t)(k * n / 8) * n + n / 2]);
  }
  free(u); free(v); free(counts); free(displs);
  MPI_Finalize();
  return 0;
}
