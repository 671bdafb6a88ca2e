/* Sequential reference: sum of i*i mod 1000003 over i < n (argv[1]); rejects n < 4 (as a stencil needing four points would). */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    if (n < 4) {
        fprintf(stderr, "n must be at least 4\n");
        return 1;
    }
    long total = 0;
    for (long i = 0; i < n; i++) total += (i * i) % 1000003;
    printf("n %ld\ntotal %ld\n", n, total);
    return 0;
}
