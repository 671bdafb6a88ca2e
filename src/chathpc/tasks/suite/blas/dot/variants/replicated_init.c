/* dot: every rank initializes the full vectors, computes its block and MPI_Reduce gathers the sum */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) {
    x[i] = 1.0 + (i % 13) * 0.125;
    y[i] = 2.0 + (i % 11) * 0.25;
  }
  int chunk = (n + size - 1) / size;
  int start = rank * chunk, end = start + chunk < n ? start + chunk : n;
  double local = 0.0, s = 0.0;
  for (int i = start; i < end; i++) local += x[i] * y[i];
  MPI_Reduce(&local, &s, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("dot %.12e\n", s);
  free(x);
  free(y);
  MPI_Finalize();
  return 0;
}
