/*
 * owners: a program whose heap has known owners, for testing root holders,
 * dominators and retained sizes against the program's own account.
 *
 *   g_table      a global pointer to a hash table (an array of buckets)
 *                whose buckets hold linked lists: it retains them all
 *   hold_tree    a binary tree held only from a local variable of the
 *                function hold_tree, on a thread of its own that waits
 *                there for good
 *   t_cache      a thread-local (__thread) cache of the main thread: an
 *                array of entries, each with a buffer
 *   g_left and g_right  two globals that both point at one structure (a
 *                block heading a short list): neither dominates it
 *   g_ring       a global pointing into a cycle of blocks
 *
 * It prints one line per holder:
 *   holder NAME RETAINED ADDR TID
 * RETAINED is the sum over the blocks the holder alone keeps alive of
 * malloc_usable_size(p) + 8: glibc's chunk size of a block that is not
 * mmapped (malloc.c musable(): usable = chunksize - CHUNK_HDR_SZ + SIZE_SZ,
 * so chunksize = usable + SIZE_SZ, which is what chunks.size counts).  ADDR
 * is the first block (the table, the tree's root, the cache array, the
 * shared structure, the ring's first block), TID the thread (0 for
 * globals).  For the shared structure NAME is "shared" and RETAINED the
 * bytes of the structure itself with what it dominates.  Then "ready", and
 * it serves commands on stdin (sample_io.h).
 *
 * Nothing else holds these addresses: lines are printed by say(), which does
 * not allocate; the functions that allocate return before anything waits,
 * the dead stack below is zeroed, and "ready" is printed last so no
 * register keeps an address say() formatted.
 */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sample_io.h"

#define BUCKETS 64
#define PER_BUCKET 5
#define TREE_DEPTH 8 /* 255 nodes */
#define CACHE_ENTRIES 40
#define SHARED_LEN 6
#define RING_LEN 7
#define SCRUB_BYTES (64u << 10)

struct node {
        struct node *next;
        uint64_t key, payload[4]; /* small numbers: nothing here looks like a pointer */
};

struct tnode {
        struct tnode *left, *right;
        uint64_t value;
};

struct entry {
        char *buf;
        uint64_t hits;
};

/* The only globals that hold heap pointers.  volatile: written, never read, and the stores must stay. */
static struct node **volatile g_table;
static struct node *volatile g_left;
static struct node *volatile g_right;
static struct node *volatile g_ring;
static __thread struct entry *volatile t_cache;

/* The bytes glibc's chunk of p takes: usable size plus the size field (see the top). */
static uint64_t chunk_bytes(void *p)
{
        return malloc_usable_size(p) + sizeof(size_t);
}

static struct node *new_node(uint64_t key, size_t extra, uint64_t *bytes)
{
        struct node *n = calloc(1, sizeof(*n) + extra);
        n->key = key;
        for (int i = 0; i < 4; i++)
                n->payload[i] = key * 7 + (uint64_t)i;
        *bytes += chunk_bytes(n);
        return n;
}

/* Zeroes the dead stack below the caller, where returned functions left copies of pointers. */
static __attribute__((noinline)) void scrub_stack(void)
{
        volatile char buf[SCRUB_BYTES];
        memset((char *)buf, 0, sizeof(buf));
        __asm__ volatile("" : : "r"(buf) : "memory");
}

static __attribute__((noinline)) void build_table(void)
{
        uint64_t bytes = 0;
        struct node **table = calloc(BUCKETS, sizeof(*table));
        bytes += chunk_bytes(table);
        for (unsigned b = 0; b < BUCKETS; b++)
                for (unsigned k = 0; k < PER_BUCKET; k++) {
                        struct node *n = new_node(b * 100 + k, (k % 3) * 40, &bytes);
                        n->next = table[b];
                        table[b] = n;
                }
        g_table = table;
        say("holder g_table %llu %p 0", (unsigned long long)bytes, (void *)table);
}

static __attribute__((noinline)) void build_cache(void)
{
        uint64_t bytes = 0;
        struct entry *cache = calloc(CACHE_ENTRIES, sizeof(*cache));
        bytes += chunk_bytes(cache);
        for (unsigned i = 0; i < CACHE_ENTRIES; i++) {
                cache[i].buf = malloc(32 + 24 * (i % 5));
                memset(cache[i].buf, 'a' + (int)(i % 26), 32);
                bytes += chunk_bytes(cache[i].buf);
        }
        t_cache = cache;
        say("holder t_cache %llu %p %d", (unsigned long long)bytes, (void *)cache, sample_gettid());
}

static __attribute__((noinline)) void build_shared(void)
{
        uint64_t bytes = 0;
        struct node *head = NULL;
        for (unsigned i = 0; i < SHARED_LEN; i++) {
                struct node *n = new_node(1000 + i, 16, &bytes);
                n->next = head;
                head = n;
        }
        g_left = head;
        g_right = head;
        say("holder shared %llu %p 0", (unsigned long long)bytes, (void *)head);
}

static __attribute__((noinline)) void build_ring(void)
{
        uint64_t bytes = 0;
        struct node *first = new_node(2000, 8, &bytes), *last = first;
        for (unsigned i = 1; i < RING_LEN; i++) {
                struct node *n = new_node(2000 + i, 8 * i, &bytes);
                last->next = n;
                last = n;
        }
        last->next = first;
        g_ring = first;
        say("holder g_ring %llu %p 0", (unsigned long long)bytes, (void *)first);
}

static struct tnode *build_tree(int depth, uint64_t *bytes)
{
        if (depth == 0)
                return NULL;
        struct tnode *t = malloc(sizeof(*t) + (size_t)(depth % 3) * 16);
        *bytes += chunk_bytes(t);
        t->value = (uint64_t)depth;
        t->left = build_tree(depth - 1, bytes);
        t->right = build_tree(depth - 1, bytes);
        return t;
}

struct keeper {
        int wait_fd; /* read end of a pipe nobody writes */
        pthread_barrier_t *ready;
};

/* Blocks for good: the tree thread's frames stay as they are. */
static __attribute__((noinline)) void wait_forever(int fd)
{
        char c;
        while (read(fd, &c, 1) != 0)
                ;
        pause();
}

static __attribute__((noinline)) void report_tree(struct tnode *root, uint64_t bytes)
{
        say("holder hold_tree %llu %p %d", (unsigned long long)bytes, (void *)root, sample_gettid());
}

/* The tree's only holder: root, a local of this function. */
static __attribute__((noinline)) void hold_tree(struct keeper *k)
{
        uint64_t bytes = 0;
        struct tnode *volatile root = build_tree(TREE_DEPTH, &bytes);
        report_tree(root, bytes);
        scrub_stack();
        say("tree held");
        pthread_barrier_wait(k->ready);
        wait_forever(k->wait_fd);
        __asm__ volatile("" : : "r"(&root) : "memory");
}

static void *tree_thread(void *arg)
{
        hold_tree(arg);
        return NULL;
}

static bool handle(const char *cmd, void *data)
{
        (void)cmd;
        (void)data;
        return false;
}

int main(void)
{
        int fds[2];
        pthread_barrier_t ready;
        pthread_t thread;

        if (pipe(fds) != 0 || pthread_barrier_init(&ready, NULL, 2) != 0)
                return 1;
        struct keeper k = { .wait_fd = fds[0], .ready = &ready };
        if (pthread_create(&thread, NULL, tree_thread, &k) != 0)
                return 1;
        build_table();
        build_cache();
        build_shared();
        build_ring();
        pthread_barrier_wait(&ready);
        scrub_stack();
        say("ready");
        sample_serve(handle, NULL);
        return 0;
}
