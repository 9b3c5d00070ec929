/*
 * What the tcmalloc walker finds in a core: gperftools' blocks, its spans,
 * its size classes and the figures MallocExtension reports, as plain
 * arrays a database writer or a test reads.  The walker is
 * tcmalloc_heap_walk (tcmalloc_heap.h); where it starts is found by
 * tcmalloc_find (tcmalloc_find.h).  Structure offsets are in
 * tcmalloc_layout.h.
 */
#ifndef MEMSNAP_TCMALLOC_H
#define MEMSNAP_TCMALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "tcmalloc_layout.h"

/* Where a block is, tcmalloc's own places named. */
enum tcmalloc_state {
        TCMALLOC_USED,          /* handed out by malloc */
        TCMALLOC_CENTRAL,       /* free, on its span's object list (central cache) */
        TCMALLOC_TRANSFER,      /* free, in a central cache's transfer slot */
        TCMALLOC_THREAD,        /* free, in a thread cache's list */
        TCMALLOC_PAGEHEAP,      /* a free span on the page heap's normal lists */
        TCMALLOC_RETURNED,      /* a free span given back to the system (unmapped lists) */
        TCMALLOC_STATES,
};

/* Its name in the database and in messages: "used", "central", ... */
const char *tcmalloc_state_name(enum tcmalloc_state s);

struct tcmalloc_block {
        uint64_t address;       /* the user address: the object, or the span's first byte */
        uint64_t size;          /* usable bytes: the class size, or the span's pages */
        uint32_t span;          /* index into tcmalloc_heap.spans */
        uint8_t sizeclass;      /* 0 for a whole span */
        uint8_t state;          /* enum tcmalloc_state */
};

/* Span.location (span.h) */
enum tcmalloc_location {
        TCMALLOC_IN_USE,
        TCMALLOC_ON_NORMAL_FREELIST,
        TCMALLOC_ON_RETURNED_FREELIST,
};

struct tcmalloc_span {
        uint64_t address;       /* of the Span object (tcmalloc's metadata) */
        uint64_t start;         /* first byte it covers */
        uint64_t pages;         /* its length, in TCMALLOC_PAGE_SIZE pages */
        uint64_t objects;       /* head of its free objects (small-object spans) */
        uint32_t refcount;      /* objects handed out to caches or users */
        uint8_t sizeclass;      /* 0: a large block or a free span */
        uint8_t location;       /* enum tcmalloc_location */
};

/* One size class: SizeMap's figures and what the walk counted in it. */
struct tcmalloc_class {
        uint32_t size;          /* class_to_size_: bytes per object */
        uint32_t pages;         /* class_to_pages_: pages per span */
        uint32_t batch;         /* num_objects_to_move_: objects per transfer slot */
        uint64_t spans;         /* in-use spans of this class */
        uint64_t central_spans; /* those on the central cache's lists (num_spans_) */
        uint64_t count[TCMALLOC_STATES]; /* objects by state (PAGEHEAP, RETURNED stay 0) */
};

/*
 * The figures of MallocExtension::GetNumericProperty (tcmalloc.cc), each
 * computed from what the walk found (the walked_* below), and the page
 * heap's own Stats as the core holds them (stats_*).
 */
struct tcmalloc_figures {
        uint64_t heap_size;                 /* generic.heap_size: bytes of all spans */
        uint64_t current_allocated_bytes;   /* generic.current_allocated_bytes: heap_size less all below */
        uint64_t pageheap_free_bytes;       /* spans on the normal free lists */
        uint64_t pageheap_unmapped_bytes;   /* spans on the returned lists */
        uint64_t central_cache_free_bytes;  /* objects on central spans' lists, plus each
                                               central span's tail too short for an object */
        uint64_t transfer_cache_free_bytes; /* objects in transfer slots */
        uint64_t thread_cache_free_bytes;   /* objects in thread caches */
        uint64_t stats_system_bytes, stats_free_bytes, stats_unmapped_bytes; /* PageHeap::Stats */
};

struct tcmalloc_thread_cache {
        uint64_t address;       /* of the ThreadCache */
        uint64_t tid;           /* pthread_t of its thread (the pthread's address) */
        uint64_t size;          /* its size_: bytes it says its lists hold */
        uint64_t objects;       /* objects the walk found in its lists */
        uint64_t bytes;         /* and their bytes */
};

struct tcmalloc_heap {
        struct tcmalloc_block *blocks;      /* in address order */
        size_t nblocks, blocks_cap;
        struct tcmalloc_span *spans;        /* in address order */
        size_t nspans, spans_cap;
        struct tcmalloc_thread_cache *caches; /* in list order */
        size_t ncaches, caches_cap;
        struct tcmalloc_class classes[TCMALLOC_CLASSES_MAX];
        uint32_t nclasses;                  /* SizeMap::num_size_classes */
        struct tcmalloc_figures figures;
};

void tcmalloc_heap_free(struct tcmalloc_heap *h);

#endif
