/* jacobi3d_7pt (Kokkos): 3D 7-point Jacobi sweeps on an n x n x n grid, per sweep one team per interior grid line, the points of the line over its threads */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

/* sum and weighted sum (weight from the plane index plus the flat index within the plane) of an n x n x n grid */
static void grid_checksums(Kokkos::View<const double ***> u, double &sum, double &wsum) {
  const int n = u.extent(0);
  Kokkos::parallel_reduce("checksums", n, KOKKOS_LAMBDA(const int i, double &s, double &ws) {
    for (int j = 0; j < n; j++)
      for (int k = 0; k < n; k++) {
        s += u(i, j, k);
        ws += ((i + (size_t)j * n + k) % 7 + 1) * u(i, j, k);
      }
  }, sum, wsum);
}

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    using range3 = Kokkos::MDRangePolicy<Kokkos::Rank<3>>;
    using lines = Kokkos::TeamPolicy<>;
    int n = argc > 1 ? atoi(argv[1]) : 120;
    int sweeps = argc > 2 ? atoi(argv[2]) : 300;
    Kokkos::View<double ***> u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "u"), n, n, n);
    Kokkos::View<double ***> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "v"), n, n, n);
    Kokkos::parallel_for("init", range3({0, 0, 0}, {n, n, n}), KOKKOS_LAMBDA(const int i, const int j, const int k) {
      u(i, j, k) = v(i, j, k) = 1.0 + ((i + 2 * j + 3 * k) % 13) * 0.125;
    });
    for (int t = 0; t < sweeps; t++) {
      Kokkos::parallel_for("sweep", lines((n - 2) * (n - 2), Kokkos::AUTO), KOKKOS_LAMBDA(const lines::member_type &m) {
        const int i = 1 + m.league_rank() / (n - 2), j = 1 + m.league_rank() % (n - 2);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(m, 1, n - 1), [&](const int k) {
          v(i, j, k) = (u(i, j, k) + u(i - 1, j, k) + u(i + 1, j, k) + u(i, j - 1, k) + u(i, j + 1, k) + u(i, j, k - 1) + u(i, j, k + 1)) / 7.0;
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
    for (int k = 0; k < 8; k++) printf("u[%d] %.12e\n", k * n / 8, h(k * n / 8, n / 2, n / 2));
  }
  Kokkos::finalize();
  return 0;
}
