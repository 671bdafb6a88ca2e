/* 2D 9-point smoothing, MPI + OpenMP (hybrid variant, slower): a parallel region is opened for every sweep, and every sweep ends with an MPI_Barrier that the halo exchange does not need */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) MPI_Abort(MPI_COMM_WORLD, 1);
  int n = argc > 1 ? atoi(argv[1]) : 1600;
  int steps = argc > 2 ? atoi(argv[2]) : 80;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *grid = calloc((size_t)(m + 2) * n, sizeof(double));
  double *next = calloc((size_t)(m + 2) * n, sizeof(double));
#pragma omp parallel for
  for (int r = lo; r < hi; r++)
    for (int c = 0; c < n; c++) grid[(size_t)(r - lo + 1) * n + c] = next[(size_t)(r - lo + 1) * n + c] = 1.0 + ((3 * r + c) % 11) * 0.25;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
  for (int s = 0; s < steps; s++) {
    MPI_Sendrecv(&grid[n], n, MPI_DOUBLE, up, 0, &grid[(size_t)(m + 1) * n], n, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&grid[(size_t)m * n], n, MPI_DOUBLE, down, 1, &grid[0], n, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#pragma omp parallel for
    for (int r = first; r < last; r++)
      for (int c = 1; c < n - 1; c++) {
        double *g = &grid[(size_t)(r - lo + 1) * n + c];
        next[(size_t)(r - lo + 1) * n + c] = 0.2 * g[0] + 0.125 * (g[-n] + g[n] + g[-1] + g[1])
                         + 0.075 * (g[-n - 1] + g[-n + 1] + g[n - 1] + g[n + 1]);
      }
    double *tmp = grid;
    grid = next;
    next = tmp;
    MPI_Barrier(MPI_COMM_WORLD);
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int r = lo; r < hi; r++)
    for (int c = 0; c < n; c++) {
      s += grid[(size_t)(r - lo + 1) * n + c];
      ws += ((r + c) % 7 + 1) * grid[(size_t)(r - lo + 1) * n + c];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = grid[(size_t)(k * n / 8 - lo + 1) * n + n / 3];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("grid[%d][%d] %.12e\n", k * n / 8, n / 3, out[2 + k]);
  }
  free(grid); free(next);
  MPI_Finalize();
  return 0;
}
