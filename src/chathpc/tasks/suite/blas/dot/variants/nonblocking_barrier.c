/* dot: rank 0 initializes x and y, sends blocks with MPI_Isend, MPI_Barrier before MPI_Waitall */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = argc > 1 ? atoi(argv[1]) : 1000000;
  int chunk = n / size, rem = n % size;
  int count = chunk + (rank < rem ? 1 : 0);
  double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
  MPI_Request *reqs = malloc(2 * size * sizeof(MPI_Request));
  int nreq = 0;
  if (rank == 0) {
    for (int i = 0; i < n; i++) {
      x[i] = 1.0 + (i % 13) * 0.125;
      y[i] = 2.0 + (i % 11) * 0.25;
    }
    int offset = count;
    for (int r = 1; r < size; r++) {
      int c = chunk + (r < rem ? 1 : 0);
      MPI_Isend(x + offset, c, MPI_DOUBLE, r, 0, MPI_COMM_WORLD, &reqs[nreq++]);
      MPI_Isend(y + offset, c, MPI_DOUBLE, r, 1, MPI_COMM_WORLD, &reqs[nreq++]);
      offset += c;
    }
  } else {
    MPI_Irecv(x, count, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, &reqs[nreq++]);
    MPI_Irecv(y, count, MPI_DOUBLE, 0, 1, MPI_COMM_WORLD, &reqs[nreq++]);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Waitall(nreq, reqs, MPI_STATUSES_IGNORE);
  double local = 0.0;
  for (int i = 0; i < count; i++) local += x[i] * y[i];
  if (rank == 0) {
    double s = local, part;
    for (int r = 1; r < size; r++) {
      MPI_Recv(&part, 1, MPI_DOUBLE, r, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      s += part;
    }
    printf("dot %.12e\n", s);
  } else {
    MPI_Request req;
    MPI_Isend(&local, 1, MPI_DOUBLE, 0, 2, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  free(reqs);
  free(x);
  free(y);
  MPI_Finalize();
  return 0;
}
