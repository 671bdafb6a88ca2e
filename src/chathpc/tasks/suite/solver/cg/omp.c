/* Conjugate gradient for A x = b, A = 4.05 I - (4 grid neighbours) on an n x n grid, fixed number of iterations; OpenMP: one parallel region around all iterations, p.Ap fused into the stencil loop, dot products as reductions */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  int iters = argc > 2 ? atoi(argv[2]) : 100;
  int every = iters >= 4 ? iters / 4 : 1;
  size_t N = (size_t)n * n;
  double *x = malloc(N * sizeof(double)), *r = malloc(N * sizeof(double));
  double *p = malloc(N * sizeof(double)), *q = malloc(N * sizeof(double));
  double rr = 0.0, pq = 0.0, rr_new = 0.0, sum = 0.0, wsum = 0.0;
#pragma omp parallel
  {
#pragma omp for reduction(+:rr)
    for (size_t i = 0; i < N; i++) {
      x[i] = 0.0;
      r[i] = p[i] = 1.0 + (i % 13) * 0.125;
      rr += r[i] * r[i];
    }
#pragma omp single
    printf("iter 0 res %.12e\n", sqrt(rr));
    for (int it = 1; it <= iters; it++) {
#pragma omp for reduction(+:pq)
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
          size_t c = (size_t)i * n + j;
          double s = 4.05 * p[c];
          if (i > 0) s -= p[c - n];
          if (i < n - 1) s -= p[c + n];
          if (j > 0) s -= p[c - 1];
          if (j < n - 1) s -= p[c + 1];
          q[c] = s;
          pq += p[c] * s;
        }
      double alpha = rr / pq;
#pragma omp for reduction(+:rr_new)
      for (size_t i = 0; i < N; i++) {
        x[i] += alpha * p[i];
        r[i] -= alpha * q[i];
        rr_new += r[i] * r[i];
      }
      double beta = rr_new / rr;
#pragma omp for
      for (size_t i = 0; i < N; i++) p[i] = r[i] + beta * p[i];
#pragma omp single
      {
        rr = rr_new;
        pq = rr_new = 0.0;
        if (it % every == 0) printf("iter %d res %.12e\n", it, sqrt(rr));
      }
    }
#pragma omp for reduction(+:sum, wsum)
    for (size_t i = 0; i < N; i++) {
      sum += x[i];
      wsum += (i % 7 + 1) * x[i];
    }
  }
  printf("sum %.12e\n", sum);
  printf("wsum %.12e\n", wsum);
  for (int k = 0; k < 8; k++) printf("x[%d] %.12e\n", k * n / 8, x[(size_t)(k * n / 8) * n + n / 2]);
  free(x); free(r); free(p); free(q);
  return 0;
}
