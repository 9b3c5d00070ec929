/*
 * Unit tests for query/trend_blocks.c (births, deaths, lives, survivors)
 * and query/trend_snapshot.c (one process, time order), fed with blocks
 * and snapshots made here: the expected lives are worked out by hand from
 * the rule in query/diff_match.h.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query/trend_blocks.h"
#include "query/trend_snapshot.h"

static struct diff_chunk block(uint64_t mem, uint64_t size, int64_t hash, uint8_t leak)
{
        /* the size class as chunks.size_class holds it: the power of two at or below size */
        int64_t cls = 1;
        while ((uint64_t)cls * 2 <= size)
                cls *= 2;
        return (struct diff_chunk){ .mem = mem, .address = mem - 16, .size = size, .size_class = cls, .hash = hash,
                                    .has_hash = true, .leak = leak, .arena_id = 1 };
}

static void feed(struct trend_blocks *b, struct trend *t, uint32_t index, struct diff_chunk *v, size_t n)
{
        trend_blocks_begin(b, t, index);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(trend_blocks_add(b, &v[i]), 0);
        assert_int_equal(trend_blocks_end(b), 0);
}

static void trend_init(struct trend *t, size_t n)
{
        *t = (struct trend){ .snapshots = calloc(n, sizeof(struct trend_snapshot)), .nsnapshots = n };
        assert_non_null(t->snapshots);
}

static void expect_life(const struct trend_life *l, uint64_t mem, uint64_t size, uint32_t born, uint32_t died)
{
        assert_int_equal(l->mem, mem);
        assert_int_equal(l->size, size);
        assert_int_equal(l->born, born);
        assert_int_equal(l->died, died);
}

static void test_lives(void **state)
{
        (void)state;
        struct trend t;
        struct trend_blocks b = { 0 };
        trend_init(&t, 3);

        /* 0: A, B, C */
        struct diff_chunk s0[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x2000, 64, 2, LEAK_REACHABLE),
                                   block(0x3000, 48, 3, LEAK_REACHABLE) };
        /* 1: A stays; B is rewritten (same place, other content); C is freed; D comes */
        struct diff_chunk s1[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x2000, 64, 22, LEAK_REACHABLE),
                                   block(0x4000, 32, 4, LEAK_REACHABLE) };
        /* 2: A and B' stay (B' now leaked); D is resized in place; E comes below them all */
        struct diff_chunk s2[] = { block(0x500, 16, 5, LEAK_DEFINITE), block(0x1000, 32, 1, LEAK_REACHABLE),
                                   block(0x2000, 64, 22, LEAK_DEFINITE), block(0x4000, 48, 44, LEAK_REACHABLE) };
        feed(&b, &t, 0, s0, 3);
        feed(&b, &t, 1, s1, 3);
        feed(&b, &t, 2, s2, 4);
        assert_int_equal(trend_blocks_finish(&b), 0);

        /* by birth, then mem; A lived through all three and is no life of note */
        assert_int_equal(t.nlives, 6);
        expect_life(&t.lives[0], 0x2000, 64, 0, 1);
        expect_life(&t.lives[1], 0x3000, 48, 0, 1);
        expect_life(&t.lives[2], 0x2000, 64, 1, TREND_ALIVE);
        assert_int_equal(t.lives[2].leak, LEAK_DEFINITE);
        expect_life(&t.lives[3], 0x4000, 32, 1, 2);
        expect_life(&t.lives[4], 0x500, 16, 2, TREND_ALIVE);
        expect_life(&t.lives[5], 0x4000, 48, 2, TREND_ALIVE);

        const struct trend_snapshot *s = t.snapshots;
        assert_int_equal(s[0].used_blocks, 3);
        assert_int_equal(s[0].born, 0);
        assert_int_equal(s[1].born, 2);
        assert_int_equal(s[1].born_bytes, 64 + 32);
        assert_int_equal(s[1].died, 2);
        assert_int_equal(s[1].died_bytes, 64 + 48);
        assert_int_equal(s[2].born, 2);
        assert_int_equal(s[2].died, 1);
        assert_int_equal(s[2].used_bytes, 16 + 32 + 64 + 48);
        assert_int_equal(s[2].definite, 2);
        assert_int_equal(s[2].definite_bytes, 16 + 64);

        /* survivors: B' (class 64), D' (class 32), E (class 16), most bytes first */
        assert_int_equal(t.nsurvivors, 3);
        assert_int_equal(t.survivors[0].size_class, 64);
        assert_int_equal(t.survivors[0].definite, 1);
        assert_int_equal(t.survivors[0].born_first, 1);
        assert_int_equal(t.survivors[1].size_class, 32);
        assert_int_equal(t.survivors[1].born_first, 2);
        assert_int_equal(t.survivors[2].size_class, 16);
        assert_null(t.survivors[2].type);

        trend_blocks_free(&b);
        trend_free(&t);
}

static void test_survivors_grouped(void **state)
{
        (void)state;
        struct trend t;
        struct trend_blocks b = { 0 };
        trend_init(&t, 4);

        /* two Widgets born in 1, one in 3, and a 100-byte block in 2 */
        struct diff_chunk s0[] = { block(0x1000, 32, 1, LEAK_REACHABLE) };
        struct diff_chunk s1[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x2000, 64, 2, LEAK_DEFINITE),
                                   block(0x3000, 64, 3, LEAK_DEFINITE) };
        struct diff_chunk s2[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x2000, 64, 2, LEAK_DEFINITE),
                                   block(0x3000, 64, 3, LEAK_DEFINITE), block(0x3800, 100, 9, LEAK_REACHABLE) };
        struct diff_chunk s3[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x2000, 64, 2, LEAK_DEFINITE),
                                   block(0x3000, 64, 3, LEAK_DEFINITE), block(0x3800, 100, 9, LEAK_REACHABLE),
                                   block(0x4000, 64, 4, LEAK_REACHABLE) };
        for (size_t i = 1; i < 3; i++)
                s1[i].type = strdup("Widget"), s2[i].type = strdup("Widget"), s3[i].type = strdup("Widget");
        s3[4].type = strdup("Widget");
        feed(&b, &t, 0, s0, 1);
        feed(&b, &t, 1, s1, 3);
        feed(&b, &t, 2, s2, 4);
        feed(&b, &t, 3, s3, 5);
        assert_int_equal(trend_blocks_finish(&b), 0);

        assert_int_equal(t.nsurvivors, 2);
        const struct trend_survivors *w = &t.survivors[0];
        assert_string_equal(w->type, "Widget");
        assert_int_equal(w->size_class, -1);
        assert_int_equal(w->blocks, 3);
        assert_int_equal(w->bytes, 192);
        assert_int_equal(w->definite, 2);
        assert_int_equal(w->born_first, 1);
        assert_int_equal(w->born_last, 3);
        assert_int_equal(w->born_in, 2);
        assert_int_equal(t.survivors[1].size_class, 64);
        assert_int_equal(t.survivors[1].bytes, 100);
        assert_int_equal(t.nlives, 4);
        trend_blocks_free(&b);
        trend_free(&t);
}

static void test_runs_and_order(void **state)
{
        (void)state;
        struct trend t;
        struct trend_blocks b = { 0 };
        trend_init(&t, 2);

        /* a crafted file: two blocks at one mem; the one that matches lives on, the other died */
        struct diff_chunk s0[] = { block(0x1000, 32, 1, LEAK_REACHABLE), block(0x1000, 64, 2, LEAK_REACHABLE) };
        struct diff_chunk s1[] = { block(0x1000, 64, 2, LEAK_REACHABLE) };
        feed(&b, &t, 0, s0, 2);
        feed(&b, &t, 1, s1, 1);
        assert_int_equal(t.snapshots[1].died, 1);
        assert_int_equal(t.snapshots[1].died_bytes, 32);
        assert_int_equal(t.snapshots[1].born, 0);

        /* blocks out of mem order are refused */
        struct diff_chunk bad[] = { block(0x2000, 32, 1, LEAK_REACHABLE), block(0x1000, 32, 1, LEAK_REACHABLE) };
        trend_blocks_begin(&b, &t, 1);
        assert_int_equal(trend_blocks_add(&b, &bad[0]), 0);
        assert_int_equal(trend_blocks_add(&b, &bad[1]), -EINVAL);
        trend_blocks_free(&b);
        trend_free(&t);
}

static struct trend_snapshot snap(const char *path, size_t arg, int64_t pid, int64_t main_start, double epoch)
{
        return (struct trend_snapshot){ .path = (char *)path, .arg_index = arg, .pid = pid, .exe = (char *)"/bin/svc",
                                        .main_start = main_start, .epoch_s = epoch };
}

static void test_snapshot_check_and_order(void **state)
{
        (void)state;
        struct trend_snapshot v[] = { snap("c", 0, 10, 0x1000, 300), snap("a", 1, 10, 0x1000, 100),
                                      snap("b", 2, 10, 0x1000, 160) };
        bool reordered, timed;

        assert_int_equal(trend_snapshot_check(v, 3), 0);
        trend_snapshot_order(v, 3, &reordered, &timed);
        assert_true(reordered && timed);
        assert_string_equal(v[0].path, "a");
        assert_string_equal(v[2].path, "c");
        assert_float_equal(v[1].t_s, 60, 1e-9);
        assert_float_equal(v[2].t_s, 200, 1e-9);

        /* one snapshot without a capture time: command-line order, t is the index */
        struct trend_snapshot u[] = { snap("x", 0, 10, 0x1000, 300), snap("y", 1, 10, 0x1000, NAN) };
        trend_snapshot_order(u, 2, &reordered, &timed);
        assert_true(!reordered && !timed);
        assert_string_equal(u[0].path, "x");
        assert_float_equal(u[1].t_s, 1, 0);

        /* the odd one out is the one the others disagree with, wherever it stands */
        struct trend_snapshot m[] = { snap("a", 0, 11, 0x1000, 1), snap("b", 1, 10, 0x1000, 2),
                                      snap("c", 2, 10, 0x1000, 3) };
        assert_int_equal(trend_snapshot_check(m, 3), -EXDEV);
        /* same pid and program, main module elsewhere: restarted */
        struct trend_snapshot r[] = { snap("a", 0, 10, 0x1000, 1), snap("b", 1, 10, 0x2000, 2) };
        assert_int_equal(trend_snapshot_check(r, 2), -EXDEV);
        /* an unknown load address does not count against a snapshot */
        struct trend_snapshot k[] = { snap("a", 0, 10, 0x1000, 1), snap("b", 1, 10, -1, 2) };
        assert_int_equal(trend_snapshot_check(k, 2), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lives),
                cmocka_unit_test(test_survivors_grouped),
                cmocka_unit_test(test_runs_and_order),
                cmocka_unit_test(test_snapshot_check_and_order),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
