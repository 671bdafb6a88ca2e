/* How many primes lie in [lo, hi]?  Trial division over MPI ranks.
 * Testing v costs up to sqrt(v) divisions, so contiguous blocks would leave the last rank with
 * the most work; candidates are dealt round-robin instead (lo + rank, lo + rank + size, ...). */
#include <mpi.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool is_prime(long v) {
    if (v < 2) return false;
    if (v < 4) return true;
    if (v % 2 == 0) return false;
    for (long d = 3; d * d <= v; d += 2)
        if (v % d == 0) return false;
    return true;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long lo = 1, hi = 1000000;
    if (argc == 3) {
        lo = strtol(argv[1], NULL, 10);
        hi = strtol(argv[2], NULL, 10);
    }
    long long tally[2] = {0, 0}, sums[2]; /* count, sum */
    long largest = 0, overall = 0;
    for (long v = lo + rank; v <= hi; v += size) {
        if (!is_prime(v)) continue;
        tally[0]++;
        tally[1] += v;
        largest = v;
    }
    MPI_Reduce(tally, sums, 2, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&largest, &overall, 1, MPI_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("range [%ld, %ld]\n", lo, hi);
        printf("%lld primes, sum %lld, largest %ld\n", sums[0], sums[1], overall);
    }
    MPI_Finalize();
    return 0;
}
