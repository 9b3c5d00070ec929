/*
 * The `segments` table: one row per PT_LOAD of the core, including those
 * with no bytes, joined with what names them — the MEMSNAP smaps note when
 * the core has one (paths, pseudo names like [heap], exact permissions, the
 * kernel's RSS/PSS/swap figures), else NT_FILE for file paths and auxv for
 * the vdso — and classified by common/segment_kind.c as a person reading
 * /proc/PID/maps would.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/proc_maps.h"
#include "stages.h"

#define VSYSCALL_ADDR 0xffffffffff600000ull /* arch/x86/include/asm/vsyscall.h: VSYSCALL_ADDR */

static const struct core_file_map *find_file(const struct core *c, uint64_t start)
{
        /* NT_FILE lists mappings in address order, one per VMA. */
        size_t lo = 0, hi = c->nfiles;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (c->files[mid].start < start)
                        lo = mid + 1;
                else if (c->files[mid].start > start)
                        hi = mid;
                else
                        return &c->files[mid];
        }
        return NULL;
}

static void copy_smaps(struct segment *s, const struct map_entry *m)
{
        memcpy(s->perms, m->perms, sizeof(s->perms));
        s->offset = m->offset;
        if (m->path) {
                free(s->path);
                s->path = strdup(m->path);
        }
        s->deleted = m->deleted;
        s->rss_kb = m->rss_kb;
        s->pss_kb = m->pss_kb;
        s->swap_kb = m->swap_kb;
        s->private_dirty_kb = m->private_dirty_kb;
        s->private_clean_kb = m->private_clean_kb;
        s->shared_clean_kb = m->shared_clean_kb;
        s->shared_dirty_kb = m->shared_dirty_kb;
        s->anonymous_kb = m->anonymous_kb;
}

static int parse_smaps(struct analysis *a, struct map_list *smaps)
{
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SMAPS);
        size_t bad = 0;

        if (!n)
                return 0;
        int r = proc_maps_parse((const char *)n->desc, n->descsz, smaps, &bad);
        if (r < 0) {
                warn_add(&a->warnings, "segments", 0,
                         "the MEMSNAP smaps note (file offset %llu) is malformed at line %zu; paths and RSS figures come from NT_FILE only",
                         (unsigned long long)n->file_offset, bad);
                map_list_free(smaps);
        }
        return 0;
}

static void name_without_smaps(struct analysis *a, struct segment *s)
{
        uint64_t vdso;
        if (core_auxv(&a->core, AT_SYSINFO_EHDR, &vdso) && s->start == vdso && !s->path)
                s->path = strdup("[vdso]");
        else if (s->start == VSYSCALL_ADDR && !s->path)
                s->path = strdup("[vsyscall]");
}

static int module_at(const struct analysis *a, uint64_t addr)
{
        for (size_t i = 0; i < a->nmodules; i++)
                if (addr >= a->modules[i].start && addr < a->modules[i].end)
                        return (int)i;
        return NO_ID;
}

int segments_build(struct analysis *a)
{
        const struct core *c = &a->core;
        _cleanup_(map_list_free) struct map_list smaps = { 0 };
        int r = parse_smaps(a, &smaps);
        if (r < 0)
                return r;

        a->segments = calloc(c->nsegs ? c->nsegs : 1, sizeof(*a->segments));
        _cleanup_free_ struct segment_facts *facts = calloc(c->nsegs ? c->nsegs : 1, sizeof(*facts));
        _cleanup_free_ enum segment_kind *kinds = calloc(c->nsegs ? c->nsegs : 1, sizeof(*kinds));
        if (!a->segments || !facts || !kinds)
                return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);

        uint64_t vdso = 0;
        bool have_vdso = core_auxv(c, AT_SYSINFO_EHDR, &vdso);

        for (size_t i = 0; i < c->nsegs; i++) {
                const struct core_segment *cs = &c->segs[i];
                struct segment *s = &a->segments[a->nsegments++];
                *s = (struct segment){
                        .start = cs->vaddr, .end = cs->vaddr + cs->memsz, .in_core = cs->filesz,
                        .module_id = NO_ID, .arena_id = NO_ID,
                        .rss_kb = -1, .pss_kb = -1, .swap_kb = -1, .private_dirty_kb = -1,
                        .private_clean_kb = -1, .shared_clean_kb = -1, .shared_dirty_kb = -1, .anonymous_kb = -1,
                };
                s->perms[0] = cs->flags & PF_R ? 'r' : '-';
                s->perms[1] = cs->flags & PF_W ? 'w' : '-';
                s->perms[2] = cs->flags & PF_X ? 'x' : '-';
                s->perms[3] = 'p';

                const struct core_file_map *f = find_file(c, s->start);
                if (f) {
                        size_t len = strlen(f->path);
                        static const char deleted[] = " (deleted)";
                        if (len > sizeof(deleted) - 1 && strcmp(f->path + len - (sizeof(deleted) - 1), deleted) == 0) {
                                s->path = strndup(f->path, len - (sizeof(deleted) - 1));
                                s->deleted = true;
                        } else {
                                s->path = strdup(f->path);
                        }
                        s->offset = f->offset;
                }

                const struct map_entry *m = smaps.n ? map_list_find(&smaps, s->start) : NULL;
                if (m && m->start == s->start)
                        copy_smaps(s, m);
                else if (smaps.n)
                        warn_add(&a->warnings, "segments", s->start, "segment is not in the smaps note");
                else
                        name_without_smaps(a, s);
                /* Kernels since 6.? name a second vvar mapping; both sit right below the vdso. */
                /* [vvar] is read-only: a writable mapping there is anonymous memory (malloc's, ld.so's). */
                if (!smaps.n && have_vdso && !s->path && s->end <= vdso && s->end + (64u << 10) > vdso &&
                    s->perms[2] != 'x' && s->perms[1] != 'w')
                        s->path = strdup("[vvar]");

                s->module_id = module_at(a, s->start);
                facts[i] = (struct segment_facts){
                        .start = s->start, .end = s->end, .perms = s->perms, .path = s->path,
                        .module = s->module_id, .thread = -1,
                };
        }

        if (a->nmodules == 0)
                segment_guess_modules(facts, a->nsegments);

        /* The mapping holding a thread's stack pointer is its stack. */
        for (size_t t = 0; t < a->nthreads; t++) {
                struct thread *th = &a->threads[t];
                th->stack_segment = NO_ID;
                for (size_t i = 0; i < a->nsegments; i++) {
                        if (th->sp >= a->segments[i].start && th->sp < a->segments[i].end) {
                                th->stack_segment = (int)i;
                                facts[i].thread = (int)t;
                                facts[i].main_thread = th->is_main;
                                a->segments[i].tid = th->tid;
                                /* glibc puts a PROT_NONE guard right below a thread's stack. */
                                if (i > 0 && a->segments[i - 1].end == a->segments[i].start &&
                                    strcmp(a->segments[i - 1].perms, "---p") == 0)
                                        a->segments[i - 1].tid = th->tid;
                                break;
                        }
                }
                if (th->stack_segment == NO_ID)
                        warn_add(&a->warnings, "segments", th->sp, "thread %d: its stack pointer is in no segment",
                                 th->tid);
        }

        segment_classify(facts, a->nsegments, kinds);
        for (size_t i = 0; i < a->nsegments; i++) {
                a->segments[i].kind = kinds[i];
                if (a->nmodules == 0 && facts[i].module >= 0)
                        a->segments[i].module_id = NO_ID; /* guessed modules have no row to point to */
        }
        return 0;
}
