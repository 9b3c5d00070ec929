/*
 * Which used chunk a word points into: the question the scan asks of every
 * aligned word of every root and every block, so it must be cheap.
 *
 * The used chunks' user areas are kept as sorted arrays of starts and ends.
 * Most words are rejected by one compare against the whole heap's bounds;
 * the rest find their span (a run of chunks with no gap wider than 64 KiB:
 * the main heap, each arena heap, runs of mmapped chunks) by a short binary
 * search, then a slot table sized to the span's chunk count narrows the
 * candidates to one or two chunks, finished by a binary search that is
 * usually a single step.  Nothing is allocated per lookup.
 *
 * One exception to "inside the user area is a pointer into the block": the
 * last 8 bytes of a chunk's area are the next chunk's prev_size field, so
 * the next chunk's header address lies inside.  When the next chunk is free
 * or top, a word holding that address is glibc's own bookkeeping (bins,
 * fastbins, top and last_remainder in malloc_state point at chunk headers),
 * not a program's pointer into the block before it; it is not an edge.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "reach.h"

#define SLOT_SHIFT_MIN 5   /* slots narrower than the smallest chunk buy nothing */
#define SLOT_SHIFT_MAX 40
/* The kernel's HPAGE_PMD_SIZE on x86-64, 1 << PMD_SHIFT (arch/x86/include/asm/pgtable_64_types.h): a THP */
#define HUGE_PAGE (2u << 20)

void *reach_index_alloc_hot(size_t n, size_t size)
{
        if (n && size > SIZE_MAX / n)
                return NULL;
        size_t bytes = n && size ? n * size : 1;
        if (bytes < HUGE_PAGE)
                return malloc(bytes);
        void *p;
        size_t rounded = ALIGN_UP(bytes, (size_t)HUGE_PAGE);
        if (rounded < bytes || posix_memalign(&p, HUGE_PAGE, rounded) != 0)
                return NULL;
        (void)madvise(p, rounded, MADV_HUGEPAGE); /* a hint: without THP it is only slower */
        return p;
}

void reach_index_free(struct reach_index *ix)
{
        free(ix->area);
        free(ix->spans);
        free(ix->slots);
        free(ix->refused);
        *ix = (struct reach_index){ 0 };
}

static unsigned ceil_log2(uint64_t v)
{
        return v <= 1 ? 0 : 64 - (unsigned)__builtin_clzll(v - 1);
}

/* The slot width for a span: about one chunk per slot. */
static unsigned span_shift(uint64_t bytes, size_t chunks)
{
        unsigned s = ceil_log2(bytes / (chunks ? chunks : 1));
        return s < SLOT_SHIFT_MIN ? SLOT_SHIFT_MIN : s > SLOT_SHIFT_MAX ? SLOT_SHIFT_MAX : s;
}

static int build_spans(struct reach_index *ix)
{
        size_t nspans = 0, nslots = 0;

        /* First pass: how many spans and slots. */
        for (size_t i = 0; i < ix->n;) {
                size_t j = i + 1;
                uint64_t hi = ix->area[i].end;
                while (j < ix->n && ix->area[j].mem - hi <= REACH_SPAN_GAP)
                        hi = ix->area[j++].end;
                unsigned shift = span_shift(hi - ix->area[i].mem, j - i);
                nslots += ((hi - ix->area[i].mem - 1) >> shift) + 2;
                nspans++;
                i = j;
        }
        if (nslots > UINT32_MAX)
                return -ENOMEM;
        ix->spans = calloc(nspans ? nspans : 1, sizeof(*ix->spans));
        ix->slots = reach_index_alloc_hot(nslots, sizeof(*ix->slots));
        if (!ix->spans || !ix->slots)
                return -ENOMEM;

        size_t at = 0;
        for (size_t i = 0; i < ix->n;) {
                size_t j = i + 1;
                uint64_t hi = ix->area[i].end;
                while (j < ix->n && ix->area[j].mem - hi <= REACH_SPAN_GAP)
                        hi = ix->area[j++].end;
                struct reach_span *sp = &ix->spans[ix->nspans++];
                sp->lo = ix->area[i].mem;
                sp->hi = hi;
                sp->shift = span_shift(hi - sp->lo, j - i);
                sp->nslots = (uint32_t)(((hi - sp->lo - 1) >> sp->shift) + 1);
                sp->first_slot = (uint32_t)at;

                /* slots[k]: the first chunk whose area ends above the slot's start. */
                size_t c = i;
                for (uint32_t k = 0; k <= sp->nslots; k++) {
                        uint64_t start = sp->lo + ((uint64_t)k << sp->shift);
                        while (c < j && ix->area[c].end <= start)
                                c++;
                        ix->slots[at++] = (uint32_t)c;
                }
                i = j;
        }
        ix->nslots = at;
        return 0;
}

int reach_index_build(struct reach_index *ix, const struct chunk *chunks, size_t n, struct warnings *w)
{
        size_t used = 0, skipped = 0, refused_cap = 0;
        uint64_t first_skipped = 0;

        *ix = (struct reach_index){ 0 };
        if (n > UINT32_MAX)
                n = UINT32_MAX; /* chunk ids are 32-bit in refs; the heap walker caps far lower */
        for (size_t i = 0; i < n; i++)
                used += chunks[i].state == CHUNK_USED;

        ix->area = reach_index_alloc_hot(used, sizeof(*ix->area));
        if (!ix->area) {
                reach_index_free(ix);
                return -ENOMEM;
        }

        for (size_t i = 0; i < n; i++) {
                const struct chunk *c = &chunks[i];
                if (c->state != CHUNK_USED)
                        continue;
                uint64_t usable = chunk_usable(c);
                uint64_t mem = chunk_mem(c), end = mem + usable;
                /* A crafted or torn heap: areas must be ordered, disjoint and not wrap. */
                if (usable == 0 || mem < c->address || end < mem || (ix->n && mem < ix->area[ix->n - 1].end)) {
                        if (!skipped++)
                                first_skipped = c->address;
                        if (ARRAY_RESERVE(ix->refused, refused_cap, ix->nrefused + 1) < 0) {
                                reach_index_free(ix);
                                return -ENOMEM;
                        }
                        ix->refused[ix->nrefused++] = (uint32_t)i;
                        continue;
                }
                ix->area[ix->n] = (struct reach_area){
                        .mem = mem, .end = end, .chunk = (uint32_t)i,
                        .before_free = c->allocator == ALLOCATOR_GLIBC && !c->mmapped && i + 1 < n && chunks[i + 1].state != CHUNK_USED &&
                                       chunks[i + 1].address == c->address + c->size,
                };
                ix->n++;
        }
        if (skipped)
                warnings_add(w, "reach", first_skipped,
                             "%zu used chunks (the first at 0x%llx) are empty, wrap, or overlap an earlier one: they are not pointer targets",
                             skipped, (unsigned long long)first_skipped);

        if (ix->n) {
                ix->lo = ix->area[0].mem;
                ix->hi = ix->area[ix->n - 1].end;
        }
        int r = build_spans(ix);
        if (r < 0)
                reach_index_free(ix);
        return r;
}

const uint32_t *reach_index_slot(const struct reach_index *ix, uint64_t addr)
{
        size_t l = 0, h = ix->nspans;

        while (l < h) {
                size_t m = l + (h - l) / 2;
                if (ix->spans[m].lo <= addr)
                        l = m + 1;
                else
                        h = m;
        }
        if (l == 0)
                return NULL;
        const struct reach_span *sp = &ix->spans[l - 1];
        if (addr >= sp->hi)
                return NULL;
        return &ix->slots[sp->first_slot + ((addr - sp->lo) >> sp->shift)];
}

long reach_index_resolve(const struct reach_index *ix, const uint32_t *slot, uint64_t addr)
{
        size_t lo = slot[0], hi = slot[1];
        if (hi >= ix->n)
                hi = ix->n - 1;
        if (lo > hi)
                return -1;
        /* The last chunk in [lo, hi] starting at or below addr. */
        while (lo < hi) {
                size_t m = lo + (hi - lo + 1) / 2;
                if (ix->area[m].mem <= addr)
                        lo = m;
                else
                        hi = m - 1;
        }
        const struct reach_area *ar = &ix->area[lo];
        if (ar->mem > addr || addr >= ar->end)
                return -1;
        if (addr == ar->end - 8 && ar->before_free)
                return -1; /* the free next chunk's header: see the top of this file */
        return (long)lo;
}
