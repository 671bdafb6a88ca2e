/* spmv_banded_csr (Kokkos): w = A*v for a banded CSR matrix (columns r-3..r+3); row starts by parallel_scan, one row per work item */
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
    int rows = argc > 1 ? atoi(argv[1]) : 5000000;
    Kokkos::View<int *> start(Kokkos::view_alloc(Kokkos::WithoutInitializing, "start"), rows + 1);
    Kokkos::parallel_scan("start", rows + 1, KOKKOS_LAMBDA(const int r, int &upd, const bool final) {
      if (final) start(r) = upd;
      if (r < rows) upd += (r + 3 < rows ? r + 3 : rows - 1) - (r - 3 > 0 ? r - 3 : 0) + 1;
    });
    int nz = 0;
    Kokkos::deep_copy(nz, Kokkos::subview(start, rows));
    Kokkos::View<int *> idx(Kokkos::view_alloc(Kokkos::WithoutInitializing, "idx"), nz);
    Kokkos::View<double *> coef(Kokkos::view_alloc(Kokkos::WithoutInitializing, "coef"), nz);
    Kokkos::View<double *> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, "v"), rows);
    Kokkos::View<double *> w(Kokkos::view_alloc(Kokkos::WithoutInitializing, "w"), rows);
    Kokkos::parallel_for("init", rows, KOKKOS_LAMBDA(const int r) {
      v(r) = 0.5 + (r % 11) * 0.25;
      int e = start(r);
      for (int c = r - 3; c <= r + 3; c++)
        if (c >= 0 && c < rows) {
          idx(e) = c;
          coef(e) = (c == r ? 4.0 : 1.0) + ((r + 2 * c) % 9) * 0.125;
          e++;
        }
    });
    Kokkos::parallel_for("spmv", rows, KOKKOS_LAMBDA(const int r) {
      double acc = 0.0;
      for (int e = start(r); e < start(r + 1); e++) acc += coef(e) * v(idx(e));
      w(r) = acc;
    });
    print_vec("w", w);
  }
  Kokkos::finalize();
  return 0;
}
