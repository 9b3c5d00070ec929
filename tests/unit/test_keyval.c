/* Unit tests for common/keyval.c: the MEMSNAP settings note's key=value lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/keyval.h"

static const char text[] = "version=0.1.0\ncaptured_at=2024-05-01T12:00:00Z\r\npid=4242\nexe=/a b/c=d\n"
                           "pidx=1\nempty=\nnovalue\npid=9999\nlast=no newline";

static void test_get(void **state)
{
        (void)state;
        const char *v;
        size_t n;

        assert_true(keyval_get(text, strlen(text), "pid", &v, &n));
        assert_int_equal(n, 4);
        assert_memory_equal(v, "4242", 4); /* the first line with the key wins */
        assert_true(keyval_get(text, strlen(text), "captured_at", &v, &n));
        assert_int_equal(n, 20); /* the \r is dropped */
        assert_true(keyval_get(text, strlen(text), "empty", &v, &n));
        assert_int_equal(n, 0);
        assert_false(keyval_get(text, strlen(text), "novalue", &v, &n));
        assert_false(keyval_get(text, strlen(text), "pi", &v, &n));
        assert_false(keyval_get(text, strlen(text), "missing", &v, &n));
        assert_false(keyval_get(text, 10, "captured_at", &v, &n)); /* bounded by len */
}

static void test_dup(void **state)
{
        (void)state;
        char *s = keyval_dup(text, strlen(text), "exe");
        assert_string_equal(s, "/a b/c=d");
        free(s);
        s = keyval_dup(text, strlen(text), "last");
        assert_string_equal(s, "no newline");
        free(s);
        assert_null(keyval_dup(text, strlen(text), "missing"));
        static const char nul[] = "k=a\0b\n";
        assert_null(keyval_dup(nul, sizeof(nul) - 1, "k"));
        /* values are escaped so that each is one line (common/text_escape.h) */
        static const char escaped[] = "exe=/a\\tb\\\\c\\nd\nnext=1\n";
        s = keyval_dup(escaped, sizeof(escaped) - 1, "exe");
        assert_string_equal(s, "/a\tb\\c\nd");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_get),
                cmocka_unit_test(test_dup),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
