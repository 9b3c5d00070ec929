/* Unit tests for common/units.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/units.h"

static void test_format(void **state)
{
        (void)state;
        char b[UNITS_BUF_MAX];
        assert_string_equal(units_format_bytes(b, 0), "0 B");
        assert_string_equal(units_format_bytes(b, 1023), "1023 B");
        assert_string_equal(units_format_bytes(b, 1024), "1.00 KiB");
        assert_string_equal(units_format_bytes(b, 4u << 20), "4.00 MiB");
        assert_string_equal(units_format_bytes(b, 300ull << 20), "300 MiB");
        assert_string_equal(units_format_bytes(b, UINT64_MAX), "16.0 EiB");
}

static void test_parse(void **state)
{
        (void)state;
        uint64_t v;
        assert_int_equal(units_parse_bytes("4096", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(units_parse_bytes("256M", &v), 0);
        assert_int_equal(v, 256ull << 20);
        assert_int_equal(units_parse_bytes("1GiB", &v), 0);
        assert_int_equal(v, 1ull << 30);
        assert_int_equal(units_parse_bytes("2kb", &v), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(units_parse_bytes("0x1000", &v), 0);
        assert_int_equal(v, 4096);
        assert_int_equal(units_parse_bytes("12B", &v), 0);
        assert_int_equal(v, 12);
        assert_int_equal(units_parse_bytes("", &v), -EINVAL);
        assert_int_equal(units_parse_bytes("-1", &v), -EINVAL);
        assert_int_equal(units_parse_bytes("5X", &v), -EINVAL);
        assert_int_equal(units_parse_bytes("5Mx", &v), -EINVAL);
        assert_int_equal(units_parse_bytes("99999999999T", &v), -ERANGE);
        assert_int_equal(units_parse_u64("0x7f0000000000", &v), 0);
        assert_int_equal(v, 0x7f0000000000ull);
        assert_int_equal(units_parse_u64("12k", &v), -EINVAL);
        /* A leading zero is not octal: people write "010" meaning ten. */
        assert_int_equal(units_parse_u64("010", &v), 0);
        assert_int_equal(v, 10);
        assert_int_equal(units_parse_bytes("010M", &v), 0);
        assert_int_equal(v, 10ull << 20);
        assert_int_equal(units_parse_u64("08", &v), 0);
        assert_int_equal(v, 8);
}

static void test_duration(void **state)
{
        (void)state;
        uint64_t ms = 0;
        assert_int_equal(units_parse_duration_ms("10m", &ms), 0);
        assert_int_equal(ms, 600000);
        assert_int_equal(units_parse_duration_ms("500ms", &ms), 0);
        assert_int_equal(ms, 500);
        assert_int_equal(units_parse_duration_ms("30", &ms), 0);
        assert_int_equal(ms, 30000);
        assert_int_equal(units_parse_duration_ms("2h", &ms), 0);
        assert_int_equal(ms, 7200000);
        assert_int_equal(units_parse_duration_ms("1d", &ms), 0);
        assert_int_equal(ms, 86400000);
        assert_int_equal(units_parse_duration_ms("10x", &ms), -EINVAL);
        assert_int_equal(units_parse_duration_ms("m", &ms), -EINVAL);
        assert_int_equal(units_parse_duration_ms("-1s", &ms), -EINVAL);
        assert_int_equal(units_parse_duration_ms("0x10s", &ms), -EINVAL);
        assert_int_equal(units_parse_duration_ms("", &ms), -EINVAL);
        assert_int_equal(units_parse_duration_ms("18446744073709551615d", &ms), -ERANGE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_duration),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
