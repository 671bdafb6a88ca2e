/* symv: lower-triangle rows split by equal area, each rank accumulates a full-length partial y, MPI_Reduce to rank 0 */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int tri_lo(int r, int n, int size) { return (int)(n * sqrt((double)r / size)); }

static void print_vec(const char *name, const double *v, int n) {
  double s = 0.0, ws = 0.0;
  for (int i = 0; i < n; i++) {
    s += v[i];
    ws += (i % 7 + 1) * v[i];
  }
  printf("%s sum %.12e wsum %.12e\n", name, s, ws);
  for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, v[k * n / 8]);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 2000;
  int lo = tri_lo(rank, n, size), hi = tri_lo(rank + 1, n, size);
  double alpha = 1.5, beta = 0.5;
  double *a = malloc((size_t)(hi - lo) * n * sizeof(double));
  double *x = malloc(n * sizeof(double)), *y = calloc(n, sizeof(double));
  for (int j = 0; j < n; j++) x[j] = 1.0 + (j % 13) * 0.125;
  for (int i = lo; i < hi; i++)
    for (int j = 0; j <= i; j++) a[(i - lo) * n + j] = 1.0 + ((i + j) % 17) * 0.0625;
  if (rank == 0)
    for (int i = 0; i < n; i++) y[i] = beta * (2.0 + (i % 11) * 0.25);
  for (int i = lo; i < hi; i++) {
    double t = a[(i - lo) * n + i] * x[i];
    for (int j = 0; j < i; j++) {
      t += a[(i - lo) * n + j] * x[j];
      y[j] += alpha * a[(i - lo) * n + j] * x[i];
    }
    y[i] += alpha * t;
  }
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : y, y, n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) print_vec("y", y, n);
  free(a);
  free(x);
  free(y);
  MPI_Finalize();
  return 0;
}
