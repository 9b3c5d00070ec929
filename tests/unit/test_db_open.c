/* Unit tests for query/db_open.c: what is refused, why, and that what opens is read-only. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "schema/schema_version.h"
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
        struct db_guard guard = DB_GUARD_INIT;
        int r = db_open_readonly(path, &guard, &db);
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

        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", SCHEMA_VERSION + 1);
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
        struct db_guard guard = DB_GUARD_INIT;

        fixture_db(path, "INSERT INTO meta VALUES ('k', 'v');");
        assert_int_equal(db_open_readonly(path, &guard, &db), 0);
        /* the guard refuses the write when it is prepared */
        assert_int_equal(sqlite3_exec(db, "INSERT INTO meta VALUES ('x', 'y')", NULL, NULL, NULL), SQLITE_AUTH);
        assert_string_equal(db_open_errmsg(db, &guard), "refused: it inserts into 'meta'");
        assert_int_equal(sqlite3_exec(db, "SELECT * FROM meta", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        unlink(path);
}

static void test_attach(void **state)
{
        (void)state;
        char a[64], b[64];
        sqlite3 *db = NULL;
        struct db_guard guard = DB_GUARD_INIT;

        fixture_db(a, NULL);
        fixture_db(b, "PRAGMA user_version = 99;");
        /* as diff does: attach to an empty read-only connection, then guard it */
        assert_int_equal(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(db_open_attach_readonly(db, a, "x"), 0);
        assert_int_equal(db_open_attach_readonly(db, b, "y"), -EPROTO);
        assert_int_equal(db_open_attach_readonly(db, "/nonexistent.db", "z"), -ENOENT);
        /* attached files are read-only too */
        assert_int_equal(sqlite3_exec(db, "INSERT INTO x.meta VALUES ('x', 'y')", NULL, NULL, NULL), SQLITE_READONLY);
        /* once guarded, no more ATTACH */
        assert_int_equal(db_guard_install(db, &guard), 0);
        assert_int_equal(db_open_attach_readonly(db, "/tmp", "w"), -EISDIR);
        sqlite3_close(db);
        unlink(a);
        unlink(b);
}

/* meta.schema_version and PRAGMA user_version must agree */
static void test_versions_agree(void **state)
{
        (void)state;
        char path[64];

        fixture_db(path, "INSERT INTO meta VALUES ('schema_version', '99');");
        assert_int_equal(open_ro(path), -EPROTO);
        unlink(path);
        fixture_db(path, "INSERT INTO meta VALUES ('schema_version', 'one');");
        assert_int_equal(open_ro(path), -EPROTO);
        unlink(path);
}

/* A FIFO is named, not waited on (an open(2) without O_NONBLOCK would block here forever). */
static void test_fifo(void **state)
{
        (void)state;
        char path[] = "/tmp/memsnap-unit-fifo-XXXXXX";
        assert_non_null(mkdtemp(path));
        char fifo[64];
        snprintf(fifo, sizeof(fifo), "%s/db", path);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(open_ro(fifo), -EINVAL);
        assert_int_equal(db_open_check_file(fifo), -EINVAL);
        unlink(fifo);
        rmdir(path);
}

/* What the authorizer lets through, and what not (each refusal from issue 16). */
static void test_guard(void **state)
{
        (void)state;
        static const char *const refused[] = {
                "SELECT fts3_tokenizer('simple', X'4141414141414141')",
                "SELECT fts3_tokenizer('simple')",
                "SELECT load_extension('/tmp/x.so')",
                "PRAGMA trusted_schema = 1",
                "PRAGMA writable_schema = 1",
                "PRAGMA query_only = 0",
                "PRAGMA locking_mode = exclusive",
                "PRAGMA mmap_size = 1073741824",
                "PRAGMA user_version = 5",
                "PRAGMA journal_mode = wal",
                "PRAGMA integrity_check",
                "ATTACH '/nonexistent/x.db' AS x",
                "ATTACH 'file:/tmp/x.db?mode=rwc' AS x",
                "ATTACH ':memory:' AS x",
                "ATTACH '/tmp' || '/x.db' AS x",
                "CREATE TEMP VIEW v AS SELECT 1",
                "DELETE FROM meta",
        };
        static const char *const allowed[] = {
                "SELECT count(*), sum(size), printf('%x', max(mem)) FROM chunks",
                "WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < 10) SELECT sum(n) FROM i",
                "SELECT json_object('a', 1), row_number() OVER () FROM meta",
                "PRAGMA table_info(chunks)",
                "PRAGMA user_version",
                "SELECT * FROM pragma_table_info('chunks')",
                "BEGIN; SELECT 1; COMMIT",
        };
        char path[64];
        sqlite3 *db = NULL;
        struct db_guard guard = DB_GUARD_INIT;

        fixture_db(path, NULL);
        assert_int_equal(db_open_readonly(path, &guard, &db), 0);
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                guard.refused[0] = '\0';
                /* a refused function fails as SQLITE_ERROR, the rest as SQLITE_AUTH */
                int r = sqlite3_exec(db, refused[i], NULL, NULL, NULL);
                if ((r != SQLITE_AUTH && r != SQLITE_ERROR) || db_open_error_code(db, &guard) != -EPERM)
                        fail_msg("'%s' not refused by the guard: %d %s", refused[i], r, sqlite3_errmsg(db));
        }
        for (size_t i = 0; i < ELEMENTSOF(allowed); i++)
                if (sqlite3_exec(db, allowed[i], NULL, NULL, NULL) != SQLITE_OK)
                        fail_msg("'%s' refused: %s", allowed[i], sqlite3_errmsg(db));
        sqlite3_close(db);
        unlink(path);
}

/* An endless recursive CTE ends at the step limit, with the limit's reason. */
static void test_step_limit(void **state)
{
        (void)state;
        char path[64];
        sqlite3 *db = NULL;
        struct db_guard guard = { .max_steps = 1000000 };

        fixture_db(path, "CREATE VIEW endless AS WITH RECURSIVE i(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i) "
                         "SELECT count(*) FROM i;");
        assert_int_equal(db_open_readonly(path, &guard, &db), 0);
        assert_int_equal(sqlite3_exec(db, "SELECT * FROM endless", NULL, NULL, NULL), SQLITE_INTERRUPT);
        assert_int_equal(db_open_error_code(db, &guard), -ETIME);
        assert_true(guard.steps * DB_PROGRESS_PERIOD > guard.max_steps);
        assert_non_null(strstr(db_open_errmsg(db, &guard), "stopped after 1000000 steps"));
        sqlite3_close(db);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_bad_files),
                cmocka_unit_test(test_not_memsnap),
                cmocka_unit_test(test_versions),
                cmocka_unit_test(test_read_only),
                cmocka_unit_test(test_attach),
                cmocka_unit_test(test_versions_agree),
                cmocka_unit_test(test_fifo),
                cmocka_unit_test(test_guard),
                cmocka_unit_test(test_step_limit),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
