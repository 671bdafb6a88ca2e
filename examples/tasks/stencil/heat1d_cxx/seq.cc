// Explicit 1-D heat equation: n cells (first argument), s steps (second), both ends held at 0.
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
    const long n = std::atol(argv[1]);
    const int steps = std::atoi(argv[2]);
    std::vector<double> u(n + 2, 0.0), next(n + 2, 0.0);
    for (long i = 1; i <= n; ++i) u[i] = static_cast<double>((i * 37) % 101) / 101.0;
    for (int s = 0; s < steps; ++s) {
        for (long i = 1; i <= n; ++i) next[i] = u[i] + 0.25 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        u.swap(next);
    }
    double checksum = 0.0;
    for (long i = 1; i <= n; ++i) checksum += u[i] * static_cast<double>(i % 7 + 1);
    std::printf("checksum %.12e\nmiddle %.12e\n", checksum, u[(n + 1) / 2]);
    return 0;
}
