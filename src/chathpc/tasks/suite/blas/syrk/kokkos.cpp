/* syrk (Kokkos): C = alpha*A*A^T + beta*C on the lower triangle; one team per row of C (dynamic schedule), its entries over the team */
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
    using policy = Kokkos::TeamPolicy<Kokkos::Schedule<Kokkos::Dynamic>>;
    int n = argc > 1 ? atoi(argv[1]) : 500;
    double alpha = 1.5, beta = 0.5;
    Kokkos::View<double **> a(Kokkos::view_alloc(Kokkos::WithoutInitializing, "a"), n, n);
    Kokkos::View<double **> c(Kokkos::view_alloc(Kokkos::WithoutInitializing, "c"), n, n);
    Kokkos::parallel_for("init", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      a(i, j) = 1.0 + ((i + 2 * j) % 17) * 0.0625;
      c(i, j) = 1.0 + ((i + j) % 5) * 0.25;
    });
    Kokkos::parallel_for("syrk", policy(n, Kokkos::AUTO), KOKKOS_LAMBDA(const policy::member_type &m) {
      const int i = m.league_rank();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(m, i + 1), [&](const int j) {
        double t = 0.0;
        for (int k = 0; k < n; k++) t += a(i, k) * a(j, k);
        c(i, j) = alpha * t + beta * c(i, j);
      });
    });
    print_mat("c", c);
  }
  Kokkos::finalize();
  return 0;
}
