/*
 * fork_pairs: threads that never stop writing, each its own sequence
 * number to two places on different pages, in order: first a[t], then
 * b[t], both with release stores.  At every instant, for every thread,
 * a[t] == b[t] or a[t] == b[t] + 1.  A copy of the memory taken while the
 * threads run (page a read, then page b later) shows b[t] > a[t] or a
 * wider gap; a consistent snapshot never does.
 *
 * Prints "pid P", "a ADDR", "b ADDR", "stride BYTES", "threads N", "ready".
 * usage: fork_pairs [-t THREADS]   (1 to 64, default 4)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "samples/sample_io.h"

#define SLOT 8 /* uint64_t per thread: a cache line each */

static struct {
        _Alignas(4096) _Atomic uint64_t a[64 * SLOT];
        _Alignas(4096) _Atomic uint64_t b[64 * SLOT];
} pairs;

static void *writer(void *arg)
{
        size_t t = (size_t)(uintptr_t)arg;
        for (uint64_t n = 1;; n++) {
                atomic_store_explicit(&pairs.a[t * SLOT], n, memory_order_release);
                atomic_store_explicit(&pairs.b[t * SLOT], n, memory_order_release);
        }
        return NULL;
}

int main(int argc, char **argv)
{
        int nthreads = 4, opt;
        while ((opt = getopt(argc, argv, "t:")) != -1)
                nthreads = atoi(optarg);
        if (nthreads < 1 || nthreads > 64)
                return 2;
        for (int t = 0; t < nthreads; t++) {
                pthread_t th;
                pthread_create(&th, NULL, writer, (void *)(uintptr_t)t);
        }
        say("pid %d", (int)getpid());
        say("a %p", (void *)pairs.a);
        say("b %p", (void *)pairs.b);
        say("stride %d", (int)(SLOT * sizeof(uint64_t)));
        say("threads %d", nthreads);
        say("ready");
        sample_serve(NULL, NULL);
        return 0;
}
