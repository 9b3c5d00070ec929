/*
 * heap_time CORE DB [RUNS]: how fast the heap stage is, alone, with the
 * reach stage after it and with the database write, on one core.  Runs the
 * analyze stages up to the segments as `memsnap analyze` does, then the
 * heap walk RUNS times (default 5) from scratch (analysis_reset_from undoes
 * it between runs), then the reach stage once,
 * then writes the database once to DB, and prints CPU and wall times with
 * chunks per second:
 *
 *   chunks 1250021 arenas 5 heaps 16 tcaches 5 refs 833373 warnings 0
 *   heap_walk  cpu  412.2 ms  wall  475.7 ms  (best of 5)   3032680 chunks/s (cpu)
 *   reach      cpu  ...
 *   db_write   cpu  ...
 *   all three  cpu  ...
 *
 * The database write runs helper threads, so its CPU time can exceed its
 * wall time; both are shown.  Run by bench/heap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyze/stages.h"
#include "common/log.h"

struct times {
        double cpu_ms, wall_ms;
};

static double ms_of(clockid_t id)
{
        struct timespec t;
        clock_gettime(id, &t);
        return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static struct times now(void) { return (struct times){ ms_of(CLOCK_PROCESS_CPUTIME_ID), ms_of(CLOCK_MONOTONIC) }; }

static struct times since(struct times t0)
{
        struct times t = now();
        return (struct times){ t.cpu_ms - t0.cpu_ms, t.wall_ms - t0.wall_ms };
}

static void row(const char *what, struct times t, size_t chunks, const char *note)
{
        printf("%-10s cpu %9.1f ms  wall %9.1f ms  %-14s %10.0f chunks/s (cpu) %10.0f chunks/s (wall)\n", what,
               t.cpu_ms, t.wall_ms, note, chunks / (t.cpu_ms / 1e3), chunks / (t.wall_ms / 1e3));
}

int main(int argc, char **argv)
{
        struct analysis a = ANALYSIS_INIT;
        int runs = argc > 3 ? atoi(argv[3]) : 5;

        if (argc < 3 || runs < 1) {
                fprintf(stderr, "usage: heap_time CORE DB [RUNS]\n");
                return 2;
        }
        /* MEMSNAP_DEBUG=1, as for memsnap: the database's steps with their times */
        log_set_level(getenv("MEMSNAP_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
        a.opt.core_path = argv[1];
        a.opt.db_path = argv[2];
        a.opt.force = true;
        a.opt.quiet = true;
        a.opt.max_frames = 1;
        if (db_write_open(&a) < 0 || analysis_run(&a, STAGE_SEGMENTS) < 0)
                return 1;

        struct times best = { 1e300, 1e300 };
        for (int i = 0; i < runs; i++) {
                analysis_reset_from(&a, STAGE_HEAP);
                struct times t0 = now();
                if (analysis_run(&a, STAGE_HEAP) < 0)
                        return 1;
                struct times t = since(t0);
                if (t.cpu_ms < best.cpu_ms)
                        best = t;
        }
        struct times t0 = now();
        if (analysis_run(&a, STAGE_REACH) < 0)
                return 1;
        struct times reach = since(t0);
        printf("chunks %zu arenas %zu heaps %zu tcaches %zu refs %zu warnings %zu\n", a.heap.nchunks, a.heap.narenas, a.heap.nheaps,
               a.heap.ntcaches, a.reach.nrefs, a.warnings.n);
        t0 = now();
        if (db_write(&a) < 0)
                return 1;
        struct times db = since(t0);
        char note[32];
        snprintf(note, sizeof(note), "(best of %d)", runs);
        row("heap_walk", best, a.heap.nchunks, note);
        row("reach", reach, a.heap.nchunks, "");
        row("db_write", db, a.heap.nchunks, "");
        row("all three",
            (struct times){ best.cpu_ms + reach.cpu_ms + db.cpu_ms, best.wall_ms + reach.wall_ms + db.wall_ms },
            a.heap.nchunks, "");
        return 0;
}
