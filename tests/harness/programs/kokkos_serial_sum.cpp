// Kokkos in name only: initializes Kokkos but sums in a plain loop (no parallel pattern).
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstdlib>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    Kokkos::initialize(argc, argv);
    double sum = 0.0, max = 0.0;
    for (long i = 0; i < n; i++) {
        sum += value(i);
        if (value(i) > max) max = value(i);
    }
    Kokkos::finalize();
    printf("n %ld\nsum %.12e\nmax %.12e\n", n, sum, max);
    return 0;
}
