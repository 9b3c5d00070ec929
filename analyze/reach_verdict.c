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

#include "common/cleanup.h"
#include "reach.h"

enum { UNREACHED, POSSIBLE, REACHABLE, INDIRECT };

struct graph {
        size_t n;              /* chunks */
        size_t *first;         /* n + 1: refs out of chunk c are edges[first[c] .. first[c + 1]) */
        uint32_t *to;          /* target chunk of each block ref */
        uint8_t *start;        /* 1 when that ref is a start pointer */
};

static void graph_free(struct graph *g)
{
        free(g->first);
        free(g->to);
        free(g->start);
}

static bool valid_target(const struct chunk *chunks, size_t n, int32_t c)
{
        return c >= 0 && (size_t)c < n && chunks[c].state == CHUNK_USED;
}

/* Block-to-block refs as adjacency lists (compressed rows), whatever their order. */
static int graph_build(struct graph *g, const struct chunk *chunks, size_t n, const struct ref *refs, size_t nrefs)
{
        g->n = n;
        g->first = calloc(n + 1, sizeof(*g->first));
        if (!g->first)
                return -ENOMEM;
        size_t edges = 0;
        for (size_t k = 0; k < nrefs; k++) {
                const struct ref *r = &refs[k];
                if (r->from_chunk >= 0 && (size_t)r->from_chunk < n && valid_target(chunks, n, r->to_chunk)) {
                        g->first[r->from_chunk + 1]++;
                        edges++;
                }
        }
        for (size_t c = 0; c < n; c++)
                g->first[c + 1] += g->first[c];
        g->to = malloc((edges ? edges : 1) * sizeof(*g->to));
        g->start = malloc(edges ? edges : 1);
        _cleanup_free_ size_t *fill = malloc((n ? n : 1) * sizeof(*fill));
        if (!g->to || !g->start || !fill)
                return -ENOMEM;
        for (size_t c = 0; c < n; c++)
                fill[c] = g->first[c];
        for (size_t k = 0; k < nrefs; k++) {
                const struct ref *r = &refs[k];
                if (r->from_chunk >= 0 && (size_t)r->from_chunk < n && valid_target(chunks, n, r->to_chunk)) {
                        size_t e = fill[r->from_chunk]++;
                        g->to[e] = (uint32_t)r->to_chunk;
                        g->start[e] = r->to_offset == 0;
                }
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
        _cleanup_free_ uint8_t *state = calloc(nchunks ? nchunks : 1, 1);
        struct stack s = { .v = malloc((nchunks ? nchunks : 1) * sizeof(*s.v)) };
        _cleanup_free_ uint32_t *stack_storage = s.v;

        if (!state || !s.v || graph_build(&g, chunks, nchunks, refs, nrefs) < 0)
                return -ENOMEM;

        /* Reachable: start pointers from roots, then start pointers of reachable blocks. */
        for (size_t k = 0; k < nrefs; k++)
                if (refs[k].from_chunk < 0 && refs[k].to_offset == 0 && valid_target(chunks, nchunks, refs[k].to_chunk) &&
                    state[refs[k].to_chunk] != REACHABLE)
                        mark(state, &s, (uint32_t)refs[k].to_chunk, REACHABLE);
        while (s.n) {
                uint32_t c = s.v[--s.n];
                for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                        if (g.start[e] && state[g.to[e]] != REACHABLE)
                                mark(state, &s, g.to[e], REACHABLE);
        }

        /* Possible: whatever else roots and reachable blocks point into, and onwards. */
        for (size_t k = 0; k < nrefs; k++)
                if (refs[k].from_chunk < 0 && valid_target(chunks, nchunks, refs[k].to_chunk) &&
                    state[refs[k].to_chunk] == UNREACHED)
                        mark(state, &s, (uint32_t)refs[k].to_chunk, POSSIBLE);
        for (size_t c = 0; c < nchunks; c++)
                if (state[c] == REACHABLE)
                        for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                                if (state[g.to[e]] == UNREACHED)
                                        mark(state, &s, g.to[e], POSSIBLE);
        while (s.n) {
                uint32_t c = s.v[--s.n];
                for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                        if (state[g.to[e]] == UNREACHED)
                                mark(state, &s, g.to[e], POSSIBLE);
        }

        /*
         * Cliques, leaders in address order.  A leader stays UNREACHED, so a
         * later leader that reaches it takes it (and, through it, nothing
         * more: what it reached is INDIRECT already).
         */
        for (size_t leader = 0; leader < nchunks; leader++) {
                if (chunks[leader].state != CHUNK_USED || state[leader] != UNREACHED)
                        continue;
                s.v[s.n++] = (uint32_t)leader;
                while (s.n) {
                        uint32_t c = s.v[--s.n];
                        for (size_t e = g.first[c]; e < g.first[c + 1]; e++)
                                if (g.to[e] != leader && state[g.to[e]] == UNREACHED)
                                        mark(state, &s, g.to[e], INDIRECT);
                }
        }

        static const uint8_t verdict[] = {
                [UNREACHED] = LEAK_DEFINITE, [POSSIBLE] = LEAK_POSSIBLE,
                [REACHABLE] = LEAK_REACHABLE, [INDIRECT] = LEAK_INDIRECT,
        };
        for (size_t c = 0; c < nchunks; c++)
                chunks[c].leak = chunks[c].state == CHUNK_USED ? verdict[state[c]] : LEAK_NONE;
        return 0;
}
