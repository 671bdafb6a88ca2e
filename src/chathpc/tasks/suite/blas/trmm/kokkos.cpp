/* trmm (Kokkos): C = alpha*L*B for a lower-triangular L; rows of C in parallel (dynamic schedule: row i costs i+1), i-k-j order */
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
    int n = argc > 1 ? atoi(argv[1]) : 500;
    double alpha = 1.5;
    Kokkos::View<double **> l(Kokkos::view_alloc(Kokkos::WithoutInitializing, "l"), n, n);
    Kokkos::View<double **> b(Kokkos::view_alloc(Kokkos::WithoutInitializing, "b"), n, n);
    Kokkos::View<double **> c(Kokkos::view_alloc(Kokkos::WithoutInitializing, "c"), n, n);
    Kokkos::parallel_for("init", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      if (j <= i) l(i, j) = 1.0 + ((i + 2 * j) % 17) * 0.0625;
      b(i, j) = 0.5 + ((3 * i + j) % 19) * 0.03125;
    });
    Kokkos::parallel_for("trmm", Kokkos::RangePolicy<Kokkos::Schedule<Kokkos::Dynamic>>(0, n), KOKKOS_LAMBDA(const int i) {
      double *ci = &c(i, 0); /* row pointers: the compiler can vectorize the j loops */
      for (int j = 0; j < n; j++) ci[j] = 0.0;
      for (int k = 0; k <= i; k++) {
        const double lik = alpha * l(i, k);
        const double *bk = &b(k, 0);
        for (int j = 0; j < n; j++) ci[j] += lik * bk[j];
      }
    });
    print_mat("c", c);
  }
  Kokkos::finalize();
  return 0;
}
