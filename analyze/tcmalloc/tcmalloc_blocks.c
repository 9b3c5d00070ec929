/*
 * Laying out and marking a gperftools heap's blocks (tcmalloc_blocks.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/array.h"
#include "tcmalloc_blocks.h"

static enum tcmalloc_state span_state(const struct tcmalloc_span *s)
{
        if (s->location == TCMALLOC_ON_NORMAL_FREELIST)
                return TCMALLOC_PAGEHEAP;
        if (s->location == TCMALLOC_ON_RETURNED_FREELIST)
                return TCMALLOC_RETURNED;
        return TCMALLOC_USED;
}

static int append(struct tcmalloc_heap *h, uint64_t address, uint64_t size, uint32_t span, uint8_t cl, uint8_t state)
{
        if (ARRAY_RESERVE(h->blocks, h->blocks_cap, h->nblocks + 1) < 0)
                return -ENOMEM;
        h->blocks[h->nblocks++] = (struct tcmalloc_block){
                .address = address, .size = size, .span = span, .sizeclass = cl, .state = state,
        };
        return 0;
}

int tcmalloc_blocks_build(struct tcmalloc_heap *h, struct tcmalloc_blocks *b, bool *capped)
{
        *capped = false;
        b->first = calloc(h->nspans ? h->nspans : 1, sizeof(*b->first));
        if (!b->first)
                return -ENOMEM;
        for (size_t i = 0; i < h->nspans; i++) {
                const struct tcmalloc_span *s = &h->spans[i];
                b->first[i] = h->nblocks;
                uint64_t bytes = s->pages << TCMALLOC_PAGE_SHIFT;
                if (s->sizeclass == 0) {
                        if (h->nblocks >= TCMALLOC_BLOCKS_MAX) {
                                *capped = true;
                                b->first[i] = UINT64_MAX;
                                continue;
                        }
                        if (append(h, s->start, bytes, (uint32_t)i, 0, span_state(s)) < 0)
                                return -ENOMEM;
                        continue;
                }
                uint64_t size = h->classes[s->sizeclass].size;
                uint64_t n = bytes / size;
                if (h->nblocks + n > TCMALLOC_BLOCKS_MAX) {
                        *capped = true;
                        b->first[i] = UINT64_MAX;
                        continue;
                }
                h->classes[s->sizeclass].spans++;
                for (uint64_t k = 0; k < n; k++)
                        if (append(h, s->start + k * size, size, (uint32_t)i, s->sizeclass, TCMALLOC_USED) < 0)
                                return -ENOMEM;
        }
        return 0;
}

ptrdiff_t tcmalloc_blocks_span(const struct tcmalloc_heap *h, uint64_t addr)
{
        size_t lo = 0, hi = h->nspans;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const struct tcmalloc_span *s = &h->spans[mid];
                if (addr < s->start)
                        hi = mid;
                else if (addr - s->start >= s->pages << TCMALLOC_PAGE_SHIFT)
                        lo = mid + 1;
                else
                        return (ptrdiff_t)mid;
        }
        return -1;
}

/* The block of the object at addr of class cl, or NULL with *m saying why not. */
static struct tcmalloc_block *object_at(const struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, uint64_t addr,
                                        uint32_t cl, enum tcmalloc_mark *m)
{
        ptrdiff_t i = tcmalloc_blocks_span(h, addr);
        if (i < 0 || h->spans[i].sizeclass != cl || cl == 0 || b->first[i] == UINT64_MAX) {
                *m = TCMALLOC_MARK_NO_SPAN;
                return NULL;
        }
        const struct tcmalloc_span *s = &h->spans[i];
        uint64_t size = h->classes[cl].size;
        uint64_t k = (addr - s->start) / size;
        if ((addr - s->start) % size != 0 || k >= (s->pages << TCMALLOC_PAGE_SHIFT) / size) {
                *m = TCMALLOC_MARK_MISALIGNED;
                return NULL;
        }
        struct tcmalloc_block *blk = &h->blocks[b->first[i] + k];
        *m = blk->state == TCMALLOC_USED ? TCMALLOC_MARKED : TCMALLOC_MARK_TWICE;
        return blk;
}

enum tcmalloc_mark tcmalloc_blocks_check(const struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, uint64_t addr,
                                         uint32_t cl)
{
        enum tcmalloc_mark m;
        object_at(h, b, addr, cl, &m);
        return m;
}

enum tcmalloc_mark tcmalloc_blocks_mark(struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, uint64_t addr,
                                        uint32_t cl, enum tcmalloc_state state)
{
        enum tcmalloc_mark m;
        struct tcmalloc_block *blk = object_at(h, b, addr, cl, &m);
        if (m == TCMALLOC_MARKED)
                blk->state = (uint8_t)state;
        return m;
}

const char *tcmalloc_blocks_mark_reason(enum tcmalloc_mark m)
{
        switch (m) {
        case TCMALLOC_MARK_NO_SPAN:
                return "is in no in-use span of its size class";
        case TCMALLOC_MARK_MISALIGNED:
                return "is not at the start of an object";
        case TCMALLOC_MARK_TWICE:
                return "is already free: on another list, or this list loops";
        case TCMALLOC_MARKED:
                break;
        }
        return "was marked";
}

void tcmalloc_blocks_free(struct tcmalloc_blocks *b)
{
        free(b->first);
        b->first = NULL;
}
