/* stencil2d_9pt (Kokkos variant): a RangePolicy over rows with a serial inner loop where an MDRangePolicy fits, and a Kokkos::fence() after every kernel; on the OpenMP backend kernels already finish before returning, so the cost shows mainly on GPUs (fewer work items, no tiling, host stalls) */
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
    int n = argc > 1 ? atoi(argv[1]) : 1600;
    int steps = argc > 2 ? atoi(argv[2]) : 80;
    Kokkos::View<double **> grid("grid", n, n), next("next", n, n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int r) {
      for (int c = 0; c < n; c++) grid(r, c) = next(r, c) = 1.0 + ((3 * r + c) % 11) * 0.25;
    });
    Kokkos::fence();
    for (int s = 0; s < steps; s++) {
      Kokkos::parallel_for("step", Kokkos::RangePolicy<>(1, n - 1), KOKKOS_LAMBDA(const int r) {
        for (int c = 1; c < n - 1; c++)
          next(r, c) = 0.2 * grid(r, c) + 0.125 * (grid(r - 1, c) + grid(r + 1, c) + grid(r, c - 1) + grid(r, c + 1))
                     + 0.075 * (grid(r - 1, c - 1) + grid(r - 1, c + 1) + grid(r + 1, c - 1) + grid(r + 1, c + 1));
      });
      Kokkos::fence();
      auto tmp = grid;
      grid = next;
      next = tmp;
    }
    double sum = 0.0, wsum = 0.0;
    grid_checksums(grid, sum, wsum);
    Kokkos::fence();
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), grid);
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("grid[%d][%d] %.12e\n", k * n / 8, n / 3, h(k * n / 8, n / 3));
  }
  Kokkos::finalize();
  return 0;
}
