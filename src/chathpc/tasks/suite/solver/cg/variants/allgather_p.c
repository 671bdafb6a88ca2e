/* Conjugate gradient: block rows per rank, but the whole search direction p gathered on every rank each iteration */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int iters = argc > 2 ? atoi(argv[2]) : 100;
  int every = iters >= 4 ? iters / 4 : 1;
  size_t N = (size_t)n * n;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int k = 0; k < size; k++) {
    displs[k] = block_lo(k, n, size) * n;
    counts[k] = (block_lo(k + 1, n, size) - block_lo(k, n, size)) * n;
  }
  int lo = displs[rank], hi = lo + counts[rank];
  double *x = calloc(N, sizeof(double)), *r = malloc(N * sizeof(double));
  double *p = malloc(N * sizeof(double)), *q = malloc(N * sizeof(double));
  for (size_t i = 0; i < N; i++) r[i] = p[i] = 1.0 + (i % 13) * 0.125;
  double rr = 0.0;
  for (size_t i = 0; i < N; i++) rr += r[i] * r[i];
  if (rank == 0) printf("iter 0 res %.12e\n", sqrt(rr));
  for (int it = 1; it <= iters; it++) {
    double pq = 0.0;
    for (int c = lo; c < hi; c++) {
      int i = c / n, j = c % n;
      double s = 4.05 * p[c];
      if (i > 0) s -= p[c - n];
      if (i < n - 1) s -= p[c + n];
      if (j > 0) s -= p[c - 1];
      if (j < n - 1) s -= p[c + 1];
      q[c] = s;
      pq += p[c] * s;
    }
    MPI_Allreduce(MPI_IN_PLACE, &pq, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double alpha = rr / pq, rr_new = 0.0;
    for (int c = lo; c < hi; c++) {
      x[c] += alpha * p[c];
      r[c] -= alpha * q[c];
      rr_new += r[c] * r[c];
    }
    MPI_Allreduce(MPI_IN_PLACE, &rr_new, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    for (int c = lo; c < hi; c++) p[c] = r[c] + (rr_new / rr) * p[c];
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, p, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
    rr = rr_new;
    if (rank == 0 && it % every == 0) printf("iter %d res %.12e\n", it, sqrt(rr));
  }
  MPI_Gatherv(rank == 0 ? MPI_IN_PLACE : x + lo, counts[rank], MPI_DOUBLE, x, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double sum = 0.0, wsum = 0.0;
    for (size_t i = 0; i < N; i++) {
      sum += x[i];
      wsum += (i % 7 + 1) * x[i];
    }
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("x[%d] %.12e\n", k * n / 8, x[(size_t)(k * n / 8) * n + n / 2]);
  }
  free(x); free(r); free(p); free(q); free(counts); free(displs);
  MPI_Finalize();
  return 0;
}
