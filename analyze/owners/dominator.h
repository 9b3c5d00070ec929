/*
 * Dominators of a directed graph, by the semi-NCA algorithm (Georgiadis,
 * "Linear-Time Algorithms for Dominators and Related Problems", 2005): the
 * semidominators of Lengauer and Tarjan over a depth-first spanning tree,
 * then each immediate dominator as the nearest common ancestor of a vertex's
 * parent and semidominator in the tree built so far.  Near-linear, and
 * without recursion: the graphs are heaps of millions of blocks.
 *
 * The graph comes in compressed rows (CSR): the successors of vertex v are
 * adj[off[v]] .. adj[off[v + 1] - 1]; duplicates and self-loops are fine.
 * The root may have more edges than its row: one to each vertex whose bit
 * is set in root_to (bit v % 64 of root_to[v / 64]; NULL for none), so a
 * root pointing at most vertices costs a bit each, not an edge.
 */
#ifndef MEMSNAP_DOMINATOR_H
#define MEMSNAP_DOMINATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fills idom[0..n) with each vertex's immediate dominator, -1 for root
 * and for vertices root does not reach; and *order (n entries, allocated
 * here, the caller frees it) with the *nreached reached vertices, root
 * first, every vertex after its immediate dominator.  n < 2^31, edges
 * fewer than 2^31.  Returns 0 or -ENOMEM (on which idom holds nothing of
 * use and *order is NULL).
 */
int dominator_tree(uint32_t n, const uint32_t *off, const uint32_t *adj, const uint64_t *root_to, uint32_t root,
                   int32_t *idom, uint32_t **order, uint32_t *nreached);

/*
 * dominator_tree, which uses *off and *adj up: their contents change, and
 * once the search is done their memory becomes two of its own arrays, so
 * the peak is lower by the successor graph.  They are freed (and set NULL)
 * before it returns, whatever it returns.
 */
int dominator_tree_consume(uint32_t n, uint32_t **off, uint32_t **adj, const uint64_t *root_to, uint32_t root,
                           int32_t *idom, uint32_t **order, uint32_t *nreached);

/*
 * Sums value[] up the dominator tree: afterwards value[v] is its own value
 * plus that of every vertex it dominates (retained sizes); count[] too
 * when not NULL (blocks), in the same pass.  One pass over order in
 * reverse, as dominator_tree left it.
 */
void dominator_sum(const int32_t *idom, const uint32_t *order, uint32_t nreached, uint64_t *value, uint32_t *count);

#endif
