/* Total Lennard-Jones energy of n particles, every pair counted once, over MPI ranks.
 * Row i of the pair triangle holds n-1-i pairs, so rows are dealt cyclically to even out the work.
 * Every rank computes all positions itself (cheap, no communication); two reductions to rank 0. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct { double x, y, z; } vec3;

static vec3 place(int k) {
    int side = 16;
    vec3 p = {1.2 * (k % side), 1.2 * ((k / side) % side), 1.2 * (k / (side * side))};
    p.x += 0.05 * sin(1.3 * k);
    p.y += 0.05 * cos(0.7 * k);
    p.z += 0.05 * sin(0.3 * k + 1.0);
    return p;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 0) : 2000;
    vec3 *p = malloc(sizeof(vec3) * n);
    for (int k = 0; k < n; k++) p[k] = place(k);

    double energy = 0.0, closest2 = HUGE_VAL;
    for (int i = rank; i < n - 1; i += size) {
        for (int j = i + 1; j < n; j++) {
            double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y, dz = p[i].z - p[j].z;
            double r2 = dx * dx + dy * dy + dz * dz;
            double inv6 = 1.0 / (r2 * r2 * r2);
            energy += 4.0 * (inv6 * inv6 - inv6);
            if (r2 < closest2) closest2 = r2;
        }
    }
    double total = 0.0, min2 = HUGE_VAL;
    MPI_Reduce(&energy, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&closest2, &min2, 1, MPI_DOUBLE, MPI_MIN, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        printf("particles: %d\n", n);
        printf("E = %.10e\n", total);
        printf("closest pair: %.10f\n", n > 1 ? sqrt(min2) : 0.0);
    }
    free(p);
    MPI_Finalize();
    return 0;
}
