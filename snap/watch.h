/*
 * `memsnap watch`: snapshots of one live process, one per period (snap.h),
 * each compared with the first (the baseline) and the previous one
 * (watch_compare.h), one line each; the waits between them in
 * watch_wait.h.
 *
 * It ends after --count snapshots, when the target exits, or on SIGINT,
 * SIGTERM or SIGHUP (a snapshot in flight is completed or discarded, never
 * half written), with a summary.  --keep N keeps the baseline and the N-1
 * newest databases; the older ones are removed once compared.
 */
#ifndef MEMSNAP_WATCH_H
#define MEMSNAP_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "snap.h"

/* --every's least: snapshot names have whole seconds (snap.h), two a second would share one. */
#define WATCH_EVERY_MIN_MS 1000

struct watch_options {
        struct snap_options snap;
        uint64_t every_ms;            /* from one snapshot's start to the next one's */
        unsigned count;               /* snapshots to take; 0: until stopped */
        unsigned keep;                /* databases kept at most, the baseline one of them; 0: all */
        bool fail_on_leak;            /* exit 3 when the last snapshot has new definite leaks against the first */
};

/* Runs the watch; returns the exit code (builtin.h). */
int watch_run(const struct watch_options *o);

#endif
