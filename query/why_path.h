/*
 * The shortest chain of pointers from a root holder to one block: the
 * search behind `memsnap why`, over edges it asks for one block at a time
 * (who points into this block?), so it runs on the refs table (indexed by
 * to_chunk) or on a list a unit test hands it.
 *
 * A breadth-first search backwards from the target, level by level: a
 * block found at level k holds a chain of k pointers to the target.  The
 * first level at which some root holder points into a found block gives
 * the shortest chains; among those it takes the one with the fewest
 * interior pointers, then one whose holder is not conservative (a stack
 * slot or register that may hold a stale copy), then the lowest holder id.
 * Within a level a block keeps, of its pointers into the level before,
 * the one whose chain to the target has the fewest interior pointers, so
 * "fewest interior pointers" holds over the whole chain, not one step.
 *
 * The search stops after max_blocks blocks and says so (limit_hit): a
 * block held only through a million-node list must not take a million
 * queries without the user knowing.
 */
#ifndef MEMSNAP_WHY_PATH_H
#define MEMSNAP_WHY_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One pointer into a block. */
struct why_edge {
        int64_t from;           /* chunks.id of the block holding it; 0 when a root holder does */
        int64_t root_id;        /* roots.id of that holder (0: a block, or a root ref without a holder) */
        int64_t from_offset;    /* refs.from_offset: where in the block (or the root's segment) */
        int64_t from_address;   /* refs.from_address: the pointer's own address (0 for a register) */
        int64_t to_offset;      /* refs.to_offset: 0 = a start pointer, else interior */
        bool conservative;      /* roots.conservative of the holder */
};

static inline bool why_edge_is_root(const struct why_edge *e) { return e->from == 0; }

/*
 * Appends to *v (capacity *cap, count *n) every pointer into block `to`.
 * Returns 0 or a logged -errno, which ends the search.
 */
typedef int (*why_edges_fn)(void *ctx, int64_t to, struct why_edge **v, size_t *n, size_t *cap);

struct why_node {
        int64_t block;          /* chunks.id */
        uint32_t hops;          /* pointers from this block to the target (0 for the target) */
        uint32_t interior;      /* of them, interior pointers */
        size_t next;            /* the node this block points to on the way; its own index for the target */
        struct why_edge via;    /* that pointer (unset for the target) */
};

struct why_search {
        struct why_node *nodes; /* in the order found: level by level */
        size_t n, cap;
        size_t *slots;          /* open addressing: block id -> node index + 1 */
        size_t nslots;
        bool found;             /* a root holder reaches the target */
        struct why_edge root;   /* found: the root's pointer ... */
        size_t root_node;       /* ... and the node it points into */
        bool limit_hit;         /* max_blocks was reached before the search ended */
};

/*
 * Searches backwards from block target for the shortest chain from a root
 * holder (see above), visiting at most max_blocks blocks.  Without a root
 * holder in reach s->found is false and s->nodes holds every block that
 * reaches the target (all of them unless s->limit_hit).  Returns 0 or
 * -errno (-ENOMEM logged, or what fn returned).
 */
int why_search_run(struct why_search *s, int64_t target, size_t max_blocks, why_edges_fn fn, void *ctx);

/* The node index of block, or -1 when the search did not reach it. */
long why_search_find(const struct why_search *s, int64_t block);

void why_search_free(struct why_search *s);

#endif
