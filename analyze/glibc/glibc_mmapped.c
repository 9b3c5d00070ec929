/*
 * Mmapped chunks: requests above mp_.mmap_threshold get their own anonymous
 * mapping (malloc.c sysmalloc_mmap), and no arena lists them.  They are
 * found by their headers: at a page boundary of an anonymous rw-p mapping
 * outside every arena heap, prev_size 0 (the alignment correction, always
 * 0 on x86-64), flags exactly IS_MMAPPED, a page-multiple size that fits
 * the bytes the core knows of the mapping (a memsnap core leaves a chunk's
 * untouched tail out, as zeros).  The kernel merges adjacent anonymous
 * mappings into one VMA, so after a chunk the scan goes on at its end, and
 * elsewhere page by page, stepping over holes of the core whole: a page of
 * zeros holds no header.
 *
 * A chunk that memalign carved out of an mmapped block keeps the block's
 * stale header at the page and has its own further in, whose prev_size is
 * the lead; such a header at a power-of-two alignment is preferred.
 *
 * The count and bytes are checked against mp_.n_mmaps and mp_.mmapped_mem,
 * which are what mallinfo reports as hblks and hblkhd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "glibc_chunks.h"
#include "glibc_mmapped.h"

struct range {
        uint64_t lo, hi;
};

static int range_cmp(const void *x, const void *y)
{
        const struct range *a = x, *b = y;
        return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Memory that belongs to arenas: never scanned for mmapped chunks. */
static struct range *arena_ranges(const struct heap_ctx *h, size_t *n)
{
        struct range *v = calloc(h->nregions + h->out->nheaps + 1, sizeof(*v));
        if (!v)
                return NULL;
        size_t k = 0;
        for (size_t i = 0; i < h->nregions; i++)
                v[k++] = (struct range){ h->regions[i].start, h->regions[i].end };
        for (size_t i = 0; i < h->out->nheaps; i++)
                v[k++] = (struct range){ h->out->heaps[i].address, h->out->heaps[i].address + h->heap_max };
        qsort_safe(v, k, sizeof(*v), range_cmp);
        *n = k;
        return v;
}

/* The next lead the search below tries at or past off: lead + 16 a power of two up to a page, then a page multiple. */
static uint64_t next_lead(uint64_t off, uint64_t page_size)
{
        uint64_t align = MAX(off + GLIBC_CHUNK_HDR_SZ, (uint64_t)2 * GLIBC_MALLOC_ALIGNMENT);
        if (align <= page_size)
                align = 1ull << (64 - __builtin_clzll(align - 1));
        else
                align = ALIGN_UP(align, page_size);
        return align - GLIBC_CHUNK_HDR_SZ;
}

/* The header of a memalign'ed chunk inside the block whose stale header is at p, or 0. */
static uint64_t aligned_lead(struct heap_ctx *h, uint64_t p, uint64_t size)
{
        /* mem = p + lead + 16 is aligned: lead + 16 is the alignment, or a page multiple beyond a page. */
        for (uint64_t lead = next_lead(0, h->page_size); lead + GLIBC_CHUNK_HDR_SZ < size;) {
                /* Its prev_size is the lead, never 0: no header lies in a hole or a zero tail. */
                uint64_t at = glibc_mem_data_from(&h->mem, p + lead, p + size);
                if (at > p + lead) {
                        if (at >= p + size)
                                break;
                        lead = next_lead(at - p, h->page_size);
                        continue;
                }
                uint64_t head[2];
                if (glibc_mem_u64(&h->mem, p + lead, &head[0]) && head[0] == lead &&
                    glibc_mem_u64(&h->mem, p + lead + 8, &head[1]) && head[1] == ((size - lead) | GLIBC_IS_MMAPPED))
                        return lead;
                lead = next_lead(lead + 1, h->page_size);
        }
        return 0;
}

/* A chunk header at page p that fits in [p, end): its size, else 0. */
static uint64_t chunk_at(struct heap_ctx *h, uint64_t p, uint64_t end)
{
        uint64_t prev_size, field;
        if (!glibc_mem_u64(&h->mem, p, &prev_size) || prev_size != 0 || !glibc_mem_u64(&h->mem, p + 8, &field))
                return 0;
        uint64_t size = field & ~(uint64_t)GLIBC_SIZE_FLAGS;
        if ((field & GLIBC_SIZE_FLAGS) != GLIBC_IS_MMAPPED || size < h->page_size || size % h->page_size ||
            size > end - p)
                return 0;
        return size;
}

static bool scannable(const struct segment *s)
{
        /* sysmalloc_mmap: MAP_PRIVATE | MAP_ANONYMOUS, PROT_READ | PROT_WRITE */
        return !s->path && strcmp(s->perms, "rw-p") == 0;
}

int glibc_mmapped_scan(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        size_t nex = 0;
        _cleanup_free_ struct range *ex = arena_ranges(h, &nex);
        uint64_t count = 0;
        int r;

        if (!ex)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        h->mmapped_bytes = 0;

        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                if (!scannable(s))
                        continue;
                const struct core_segment *cs = core_segment_at(&a->core, s->start);
                if (!cs || cs->known == 0)
                        continue;
                /* Chunks fit the bytes whose values the core knows: a memsnap core's untouched tail is zeros. */
                uint64_t end = MIN(s->end, cs->vaddr + cs->known);
                /* A thread's stack can share a VMA with chunks mapped above it: there a run
                 * of chunks must reach the end of the mapping to count. */
                bool stack = s->kind == SEG_STACK || s->kind == SEG_THREAD_STACK;
                size_t first = h->out->nchunks;
                uint64_t run_bytes = 0;
                size_t e = 0;
                uint64_t p = ALIGN_UP(s->start, h->page_size);

                while (p < end && end - p >= GLIBC_CHUNK_HDR_SZ) {
                        while (e < nex && ex[e].hi <= p)
                                e++;
                        if (e < nex && ex[e].lo <= p) {
                                p = ALIGN_UP(ex[e].hi, h->page_size);
                                continue;
                        }
                        /* A header's size is never 0: none starts in a hole, so holes are stepped over whole. */
                        uint64_t data = glibc_mem_data_from(&h->mem, p, end);
                        if (data > p) {
                                if (stack && h->out->nchunks > first) { /* the run broke: not chunks after all */
                                        h->out->nchunks = first;
                                        run_bytes = 0;
                                }
                                p = ALIGN_UP(data, h->page_size);
                                continue;
                        }
                        uint64_t limit = e < nex ? MIN(end, ex[e].lo) : end;
                        uint64_t size = chunk_at(h, p, limit);
                        if (!size) {
                                if (stack && h->out->nchunks > first) { /* the run broke: not chunks after all */
                                        h->out->nchunks = first;
                                        run_bytes = 0;
                                }
                                p += h->page_size;
                                continue;
                        }
                        uint64_t lead = aligned_lead(h, p, size);
                        if ((r = glibc_chunks_add(h, p + lead, size - lead, NO_ID, CHUNK_USED, true)) < 0)
                                return r;
                        run_bytes += size; /* munmap_chunk releases prev_size (the lead) + size */
                        p += size;
                }
                if (stack && p != end) {
                        h->out->nchunks = first;
                        run_bytes = 0;
                }
                count += h->out->nchunks - first;
                h->mmapped_bytes += run_bytes;
        }

        const struct malloc_par_info *mp = &h->out->malloc_par;
        if (mp->found && ((int64_t)count != mp->n_mmaps || h->mmapped_bytes != mp->mmapped_mem))
                warnings_add(h->w, "heap", mp->address,
                             "found %llu mmapped chunks of %llu bytes, but mp_ counts %lld of %llu bytes (n_mmaps, mmapped_mem)",
                             (unsigned long long)count, (unsigned long long)h->mmapped_bytes, (long long)mp->n_mmaps,
                             (unsigned long long)mp->mmapped_mem);
        return 0;
}
