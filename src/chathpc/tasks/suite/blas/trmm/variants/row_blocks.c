/* trmm: equal row blocks of C (unequal work on a triangle), L and B replicated on every rank, MPI_Gatherv of C */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 500;
  double alpha = 1.5;
  double *l = malloc((size_t)n * n * sizeof(double)), *b = malloc((size_t)n * n * sizeof(double));
  double *c = malloc((size_t)n * n * sizeof(double));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j <= i; j++) l[i * n + j] = 1.0 + ((i + 2 * j) % 17) * 0.0625;
    for (int j = 0; j < n; j++) b[i * n + j] = 0.5 + ((3 * i + j) % 19) * 0.03125;
  }
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    counts[r] = (n / size + (r < n % size ? 1 : 0)) * n;
    displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
  }
  int first = displs[rank] / n, last = first + counts[rank] / n;
  for (int i = first; i < last; i++) {
    for (int j = 0; j < n; j++) c[i * n + j] = 0.0;
    for (int k = 0; k <= i; k++) {
      double lik = alpha * l[i * n + k];
      for (int j = 0; j < n; j++) c[i * n + j] += lik * b[k * n + j];
    }
  }
  if (rank == 0)
    MPI_Gatherv(MPI_IN_PLACE, counts[0], MPI_DOUBLE, c, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  else
    MPI_Gatherv(c + displs[rank], counts[rank], MPI_DOUBLE, NULL, NULL, NULL, MPI_DOUBLE, 0, MPI_COMM_WORLD);
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
  }
  free(counts);
  free(displs);
  free(l);
  free(b);
  free(c);
  MPI_Finalize();
  return 0;
}
