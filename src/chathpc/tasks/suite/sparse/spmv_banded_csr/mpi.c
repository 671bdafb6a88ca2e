/* w = A*v for a banded CSR matrix: block rows per rank, halos of 3 entries of v exchanged with MPI_Sendrecv */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#define H 3

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

static void print_vec(const char *name, const double *v, int lo, int hi, int n, int rank) {
  double out[10] = {0.0};
  for (int i = lo; i < hi; i++) {
    out[0] += v[i - lo];
    out[1] += (i % 7 + 1) * v[i - lo];
  }
  for (int k = 0; k < 8; k++)
    if (k * n / 8 >= lo && k * n / 8 < hi) out[2 + k] = v[k * n / 8 - lo];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("%s sum %.12e wsum %.12e\n", name, out[0], out[1]);
    for (int k = 0; k < 8; k++) printf("%s[%d] %.12e\n", name, k * n / 8, out[2 + k]);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int rows = argc > 1 ? atoi(argv[1]) : 5000000;
  if (rows < H * size) MPI_Abort(MPI_COMM_WORLD, 1);
  int lo = block_lo(rank, rows, size), hi = block_lo(rank + 1, rows, size), m = hi - lo;
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  int *start = malloc((m + 1) * sizeof(int));
  int *idx = malloc((size_t)m * 7 * sizeof(int));
  double *coef = malloc((size_t)m * 7 * sizeof(double));
  double *v = calloc(m + 2 * H, sizeof(double));
  double *w = malloc(m * sizeof(double));
  int nz = 0;
  for (int r = lo; r < hi; r++) {
    start[r - lo] = nz;
    v[H + r - lo] = 0.5 + (r % 11) * 0.25;
    for (int c = r - 3; c <= r + 3; c++)
      if (c >= 0 && c < rows) {
        idx[nz] = c - lo + H;
        coef[nz] = (c == r ? 4.0 : 1.0) + ((r + 2 * c) % 9) * 0.125;
        nz++;
      }
  }
  start[m] = nz;
  MPI_Sendrecv(&v[H], H, MPI_DOUBLE, left, 0, &v[H + m], H, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Sendrecv(&v[m], H, MPI_DOUBLE, right, 1, &v[0], H, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  for (int r = 0; r < m; r++) {
    double acc = 0.0;
    for (int e = start[r]; e < start[r + 1]; e++) acc += coef[e] * v[idx[e]];
    w[r] = acc;
  }
  print_vec("w", w, lo, hi, rows, rank);
  free(start); free(idx); free(coef); free(v); free(w);
  MPI_Finalize();
  return 0;
}
