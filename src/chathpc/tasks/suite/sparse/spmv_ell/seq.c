/* y = A*x for a sparse matrix in ELLPACK format: 5 slots per row, unused slots padded with zeros */
#include <stdio.h>
#include <stdlib.h>

#define W 5

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 6000000;
    int *col = malloc((size_t)n * W * sizeof(int));
    double *val = malloc((size_t)n * W * sizeof(double));
    double *x = malloc(n * sizeof(double));
    double *y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0 + (i % 13) * 0.125;
        for (int k = 0; k < W; k++) {
            int used = k < 2 + i % 4;
            col[(size_t)i * W + k] = used ? (int)((i + (long)k * (n / W + 1)) % n) : i;
            val[(size_t)i * W + k] = used ? 1.0 + ((i + 3 * k) % 7) * 0.25 : 0.0;
        }
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int k = 0; k < W; k++) s += val[(size_t)i * W + k] * x[col[(size_t)i * W + k]];
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
    free(col); free(val); free(x); free(y);
    return 0;
}
