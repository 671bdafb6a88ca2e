/* Explicit 1D heat: block per rank, halos by MPI_Sendrecv; the profile is collected on rank 0 with MPI_Gatherv; hybrid: OpenMP threads split each rank's points inside one parallel region around the sweeps, halos exchanged by the master thread (MPI_THREAD_FUNNELED) */
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
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  int steps = argc > 2 ? atoi(argv[2]) : 600;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1);
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  int lo = displs[rank], m = counts[rank], hi = lo + m;
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *t = calloc(m + 2, sizeof(double));
  double *tn = calloc(m + 2, sizeof(double));
#pragma omp parallel for
  for (int i = lo; i < hi; i++) t[i - lo + 1] = tn[i - lo + 1] = 2.0 + (i % 17) * 0.0625;
  int first = lo > 1 ? lo : 1, last = hi < n - 1 ? hi : n - 1;
#pragma omp parallel
  {
    double *a = t, *b = tn;
    for (int s = 0; s < steps; s++) {
#pragma omp master
      {
        MPI_Sendrecv(&a[1], 1, MPI_DOUBLE, left, 0, &a[m + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[m], 1, MPI_DOUBLE, right, 1, &a[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for
      for (int i = first; i < last; i++) b[i - lo + 1] = a[i - lo + 1] + 0.25 * (a[i - lo] - 2.0 * a[i - lo + 1] + a[i - lo + 2]);
      double *tmp = a;
      a = b;
      b = tmp;
    }
  }
  if (steps % 2) {
    double *tmp = t;
    t = tn;
    tn = tmp;
  }
  double *profile = rank == 0 ? malloc(n * sizeof(double)) : NULL;
  MPI_Gatherv(&t[1], m, MPI_DOUBLE, profile, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double total = 0.0;
#pragma omp parallel for reduction(+:total)
    for (int i = 0; i < n; i++) total += profile[i];
    printf("total %.12e\n", total);
    for (int k = 0; k < 16; k++) printf("t[%d] %.12e\n", k * (n - 1) / 15, profile[k * (n - 1) / 15]);
    free(profile);
  }
  free(counts); free(displs); free(t); free(tn);
  MPI_Finalize();
  return 0;
}
