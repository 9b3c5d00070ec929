/*
 * Object symbols per module, for naming the static variable a root slot is
 * in.  libdwfl's dwfl_module_addrinfo scans the whole symbol table on every
 * call, and a process has tens of thousands of static root slots: each
 * module's table is read once, its sized data objects sorted, and slots
 * found by binary search.
 */
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>

#include "owners.h"

#include "common/array.h"

int owners_symbols_init(struct owners_symbols *s, size_t nmodules)
{
        size_t k = nmodules ? nmodules : 1;
        *s = (struct owners_symbols){ .v = calloc(k, sizeof(*s->v)),
                                      .n = calloc(k, sizeof(*s->n)),
                                      .loaded = calloc(k, sizeof(*s->loaded)),
                                      .nmodules = nmodules };
        if (!s->v || !s->n || !s->loaded) {
                owners_symbols_free(s);
                return -ENOMEM;
        }
        return 0;
}

void owners_symbols_free(struct owners_symbols *s)
{
        for (size_t m = 0; s->v && m < s->nmodules; m++)
                free(s->v[m]);
        free(s->v);
        free(s->n);
        free(s->loaded);
        *s = (struct owners_symbols){ 0 };
}

static int symbol_cmp(const void *x, const void *y)
{
        const struct owners_symbol *a = x, *b = y;
        if (a->start != b->start)
                return a->start < b->start ? -1 : 1;
        /* The larger first at one start: an alias with size 0 never wins over the object itself. */
        return a->end > b->end ? -1 : a->end < b->end;
}

static int load(struct owners_symbols *s, const struct analysis *a, int m)
{
        Dwfl_Module *mod = a->modules.v[m].dwfl_mod;
        size_t cap = 0, n = 0;
        struct owners_symbol *v = NULL;

        int count = mod ? dwfl_module_getsymtab(mod) : -1;
        for (int i = 1; i < count; i++) {
                GElf_Sym sym;
                GElf_Addr addr;
                const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
                if (!name || !*name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_size == 0 ||
                    sym.st_shndx == SHN_UNDEF || addr + sym.st_size < addr)
                        continue;
                if (ARRAY_RESERVE(v, cap, n + 1) < 0) {
                        free(v);
                        return -ENOMEM;
                }
                v[n++] = (struct owners_symbol){ .start = addr, .end = addr + sym.st_size, .name = name };
        }
        qsort_safe(v, n, sizeof(*v), symbol_cmp);
        s->v[m] = v;
        s->n[m] = n;
        s->loaded[m] = true;
        return 0;
}

const struct owners_symbol *owners_symbols_find(struct owners_symbols *s, const struct analysis *a, int m,
                                                uint64_t addr, int *error)
{
        *error = 0;
        if (m < 0 || (size_t)m >= s->nmodules)
                return NULL;
        if (!s->loaded[m] && (*error = load(s, a, m)) < 0)
                return NULL;
        const struct owners_symbol *v = s->v[m];
        size_t l = 0, h = s->n[m];
        /* The last symbol starting at or below addr; objects do not nest, so it is the only candidate. */
        while (l < h) {
                size_t mid = l + (h - l) / 2;
                if (v[mid].start <= addr)
                        l = mid + 1;
                else
                        h = mid;
        }
        /* Symbols at one start come largest first: step back over the smaller aliases to it. */
        while (l >= 2 && v[l - 2].start == v[l - 1].start)
                l--;
        return l > 0 && addr < v[l - 1].end ? &v[l - 1] : NULL;
}
