/* y = A' * x where A is m-by-n, stored by rows, entries in single precision; MPI version.
 * Each rank generates and owns a balanced block of rows (and the matching part of x),
 * forms its partial y over those rows, and the partial vectors are summed on rank 0. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

struct matrix {
    int m, n, first, rows; /* global shape, first owned row, owned row count */
    float *a;
};

static float entry(int i, int j) { return (float)((i + 2 * j) % 9 - 4) / 8.0f + (i == j ? 2.0f : 0.0f); }

static void fill(struct matrix *A) {
    for (int i = 0; i < A->rows; i++)
        for (int j = 0; j < A->n; j++) A->a[(size_t)i * A->n + j] = entry(A->first + i, j);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    struct matrix A = {400, 300, 0, 0, NULL};
    if (argc > 2) {
        A.m = atoi(argv[1]);
        A.n = atoi(argv[2]);
    }
    int base = A.m / size, extra = A.m % size;
    A.rows = base + (rank < extra ? 1 : 0);
    A.first = rank * base + (rank < extra ? rank : extra);
    A.a = malloc(sizeof(float) * ((size_t)A.rows * A.n + 1));
    fill(&A);
    double *part = calloc(A.n, sizeof(double)), *y = rank == 0 ? calloc(A.n, sizeof(double)) : NULL;
    for (int i = 0; i < A.rows; i++) {
        const float *row = A.a + (size_t)i * A.n;
        double xi = 1.0 / (1.0 + (A.first + i));
        for (int j = 0; j < A.n; j++) part[j] += row[j] * xi;
    }
    MPI_Reduce(part, y, A.n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double norm1 = 0.0;
        for (int j = 0; j < A.n; j++) norm1 += fabs(y[j]);
        printf("m=%d n=%d\n", A.m, A.n);
        for (int j = 0; j < A.n; j += (A.n + 3) / 4) printf("y(%d) = %+.10e\n", j, y[j]);
        printf("||y||_1 = %.10e\n", norm1);
    }
    free(A.a);
    free(part);
    free(y);
    MPI_Finalize();
    return 0;
}
