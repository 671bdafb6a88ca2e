/* jacobi1d_converge (Kokkos): 1D Jacobi until the largest change is below tol; each sweep one parallel_reduce with a Max reducer */
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
    int n = argc > 1 ? atoi(argv[1]) : 120000;
    double tol = argc > 2 ? atof(argv[2]) : 1e-8;
    int maxit = argc > 3 ? atoi(argv[3]) : 2000;
    Kokkos::View<double *> u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "u"), n);
    Kokkos::View<double *> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "v"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) { u(i) = v(i) = 1.0 + (i % 5) * 0.25; });
    int iters = 0;
    double change = tol + 1.0;
    while (change > tol && iters < maxit) {
      Kokkos::parallel_reduce("sweep", Kokkos::RangePolicy<>(1, n - 1), KOKKOS_LAMBDA(const int i, double &cmax) {
        v(i) = 0.5 * (u(i - 1) + u(i + 1));
        cmax = fmax(cmax, fabs(v(i) - u(i)));
      }, Kokkos::Max<double>(change));
      auto tmp = u;
      u = v;
      v = tmp;
      iters++;
    }
    printf("iters %d\n", iters);
    print_vec("u", u);
  }
  Kokkos::finalize();
  return 0;
}
