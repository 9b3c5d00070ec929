/* Unit tests for query/diff_stream.c: every block in order across many batches, early stops, errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "query/diff_stream.h"
#include "query_fixture.h"

/* 10000 used blocks in reverse id order (the stream must sort by mem), every third typed, plus free ones */
static const char rows[] =
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 12000) "
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, type, head) "
        "SELECT n, 0x100000 + (12001 - n) * 64, 0x100010 + (12001 - n) * 64, 64, 64, 56, "
        "       CASE WHEN n % 6 = 0 THEN 'free' ELSE 'used' END, 0, 1, "
        "       CASE WHEN n % 3 = 0 THEN 'T' || (n % 7) END, CASE WHEN n % 2 = 0 THEN X'cafe' END FROM i;";

static void test_all_in_order(void **state)
{
        (void)state;
        char path[64];
        struct chunk_stream *s = NULL;
        struct growth_table g = { 0 };
        struct diff_chunk k;
        int64_t prev = -1, n = 0, typed = 0;

        fixture_db(path, rows);
        assert_int_equal(diff_stream_start(&s, path, 1, DIFF_STREAM_ALL, 0, DIFF_STREAM_DEPTH, &g), 0);
        int r;
        while ((r = diff_stream_next(s, &k)) == 1) {
                assert_true((int64_t)k.mem > prev);
                prev = (int64_t)k.mem;
                assert_int_equal(k.address + 16, k.mem);
                assert_int_equal(k.usable, 56);
                if (k.id % 2 == 0) {
                        assert_true(k.has_head);
                        assert_int_equal(k.head_len, 2);
                        assert_int_equal(k.head[0], 0xca);
                }
                typed += k.type != NULL;
                free(k.type);
                n++;
        }
        assert_int_equal(r, 0);
        struct diff_stream_totals totals;
        assert_int_equal(diff_stream_finish(s, &totals), 0);
        assert_int_equal(n, 10000);
        assert_int_equal(totals.used_chunks, 10000);
        assert_int_equal(totals.used_bytes, 640000);
        assert_int_equal(typed, 2000); /* n % 3 == 0 and n % 6 != 0 */
        /* the side's growth: 7 types and the untyped 64 class, all on side 1 */
        assert_int_equal(g.n, 8);
        growth_table_free(&g);
        unlink(path);
}

static void test_early_stop(void **state)
{
        (void)state;
        char path[64];
        struct chunk_stream *s = NULL;
        struct growth_table g = { 0 };
        struct diff_chunk k;

        fixture_db(path, rows);
        assert_int_equal(diff_stream_start(&s, path, 0, DIFF_STREAM_ALL, 0, DIFF_STREAM_DEPTH, &g), 0);
        for (int i = 0; i < 5; i++) {
                assert_int_equal(diff_stream_next(s, &k), 1);
                free(k.type);
        }
        /* the producer is blocked on a full queue, holding typed blocks: finish frees them (ASan watches) */
        assert_int_equal(diff_stream_finish(s, NULL), 0);
        growth_table_free(&g);
        /* and one never read at all */
        assert_int_equal(diff_stream_start(&s, path, 0, DIFF_STREAM_ALL, 0, DIFF_STREAM_DEPTH, &g), 0);
        diff_stream_finish(s, NULL);
        growth_table_free(&g);
        unlink(path);
}

static void test_errors(void **state)
{
        (void)state;
        struct chunk_stream *s = NULL;
        struct growth_table g = { 0 };
        struct diff_chunk k;

        /* the thread's open fails: the error arrives at the first read */
        assert_int_equal(diff_stream_start(&s, "/nonexistent.db", 0, DIFF_STREAM_ALL, 0, DIFF_STREAM_DEPTH, &g), 0);
        assert_int_equal(diff_stream_next(s, &k), -ENOENT);
        assert_int_equal(diff_stream_finish(s, NULL), -ENOENT);
        growth_table_free(&g);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_in_order),
                cmocka_unit_test(test_early_stop),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
