// Histogram of n "random" numbers in [0,1).  Sample k is a hash of k alone,
// so any subset of samples can be drawn without replaying a generator.
//   hist N BINS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint64_t splitmix(uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double sample(uint64_t k) { return (double)(splitmix(k) >> 11) * 0x1.0p-53; }

int main(int argc, char **argv) {
    long long n = 1000000;
    int bins = 10;
    if (argc > 1) sscanf(argv[1], "%lld", &n);
    if (argc > 2) sscanf(argv[2], "%d", &bins);
    long long *count = calloc((size_t)bins, sizeof *count);
    for (long long k = 0; k < n; k++) {
        int b = (int)(sample((uint64_t)k) * bins);
        count[b]++;
    }
    printf("%lld samples, %d bins\n", n, bins);
    for (int b = 0; b < bins; b++)
        printf("[%.3f, %.3f) %lld\n", (double)b / bins, (double)(b + 1) / bins, count[b]);
    free(count);
    return 0;
}
