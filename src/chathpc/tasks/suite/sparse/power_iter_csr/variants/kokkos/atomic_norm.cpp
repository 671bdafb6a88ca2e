/* power_iter_csr (Kokkos variant): the squared norm is accumulated with atomic_add into a device scalar inside the product kernel (and read back each step) instead of a parallel_reduce; every row contends for one address */
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
    int n = argc > 1 ? atoi(argv[1]) : 1500000;
    int steps = argc > 2 ? atoi(argv[2]) : 20;
    Kokkos::View<int *> rowptr("rowptr", n + 1), col("col", (size_t)n * 4);
    Kokkos::View<double *> val("val", (size_t)n * 4), x("x", n), y("y", n);
    Kokkos::View<double> ss("ss");
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      rowptr(i) = 4 * i;
      x(i) = 1.0;
      for (int k = 0; k < 4; k++) {
        col(4 * i + k) = (int)(((long)i * (k + 1) * 3 + k) % n);
        val(4 * i + k) = 0.5 + ((i + 5 * k) % 6) * 0.25;
      }
      if (i == n - 1) rowptr(n) = 4 * n;
    });
    for (int s = 1; s <= steps; s++) {
      Kokkos::deep_copy(ss, 0.0);
      Kokkos::parallel_for("spmv", n, KOKKOS_LAMBDA(const int i) {
        double acc = 0.0;
        for (int p = rowptr(i); p < rowptr(i + 1); p++) acc += val(p) * x(col(p));
        y(i) = acc;
        Kokkos::atomic_add(&ss(), acc * acc);
      });
      double h_ss = 0.0;
      Kokkos::deep_copy(h_ss, ss);
      const double norm = sqrt(h_ss);
      Kokkos::parallel_for("scale", n, KOKKOS_LAMBDA(const int i) { x(i) = y(i) / norm; });
      printf("step %d norm %.12e\n", s, norm);
    }
    print_vec("x", x);
  }
  Kokkos::finalize();
  return 0;
}
