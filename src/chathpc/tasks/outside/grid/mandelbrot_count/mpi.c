/* Count the grid points that stay bounded under z <- z^2 + c, over MPI ranks.
 * Rows near the set's middle cost far more than the outer ones, so rows are dealt cyclically
 * (row r to rank r % size) instead of in blocks; all counters go to rank 0 in one reduction. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define BANDS 4

static int escape_time(double cr, double ci, int cap) {
    double zr = 0.0, zi = 0.0;
    int it = 0;
    while (it < cap && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        it++;
    }
    return it;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int width = 800, height = 600, cap = 1000;
    if (argc > 3) {
        width = atoi(argv[1]);
        height = atoi(argv[2]);
        cap = atoi(argv[3]);
    }
    long counts[BANDS + 2] = {0}; /* inside, work, band[0..BANDS) */
    for (int row = rank; row < height; row += size) {
        double ci = -1.2 + 2.4 * row / (height > 1 ? height - 1 : 1);
        for (int col = 0; col < width; col++) {
            double cr = -2.0 + 2.6 * col / (width > 1 ? width - 1 : 1);
            int it = escape_time(cr, ci, cap);
            counts[1] += it;
            if (it == cap) {
                counts[0]++;
                counts[2 + row * BANDS / height]++;
            }
        }
    }
    long total[BANDS + 2];
    MPI_Reduce(counts, total, BANDS + 2, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("grid %dx%d cap %d\n", width, height, cap);
        printf("inside %ld of %ld\n", total[0], (long)width * height);
        printf("iterations %ld\n", total[1]);
        for (int b = 0; b < BANDS; b++) printf("band %d: %ld\n", b, total[2 + b]);
    }
    MPI_Finalize();
    return 0;
}
