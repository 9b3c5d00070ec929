/*
 * Semi-NCA dominators (dominator.h).  The plain leaves (leaves_out) stay
 * out of the search: in a heap many blocks hold no pointer and have one
 * holder.  Every array but the caller's is indexed by depth-first preorder
 * number of the searched vertices: vertex order[i] has number i, the root
 * 0.  The caller's idom holds each vertex's number (or its plain leaf's
 * predecessor) until the answer, and order is the scratch of leaves_out
 * before the search fills it; the pass's own arrays are by searched
 * vertex: parent, the cursor of the search, then the predecessors from
 * higher numbers and anc, semi and label.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "dominator.h"

#include "common/cleanup.h"

/*
 * Depth-first preorder from root, without recursion and without a stack:
 * the path from root to the vertex at hand is its chain of tree parents.
 * cursor[i] is the next successor of vertex number i to try.  num (in
 * idom, by vertex) comes in as -1 for a vertex to search and below -1 for
 * a leaf left out (leaves_out), and leaves with each reached vertex's
 * number; fills order and each reached vertex's tree parent (by number).
 */
static uint32_t dfs(const uint32_t *off, const uint32_t *adj, uint32_t root, int32_t *num, uint32_t *order,
                    int32_t *parent, uint32_t *cursor)
{
        uint32_t m = 0;
        num[root] = 0;
        order[m++] = root;
        parent[0] = -1;
        cursor[0] = off[root];
        int32_t i = 0;
        while (i >= 0) {
                uint32_t v = order[i];
                if (cursor[i] == off[v + 1]) {
                        i = parent[i];
                        continue;
                }
                uint32_t u = adj[cursor[i]++];
                if (num[u] != -1)
                        continue;
                num[u] = (int32_t)m;
                parent[m] = i;
                order[m] = u;
                cursor[m] = off[u];
                i = (int32_t)m++;
        }
        return m;
}

/*
 * Leaves out of the search the vertices whose immediate dominator is
 * plain: a leaf (no edge to another vertex) that is not root and has
 * exactly one predecessor p other than itself.  Every path to it ends
 * with p -> leaf, so p dominates it, and every other strict dominator
 * dominates p: idom = p.  And no path to another vertex passes through a
 * leaf, so without it the others' dominators stay what they were.  Such
 * a leaf gets -2 - p in num (p cannot be a leaf: it has an edge to
 * another vertex); every other vertex -1.  scratch holds n entries.
 * Returns how many vertices stay.
 */
static uint32_t leaves_out(uint32_t n, const uint32_t *off, const uint32_t *adj, uint32_t root, int32_t *num,
                           int32_t *scratch)
{
        /* num: 1 for a vertex with an edge to another; scratch: the one predecessor, -1 none, -2 several. */
        for (uint32_t v = 0; v < n; v++) {
                num[v] = 0;
                scratch[v] = -1;
        }
        for (uint32_t v = 0; v < n; v++)
                for (uint32_t e = off[v]; e < off[v + 1]; e++) {
                        uint32_t u = adj[e];
                        if (u == v)
                                continue;
                        num[v] = 1;
                        if (scratch[u] == -1)
                                scratch[u] = (int32_t)v;
                        else if (scratch[u] != (int32_t)v)
                                scratch[u] = -2;
                }
        uint32_t stay = 0;
        for (uint32_t v = 0; v < n; v++) {
                if (num[v] == 0 && v != root && scratch[v] >= 0) {
                        num[v] = -2 - scratch[v];
                } else {
                        num[v] = -1;
                        stay++;
                }
        }
        return stay;
}

/*
 * Lengauer-Tarjan's EVAL with path compression, iterative and without a
 * stack: of the vertices on the forest path from v up to (not including)
 * its tree's root, the one with the smallest semidominator.  Vertices
 * numbered above w are linked (their anc is their parent, or nearer the
 * root after compression).  The way up reverses anc along the path, so
 * the way down can find it again.
 */
static int32_t eval(int32_t v, int32_t w, int32_t *anc, int32_t *label, const int32_t *semi)
{
        if (v <= w)
                return v;
        int32_t x = v, below = -1;
        while (anc[x] > w) {
                int32_t up = anc[x];
                anc[x] = below;
                below = x;
                x = up;
        }
        /* From the vertex just below the top x down to v: each takes its ancestor's best label and skips to the top. */
        int32_t top = anc[x], p = x;
        while (below >= 0) {
                int32_t y = below;
                below = anc[y];
                if (semi[label[p]] < semi[label[y]])
                        label[y] = label[p];
                anc[y] = top;
                p = y;
        }
        return label[v];
}

/*
 * The pass, in phases that each hold only what they need: the search (the
 * successors, parent in dom, cursor), the predecessors from higher numbers
 * and semi's start (from the successors, which are then freed when the
 * caller gave them away: *off and *adj set NULL), the semidominators (anc,
 * semi, label), the NCA climb (dom, semi).
 */
static int tree(uint32_t n, uint32_t **off_p, uint32_t **adj_p, bool release, uint32_t root, int32_t *idom,
                uint32_t *order, uint32_t *nreached)
{
        const uint32_t *off = *off_p, *adj = *adj_p;
        _cleanup_free_ int32_t *dom = NULL;
        _cleanup_free_ uint32_t *cursor = NULL;
        _cleanup_free_ int32_t *anc = NULL, *semi = NULL, *label = NULL;
        _cleanup_free_ uint32_t *pred_off = NULL, *pred = NULL;

        /* num is kept in idom to the end, the plain leaves' predecessors in it too; order is free until the search. */
        uint32_t stay = leaves_out(n, off, adj, root, idom, (int32_t *)order);
        if (!(dom = malloc((size_t)stay * sizeof(*dom))) || !(cursor = malloc((size_t)stay * sizeof(*cursor))))
                return -ENOMEM;
        uint32_t m = dfs(off, adj, root, idom, order, dom, cursor);
        free(cursor);
        cursor = NULL;

        /*
         * An edge from a lower number (the tree's edges and those forward)
         * gives its target that number as a semidominator candidate as it
         * stands: semi starts as the least of them.  Only the edges from a
         * higher number need eval, so only they are kept as predecessors,
         * by number (an unreached vertex reaches nothing reached).
         */
        size_t k = m ? m : 1;
        if (!(semi = malloc(k * sizeof(*semi))) || !(pred_off = calloc((size_t)m + 1, sizeof(*pred_off))))
                return -ENOMEM;
        for (uint32_t i = 0; i < m; i++)
                semi[i] = (int32_t)i;
        /* By vertex, not by number: the rows in memory order.  A leaf left out or unreached (num < 0) has no row that counts. */
        for (uint32_t v = 0; v < n; v++) {
                int32_t i = idom[v];
                if (i < 0)
                        continue;
                for (uint32_t e = off[v]; e < off[v + 1]; e++) {
                        int32_t j = idom[adj[e]];
                        if (j > i && i < semi[j])
                                semi[j] = i;
                        else if (j >= 0 && j < i)
                                pred_off[j + 1]++;
                }
        }
        for (uint32_t i = 0; i < m; i++)
                pred_off[i + 1] += pred_off[i];
        pred = malloc((size_t)(pred_off[m] ? pred_off[m] : 1) * sizeof(*pred));
        if (!pred)
                return -ENOMEM;
        /* Each row filled from its start, which moves pred_off[j] to row j's end; then shifted back. */
        for (uint32_t v = 0; v < n; v++) {
                int32_t i = idom[v];
                if (i < 0)
                        continue;
                for (uint32_t e = off[v]; e < off[v + 1]; e++) {
                        int32_t j = idom[adj[e]];
                        if (j >= 0 && j < i)
                                pred[pred_off[j]++] = (uint32_t)i;
                }
        }
        for (uint32_t j = m; j > 0; j--)
                pred_off[j] = pred_off[j - 1];
        pred_off[0] = 0;
        if (release) {
                free(*off_p);
                free(*adj_p);
                *off_p = NULL;
                *adj_p = NULL;
        }

        if (!(anc = malloc(k * sizeof(*anc))) || !(label = malloc(k * sizeof(*label))))
                return -ENOMEM;
        for (uint32_t i = 0; i < m; i++) {
                label[i] = (int32_t)i;
                anc[i] = dom[i];
        }

        /*
         * Semidominators, in reverse preorder; each vertex is linked (its anc
         * counts for eval) once done.  A predecessor u > w is done, and so
         * is every vertex eval looks at; the semi of one not done yet (below
         * w) is never read.
         */
        for (int32_t w = (int32_t)m - 1; w > 0; w--) {
                int32_t s = semi[w];
                for (uint32_t e = pred_off[w]; e < pred_off[w + 1]; e++) {
                        int32_t u = eval((int32_t)pred[e], w, anc, label, semi);
                        if (semi[u] < s)
                                s = semi[u];
                }
                semi[w] = s;
        }
        free(pred);
        pred = NULL;
        free(label);
        label = NULL;
        free(anc);
        anc = NULL;

        /* NCA: climb from the parent while above the semidominator; the ancestors' idoms are final already. */
        for (uint32_t i = 1; i < m; i++) {
                int32_t c = dom[i];
                while (c > semi[i])
                        c = dom[c];
                dom[i] = c;
        }

        /*
         * Back to vertices.  A plain leaf is reached when its predecessor
         * is (num >= 0; never a leaf itself, so its num is still there):
         * it goes after the searched ones, behind its idom.
         */
        uint32_t r = m;
        for (uint32_t v = 0; v < n; v++) {
                if (idom[v] >= -1)
                        continue;
                int32_t p = -2 - idom[v];
                if (idom[p] >= 0) {
                        idom[v] = p;
                        order[r++] = v;
                } else {
                        idom[v] = -1;
                }
        }
        idom[root] = -1;
        for (uint32_t i = 1; i < m; i++)
                idom[order[i]] = (int32_t)order[dom[i]];
        *nreached = r;
        return 0;
}

int dominator_tree(uint32_t n, const uint32_t *off, const uint32_t *adj, uint32_t root, int32_t *idom, uint32_t *order,
                   uint32_t *nreached)
{
        uint32_t *o = (uint32_t *)off, *a = (uint32_t *)adj; /* not freed: release is false */
        return tree(n, &o, &a, false, root, idom, order, nreached);
}

int dominator_tree_consume(uint32_t n, uint32_t **off, uint32_t **adj, uint32_t root, int32_t *idom, uint32_t *order,
                           uint32_t *nreached)
{
        return tree(n, off, adj, true, root, idom, order, nreached);
}

void dominator_sum(const int32_t *idom, const uint32_t *order, uint32_t nreached, uint64_t *value)
{
        /* A vertex comes after its immediate dominator in order: children first, backwards. */
        for (uint32_t i = nreached; i-- > 1;) {
                uint32_t v = order[i];
                value[idom[v]] += value[v];
        }
}
