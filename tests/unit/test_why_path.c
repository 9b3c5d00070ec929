/*
 * Unit tests for query/why_path.c: the chain from a root holder to a block
 * over a given list of pointers — hand-made graphs for the preferences
 * (shortest, then fewest interior pointers over the whole chain, then not
 * conservative), and random graphs against a brute-force search of the
 * same definition (Bellman-Ford over (hops, interior) pairs, forward from
 * the roots).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "query/why_path.h"

/* A graph: edges from -> to (from 0 with root_id: a root holder). */
struct graph {
        struct why_edge e[4096];
        int64_t to[4096];
        size_t n;
        size_t calls;
};

static void edge(struct graph *g, int64_t from, int64_t to, int64_t to_offset)
{
        g->e[g->n] = (struct why_edge){ .from = from, .to_offset = to_offset, .from_offset = 8 * (int64_t)g->n };
        g->to[g->n++] = to;
}

static void root(struct graph *g, int64_t root_id, int64_t to, int64_t to_offset, bool conservative)
{
        g->e[g->n] = (struct why_edge){ .root_id = root_id, .to_offset = to_offset, .conservative = conservative,
                                        .from_address = 0x1000 + root_id };
        g->to[g->n++] = to;
}

static int edges_of(void *ctx, int64_t to, struct why_edge **v, size_t *n, size_t *cap)
{
        struct graph *g = ctx;
        g->calls++;
        for (size_t i = 0; i < g->n; i++) {
                if (g->to[i] != to)
                        continue;
                if (*n == *cap) {
                        *cap = *cap ? *cap * 2 : 8;
                        *v = realloc(*v, *cap * sizeof(**v));
                        if (!*v)
                                return -ENOMEM;
                }
                (*v)[(*n)++] = g->e[i];
        }
        return 0;
}

/* The chain found, as "root R: a b c" (blocks from the root's to the target). */
static void chain(const struct why_search *s, char *buf, size_t size)
{
        size_t len = (size_t)snprintf(buf, size, "root %lld:", (long long)s->root.root_id);
        for (size_t k = s->root_node;; k = s->nodes[k].next) {
                len += (size_t)snprintf(buf + len, size - len, " %lld", (long long)s->nodes[k].block);
                if (s->nodes[k].hops == 0)
                        break;
        }
}

static void test_shortest(void **state)
{
        (void)state;
        struct graph g = { 0 };
        struct why_search s;
        char buf[256];

        /* root 1 -> 1 -> 2 -> 3 -> 4 (target 4), and root 2 -> 5 -> 4: the second is shorter */
        root(&g, 1, 1, 0, false);
        edge(&g, 1, 2, 0);
        edge(&g, 2, 3, 0);
        edge(&g, 3, 4, 0);
        root(&g, 2, 5, 0, false);
        edge(&g, 5, 4, 0);
        assert_int_equal(why_search_run(&s, 4, 100, edges_of, &g), 0);
        assert_true(s.found);
        chain(&s, buf, sizeof(buf));
        assert_string_equal(buf, "root 2: 5 4");
        assert_int_equal(s.nodes[s.root_node].hops, 1);
        why_search_free(&s);

        /* a root straight into the target */
        root(&g, 3, 4, 0, false);
        assert_int_equal(why_search_run(&s, 4, 100, edges_of, &g), 0);
        chain(&s, buf, sizeof(buf));
        assert_string_equal(buf, "root 3: 4");
        why_search_free(&s);
}

static void test_interior_and_conservative(void **state)
{
        (void)state;
        struct graph g = { 0 };
        struct why_search s;
        char buf[256];

        /*
         * Two chains of two pointers to 9: root 1 -> 1 -(interior)-> 2 -> 9 and
         * conservative root 2 -> 3 -> 4 -> 9; the interior pointer lies one step
         * from the target's neighbour, so a search that chose per step would
         * keep it.  Start pointers win over a conservative root.
         */
        root(&g, 1, 1, 0, false);
        edge(&g, 1, 2, 24);
        edge(&g, 2, 9, 0);
        root(&g, 2, 3, 0, true);
        edge(&g, 3, 4, 0);
        edge(&g, 4, 9, 0);
        assert_int_equal(why_search_run(&s, 9, 100, edges_of, &g), 0);
        chain(&s, buf, sizeof(buf));
        assert_string_equal(buf, "root 2: 3 4 9");
        assert_true(s.root.conservative);
        why_search_free(&s);

        /* equal interior pointers: the root that is not conservative */
        g.e[0].to_offset = 0, g.e[1].to_offset = 0;
        assert_int_equal(why_search_run(&s, 9, 100, edges_of, &g), 0);
        chain(&s, buf, sizeof(buf));
        assert_string_equal(buf, "root 1: 1 2 9");
        assert_false(s.root.conservative);
        why_search_free(&s);
}

static void test_leak_and_limit(void **state)
{
        (void)state;
        struct graph g = { 0 };
        struct why_search s;

        /* a leaked cycle 1 -> 2 -> 3 -> 1, with 4 hanging from 3 and a self-reference on 4 */
        edge(&g, 1, 2, 0);
        edge(&g, 2, 3, 0);
        edge(&g, 3, 1, 0);
        edge(&g, 3, 4, 0);
        edge(&g, 4, 4, 0);
        assert_int_equal(why_search_run(&s, 4, 100, edges_of, &g), 0);
        assert_false(s.found);
        assert_false(s.limit_hit);
        assert_int_equal(s.n, 4);
        assert_int_equal(s.nodes[why_search_find(&s, 1)].hops, 3);
        assert_int_equal(why_search_find(&s, 7), -1);
        why_search_free(&s);

        /* the bound: two blocks searched, and it says so */
        root(&g, 1, 1, 0, false);
        assert_int_equal(why_search_run(&s, 4, 2, edges_of, &g), 0);
        assert_false(s.found);
        assert_true(s.limit_hit);
        assert_int_equal(s.n, 2);
        why_search_free(&s);
}

/* Brute force: the least (hops, interior) over chains from any root to target; hops -1 when none. */
static void brute(const struct graph *g, int nblocks, int64_t target, int *hops, int *interior)
{
        int h[64], in[64];
        for (int i = 0; i <= nblocks; i++)
                h[i] = -1, in[i] = 0;
        for (size_t i = 0; i < g->n; i++)
                if (g->e[i].from == 0) {
                        int t = (int)g->to[i], ii = g->e[i].to_offset != 0;
                        if (h[t] < 0 || 1 < h[t] || (1 == h[t] && ii < in[t]))
                                h[t] = 1, in[t] = ii;
                }
        for (int round = 0; round < nblocks + 2; round++)
                for (size_t i = 0; i < g->n; i++) {
                        int f = (int)g->e[i].from, t = (int)g->to[i];
                        if (f == 0 || h[f] < 0)
                                continue;
                        int nh = h[f] + 1, ni = in[f] + (g->e[i].to_offset != 0);
                        if (h[t] < 0 || nh < h[t] || (nh == h[t] && ni < in[t]))
                                h[t] = nh, in[t] = ni;
                }
        *hops = h[target];
        *interior = in[target];
}

static void test_random(void **state)
{
        (void)state;
        srand(13);
        for (int round = 0; round < 2000; round++) {
                struct graph g = { 0 };
                int nblocks = 1 + rand() % 40, nedges = rand() % 120, nroots = rand() % 4;
                for (int i = 0; i < nedges; i++)
                        edge(&g, 1 + rand() % nblocks, 1 + rand() % nblocks, rand() % 3 ? 0 : 8);
                for (int i = 0; i < nroots; i++)
                        root(&g, 1 + i, 1 + rand() % nblocks, rand() % 3 ? 0 : 8, rand() % 2);
                int64_t target = 1 + rand() % nblocks;
                int hops, interior;
                brute(&g, nblocks, target, &hops, &interior);

                struct why_search s;
                assert_int_equal(why_search_run(&s, target, 1000, edges_of, &g), 0);
                assert_int_equal(s.found, hops >= 0);
                if (s.found) {
                        /* the chain: as short and with as few interior pointers, and made of real pointers */
                        const struct why_node *first = &s.nodes[s.root_node];
                        assert_int_equal(first->hops + 1, hops);
                        assert_int_equal(first->interior + (s.root.to_offset != 0), interior);
                        uint32_t counted = s.root.to_offset != 0;
                        for (size_t k = s.root_node; s.nodes[k].hops; k = s.nodes[k].next) {
                                const struct why_node *n = &s.nodes[k];
                                bool real = false;
                                for (size_t i = 0; i < g.n; i++)
                                        real |= g.e[i].from == n->block && g.to[i] == s.nodes[n->next].block &&
                                                g.e[i].to_offset == n->via.to_offset;
                                assert_true(real);
                                counted += n->via.to_offset != 0;
                        }
                        assert_int_equal(counted, interior);
                }
                why_search_free(&s);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_shortest),
                cmocka_unit_test(test_interior_and_conservative),
                cmocka_unit_test(test_leak_and_limit),
                cmocka_unit_test(test_random),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
