/* dot (Kokkos variant): every product is atomic_add-ed into one device scalar instead of a parallel_reduce; all threads contend for one address, so it is slower than the reference at any thread count */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    Kokkos::View<double *> x("x", n), y("y", n);
    Kokkos::View<double> s("s");
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      y(i) = 2.0 + (i % 11) * 0.25;
    });
    Kokkos::parallel_for("dot", n, KOKKOS_LAMBDA(const int i) { Kokkos::atomic_add(&s(), x(i) * y(i)); });
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s);
    printf("dot %.12e\n", h());
  }
  Kokkos::finalize();
  return 0;
}
