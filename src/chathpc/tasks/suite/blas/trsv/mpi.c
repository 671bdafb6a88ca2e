/* trsv: row blocks of L; each rank solves its block in turn, MPI_Bcast of the solved block, later ranks update b */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

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
  int lo = block_lo(rank, n, size), hi = block_lo(rank + 1, n, size);
  double *l = malloc((size_t)(hi - lo) * n * sizeof(double));
  double *b = malloc((hi - lo) * sizeof(double)), *x = malloc(n * sizeof(double));
  for (int i = lo; i < hi; i++) {
    for (int j = 0; j < i; j++) l[(i - lo) * n + j] = ((i + 2 * j) % 17 + 1) * (0.03125 / n);
    l[(i - lo) * n + i] = 2.0 + (i % 5) * 0.25;
    b[i - lo] = 1.0 + (i % 13) * 0.125;
  }
  for (int r = 0; r < size; r++) {
    int rlo = block_lo(r, n, size), rhi = block_lo(r + 1, n, size);
    if (r == rank)
      for (int i = lo; i < hi; i++) {
        double t = b[i - lo];
        for (int j = lo; j < i; j++) t -= l[(i - lo) * n + j] * x[j];
        x[i] = t / l[(i - lo) * n + i];
      }
    MPI_Bcast(x + rlo, rhi - rlo, MPI_DOUBLE, r, MPI_COMM_WORLD);
    if (rank > r)
      for (int i = lo; i < hi; i++)
        for (int j = rlo; j < rhi; j++) b[i - lo] -= l[(i - lo) * n + j] * x[j];
  }
  if (rank == 0) print_vec("x", x, n);
  free(l);
  free(b);
  free(x);
  MPI_Finalize();
  return 0;
}
