// Evaluate p(x) = sum c_k x^k at n evenly spaced points of [-1, 1] (Horner), in parallel.
// Points are split in balanced blocks; the sum goes to rank 0 and the largest value with
// MPI_MAXLOC, whose tie rule (lowest index) matches the sequential first-maximum.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_DEGREE 32

static double horner(const double *c, int degree, double x) {
    double acc = c[degree];
    for (int k = degree - 1; k >= 0; k--) acc = acc * x + c[k];
    return acc;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char *end;
    int npts = 1000, degree = 5;
    if (argc > 1) npts = (int)strtol(argv[1], &end, 10);
    if (argc > 2) degree = (int)strtol(argv[2], &end, 10);
    if (npts < 2 || degree < 0 || degree > MAX_DEGREE) {
        if (rank == 0) fputs("bad arguments\n", stderr);
        MPI_Finalize();
        return 1;
    }
    double coef[MAX_DEGREE + 1];
    for (int k = 0; k <= degree; k++) coef[k] = ((k * 37) % 11 - 5) / (double)(k + 1);

    int base = npts / size, extra = npts % size;
    int first = rank * base + (rank < extra ? rank : extra);
    int last = first + base + (rank < extra ? 1 : 0);
    double total = 0.0;
    struct { double value; int index; } best = {-1e300, npts}, overall;
    for (int i = first; i < last; i++) {
        double x = -1.0 + 2.0 * i / (npts - 1);
        double y = horner(coef, degree, x);
        total += y;
        if (y > best.value) {
            best.value = y;
            best.index = i;
        }
    }
    double sum = 0.0;
    MPI_Reduce(&total, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&best, &overall, 1, MPI_DOUBLE_INT, MPI_MAXLOC, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("points: %d, degree: %d\n", npts, degree);
        printf("mean p(x) = %.11e\n", sum / npts);
        printf("max p(x) = %.11e at i=%d\n", overall.value, overall.index);
    }
    MPI_Finalize();
    return 0;
}
