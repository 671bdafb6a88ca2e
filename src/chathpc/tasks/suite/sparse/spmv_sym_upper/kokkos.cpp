/* spmv_sym_upper (Kokkos): y = A*x, A symmetric stored as its upper triangle in CSR; rows in parallel, the transposed adds through a ScatterView */
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
    int n = argc > 1 ? atoi(argv[1]) : 5000000;
    Kokkos::View<int *> rowptr(Kokkos::view_alloc(Kokkos::WithoutInitializing, "rowptr"), n + 1);
    Kokkos::parallel_scan("rowptr", n + 1, KOKKOS_LAMBDA(const int i, int &upd, const bool final) {
      if (final) rowptr(i) = upd;
      if (i < n)
        for (int k = 0; k < 5; k++) upd += (i + k * k * (1 + i % 3) < n) ? 1 : 0;
    });
    int nnz = 0;
    Kokkos::deep_copy(nnz, Kokkos::subview(rowptr, n));
    Kokkos::View<int *> col(Kokkos::view_alloc(Kokkos::WithoutInitializing, "col"), nnz);
    Kokkos::View<double *> val(Kokkos::view_alloc(Kokkos::WithoutInitializing, "val"), nnz);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y("y", n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      int p = rowptr(i);
      for (int k = 0; k < 5; k++) {
        int j = i + k * k * (1 + i % 3);
        if (j < n) {
          col(p) = j;
          val(p) = (k == 0 ? 3.0 : 0.5) + ((i + j) % 6) * 0.125;
          p++;
        }
      }
    });
    Kokkos::Experimental::ScatterView<double *> ys(y);
    Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int i) {
      auto acc = ys.access();
      double s = 0.0;
      for (int p = rowptr(i); p < rowptr(i + 1); p++) {
        s += val(p) * x(col(p));
        if (col(p) != i) acc(col(p)) += val(p) * x(i);
      }
      acc(i) += s;
    });
    Kokkos::Experimental::contribute(y, ys);
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
