/* Weighted 2D 5-point Jacobi on a 2D Cartesian process grid: row halos contiguous, column halos as an MPI_Type_vector; hybrid: OpenMP threads split each rank's rows inside one parallel region around the sweeps, the four halo exchanges done by the master thread (MPI_THREAD_FUNNELED) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int block_lo(int r, int n, int size) { return (int)((long)r * n / size); }

int main(int argc, char **argv) {
  int provided, rank, size;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (provided < MPI_THREAD_FUNNELED) MPI_Abort(MPI_COMM_WORLD, 1);
  int ny = argc > 1 ? atoi(argv[1]) : 2000;
  int nx = argc > 2 ? atoi(argv[2]) : 2000;
  int steps = argc > 3 ? atoi(argv[3]) : 60;
  int dims[2] = {0, 0}, periods[2] = {0, 0}, coords[2];
  MPI_Dims_create(size, 2, dims);
  if (ny < dims[0] || nx < dims[1]) MPI_Abort(MPI_COMM_WORLD, 1);
  MPI_Comm cart;
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
  MPI_Cart_coords(cart, rank, 2, coords);
  int north, south, west, east;
  MPI_Cart_shift(cart, 0, 1, &north, &south);
  MPI_Cart_shift(cart, 1, 1, &west, &east);
  int r0 = block_lo(coords[0], ny, dims[0]), r1 = block_lo(coords[0] + 1, ny, dims[0]), mr = r1 - r0;
  int c0 = block_lo(coords[1], nx, dims[1]), c1 = block_lo(coords[1] + 1, nx, dims[1]), mc = c1 - c0, w = mc + 2;
  double *u = calloc((size_t)(mr + 2) * w, sizeof(double));
  double *v = calloc((size_t)(mr + 2) * w, sizeof(double));
#pragma omp parallel for
  for (int i = r0; i < r1; i++)
    for (int j = c0; j < c1; j++) u[(size_t)(i - r0 + 1) * w + j - c0 + 1] = v[(size_t)(i - r0 + 1) * w + j - c0 + 1] = 1.0 + ((i + 4 * j) % 13) * 0.125;
  MPI_Datatype column;
  MPI_Type_vector(mr, 1, w, MPI_DOUBLE, &column);
  MPI_Type_commit(&column);
  int ifirst = r0 > 1 ? r0 : 1, ilast = r1 < ny - 1 ? r1 : ny - 1;
  int jfirst = c0 > 1 ? c0 : 1, jlast = c1 < nx - 1 ? c1 : nx - 1;
#pragma omp parallel
  {
    double *a = u, *b = v;
    for (int s = 0; s < steps; s++) {
#pragma omp master
      {
        MPI_Sendrecv(&a[w + 1], mc, MPI_DOUBLE, north, 0, &a[(size_t)(mr + 1) * w + 1], mc, MPI_DOUBLE, south, 0, cart, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[(size_t)mr * w + 1], mc, MPI_DOUBLE, south, 1, &a[1], mc, MPI_DOUBLE, north, 1, cart, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[w + 1], 1, column, west, 2, &a[w + mc + 1], 1, column, east, 2, cart, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&a[w + mc], 1, column, east, 3, &a[w], 1, column, west, 3, cart, MPI_STATUS_IGNORE);
      }
#pragma omp barrier
#pragma omp for
      for (int i = ifirst; i < ilast; i++)
        for (int j = jfirst; j < jlast; j++) {
          size_t c = (size_t)(i - r0 + 1) * w + j - c0 + 1;
          b[c] = 0.4 * a[c] + 0.15 * (a[c - w] + a[c + w] + a[c - 1] + a[c + 1]);
        }
      double *tmp = a;
      a = b;
      b = tmp;
    }
  }
  if (steps % 2) {
    double *tmp = u;
    u = v;
    v = tmp;
  }
  double out[10] = {0.0}, s = 0.0, ws = 0.0;
#pragma omp parallel for reduction(+:s, ws)
  for (int i = r0; i < r1; i++)
    for (int j = c0; j < c1; j++) {
      s += u[(size_t)(i - r0 + 1) * w + j - c0 + 1];
      ws += ((i + j) % 7 + 1) * u[(size_t)(i - r0 + 1) * w + j - c0 + 1];
    }
  out[0] = s;
  out[1] = ws;
  for (int k = 0; k < 8; k++)
    if (k * ny / 8 >= r0 && k * ny / 8 < r1 && nx / 2 >= c0 && nx / 2 < c1) out[2 + k] = u[(size_t)(k * ny / 8 - r0 + 1) * w + nx / 2 - c0 + 1];
  MPI_Reduce(rank == 0 ? MPI_IN_PLACE : out, out, 10, MPI_DOUBLE, MPI_SUM, 0, cart);
  if (rank == 0) {
    printf("sum %.12e\n", out[0]);
    printf("wsum %.12e\n", out[1]);
    for (int k = 0; k < 8; k++) printf("u[%d][%d] %.12e\n", k * ny / 8, nx / 2, out[2 + k]);
  }
  MPI_Type_free(&column);
  MPI_Comm_free(&cart);
  free(u); free(v);
  MPI_Finalize();
  return 0;
}
