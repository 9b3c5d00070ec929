/* Unit tests for analyze/reach/type_hint.c: the text rule, and the string hint through type_hint(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/reach/type_hint.h"

static bool text(const char *s, size_t len)
{
        return type_hint_is_text((const uint8_t *)s, len);
}

static void test_text_rule(void **state)
{
        (void)state;
        assert_true(text("request #1\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));
        assert_true(text("GET /index.html HTTP/1.1\r\n\0", 27));
        assert_true(text("caf\xc3\xa9 cr\xc3\xa8me\0", 16));          /* UTF-8 */
        assert_true(text("abcd\0garbage\x01\x02", 16));               /* what follows the NUL is not text's business */
        assert_false(text("abc\0", 4));                                /* too short */
        assert_false(text("abcdefgh", 8));                             /* no NUL inside the block */
        assert_false(text("ab\x01" "cdef\0", 8));                      /* control character */
        assert_false(text("\xc0\xa2UUUU\0\0", 8));                     /* not UTF-8: a pointer's low bytes */
        assert_false(text("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\0", 10)); /* valid, but not mostly ASCII */
        assert_false(text("\0\0\0\0\0\0\0\0", 8));
}

/* type_hint() adds "string" once, and refuses text whose first word is a mapped address. */
static void test_string_hint(void **state)
{
        (void)state;
        struct analysis a = { 0 };
        struct core_segment seg = { .vaddr = 0x555555554000ull, .memsz = 0x1000 };
        a.core.segs = &seg;
        a.core.nsegs = 1;
        struct type_hints th;
        assert_int_equal(type_hints_init(&th, &a, &a.reach), 0);

        uint8_t block[40] = "hello, world";
        assert_int_equal(type_hint(&th, block, sizeof(block)), 0);
        assert_int_equal(type_hint(&th, block, sizeof(block)), 0);
        assert_int_equal(a.reach.ntypes, 1);
        assert_string_equal(a.reach.types[0], "string");

        /* "`BUUUU" + NUL NUL: 0x555555554260, a heap pointer that reads as text. */
        uint64_t ptr = 0x555555554260ull;
        memset(block, 0, sizeof(block));
        memcpy(block, &ptr, sizeof(ptr));
        assert_true(type_hint_is_text(block, sizeof(block)));
        assert_int_equal(type_hint(&th, block, sizeof(block)), NO_ID);

        assert_int_equal(type_hint(&th, (const uint8_t *)"abcdefg", 7), NO_ID); /* shorter than a word */
        type_hints_free(&th);
        free(a.reach.types[0]);
        free(a.reach.types);
}

/* Class names are interned once each, however many there are (a crafted module may name a million). */
static void test_intern_many(void **state)
{
        (void)state;
        struct analysis a = { 0 };
        struct type_hints th;
        char name[32];
        const int n = 200000;
        assert_int_equal(type_hints_init(&th, &a, &a.reach), 0);
        for (int round = 0; round < 2; round++)
                for (int i = 0; i < n; i++) {
                        snprintf(name, sizeof(name), "ns::Class%d", i);
                        assert_int_equal(type_hint_intern(&th, name), i);
                }
        assert_int_equal(a.reach.ntypes, n);
        assert_string_equal(a.reach.types[n - 1], "ns::Class199999");
        type_hints_free(&th);
        for (size_t i = 0; i < a.reach.ntypes; i++)
                free(a.reach.types[i]);
        free(a.reach.types);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_rule),
                cmocka_unit_test(test_string_hint),
                cmocka_unit_test(test_intern_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
