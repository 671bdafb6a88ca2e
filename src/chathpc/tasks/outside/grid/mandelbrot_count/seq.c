/* Count the grid points that stay bounded under z <- z^2 + c.
 * argv: width height max_iter. Output: points inside, total iterations spent, and per-band counts. */
#include <stdio.h>
#include <stdlib.h>

#define BANDS 4

static int escape_time(double cr, double ci, int cap) {
    double zr = 0.0, zi = 0.0;
    int it = 0;
    while (it < cap && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t;
        it++;
    }
    return it;
}

int main(int argc, char **argv) {
    int width = 800, height = 600, cap = 1000;
    if (argc > 3) {
        width = atoi(argv[1]);
        height = atoi(argv[2]);
        cap = atoi(argv[3]);
    }
    long inside = 0, work = 0;
    long band[BANDS] = {0};
    for (int row = 0; row < height; row++) {
        double ci = -1.2 + 2.4 * row / (height > 1 ? height - 1 : 1);
        for (int col = 0; col < width; col++) {
            double cr = -2.0 + 2.6 * col / (width > 1 ? width - 1 : 1);
            int it = escape_time(cr, ci, cap);
            work += it;
            if (it == cap) {
                inside++;
                band[row * BANDS / height]++;
            }
        }
    }
    printf("grid %dx%d cap %d\n", width, height, cap);
    printf("inside %ld of %ld\n", inside, (long)width * height);
    printf("iterations %ld\n", work);
    for (int b = 0; b < BANDS; b++) printf("band %d: %ld\n", b, band[b]);
    return 0;
}
