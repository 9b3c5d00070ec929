/*
 * Unit tests for common/strbuf.c: what it builds is compared with what
 * glibc's snprintf prints for the same pieces, across the growth of the
 * buffer; its failures are forced through realloc, which this test wraps
 * (-Wl,--wrap=realloc in tests/unit/meson.build), and through sizes that
 * overflow size_t.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "common/strbuf.h"

/* realloc calls from now on that succeed before one fails; -1 for none failing. */
static int realloc_fails_after = -1;

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);

void *__wrap_realloc(void *p, size_t size)
{
        if (realloc_fails_after == 0)
                return NULL;
        if (realloc_fails_after > 0)
                realloc_fails_after--;
        return __real_realloc(p, size);
}

static void test_empty(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        size_t len = 99;

        assert_string_equal(strbuf_str(&sb), "");
        assert_false(strbuf_failed(&sb));
        char *text = strbuf_take(&sb, &len);
        assert_non_null(text);
        assert_string_equal(text, "");
        assert_int_equal(len, 0);
        assert_null(sb.buf);
        free(text);
}

/* Thousands of appends of every kind, each checked against the same text printed by snprintf. */
static void test_growth(void **state)
{
        (void)state;
        enum { ROUNDS = 5000 };
        static char want[ROUNDS * 40];
        size_t n = 0;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        for (int i = 0; i < ROUNDS; i++) {
                strbuf_addf(&sb, "%d:%x", i, (unsigned)i * 2654435761u);
                n += (size_t)snprintf(want + n, sizeof(want) - n, "%d:%x", i, (unsigned)i * 2654435761u);
                strbuf_addstr(&sb, i % 3 ? "," : ";\n");
                n += (size_t)snprintf(want + n, sizeof(want) - n, "%s", i % 3 ? "," : ";\n");
                strbuf_addch(&sb, (char)('a' + i % 26));
                want[n++] = (char)('a' + i % 26);
                want[n] = '\0';
                assert_int_equal(sb.len, n);
                assert_true(sb.cap > sb.len);
        }
        assert_false(strbuf_failed(&sb));
        assert_string_equal(strbuf_str(&sb), want);
        assert_int_equal(strlen(sb.buf), n);
}

/* strbuf_addf prints in place when it fits: every room left from none to more than enough. */
static void test_format_at_every_room(void **state)
{
        (void)state;
        char want[256], piece[64];
        int plen = snprintf(piece, sizeof(piece), "[%5d|%-4s|%#x|%.2f|%c]", -42, "ab", 255u, 3.14159, 'z');

        for (size_t before = 0; before < 80; before++) {
                _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
                memset(want, 'x', before);
                strbuf_add(&sb, want, before);
                strbuf_addf(&sb, "[%5d|%-4s|%#x|%.2f|%c]", -42, "ab", 255u, 3.14159, 'z');
                snprintf(want + before, sizeof(want) - before, "%s", piece);
                assert_int_equal(sb.len, before + (size_t)plen);
                assert_string_equal(sb.buf, want);
        }
}

/* A value longer than anything allocated so far, and one added to a buffer that is then emptied. */
static void test_format_long(void **state)
{
        (void)state;
        char big[5000];
        memset(big, 'q', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        strbuf_addf(&sb, "<%s>%zu", big, sizeof(big));
        assert_int_equal(sb.len, sizeof(big) - 1 + 2 + 4);
        assert_memory_equal(sb.buf + 1, big, sizeof(big) - 1);
        assert_string_equal(sb.buf + sizeof(big), ">5000");

        char *kept = sb.buf;
        size_t cap = sb.cap;
        strbuf_reset(&sb);
        assert_string_equal(strbuf_str(&sb), "");
        assert_ptr_equal(sb.buf, kept);
        strbuf_addf(&sb, "%s", "again");
        assert_string_equal(sb.buf, "again");
        assert_int_equal(sb.cap, cap);
}

/* strbuf_add keeps NUL bytes; the text stays NUL-terminated after them. */
static void test_embedded_nul(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        size_t len = 0;

        strbuf_add(&sb, "a\0b", 3);
        strbuf_addch(&sb, '\0');
        strbuf_addstr(&sb, "c");
        strbuf_add(&sb, NULL, 0);
        char *text = strbuf_take(&sb, &len);
        assert_non_null(text);
        assert_int_equal(len, 5);
        assert_memory_equal(text, "a\0b\0c", 6);
        assert_string_equal(text, "a");
        free(text);
}

/* A size that overflows size_t fails the buffer without allocating; later additions do nothing. */
static void test_fail_size(void **state)
{
        (void)state;
        struct strbuf sb = STRBUF_INIT;
        size_t len = 7;

        strbuf_addstr(&sb, "ab");
        strbuf_add(&sb, "x", SIZE_MAX);
        assert_true(strbuf_failed(&sb));
        strbuf_addstr(&sb, "cd");
        strbuf_addf(&sb, "%d", 1);
        strbuf_addch(&sb, 'e');
        assert_int_equal(sb.len, 2);
        assert_null(strbuf_take(&sb, &len));
        assert_int_equal(len, 7);
        /* taking freed it and left it empty, ready for use */
        assert_null(sb.buf);
        assert_false(strbuf_failed(&sb));
        strbuf_addstr(&sb, "new");
        char *text = strbuf_take(&sb, NULL);
        assert_string_equal(text, "new");
        free(text);
}

/* realloc failing at each kind of addition: the failure sticks until reset, and take gives NULL. */
static void test_fail_alloc(void **state)
{
        (void)state;
        char big[100];
        memset(big, 'y', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';

        struct strbuf sb = STRBUF_INIT;
        realloc_fails_after = 0;
        strbuf_addch(&sb, 'a');
        realloc_fails_after = -1;
        assert_true(strbuf_failed(&sb));
        assert_null(strbuf_take(&sb, NULL));

        /* the first allocation holds 16 bytes: the second addition must grow it */
        strbuf_addstr(&sb, "0123456789");
        realloc_fails_after = 0;
        strbuf_addf(&sb, "%s", big);
        realloc_fails_after = -1;
        assert_true(strbuf_failed(&sb));
        assert_string_equal(strbuf_str(&sb), "0123456789");
        strbuf_addstr(&sb, "z");
        assert_int_equal(sb.len, 10);
        strbuf_reset(&sb);
        assert_false(strbuf_failed(&sb));
        strbuf_addf(&sb, "%s", big);
        assert_string_equal(strbuf_str(&sb), big);
        strbuf_free(&sb);

        /* nothing added, and the "" strbuf_take allocates cannot be */
        realloc_fails_after = 0;
        assert_null(strbuf_take(&sb, NULL));
        realloc_fails_after = -1;
}

/* vsnprintf's own failure (a wide character the C locale cannot write) fails the buffer. */
static void test_fail_format(void **state)
{
        (void)state;
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;
        const wchar_t wide[] = { 0x263a, 0 };

        strbuf_addstr(&sb, "kept");
        strbuf_addf(&sb, "%ls", wide);
        assert_true(strbuf_failed(&sb));
        assert_string_equal(strbuf_str(&sb), "kept");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_growth),
                cmocka_unit_test(test_format_at_every_room),
                cmocka_unit_test(test_format_long),
                cmocka_unit_test(test_embedded_nul),
                cmocka_unit_test(test_fail_size),
                cmocka_unit_test(test_fail_alloc),
                cmocka_unit_test(test_fail_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
