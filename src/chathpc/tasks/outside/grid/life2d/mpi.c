// Game of Life, B3/S23, cells outside the board are dead; MPI over row blocks.
// Each rank keeps its rows plus one ghost row above and below, swapped with its
// neighbours (MPI_PROC_NULL at the board's edges) before every generation.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

typedef unsigned char cell;

typedef struct {
    int rows, cols, first; // local rows, columns, global index of the first local row
    cell *now, *next;      // (rows+2) x (cols+2)
} board;

#define AT(b, g, i, j) ((g)[(size_t)(i) * ((b)->cols + 2) + (j)])

static unsigned mix(unsigned v) {
    v ^= v >> 16;
    v *= 0x7feb352dU;
    v ^= v >> 15;
    v *= 0x846ca68bU;
    v ^= v >> 16;
    return v;
}

static void seed_board(board *b) {
    for (int i = 1; i <= b->rows; i++)
        for (int j = 1; j <= b->cols; j++)
            AT(b, b->now, i, j) = (mix((unsigned)((b->first + i - 1) * b->cols + (j - 1))) % 3u) == 0u;
}

static void swap_ghosts(board *b, int up, int down) {
    int w = b->cols + 2;
    MPI_Sendrecv(&AT(b, b->now, 1, 0), w, MPI_UNSIGNED_CHAR, up, 0,
                 &AT(b, b->now, b->rows + 1, 0), w, MPI_UNSIGNED_CHAR, down, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&AT(b, b->now, b->rows, 0), w, MPI_UNSIGNED_CHAR, down, 1,
                 &AT(b, b->now, 0, 0), w, MPI_UNSIGNED_CHAR, up, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static long step(board *b) {
    long alive = 0;
    for (int i = 1; i <= b->rows; i++) {
        for (int j = 1; j <= b->cols; j++) {
            int n = AT(b, b->now, i - 1, j - 1) + AT(b, b->now, i - 1, j) + AT(b, b->now, i - 1, j + 1) +
                    AT(b, b->now, i, j - 1) + AT(b, b->now, i, j + 1) +
                    AT(b, b->now, i + 1, j - 1) + AT(b, b->now, i + 1, j) + AT(b, b->now, i + 1, j + 1);
            cell c = AT(b, b->now, i, j);
            cell v = (n == 3) || (c && n == 2);
            AT(b, b->next, i, j) = v;
            alive += v;
        }
    }
    cell *t = b->now;
    b->now = b->next;
    b->next = t;
    return alive;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int total_rows = 64, gens = 10;
    board b = {0, 64, 0, NULL, NULL};
    if (argc > 1) total_rows = atoi(argv[1]);
    if (argc > 2) b.cols = atoi(argv[2]);
    if (argc > 3) gens = atoi(argv[3]);
    int base = total_rows / size, extra = total_rows % size;
    b.rows = base + (rank < extra ? 1 : 0);
    b.first = rank * base + (rank < extra ? rank : extra);
    // Rank r owns rows exactly when r < total_rows: with more ranks than rows the idle ones stay out of the chain.
    int busy = total_rows < size ? total_rows : size;
    int up = rank > 0 && rank < busy ? rank - 1 : MPI_PROC_NULL;
    int down = rank + 1 < busy ? rank + 1 : MPI_PROC_NULL;
    size_t cells = (size_t)(b.rows + 2) * (b.cols + 2);
    b.now = calloc(cells, 1);
    b.next = calloc(cells, 1);
    seed_board(&b);
    for (int g = 1; g <= gens; g++) {
        swap_ghosts(&b, up, down);
        long mine = step(&b), alive = 0;
        MPI_Reduce(&mine, &alive, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("gen %3d alive %ld\n", g, alive);
    }
    unsigned long long mine = 0, signature = 0;
    for (int i = 1; i <= b.rows; i++)
        for (int j = 1; j <= b.cols; j++)
            if (AT(&b, b.now, i, j)) mine += (unsigned long long)((b.first + i) * 31 + j * 17) % 1009;
    MPI_Reduce(&mine, &signature, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("signature %llu\n", signature);
    free(b.now);
    free(b.next);
    MPI_Finalize();
    return 0;
}
