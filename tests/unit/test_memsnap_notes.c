/* Unit tests for capture/memsnap_notes.c: the settings note's keys, the time format, thread names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/memsnap_notes.h"
#include "common/keyval.h"
#include "common/text_escape.h"

static void test_time(void **state)
{
        (void)state;
        char buf[32];
        struct timespec t = { 1714566896, 789000000 }; /* 2024-05-01T12:34:56.789Z */
        memsnap_notes_rfc3339_utc(&t, buf);
        assert_string_equal(buf, "2024-05-01T12:34:56.789Z");
        t.tv_nsec = 5000000;
        memsnap_notes_rfc3339_utc(&t, buf);
        assert_string_equal(buf, "2024-05-01T12:34:56.005Z");
}

static void test_settings(void **state)
{
        (void)state;
        struct select_options o;
        select_options_default(&o);
        struct capture_facts f = {
                .version = "1.2.3", .captured_at = { 1714566896, 0 }, .pid = 77, .exe = "/opt/a\nb",
                .comm = "a", .kernel = "6.1.0", .page_size = 4096, .threads = 3, .mappings = 40,
                .pause_ms = 12.4, .select = &o, .stage_limit = 1 << 30, .memory_bytes = 5,
        };
        char *text;
        size_t len;
        assert_int_equal(memsnap_notes_settings_format(&f, &text, &len), 0);
        static const char *const lines[] = {
                "memsnap_version=1.2.3\n", "captured_at=2024-05-01T12:34:56.000Z\n", "pid=77\n",
                "exe=/opt/a\\nb\n", "page_size=4096\n", "threads=3\n", "pause_ms=12\n", "segments=all\n",
                "with_text=0\n", "stage_limit=1073741824\n", "memory_bytes=5\n",
        };
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
                assert_non_null(strstr(text, lines[i]));
        assert_null(strstr(text, "range="));
        free(text);

        o.kinds = (1u << SEG_HEAP) | (1u << SEG_STACK);
        o.kinds_given = true;
        o.have_range = true;
        o.range_start = 0x1000;
        o.range_end = 0x2000;
        o.path_glob = "*lib*";
        o.max_size = 99;
        assert_int_equal(memsnap_notes_settings_format(&f, &text, &len), 0);
        assert_non_null(strstr(text, "segments=heap,stack\n"));
        assert_non_null(strstr(text, "range=1000-2000\n"));
        assert_non_null(strstr(text, "path=*lib*\n"));
        assert_non_null(strstr(text, "max_size=99\n"));
        free(text);
}

/* Every value comes back whole through analyze's reader: keyval_get, then text_escape_undo. */
static void test_settings_escaped(void **state)
{
        (void)state;
        struct select_options o;
        select_options_default(&o);
        static const char exe[] = "/opt/a\tb\\c\nd\r";
        struct capture_facts f = {
                .version = "1", .pid = 1, .exe = exe, .comm = "x\ry", .kernel = "6.1.0", .page_size = 4096, .select = &o,
        };
        char *text;
        size_t len;
        assert_int_equal(memsnap_notes_settings_format(&f, &text, &len), 0);
        assert_non_null(strstr(text, "exe=/opt/a\\tb\\\\c\\nd\\r\n"));
        const char *v;
        size_t vlen;
        assert_true(keyval_get(text, len, "exe", &v, &vlen));
        char *back = text_escape_undo(v, vlen);
        assert_string_equal(back, exe);
        free(back);
        assert_true(keyval_get(text, len, "comm", &v, &vlen));
        back = text_escape_undo(v, vlen);
        assert_string_equal(back, "x\ry");
        free(back);
        free(text);
}

static void test_threads(void **state)
{
        (void)state;
        pid_t tids[] = { 10, 11 };
        char a[] = "main", b[] = "odd\tname\\\r";
        char *names[] = { a, b };
        char *text;
        size_t len;
        assert_int_equal(memsnap_notes_threads_format(tids, names, 2, &text, &len), 0);
        assert_string_equal(text, "10\tmain\n11\todd\\tname\\\\\\r\n");
        free(text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_time),
                cmocka_unit_test(test_settings),
                cmocka_unit_test(test_settings_escaped),
                cmocka_unit_test(test_threads),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
