/*
 * Decides where main_arena and mp_ are.  Symbols win when libc's full
 * symbol table is at hand; the shape search (glibc_shape.c) runs in every
 * case, and when both answer they must agree — a disagreement means the
 * layout table or the symbols are wrong, and is reported.  When the glibc
 * version is unknown, each layout of the table is tried, newest first, and
 * the first whose main_arena makes sense is used.
 *
 * The outcome lands in arenas.found_by ("symbol" or "shape") and
 * malloc_par.found_by, and in warnings when something did not fit.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "glibc.h"

static void choose_layout(struct heap_ctx *h, const struct glibc_symbols *sym)
{
        const struct glibc_version *v = &h->version;

        if (v->known) {
                enum glibc_layout_match m = glibc_layout_for(v->major, v->minor, v->patch, &h->layout);
                if (m != GLIBC_LAYOUT_EXACT) {
                        unsigned ma, mi;
                        glibc_layout_latest_known(&ma, &mi);
                        h->layout_guessed = true;
                        warn_add(h->w, "heap", h->libc.base,
                                 "glibc %s is %s the releases memsnap knows (2.26 to %u.%u); its malloc is read with the %s layout and may be misread",
                                 v->text, m == GLIBC_LAYOUT_OLDER ? "older than" : "newer than", ma, mi, h->layout.name);
                }
                return;
        }
        /* Unknown version: the newest layout whose main_arena makes sense. */
        h->layout_guessed = true;
        for (unsigned i = glibc_layout_count(); i-- > 0;) {
                struct glibc_layout l;
                glibc_layout_row(i, &l);
                if ((sym->main_arena && glibc_arena_plausible(h, sym->main_arena, &l, true)) ||
                    (!sym->main_arena && glibc_shape_main_arena(h, &l))) {
                        h->layout = l;
                        warn_add(h->w, "heap", h->libc.base, "the glibc version is unknown; the malloc structures fit the %s layout",
                                 l.name);
                        return;
                }
        }
        glibc_layout_row(glibc_layout_count() - 1, &h->layout);
}

static void check_size(struct heap_ctx *h, const char *what, uint64_t addr, uint64_t sym_size, int layout_size)
{
        if (sym_size && sym_size != (uint64_t)layout_size)
                warn_add(h->w, "heap", addr, "%s is %llu bytes by its symbol, but %d by the glibc %s layout: fields may be misread",
                         what, (unsigned long long)sym_size, layout_size, h->layout.name);
}

static const char *agree(struct heap_ctx *h, const char *what, uint64_t by_symbol, uint64_t by_shape, uint64_t *out)
{
        if (by_symbol) {
                *out = by_symbol;
                if (by_shape && by_shape != by_symbol)
                        warn_add(h->w, "heap", by_symbol,
                                 "%s: the symbol says 0x%llx, but its shape is found at 0x%llx; the symbol is used", what,
                                 (unsigned long long)by_symbol, (unsigned long long)by_shape);
                else if (!by_shape)
                        warn_add(h->w, "heap", by_symbol,
                                 "%s: the symbol says 0x%llx, but the shape search does not recognise it (glibc %s layout)",
                                 what, (unsigned long long)by_symbol, h->layout.name);
                return "symbol";
        }
        *out = by_shape;
        return by_shape ? "shape" : NULL;
}

int glibc_find_roots(struct heap_ctx *h)
{
        struct glibc_symbols sym;
        struct analysis *a = h->a;

        glibc_symbols_lookup(h, &sym);
        choose_layout(h, &sym);
        const struct glibc_layout *l = &h->layout;

        uint64_t shape_arena = glibc_shape_main_arena(h, l);
        h->roots.arena_found_by = agree(h, "main_arena", sym.main_arena, shape_arena, &h->roots.main_arena);
        if (!h->roots.main_arena) {
                warn_add(h->w, "heap", h->libc.base,
                         "main_arena was not found in '%s' (%s; no arena shape in its writable memory): no heap is listed",
                         h->libc.path, sym.have_symtab ? "its symbol table has no main_arena" : "no debug symbols");
                return 0;
        }
        if (sym.main_arena)
                check_size(h, "main_arena", sym.main_arena, sym.main_arena_size, l->ms_size);

        uint64_t shape_mp = glibc_shape_mp(h, l, h->roots.main_arena);
        h->roots.mp_found_by = agree(h, "mp_", sym.mp, shape_mp, &h->roots.mp);
        if (sym.mp)
                check_size(h, "mp_", sym.mp, sym.mp_size, l->mp_size);
        uint8_t buf[256];
        if (h->roots.mp && (size_t)l->mp_size <= sizeof(buf) && core_read(&a->core, h->roots.mp, buf, (size_t)l->mp_size)) {
                glibc_par_decode(l, buf, h->roots.mp, &a->malloc_par);
                a->malloc_par.found_by = h->roots.mp_found_by;
        } else {
                warn_add(h->w, "heap", h->roots.mp ? h->roots.mp : h->libc.base,
                         "mp_ (malloc_par) was not found: mmapped chunks cannot be checked against its counts");
        }

        if (sym.tcache_key && l->tcache_key == GLIBC_TCACHE_KEY_RANDOM &&
            !core_read_u64(&a->core, sym.tcache_key, &h->roots.tcache_key))
                h->roots.tcache_key = 0;
        log_debug("heap: glibc %s (%s layout), main_arena 0x%llx by %s, mp_ 0x%llx by %s",
                  h->version.known ? h->version.text : "unknown", l->name, (unsigned long long)h->roots.main_arena,
                  h->roots.arena_found_by, (unsigned long long)h->roots.mp,
                  h->roots.mp_found_by ? h->roots.mp_found_by : "nothing");
        return 0;
}
