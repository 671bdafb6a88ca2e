/* Correct sum; rank 0 first tries to write escape.txt into the real home, the build cache, /tmp and
   /var/tmp, printing which attempts failed. */
#include <mpi.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

static void attempt(const char *dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/escape.txt", dir);
    FILE *f = fopen(path, "w");
    if (f) { fputs("escaped", f); fclose(f); } else perror(path);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        struct passwd *pw = getpwuid(getuid());
        char cache[4096];
        snprintf(cache, sizeof cache, "%s/.cache/chathpc/harness", pw ? pw->pw_dir : "/root");
        attempt(pw ? pw->pw_dir : "/root");
        attempt(cache);
        attempt("/tmp");
        attempt("/var/tmp");
    }
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long base = n / size, extra = n % size;
    long lo = rank * base + (rank < extra ? rank : extra);
    long hi = lo + base + (rank < extra ? 1 : 0);
    double local[2] = {0.0, 0.0}, global[2];
    for (long i = lo; i < hi; i++) {
        double v = value(i);
        local[0] += v;
        if (v > local[1]) local[1] = v;
    }
    MPI_Reduce(&local[0], &global[0], 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    MPI_Reduce(&local[1], &global[1], 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("n %ld\nsum %.12e\nmax %.12e\n", n, global[0], global[1]);
    MPI_Finalize();
    return 0;
}
