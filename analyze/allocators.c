/*
 * The allocators a process carries (allocators.h says how they are found).
 * glibc's malloc is judged by the heap stage from main_arena itself; this
 * file finds the others, decides which allocator malloc() resolves to,
 * and writes the note that keeps an empty glibc heap from reading as the
 * whole story.
 */
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allocators.h"
#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "heap.h"

#define MARKERS_MAX 4

static const struct allocator_desc {
        const char *memory;         /* what the note calls its blocks */
        const char *markers[MARKERS_MAX]; /* defined symbols only this allocator has */
        const char *sections[2];    /* sections only its programs have */
        heap_walker_fn *walk;       /* its walker (heap.h), or NULL: its blocks are not read */
        heap_walker_reset_fn *reset; /* frees what walk put in struct heap_result */
} allocator_table[] = {
        [ALLOCATOR_GLIBC] = { "glibc malloc's heap", { "__libc_malloc" }, { NULL } },
        /* jemalloc's API; "je_" is the prefix of builds that leave malloc() alone (Redis's own) */
        [ALLOCATOR_JEMALLOC] = { "jemalloc's heap", { "mallctl", "mallocx", "je_mallctl", "je_mallocx" }, { NULL },
                                 jemalloc_heap_walk, jemalloc_heap_reset },
        /* gperftools' tc_* API; TCMallocInternalMalloc in Google's tcmalloc */
        [ALLOCATOR_TCMALLOC] = { "tcmalloc's heap", { "tc_malloc", "TCMallocInternalMalloc" }, { NULL },
                                tcmalloc_heap_walk, tcmalloc_heap_reset },
        [ALLOCATOR_MIMALLOC] = { "mimalloc's heap", { "mi_malloc" }, { NULL } },
        /* the Go linker's build-info and build-id sections survive -s, its symbols do not */
        [ALLOCATOR_GO] = { "the Go runtime heap", { "runtime.mallocgc" }, { ".go.buildinfo", ".note.go.buildid" } },
};
#define ALLOCATOR_KINDS ELEMENTSOF(allocator_table)

/* What one module's symbols and sections say. */
struct module_marks {
        const char *marker[ALLOCATOR_KINDS]; /* the first marker found per kind, or NULL */
        bool exports_malloc;        /* a global malloc is defined here */
};

static void scan_symbols(Dwfl_Module *mod, struct module_marks *mk)
{
        int n = dwfl_module_getsymtab(mod);
        for (int i = 0; i < n; i++) {
                GElf_Sym sym;
                GElf_Addr addr;
                const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, NULL, NULL, NULL);
                if (!name || sym.st_shndx == SHN_UNDEF)
                        continue;
                if (strcmp(name, "malloc") == 0 && GELF_ST_BIND(sym.st_info) != STB_LOCAL &&
                    GELF_ST_TYPE(sym.st_info) == STT_FUNC)
                        mk->exports_malloc = true;
                for (size_t k = 0; k < ALLOCATOR_KINDS; k++)
                        for (size_t j = 0; j < MARKERS_MAX && allocator_table[k].markers[j]; j++)
                                if (!mk->marker[k] && strcmp(name, allocator_table[k].markers[j]) == 0)
                                        mk->marker[k] = allocator_table[k].markers[j];
        }
}

static void scan_sections(Dwfl_Module *mod, struct module_marks *mk)
{
        GElf_Addr bias;
        Elf *elf = dwfl_module_getelf(mod, &bias);
        size_t shstrndx;
        if (!elf || elf_getshdrstrndx(elf, &shstrndx) < 0)
                return;
        for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
                GElf_Shdr sh;
                const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
                if (!name)
                        continue;
                for (size_t k = 0; k < ALLOCATOR_KINDS; k++)
                        for (size_t j = 0; j < ELEMENTSOF(allocator_table[k].sections) && allocator_table[k].sections[j]; j++)
                                if (!mk->marker[k] && strcmp(name, allocator_table[k].sections[j]) == 0)
                                        mk->marker[k] = allocator_table[k].sections[j];
        }
}

static int module_at(const struct analysis *a, uint64_t addr)
{
        for (size_t i = 0; i < a->modules.n; i++)
                if (a->modules.v[i].start <= addr && addr < a->modules.v[i].end)
                        return (int)i;
        return NO_ID;
}

/*
 * The module malloc() resolves to, from the C library's GOT entry for it
 * (glibc calls malloc through it, so that an interposed malloc serves libc
 * too); NO_ID when the relocation or the entry cannot be read.  The
 * GLOB_DAT entry is filled at load time; a lazily bound JUMP_SLOT that
 * still points into libc may be its own PLT, and says nothing.
 */
static int malloc_target(const struct analysis *a, int libc_id, uint64_t *slot_out)
{
        GElf_Addr bias;
        Elf *elf = dwfl_module_getelf(a->modules.v[libc_id].dwfl_mod, &bias);
        if (!elf)
                return NO_ID;
        for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
                GElf_Shdr sh, symsh;
                if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || sh.sh_entsize == 0)
                        continue;
                Elf_Scn *symscn = elf_getscn(elf, sh.sh_link);
                Elf_Data *rel = elf_getdata(scn, NULL), *syms = symscn ? elf_getdata(symscn, NULL) : NULL;
                if (!rel || !syms || !gelf_getshdr(symscn, &symsh))
                        continue;
                size_t n = MIN(rel->d_size / sh.sh_entsize, (size_t)INT_MAX);
                for (size_t i = 0; i < n; i++) {
                        GElf_Rela r;
                        GElf_Sym sym;
                        if (!gelf_getrela(rel, (int)i, &r))
                                break;
                        unsigned type = (unsigned)GELF_R_TYPE(r.r_info);
                        if ((type != R_X86_64_GLOB_DAT && type != R_X86_64_JUMP_SLOT) ||
                            !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
                                continue;
                        const char *name = elf_strptr(elf, symsh.sh_link, sym.st_name);
                        uint64_t target;
                        if (!name || strcmp(name, "malloc") != 0 || !core_read_u64(&a->core, r.r_offset + bias, &target))
                                continue;
                        int id = module_at(a, target);
                        if (type == R_X86_64_JUMP_SLOT && id == libc_id)
                                continue;
                        *slot_out = r.r_offset + bias;
                        return id;
                }
        }
        return NO_ID;
}

static int add_row(const struct analysis *a, struct heap_result *out, size_t *cap, enum allocator_kind kind, int module_id, char *evidence)
{
        if (!evidence || ARRAY_RESERVE(out->allocators, *cap, out->nallocators + 1) < 0) {
                free(evidence);
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        }
        out->allocators[out->nallocators++] = (struct allocator){
                .kind = kind,
                .state = kind == ALLOCATOR_GLIBC ? ALLOCATOR_UNKNOWN : ALLOCATOR_PRESENT,
                .module_id = module_id,
                .evidence = evidence,
        };
        return 0;
}

static char *evidence_for(enum allocator_kind k, const struct module_marks *mk)
{
        char *s = NULL;
        /* Section names start with a dot, symbol names do not. */
        if (asprintf(&s, "%s %s%s", mk->marker[k][0] == '.' ? "has section" : "defines", mk->marker[k],
                     mk->exports_malloc && k != ALLOCATOR_GO ? ", exports malloc" : "") < 0)
                return NULL;
        return s;
}

/* Appends the reason the row serves malloc to its evidence. */
static int say_serves(struct allocator *x, int target, uint64_t slot)
{
        _cleanup_strbuf_ struct strbuf sb = STRBUF_INIT;

        strbuf_addstr(&sb, x->evidence);
        if (x->evidence[0])
                strbuf_addstr(&sb, "; ");
        if (target != NO_ID)
                strbuf_addf(&sb, "libc's GOT entry for malloc (0x%llx) points into it", (unsigned long long)slot);
        else
                strbuf_addstr(&sb, "exports malloc, which comes before libc's in symbol lookup");
        char *n = strbuf_take(&sb, NULL);
        if (!n)
                return -ENOMEM;
        free(x->evidence);
        x->evidence = n;
        x->serves_malloc = true;
        return 0;
}

int allocators_detect(const struct analysis *a, struct heap_result *out, bool libc_found, int libc_module_id, bool libc_static, struct allocator **glibc)
{
        size_t cap = 0;
        _cleanup_free_ struct module_marks *marks = calloc(a->modules.n + 1, sizeof(*marks));
        int r;

        *glibc = NULL;
        if (!marks)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        for (size_t i = 0; i < a->modules.n; i++) {
                if (!a->modules.v[i].dwfl_mod)
                        continue;
                scan_symbols(a->modules.v[i].dwfl_mod, &marks[i]);
                if (a->modules.v[i].is_main && !marks[i].marker[ALLOCATOR_GO])
                        scan_sections(a->modules.v[i].dwfl_mod, &marks[i]);
        }

        /* A static executable taken for the C library may carry another runtime and no glibc malloc. */
        bool have_glibc = libc_found;
        if (libc_static && libc_module_id != NO_ID && !marks[libc_module_id].marker[ALLOCATOR_GLIBC])
                for (size_t k = 1; k < ALLOCATOR_KINDS; k++)
                        if (marks[libc_module_id].marker[k])
                                have_glibc = false;
        if (have_glibc && (r = add_row(a, out, &cap, ALLOCATOR_GLIBC, libc_module_id, strdup(""))) < 0)
                return r;
        for (size_t k = 1; k < ALLOCATOR_KINDS; k++)
                for (size_t i = 0; i < a->modules.n; i++)
                        if (marks[i].marker[k] &&
                            (r = add_row(a, out, &cap, (enum allocator_kind)k, (int)i, evidence_for((enum allocator_kind)k, &marks[i]))) < 0)
                                return r;

        /* Who serves malloc: libc's GOT says; without it, a module that exports malloc is ahead of libc. */
        uint64_t slot = 0;
        int target = have_glibc && !libc_static && libc_module_id != NO_ID ? malloc_target(a, libc_module_id, &slot) : NO_ID;
        bool other = false;
        for (size_t i = 0; i < out->nallocators; i++) {
                struct allocator *x = &out->allocators[i];
                if (x->kind == ALLOCATOR_GO || x->module_id == NO_ID)
                        continue;
                bool serves = target != NO_ID ? x->module_id == target
                                              : x->kind != ALLOCATOR_GLIBC && marks[x->module_id].exports_malloc;
                if (serves && say_serves(x, target, slot) < 0)
                        return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
                other |= serves && x->kind != ALLOCATOR_GLIBC;
        }
        if (have_glibc) {
                *glibc = &out->allocators[0];
                if (target == NO_ID && !other)
                        (*glibc)->serves_malloc = true;
        }
        return 0;
}

heap_walker_fn *allocator_walker(enum allocator_kind kind)
{
        return kind < ALLOCATOR_KINDS ? allocator_table[kind].walk : NULL;
}

heap_walker_reset_fn *allocator_walker_reset(enum allocator_kind kind)
{
        return kind < ALLOCATOR_KINDS ? allocator_table[kind].reset : NULL;
}

static const char *module_name(const struct analysis *a, int id)
{
        if (id == NO_ID)
                return "?";
        const char *p = a->modules.v[id].path, *base = strrchr(p, '/');
        return base ? base + 1 : p;
}

/* Why glibc's heap has no chunks, as the note's closing words. */
static const char *glibc_absence(const struct heap_result *heap, const struct allocator *g)
{
        if (!g)
                return "there is no glibc malloc";
        switch (g->state) {
        case ALLOCATOR_UNINITIALISED: return "glibc malloc was never initialised in this process";
        case ALLOCATOR_IDLE:
                /* mp_ counts glibc's mmapped chunks: without it they are not searched for. */
                return heap->malloc_par.found ? "glibc malloc was initialised, but its arena never got memory"
                                           : "glibc malloc was initialised, but its arena never got memory (mp_ was not found, so mmapped chunks it may have are not searched for)";
        default: return "glibc's main_arena was not found";
        }
}

void allocators_note(const struct analysis *a, const struct heap_result *heap, struct warnings *w)
{
        const struct allocator *g = NULL;
        _cleanup_strbuf_ struct strbuf others = STRBUF_INIT;
        size_t n = 0;
        uint64_t at = 0;
        bool walked = false, failed = false;

        for (size_t i = 0; i < heap->nallocators; i++) {
                const struct allocator *x = &heap->allocators[i];
                walked |= x->walked;
                if (x->kind == ALLOCATOR_GLIBC) {
                        g = x;
                        continue;
                }
                if (x->walked)
                        continue;
                if (!at && x->module_id != NO_ID)
                        at = a->modules.v[x->module_id].start;
                /* A walker that ran and read nothing has said why in a warning of its own. */
                failed |= allocator_table[x->kind].walk != NULL;
                strbuf_addf(&others, "%s%s (%s%s)", n ? ", " : "", allocator_table[x->kind].memory,
                            module_name(a, x->module_id), x->serves_malloc ? ", which serves malloc" : "");
                n++;
        }
        if (walked) {
                if (n)
                        warnings_add(w, "heap", at,
                                     "%s: not read%s; chunks lists the blocks of the allocators walked alone",
                                     strbuf_str(&others), failed ? " (the walker's warnings say why)" : "");
                /* An idle glibc whose mp_ was not found may have mmapped chunks no one searched for. */
                if (g && !g->walked && g->state == ALLOCATOR_IDLE && !heap->malloc_par.found)
                        warnings_add(w, "heap", 0, "%s", glibc_absence(heap, g));
        } else if (n) {
                warnings_add(w, "heap", at, "%s: not read%s; and %s: no chunks are listed",
                             strbuf_str(&others), failed ? " (the walker's warnings say why)" : "", glibc_absence(heap, g));
        } else if (g && (g->state == ALLOCATOR_UNINITIALISED || g->state == ALLOCATOR_IDLE)) {
                warnings_add(w, "heap", 0, "%s, and no other allocator was recognised: no chunks are listed",
                             glibc_absence(heap, g));
        }
}
