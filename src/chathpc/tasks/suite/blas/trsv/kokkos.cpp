/* trsv (Kokkos): forward substitution L*x = b; one team walks the rows, each row's dot product a team parallel_reduce */
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
    using team = Kokkos::TeamPolicy<>;
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    Kokkos::View<double **> l(Kokkos::view_alloc(Kokkos::WithoutInitializing, "l"), n, n);
    Kokkos::View<double *> b(Kokkos::view_alloc(Kokkos::WithoutInitializing, "b"), n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::parallel_for("init", Kokkos::RangePolicy<Kokkos::Schedule<Kokkos::Dynamic>>(0, n), KOKKOS_LAMBDA(const int i) {
      for (int j = 0; j < i; j++) l(i, j) = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
      l(i, i) = 2.0 + (i % 5) * 0.25;
      b(i) = 1.0 + (i % 13) * 0.125;
    });
    /* Row i needs every earlier x: the rows run in order inside one team, a barrier between rows. */
    auto solve = KOKKOS_LAMBDA(const team::member_type &m) {
      for (int i = 0; i < n; i++) {
        double t = 0.0;
        Kokkos::parallel_reduce(Kokkos::TeamThreadRange(m, i), [&](const int j, double &acc) { acc += l(i, j) * x(j); }, t);
        Kokkos::single(Kokkos::PerTeam(m), [&]() { x(i) = (b(i) - t) / l(i, i); });
        m.team_barrier();
      }
    };
    const int size = team(1, 1).team_size_max(solve, Kokkos::ParallelForTag());
    Kokkos::parallel_for("trsv", team(1, size), solve);
    print_vec("x", x);
  }
  Kokkos::finalize();
  return 0;
}
