/*
 * Copying many spans out of the stopped target with several threads at once.
 *
 * While the target is stopped, the copy is most of the pause, and one
 * thread copies at what one CPU gets out of process_vm_readv (the kernel
 * pins the target's pages and copies them page by page: 2-4 GB/s on a
 * small VM).  The target's own threads are stopped, so its CPUs are idle:
 * the spans are cut into batches (at most IOV_MAX pieces and
 * PARALLEL_READ_BATCH_BYTES each), and the calling thread and its helpers
 * take batches from a shared counter until none is left.  A thread the
 * scheduler holds back simply takes fewer batches, so a busy machine slows
 * the copy down no more than it must.
 *
 * With stream set, each thread reads its batch a slice at a time into a
 * buffer of its own that stays in cache, and streams the slice into place
 * with stores that bypass the cache (stream_copy.h): a third less memory
 * traffic for the same bytes.
 *
 * Every thread has its own memory_reader (its own /proc/PID/mem for the
 * pages process_vm_readv refuses), so the fallback works in each batch.
 * Only the calling thread looks for SIGINT/SIGTERM/SIGHUP and draws the
 * progress bar, between its batches; the helpers inherit the blocked
 * signal mask.  Every helper is joined before the call returns, whatever
 * happened, so the caller can release the target right after.
 */
#ifndef MEMSNAP_PARALLEL_READ_H
#define MEMSNAP_PARALLEL_READ_H

#include <stdbool.h>
#include <stdint.h>

#include "common/progress.h"
#include "interrupt.h"
#include "memory_read.h"

#define PARALLEL_READ_MAX_THREADS 16         /* past this the copy is bound by memory, not CPUs */
#define PARALLEL_READ_BATCH_BYTES (4u << 20) /* the last batch delays the end by one of these */

struct parallel_read {
        struct memory_reader *mem;     /* whose pid, /proc dir and page size every thread uses;
                                          its counters receive every thread's */
        const struct mem_span *spans;
        size_t n;
        unsigned threads;              /* threads to copy with, the caller's included; 0: the default */
        bool stream;                   /* through a cache-sized slice, streamed into place (stream_copy.h) */
        memory_bad_fn bad;             /* called under a lock: it needs none of its own */
        void *bad_ud;
        struct progress *progress;     /* may be NULL */
        uint64_t progress_base;        /* bytes shown as done before these spans */
        struct interrupt_guard *intr;  /* may be NULL */
        unsigned threads_used;         /* out: threads that copied, the caller's included */
};

/* One thread per CPU this process may run on, at least 2, at most PARALLEL_READ_MAX_THREADS. */
unsigned parallel_read_default_threads(void);

/*
 * Fills every span, as memory_read_spans would.  Returns 0 (unreadable
 * pages zeroed and reported through bad), -ESRCH when the process is gone,
 * -EINTR when interrupted, -ENOMEM; none of them logged.  A helper thread
 * that cannot be started leaves its share to the others.
 */
int parallel_read_spans(struct parallel_read *p);

#endif
