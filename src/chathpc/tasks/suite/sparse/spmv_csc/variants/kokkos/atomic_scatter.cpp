/* spmv_csc (Kokkos variant): every scattered add into y is a Kokkos::atomic_add instead of going through a ScatterView; on CPU threads each atomic is a locked compare-and-swap */
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
    Kokkos::View<int *> colptr(Kokkos::view_alloc(Kokkos::WithoutInitializing, "colptr"), n + 1);
    Kokkos::parallel_scan("colptr", n + 1, KOKKOS_LAMBDA(const int j, int &upd, const bool final) {
      if (final) colptr(j) = upd;
      if (j < n) upd += 3 + j % 4;
    });
    int nnz = 0;
    Kokkos::deep_copy(nnz, Kokkos::subview(colptr, n));
    Kokkos::View<int *> row("row", nnz);
    Kokkos::View<double *> val("val", nnz), x("x", n), y("y", n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int j) {
      x(j) = 1.0 + (j % 13) * 0.125;
      for (int k = 0; k < 3 + j % 4; k++) {
        row(colptr(j) + k) = (int)(((long)j * (2 * k + 1) + 11 * k) % n);
        val(colptr(j) + k) = 1.0 + ((j + 2 * k) % 7) * 0.25;
      }
    });
    Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int j) {
      for (int p = colptr(j); p < colptr(j + 1); p++) Kokkos::atomic_add(&y(row(p)), val(p) * x(j));
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
