/* OpenMP vector sum and maximum: reductions over a parallel loop. */
#include <stdio.h>
#include <stdlib.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    double *v = malloc((n > 0 ? n : 1) * sizeof *v);
    double sum = 0.0, max = 0.0;
    #pragma omp parallel
    {
        #pragma omp for
        for (long i = 0; i < n; i++) v[i] = value(i);
        #pragma omp for reduction(+ : sum) reduction(max : max)
        for (long i = 0; i < n; i++) {
            sum += v[i];
            if (v[i] > max) max = v[i];
        }
    }
    printf("n %ld\nsum %.12e\nmax %.12e\n", n, sum, max);
    free(v);
    return 0;
}
