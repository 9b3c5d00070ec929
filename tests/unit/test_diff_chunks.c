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
        assert_int_equal(d.added[1].leak, DIFF_LEAK_DEFINITE);
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_classes),
                cmocka_unit_test(test_empty_and_identical),
                cmocka_unit_test(test_head_and_type),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
