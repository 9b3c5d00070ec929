/*
 * The blocks of jemalloc's active extents.  A slab (edata_t slab bit) is
 * nregs regions of its size class, one bit each in its bitmap
 * (e_slab_data): clear when the region is allocated (bitmap.h stores a
 * set bit as 1 = unset: bitmap_get is !(g & bit), and a new slab's
 * bitmap_init fills it with ones).  Any other active extent is one
 * large allocation at e_addr of its size class's usable size.  An
 * allocated region or large block that a thread cache holds is free (bin
 * tcache); a region whose bit is clear is free in its slab (bin slab).
 *
 * Per arena and size class the counts become jemalloc_bins and
 * jemalloc_lextents: jemalloc's curregs is used + cached (a thread cache's
 * regions were handed out by the arena), curlextents likewise.  The
 * bitmap is checked against the free count the edata_t keeps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "jemalloc.h"

#define NFREE_WARNINGS_MAX 20
#define NLEXTENTS (JE_SC_NSIZES - JE_SC_NBINS)

/* The thread cache holding addr, or NULL. */
static const struct je_cached *cached_at(const struct je_ctx *x, uint64_t addr)
{
        size_t lo = 0, hi = x->ncached;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (x->cached[mid].address < addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < x->ncached && x->cached[lo].address == addr ? &x->cached[lo] : NULL;
}

static int add_block(struct je_ctx *x, uint64_t addr, uint64_t size, bool allocated, bool *cached)
{
        if (ARRAY_RESERVE(x->blocks, x->blocks_cap, x->nblocks + 1) < 0)
                return -ENOMEM;
        const struct je_cached *t = allocated ? cached_at(x, addr) : NULL;
        *cached = t != NULL;
        if (t)
                x->out->tcaches[t->tcache].bytes += size;
        x->blocks[x->nblocks++] = (struct chunk){
                .address = addr, .size = size, .arena_id = NO_ID, .segment_id = NO_ID, .type_id = NO_ID,
                .state = allocated && !t ? CHUNK_USED : CHUNK_FREE,
                .bin = !allocated ? BIN_SLAB : t ? BIN_TCACHE : BIN_NONE,
                .allocator = ALLOCATOR_JEMALLOC,
        };
        return 0;
}

/* The per-size-class rows, dense by arena until compacted. */
struct tallies {
        struct jemalloc_bin *bins;          /* narenas * JE_SC_NBINS */
        struct jemalloc_lextent *lextents;  /* narenas * NLEXTENTS */
        unsigned narenas;
};

static int walk_slab(struct je_ctx *x, const struct jemalloc_extent *e, struct jemalloc_bin *row, size_t *bad)
{
        uint64_t bitmap[JE_SLAB_MAXREGS / 64];
        uint64_t reg = jemalloc_size_of(e->szind);
        if (!core_read(&x->a->core, e->edata + JE_EDATA_SLAB_BITMAP, bitmap, sizeof(bitmap))) {
                warnings_add(x->w, "heap", e->edata, "jemalloc: the core does not hold slab 0x%llx's bitmap: its regions are not listed",
                             (unsigned long long)e->address);
                return 0;
        }
        unsigned nfree = 0;
        row->slabs++;
        for (uint32_t i = 0; i < e->nregs; i++) {
                bool allocated = !(bitmap[i / 64] >> (i % 64) & 1), cached;
                if (add_block(x, e->address + i * reg, reg, allocated, &cached) < 0)
                        return -ENOMEM;
                nfree += !allocated;
                if (!allocated)
                        row->free++;
                else if (cached)
                        row->cached++;
                else
                        row->used++;
        }
        if (nfree != e->nfree && (*bad)++ < NFREE_WARNINGS_MAX)
                warnings_add(x->w, "heap", e->edata,
                             "jemalloc: slab 0x%llx (extent 0x%llx): its bitmap marks %u of %u regions free, its edata_t says %u",
                             (unsigned long long)e->address, (unsigned long long)e->edata, nfree, e->nregs, e->nfree);
        return 0;
}

static void tallies_free(struct tallies *t)
{
        free(t->bins);
        free(t->lextents);
}

/* Hands the rows with something in them to out, in (arena, class) order; t keeps nothing. */
static void compact(struct je_ctx *x, struct tallies *t)
{
        struct jemalloc_heap *out = x->out;
        size_t nb = 0, nl = 0;
        for (size_t i = 0; i < (size_t)t->narenas * JE_SC_NBINS; i++)
                if (t->bins[i].slabs)
                        t->bins[nb++] = t->bins[i];
        for (size_t i = 0; i < (size_t)t->narenas * NLEXTENTS; i++)
                if (t->lextents[i].used || t->lextents[i].cached)
                        t->lextents[nl++] = t->lextents[i];
        /* Shrinking cannot fail for want of memory; a NULL from realloc keeps the larger block. */
        struct jemalloc_bin *b = nb ? realloc(t->bins, nb * sizeof(*b)) : NULL;
        struct jemalloc_lextent *l = nl ? realloc(t->lextents, nl * sizeof(*l)) : NULL;
        out->bins = b ? b : nb ? t->bins : NULL;
        out->lextents = l ? l : nl ? t->lextents : NULL;
        if (!nb)
                free(t->bins);
        if (!nl)
                free(t->lextents);
        t->bins = NULL, t->lextents = NULL;
        out->nbins = nb, out->nlextents = nl;
}

int jemalloc_blocks_collect(struct je_ctx *x)
{
        struct jemalloc_heap *out = x->out;
        _cleanup_(tallies_free) struct tallies t = { 0 };
        size_t bad = 0;

        for (size_t i = 0; i < out->nextents; i++)
                if (out->extents[i].arena + 1 > t.narenas)
                        t.narenas = out->extents[i].arena + 1;
        t.bins = calloc((size_t)t.narenas * JE_SC_NBINS + 1, sizeof(*t.bins));
        t.lextents = calloc((size_t)t.narenas * NLEXTENTS + 1, sizeof(*t.lextents));
        if (!t.bins || !t.lextents)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
        for (unsigned ar = 0; ar < t.narenas; ar++) {
                for (unsigned b = 0; b < JE_SC_NBINS; b++)
                        t.bins[ar * JE_SC_NBINS + b] = (struct jemalloc_bin){
                                .arena = ar, .bin = b, .size = jemalloc_size_of(b),
                        };
                for (unsigned l = 0; l < NLEXTENTS; l++)
                        t.lextents[ar * NLEXTENTS + l] = (struct jemalloc_lextent){
                                .arena = ar, .lextent = l, .size = jemalloc_size_of(JE_SC_NBINS + l),
                        };
        }

        for (size_t i = 0; i < out->nextents; i++) {
                const struct jemalloc_extent *e = &out->extents[i];
                if (e->state != JEMALLOC_EXTENT_ACTIVE)
                        continue;
                if (e->slab) {
                        struct jemalloc_bin *row = &t.bins[e->arena * JE_SC_NBINS + e->szind];
                        row->nregs = e->nregs;
                        if (walk_slab(x, e, row, &bad) < 0)
                                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
                        continue;
                }
                struct jemalloc_lextent *row = &t.lextents[e->arena * NLEXTENTS + (e->szind - JE_SC_NBINS)];
                bool cached;
                if (add_block(x, e->address, row->size, true, &cached) < 0)
                        return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
                if (cached)
                        row->cached++;
                else
                        row->used++;
        }
        if (bad > NFREE_WARNINGS_MAX)
                warnings_add(x->w, "heap", 0, "jemalloc: %zu slabs in all disagree with their edata_t's free count", bad);

        /* What a cache holds must be a block of a size class it caches: anything else is a damaged stack. */
        size_t stray = 0;
        uint64_t first_stray = 0;
        for (size_t i = 0; i < x->ncached; i++) {
                size_t lo = 0, hi = x->nblocks;
                while (lo < hi) {
                        size_t mid = lo + (hi - lo) / 2;
                        if (x->blocks[mid].address < x->cached[i].address)
                                lo = mid + 1;
                        else
                                hi = mid;
                }
                if (lo == x->nblocks || x->blocks[lo].address != x->cached[i].address || x->blocks[lo].bin != BIN_TCACHE) {
                        if (!stray++)
                                first_stray = x->cached[i].address;
                } else if (i && x->cached[i - 1].address == x->cached[i].address) {
                        warnings_add(x->w, "heap", x->cached[i].address, "jemalloc: 0x%llx is held by thread caches twice (a double free)",
                                     (unsigned long long)x->cached[i].address);
                }
        }
        if (stray)
                warnings_add(x->w, "heap", first_stray,
                             "jemalloc: %zu addresses thread caches hold (the first 0x%llx) are no allocated region or large block",
                             stray, (unsigned long long)first_stray);
        compact(x, &t);
        return 0;
}
