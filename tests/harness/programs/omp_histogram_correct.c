/* OpenMP histogram: an array reduction (correct at any thread count). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000, r = argc > 2 ? atol(argv[2]) : 1;
    long bins[4] = {0, 0, 0, 0};
    for (long k = 0; k < r; k++) {
        #pragma omp parallel for reduction(+ : bins[:4])
        for (long i = 0; i < n; i++) bins[(unsigned)((unsigned)i * 2654435761u) >> 30]++;
    }
    for (int b = 0; b < 4; b++) printf("bin %d %ld\n", b, bins[b]);
    return 0;
}
