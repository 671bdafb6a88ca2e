/* trsm (Kokkos): solve L*X = B in place; the columns of B are independent, so blocks of columns run in parallel, each a forward substitution in i-k-j order */
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
    /* one block of contiguous columns per thread (L is streamed once per block); on a GPU this becomes one column per thread */
    const int nblk = n < Kokkos::DefaultExecutionSpace::concurrency() ? n : Kokkos::DefaultExecutionSpace::concurrency();
    const int BS = (n + nblk - 1) / nblk;
    Kokkos::View<double **> l(Kokkos::view_alloc(Kokkos::WithoutInitializing, "l"), n, n);
    Kokkos::View<double **> b(Kokkos::view_alloc(Kokkos::WithoutInitializing, "b"), n, n);
    Kokkos::parallel_for("init", Kokkos::MDRangePolicy<Kokkos::Rank<2>>({0, 0}, {n, n}), KOKKOS_LAMBDA(const int i, const int j) {
      if (j < i) l(i, j) = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
      if (j == i) l(i, i) = 2.0 + (i % 5) * 0.25;
      b(i, j) = 0.5 + ((3 * i + j) % 19) * 0.03125;
    });
    Kokkos::parallel_for("trsm", nblk, KOKKOS_LAMBDA(const int blk) {
      const int j0 = blk * BS, j1 = j0 + BS < n ? j0 + BS : n;
      for (int i = 0; i < n; i++) {
        double *bi = &b(i, 0); /* row pointers: the compiler can vectorize the j loops */
        for (int k = 0; k < i; k++) {
          const double lik = l(i, k);
          const double *bk = &b(k, 0);
          for (int j = j0; j < j1; j++) bi[j] -= lik * bk[j];
        }
        for (int j = j0; j < j1; j++) bi[j] /= l(i, i);
      }
    });
    print_mat("x", b);
  }
  Kokkos::finalize();
  return 0;
}
