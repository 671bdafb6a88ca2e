/* jacobi2d_5pt (Kokkos variant): a RangePolicy over the columns with a serial loop down each column where an MDRangePolicy fits; every thread walks a column of the row-major grid, a stride of n doubles per point */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

/* sum and weighted sum of a rows x cols grid, reduced in parallel over rows */
static void grid_checksums(Kokkos::View<const double **> u, double &sum, double &wsum) {
  const int cols = u.extent(1);
  Kokkos::parallel_reduce("checksums", u.extent(0), KOKKOS_LAMBDA(const int i, double &s, double &ws) {
    for (int j = 0; j < cols; j++) {
      s += u(i, j);
      ws += ((i + j) % 7 + 1) * u(i, j);
    }
  }, sum, wsum);
}

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int sweeps = argc > 2 ? atoi(argv[2]) : 100;
    Kokkos::View<double **> u("u", n, n), v("v", n, n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int j) {
      for (int i = 0; i < n; i++) u(i, j) = v(i, j) = 1.0 + ((i + 2 * j) % 13) * 0.125;
    });
    for (int t = 0; t < sweeps; t++) {
      Kokkos::parallel_for("sweep", Kokkos::RangePolicy<>(1, n - 1), KOKKOS_LAMBDA(const int j) {
        for (int i = 1; i < n - 1; i++) v(i, j) = 0.2 * (u(i, j) + u(i - 1, j) + u(i + 1, j) + u(i, j - 1) + u(i, j + 1));
      });
      auto tmp = u;
      u = v;
      v = tmp;
    }
    double sum = 0.0, wsum = 0.0;
    grid_checksums(u, sum, wsum);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), u);
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * n / 8, n / 2, h(k * n / 8, n / 2));
  }
  Kokkos::finalize();
  return 0;
}
