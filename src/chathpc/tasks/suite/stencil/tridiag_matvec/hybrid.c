/* y = T*x for a tridiagonal matrix: block rows per rank, one-element halos of x exchanged with MPI_Sendrecv; hybrid: OpenMP threads split each rank's rows; the two halo values are exchanged before the parallel loop */
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
  int n = argc > 1 ? atoi(argv[1]) : 12000000;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *lower = malloc(m * sizeof(double));
  double *diag = malloc(m * sizeof(double));
  double *upper = malloc(m * sizeof(double));
  double *x = calloc(m + 2, sizeof(double));
  double *y = malloc(m * sizeof(double));
#pragma omp parallel for
  for (int i = lo; i < hi; i++) {
    lower[i - lo] = 0.5 + (i % 3) * 0.125;
    diag[i - lo] = 2.0 + (i % 5) * 0.25;
    upper[i - lo] = 0.25 + (i % 4) * 0.125;
    x[i - lo + 1] = 1.0 + (i % 13) * 0.125;
  }
  MPI_Sendrecv(&x[1], 1, MPI_DOUBLE, left, 0, &x[m + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Sendrecv(&x[m], 1, MPI_DOUBLE, right, 1, &x[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#pragma omp parallel for
  for (int i = lo; i < hi; i++) {
    double s = diag[i - lo] * x[i - lo + 1];
    if (i > 0) s += lower[i - lo] * x[i - lo];
    if (i < n - 1) s += upper[i - lo] * x[i - lo + 2];
    y[i - lo] = s;
  }
  print_vec("y", y, lo, hi, n, rank);
  free(lower); free(diag); free(upper); free(x); free(y);
  MPI_Finalize();
  return 0;
}
