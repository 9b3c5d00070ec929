/*
 * One capture, from a pid to a core file on disk:
 *
 *   1. before the stop: check the target (exists, not traced, not a kernel
 *      thread), open the output, map the stage;
 *   2. stop every thread (ptrace_stop.c), read registers and /proc
 *      (target_info.c), classify and select mappings (segment_select.c),
 *      plan the bytes (dump_plan.c), unwind stacks if asked
 *      (live_stacks.c), copy memory (dump_read.c), or, by fork, make
 *      the target clone itself (fork_child.c) and copy only the mappings
 *      the clone does not hold as they are now (fork_mapping.c);
 *   3. let the target go; by fork, copy the rest from the clone, kill it,
 *      and have the target reap it (fork_reap.c);
 *   4. build the notes, write the file (core_output.c), sync it and give it
 *      its name.
 *
 * The target runs again before anything is written, unless the stage is
 * too small.  On every error path, and on SIGINT/SIGTERM/SIGHUP, the target
 * is released and nothing is left under the output name.
 */
#ifndef MEMSNAP_CAPTURE_H
#define MEMSNAP_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "segment_select.h"

/* How memory is taken (docs/capture.md). */
enum capture_method {
        CAPTURE_METHOD_AUTO,   /* fork when it may, and the memory is worth it; else stop */
        CAPTURE_METHOD_STOP,   /* copy while every thread is stopped */
        CAPTURE_METHOD_FORK,   /* a copy-on-write child, read after the target runs again */
};

struct capture_options {
        pid_t pid;
        const char *output;          /* NULL: "core.PID" in the current folder */
        bool force;                  /* replace an existing output */
        bool quiet;                  /* no progress, no summary */
        bool stacks;                 /* record live stacks (MEMSNAP stacks note) */
        unsigned max_frames;         /* for stacks; 0 = no cap */
        bool read_swapped;           /* read swapped-out pages (swaps them in) */
        uint64_t stage_limit;        /* bytes, when stage_limit_given */
        bool stage_limit_given;      /* else stage_default_limit() */
        unsigned copy_threads;       /* threads copying memory during the stop; 0: one per CPU */
        enum capture_method method;
        struct select_options select;
};

/* Runs one capture.  Returns 0, or -errno after a message that says why. */
int capture_run(const struct capture_options *o);

#endif
