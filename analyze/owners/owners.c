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
 * virtual root last.  Its edges to the holders are its row; those to the
 * heads (in a leaky heap, half the blocks) are a bit per vertex
 * (dominator.h's root_to).  Everything but the per-chunk results is freed
 * before the stage returns.
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
        uint32_t *off;     /* n + 1 */
        uint32_t *adj;
        uint64_t *root_to; /* bit v: the virtual root has an edge to vertex v (a head) */
};

static void graph_free(struct graph *g)
{
        free(g->off);
        free(g->adj);
        free(g->root_to);
        *g = (struct graph){ 0 };
}

static void root_to_set(uint64_t *root_to, uint32_t v)
{
        root_to[v / 64] |= 1ull << (v % 64);
}

/* A used block no root or block points at by the reach stage's account: the virtual root holds it. */
static bool is_head(const struct chunk *c)
{
        return c->state == CHUNK_USED && (c->leak == LEAK_DEFINITE || c->leak == LEAK_NONE);
}

/* The vertex ref x comes from: its holder (rr walks o->root_refs, which are in ref order) or its chunk's; < 0 for none. */
static inline int32_t ref_from(const struct ref *x, const struct owners_result *o, const int32_t *vid, size_t *rr)
{
        return x->from_chunk == NO_ID ? o->root_refs[(*rr)++].holder : vid[x->from_chunk];
}

/*
 * Counts each vertex's edges in off[v + 1]: by where each ref is, which
 * the refs come in order of, without looking where it points (a cache miss
 * per ref) unless check_to.  Returns how many refs it left out.
 */
static uint32_t rows_count(const struct analysis *a, const struct owners_result *o, const int32_t *vid, uint32_t *off,
                           bool check_to)
{
        uint32_t dropped = 0;
        for (size_t x = 0, rr = 0; x < a->reach.nrefs; x++) {
                const struct ref *ref = &a->reach.refs[x];
                int32_t from = ref_from(ref, o, vid, &rr);
                if (from < 0 || (check_to && vid[ref->to_chunk] < 0))
                        dropped++;
                else
                        off[from + 1]++;
        }
        return dropped;
}

/*
 * Fills the rows counted (off[v] holds row v's start and moves to its
 * end).  Returns how many counted refs it found pointing at a chunk not
 * used, whose rows are then short.
 */
static uint32_t rows_fill(const struct analysis *a, const struct owners_result *o, const int32_t *vid, uint32_t *off,
                          uint32_t *adj)
{
        uint32_t short_by = 0;
        for (size_t x = 0, rr = 0; x < a->reach.nrefs; x++) {
                const struct ref *ref = &a->reach.refs[x];
                /* The targets are all over the heap: ask for them ahead, so the misses overlap. */
                if (x + 16 < a->reach.nrefs)
                        __builtin_prefetch(&vid[a->reach.refs[x + 16].to_chunk]);
                int32_t from = ref_from(ref, o, vid, &rr);
                if (from < 0)
                        continue;
                int32_t to = vid[ref->to_chunk];
                if (to < 0)
                        short_by++;
                else
                        adj[off[from]++] = (uint32_t)to;
        }
        return short_by;
}

/* Turns counts in off[v + 1] into row starts in off[v]. */
static void rows_start(struct graph *g)
{
        g->off[0] = 0;
        g->off[g->root + 1] = g->nholders;
        for (uint32_t v = 0; v < g->n; v++)
                g->off[v + 1] += g->off[v];
}

/*
 * The CSR of every edge, the virtual root's row (the holders) last, and
 * its edges to the heads in root_to.
 * vid[c] is chunk c's vertex (holders + its rank among the used chunks),
 * NO_ID for chunks not used; a temporary of the build, handed to the
 * caller in *scratch (its pages are at hand: cheaper than fresh ones).
 */
static int graph_build(const struct analysis *a, const struct owners_result *o, struct graph *g, int32_t **scratch)
{
        size_t nrefs = a->reach.nrefs, nchunks = a->heap.nchunks;
        uint64_t used = 0;
        for (size_t c = 0; c < nchunks; c++)
                used += a->heap.chunks[c].state == CHUNK_USED;
        uint64_t n = (uint64_t)o->nholders + used + 1, cap = nrefs + o->nholders + 1;
        if (n >= INT32_MAX || cap >= INT32_MAX)
                return -E2BIG;
        _cleanup_free_ int32_t *vid = malloc((nchunks ? nchunks : 1) * sizeof(*vid));
        *scratch = NULL;
        *g = (struct graph){ .n = (uint32_t)n,
                             .root = (uint32_t)n - 1,
                             .nholders = (uint32_t)o->nholders,
                             .off = calloc(n + 1, sizeof(uint32_t)),
                             .adj = malloc(cap * sizeof(uint32_t)),
                             .root_to = calloc(n / 64 + 1, sizeof(uint64_t)) };
        if (!vid || !g->off || !g->adj || !g->root_to)
                return -ENOMEM;
        uint32_t k = g->nholders;
        for (size_t c = 0; c < nchunks; c++) {
                const struct chunk *ch = &a->heap.chunks[c];
                vid[c] = ch->state == CHUNK_USED ? (int32_t)k++ : NO_ID;
                if (is_head(ch))
                        root_to_set(g->root_to, (uint32_t)vid[c]);
        }

        /* Counted by source only; when a ref turns out to point at a chunk not used (none do, as reach makes them), counted again. */
        uint32_t dropped = rows_count(a, o, vid, g->off, false);
        rows_start(g);
        uint32_t short_by = rows_fill(a, o, vid, g->off, g->adj);
        if (short_by) {
                memset(g->off, 0, (n + 1) * sizeof(uint32_t));
                dropped = rows_count(a, o, vid, g->off, true);
                rows_start(g);
                rows_fill(a, o, vid, g->off, g->adj);
        }
        for (uint32_t h = 0; h < g->nholders; h++)
                g->adj[g->off[g->root]++] = h;
        for (uint32_t v = g->n; v > 0; v--)
                g->off[v] = g->off[v - 1];
        g->off[0] = 0;
        if (dropped)
                log_debug("owners: %u refs from or to a chunk not used left out", dropped);
        *scratch = TAKE_PTR(vid);
        return 0;
}

/*
 * Gives the virtual root an edge to each used block still unreached (idom
 * -1; the reach stage's verdicts leave none, but the rule must hold
 * whatever they say), lowest address first, marking what each new head
 * reaches; stack holds n entries.  Returns how many it added.
 */
static long add_heads(struct graph *g, int32_t *idom, uint32_t *stack)
{
        long added = 0;
        for (uint32_t v = g->nholders; v < g->root; v++) {
                if (idom[v] != -1)
                        continue;
                root_to_set(g->root_to, v);
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
        if ((r = graph_build(a, out, &g, &idom)) < 0)
                return r;
        uint32_t n = g.n, nholders = g.nholders, root = g.root;
        /* idom is made of the build's chunk-to-vertex map, done with. */
        int32_t *scratch = realloc(idom, (size_t)n * sizeof(*idom));
        if (!scratch)
                return -ENOMEM;
        idom = scratch;
        /* The graph goes as soon as the search is done. */
        if ((r = dominator_tree_consume(n, &g.off, &g.adj, g.root_to, root, idom, &order, &m)) < 0)
                return r;
        if (m < n) {
                /* Vertices not reached: used blocks no holder or head reaches; the graph again, with heads. */
                graph_free(&g);
                _cleanup_free_ int32_t *vid = NULL;
                if ((r = graph_build(a, out, &g, &vid)) < 0)
                        return r;
                long heads = add_heads(&g, idom, order);
                free(order);
                order = NULL;
                log_debug("owners: %ld used blocks head structures no holder or definite leak reaches", heads);
                if ((r = dominator_tree_consume(n, &g.off, &g.adj, g.root_to, root, idom, &order, &m)) < 0)
                        return r;
        }
        graph_free(&g);

        /* Bytes and blocks each vertex dominates, in one sum up the tree; a holder's and the virtual root's own are none. */
        _cleanup_free_ uint64_t *value = malloc((size_t)n * sizeof(*value));
        _cleanup_free_ uint32_t *count = malloc((size_t)n * sizeof(*count));
        if (!value || !count)
                return -ENOMEM;
        for (uint32_t h = 0; h < nholders; h++)
                value[h] = count[h] = 0;
        value[root] = count[root] = 0;
        for (size_t c = 0, v = nholders; c < a->heap.nchunks; c++)
                if (a->heap.chunks[c].state == CHUNK_USED) {
                        value[v] = a->heap.chunks[c].size;
                        count[v++] = 1;
                }
        dominator_sum(idom, order, m, value, count);
        for (uint32_t h = 0; h < nholders; h++) {
                out->holders[h].blocks = count[h];
                out->holders[h].retained = value[h];
        }
        free(count);
        count = NULL;
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
                if (v + 16 < root && idom[v + 16] >= 0)
                        __builtin_prefetch(&order[idom[v + 16]]);
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
        free(o->root_refs);
        free(o->idom);
        free(o->retained);
        *o = (struct owners_result){ 0 };
}
