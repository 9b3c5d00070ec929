/*
 * heap_target: a process with a big glibc heap for bench/heap — many small
 * blocks, as long-running services have them.  Each of T threads (and the
 * main thread) mallocs N blocks of 16 to 512 bytes with a few of up to
 * 64 KiB, then frees every third, so the heap holds used chunks, tcache,
 * fastbin and binned free chunks in every arena.
 *
 * Prints "pid P", "blocks N" (held + freed), glibc's mallinfo2 line and
 * "ready", then serves ping, mallinfo and quit on stdin (samples/sample_io.h).
 *
 * usage: heap_target [-t THREADS] [-n BLOCKS_PER_THREAD]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "samples/sample_io.h"

struct worker {
        size_t n;
        uint32_t seed;
        void **blocks;
        pthread_barrier_t *ready;
        pthread_t thread;
};

static uint32_t next(uint32_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

static void fill(struct worker *w)
{
        for (size_t i = 0; i < w->n; i++) {
                uint32_t r = next(&w->seed);
                size_t size = r % 100 < 98 ? 16 + r % 497 : 513 + r % (64 * 1024);
                w->blocks[i] = malloc(size);
                memset(w->blocks[i], (int)i, size < 64 ? size : 64);
        }
        for (size_t i = 2; i < w->n; i += 3)
                free(w->blocks[i]);
}

static void *worker_main(void *arg)
{
        struct worker *w = arg;
        fill(w);
        pthread_barrier_wait(w->ready);
        pthread_barrier_wait(w->ready); /* released at exit */
        return NULL;
}

int main(int argc, char **argv)
{
        int threads = 4, opt;
        size_t n = 250000;

        while ((opt = getopt(argc, argv, "t:n:")) != -1) {
                switch (opt) {
                case 't': threads = atoi(optarg); break;
                case 'n': n = strtoul(optarg, NULL, 0); break;
                default:
                        fprintf(stderr, "usage: heap_target [-t THREADS] [-n BLOCKS_PER_THREAD]\n");
                        return 2;
                }
        }
        if (threads < 0 || threads > 256 || n < 1 || n > 100000000) {
                fprintf(stderr, "heap_target: -t must be 0..256 and -n 1..100000000\n");
                return 2;
        }
        pthread_barrier_t ready;
        pthread_barrier_init(&ready, NULL, (unsigned)threads + 1);
        struct worker *w = calloc((size_t)threads + 1, sizeof(*w));
        for (int i = 0; i <= threads; i++) {
                w[i] = (struct worker){ .n = n, .seed = 2463534242u + (uint32_t)i * 7919u, .ready = &ready };
                w[i].blocks = malloc(n * sizeof(void *));
        }
        for (int i = 0; i < threads; i++)
                pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
        fill(&w[threads]);
        pthread_barrier_wait(&ready);

        say("pid %d", (int)getpid());
        say("blocks %zu", n * ((size_t)threads + 1));
        say_mallinfo2();
        say("ready");
        sample_serve(NULL, NULL);

        pthread_barrier_wait(&ready);
        for (int i = 0; i < threads; i++)
                pthread_join(w[i].thread, NULL);
        return 0;
}
