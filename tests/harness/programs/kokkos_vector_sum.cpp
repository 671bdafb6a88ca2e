// Kokkos vector sum and maximum: a View filled by parallel_for, reduced by parallel_reduce.
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    double sum = 0.0, max = 0.0;
    Kokkos::initialize(argc, argv);
    {
        Kokkos::View<double *> v("v", n > 0 ? n : 1);
        Kokkos::parallel_for("fill", n, KOKKOS_LAMBDA(const long i) { v(i) = 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); });
        Kokkos::parallel_reduce("sum", n, KOKKOS_LAMBDA(const long i, double &s) { s += v(i); }, sum);
        Kokkos::parallel_reduce("max", n, KOKKOS_LAMBDA(const long i, double &m) { if (v(i) > m) m = v(i); }, Kokkos::Max<double>(max));
    }
    Kokkos::finalize();
    printf("n %ld\nsum %.12e\nmax %.12e\n", n, sum, max);
    return 0;
}
