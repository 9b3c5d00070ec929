/*
 * Unit tests for analyze/glibc/glibc_tcache.c on a fabricated heap (glibc 2.36
 * layout: uint16_t counts, safe-linked next pointers, a random key): the
 * tcache found through a thread's TLS below fs_base, or at its arena's
 * first chunk when no thread points to it, also in a chunk 16 bytes bigger
 * than the struct; its entries marked free in bin
 * 'tcache'; a loop, a wrong count and a wrong key named in warnings.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_chunks.h"
#include "analyze/glibc/glibc_tcache.h"
#include "core_run.h"

#define BASE 0x55550000ull
#define LEN 0x1000u
#define TLS 0x7f0000000000ull       /* a thread's static TLS and TCB page */
#define FS (TLS + 0x800)
#define SLOT (FS - 0x48)            /* where `tcache` lives below fs_base */
#define KEY 0x1122334455667788ull
#define P GLIBC_PREV_INUSE

/* The heap: the tcache struct (0x290), three 0x20 chunks, a 0x30 chunk, top. */
#define T (BASE)
#define X1 (BASE + 0x290)
#define X2 (BASE + 0x2b0)
#define X3 (BASE + 0x2d0)
#define Y (BASE + 0x2f0)
#define TOP (BASE + 0x320)

struct fixture {
        size_t nchunks;             /* what the walk of mem must find */
        struct analysis a;
        struct heap_ctx h;
        uint8_t mem[LEN];
        uint8_t tls[0x1000];
};

static void put(struct fixture *f, uint64_t addr, uint64_t v) { memcpy(f->mem + (addr - BASE), &v, 8); }

static void put16(struct fixture *f, uint64_t addr, uint16_t v) { memcpy(f->mem + (addr - BASE), &v, 2); }

/* tcache_put: e->next = PROTECT_PTR (&e->next, next), e->key = tcache_key */
static void entry(struct fixture *f, uint64_t chunk, uint64_t next_mem)
{
        uint64_t e = chunk + 16;
        put(f, e, (e >> 12) ^ next_mem);
        put(f, e + 8, KEY);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        f->a.core.fd = -1;
        f->nchunks = 6;
        glibc_layout_for(2, 36, 0, &f->h.layout);
        put(f, T + 8, 0x290 | P);
        put(f, X1 + 8, 0x20 | P);
        put(f, X2 + 8, 0x20 | P);
        put(f, X3 + 8, 0x20 | P);
        put(f, Y + 8, 0x30 | P);
        put(f, TOP + 8, (LEN - 0x320) | P);
        /* bin 0 (0x20): X1 -> X2 -> X3; bin 1 (0x30): Y */
        uint64_t t = T + 16;
        put16(f, t + 0, 3);
        put16(f, t + 2, 1);
        put(f, t + (uint64_t)f->h.layout.tc_entries + 0, X1 + 16);
        put(f, t + (uint64_t)f->h.layout.tc_entries + 8, Y + 16);
        entry(f, X1, X2 + 16);
        entry(f, X2, X3 + 16);
        entry(f, X3, 0);
        entry(f, Y, 0);
        uint64_t slot = T + 16;
        memcpy(f->tls + (SLOT - TLS), &slot, 8);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        free(f->a.heap.chunks);
        free(f->a.heap.arenas);
        free(f->a.heap.tcaches);
        free(f->a.threads.v);
        free(f->h.regions);
        core_close(&f->a.core);
        warnings_free(&f->a.warnings);
        free(f);
        return 0;
}

/* Walks the fake heap, then looks for tcaches; with_thread gives one thread whose fs_base is FS. */
static void classify(struct fixture *f, bool with_thread)
{
        struct core_builder b;
        cb_init(&b);
        cb_load(&b, BASE, LEN, f->mem, LEN, PF_R | PF_W);
        cb_load(&b, TLS, sizeof(f->tls), f->tls, sizeof(f->tls), PF_R | PF_W);
        core_run_open_core(&f->a.core, &b);
        cb_free(&b);
        f->h.a = &f->a;
        f->h.out = &f->a.heap;
        f->h.w = &f->a.warnings;
        f->h.page_size = 4096;
        f->h.roots.tcache_key = KEY;
        glibc_mem_init(&f->h.mem, &f->a.core);
        f->a.heap.malloc_par = (struct malloc_par_info){ .found = true, .tcache_count = 7, .tcache_bins = 64 };
        f->a.heap.arenas = calloc(1, sizeof(*f->a.heap.arenas));
        f->a.heap.narenas = 1;
        f->a.heap.arenas[0] = (struct arena){ .address = 0x5000, .is_main = true, .top = TOP, .top_size = LEN - 0x320 };
        f->h.regions = calloc(1, sizeof(*f->h.regions));
        f->h.regions[0] = (struct heap_region){ .start = BASE, .end = BASE + LEN, .top = TOP, .arena_id = 0,
                                                .heap_id = NO_ID };
        f->h.nregions = 1;
        if (with_thread) {
                f->a.threads.v = calloc(1, sizeof(*f->a.threads.v));
                f->a.threads.v[0] = (struct thread){ .tid = 42, .fs_base = FS };
                f->a.threads.n = 1;
        }
        assert_int_equal(glibc_chunks_walk(&f->h, &f->h.regions[0]), 0);
        assert_int_equal(f->a.heap.nchunks, f->nchunks);
        assert_int_equal(glibc_tcache_classify(&f->h), 0);
}

static const struct chunk *chunk(const struct fixture *f, uint64_t addr)
{
        ssize_t k = glibc_chunk_find(&f->a.heap, addr);
        assert_true(k >= 0);
        return &f->a.heap.chunks[k];
}

static void test_found_through_tls(void **state)
{
        struct fixture *f = *state;
        classify(f, true);
        assert_int_equal(f->a.warnings.n, 0);
        assert_int_equal(f->a.heap.ntcaches, 1);
        assert_int_equal(f->a.heap.tcaches[0].tid, 42);
        assert_int_equal(f->a.heap.tcaches[0].address, T + 16);
        assert_string_equal(f->a.heap.tcaches[0].found_by, "tls");
        assert_int_equal(f->a.heap.tcaches[0].entries, 4);
        assert_int_equal(f->a.heap.tcaches[0].arena_id, 0);
        const uint64_t held[] = { X1, X2, X3, Y };
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(chunk(f, held[i])->state, CHUNK_FREE);
                assert_int_equal(chunk(f, held[i])->bin, BIN_TCACHE);
        }
        /* the tcache struct itself is an ordinary used chunk */
        assert_int_equal(chunk(f, T)->state, CHUNK_USED);
}

static void test_found_at_heap_start(void **state)
{
        struct fixture *f = *state;
        classify(f, false);
        assert_int_equal(f->a.heap.ntcaches, 1);
        assert_int_equal(f->a.heap.tcaches[0].tid, 0);
        assert_string_equal(f->a.heap.tcaches[0].found_by, "heap_start");
        assert_int_equal(chunk(f, X3)->bin, BIN_TCACHE);
}

static void test_loop(void **state)
{
        struct fixture *f = *state;
        entry(f, X3, X1 + 16); /* X1 -> X2 -> X3 -> X1 */
        classify(f, true);
        assert_true(core_run_warned_at(&f->a.warnings, X1 + 16, "tcache bin 0 of thread 42"));
        assert_true(core_run_warned_at(&f->a.warnings, X1 + 16, "loops"));
        assert_int_equal(chunk(f, X3)->bin, BIN_TCACHE);
}

static void test_wrong_count_and_key(void **state)
{
        struct fixture *f = *state;
        put16(f, T + 16, 5);    /* the list holds 3 */
        put(f, X2 + 24, 0xbad); /* a key that is not tcache_key */
        classify(f, true);
        assert_true(core_run_warned_at(&f->a.warnings, X1 + 16, "its count says 5 entries, the list has 3"));
        assert_true(core_run_warned_at(&f->a.warnings, X2 + 16, "has key 0xbad"));
        assert_int_equal(f->a.heap.tcaches[0].entries, 4);
}

static void test_wild_entry(void **state)
{
        struct fixture *f = *state;
        entry(f, X2, 0x4141414141410ull); /* X1 -> X2 -> nowhere */
        classify(f, true);
        assert_true(core_run_warned_at(&f->a.warnings, 0x4141414141410ull, "is not a chunk of the heap walk"));
        assert_int_equal(chunk(f, X2)->bin, BIN_TCACHE);
        assert_int_equal(chunk(f, X3)->state, CHUNK_USED);
}

static void test_not_a_tcache(void **state)
{
        struct fixture *f = *state;
        put16(f, T + 16 + 2 * 5, 100); /* more than mp_.tcache_count, and an empty list */
        classify(f, false);
        /* searching strictly, the first chunk is not taken for a tcache */
        assert_int_equal(f->a.heap.ntcaches, 0);
        assert_int_equal(chunk(f, X1)->state, CHUNK_USED);
}

static void test_thread_slot_read_leniently(void **state)
{
        struct fixture *f = *state;
        put16(f, T + 16 + 2 * 5, 100); /* damaged, but the thread's own TLS slot points at it */
        classify(f, true);
        assert_int_equal(f->a.heap.ntcaches, 1);
        assert_string_equal(f->a.heap.tcaches[0].found_by, "tls");
        assert_true(core_run_warned_at(&f->a.warnings, T + 16, "tcache bin 5 of thread 42 (0x55550010): its count says 100 entries, the list has 0"));
        assert_int_equal(chunk(f, X1)->bin, BIN_TCACHE);
}

/*
 * A thread's first malloc found a free 0x2a0 chunk in its arena (one arena
 * for all: arena_max=1) and _int_malloc gave it whole, the 0x10 left being
 * under MINSIZE: the tcache struct is 16 bytes bigger than asked.  It is
 * still the thread's tcache, with no warning.  Here X1 and X2 become the
 * struct's extra 0x10 and a 0x30 chunk Z in bin 1 before Y.
 */
static void test_struct_in_a_bigger_chunk(void **state)
{
        struct fixture *f = *state;
        const uint64_t z = BASE + 0x2a0, t = T + 16;
        put(f, T + 8, 0x2a0 | P);
        put(f, z + 8, 0x30 | P);
        entry(f, z, Y + 16);
        put16(f, t + 0, 1);
        put16(f, t + 2, 2);
        put(f, t + (uint64_t)f->h.layout.tc_entries + 0, X3 + 16);
        put(f, t + (uint64_t)f->h.layout.tc_entries + 8, z + 16);
        f->nchunks = 5;
        classify(f, true);
        assert_int_equal(f->a.warnings.n, 0);
        assert_int_equal(f->a.heap.ntcaches, 1);
        assert_string_equal(f->a.heap.tcaches[0].found_by, "tls");
        assert_int_equal(f->a.heap.tcaches[0].entries, 3);
        assert_int_equal(chunk(f, z)->bin, BIN_TCACHE);
        assert_int_equal(chunk(f, Y)->bin, BIN_TCACHE);
}

/* 0x20 more would have been split off (MINSIZE): a 0x2b0 chunk is no tcache. */
static void test_struct_chunk_too_big(void **state)
{
        struct fixture *f = *state;
        const uint64_t t = T + 16;
        put(f, T + 8, 0x2b0 | P);
        put16(f, t + 0, 2);
        put(f, t + (uint64_t)f->h.layout.tc_entries + 0, X2 + 16);
        f->nchunks = 5;
        classify(f, true);
        assert_int_equal(f->a.heap.ntcaches, 0);
        assert_int_equal(chunk(f, X2)->state, CHUNK_USED);
}

/*
 * Twenty thousand threads, each with a tcache of its own, whose TLS windows
 * overlap and are full of pointers to tcache structs: the thread's own slot
 * (fs_base - 72) points at its sound tcache, every other word at one damaged
 * struct (a count past mp_.tcache_count).  Searching every thread's window
 * was 20000 x 8192 tcache reads, and each listed tcache was looked for among
 * those listed before: minutes.  The offset is still the one most threads
 * agree on, and every thread gets its own tcache.
 */
#define MANY 20000u
#define MANY_HEAP 0x560000000000ull
#define MANY_TLS 0x7e0000000000ull
#define MANY_STRIDE 80u             /* > 72: a thread's window holds no later thread's slot below its own */
#define MANY_SLOT 72u

static void test_many_threads(void **state)
{
        struct fixture *f = *state;
        const uint64_t tsz = 0x290, top_size = 0x1000;
        const size_t heap_len = (MANY + 1) * tsz + top_size;
        const size_t tls_len = (64u << 10) + MANY * MANY_STRIDE;
        uint8_t *heap = calloc(1, heap_len), *tls = malloc(tls_len);
        assert_non_null(heap);
        assert_non_null(tls);
        const struct glibc_layout *l = &f->h.layout;

        /* chunk 0: the damaged struct; chunks 1..MANY: one sound tcache per thread; then top */
        for (size_t k = 0; k <= MANY; k++) {
                uint64_t size = tsz | P;
                memcpy(heap + k * tsz + 8, &size, 8);
        }
        uint16_t too_many = 60000;
        memcpy(heap + 16 + l->tc_counts, &too_many, 2);
        uint64_t top = top_size | P;
        memcpy(heap + (MANY + 1) * tsz + 8, &top, 8);

        uint64_t damaged = MANY_HEAP + 16;
        for (size_t off = 0; off + 8 <= tls_len; off += 8)
                memcpy(tls + off, &damaged, 8);
        f->a.threads.v = calloc(MANY, sizeof(*f->a.threads.v));
        assert_non_null(f->a.threads.v);
        for (size_t k = 0; k < MANY; k++) {
                uint64_t fs = MANY_TLS + (64u << 10) + MANY_STRIDE * k, own = MANY_HEAP + (k + 1) * tsz + 16;
                memcpy(tls + (fs - MANY_SLOT - MANY_TLS), &own, 8);
                f->a.threads.v[k] = (struct thread){ .tid = (int)(k + 1), .fs_base = fs };
        }
        f->a.threads.n = MANY;

        struct core_builder b;
        cb_init(&b);
        cb_load(&b, MANY_HEAP, heap_len, heap, heap_len, PF_R | PF_W);
        cb_load(&b, MANY_TLS, tls_len, tls, tls_len, PF_R | PF_W);
        core_run_open_core(&f->a.core, &b);
        cb_free(&b);
        f->h.a = &f->a;
        f->h.out = &f->a.heap;
        f->h.w = &f->a.warnings;
        f->h.page_size = 4096;
        f->h.roots.tcache_key = KEY;
        glibc_mem_init(&f->h.mem, &f->a.core);
        f->a.heap.malloc_par = (struct malloc_par_info){ .found = true, .tcache_count = 7, .tcache_bins = 64 };
        f->a.heap.arenas = calloc(1, sizeof(*f->a.heap.arenas));
        f->a.heap.narenas = 1;
        f->a.heap.arenas[0] = (struct arena){ .address = 0x5000, .is_main = true, .top = MANY_HEAP + (MANY + 1) * tsz,
                                         .top_size = top_size };
        f->h.regions = calloc(1, sizeof(*f->h.regions));
        f->h.regions[0] = (struct heap_region){ .start = MANY_HEAP, .end = MANY_HEAP + heap_len,
                                                .top = f->a.heap.arenas[0].top, .arena_id = 0, .heap_id = NO_ID };
        f->h.nregions = 1;
        assert_int_equal(glibc_chunks_walk(&f->h, &f->h.regions[0]), 0);
        assert_int_equal(f->a.heap.nchunks, MANY + 2);
        assert_int_equal(glibc_tcache_classify(&f->h), 0);

        assert_int_equal(f->a.warnings.n, 0);
        assert_int_equal(f->a.heap.ntcaches, MANY);
        for (size_t k = 0; k < MANY; k++) {
                assert_int_equal(f->a.heap.tcaches[k].tid, k + 1);
                assert_int_equal(f->a.heap.tcaches[k].address, MANY_HEAP + (k + 1) * tsz + 16);
                assert_string_equal(f->a.heap.tcaches[k].found_by, "tls");
        }
        free(heap);
        free(tls);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_found_through_tls, setup, teardown),
                cmocka_unit_test_setup_teardown(test_found_at_heap_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_count_and_key, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wild_entry, setup, teardown),
                cmocka_unit_test_setup_teardown(test_not_a_tcache, setup, teardown),
                cmocka_unit_test_setup_teardown(test_struct_in_a_bigger_chunk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_struct_chunk_too_big, setup, teardown),
                cmocka_unit_test_setup_teardown(test_thread_slot_read_leniently, setup, teardown),
                cmocka_unit_test_setup_teardown(test_many_threads, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
