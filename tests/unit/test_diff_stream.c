/*
 * Unit tests for query/diff_stream.c: every block in order across many
 * batches, early stops, errors, and the lean columns trend reads with the
 * unowned blocks summed as diff_owners.c's SQL sums them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "query/db_open.h"
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

/*
 * Blocks with dominators: every fifth dominated by a block, every seventh
 * by a root holder, a retained size on all but every eleventh; free ones
 * too (they carry a retained size here, and must not count).
 */
static const char owned_rows[] =
        "INSERT INTO roots (id, kind, name, conservative, blocks, retained) VALUES (1, 'register', 'rbx', 0, 1, 5);"
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 3000) "
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak, type, hash,"
        " head, idom, idom_root, retained) "
        "SELECT n, 0x100000 + n * 64, 0x100010 + n * 64, 64, 64, 56, CASE WHEN n % 13 = 0 THEN 'free' ELSE 'used' END,"
        "       n % 2, CASE WHEN n % 4 THEN 1 END, CASE WHEN n % 3 = 0 THEN 'definite' ELSE 'reachable' END,"
        "       CASE WHEN n % 6 = 0 THEN 'T' END, CASE WHEN n % 9 THEN n * 7919 END, X'beef',"
        "       CASE WHEN n % 5 = 0 THEN 1 END, CASE WHEN n % 7 = 0 THEN 1 END,"
        "       CASE WHEN n % 11 THEN 64 + n END FROM i;";

/* What SQLite itself says of the unowned blocks: count and sum of their retained sizes. */
static void unowned_by_sql(const char *path, int64_t *count, int64_t *sum)
{
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*), sum(retained) FROM chunks WHERE state = 'used' "
                                            "AND idom IS NULL AND idom_root IS NULL AND retained IS NOT NULL",
                                            -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        *count = sqlite3_column_int64(st, 0);
        *sum = sqlite3_column_int64(st, 1);
        sqlite3_finalize(st);
        sqlite3_close(db);
}

/* DIFF_STREAM_MATCH: the fields it promises equal DIFF_STREAM_ALL's, and the unowned sum equals SQL's. */
static void test_match_columns(void **state)
{
        (void)state;
        char path[64];
        struct chunk_stream *all = NULL, *match = NULL;
        struct growth_table ga = { 0 }, gm = { 0 };
        struct diff_chunk a, m;
        struct diff_stream_totals ta, tm;
        int64_t count, sum, n = 0;
        int ra, rm;

        fixture_db(path, owned_rows);
        assert_int_equal(diff_stream_start(&all, path, 0, DIFF_STREAM_ALL, 0, DIFF_STREAM_DEPTH, &ga), 0);
        assert_int_equal(diff_stream_start(&match, path, 0, DIFF_STREAM_MATCH, 0, DIFF_STREAM_DEPTH, &gm), 0);
        while ((ra = diff_stream_next(all, &a)) == 1) {
                assert_int_equal(rm = diff_stream_next(match, &m), 1);
                assert_int_equal(m.mem, a.mem);
                assert_int_equal(m.size, a.size);
                assert_int_equal(m.size_class, a.size_class);
                assert_int_equal(m.leak, a.leak);
                assert_int_equal(m.has_hash, a.has_hash);
                assert_int_equal(m.hash, a.hash);
                assert_true((m.type == NULL) == (a.type == NULL));
                if (a.type)
                        assert_string_equal(m.type, a.type);
                /* the fields it leaves out */
                assert_int_equal(m.id, 0);
                assert_int_equal(m.arena_id, -1);
                assert_false(m.has_head);
                free(a.type);
                free(m.type);
                n++;
        }
        assert_int_equal(ra, 0);
        assert_int_equal(diff_stream_next(match, &m), 0);
        assert_int_equal(diff_stream_finish(all, &ta), 0);
        assert_int_equal(diff_stream_finish(match, &tm), 0);
        assert_int_equal(n, 3000 - 3000 / 13);
        assert_int_equal(tm.used_chunks, ta.used_chunks);
        assert_int_equal(tm.used_bytes, ta.used_bytes);
        assert_int_equal(gm.n, ga.n);
        unowned_by_sql(path, &count, &sum);
        assert_true(count > 0);
        assert_int_equal(tm.unowned_chunks, count);
        assert_int_equal(tm.unowned_bytes, sum);

        /* and as an owner: the streamed sum gives what diff_owners_load's SQL reads */
        sqlite3 *db = NULL;
        struct db_guard g = DB_GUARD_INIT;
        struct diff_owner *with = NULL, *without = NULL;
        size_t nwith = 0, nwithout = 0;
        assert_int_equal(db_open_readonly(path, &g, &db), 0);
        assert_int_equal(diff_owners_load(db, &g, "main", path, true, &with, &nwith), 0);
        assert_int_equal(diff_owners_load(db, &g, "main", path, false, &without, &nwithout), 0);
        assert_int_equal(nwithout + 1, nwith);
        assert_int_equal(diff_owners_add_unowned(&without, &nwithout, tm.unowned_chunks, tm.unowned_bytes, path), 0);
        assert_int_equal(nwithout, nwith);
        for (size_t i = 0; i < nwith; i++) {
                assert_string_equal(without[i].key, with[i].key);
                assert_string_equal(without[i].name, with[i].name);
                assert_string_equal(without[i].kind, with[i].kind);
                assert_int_equal(without[i].retained_before, with[i].retained_before);
        }
        diff_owners_free(with, nwith);
        diff_owners_free(without, nwithout);
        sqlite3_close(db);
        growth_table_free(&ga);
        growth_table_free(&gm);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_all_in_order),
                cmocka_unit_test(test_early_stop),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_match_columns),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
