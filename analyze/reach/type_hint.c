/* Implementation of type_hint.h: vtable pointers through libdwfl symbols, and text. */
#include "type_hint.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/demangle.h"

#define VTABLE_CACHE_MAX (1u << 20) /* distinct first words looked up at most; past it, no new classes */
#define TEXT_SCAN_MAX TYPE_HINT_BYTES_MAX /* a string hint needs its NUL within this many bytes */

static int range_cmp(const void *x, const void *y)
{
        const struct module_range *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

int type_hints_init(struct type_hints *th, const struct analysis *a, struct reach_result *out)
{
        *th = (struct type_hints){ .a = a, .out = out, .string_id = NO_ID, .types_cap = out->ntypes };
        th->mods = calloc(a->modules.n ? a->modules.n : 1, sizeof(*th->mods));
        th->cache_size = 1024;
        th->cache = calloc(th->cache_size, sizeof(*th->cache));
        if (!th->mods || !th->cache) {
                type_hints_free(th);
                return -ENOMEM;
        }
        for (size_t i = 0; i < a->modules.n; i++)
                if (a->modules.v[i].dwfl_mod && a->modules.v[i].end > a->modules.v[i].start)
                        th->mods[th->nmods++] = (struct module_range){
                                .start = a->modules.v[i].start, .end = a->modules.v[i].end, .mod = a->modules.v[i].dwfl_mod,
                        };
        qsort_safe(th->mods, th->nmods, sizeof(*th->mods), range_cmp);
        return 0;
}

void type_hints_free(struct type_hints *th)
{
        free(th->mods);
        free(th->cache);
        free(th->names);
        th->mods = NULL;
        th->cache = NULL;
        th->names = NULL;
        th->names_size = 0;
}

static size_t name_hash(const char *s)
{
        uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
        return (size_t)(h ^ (h >> 32));
}

/* Rebuilds the name table at twice the size (or the first size) with every type in it. */
static int names_grow(struct type_hints *th)
{
        size_t size = th->names_size ? th->names_size * 2 : 256;
        int32_t *v = calloc(size, sizeof(*v));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < th->out->ntypes; i++) {
                size_t k = name_hash(th->out->types[i]) & (size - 1);
                while (v[k])
                        k = (k + 1) & (size - 1);
                v[k] = (int32_t)i + 1;
        }
        free(th->names);
        th->names = v;
        th->names_size = size;
        return 0;
}

/*
 * The id of name in analysis.types, added when new.  A hash table, not a
 * search of the list: a crafted module can name a million classes.
 */
int32_t type_hint_intern(struct type_hints *th, const char *name)
{
        struct reach_result *out = th->out;
        if ((out->ntypes + 1) * 2 > th->names_size && names_grow(th) < 0)
                return -ENOMEM;
        size_t k = name_hash(name) & (th->names_size - 1);
        for (; th->names[k]; k = (k + 1) & (th->names_size - 1))
                if (strcmp(out->types[th->names[k] - 1], name) == 0)
                        return th->names[k] - 1;
        if (out->ntypes >= INT32_MAX - 1)
                return NO_ID;
        char *copy = strdup(name);
        if (!copy || ARRAY_RESERVE(out->types, th->types_cap, out->ntypes + 1) < 0) {
                free(copy);
                return -ENOMEM;
        }
        out->types[out->ntypes] = copy;
        th->names[k] = (int32_t)out->ntypes + 1;
        return (int32_t)out->ntypes++;
}

static const struct module_range *module_of(const struct type_hints *th, uint64_t addr)
{
        size_t l = 0, h = th->nmods;
        while (l < h) {
                size_t m = l + (h - l) / 2;
                if (th->mods[m].start <= addr)
                        l = m + 1;
                else
                        h = m;
        }
        return l && addr < th->mods[l - 1].end ? &th->mods[l - 1] : NULL;
}

static uint64_t slot_of(uint64_t vptr, size_t size)
{
        return (vptr * 0x9e3779b97f4a7c15ull) >> 20 & (size - 1);
}

static int cache_grow(struct type_hints *th)
{
        size_t nsize = th->cache_size * 2;
        struct vtable_slot *n = calloc(nsize, sizeof(*n));
        if (!n)
                return -ENOMEM;
        for (size_t i = 0; i < th->cache_size; i++) {
                if (!th->cache[i].vptr)
                        continue;
                size_t k = slot_of(th->cache[i].vptr, nsize);
                while (n[k].vptr)
                        k = (k + 1) & (nsize - 1);
                n[k] = th->cache[i];
        }
        free(th->cache);
        th->cache = n;
        th->cache_size = nsize;
        return 0;
}

/* The class whose vtable vptr points into, from the module's symbols. */
static int32_t vtable_class(struct type_hints *th, const struct module_range *m, uint64_t vptr)
{
        GElf_Off off;
        GElf_Sym sym;
        const char *name = dwfl_module_addrinfo(m->mod, vptr, &off, &sym, NULL, NULL, NULL);

        /* Itanium C++ ABI 2.5.2: objects point past offset-to-top and the typeinfo pointer. */
        if (!name || strncmp(name, "_ZTV", 4) != 0 || off != 2 * sizeof(uint64_t))
                return NO_ID;
        _cleanup_free_ char *type = demangle_type(name + 4);
        return type_hint_intern(th, type ? type : name);
}

static int32_t vtable_hint(struct type_hints *th, uint64_t vptr)
{
        if (vptr == 0 || vptr % 8)
                return NO_ID;
        const struct module_range *m = module_of(th, vptr);
        if (!m)
                return NO_ID;

        size_t k = slot_of(vptr, th->cache_size);
        for (; th->cache[k].vptr; k = (k + 1) & (th->cache_size - 1))
                if (th->cache[k].vptr == vptr)
                        return th->cache[k].type_id;
        if (th->cache_used >= VTABLE_CACHE_MAX)
                return NO_ID;

        int32_t id = vtable_class(th, m, vptr);
        if (id < NO_ID)
                return id;
        th->cache[k] = (struct vtable_slot){ .vptr = vptr, .type_id = id };
        if (++th->cache_used * 2 > th->cache_size && cache_grow(th) < 0)
                return -ENOMEM;
        return id;
}

/* Length of a valid UTF-8 sequence of 2 to 4 bytes at p (n available), or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
        size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
        if (!len || len > n || p[0] > 0xf4)
                return 0;
        for (size_t i = 1; i < len; i++)
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
        return len;
}

bool type_hint_is_text(const uint8_t *bytes, uint64_t len)
{
        size_t n = (size_t)MIN(len, (uint64_t)TEXT_SCAN_MAX), ascii = 0, chars = 0, i = 0;

        while (i < n && bytes[i]) {
                uint8_t b = bytes[i];
                if (b >= 0x20 && b < 0x7f) {
                        ascii++;
                        i++;
                } else if (b == '\t' || b == '\n' || b == '\r') {
                        i++;
                } else if (b >= 0x80) {
                        size_t l = utf8_seq(bytes + i, n - i);
                        if (!l)
                                return false;
                        i += l;
                } else {
                        return false;
                }
                chars++;
        }
        /* NUL-terminated within the block, long enough, and mostly plain ASCII. */
        return i < n && chars >= STRING_MIN_CHARS && ascii * 4 >= chars * 3;
}

int32_t type_hint(struct type_hints *th, const uint8_t *bytes, uint64_t len)
{
        if (len < 8)
                return NO_ID;
        uint64_t first;
        memcpy(&first, bytes, sizeof(first));

        if (th->nmods) {
                int32_t id = vtable_hint(th, first);
                if (id != NO_ID)
                        return id;
        }
        if (!type_hint_is_text(bytes, len) || core_segment_at(&th->a->core, first))
                return NO_ID;
        if (th->string_id == NO_ID)
                th->string_id = type_hint_intern(th, "string");
        return th->string_id;
}
