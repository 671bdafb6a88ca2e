/* 3D 27-point smoothing: block of z-planes per rank, halo planes exchanged with MPI_Sendrecv every step; hybrid: OpenMP threads split each rank's planes (collapsed with the rows) inside one parallel region around the sweeps, halos exchanged by the master thread (MPI_THREAD_FUNNELED) */
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
  int n = argc > 1 ? atoi(argv[1]) : 100;
  int steps = argc > 2 ? atoi(argv[2]) : 80;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  size_t p = (size_t)n * n;
  double *a = calloc((m + 2) * p, sizeof(double));
  double *b = calloc((m + 2) * p, sizeof(double));
#pragma omp parallel for collapse(2)
  for (int z = lo; z < hi; z++)
    for (int y = 0; y < n; y++)
      for (int x = 0; x < n; x++) a[(z - lo + 1) * p + (size_t)y * n + x] = b[(z - lo + 1) * p + (size_t)y * n + x] = 1.0 + ((z + 3 * y + 5 * x) % 17) * 0.0625;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
#pragma omp parallel
  {
    double *src = a, *dst = b;
    for (int s = 0; s < steps; s++) {
#pragma omp master
      {
        MPI_Sendrecv(&src[p], (int)p, MPI_DOUBLE, up, 0, &src[(m + 1) * p], (int)p, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&src[m * p], (int)p, MPI_DOUBLE, down, 1, &src[0], (int)p, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for collapse(2)
      for (int z = first; z < last; z++)
        for (int y = 1; y < n - 1; y++)
          for (int x = 1; x < n - 1; x++) {
            double acc = 0.0;
            for (int dz = -1; dz <= 1; dz++)
              for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) acc += src[(z - lo + 1 + dz) * p + (size_t)(y + dy) * n + x + dx];
            dst[(z - lo + 1) * p + (size_t)y * n + x] = acc / 27.0;
          }
      double *tmp = src;
      src = dst;
      dst = tmp;
    }
  }
  if (steps % 2) {
    double *tmp = a;
    a = b;
    b = tmp;
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int z = lo; z < hi; z++)
    for (size_t c = 0; c < p; c++) {
      s += a[(z - lo + 1) * p + c];
      ws += ((z + c) % 7 + 1) * a[(z - lo + 1) * p + c];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = a[(k * n / 8 - lo + 1) * p + (size_t)(n / 2) * n + n / 3];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("a[%d] %.12e\n", k * n / 8, out[2 + k]);
  }
  free(a); free(b);
  MPI_Finalize();
  return 0;
}
