/*
 * Implementation of why_path.h: a level-by-level search backwards over
 * "who points into this block", keeping for each block found its best
 * next step towards the target.
 */
#include "why_path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"

static size_t slot_of(int64_t block, size_t nslots)
{
        uint64_t x = (uint64_t)block * 0x9e3779b97f4a7c15ull;
        return (size_t)(x ^ (x >> 31)) & (nslots - 1);
}

long why_search_find(const struct why_search *s, int64_t block)
{
        if (!s->nslots)
                return -1;
        for (size_t i = slot_of(block, s->nslots);; i = (i + 1) & (s->nslots - 1)) {
                if (!s->slots[i])
                        return -1;
                if (s->nodes[s->slots[i] - 1].block == block)
                        return (long)(s->slots[i] - 1);
        }
}

/* Keeps the table at most half full: rebuilt twice as large from the nodes. */
static int slots_fit(struct why_search *s)
{
        if ((s->n + 1) * 2 <= s->nslots)
                return 0;
        size_t nslots = s->nslots ? s->nslots * 2 : 1024;
        size_t *slots = calloc(nslots, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        for (size_t k = 0; k < s->n; k++) {
                size_t i = slot_of(s->nodes[k].block, nslots);
                while (slots[i])
                        i = (i + 1) & (nslots - 1);
                slots[i] = k + 1;
        }
        free(s->slots);
        s->slots = slots;
        s->nslots = nslots;
        return 0;
}

static int node_add(struct why_search *s, const struct why_node *node)
{
        if (slots_fit(s) < 0 || ARRAY_RESERVE(s->nodes, s->cap, s->n + 1) < 0)
                return log_error_errno(ENOMEM, "cannot search for a chain to a root: %m");
        size_t i = slot_of(node->block, s->nslots);
        while (s->slots[i])
                i = (i + 1) & (s->nslots - 1);
        s->nodes[s->n] = *node;
        s->slots[i] = ++s->n;
        return 0;
}

/* True when root pointer e into node at (interior so far) beats the best found. */
static bool root_better(const struct why_search *s, const struct why_edge *e, uint32_t interior)
{
        if (!s->found)
                return true;
        uint32_t best = s->nodes[s->root_node].interior + (s->root.to_offset != 0);
        if (interior != best)
                return interior < best;
        if (e->conservative != s->root.conservative)
                return !e->conservative;
        if (e->root_id != s->root.root_id)
                return (uint64_t)e->root_id - 1 < (uint64_t)s->root.root_id - 1; /* a holder id before none (0) */
        return e->from_address < s->root.from_address;
}

int why_search_run(struct why_search *s, int64_t target, size_t max_blocks, why_edges_fn fn, void *ctx)
{
        _cleanup_free_ struct why_edge *edges = NULL;
        size_t nedges = 0, cap = 0;
        int r;

        *s = (struct why_search){ 0 };
        r = node_add(s, &(struct why_node){ .block = target });
        if (r < 0)
                return r;
        for (size_t lo = 0, hi = 1; lo < hi && !s->found; lo = hi, hi = s->n) {
                for (size_t k = lo; k < hi; k++) {
                        nedges = 0;
                        r = fn(ctx, s->nodes[k].block, &edges, &nedges, &cap);
                        if (r < 0)
                                return r;
                        for (size_t e = 0; e < nedges; e++) {
                                const struct why_edge *x = &edges[e];
                                uint32_t interior = s->nodes[k].interior + (x->to_offset != 0);
                                if (why_edge_is_root(x)) {
                                        if (root_better(s, x, interior)) {
                                                s->found = true;
                                                s->root = *x;
                                                s->root_node = k;
                                        }
                                        continue;
                                }
                                long j = why_search_find(s, x->from);
                                if (j >= 0) {
                                        /* found at this level too: keep the step with fewer interior pointers */
                                        struct why_node *o = &s->nodes[j];
                                        if (o->hops == s->nodes[k].hops + 1 && interior < o->interior) {
                                                o->interior = interior;
                                                o->next = k;
                                                o->via = *x;
                                        }
                                        continue;
                                }
                                if (s->n >= max_blocks) {
                                        s->limit_hit = true;
                                        continue;
                                }
                                r = node_add(s, &(struct why_node){ .block = x->from,
                                                                    .hops = s->nodes[k].hops + 1,
                                                                    .interior = interior,
                                                                    .next = k,
                                                                    .via = *x });
                                if (r < 0)
                                        return r;
                        }
                }
                if (s->limit_hit)
                        break;
        }
        return 0;
}

void why_search_free(struct why_search *s)
{
        free(s->nodes);
        free(s->slots);
        *s = (struct why_search){ 0 };
}
