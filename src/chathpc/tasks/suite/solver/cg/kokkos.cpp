/* cg (Kokkos): conjugate gradient on the n x n grid operator 4.05 I - neighbours; matvec fused with p.q in one parallel_reduce (a team per grid row), x/r update fused with r.r */
#include <Kokkos_Core.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int iters = argc > 2 ? atoi(argv[2]) : 100;
    int every = iters >= 4 ? iters / 4 : 1;
    const int N = n * n;
    using row_teams = Kokkos::TeamPolicy<>;
    Kokkos::View<double *> x("x", N);
    Kokkos::View<double *> r(Kokkos::view_alloc(Kokkos::WithoutInitializing, "r"), N);
    Kokkos::View<double *> p(Kokkos::view_alloc(Kokkos::WithoutInitializing, "p"), N);
    Kokkos::View<double *> q(Kokkos::view_alloc(Kokkos::WithoutInitializing, "q"), N);
    double rr = 0.0;
    Kokkos::parallel_reduce("init", N, KOKKOS_LAMBDA(const int i, double &acc) {
      r(i) = p(i) = 1.0 + (i % 13) * 0.125;
      acc += r(i) * r(i);
    }, rr);
    printf("iter 0 res %.12e\n", sqrt(rr));
    for (int it = 1; it <= iters; it++) {
      double pq = 0.0;
      Kokkos::parallel_reduce("matvec_pq", row_teams(n, Kokkos::AUTO), KOKKOS_LAMBDA(const row_teams::member_type &m, double &acc) {
        const int i = m.league_rank();
        double row_pq = 0.0;
        Kokkos::parallel_reduce(Kokkos::TeamThreadRange(m, n), [&](const int j, double &part) {
          const int c = i * n + j;
          double s = 4.05 * p(c);
          if (i > 0) s -= p(c - n);
          if (i < n - 1) s -= p(c + n);
          if (j > 0) s -= p(c - 1);
          if (j < n - 1) s -= p(c + 1);
          q(c) = s;
          part += p(c) * s;
        }, row_pq);
        Kokkos::single(Kokkos::PerTeam(m), [&]() { acc += row_pq; });
      }, pq);
      const double alpha = rr / pq;
      double rr_new = 0.0;
      Kokkos::parallel_reduce("update", N, KOKKOS_LAMBDA(const int i, double &acc) {
        x(i) += alpha * p(i);
        r(i) -= alpha * q(i);
        acc += r(i) * r(i);
      }, rr_new);
      const double beta = rr_new / rr;
      Kokkos::parallel_for("direction", N, KOKKOS_LAMBDA(const int i) { p(i) = r(i) + beta * p(i); });
      rr = rr_new;
      if (it % every == 0) printf("iter %d res %.12e\n", it, sqrt(rr));
    }
    double sum = 0.0, wsum = 0.0;
    Kokkos::parallel_reduce("checksums", N, KOKKOS_LAMBDA(const int i, double &s, double &ws) {
      s += x(i);
      ws += (i % 7 + 1) * x(i);
    }, sum, wsum);
    auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), x);
    printf("sum %.12e\n", sum);
    printf("wsum %.12e\n", wsum);
    for (int k = 0; k < 8; k++) printf("x[%d] %.12e\n", k * n / 8, h((k * n / 8) * n + n / 2));
  }
  Kokkos::finalize();
  return 0;
}
