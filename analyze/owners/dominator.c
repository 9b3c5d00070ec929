/*
 * Semi-NCA dominators (dominator.h), in phases that each hold only what
 * they need; in a heap graph most vertices are searched, so every array
 * by vertex or by searched vertex counts.
 *
 *   leaves_out  the plain leaves stay out of the search (in a heap many
 *               blocks hold no pointer and have one holder); idom holds
 *               each vertex's state, then its preorder number
 *   search      depth-first, without a stack: the row offsets are the
 *               cursors and each row's last edge carries a mark; it keeps
 *               each searched vertex's parent (dom) and starting
 *               semidominator (semi), and only the edges from a higher
 *               number to a lower one, the ones eval needs; the graph is
 *               then done with (its two arrays become the next phase's)
 *   semi        the semidominators, in reverse preorder (anc; label shares
 *               the predecessors' row offsets, each slot taken once its
 *               row is done)
 *   nca         each immediate dominator, in preorder (dom, semi)
 *   back        to vertices, and order (made of semi)
 *
 * Every array but idom and order is indexed by preorder number of the
 * searched vertices: vertex order[i] has number i, the root 0.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dominator.h"

#include "common/cleanup.h"

/*
 * How far ahead the passes that go through edges in memory order ask for
 * the entry an edge leads to, so those misses overlap (the targets are all
 * over the heap).
 */
#define AHEAD 16

/* On a row's last entry in adj once the search begins (vertex numbers are below 2^31). */
#define LAST_EDGE 0x80000000u
/* off[v] once every edge of v has been tried (edges are fewer than 2^31). */
#define ROW_DONE UINT32_MAX

/* The next vertex from *pos on whose bit is set in root_to, or UINT32_MAX; *pos moves past it. */
static uint32_t root_to_next(const uint64_t *root_to, uint32_t n, uint32_t *pos)
{
        uint32_t p = *pos;
        while (root_to && p < n) {
                uint64_t w = root_to[p / 64] >> (p % 64);
                if (w) {
                        p += (uint32_t)__builtin_ctzll(w);
                        if (p >= n)
                                break;
                        *pos = p + 1;
                        return p;
                }
                p = (p / 64 + 1) * 64;
        }
        *pos = n;
        return UINT32_MAX;
}

/* Counts p as a predecessor of u in num: -1 none yet, p the only one, -2 several. */
static inline void pred_note(int32_t *num, uint32_t u, uint32_t p)
{
        if (num[u] == -1)
                num[u] = (int32_t)p;
        else if (num[u] != (int32_t)p)
                num[u] = -2;
}

/*
 * Leaves out of the search the vertices whose immediate dominator is
 * plain: a leaf (no edge to another vertex) that is not root and has
 * exactly one predecessor p other than itself.  Every path to it ends
 * with p -> leaf, so p dominates it, and every other strict dominator
 * dominates p: idom = p.  And no path to another vertex passes through a
 * leaf, so without it the others' dominators stay what they were.  Such
 * a leaf gets -2 - p in num (p cannot be a leaf: it has an edge to
 * another vertex); every other vertex -1.  In place: num first counts
 * predecessors, then each vertex's entry turns into its state on reading
 * only its own row.  Returns how many vertices stay.
 */
static uint32_t leaves_out(uint32_t n, const uint32_t *off, const uint32_t *adj, const uint64_t *root_to,
                           uint32_t root, int32_t *num)
{
        for (uint32_t v = 0; v < n; v++)
                num[v] = -1;
        for (uint32_t v = 0; v < n; v++)
                for (uint32_t e = off[v]; e < off[v + 1]; e++) {
                        if (e + AHEAD < off[n])
                                __builtin_prefetch(&num[adj[e + AHEAD]], 1);
                        if (adj[e] != v)
                                pred_note(num, adj[e], v);
                }
        uint32_t pos = 0, u;
        while ((u = root_to_next(root_to, n, &pos)) != UINT32_MAX)
                if (u != root)
                        pred_note(num, u, root);
        uint32_t stay = 0;
        for (uint32_t v = 0; v < n; v++) {
                int32_t p = num[v];
                bool leaf = v != root && p >= 0;
                for (uint32_t e = off[v]; leaf && e < off[v + 1]; e++)
                        leaf = adj[e] == v;
                num[v] = leaf ? -2 - p : -1;
                stay += !leaf;
        }
        return stay;
}

/* An edge from a higher preorder number to a lower one. */
struct back_edge {
        uint32_t to, from;
};

struct back_edges {
        struct back_edge *v;
        size_t n, cap;
};

static int back_edges_add(struct back_edges *b, uint32_t to, uint32_t from)
{
        if (b->n == b->cap) {
                size_t cap = b->cap ? b->cap * 2 : 4096;
                struct back_edge *v = realloc(b->v, cap * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                b->v = v;
                b->cap = cap;
        }
        b->v[b->n++] = (struct back_edge){ to, from };
        return 0;
}

/*
 * Depth-first preorder from root, without recursion and without a stack:
 * the path from root to the vertex at hand is its chain of tree parents,
 * and off[v] is v's cursor (each row's last entry marked LAST_EDGE; a row
 * with none left ROW_DONE); the root's cursor then goes on through
 * root_to.  num (by vertex) comes in as -1 for a vertex to search and
 * below -1 for a leaf left out, and leaves with each reached vertex's
 * number.  dom[i] gets the tree parent of number i (a vertex, the caller
 * turns it into a number), semi[i] the lowest number with an edge to it;
 * every edge from a higher number goes to back.  Returns how many were
 * reached, or -ENOMEM.
 */
static long search(uint32_t n, uint32_t *off, const uint32_t *adj, const uint64_t *root_to, uint32_t root,
                   int32_t *num, int32_t *dom, int32_t *semi, struct back_edges *back)
{
        uint32_t m = 1, v = root, pos = 0;
        int32_t i = 0;
        num[root] = 0;
        dom[0] = -1;
        semi[0] = 0;
        for (;;) {
                uint32_t u;
                if (off[v] != ROW_DONE) {
                        uint32_t e = off[v];
                        u = adj[e];
                        if (u & LAST_EDGE) {
                                u &= ~LAST_EDGE;
                                off[v] = ROW_DONE;
                        } else {
                                off[v] = e + 1;
                        }
                } else if (v != root || (u = root_to_next(root_to, n, &pos)) == UINT32_MAX) {
                        if (v == root)
                                break;
                        v = (uint32_t)dom[i];
                        i = num[v];
                        continue;
                }
                int32_t j = num[u];
                if (j == -1) {
                        num[u] = (int32_t)m;
                        dom[m] = (int32_t)v;
                        semi[m] = i;
                        v = u;
                        i = (int32_t)m++;
                } else if (j > i) {
                        if (i < semi[j])
                                semi[j] = i;
                } else if (j >= 0 && j < i && back_edges_add(back, (uint32_t)j, (uint32_t)i) < 0) {
                        return -ENOMEM;
                }
        }
        return m;
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
 * The semidominators: semi[w] comes in as the lowest number with an edge
 * to w and leaves as w's semidominator.  The edges from higher numbers,
 * grouped by target into rows (pred_off, pred), go through eval.  label[x]
 * lives in pred_off[x + 1], which row x no longer needs once done.
 * pred_off and anc are made of the search's row offsets and edges (*off,
 * *adj, taken over and freed here): pages already at hand cost less than
 * fresh ones.
 */
static int semidominators(uint32_t m, const int32_t *dom, int32_t *semi, struct back_edges *back, uint32_t **off,
                          uint32_t **adj)
{
        _cleanup_free_ int32_t *pred_off = realloc(*off, ((size_t)m + 1) * sizeof(*pred_off));
        if (pred_off)
                *off = NULL;
        _cleanup_free_ int32_t *anc = realloc(*adj, (m ? m : 1) * sizeof(*anc));
        if (anc)
                *adj = NULL;
        _cleanup_free_ uint32_t *pred = malloc((back->n ? back->n : 1) * sizeof(*pred));
        if (!pred_off || !anc || !pred)
                return -ENOMEM;
        memset(pred_off, 0, ((size_t)m + 1) * sizeof(*pred_off));
        for (size_t k = 0; k < back->n; k++)
                pred_off[back->v[k].to + 1]++;
        for (uint32_t w = 0; w < m; w++)
                pred_off[w + 1] += pred_off[w];
        /* Each row filled from its start, which moves pred_off[w] to row w's end; then shifted back. */
        for (size_t k = 0; k < back->n; k++)
                pred[pred_off[back->v[k].to]++] = back->v[k].from;
        for (uint32_t w = m; w > 0; w--)
                pred_off[w] = pred_off[w - 1];
        pred_off[0] = 0;
        free(back->v);
        *back = (struct back_edges){ 0 };

        int32_t *label = pred_off + 1;
        /*
         * In reverse preorder; each vertex is linked (its anc and label
         * count for eval) once done.  A predecessor u > w is done, and so is
         * every vertex eval looks at; the semi of one not done yet (below w)
         * is never read.
         */
        for (int32_t w = (int32_t)m - 1; w > 0; w--) {
                int32_t s = semi[w];
                for (int32_t e = pred_off[w], end = pred_off[w + 1]; e < end; e++) {
                        int32_t u = eval((int32_t)pred[e], w, anc, label, semi);
                        if (semi[u] < s)
                                s = semi[u];
                }
                semi[w] = s;
                anc[w] = dom[w];
                label[w] = w;
        }
        return 0;
}

/* The pass; the graph is freed right after the search, and by tree() on any early return. */
static int tree_run(uint32_t n, uint32_t **off_p, uint32_t **adj_p, const uint64_t *root_to, uint32_t root,
                    int32_t *idom, uint32_t **order_p, uint32_t *nreached)
{
        uint32_t *off = *off_p, *adj = *adj_p;
        _cleanup_free_ int32_t *dom = NULL, *semi = NULL;
        struct back_edges back = { 0 };
        int r = 0;

        *order_p = NULL;
        /* num is kept in idom to the end, the plain leaves' predecessors in it too. */
        uint32_t stay = leaves_out(n, off, adj, root_to, root, idom);
        for (uint32_t v = 0; v < n; v++) {
                if (off[v] == off[v + 1])
                        off[v] = ROW_DONE;
                else
                        adj[off[v + 1] - 1] |= LAST_EDGE;
        }
        if (!(dom = malloc((size_t)stay * sizeof(*dom))) || !(semi = malloc((size_t)stay * sizeof(*semi))))
                return -ENOMEM;
        long reached = search(n, off, adj, root_to, root, idom, dom, semi, &back);
        if (reached < 0) {
                free(back.v);
                return (int)reached;
        }
        uint32_t m = (uint32_t)reached;
        for (uint32_t i = 1; i < m; i++)
                dom[i] = idom[dom[i]];

        r = semidominators(m, dom, semi, &back, off_p, adj_p);
        free(back.v);
        if (r < 0)
                return r;

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
        /* order is made of semi, done with. */
        uint32_t *order = realloc(semi, (n ? n : 1) * sizeof(*order));
        if (!order)
                return -ENOMEM;
        semi = NULL;
        for (uint32_t v = 0; v < n; v++)
                if (idom[v] >= 0)
                        order[idom[v]] = v;
        uint32_t k = m;
        for (uint32_t v = 0; v < n; v++) {
                if (idom[v] >= -1)
                        continue;
                int32_t p = -2 - idom[v];
                if (idom[p] >= 0) {
                        idom[v] = p;
                        order[k++] = v;
                } else {
                        idom[v] = -1;
                }
        }
        idom[root] = -1;
        for (uint32_t i = 1; i < m; i++)
                idom[order[i]] = (int32_t)order[dom[i]];
        *order_p = order;
        *nreached = k;
        return 0;
}

static int tree(uint32_t n, uint32_t **off, uint32_t **adj, const uint64_t *root_to, uint32_t root, int32_t *idom,
                uint32_t **order, uint32_t *nreached)
{
        int r = tree_run(n, off, adj, root_to, root, idom, order, nreached);
        free(*off);
        free(*adj);
        *off = NULL;
        *adj = NULL;
        return r;
}

int dominator_tree(uint32_t n, const uint32_t *off, const uint32_t *adj, const uint64_t *root_to, uint32_t root,
                   int32_t *idom, uint32_t **order, uint32_t *nreached)
{
        /* The search uses its graph up: a copy of the caller's. */
        uint32_t *o = malloc(((size_t)n + 1) * sizeof(*o)), *a = malloc((off[n] ? off[n] : 1) * sizeof(*a));
        if (!o || !a) {
                free(o);
                free(a);
                *order = NULL;
                return -ENOMEM;
        }
        memcpy(o, off, ((size_t)n + 1) * sizeof(*o));
        memcpy(a, adj, (size_t)off[n] * sizeof(*a));
        return tree(n, &o, &a, root_to, root, idom, order, nreached);
}

int dominator_tree_consume(uint32_t n, uint32_t **off, uint32_t **adj, const uint64_t *root_to, uint32_t root,
                           int32_t *idom, uint32_t **order, uint32_t *nreached)
{
        return tree(n, off, adj, root_to, root, idom, order, nreached);
}

void dominator_sum(const int32_t *idom, const uint32_t *order, uint32_t nreached, uint64_t *value, uint32_t *count)
{
        /* A vertex comes after its immediate dominator in order: children first, backwards. */
        for (uint32_t i = nreached; i-- > 1;) {
                if (i > AHEAD) {
                        uint32_t ahead = order[i - AHEAD];
                        __builtin_prefetch(&idom[ahead]);
                        __builtin_prefetch(&value[ahead]);
                }
                uint32_t v = order[i];
                value[idom[v]] += value[v];
                if (count)
                        count[idom[v]] += count[v];
        }
}
