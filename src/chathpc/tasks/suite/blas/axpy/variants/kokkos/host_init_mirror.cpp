/* axpy (Kokkos variant): x and y are filled by a serial loop on host mirrors and deep_copy-ed to the device; the initialisation, most of the work, runs on one thread */
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
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    double a = 1.5;
    Kokkos::View<double *> x("x", n), y("y", n);
    auto hx = Kokkos::create_mirror_view(x);
    auto hy = Kokkos::create_mirror_view(y);
    for (int i = 0; i < n; i++) {
      hx(i) = 1.0 + (i % 13) * 0.125;
      hy(i) = 2.0 + (i % 11) * 0.25;
    }
    Kokkos::deep_copy(x, hx);
    Kokkos::deep_copy(y, hy);
    Kokkos::parallel_for("axpy", n, KOKKOS_LAMBDA(const int i) { y(i) = a * x(i) + y(i); });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
