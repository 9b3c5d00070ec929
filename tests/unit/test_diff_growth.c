/* Unit tests for query/diff_growth.c (fed by diff_chunks): keys that survive address changes, only what changed, largest first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

#define USED(id, mem, size, class, type)                                                                \
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, type) " \
        "VALUES (" #id ", " #mem " - 16, " #mem ", " #size ", " #class ", " #size " - 8, 'used', 0, 1, " type ");\n"

static void test_growth(void **state)
{
        (void)state;
        struct diff d;
        /* before: two 64-byte blocks, one Widget, one 32-byte block; after: every address moved (a restart) */
        sqlite3 *db = fixture_diff_open(&d,
                USED(1, 0x1000, 64, 64, "NULL") USED(2, 0x2000, 80, 64, "NULL") USED(3, 0x3000, 48, 32, "NULL")
                USED(4, 0x4000, 128, 128, "'Widget'")
                "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id) "
                "VALUES (9, 0x8000, 0x8010, 5000, 4096, 4992, 'free', 0, 1);",
                USED(1, 0x11000, 64, 64, "NULL") USED(2, 0x12000, 80, 64, "NULL") USED(3, 0x13000, 96, 64, "NULL")
                USED(4, 0x14000, 128, 128, "'Widget'") USED(5, 0x15000, 256, 256, "'Widget'")
                USED(6, 0x16000, 1 << 20, 1 << 20, "NULL"));

        /* growth is counted while diff_chunks streams the blocks */
        assert_int_equal(diff_chunks(db, &d), 0);
        /* the 64 class went 2 -> 3 blocks, the 32 class vanished, Widget grew, a 1 MiB class appeared */
        assert_int_equal(d.ngrowth, 4);
        assert_string_equal(d.growth[0].key, "size:1048576");
        assert_int_equal(d.growth[0].count_before, 0);
        assert_int_equal(d.growth[0].count_after, 1);
        assert_int_equal(d.growth[0].bytes_after, 1 << 20);
        assert_null(d.growth[0].type);
        assert_string_equal(d.growth[1].key, "type:Widget");
        assert_string_equal(d.growth[1].type, "Widget");
        assert_int_equal(d.growth[1].size_class, -1);
        assert_int_equal(d.growth[1].count_before, 1);
        assert_int_equal(d.growth[1].count_after, 2);
        assert_int_equal(d.growth[1].bytes_after - d.growth[1].bytes_before, 256);
        assert_string_equal(d.growth[2].key, "size:64");
        assert_int_equal(d.growth[2].size_class, 64);
        assert_int_equal(d.growth[2].bytes_before, 144);
        assert_int_equal(d.growth[2].bytes_after, 240);
        assert_string_equal(d.growth[3].key, "size:32");
        assert_int_equal(d.growth[3].count_after, 0);
        assert_int_equal(d.growth[3].bytes_after - d.growth[3].bytes_before, -48);
        fixture_diff_close(db, &d);
}

/* Many keys: the hash table grows, and each side's table merges into one. */
static void test_many_keys(void **state)
{
        (void)state;
        struct diff d;
        /* before: types T0..T299 once each; after: T0..T299 twice, and size classes untouched */
        const char *rows =
                "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 299) "
                "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, type) "
                "SELECT n + 1, 4096 + n * 64, 4112 + n * 64, 48, 32, 40, 'used', 0, 1, 'T' || n FROM i;";
        char after[1024];
        snprintf(after, sizeof(after), "%s"
                 "WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < 299) "
                 "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, type) "
                 "SELECT n + 1001, 1048576 + n * 64, 1048592 + n * 64, 48, 32, 40, 'used', 0, 1, 'T' || n FROM i;",
                 rows);
        sqlite3 *db = fixture_diff_open(&d, rows, after);
        assert_int_equal(diff_chunks(db, &d), 0);
        assert_int_equal(d.ngrowth, 300);
        for (size_t i = 0; i < d.ngrowth; i++) {
                assert_int_equal(d.growth[i].count_before, 1);
                assert_int_equal(d.growth[i].count_after, 2);
                assert_int_equal(d.growth[i].bytes_after - d.growth[i].bytes_before, 48);
        }
        /* equal growth: in key order */
        assert_string_equal(d.growth[0].key, "type:T0");
        assert_string_equal(d.growth[1].key, "type:T1");
        assert_string_equal(d.growth[2].key, "type:T10");
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_growth),
                cmocka_unit_test(test_many_keys),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
