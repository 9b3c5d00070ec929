/* Unit tests for query/report.c: the embedded reports, their headers and parameters, and that each runs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "query/db_open.h"
#include "query/report.h"
#include "query_fixture.h"

static void test_catalogue(void **state)
{
        (void)state;
        static const char *const expected[] = { "heap", "heapmap", "leaks", "owners", "segments", "sizes", "summary", "threads", "top" };
        struct report r;

        for (size_t i = 0; i < ELEMENTSOF(expected); i++) {
                assert_int_equal(report_get(i, &r), 0);
                assert_string_equal(r.name, expected[i]);
                /* every report says what it shows */
                assert_true(strlen(r.summary) > 10);
        }
        assert_int_equal(report_get(ELEMENTSOF(expected), &r), -ENOENT);
        assert_int_equal(report_find("nope", &r), -ENOENT);

        assert_int_equal(report_find("top", &r), 0);
        assert_int_equal(r.nparams, 1);
        assert_string_equal(r.params[0].name, "n");
        assert_int_equal(r.params[0].value, 20);
        assert_string_equal(r.param_help[0], "how many blocks to list");
        assert_int_equal(report_find("summary", &r), 0);
        assert_int_equal(r.nparams, 0);
}

#define ROWS \
        "INSERT INTO snapshot (pid, exe, source, vm_size_kb, vm_rss_kb) VALUES (7, '/bin/x', 'memsnap', 1000, 500);" \
        "INSERT INTO arenas (id, address, is_main, system_mem) VALUES (1, 4096, 1, 135168);" \
        "INSERT INTO segments (id, start, end, perms, kind, rss_kb) VALUES (1, 0x1000, 0x22000, 'rw-p', 'heap', 132);" \
        "INSERT INTO threads (tid, name, is_main) VALUES (7, 'x', 1);" \
        "INSERT INTO chunks (id, address, mem, size, size_class, usable, state, mmapped, arena_id, leak) VALUES" \
        " (1, 0x1000, 0x1010, 4096, 4096, 4088, 'used', 0, 1, 'definite')," \
        " (2, 0x2000, 0x2010, 64, 64, 56, 'used', 0, 1, 'reachable')," \
        " (3, 0x2040, 0x2050, 32, 32, 24, 'free', 0, 1, NULL)," \
        " (4, 0x2060, 0x2070, 1000, 512, 992, 'top', 0, 1, NULL);" \
        "UPDATE chunks SET bin = 'tcache' WHERE id = 3;" \
        "INSERT INTO refs (from_chunk, from_offset, from_address, root_kind, tid, to_chunk, to_offset) VALUES" \
        " (NULL, 8, 0x7ffe0000, 'stack', 7, 2, 0), (1, 0, 0x1010, NULL, NULL, 2, 0);"
static const char rows[] = ROWS;

/* Runs a report in json and returns the text. */
static const char *run_report(struct capture *cap, const char *path, struct report *r)
{
        sqlite3 *db = NULL;
        struct db_guard guard = DB_GUARD_INIT;
        struct output o;
        struct output_options oo = { .format = output_format_find("json"), .out = capture_begin(cap) };

        assert_int_equal(db_open_readonly(path, &guard, &db), 0);
        output_init(&o, &oo, true);
        assert_int_equal(sql_script_run(db, &guard, path, r->sql, &o, r->params, r->nparams), 0);
        output_free(&o);
        sqlite3_close(db);
        return capture_end(cap);
}

static void test_every_report_runs(void **state)
{
        (void)state;
        char path[64];
        struct capture cap = { 0 };
        struct report r;

        fixture_db(path, rows);
        for (size_t i = 0; report_get(i, &r) == 0; i++) {
                const char *out = run_report(&cap, path, &r);
                /* a keyed JSON document: one object, one member per section */
                assert_true(out[0] == '{');
                assert_non_null(strstr(out, "\": ["));
        }

        report_find("summary", &r);
        const char *out = run_report(&cap, path, &r);
        assert_non_null(strstr(out, "\"process\": [{\"pid\":7,"));
        assert_non_null(strstr(out, "\"virt_kb\":1000,\"res_kb\":500,"));
        assert_non_null(strstr(out, "{\"kind\":\"definitely lost\",\"leak\":\"definite\",\"bytes\":4088,\"blocks\":1}"));
        assert_non_null(strstr(out, "\"tcache_chunks\":1,\"tcache_bytes\":32,"));

        /* top 1: the largest block only; top 5: the 64-byte block with its two owners */
        report_find("top", &r);
        r.params[0].value = 1;
        out = run_report(&cap, path, &r);
        assert_non_null(strstr(out, "\"mem\":4112,"));
        assert_null(strstr(out, "\"mem\":8208,"));
        r.params[0].value = 5;
        out = run_report(&cap, path, &r);
        assert_non_null(strstr(out, "\"refs\":2,\"owners\":\"stack of thread 7 x, chunk 0x1010+0\"}"));
        capture_free(&cap);
        unlink(path);
}

/*
 * heapmap: the fixture's heap segment (132 KiB) in 33 bins of 4 KiB, its
 * top chunk grown to 8000 bytes so that it straddles bins 1 and 2.
 */
static void test_heapmap_bins(void **state)
{
        (void)state;
        char path[64];
        struct capture cap = { 0 };
        struct report r;

        fixture_db(path, ROWS "UPDATE chunks SET segment_id = 1; UPDATE chunks SET size = 8000 WHERE id = 4;");
        assert_int_equal(report_find("heapmap", &r), 0);
        assert_string_equal(r.params[0].name, "bins");
        r.params[0].value = 33;
        const char *out = run_report(&cap, path, &r);
        assert_non_null(strstr(out, "{\"segment_id\":1,\"start\":4096,\"end\":139264,\"size\":135168,\"arena\":\"main\","
                                    "\"first_bin\":0,\"bins\":33,\"bin_size\":4096,\"chunks\":4}"));
        /* the 4 KiB definite block fills bin 0; the top chunk's 8000 bytes split 4000 + 4000 */
        assert_non_null(strstr(out, "{\"bin\":0,\"chunks\":1,\"used_bytes\":0,\"definite_bytes\":4096,"));
        assert_non_null(strstr(out, "{\"bin\":1,\"chunks\":3,\"used_bytes\":64,\"definite_bytes\":0,\"indirect_bytes\":0,"
                                    "\"possible_bytes\":0,\"free_bytes\":32,\"top_bytes\":4000}"));
        assert_non_null(strstr(out, "{\"bin\":2,\"chunks\":0,\"used_bytes\":0,\"definite_bytes\":0,\"indirect_bytes\":0,"
                                    "\"possible_bytes\":0,\"free_bytes\":0,\"top_bytes\":4000}"));
        assert_null(strstr(out, "{\"bin\":3,"));
        capture_free(&cap);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_catalogue),
                cmocka_unit_test(test_every_report_runs),
                cmocka_unit_test(test_heapmap_bins),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
