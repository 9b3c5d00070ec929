/*
 * Walking the pagemap's leaves in page order (tcmalloc_pagemap.h).
 */
#include <errno.h>
#include <stdlib.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "tcmalloc_pagemap.h"
#include "tcmalloc_span.h"

#define LEAF_LENGTH (1ull << TCMALLOC_PAGEMAP_LEAF_BITS)

struct pagemap_walk {
        const struct core *c;
        struct tcmalloc_heap *h;
        struct warnings *w;
        uint64_t next_page;     /* the first page past the last span taken */
        uint64_t stale_span;    /* the last span refused, so a run of its pages warns once */
};

static int take_span(struct pagemap_walk *pw, uint64_t page, uint64_t addr)
{
        if (addr == pw->stale_span)
                return 0;
        struct tcmalloc_span_read r;
        if (!tcmalloc_span_read(pw->c, addr, pw->h->nclasses, &r)) {
                warnings_add(pw->w, "heap", addr, "tcmalloc span named by the pagemap for page %#llx cannot be read or is damaged",
                             (unsigned long long)(page << TCMALLOC_PAGE_SHIFT));
                pw->stale_span = addr;
                return 0;
        }
        if (r.span.start >> TCMALLOC_PAGE_SHIFT != page) {
                warnings_add(pw->w, "heap", addr,
                             "tcmalloc span named by the pagemap for page %#llx starts at %#llx, not at that page",
                             (unsigned long long)(page << TCMALLOC_PAGE_SHIFT), (unsigned long long)r.span.start);
                pw->stale_span = addr;
                return 0;
        }
        if (pw->h->nspans >= TCMALLOC_SPANS_MAX) {
                warnings_add(pw->w, "heap", addr, "more than %u tcmalloc spans: the rest are not read", TCMALLOC_SPANS_MAX);
                pw->next_page = UINT64_MAX;
                return 0;
        }
        if (ARRAY_RESERVE(pw->h->spans, pw->h->spans_cap, pw->h->nspans + 1) < 0)
                return -ENOMEM;
        pw->h->spans[pw->h->nspans++] = r.span;
        pw->next_page = page + r.span.pages;
        return 0;
}

static int walk_leaf(struct pagemap_walk *pw, uint64_t root_index, uint64_t leaf, uint64_t *values)
{
        uint64_t first = root_index << TCMALLOC_PAGEMAP_LEAF_BITS;
        if (!core_read(pw->c, leaf, values, LEAF_LENGTH * sizeof(*values))) {
                warnings_add(pw->w, "heap", leaf, "tcmalloc pagemap leaf for pages from %#llx is not in the core",
                             (unsigned long long)(first << TCMALLOC_PAGE_SHIFT));
                return 0;
        }
        for (uint64_t i = 0; i < LEAF_LENGTH; i++) {
                uint64_t page = first + i;
                if (values[i] == 0 || page < pw->next_page)
                        continue;
                int r = take_span(pw, page, values[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int tcmalloc_pagemap_walk(const struct core *c, uint64_t pageheap, struct tcmalloc_heap *h, struct warnings *w)
{
        _cleanup_free_ uint64_t *root = malloc(TCMALLOC_PAGEMAP_ROOT_LENGTH * sizeof(*root));
        _cleanup_free_ uint64_t *values = malloc(LEAF_LENGTH * sizeof(*values));
        if (!root || !values)
                return -ENOMEM;
        uint64_t root_addr = pageheap + TCMALLOC_PAGEMAP_ROOT;
        if (!core_read(c, root_addr, root, TCMALLOC_PAGEMAP_ROOT_LENGTH * sizeof(*root))) {
                warnings_add(w, "heap", root_addr, "tcmalloc pagemap root is not in the core: no span is read");
                return 0;
        }
        struct pagemap_walk pw = { .c = c, .h = h, .w = w };
        for (uint64_t i = 0; i < TCMALLOC_PAGEMAP_ROOT_LENGTH && pw.next_page != UINT64_MAX; i++) {
                if (root[i] == 0)
                        continue;
                int r = walk_leaf(&pw, i, root[i], values);
                if (r < 0)
                        return r;
        }
        return 0;
}
