/*
 * Implementation of chunk_hash.h.  Two independent multiply-fold lanes eat
 * 32 bytes a round, so the 64x64->128-bit multiplies of one lane overlap
 * with the other's; a block is hashed at close to memory speed right after
 * the scan has pulled it into the cache.  Blocks are multiples of 8 bytes
 * (glibc chunk sizes are multiples of 16), but any length works.
 */
#include "chunk_hash.h"

#include <string.h>

#include "common/cleanup.h"
#include "core.h"

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

/* The hash of up to one piece. */
static uint64_t piece_hash(const void *bytes, size_t len)
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

static bool all_zero(const uint8_t *p, size_t len)
{
        uint64_t acc = 0;
        size_t i = 0;
        for (; i + 8 <= len; i += 8)
                acc |= load64(p + i);
        for (; i < len; i++)
                acc |= p[i];
        return acc == 0;
}

/* What piece number index adds to a long block's sum: nothing for zeros. */
static uint64_t piece_term(const uint8_t *p, size_t len, uint64_t index)
{
        if (all_zero(p, len))
                return 0;
        return fold(piece_hash(p, len) ^ K3, (index + 1) * K0);
}

static uint64_t pieces_finish(uint64_t sum, uint64_t len)
{
        uint64_t h = fold(sum ^ K1, len ^ K2);
        return h ? h : 1;
}

uint64_t chunk_hash(const void *bytes, size_t len)
{
        const uint8_t *p = bytes;
        if (len <= CHUNK_HASH_PIECE)
                return piece_hash(p, len);
        uint64_t sum = 0;
        for (size_t k = 0; k * CHUNK_HASH_PIECE < len; k++)
                sum += piece_term(p + k * CHUNK_HASH_PIECE, MIN((size_t)CHUNK_HASH_PIECE, len - k * CHUNK_HASH_PIECE), k);
        return pieces_finish(sum, len);
}

uint64_t chunk_hash_in_core(const struct core *c, struct core_span *hint, uint64_t mem, uint64_t len)
{
        uint8_t buf[CHUNK_HASH_PIECE];

        const uint8_t *whole = core_ptr_near(c, hint, mem, (size_t)len);
        if (whole)
                return chunk_hash(whole, (size_t)len);
        if (len <= CHUNK_HASH_PIECE)
                return core_read(c, mem, buf, (size_t)len) ? piece_hash(buf, (size_t)len) : 0;

        /* Span by span: the pieces that meet a data run are hashed, those inside zeros add nothing. */
        uint64_t sum = 0, done = 0, end = mem + len;
        for (uint64_t addr = mem; addr < end;) {
                struct core_span sp;
                core_span_at(c, addr, &sp);
                uint64_t to = MIN(end, sp.end);
                if (sp.kind == CORE_SPAN_ABSENT)
                        return 0;
                if (sp.kind == CORE_SPAN_DATA) {
                        uint64_t last = (to - mem + CHUNK_HASH_PIECE - 1) / CHUNK_HASH_PIECE;
                        for (uint64_t k = MAX(done, (addr - mem) / CHUNK_HASH_PIECE); k < last; k++) {
                                uint64_t lo = mem + k * CHUNK_HASH_PIECE, n = MIN((uint64_t)CHUNK_HASH_PIECE, end - lo);
                                const uint8_t *p = lo >= sp.start && lo + n <= sp.end ? sp.bytes + (lo - sp.start) : NULL;
                                if (!p && !core_read(c, lo, buf, (size_t)n))
                                        return 0;
                                sum += piece_term(p ? p : buf, (size_t)n, k);
                        }
                        done = MAX(done, last);
                }
                addr = to;
        }
        return pieces_finish(sum, len);
}
