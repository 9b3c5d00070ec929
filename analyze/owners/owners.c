/*
 * The owners stage: who holds the memory.  Root refs are grouped into
 * holders (owners_holders.c); then over the graph
 *
 *     virtual root -> every holder -> blocks (root refs)
 *     virtual root -> every definite leak (the head of each leaked structure)
 *     block -> block (every ref, start and interior pointers alike)
 *
 * each block's immediate dominator (dominator.c) and its retained size:
 * its own bytes (chunks.size) plus those of every block it dominates.
 * Used blocks that neither a holder nor a definite leak reaches (a leaked
 * cycle whose blocks all point at each other, blocks the reach index
 * refused) get a virtual root edge too, in address order, each from the
 * lowest-address block not yet reached: that block heads its structure.
 *
 * Vertices: holders 0..H-1, chunk c at H + c, the virtual root last, so
 * its row of edges is the last one and can grow.  Everything but the
 * per-chunk results is freed before the stage returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dominator.h"
#include "owners.h"

#include "analyze/stages.h"
#include "common/cleanup.h"
#include "common/log.h"

struct graph {
        uint32_t n, root, nholders;
        uint32_t *off;   /* n + 1 */
        uint32_t *adj;
        uint32_t nadj, cap;
};

static void graph_free(struct graph *g)
{
        free(g->off);
        free(g->adj);
        *g = (struct graph){ 0 };
}

/* The CSR of every edge but the virtual root's, whose row (holders and definite leaks) comes last. */
static int graph_build(const struct analysis *a, const struct owners_result *o, struct graph *g)
{
        const struct ref *refs = a->reach.refs;
        size_t nrefs = a->reach.nrefs, nchunks = a->heap.nchunks;
        uint64_t n = (uint64_t)o->nholders + nchunks + 1, ndef = 0;
        if (n >= INT32_MAX)
                return -E2BIG;
        for (size_t c = 0; c < nchunks; c++)
                ndef += a->heap.chunks[c].state == CHUNK_USED && a->heap.chunks[c].leak == LEAK_DEFINITE;
        uint64_t cap = nrefs + o->nholders + ndef + 1;
        if (cap >= UINT32_MAX)
                return -E2BIG;
        *g = (struct graph){ .n = (uint32_t)n, .root = (uint32_t)n - 1, .nholders = (uint32_t)o->nholders,
                             .off = calloc(n + 1, sizeof(uint32_t)), .adj = malloc(cap * sizeof(uint32_t)),
                             .cap = (uint32_t)cap };
        if (!g->off || !g->adj)
                return -ENOMEM;

        /* Counts per source in off[v + 1], then starts, then filled (off[v] moves to the row's end, shifted back after). */
        for (size_t k = 0; k < nrefs; k++) {
                uint32_t from = refs[k].from_chunk == NO_ID ? (uint32_t)o->ref_root[k] : g->nholders + (uint32_t)refs[k].from_chunk;
                g->off[from + 1]++;
        }
        g->off[g->root + 1] = (uint32_t)(o->nholders + ndef);
        for (uint32_t v = 0; v < g->n; v++)
                g->off[v + 1] += g->off[v];
        for (size_t k = 0; k < nrefs; k++) {
                uint32_t from = refs[k].from_chunk == NO_ID ? (uint32_t)o->ref_root[k] : g->nholders + (uint32_t)refs[k].from_chunk;
                g->adj[g->off[from]++] = g->nholders + (uint32_t)refs[k].to_chunk;
        }
        for (uint32_t h = 0; h < g->nholders; h++)
                g->adj[g->off[g->root]++] = h;
        for (size_t c = 0; c < nchunks; c++)
                if (a->heap.chunks[c].state == CHUNK_USED && a->heap.chunks[c].leak == LEAK_DEFINITE)
                        g->adj[g->off[g->root]++] = g->nholders + (uint32_t)c;
        for (uint32_t v = g->n; v > 0; v--)
                g->off[v] = g->off[v - 1];
        g->off[0] = 0;
        g->nadj = g->off[g->n];
        return 0;
}

/*
 * Gives the virtual root an edge to each used block still unreached
 * (idom -1), lowest address first, marking what each new head reaches.
 * Returns how many it added, or -ENOMEM.
 */
static long add_heads(const struct analysis *a, struct graph *g, int32_t *idom, uint32_t *stack)
{
        long added = 0;
        for (size_t c = 0; c < a->heap.nchunks; c++) {
                uint32_t v = g->nholders + (uint32_t)c;
                if (a->heap.chunks[c].state != CHUNK_USED || idom[v] != -1)
                        continue;
                if (g->nadj == g->cap) {
                        uint32_t cap = g->cap + g->cap / 2 + 16;
                        uint32_t *adj = realloc(g->adj, (size_t)cap * sizeof(*adj));
                        if (!adj)
                                return -ENOMEM;
                        g->adj = adj;
                        g->cap = cap;
                }
                g->adj[g->nadj++] = v;
                g->off[g->n] = g->nadj;
                added++;
                /* Marked with -2 until the next dominator_tree overwrites every idom. */
                size_t sp = 0;
                idom[v] = -2;
                stack[sp++] = v;
                while (sp) {
                        uint32_t x = stack[--sp];
                        for (uint32_t e = g->off[x]; e < g->off[x + 1]; e++)
                                if (idom[g->adj[e]] == -1) {
                                        idom[g->adj[e]] = -2;
                                        stack[sp++] = g->adj[e];
                                }
                }
        }
        return added;
}

static int compute(const struct analysis *a, struct owners_result *out, struct warnings *w)
{
        _cleanup_(graph_free) struct graph g = { 0 };
        _cleanup_free_ int32_t *idom = NULL;
        _cleanup_free_ uint32_t *order = NULL;
        uint32_t m = 0;
        int r;

        if ((r = owners_holders_build(a, out, w)) < 0)
                return r;
        if (a->heap.nchunks == 0)
                return 0;
        if ((r = graph_build(a, out, &g)) < 0)
                return r;
        if (!(idom = malloc((size_t)g.n * sizeof(*idom))) || !(order = malloc((size_t)g.n * sizeof(*order))))
                return -ENOMEM;
        if ((r = dominator_tree(g.n, g.off, g.adj, g.root, idom, order, &m)) < 0)
                return r;
        long heads = add_heads(a, &g, idom, order);
        if (heads < 0)
                return (int)heads;
        if (heads > 0) {
                log_debug("owners: %ld used blocks head structures no root or definite leak reaches", heads);
                if ((r = dominator_tree(g.n, g.off, g.adj, g.root, idom, order, &m)) < 0)
                        return r;
        }
        uint32_t n = g.n;
        graph_free(&g);

        /* Blocks each holder dominates, then bytes: one sum up the tree each, in one array. */
        _cleanup_free_ uint64_t *value = calloc(n, sizeof(*value));
        uint32_t nholders = (uint32_t)out->nholders, root = (uint32_t)(out->nholders + a->heap.nchunks);
        if (!value)
                return -ENOMEM;
        for (size_t c = 0; c < a->heap.nchunks; c++)
                value[nholders + c] = a->heap.chunks[c].state == CHUNK_USED;
        dominator_sum(idom, order, m, value);
        for (uint32_t h = 0; h < nholders; h++)
                out->holders[h].blocks = value[h];
        for (size_t c = 0; c < a->heap.nchunks; c++)
                value[nholders + c] = a->heap.chunks[c].state == CHUNK_USED ? a->heap.chunks[c].size : 0;
        for (uint32_t h = 0; h <= nholders; h++)
                value[h == nholders ? root : h] = 0;
        dominator_sum(idom, order, m, value);
        for (uint32_t h = 0; h < nholders; h++)
                out->holders[h].retained = value[h];
        free(order);
        order = NULL;

        /* The per-chunk results: the chunk part of value becomes retained, and idom is renumbered in place. */
        out->idom = malloc((a->heap.nchunks ? a->heap.nchunks : 1) * sizeof(*out->idom));
        if (!out->idom)
                return -ENOMEM;
        for (size_t c = 0; c < a->heap.nchunks; c++) {
                int32_t d = idom[nholders + c];
                if (a->heap.chunks[c].state != CHUNK_USED || d < 0 || (uint32_t)d == root)
                        out->idom[c] = NO_ID;
                else
                        out->idom[c] = (uint32_t)d < nholders ? owners_idom_holder((size_t)d) : d - (int32_t)nholders;
        }
        free(idom);
        idom = NULL;
        memmove(value, value + nholders, a->heap.nchunks * sizeof(*value));
        uint64_t *fit = realloc(value, (a->heap.nchunks ? a->heap.nchunks : 1) * sizeof(*value));
        out->retained = fit ? fit : value;
        value = NULL;
        return 0;
}

int owners_compute(struct analysis *a)
{
        int r = compute(a, &a->owners, &a->warnings);
        if (r == -E2BIG)
                return log_error_errno(r, "cannot analyze '%s': the heap graph has more than 2^31 blocks and roots or 2^32 edges", a->opt.core_path);
        if (r < 0)
                return log_error_errno(r, "cannot analyze '%s': dominators: %m", a->opt.core_path);
        log_debug("owners: %zu root holders", a->owners.nholders);
        return 0;
}

void owners_reset(struct analysis *a)
{
        struct owners_result *o = &a->owners;
        for (size_t h = 0; h < o->nholders; h++) {
                free(o->holders[h].symbol);
                free(o->holders[h].name);
        }
        free(o->holders);
        free(o->ref_root);
        free(o->idom);
        free(o->retained);
        *o = (struct owners_result){ 0 };
}
