/* Unit tests for query/diff_segments.c: mappings added, removed, resized at either end, and kinds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "query/diff.h"
#include "query_fixture.h"

#define SEG(id, start, end, kind, path, rss)                                                        \
        "INSERT INTO segments (id, start, end, perms, kind, path, rss_kb, anonymous_kb) "           \
        "VALUES (" #id ", " #start ", " #end ", 'rw-p', '" kind "', " path ", " #rss ", " #rss ");\n"

static void test_segments(void **state)
{
        (void)state;
        struct diff d;
        sqlite3 *db = fixture_diff_open(&d,
                SEG(1, 0x10000, 0x20000, "heap", "'[heap]'", 64)      /* brk grows: same start */
                SEG(2, 0x100000, 0x200000, "heap", "NULL", 1024)      /* mmaps merged below: same end */
                SEG(3, 0x300000, 0x301000, "anon", "NULL", 4)         /* unmapped */
                SEG(4, 0x400000, 0x401000, "file", "'/lib/x.so'", 4)  /* unchanged */
                SEG(5, -10485760, -10481664, "vsyscall", "'[vsyscall]'", 0),
                SEG(1, 0x10000, 0x40000, "heap", "'[heap]'", 192)
                SEG(2, 0x80000, 0x200000, "heap", "NULL", 1536)
                SEG(4, 0x400000, 0x401000, "file", "'/lib/x.so'", 4)
                SEG(6, 0x500000, 0x900000, "thread_stack", "NULL", 8)
                SEG(5, -10485760, -10481664, "vsyscall", "'[vsyscall]'", 0));

        assert_int_equal(diff_segments(db, &d), 0);
        assert_int_equal(d.nsegments, 4);
        assert_int_equal(d.segments[0].change, DIFF_SEG_RESIZED);
        assert_int_equal(d.segments[0].before.end, 0x20000);
        assert_int_equal(d.segments[0].after.end, 0x40000);
        assert_string_equal(d.segments[0].after.path, "[heap]");
        assert_int_equal(d.segments[1].change, DIFF_SEG_RESIZED);
        assert_int_equal(d.segments[1].before.start, 0x100000);
        assert_int_equal(d.segments[1].after.start, 0x80000);
        assert_null(d.segments[1].after.path);
        assert_int_equal(d.segments[2].change, DIFF_SEG_REMOVED);
        assert_int_equal(d.segments[2].before.start, 0x300000);
        assert_int_equal(d.segments[3].change, DIFF_SEG_ADDED);
        assert_string_equal(d.segments[3].after.kind, "thread_stack");
        assert_int_equal(d.segments[3].after.rss_kb, 8);

        /* kinds that changed, then the total; a kind one side lacks counts 0 there */
        assert_int_equal(d.nkinds, 4);
        assert_string_equal(d.kinds[0].kind, "heap");
        assert_int_equal(d.kinds[0].rss_kb_before, 1088);
        assert_int_equal(d.kinds[0].rss_kb_after, 1728);
        assert_string_equal(d.kinds[1].kind, "thread_stack");
        assert_int_equal(d.kinds[1].virt_kb_before, 0);
        assert_int_equal(d.kinds[1].rss_kb_before, 0);
        assert_int_equal(d.kinds[1].virt_kb_after, 4096);
        assert_string_equal(d.kinds[2].kind, "anon");
        assert_int_equal(d.kinds[2].virt_kb_after, 0);
        assert_string_equal(d.kinds[3].kind, "total");
        fixture_diff_close(db, &d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_segments),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
