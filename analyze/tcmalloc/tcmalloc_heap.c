/*
 * The tcmalloc walker in the heap stage (heap.h): finds gperftools' statics
 * in its module, by the module's symbols where they name them (a debug
 * file's symbol table names the hidden Static members; .dynsym only
 * ThreadCache::thread_heaps_) and by shape for the rest, walks the heap
 * (tcmalloc_walk.h), and hands its blocks to chunks and its spans to the
 * heap ranges.  Its own tables stay in a->heap.tcmalloc.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/heap.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "tcmalloc_find.h"
#include "tcmalloc_walk.h"

/* The symbols of mod that name what r holds; how many it found. */
static int symbols_lookup(Dwfl_Module *mod, struct tcmalloc_roots *r)
{
        static const struct { const char *name; size_t offset; } wanted[] = {
                { TCMALLOC_SYM_PAGEHEAP, offsetof(struct tcmalloc_roots, pageheap) },
                { TCMALLOC_SYM_SIZEMAP, offsetof(struct tcmalloc_roots, sizemap) },
                { TCMALLOC_SYM_CENTRAL, offsetof(struct tcmalloc_roots, central) },
                { TCMALLOC_SYM_THREAD_HEAPS, offsetof(struct tcmalloc_roots, thread_heaps) },
        };
        int found = 0;
        int n = mod ? dwfl_module_getsymtab(mod) : 0;
        for (int i = 0; i < n; i++) {
                GElf_Sym sym;
                GElf_Addr addr;
                const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
                if (!name || sym.st_shndx == SHN_UNDEF || GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
                        continue;
                for (size_t k = 0; k < ELEMENTSOF(wanted); k++) {
                        uint64_t *slot = (uint64_t *)((char *)r + wanted[k].offset);
                        if (!*slot && strcmp(name, wanted[k].name) == 0) {
                                *slot = addr;
                                found++;
                        }
                }
        }
        return found;
}

/* How the three hidden statics were known: kept from the symbols, found by shape, or both. */
static enum tcmalloc_found_by found_by(const struct tcmalloc_roots *sym, const struct tcmalloc_roots *r)
{
        int kept = (sym->pageheap && sym->pageheap == r->pageheap) + (sym->sizemap && sym->sizemap == r->sizemap) +
                   (sym->central && sym->central == r->central);
        return kept == 3 ? TCMALLOC_FOUND_SYMBOLS : kept == 0 ? TCMALLOC_FOUND_SHAPE : TCMALLOC_FOUND_BOTH;
}

static enum chunk_bin block_bin(enum tcmalloc_state s)
{
        switch (s) {
        case TCMALLOC_THREAD:
                return BIN_TCACHE;
        case TCMALLOC_CENTRAL:
                return BIN_CENTRAL;
        case TCMALLOC_TRANSFER:
                return BIN_TRANSFER;
        case TCMALLOC_PAGEHEAP:
                return BIN_PAGEHEAP;
        case TCMALLOC_RETURNED:
                return BIN_RETURNED;
        case TCMALLOC_USED:
        case TCMALLOC_STATES:
                break;
        }
        return BIN_NONE;
}

#define BATCH 1024 /* blocks handed to chunks at a time (a stack array) */

static int hand_on_blocks(struct heap_result *heap, const struct tcmalloc_heap *h)
{
        struct chunk v[BATCH];
        for (size_t i = 0; i < h->nblocks;) {
                size_t n = 0;
                for (; n < BATCH && i < h->nblocks; n++, i++) {
                        const struct tcmalloc_block *b = &h->blocks[i];
                        v[n] = (struct chunk){
                                .address = b->address,
                                .size = b->size,
                                .arena_id = NO_ID,
                                .segment_id = NO_ID,
                                .type_id = NO_ID,
                                .state = b->state == TCMALLOC_USED ? CHUNK_USED : CHUNK_FREE,
                                .bin = (uint8_t)block_bin(b->state),
                                .allocator = ALLOCATOR_TCMALLOC,
                        };
                }
                if (heap_chunks_append(heap, v, n) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* The spans as heap ranges, neighbours joined: the memory the heap-kinds stage calls heap. */
static int hand_on_ranges(struct heap_result *heap, const struct tcmalloc_heap *h)
{
        for (size_t i = 0; i < h->nspans;) {
                struct heap_range r = { .start = h->spans[i].start, .arena_id = NO_ID };
                r.end = r.start + h->spans[i].pages * h->page_size;
                for (i++; i < h->nspans && h->spans[i].start == r.end; i++)
                        r.end += h->spans[i].pages * h->page_size;
                if (heap_ranges_append(heap, &r, 1) < 0)
                        return -ENOMEM;
        }
        return 0;
}

/* Each cache's thread: on x86-64 glibc a pthread_t is the thread's struct pthread, which fs_base points to. */
static void name_threads(const struct analysis *a, struct tcmalloc_heap *h)
{
        for (size_t i = 0; i < h->ncaches; i++)
                for (size_t t = 0; t < a->threads.n; t++)
                        if (h->caches[i].pthread && a->threads.v[t].fs_base == h->caches[i].pthread)
                                h->caches[i].tid = a->threads.v[t].tid;
}

int tcmalloc_heap_walk(struct analysis *a, struct allocator *row)
{
        struct tcmalloc_heap *h = &a->heap.tcmalloc;
        h->module_id = row->module_id;
        if (row->module_id == NO_ID || (size_t)row->module_id >= a->modules.n) {
                warnings_add(&a->warnings, "heap", 0, "tcmalloc's heap is not read: the module that carries it is not known");
                return 0;
        }
        const struct module *m = &a->modules.v[row->module_id];
        struct tcmalloc_roots sym = { 0 };
        symbols_lookup(m->dwfl_mod, &sym);
        struct tcmalloc_roots r = sym;
        int ret = tcmalloc_find(&a->core, m->start, m->end, &r, &a->warnings);
        if (ret == -ENOMEM)
                return log_error_errno(ret, "no memory to walk tcmalloc's heap");
        if (ret < 0)
                return 0;
        h->found_by = found_by(&sym, &r);
        if (!r.thread_heaps)
                warnings_add(&a->warnings, "heap", m->start,
                             "tcmalloc's ThreadCache::thread_heaps_ is not in the symbols of '%s': thread caches are not read", m->path);
        ret = tcmalloc_walk(&a->core, &r, h, &a->warnings);
        name_threads(a, h);
        if (ret >= 0)
                ret = hand_on_blocks(&a->heap, h);
        if (ret >= 0)
                ret = hand_on_ranges(&a->heap, h);
        free(h->blocks);
        h->blocks = NULL;
        h->nblocks = h->blocks_cap = 0;
        if (ret < 0)
                return log_error_errno(ret, "no memory to walk tcmalloc's heap");
        row->state = ALLOCATOR_IN_USE;
        row->walked = true;
        return 0;
}

void tcmalloc_heap_reset(struct heap_result *heap)
{
        tcmalloc_heap_free(&heap->tcmalloc);
}
