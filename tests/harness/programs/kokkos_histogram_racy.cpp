// Kokkos scatter with a data race: bins incremented without Kokkos::atomic_add (or a ScatterView).
#include <Kokkos_Core.hpp>
#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000, r = argc > 2 ? atol(argv[2]) : 1;
    Kokkos::initialize(argc, argv);
    {
        Kokkos::View<long *> bins("bins", 4);
        for (long k = 0; k < r; k++)
            Kokkos::parallel_for("scatter", n, KOKKOS_LAMBDA(const long i) { bins((unsigned)((unsigned)i * 2654435761u) >> 30) += 1; });
        auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bins);
        for (int b = 0; b < 4; b++) printf("bin %d %ld\n", b, host(b));
    }
    Kokkos::finalize();
    return 0;
}
