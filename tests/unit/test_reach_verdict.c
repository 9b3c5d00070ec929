/*
 * Unit tests for analyze/reach/reach_verdict.c: the cases of valgrind's manual
 * (memcheck, "Memory leak detection": nine cases of pointer chains) and the
 * clique rules of mc_leakcheck.c, on hand-made graphs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "analyze/reach/reach.h"

#define N 16

static struct chunk chunks[N];

static void setup_chunks(void)
{
        for (int i = 0; i < N; i++)
                chunks[i] = (struct chunk){ .address = 0x1000 + 0x100 * (uint64_t)i, .size = 0x100, .state = CHUNK_USED };
}

static struct ref root(int to, uint32_t off)
{
        return (struct ref){ .from_chunk = NO_ID, .root_kind = ROOT_STATIC, .to_chunk = to, .to_offset = off };
}

static struct ref edge(int from, int to, uint32_t off)
{
        return (struct ref){ .from_chunk = from, .to_chunk = to, .to_offset = off };
}

/* memcheck manual's cases, RRR = root set, AAA/BBB = blocks, ---> start, -?-> interior. */
static void test_valgrind_cases(void **state)
{
        (void)state;
        setup_chunks();
        struct ref refs[] = {
                root(0, 0),                 /* (1) RRR ---> AAA: reachable */
                root(1, 0), edge(1, 2, 0),  /* (2) RRR ---> AAA ---> BBB: both reachable */
                                            /* (3) RRR  BBB: chunk 3 unreferenced: definite */
                edge(4, 5, 0),              /* (4) RRR  AAA ---> BBB: definite, indirect */
                root(6, 8),                 /* (5) RRR -?-> AAA: possible */
                root(7, 0), edge(7, 8, 24), /* (6) RRR ---> AAA -?-> BBB: reachable, possible */
                root(9, 40), edge(9, 10, 0),/* (7) RRR -?-> AAA ---> BBB: possible, possible */
                edge(11, 12, 8),            /* (9) RRR  AAA -?-> BBB: definite, indirect */
        };
        assert_int_equal(reach_verdict(chunks, N, refs, sizeof(refs) / sizeof(refs[0])), 0);
        static const uint8_t want[] = {
                LEAK_REACHABLE, LEAK_REACHABLE, LEAK_REACHABLE, LEAK_DEFINITE, LEAK_DEFINITE, LEAK_INDIRECT,
                LEAK_POSSIBLE, LEAK_REACHABLE, LEAK_POSSIBLE, LEAK_POSSIBLE, LEAK_POSSIBLE, LEAK_DEFINITE,
                LEAK_INDIRECT,
        };
        for (size_t i = 0; i < sizeof(want); i++)
                if (chunks[i].leak != want[i])
                        fail_msg("chunk %zu: verdict %d, want %d", i, chunks[i].leak, want[i]);
}

/* A block first reached by an interior pointer becomes reachable once a start chain finds it. */
static void test_possible_upgraded(void **state)
{
        (void)state;
        setup_chunks();
        struct ref refs[] = {
                root(3, 16),    /* interior first */
                edge(3, 4, 0),  /* so 4 is possible through 3 ... */
                root(0, 0),
                edge(0, 1, 0),
                edge(1, 3, 0),  /* ... until a start chain reaches 3, and through it 4 */
        };
        assert_int_equal(reach_verdict(chunks, 5, refs, 5), 0);
        for (int i = 0; i < 5; i++)
                if (i != 2)
                        assert_int_equal(chunks[i].leak, LEAK_REACHABLE);
        assert_int_equal(chunks[2].leak, LEAK_DEFINITE);
}

/* Cliques: a ring's lowest address leads; a later leader takes an earlier one in. */
static void test_cliques(void **state)
{
        (void)state;
        setup_chunks();
        struct ref refs[] = {
                edge(2, 3, 0), edge(3, 1, 0), edge(1, 2, 0),  /* ring 1 -> 2 -> 3 -> 1 */
                edge(5, 4, 0), edge(4, 6, 0),                 /* 4 leads {4, 6} first, then 5 takes 4 in */
                edge(7, 7, 0),                                /* a block pointing at itself */
        };
        assert_int_equal(reach_verdict(chunks, 8, refs, 6), 0);
        assert_int_equal(chunks[0].leak, LEAK_DEFINITE);
        assert_int_equal(chunks[1].leak, LEAK_DEFINITE);
        assert_int_equal(chunks[2].leak, LEAK_INDIRECT);
        assert_int_equal(chunks[3].leak, LEAK_INDIRECT);
        assert_int_equal(chunks[4].leak, LEAK_INDIRECT);
        assert_int_equal(chunks[5].leak, LEAK_DEFINITE);
        assert_int_equal(chunks[6].leak, LEAK_INDIRECT);
        assert_int_equal(chunks[7].leak, LEAK_DEFINITE);
}

/* Free chunks and top get no verdict and pass nothing on; bad ids are ignored. */
static void test_free_and_bad_refs(void **state)
{
        (void)state;
        setup_chunks();
        chunks[1].state = CHUNK_FREE;
        chunks[1].bin = BIN_TCACHE;
        chunks[4].state = CHUNK_TOP;
        struct ref refs[] = {
                root(1, 0), edge(1, 2, 0),      /* a free chunk is neither target nor source */
                root(4, 0),
                root(99, 0), edge(0, -5, 0), edge(77, 3, 0), root(3, 0),
        };
        assert_int_equal(reach_verdict(chunks, 5, refs, 7), 0);
        assert_int_equal(chunks[0].leak, LEAK_DEFINITE);
        assert_int_equal(chunks[1].leak, LEAK_NONE);
        assert_int_equal(chunks[2].leak, LEAK_DEFINITE);
        assert_int_equal(chunks[3].leak, LEAK_REACHABLE);
        assert_int_equal(chunks[4].leak, LEAK_NONE);
}

/* A long chain: no recursion, and every link reachable. */
static void test_long_chain(void **state)
{
        (void)state;
        size_t n = 1000000;
        struct chunk *c = calloc(n, sizeof(*c));
        struct ref *r = calloc(n, sizeof(*r));
        for (size_t i = 0; i < n; i++)
                c[i] = (struct chunk){ .address = 0x100000 + 32 * i, .size = 32, .state = CHUNK_USED };
        /* root -> 0, then i -> i + 1, listed from the far end so no order helps */
        r[0] = root(0, 0);
        for (size_t i = 1; i < n; i++)
                r[i] = edge((int)(n - i - 1), (int)(n - i), 0);
        assert_int_equal(reach_verdict(c, n, r, n), 0);
        for (size_t i = 0; i < n; i++)
                if (c[i].leak != LEAK_REACHABLE)
                        fail_msg("link %zu: verdict %d", i, c[i].leak);
        free(c);
        free(r);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valgrind_cases),
                cmocka_unit_test(test_possible_upgraded),
                cmocka_unit_test(test_cliques),
                cmocka_unit_test(test_free_and_bad_refs),
                cmocka_unit_test(test_long_chain),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
