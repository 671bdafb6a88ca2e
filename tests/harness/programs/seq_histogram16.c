/* Histogram of n pseudo-random values in 16 bins. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000;
  long bins[16] = {0};
  for (long i = 0; i < n; i++) bins[(i * 2654435761u) % 1000 * 16 / 1000]++;
  for (int b = 0; b < 16; b++) printf("bin %d %ld\n", b, bins[b]);
  return 0;
}
