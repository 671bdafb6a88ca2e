/* ger (Kokkos): rank-1 update A = A + alpha*x*y^T of a dense n x n matrix, an MDRangePolicy over (i, j) */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

static void print_mat(const char *name, Kokkos::View<const double **> a) {
  const int n = a.extent(0);
  double s = 0.0, ws = 0.0;
  Kokkos::parallel_reduce("checksums", n, KOKKOS_LAMBDA(const int i, double &ls, double &lws) {
    for (int j = 0; j < n; j++) {
      ls += a(i, j);
      lws += ((i + 2 * j) % 7 + 1) * a(i, j);
    }
  }, s, ws);
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) {
    int i = k * n / 8, j = (7 - k) * n / 8;
    printf("%s[%d][%d] %.12e\n", name, i, j, h(i, j));
  }
}

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    double alpha = 0.5;
    Kokkos::View<double **> a(Kokkos::view_alloc(Kokkos::WithoutInitializing, "a"), n, n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::MDRangePolicy<Kokkos::Rank<2>> all({0, 0}, {n, n});
    Kokkos::parallel_for("init_a", all, KOKKOS_LAMBDA(const int i, const int j) { a(i, j) = 1.0 + ((i + 2 * j) % 17) * 0.0625; });
    Kokkos::parallel_for("init_xy", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      y(i) = 2.0 + (i % 11) * 0.25;
    });
    Kokkos::parallel_for("ger", all, KOKKOS_LAMBDA(const int i, const int j) { a(i, j) += alpha * x(i) * y(j); });
    print_mat("a", a);
  }
  Kokkos::finalize();
  return 0;
}
