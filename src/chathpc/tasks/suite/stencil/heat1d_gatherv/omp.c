/* Explicit 1D heat steps with fixed ends; the final temperature profile is printed at 16 points; OpenMP: one parallel region around all steps, each thread swapping its own pointers after the loop's barrier */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  int steps = argc > 2 ? atoi(argv[2]) : 600;
  double *t = malloc(n * sizeof(double));
  double *tn = malloc(n * sizeof(double));
  double total = 0.0;
#pragma omp parallel
  {
    double *a = t, *b = tn;
#pragma omp for
    for (int i = 0; i < n; i++) a[i] = b[i] = 2.0 + (i % 17) * 0.0625;
    for (int s = 0; s < steps; s++) {
#pragma omp for
      for (int i = 1; i < n - 1; i++) b[i] = a[i] + 0.25 * (a[i - 1] - 2.0 * a[i] + a[i + 1]);
      double *tmp = a;
      a = b;
      b = tmp;
    }
#pragma omp for reduction(+:total)
    for (int i = 0; i < n; i++) total += a[i];
  }
  if (steps % 2) {
    double *tmp = t;
    t = tn;
    tn = tmp;
  }
  printf("total %.12e\n", total);
  for (int k = 0; k < 16; k++) printf("t[%d] %.12e\n", k * (n - 1) / 15, t[k * (n - 1) / 15]);
  free(t); free(tn);
  return 0;
}
