/* Unit tests for common/text_escape.c, common/array.c and common/io.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/array.h"
#include "common/io.h"
#include "common/text_escape.h"

static char *escaped(const char *s, size_t len)
{
        struct strbuf sb = STRBUF_INIT;
        text_escape_add(&sb, s, len);
        return strbuf_take(&sb, NULL);
}

/* text_escape_terminal: what each byte becomes, by the rules of text_escape.h and RFC 3629. */
static void test_terminal(void **state)
{
        (void)state;
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain /usr/lib/x.so", "plain /usr/lib/x.so" },
                { "\x1b]0;PWN\x07\x1b[5m", "\\x1b]0;PWN\\x07\\x1b[5m" },
                { "a\nb\tc\r", "a\\x0ab\\x09c\\x0d" },
                { "del\x7f", "del\\x7f" },
                { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
                { "\xff\xfe", "\\xff\\xfe" },
                { "csi\xc2\x9b", "csi\\xc2\\x9b" },                     /* U+009B, a C1 control */
                { "\xc0\xaf", "\\xc0\\xaf" },                           /* overlong '/' */
                { "\xed\xa0\x80", "\\xed\\xa0\\x80" },                 /* a surrogate */
                { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },       /* past U+10FFFF */
                { "cut\xe2\x82", "cut\\xe2\\x82" },                      /* a sequence cut short */
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char out[128];
                size_t n = text_escape_terminal(out, sizeof(out), cases[i].in, strlen(cases[i].in));
                assert_string_equal(out, cases[i].out);
                assert_int_equal(n, strlen(cases[i].out));
        }
        /* Too small a buffer: cut before an escape or a character, never inside one. */
        char small[8];
        text_escape_terminal(small, sizeof(small), "ab\x1b\x1b", 4);
        assert_string_equal(small, "ab\\x1b");
        text_escape_terminal(small, sizeof(small), "abcdef\xc3\xa9", 8);
        assert_string_equal(small, "abcdef");
}

static void test_round_trip(void **state)
{
        (void)state;
        static const char *const cases[] = {
                "plain", "tab\there", "new\nline", "back\\slash", "\\n is not a newline", "cr\r", "", "\\", "a\\\\b\t\n",
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *e = escaped(cases[i], strlen(cases[i]));
                assert_null(strchr(e, '\n'));
                assert_null(strchr(e, '\t'));
                char *u = text_escape_undo(e, strlen(e));
                assert_string_equal(u, cases[i]);
                free(u);
                free(e);
        }
        char *e = escaped("a\tb\\c\nd", 7);
        assert_string_equal(e, "a\\tb\\\\c\\nd");
        free(e);
        /* a NUL byte is no escape character: it passes as it is */
        struct strbuf sb = STRBUF_INIT;
        text_escape_add(&sb, "a\0\\", 3);
        assert_int_equal(sb.len, 4);
        assert_memory_equal(sb.buf, "a\0\\\\", 5);
        strbuf_free(&sb);
}

/* Text for a terminal: printable UTF-8 passes, control characters and stray bytes become \xNN. */
static void test_escape_display(void **state)
{
        (void)state;
        static const struct {
                const char *in, *out;
        } cases[] = {
                { "plain", "plain" },
                { "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
                { "\x1b]0;PWN\x07\x1b[5m", "\\x1b]0;PWN\\x07\\x1b[5m" },
                { "a\nb\tc\rd", "a\\nb\\tc\\rd" },
                { "del\x7f", "del\\x7f" },
                { "c1\xc2\x9b", "c1\\xc2\\x9b" },      /* U+009B, CSI to a terminal */
                { "nbsp\xc2\xa0", "nbsp\xc2\xa0" },     /* U+00A0 prints */
                { "latin1 caf\xe9", "latin1 caf\\xe9" },
                { "overlong \xc0\xaf", "overlong \\xc0\\xaf" },
                { "surrogate \xed\xa0\x80", "surrogate \\xed\\xa0\\x80" },
                { "cut \xe2\x82", "cut \\xe2\\x82" },
                { "back\\slash", "back\\slash" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *e = text_escape_display(cases[i].in);
                assert_string_equal(e, cases[i].out);
                free(e);
        }
        char *e = text_escape_display(NULL);
        assert_string_equal(e, "(null)");
        free(e);
        assert_int_equal(text_escape_printable_span("ab|cd", 5, "|"), 2);
        assert_int_equal(text_escape_printable_span("ab\xc2", 3, NULL), 2);
}

static void test_unescape_odd_input(void **state)
{
        (void)state;
        char *u = text_escape_undo("trailing\\", 9);
        assert_string_equal(u, "trailing\\");
        free(u);
        u = text_escape_undo("\\q", 2);
        assert_string_equal(u, "q");
        free(u);
        u = text_escape_undo("nul\0inside", 10);
        assert_memory_equal(u, "nul\0inside", 11);
        free(u);
}

static void test_array_reserve(void **state)
{
        (void)state;
        int *v = NULL;
        size_t cap = 0;
        assert_int_equal(ARRAY_RESERVE(v, cap, 1), 0);
        assert_true(cap >= 1);
        for (int i = 0; i < 1000; i++) {
                assert_int_equal(ARRAY_RESERVE(v, cap, (size_t)i + 1), 0);
                v[i] = i;
        }
        assert_int_equal(v[999], 999);
        size_t before = cap;
        assert_int_equal(ARRAY_RESERVE(v, cap, SIZE_MAX / 2), -ENOMEM);
        assert_int_equal(cap, before);
        assert_int_equal(v[500], 500);
        free(v);
}

static void test_read_full(void **state)
{
        (void)state;
        char path[] = "/tmp/memsnap-io-XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        unlink(path);
        assert_int_equal(write(fd, "0123456789", 10), 10);
        char buf[16];
        assert_int_equal(io_pread_full(fd, buf, 4, 3), 4);
        assert_memory_equal(buf, "3456", 4);
        assert_int_equal(io_pread_full(fd, buf, 16, 8), 2);
        assert_int_equal(io_pread_full(fd, buf, 4, 100), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(io_read_full(fd, buf, 16), 10);
        close(fd);
        assert_int_equal(io_pread_full(-1, buf, 4, 0), -EBADF);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_terminal),
                cmocka_unit_test(test_round_trip),
                cmocka_unit_test(test_escape_display),
                cmocka_unit_test(test_unescape_odd_input),
                cmocka_unit_test(test_array_reserve),
                cmocka_unit_test(test_read_full),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
