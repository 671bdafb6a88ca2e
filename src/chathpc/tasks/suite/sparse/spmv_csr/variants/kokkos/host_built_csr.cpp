/* spmv_csr (Kokkos variant): the CSR arrays and x are built by a serial loop on host mirrors and deep_copy-ed to the device; only the product runs in parallel */
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
    Kokkos::View<int *> rowptr("rowptr", n + 1);
    auto h_rowptr = Kokkos::create_mirror_view(rowptr);
    h_rowptr(0) = 0;
    for (int i = 0; i < n; i++) h_rowptr(i + 1) = h_rowptr(i) + 3 + i % 4;
    int nnz = h_rowptr(n);
    Kokkos::View<int *> col("col", nnz);
    Kokkos::View<double *> val("val", nnz), x("x", n), y("y", n);
    auto h_col = Kokkos::create_mirror_view(col);
    auto h_val = Kokkos::create_mirror_view(val);
    auto h_x = Kokkos::create_mirror_view(x);
    for (int i = 0; i < n; i++) {
      h_x(i) = 1.0 + (i % 13) * 0.125;
      for (int k = 0; k < 3 + i % 4; k++) {
        h_col(h_rowptr(i) + k) = (int)(((long)i * (2 * k + 1) + 17 * k) % n);
        h_val(h_rowptr(i) + k) = 1.0 + ((i + k) % 7) * 0.25;
      }
    }
    Kokkos::deep_copy(rowptr, h_rowptr);
    Kokkos::deep_copy(col, h_col);
    Kokkos::deep_copy(val, h_val);
    Kokkos::deep_copy(x, h_x);
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
