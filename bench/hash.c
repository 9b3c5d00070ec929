/*
 * hash [MIB]: how fast chunks.hash is computed, beside xxHash's XXH3 over
 * the same blocks in the same run, for block sizes from 16 bytes to 1 MiB
 * and for a mix shaped like a glibc heap (most blocks small, a few large).
 * Each row hashes about MIB MiB (default 256) of random bytes, cycling over
 * a 4 MiB buffer (in L3, as the reach pass leaves a block right after its
 * scan), and prints the best of 5 runs:
 *
 *   size    blocks  chunk_hash GB/s ns/block  XXH3_64bits GB/s ns/block
 *
 * chunk_hash is what analyze stores (XXH3 by 4 KiB pieces past 4 KiB);
 * XXH3_64bits hashes a block whole (no pieces, so no sparse == dense
 * property): the difference is what the piecewise scheme costs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xxhash.h>

#include "analyze/reach/chunk_hash.h"

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

typedef uint64_t hash_fn(const void *bytes, size_t len);

static uint64_t xxh3_whole(const void *bytes, size_t len) { return XXH3_64bits(bytes, len); }

struct job {
        const uint8_t *buf;
        const uint32_t *sizes; /* block sizes, cycled */
        size_t nsizes;
        size_t nblocks;        /* blocks hashed per run */
};

/* Seconds to hash the job's blocks once with fn; *bytes gets the bytes hashed. */
static double time_once(const struct job *j, hash_fn *fn, uint64_t *bytes, uint64_t *sink)
{
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
        *bytes = total;
        *sink += acc;
        return t;
}

static const struct {
        const char *name;
        hash_fn *fn;
} fns[] = {
        { "chunk_hash", chunk_hash },
        { "XXH3_64bits", xxh3_whole },
};
#define NFNS (sizeof(fns) / sizeof(fns[0]))

/* The functions take turns run by run, so a load that comes and goes weighs on each alike. */
static void row(const char *label, const struct job *j, uint64_t *sink)
{
        double best[NFNS];
        uint64_t bytes = 0;

        for (size_t f = 0; f < NFNS; f++)
                best[f] = 1e30;
        for (int r = 0; r < RUNS; r++)
                for (size_t f = 0; f < NFNS; f++) {
                        double t = time_once(j, fns[f].fn, &bytes, sink);
                        best[f] = t < best[f] ? t : best[f];
                }
        printf("%-8s %9zu", label, j->nblocks);
        for (size_t f = 0; f < NFNS; f++)
                printf("  %s %5.2f GB/s %8.1f ns", fns[f].name, bytes / best[f] / 1e9, best[f] * 1e9 / j->nblocks);
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
