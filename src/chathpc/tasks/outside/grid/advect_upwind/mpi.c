/* Upwind transport of a bump around a ring of cells, one balanced block of the ring per rank.
 * The scheme only looks upwind, so each step a rank needs just one value: the last cell of the
 * rank to its left (wrapping around the ring). Mass is summed and the peak found with MAXLOC. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static const float NU = 0.4f;

static float bump(int i, int n) {
    float s = (float)(i - n / 4) / (float)(n / 10 + 1);
    return 1.0f + expf(-s * s);
}

int main(int argc, char *argv[]) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = 1 << 16, steps = 100;
    if (argc > 1) n = (int)strtol(argv[1], NULL, 10);
    if (argc > 2) steps = (int)strtol(argv[2], NULL, 10);
    int base = n / size, extra = n % size;
    int len = base + (rank < extra ? 1 : 0);
    int first = rank * base + (rank < extra ? rank : extra);
    /* ranks that own no cell (n < size) drop out of the ring */
    MPI_Comm ring;
    MPI_Comm_split(MPI_COMM_WORLD, len > 0 ? 0 : MPI_UNDEFINED, rank, &ring);
    double mass = 0.0;
    struct { double value; int index; } peak = {-1.0, n}, best = {-1.0, -1};
    if (ring != MPI_COMM_NULL) {
        int rr, rs;
        MPI_Comm_rank(ring, &rr);
        MPI_Comm_size(ring, &rs);
        int left = (rr + rs - 1) % rs, right = (rr + 1) % rs;
        float *u = malloc(sizeof *u * (len + 1)), *w = malloc(sizeof *w * (len + 1)); /* u[0]: ghost */
        for (int i = 0; i < len; i++) u[i + 1] = bump(first + i, n);
        for (int t = 0; t < steps; t++) {
            MPI_Sendrecv(&u[len], 1, MPI_FLOAT, right, 0, &u[0], 1, MPI_FLOAT, left, 0, ring, MPI_STATUS_IGNORE);
            for (int i = 1; i <= len; i++) w[i] = u[i] - NU * (u[i] - u[i - 1]);
            float *tmp = u;
            u = w;
            w = tmp;
        }
        for (int i = 1; i <= len; i++) {
            mass += u[i];
            if (u[i] > peak.value) {
                peak.value = u[i];
                peak.index = first + i - 1;
            }
        }
        free(u);
        free(w);
        MPI_Comm_free(&ring);
    }
    double total = 0.0;
    MPI_Reduce(&mass, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&peak, &best, 1, MPI_DOUBLE_INT, MPI_MAXLOC, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("after %d steps on %d cells\n", steps, n);
        printf("  mass  = %.9e\n", total);
        printf("  peak  = %.7f in cell %d\n", (float)best.value, best.index);
    }
    MPI_Finalize();
    return 0;
}
