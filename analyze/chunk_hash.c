/*
 * Implementation of chunk_hash.h.  Two independent multiply-fold lanes eat
 * 32 bytes a round, so the 64x64->128-bit multiplies of one lane overlap
 * with the other's; a block is hashed at close to memory speed right after
 * the scan has pulled it into the cache.  Blocks are multiples of 8 bytes
 * (glibc chunk sizes are multiples of 16), but any length works.
 */
#include "chunk_hash.h"

#include <string.h>

/* Odd constants with well-mixed bits: the 64-bit golden ratio and two primes. */
#define K0 0x9e3779b97f4a7c15ull
#define K1 0xd6e8feb86659fd93ull
#define K2 0xa0761d6478bd642full
#define K3 0xe7037ed1a0b428dbull

static inline uint64_t fold(uint64_t a, uint64_t b)
{
        unsigned __int128 m = (unsigned __int128)a * b;
        return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static inline uint64_t load64(const uint8_t *p)
{
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

uint64_t chunk_hash(const void *bytes, size_t len)
{
        const uint8_t *p = bytes;
        uint64_t a = K0 ^ len, b = K1 + len;
        size_t i = 0;

        for (; i + 32 <= len; i += 32) {
                a = fold(load64(p + i) ^ K2, load64(p + i + 8) ^ a);
                b = fold(load64(p + i + 16) ^ K3, load64(p + i + 24) ^ b);
        }
        for (; i + 8 <= len; i += 8)
                a = fold(load64(p + i) ^ K2, a ^ K1);
        if (i < len) {
                uint64_t tail = 0;
                memcpy(&tail, p + i, len - i);
                b = fold(tail ^ K3, b ^ K0);
        }
        uint64_t h = fold(a ^ K1, b ^ K2) ^ len;
        return h ? h : 1;
}
