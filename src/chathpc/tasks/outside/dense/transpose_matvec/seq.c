/* y = A' * x where A is m-by-n, stored by rows, entries in single precision.
 * We walk A row by row (the cache-friendly order) and scatter into y.
 * Arguments: m n */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct matrix {
    int m, n;
    float *a;
};

static float entry(int i, int j) { return (float)((i + 2 * j) % 9 - 4) / 8.0f + (i == j ? 2.0f : 0.0f); }

static void fill(struct matrix *A) {
    for (int i = 0; i < A->m; i++)
        for (int j = 0; j < A->n; j++) A->a[(size_t)i * A->n + j] = entry(i, j);
}

int main(int argc, char **argv) {
    struct matrix A = {400, 300, NULL};
    if (argc > 2) {
        A.m = atoi(argv[1]);
        A.n = atoi(argv[2]);
    }
    A.a = malloc(sizeof(float) * (size_t)A.m * A.n);
    fill(&A);
    double *x = malloc(sizeof(double) * A.m), *y = calloc(A.n, sizeof(double));
    for (int i = 0; i < A.m; i++) x[i] = 1.0 / (1.0 + i);
    for (int i = 0; i < A.m; i++) {
        const float *row = A.a + (size_t)i * A.n;
        for (int j = 0; j < A.n; j++) y[j] += row[j] * x[i];
    }
    double norm1 = 0.0;
    for (int j = 0; j < A.n; j++) norm1 += fabs(y[j]);
    printf("m=%d n=%d\n", A.m, A.n);
    for (int j = 0; j < A.n; j += (A.n + 3) / 4) printf("y(%d) = %+.10e\n", j, y[j]);
    printf("||y||_1 = %.10e\n", norm1);
    free(A.a);
    free(x);
    free(y);
    return 0;
}
