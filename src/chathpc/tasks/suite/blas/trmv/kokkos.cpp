/* trmv (Kokkos): y = L*x for a lower-triangular n x n matrix, one team per row (dynamic schedule) with a nested parallel_reduce */
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
    using policy = Kokkos::TeamPolicy<Kokkos::Schedule<Kokkos::Dynamic>>;
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    Kokkos::View<double **> l(Kokkos::view_alloc(Kokkos::WithoutInitializing, "l"), n, n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", policy(n, Kokkos::AUTO), KOKKOS_LAMBDA(const policy::member_type &m) {
      const int i = m.league_rank();
      Kokkos::parallel_for(Kokkos::TeamThreadRange(m, i + 1), [&](const int j) { l(i, j) = 1.0 + ((i + 2 * j) % 17) * 0.0625; });
      Kokkos::single(Kokkos::PerTeam(m), [&]() { x(i) = 1.0 + (i % 13) * 0.125; });
    });
    Kokkos::parallel_for("trmv", policy(n, Kokkos::AUTO), KOKKOS_LAMBDA(const policy::member_type &m) {
      const int i = m.league_rank();
      double t = 0.0;
      Kokkos::parallel_reduce(Kokkos::TeamThreadRange(m, i + 1), [&](const int j, double &acc) { acc += l(i, j) * x(j); }, t);
      Kokkos::single(Kokkos::PerTeam(m), [&]() { y(i) = t; });
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
