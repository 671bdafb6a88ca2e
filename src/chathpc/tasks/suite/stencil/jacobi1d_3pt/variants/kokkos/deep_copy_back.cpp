/* jacobi1d_3pt (Kokkos variant): after each sweep the new grid is deep_copy-ed back into the old one (a full extra read and write per sweep) instead of swapping the two View handles */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

static void print_vec(const char *name, Kokkos::View<const double *> v) {
  const int n = v.extent(0);
  double s = 0.0, ws = 0.0;
  Kokkos::parallel_reduce("checksums", n, KOKKOS_LAMBDA(const int i, double &ls, double &lws) {
    ls += v(i);
    lws += (i % 7 + 1) * v(i);
  }, s, ws);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), v);
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, h(k * n / 8));
}

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 2000000;
    int sweeps = argc > 2 ? atoi(argv[2]) : 300;
    Kokkos::View<double *> u("u", n), v("v", n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) { u(i) = v(i) = 1.0 + (i % 13) * 0.125; });
    for (int t = 0; t < sweeps; t++) {
      Kokkos::parallel_for("sweep", Kokkos::RangePolicy<>(1, n - 1), KOKKOS_LAMBDA(const int i) {
        v(i) = (u(i - 1) + u(i) + u(i + 1)) / 3.0;
      });
      Kokkos::deep_copy(u, v);
    }
    print_vec("u", u);
  }
  Kokkos::finalize();
  return 0;
}
