/* spmv_powerlaw_csr (Kokkos): y = A*x for a CSR matrix with heavy-tailed row lengths; row pointers by parallel_scan, rows dealt out dynamically */
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
    using rows = Kokkos::RangePolicy<Kokkos::Schedule<Kokkos::Dynamic>>;
    int n = argc > 1 ? atoi(argv[1]) : 4000000;
    Kokkos::View<int *> first(Kokkos::view_alloc(Kokkos::WithoutInitializing, "first"), n + 1);
    Kokkos::parallel_scan("first", n + 1, KOKKOS_LAMBDA(const int i, int &upd, const bool final) {
      if (final) first(i) = upd;
      if (i < n) upd += 1 + 64 / (1 + i % 64);
    });
    int nnz = 0;
    Kokkos::deep_copy(nnz, Kokkos::subview(first, n));
    Kokkos::View<int *> cols(Kokkos::view_alloc(Kokkos::WithoutInitializing, "cols"), nnz);
    Kokkos::View<double *> vals(Kokkos::view_alloc(Kokkos::WithoutInitializing, "vals"), nnz);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "y"), n);
    Kokkos::parallel_for("init", rows(0, n), KOKKOS_LAMBDA(const int i) {
      x(i) = 1.0 + (i % 13) * 0.125;
      for (int k = 0; k < first(i + 1) - first(i); k++) {
        cols(first(i) + k) = (int)(((long)i * 31 + (long)k * k * 7 + k) % n);
        vals(first(i) + k) = 0.5 + ((i * 3 + k) % 8) * 0.125;
      }
    });
    Kokkos::parallel_for("spmv", rows(0, n), KOKKOS_LAMBDA(const int i) {
      double s = 0.0;
      for (int p = first(i); p < first(i + 1); p++) s += vals(p) * x(cols(p));
      y(i) = s;
    });
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
