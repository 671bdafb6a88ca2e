/* heat1d_gatherv (Kokkos): explicit 1D heat steps with fixed ends, one parallel_for per step; the total by parallel_reduce, 16 samples from a host mirror */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    int steps = argc > 2 ? atoi(argv[2]) : 600;
    Kokkos::View<double *> t(Kokkos::view_alloc(Kokkos::WithoutInitializing, "t"), n);
    Kokkos::View<double *> tn(Kokkos::view_alloc(Kokkos::WithoutInitializing, "tn"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) { t(i) = tn(i) = 2.0 + (i % 17) * 0.0625; });
    for (int s = 0; s < steps; s++) {
      Kokkos::parallel_for("step", Kokkos::RangePolicy<>(1, n - 1), KOKKOS_LAMBDA(const int i) {
        tn(i) = t(i) + 0.25 * (t(i - 1) - 2.0 * t(i) + t(i + 1));
      });
      auto tmp = t;
      t = tn;
      tn = tmp;
    }
    double total = 0.0;
    Kokkos::parallel_reduce("total", n, KOKKOS_LAMBDA(const int i, double &acc) { acc += t(i); }, total);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), t);
    printf("total %.12e\n", total);
    for (int k = 0; k < 16; k++) printf("t[%d] %.12e\n", k * (n - 1) / 15, h(k * (n - 1) / 15));
  }
  Kokkos::finalize();
  return 0;
}
