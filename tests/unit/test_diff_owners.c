/*
 * Unit tests for query/diff_owners.c: root holders matched across a
 * restart by a key without tids or addresses, one function's frames in
 * several threads summed, holders on one side only, the blocks no single
 * holder dominates as "unowned", largest growth first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

#define MODULES                                                                                          \
        "INSERT INTO modules (id, path, is_main) VALUES (1, '/bin/svc', 1), (2, '/usr/lib/libfoo.so', 0);" \
        "INSERT INTO segments (id, start, end, perms, kind, module_id) VALUES (1, 4096, 8192, 'rw-p', 'bss', 2);"

#define ROOT(id, kind, tid, module, symbol, function, reg, seg, name, retained)                                \
        "INSERT INTO roots (id, kind, tid, module_id, symbol, function, register, segment_id, name, conservative," \
        " blocks, retained) VALUES (" #id ", '" kind "', " #tid ", " #module ", " symbol ", " function ", " reg   \
        ", " #seg ", '" name "', 0, 1, " #retained ");"

#define BLOCK(id, idom, idom_root, retained)                                                                  \
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, idom, idom_root," \
        " retained) VALUES (" #id ", " #id " * 64, " #id " * 64 + 16, 64, 64, 56, 'used', 0, 1, " #idom ", " #idom_root \
        ", " #retained ");"

static void test_owners(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d,
                MODULES
                "INSERT INTO threads (tid, name, is_main) VALUES (10, 'svc', 1), (11, 'worker', 0), (12, 'worker', 0);"
                ROOT(1, "static", NULL, 2, "'g_cache'", "NULL", "NULL", 1, "static g_cache in libfoo.so", 1000)
                ROOT(2, "stack", 11, NULL, "NULL", "'worker_main'", "NULL", NULL, "thread 11 frame #3 worker_main", 100)
                ROOT(3, "stack", 12, NULL, "NULL", "'worker_main'", "NULL", NULL, "thread 12 frame #3 worker_main", 50)
                ROOT(4, "register", 10, NULL, "NULL", "NULL", "'rbx'", NULL, "thread 10 register rbx", 64)
                BLOCK(1, NULL, NULL, 640) BLOCK(2, 1, NULL, 576),
                /* a restart: other tids, the same thread names; rbx holds nothing now, a TLS holder appeared */
                MODULES
                "INSERT INTO threads (tid, name, is_main) VALUES (20, 'svc', 1), (21, 'worker', 0), (22, 'worker', 0);"
                ROOT(1, "static", NULL, 2, "'g_cache'", "NULL", "NULL", 1, "static g_cache in libfoo.so", 420000)
                ROOT(2, "stack", 22, NULL, "NULL", "'worker_main'", "NULL", NULL, "thread 22 frame #3 worker_main", 150)
                ROOT(3, "stack", 21, NULL, "NULL", "'worker_main'", "NULL", NULL, "thread 21 frame #3 worker_main", 0)
                ROOT(4, "tls", 20, 2, "NULL", "NULL", "NULL", NULL, "TLS of thread 20 in libfoo.so", 32)
                BLOCK(1, NULL, 1, 420000) BLOCK(2, NULL, NULL, 64));
        assert_int_equal(diff_owners(db, &d), 0);

        /* g_cache +419000, TLS +32, the worker frames 150 -> 150 (unlisted), rbx -64, unowned 640 -> 64 */
        assert_int_equal(d.nowners, 4);
        assert_string_equal(d.owners[0].key, "static|/usr/lib/libfoo.so|g_cache");
        assert_string_equal(d.owners[0].name, "static g_cache in libfoo.so");
        assert_int_equal(d.owners[0].retained_before, 1000);
        assert_int_equal(d.owners[0].retained_after, 420000);
        assert_string_equal(d.owners[1].key, "tls|/usr/lib/libfoo.so");
        assert_string_equal(d.owners[1].name, "TLS in libfoo.so");
        assert_int_equal(d.owners[1].retained_before, 0);
        assert_int_equal(d.owners[1].retained_after, 32);
        assert_string_equal(d.owners[2].key, "register|svc|rbx");
        assert_string_equal(d.owners[2].name, "register rbx of thread svc");
        assert_int_equal(d.owners[2].retained_after, 0);
        assert_string_equal(d.owners[3].key, "unowned");
        assert_string_equal(d.owners[3].kind, "none");
        assert_int_equal(d.owners[3].retained_before, 640);
        assert_int_equal(d.owners[3].retained_after, 64);
        fixture_diff_close(db, &d);
}

static void test_no_roots(void **state)
{
        (void)state;
        struct diff d;
        /* snapshots whose dominators were not computed: nothing, not an "unowned" row */
        sqlite3 *db = fixture_diff_open(&d, MODULES BLOCK(1, NULL, NULL, NULL), MODULES BLOCK(1, NULL, NULL, NULL));
        assert_int_equal(diff_owners(db, &d), 0);
        assert_int_equal(d.nowners, 0);
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_owners),
                cmocka_unit_test(test_no_roots),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
