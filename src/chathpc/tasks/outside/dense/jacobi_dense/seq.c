// Solve A x = b by Jacobi sweeps. A is dense and strictly diagonally dominant,
// so the sweeps converge; we stop when ||b - A x||_2 < tol (or after 500 sweeps).
// usage: jacobi N TOL
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SWEEPS 500

static double coupling(int i, int j) { return 1.0 / (1.0 + abs(i - j)) * ((i * j) % 3 == 1 ? -1.0 : 1.0); }

int main(int argc, char **argv) {
    int n = 500;
    double tol = 1e-10;
    if (argc > 1) n = (int)strtol(argv[1], NULL, 10);
    if (argc > 2) tol = strtod(argv[2], NULL);

    double *A = malloc(sizeof(double) * n * n), *b = malloc(sizeof(double) * n);
    double *x = calloc(n, sizeof(double)), *xnew = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        double off = 0.0;
        for (int j = 0; j < n; j++)
            if (j != i) {
                A[i * n + j] = coupling(i, j);
                off += fabs(A[i * n + j]);
            }
        A[i * n + i] = 1.5 * off + 1.0;
        b[i] = sin(0.1 * i) + 1.0;
    }

    int sweeps = 0;
    double resid = INFINITY;
    while (sweeps < MAX_SWEEPS) {
        double rr = 0.0;
        for (int i = 0; i < n; i++) {
            double s = b[i];
            for (int j = 0; j < n; j++) s -= A[i * n + j] * x[j];
            rr += s * s;                       // residual of the current x
            xnew[i] = x[i] + s / A[i * n + i]; // Jacobi update
        }
        resid = sqrt(rr);
        if (resid < tol) break;
        memcpy(x, xnew, sizeof(double) * n);
        sweeps++;
    }
    printf("Jacobi: %d sweeps, residual %.3e\n", sweeps, resid);
    printf("x[0] = %.9f  x[n/2] = %.9f  x[n-1] = %.9f\n", x[0], x[n / 2], x[n - 1]);
    free(A);
    free(b);
    free(x);
    free(xnew);
    return 0;
}
