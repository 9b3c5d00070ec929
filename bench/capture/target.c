/*
 * The target of bench/capture/run: a process with a given amount of
 * resident heap held by N threads, and a heartbeat that measures, from
 * inside, how long the process was paused.
 *
 * Each worker mallocs blocks of 4 KiB to 1 MiB (glibc puts them in its own
 * arena, the big ones in mmapped chunks) until it holds its share, fills
 * them with non-zero bytes (so no tool can skip them as zeros), and blocks.
 * A heartbeat thread wakes every millisecond and keeps the longest gap it
 * has seen: a capture that stops every thread shows up there as exactly the
 * time the process did not run, whoever the tool is.
 *
 * With -w, one more thread writes RATE MB a second over the held blocks,
 * one 8-byte word a page (each page written costs a fork capture a copy,
 * whatever is written to it), paced by the millisecond.
 *
 * Prints "pid P", "ready", then reads commands on stdin:
 *   gap    -> "gap MS"  the longest gap since the last "gap", then resets it
 *   rss    -> "rss KB"  VmRSS
 *   fork   -> "fork MS" the time a bare fork() of this process takes in the
 *                       calling thread (the child _exits at once, is waited
 *                       for): the floor of a fork capture's pause
 *   quit
 *
 * usage: bench-capture-target [-m RESIDENT_MIB] [-t THREADS] [-w WRITE_MB_PER_S]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static atomic_long max_gap_us;

static long now_us(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000000L + t.tv_nsec / 1000;
}

static void *heartbeat(void *arg)
{
        (void)arg;
        long last = now_us();
        for (;;) {
                usleep(1000);
                long t = now_us(), gap = t - last;
                last = t;
                long cur = atomic_load(&max_gap_us);
                while (gap > cur && !atomic_compare_exchange_weak(&max_gap_us, &cur, gap))
                        ;
        }
        return NULL;
}

struct block {
        unsigned char *p;
        size_t size;
};

struct worker {
        size_t bytes;
        unsigned seed;
        pthread_barrier_t *ready;
        int block_fd;
        struct block *blocks;   /* what it holds, for the writer */
        size_t nblocks, cap;
};

static void *worker(void *arg)
{
        struct worker *w = arg;
        unsigned s = w->seed;
        size_t held = 0;
        while (held < w->bytes) {
                s = s * 1103515245u + 12345u;
                size_t size = 4096u << (s >> 16) % 9; /* 4 KiB .. 1 MiB */
                if (size > w->bytes - held)
                        size = w->bytes - held;
                unsigned char *p = malloc(size);
                for (size_t i = 0; i < size; i++)
                        p[i] = (unsigned char)(1 + (i ^ s) % 255);
                held += size;
                if (w->nblocks == w->cap) {
                        w->cap = w->cap ? 2 * w->cap : 64;
                        w->blocks = realloc(w->blocks, w->cap * sizeof(*w->blocks));
                }
                w->blocks[w->nblocks++] = (struct block){ p, size };
        }
        pthread_barrier_wait(w->ready);
        char c;
        while (read(w->block_fd, &c, 1) > 0)
                ;
        return NULL;
}

struct writer {
        struct worker *w;
        int nworkers;
        long bytes_per_s;
};

/* Writes one word a page, bytes_per_s / 4096 pages a second, round the held blocks. */
static void *writer(void *arg)
{
        struct writer *wr = arg;
        long pages_per_ms = wr->bytes_per_s / 4096 / 1000;
        if (pages_per_ms < 1)
                pages_per_ms = 1;
        int wi = 0;
        size_t bi = 0, off = 0;
        long next = now_us();
        for (unsigned long n = 1;; n++) {
                for (long k = 0; k < pages_per_ms; k++) {
                        struct worker *w = &wr->w[wi];
                        struct block *b = &w->blocks[bi];
                        *(volatile unsigned long *)(b->p + off) = n;
                        off += 4096;
                        if (off >= b->size) {
                                off = 0;
                                if (++bi == w->nblocks) {
                                        bi = 0;
                                        wi = (wi + 1) % wr->nworkers;
                                }
                        }
                }
                next += 1000;
                long wait = next - now_us();
                if (wait > 0)
                        usleep((useconds_t)wait);
        }
        return NULL;
}

static double bare_fork_ms(void)
{
        long t0 = now_us();
        pid_t p = fork();
        if (p == 0)
                _exit(0);
        long t1 = now_us();
        if (p > 0)
                waitpid(p, NULL, 0);
        return p > 0 ? (t1 - t0) / 1000.0 : -1;
}

static long rss_kb(void)
{
        FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        long kb = -1;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
                        break;
        if (f)
                fclose(f);
        return kb;
}

int main(int argc, char **argv)
{
        size_t mib = 256;
        int nthreads = 4, opt;
        long write_mb = 0;

        while ((opt = getopt(argc, argv, "m:t:w:")) != -1) {
                switch (opt) {
                case 'm': mib = strtoul(optarg, NULL, 0); break;
                case 't': nthreads = atoi(optarg); break;
                case 'w': write_mb = atol(optarg); break;
                default:
                        fprintf(stderr, "usage: bench-capture-target [-m RESIDENT_MIB] [-t THREADS] [-w WRITE_MB_PER_S]\n");
                        return 2;
                }
        }
        if (nthreads < 1 || nthreads > 64 || mib < 1) {
                fprintf(stderr, "bench-capture-target: need -t 1..64 and -m >= 1\n");
                return 2;
        }
        int pipefd[2];
        if (pipe(pipefd) < 0)
                return 1;
        pthread_barrier_t ready;
        pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);
        struct worker *w = calloc((size_t)nthreads, sizeof(*w));
        pthread_t t;
        for (int i = 0; i < nthreads; i++) {
                w[i] = (struct worker){ .bytes = (mib << 20) / (size_t)nthreads, .seed = 7u * (unsigned)i + 1, .ready = &ready, .block_fd = pipefd[0] };
                pthread_create(&t, NULL, worker, &w[i]);
        }
        pthread_barrier_wait(&ready);
        pthread_create(&t, NULL, heartbeat, NULL);
        struct writer wr = { w, nthreads, write_mb * 1000000 };
        if (write_mb > 0)
                pthread_create(&t, NULL, writer, &wr);

        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("pid %d\nready\n", (int)getpid());
        char cmd[64];
        while (fgets(cmd, sizeof(cmd), stdin)) {
                if (strncmp(cmd, "gap", 3) == 0)
                        printf("gap %.1f\n", atomic_exchange(&max_gap_us, 0) / 1000.0);
                else if (strncmp(cmd, "rss", 3) == 0)
                        printf("rss %ld\n", rss_kb());
                else if (strncmp(cmd, "fork", 4) == 0)
                        printf("fork %.1f\n", bare_fork_ms());
                else if (strncmp(cmd, "quit", 4) == 0)
                        break;
        }
        return 0;
}
