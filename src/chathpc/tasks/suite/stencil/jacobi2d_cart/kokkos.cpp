/* jacobi2d_cart (Kokkos): weighted 2D 5-point Jacobi on a ny x nx grid, per step one team per interior row, the columns over its threads */
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
    int ny = argc > 1 ? atoi(argv[1]) : 2000;
    int nx = argc > 2 ? atoi(argv[2]) : 2000;
    int steps = argc > 3 ? atoi(argv[3]) : 60;
    Kokkos::View<double **> u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "u"), ny, nx);
    Kokkos::View<double **> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "v"), ny, nx);
    Kokkos::parallel_for("init", range2({0, 0}, {ny, nx}), KOKKOS_LAMBDA(const int i, const int j) {
      u(i, j) = v(i, j) = 1.0 + ((i + 4 * j) % 13) * 0.125;
    });
    for (int s = 0; s < steps; s++) {
      Kokkos::parallel_for("step", row_teams(ny - 2, Kokkos::AUTO), KOKKOS_LAMBDA(const row_teams::member_type &m) {
        const int i = m.league_rank() + 1;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(m, 1, nx - 1), [&](const int j) {
          v(i, j) = 0.4 * u(i, j) + 0.15 * (u(i - 1, j) + u(i + 1, j) + u(i, j - 1) + u(i, j + 1));
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
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * ny / 8, nx / 2, h(k * ny / 8, nx / 2));
  }
  Kokkos::finalize();
  return 0;
}
