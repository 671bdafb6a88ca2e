// Running totals: scan[i] = a[0] + ... + a[i] over n small signed integers.
// Prints scan at `samples` evenly spaced positions (first and last included).
// Example: scan 101 6
#include <stdio.h>
#include <stdlib.h>

static long long value_at(long long i) { return (i * 7919) % 101 - 50; }

int main(int argc, char **argv) {
    long long n = 1000;
    int samples = 5;
    if (argc > 1) n = atoll(argv[1]);
    if (argc > 2) samples = atoi(argv[2]);
    if (n < 1 || samples < 2) return 1;
    long long *scan = malloc(sizeof(long long) * n);
    long long running = 0;
    long long i = 0;
    while (i < n) {
        running += value_at(i);
        scan[i] = running;
        i++;
    }
    printf("   position      running total\n");
    for (int s = 0; s < samples; s++) {
        long long at = (long long)s * (n - 1) / (samples - 1);
        printf("%11lld %18lld\n", at, scan[at]);
    }
    long long lowest = scan[0];
    for (i = 1; i < n; i++)
        if (scan[i] < lowest) lowest = scan[i];
    printf("lowest running total: %lld\n", lowest);
    free(scan);
    return 0;
}
