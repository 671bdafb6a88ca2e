/* 3D 7-point Jacobi: block of planes per rank, halo planes exchanged with MPI_Sendrecv every sweep; hybrid: OpenMP threads split each rank's planes (collapsed with the rows) inside one parallel region around the sweeps, halos exchanged by the master thread (MPI_THREAD_FUNNELED) */
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
  int n = argc > 1 ? atoi(argv[1]) : 120;
  int sweeps = argc > 2 ? atoi(argv[2]) : 300;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  size_t p = (size_t)n * n;
  double *u = calloc((m + 2) * p, sizeof(double));
  double *v = calloc((m + 2) * p, sizeof(double));
#pragma omp parallel for collapse(2)
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < n; j++)
      for (int k = 0; k < n; k++) u[(i - lo + 1) * p + (size_t)j * n + k] = v[(i - lo + 1) * p + (size_t)j * n + k] = 1.0 + ((i + 2 * j + 3 * k) % 13) * 0.125;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
#pragma omp parallel
  {
    double *a = u, *b = v;
    for (int t = 0; t < sweeps; t++) {
#pragma omp master
      {
        MPI_Sendrecv(&a[p], (int)p, MPI_DOUBLE, up, 0, &a[(m + 1) * p], (int)p, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[m * p], (int)p, MPI_DOUBLE, down, 1, &a[0], (int)p, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for collapse(2)
      for (int i = first; i < last; i++)
        for (int j = 1; j < n - 1; j++)
          for (int k = 1; k < n - 1; k++) {
            size_t c = (i - lo + 1) * p + (size_t)j * n + k;
            b[c] = (a[c] + a[c - p] + a[c + p] + a[c - n] + a[c + n] + a[c - 1] + a[c + 1]) / 7.0;
          }
      double *tmp = a;
      a = b;
      b = tmp;
    }
  }
  if (sweeps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = lo; i < hi; i++)
    for (size_t c = 0; c < p; c++) {
      s += u[(i - lo + 1) * p + c];
      ws += ((i + c) % 7 + 1) * u[(i - lo + 1) * p + c];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = u[(k * n / 8 - lo + 1) * p + (size_t)(n / 2) * n + n / 2];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("u[%d] %.12e\n", k * n / 8, out[2 + k]);
  }
  free(u); free(v);
  MPI_Finalize();
  return 0;
}
