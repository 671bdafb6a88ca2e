/* MPI + OpenMP vector sum and maximum: a block per rank, an OpenMP reduction within it, MPI_Reduce across ranks. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    int provided, rank, size;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long lo = n * rank / size, hi = n * (rank + 1) / size;
    double local[2] = {0.0, 0.0}, total[2];
    double s = 0.0, m = 0.0;
    #pragma omp parallel for reduction(+ : s) reduction(max : m)
    for (long i = lo; i < hi; i++) {
        double x = value(i);
        s += x;
        if (x > m) m = x;
    }
    local[0] = s;
    local[1] = m;
    MPI_Reduce(&local[0], &total[0], 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&local[1], &total[1], 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("n %ld\nsum %.12e\nmax %.12e\n", n, total[0], total[1]);
    MPI_Finalize();
    return 0;
}
