/* Conjugate gradient, MPI + OpenMP (hybrid variant, slower): only the stencil and vector updates are threaded, each in its own parallel region; the dot products run on one thread per rank after separate loops */
#include <math.h>
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
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int iters = argc > 2 ? atoi(argv[2]) : 100;
  int every = iters >= 4 ? iters / 4 : 1;
  if (n < size) MPI_Abort(MPI_COMM_WORLD, 1); /* a rank without rows would break the halo chain */
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  size_t L = (size_t)m * n, off = (size_t)lo * n;
  double *x = calloc(L + 1, sizeof(double)), *r = malloc((L + 1) * sizeof(double));
  double *p = calloc(L + 2 * (size_t)n, sizeof(double)), *q = malloc((L + 1) * sizeof(double));
  double *pl = p + n;
  double rr = 0.0, pq = 0.0, rr_new = 0.0;
#pragma omp parallel for reduction(+:rr)
  for (size_t i = 0; i < L; i++) {
    r[i] = pl[i] = 1.0 + ((off + i) % 13) * 0.125;
    rr += r[i] * r[i];
  }
  MPI_Allreduce(MPI_IN_PLACE, &rr, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("iter 0 res %.12e\n", sqrt(rr));
  for (int it = 1; it <= iters; it++) {
    MPI_Sendrecv(pl, n, MPI_DOUBLE, up, 0, pl + L, n, MPI_DOUBLE, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(pl + L - n, n, MPI_DOUBLE, down, 1, p, n, MPI_DOUBLE, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
#pragma omp parallel for
    for (int i = lo; i < hi; i++)
      for (int j = 0; j < n; j++) {
        size_t c = (size_t)(i - lo) * n + j;
        double s = 4.05 * pl[c];
        if (i > 0) s -= pl[c - n];
        if (i < n - 1) s -= pl[c + n];
        if (j > 0) s -= pl[c - 1];
        if (j < n - 1) s -= pl[c + 1];
        q[c] = s;
      }
    pq = 0.0;
    for (size_t i = 0; i < L; i++) pq += pl[i] * q[i];
    MPI_Allreduce(MPI_IN_PLACE, &pq, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double alpha = rr / pq;
#pragma omp parallel for
    for (size_t i = 0; i < L; i++) {
      x[i] += alpha * pl[i];
      r[i] -= alpha * q[i];
    }
    rr_new = 0.0;
    for (size_t i = 0; i < L; i++) rr_new += r[i] * r[i];
    MPI_Allreduce(MPI_IN_PLACE, &rr_new, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double beta = rr_new / rr;
#pragma omp parallel for
    for (size_t i = 0; i < L; i++) pl[i] = r[i] + beta * pl[i];
    rr = rr_new;
    if (rank == 0 && it % every == 0) printf("iter %d res %.12e\n", it, sqrt(rr));
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (size_t i = 0; i < L; i++) {
    s += x[i];
    ws += ((off + i) % 7 + 1) * x[i];
  }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = x[(size_t)(k * n / 8 - lo) * n + n / 2];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("x[%d] %.12e\n", k * n / 8, out[2 + k]);
  }
  free(x); free(r); free(p); free(q);
  MPI_Finalize();
  return 0;
}
