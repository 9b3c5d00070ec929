/*
 * churn: a multi-threaded program with a known heap.
 *
 * Each of N worker threads (default 4) mallocs blocks of sizes from 16 B to
 * 1 MiB in its own glibc arena, frees a third of them, and then blocks; the
 * main thread does the same in the main arena.  The frees are arranged so
 * that every kind of free list is populated: tcache (the first 7 frees of
 * each small size class), fastbins (further frees of sizes <= 128 B),
 * unsorted, small and large bins (a malloc that sorts the unsorted list, then
 * a few more frees), and mmapped chunks (blocks >= 128 KiB).  Worker 0 also
 * outgrows its first 64 MiB heap, so its arena has a chain of heaps.
 *
 * It prints its ground truth to stdout, with no allocation of its own:
 *   pid P
 *   thread I TID FUNCTION             one per thread, main is I = -1
 *   held TID ADDR USABLE              every block still allocated
 *   freed TID ADDR USABLE tcache|other   every freed block, and where it went
 *   pattern ADDR LEN                  a buffer whose byte i is (i * 7 + 3) & 0xff
 *   mallinfo2 arena=... keepcost=...  glibc's own figures, taken last
 *   ready
 * and then serves commands on stdin (see sample_io.h) until "quit".
 *
 * usage: churn [-t THREADS] [-n BLOCKS] [-s SEED]
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_io.h"

#define TCACHE_BINS 64         /* glibc malloc.c: TCACHE_MAX_BINS */
#define TCACHE_FILL 7          /* glibc malloc.c: TCACHE_FILL_COUNT */
#define SORT_REQUEST 1000      /* a size class no block uses: see sort_unsorted() */
#define HEAP_OVERFLOW_BLOCK (60 * 1024)
#define HEAP_OVERFLOW_COUNT 1200 /* 70 MiB: more than one 64 MiB arena heap */

struct block {
        void *p;
        size_t usable;
        enum { HELD, FREED_TCACHE, FREED_OTHER } fate;
};

struct worker {
        int index;               /* -1 for the main thread */
        int tid;
        unsigned seed;
        size_t nblocks;
        struct block *blocks;    /* nblocks + overflow + 1 entries */
        size_t count;
        int wait_fd;             /* read end of a pipe nobody writes: blocks until quit */
        pthread_barrier_t *ready;
        pthread_t thread;
};

static uint32_t xorshift(uint32_t *s)
{
        uint32_t x = *s;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return *s = x;
}

/* Sizes from 16 B to 1 MiB, skewed small as real programs are. */
static size_t pick_size(uint32_t *s)
{
        uint32_t r = xorshift(s) % 100;
        size_t size;
        if (r < 50)
                size = 16 + xorshift(s) % 241;          /* tcache and fastbin sizes */
        else if (r < 80)
                size = 257 + xorshift(s) % 3840;        /* small and large bins */
        else if (r < 95)
                size = 4096 + xorshift(s) % (60 * 1024);
        else
                size = 64 * 1024 + xorshift(s) % (960 * 1024 + 1); /* some are mmapped */
        /* Keep SORT_REQUEST's size class free for sort_unsorted(). */
        if (size > SORT_REQUEST - 24 && size <= SORT_REQUEST + 8)
                size = SORT_REQUEST + 40;
        return size;
}

static int is_mmapped(void *p)
{
        /* glibc malloc.c: IS_MMAPPED is bit 1 of the size field before the block. */
        return (((size_t *)p)[-1] & 2) != 0;
}

static int tcache_index(void *p, size_t usable)
{
        if (is_mmapped(p))
                return -1;
        size_t chunk = usable + sizeof(size_t); /* glibc: usable = chunksize - SIZE_SZ */
        if (chunk < 32)
                return -1;
        size_t idx = (chunk - 32) / 16;        /* glibc malloc.c: csize2tidx */
        return idx < TCACHE_BINS ? (int)idx : -1;
}

static void add_block(struct worker *w, void *p, int fate)
{
        w->blocks[w->count++] = (struct block){ p, malloc_usable_size(p), fate };
}

static __attribute__((noinline)) void free_block(struct block *b, unsigned counts[TCACHE_BINS])
{
        int idx = tcache_index(b->p, b->usable);
        if (idx >= 0 && counts[idx] < TCACHE_FILL) {
                counts[idx]++;
                b->fate = FREED_TCACHE;
        } else {
                b->fate = FREED_OTHER;
        }
        free(b->p);
}

/*
 * A small request of an unused size class: it misses tcache and the small
 * bins, so malloc walks the unsorted list and files every chunk into its
 * small or large bin.  (A large request would consolidate the fastbins.)
 */
static __attribute__((noinline)) void sort_unsorted(struct worker *w)
{
        void *p = malloc(SORT_REQUEST);
        memset(p, 0x5a, SORT_REQUEST);
        add_block(w, p, HELD);
}

/*
 * malloc frees behind the program's back: when an arena outgrows a heap,
 * sysmalloc frees the old top chunk, and a small one lands in the thread's
 * tcache.  Taking TCACHE_FILL blocks of every tcache size empties the cache,
 * so the frees that follow fill it exactly as free_block() counts.
 */
static __attribute__((noinline)) void drain_tcache(struct worker *w)
{
        for (size_t idx = 0; idx < TCACHE_BINS; idx++)
                for (int k = 0; k < TCACHE_FILL; k++) {
                        /* glibc malloc.c: tidx2usize — the largest request of bin idx */
                        void *p = malloc(idx * 16 + 24);
                        add_block(w, p, HELD);
                }
}

static __attribute__((noinline)) void churn(struct worker *w)
{
        uint32_t s = w->seed;
        unsigned counts[TCACHE_BINS] = { 0 };
        size_t first = w->count;

        for (size_t i = 0; i < w->nblocks; i++) {
                size_t size = pick_size(&s);
                void *p = malloc(size);
                memset(p, (int)(i & 0xff), size);
                add_block(w, p, HELD);
        }
        if (w->index == 0)
                for (size_t i = 0; i < HEAP_OVERFLOW_COUNT; i++) {
                        void *p = malloc(HEAP_OVERFLOW_BLOCK);
                        memset(p, 0x33, 64);
                        add_block(w, p, HELD);
                }

        drain_tcache(w);

        /* A third of the blocks: tcache first, then fastbins and unsorted. */
        for (size_t i = first; i < first + w->nblocks; i++)
                if (i % 3 == 2)
                        free_block(&w->blocks[i], counts);

        sort_unsorted(w);

        /* A few more frees of sizes beyond tcache stay in the unsorted list. */
        int left = 8;
        for (size_t i = first; i < first + w->nblocks && left; i++) {
                struct block *b = &w->blocks[i];
                if (i % 3 == 0 && b->fate == HELD && b->usable > 1100 && b->usable < 60000 &&
                    !is_mmapped(b->p)) {
                        free_block(b, counts);
                        left--;
                }
        }
}

static __attribute__((noinline)) void worker_block(struct worker *w)
{
        char c;
        /* Nobody writes the pipe: this read returns when main closes it at quit. */
        while (read(w->wait_fd, &c, 1) > 0)
                ;
}

static void *worker_main(void *arg)
{
        struct worker *w = arg;

        w->tid = sample_gettid();
        churn(w);
        pthread_barrier_wait(w->ready);
        worker_block(w);
        return NULL;
}

static void print_truth(const struct worker *w)
{
        for (size_t i = 0; i < w->count; i++) {
                const struct block *b = &w->blocks[i];
                if (b->fate == HELD)
                        say("held %d %p %zu", w->tid, b->p, b->usable);
                else
                        say("freed %d %p %zu %s", w->tid, b->p, b->usable,
                            b->fate == FREED_TCACHE ? "tcache" : "other");
        }
}

int main(int argc, char **argv)
{
        int nthreads = 4, opt;
        size_t nblocks = 3000;
        unsigned seed = 12345;

        while ((opt = getopt(argc, argv, "t:n:s:")) != -1) {
                switch (opt) {
                case 't': nthreads = atoi(optarg); break;
                case 'n': nblocks = strtoul(optarg, NULL, 0); break;
                case 's': seed = (unsigned)strtoul(optarg, NULL, 0); break;
                default:
                        fprintf(stderr, "usage: churn [-t THREADS] [-n BLOCKS] [-s SEED]\n");
                        return 2;
                }
        }
        if (nthreads < 0 || nthreads > 64 || nblocks < 10 || nblocks > 10000000) {
                fprintf(stderr, "churn: -t must be 0..64 and -n 10..10000000\n");
                return 2;
        }

        int pipefd[2];
        if (pipe(pipefd) < 0) {
                perror("churn: pipe");
                return 1;
        }

        pthread_barrier_t ready;
        pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);

        struct worker *workers = calloc((size_t)nthreads + 1, sizeof(*workers));
        for (int i = 0; i <= nthreads; i++) {
                struct worker *w = &workers[i];
                w->index = i < nthreads ? i : -1;
                w->seed = seed + (unsigned)i * 7919u;
                w->nblocks = nblocks;
                w->blocks = calloc(nblocks + HEAP_OVERFLOW_COUNT + TCACHE_BINS * TCACHE_FILL + 1,
                                   sizeof(*w->blocks));
                w->wait_fd = pipefd[0];
                w->ready = &ready;
        }

        /* The buffer gdb and analyze read back: byte i is (i * 7 + 3) & 0xff. */
        size_t pattern_len = 64 * 1024;
        unsigned char *pattern = malloc(pattern_len);
        for (size_t i = 0; i < pattern_len; i++)
                pattern[i] = (unsigned char)((i * 7 + 3) & 0xff);

        for (int i = 0; i < nthreads; i++)
                if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
                        fprintf(stderr, "churn: cannot create thread %d\n", i);
                        return 1;
                }

        struct worker *mainw = &workers[nthreads];
        mainw->tid = sample_gettid();
        churn(mainw);
        pthread_barrier_wait(&ready);

        say("pid %d", (int)getpid());
        for (int i = 0; i <= nthreads; i++)
                say("thread %d %d %s", workers[i].index, workers[i].tid,
                    workers[i].index < 0 ? "main" : "worker_block");
        for (int i = 0; i <= nthreads; i++)
                print_truth(&workers[i]);
        say("pattern %p %zu", (void *)pattern, pattern_len);
        say_mallinfo2();
        say("ready");

        sample_serve(NULL, NULL);

        close(pipefd[1]);
        for (int i = 0; i < nthreads; i++)
                pthread_join(workers[i].thread, NULL);
        return 0;
}
