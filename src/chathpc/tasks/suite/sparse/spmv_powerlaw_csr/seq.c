/* y = A*x for a sparse matrix in CSR format whose row lengths follow a heavy-tailed law (1 + 64 / (1 + i % 64)) */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4000000;
    int *first = malloc((n + 1) * sizeof(int));
    first[0] = 0;
    for (int i = 0; i < n; i++) first[i + 1] = first[i] + 1 + 64 / (1 + i % 64);
    int *cols = malloc(first[n] * sizeof(int));
    double *vals = malloc(first[n] * sizeof(double));
    double *x = malloc(n * sizeof(double));
    double *y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0 + (i % 13) * 0.125;
        for (int k = 0; k < first[i + 1] - first[i]; k++) {
            cols[first[i] + k] = (int)(((long)i * 31 + (long)k * k * 7 + k) % n);
            vals[first[i] + k] = 0.5 + ((i * 3 + k) % 8) * 0.125;
        }
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int p = first[i]; p < first[i + 1]; p++) s += vals[p] * x[cols[p]];
        y[i] = s;
    }
    double sum = 0.0, wsum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += y[i];
        wsum += (i % 7 + 1) * y[i];
    }
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, y[k * n / 8]);
    free(first); free(cols); free(vals); free(x); free(y);
    return 0;
}
