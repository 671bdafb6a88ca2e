/* Correct: block decomposition, halo exchange with both neighbours each step, Gatherv to rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? atoi(argv[1]) : 100, steps = 20;
    int base = n / size, extra = n % size;
    int count = base + (rank < extra), lo = rank * base + (rank < extra ? rank : extra);
    double *u = malloc(sizeof(double) * (count + 2)), *v = malloc(sizeof(double) * (count + 2));
    for (int j = 0; j < count + 2; j++) {
        int i = lo + j - 1;
        u[j] = v[j] = (i >= 0 && i < n) ? 1.0 + (i % 5) * 0.25 : 0.0;
    }
    int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
    for (int t = 0; t < steps; t++) {
        MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[count + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&u[count], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        for (int j = 1; j <= count; j++) {
            int i = lo + j - 1;
            v[j] = (i == 0 || i == n - 1) ? u[j] : u[j] + 0.25 * (u[j - 1] - 2.0 * u[j] + u[j + 1]);
        }
        double *w = u; u = v; v = w;
    }
    int *counts = malloc(sizeof(int) * size), *displs = malloc(sizeof(int) * size);
    for (int r = 0; r < size; r++) {
        counts[r] = base + (r < extra);
        displs[r] = r * base + (r < extra ? r : extra);
    }
    double *all = rank == 0 ? malloc(sizeof(double) * n) : NULL;
    MPI_Gatherv(&u[1], count, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) sum += all[i];
        printf("sum %.12e\n", sum);
        for (int i = 0; i < n; i++) printf("%d %.12e\n", i, all[i]);
    }
    free(u); free(v); free(counts); free(displs); free(all);
    MPI_Finalize();
    return 0;
}
