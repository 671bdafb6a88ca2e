/*
 * Trapezoid rule over [0, b] for a damped sine, m panels, split over MPI ranks.
 * Each rank owns a contiguous, balanced range of panels; the integral is summed
 * and the worst midpoint gap taken as a maximum, both straight to rank 0.
 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>

typedef struct {
    double integral;
    double worst_gap;
} trap_result;

static double damped(double x) { return sin(x) * exp(-0.25 * x); }

static trap_result trapezoid(double b, long m, long first, long last) {
    trap_result r = {0.0, 0.0};
    double h = b / m;
    for (long p = first; p < last; p++) {
        double xl = p * h, xr = (p + 1) * h;
        double fl = damped(xl), fr = damped(xr);
        r.integral += 0.5 * h * (fl + fr);
        double gap = fabs(damped(0.5 * (xl + xr)) - 0.5 * (fl + fr));
        if (gap > r.worst_gap) r.worst_gap = gap;
    }
    return r;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    long m = 1000000;
    double b = 20.0;
    if ((argc > 1 && sscanf(argv[1], "%ld", &m) != 1) || (argc > 2 && sscanf(argv[2], "%lf", &b) != 1)) {
        MPI_Finalize();
        return 2;
    }
    long base = m / size, extra = m % size;
    long first = rank * base + (rank < extra ? rank : extra);
    trap_result mine = trapezoid(b, m, first, first + base + (rank < extra ? 1 : 0)), all;
    MPI_Reduce(&mine.integral, &all.integral, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mine.worst_gap, &all.worst_gap, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double exact = (4.0 - exp(-0.25 * b) * (4.0 * cos(b) + sin(b))) * 16.0 / 17.0 / 4.0;
        printf("panels      %ld\n", m);
        printf("integral    %.12e\n", all.integral);
        printf("exact       %.12e\n", exact);
        printf("worst gap   %.6e\n", all.worst_gap);
    }
    MPI_Finalize();
    return 0;
}
