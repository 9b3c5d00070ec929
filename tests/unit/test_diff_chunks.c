/* Unit tests for query/diff_chunks.c: which blocks are added, removed and changed, and the counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

/* id, mem, size, state, leak, arena, hash */
#define CHUNK(id, mem, size, state, leak, arena, hash)                                                         \
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak, hash) " \
        "VALUES (" #id ", " #mem " - 16, " #mem ", " #size ", 16, " #size " - 8, '" state "', 0, " #arena ", " \
        leak ", " #hash ");\n"

static const char before[] =
        CHUNK(1, 0x1000, 64, "used", "'reachable'", 1, 11)   /* unchanged */
        CHUNK(2, 0x2000, 64, "used", "'reachable'", 1, 21)   /* becomes definite */
        CHUNK(3, 0x3000, 64, "used", "'reachable'", 1, 31)   /* moves to arena 2 */
        CHUNK(4, 0x4000, 64, "used", "'reachable'", 1, 41)   /* grows in place */
        CHUNK(5, 0x5000, 64, "used", "'reachable'", 1, 51)   /* rewritten: other content */
        CHUNK(6, 0x6000, 64, "used", "'reachable'", 1, NULL) /* not hashed before */
        CHUNK(7, 0x7000, 64, "used", "'reachable'", 1, 71)   /* freed */
        CHUNK(9, 0x9000, 64, "used", "'reachable'", 1, 91)   /* gone with its mapping */
        CHUNK(10, 0xa000, 64, "free", "NULL", 1, NULL)       /* allocated again */
        CHUNK(11, 0xb000, 64, "used", "'reachable'", 1, 111)
        CHUNK(12, 0xc000, 9000, "top", "NULL", 1, NULL);

static const char after[] =
        CHUNK(1, 0x1000, 64, "used", "'reachable'", 1, 11)
        CHUNK(2, 0x2000, 64, "used", "'definite'", 1, 21)
        CHUNK(3, 0x3000, 64, "used", "'reachable'", 2, 31)
        CHUNK(4, 0x4000, 96, "used", "'reachable'", 1, 42)
        CHUNK(5, 0x5000, 64, "used", "'reachable'", 1, 52)
        CHUNK(6, 0x6000, 64, "used", "'reachable'", 1, 61)
        CHUNK(7, 0x7000, 64, "free", "NULL", 1, NULL)
        CHUNK(8, 0x8000, 4096, "used", "'definite'", 1, 81)  /* new leak */
        CHUNK(10, 0xa000, 64, "used", "'reachable'", 1, 101)
        /* a crafted database: two blocks at one address; one matches, one is new */
        CHUNK(11, 0xb000, 64, "used", "'possible'", 1, 112)
        CHUNK(13, 0xb000, 64, "used", "'reachable'", 1, 111)
        CHUNK(12, 0xc000, 9000, "top", "NULL", 1, NULL);

static void test_classes(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d, before, after);

        assert_int_equal(diff_chunks(db, &d), 0);

        /* added: 0x5000 (new content), 0x8000, 0xa000, the second 0xb000, in mem order */
        assert_int_equal(d.nadded, 4);
        assert_int_equal(d.added[0].mem, 0x5000);
        assert_int_equal(d.added[0].hash, 52);
        assert_int_equal(d.added[1].mem, 0x8000);
        assert_int_equal(d.added[1].leak, LEAK_DEFINITE);
        assert_int_equal(d.added[1].usable, 4088);
        assert_int_equal(d.added[2].mem, 0xa000);
        assert_int_equal(d.added[3].mem, 0xb000);
        assert_int_equal(d.added[3].hash, 112);

        /* removed: 0x5000 as it was, 0x7000 (freed), 0x9000 */
        assert_int_equal(d.nremoved, 3);
        assert_int_equal(d.removed[0].mem, 0x5000);
        assert_int_equal(d.removed[0].hash, 51);
        assert_int_equal(d.removed[1].mem, 0x7000);
        assert_int_equal(d.removed[2].mem, 0x9000);

        /* changed: verdict, arena, size */
        assert_int_equal(d.nchanged, 3);
        assert_int_equal(d.changed[0].after.mem, 0x2000);
        assert_int_equal(d.changed[0].what, DIFF_CHANGED_LEAK);
        assert_true(diff_changed_is_new_leak(&d.changed[0]));
        assert_int_equal(d.changed[1].after.mem, 0x3000);
        assert_int_equal(d.changed[1].what, DIFF_CHANGED_ARENA);
        assert_false(diff_changed_is_new_leak(&d.changed[1]));
        assert_int_equal(d.changed[2].after.mem, 0x4000);
        assert_int_equal(d.changed[2].what, DIFF_CHANGED_SIZE);
        assert_int_equal(d.changed[2].before.size, 64);
        assert_int_equal(d.changed[2].after.size, 96);

        const struct diff_summary *s = &d.summary;
        assert_int_equal(s->added, 4);
        assert_int_equal(s->added_bytes, 64 + 4096 + 64 + 64);
        assert_int_equal(s->removed, 3);
        assert_int_equal(s->removed_bytes, 192);
        assert_int_equal(s->changed, 3);
        assert_int_equal(s->leaked_added, 1);
        assert_int_equal(s->leaked_added_bytes, 4096);
        assert_int_equal(s->leaked_changed, 1);
        assert_int_equal(s->leaked_changed_bytes, 64);
        assert_int_equal(diff_new_leaks(&d), 2);

        /* both sides' used blocks, counted while streaming */
        assert_int_equal(d.before.used_chunks, 9);
        assert_int_equal(d.after.used_chunks, 10);
        assert_int_equal(d.after.used_bytes, 8 * 64 + 96 + 4096);
        fixture_diff_close(db, &d);
}

static void test_empty_and_identical(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d, NULL, NULL);
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_int_equal(d.nadded + d.nremoved + d.nchanged, 0);
        fixture_diff_close(db, &d);

        db = fixture_diff_open(&d, before, before);
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_int_equal(d.nadded + d.nremoved + d.nchanged, 0);
        assert_int_equal(d.before.used_chunks, d.after.used_chunks);
        fixture_diff_close(db, &d);

        /* everything new */
        db = fixture_diff_open(&d, NULL, after);
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_int_equal(d.nadded, 10);
        assert_int_equal(d.nremoved + d.nchanged, 0);
        fixture_diff_close(db, &d);
}

static void test_head_and_type(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d, NULL,
                "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak, type, head) "
                "VALUES (1, 4080, 4096, 64, 64, 56, 'used', 0, 1, 'definite', 'Widget', X'72657175657374'),"
                "       (2, 8176, 8192, 64, 64, 56, 'used', 1, NULL, 'definite', NULL, zeroblob(40));");
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_int_equal(d.nadded, 2);
        assert_string_equal(d.added[0].type, "Widget");
        assert_true(d.added[0].has_head);
        assert_int_equal(d.added[0].head_len, 7);
        assert_memory_equal(d.added[0].head, "request", 7);
        assert_int_equal(d.added[1].arena_id, -1);
        assert_true(d.added[1].mmapped);
        /* a head longer than the column promises is cut, not overflowed */
        assert_int_equal(d.added[1].head_len, DIFF_HEAD_MAX);
        fixture_diff_close(db, &d);
}

/*
 * diff keeps only what it prints (d->keep): the first blocks of each list in
 * mem order and the largest new leaks, the same as the first entries of
 * the lists kept whole; the summary counts everything either way.
 */
static const char many_before[] =
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 40) "
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak, hash) "
        "SELECT n, n * 4096 - 16, n * 4096, 64, 64, 56, 'used', 0, 1, 'reachable', n FROM i;";
static const char many_after[] =
        /* of the 40: every 5th grows, every 11th becomes definite, every 7th is freed */
        "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 80) "
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak, hash) "
        "SELECT n, n * 4096 - 16, n * 4096, "
        "       CASE WHEN n > 40 THEN 16 * (n % 9 + 2) WHEN n % 5 = 0 THEN 96 ELSE 64 END, 64, 56, "
        "       CASE WHEN n <= 40 AND n % 7 = 0 THEN 'free' ELSE 'used' END, 0, 1, "
        "       CASE WHEN n <= 40 AND n % 7 = 0 THEN NULL WHEN n > 40 AND n % 2 = 0 THEN 'definite' "
        "            WHEN n <= 40 AND n % 11 = 0 THEN 'definite' ELSE 'reachable' END, n FROM i;";

static void test_keep(void **state)
{
        (void)state;
        enum { K = 3 };
        struct diff d;
        uint64_t added[K], removed[K], changed[K], other[K], leaks[K], size_after_k = 0;
        size_t nother = 0;

        /* everything kept */
        sqlite3 *db = fixture_diff_open(&d, many_before, many_after);
        assert_int_equal(diff_chunks(db, &d), 0);
        struct diff_summary all = d.summary;
        assert_true(d.nadded > K && d.nremoved > K && d.nchanged > K && d.nleaks > K);
        assert_int_equal(d.nleaks, diff_new_leaks(&d));
        for (size_t i = 0; i < K; i++) {
                added[i] = d.added[i].mem;
                removed[i] = d.removed[i].mem;
                changed[i] = d.changed[i].after.mem;
                leaks[i] = d.leaks[i].c.mem;
        }
        size_after_k = d.leaks[K].c.size;
        for (size_t i = 0; i < d.nchanged && nother < K; i++)
                if (!diff_changed_is_new_leak(&d.changed[i]))
                        other[nother++] = d.changed[i].after.mem;
        fixture_diff_close(db, &d);

        /* K of each */
        db = fixture_diff_open(&d, many_before, many_after);
        d.keep = (struct diff_keep){ .added = K, .removed = K, .changed = K, .changed_other = K, .leaks = K };
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_memory_equal(&d.summary, &all, sizeof(all));
        assert_int_equal(d.nadded, K);
        assert_int_equal(d.nremoved, K);
        assert_int_equal(d.nleaks, K);
        for (size_t i = 0; i < K; i++) {
                assert_int_equal(d.added[i].mem, added[i]);
                assert_int_equal(d.removed[i].mem, removed[i]);
                assert_int_equal(d.changed[i].after.mem, changed[i]);
                assert_int_equal(d.leaks[i].c.mem, leaks[i]);
        }
        /* the largest leaks: the first one left out is no larger than the last kept */
        assert_true(size_after_k <= d.leaks[K - 1].c.size);
        /* the first changed blocks that are not new leaks are kept too, for the text */
        for (size_t i = 0; i < nother; i++) {
                bool found = false;
                for (size_t j = 0; j < d.nchanged; j++)
                        found |= d.changed[j].after.mem == other[i];
                assert_true(found);
        }
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classes),
                cmocka_unit_test(test_empty_and_identical),
                cmocka_unit_test(test_head_and_type),
                cmocka_unit_test(test_keep),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
