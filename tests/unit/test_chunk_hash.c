/*
 * Unit tests for analyze/reach/chunk_hash.c: equal bytes hash equal, a change
 * anywhere shows, and the value is the one docs/database.md defines from
 * xxHash's XXH3 (so a reader can recompute it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <xxhash.h>

#include "analyze/reach/chunk_hash.h"

static void test_equal_and_nonzero(void **state)
{
        (void)state;
        uint8_t a[200], b[200];
        for (size_t i = 0; i < sizeof(a); i++)
                a[i] = b[i] = (uint8_t)(i * 7);
        for (size_t len = 0; len <= sizeof(a); len++) {
                assert_int_equal(chunk_hash(a, len), chunk_hash(b, len));
                assert_int_not_equal(chunk_hash(a, len), 0);
        }
        /* Length counts: zeros of different lengths differ. */
        uint8_t z[64] = { 0 };
        assert_int_not_equal(chunk_hash(z, 24), chunk_hash(z, 40));
}

/* Flipping any single bit of blocks up to 1 KiB changes the hash. */
static void test_every_bit_counts(void **state)
{
        (void)state;
        size_t lens[] = { 8, 24, 40, 56, 104, 1000, 1024 };
        uint8_t *buf = calloc(1, 1024);
        for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
                size_t len = lens[l];
                uint64_t base = chunk_hash(buf, len);
                for (size_t bit = 0; bit < len * 8; bit++) {
                        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                        if (chunk_hash(buf, len) == base)
                                fail_msg("length %zu: flipping bit %zu leaves the hash", len, bit);
                        buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
        }
        free(buf);
}

/* Swapping two words (a list node's next and prev) changes the hash. */
static void test_order_counts(void **state)
{
        (void)state;
        uint64_t a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 2, 1, 3, 4, 5, 6 }, c[6] = { 1, 2, 3, 4, 6, 5 };
        assert_int_not_equal(chunk_hash(a, sizeof(a)), chunk_hash(b, sizeof(b)));
        assert_int_not_equal(chunk_hash(a, sizeof(a)), chunk_hash(c, sizeof(c)));
}

/* Blocks longer than a piece: any bit counts, so does where a piece lies, and so does the length. */
static void test_long_blocks(void **state)
{
        (void)state;
        size_t len = 5 * CHUNK_HASH_PIECE + 40;
        uint8_t *buf = calloc(1, len), *swapped = calloc(1, len);
        for (size_t i = 0; i < CHUNK_HASH_PIECE; i++)
                buf[i] = (uint8_t)(i * 13 + 1);
        uint64_t base = chunk_hash(buf, len);
        assert_int_not_equal(base, 0);
        for (size_t bit = 0; bit < len * 8; bit += 61) {
                buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                if (chunk_hash(buf, len) == base)
                        fail_msg("flipping bit %zu of %zu bytes leaves the hash", bit, len);
                buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* The same piece one place further on. */
        memcpy(swapped + CHUNK_HASH_PIECE, buf, CHUNK_HASH_PIECE);
        assert_int_not_equal(chunk_hash(swapped, len), base);
        /* All zeros, at two lengths past a piece, and at a piece exactly. */
        memset(buf, 0, len);
        assert_int_not_equal(chunk_hash(buf, len), chunk_hash(buf, len - 8));
        assert_int_not_equal(chunk_hash(buf, len), 0);
        assert_int_not_equal(chunk_hash(buf, CHUNK_HASH_PIECE), chunk_hash(buf, CHUNK_HASH_PIECE + 8));
        free(buf);
        free(swapped);
}

/* As docs/database.md defines chunks.hash, spelled with xxHash's calls. */
static void test_xxh3_definition(void **state)
{
        (void)state;
        enum { LEN = 3 * CHUNK_HASH_PIECE + 40 };
        uint8_t *buf = calloc(1, LEN);
        assert_non_null(buf);
        for (size_t i = 0; i < CHUNK_HASH_PIECE; i++)
                buf[i] = (uint8_t)(i * 13 + 1);
        buf[3 * CHUNK_HASH_PIECE + 5] = 0x5a;

        for (size_t len = 0; len <= CHUNK_HASH_PIECE; len += 8) {
                uint64_t want = XXH3_64bits(buf, len);
                assert_int_equal(chunk_hash(buf, len), want ? want : 1);
        }
        /* Pieces 0 and 3 hold bytes; 1 and 2 are zeros and add nothing. */
        uint64_t sum = XXH3_64bits_withSeed(buf, CHUNK_HASH_PIECE, 0) +
                       XXH3_64bits_withSeed(buf + 3 * CHUNK_HASH_PIECE, 40, 3);
        uint64_t want = XXH3_64bits_withSeed(&sum, sizeof(sum), LEN);
        assert_int_equal(chunk_hash(buf, LEN), want ? want : 1);
        free(buf);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_equal_and_nonzero),
                cmocka_unit_test(test_every_bit_counts),
                cmocka_unit_test(test_order_counts),
                cmocka_unit_test(test_long_blocks),
                cmocka_unit_test(test_xxh3_definition),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
