/*
 * One snapshot of a live process, from its pid to a database on disk:
 * capture into a core (capture/capture.h), analyze the core
 * (analyze/stages.h), drop the core.  `memsnap snap` takes one; `memsnap
 * watch` takes one per period.  capture/ and analyze/ stay unaware of each
 * other: this folder is where the two meet, through their functions, never
 * by running memsnap again.
 *
 * The files are named NAME.PID.YYYYMMDDTHHMMSSZ.core and .db in the output
 * folder (snap_name.h), so that a listing sorts by time.
 *
 * Whole or nothing: the core and the database are written under temporary
 * names and renamed when complete (common/atomic_file.h); the core is
 * removed once analyzed, and on any failure, unless it is to be kept.
 * SIGINT, SIGTERM and SIGHUP must be blocked by the caller for the whole
 * run (capture/interrupt.h, interrupt_block_early): one that arrives is
 * left pending, and snap_take looks for it between the steps, so a
 * snapshot is either completed or discarded, never cut in half.
 */
#ifndef MEMSNAP_SNAP_H
#define MEMSNAP_SNAP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "capture/capture.h"

struct snap_options {
        const char *dir;              /* output folder ("." when NULL) */
        bool keep_core;               /* leave the core beside the database */
        bool quiet;                   /* errors only */
        struct capture_options capture; /* pid and the capture options; output is set by snap_take */
};

/* What a snapshot left, for the caller's report. */
struct snap_result {
        char *db_path;                /* the database (malloc'd) */
        char *core_path;              /* the core, when kept; else NULL */
        char stamp[24];               /* "2026-12-06T19:30:00Z": when the snapshot began */
        double pause_ms;              /* how long the target was stopped; < 0 unknown */
        int64_t rss_kb;               /* VmRSS at the capture, -1 unknown */
        uint64_t used_bytes;          /* used heap: the used chunks' sizes, as diff sums them */
        uint64_t used_blocks;
};

/*
 * Takes one snapshot of o->capture.pid.  Returns 0 with *res filled, or
 * -errno after a message: -EINTR when an interrupting signal is pending
 * (the snapshot discarded; the signal left pending), -ESRCH when the
 * process is gone.  Nothing is left behind on failure but a kept core.
 */
int snap_take(const struct snap_options *o, struct snap_result *res);

void snap_result_free(struct snap_result *res);

#endif
