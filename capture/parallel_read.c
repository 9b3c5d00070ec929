/*
 * Implementation of parallel_read.h: batches cut up front, taken from a
 * shared counter; each read a cache-sized slice at a time and streamed
 * into place where the machine can (stream_copy.h).
 */
#include "parallel_read.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "stream_copy.h"

#define BATCH_PIECES 1024 /* UIO_MAXIOV: process_vm_readv takes no more iovecs per call */

/* Where a batch starts: a span and a byte offset in it.  Batch k ends where k + 1 starts. */
struct batch_start {
        size_t span;
        uint64_t off;
};

struct copy_job {
        struct parallel_read *p;
        struct batch_start *starts;    /* nbatches + 1: the last is (n, 0) */
        size_t nbatches;
        atomic_size_t next;            /* the next batch to take */
        atomic_uint_fast64_t done;     /* bytes copied so far */
        atomic_int error;              /* the first error; once set, no thread takes another batch */
        pthread_mutex_t bad_lock;      /* serializes p->bad */
};

struct copier {
        struct copy_job *job;
        struct memory_reader mem;      /* this thread's: its /proc/PID/mem, its counters */
        struct mem_span pieces[BATCH_PIECES];  /* the batch */
        uint8_t *slice;                /* STREAM_COPY_SLICE bytes the kernel copies into, or NULL */
        struct mem_span parts[BATCH_PIECES];   /* one slice's worth of the batch, into slice */
        uint8_t *part_dst[BATCH_PIECES];       /* where each part goes */
        pthread_t thread;
        bool started;
};

unsigned parallel_read_default_threads(void)
{
        cpu_set_t set;
        int cpus = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
        if (cpus < 2)
                return 2;
        return MIN((unsigned)cpus, PARALLEL_READ_MAX_THREADS);
}

struct starts {
        struct batch_start *v;
        size_t n, cap;
};

static int starts_push(struct starts *st, size_t span, uint64_t off)
{
        if (ARRAY_RESERVE(st->v, st->cap, st->n + 1) < 0)
                return -ENOMEM;
        st->v[st->n++] = (struct batch_start){ span, off };
        return 0;
}

/* Cuts the spans into batches of at most BATCH_PIECES pieces and PARALLEL_READ_BATCH_BYTES bytes. */
static int cut_batches(struct copy_job *job)
{
        const struct parallel_read *p = job->p;
        _cleanup_free_ struct batch_start *v = NULL;
        struct starts st = { 0 };
        size_t pieces = 0;
        uint64_t bytes = 0, off = 0; /* off: where span i's share of the current batch begins */
        int r = starts_push(&st, 0, 0);

        for (size_t i = 0; r == 0 && i < p->n;) {
                uint64_t left = p->spans[i].len - off;
                uint64_t take = MIN(left, PARALLEL_READ_BATCH_BYTES - bytes);
                pieces += left > 0;
                bytes += take;
                off += take;
                if (off == p->spans[i].len) {
                        i++;
                        off = 0;
                }
                if (bytes == PARALLEL_READ_BATCH_BYTES || pieces == BATCH_PIECES) {
                        r = starts_push(&st, i, off);
                        bytes = 0;
                        pieces = 0;
                }
        }
        /* The end, unless the last batch was cut exactly there. */
        if (r == 0 && st.v[st.n - 1].span < p->n)
                r = starts_push(&st, p->n, 0);
        v = st.v;
        if (r < 0)
                return r;
        job->starts = TAKE_PTR(v);
        job->nbatches = st.n - 1;
        return 0;
}

static void on_bad(void *ud, uint64_t start, uint64_t end, int err)
{
        struct copier *c = ud;
        struct copy_job *job = c->job;

        pthread_mutex_lock(&job->bad_lock);
        job->p->bad(job->p->bad_ud, start, end, err);
        pthread_mutex_unlock(&job->bad_lock);
}

static void fail(struct copy_job *job, int r)
{
        int none = 0;
        atomic_compare_exchange_strong(&job->error, &none, r);
}

/* Reads the batch's n pieces a slice at a time into c->slice, and streams each slice into place. */
static int read_through_slice(struct copier *c, size_t n)
{
        memory_bad_fn bad = c->job->p->bad ? on_bad : NULL;
        size_t i = 0;
        uint64_t off = 0; /* the next byte: offset off of piece i */

        while (i < n) {
                size_t k = 0, used = 0;
                while (i < n && used < STREAM_COPY_SLICE && k < BATCH_PIECES) {
                        const struct mem_span *pc = &c->pieces[i];
                        size_t take = (size_t)MIN(pc->len - off, (uint64_t)(STREAM_COPY_SLICE - used));
                        c->parts[k] = (struct mem_span){ pc->addr + off, take, c->slice + used };
                        c->part_dst[k++] = pc->dst + off;
                        used += take;
                        off += take;
                        if (off == pc->len) {
                                i++;
                                off = 0;
                        }
                }
                int r = memory_read_spans(&c->mem, c->parts, k, bad, c);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < k; j++)
                        stream_copy(c->part_dst[j], c->parts[j].dst, c->parts[j].len);
        }
        /* The caller's thread reads the stage once the helpers are joined: the stores must have landed. */
        stream_copy_fence();
        return 0;
}

/* Copies batch b; returns its bytes, or -errno. */
static int64_t copy_batch(struct copier *c, size_t b)
{
        const struct parallel_read *p = c->job->p;
        const struct batch_start from = c->job->starts[b], to = c->job->starts[b + 1];
        size_t k = 0;
        uint64_t bytes = 0;

        for (size_t i = from.span; i <= to.span && i < p->n; i++) {
                const struct mem_span *sp = &p->spans[i];
                uint64_t start = i == from.span ? from.off : 0;
                uint64_t end = i == to.span ? to.off : sp->len;
                if (end <= start)
                        continue;
                c->pieces[k++] = (struct mem_span){ sp->addr + start, (size_t)(end - start), sp->dst + start };
                bytes += end - start;
        }
        int r = c->slice ? read_through_slice(c, k) : memory_read_spans(&c->mem, c->pieces, k, p->bad ? on_bad : NULL, c);
        return r < 0 ? r : (int64_t)bytes;
}

/* Takes batches until none is left or a thread failed.  The leader also polls signals and shows progress. */
static void copy_batches(struct copier *c, bool leader)
{
        struct copy_job *job = c->job;
        const struct parallel_read *p = job->p;

        while (atomic_load(&job->error) == 0) {
                if (leader && p->intr && interrupt_check(p->intr)) {
                        fail(job, -EINTR);
                        break;
                }
                size_t b = atomic_fetch_add(&job->next, 1);
                if (b >= job->nbatches)
                        break;
                int64_t r = copy_batch(c, b);
                if (r < 0) {
                        fail(job, (int)r);
                        break;
                }
                uint64_t done = atomic_fetch_add(&job->done, (uint64_t)r) + (uint64_t)r;
                if (leader && p->progress)
                        progress_update(p->progress, p->progress_base + done);
        }
}

static void *copier_main(void *arg)
{
        copy_batches(arg, false);
        return NULL;
}

/* Joins the helpers that run, and adds every reader's counters to the caller's. */
static void copiers_finish(struct copier *c, unsigned n, struct memory_reader *mem)
{
        for (unsigned t = 0; t < n; t++) {
                if (c[t].started)
                        pthread_join(c[t].thread, NULL);
                mem->fallback_bytes += c[t].mem.fallback_bytes;
                mem->bad_bytes += c[t].mem.bad_bytes;
                memory_reader_close(&c[t].mem);
                free(c[t].slice);
        }
}

int parallel_read_spans(struct parallel_read *p)
{
        struct copy_job job = { .p = p };
        struct memory_reader *mem = p->mem;

        p->threads_used = 0;
        int r = cut_batches(&job);
        if (r < 0)
                return r;
        _cleanup_free_ struct batch_start *starts = job.starts;
        if (job.nbatches == 0)
                return 0;

        unsigned want = p->threads ? MIN(p->threads, PARALLEL_READ_MAX_THREADS) : parallel_read_default_threads();
        if (want > job.nbatches)
                want = (unsigned)job.nbatches;
        _cleanup_free_ struct copier *c = calloc(want, sizeof(*c));
        if (!c)
                return -ENOMEM;
        pthread_mutex_init(&job.bad_lock, NULL);

        /* c[0] is the calling thread. */
        unsigned n = 0;
        for (unsigned t = 0; t < want; t++) {
                c[t].job = &job;
                memory_reader_init(&c[t].mem, mem->pid, mem->proc_fd, mem->page_size);
                c[t].mem.by_proc_mem = mem->by_proc_mem;
                /* Without a slice the kernel copies straight into place: slower, but still right. */
                if (STREAM_COPY_BYPASSES_CACHE && p->stream)
                        c[t].slice = aligned_alloc(4096, STREAM_COPY_SLICE);
                if (t > 0) {
                        int e = pthread_create(&c[t].thread, NULL, copier_main, &c[t]);
                        if (e != 0) {
                                log_debug("cannot start a copying thread: %s; %u copy", strerror(e), n);
                                free(c[t].slice);
                                break;
                        }
                        c[t].started = true;
                }
                n++;
        }
        p->threads_used = n;
        copy_batches(&c[0], true);
        copiers_finish(c, n, mem);
        pthread_mutex_destroy(&job.bad_lock);
        return atomic_load(&job.error);
}
