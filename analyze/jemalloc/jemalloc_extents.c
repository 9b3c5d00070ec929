/*
 * Every extent jemalloc knows of, from the radix tree that maps each page
 * to its edata_t (rtree.h, emap.h): the root's 2^18 words each point to a
 * leaf of 2^18 elements, one per page, whose compact bits hold the edata_t
 * pointer (rtree_leaf_elm_bits_decode).  A slab maps all its pages, other
 * extents at least their first and last; active, dirty, muzzy and
 * retained extents alike.  Each edata_t is read once and checked: an
 * extent whose fields do not hold together, or that overlaps another, is
 * left out with a warning naming its edata_t.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "jemalloc.h"

#define BAD_EXTENT_WARNINGS_MAX 20

static int u64_cmp(const void *x, const void *y)
{
        uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
        return a < b ? -1 : a > b;
}

static int extent_cmp(const void *x, const void *y)
{
        const struct jemalloc_extent *a = x, *b = y;
        return a->address < b->address ? -1 : a->address > b->address;
}

/* Reads one level's 2^18 words at addr into buf (holes read as zeros); false when the core lacks them. */
static bool read_level(const struct core *c, uint64_t addr, uint64_t *buf)
{
        bool any = false;
        for (size_t off = 0; off < (size_t)JE_RTREE_FANOUT * 8; off += JE_PAGE) {
                if (core_read(c, addr + off, (uint8_t *)buf + off, JE_PAGE))
                        any = true;
                else
                        memset((uint8_t *)buf + off, 0, JE_PAGE);
        }
        return any;
}

/* The distinct edata_t addresses the leaves hold, sorted. */
static int collect_edata(struct je_ctx *x, uint64_t **out, size_t *n)
{
        const struct core *c = &x->a->core;
        _cleanup_free_ uint64_t *root = malloc((size_t)JE_RTREE_FANOUT * 8), *leaf = malloc((size_t)JE_RTREE_FANOUT * 8);
        uint64_t *v = NULL;
        size_t cap = 0, nv = 0;

        if (!root || !leaf)
                return -ENOMEM;
        if (!read_level(c, x->out->emap_at + JE_RTREE_ROOT, root)) {
                warnings_add(x->w, "heap", x->out->emap_at, "jemalloc: the core does not hold the extent map's root at 0x%llx",
                             (unsigned long long)(x->out->emap_at + JE_RTREE_ROOT));
                *out = NULL, *n = 0;
                return 0;
        }
        for (size_t i = 0; i < JE_RTREE_FANOUT; i++) {
                if (!root[i])
                        continue;
                if (!read_level(c, root[i], leaf)) {
                        warnings_add(x->w, "heap", root[i], "jemalloc: the core does not hold the extent map's leaf at 0x%llx",
                                     (unsigned long long)root[i]);
                        continue;
                }
                uint64_t last = 0;
                for (size_t j = 0; j < JE_RTREE_FANOUT; j++) {
                        uint64_t e = leaf[j] ? JE_RTREE_EDATA(leaf[j]) : 0;
                        if (!e || e == last)
                                continue;
                        last = e;
                        if (ARRAY_RESERVE(v, cap, nv + 1) < 0) {
                                free(v);
                                return -ENOMEM;
                        }
                        v[nv++] = e;
                }
        }
        qsort_safe(v, nv, sizeof(*v), u64_cmp);
        size_t k = 0;
        for (size_t i = 0; i < nv; i++)
                if (!k || v[k - 1] != v[i])
                        v[k++] = v[i];
        *out = v, *n = k;
        return 0;
}

/* Why e cannot be an extent, or NULL when its fields hold together. */
static const char *extent_check(const struct jemalloc_extent *e)
{
        if (e->state > JEMALLOC_EXTENT_MERGING)
                return "its state is none of jemalloc's";
        if (!e->size || e->size % JE_PAGE || e->size >= 1ull << JE_LG_VADDR || e->address >= 1ull << JE_LG_VADDR ||
            e->address + e->size > 1ull << JE_LG_VADDR)
                return "its address or size is out of range";
        if (e->state != JEMALLOC_EXTENT_ACTIVE)
                return NULL;
        if (e->szind >= JE_SC_NSIZES)
                return "its size class is out of range";
        if (e->slab) {
                uint64_t reg = jemalloc_size_of(e->szind);
                if (e->szind >= JE_SC_NBINS || e->address % JE_PAGE || e->size % reg || e->size / reg > JE_SLAB_MAXREGS)
                        return "it is a slab whose size does not hold its regions";
        } else if (e->szind < JE_SC_NBINS || jemalloc_size_of(e->szind) > e->size) {
                return "it is a large extent smaller than its size class";
        }
        return NULL;
}

int jemalloc_extents_collect(struct je_ctx *x)
{
        const struct core *c = &x->a->core;
        _cleanup_free_ uint64_t *edata = NULL;
        size_t n = 0, bad = 0, cap = 0;
        int r;

        if ((r = collect_edata(x, &edata, &n)) < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
        struct jemalloc_heap *out = x->out;
        for (size_t i = 0; i < n; i++) {
                uint8_t raw[JE_EDATA_SIZE];
                const char *why = NULL;
                struct jemalloc_extent e = { .edata = edata[i] };
                if (!core_read(c, edata[i], raw, sizeof(raw))) {
                        why = "the core does not hold it";
                } else {
                        uint64_t bits, addr, size_esn;
                        memcpy(&bits, raw + JE_EDATA_BITS, 8);
                        memcpy(&addr, raw + JE_EDATA_ADDR, 8);
                        memcpy(&size_esn, raw + JE_EDATA_SIZE_ESN, 8);
                        e.address = addr;
                        e.size = size_esn & ~(JE_PAGE - 1);
                        e.arena = JE_EBITS_ARENA(bits);
                        e.szind = JE_EBITS_SZIND(bits);
                        e.state = (uint8_t)JE_EBITS_STATE(bits);
                        e.slab = JE_EBITS_SLAB(bits);
                        e.nfree = JE_EBITS_NFREE(bits);
                        why = extent_check(&e);
                        if (!why && e.slab && e.state == JEMALLOC_EXTENT_ACTIVE)
                                e.nregs = (uint32_t)(e.size / jemalloc_size_of(e.szind));
                }
                if (why) {
                        if (bad++ < BAD_EXTENT_WARNINGS_MAX)
                                warnings_add(x->w, "heap", edata[i], "jemalloc: extent 0x%llx is left out: %s",
                                             (unsigned long long)edata[i], why);
                        continue;
                }
                if (ARRAY_RESERVE(out->extents, cap, out->nextents + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", x->a->opt.core_path);
                out->extents[out->nextents++] = e;
        }
        if (bad > BAD_EXTENT_WARNINGS_MAX)
                warnings_add(x->w, "heap", 0, "jemalloc: %zu extents in all are left out", bad);

        /* In address order, and disjoint: an extent overlapping the one before is a damaged edata_t. */
        qsort_safe(out->extents, out->nextents, sizeof(*out->extents), extent_cmp);
        size_t k = 0;
        for (size_t i = 0; i < out->nextents; i++) {
                const struct jemalloc_extent *e = &out->extents[i];
                /* e_addr of a large extent lies within its first page (cache-oblivious placement, sz_large_pad) */
                if (k && e->address < (out->extents[k - 1].address & ~(JE_PAGE - 1)) + out->extents[k - 1].size) {
                        warnings_add(x->w, "heap", e->edata, "jemalloc: extent 0x%llx at 0x%llx overlaps extent 0x%llx: left out",
                                     (unsigned long long)e->edata, (unsigned long long)e->address,
                                     (unsigned long long)out->extents[k - 1].edata);
                        continue;
                }
                out->extents[k++] = *e;
        }
        out->nextents = k;
        return 0;
}
