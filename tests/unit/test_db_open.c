/* Unit tests for query/db_open.c: what is refused, why, and that what opens is read-only. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analyze/db_schema.h"
#include "query/db_open.h"
#include "query_fixture.h"

static void write_file(const char *path, const void *data, size_t len)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        fclose(f);
}

static int open_ro(const char *path)
{
        sqlite3 *db = NULL;
        int r = db_open_readonly(path, &db);
        if (r == 0)
                sqlite3_close(db);
        else
                assert_null(db);
        return r;
}

static void test_bad_files(void **state)
{
        (void)state;
        char path[] = "/tmp/memsnap-unit-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);

        assert_int_equal(open_ro("/nonexistent/x.db"), -ENOENT);
        assert_int_equal(open_ro("/tmp"), -EISDIR);
        assert_int_equal(open_ro(path), -EINVAL); /* empty */
        write_file(path, "\177ELF\2\1\1\0\0\0\0\0\0\0\0\0\4\0", 18);
        assert_int_equal(open_ro(path), -EINVAL); /* a core */
        write_file(path, "hello, world\nthis is text\n", 26);
        assert_int_equal(open_ro(path), -EINVAL);
        write_file(path, "SQLite format 3", 15); /* cut short */
        assert_int_equal(open_ro(path), -EINVAL);
        unlink(path);
}

static void test_not_memsnap(void **state)
{
        (void)state;
        char path[] = "/tmp/memsnap-unit-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(a); PRAGMA user_version = 7;", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        /* another program's database, whatever its user_version */
        assert_int_equal(open_ro(path), -EINVAL);
        unlink(path);
}

static void test_versions(void **state)
{
        (void)state;
        char path[64], sql[64];

        fixture_db(path, NULL);
        assert_int_equal(open_ro(path), 0);
        unlink(path);

        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", DB_SCHEMA_VERSION + 1);
        fixture_db(path, sql);
        assert_int_equal(open_ro(path), -EPROTO);
        unlink(path);

        fixture_db(path, "PRAGMA user_version = 0;");
        /* memsnap's tables but no version: an older memsnap, refused the same way */
        assert_int_equal(open_ro(path), -EPROTO);
        unlink(path);
}

static void test_read_only(void **state)
{
        (void)state;
        char path[64];
        sqlite3 *db = NULL;

        fixture_db(path, "INSERT INTO meta VALUES ('k', 'v');");
        assert_int_equal(db_open_readonly(path, &db), 0);
        assert_int_equal(sqlite3_exec(db, "INSERT INTO meta VALUES ('x', 'y')", NULL, NULL, NULL), SQLITE_READONLY);
        assert_int_equal(sqlite3_exec(db, "SELECT * FROM meta", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        unlink(path);
}

static void test_attach(void **state)
{
        (void)state;
        char a[64], b[64];
        sqlite3 *db = NULL;

        fixture_db(a, NULL);
        fixture_db(b, "PRAGMA user_version = 99;");
        assert_int_equal(db_open_readonly(a, &db), 0);
        assert_int_equal(db_attach_readonly(db, a, "x"), 0);
        assert_int_equal(db_attach_readonly(db, b, "y"), -EPROTO);
        assert_int_equal(db_attach_readonly(db, "/nonexistent.db", "z"), -ENOENT);
        /* attached files are read-only too */
        assert_int_equal(sqlite3_exec(db, "INSERT INTO x.meta VALUES ('x', 'y')", NULL, NULL, NULL), SQLITE_READONLY);
        sqlite3_close(db);
        unlink(a);
        unlink(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_not_memsnap),
                cmocka_unit_test(test_versions),
                cmocka_unit_test(test_read_only),
                cmocka_unit_test(test_attach),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
