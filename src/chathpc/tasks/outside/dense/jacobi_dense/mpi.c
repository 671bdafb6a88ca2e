// Solve A x = b by Jacobi sweeps, MPI over balanced row blocks. A is dense and strictly
// diagonally dominant. Each rank builds only its rows; per sweep it updates its slice of x,
// the residual norm is summed with one Allreduce (every rank must agree to stop), and the
// new slices are shared with MPI_Allgatherv.
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_SWEEPS 500

static double coupling(int i, int j) { return 1.0 / (1.0 + abs(i - j)) * ((i * j) % 3 == 1 ? -1.0 : 1.0); }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = 500;
    double tol = 1e-10;
    if (argc > 1) n = (int)strtol(argv[1], NULL, 10);
    if (argc > 2) tol = strtod(argv[2], NULL);

    int *counts = malloc(sizeof(int) * size), *starts = malloc(sizeof(int) * size);
    for (int r = 0; r < size; r++) {
        counts[r] = n / size + (r < n % size ? 1 : 0);
        starts[r] = r * (n / size) + (r < n % size ? r : n % size);
    }
    int first = starts[rank], rows = counts[rank];
    double *A = malloc(sizeof(double) * ((size_t)rows * n + 1)), *b = malloc(sizeof(double) * (rows + 1));
    double *x = calloc(n, sizeof(double)), *mine = malloc(sizeof(double) * (rows + 1));
    for (int l = 0; l < rows; l++) {
        int i = first + l;
        double off = 0.0;
        for (int j = 0; j < n; j++)
            if (j != i) {
                A[(size_t)l * n + j] = coupling(i, j);
                off += fabs(A[(size_t)l * n + j]);
            }
        A[(size_t)l * n + i] = 1.5 * off + 1.0;
        b[l] = sin(0.1 * i) + 1.0;
    }

    int sweeps = 0;
    double resid = INFINITY;
    while (sweeps < MAX_SWEEPS) {
        double rr = 0.0, total = 0.0;
        for (int l = 0; l < rows; l++) {
            const double *row = A + (size_t)l * n;
            double s = b[l];
            for (int j = 0; j < n; j++) s -= row[j] * x[j];
            rr += s * s;
            mine[l] = x[first + l] + s / row[first + l];
        }
        MPI_Allreduce(&rr, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        resid = sqrt(total);
        if (resid < tol) break;
        MPI_Allgatherv(mine, rows, MPI_DOUBLE, x, counts, starts, MPI_DOUBLE, MPI_COMM_WORLD);
        sweeps++;
    }
    if (rank == 0) {
        printf("Jacobi: %d sweeps, residual %.3e\n", sweeps, resid);
        printf("x[0] = %.9f  x[n/2] = %.9f  x[n-1] = %.9f\n", x[0], x[n / 2], x[n - 1]);
    }
    free(counts);
    free(starts);
    free(A);
    free(b);
    free(x);
    free(mine);
    MPI_Finalize();
    return 0;
}
