/* nrm2 (Kokkos): Euclidean norm of a vector of length n, a parallel_reduce of squares */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) { x(i) = 1.0 + (i % 13) * 0.125; });
    double s = 0.0;
    Kokkos::parallel_reduce("nrm2", n, KOKKOS_LAMBDA(const int i, double &acc) { acc += x(i) * x(i); }, s);
    printf("nrm2 %.12e\n", sqrt(s));
  }
  Kokkos::finalize();
  return 0;
}
