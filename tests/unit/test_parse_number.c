/* Unit tests for common/parse_number.c: digits only, bounded, the cursor moved only on success. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/parse_number.h"

static void test_hex(void **state)
{
        (void)state;
        const char *s = "7f1A-x", *p = s;
        uint64_t v;
        assert_true(parse_number_hex_u64(&p, s + strlen(s), &v));
        assert_int_equal(v, 0x7f1a);
        assert_ptr_equal(p, s + 4);
        assert_false(parse_number_hex_u64(&p, s + strlen(s), &v)); /* '-' */
        assert_ptr_equal(p, s + 4);

        const char *max = "ffffffffffffffff", *big = "10000000000000000";
        p = max;
        assert_true(parse_number_hex_u64(&p, max + 16, &v));
        assert_true(v == UINT64_MAX);
        p = big;
        assert_false(parse_number_hex_u64(&p, big + 17, &v)); /* 17 digits */
        assert_ptr_equal(p, big);
        p = "abc";
        assert_true(parse_number_hex_u64(&p, p + 2, &v)); /* end bounds it, not the NUL */
        assert_int_equal(v, 0xab);
        p = "";
        assert_false(parse_number_hex_u64(&p, p, &v));
}

static void test_dec(void **state)
{
        (void)state;
        const char *s = "4242\tx", *p = s;
        uint64_t v;
        assert_true(parse_number_dec_u64(&p, s + strlen(s), &v));
        assert_int_equal(v, 4242);
        assert_ptr_equal(p, s + 4);
        p = "-1";
        assert_false(parse_number_dec_u64(&p, p + 2, &v));
        p = "a1";
        assert_false(parse_number_dec_u64(&p, p + 2, &v));
        const char *nineteen = "9999999999999999999", *twenty = "10000000000000000000";
        p = nineteen;
        assert_true(parse_number_dec_u64(&p, nineteen + 19, &v));
        assert_true(v == 9999999999999999999ull);
        p = twenty;
        assert_false(parse_number_dec_u64(&p, twenty + 20, &v));
        assert_ptr_equal(p, twenty);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hex),
                cmocka_unit_test(test_dec),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
