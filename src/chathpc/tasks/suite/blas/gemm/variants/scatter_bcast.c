/* gemm: rank 0 initializes A, B and C, MPI_Scatterv of A and C rows, MPI_Bcast of B, MPI_Gatherv of C */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 500;
  double alpha = 1.5, beta = 0.5;
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    counts[r] = (n / size + (r < n % size ? 1 : 0)) * n;
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
  }
  double *a = NULL, *c = NULL, *b = malloc((size_t)n * n * sizeof(double));
  if (rank == 0) {
    a = malloc((size_t)n * n * sizeof(double));
    c = malloc((size_t)n * n * sizeof(double));
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        a[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
        b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
        c[i * n + j] = 1.0 + ((i + j) % 5) * 0.25;
      }
  }
  int rows = counts[rank] / n;
  double *la = malloc(counts[rank] * sizeof(double)), *lc = malloc(counts[rank] * sizeof(double));
  MPI_Scatterv(a, counts, displs, MPI_DOUBLE, la, counts[rank], MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Scatterv(c, counts, displs, MPI_DOUBLE, lc, counts[rank], MPI_DOUBLE, 0, MPI_COMM_WORLD);
  MPI_Bcast(b, n * n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  for (int i = 0; i < rows; i++) {
    for (int j = 0; j < n; j++) lc[i * n + j] *= beta;
    for (int k = 0; k < n; k++) {
      double aik = alpha * la[i * n + k];
      for (int j = 0; j < n; j++) lc[i * n + j] += aik * b[k * n + j];
    }
  }
  MPI_Gatherv(lc, counts[rank], MPI_DOUBLE, c, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    double s = 0.0, ws = 0.0;
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++) {
        s += c[i * n + j];
        ws += ((i + 2 * j) % 7 + 1) * c[i * n + j];
      }
    printf("c sum %.12e wsum %.12e\n", s, ws);
    for (int k = 0; k < 8; k++) {
      int i = k * n / 8, j = (7 - k) * n / 8;
      printf("c[%d][%d] %.12e\n", i, j, c[i * n + j]);
    }
    free(a);
    free(c);
  }
  free(la);
  free(lc);
  free(b);
  free(counts);
  free(displs);
  MPI_Finalize();
  return 0;
}
