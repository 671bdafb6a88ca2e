/* axpy: rank 0 initializes x and y, MPI_Scatterv the blocks, MPI_Gatherv y back and prints */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double a = 1.5;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    counts[r] = n / size + (r < n % size ? 1 : 0);
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
  }
  double *x = NULL, *y = NULL;
  if (rank == 0) {
    x = malloc(n * sizeof(double));
    y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
      x[i] = 1.0 + (i % 13) * 0.125;
      y[i] = 2.0 + (i % 11) * 0.25;
    }
  }
  int m = counts[rank];
  double *lx = malloc(m * sizeof(double)), *ly = malloc(m * sizeof(double));
  MPI_Scatterv(x, counts, displs, MPI_DOUBLE, lx, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Scatterv(y, counts, displs, MPI_DOUBLE, ly, m, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (int i = 0; i < m; i++) ly[i] = a * lx[i] + ly[i];
  MPI_Gatherv(ly, m, MPI_DOUBLE, y, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double s = 0.0, ws = 0.0;
    for (int i = 0; i < n; i++) {
      s += y[i];
      ws += (i % 7 + 1) * y[i];
    }
    printf("y sum %.12e wsum %.12e\n", s, ws);
    for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, y[k * n / 8]);
    free(x);
    free(y);
  }
  free(lx);
  free(ly);
  free(counts);
  free(displs);
  MPI_Finalize();
  return 0;
}
