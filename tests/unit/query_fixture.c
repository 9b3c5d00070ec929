/* Implementation of query_fixture.h. */
#include "query_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "schema/schema_sql.h"
#include "query/diff.h"

static void exec_or_fail(sqlite3 *db, const char *sql)
{
        char *err = NULL;
        if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
                print_error("fixture SQL failed: %s\n", err ? err : "?");
                sqlite3_free(err);
                fail();
        }
}

void fixture_db(char *path, const char *sql)
{
        sqlite3 *db = NULL;

        strcpy(path, "/tmp/memsnap-unit-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        for (size_t i = 0; i < schema_sql_files_count; i++)
                exec_or_fail(db, schema_sql_files[i].text);
        if (sql)
                exec_or_fail(db, sql);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

FILE *capture_begin(struct capture *c)
{
        free(c->buf);
        c->buf = NULL;
        c->len = 0;
        c->f = open_memstream(&c->buf, &c->len);
        assert_non_null(c->f);
        return c->f;
}

const char *capture_end(struct capture *c)
{
        fclose(c->f);
        c->f = NULL;
        return c->buf;
}

void capture_free(struct capture *c)
{
        if (c->f)
                fclose(c->f);
        free(c->buf);
        *c = (struct capture){ 0 };
}

static char fixture_before[64], fixture_after[64];

sqlite3 *fixture_diff_open(struct diff *d, const char *before_sql, const char *after_sql)
{
        sqlite3 *db = NULL;

        fixture_db(fixture_before, before_sql);
        fixture_db(fixture_after, after_sql);
        *d = (struct diff){ .keep = DIFF_KEEP_ALL };
        d->before.path = fixture_before;
        d->after.path = fixture_after;
        assert_int_equal(diff_open(fixture_before, fixture_after, &d->guard, &db), 0);
        return db;
}

void fixture_diff_close(sqlite3 *db, struct diff *d)
{
        sqlite3_close(db);
        diff_free(d);
        unlink(fixture_before);
        unlink(fixture_after);
}
