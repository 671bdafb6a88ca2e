/* Squares in 32-bit unsigned arithmetic: right while i*i < 2^32, i.e. for n up to 65536; the first
   failing size is n = 65537. Every rank count fails alike above it. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long base = n / size, extra = n % size;
    long lo = rank * base + (rank < extra ? rank : extra);
    long hi = lo + base + (rank < extra ? 1 : 0);
    long local = 0, total = 0;
    for (long i = lo; i < hi; i++) {
        unsigned square = (unsigned)i * (unsigned)i;
        local += square % 1000003;
    }
    MPI_Reduce(&local, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("n %ld\ntotal %ld\n", n, total);
    MPI_Finalize();
    return 0;
}
