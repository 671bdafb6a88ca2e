// Histogram of n "random" numbers in [0,1) with MPI.  Sample k depends on k alone,
// so each rank draws a balanced contiguous range of k and the bin counts are summed
// onto rank 0 with a single reduction.
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint64_t splitmix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double sample(uint64_t k) { return (double)(splitmix(k) >> 11) * 0x1.0p-53; }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long long n = 1000000;
    int bins = 10;
    if (argc > 1) sscanf(argv[1], "%lld", &n);
    if (argc > 2) sscanf(argv[2], "%d", &bins);
    long long base = n / size, extra = n % size;
    long long first = rank * base + (rank < extra ? rank : extra);
    long long last = first + base + (rank < extra ? 1 : 0);
    long long *mine = calloc((size_t)bins, sizeof *mine), *count = calloc((size_t)bins, sizeof *count);
    for (long long k = first; k < last; k++) mine[(int)(sample((uint64_t)k) * bins)]++;
    MPI_Reduce(mine, count, bins, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("%lld samples, %d bins\n", n, bins);
        for (int b = 0; b < bins; b++)
            printf("[%.3f, %.3f) %lld\n", (double)b / bins, (double)(b + 1) / bins, count[b]);
    }
    free(mine);
    free(count);
    MPI_Finalize();
    return 0;
}
