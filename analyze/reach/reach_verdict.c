/*
 * Leak verdicts from the pointer graph, as valgrind memcheck's leak checker
 * (memcheck/mc_leakcheck.c) decides them, but from refs the scan already
 * recorded instead of rescanning blocks as they are reached.
 *
 * memcheck's mark phase upgrades a block Unreached -> Possible -> Reachable:
 * a start pointer from a root or from a Reachable block makes it Reachable;
 * any other pointer from a root or a reached block makes an Unreached block
 * Possible.  Its fixed point, which is what we compute, is: Reachable = the
 * closure of the roots' start pointers over start pointers of Reachable
 * blocks; Possible = everything else reached from the roots along any
 * pointer.  Then the clique pass: each block still Unreached, in address
 * order, leads a clique; every Unreached block it reaches along any pointer
 * becomes IndirectLeak (a leader found this way, even an earlier one, joins
 * the new clique); the leaders left are definitely lost.
 *
 * memcheck's heuristics (stdstring, length64, newarray, multipleinheritance,
 * all on by default since valgrind 3.11) are not applied: they test the
 * requested size of a block, which a core does not record.  Blocks that
 * memcheck would call "still reachable via heuristic" are possible here, as
 * with --leak-check-heuristics=none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "reach.h"

/* Per chunk, one byte: NOT_USED keeps free chunks and top out of every pass. */
enum { UNREACHED, POSSIBLE, REACHABLE, INDIRECT, NOT_USED };

struct graph {
        size_t n;              /* chunks */
        uint32_t *first;       /* n + 1: refs out of chunk c are edge[first[c] .. first[c + 1]) */
        uint32_t *edge;        /* target chunk of each block ref, START_BIT when a start pointer */
};

#define START_BIT (1u << 31)
#define TARGET(e) ((e) & ~START_BIT)

static void graph_free(struct graph *g)
{
        free(g->first);
        free(g->edge);
}

/* state[] rather than chunks[].state: a megabyte read at random instead of forty. */
static bool valid_target(const uint8_t *state, size_t n, int32_t c)
{
        return c >= 0 && (size_t)c < n && state[c] != NOT_USED;
}

static bool is_edge(const uint8_t *state, size_t n, const struct ref *r)
{
        return r->from_chunk >= 0 && (size_t)r->from_chunk < n && valid_target(state, n, r->to_chunk);
}

/*
 * Block-to-block refs as adjacency lists (compressed rows).  The scan
 * leaves them grouped by source in ascending order, and then one
 * sequential pass fills the rows; any other order is sorted by counting.
 */
static int graph_build(struct graph *g, const uint8_t *state, size_t n, const struct ref *refs, size_t nrefs)
{
        size_t edges = 0;
        bool sorted = true;
        int32_t last = -1;

        if (n >= START_BIT || nrefs >= UINT32_MAX)
                return -ENOMEM; /* ids and counts must fit the 31 and 32 bits used here */
        g->n = n;
        g->first = reach_index_alloc_hot(n + 1, sizeof(*g->first));
        if (!g->first)
                return -ENOMEM;
        memset(g->first, 0, (n + 1) * sizeof(*g->first));
        for (size_t k = 0; k < nrefs; k++) {
                const struct ref *r = &refs[k];
                if (!is_edge(state, n, r))
                        continue;
                g->first[r->from_chunk + 1]++;
                edges++;
                sorted = sorted && r->from_chunk >= last;
                last = r->from_chunk;
        }
        for (size_t c = 0; c < n; c++)
                g->first[c + 1] += g->first[c];
        g->edge = reach_index_alloc_hot(edges, sizeof(*g->edge));
        if (!g->edge)
                return -ENOMEM;

        _cleanup_free_ uint32_t *fill = NULL;
        if (!sorted) {
                fill = malloc((n ? n : 1) * sizeof(*fill));
                if (!fill)
                        return -ENOMEM;
                memcpy(fill, g->first, n * sizeof(*fill));
        }
        size_t e = 0;
        for (size_t k = 0; k < nrefs; k++) {
                const struct ref *r = &refs[k];
                if (!is_edge(state, n, r))
                        continue;
                uint32_t v = (uint32_t)r->to_chunk | (r->to_offset == 0 ? START_BIT : 0);
                g->edge[sorted ? e++ : fill[r->from_chunk]++] = v;
        }
        return 0;
}

struct stack {
        uint32_t *v;
        size_t n;
};

/* Marks c and remembers to follow its pointers; each chunk is pushed at most once per pass. */
static void mark(uint8_t *state, struct stack *s, uint32_t c, uint8_t to)
{
        state[c] = to;
        s->v[s->n++] = c;
}

int reach_verdict(struct chunk *chunks, size_t nchunks, const struct ref *refs, size_t nrefs)
{
        _cleanup_(graph_free) struct graph g = { 0 };
        _cleanup_free_ uint8_t *state = malloc(nchunks ? nchunks : 1);
        _cleanup_free_ uint32_t *stack_storage = malloc((nchunks ? nchunks : 1) * sizeof(*stack_storage));
        struct stack s = { .v = stack_storage };

        if (!state || !s.v)
                return -ENOMEM;
        for (size_t c = 0; c < nchunks; c++)
                state[c] = chunks[c].state == CHUNK_USED ? UNREACHED : NOT_USED;
        if (graph_build(&g, state, nchunks, refs, nrefs) < 0)
                return -ENOMEM;

        /* Reachable: start pointers from roots, then start pointers of reachable blocks. */
        for (size_t k = 0; k < nrefs; k++)
                if (refs[k].from_chunk < 0 && refs[k].to_offset == 0 && valid_target(state, nchunks, refs[k].to_chunk) &&
                    state[refs[k].to_chunk] != REACHABLE)
                        mark(state, &s, (uint32_t)refs[k].to_chunk, REACHABLE);
        while (s.n) {
                uint32_t c = s.v[--s.n];
                for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                        if ((g.edge[e] & START_BIT) && state[TARGET(g.edge[e])] != REACHABLE)
                                mark(state, &s, TARGET(g.edge[e]), REACHABLE);
        }

        /* Possible: whatever else roots and reachable blocks point into, and onwards. */
        for (size_t k = 0; k < nrefs; k++)
                if (refs[k].from_chunk < 0 && valid_target(state, nchunks, refs[k].to_chunk) &&
                    state[refs[k].to_chunk] == UNREACHED)
                        mark(state, &s, (uint32_t)refs[k].to_chunk, POSSIBLE);
        for (size_t c = 0; c < nchunks; c++)
                if (state[c] == REACHABLE)
                        for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                                if (state[TARGET(g.edge[e])] == UNREACHED)
                                        mark(state, &s, TARGET(g.edge[e]), POSSIBLE);
        while (s.n) {
                uint32_t c = s.v[--s.n];
                for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                        if (state[TARGET(g.edge[e])] == UNREACHED)
                                mark(state, &s, TARGET(g.edge[e]), POSSIBLE);
        }

        /*
         * Cliques, leaders in address order.  A leader stays UNREACHED, so a
         * later leader that reaches it takes it (and, through it, nothing
         * more: what it reached is INDIRECT already).
         */
        for (size_t leader = 0; leader < nchunks; leader++) {
                if (state[leader] != UNREACHED)
                        continue;
                s.v[s.n++] = (uint32_t)leader;
                while (s.n) {
                        uint32_t c = s.v[--s.n];
                        for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                                if (TARGET(g.edge[e]) != leader && state[TARGET(g.edge[e])] == UNREACHED)
                                        mark(state, &s, TARGET(g.edge[e]), INDIRECT);
                }
        }

        static const uint8_t verdict[] = {
                [UNREACHED] = LEAK_DEFINITE, [POSSIBLE] = LEAK_POSSIBLE,
                [REACHABLE] = LEAK_REACHABLE, [INDIRECT] = LEAK_INDIRECT, [NOT_USED] = LEAK_NONE,
        };
        for (size_t c = 0; c < nchunks; c++)
                chunks[c].leak = verdict[state[c]];
        return 0;
}
