/*
 * libFuzzer harness: every analyze stage on a damaged heap.  A real core
 * (MEMSNAP_FUZZ_CORE: a copy the harness may write over, such as a
 * capture of samples/churn) is analyzed once to find where malloc's state
 * lies in the file: the start of every heap segment (chunk headers, the
 * tcache), the arenas' malloc_state and mp_.  Each input is laid over
 * those regions in turn (what it does not cover keeps the core's bytes)
 * and the stages run on the result, modules and threads included (with
 * the files the core names, as a plain `analyze`), up to the heap walk,
 * reachability and the explanations.
 *
 * Seed: with MEMSNAP_FUZZ_SEED_DIR set, the regions' own bytes are written
 * there as "heap.seed" before fuzzing starts, so the first input is the
 * untouched core.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "fuzz_stages.h"
#include "fuzz_work.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes taken from the start of each heap segment: its first chunks, its heap_info and tcache. */
#define HEAP_REGION_MAX (64u << 10)
/* Around a malloc_state or mp_: glibc 2.36's malloc_state is 2200 bytes, malloc_par under 128. */
#define STATE_REGION_MAX 4096
#define REGIONS_MAX 64

struct region {
        uint64_t offset, len;   /* in the core file */
};

static struct {
        const char *path;
        int fd;
        struct region r[REGIONS_MAX];
        size_t n;
        uint8_t *orig;          /* the regions' own bytes, one after another */
        size_t total;
} fz;

/* Adds the file bytes of [addr, addr + len) that the segment holding addr has in the file. */
static void region_add(const struct core *c, uint64_t addr, uint64_t len)
{
        const struct core_segment *s = core_segment_at(c, addr);
        if (!s || fz.n == REGIONS_MAX || addr - s->vaddr >= s->filesz)
                return;
        uint64_t off = s->offset + (addr - s->vaddr);
        if (len > s->filesz - (addr - s->vaddr))
                len = s->filesz - (addr - s->vaddr);
        for (size_t i = 0; i < fz.n; i++)
                if (off < fz.r[i].offset + fz.r[i].len && fz.r[i].offset < off + len)
                        return; /* overlaps one taken: the first keeps it */
        fz.r[fz.n++] = (struct region){ off, len };
}

static int region_cmp(const void *x, const void *y)
{
        const struct region *a = x, *b = y;
        return a->offset < b->offset ? -1 : a->offset > b->offset;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        struct analysis a;

        log_set_level(LOG_LEVEL_ERROR);
        fz.path = getenv("MEMSNAP_FUZZ_CORE");
        if (!fz.path || !fz.path[0])
                fuzz_fail("set MEMSNAP_FUZZ_CORE to a core the harness may write over");
        if (fuzz_stages_run(&a, fz.path, false) < 0)
                fuzz_fail("cannot analyze the seed core '%s'", fz.path);
        for (size_t i = 0; i < a.segments.n; i++)
                if (a.segments.v[i].kind == SEG_HEAP)
                        region_add(&a.core, a.segments.v[i].start, HEAP_REGION_MAX);
        for (size_t i = 0; i < a.heap.narenas; i++)
                region_add(&a.core, a.heap.arenas[i].address, STATE_REGION_MAX);
        if (a.heap.malloc_par.found)
                region_add(&a.core, a.heap.malloc_par.address, STATE_REGION_MAX);
        analysis_free(&a);
        if (fz.n == 0)
                fuzz_fail("the seed core '%s' has no glibc heap in its file", fz.path);
        qsort(fz.r, fz.n, sizeof(fz.r[0]), region_cmp);

        fz.fd = open(fz.path, O_RDWR | O_CLOEXEC);
        if (fz.fd < 0)
                fuzz_fail("cannot open '%s' for writing: %m", fz.path);
        for (size_t i = 0; i < fz.n; i++)
                fz.total += fz.r[i].len;
        fz.orig = malloc(fz.total);
        if (!fz.orig)
                fuzz_fail("out of memory");
        for (size_t i = 0, at = 0; i < fz.n; at += fz.r[i].len, i++)
                if (pread(fz.fd, fz.orig + at, fz.r[i].len, (off_t)fz.r[i].offset) != (ssize_t)fz.r[i].len)
                        fuzz_fail("cannot read '%s': %m", fz.path);

        const char *seeds = getenv("MEMSNAP_FUZZ_SEED_DIR");
        if (seeds && seeds[0]) {
                char seed[4096];
                snprintf(seed, sizeof(seed), "%s/heap.seed", seeds);
                fuzz_write_file(seed, fz.orig, fz.total);
        }
        fprintf(stderr, "fuzz_heap: %zu regions, %zu bytes of '%s'\n", fz.n, fz.total, fz.path);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct analysis a;

        for (size_t i = 0, at = 0; i < fz.n; at += fz.r[i].len, i++) {
                size_t from_input = at < size ? size - at : 0;
                if (from_input > fz.r[i].len)
                        from_input = fz.r[i].len;
                fuzz_pwrite(fz.fd, from_input ? data + at : data, from_input, (off_t)fz.r[i].offset, fz.path);
                fuzz_pwrite(fz.fd, fz.orig + at + from_input, fz.r[i].len - from_input,
                            (off_t)(fz.r[i].offset + from_input), fz.path);
        }
        (void)fuzz_stages_run(&a, fz.path, false);
        analysis_free(&a);
        return 0;
}
