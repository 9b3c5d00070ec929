/* Unit tests for analyze/glibc/glibc_version.c: the banner and file-name parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_version.h"

static struct glibc_version parse(const char *text, size_t len)
{
        struct glibc_version v = { 0 };
        v.known = glibc_version_parse(text, len, &v);
        return v;
}

static void test_banners(void **state)
{
        (void)state;
        static const struct {
                const char *banner;
                const char *text;
                unsigned minor, patch;
        } cases[] = {
                { "GNU C Library (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36.\n", "2.36", 36, 0 },
                { "GNU C Library (Ubuntu GLIBC 2.35-0ubuntu3.8) stable release version 2.35.\n", "2.35", 35, 0 },
                { "GNU C Library (GNU libc) stable release version 2.40.\nCopyright", "2.40", 40, 0 },
                { "GNU C Library (GNU libc) development release version 2.42.9000.\n", "2.42.9000", 42, 9000 },
                { "GNU C Library (Ubuntu GLIBC 2.27-3ubuntu1.6) stable release version 2.27.\n", "2.27", 27, 0 },
                { "GNU C Library (GNU libc) release release version 2.26, by Roland McGrath", "2.26", 26, 0 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct glibc_version v = parse(cases[i].banner, strlen(cases[i].banner));
                assert_true(v.known);
                assert_int_equal(v.major, 2);
                assert_int_equal(v.minor, cases[i].minor);
                assert_int_equal(v.patch, cases[i].patch);
                assert_string_equal(v.text, cases[i].text);
        }
}

static void test_banner_in_binary_data(void **state)
{
        (void)state;
        /* .rodata around it: NULs, other strings that mention the library */
        static const char blob[] = "\0\0GNU C Library\0unrelated release version 9.9\0xx"
                                   "GNU C Library (Debian GLIBC 2.28-10) stable release version 2.28.\n\0tail";
        struct glibc_version v = parse(blob, sizeof(blob));
        assert_true(v.known);
        assert_string_equal(v.text, "2.28");
}

static void test_not_a_banner(void **state)
{
        (void)state;
        assert_false(parse("", 0).known);
        assert_false(parse("GNU C Library", 13).known);
        assert_false(parse("GNU C Library stable release version x.y", 40).known);
        assert_false(parse("GNU C Library stable release version 2", 38).known);
        /* cut off before the number ends: only what is there counts */
        struct glibc_version v = parse("GNU C Library stable release version 2.3", 40);
        assert_true(v.known);
        assert_string_equal(v.text, "2.3");
}

static void test_file_names(void **state)
{
        (void)state;
        struct glibc_version v = { 0 };
        assert_true(glibc_version_from_filename("/lib/x86_64-linux-gnu/libc-2.28.so", &v));
        assert_int_equal(v.minor, 28);
        assert_string_equal(v.text, "2.28");
        assert_false(glibc_version_from_filename("/lib/x86_64-linux-gnu/libc.so.6", &v));
        assert_false(glibc_version_from_filename("/usr/lib/libc-client.so.2007", &v));
        assert_false(glibc_version_from_filename(NULL, &v));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_banners),
                cmocka_unit_test(test_banner_in_binary_data),
                cmocka_unit_test(test_not_a_banner),
                cmocka_unit_test(test_file_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
