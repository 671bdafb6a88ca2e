/* y = A*x for a symmetric sparse matrix stored as its upper triangle (diagonal included) in CSR format */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5000000;
    int *rowptr = malloc((n + 1) * sizeof(int));
    int *col = malloc((size_t)n * 5 * sizeof(int));
    double *val = malloc((size_t)n * 5 * sizeof(double));
    double *x = malloc(n * sizeof(double));
    double *y = malloc(n * sizeof(double));
    int nnz = 0;
    for (int i = 0; i < n; i++) {
        rowptr[i] = nnz;
        x[i] = 1.0 + (i % 13) * 0.125;
        for (int k = 0; k < 5; k++) {
            int j = i + k * k * (1 + i % 3);
            if (j < n) {
                col[nnz] = j;
                val[nnz] = (k == 0 ? 3.0 : 0.5) + ((i + j) % 6) * 0.125;
                nnz++;
            }
        }
    }
    rowptr[n] = nnz;
    for (int i = 0; i < n; i++) y[i] = 0.0;
    for (int i = 0; i < n; i++)
        for (int p = rowptr[i]; p < rowptr[i + 1]; p++) {
            y[i] += val[p] * x[col[p]];
            if (col[p] != i) y[col[p]] += val[p] * x[i];
        }
    double sum = 0.0, wsum = 0.0;
    for (int i = 0; i < n; i++) {
        sum += y[i];
        wsum += (i % 7 + 1) * y[i];
    }
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("y[%d] %.12e\n", k * n / 8, y[k * n / 8]);
    free(rowptr); free(col); free(val); free(x); free(y);
    return 0;
}
