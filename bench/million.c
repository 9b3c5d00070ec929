/*
 * million: the bench target for bench/reach — a heap of about a million
 * small chunks shaped like a pointer-heavy service's: THREADS threads
 * (default 4: the main thread and 3 more, each in its own arena) malloc
 * BLOCKS blocks each (default 250000) of 16 to 512 bytes; each block's
 * first word points to an earlier block of its thread, a tenth are held
 * from tables the main thread keeps, and every third is freed (tcache,
 * fastbins, bins).  Prints "ready" and waits for end of input.
 *
 * usage: million [-t THREADS] [-n BLOCKS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct job {
        size_t n;
        unsigned seed;
        void **table;            /* n / 10 held blocks */
        pthread_barrier_t *ready;
};

static uint32_t next(uint32_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        return *s;
}

static void build_blocks(struct job *j)
{
        uint32_t s = j->seed;
        void **all = malloc(j->n * sizeof(*all));
        for (size_t i = 0; i < j->n; i++) {
                size_t size = 16 + next(&s) % 497;
                void **p = malloc(size);
                memset(p, (int)(i & 0x7f), size);
                p[0] = i ? all[next(&s) % i] : NULL;
                all[i] = p;
        }
        for (size_t i = 0; i < j->n / 10; i++)
                j->table[i] = all[i * 10 + 1];
        for (size_t i = 2; i < j->n; i += 3)
                if (i % 10 != 1)
                        free(all[i]);
        free(all);
}

static void *build(void *arg)
{
        struct job *j = arg;
        build_blocks(j);
        pthread_barrier_wait(j->ready);
        char c;
        while (read(0, &c, 1) > 0)
                ;
        return NULL;
}

int main(int argc, char **argv)
{
        int threads = 4, opt;
        size_t n = 250000;
        while ((opt = getopt(argc, argv, "t:n:")) != -1) {
                if (opt == 't')
                        threads = atoi(optarg);
                else if (opt == 'n')
                        n = strtoul(optarg, NULL, 0);
                else
                        return 2;
        }
        if (threads < 1 || threads > 64 || n < 10)
                return 2;
        pthread_barrier_t ready;
        pthread_barrier_init(&ready, NULL, (unsigned)threads);
        struct job *jobs = calloc((size_t)threads, sizeof(*jobs));
        pthread_t *t = calloc((size_t)threads, sizeof(*t));
        for (int i = 0; i < threads; i++) {
                jobs[i] = (struct job){ .n = n, .seed = 2463534242u + (unsigned)i, .ready = &ready };
                jobs[i].table = calloc(n / 10 + 1, sizeof(void *));
                /* Thread 0's work runs on the main thread, in the main arena. */
                if (i > 0)
                        pthread_create(&t[i], NULL, build, &jobs[i]);
        }
        /* The main thread builds its share in the main arena, then waits for the others. */
        struct job *mine = &jobs[0];
        mine->ready = NULL;
        build_blocks(mine);
        pthread_barrier_wait(&ready);
        printf("ready\n");
        fflush(stdout);
        char c;
        while (read(0, &c, 1) > 0)
                ;
        return 0;
}
