/* How many primes lie in [lo, hi]?  Plain trial division by odd numbers.
 * usage: primes LO HI */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static bool is_prime(long v) {
    if (v < 2) return false;
    if (v < 4) return true;
    if (v % 2 == 0) return false;
    for (long d = 3; d * d <= v; d += 2)
        if (v % d == 0) return false;
    return true;
}

int main(int argc, char **argv) {
    long lo = 1, hi = 1000000;
    if (argc == 3) {
        lo = strtol(argv[1], NULL, 10);
        hi = strtol(argv[2], NULL, 10);
    }
    long found = 0, largest = 0;
    long long total = 0;
    for (long v = lo; v <= hi; ++v) {
        if (!is_prime(v)) continue;
        ++found;
        total += v;
        largest = v;
    }
    printf("range [%ld, %ld]\n", lo, hi);
    printf("%ld primes, sum %lld, largest %ld\n", found, total, largest);
    return 0;
}
