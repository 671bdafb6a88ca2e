/* Sequential reference: sum and maximum of a deterministic vector of size n (argv[1]). */
#include <stdio.h>
#include <stdlib.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    double sum = 0.0, max = 0.0;
    for (long i = 0; i < n; i++) {
        double v = value(i);
        sum += v;
        if (v > max) max = v;
    }
    printf("n %ld\nsum %.12e\nmax %.12e\n", n, sum, max);
    return 0;
}
