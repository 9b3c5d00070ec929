/*
 * jemalloc's own figures, for the heap_jemalloc test to hold the database
 * to: a program linked with -ljemalloc that allocates a known, varied set
 * of blocks (every small size class, large ones, one huge enough for
 * jemalloc's dedicated arena), frees some of them (into the thread caches,
 * and past them into the slabs), on the main thread and on a second one,
 * and prints what mallctl says after mallctl("epoch"):
 *   "stats ALLOCATED ACTIVE RESIDENT"  stats.allocated, .active, .resident
 *   "curregs ARENA BIN SIZE N"         stats.arenas.<i>.bins.<j>.curregs, N > 0
 *   "curlextents ARENA J SIZE N"       stats.arenas.<i>.lextents.<j>.curlextents, N > 0
 *   "tcache_bytes ARENA N"             stats.arenas.<i>.tcache_bytes
 *   "held ADDR USABLE"                 each block it keeps
 * then "ready".  The command "flush" empties both threads' caches
 * (mallctl("thread.tcache.flush") on each), prints the figures again and
 * "flushed".  Nothing allocates between the figures and the next command:
 * say() writes through write(2) from a stack buffer.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples/sample_io.h"

/* jemalloc's control interface (jemalloc/jemalloc.h would also redeclare malloc's family). */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
size_t malloc_usable_size(void *p);

#define KEPT_MAX 8192

struct set {
        void *kept[KEPT_MAX];
        size_t nkept;
};

static struct set main_set, worker_set;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int worker_state;            /* 0 starting, 1 allocated, 2 asked to flush, 3 flushed */

/* Allocates n blocks of size bytes, keeps all but every third one (freed at once). */
static bool churn(struct set *s, size_t size, unsigned n)
{
        for (unsigned i = 0; i < n; i++) {
                void *p = malloc(size);
                if (!p)
                        return false;
                memset(p, 0x5a, size);
                if (i % 3 == 2 || s->nkept == KEPT_MAX)
                        free(p);
                else
                        s->kept[s->nkept++] = p;
        }
        return true;
}

static bool fill(struct set *s, unsigned seed)
{
        /* every small size class from 8 to 14336 bytes, and a few sizes between them */
        static const size_t small[] = { 8, 16, 24, 32, 48, 64, 80, 100, 128, 160, 200, 256, 320, 384, 448, 512,
                                        640, 768, 896, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096,
                                        5000, 6144, 7168, 8192, 10240, 12288, 14336 };
        static const size_t large[] = { 16384, 20000, 32768, 65536, 100000, 300000, 1u << 20, 3u << 20 };
        for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
                if (!churn(s, small[i], 10 + (unsigned)((i * 7 + seed) % 60)))
                        return false;
        for (size_t i = 0; i < sizeof(large) / sizeof(large[0]); i++)
                if (!churn(s, large[i], 2 + (unsigned)((i + seed) % 5)))
                        return false;
        return true;
}

static void *worker(void *arg)
{
        (void)arg;
        bool ok = fill(&worker_set, 3);
        pthread_mutex_lock(&lock);
        worker_state = ok ? 1 : -1;
        pthread_cond_broadcast(&cond);
        while (worker_state != 2)
                pthread_cond_wait(&cond, &lock);
        mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
        worker_state = 3;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
        /* keep the thread, and its (empty) cache, for the second capture */
        for (;;)
                pause();
        return NULL;
}

static uint64_t ctl_u64(const char *name)
{
        size_t v = 0, len = sizeof(v);
        return mallctl(name, &v, &len, NULL, 0) == 0 ? v : UINT64_MAX;
}

static unsigned ctl_unsigned(const char *name)
{
        unsigned v = 0;
        size_t len = sizeof(v);
        return mallctl(name, &v, &len, NULL, 0) == 0 ? v : 0;
}

static void report(void)
{
        uint64_t epoch = 1;
        size_t elen = sizeof(epoch);
        char name[128];

        mallctl("epoch", &epoch, &elen, &epoch, sizeof(epoch));
        say("stats %llu %llu %llu", (unsigned long long)ctl_u64("stats.allocated"),
            (unsigned long long)ctl_u64("stats.active"), (unsigned long long)ctl_u64("stats.resident"));
        unsigned narenas = ctl_unsigned("arenas.narenas"), nbins = ctl_unsigned("arenas.nbins"),
                 nlextents = ctl_unsigned("arenas.nlextents");
        for (unsigned i = 0; i < narenas; i++) {
                snprintf(name, sizeof(name), "stats.arenas.%u.tcache_bytes", i);
                uint64_t tb = ctl_u64(name);
                if (tb == UINT64_MAX)
                        continue;       /* an arena never initialised has no stats */
                say("tcache_bytes %u %llu", i, (unsigned long long)tb);
                for (unsigned j = 0; j < nbins; j++) {
                        snprintf(name, sizeof(name), "stats.arenas.%u.bins.%u.curregs", i, j);
                        uint64_t n = ctl_u64(name);
                        snprintf(name, sizeof(name), "arenas.bin.%u.size", j);
                        if (n && n != UINT64_MAX)
                                say("curregs %u %u %llu %llu", i, j, (unsigned long long)ctl_u64(name), (unsigned long long)n);
                }
                for (unsigned j = 0; j < nlextents; j++) {
                        snprintf(name, sizeof(name), "stats.arenas.%u.lextents.%u.curlextents", i, j);
                        uint64_t n = ctl_u64(name);
                        snprintf(name, sizeof(name), "arenas.lextent.%u.size", j);
                        if (n && n != UINT64_MAX)
                                say("curlextents %u %u %llu %llu", i, j, (unsigned long long)ctl_u64(name), (unsigned long long)n);
                }
        }
}

static bool handle(const char *cmd, void *data)
{
        (void)data;
        if (strcmp(cmd, "flush") != 0)
                return false;
        mallctl("thread.tcache.flush", NULL, NULL, NULL, 0);
        pthread_mutex_lock(&lock);
        worker_state = 2;
        pthread_cond_broadcast(&cond);
        while (worker_state != 3)
                pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
        report();
        say("flushed");
        return true;
}

int main(void)
{
        pthread_t t;
        if (pthread_create(&t, NULL, worker, NULL) != 0)
                return 1;
        pthread_mutex_lock(&lock);
        while (worker_state == 0)
                pthread_cond_wait(&cond, &lock);
        pthread_mutex_unlock(&lock);
        if (worker_state < 0 || !fill(&main_set, 0))
                return 1;
        /* one block above oversize_threshold (8 MiB): jemalloc's dedicated huge arena */
        void *huge = malloc(9u << 20);
        if (!huge)
                return 1;
        main_set.kept[main_set.nkept++] = huge;
        for (size_t i = 0; i < main_set.nkept; i++)
                say("held %#lx %zu", (unsigned long)(uintptr_t)main_set.kept[i], malloc_usable_size(main_set.kept[i]));
        for (size_t i = 0; i < worker_set.nkept; i++)
                say("held %#lx %zu", (unsigned long)(uintptr_t)worker_set.kept[i], malloc_usable_size(worker_set.kept[i]));
        report();
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
