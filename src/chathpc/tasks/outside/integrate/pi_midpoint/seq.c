// Approximates pi by integrating 4/(1+x*x) on [0,1] with the midpoint rule.
// Usage: ./pi [intervals]
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static inline double integrand(double x) { return 4.0 / (1.0 + x * x); }

int main(int argc, char *argv[]) {
    long intervals = 100000000L;
    if (argc >= 2) intervals = strtol(argv[1], NULL, 10);
    if (intervals < 1) {
        fprintf(stderr, "need at least one interval\n");
        return 1;
    }
    const double width = 1.0 / (double)intervals;
    double area = 0.0;
    long k = 0;
    while (k < intervals) {
        area += integrand(width * ((double)k + 0.5));
        ++k;
    }
    area *= width;
    printf("intervals = %ld\n", intervals);
    printf("pi ~ %.10f\n", area);
    printf("|error| = %.4e\n", fabs(area - M_PI));
    return 0;
}
