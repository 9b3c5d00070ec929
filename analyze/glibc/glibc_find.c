/*
 * Decides where main_arena and mp_ are.  Symbols win when libc's full
 * symbol table is at hand; the shape search (glibc_shape.c) runs in every
 * case, and when both answer they must agree — a disagreement means the
 * layout table or the symbols are wrong, and is reported.  When the glibc
 * version is unknown, each layout of the table is tried, newest first, and
 * the first whose main_arena makes sense is used.
 *
 * The outcome lands in arenas.found_by ("symbol" or "shape") and
 * malloc_par.found_by, and in warnings when something did not fit.  A
 * main_arena malloc never used (another allocator serves the process) is
 * told apart here too, so that its empty bins are not read as broken.
 */
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "glibc_arena_state.h"
#include "glibc_find.h"
#include "glibc_par.h"
#include "glibc_shape.h"
#include "glibc_symbols.h"

/*
 * How well a layout explains the core: main_arena found (1), mp_ found with
 * it (+1), and the main heap's first chunk — the main thread's tcache,
 * made by its first malloc — of this layout's tcache size (+2).  The
 * tcache size tells the release families apart (0x250 before 2.30, 0x290,
 * 0x300 from 2.42), which an arena's shape alone cannot.
 */
static int layout_score(struct heap_ctx *h, const struct glibc_layout *l, const struct glibc_symbols *sym)
{
        uint64_t arena = sym->main_arena ? (glibc_arena_state_plausible(h, sym->main_arena, l, true) ? sym->main_arena : 0)
                                         : glibc_shape_main_arena(h, l);
        if (!arena)
                return 0;
        uint64_t mp = sym->mp ? sym->mp : glibc_shape_mp(h, l, arena);
        uint64_t sbrk_base, field;
        if (!mp || !core_read_u64(&h->a->core, mp + (uint64_t)l->mp_sbrk_base, &sbrk_base))
                return 1;
        uint64_t first = ALIGN_UP(sbrk_base + GLIBC_CHUNK_HDR_SZ, (uint64_t)GLIBC_MALLOC_ALIGNMENT) - GLIBC_CHUNK_HDR_SZ;
        if (core_read_u64(&h->a->core, first + 8, &field) &&
            (field & ~(uint64_t)GLIBC_SIZE_FLAGS) == glibc_layout_tcache_chunk_size(l))
                return 4;
        return 2;
}

static void choose_layout(struct heap_ctx *h, const struct glibc_symbols *sym)
{
        const struct glibc_version *v = &h->version;

        if (v->known) {
                enum glibc_layout_match m = glibc_layout_for(v->major, v->minor, v->patch, &h->layout);
                if (m != GLIBC_LAYOUT_EXACT) {
                        unsigned ma, mi;
                        glibc_layout_latest_known(&ma, &mi);
                        h->layout_guessed = true;
                        warnings_add(h->w, "heap", h->libc.base,
                                     "glibc %s is %s the releases memsnap knows (2.26 to %u.%u); its malloc is read with the %s layout and may be misread",
                                     v->text, m == GLIBC_LAYOUT_OLDER ? "older than" : "newer than", ma, mi, h->layout.name);
                }
                return;
        }
        /* Unknown version: the layout under which the most of malloc's state makes sense, newest first on ties. */
        h->layout_guessed = true;
        int best = -1, best_score = 0;
        for (unsigned i = glibc_layout_count(); i-- > 0;) {
                struct glibc_layout l;
                glibc_layout_row(i, &l);
                int score = layout_score(h, &l, sym);
                if (score > best_score) {
                        best_score = score;
                        best = (int)i;
                }
        }
        glibc_layout_row(best >= 0 ? (unsigned)best : glibc_layout_count() - 1, &h->layout);
        if (best >= 0)
                warnings_add(h->w, "heap", h->libc.base,
                             "the glibc version is unknown; malloc's structures fit the %s layout best (releases with the same shapes may be confused)",
                             h->layout.name);
}

static void check_size(struct heap_ctx *h, const char *what, uint64_t addr, uint64_t sym_size, int layout_size)
{
        if (sym_size && sym_size != (uint64_t)layout_size)
                warnings_add(h->w, "heap", addr, "%s is %llu bytes by its symbol, but %d by the glibc %s layout: fields may be misread",
                             what, (unsigned long long)sym_size, layout_size, h->layout.name);
}

static const char *agree(struct heap_ctx *h, const char *what, uint64_t by_symbol, uint64_t by_shape, uint64_t *out)
{
        if (by_symbol) {
                *out = by_symbol;
                if (by_shape && by_shape != by_symbol)
                        warnings_add(h->w, "heap", by_symbol,
                                     "%s: the symbol says 0x%llx, but its shape is found at 0x%llx; the symbol is used", what,
                                     (unsigned long long)by_symbol, (unsigned long long)by_shape);
                else if (!by_shape)
                        warnings_add(h->w, "heap", by_symbol,
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
        const struct analysis *a = h->a;

        glibc_symbols_lookup(h, &sym);
        choose_layout(h, &sym);
        const struct glibc_layout *l = &h->layout;

        /* An arena malloc never used has no bins to recognise it by; its own shape does. */
        enum allocator_state use = sym.main_arena ? glibc_arena_state_use(h, l, sym.main_arena) : ALLOCATOR_IN_USE;
        uint64_t shape_arena = use != ALLOCATOR_IN_USE ? sym.main_arena : glibc_shape_main_arena(h, l);
        if (!sym.main_arena && !shape_arena)
                shape_arena = glibc_shape_unused_main_arena(h, l, &use);
        h->roots.use = use;
        h->roots.arena_found_by = agree(h, "main_arena", sym.main_arena, shape_arena, &h->roots.main_arena);
        if (!h->roots.main_arena) {
                warnings_add(h->w, "heap", h->libc.base,
                             "main_arena was not found in '%s' (%s; no arena shape in its writable memory): no heap is listed",
                             h->libc.path, sym.have_symtab ? "its symbol table has no main_arena" : "no debug symbols");
                return 0;
        }
        if (sym.main_arena)
                check_size(h, "main_arena", sym.main_arena, sym.main_arena_size, l->ms_size);

        /* mp_ of an unused malloc holds only defaults: its symbol finds it, its shape cannot. */
        uint64_t shape_mp = use == ALLOCATOR_IN_USE ? glibc_shape_mp(h, l, h->roots.main_arena) : sym.mp;
        if (!shape_mp && use != ALLOCATOR_IN_USE)
                return 0;
        h->roots.mp_found_by = agree(h, "mp_", sym.mp, shape_mp, &h->roots.mp);
        if (sym.mp)
                check_size(h, "mp_", sym.mp, sym.mp_size, l->mp_size);
        uint8_t buf[256];
        if (h->roots.mp && (size_t)l->mp_size <= sizeof(buf) && core_read(&a->core, h->roots.mp, buf, (size_t)l->mp_size)) {
                glibc_par_decode(l, buf, h->roots.mp, &h->out->malloc_par);
                h->out->malloc_par.found_by = h->roots.mp_found_by;
        } else {
                warnings_add(h->w, "heap", h->roots.mp ? h->roots.mp : h->libc.base,
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
