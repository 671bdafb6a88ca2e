/* spmv_ell (Kokkos): y = A*x for an ELLPACK matrix with 5 slots per row (padding has value 0), one row per work item */
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
    const int W = 5;
    int n = argc > 1 ? atoi(argv[1]) : 6000000;
    Kokkos::View<int **> col(Kokkos::view_alloc(Kokkos::WithoutInitializing, "col"), n, W);
    Kokkos::View<double **> val(Kokkos::view_alloc(Kokkos::WithoutInitializing, "val"), n, W);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      for (int k = 0; k < W; k++) {
        const bool used = k < 2 + i % 4;
        col(i, k) = used ? (int)((i + (long)k * (n / W + 1)) % n) : i;
        val(i, k) = used ? 1.0 + ((i + 3 * k) % 7) * 0.25 : 0.0;
      }
    });
    Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int i) {
      double s = 0.0;
      for (int k = 0; k < W; k++) s += val(i, k) * x(col(i, k));
      y(i) = s;
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
