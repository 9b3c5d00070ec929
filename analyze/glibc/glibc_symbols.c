/*
 * main_arena, mp_ and tcache_key from the C library's symbol table.  They
 * are local symbols: only a full .symtab has them, which Debian and most
 * distributions strip into the separate debug file (libc6-dbg, debuginfod).
 *
 * The modules stage's Dwfl_Module for libc is used when there is one, so
 * its debug-info search (--debuginfo-path, --no-debuginfo) applies.  When
 * that stage did not report libc, a private libdwfl session reports the
 * library file alone at its load bias, with the same search settings.
 */
#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "analyze/core/elf_util.h"
#include "glibc_symbols.h"

static void scan(Dwfl_Module *mod, struct glibc_symbols *out)
{
        int n = dwfl_module_getsymtab(mod);
        for (int i = 0; i < n; i++) {
                GElf_Sym sym;
                GElf_Addr addr;
                const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
                if (!name || GELF_ST_TYPE(sym.st_info) != STT_OBJECT || sym.st_shndx == SHN_UNDEF)
                        continue;
                if (GELF_ST_BIND(sym.st_info) == STB_LOCAL)
                        out->have_symtab = true;
                if (strcmp(name, "main_arena") == 0) {
                        out->main_arena = addr;
                        out->main_arena_size = sym.st_size;
                } else if (strcmp(name, "mp_") == 0) {
                        out->mp = addr;
                        out->mp_size = sym.st_size;
                } else if (strcmp(name, "tcache_key") == 0) {
                        out->tcache_key = addr;
                }
        }
}

int glibc_symbols_lookup(struct heap_ctx *h, struct glibc_symbols *out)
{
        const struct analysis *a = h->a;
        const struct glibc_libc *l = &h->libc;

        *out = (struct glibc_symbols){ 0 };
        if (!l->found)
                return -ENOENT;
        if (l->dwfl_mod) {
                scan(l->dwfl_mod, out);
                return 0;
        }
        if (!l->file_matches)
                return -ENOENT;

        char *debuginfo_path = (char *)a->opt.debuginfo_path;
        const Dwfl_Callbacks callbacks = {
                .find_elf = dwfl_build_id_find_elf,
                .find_debuginfo = a->opt.no_debuginfo ? elf_util_find_debuginfo_none : dwfl_standard_find_debuginfo,
                .section_address = dwfl_offline_section_address,
                .debuginfo_path = &debuginfo_path,
        };
        _cleanup_(dwfl_endp) Dwfl *dwfl = dwfl_begin(&callbacks);
        if (!dwfl)
                return -ENOMEM;
        dwfl_report_begin(dwfl);
        Dwfl_Module *mod = dwfl_report_elf(dwfl, "libc", l->path, -1, l->base, false);
        dwfl_report_end(dwfl, NULL, NULL);
        if (!mod) {
                warnings_add(h->w, "heap", l->base, "cannot read the symbols of '%s': %s", l->path, dwfl_errmsg(-1));
                return -ENOENT;
        }
        scan(mod, out);
        return 0;
}
