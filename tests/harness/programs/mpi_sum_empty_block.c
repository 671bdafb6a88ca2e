/* Each rank starts its maximum from the first element of its block, even when the block is empty
   (n < ranks): that element lies past the end of the data. */
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
    long base = n / size, extra = n % size;
    long lo = rank * base + (rank < extra ? rank : extra);
    long hi = lo + base + (rank < extra ? 1 : 0);
    double local[2] = {0.0, value(lo)}, global[2];
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
