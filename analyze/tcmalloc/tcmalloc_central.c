/*
 * Walking the central and transfer caches (tcmalloc_central.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "tcmalloc_central.h"
#include "tcmalloc_freelist.h"
#include "tcmalloc_span.h"

struct central_walk {
        const struct core *c;
        struct tcmalloc_heap *h;
        const struct tcmalloc_blocks *b;
        struct warnings *w;
        uint8_t *listed;        /* per span: already met on a central list */
};

/* The heap's span for the Span object at addr, when it is one of class cl in use; else NULL with *why set. */
static ptrdiff_t known_span(const struct central_walk *cw, uint64_t addr, uint32_t cl, struct tcmalloc_span_read *r,
                            const char **why)
{
        if (!tcmalloc_span_read(cw->c, addr, cw->h->nclasses, r)) {
                *why = "cannot be read or is damaged";
                return -1;
        }
        ptrdiff_t i = tcmalloc_blocks_span(cw->h, r->span.start);
        if (i < 0 || cw->h->spans[i].address != addr) {
                *why = "is not a span the pagemap holds";
                return -1;
        }
        if (r->span.sizeclass != cl || r->span.location != TCMALLOC_IN_USE) {
                *why = "is not an in-use span of this size class";
                return -1;
        }
        if (cw->listed[i]) {
                *why = "is on a central list twice: the list loops";
                return -1;
        }
        return i;
}

static void walk_span_list(struct central_walk *cw, uint32_t cl, uint64_t head, uint64_t first, const char *name)
{
        uint64_t steps = 0;
        for (uint64_t addr = first; addr != head; steps++) {
                if (steps > cw->h->nspans) {
                        warnings_add(cw->w, "heap", head, "tcmalloc central cache %s list of size class %u is longer than the heap's %zu spans",
                                     name, cl, cw->h->nspans);
                        return;
                }
                struct tcmalloc_span_read r;
                const char *why = NULL;
                ptrdiff_t i = known_span(cw, addr, cl, &r, &why);
                if (i < 0) {
                        warnings_add(cw->w, "heap", addr, "tcmalloc central cache %s list of size class %u (at %#llx): span %s",
                                     name, cl, (unsigned long long)head, why);
                        return;
                }
                cw->listed[i] = 1;
                cw->h->classes[cl].central_spans++;
                uint64_t per_span = (r.span.pages << TCMALLOC_PAGE_SHIFT) / cw->h->classes[cl].size;
                struct tcmalloc_freelist l = {
                        .head = r.span.objects, .cl = cl, .state = TCMALLOC_CENTRAL, .max = per_span,
                        .owner = addr, .what = "the free list of tcmalloc span",
                };
                uint64_t last;
                bool ended;
                tcmalloc_freelist_walk(cw->c, cw->h, cw->b, &l, &last, &ended, cw->w);
                addr = r.next;
        }
}

static void walk_slots(struct central_walk *cw, uint32_t cl, uint64_t base, const uint8_t *raw)
{
        int32_t used;
        memcpy(&used, raw + TCMALLOC_CENTRAL_USED_SLOTS, sizeof(used));
        if (used < 0 || (uint32_t)used > TCMALLOC_CENTRAL_SLOTS_MAX) {
                warnings_add(cw->w, "heap", base + TCMALLOC_CENTRAL_USED_SLOTS,
                             "tcmalloc transfer cache of size class %u says %d slots are used, of %u", cl, used,
                             TCMALLOC_CENTRAL_SLOTS_MAX);
                return;
        }
        uint32_t batch = cw->h->classes[cl].batch;
        for (int32_t s = 0; s < used; s++) {
                uint64_t ends[2];
                memcpy(ends, raw + TCMALLOC_CENTRAL_SLOTS + 16 * (size_t)s, sizeof(ends));
                uint64_t slot = base + TCMALLOC_CENTRAL_SLOTS + 16 * (uint64_t)s;
                struct tcmalloc_freelist l = {
                        .head = ends[0], .cl = cl, .state = TCMALLOC_TRANSFER, .max = batch,
                        .owner = slot, .what = "tcmalloc transfer cache slot",
                };
                uint64_t last;
                bool ended;
                uint64_t n = tcmalloc_freelist_walk(cw->c, cw->h, cw->b, &l, &last, &ended, cw->w);
                if (ended && (n != batch || last != ends[1]))
                        warnings_add(cw->w, "heap", slot,
                                     "tcmalloc transfer cache slot of size class %u holds %llu objects ending at %#llx, not %u ending at %#llx",
                                     cl, (unsigned long long)n, (unsigned long long)last, batch, (unsigned long long)ends[1]);
        }
}

void tcmalloc_central_walk(const struct core *c, uint64_t central, struct tcmalloc_heap *h,
                           const struct tcmalloc_blocks *b, struct warnings *w)
{
        _cleanup_free_ uint8_t *listed = calloc(h->nspans ? h->nspans : 1, 1);
        if (!listed) {
                warnings_add(w, "heap", central, "no memory to walk the tcmalloc central caches");
                return;
        }
        struct central_walk cw = { .c = c, .h = h, .b = b, .w = w, .listed = listed };
        for (uint32_t cl = 1; cl < h->nclasses; cl++) {
                uint64_t base = central + (uint64_t)cl * TCMALLOC_CENTRAL_BYTES;
                uint8_t raw[TCMALLOC_CENTRAL_BYTES];
                uint64_t own_class;
                if (!core_read(c, base, raw, sizeof(raw))) {
                        warnings_add(w, "heap", base, "tcmalloc central cache of size class %u is not in the core", cl);
                        continue;
                }
                memcpy(&own_class, raw + TCMALLOC_CENTRAL_CLASS, sizeof(own_class));
                if (own_class != cl) {
                        warnings_add(w, "heap", base, "tcmalloc central cache of size class %u says it is of class %llu", cl,
                                     (unsigned long long)own_class);
                        continue;
                }
                static const struct { uint32_t offset; const char *name; } lists[] = {
                        { TCMALLOC_CENTRAL_EMPTY, "empty" },
                        { TCMALLOC_CENTRAL_NONEMPTY, "nonempty" },
                };
                for (size_t k = 0; k < ELEMENTSOF(lists); k++) {
                        uint64_t first;
                        memcpy(&first, raw + lists[k].offset + TCMALLOC_SPAN_NEXT, sizeof(first));
                        walk_span_list(&cw, cl, base + lists[k].offset, first, lists[k].name);
                }
                walk_slots(&cw, cl, base, raw);
        }
}
