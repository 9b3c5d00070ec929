/*
 * Unit tests for the reach stage (analyze/reach/reach.c with its roots and scan)
 * on a synthetic core built in memory: a module's data, a heap with used,
 * free and top chunks, a thread's stack, its TLS, anonymous mappings with
 * and without bytes in the core, and an mmapped chunk inside one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/reach/reach.h"
#include "common/cleanup.h"
#include "analyze/stages.h"

enum { S_DATA, S_HEAP, S_STACK, S_HOLE, S_POOL, S_TLS, NSEGS };

static const struct {
        uint64_t start, size;
        enum segment_kind kind;
        bool in_core;
} layout[NSEGS] = {
        [S_DATA] = { 0x400000, 0x1000, SEG_DATA, true },
        [S_HEAP] = { 0x600000, 0x1000, SEG_HEAP, true },
        [S_STACK] = { 0x7ff000000000, 0x2000, SEG_STACK, true },
        [S_HOLE] = { 0x7ff100000000, 0x3000, SEG_ANON, false },
        [S_POOL] = { 0x7ff200000000, 0x4000, SEG_ANON, true },
        [S_TLS] = { 0x7ff300000000, 0x3000, SEG_ANON, true },
};

#define SP (0x7ff000000000 + 0x1000)
#define FS_BASE (0x7ff300000000 + 0x2000)
#define MMAPPED (0x7ff200000000 + 0x1000)
#define TID 4242

struct fixture {
        struct analysis a;
        uint8_t *data;
        struct core_segment segs[NSEGS];
        struct core_data_run runs[NSEGS]; /* each segment's bytes, all data */
        struct core_thread ct;
};

static uint64_t mem_of(int chunk) { return 0x600000 + 0x30 * (uint64_t)chunk + 16; }

static void put64(struct fixture *f, uint64_t addr, uint64_t v)
{
        for (int i = 0; i < NSEGS; i++)
                if (addr >= f->segs[i].vaddr && addr + 8 <= f->segs[i].vaddr + f->segs[i].filesz) {
                        memcpy(f->data + f->segs[i].offset + (addr - f->segs[i].vaddr), &v, 8);
                        return;
                }
        fail_msg("0x%llx is not in the synthetic core", (unsigned long long)addr);
}

static struct fixture *build(void)
{
        struct fixture *f = calloc(1, sizeof(*f));
        struct analysis *a = &f->a;
        uint64_t off = 0;

        for (int i = 0; i < NSEGS; i++) {
                f->segs[i] = (struct core_segment){ .vaddr = layout[i].start, .memsz = layout[i].size,
                                                    .offset = off, .filesz = layout[i].in_core ? layout[i].size : 0,
                                                    .flags = 6 };
                f->segs[i].known = f->segs[i].filesz;
                f->segs[i].first_run = (uint32_t)i;
                f->segs[i].nruns = f->segs[i].filesz ? 1 : 0;
                f->runs[i] = (struct core_data_run){ layout[i].start, layout[i].start + f->segs[i].filesz };
                off += f->segs[i].filesz;
        }
        f->data = calloc(1, off);
        a->core = (struct core){ .data = f->data, .size = off, .segs = f->segs, .nsegs = NSEGS,
                             .runs = f->runs, .nruns = NSEGS, .fd = -1 };

        a->segments.v = calloc(NSEGS, sizeof(*a->segments.v));
        a->segments.n = NSEGS;
        for (int i = 0; i < NSEGS; i++)
                a->segments.v[i] = (struct segment){ .start = layout[i].start, .end = layout[i].start + layout[i].size,
                                                   .kind = layout[i].kind, .perms = "rw-p", .module_id = NO_ID,
                                                   .arena_id = NO_ID, .in_core = f->segs[i].filesz };

        /* Chunks 0..9 of 0x30 bytes from 0x600000: 2 is in tcache, 9 is top. */
        a->heap.nchunks = 11;
        a->heap.chunks = calloc(a->heap.nchunks, sizeof(*a->heap.chunks));
        for (int i = 0; i < 10; i++)
                a->heap.chunks[i] = (struct chunk){ .address = 0x600000 + 0x30 * (uint64_t)i, .size = 0x30,
                                               .state = CHUNK_USED, .segment_id = S_HEAP, .arena_id = 0,
                                               .type_id = NO_ID };
        a->heap.chunks[2].state = CHUNK_FREE;
        a->heap.chunks[2].bin = BIN_TCACHE;
        a->heap.chunks[9].state = CHUNK_TOP;
        a->heap.chunks[9].size = 0x1000 - 9 * 0x30;
        a->heap.chunks[10] = (struct chunk){ .address = MMAPPED, .size = 0x2000, .state = CHUNK_USED, .mmapped = true,
                                        .arena_id = NO_ID, .segment_id = S_POOL, .type_id = NO_ID };

        f->ct.tid = TID;
        f->ct.regs.rsp = SP;
        f->ct.regs.rbx = mem_of(5);
        f->ct.regs.fs_base = FS_BASE;
        a->threads.v = calloc(1, sizeof(*a->threads.v));
        a->threads.n = 1;
        a->threads.v[0] = (struct thread){ .tid = TID, .is_main = true, .sp = SP, .fs_base = FS_BASE,
                                         .core = &f->ct };
        a->segments.thread_stack = calloc(1, sizeof(*a->segments.thread_stack));
        a->segments.thread_stack[0] = S_STACK;
        a->opt.core_path = "synthetic.core";
        a->opt.quiet = true;

        put64(f, 0x400100, mem_of(0));               /* static start pointer: 0 reachable */
        put64(f, 0x400108, mem_of(2));               /* into a tcache'd chunk: nothing */
        put64(f, 0x400110, 0x600000 + 9 * 0x30);     /* main_arena.top: top's header, nothing */
        put64(f, mem_of(0) + 8, mem_of(1) + 8);      /* 0 -> interior of 1: possible */
        put64(f, SP - 0x200, mem_of(3));             /* dead stack below SP: 3 stays definite */
        put64(f, SP - 0x40, mem_of(4));              /* red zone: 4 reachable */
        put64(f, FS_BASE - 0x10, mem_of(6));         /* static TLS: 6 reachable through tls */
        put64(f, FS_BASE - 0x2000 + 0x100, mem_of(7)); /* the same mapping, far below the TLS window */
        put64(f, MMAPPED + 16 + 0x100, mem_of(8));   /* inside the mmapped chunk, which is possible: so is 8 */
        put64(f, MMAPPED - 0x100, MMAPPED + 16 + 0x40); /* the pool outside the chunk: interior of 10 */
        memcpy(f->data + f->segs[S_HEAP].offset + (mem_of(7) - 0x600000), "hello, world", 13);
        return f;
}

static void destroy(struct fixture *f)
{
        /* Every stage's reset frees what build made by hand; the core is not opened, so not closed. */
        analysis_free(&f->a);
        free(f->data);
        free(f);
}

static const struct ref *ref_to(const struct analysis *a, int chunk, int from_chunk)
{
        for (size_t k = 0; k < a->reach.nrefs; k++)
                if (a->reach.refs[k].to_chunk == chunk && a->reach.refs[k].from_chunk == from_chunk)
                        return &a->reach.refs[k];
        return NULL;
}

static void test_verdicts(void **state)
{
        (void)state;
        struct fixture *f = build();
        struct analysis *a = &f->a;

        assert_int_equal(reach_compute(a), 0);
        static const uint8_t want[] = {
                LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_NONE, LEAK_DEFINITE, LEAK_REACHABLE, LEAK_REACHABLE,
                LEAK_REACHABLE, LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_NONE, LEAK_POSSIBLE,
        };
        for (size_t i = 0; i < a->heap.nchunks; i++)
                if (a->heap.chunks[i].leak != want[i])
                        fail_msg("chunk %zu: verdict %d, want %d", i, a->heap.chunks[i].leak, want[i]);
        destroy(f);
}

static void test_refs(void **state)
{
        (void)state;
        struct fixture *f = build();
        struct analysis *a = &f->a;
        const struct ref *r;

        assert_int_equal(reach_compute(a), 0);

        assert_non_null(r = ref_to(a, 0, NO_ID));
        assert_int_equal(r->root_kind, ROOT_STATIC);
        assert_int_equal(reach_ref_from_address(r), 0x400100);
        assert_int_equal(reach_ref_from_offset(a, r), 0x100);
        assert_int_equal(r->to_offset, 0);

        assert_non_null(r = ref_to(a, 1, 0));
        assert_int_equal(r->root_kind, ROOT_NONE);
        assert_int_equal(reach_ref_from_offset(a, r), 8);
        assert_int_equal(reach_ref_from_address(r), mem_of(0) + 8);
        assert_int_equal(r->to_offset, 8);

        assert_non_null(r = ref_to(a, 4, NO_ID));
        assert_int_equal(r->root_kind, ROOT_STACK);
        assert_int_equal(r->tid, TID);
        assert_int_equal(reach_ref_from_offset(a, r), 0x1000 - 0x40);

        assert_non_null(r = ref_to(a, 5, NO_ID));
        assert_int_equal(r->root_kind, ROOT_REGISTER);
        assert_int_equal(r->tid, TID);
        assert_int_equal(reach_ref_from_offset(a, r), offsetof(struct user_regs_struct, rbx));
        assert_int_equal(reach_ref_from_address(r), 0);

        assert_non_null(r = ref_to(a, 6, NO_ID));
        assert_int_equal(r->root_kind, ROOT_TLS);
        assert_int_equal(r->tid, TID);

        assert_non_null(r = ref_to(a, 7, NO_ID));
        assert_int_equal(r->root_kind, ROOT_ANON);
        assert_int_equal(r->tid, 0);

        assert_non_null(r = ref_to(a, 8, 10));
        assert_int_equal(reach_ref_from_offset(a, r), 0x100);
        assert_non_null(r = ref_to(a, 10, NO_ID));
        assert_int_equal(r->root_kind, ROOT_ANON);
        assert_int_equal(r->to_offset, 0x40);

        /* Never: the dead stack, the chunk's bytes as a root, free chunks or top as targets. */
        assert_null(ref_to(a, 3, NO_ID));
        assert_null(ref_to(a, 8, NO_ID));
        assert_null(ref_to(a, 2, NO_ID));
        assert_null(ref_to(a, 9, NO_ID));
        for (size_t k = 0; k < a->reach.nrefs; k++)
                assert_true(a->heap.chunks[a->reach.refs[k].to_chunk].state == CHUNK_USED);
        destroy(f);
}

static void test_hash_type_and_warnings(void **state)
{
        (void)state;
        struct fixture *f = build();
        struct analysis *a = &f->a;

        assert_int_equal(reach_compute(a), 0);
        for (size_t i = 0; i < a->heap.nchunks; i++) {
                if (a->heap.chunks[i].state == CHUNK_USED) {
                        assert_int_not_equal(a->heap.chunks[i].hash, 0);
                } else {
                        assert_int_equal(a->heap.chunks[i].hash, 0);
                        assert_int_equal(a->heap.chunks[i].type_id, NO_ID);
                }
        }
        /* Chunks 3 and 4 hold the same (zero) bytes; 0 holds a pointer. */
        assert_int_equal(a->heap.chunks[3].hash, a->heap.chunks[4].hash);
        assert_int_not_equal(a->heap.chunks[0].hash, a->heap.chunks[3].hash);

        assert_int_equal(a->reach.ntypes, 1);
        assert_string_equal(a->reach.types[0], "string");
        assert_int_equal(a->heap.chunks[7].type_id, 0);
        assert_int_equal(a->heap.chunks[0].type_id, NO_ID);

        /* One warning for the anonymous mapping the core lacks, naming its size and kind. */
        size_t found = 0;
        for (size_t i = 0; i < a->warnings.n; i++)
                if (strstr(a->warnings.v[i].message, "12.0 KiB of 1 anon segment"))
                        found++;
        if (found != 1)
                fail_msg("warnings: %zu, first: %s", a->warnings.n, a->warnings.n ? a->warnings.v[0].message : "");
        destroy(f);
}

/* The same heap with no roots at all: every used block is a leak; the graph decides which kind. */
static void test_no_roots(void **state)
{
        (void)state;
        struct fixture *f = build();
        struct analysis *a = &f->a;

        a->segments.n = 2; /* data and heap only */
        memset(f->data + f->segs[S_DATA].offset, 0, f->segs[S_DATA].filesz);
        a->threads.n = 0;
        assert_int_equal(reach_compute(a), 0);
        assert_int_equal(a->heap.chunks[0].leak, LEAK_DEFINITE);
        assert_int_equal(a->heap.chunks[1].leak, LEAK_INDIRECT);
        assert_int_equal(a->heap.chunks[8].leak, LEAK_INDIRECT);
        assert_int_equal(a->heap.chunks[10].leak, LEAK_DEFINITE);
        destroy(f);
}

static uint64_t rnd(uint64_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        return *s;
}

/*
 * Crafted cores: chunk lists that overlap, wrap, hold absurd sizes or lie
 * outside any segment, threads whose registers point anywhere, bytes that
 * are random.  The stage must finish, and its output must keep its rules.
 */
static void test_garbage(void **state)
{
        (void)state;
        uint64_t seed = 0x9e3779b97f4a7c15ull;
        for (int round = 0; round < 200; round++) {
                struct fixture *f = build();
                struct analysis *a = &f->a;
                for (size_t i = 0; i < f->a.core.size; i += 8) {
                        uint64_t v = rnd(&seed);
                        /* Some words point into the heap, most do not. */
                        if (v % 3 == 0)
                                v = 0x600000 + v % 0x1100;
                        memcpy(f->data + i, &v, MIN((size_t)8, f->a.core.size - i));
                }
                for (size_t i = 0; i < a->heap.nchunks; i++) {
                        uint64_t r = rnd(&seed);
                        if (r % 7 == 0)
                                a->heap.chunks[i].size = r % 5 == 0 ? UINT64_MAX - (r & 0xff) : r % 0x200;
                        if (r % 11 == 0)
                                a->heap.chunks[i].address = UINT64_MAX - (r & 0xfff);
                        a->heap.chunks[i].state = (uint8_t)(r >> 20) % 3;
                        a->heap.chunks[i].mmapped = (r >> 30) & 1;
                }
                f->ct.regs.rsp = rnd(&seed);
                a->threads.v[0].sp = f->ct.regs.rsp % 3 ? f->ct.regs.rsp : SP;
                a->threads.v[0].fs_base = rnd(&seed) % 2 ? rnd(&seed) : FS_BASE;
                if (round % 5 == 0)
                        a->segments.thread_stack[0] = NO_ID;

                assert_int_equal(reach_compute(a), 0);
                for (size_t i = 0; i < a->heap.nchunks; i++)
                        if (a->heap.chunks[i].state != CHUNK_USED)
                                assert_int_equal(a->heap.chunks[i].leak, LEAK_NONE);
                for (size_t k = 0; k < a->reach.nrefs; k++) {
                        assert_true(a->reach.refs[k].to_chunk >= 0 && (size_t)a->reach.refs[k].to_chunk < a->heap.nchunks);
                        assert_int_equal(a->heap.chunks[a->reach.refs[k].to_chunk].state, CHUNK_USED);
                }
                destroy(f);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_verdicts),
                cmocka_unit_test(test_refs),
                cmocka_unit_test(test_hash_type_and_warnings),
                cmocka_unit_test(test_no_roots),
                cmocka_unit_test(test_garbage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
