/* iamax: first index of the largest |x[i]|, local search then MPI_Reduce with MPI_MAXLOC */
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
  for (int i = lo; i < hi; i++) x[i - lo] = ((int)(((long)i * 7919 + 13) % 10007) - 4000) * 0.001;
  struct { double value; int index; } local = {-1.0, lo}, best;
  for (int i = lo; i < hi; i++)
    if (fabs(x[i - lo]) > local.value) {
      local.value = fabs(x[i - lo]);
      local.index = i;
    }
  MPI_Reduce(&local, &best, 1, MPI_DOUBLE_INT, MPI_MAXLOC, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("iamax %d\n", best.index);
    printf("amax %.12e\n", best.value);
  }
  free(x);
  MPI_Finalize();
  return 0;
}
