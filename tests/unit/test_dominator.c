/*
 * Unit tests for analyze/owners/dominator.c: immediate dominators and
 * subtree sums against the definition, on random graphs.  a dominates b
 * when every path from the root to b passes through a, that is, when b
 * is reached from the root but not once a is taken out; the immediate
 * dominator is the strict dominator every other one dominates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/owners/dominator.h"

struct graph {
        uint32_t n;
        uint32_t *off, *adj;
};

static void graph_free(struct graph *g)
{
        free(g->off);
        free(g->adj);
}

/* xorshift64: the same graphs on every run, so a failure can be replayed. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t bound)
{
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        return (uint32_t)(rng_state % bound);
}

/*
 * n vertices, about degree edges each on average: most edges go a little
 * ahead (chains and trees, as heaps have), some anywhere (cycles, back
 * edges), some to the vertex itself; a share of vertices get none at all
 * and a part of the graph is left unreachable from the root.
 */
static struct graph random_graph(uint32_t n, uint32_t degree)
{
        struct graph g = { .n = n, .off = calloc(n + 1, sizeof(uint32_t)) };
        uint32_t cap = n * (degree * 2 + 1) + 1, ne = 0;
        g.adj = malloc(cap * sizeof(uint32_t));
        assert_non_null(g.off);
        assert_non_null(g.adj);
        uint32_t unreached =
                rnd(4) == 0 ? n / (2 + rnd(4)) : 0; /* vertices >= n - unreached: only edges among themselves */
        for (uint32_t v = 0; v < n; v++) {
                g.off[v] = ne;
                uint32_t k = rnd(degree * 2 + 1);
                bool island = v >= n - unreached;
                for (uint32_t e = 0; e < k && ne < cap; e++) {
                        uint32_t r = rnd(10), u;
                        if (r == 0)
                                u = v;
                        else if (r < 6)
                                u = v + 1 + rnd(4);
                        else
                                u = rnd(n);
                        if (u >= n)
                                u = rnd(n);
                        if (!island && u >= n - unreached)
                                continue;
                        if (island && u < n - unreached)
                                u = n - unreached + rnd(unreached);
                        g.adj[ne++] = u;
                }
        }
        g.off[n] = ne;
        return g;
}

/*
 * A heap's shape: a quarter of the vertices (a core, as random_graph makes
 * it, and sometimes an island the root does not reach) point at the rest,
 * leaves with no edge to another vertex.  Each leaf has one predecessor
 * (sometimes twice over, sometimes also itself), several, or none; some
 * hang from the island only, some from the island and the core.
 */
static struct graph leafy_graph(uint32_t n, uint32_t degree)
{
        uint32_t core = n / 4 + 1 < n ? n / 4 + 1 : n, cap = core * (degree * 2 + 1) + (n - core) * 4 + 1, ne = 0;
        uint32_t island = rnd(3) == 0 ? core / 3 : 0; /* core vertices >= core - island: only among themselves */
        uint32_t *from = malloc(cap * sizeof(uint32_t)), *to = malloc(cap * sizeof(uint32_t));
        struct graph g = { .n = n, .off = calloc(n + 1, sizeof(uint32_t)), .adj = malloc(cap * sizeof(uint32_t)) };
        assert_true(from && to && g.off && g.adj);
        for (uint32_t v = 0; v < core; v++) {
                uint32_t k = rnd(degree * 2 + 1);
                bool in_island = v >= core - island;
                for (uint32_t e = 0; e < k; e++) {
                        uint32_t u = rnd(3) ? v + 1 + rnd(3) : rnd(core);
                        if (u >= core)
                                u = rnd(core);
                        if (in_island != (u >= core - island))
                                u = in_island ? core - island + rnd(island) : rnd(core - island);
                        from[ne] = v;
                        to[ne++] = u;
                }
        }
        for (uint32_t v = core; v < n; v++) {
                uint32_t r = rnd(10), k = r < 5 ? 1 : r < 8 ? 2 + rnd(2) : 0;
                uint32_t p = rnd(core);
                for (uint32_t e = 0; e < k; e++) {
                        /* a repeat of the same predecessor, or another one */
                        from[ne] = rnd(2) ? p : rnd(core);
                        to[ne++] = v;
                }
                if (rnd(8) == 0) {
                        from[ne] = v;
                        to[ne++] = v;
                }
        }
        for (uint32_t e = 0; e < ne; e++)
                g.off[from[e] + 1]++;
        for (uint32_t v = 0; v < n; v++)
                g.off[v + 1] += g.off[v];
        for (uint32_t e = 0; e < ne; e++)
                g.adj[g.off[from[e]]++] = to[e];
        for (uint32_t v = n; v > 0; v--)
                g.off[v] = g.off[v - 1];
        g.off[0] = 0;
        free(from);
        free(to);
        return g;
}

/* Marks in seen what root reaches without passing through removed (UINT32_MAX: none). */
static void reach(const struct graph *g, uint32_t root, uint32_t removed, bool *seen, uint32_t *queue)
{
        memset(seen, 0, g->n);
        if (root == removed)
                return;
        size_t head = 0, tail = 0;
        seen[root] = true;
        queue[tail++] = root;
        while (head < tail) {
                uint32_t v = queue[head++];
                for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++) {
                        uint32_t u = g->adj[e];
                        if (u != removed && !seen[u]) {
                                seen[u] = true;
                                queue[tail++] = u;
                        }
                }
        }
}

/*
 * g with its root's edges to the vertices of root_to moved into root's
 * row: the graph the definition is checked on.
 */
static struct graph with_root_edges(const struct graph *g, uint32_t root, const uint64_t *root_to)
{
        uint32_t n = g->n, extra = 0;
        for (uint32_t v = 0; v < n; v++)
                extra += root_to[v / 64] >> (v % 64) & 1;
        struct graph h = { .n = n, .off = malloc((n + 1) * sizeof(uint32_t)),
                           .adj = malloc((g->off[n] + extra + 1) * sizeof(uint32_t)) };
        assert_true(h.off && h.adj);
        uint32_t ne = 0;
        for (uint32_t v = 0; v < n; v++) {
                h.off[v] = ne;
                for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
                        h.adj[ne++] = g->adj[e];
                for (uint32_t u = 0; v == root && u < n; u++)
                        if (root_to[u / 64] >> (u % 64) & 1)
                                h.adj[ne++] = u;
        }
        h.off[n] = ne;
        return h;
}

/*
 * Checks dominator_tree and dominator_sum on g against the definition;
 * with root_to (NULL for none) too, on g with those root edges.
 */
static void check_graph_with(const struct graph *g, uint32_t root, const uint64_t *root_to)
{
        uint32_t n = g->n;
        int32_t *idom = malloc(n * sizeof(*idom));
        uint32_t *order = NULL, *queue = malloc(n * sizeof(*queue)), m = 0;
        bool *all = malloc(n), *without = malloc(n);
        /* dom[a * n + b]: a strictly dominates b */
        bool *dom = calloc((size_t)n * n, 1);
        uint64_t *size = malloc(n * sizeof(*size)), *sum = malloc(n * sizeof(*sum));
        assert_true(idom && queue && all && without && dom && size && sum);

        assert_int_equal(dominator_tree(n, g->off, g->adj, root_to, root, idom, &order, &m), 0);
        assert_non_null(order);

        /* The variant that uses the graph up gives the same answer, and frees it. */
        uint32_t *off2 = malloc((n + 1) * sizeof(uint32_t)), *adj2 = malloc((g->off[n] + 1) * sizeof(uint32_t)), m2 = 0;
        int32_t *idom2 = malloc(n * sizeof(*idom2));
        uint32_t *order2 = NULL;
        assert_true(off2 && adj2 && idom2);
        memcpy(off2, g->off, (n + 1) * sizeof(uint32_t));
        memcpy(adj2, g->adj, g->off[n] * sizeof(uint32_t));
        assert_int_equal(dominator_tree_consume(n, &off2, &adj2, root_to, root, idom2, &order2, &m2), 0);
        assert_null(off2);
        assert_null(adj2);
        assert_int_equal(m2, m);
        assert_memory_equal(idom2, idom, n * sizeof(*idom));
        assert_memory_equal(order2, order, m * sizeof(*order));
        free(idom2);
        free(order2);

        /* The root's edges as bits give what the same edges in its row give; the definition is checked on that graph. */
        struct graph h = { 0 };
        if (root_to) {
                h = with_root_edges(g, root, root_to);
                int32_t *idom3 = malloc(n * sizeof(*idom3));
                uint32_t *order3 = NULL, m3 = 0;
                assert_non_null(idom3);
                assert_int_equal(dominator_tree(n, h.off, h.adj, NULL, root, idom3, &order3, &m3), 0);
                assert_int_equal(m3, m);
                assert_memory_equal(idom3, idom, n * sizeof(*idom));
                free(idom3);
                free(order3);
                g = &h;
        }

        uint32_t *count = malloc(n * sizeof(*count));
        assert_non_null(count);
        for (uint32_t v = 0; v < n; v++) {
                size[v] = sum[v] = 16 + rnd(1000);
                count[v] = 1;
        }
        /* Without count, then with it: the same sums, and the blocks each vertex dominates. */
        uint64_t *sum_alone = malloc(n * sizeof(*sum_alone));
        assert_non_null(sum_alone);
        memcpy(sum_alone, sum, n * sizeof(*sum));
        dominator_sum(idom, order, m, sum_alone, NULL);
        dominator_sum(idom, order, m, sum, count);
        assert_memory_equal(sum_alone, sum, n * sizeof(*sum));
        free(sum_alone);

        reach(g, root, UINT32_MAX, all, queue);
        uint32_t reached = 0;
        for (uint32_t v = 0; v < n; v++)
                reached += all[v];
        assert_int_equal(m, reached);
        assert_int_equal(order[0], root);

        for (uint32_t a = 0; a < n; a++) {
                if (!all[a])
                        continue;
                reach(g, root, a, without, queue);
                uint64_t retained = size[a];
                uint32_t blocks = 1;
                for (uint32_t b = 0; b < n; b++)
                        if (b != a && all[b] && !without[b]) {
                                dom[(size_t)a * n + b] = true;
                                retained += size[b];
                                blocks++;
                        }
                assert_int_equal(sum[a], retained);
                assert_int_equal(count[a], blocks);
        }
        free(count);

        /* Preorder: a vertex comes after its idom. */
        uint32_t *pos = queue;
        for (uint32_t i = 0; i < m; i++)
                pos[order[i]] = i;
        for (uint32_t b = 0; b < n; b++) {
                if (!all[b] || b == root) {
                        assert_int_equal(idom[b], -1);
                        continue;
                }
                int32_t d = idom[b];
                assert_true(d >= 0 && (uint32_t)d < n);
                /* idom strictly dominates b, and every strict dominator of b dominates idom (or is it) */
                assert_true(dom[(size_t)d * n + b]);
                assert_true(pos[d] < pos[b]);
                for (uint32_t a = 0; a < n; a++)
                        if (dom[(size_t)a * n + b] && a != (uint32_t)d)
                                assert_true(dom[(size_t)a * n + (uint32_t)d]);
        }
        free(idom);
        free(order);
        free(queue);
        free(all);
        free(without);
        free(dom);
        free(size);
        free(sum);
        if (root_to)
                graph_free(&h);
}

/* check_graph_with g as it is, and one time in three also with the root's edges to a random set of vertices as bits. */
static void check_graph(const struct graph *g, uint32_t root)
{
        check_graph_with(g, root, NULL);
        if (rnd(3) != 0)
                return;
        uint32_t n = g->n;
        uint64_t *root_to = calloc(n / 64 + 1, sizeof(uint64_t));
        assert_non_null(root_to);
        uint32_t share = 1 + rnd(8);
        for (uint32_t v = 0; v < n; v++)
                if (rnd(share) == 0)
                        root_to[v / 64] |= 1ull << (v % 64);
        check_graph_with(g, root, root_to);
        free(root_to);
}

static void test_small_random_graphs(void **state)
{
        (void)state;
        for (int k = 0; k < 4000; k++) {
                struct graph g = random_graph(1 + rnd(60), 1 + rnd(3));
                check_graph(&g, rnd(4) ? 0 : rnd(g.n));
                graph_free(&g);
        }
}

static void test_medium_random_graphs(void **state)
{
        (void)state;
        for (int k = 0; k < 60; k++) {
                struct graph g = random_graph(100 + rnd(300), 1 + rnd(3));
                check_graph(&g, 0);
                graph_free(&g);
        }
}

static void test_large_random_graphs(void **state)
{
        (void)state;
        for (int k = 0; k < 3; k++) {
                struct graph g = random_graph(2000, 1 + (uint32_t)k);
                check_graph(&g, 0);
                graph_free(&g);
        }
}

static void test_leafy_random_graphs(void **state)
{
        (void)state;
        for (int k = 0; k < 2000; k++) {
                struct graph g = leafy_graph(1 + rnd(80), 1 + rnd(2));
                check_graph(&g, rnd(4) ? 0 : rnd(g.n));
                graph_free(&g);
        }
        for (int k = 0; k < 20; k++) {
                struct graph g = leafy_graph(200 + rnd(1800), 1 + rnd(2));
                check_graph(&g, 0);
                graph_free(&g);
        }
}

/* A chain 0 -> 1 -> ... deeper than any recursion would survive, closed into a cycle. */
static void test_deep_chain(void **state)
{
        (void)state;
        uint32_t n = 1u << 20;
        struct graph g = { .n = n, .off = malloc((n + 1) * sizeof(uint32_t)), .adj = malloc(n * sizeof(uint32_t)) };
        int32_t *idom = malloc(n * sizeof(*idom));
        uint32_t *order = NULL, m = 0;
        assert_true(g.off && g.adj && idom);
        for (uint32_t v = 0; v < n; v++) {
                g.off[v] = v;
                g.adj[v] = (v + 1) % n;
        }
        g.off[n] = n;
        assert_int_equal(dominator_tree(n, g.off, g.adj, NULL, 0, idom, &order, &m), 0);
        assert_int_equal(m, n);
        for (uint32_t v = 1; v < n; v++)
                assert_int_equal(idom[v], (int32_t)v - 1);
        free(idom);
        free(order);
        graph_free(&g);
}

/* Two paths to a shared vertex: neither dominates it, the root does. */
static void test_diamond(void **state)
{
        (void)state;
        uint32_t off[] = { 0, 2, 3, 4, 5, 5 }, adj[] = { 1, 2, 3, 3, 4 };
        struct graph g = { .n = 5, .off = off, .adj = adj };
        int32_t idom[5];
        uint32_t *order = NULL, m;
        assert_int_equal(dominator_tree(g.n, g.off, g.adj, NULL, 0, idom, &order, &m), 0);
        free(order);
        assert_int_equal(idom[1], 0);
        assert_int_equal(idom[2], 0);
        assert_int_equal(idom[3], 0);
        assert_int_equal(idom[4], 3);
        check_graph(&g, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_diamond),
                cmocka_unit_test(test_deep_chain),
                cmocka_unit_test(test_small_random_graphs),
                cmocka_unit_test(test_medium_random_graphs),
                cmocka_unit_test(test_large_random_graphs),
                cmocka_unit_test(test_leafy_random_graphs),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
