/* 3D 7-point Jacobi: rank 0 initializes the grid and scatters planes, halo planes exchanged, planes gathered back */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 120;
  int sweeps = argc > 2 ? atoi(argv[2]) : 300;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1); /* a rank without planes would break the halo chain (as mpi.c) */
  size_t p = (size_t)n * n;
  double *full = NULL;
  if (rank == 0) {
    full = malloc(p * n * sizeof(double));
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        for (int k = 0; k < n; k++) full[i * p + (size_t)j * n + k] = 1.0 + ((i + 2 * j + 3 * k) % 13) * 0.125;
  }
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = (int)(block_lo(r, n, size) * p);
    counts[r] = (int)((block_lo(r + 1, n, size) - block_lo(r, n, size)) * p);
  }
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  double *u = calloc((m + 2) * p, sizeof(double));
  double *v = calloc((m + 2) * p, sizeof(double));
  MPI_Scatterv(full, counts, displs, MPI_DOUBLE, &u[p], counts[rank], MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (size_t c = p; c < (m + 1) * p; c++) v[c] = u[c];
  for (int t = 0; t < sweeps; t++) {
    MPI_Request req[4];
    int nreq = 0;
    if (rank > 0) {
      MPI_Irecv(&u[0], (int)p, MPI_DOUBLE, rank - 1, 1, MPI_COMM_WORLD, &req[nreq++]);
      MPI_Isend(&u[p], (int)p, MPI_DOUBLE, rank - 1, 0, MPI_COMM_WORLD, &req[nreq++]);
    }
    if (rank < size - 1) {
      MPI_Irecv(&u[(m + 1) * p], (int)p, MPI_DOUBLE, rank + 1, 0, MPI_COMM_WORLD, &req[nreq++]);
      MPI_Isend(&u[m * p], (int)p, MPI_DOUBLE, rank + 1, 1, MPI_COMM_WORLD, &req[nreq++]);
    }
    MPI_Waitall(nreq, req, MPI_STATUSES_IGNORE);
    MPI_Barrier(MPI_COMM_WORLD);
    for (int i = lo; i < hi; i++) {
      if (i == 0 || i == n - 1) continue;
      for (int j = 1; j < n - 1; j++)
        for (int k = 1; k < n - 1; k++) {
          size_t c = (i - lo + 1) * p + (size_t)j * n + k;
          v[c] = (u[c] + u[c - p] + u[c + p] + u[c - n] + u[c + n] + u[c - 1] + u[c + 1]) / 7.0;
        }
    }
    double *tmp = u;
    u = v;
    v = tmp;
  }
  MPI_Gatherv(&u[p], counts[rank], MPI_DOUBLE, full, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double sum = 0.0, wsum = 0.0;
    for (int i = 0; i < n; i++)
      for (size_t c = 0; c < p; c++) {
        sum += full[i * p + c];
        wsum += ((i + c) % 7 + 1) * full[i * p + c];
      }
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("u[%d] %.12e\n", k * n / 8, full[(k * n / 8) * p + (size_t)(n / 2) * n + n / 2]);
    free(full);
  }
  free(counts); free(displs); free(u); free(v);
  MPI_Finalize();
  return 0;
}
