// Evaluate p(x) = sum c_k x^k at n evenly spaced points of [-1, 1] (Horner),
// then report the mean of p and where p is largest (first such point).
#include <stdio.h>
#include <stdlib.h>

#define MAX_DEGREE 32

static double horner(const double *c, int degree, double x) {
    double acc = c[degree];
    for (int k = degree - 1; k >= 0; k--) acc = acc * x + c[k];
    return acc;
}

int main(int argc, char **argv) {
    char *end;
    int npts = 1000, degree = 5;
    if (argc > 1) npts = (int)strtol(argv[1], &end, 10);
    if (argc > 2) degree = (int)strtol(argv[2], &end, 10);
    if (npts < 2 || degree < 0 || degree > MAX_DEGREE) {
        fputs("bad arguments\n", stderr);
        return 1;
    }
    double coef[MAX_DEGREE + 1];
    for (int k = 0; k <= degree; k++) coef[k] = ((k * 37) % 11 - 5) / (double)(k + 1);

    double total = 0.0, best = -1e300;
    int best_at = -1;
    for (int i = 0; i < npts; i++) {
        double x = -1.0 + 2.0 * i / (npts - 1);
        double y = horner(coef, degree, x);
        total += y;
        if (y > best) {
            best = y;
            best_at = i;
        }
    }
    printf("points: %d, degree: %d\n", npts, degree);
    printf("mean p(x) = %.11e\n", total / npts);
    printf("max p(x) = %.11e at i=%d\n", best, best_at);
    return 0;
}
