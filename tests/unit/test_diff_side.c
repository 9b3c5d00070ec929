/* Unit tests for query/diff_side.c: the same-program check and naming a block's thread. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

#define SNAP(pid, exe, build_id)                                                                        \
        "INSERT INTO snapshot (pid, exe) VALUES (" #pid ", '" exe "');"                                 \
        "INSERT INTO modules (id, path, build_id, is_main) VALUES (1, '" exe "', " build_id ", 1);"

static void test_same_program(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db;

        /* a restarted service: another pid, the same build */
        db = fixture_diff_open(&d, SNAP(100, "/bin/svc", "'aa'"), SNAP(200, "/bin/svc", "'aa'"));
        assert_int_equal(diff_side_check_same_program(db, &d, false), 0);
        assert_int_equal(d.before.pid, 100);
        assert_int_equal(d.after.pid, 200);
        assert_string_equal(d.after.build_id, "aa");
        fixture_diff_close(db, &d);

        /* a rebuilt program at the same path */
        db = fixture_diff_open(&d, SNAP(100, "/bin/svc", "'aa'"), SNAP(100, "/bin/svc", "'bb'"));
        assert_int_equal(diff_side_check_same_program(db, &d, false), -EXDEV);
        diff_free(&d);
        assert_int_equal(diff_side_check_same_program(db, &d, true), 0);
        fixture_diff_close(db, &d);

        /* no build-ids (a core without notes): the executables decide */
        db = fixture_diff_open(&d, SNAP(1, "/bin/a", "NULL"), SNAP(1, "/bin/b", "NULL"));
        assert_int_equal(diff_side_check_same_program(db, &d, false), -EXDEV);
        fixture_diff_close(db, &d);
        db = fixture_diff_open(&d, SNAP(1, "/bin/a", "NULL"), SNAP(2, "/bin/a", "'cc'"));
        assert_int_equal(diff_side_check_same_program(db, &d, false), 0);
        fixture_diff_close(db, &d);
}

static void test_threads_of_blocks(void **state)
{
        (void)state;
        struct diff d;
        const char *two =
                "INSERT INTO threads (tid, name) VALUES (10, 'main'), (11, 'worker');"
                "INSERT INTO tcaches (id, tid, arena_id) VALUES (1, 10, 1), (2, 11, 2), (3, 12, 3), (4, 13, 3);";
        sqlite3 *db = fixture_diff_open(&d, "INSERT INTO threads (tid, name) VALUES (10, 'main');", two);

        assert_int_equal(diff_side_check_same_program(db, &d, false), 0);
        struct diff_chunk in1 = { .arena_id = 1 }, in2 = { .arena_id = 2 }, in3 = { .arena_id = 3 },
                          mm = { .arena_id = -1 };
        /* one thread: it made every block */
        assert_int_equal(diff_side_chunk_thread(&d.before, &mm), 10);
        assert_int_equal(diff_side_chunk_thread(&d.after, &in1), 10);
        assert_int_equal(diff_side_chunk_thread(&d.after, &in2), 11);
        assert_string_equal(diff_side_thread_name(&d.after, 11), "worker");
        /* an arena two threads share names no one, nor does an mmapped block */
        assert_int_equal(diff_side_chunk_thread(&d.after, &in3), 0);
        assert_int_equal(diff_side_chunk_thread(&d.after, &mm), 0);
        fixture_diff_close(db, &d);
}

/* Thousands of threads, each with an arena of its own: every block finds its thread and name. */
static void test_many_threads(void **state)
{
        (void)state;
        struct diff d;
        const char *many =
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                "INSERT INTO threads (tid, name) SELECT 100000 - i, 'w' || i FROM n;"
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                "INSERT INTO tcaches (id, tid, arena_id) SELECT i, 100000 - i, 7 * i FROM n;";
        sqlite3 *db = fixture_diff_open(&d, many, many);
        char name[16];

        assert_int_equal(diff_side_check_same_program(db, &d, false), 0);
        for (int64_t i = 1; i <= 5000; i++) {
                struct diff_chunk c = { .arena_id = 7 * i };
                assert_int_equal(diff_side_chunk_thread(&d.after, &c), 100000 - i);
                snprintf(name, sizeof(name), "w%lld", (long long)i);
                assert_string_equal(diff_side_thread_name(&d.after, 100000 - i), name);
        }
        struct diff_chunk none = { .arena_id = 8 };
        assert_int_equal(diff_side_chunk_thread(&d.after, &none), 0);
        assert_null(diff_side_thread_name(&d.after, 100000));
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_program),
                cmocka_unit_test(test_threads_of_blocks),
                cmocka_unit_test(test_many_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
