/* nrm2: Euclidean norm of a block-distributed vector, MPI_Allreduce of the partial sums of squares */
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
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size);
  double *x = malloc((hi - lo) * sizeof(double));
  for (int i = lo; i < hi; i++) x[i - lo] = 1.0 + (i % 13) * 0.125;
  double local = 0.0, s;
  for (int i = 0; i < hi - lo; i++) local += x[i] * x[i];
  MPI_Allreduce(&local, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("nrm2 %.12e\n", sqrt(s));
  free(x);
  MPI_Finalize();
  return 0;
}
