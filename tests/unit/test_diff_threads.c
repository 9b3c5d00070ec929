/* Unit tests for query/diff_threads.c: by tid within a process, by name across a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

#define BEFORE                                                                                    \
        "INSERT INTO modules (id, path, is_main) VALUES (1, '/bin/svc', 1), (2, '/lib/libc.so.6', 0);" \
        "INSERT INTO threads (tid, name, is_main) VALUES (100, 'svc', 1), (101, 'worker', 0), (102, 'worker', 0);" \
        "INSERT INTO frames (tid, depth, module_id, function) VALUES "                             \
        " (101, 0, 2, 'futex_wait'), (101, 1, 1, 'queue_pop'), (101, 2, 1, 'worker_main');"

static void test_same_process(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d, BEFORE,
                "INSERT INTO modules (id, path, is_main) VALUES (1, '/bin/svc', 1), (2, '/lib/libc.so.6', 0);"
                "INSERT INTO threads (tid, name, is_main) VALUES (100, 'svc', 1), (102, 'worker', 0), (103, 'flusher', 0);"
                "INSERT INTO live_frames (tid, depth, function) VALUES (103, 0, 'nanosleep');");
        d.before.pid = d.after.pid = 100;
        assert_int_equal(diff_threads(db, &d), 0);
        assert_int_equal(d.nthreads, 2);
        assert_false(d.threads[0].added);
        assert_int_equal(d.threads[0].tid, 101);
        /* the first frame in the main program, not libc's futex_wait */
        assert_string_equal(d.threads[0].function, "queue_pop");
        assert_true(d.threads[1].added);
        assert_int_equal(d.threads[1].tid, 103);
        assert_string_equal(d.threads[1].name, "flusher");
        /* no frames from the core: the live stack says */
        assert_string_equal(d.threads[1].function, "nanosleep");
        fixture_diff_close(db, &d);
}

static void test_restart(void **state)
{
        (void)state;
        struct diff d;
        /* a restarted service: new tids, one worker more */
        sqlite3 *db = fixture_diff_open(&d, BEFORE,
                "INSERT INTO threads (tid, name, is_main) VALUES (200, 'svc', 1), (201, 'worker', 0), "
                "(202, 'worker', 0), (203, 'worker', 0);");
        d.before.pid = 100;
        d.after.pid = 200;
        assert_int_equal(diff_threads(db, &d), 0);
        assert_int_equal(d.nthreads, 1);
        assert_true(d.threads[0].added);
        assert_string_equal(d.threads[0].name, "worker");
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_same_process),
                cmocka_unit_test(test_restart),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
