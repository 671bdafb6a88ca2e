/* y = T*x for a tridiagonal matrix: rank 0 builds everything, scatters the diagonals, broadcasts x, gathers y */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int n) {
  double s = 0.0, ws = 0.0;
  for (int i = 0; i < n; i++) {
    s += v[i];
    ws += (i % 7 + 1) * v[i];
  }
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, v[k * n / 8]);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 12000000;
  double *lower = NULL, *diag = NULL, *upper = NULL, *y = NULL;
  double *x = malloc(n * sizeof(double));
  if (rank == 0) {
    lower = malloc(n * sizeof(double));
    diag = malloc(n * sizeof(double));
    upper = malloc(n * sizeof(double));
    y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
      lower[i] = 0.5 + (i % 3) * 0.125;
      diag[i] = 2.0 + (i % 5) * 0.25;
      upper[i] = 0.25 + (i % 4) * 0.125;
      x[i] = 1.0 + (i % 13) * 0.125;
    }
  }
  MPI_Bcast(x, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, n, size);
    counts[r] = block_lo(r + 1, n, size) - displs[r];
  }
  int lo = displs[rank], m = counts[rank];
  double *l = malloc((m + 1) * sizeof(double)), *d = malloc((m + 1) * sizeof(double));
  double *u = malloc((m + 1) * sizeof(double)), *yl = malloc((m + 1) * sizeof(double));
  MPI_Scatterv(lower, counts, displs, MPI_DOUBLE, l, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Scatterv(diag, counts, displs, MPI_DOUBLE, d, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Scatterv(upper, counts, displs, MPI_DOUBLE, u, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (int i = lo; i < lo + m; i++) {
    double s = d[i - lo] * x[i];
    if (i > 0) s += l[i - lo] * x[i - 1];
    if (i < n - 1) s += u[i - lo] * x[i + 1];
    yl[i - lo] = s;
  }
  MPI_Gatherv(yl, m, MPI_DOUBLE, y, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) print_vec("y", y, n);
  free(lower); free(diag); free(upper); free(x); free(y);
  free(counts); free(displs); free(l); free(d); free(u); free(yl);
  MPI_Finalize();
  return 0;
}
