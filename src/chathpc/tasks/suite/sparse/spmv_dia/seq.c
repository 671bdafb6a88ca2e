/* y = A*x for a banded sparse matrix in DIA format with the 5 diagonals at offsets -2..2 */
#include <stdio.h>
#include <stdlib.h>

#define ND 5

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 9000000;
    int off[ND] = {-2, -1, 0, 1, 2};
    double *data = malloc((size_t)ND * n * sizeof(double));
    double *x = malloc(n * sizeof(double));
    double *y = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++) {
        x[i] = 1.0 + (i % 13) * 0.125;
        for (int d = 0; d < ND; d++) data[(size_t)d * n + i] = 1.0 + ((i + d) % 5) * 0.25;
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int d = 0; d < ND; d++) {
            int j = i + off[d];
            if (j >= 0 && j < n) s += data[(size_t)d * n + i] * x[j];
        }
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
    free(data); free(x); free(y);
    return 0;
}
