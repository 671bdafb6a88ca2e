/* jacobi2d_5pt (Kokkos): 2D 5-point Jacobi sweeps on an n x n grid, per sweep one team per interior row, the columns over its threads */
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
    using range2 = Kokkos::MDRangePolicy<Kokkos::Rank<2>>;
    using row_teams = Kokkos::TeamPolicy<>;
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    int sweeps = argc > 2 ? atoi(argv[2]) : 100;
    Kokkos::View<double **> u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "u"), n, n);
    Kokkos::View<double **> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "v"), n, n);
    Kokkos::parallel_for("init", range2({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      u(i, j) = v(i, j) = 1.0 + ((i + 2 * j) % 13) * 0.125;
    });
    for (int t = 0; t < sweeps; t++) {
      Kokkos::parallel_for("sweep", row_teams(n - 2, Kokkos::AUTO), KOKKOS_LAMBDA(const row_teams::member_type &m) {
        const int i = m.league_rank() + 1;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(m, 1, n - 1), [&](const int j) {
          v(i, j) = 0.2 * (u(i, j) + u(i - 1, j) + u(i + 1, j) + u(i, j - 1) + u(i, j + 1));
        });
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
