/* y = A*x for a heavy-tailed CSR matrix: block rows per rank, x gathered with MPI_Allgatherv */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? atoi(argv[1]) : 4000000;
    int lo = rank * n / size, hi = (rank + 1) * n / size, m = hi - lo;
    int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
    for (int r = 0; r < size; r++) {
        displs[r] = r * n / size;
        counts[r] = (r + 1) * n / size - displs[r];
    }
    double *x = malloc(n * sizeof(double));
    for (int i = lo; i < hi; i++) x[i] = 1.0 + (i % 13) * 0.125;
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
    int *first = malloc((m + 1) * sizeof(int));
    first[0] = 0;
    for (int i = lo; i < hi; i++) first[i - lo + 1] = first[i - lo] + 1 + 64 / (1 + i % 64);
    int *cols = malloc((first[m] + 1) * sizeof(int));
    double *vals = malloc((first[m] + 1) * sizeof(double));
    double *y = malloc((m + 1) * sizeof(double));
    for (int i = lo; i < hi; i++)
        for (int k = 0; k < first[i - lo + 1] - first[i - lo]; k++) {
            cols[first[i - lo] + k] = (int)(((long)i * 31 + (long)k * k * 7 + k) % n);
            vals[first[i - lo] + k] = 0.5 + ((i * 3 + k) % 8) * 0.125;
        }
    for (int i = 0; i < m; i++) {
        double s = 0.0;
        for (int p = first[i]; p < first[i + 1]; p++) s += vals[p] * x[cols[p]];
        y[i] = s;
    }
    double out[10] = {0.0};
    for (int i = lo; i < hi; i++) {
        out[0] += y[i - lo];
        out[1] += (i % 7 + 1) * y[i - lo];
    }
    for (int k = 0; k < 8; k++)
        if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = y[k * n / 8 - lo];
    MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("sum %.12e\n", out[0]);
        printf("wsum %.12e\n", out[1]);
        for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, out[2 + k]);
    }
    free(counts); free(displs); free(x); free(first); free(cols); free(vals); free(y);
    MPI_Finalize();
    return 0;
}
