/* stencil3d_27pt (Kokkos): 3D 27-point box mean on an n x n x n grid, per step one team per interior grid line, the points of the line over its threads */
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
    int n = argc > 1 ? atoi(argv[1]) : 100;
    int steps = argc > 2 ? atoi(argv[2]) : 80;
    Kokkos::View<double ***> a(Kokkos::view_alloc(Kokkos::WithoutInitializing, "a"), n, n, n);
    Kokkos::View<double ***> b(Kokkos::view_alloc(Kokkos::WithoutInitializing, "b"), n, n, n);
    Kokkos::parallel_for("init", range3({0, 0, 0}, {n, n, n}), KOKKOS_LAMBDA(const int z, const int y, const int x) {
      a(z, y, x) = b(z, y, x) = 1.0 + ((z + 3 * y + 5 * x) % 17) * 0.0625;
    });
    for (int s = 0; s < steps; s++) {
      Kokkos::parallel_for("step", lines((n - 2) * (n - 2), Kokkos::AUTO), KOKKOS_LAMBDA(const lines::member_type &m) {
        const int z = 1 + m.league_rank() / (n - 2), y = 1 + m.league_rank() % (n - 2);
        Kokkos::parallel_for(Kokkos::TeamThreadRange(m, 1, n - 1), [&](const int x) {
          double acc = 0.0;
          for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
              for (int dx = -1; dx <= 1; dx++) acc += a(z + dz, y + dy, x + dx);
          b(z, y, x) = acc / 27.0;
        });
      });
      auto tmp = a;
      a = b;
      b = tmp;
    }
    double sum = 0.0, wsum = 0.0;
    grid_checksums(a, sum, wsum);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), a);
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("a[%d] %.12e\n", k * n / 8, h(k * n / 8, n / 2, n / 3));
  }
  Kokkos::finalize();
  return 0;
}
