/*
 * Unit tests for the tcmalloc walk (analyze/tcmalloc/tcmalloc_walk.c and the
 * layers under it) on a fabricated
 * gperftools 2.10 heap laid out as tcmalloc_layout.h says: the library's
 * writable memory (PageHeap, central caches, SizeMap, thread_heaps_), its
 * metadata (Spans, a pagemap leaf, a ThreadCache) and seven pages of heap:
 * a span of 8-byte objects (two free on the span, four in a transfer
 * slot, two in a thread cache), a two-page large block, a three-page free
 * span and a returned one.  The statics are found by shape, their figures
 * computed as tcmalloc does; damage (a span, a looping object list, a
 * looping span list, a looping cache list, a wrong symbol, and damage at
 * random) ends in warnings that name the address.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/tcmalloc/tcmalloc_find.h"
#include "analyze/tcmalloc/tcmalloc_walk.h"
#include "common/cleanup.h"
#include "core_run.h"

/* The library's writable memory: the statics, each 64-byte aligned as the compiler places them. */
#define LIB 0x7f0000000000ull
#define PAGEHEAP (LIB + 0x40)
#define CENTRAL ((PAGEHEAP + TCMALLOC_PAGEHEAP_BYTES + 63) & ~63ull)
#define SIZEMAP (CENTRAL + TCMALLOC_CLASSES_MAX * TCMALLOC_CENTRAL_BYTES)
#define THREAD_HEAPS (SIZEMAP + TCMALLOC_SIZEMAP_BYTES)
#define LIB_LEN ((THREAD_HEAPS + 8 - LIB + 4095) & ~4095ull)

/* tcmalloc's metadata: Spans, one pagemap leaf (2 MiB), a ThreadCache. */
#define META 0x10000000ull
#define SPAN(i) (META + (i) * TCMALLOC_SPAN_BYTES)
#define CACHE (META + 0x1000)
#define LEAF (META + 0x3000)
#define META_LEN (0x3000 + (8ull << TCMALLOC_PAGEMAP_LEAF_BITS))

/* Seven heap pages: a small-object span, a large block, a free span, a returned span. */
#define HEAP 0x20000000ull
#define PAGE0 (HEAP >> TCMALLOC_PAGE_SHIFT)
#define HEAP_LEN (7 * TCMALLOC_PAGE_SIZE)
#define OBJ(k) (HEAP + 8 * (k))
#define LARGE (HEAP + TCMALLOC_PAGE_SIZE)
#define FREE_SPAN (HEAP + 3 * TCMALLOC_PAGE_SIZE)
#define RETURNED (HEAP + 6 * TCMALLOC_PAGE_SIZE)

struct fixture {
        uint8_t *lib, *meta, *heap;
        uint64_t lib_split;     /* nonzero: the library's memory is two mappings, split here */
        struct core c;
        struct warnings w;
        struct tcmalloc_heap h;
};

static void put(struct fixture *f, uint64_t addr, uint64_t v)
{
        if (addr >= LIB && addr < LIB + LIB_LEN)
                memcpy(f->lib + (addr - LIB), &v, 8);
        else if (addr >= META && addr < META + META_LEN)
                memcpy(f->meta + (addr - META), &v, 8);
        else
                memcpy(f->heap + (addr - HEAP), &v, 8);
}

static void put32(struct fixture *f, uint64_t addr, uint32_t v)
{
        uint8_t *base = addr >= LIB ? f->lib + (addr - LIB) : f->meta + (addr - META);
        memcpy(base, &v, 4);
}

static void self_link(struct fixture *f, uint64_t span)
{
        put(f, span + TCMALLOC_SPAN_NEXT, span);
        put(f, span + TCMALLOC_SPAN_PREV, span);
}

/* A Span: pages from page, its class, location (span.h bit fields) and free objects. */
static void span(struct fixture *f, uint64_t at, uint64_t page, uint64_t pages, uint32_t cl, uint32_t location,
                 uint64_t objects)
{
        put(f, at + TCMALLOC_SPAN_START, page);
        put(f, at + TCMALLOC_SPAN_LENGTH, pages);
        put(f, at + TCMALLOC_SPAN_OBJECTS, objects);
        put32(f, at + TCMALLOC_SPAN_BITS, cl << 16 | location << 24);
        self_link(f, at);
}

static void pagemap(struct fixture *f, uint64_t page, uint64_t span_at)
{
        put(f, LEAF + 8 * (page & ((1u << TCMALLOC_PAGEMAP_LEAF_BITS) - 1)), span_at);
}

/* Classes: 1 of 8 bytes (one page, batches of 4), 2 of 64, 3 of kMaxSize (32 pages). */
static void sizemap(struct fixture *f)
{
        static const int32_t size[] = { 0, 8, 64, TCMALLOC_MAX_SIZE }, batch[] = { 0, 4, 2, 2 };
        static const uint64_t pages[] = { 0, 1, 1, 32 };
        for (uint32_t cl = 0; cl < 4; cl++) {
                put32(f, SIZEMAP + TCMALLOC_SIZEMAP_SIZE + 4 * cl, (uint32_t)size[cl]);
                put32(f, SIZEMAP + TCMALLOC_SIZEMAP_MOVE + 4 * cl, (uint32_t)batch[cl]);
                put(f, SIZEMAP + TCMALLOC_SIZEMAP_PAGES + 8 * cl, pages[cl]);
        }
        put(f, SIZEMAP + TCMALLOC_SIZEMAP_COUNT, 4);
}

static void build(struct fixture *f)
{
        sizemap(f);
        /* the page heap: every free_ list empty (the spans below are found through the pagemap) */
        for (uint64_t k = 0; k < 2 * TCMALLOC_MAX_PAGES; k++)
                self_link(f, PAGEHEAP + TCMALLOC_PAGEHEAP_FREE + k * TCMALLOC_SPAN_BYTES);
        put(f, PAGEHEAP + TCMALLOC_PAGEHEAP_STATS, HEAP_LEN);
        put(f, PAGEHEAP + TCMALLOC_PAGEHEAP_STATS + 8, 3 * TCMALLOC_PAGE_SIZE);
        put(f, PAGEHEAP + TCMALLOC_PAGEHEAP_STATS + 16, TCMALLOC_PAGE_SIZE);
        put(f, PAGEHEAP + TCMALLOC_PAGEMAP_ROOT + 8 * (PAGE0 >> TCMALLOC_PAGEMAP_LEAF_BITS), LEAF);
        for (uint64_t cl = 0; cl < 4; cl++) {
                uint64_t base = CENTRAL + cl * TCMALLOC_CENTRAL_BYTES;
                put(f, base + TCMALLOC_CENTRAL_CLASS, cl);
                self_link(f, base + TCMALLOC_CENTRAL_EMPTY);
                self_link(f, base + TCMALLOC_CENTRAL_NONEMPTY);
        }
        span(f, SPAN(0), PAGE0, 1, 1, TCMALLOC_IN_USE, OBJ(0));
        span(f, SPAN(1), PAGE0 + 1, 2, 0, TCMALLOC_IN_USE, 0);
        span(f, SPAN(2), PAGE0 + 3, 3, 0, TCMALLOC_ON_NORMAL_FREELIST, 0);
        span(f, SPAN(3), PAGE0 + 6, 1, 0, TCMALLOC_ON_RETURNED_FREELIST, 0);
        /* a small-object span is in the pagemap at every page, others at their ends */
        pagemap(f, PAGE0, SPAN(0));
        pagemap(f, PAGE0 + 1, SPAN(1));
        pagemap(f, PAGE0 + 2, SPAN(1));
        pagemap(f, PAGE0 + 3, SPAN(2));
        pagemap(f, PAGE0 + 5, SPAN(2));
        pagemap(f, PAGE0 + 6, SPAN(3));
        /* class 1's central cache: span 0 on nonempty_, objects 0 and 1 on it; a slot of objects 2..5 */
        uint64_t c1 = CENTRAL + TCMALLOC_CENTRAL_BYTES, nonempty = c1 + TCMALLOC_CENTRAL_NONEMPTY;
        put(f, nonempty + TCMALLOC_SPAN_NEXT, SPAN(0));
        put(f, nonempty + TCMALLOC_SPAN_PREV, SPAN(0));
        put(f, SPAN(0) + TCMALLOC_SPAN_NEXT, nonempty);
        put(f, SPAN(0) + TCMALLOC_SPAN_PREV, nonempty);
        put(f, c1 + TCMALLOC_CENTRAL_SPANS, 1);
        put(f, c1 + TCMALLOC_CENTRAL_COUNTER, 2);
        put(f, OBJ(0), OBJ(1));
        put(f, c1 + TCMALLOC_CENTRAL_SLOTS, OBJ(2));
        put(f, c1 + TCMALLOC_CENTRAL_SLOTS + 8, OBJ(5));
        put32(f, c1 + TCMALLOC_CENTRAL_USED_SLOTS, 1);
        for (uint64_t k = 2; k < 5; k++)
                put(f, OBJ(k), OBJ(k + 1));
        /* one thread cache: objects 6 and 7 in class 1's list */
        put(f, THREAD_HEAPS, CACHE);
        put(f, CACHE + TCMALLOC_FREELIST_BYTES, OBJ(6));
        put32(f, CACHE + TCMALLOC_FREELIST_BYTES + TCMALLOC_FREELIST_LENGTH, 2);
        put32(f, CACHE + TCMALLOC_THREAD_SIZE, 16);
        put(f, OBJ(6), OBJ(7));
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        f->lib = calloc(1, LIB_LEN);
        f->meta = calloc(1, META_LEN);
        f->heap = calloc(1, HEAP_LEN);
        assert_non_null(f->lib);
        assert_non_null(f->meta);
        assert_non_null(f->heap);
        build(f);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        tcmalloc_heap_free(&f->h);
        warnings_free(&f->w);
        core_close(&f->c);
        free(f->lib);
        free(f->meta);
        free(f->heap);
        free(f);
        return 0;
}

static void open_core(struct fixture *f)
{
        struct core_builder b;
        cb_init(&b);
        cb_load(&b, META, META_LEN, f->meta, META_LEN, PF_R | PF_W);
        cb_load(&b, HEAP, HEAP_LEN, f->heap, HEAP_LEN, PF_R | PF_W);
        if (f->lib_split) {
                uint64_t n = f->lib_split - LIB;
                cb_load(&b, LIB, n, f->lib, n, PF_R | PF_W);
                cb_load(&b, f->lib_split, LIB_LEN - n, f->lib + n, LIB_LEN - n, PF_R | PF_W);
        } else {
                cb_load(&b, LIB, LIB_LEN, f->lib, LIB_LEN, PF_R | PF_W);
        }
        core_run_open_core(&f->c, &b);
        cb_free(&b);
}

/* Finds the statics by shape and walks; the return of tcmalloc_find. */
static int walk(struct fixture *f, struct tcmalloc_roots *r)
{
        open_core(f);
        int ret = tcmalloc_find(&f->c, LIB, LIB + LIB_LEN, r, &f->w);
        if (ret == 0)
                assert_int_equal(tcmalloc_walk(&f->c, r, &f->h, &f->w), 0);
        return ret;
}

static const struct tcmalloc_block *block_at(const struct tcmalloc_heap *h, uint64_t addr)
{
        for (size_t i = 0; i < h->nblocks; i++)
                if (h->blocks[i].address == addr)
                        return &h->blocks[i];
        return NULL;
}

static void test_found_by_shape(void **state)
{
        struct fixture *f = *state;
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_int_equal(r.pageheap, PAGEHEAP);
        assert_int_equal(r.central, CENTRAL);
        assert_int_equal(r.sizemap, SIZEMAP);
        assert_int_equal(f->w.n, 0);
        assert_int_equal(f->h.nclasses, 4);
        assert_int_equal(f->h.classes[1].size, 8);
        assert_int_equal(f->h.nspans, 4);
}

/* .data and .bss are two mappings: the page heap across them is found all the same. */
static void test_across_two_mappings(void **state)
{
        struct fixture *f = *state;
        f->lib_split = PAGEHEAP + TCMALLOC_PAGEHEAP_FREE - 4096;
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_int_equal(r.pageheap, PAGEHEAP);
        assert_int_equal(f->w.n, 0);
}

static void test_blocks_and_states(void **state)
{
        struct fixture *f = *state;
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        /* 1024 objects of 8 bytes in one page, and the three whole spans */
        assert_int_equal(f->h.nblocks, 1024 + 3);
        static const enum tcmalloc_state want[8] = {
                TCMALLOC_CENTRAL, TCMALLOC_CENTRAL, TCMALLOC_TRANSFER, TCMALLOC_TRANSFER,
                TCMALLOC_TRANSFER, TCMALLOC_TRANSFER, TCMALLOC_THREAD, TCMALLOC_THREAD,
        };
        for (uint64_t k = 0; k < 8; k++)
                assert_int_equal(block_at(&f->h, OBJ(k))->state, want[k]);
        assert_int_equal(block_at(&f->h, OBJ(8))->state, TCMALLOC_USED);
        assert_int_equal(block_at(&f->h, OBJ(8))->size, 8);
        assert_int_equal(block_at(&f->h, LARGE)->state, TCMALLOC_USED);
        assert_int_equal(block_at(&f->h, LARGE)->size, 2 * TCMALLOC_PAGE_SIZE);
        assert_int_equal(block_at(&f->h, FREE_SPAN)->state, TCMALLOC_PAGEHEAP);
        assert_int_equal(block_at(&f->h, RETURNED)->state, TCMALLOC_RETURNED);
        assert_int_equal(f->h.classes[1].count[TCMALLOC_USED], 1016);
        assert_int_equal(f->h.classes[1].central_spans, 1);
        assert_int_equal(f->h.ncaches, 1);
        assert_int_equal(f->h.caches[0].objects, 2);
        for (size_t i = 1; i < f->h.nblocks; i++)
                assert_true(f->h.blocks[i - 1].address < f->h.blocks[i].address);
}

/* tcmalloc.cc's GetNumericProperty, by hand for this heap. */
static void test_figures(void **state)
{
        struct fixture *f = *state;
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        const struct tcmalloc_figures *g = &f->h.figures;
        assert_int_equal(g->heap_size, HEAP_LEN);
        assert_int_equal(g->pageheap_free_bytes, 3 * TCMALLOC_PAGE_SIZE);
        assert_int_equal(g->pageheap_unmapped_bytes, TCMALLOC_PAGE_SIZE);
        assert_int_equal(g->central_cache_free_bytes, 2 * 8); /* 8192 % 8: no tail */
        assert_int_equal(g->transfer_cache_free_bytes, 4 * 8);
        assert_int_equal(g->thread_cache_free_bytes, 2 * 8);
        assert_int_equal(g->current_allocated_bytes, HEAP_LEN - 4 * TCMALLOC_PAGE_SIZE - 8 * 8);
        assert_int_equal(g->stats_system_bytes, HEAP_LEN);
}

static void test_thread_list_loops(void **state)
{
        struct fixture *f = *state;
        put(f, OBJ(7), OBJ(6));
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, OBJ(6), "this list loops"));
        assert_int_equal(block_at(&f->h, OBJ(7))->state, TCMALLOC_THREAD);
}

static void test_span_list_loops(void **state)
{
        struct fixture *f = *state;
        put(f, SPAN(0) + TCMALLOC_SPAN_NEXT, SPAN(0));
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, SPAN(0), "on a central list twice"));
        assert_int_equal(f->h.classes[1].central_spans, 1);
}

static void test_cache_list_loops(void **state)
{
        struct fixture *f = *state;
        put(f, CACHE + TCMALLOC_THREAD_NEXT, CACHE);
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, CACHE, "loops back"));
        assert_int_equal(f->h.ncaches, 1);
}

static void test_damaged_span(void **state)
{
        struct fixture *f = *state;
        put(f, SPAN(1) + TCMALLOC_SPAN_LENGTH, 0);
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, SPAN(1), "damaged"));
        assert_null(block_at(&f->h, LARGE));
        /* the page heap's own figure and the walk's now differ, and say so */
        assert_true(core_run_warned_at(&f->w, PAGEHEAP + TCMALLOC_PAGEHEAP_STATS, "system_bytes"));
}

static void test_object_of_another_class(void **state)
{
        struct fixture *f = *state;
        put(f, OBJ(1), LARGE);
        struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, LARGE, "no in-use span of its size class"));
        assert_int_equal(block_at(&f->h, LARGE)->state, TCMALLOC_USED);
}

static void test_wrong_symbol(void **state)
{
        struct fixture *f = *state;
        struct tcmalloc_roots r = { .pageheap = PAGEHEAP + 8, .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_true(core_run_warned_at(&f->w, PAGEHEAP + 8, "not a PageHeap"));
        assert_int_equal(r.pageheap, PAGEHEAP);
}

/* A debug file's symbols: kept when they fit, with no search. */
static void test_symbols_kept(void **state)
{
        struct fixture *f = *state;
        struct tcmalloc_roots r = { .pageheap = PAGEHEAP, .sizemap = SIZEMAP, .central = CENTRAL, .thread_heaps = THREAD_HEAPS };
        assert_int_equal(walk(f, &r), 0);
        assert_int_equal(f->w.n, 0);
        assert_int_equal(r.pageheap, PAGEHEAP);
        assert_int_equal(f->h.figures.heap_size, HEAP_LEN);
}

static void test_not_found(void **state)
{
        struct fixture *f = *state;
        put(f, SIZEMAP + TCMALLOC_SIZEMAP_COUNT, 0);
        struct tcmalloc_roots r = { 0 };
        assert_int_equal(walk(f, &r), -ENOENT);
        assert_true(core_run_warned_at(&f->w, LIB, "size map, central caches"));
}

/*
 * Damage at random, deterministically: words of the spans, the central
 * cache of class 1, the thread cache, the free objects, the pagemap leaf
 * and the page heap's stats get random values or addresses of one another.
 * Every walk must end (the sanitizer build checks its reads).
 */
static void test_random_damage(void **state)
{
        (void)state;
        uint64_t words[64];
        size_t n = 0;
        for (uint64_t i = 0; i < 4; i++)
                for (uint64_t off = 0; off < TCMALLOC_SPAN_BYTES; off += 8)
                        words[n++] = SPAN(i) + off;
        uint64_t c1 = CENTRAL + TCMALLOC_CENTRAL_BYTES;
        static const uint64_t central_words[] = { TCMALLOC_CENTRAL_NONEMPTY + TCMALLOC_SPAN_NEXT,
                                                  TCMALLOC_CENTRAL_EMPTY + TCMALLOC_SPAN_PREV, TCMALLOC_CENTRAL_SLOTS,
                                                  TCMALLOC_CENTRAL_SLOTS + 8, TCMALLOC_CENTRAL_USED_SLOTS };
        for (size_t i = 0; i < ELEMENTSOF(central_words); i++)
                words[n++] = c1 + central_words[i];
        words[n++] = CACHE + TCMALLOC_FREELIST_BYTES;
        words[n++] = CACHE + TCMALLOC_FREELIST_BYTES + TCMALLOC_FREELIST_LENGTH;
        words[n++] = CACHE + TCMALLOC_THREAD_NEXT;
        for (uint64_t k = 0; k < 8; k++)
                words[n++] = OBJ(k);
        words[n++] = LEAF + 8 * (PAGE0 & ((1u << TCMALLOC_PAGEMAP_LEAF_BITS) - 1));
        words[n++] = LEAF + 8 * ((PAGE0 + 2) & ((1u << TCMALLOC_PAGEMAP_LEAF_BITS) - 1));
        const uint64_t targets[] = { 0, 1, SPAN(0), SPAN(1), SPAN(3), OBJ(0), OBJ(3), OBJ(7), LARGE, CACHE, c1,
                                     c1 + TCMALLOC_CENTRAL_NONEMPTY, UINT64_MAX, 0x7fffffffffffull };
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < 16; round++) {
                void *s = NULL;
                setup(&s);
                struct fixture *f = s;
                for (int k = 0; k < 3; k++) {
                        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                        uint64_t at = words[(seed >> 33) % n];
                        uint64_t v = (seed >> 20) & 1 ? targets[(seed >> 40) % ELEMENTSOF(targets)] : seed;
                        put(f, at, v);
                }
                struct tcmalloc_roots r = { .thread_heaps = THREAD_HEAPS };
                int ret = walk(f, &r);
                assert_true(ret == 0 || ret == -ENOENT);
                for (size_t i = 1; i < f->h.nblocks; i++)
                        assert_true(f->h.blocks[i - 1].address < f->h.blocks[i].address);
                teardown(&s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_found_by_shape, setup, teardown),
                cmocka_unit_test_setup_teardown(test_across_two_mappings, setup, teardown),
                cmocka_unit_test_setup_teardown(test_blocks_and_states, setup, teardown),
                cmocka_unit_test_setup_teardown(test_figures, setup, teardown),
                cmocka_unit_test_setup_teardown(test_thread_list_loops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_span_list_loops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_cache_list_loops, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_span, setup, teardown),
                cmocka_unit_test_setup_teardown(test_object_of_another_class, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_symbol, setup, teardown),
                cmocka_unit_test_setup_teardown(test_symbols_kept, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
                cmocka_unit_test(test_random_damage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
