/* spmv_csr (Kokkos): y = A*x for a CSR matrix with 3-6 entries per row; row pointers by parallel_scan, one row per work item */
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
    int n = argc > 1 ? atoi(argv[1]) : 4000000;
    Kokkos::View<int *> rowptr(Kokkos::view_alloc(Kokkos::WithoutInitializing, "rowptr"), n + 1);
    Kokkos::parallel_scan("rowptr", n + 1, KOKKOS_LAMBDA(const int i, int &upd, const bool final) {
      if (final) rowptr(i) = upd;
      if (i < n) upd += 3 + i % 4;
    });
    int nnz = 0;
    Kokkos::deep_copy(nnz, Kokkos::subview(rowptr, n));
    Kokkos::View<int *> col(Kokkos::view_alloc(Kokkos::WithoutInitializing, "col"), nnz);
    Kokkos::View<double *> val(Kokkos::view_alloc(Kokkos::WithoutInitializing, "val"), nnz);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      for (int k = 0; k < 3 + i % 4; k++) {
        col(rowptr(i) + k) = (int)(((long)i * (2 * k + 1) + 17 * k) % n);
        val(rowptr(i) + k) = 1.0 + ((i + k) % 7) * 0.25;
      }
    });
    Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int i) {
      double s = 0.0;
      for (int p = rowptr(i); p < rowptr(i + 1); p++) s += val(p) * x(col(p));
      y(i) = s;
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
