/*
 * reach: a multi-threaded program whose every heap block has a known fate,
 * for testing leak verdicts against the program's own account.
 *
 * The main thread and N worker threads (default 4, each in its own glibc
 * arena) build:
 *   reachable_static  blocks held from global variables (some mmapped)
 *   reachable_block   blocks held only from other reachable blocks (a tree)
 *   reachable_stack   blocks held from a local array of a thread that is
 *                     blocked for good in its live frame
 *   reachable_tls     blocks held from a __thread array
 *   possible          blocks held only through a pointer 64 bytes into them,
 *                     and blocks held by a start pointer from those
 *   definite          heads of linked lists whose head pointer was dropped,
 *                     and the lowest-addressed node of dropped rings
 *   indirect          the other nodes of those lists and rings
 *   freed             blocks freed at the end (tcache, fastbins, unsorted)
 * and prints one line per block, with the thread that allocated it:
 *   block KIND ADDR SIZE TID
 * Some of the static ones have a known type, printed as
 *   type NAME ADDR
 * where NAME is "string" for text, or sample::Widget for objects whose
 * first word points into a vtable laid out as a C++ compiler would (under
 * its mangled symbol _ZTVN6sample6WidgetE).
 * Then "ready", and it serves commands on stdin (see sample_io.h).
 *
 * Nothing else holds these addresses: lines are printed by say(), which
 * does not allocate; the functions that allocate return before the thread
 * blocks, and the dead stack below the blocked frames is zeroed, so no
 * stale copy keeps a leaked block looking reachable.
 *
 * usage: reach [-t THREADS]
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_io.h"

#define N_STACK 100
#define N_TLS 100
#define N_STATIC 400
#define N_STATIC_MMAPPED 4
#define N_CHILDREN 60          /* of the tree's root; each has 2 children */
#define N_POSSIBLE 200
#define N_LISTS 60
#define LIST_LEN 8
#define N_RINGS 5
#define RING_LEN 3
#define N_FREED 40
#define INTERIOR_OFFSET 64
#define MMAPPED_SIZE (512u << 10) /* above glibc's default M_MMAP_THRESHOLD of 128 KiB */
#define SCRUB_BYTES (64u << 10)
#define N_TEXT 20
#define N_WIDGETS 20

struct node {
        struct node *next;
        uint64_t payload[5];   /* small numbers: nothing here looks like a pointer */
};

struct tree {
        size_t n;
        struct tree *child[];
};

struct worker {
        int index;             /* -1 for the main thread */
        int tid;
        int wait_fd;           /* read end of a pipe nobody writes */
        pthread_barrier_t *ready;
        pthread_t thread;
        void *volatile guards[N_FREED]; /* blocks between the freed ones, so they do not coalesce */
};

/*
 * The only globals that hold heap pointers, by design.  volatile: they are
 * written and never read, and the compiler would drop the stores.
 */
static void *volatile statics[N_STATIC + N_STATIC_MMAPPED + N_TEXT + N_WIDGETS];
static struct tree *volatile tree_root;
static char *volatile interior[N_POSSIBLE];
static __thread void *volatile tls_held[N_TLS];

/*
 * What g++ emits for `namespace sample { struct Widget { virtual void draw(); virtual ~Widget(); }; }`:
 * offset-to-top, the typeinfo pointer, then the virtual functions; objects
 * point at the first function slot, 16 bytes in (Itanium C++ ABI 2.5).
 */
static void widget_draw(void) {}
__attribute__((used)) const void *const widget_vtable[4] __asm__("_ZTVN6sample6WidgetE") = {
        0, 0, (const void *)widget_draw, (const void *)widget_draw,
};

static void tell(const char *kind, const void *p, size_t size, int tid)
{
        say("block %s %p %zu %d", kind, p, size, tid);
}

static size_t size_for(unsigned i)
{
        static const size_t sizes[] = { 24, 40, 72, 100, 136, 200, 264, 520, 1000, 2000 };
        return sizes[i % (sizeof(sizes) / sizeof(sizes[0]))];
}

/* A block filled with small numbers, so its words point nowhere. */
static void *fill(size_t size, unsigned seed)
{
        unsigned char *p = malloc(size);
        for (size_t i = 0; i < size; i++)
                p[i] = (unsigned char)((seed + i) % 97);
        return p;
}

/*
 * Zeroes the dead stack below the caller, where returned functions left
 * copies of pointers; the frames of what the caller calls next start clean.
 */
static __attribute__((noinline)) void scrub_stack(void)
{
        volatile char buf[SCRUB_BYTES];
        memset((char *)buf, 0, sizeof(buf));
        __asm__ volatile("" : : "r"(buf) : "memory");
}

static __attribute__((noinline)) void build_stack(struct worker *w, void *volatile *held)
{
        for (unsigned i = 0; i < N_STACK; i++) {
                held[i] = fill(size_for(i), i);
                tell("reachable_stack", held[i], size_for(i), w->tid);
        }
}

static __attribute__((noinline)) void build_tls(struct worker *w)
{
        for (unsigned i = 0; i < N_TLS; i++) {
                tls_held[i] = fill(size_for(i + 3), i);
                tell("reachable_tls", tls_held[i], size_for(i + 3), w->tid);
        }
}

static __attribute__((noinline)) void build_statics(struct worker *w)
{
        for (unsigned i = 0; i < N_STATIC; i++) {
                statics[i] = fill(size_for(i + 5), i);
                tell("reachable_static", statics[i], size_for(i + 5), w->tid);
        }
        for (unsigned i = 0; i < N_STATIC_MMAPPED; i++) {
                statics[N_STATIC + i] = fill(MMAPPED_SIZE, i);
                tell("reachable_static", statics[N_STATIC + i], MMAPPED_SIZE, w->tid);
        }
}

static __attribute__((noinline)) void build_typed(struct worker *w)
{
        void *volatile *slot = &statics[N_STATIC + N_STATIC_MMAPPED];
        for (unsigned i = 0; i < N_TEXT; i++) {
                char *t = malloc(40 + 8 * (i % 4));
                snprintf(t, 40, "label %u of the reach sample", i);
                slot[i] = t;
                tell("reachable_static", t, 40 + 8 * (i % 4), w->tid);
                say("type string %p", (void *)t);
        }
        slot += N_TEXT;
        for (unsigned i = 0; i < N_WIDGETS; i++) {
                const void **obj = calloc(1, 48);
                obj[0] = &widget_vtable[2];
                slot[i] = obj;
                tell("reachable_static", obj, 48, w->tid);
                say("type sample::Widget %p", (void *)obj);
        }
}

static __attribute__((noinline)) void build_tree(struct worker *w)
{
        struct tree *root = malloc(sizeof(*root) + N_CHILDREN * sizeof(root->child[0]));
        root->n = N_CHILDREN;
        tell("reachable_static", root, sizeof(*root) + N_CHILDREN * sizeof(root->child[0]), w->tid);
        for (unsigned i = 0; i < N_CHILDREN; i++) {
                struct tree *c = malloc(sizeof(*c) + 2 * sizeof(c->child[0]));
                c->n = 2;
                for (unsigned k = 0; k < 2; k++) {
                        c->child[k] = fill(size_for(i + k), i);
                        tell("reachable_block", c->child[k], size_for(i + k), w->tid);
                }
                root->child[i] = c;
                tell("reachable_block", c, sizeof(*c) + 2 * sizeof(c->child[0]), w->tid);
        }
        tree_root = root;
}

/* Each held through a pointer into its middle; each holds a start pointer to one more. */
static __attribute__((noinline)) void build_possible(struct worker *w)
{
        for (unsigned i = 0; i < N_POSSIBLE; i++) {
                char *p = fill(128, i);
                void *q = fill(size_for(i), i);
                memcpy(p, &q, sizeof(q));
                interior[i] = p + INTERIOR_OFFSET;
                tell("possible", p, 128, w->tid);
                tell("possible", q, size_for(i), w->tid);
        }
}

static __attribute__((noinline)) void build_lists(struct worker *w)
{
        for (unsigned l = 0; l < N_LISTS; l++) {
                struct node *head = NULL;
                for (unsigned k = 0; k < LIST_LEN; k++) {
                        struct node *n = fill(sizeof(*n), k);
                        n->next = head;
                        head = n;
                }
                tell("definite", head, sizeof(*head), w->tid);
                for (struct node *n = head->next; n; n = n->next)
                        tell("indirect", n, sizeof(*n), w->tid);
        }
}

/* A dropped ring: memcheck's clique pass names its lowest address the definite leak. */
static __attribute__((noinline)) void build_rings(struct worker *w)
{
        for (unsigned r = 0; r < N_RINGS; r++) {
                struct node *ring[RING_LEN];
                for (unsigned k = 0; k < RING_LEN; k++)
                        ring[k] = fill(sizeof(struct node), k);
                unsigned low = 0;
                for (unsigned k = 0; k < RING_LEN; k++) {
                        ring[k]->next = ring[(k + 1) % RING_LEN];
                        if ((uintptr_t)ring[k] < (uintptr_t)ring[low])
                                low = k;
                }
                for (unsigned k = 0; k < RING_LEN; k++)
                        tell(k == low ? "definite" : "indirect", ring[k], sizeof(struct node), w->tid);
        }
}

/*
 * Blocks freed last, between guards that stay: the first 7 of a size go
 * to the thread's tcache, small ones beyond that to fastbins, larger ones
 * to the unsorted list.  Nothing allocates after this in the thread.
 */
static __attribute__((noinline)) void build_freed(struct worker *w)
{
        void *victims[N_FREED];
        for (unsigned i = 0; i < N_FREED; i++) {
                size_t size = i % 2 ? 48 : 700;
                victims[i] = fill(size, i);
                w->guards[i] = fill(32, i);
                tell("reachable_static", w->guards[i], 32, w->tid);
        }
        for (unsigned i = 0; i < N_FREED; i++) {
                tell("freed", victims[i], i % 2 ? 48 : 700, w->tid);
                free(victims[i]);
        }
}

static __attribute__((noinline)) void build_leaks(struct worker *w)
{
        build_lists(w);
        build_rings(w);
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
        void *volatile held[N_STACK];

        w->tid = sample_gettid();
        build_stack(w, held);
        build_tls(w);
        build_leaks(w);
        build_freed(w);
        scrub_stack();
        pthread_barrier_wait(w->ready);
        worker_block(w);
        return (void *)held[0];
}

static struct worker workers[65];

int main(int argc, char **argv)
{
        void *volatile held[N_STACK];
        int nthreads = 4, opt;

        while ((opt = getopt(argc, argv, "t:")) != -1) {
                switch (opt) {
                case 't': nthreads = atoi(optarg); break;
                default:
                        fprintf(stderr, "usage: reach [-t THREADS]\n");
                        return 2;
                }
        }
        if (nthreads < 0 || nthreads > 64) {
                fprintf(stderr, "reach: -t must be 0..64\n");
                return 2;
        }

        int pipefd[2];
        if (pipe(pipefd) < 0) {
                perror("reach: pipe");
                return 1;
        }
        pthread_barrier_t ready;
        pthread_barrier_init(&ready, NULL, (unsigned)nthreads + 1);

        say("pid %d", (int)getpid());
        struct worker *mainw = &workers[nthreads];
        *mainw = (struct worker){ .index = -1, .tid = sample_gettid(), .wait_fd = -1, .ready = &ready };
        for (int i = 0; i < nthreads; i++) {
                workers[i] = (struct worker){ .index = i, .wait_fd = pipefd[0], .ready = &ready };
                if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) != 0) {
                        fprintf(stderr, "reach: cannot create thread %d\n", i);
                        return 1;
                }
        }

        build_stack(mainw, held);
        build_tls(mainw);
        build_statics(mainw);
        build_typed(mainw);
        build_tree(mainw);
        build_possible(mainw);
        build_leaks(mainw);
        build_freed(mainw);
        scrub_stack();
        pthread_barrier_wait(&ready);
        say("ready");

        sample_serve(NULL, NULL);

        close(pipefd[1]);
        for (int i = 0; i < nthreads; i++)
                pthread_join(workers[i].thread, NULL);
        return held[0] == NULL;
}
