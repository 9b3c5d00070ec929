/* Unit tests for query/sql_script.c: directives, writes refused before any output, parameters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "query/db_open.h"
#include "query/sql_script.h"
#include "query_fixture.h"

static char path[64];

static int setup(void **state)
{
        (void)state;
        fixture_db(path, "INSERT INTO snapshot (pid, exe) VALUES (4242, '/bin/leak');"
                         "INSERT INTO threads (tid, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');");
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        unlink(path);
        return 0;
}

/* Runs sql in tsv with a header and returns what it printed; *r gets the result. */
static const char *run(struct capture *cap, const char *sql, const struct sql_param *p, size_t np, int *r)
{
        sqlite3 *db = NULL;
        struct db_guard guard = DB_GUARD_INIT;
        struct output o;
        struct output_options oo = {
                .format = output_format_find("tsv"), .out = capture_begin(cap), .header = true,
        };
        assert_int_equal(db_open_readonly(path, &guard, &db), 0);
        output_init(&o, &oo, false);
        *r = sql_script_run(db, &guard, path, sql, &o, p, np);
        output_free(&o);
        sqlite3_close(db);
        return capture_end(cap);
}

static void test_directives(void **state)
{
        (void)state;
        struct sql_directives d;
        const char *text = "-- top: a report\n--\n-- section: loss_records\n-- layout: vertical\n  -- more words\nSELECT 1";
        sql_directives_parse(text, strlen(text), &d);
        assert_string_equal(d.section, "loss_records");
        assert_true(d.vertical);
        text = "SELECT 1 -- section: not a directive";
        sql_directives_parse(text, strlen(text), &d);
        assert_string_equal(d.section, "");
        assert_false(d.vertical);
}

static void test_statements(void **state)
{
        (void)state;
        struct capture cap = { 0 };
        int r;

        assert_string_equal(run(&cap, "SELECT pid FROM snapshot; SELECT count(*) AS n FROM threads;", NULL, 0, &r),
                            "pid\n4242\n\nn\n3\n");
        assert_int_equal(r, 0);
        /* statements without results print nothing; trailing comments are fine */
        assert_string_equal(run(&cap, "BEGIN; SELECT exe FROM snapshot; COMMIT; -- done", NULL, 0, &r),
                            "exe\n/bin/leak\n");
        assert_int_equal(r, 0);
        assert_string_equal(run(&cap, "SELECT tid FROM threads WHERE tid > 9", NULL, 0, &r), "tid\n");
        capture_free(&cap);
}

static void test_empty(void **state)
{
        (void)state;
        assert_true(sql_script_empty(""));
        assert_true(sql_script_empty("  \n\t;"));
        assert_true(sql_script_empty("--header"));
        assert_true(sql_script_empty("-- a comment\n  -- another\n;"));
        assert_true(sql_script_empty("/* a comment */ ; /* unterminated"));
        assert_false(sql_script_empty("select 1"));
        assert_false(sql_script_empty("-- leaks: a report\nselect 1;"));
        assert_false(sql_script_empty("/* x */ select 1"));
        assert_false(sql_script_empty("-"));
        assert_false(sql_script_empty("-f"));
}

static void test_writes_refused_first(void **state)
{
        (void)state;
        struct capture cap = { 0 };
        int r;

        /* nothing runs, not even the SELECT before the write */
        assert_string_equal(run(&cap, "SELECT 1; DELETE FROM threads;", NULL, 0, &r), "");
        assert_int_equal(r, -EPERM);
        /* writes SQLite would let through on a read-only connection */
        run(&cap, "VACUUM INTO '/tmp/memsnap-unit-vacuum.db'", NULL, 0, &r);
        assert_int_equal(r, -EPERM);
        assert_int_equal(access("/tmp/memsnap-unit-vacuum.db", F_OK), -1);
        run(&cap, "CREATE TEMP TABLE t(a)", NULL, 0, &r);
        assert_int_equal(r, -EPERM);
        run(&cap, "PRAGMA user_version = 5", NULL, 0, &r);
        assert_int_equal(r, -EPERM);
        /* a statement after an ATTACH is checked when it runs */
        char sql[256];
        snprintf(sql, sizeof(sql), "ATTACH '%s' AS o; SELECT count(*) FROM o.threads; DELETE FROM o.threads;", path);
        assert_string_equal(run(&cap, sql, NULL, 0, &r), "count(*)\n3\n");
        assert_int_equal(r, -EPERM);
        /* ATTACH of what is not a regular SQLite file is refused before anything runs */
        assert_string_equal(run(&cap, "SELECT 1; ATTACH '/tmp' AS o;", NULL, 0, &r), "");
        assert_int_equal(r, -EPERM);
        capture_free(&cap);
}

static void test_errors_and_params(void **state)
{
        (void)state;
        struct capture cap = { 0 };
        int r;

        run(&cap, "SELEC 1", NULL, 0, &r);
        assert_int_equal(r, -EINVAL);
        run(&cap, "SELECT * FROM no_such_table", NULL, 0, &r);
        assert_int_equal(r, -EINVAL);
        struct sql_param p[] = { { .name = "n", .value = 2 } };
        assert_string_equal(run(&cap, "SELECT tid FROM threads ORDER BY tid LIMIT :n", p, 1, &r), "tid\n1\n2\n");
        assert_int_equal(r, 0);
        capture_free(&cap);
}

static void test_shared_with(void **state)
{
        (void)state;
        struct capture cap = { 0 };
        int r;

        /* the clause begins every statement after it; one adds a CTE of its own; a trailing comment is no statement */
        const char *sql = "-- r: a report\n-- shared: with\nWITH t AS (SELECT tid FROM threads WHERE tid > 1)\n"
                          "-- end shared\n-- section: a\nSELECT count(*) AS n FROM t;\n"
                          "-- section: b\n, u AS (SELECT max(tid) AS m FROM t)\nSELECT m FROM u;\n-- the end\n";
        assert_string_equal(run(&cap, sql, NULL, 0, &r), "n\n2\n\nm\n3\n");
        assert_int_equal(r, 0);
        /* expanded, with the clause in front of each statement and no "-- shared:" left, it gives the same */
        char *expanded = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&expanded, &len);
        assert_non_null(f);
        sql_script_expand(sql, f);
        fclose(f);
        assert_null(strstr(expanded, "-- shared:"));
        assert_non_null(strstr(expanded, "-- section: b\nWITH t AS"));
        assert_string_equal(run(&cap, expanded, NULL, 0, &r), "n\n2\n\nm\n3\n");
        assert_int_equal(r, 0);
        free(expanded);
        /* a statement that writes is refused before anything runs, the clause in front of it too */
        sql = "-- shared: with\nWITH t AS (SELECT 1)\n-- end shared\nSELECT 1; DELETE FROM threads;";
        assert_string_equal(run(&cap, sql, NULL, 0, &r), "");
        assert_int_equal(r, -EPERM);
        /* after a statement the lines are no directive: the clause is a statement's start */
        sql = "SELECT 1 AS a;\n-- shared: with\nWITH t AS (SELECT 2 AS b)\n-- end shared\nSELECT b FROM t";
        assert_string_equal(run(&cap, sql, NULL, 0, &r), "a\n1\n\nb\n2\n");
        assert_int_equal(r, 0);
        capture_free(&cap);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_directives),
                cmocka_unit_test(test_statements),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_writes_refused_first),
                cmocka_unit_test(test_errors_and_params),
                cmocka_unit_test(test_shared_with),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
