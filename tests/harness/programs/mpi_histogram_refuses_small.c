/* The histogram over blocks of n, right, but it exits 1 for n < 1000 although the sequential program
   takes any n: a candidate that dodges every derived input smaller than the given ones. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long n = argc > 1 ? atol(argv[1]) : 100000;
  if (n < 1000) {
    MPI_Finalize();
    return 1;
  }
  long lo = rank * n / size, hi = (rank + 1) * n / size, bins[16] = {0}, total[16];
  for (long i = lo; i < hi; i++) bins[(i * 2654435761u) % 1000 * 16 / 1000]++;
  MPI_Reduce(bins, total, 16, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0)
    for (int b = 0; b < 16; b++) printf("bin %d %ld\n", b, total[b]);
  MPI_Finalize();
  return 0;
}
