/*
 * Trapezoid rule over [0, b] for a damped sine, m panels.
 * Besides the integral we report the worst panel: the largest gap between
 * f at the panel midpoint and the chord through its end points.
 * Run as: trap M B
 */
#include <math.h>
#include <stdio.h>

typedef struct {
    double integral;
    double worst_gap;
} trap_result;

static double damped(double x) { return sin(x) * exp(-0.25 * x); }

static trap_result trapezoid(double b, long m) {
    trap_result r = {0.0, 0.0};
    double h = b / m;
    for (long p = 0; p < m; p++) {
        double xl = p * h, xr = (p + 1) * h;
        double fl = damped(xl), fr = damped(xr);
        r.integral += 0.5 * h * (fl + fr);
        double gap = fabs(damped(0.5 * (xl + xr)) - 0.5 * (fl + fr));
        if (gap > r.worst_gap) r.worst_gap = gap;
    }
    return r;
}

int main(int argc, char **argv) {
    long m = 1000000;
    double b = 20.0;
    if (argc > 1 && sscanf(argv[1], "%ld", &m) != 1) return 2;
    if (argc > 2 && sscanf(argv[2], "%lf", &b) != 1) return 2;
    trap_result r = trapezoid(b, m);
    double exact = (4.0 - exp(-0.25 * b) * (4.0 * cos(b) + sin(b))) * 16.0 / 17.0 / 4.0;
    printf("panels      %ld\n", m);
    printf("integral    %.12e\n", r.integral);
    printf("exact       %.12e\n", exact);
    printf("worst gap   %.6e\n", r.worst_gap);
    return 0;
}
