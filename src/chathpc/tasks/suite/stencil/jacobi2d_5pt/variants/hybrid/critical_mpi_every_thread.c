/* 2D 5-point Jacobi, MPI + OpenMP (hybrid variant, slower): every thread repeats the halo exchange inside a critical section (MPI_THREAD_SERIALIZED), so each sweep sends the halo rows once per thread and the threads queue on the lock */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_SERIALIZED) MPI_Abort(MPI_COMM_WORLD, 1);
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 100;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *u = calloc((size_t)(m + 2) * n, sizeof(double));
  double *v = calloc((size_t)(m + 2) * n, sizeof(double));
#pragma omp parallel for
  for (int i = lo; i < hi; i++)
    for (int j = 0; j < n; j++) u[(size_t)(i - lo + 1) * n + j] = v[(size_t)(i - lo + 1) * n + j] = 1.0 + ((i + 2 * j) % 13) * 0.125;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
#pragma omp parallel
  {
    double *a = u, *b = v;
    for (int t = 0; t < sweeps; t++) {
#pragma omp critical
      {
        MPI_Sendrecv(&a[n], n, MPI_DOUBLE, up, 0, &a[(size_t)(m + 1) * n], n, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[(size_t)m * n], n, MPI_DOUBLE, down, 1, &a[0], n, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for
      for (int i = first; i < last; i++)
        for (int j = 1; j < n - 1; j++) {
          size_t c = (size_t)(i - lo + 1) * n + j;
          b[c] = 0.2 * (a[c] + a[c - n] + a[c + n] + a[c - 1] + a[c + 1]);
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
    for (int j = 0; j < n; j++) {
      s += u[(size_t)(i - lo + 1) * n + j];
      ws += ((i + j) % 7 + 1) * u[(size_t)(i - lo + 1) * n + j];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = u[(size_t)(k * n / 8 - lo + 1) * n + n / 2];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * n / 8, n / 2, out[2 + k]);
  }
  free(u); free(v);
  MPI_Finalize();
  return 0;
}
