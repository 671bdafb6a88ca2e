/* gemm (Kokkos variant): one MDRange work item per C(i,j), each a dot product over k; the inner loop strides down a column of B (i-j-k order), so it is slower than the row-wise i-k-j reference */
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
    using range2 = Kokkos::MDRangePolicy<Kokkos::Rank<2>>;
    int n = argc > 1 ? atoi(argv[1]) : 500;
    double alpha = 1.5, beta = 0.5;
    Kokkos::View<double **> a("a", n, n), b("b", n, n), c("c", n, n);
    Kokkos::parallel_for("init", range2({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      b(i, j) = 0.5 + ((3 * i + j) % 19) * 0.03125;
      a(i, j) = 1.0 + ((i + 2 * j) % 17) * 0.0625;
      c(i, j) = 1.0 + ((i + j) % 5) * 0.25;
    });
    Kokkos::parallel_for("gemm", range2({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      double t = 0.0;
      for (int k = 0; k < n; k++) t += a(i, k) * b(k, j);
      c(i, j) = alpha * t + beta * c(i, j);
    });
    print_mat("c", c);
  }
  Kokkos::finalize();
  return 0;
}
