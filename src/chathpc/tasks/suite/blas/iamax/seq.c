/* iamax: first index of the largest |x[i]| (0-based) in a vector of length n */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) x[i] = ((int)(((long)i * 7919 + 13) % 10007) - 4000) * 0.001;
  double amax = -1.0;
  int best = 0;
  for (int i = 0; i < n; i++)
    if (fabs(x[i]) > amax) {
      amax = fabs(x[i]);
      best = i;
    }
  printf("iamax %d\n", best);
  printf("amax %.12e\n", amax);
  free(x);
  return 0;
}
