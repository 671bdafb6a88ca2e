// Running totals: scan[i] = a[0] + ... + a[i] over n small signed integers, with MPI.
// Each rank scans its balanced block locally, MPI_Exscan gives it the total of the blocks
// before it, and the sampled positions (each owned by one rank) meet on rank 0 in one reduction.
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static long long value_at(long long i) { return (i * 7919) % 101 - 50; }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long long n = 1000;
    int samples = 5;
    if (argc > 1) n = atoll(argv[1]);
    if (argc > 2) samples = atoi(argv[2]);
    if (n < 1 || samples < 2) {
        MPI_Finalize();
        return 1;
    }
    long long base = n / size, extra = n % size;
    long long first = rank * base + (rank < extra ? rank : extra);
    long long len = base + (rank < extra ? 1 : 0);
    long long *scan = malloc(sizeof(long long) * (len > 0 ? len : 1));
    long long running = 0;
    for (long long i = 0; i < len; i++) {
        running += value_at(first + i);
        scan[i] = running;
    }
    long long offset = 0;
    MPI_Exscan(&running, &offset, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    if (rank == 0) offset = 0; /* MPI_Exscan leaves rank 0's result undefined */
    long long lowest = LLONG_MAX;
    for (long long i = 0; i < len; i++) {
        scan[i] += offset;
        if (scan[i] < lowest) lowest = scan[i];
    }
    long long *picked = calloc((size_t)samples, sizeof *picked), *at_root = calloc((size_t)samples, sizeof *at_root);
    for (int s = 0; s < samples; s++) {
        long long at = (long long)s * (n - 1) / (samples - 1);
        if (at >= first && at < first + len) picked[s] = scan[at - first];
    }
    long long overall = 0;
    MPI_Reduce(picked, at_root, samples, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&lowest, &overall, 1, MPI_LONG_LONG, MPI_MIN, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("   position      running total\n");
        for (int s = 0; s < samples; s++) printf("%11lld %18lld\n", (long long)s * (n - 1) / (samples - 1), at_root[s]);
        printf("lowest running total: %lld\n", overall);
    }
    free(scan);
    free(picked);
    free(at_root);
    MPI_Finalize();
    return 0;
}
