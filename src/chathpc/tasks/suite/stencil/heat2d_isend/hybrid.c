/* Explicit 2D heat: block rows per rank, halo rows by MPI_Irecv/MPI_Isend overlapped with the interior update, then MPI_Waitall; hybrid: the master thread posts the halo MPI_Irecv/MPI_Isend, all OpenMP threads update the interior rows meanwhile, the master waits, then the threads update the two boundary rows (MPI_THREAD_FUNNELED) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void update_point(const double *u, double *un, int cols, size_t c) {
  un[c] = u[c] + 0.2 * (u[c - cols] + u[c + cols] + u[c - 1] + u[c + 1] - 4.0 * u[c]);
}

static void update_row(const double *u, double *un, int cols, int r) {
  for (int j = 1; j < cols - 1; j++) update_point(u, un, cols, (size_t)r * cols + j);
}

int main(int argc, char **argv) {
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) MPI_Abort(MPI_COMM_WORLD, 1);
  int rows = argc > 1 ? atoi(argv[1]) : 1800;
  int cols = argc > 2 ? atoi(argv[2]) : 1800;
  int steps = argc > 3 ? atoi(argv[3]) : 80;
  if (rows < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, rows, size), hi = block_lo(rank + 1, rows, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *u = calloc((size_t)(m + 2) * cols, sizeof(double));
  double *un = calloc((size_t)(m + 2) * cols, sizeof(double));
#pragma omp parallel for
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < cols; j++) u[(size_t)(i - lo + 1) * cols + j] = un[(size_t)(i - lo + 1) * cols + j] = 1.0 + ((5 * i + j) % 9) * 0.25;
  int first = lo > 1 ? lo : 1, last = hi < rows - 1 ? hi : rows - 1;
  MPI_Request req[4];
#pragma omp parallel
  {
    double *a = u, *b = un;
    for (int s = 0; s < steps; s++) {
#pragma omp master
      {
        MPI_Irecv(&a[0], cols, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, &req[0]);
        MPI_Irecv(&a[(size_t)(m + 1) * cols], cols, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, &req[1]);
        MPI_Isend(&a[cols], cols, MPI_DOUBLE, up, 0, MPI_COMM_WORLD, &req[2]);
        MPI_Isend(&a[(size_t)m * cols], cols, MPI_DOUBLE, down, 1, MPI_COMM_WORLD, &req[3]);
      }
#pragma omp for nowait
      for (int i = first + 1; i < last - 1; i++) update_row(a, b, cols, i - lo + 1);
#pragma omp master
      MPI_Waitall(4, req, MPI_STATUSES_IGNORE);
#pragma omp barrier
#pragma omp for
      for (int j = 1; j < cols - 1; j++) {
        if (first < last) update_point(a, b, cols, (size_t)(first - lo + 1) * cols + j);
        if (last - 1 > first) update_point(a, b, cols, (size_t)(last - 1 - lo + 1) * cols + j);
      }
      double *tmp = a;
      a = b;
      b = tmp;
    }
  }
  if (steps % 2) {
    double *tmp = u;
    u = un;
    un = tmp;
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < cols; j++) {
      s += u[(size_t)(i - lo + 1) * cols + j];
      ws += ((i + j) % 7 + 1) * u[(size_t)(i - lo + 1) * cols + j];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * rows / 8 >= lo && k * rows / 8 < hi) out[2 + k] = u[(size_t)(k * rows / 8 - lo + 1) * cols + cols / 2];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * rows / 8, cols / 2, out[2 + k]);
  }
  free(u); free(un);
  MPI_Finalize();
  return 0;
}
