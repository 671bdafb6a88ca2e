/* 1D 3-point Jacobi: block of points per rank, one-point halos exchanged with MPI_Sendrecv every sweep; hybrid: OpenMP threads split each rank's points inside one parallel region around the sweeps, halos exchanged by the master thread (MPI_THREAD_FUNNELED) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int lo, int hi, int n, int rank) {
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = lo; i < hi; i++) {
    s += v[i - lo];
    ws += (i % 7 + 1) * v[i - lo];
  }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = v[k * n / 8 - lo];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("%s sum %.12e wsum %.12e\n", name, out[0], out[1]);
    for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, out[2 + k]);
  }
}

int main(int argc, char **argv) {
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) MPI_Abort(MPI_COMM_WORLD, 1);
  int n = argc > 1 ? atoi(argv[1]) : 2000000;
  int sweeps = argc > 2 ? atoi(argv[2]) : 300;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *u = calloc(m + 2, sizeof(double));
  double *v = calloc(m + 2, sizeof(double));
#pragma omp parallel for
  for (int i = lo; i < hi; i++) u[i - lo + 1] = v[i - lo + 1] = 1.0 + (i % 13) * 0.125;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
#pragma omp parallel
  {
    double *a = u, *b = v;
    for (int t = 0; t < sweeps; t++) {
#pragma omp master
      {
        MPI_Sendrecv(&a[1], 1, MPI_DOUBLE, left, 0, &a[m + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[m], 1, MPI_DOUBLE, right, 1, &a[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for
      for (int i = first; i < last; i++) b[i - lo + 1] = (a[i - lo] + a[i - lo + 1] + a[i - lo + 2]) / 3.0;
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
  print_vec("u", u + 1, lo, hi, n, rank);
  free(u); free(v);
  MPI_Finalize();
  return 0;
}
