/* y = A*x for a sparse matrix in COO format: rank 0 builds everything, scatters entries, broadcasts x */
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
  int n = argc > 1 ? atoi(argv[1]) : 4000000;
  int nnz = 4 * n;
  int *row = NULL, *col = NULL;
  double *val = NULL;
  double *x = malloc(n * sizeof(double));
  if (rank == 0) {
    row = malloc(nnz * sizeof(int));
    col = malloc(nnz * sizeof(int));
    val = malloc(nnz * sizeof(double));
    for (int i = 0; i < n; i++) x[i] = 1.0 + (i % 13) * 0.125;
    for (int e = 0; e < nnz; e++) {
      row[e] = (int)(((long)e * 5 + e / n) % n);
      col[e] = (int)(((long)e * 3 + 1) % n);
      val[e] = 1.0 + (e % 9) * 0.125;
    }
  }
  MPI_Bcast(x, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  int *counts = malloc(size * sizeof(int)), *displs = malloc(size * sizeof(int));
  for (int r = 0; r < size; r++) {
    displs[r] = block_lo(r, nnz, size);
    counts[r] = block_lo(r + 1, nnz, size) - displs[r];
  }
  int cnt = counts[rank];
  int *lrow = malloc((cnt + 1) * sizeof(int)), *lcol = malloc((cnt + 1) * sizeof(int));
  double *lval = malloc((cnt + 1) * sizeof(double));
  MPI_Scatterv(row, counts, displs, MPI_INT, lrow, cnt, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Scatterv(col, counts, displs, MPI_INT, lcol, cnt, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Scatterv(val, counts, displs, MPI_DOUBLE, lval, cnt, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  double *ypart = calloc(n, sizeof(double));
  double *y = malloc(n * sizeof(double));
  for (int e = 0; e < cnt; e++) ypart[lrow[e]] += lval[e] * x[lcol[e]];
  MPI_Reduce(ypart, y, n, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) print_vec("y", y, n);
  free(row); free(col); free(val); free(x); free(counts); free(displs);
  free(lrow); free(lcol); free(lval); free(ypart); free(y);
  MPI_Finalize();
  return 0;
}
