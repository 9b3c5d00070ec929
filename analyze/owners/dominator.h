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
 */
#ifndef MEMSNAP_DOMINATOR_H
#define MEMSNAP_DOMINATOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fills idom[0..n) with each vertex's immediate dominator, -1 for root
 * and for vertices root does not reach; and order[0..*nreached) with the
 * reached vertices, root first, every vertex after its immediate
 * dominator (depth-first preorder, then the leaves with one predecessor).  n < 2^31.  Returns 0 or
 * -ENOMEM (on which idom and order hold nothing of use).
 */
int dominator_tree(uint32_t n, const uint32_t *off, const uint32_t *adj, uint32_t root, int32_t *idom, uint32_t *order,
                   uint32_t *nreached);

/*
 * dominator_tree, which frees *off and *adj (and sets them NULL) as soon as
 * it no longer needs them, before its own largest arrays: the peak is
 * lower by the successor graph.  On failure they may be freed too.
 */
int dominator_tree_consume(uint32_t n, uint32_t **off, uint32_t **adj, uint32_t root, int32_t *idom, uint32_t *order,
                           uint32_t *nreached);

/*
 * Sums value[] up the dominator tree: afterwards value[v] is its own value
 * plus that of every vertex it dominates (retained sizes, or counts).  One
 * pass over order in reverse, as dominator_tree left it.
 */
void dominator_sum(const int32_t *idom, const uint32_t *order, uint32_t nreached, uint64_t *value);

#endif
