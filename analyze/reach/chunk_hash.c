/*
 * Implementation of chunk_hash.h on xxHash's XXH3 (xxhash.com; its quality
 * is measured by SMHasher, its speed in bench/hash).  A block of up to one
 * piece is XXH3_64bits of its bytes.  A longer block sums, over its pieces
 * that are not all zeros, XXH3 of the piece seeded with the piece's index
 * (so equal pieces at different places add different terms), and hashes
 * that sum seeded with the block's length (so blocks of zeros of different
 * lengths differ).
 */
#include "chunk_hash.h"

#include <stdbool.h>
#include <string.h>
#include <xxhash.h>

#include "common/cleanup.h"
#include "analyze/core/core.h"

/* The database keeps 0 (NULL) for "not computed". */
static uint64_t nonzero(uint64_t h)
{
        return h ? h : 1;
}

/* Stops at the first nonzero word: a piece holding data is usually told by its first. */
static bool all_zero(const uint8_t *p, size_t len)
{
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
                uint64_t v;
                memcpy(&v, p + i, sizeof(v));
                if (v)
                        return false;
        }
        for (; i < len; i++)
                if (p[i])
                        return false;
        return true;
}

/* What piece number index adds to a long block's sum: nothing for zeros. */
static uint64_t piece_term(const uint8_t *p, size_t len, uint64_t index)
{
        return all_zero(p, len) ? 0 : XXH3_64bits_withSeed(p, len, index);
}

static uint64_t pieces_finish(uint64_t sum, uint64_t len)
{
        return nonzero(XXH3_64bits_withSeed(&sum, sizeof(sum), len));
}

uint64_t chunk_hash(const void *bytes, size_t len)
{
        const uint8_t *p = bytes;
        if (len <= CHUNK_HASH_PIECE)
                return nonzero(XXH3_64bits(p, len));
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
                return core_read(c, mem, buf, (size_t)len) ? nonzero(XXH3_64bits(buf, (size_t)len)) : 0;

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
