// Approximates pi by integrating 4/(1+x*x) on [0,1] with the midpoint rule, in parallel.
// Each rank integrates one contiguous, balanced range of intervals; one reduction to rank 0.
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static inline double integrand(double x) { return 4.0 / (1.0 + x * x); }

int main(int argc, char *argv[]) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long intervals = 100000000L;
    if (argc >= 2) intervals = strtol(argv[1], NULL, 10);
    if (intervals < 1) {
        if (rank == 0) fprintf(stderr, "need at least one interval\n");
        MPI_Finalize();
        return 1;
    }
    long base = intervals / size, extra = intervals % size;
    long first = rank * base + (rank < extra ? rank : extra);
    long last = first + base + (rank < extra ? 1 : 0);
    const double width = 1.0 / (double)intervals;
    double part = 0.0, area = 0.0;
    for (long k = first; k < last; ++k) part += integrand(width * ((double)k + 0.5));
    MPI_Reduce(&part, &area, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        area *= width;
        printf("intervals = %ld\n", intervals);
        printf("pi ~ %.10f\n", area);
        printf("|error| = %.4e\n", fabs(area - M_PI));
    }
    MPI_Finalize();
    return 0;
}
