/* dot (Kokkos): s = x . y for two vectors of length n, one parallel_reduce */
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      y(i) = 2.0 + (i % 11) * 0.25;
    });
    double s = 0.0;
    Kokkos::parallel_reduce("dot", n, KOKKOS_LAMBDA(const int i, double &acc) { acc += x(i) * y(i); }, s);
    printf("dot %.12e\n", s);
  }
  Kokkos::finalize();
  return 0;
}
