/* Computes nothing: for a few seconds rank 0 scans every chathpc-check-* work dir under /tmp for
   files named marker.txt (written by another check running at the same time) and prints them. */
#include <mpi.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int scan(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int hits = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (strcmp(e->d_name, "marker.txt") == 0) {
            FILE *f = fopen(path, "r");
            if (f) {
                char buf[256];
                size_t got = fread(buf, 1, sizeof buf - 1, f);
                buf[got] = 0;
                printf("spied: %s\n", buf);
                fprintf(stderr, "spied: %s\n", buf);
                fclose(f);
                hits++;
            }
        } else if (depth < 4) {
            hits += scan(path, depth + 1);
        }
    }
    closedir(d);
    return hits;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) {
        const char *roots[] = {"/tmp", "/var/tmp", "/dev/shm"};
        for (int round = 0; round < 40; round++) {
            int hits = 0;
            for (int i = 0; i < 3; i++) hits += scan(roots[i], 0);
            if (hits) break;
            usleep(100000);
        }
        (void)argc; (void)argv;
    }
    MPI_Finalize();
    return 0;
}
