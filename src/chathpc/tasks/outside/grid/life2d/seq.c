// Game of Life, B3/S23, cells outside the board are dead.
// life ROWS COLS GENERATIONS -- prints the population after every generation
// and a position-weighted signature of the final board.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned char cell;

typedef struct {
    int rows, cols;
    cell *now, *next; // (rows+2) x (cols+2), with a frame of dead cells
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
            AT(b, b->now, i, j) = (mix((unsigned)((i - 1) * b->cols + (j - 1))) % 3u) == 0u;
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
    board b = {64, 64, NULL, NULL};
    int gens = 10;
    if (argc > 1) b.rows = atoi(argv[1]);
    if (argc > 2) b.cols = atoi(argv[2]);
    if (argc > 3) gens = atoi(argv[3]);
    size_t cells = (size_t)(b.rows + 2) * (b.cols + 2);
    b.now = calloc(cells, 1);
    b.next = calloc(cells, 1);
    seed_board(&b);
    for (int g = 1; g <= gens; g++) {
        long alive = step(&b);
        printf("gen %3d alive %ld\n", g, alive);
    }
    unsigned long long signature = 0;
    for (int i = 1; i <= b.rows; i++)
        for (int j = 1; j <= b.cols; j++)
            if (AT(&b, b.now, i, j)) signature += (unsigned long long)(i * 31 + j * 17) % 1009;
    printf("signature %llu\n", signature);
    free(b.now);
    free(b.next);
    return 0;
}
