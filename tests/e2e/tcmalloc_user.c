/*
 * A program linked with -ltcmalloc_minimal (gperftools), whose heap the
 * tcmalloc walker is judged against: tcmalloc's own figures, and the
 * addresses the program holds and has given back.
 *
 * Four threads (main and three workers) each allocate the same varied set:
 * blocks of many small size classes (8 B to tcmalloc's largest class,
 * 256 KiB) and large blocks that get spans of their own (300 KiB to
 * 3 MiB), and write every usable byte.  A barrier then lets every thread
 * free a third of its blocks, so that no thread's later allocation can
 * take back what another gave: freed small blocks sit in that thread's
 * cache or, past its limits, in the central and transfer caches; freed
 * large spans go back to the page heap, and main then gives 1 MiB of
 * those back to the system (unmapped spans).  Each thread also frees
 * every other block of a burst of 64-byte ones, more than its cache
 * keeps, so that whole batches reach the transfer cache.  The workers then wait, alive, so
 * that their thread caches are still there when the process is captured.
 * Every block kept stays in a static table (kept), so none is a leak.
 *
 * Prints "held ADDR SIZE USABLE" for each block kept (USABLE by
 * tc_malloc_size, tcmalloc's word), "freed ADDR" for each block given
 * back, "property NAME VALUE" for each MallocExtension figure the walker
 * must match, "stats LINE" for the per-class lines of tcmalloc's own
 * statistics text, "again NAME VALUE" for the figures read once more
 * (equal when reporting allocated nothing), then "ready", and serves
 * commands (sample_io.h) until quit: the capture is taken while it waits
 * there (say() does not allocate).  The command "loop" damages the heap
 * as a write after free would: the last small block main freed gets its
 * own address as its free-list link; it prints "looped ADDR".
 */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "samples/sample_io.h"

#define WORKERS 3
#define COPIES 4 /* of each size per thread; copy 1 of each is freed */
#define BURST 512 /* small blocks per thread, every other one freed: more than a */
#define BURST_SIZE 64 /* thread cache keeps, so whole batches reach the transfer cache */
#define RELEASE_BYTES (1u << 20) /* given back to the system: unmapped page heap spans */

static const size_t sizes[] = {
        8, 24, 48, 100, 256, 500, 1024, 3000, 8192, 20000, 40000, 100000,
        262144,                 /* tcmalloc's kMaxSize: its largest size class */
        300000, 1u << 20, 3u << 20, /* past it: a span per block */
};
#define SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* The figures gperftools 2.10's TCMallocImplementation::GetNumericProperty answers. */
static const char *const properties[] = {
        "generic.current_allocated_bytes",
        "generic.heap_size",
        "tcmalloc.pageheap_free_bytes",
        "tcmalloc.pageheap_unmapped_bytes",
        "tcmalloc.central_cache_free_bytes",
        "tcmalloc.transfer_cache_free_bytes",
        "tcmalloc.thread_cache_free_bytes",
};

/* What each thread keeps, where a root scan finds it: nothing the sample holds is a leak. */
#define KEPT (SIZES * COPIES + BURST)
static void *kept[WORKERS + 1][KEPT];

struct sample {
        pthread_barrier_t allocated, freed;
        int next_worker;        /* atomically taken: each worker's thread number */
        pthread_mutex_t lock;
        pthread_cond_t quit_cond;
        int quit;
};

static void *allocate(size_t size)
{
        void *p = malloc(size);
        if (!p)
                abort();
        memset(p, 0x5a, tc_malloc_size(p));
        return p;
}

static void keep_or_free(void **slot, void *p, size_t size, bool give_back)
{
        *slot = give_back ? NULL : p;
        if (give_back) {
                say("freed %#lx", (unsigned long)(uintptr_t)p);
                free(p);
        } else {
                say("held %#lx %zu %zu", (unsigned long)(uintptr_t)p, size, tc_malloc_size(p));
        }
}

/* Thread number t (0 is main); returns the last burst block it freed. */
static void *allocate_and_free(struct sample *s, int t)
{
        size_t k = 0;
        void *blocks[SIZES][COPIES], *burst[BURST];
        for (size_t i = 0; i < SIZES; i++)
                for (int c = 0; c < COPIES; c++)
                        blocks[i][c] = allocate(sizes[i]);
        for (int i = 0; i < BURST; i++)
                burst[i] = allocate(BURST_SIZE);
        pthread_barrier_wait(&s->allocated);
        for (size_t i = 0; i < SIZES; i++)
                for (int c = 0; c < COPIES; c++)
                        keep_or_free(&kept[t][k++], blocks[i][c], sizes[i], c == 1);
        for (int i = 0; i < BURST; i++)
                keep_or_free(&kept[t][k++], burst[i], BURST_SIZE, i % 2);
        pthread_barrier_wait(&s->freed);
        return burst[BURST - 1];
}

static void *worker(void *arg)
{
        struct sample *s = arg;
        (void)allocate_and_free(s, __atomic_add_fetch(&s->next_worker, 1, __ATOMIC_RELAXED));
        pthread_mutex_lock(&s->lock);
        while (!s->quit)
                pthread_cond_wait(&s->quit_cond, &s->lock);
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

/* "loop": a write after free makes the freed block's link point at itself, a free list that loops. */
static bool handle(const char *cmd, void *data)
{
        void **freed = data;
        if (strcmp(cmd, "loop") != 0)
                return false;
        *freed = freed;
        say("looped %#lx", (unsigned long)(uintptr_t)freed);
        return true;
}

static void say_figures(const char *key)
{
        for (size_t i = 0; i < sizeof(properties) / sizeof(properties[0]); i++) {
                size_t value;
                if (!MallocExtension_GetNumericProperty(properties[i], &value))
                        exit(1);
                say("%s %s %zu", key, properties[i], value);
        }
}

/*
 * tcmalloc's own statistics text (MallocExtension_GetStats): its "class"
 * lines count, per size class, the objects free in the thread, transfer
 * and central caches together.  Into a static buffer: nothing allocated.
 */
static void say_stats(void)
{
        static char text[1 << 16];
        MallocExtension_GetStats(text, sizeof(text));
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
                if (strncmp(line, "class ", 6) == 0 || strstr(line, "Thread heaps in use"))
                        say("stats %s", line);
}

int main(void)
{
        static struct sample s = { .lock = PTHREAD_MUTEX_INITIALIZER, .quit_cond = PTHREAD_COND_INITIALIZER };
        pthread_t workers[WORKERS];
        if (pthread_barrier_init(&s.allocated, NULL, WORKERS + 1) || pthread_barrier_init(&s.freed, NULL, WORKERS + 1))
                return 1;
        for (int i = 0; i < WORKERS; i++)
                if (pthread_create(&workers[i], NULL, worker, &s))
                        return 1;
        void *freed = allocate_and_free(&s, 0);
        MallocExtension_ReleaseToSystem(RELEASE_BYTES);
        say_figures("property");
        say_stats();
        say_figures("again");
        say("ready");
        sample_serve(handle, freed);
        pthread_mutex_lock(&s.lock);
        s.quit = 1;
        pthread_cond_broadcast(&s.quit_cond);
        pthread_mutex_unlock(&s.lock);
        for (int i = 0; i < WORKERS; i++)
                pthread_join(workers[i], NULL);
        return 0;
}
