/*
 * The pieces of the reach stage (reach.c), each in its own file:
 *
 *   reach_index.c    which used chunk, if any, an address points into
 *   reach_roots.c    the root set: registers, stacks, TLS, module data, anon
 *   reach_scan.c     scanning words of roots and blocks into refs
 *   reach_verdict.c  memcheck's leak verdicts from those refs
 *
 * They share nothing but what is declared here; each takes plain arrays so
 * the unit tests can feed it synthetic heaps and cores.
 */
#ifndef MEMSNAP_REACH_H
#define MEMSNAP_REACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "type_hint.h"

/* ---- reach_index.c ------------------------------------------------------ */

/*
 * A span of address space holding used chunks close together, with a slot
 * table: slots[k] is the first used chunk whose user area ends above
 * lo + (k << shift).  Spans are split at gaps wider than REACH_SPAN_GAP, so
 * the tables stay proportional to the heap, not to the address space.
 */
struct reach_span {
        uint64_t lo, hi;      /* [lo, hi): first mem, last end */
        uint32_t shift;       /* log2 of the slot width in bytes */
        uint32_t first_slot;  /* index of slot 0 in reach_index.slots */
        uint32_t nslots;      /* slots + 1 sentinel are stored */
};

/* A used chunk's user area, with what a hit needs beside it so a lookup misses the cache once. */
struct reach_area {
        uint64_t mem, end;
        uint32_t chunk;       /* index into analysis.chunks */
        bool before_free;     /* the next chunk is free or top, and its header is our last 8 bytes */
};

/* The used chunks' user areas [mem, mem + usable), sorted, for pointer lookup. */
struct reach_index {
        uint64_t lo, hi;      /* every user area lies in [lo, hi) */
        size_t n;             /* used chunks */
        struct reach_area *area; /* n, ascending */
        struct reach_span *spans;
        size_t nspans;
        uint32_t *slots;
        size_t nslots;
        uint32_t *refused;    /* used chunks left out (empty, wrapping, overlapping): no target, no verdict */
        size_t nrefused;
};

#define REACH_SPAN_GAP (64u << 10)

/*
 * Builds the index over the used chunks of chunks[0..n) (sorted by address,
 * as the heap walker leaves them; chunks out of order or overlapping are
 * skipped with a warning).  Returns 0 or -ENOMEM.
 */
int reach_index_build(struct reach_index *ix, const struct chunk *chunks, size_t n, struct warnings *w);
void reach_index_free(struct reach_index *ix);

/*
 * Memory for the big arrays that are read at random (the index, the
 * verdict's graph): 2 MiB-aligned and marked for transparent huge pages,
 * because a TLB miss per lookup costs more than the lookup, under a
 * hypervisor most of all.  Free with free().
 */
void *reach_index_alloc_hot(size_t n, size_t size);

/*
 * A lookup in two steps, so a caller can prefetch between them: the slot
 * covering addr (NULL when no span does), then the chunk from that slot.
 */
const uint32_t *reach_index_slot(const struct reach_index *ix, uint64_t addr);
long reach_index_resolve(const struct reach_index *ix, const uint32_t *slot, uint64_t addr);

/* Slow path of reach_index_find: which used chunk holds addr, or -1. */
static inline long reach_index_lookup(const struct reach_index *ix, uint64_t addr)
{
        const uint32_t *slot = reach_index_slot(ix, addr);
        return slot ? reach_index_resolve(ix, slot, addr) : -1;
}

/* The used chunk (index into ix->area) whose user area holds addr, or -1. */
static inline long reach_index_find(const struct reach_index *ix, uint64_t addr)
{
        /* Most words are small numbers, text or pointers elsewhere: one compare rejects them. */
        if (addr - ix->lo >= ix->hi - ix->lo)
                return -1;
        return reach_index_lookup(ix, addr);
}

/* ---- reach_roots.c ------------------------------------------------------ */

/* A range of memory scanned as a root, with what it is. */
struct root_range {
        uint64_t start, end;  /* 8-byte aligned */
        int32_t segment;      /* index into analysis.segments */
        int32_t tid;          /* stack and TLS roots; 0 otherwise */
        uint8_t kind;         /* enum root_kind */
};

struct root_set {
        struct root_range *v;
        size_t n, cap;
};

/* glibc elf/dl-tls.c: the static TLS surplus, 1664 bytes by default since glibc 2.32. */
#define TLS_STATIC_SURPLUS 1664
/* glibc nptl: sizeof(struct pthread) on x86-64, the TCB above fs_base, when no thread shows it. */
#define TLS_TCB_DEFAULT 2304
/* x86-64 psABI 3.2.2: the red zone below the stack pointer a leaf function may use. */
#define STACK_RED_ZONE 128

/*
 * Collects the memory ranges to scan as roots: each thread's stack from its
 * SP (less the red zone) to the end of its mapping, module data, bss and
 * RELRO, anonymous and shared mappings; never malloc heaps, nor any bytes a
 * chunk covers.  Words within a thread's static TLS and TCB are labelled
 * tls.  Ranges come out sorted and disjoint.
 */
int reach_roots_collect(const struct analysis *a, struct root_set *out);
void reach_roots_free(struct root_set *r);

/* ---- reach_scan.c ------------------------------------------------------- */

/* A word that may point into a block, waiting in a batch for its lookup. */
struct scan_pending {
        uint64_t word;
        uint64_t from;        /* where the word is (struct ref.from) */
        uint32_t proto;       /* index into scan.protos */
        const uint32_t *slot; /* filled in by the batch's first pass */
};

/* Words looked up together: their cache misses overlap instead of queueing. */
#define SCAN_BATCH 256

/* Bytes that could not be scanned because the core does not hold them. */
struct scan_unknown {
        uint64_t bytes[SEG_KIND_COUNT]; /* root bytes, by kind of segment */
        uint32_t segments[SEG_KIND_COUNT];
        uint64_t block_bytes;           /* user bytes of used chunks */
        uint64_t blocks;
};

struct scan {
        const struct core *core;
        const struct reach_index *ix;
        const struct segment *segments;
        const struct chunk *chunks;
        struct core_span cur;  /* where the last block was: blocks come in address order */
        uint8_t head[TYPE_HINT_BYTES_MAX]; /* a block's first bytes, when they are not in one data run */
        struct ref *refs;
        size_t nrefs, cap;
        size_t max_refs;       /* REFS_MAX, lowered by tests */
        struct scan_pending pending[SCAN_BATCH];
        size_t npending;
        struct ref protos[SCAN_BATCH]; /* what the pending words' refs are from */
        size_t nprotos;
        bool refs_capped;      /* max_refs was reached: later edges were dropped */
        struct scan_unknown unknown;
};

/* Refs kept at most: 32 bytes each, so 4 GiB. */
#define REFS_MAX (1u << 27)

/* Scans every thread's general-purpose registers. */
int reach_scan_registers(struct scan *s, const struct thread *threads, size_t n);

/* Scans one root range through the core; what the core lacks is counted as unknown. */
int reach_scan_root(struct scan *s, const struct root_range *r);

/*
 * Scans the user bytes of used chunk u (an index into ix): the pointers it
 * holds become refs from it; holes of the core are stepped over.  When the
 * core knows every byte of the block, *bytes is set to its first bytes
 * (at least TYPE_HINT_BYTES_MAX of them, or all), for type hints; else NULL.
 */
int reach_scan_block(struct scan *s, size_t u, const uint8_t **bytes);

/* Looks up the words still pending; call before reading s->refs.  Returns 0 or -ENOMEM. */
int reach_scan_flush(struct scan *s);

void reach_scan_free(struct scan *s);

/* ---- reach_verdict.c ---------------------------------------------------- */

/*
 * Sets chunks[i].leak for every used chunk from the refs (root refs have
 * from_chunk NO_ID; to_offset 0 is a start pointer), as valgrind memcheck's
 * leak checker decides, with its heuristics off:
 *   reachable  a chain of start pointers from a root
 *   possible   reached from a root, but only through an interior pointer
 *   indirect   unreached, but pointed to by an unreached block
 *   definite   unreached and pointed to by no other unreached block that
 *              comes before it (clique leaders, in address order)
 * Free chunks and top get LEAK_NONE.  Returns 0 or -ENOMEM.
 */
int reach_verdict(struct chunk *chunks, size_t nchunks, const struct ref *refs, size_t nrefs);

#endif
