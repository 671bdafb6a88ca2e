/* Upwind transport of a bump around a ring of cells.
 *   u_i <- u_i - nu * (u_i - u_{i-1}),  nu = 0.4,  cell 0's upwind neighbour is cell n-1.
 * Args: cells steps.  Single precision state, double precision diagnostics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const float NU = 0.4f;

static float bump(int i, int n) {
    float s = (float)(i - n / 4) / (float)(n / 10 + 1);
    return 1.0f + expf(-s * s);
}

int main(int argc, char *argv[]) {
    int n = 1 << 16, steps = 100;
    if (argc > 1) n = (int)strtol(argv[1], NULL, 10);
    if (argc > 2) steps = (int)strtol(argv[2], NULL, 10);
    float *u = malloc(sizeof *u * n), *w = malloc(sizeof *w * n);
    for (int i = 0; i < n; i++) u[i] = bump(i, n);
    for (int t = 0; t < steps; t++) {
        w[0] = u[0] - NU * (u[0] - u[n - 1]);
        for (int i = 1; i < n; i++) w[i] = u[i] - NU * (u[i] - u[i - 1]);
        float *tmp = u;
        u = w;
        w = tmp;
    }
    double mass = 0.0;
    float peak = -1.0f;
    int where = -1;
    for (int i = 0; i < n; i++) {
        mass += u[i];
        if (u[i] > peak) {
            peak = u[i];
            where = i;
        }
    }
    printf("after %d steps on %d cells\n", steps, n);
    printf("  mass  = %.9e\n", mass);
    printf("  peak  = %.7f in cell %d\n", peak, where);
    free(u);
    free(w);
    return 0;
}
