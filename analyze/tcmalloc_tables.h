/*
 * What the tcmalloc walker (analyze/tcmalloc/) finds in a core and the
 * database writer (analyze/db/db_tcmalloc.c) stores: gperftools' blocks,
 * spans, size classes, thread caches and the figures MallocExtension
 * reports, as plain arrays.  The blocks themselves go on into the heap
 * stage's chunks (heap.h); the rest is a->heap.tcmalloc.
 */
#ifndef MEMSNAP_TCMALLOC_TABLES_H
#define MEMSNAP_TCMALLOC_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "schema/schema_enum.h" /* enum tcmalloc_location, tcmalloc_found_by */

/* gperftools common.h: kClassSizesMax, the size-class slots of every per-class array */
#define TCMALLOC_CLASSES_MAX 128

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

struct tcmalloc_span {
        uint64_t address;       /* of the Span object (tcmalloc's metadata) */
        uint64_t start;         /* first byte it covers */
        uint64_t pages;         /* its length, in tcmalloc pages (tcmalloc_heap.page_size) */
        uint64_t objects;       /* head of its free objects (small-object spans) */
        uint32_t refcount;      /* objects handed out to caches or users */
        uint8_t sizeclass;      /* 0: a large block or a free span */
        uint8_t location;       /* enum tcmalloc_location (schema_enum.h) */
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
        uint64_t pthread;       /* tid_: pthread_t of its thread (the thread's struct pthread) */
        int tid;                /* the core's thread whose fs_base is that pthread_t, or 0 */
        uint64_t size;          /* its size_: bytes it says its lists hold */
        uint64_t objects;       /* objects the walk found in its lists */
        uint64_t bytes;         /* and their bytes */
};

/* Where the walk started, and how each place was known. */
struct tcmalloc_roots {
        uint64_t pageheap;      /* Static::pageheap_: the PageHeap */
        uint64_t sizemap;       /* Static::sizemap_ */
        uint64_t central;       /* Static::central_cache_[0] */
        uint64_t thread_heaps;  /* &ThreadCache::thread_heaps_ (0: thread caches are not read) */
};

struct tcmalloc_heap {
        int module_id;                      /* the library's module, or NO_ID */
        uint64_t page_size;                 /* tcmalloc's page (kPageSize), not the kernel's */
        struct tcmalloc_roots roots;
        enum tcmalloc_found_by found_by;    /* how roots were known */
        struct tcmalloc_block *blocks;      /* in address order; handed to chunks, then freed */
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
