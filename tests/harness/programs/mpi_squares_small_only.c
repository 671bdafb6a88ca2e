/* Handles every n the sequential program accepts, but crashes for n < 4 (which the sequential program
   rejects, so exploring such inputs must not count against it). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? atol(argv[1]) : 1000;
    if (n < 4) abort();
    long base = n / size, extra = n % size;
    long lo = rank * base + (rank < extra ? rank : extra);
    long hi = lo + base + (rank < extra ? 1 : 0);
    long local = 0, total = 0;
    for (long i = lo; i < hi; i++) local += (i * i) % 1000003;
    MPI_Reduce(&local, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("n %ld\ntotal %ld\n", n, total);
    MPI_Finalize();
    return 0;
}
