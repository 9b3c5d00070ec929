/*
 * reach_time CORE [RUNS]: how long the reach stage takes beside the heap
 * walk it follows, on one core.  Runs the analyze stages up to the heap walk
 * as `memsnap analyze` does, then RUNS times (default 5) a heap walk and a
 * reach pass right after it, so each pair sees the same machine load, and
 * prints the best time of each and the median of the pairs' ratios, the
 * figure the issue sets a goal for (reach <= heap walk):
 *
 *   chunks 1048576 used 786432 refs 1234567
 *   heap_walk_ms 812.3 reach_ms 640.1 (best of 5) ratio 0.79 (median)
 *
 * Stage timing only: no database is written.  Run by bench/reach.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyze/stages.h"
#include "common/log.h"

static double now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *x, const void *y)
{
        double a = *(const double *)x, b = *(const double *)y;
        return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
        struct analysis a = ANALYSIS_INIT;
        int runs = argc > 2 ? atoi(argv[2]) : 5;

        if (argc < 2 || runs < 1) {
                fprintf(stderr, "usage: reach_time CORE [RUNS]\n");
                return 2;
        }
        log_set_level(LOG_LEVEL_ERROR);
        a.opt.core_path = argv[1];
        a.opt.db_path = "/dev/null";
        a.opt.quiet = true;
        a.opt.max_frames = 1;
        if (analysis_run(&a, STAGE_SEGMENTS) < 0)
                return 1;

        double best_heap = 1e300, best_reach = 1e300, ratio[64];
        if (runs > 64)
                runs = 64;
        for (int i = 0; i < runs; i++) {
                analysis_reset_from(&a, STAGE_HEAP);
                double t0 = now_ms();
                if (analysis_run(&a, STAGE_HEAP) < 0)
                        return 1;
                double t1 = now_ms();
                if (analysis_run(&a, STAGE_REACH) < 0)
                        return 1;
                double t2 = now_ms();
                best_heap = t1 - t0 < best_heap ? t1 - t0 : best_heap;
                best_reach = t2 - t1 < best_reach ? t2 - t1 : best_reach;
                ratio[i] = t1 > t0 ? (t2 - t1) / (t1 - t0) : 0;
        }
        qsort(ratio, (size_t)runs, sizeof(ratio[0]), cmp_double);

        size_t used = 0;
        for (size_t i = 0; i < a.heap.nchunks; i++)
                used += a.heap.chunks[i].state == CHUNK_USED;
        printf("chunks %zu used %zu refs %zu\n", a.heap.nchunks, used, a.reach.nrefs);
        printf("heap_walk_ms %.1f reach_ms %.1f (best of %d) ratio %.2f (median)\n", best_heap, best_reach, runs,
               ratio[runs / 2]);
        return 0;
}
