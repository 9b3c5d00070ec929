/*
 * The arena free lists: fastbins (singly linked through fd, safe-linked
 * since 2.32: stored = (&fd >> 12) ^ next) and the doubly linked bins of
 * malloc_state.bins — 1 unsorted, 2..63 small (one size each), 64..126
 * large.  The doubly linked bins are followed through bk from the bin's
 * last chunk, as int_mallinfo does, so the chunks counted here are the ones
 * mallinfo counts; fd is checked against the way back.
 *
 * Each list walk is capped (no list can be longer than there are chunks)
 * and ends, with a warning naming the address, at a misaligned pointer, a
 * pointer to no chunk of the walk, or a chunk seen before (a loop).
 */
#include <stdio.h>

#include "glibc_bins.h"
#include "glibc_chunks.h"

/* The list walks' message prefix: "fastbin 3 of arena 0x7f..." */
struct list_name {
        char text[96];
};

static struct list_name name_of(const char *what, unsigned index, uint64_t arena)
{
        struct list_name n;
        snprintf(n.text, sizeof(n.text), "%s %u of arena 0x%llx", what, index, (unsigned long long)arena);
        return n;
}

static bool on_list_of_kind(const struct chunk *c, enum chunk_bin bin)
{
        if (bin == BIN_FAST)
                return c->bin == BIN_FAST;
        return c->bin == BIN_UNSORTED || c->bin == BIN_SMALL || c->bin == BIN_LARGE;
}

/*
 * One step of a list walk, the same for fastbins and bins: the n-th chunk
 * of the list, at p, must be a chunk of the heap walk, not on a list of
 * this kind already (a loop), and no list is longer than there are
 * chunks.  Returns it marked free in bin, with a warning when it belongs
 * to another arena; NULL, with a warning, when the list ends at p.
 */
static struct chunk *list_step(struct heap_ctx *h, const char *name, size_t n, uint64_t p, size_t arena_id,
                               enum chunk_bin bin)
{
        if (n > h->out->nchunks) {
                warnings_add(h->w, "heap", p, "%s: longer than there are chunks; not followed past 0x%llx", name,
                             (unsigned long long)p);
                return NULL;
        }
        ssize_t k = glibc_chunk_find(h->out, p);
        if (k < 0) {
                warnings_add(h->w, "heap", p, "%s: 0x%llx is not a chunk of the heap walk; the list ends there", name,
                             (unsigned long long)p);
                return NULL;
        }
        struct chunk *c = &h->out->chunks[k];
        if (on_list_of_kind(c, bin)) {
                warnings_add(h->w, "heap", p, "%s loops: it comes back to chunk 0x%llx; the list ends there", name,
                             (unsigned long long)p);
                return NULL;
        }
        if (c->arena_id != (int)arena_id)
                warnings_add(h->w, "heap", p, "%s holds chunk 0x%llx of another arena", name, (unsigned long long)p);
        glibc_chunk_mark_free(h, (size_t)k, bin, name);
        return c;
}

static void walk_fastbin(struct heap_ctx *h, size_t arena_id, unsigned fb)
{
        const struct glibc_arena_state *s = &h->states[arena_id];
        const struct list_name name = name_of("fastbin", fb, s->address);
        uint64_t want = GLIBC_MINSIZE + (uint64_t)fb * GLIBC_MALLOC_ALIGNMENT; /* malloc.c fastbin_index */
        uint64_t p = s->fastbins[fb];

        for (size_t n = 0; p; n++) {
                if (p & (GLIBC_MALLOC_ALIGNMENT - 1)) {
                        warnings_add(h->w, "heap", p, "%s: misaligned chunk pointer 0x%llx; the list ends there", name.text,
                                     (unsigned long long)p);
                        return;
                }
                const struct chunk *c = list_step(h, name.text, n, p, arena_id, BIN_FAST);
                if (!c)
                        return;
                if (c->size != want)
                        warnings_add(h->w, "heap", p, "%s holds chunk 0x%llx of size %llu, not %llu", name.text,
                                     (unsigned long long)p, (unsigned long long)c->size, (unsigned long long)want);
                uint64_t fd;
                if (!glibc_mem_u64(&h->mem, p + 16, &fd)) {
                        warnings_add(h->w, "heap", p, "%s: the fd of chunk 0x%llx is not in the core", name.text, (unsigned long long)p);
                        return;
                }
                p = h->layout.safe_linking ? glibc_layout_reveal_ptr(p + 16, fd) : fd;
        }
}

static enum chunk_bin kind_of_bin(unsigned i)
{
        return i == 1 ? BIN_UNSORTED : i < GLIBC_NSMALLBINS ? BIN_SMALL : BIN_LARGE;
}

static void walk_bin(struct heap_ctx *h, size_t arena_id, unsigned i)
{
        const struct glibc_arena_state *s = &h->states[arena_id];
        /* malloc.c bin_at: the bin's fd/bk pair, seen as a chunk whose fd sits there */
        uint64_t b = s->address + (uint64_t)h->layout.ms_bins + 16 * (uint64_t)(i - 1) - 16;
        uint64_t fd = s->bins[2 * (i - 1)], bk = s->bins[2 * (i - 1) + 1];
        if (fd == b && bk == b)
                return;

        const struct list_name name = name_of(i == 1 ? "unsorted bin" : i < GLIBC_NSMALLBINS ? "small bin" : "large bin",
                                              i, s->address);
        enum chunk_bin kind = kind_of_bin(i);
        uint64_t prev = b, p = bk;
        bool fd_warned = false;

        for (size_t n = 0; p != b; n++) {
                if (!p || (p & (GLIBC_MALLOC_ALIGNMENT - 1))) {
                        warnings_add(h->w, "heap", prev, "%s: bad bk pointer 0x%llx after 0x%llx; the list ends there", name.text,
                                     (unsigned long long)p, (unsigned long long)prev);
                        return;
                }
                const struct chunk *c = list_step(h, name.text, n, p, arena_id, kind);
                if (!c)
                        return;
                if (i > 1 && glibc_layout_bin_index(c->size) != i)
                        warnings_add(h->w, "heap", p, "%s holds chunk 0x%llx of size %llu, which belongs in bin %u", name.text,
                                     (unsigned long long)p, (unsigned long long)c->size, glibc_layout_bin_index(c->size));

                uint64_t links[2];
                if (!glibc_mem_u64(&h->mem, p + 16, &links[0]) || !glibc_mem_u64(&h->mem, p + 24, &links[1])) {
                        warnings_add(h->w, "heap", p, "%s: the links of chunk 0x%llx are not in the core", name.text,
                                     (unsigned long long)p);
                        return;
                }
                if (links[0] != prev && !fd_warned) {
                        warnings_add(h->w, "heap", p, "%s: chunk 0x%llx has fd 0x%llx, but the list reaches it from 0x%llx (corrupted links)",
                                     name.text, (unsigned long long)p, (unsigned long long)links[0], (unsigned long long)prev);
                        fd_warned = true;
                }
                prev = p;
                p = links[1];
        }
        if (fd != prev && !fd_warned)
                warnings_add(h->w, "heap", b, "%s: its fd 0x%llx is not the last chunk reached through bk (0x%llx)", name.text,
                             (unsigned long long)fd, (unsigned long long)prev);
}

void glibc_bins_classify(struct heap_ctx *h)
{
        for (size_t i = 0; i < h->out->narenas; i++) {
                for (unsigned fb = 0; fb < h->layout.nfastbins; fb++)
                        walk_fastbin(h, i, fb);
                for (unsigned b = 1; b < GLIBC_NBINS; b++)
                        walk_bin(h, i, b);
        }
}
