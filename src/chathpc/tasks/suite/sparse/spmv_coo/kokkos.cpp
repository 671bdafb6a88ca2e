/* spmv_coo (Kokkos): y = A*x for a COO matrix with 4n unsorted entries; the scattered adds go through a ScatterView */
#include <Kokkos_Core.hpp>
#include <Kokkos_ScatterView.hpp>
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
    int nnz = 4 * n;
    Kokkos::View<int *> row(Kokkos::view_alloc(Kokkos::WithoutInitializing, "row"), nnz);
    Kokkos::View<int *> col(Kokkos::view_alloc(Kokkos::WithoutInitializing, "col"), nnz);
    Kokkos::View<double *> val(Kokkos::view_alloc(Kokkos::WithoutInitializing, "val"), nnz);
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::View<double *> y("y", n);
    Kokkos::parallel_for("init_x", n, KOKKOS_LAMBDA(const int i) { x(i) = 1.0 + (i % 13) * 0.125; });
    Kokkos::parallel_for("init_coo", nnz, KOKKOS_LAMBDA(const int e) {
      row(e) = (int)(((long)e * 5 + e / n) % n);
      col(e) = (int)(((long)e * 3 + 1) % n);
      val(e) = 1.0 + (e % 9) * 0.125;
    });
    Kokkos::Experimental::ScatterView<double *> ys(y);
    Kokkos::parallel_for("spmv", nnz, KOKKOS_LAMBDA(const int e) {
      auto acc = ys.access();
      acc(row(e)) += val(e) * x(col(e));
    });
    Kokkos::Experimental::contribute(y, ys);
    print_vec("y", y);
  }
  Kokkos::finalize();
  return 0;
}
