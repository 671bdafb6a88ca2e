/* asum (Kokkos): sum of |x[i]| of a vector of length n with mixed signs, one parallel_reduce */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) { x(i) = (i % 13 - 6) * 0.125 + 0.0625; });
    double s = 0.0;
    Kokkos::parallel_reduce("asum", n, KOKKOS_LAMBDA(const int i, double &acc) { acc += fabs(x(i)); }, s);
    printf("asum %.12e\n", s);
  }
  Kokkos::finalize();
  return 0;
}
