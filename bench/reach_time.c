/*
 * reach_time CORE [RUNS]: how long the reach and owners stages take beside
 * the heap walk they follow, on one core.  Runs the analyze stages up to
 * the heap walk as `memsnap analyze` does, then RUNS times (default 5) a
 * heap walk, a reach pass and an owners pass right after it, so each run
 * sees the same machine load, and prints the best time of each and the
 * median of the runs' ratios to the heap walk, the figures the issues set
 * goals for (reach <= heap walk, issue 6; owners <= 0.5 x heap walk, issue
 * 13), and the owners stage's peak memory beyond what was there before it
 * (VmHWM reset through /proc/self/clear_refs, proc(5)), per chunk; then
 * the same owners ratio in CPU time of this thread (both stages run on it
 * alone), which on a machine shared with other work moves less than wall
 * time does:
 *
 *   chunks 1048576 used 786432 refs 1234567 holders 1234
 *   heap_walk_ms 812.3 reach_ms 640.1 (best of 5) ratio 0.79 (median)
 *   owners_ms 300.2 (best of 5) ratio 0.37 (median) peak_added 15.2 MiB = 15.2 bytes/chunk
 *   cpu heap_walk_ms 790.1 owners_ms 290.0 (best of 5) ratio 0.37 (median) 0.36-0.40 (range)
 *
 * Stage timing only: no database is written.  Run by bench/reach.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/stages.h"
#include "common/log.h"

static double clock_ms(clockid_t clock)
{
        struct timespec t;
        clock_gettime(clock, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static double now_ms(void)
{
        return clock_ms(CLOCK_MONOTONIC);
}

static double cpu_ms(void)
{
        return clock_ms(CLOCK_THREAD_CPUTIME_ID);
}

/* A /proc/self/status figure in KiB (VmRSS, VmHWM), or -1. */
static long status_kb(const char *key)
{
        FILE *f = fopen("/proc/self/status", "r");
        char line[256];
        long kb = -1;
        size_t n = strlen(key);
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, key, n) == 0 && line[n] == ':')
                        kb = atol(line + n + 1);
        if (f)
                fclose(f);
        return kb;
}

/* proc(5): writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS. */
static void reset_peak(void)
{
        FILE *f = fopen("/proc/self/clear_refs", "w");
        if (f) {
                fputs("5", f);
                fclose(f);
        }
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
        /* A fixed threshold: large arrays are mmapped and go back to the kernel when freed, so RSS shows them. */
        mallopt(M_MMAP_THRESHOLD, 128 << 10);
        a.opt.core_path = argv[1];
        a.opt.db_path = "/dev/null";
        a.opt.quiet = true;
        a.opt.max_frames = 1;
        if (analysis_run(&a, STAGE_SEGMENTS) < 0)
                return 1;

        double best_heap = 1e300, best_reach = 1e300, best_owners = 1e300, ratio[64], owners_ratio[64];
        double best_heap_cpu = 1e300, best_owners_cpu = 1e300, cpu_ratio[64];
        long peak_added_kb = -1;
        if (runs > 64)
                runs = 64;
        for (int i = 0; i < runs; i++) {
                analysis_reset_from(&a, STAGE_HEAP);
                double c0 = cpu_ms(), t0 = now_ms();
                if (analysis_run(&a, STAGE_HEAP) < 0)
                        return 1;
                double t1 = now_ms(), c1 = cpu_ms();
                if (analysis_run(&a, STAGE_REACH) < 0)
                        return 1;
                double t2 = now_ms();
                long rss = status_kb("VmRSS");
                reset_peak();
                double c3 = cpu_ms(), t3 = now_ms();
                if (analysis_run(&a, STAGE_OWNERS) < 0)
                        return 1;
                double t4 = now_ms(), c4 = cpu_ms();
                long hwm = status_kb("VmHWM");
                if (rss >= 0 && hwm >= rss && (peak_added_kb < 0 || hwm - rss > peak_added_kb))
                        peak_added_kb = hwm - rss;
                best_heap = t1 - t0 < best_heap ? t1 - t0 : best_heap;
                best_reach = t2 - t1 < best_reach ? t2 - t1 : best_reach;
                best_owners = t4 - t3 < best_owners ? t4 - t3 : best_owners;
                ratio[i] = t1 > t0 ? (t2 - t1) / (t1 - t0) : 0;
                owners_ratio[i] = t1 > t0 ? (t4 - t3) / (t1 - t0) : 0;
                best_heap_cpu = c1 - c0 < best_heap_cpu ? c1 - c0 : best_heap_cpu;
                best_owners_cpu = c4 - c3 < best_owners_cpu ? c4 - c3 : best_owners_cpu;
                cpu_ratio[i] = c1 > c0 ? (c4 - c3) / (c1 - c0) : 0;
        }
        qsort(ratio, (size_t)runs, sizeof(ratio[0]), cmp_double);
        qsort(owners_ratio, (size_t)runs, sizeof(owners_ratio[0]), cmp_double);
        qsort(cpu_ratio, (size_t)runs, sizeof(cpu_ratio[0]), cmp_double);

        size_t used = 0;
        for (size_t i = 0; i < a.heap.nchunks; i++)
                used += a.heap.chunks[i].state == CHUNK_USED;
        printf("chunks %zu used %zu refs %zu holders %zu\n", a.heap.nchunks, used, a.reach.nrefs, a.owners.nholders);
        printf("heap_walk_ms %.1f reach_ms %.1f (best of %d) ratio %.2f (median)\n", best_heap, best_reach, runs,
               ratio[runs / 2]);
        printf("owners_ms %.1f (best of %d) ratio %.2f (median) peak_added %.1f MiB = %.1f bytes/chunk\n", best_owners,
               runs, owners_ratio[runs / 2], peak_added_kb / 1024.0,
               a.heap.nchunks ? peak_added_kb * 1024.0 / (double)a.heap.nchunks : 0.0);
        printf("cpu heap_walk_ms %.1f owners_ms %.1f (best of %d) ratio %.2f (median) %.2f-%.2f (range)\n", best_heap_cpu,
               best_owners_cpu, runs, cpu_ratio[runs / 2], cpu_ratio[0], cpu_ratio[runs - 1]);
        return 0;
}
