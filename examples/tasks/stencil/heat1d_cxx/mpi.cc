// Explicit 1-D heat equation with MPI: the n cells are block-distributed, one halo cell on each side is
// exchanged every step; rank 0 prints the checksum and the middle cell.
#include <mpi.h>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const long n = std::atol(argv[1]);
    const int steps = std::atoi(argv[2]);
    const long chunk = n / size, extra = n % size;
    const long first = rank * chunk + (rank < extra ? rank : extra) + 1;  // global index of the first own cell
    const long count = chunk + (rank < extra ? 1 : 0);
    std::vector<double> u(count + 2, 0.0), next(count + 2, 0.0);
    for (long j = 1; j <= count; ++j) u[j] = static_cast<double>(((first + j - 1) * 37) % 101) / 101.0;
    const int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
    for (int s = 0; s < steps; ++s) {
        if (count > 0) {
            MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[count + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            MPI_Sendrecv(&u[count], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        for (long j = 1; j <= count; ++j) next[j] = u[j] + 0.25 * (u[j - 1] - 2.0 * u[j] + u[j + 1]);
        u.swap(next);
    }
    double local = 0.0, checksum = 0.0, mid = 0.0, middle = 0.0;
    const long m = (n + 1) / 2;
    for (long j = 1; j <= count; ++j) {
        const long i = first + j - 1;
        local += u[j] * static_cast<double>(i % 7 + 1);
        if (i == m) mid = u[j];
    }
    MPI_Reduce(&local, &checksum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&mid, &middle, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) std::printf("checksum %.12e\nmiddle %.12e\n", checksum, middle);
    MPI_Finalize();
    return 0;
}
