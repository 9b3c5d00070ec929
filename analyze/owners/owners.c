/*
 * The owners stage: who holds the memory.  Root refs are grouped into
 * holders (owners_holders.c); then over the graph
 *
 *     virtual root -> every holder -> blocks (root refs)
 *     virtual root -> every definite leak (the head of each leaked structure),
 *                     and every used block the reach stage gave no verdict
 *     block -> block (every ref, start and interior pointers alike)
 *
 * each block's immediate dominator (dominator.c) and its retained size:
 * its own bytes (chunks.size) plus those of every block it dominates.
 * Used blocks that neither a holder nor a definite leak reaches (a leaked
 * cycle whose blocks all point at each other, blocks the reach index
 * refused) get a virtual root edge too, in address order, each from the
 * lowest-address block not yet reached: that block heads its structure.
 *
 * Vertices: holders 0..H-1, the used chunks in address order from H, the
 * virtual root last, so its row of edges is the last one and can grow.  Everything but the
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
        uint32_t *off; /* n + 1 */
        uint32_t *adj;
        uint32_t nadj, cap;
};

static void graph_free(struct graph *g)
{
        free(g->off);
        free(g->adj);
        *g = (struct graph){ 0 };
}

/* A used block no root or block points at by the reach stage's account: the virtual root holds it. */
static bool is_head(const struct chunk *c)
{
        return c->state == CHUNK_USED && (c->leak == LEAK_DEFINITE || c->leak == LEAK_NONE);
}

/*
 * The CSR of every edge, the virtual root's row (holders, then heads) last.
 * vid[c] is chunk c's vertex (holders + its rank among the used chunks),
 * NO_ID for chunks not used; a temporary of the build.
 */
static int graph_build(const struct analysis *a, const struct owners_result *o, struct graph *g)
{
        const struct ref *refs = a->reach.refs;
        size_t nrefs = a->reach.nrefs, nchunks = a->heap.nchunks;
        uint64_t used = 0, nheads = 0;
        for (size_t c = 0; c < nchunks; c++) {
                used += a->heap.chunks[c].state == CHUNK_USED;
                nheads += is_head(&a->heap.chunks[c]);
        }
        uint64_t n = (uint64_t)o->nholders + used + 1, cap = nrefs + o->nholders + nheads + 1;
        if (n >= INT32_MAX || cap >= UINT32_MAX)
                return -E2BIG;
        _cleanup_free_ int32_t *vid = malloc((nchunks ? nchunks : 1) * sizeof(*vid));
        *g = (struct graph){ .n = (uint32_t)n,
                             .root = (uint32_t)n - 1,
                             .nholders = (uint32_t)o->nholders,
                             .off = calloc(n + 1, sizeof(uint32_t)),
                             .adj = malloc(cap * sizeof(uint32_t)),
                             .cap = (uint32_t)cap };
        if (!vid || !g->off || !g->adj)
                return -ENOMEM;
        uint32_t k = g->nholders;
        for (size_t c = 0; c < nchunks; c++)
                vid[c] = a->heap.chunks[c].state == CHUNK_USED ? (int32_t)k++ : NO_ID;

        /* Counts per source in off[v + 1], then starts, then filled (off[v] moves to the row's end; shifted back). */
        uint32_t dropped = 0;
        for (size_t x = 0; x < nrefs; x++) {
                int32_t from = refs[x].from_chunk == NO_ID ? o->ref_root[x] : vid[refs[x].from_chunk];
                if (from < 0 || vid[refs[x].to_chunk] < 0) {
                        dropped++;
                        continue;
                }
                g->off[from + 1]++;
        }
        g->off[g->root + 1] = (uint32_t)(o->nholders + nheads);
        for (uint32_t v = 0; v < g->n; v++)
                g->off[v + 1] += g->off[v];
        for (size_t x = 0; x < nrefs; x++) {
                int32_t from = refs[x].from_chunk == NO_ID ? o->ref_root[x] : vid[refs[x].from_chunk];
                if (from >= 0 && vid[refs[x].to_chunk] >= 0)
                        g->adj[g->off[from]++] = (uint32_t)vid[refs[x].to_chunk];
        }
        for (uint32_t h = 0; h < g->nholders; h++)
                g->adj[g->off[g->root]++] = h;
        for (size_t c = 0; c < nchunks; c++)
                if (is_head(&a->heap.chunks[c]))
                        g->adj[g->off[g->root]++] = (uint32_t)vid[c];
        for (uint32_t v = g->n; v > 0; v--)
                g->off[v] = g->off[v - 1];
        g->off[0] = 0;
        g->nadj = g->off[g->n];
        if (dropped)
                log_debug("owners: %u refs from or to a chunk not used left out", dropped);
        return 0;
}

/*
 * Gives the virtual root an edge to each used block still unreached (idom
 * -1; the reach stage's verdicts leave none, but the rule must hold
 * whatever they say), lowest address first, marking what each new head
 * reaches.  Returns how many it added, or -ENOMEM.
 */
static long add_heads(struct graph *g, int32_t *idom, uint32_t *stack)
{
        long added = 0;
        for (uint32_t v = g->nholders; v < g->root; v++) {
                if (idom[v] != -1)
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
        uint32_t n = g.n, nholders = g.nholders, root = g.root;
        if (!(idom = malloc((size_t)n * sizeof(*idom))) || !(order = malloc((size_t)n * sizeof(*order))))
                return -ENOMEM;
        /* The graph goes as soon as the pass has its predecessors. */
        if ((r = dominator_tree_consume(n, &g.off, &g.adj, root, idom, order, &m)) < 0)
                return r;
        if (m < n) {
                /* Vertices not reached: used blocks no holder or head reaches; the graph again, with heads. */
                graph_free(&g);
                if ((r = graph_build(a, out, &g)) < 0)
                        return r;
                long heads = add_heads(&g, idom, order);
                if (heads < 0)
                        return (int)heads;
                log_debug("owners: %ld used blocks head structures no holder or definite leak reaches", heads);
                if ((r = dominator_tree_consume(n, &g.off, &g.adj, root, idom, order, &m)) < 0)
                        return r;
        }
        graph_free(&g);

        /* Blocks each holder dominates, then bytes: one sum up the tree each, in one array. */
        _cleanup_free_ uint64_t *value = calloc(n, sizeof(*value));
        if (!value)
                return -ENOMEM;
        for (uint32_t v = nholders; v < root; v++)
                value[v] = 1;
        dominator_sum(idom, order, m, value);
        for (uint32_t h = 0; h < nholders; h++)
                out->holders[h].blocks = value[h];
        /* Every used block's entry is set below; the holders' and the virtual root's are what is left to clear. */
        memset(value, 0, (size_t)nholders * sizeof(*value));
        value[root] = 0;
        for (size_t c = 0, v = nholders; c < a->heap.nchunks; c++)
                if (a->heap.chunks[c].state == CHUNK_USED)
                        value[v++] = a->heap.chunks[c].size;
        dominator_sum(idom, order, m, value);
        for (uint32_t h = 0; h < nholders; h++)
                out->holders[h].retained = value[h];
        /*
         * The per-chunk results, by chunk, in the arrays at hand (fresh pages
         * cost more than the work): order becomes each used vertex's chunk,
         * idom and value are turned into chunk terms, moved down to index
         * 0 = the first used chunk, grown to every chunk and spread out from
         * the end, where used chunk k goes to its index c >= k.
         */
        size_t nchunks = a->heap.nchunks, used = root - nholders;
        for (size_t c = 0, v = nholders; c < nchunks; c++)
                if (a->heap.chunks[c].state == CHUNK_USED)
                        order[v++] = (uint32_t)c;
        for (uint32_t v = nholders; v < root; v++) {
                int32_t d = idom[v];
                idom[v] = d < 0 || (uint32_t)d == root ? NO_ID
                          : (uint32_t)d < nholders     ? owners_idom_holder((size_t)d)
                                                       : (int32_t)order[d];
        }
        free(order);
        order = NULL;
        memmove(idom, idom + nholders, used * sizeof(*idom));
        memmove(value, value + nholders, used * sizeof(*value));
        int32_t *idom_by_chunk = realloc(idom, (nchunks ? nchunks : 1) * sizeof(*idom));
        if (!idom_by_chunk)
                return -ENOMEM;
        idom = NULL;
        out->idom = idom_by_chunk;
        uint64_t *retained = realloc(value, (nchunks ? nchunks : 1) * sizeof(*value));
        if (!retained)
                return -ENOMEM;
        value = NULL;
        out->retained = retained;
        for (size_t c = nchunks, k = used; c-- > 0;) {
                if (a->heap.chunks[c].state == CHUNK_USED) {
                        k--;
                        out->idom[c] = out->idom[k];
                        out->retained[c] = out->retained[k];
                } else {
                        out->idom[c] = NO_ID;
                        out->retained[c] = 0;
                }
        }
        return 0;
}

int owners_compute(struct analysis *a)
{
        int r = compute(a, &a->owners, &a->warnings);
        if (r == -E2BIG)
                return log_error_errno(
                        r, "cannot analyze '%s': the heap graph has more than 2^31 blocks and roots or 2^32 edges",
                        a->opt.core_path);
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
