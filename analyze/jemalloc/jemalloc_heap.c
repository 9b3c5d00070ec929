/*
 * jemalloc's walker (analyze/heap.h): runs the layers of jemalloc.h in
 * order and hands on the blocks, and the memory jemalloc holds (its
 * extents, and the base blocks its metadata lives in: edata_t, radix tree
 * leaves, arenas) as heap ranges, so that the heap-kinds stage makes heap
 * of those mappings and reachability never takes jemalloc's own records
 * of a block (an edata_t's e_addr) for a root that holds it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "analyze/heap.h"
#include "jemalloc.h"

#define BASE_BLOCKS_MAX 65536       /* base_block_t per arena, each at least a huge page: 128 GiB of metadata */
#define BASE_BLOCKS 160             /* base_structs.h base_s.blocks; base_block_t: size, next */

static int add_range(struct heap_range **v, size_t *n, size_t *cap, uint64_t start, uint64_t end)
{
        if (*n && (*v)[*n - 1].end == start) {
                (*v)[*n - 1].end = end;
                return 0;
        }
        if (ARRAY_RESERVE(*v, *cap, *n + 1) < 0)
                return -ENOMEM;
        (*v)[(*n)++] = (struct heap_range){ start, end, NO_ID };
        return 0;
}

static int list_ranges(struct je_ctx *x)
{
        const struct core *c = &x->a->core;
        struct heap_range *v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        for (size_t i = 0; i < x->out->nextents && r == 0; i++) {
                const struct jemalloc_extent *e = &x->out->extents[i];
                uint64_t base = e->address & ~(JE_PAGE - 1);
                r = add_range(&v, &n, &cap, base, base + e->size);
        }
        for (size_t i = 0; i < x->out->narenas && r == 0; i++) {
                uint64_t b;
                size_t first = n;
                if (!x->out->arenas[i].base || !core_read_u64(c, x->out->arenas[i].base + BASE_BLOCKS, &b))
                        continue;
                for (size_t k = 0; b && r == 0; k++) {
                        uint64_t size;
                        if (k == BASE_BLOCKS_MAX || !core_read_u64(c, b, &size) || !size || size > 1ull << JE_LG_VADDR) {
                                warnings_add(x->w, "heap", b, "jemalloc: arena %u's base block 0x%llx cannot be read or its list does not end; the rest are not listed",
                                             x->out->arenas[i].ind, (unsigned long long)b);
                                break;
                        }
                        /* A block met again (its ranges are listed) closes a cycle. */
                        bool seen = false;
                        for (size_t m = first; m < n && !seen; m++)
                                seen = v[m].start <= b && b < v[m].end;
                        if (seen) {
                                warnings_add(x->w, "heap", b, "jemalloc: arena %u's list of base blocks comes back to 0x%llx: a cycle; the rest are not listed",
                                             x->out->arenas[i].ind, (unsigned long long)b);
                                break;
                        }
                        r = add_range(&v, &n, &cap, b, b + size);
                        if (r == 0 && !core_read_u64(c, b + 8, &b))
                                break;
                }
        }
        if (r == 0)
                r = heap_ranges_append(&x->a->heap, v, n);
        free(v);
        return r;
}

static void je_ctx_free(struct je_ctx *x)
{
        free(x->cached);
        free(x->blocks);
}

int jemalloc_heap_walk(struct analysis *a, struct allocator *row)
{
        _cleanup_(je_ctx_free) struct je_ctx x = { .a = a, .w = &a->warnings, .out = &a->heap.jemalloc, .module_id = row->module_id };
        int r = 0;

        /* A second jemalloc (two copies linked in) is named but not walked: the tables hold one. */
        if (row->module_id == NO_ID || x.out->found_by)
                return 0;
        if (!jemalloc_find(&x))
                return 0;
        if ((r = jemalloc_extents_collect(&x)) < 0 || (r = jemalloc_tcache_collect(&x)) < 0 ||
            (r = jemalloc_blocks_collect(&x)) < 0)
                return r;
        if ((r = heap_chunks_append(&a->heap, x.blocks, x.nblocks)) < 0 || (r = list_ranges(&x)) < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        char *evidence;
        if (asprintf(&evidence, "%s; arenas at 0x%llx, extent map at 0x%llx (found by %s)", row->evidence,
                     (unsigned long long)x.out->arenas_at, (unsigned long long)x.out->emap_at, x.out->found_by) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        free(row->evidence);
        row->evidence = evidence;
        row->state = ALLOCATOR_IN_USE;
        row->walked = true;
        log_debug("jemalloc: %zu arenas, %zu extents, %zu blocks, %zu thread caches (found by %s)", x.out->narenas,
                  x.out->nextents, x.nblocks, x.out->ntcaches, x.out->found_by);
        return 0;
}

void jemalloc_heap_reset(struct heap_result *heap)
{
        struct jemalloc_heap *j = &heap->jemalloc;
        free(j->arenas);
        free(j->extents);
        free(j->bins);
        free(j->lextents);
        free(j->tcaches);
        *j = (struct jemalloc_heap){ 0 };
}
