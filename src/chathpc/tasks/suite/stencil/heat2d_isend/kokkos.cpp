/* heat2d_isend (Kokkos): explicit 2D heat steps on a rows x cols grid, per step one team per interior row, the columns over its threads */
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
    int rows = argc > 1 ? atoi(argv[1]) : 1800;
    int cols = argc > 2 ? atoi(argv[2]) : 1800;
    int steps = argc > 3 ? atoi(argv[3]) : 80;
    Kokkos::View<double **> u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "u"), rows, cols);
    Kokkos::View<double **> un(Kokkos::view_alloc(Kokkos::WithoutInitializing, "un"), rows, cols);
    Kokkos::parallel_for("init", range2({0, 0}, {rows, cols}), KOKKOS_LAMBDA(const int i, const int j) {
      u(i, j) = un(i, j) = 1.0 + ((5 * i + j) % 9) * 0.25;
    });
    for (int s = 0; s < steps; s++) {
      Kokkos::parallel_for("step", row_teams(rows - 2, Kokkos::AUTO), KOKKOS_LAMBDA(const row_teams::member_type &m) {
        const int i = m.league_rank() + 1;
        Kokkos::parallel_for(Kokkos::TeamThreadRange(m, 1, cols - 1), [&](const int j) {
          un(i, j) = u(i, j) + 0.2 * (u(i - 1, j) + u(i + 1, j) + u(i, j - 1) + u(i, j + 1) - 4.0 * u(i, j));
        });
      });
      auto tmp = u;
      u = un;
      un = tmp;
    }
    double sum = 0.0, wsum = 0.0;
    grid_checksums(u, sum, wsum);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), u);
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * rows / 8, cols / 2, h(k * rows / 8, cols / 2));
  }
  Kokkos::finalize();
  return 0;
}
