/* iamax (Kokkos): first index of the largest |x[i]|, a parallel_reduce with a max-value/first-index reducer */
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cmath>
#include <cstdlib>

/* MaxLoc keeps either index on ties; this reduction keeps the smallest index, as the sequential loop does. */
struct FirstAbsMax {
  using value_type = Kokkos::ValLocScalar<double, int>;
  Kokkos::View<const double *> x;
  KOKKOS_INLINE_FUNCTION void operator()(const int i, value_type &best) const {
    double a = fabs(x(i));
    if (a > best.val || (a == best.val && i < best.loc)) {
      best.val = a;
      best.loc = i;
    }
  }
  KOKKOS_INLINE_FUNCTION void join(volatile value_type &dst, const volatile value_type &src) const {
    if (src.val > dst.val || (src.val == dst.val && src.loc < dst.loc)) {
      dst.val = src.val;
      dst.loc = src.loc;
    }
  }
  KOKKOS_INLINE_FUNCTION void init(value_type &best) const {
    best.val = -1.0;
    best.loc = 0;
  }
};

int main(int argc, char **argv) {
  Kokkos::initialize(argc, argv);
  {
    int n = argc > 1 ? atoi(argv[1]) : 1000000;
    Kokkos::View<double *> x(Kokkos::view_alloc(Kokkos::WithoutInitializing, "x"), n);
    Kokkos::parallel_for("init", n, KOKKOS_LAMBDA(const int i) {
      x(i) = ((int)(((long)i * 7919 + 13) % 10007) - 4000) * 0.001;
    });
    FirstAbsMax::value_type best;
    Kokkos::parallel_reduce("iamax", n, FirstAbsMax{x}, best);
    printf("iamax %d\n", best.loc);
    printf("amax %.12e\n", best.val);
  }
  Kokkos::finalize();
  return 0;
}
