/* Total Lennard-Jones energy of n particles, every pair counted once,
 *   E = sum_{i<j} 4 (r^-12 - r^-6),
 * plus the smallest pair distance.  Particles sit on a jittered cubic lattice.
 * run: energy N */
#include <math.h>
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
    int n = argc > 1 ? (int)strtol(argv[1], NULL, 0) : 2000;
    vec3 *p = malloc(sizeof(vec3) * n);
    for (int k = 0; k < n; k++) p[k] = place(k);

    double energy = 0.0, closest2 = HUGE_VAL;
    for (int i = 0; i < n - 1; i++) {
        for (int j = i + 1; j < n; j++) {
            double dx = p[i].x - p[j].x, dy = p[i].y - p[j].y, dz = p[i].z - p[j].z;
            double r2 = dx * dx + dy * dy + dz * dz;
            double inv6 = 1.0 / (r2 * r2 * r2);
            energy += 4.0 * (inv6 * inv6 - inv6);
            if (r2 < closest2) closest2 = r2;
        }
    }
    printf("particles: %d\n", n);
    printf("E = %.10e\n", energy);
    printf("closest pair: %.10f\n", n > 1 ? sqrt(closest2) : 0.0);
    free(p);
    return 0;
}
