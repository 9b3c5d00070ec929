/*
 * hash [MIB]: how fast chunks.hash is computed, beside xxHash's XXH3 over
 * the same blocks in the same run, for block sizes from 16 bytes to 1 MiB
 * and for a mix shaped like a glibc heap (most blocks small, a few large).
 * Each row hashes about MIB MiB (default 256) of random bytes, cycling over
 * a 4 MiB buffer (in L3, as the reach pass leaves a block right after its
 * scan), and prints the best of 5 runs:
 *
 *   size    blocks   chunk_hash GB/s ns/block   xxh3_piecewise GB/s ns/block   XXH3_64bits GB/s ns/block
 *
 * chunk_hash is what analyze stores; XXH3_64bits hashes a block whole (no
 * pieces, so no sparse == dense property): what the piecewise scheme costs.
 * xxh3_piecewise is the XXH3-based scheme proposed to replace chunk_hash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>

#include <xxh_x86dispatch.h>
#include <xxhash.h>

#include "analyze/chunk_hash.h"

#define BUF_BYTES (4u << 20)
#define RUNS 5
#define MIX_BLOCKS 4096

static double now_s(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* splitmix64: a fixed sequence, so every run hashes the same bytes and sizes. */
static uint64_t next_rand(uint64_t *s)
{
        uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

static bool all_zero(const uint8_t *p, size_t n)
{
        for (size_t i = 0; i + 8 <= n; i += 8) {
                uint64_t v;
                memcpy(&v, p + i, 8);
                if (v)
                        return false;
        }
        for (size_t i = n & ~(size_t)7; i < n; i++)
                if (p[i])
                        return false;
        return true;
}

typedef uint64_t seeded_fn(const void *bytes, size_t len, uint64_t seed);

static uint64_t piecewise(const void *bytes, size_t len, seeded_fn *xxh)
{
        const uint8_t *p = bytes;
        if (len <= CHUNK_HASH_PIECE) {
                uint64_t h = xxh(p, len, 0);
                return h ? h : 1;
        }
        uint64_t sum = 0;
        for (size_t k = 0; k * CHUNK_HASH_PIECE < len; k++) {
                size_t n = len - k * CHUNK_HASH_PIECE < CHUNK_HASH_PIECE ? len - k * CHUNK_HASH_PIECE : CHUNK_HASH_PIECE;
                const uint8_t *q = p + k * CHUNK_HASH_PIECE;
                if (!all_zero(q, n))
                        sum += xxh(q, n, k);
        }
        uint64_t h = XXH3_64bits_withSeed(&sum, sizeof(sum), len);
        return h ? h : 1;
}

static uint64_t xxh3_piecewise(const void *bytes, size_t len) { return piecewise(bytes, len, XXH3_64bits_withSeed); }
static uint64_t xxh3_piecewise_dispatch(const void *bytes, size_t len) { return piecewise(bytes, len, XXH3_64bits_withSeed_dispatch); }

typedef uint64_t hash_fn(const void *bytes, size_t len);

static uint64_t xxh3_whole(const void *bytes, size_t len) { return XXH3_64bits(bytes, len); }
static uint64_t xxh3_whole_dispatch(const void *bytes, size_t len) { return XXH3_64bits_dispatch(bytes, len); }

struct job {
        const uint8_t *buf;
        const uint32_t *sizes; /* block sizes, cycled */
        size_t nsizes;
        size_t nblocks;        /* blocks hashed per run */
};

/* Best seconds of RUNS for hashing the job's blocks with fn; *bytes gets the bytes hashed per run. */
static double time_fn(const struct job *j, hash_fn *fn, uint64_t *bytes, uint64_t *sink)
{
        double best = 1e30;
        for (int r = 0; r < RUNS; r++) {
                size_t off = 0;
                uint64_t total = 0, acc = 0;
                double t0 = now_s();
                for (size_t b = 0; b < j->nblocks; b++) {
                        size_t len = j->sizes[b % j->nsizes];
                        if (off + len > BUF_BYTES)
                                off = 0;
                        acc += fn(j->buf + off, len);
                        off += (len + 63) & ~(size_t)63;
                        total += len;
                }
                double t = now_s() - t0;
                best = t < best ? t : best;
                *bytes = total;
                *sink += acc;
        }
        return best;
}

static void row(const char *label, const struct job *j, uint64_t *sink)
{
        static const struct {
                const char *name;
                hash_fn *fn;
        } fns[] = {
                { "chunk_hash", chunk_hash },
                { "xxh3_piecewise", xxh3_piecewise },
                { "xxh3_pw_disp", xxh3_piecewise_dispatch },
                { "XXH3_64bits", xxh3_whole },
                { "XXH3_disp", xxh3_whole_dispatch },
        };
        printf("%-8s %9zu", label, j->nblocks);
        for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
                uint64_t bytes = 0;
                double t = time_fn(j, fns[f].fn, &bytes, sink);
                printf("  %s %5.2f GB/s %7.1f ns", fns[f].name, bytes / t / 1e9, t * 1e9 / j->nblocks);
        }
        printf("\n");
}

int main(int argc, char **argv)
{
        double mib = argc > 1 ? atof(argv[1]) : 256;
        uint64_t seed = 42, sink = 0;

        if (mib <= 0) {
                fprintf(stderr, "usage: hash [MIB]\n");
                return 2;
        }
        uint8_t *buf = malloc(BUF_BYTES);
        uint32_t *mix = malloc(MIX_BLOCKS * sizeof(*mix));
        if (!buf || !mix) {
                fprintf(stderr, "hash: out of memory\n");
                return 1;
        }
        for (size_t i = 0; i < BUF_BYTES; i += 8) {
                uint64_t v = next_rand(&seed);
                memcpy(buf + i, &v, 8);
        }

        printf("each row: best of %d runs over %.0f MiB of random bytes\n", RUNS, mib);
        static const uint32_t sizes[] = { 16, 24, 48, 64, 128, 256, 512, 1024, 4096, 4104, 16384, 65536, 1u << 20 };
        for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
                struct job j = { buf, &sizes[s], 1, (size_t)(mib * (1 << 20) / sizes[s]) };
                char label[16];
                snprintf(label, sizeof(label), "%u", sizes[s]);
                row(label, &j, &sink);
        }

        /*
         * A heap-like mix: glibc chunk sizes (multiples of 16, usable = size - 8),
         * 70% in 24..256 bytes, 25% up to 4 KiB, 5% up to 1 MiB, log-uniform in each band.
         */
        uint64_t mix_bytes = 0;
        for (size_t i = 0; i < MIX_BLOCKS; i++) {
                uint64_t r = next_rand(&seed) % 100, lo = 24, hi = 256;
                if (r >= 70)
                        lo = 256, hi = r >= 95 ? 1u << 20 : 4096;
                double u = (double)(next_rand(&seed) >> 11) / (double)(1ull << 53);
                uint64_t sz = (uint64_t)((double)lo * pow((double)hi / lo, u));
                mix[i] = (uint32_t)(((sz + 8 + 15) & ~15ull) - 8);
                mix_bytes += mix[i];
        }
        struct job j = { buf, mix, MIX_BLOCKS, (size_t)(mib * (1 << 20) / ((double)mix_bytes / MIX_BLOCKS)) };
        row("mix", &j, &sink);
        fprintf(stderr, "(checksum %llx)\n", (unsigned long long)sink);
        free(buf);
        free(mix);
        return 0;
}
