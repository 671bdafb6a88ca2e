/* y = A*x for a sparse matrix in CSR format: every rank builds the whole matrix, y gathered to rank 0 */
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
    int *rowptr = malloc((n + 1) * sizeof(int));
    rowptr[0] = 0;
    for (int i = 0; i < n; i++) rowptr[i + 1] = rowptr[i] + 3 + i % 4;
    int *col = malloc(rowptr[n] * sizeof(int));
    double *val = malloc(rowptr[n] * sizeof(double));
    double *x = malloc(n * sizeof(double));
    double *y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0 + (i % 13) * 0.125;
        for (int k = 0; k < 3 + i % 4; k++) {
            col[rowptr[i] + k] = (int)(((long)i * (2 * k + 1) + 17 * k) % n);
            val[rowptr[i] + k] = 1.0 + ((i + k) % 7) * 0.25;
        }
    }
    int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
    for (int r = 0; r < size; r++) {
        displs[r] = r * n / size;
        counts[r] = (r + 1) * n / size - displs[r];
    }
    int lo = displs[rank], hi = lo + counts[rank];
    for (int i = lo; i < hi; i++) {
        double s = 0.0;
        for (int p = rowptr[i]; p < rowptr[i + 1]; p++) s += val[p] * x[col[p]];
        y[i] = s;
    }
    MPI_Gatherv(rank == 0 ? MPI_IN_PLACE : y + lo, counts[rank], MPI_DOUBLE, y, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double sum = 0.0, wsum = 0.0;
        for (int i = 0; i < n; i++) {
            sum += y[i];
            wsum += (i % 7 + 1) * y[i];
        }
        printf("sum %.12e\n", sum);
        printf("wsum %.12e\n", wsum);
        for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, y[k * n / 8]);
    }
    free(rowptr); free(col); free(val); free(x); free(y); free(counts); free(displs);
    MPI_Finalize();
    return 0;
}
