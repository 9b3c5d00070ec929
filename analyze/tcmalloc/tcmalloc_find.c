/*
 * Finding Static's hidden members by symbol or by shape (tcmalloc_find.h).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "tcmalloc_find.h"
#include "tcmalloc_sizemap.h"

#define SCAN_MAX (64u << 20) /* bytes of one writable segment searched; the library's are under 2 MiB */

static bool self_linked(const struct core *c, uint64_t span)
{
        uint64_t links[2];
        return core_read(c, span + TCMALLOC_SPAN_NEXT, links, sizeof(links)) && links[0] == span && links[1] == span;
}

bool tcmalloc_find_pageheap_fits(const struct core *c, uint64_t addr)
{
        uint64_t free_lists = addr + TCMALLOC_PAGEHEAP_FREE;
        /* page_heap.cc: PageHeap() DLL_Inits every list; no span is 0 pages long, so free_[0] stays so */
        if (!self_linked(c, free_lists) || !self_linked(c, free_lists + TCMALLOC_SPAN_BYTES))
                return false;
        for (uint64_t k = 1; k < TCMALLOC_MAX_PAGES * 2; k++) {
                uint64_t links[2];
                if (!core_read(c, free_lists + k * TCMALLOC_SPAN_BYTES + TCMALLOC_SPAN_NEXT, links, sizeof(links)) ||
                    links[0] == 0 || links[1] == 0)
                        return false;
        }
        uint64_t stats[3];
        if (!core_read(c, addr + TCMALLOC_PAGEHEAP_STATS, stats, sizeof(stats)))
                return false;
        return stats[0] % TCMALLOC_PAGE_SIZE == 0 && stats[1] % TCMALLOC_PAGE_SIZE == 0 &&
               stats[2] % TCMALLOC_PAGE_SIZE == 0 && stats[1] <= stats[0] && stats[2] <= stats[0] - stats[1];
}

bool tcmalloc_find_central_fits(const struct core *c, uint64_t addr, uint32_t nclasses)
{
        for (uint32_t cl = 0; cl < nclasses; cl++) {
                uint64_t base = addr + (uint64_t)cl * TCMALLOC_CENTRAL_BYTES, own_class, links[2];
                if (!core_read_u64(c, base + TCMALLOC_CENTRAL_CLASS, &own_class) || own_class != cl)
                        return false;
                if (!core_read(c, base + TCMALLOC_CENTRAL_EMPTY + TCMALLOC_SPAN_NEXT, links, sizeof(links)) ||
                    links[0] == 0 || links[1] == 0)
                        return false;
        }
        return true;
}

/* What one writable segment's bytes offer: a candidate at each offset where the cheap test passes. */
struct scan {
        const struct core *c;
        uint64_t vaddr;
        const uint8_t *bytes;
        size_t len;
};

static uint64_t load_u64(const struct scan *s, size_t off)
{
        uint64_t v;
        memcpy(&v, s->bytes + off, sizeof(v));
        return v;
}

static uint64_t scan_sizemap(const struct scan *s, struct tcmalloc_class *classes, uint32_t *n)
{
        /* class_to_size_ starts 0, 8 (common.cc: SizeMap::Init starts at kAlignment, 8) */
        static const int32_t head[2] = { 0, 8 };
        for (size_t off = TCMALLOC_SIZEMAP_SIZE; off + sizeof(head) <= s->len; off += 4)
                if (memcmp(s->bytes + off, head, sizeof(head)) == 0 &&
                    tcmalloc_sizemap_read(s->c, s->vaddr + off - TCMALLOC_SIZEMAP_SIZE, classes, n))
                        return s->vaddr + off - TCMALLOC_SIZEMAP_SIZE;
        return 0;
}

static uint64_t scan_central(const struct scan *s, uint32_t nclasses)
{
        for (size_t off = 0; off + 3 * TCMALLOC_CENTRAL_BYTES <= s->len; off += 8)
                if (load_u64(s, off + TCMALLOC_CENTRAL_CLASS) == 0 &&
                    load_u64(s, off + TCMALLOC_CENTRAL_BYTES + TCMALLOC_CENTRAL_CLASS) == 1 &&
                    load_u64(s, off + 2 * TCMALLOC_CENTRAL_BYTES + TCMALLOC_CENTRAL_CLASS) == 2 &&
                    tcmalloc_find_central_fits(s->c, s->vaddr + off, nclasses))
                        return s->vaddr + off;
        return 0;
}

static uint64_t scan_pageheap(const struct scan *s)
{
        for (size_t off = TCMALLOC_PAGEHEAP_FREE; off + 2 * TCMALLOC_SPAN_BYTES <= s->len; off += 8) {
                uint64_t a = s->vaddr + off;
                if (load_u64(s, off + TCMALLOC_SPAN_NEXT) == a && load_u64(s, off + TCMALLOC_SPAN_PREV) == a &&
                    tcmalloc_find_pageheap_fits(s->c, a - TCMALLOC_PAGEHEAP_FREE))
                        return a - TCMALLOC_PAGEHEAP_FREE;
        }
        return 0;
}

/* Looks for what r lacks in one writable segment's bytes. */
static void scan_segment(const struct scan *s, struct tcmalloc_roots *r, struct tcmalloc_class *classes, uint32_t *n)
{
        if (!r->sizemap)
                r->sizemap = scan_sizemap(s, classes, n);
        if (!r->central && *n)
                r->central = scan_central(s, *n);
        if (!r->pageheap)
                r->pageheap = scan_pageheap(s);
}

static void drop_misfits(const struct core *c, struct tcmalloc_roots *r, struct tcmalloc_class *classes, uint32_t *n,
                         struct warnings *w)
{
        if (r->sizemap && !tcmalloc_sizemap_read(c, r->sizemap, classes, n)) {
                warnings_add(w, "heap", r->sizemap, "tcmalloc Static::sizemap_ named by the symbol table is not a SizeMap of gperftools 2.10");
                r->sizemap = 0;
        }
        if (r->pageheap && !tcmalloc_find_pageheap_fits(c, r->pageheap)) {
                warnings_add(w, "heap", r->pageheap, "tcmalloc Static::pageheap_ named by the symbol table is not a PageHeap of gperftools 2.10");
                r->pageheap = 0;
        }
        if (r->central && *n && !tcmalloc_find_central_fits(c, r->central, *n)) {
                warnings_add(w, "heap", r->central,
                             "tcmalloc Static::central_cache_ named by the symbol table is not gperftools 2.10's central caches");
                r->central = 0;
        }
}

int tcmalloc_find(const struct core *c, uint64_t lo, uint64_t hi, struct tcmalloc_roots *r, struct warnings *w)
{
        struct tcmalloc_class classes[TCMALLOC_CLASSES_MAX];
        uint32_t n = 0;
        drop_misfits(c, r, classes, &n, w);
        /* runs of adjacent writable segments: .data and the .bss after it are two mappings, a struct may span both */
        for (size_t i = 0; i < c->nsegs && !(r->sizemap && r->central && r->pageheap);) {
                const struct core_segment *seg = &c->segs[i++];
                if (!(seg->flags & PF_W) || seg->vaddr >= hi || seg->vaddr + seg->memsz <= lo)
                        continue;
                size_t first = i - 1;
                uint64_t from = seg->vaddr > lo ? seg->vaddr : lo, end = seg->vaddr + seg->memsz;
                for (; i < c->nsegs && (c->segs[i].flags & PF_W) && c->segs[i].vaddr == end && end < hi; i++)
                        end += c->segs[i].memsz;
                uint64_t to = end < hi ? end : hi;
                size_t len = (size_t)(to - from < SCAN_MAX ? to - from : SCAN_MAX);
                _cleanup_free_ uint8_t *bytes = calloc(len ? len : 1, 1);
                if (!bytes)
                        return -ENOMEM;
                /* segment by segment: bytes the core lacks stay zeros, which match no shape */
                for (size_t k = first; k < i; k++) {
                        uint64_t a = c->segs[k].vaddr > from ? c->segs[k].vaddr : from;
                        uint64_t b = c->segs[k].vaddr + c->segs[k].memsz < from + len ? c->segs[k].vaddr + c->segs[k].memsz
                                                                                      : from + len;
                        if (a < b)
                                core_read(c, a, bytes + (a - from), (size_t)(b - a));
                }
                struct scan s = { .c = c, .vaddr = from, .bytes = bytes, .len = len };
                scan_segment(&s, r, classes, &n);
        }
        if (r->sizemap && r->central && r->pageheap)
                return 0;
        warnings_add(w, "heap", lo, "tcmalloc's heap is not read: no gperftools 2.10 %s%s%s%s%s in the library's memory",
                     r->pageheap ? "" : "page heap", !r->pageheap && !r->sizemap ? ", " : "",
                     r->sizemap ? "" : "size map", (!r->pageheap || !r->sizemap) && !r->central ? ", " : "",
                     r->central ? "" : "central caches");
        return -ENOENT;
}
