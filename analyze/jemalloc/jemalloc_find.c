/*
 * Where jemalloc keeps its state: the arenas array (arenas[], one arena_t
 * pointer per index) and arena_emap_global (the radix tree from every
 * page of every extent to its edata_t).  Both are hidden in Debian's
 * stripped libjemalloc.so.2; a build that keeps its symbol table (static,
 * or not stripped) names them `je_arenas` and `je_arena_emap_global`, and
 * those are used first.  Without them, both are found by shape in the
 * module's writable memory:
 *   arenas[]  a word pointing to an arena_t whose ind is 0 and whose
 *             base_t's arena index is 0, followed by words each 0 or an
 *             arena_t whose ind is its index;
 *   emap      a word holding arena 0's base_t (rtree_t.base), followed by
 *             the rtree's root: 2^18 words, each 0 or a readable pointer,
 *             at least one not 0.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "jemalloc.h"

#define ARENAS_MAX (JE_MALLOCX_ARENA_LIMIT + 1)

static bool read_u32(const struct core *c, uint64_t addr, uint32_t *out)
{
        return core_read(c, addr, out, sizeof(*out));
}

/* p is an arena_t whose ind is ind, with a base_t of the same index; *base set. */
static bool is_arena(const struct core *c, uint64_t p, unsigned ind, uint64_t *base)
{
        uint32_t got, bind;
        uint64_t b;
        /* arena_t is CACHELINE-aligned (arena_structs.h) */
        if (!p || p % 64 || !read_u32(c, p + JE_ARENA_IND, &got) || got != ind || !core_read_u64(c, p + JE_ARENA_BASE, &b) ||
            !b || b % 8 || !read_u32(c, b + JE_BASE_IND, &bind) || bind != ind)
                return false;
        if (base)
                *base = b;
        return true;
}

/* The arenas array at at, ending at most at end: arenas[0] valid and every later word 0 or arena i. */
static bool is_arenas_array(const struct core *c, uint64_t at, uint64_t end)
{
        uint64_t p;
        if (!core_read_u64(c, at, &p) || !is_arena(c, p, 0, NULL))
                return false;
        for (unsigned i = 1; i < ARENAS_MAX && at + 8ull * i + 8 <= end; i++) {
                if (!core_read_u64(c, at + 8ull * i, &p))
                        return false;
                if (p && !is_arena(c, p, i, NULL))
                        return false;
        }
        return true;
}

/* The rtree at at (its base word already matched): the root's words are 0 or readable pointers, one at least. */
static bool is_rtree(const struct core *c, uint64_t at, uint64_t end)
{
        uint64_t root = at + JE_RTREE_ROOT, n = 0;
        if (end < root || (end - root) / 8 < JE_RTREE_FANOUT)
                return false;
        const uint64_t *v = core_ptr(c, root, (size_t)JE_RTREE_FANOUT * 8);
        _cleanup_free_ uint64_t *copy = NULL;
        if (!v) {
                copy = malloc((size_t)JE_RTREE_FANOUT * 8);
                if (!copy || !core_read(c, root, copy, (size_t)JE_RTREE_FANOUT * 8))
                        return false;
                v = copy;
        }
        for (size_t i = 0; i < JE_RTREE_FANOUT; i++) {
                uint64_t w;
                if (!v[i])
                        continue;
                if (v[i] % 8 || !core_read_u64(c, v[i], &w))
                        return false;
                n++;
        }
        return n > 0;
}

/* A writable range of the module, where its .data and .bss are. */
struct rw_range {
        uint64_t start, end;
};

static size_t rw_ranges(const struct je_ctx *x, struct rw_range *v, size_t max)
{
        const struct analysis *a = x->a;
        const struct module *m = &a->modules.v[x->module_id];
        size_t n = 0;
        for (size_t i = segment_index_from(a->segments.v, a->segments.n, m->start);
             i < a->segments.n && a->segments.v[i].start < m->end && n < max; i++) {
                const struct segment *s = &a->segments.v[i];
                if (s->perms[1] != 'w')
                        continue;
                uint64_t lo = s->start > m->start ? s->start : m->start, hi = s->end < m->end ? s->end : m->end;
                if (n && v[n - 1].end == lo)
                        v[n - 1].end = hi;
                else
                        v[n++] = (struct rw_range){ lo, hi };
        }
        return n;
}

static const struct rw_range *range_of(const struct rw_range *v, size_t n, uint64_t addr)
{
        for (size_t i = 0; i < n; i++)
                if (v[i].start <= addr && addr < v[i].end)
                        return &v[i];
        return NULL;
}

/* The symbol's address when the module's symbol table has name or a prefixed form of it. */
static uint64_t symbol(const struct je_ctx *x, const char *name)
{
        Dwfl_Module *mod = x->a->modules.v[x->module_id].dwfl_mod;
        int n = mod ? dwfl_module_getsymtab(mod) : -1;
        size_t len = strlen(name);
        for (int i = 0; i < n; i++) {
                GElf_Sym sym;
                GElf_Addr addr;
                const char *s = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
                size_t sl = s ? strlen(s) : 0;
                if (s && sym.st_shndx != SHN_UNDEF && GELF_ST_TYPE(sym.st_info) == STT_OBJECT && sl >= len &&
                    strcmp(s + sl - len, name) == 0)
                        return addr;
        }
        return 0;
}

bool jemalloc_find(struct je_ctx *x)
{
        const struct core *c = &x->a->core;
        struct rw_range rw[16];
        size_t nrw = rw_ranges(x, rw, 16);
        uint64_t arenas = symbol(x, "je_arenas"), emap = symbol(x, "je_arena_emap_global");
        const struct rw_range *r;

        bool by_symbol = arenas && emap;
        if (arenas && !((r = range_of(rw, nrw, arenas)) && is_arenas_array(c, arenas, r->end))) {
                warnings_add(x->w, "heap", arenas, "jemalloc: the symbol je_arenas (0x%llx) holds no arenas array; searched for by shape",
                             (unsigned long long)arenas);
                arenas = 0;
                by_symbol = false;
        }
        for (size_t i = 0; i < nrw && !arenas; i++)
                for (uint64_t p = rw[i].start; p + 8 <= rw[i].end && !arenas; p += 8)
                        if (is_arenas_array(c, p, rw[i].end))
                                arenas = p;
        if (!arenas) {
                warnings_add(x->w, "heap", x->a->modules.v[x->module_id].start,
                             "jemalloc: no arenas array in the writable memory of '%s': its heap is not read",
                             x->a->modules.v[x->module_id].path);
                return false;
        }
        uint64_t a0, b0;
        if (!core_read_u64(c, arenas, &a0) || !is_arena(c, a0, 0, &b0))
                return false;
        uint64_t word;
        if (emap && !((r = range_of(rw, nrw, emap)) && core_read_u64(c, emap, &word) && word == b0 && is_rtree(c, emap, r->end))) {
                warnings_add(x->w, "heap", emap,
                             "jemalloc: the symbol je_arena_emap_global (0x%llx) holds no extent map; searched for by shape",
                             (unsigned long long)emap);
                emap = 0;
                by_symbol = false;
        }
        for (size_t i = 0; i < nrw && !emap; i++)
                for (uint64_t p = rw[i].start; p + 8 <= rw[i].end && !emap; p += 8)
                        if (core_read_u64(c, p, &word) && word == b0 && is_rtree(c, p, rw[i].end))
                                emap = p;
        if (!emap) {
                warnings_add(x->w, "heap", arenas, "jemalloc: arenas at 0x%llx, but no extent map in the writable memory of '%s': its heap is not read",
                             (unsigned long long)arenas, x->a->modules.v[x->module_id].path);
                return false;
        }
        x->out->found_by = by_symbol ? "symbol" : "shape";
        x->out->arenas_at = arenas;
        x->out->emap_at = emap;
        return true;
}
