/* gemv: every rank initializes the whole matrix and vectors, computes its rows, MPI_Allgatherv of y */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)n * n * sizeof(double));
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) a[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = 2.0 + (i % 11) * 0.25;
  }
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    counts[r] = n / size + (r < n % size ? 1 : 0);
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
  }
  double *part = malloc(counts[rank] * sizeof(double));
  for (int i = displs[rank]; i < displs[rank] + counts[rank]; i++) {
    double t = 0.0;
    for (int j = 0; j < n; j++) t += a[i * n + j] * x[j];
    part[i - displs[rank]] = alpha * t + beta * y[i];
  }
  MPI_Allgatherv(part, counts[rank], MPI_DOUBLE, y, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
  if (rank == 0) {
    double s = 0.0, ws = 0.0;
    for (int i = 0; i < n; i++) {
      s += y[i];
      ws += (i % 7 + 1) * y[i];
    }
    printf("y sum %.12e wsum %.12e\n", s, ws);
    for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, y[k * n / 8]);
  }
  free(part);
  free(counts);
  free(displs);
  free(a);
  free(x);
  free(y);
  MPI_Finalize();
  return 0;
}
