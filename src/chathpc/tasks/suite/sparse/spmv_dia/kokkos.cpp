/* spmv_dia (Kokkos): y = A*x for a DIA matrix with the 5 diagonals at offsets -2..2, one row per work item */
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
    const int ND = 5; /* diagonal d has offset d - 2 */
    int n = argc > 1 ? atoi(argv[1]) : 9000000;
    Kokkos::View<double **> data(Kokkos::view_alloc(Kokkos::WithoutInitializing, "data"), ND, n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      for (int d = 0; d < ND; d++) data(d, i) = 1.0 + ((i + d) % 5) * 0.25;
    });
    Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int i) {
      double s = 0.0;
      for (int d = 0; d < ND; d++) {
        int j = i + d - 2;
        if (j >= 0 && j < n) s += data(d, i) * x(j);
      }
      y(i) = s;
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
