/*
 * Unit tests for capture/stream_copy.c: every alignment of the destination
 * and every length around a line, and a long copy, land byte for byte and
 * touch nothing around them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/stream_copy.h"

#define GUARD 0xa5

static void fill(uint8_t *p, size_t len, unsigned seed)
{
        for (size_t i = 0; i < len; i++)
                p[i] = (uint8_t)(i * 31 + seed + (i >> 8));
}

static void test_alignments(void **state)
{
        (void)state;
        enum { MAX = 3 * 64 + 7, PAD = 64 };
        uint8_t src[MAX + 64];
        uint8_t dst[PAD + 64 + MAX + PAD] __attribute__((aligned(64)));
        fill(src, sizeof(src), 7);
        for (size_t dalign = 0; dalign < 64; dalign++)
                for (size_t salign = 0; salign < 64; salign += 13)
                        for (size_t len = 0; len <= MAX; len++) {
                                memset(dst, GUARD, sizeof(dst));
                                uint8_t *d = dst + PAD + dalign;
                                stream_copy(d, src + salign, len);
                                stream_copy_fence();
                                if (memcmp(d, src + salign, len) != 0)
                                        fail_msg("dst %% 64 = %zu, src + %zu, %zu bytes: differ", dalign, salign, len);
                                for (uint8_t *g = dst; g < d; g++)
                                        assert_int_equal(*g, GUARD);
                                for (uint8_t *g = d + len; g < dst + sizeof(dst); g++)
                                        assert_int_equal(*g, GUARD);
                        }
}

static void test_long(void **state)
{
        (void)state;
        size_t len = (STREAM_COPY_SLICE * 3) + 4096 + 5;
        uint8_t *src = malloc(len), *dst = malloc(len + 1);
        assert_non_null(src);
        assert_non_null(dst);
        fill(src, len, 3);
        dst[len] = GUARD;
        stream_copy(dst, src, len);
        stream_copy_fence();
        assert_memory_equal(dst, src, len);
        assert_int_equal(dst[len], GUARD);
        free(src);
        free(dst);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alignments),
                cmocka_unit_test(test_long),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
