/*
 * A one-line progress bar on stderr for jobs that take more than a second:
 * "capture  [#########.......]  412 MiB / 1.00 GiB  820 MiB/s".
 * It shows only when stderr is a terminal and the caller is not quiet, and
 * only once the job has run for a second, so short jobs print nothing.
 */
#ifndef MEMSNAP_PROGRESS_H
#define MEMSNAP_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* capture/ptrace_stop.c and capture/capture.c still take timespec_diff_ms from here. */
#include "timespec.h"

struct progress {
        const char *label;
        uint64_t total;          /* units of work; bytes when `bytes` is set */
        uint64_t done;
        bool bytes;              /* print amounts as sizes, not counts */
        bool enabled;            /* stderr is a tty and not quiet */
        bool shown;              /* a line has been drawn and must be cleared */
        struct timespec started;
        struct timespec last;    /* when the line was last redrawn */
};

void progress_begin(struct progress *p, const char *label, uint64_t total, bool bytes, bool quiet);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p);

#endif
