/* tridiag_matvec (Kokkos): y = T*x for a tridiagonal matrix stored as three diagonals, one row per work item */
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
    int n = argc > 1 ? atoi(argv[1]) : 12000000;
    Kokkos::View<double *> lower(Kokkos::view_alloc(Kokkos::WithoutInitializing, "lower"), n);
    Kokkos::View<double *> diag(Kokkos::view_alloc(Kokkos::WithoutInitializing, "diag"), n);
    Kokkos::View<double *> upper(Kokkos::view_alloc(Kokkos::WithoutInitializing, "upper"), n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      lower(i) = 0.5 + (i % 3) * 0.125;
      diag(i) = 2.0 + (i % 5) * 0.25;
      upper(i) = 0.25 + (i % 4) * 0.125;
      x(i) = 1.0 + (i % 13) * 0.125;
    });
    Kokkos::parallel_for("matvec", n, KOKKOS_LAMBDA(const int i) {
      double s = diag(i) * x(i);
      if (i > 0) s += lower(i) * x(i - 1);
      if (i < n - 1) s += upper(i) * x(i + 1);
      y(i) = s;
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
