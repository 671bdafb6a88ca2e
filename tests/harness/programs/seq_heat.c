/* Sequential reference: 20 Jacobi steps of 1D heat diffusion on n points (argv[1]), fixed ends. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100, steps = 20;
    double *u = malloc(sizeof(double) * n), *v = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) u[i] = v[i] = 1.0 + (i % 5) * 0.25;
    for (int t = 0; t < steps; t++) {
        for (int i = 1; i < n - 1; i++) v[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        double *w = u; u = v; v = w;
    }
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += u[i];
    printf("sum %.12e\n", sum);
    for (int i = 0; i < n; i++) printf("%d %.12e\n", i, u[i]);
    free(u); free(v);
    return 0;
}
