/* asum: sum of |x[i]| of a block-distributed vector, MPI_Reduce of the partial sums */
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
  for (int i = lo; i < hi; i++) x[i - lo] = (i % 13 - 6) * 0.125 + 0.0625;
  double local = 0.0, s = 0.0;
  for (int i = 0; i < hi - lo; i++) local += fabs(x[i]);
  MPI_Reduce(&local, &s, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("asum %.12e\n", s);
  free(x);
  MPI_Finalize();
  return 0;
}
