/* symv (Kokkos): y = alpha*A*x + beta*y, A symmetric in its lower triangle; rows in parallel, the transposed adds through a ScatterView */
#include <Kokkos_Core.hpp>
#include <Kokkos_ScatterView.hpp>
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
    using rows = Kokkos::RangePolicy<Kokkos::Schedule<Kokkos::Dynamic>>;
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    double alpha = 1.5, beta = 0.5;
    Kokkos::View<double **> a(Kokkos::view_alloc(Kokkos::WithoutInitializing, "a"), n, n);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", rows(0, n), KOKKOS_LAMBDA(const int i) {
      for (int j = 0; j <= i; j++) a(i, j) = 1.0 + ((i + j) % 17) * 0.0625;
      x(i) = 1.0 + (i % 13) * 0.125;
      y(i) = beta * (2.0 + (i % 11) * 0.25);
    });
    Kokkos::Experimental::ScatterView<double *> ys(y);
    Kokkos::parallel_for("symv", rows(0, n), KOKKOS_LAMBDA(const int i) {
      auto yacc = ys.access();
      const double axi = alpha * x(i);
      double t = a(i, i) * x(i);
      for (int j = 0; j < i; j++) {
        t += a(i, j) * x(j);
        yacc(j) += a(i, j) * axi;
      }
      yacc(i) += alpha * t;
    });
    Kokkos::Experimental::contribute(y, ys);
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
