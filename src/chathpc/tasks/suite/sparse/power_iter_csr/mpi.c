/* Power iteration with CSR: block rows per rank, x by MPI_Allgatherv and ||A*x|| by MPI_Allreduce every step */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int lo, int hi, int n, int rank) {
  double out[10] = {0.0};
  for (int i = lo; i < hi; i++) {
    out[0] += v[i - lo];
    out[1] += (i % 7 + 1) * v[i - lo];
  }
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = v[k * n / 8 - lo];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("%s sum %.12e wsum %.12e\n", name, out[0], out[1]);
    for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, out[2 + k]);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 1500000;
  int steps = argc > 2 ? atoi(argv[2]) : 20;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size), m = hi - lo;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  int *rowptr = malloc((m + 1) * sizeof(int));
  int *col = malloc(((size_t)m * 4 + 1) * sizeof(int));
  double *val = malloc(((size_t)m * 4 + 1) * sizeof(double));
  double *x = malloc(n * sizeof(double));
  double *y = malloc((m + 1) * sizeof(double));
  for (int i = lo; i < hi; i++) {
    rowptr[i - lo] = 4 * (i - lo);
    x[i] = 1.0;
    for (int k = 0; k < 4; k++) {
      col[4 * (i - lo) + k] = (int)(((long)i * (k + 1) * 3 + k) % n);
      val[4 * (i - lo) + k] = 0.5 + ((i + 5 * k) % 6) * 0.25;
    }
  }
  rowptr[m] = 4 * m;
  for (int s = 1; s <= steps; s++) {
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
    double ss = 0.0;
    for (int i = 0; i < m; i++) {
      double acc = 0.0;
      for (int p = rowptr[i]; p < rowptr[i + 1]; p++) acc += val[p] * x[col[p]];
      y[i] = acc;
      ss += acc * acc;
    }
    MPI_Allreduce(MPI_IN_PLACE, &ss, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    double norm = sqrt(ss);
    for (int i = lo; i < hi; i++) x[i] = y[i - lo] / norm;
    if (rank == 0) printf("step %d norm %.12e\n", s, norm);
  }
  print_vec("x", x + lo, lo, hi, n, rank);
  free(counts); free(displs); free(rowptr); free(col); free(val); free(x); free(y);
  MPI_Finalize();
  return 0;
}
