/* iamax: first index of the largest |x[i]| (0-based) in a vector of length n; OpenMP: each thread scans its block, then the threads' (max, index) pairs are merged once */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  double *x = malloc(n * sizeof(double));
#pragma omp parallel for
  for (int i = 0; i < n; i++) x[i] = ((int)(((long)i * 7919 + 13) % 10007) - 4000) * 0.001;
  double amax = -1.0;
  int best = 0;
#pragma omp parallel
  {
    double my_max = -1.0;
    int my_best = 0;
#pragma omp for nowait
    for (int i = 0; i < n; i++)
      if (fabs(x[i]) > my_max) {
        my_max = fabs(x[i]);
        my_best = i;
      }
#pragma omp critical
    if (my_max > amax || (my_max == amax && my_best < best)) {
      amax = my_max;
      best = my_best;
    }
  }
  printf("iamax %d\n", best);
  printf("amax %.12e\n", amax);
  free(x);
  return 0;
}
