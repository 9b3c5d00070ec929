/*
 * The `segments` table: the process's whole address space, one row per
 * mapping, named and classified as a person reading /proc/PID/maps would.
 *
 * Each producer leaves out something, so the rows are gathered from every
 * source and the first that knows a fact wins:
 *   - every PT_LOAD, with or without bytes (in_core = the bytes present);
 *   - every NT_FILE mapping that no PT_LOAD covers: gdb's gcore leaves
 *     read-only file mappings it could reread from the file (the text of
 *     every module) out of the core entirely; they come back with in_core 0;
 *   - every mapping of the MEMSNAP smaps note that no PT_LOAD covers.
 * Names come from the smaps note (which also gives exact permissions,
 * VmFlags and the kernel's RSS/PSS/swap figures), else NT_FILE, else auxv
 * (the vdso) and the layout the kernel gives the vvar pages below it.
 * Without smaps the permissions are those of the program headers, and
 * where those are unreliable they are repaired: a file mapping gcore left
 * out gets the flags of its module's program header; gcore writes PROT_NONE
 * mappings as readable, so a thread's guard page is recognised by where it
 * lies, right below the thread's stack.
 *
 * Modules come from the modules stage, threads' stack pointers from the
 * threads stage; common/segment_kind.c decides the kinds: here from the
 * maps, and in the heap-kinds stage (segments_mark_heap) with what the
 * heap walk found.  Besides its result the stage marks in the core which
 * segments' tails are known zero (mark_zero_tails); its reset takes that
 * back too.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/memsnap_note.h"
#include "common/path_deleted.h"
#include "common/proc_maps.h"
#include "stages.h"

#define VSYSCALL_ADDR 0xffffffffff600000ull /* arch/x86/include/asm/vsyscall.h: VSYSCALL_ADDR */
#define GUARD_MAX (1ull << 20) /* glibc's default guard is one page; pthread_attr_setguardsize rarely asks more */

struct builder {
        const struct analysis *a;   /* the earlier stages' results, read only */
        struct segments_result *out; /* what the stage finds: a->segments */
        struct warnings *w;
        struct core *core;          /* where mark_zero_tails vouches for zero tails */
        size_t cap;
        struct map_list smaps;
        uint64_t page_size;
};

static struct segment *add_segment(struct builder *b, uint64_t start, uint64_t end)
{
        if (ARRAY_RESERVE(b->out->v, b->cap, b->out->n + 1) < 0)
                return NULL;
        struct segment *s = &b->out->v[b->out->n++];
        *s = (struct segment){
                .start = start, .end = end, .module_id = NO_ID, .arena_id = NO_ID,
                .rss_kb = -1, .pss_kb = -1, .swap_kb = -1, .private_dirty_kb = -1,
                .private_clean_kb = -1, .shared_clean_kb = -1, .shared_dirty_kb = -1, .anonymous_kb = -1,
        };
        memcpy(s->perms, "---p", sizeof(s->perms));
        return s;
}

static void perms_from_flags(char perms[5], uint32_t flags)
{
        perms[0] = flags & PF_R ? 'r' : '-';
        perms[1] = flags & PF_W ? 'w' : '-';
        perms[2] = flags & PF_X ? 'x' : '-';
        perms[3] = 'p';
        perms[4] = '\0';
}

/* The ranges of the MEMSNAP skipped note, sorted and merged, for a search per segment. */
struct range_list {
        struct range { uint64_t lo, hi; } *v;
        size_t n, cap;
};

static void range_list_free(struct range_list *l)
{
        free(l->v);
        *l = (struct range_list){ 0 };
}

static int range_cmp(const void *x, const void *y)
{
        const struct range *a = x, *b = y;
        return a->lo < b->lo ? -1 : a->lo > b->lo;
}

/* Reads the "START-END<TAB>..." lines of the skipped note; lines that do not start so are not ranges. */
static int skipped_ranges(const char *text, size_t len, struct range_list *out)
{
        const char *p = text, *stop = text + len;
        while (p < stop) {
                const char *nl = memchr(p, '\n', (size_t)(stop - p));
                const char *eol = nl ? nl : stop;
                char line[64];
                size_t n = MIN((size_t)(eol - p), sizeof(line) - 1);
                unsigned long long lo, hi;
                memcpy(line, p, n);
                line[n] = '\0';
                if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && lo < hi) {
                        if (ARRAY_RESERVE(out->v, out->cap, out->n + 1) < 0)
                                return -ENOMEM;
                        out->v[out->n++] = (struct range){ lo, hi };
                }
                p = nl ? nl + 1 : stop;
        }
        qsort_safe(out->v, out->n, sizeof(*out->v), range_cmp);
        size_t k = 0;
        for (size_t i = 0; i < out->n; i++) {
                if (k && out->v[i].lo <= out->v[k - 1].hi)
                        out->v[k - 1].hi = MAX(out->v[k - 1].hi, out->v[i].hi);
                else
                        out->v[k++] = out->v[i];
        }
        out->n = k;
        return 0;
}

/* Whether a range of the list overlaps [start, end). */
static bool ranges_overlap(const struct range_list *l, uint64_t start, uint64_t end)
{
        size_t lo = 0, hi = l->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (l->v[mid].hi <= start)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < l->n && l->v[lo].lo < end;
}

static int seg_cmp(const void *x, const void *y)
{
        const struct segment *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

/* Of the first n segments (sorted, not overlapping), the first overlapping [start, end), or NULL. */
static struct segment *overlapping_n(struct builder *b, size_t n, uint64_t start, uint64_t end)
{
        size_t i = segment_index_from(b->out->v, n, start);
        return i < n && b->out->v[i].start < end ? &b->out->v[i] : NULL;
}

static struct segment *overlapping(struct builder *b, uint64_t start, uint64_t end)
{
        return overlapping_n(b, b->out->n, start, end);
}

static int set_path(struct segment *s, const char *path)
{
        free(s->path);
        s->path = strndup(path, path_deleted_strip(path, strlen(path), &s->deleted));
        return s->path ? 0 : -ENOMEM;
}

static int copy_smaps(struct segment *s, const struct map_entry *m)
{
        memcpy(s->perms, m->perms, sizeof(s->perms));
        s->offset = m->offset;
        if (m->path) {
                free(s->path);
                if (!(s->path = strdup(m->path)))
                        return -ENOMEM;
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
        if (m->vm_flags) {
                free(s->vm_flags);
                /* The kernel ends the line with a space; keep the flags only. */
                size_t n = strlen(m->vm_flags);
                while (n && m->vm_flags[n - 1] == ' ')
                        n--;
                if (!(s->vm_flags = strndup(m->vm_flags, n)))
                        return -ENOMEM;
        }
        return 0;
}

static void parse_smaps(struct builder *b)
{
        const struct analysis *a = b->a;
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SMAPS);
        size_t bad = 0;

        if (!n)
                return;
        if (proc_maps_parse((const char *)n->desc, n->descsz, &b->smaps, &bad) < 0) {
                warnings_add(b->w, "segments", 0,
                             "the MEMSNAP smaps note (file offset %llu) is malformed at line %zu; paths and RSS figures come from NT_FILE only",
                             (unsigned long long)n->file_offset, bad);
                map_list_free(&b->smaps);
                return;
        }
        /* map_list_find needs the kernel's order; a crafted note may not have it. */
        for (size_t i = 1; i < b->smaps.n; i++)
                if (b->smaps.v[i].start < b->smaps.v[i - 1].end) {
                        warnings_add(b->w, "segments", b->smaps.v[i].start,
                                     "the MEMSNAP smaps note is not in address order at line %zu; it is not used", i + 1);
                        map_list_free(&b->smaps);
                        return;
                }
}

/* The core's own PT_LOADs, then what the core's notes know that they leave out. */
static int gather(struct builder *b)
{
        const struct analysis *a = b->a;
        const struct core *c = &a->core;

        for (size_t i = 0; i < c->nsegs; i++) {
                const struct core_segment *cs = &c->segs[i];
                struct segment *s = add_segment(b, cs->vaddr, cs->vaddr + cs->memsz);
                if (!s)
                        return -ENOMEM;
                s->in_core = cs->filesz;
                perms_from_flags(s->perms, cs->flags);
        }
        size_t from_core = b->out->n;

        /* NT_FILE and smaps are each sorted and free of overlaps among themselves (core.c, parse_smaps). */
        for (size_t i = 0; i < c->nfiles; i++) {
                const struct core_file_map *f = &c->files[i];
                if (overlapping_n(b, from_core, f->start, f->end))
                        continue;
                struct segment *s = add_segment(b, f->start, f->end);
                if (!s)
                        return -ENOMEM;
                memcpy(s->perms, "r--p", sizeof(s->perms)); /* repaired from the module's headers later */
                s->from_notes = true;
        }
        qsort_safe(b->out->v, b->out->n, sizeof(*b->out->v), seg_cmp);

        size_t known = b->out->n;
        for (size_t i = 0; i < b->smaps.n; i++) {
                const struct map_entry *m = &b->smaps.v[i];
                if (m->end <= m->start || overlapping_n(b, known, m->start, m->end))
                        continue;
                struct segment *s = add_segment(b, m->start, m->end);
                if (!s)
                        return -ENOMEM;
                s->from_notes = true;
        }
        qsort_safe(b->out->v, b->out->n, sizeof(*b->out->v), seg_cmp);
        if (b->out->n > from_core)
                log_debug("%zu mappings the core's program headers leave out come from its notes",
                          b->out->n - from_core);
        return 0;
}

/* The NT_FILE entry of the mapping that starts at start (NT_FILE has one per VMA). */
static const struct core_file_map *find_file(const struct core *c, uint64_t start)
{
        const struct core_file_map *f = core_file_at(c, start);
        return f && f->start == start ? f : NULL;
}

/*
 * The kernel maps [vvar] (and since 6.13 [vvar_vclock] too) right below
 * the vdso, read-only and with no file: name such a run of mappings.
 */
static int name_vvar(struct builder *b, size_t vdso_index)
{
        size_t first = vdso_index;
        while (first > 0 && vdso_index - first < 2) {
                const struct segment *s = &b->out->v[first - 1];
                if (s->path || s->end != b->out->v[first].start || strcmp(s->perms, "r--p") != 0)
                        break;
                first--;
        }
        for (size_t i = first; i < vdso_index; i++)
                if (!(b->out->v[i].path = strdup(i == first ? "[vvar]" : "[vvar_vclock]")))
                        return -ENOMEM;
        return 0;
}

static int name_without_smaps(struct builder *b)
{
        const struct analysis *a = b->a;
        uint64_t vdso;
        bool have_vdso = core_auxv(&a->core, AT_SYSINFO_EHDR, &vdso);

        for (size_t i = 0; i < b->out->n; i++) {
                struct segment *s = &b->out->v[i];
                if (s->path)
                        continue;
                if (have_vdso && s->start == vdso) {
                        if (!(s->path = strdup("[vdso]")) || name_vvar(b, i) < 0)
                                return -ENOMEM;
                } else if (s->start == VSYSCALL_ADDR) {
                        if (!(s->path = strdup("[vsyscall]")))
                                return -ENOMEM;
                }
        }
        return 0;
}

static int name_segments(struct builder *b)
{
        const struct analysis *a = b->a;
        const struct core *c = &a->core;
        size_t unmatched = 0;

        for (size_t i = 0; i < b->out->n; i++) {
                struct segment *s = &b->out->v[i];
                const struct core_file_map *f = find_file(c, s->start);
                if (f) {
                        if (set_path(s, f->path) < 0)
                                return -ENOMEM;
                        s->offset = f->offset;
                }
                if (!b->smaps.n)
                        continue;
                const struct map_entry *m = map_list_find(&b->smaps, s->start);
                if (m && m->start == s->start && m->end == s->end) {
                        if (copy_smaps(s, m) < 0)
                                return -ENOMEM;
                } else if (!unmatched++)
                        warnings_add(b->w, "segments", s->start,
                                     "segment 0x%llx-0x%llx is not a mapping of the smaps note; its name and figures come from NT_FILE",
                                     (unsigned long long)s->start, (unsigned long long)s->end);
        }
        if (unmatched > 1)
                warnings_add(b->w, "segments", 0, "%zu segments in all are not mappings of the smaps note",
                             unmatched);
        return b->smaps.n ? 0 : name_without_smaps(b);
}

/* The module whose image holds the segment, page-rounded as the mappings are; modules are sorted by start. */
static int module_holding(const struct builder *b, const struct segment *s)
{
        const struct analysis *a = b->a;
        size_t lo = 0, hi = a->modules.n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (a->modules.v[mid].start <= s->start)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo == 0)
                return NO_ID;
        const struct module *m = &a->modules.v[lo - 1];
        return s->end <= ALIGN_UP(m->end, b->page_size) ? (int)(lo - 1) : NO_ID;
}

/* The module's PT_LOAD that maps the segment's first page, or NULL. */
static const Elf64_Phdr *module_load(const struct module *m, const struct segment *s, uint64_t page_size)
{
        uint64_t at = s->start - m->load_bias;

        for (size_t i = 0; i < m->nphdrs; i++) {
                const Elf64_Phdr *ph = &m->phdrs[i];
                if (ph->p_type != PT_LOAD || ph->p_memsz > UINT64_MAX - ph->p_vaddr - page_size)
                        continue;
                if (at >= ALIGN_DOWN(ph->p_vaddr, page_size) && at < ALIGN_UP(ph->p_vaddr + ph->p_memsz, page_size))
                        return ph;
        }
        return NULL;
}

static void tie_modules(struct builder *b)
{
        const struct analysis *a = b->a;

        for (size_t i = 0; i < b->out->n; i++) {
                struct segment *s = &b->out->v[i];
                int id = module_holding(b, s);
                if (id < 0)
                        continue;
                const struct module *m = &a->modules.v[id];
                /* A mapping of another file (or [heap]...) inside the module's span is not the module. */
                if (s->path && strcmp(s->path, m->path) != 0)
                        continue;
                s->module_id = id;

                /*
                 * A file mapping the core leaves out has the permissions of
                 * its program header, but not write access: gcore leaves out
                 * only what was never writable or written.
                 */
                if (s->from_notes && !b->smaps.n && s->path && s->path[0] != '[') {
                        const Elf64_Phdr *ph = module_load(m, s, b->page_size);
                        if (ph)
                                perms_from_flags(s->perms, ph->p_flags & ~(uint32_t)PF_W);
                }
        }
}

/*
 * glibc puts a PROT_NONE guard right below each thread's stack
 * (nptl/allocatestack.c).  gcore writes PROT_NONE mappings as readable, so
 * without smaps an anonymous read-only mapping there is taken for the guard.
 */
static bool is_guard_below(const struct builder *b, const struct segment *g, const struct segment *stack)
{
        if (g->end != stack->start || g->path)
                return false;
        if (strcmp(g->perms, "---p") == 0)
                return true;
        return b->a->core.source == CORE_SOURCE_GCORE && !b->smaps.n && strcmp(g->perms, "r--p") == 0 &&
               g->end - g->start <= GUARD_MAX;
}

static int tie_threads(struct builder *b, struct segment_facts *facts)
{
        const struct analysis *a = b->a;

        b->out->thread_stack = calloc(a->threads.n ? a->threads.n : 1, sizeof(*b->out->thread_stack));
        if (!b->out->thread_stack)
                return -ENOMEM;
        for (size_t t = 0; t < a->threads.n; t++) {
                const struct thread *th = &a->threads.v[t];
                struct segment *s = overlapping(b, th->sp, th->sp + 1);
                b->out->thread_stack[t] = NO_ID;
                if (!s) {
                        warnings_add(b->w, "segments", th->sp, "thread %d: its stack pointer 0x%llx is in no segment",
                                     th->tid, (unsigned long long)th->sp);
                        continue;
                }
                size_t i = (size_t)(s - b->out->v);
                if (s->tid) {
                        warnings_add(b->w, "segments", th->sp,
                                     "threads %d and %d have their stack pointers in the same mapping 0x%llx-0x%llx",
                                     s->tid, th->tid, (unsigned long long)s->start, (unsigned long long)s->end);
                        continue;
                }
                b->out->thread_stack[t] = (int)i;
                s->tid = th->tid;
                facts[i].thread = (int)t;
                facts[i].main_thread = th->is_main;
                if (i > 0 && !th->is_main && is_guard_below(b, &b->out->v[i - 1], s)) {
                        memcpy(b->out->v[i - 1].perms, "---p", sizeof(b->out->v[i - 1].perms));
                        b->out->v[i - 1].tid = th->tid;
                }
        }
        return 0;
}

/*
 * memsnap capture ends a mapping's bytes at its last page with data and lists
 * every range it did not read in the skipped note; so in its cores the tail
 * of an anonymous private mapping past p_filesz (the whole mapping when
 * p_filesz is 0), when no skipped range touches it, was never touched:
 * zero.  Other producers do not say.
 */
static int mark_zero_tails(struct builder *b)
{
        const struct analysis *a = b->a;
        const struct core_note *n = core_find_note(&a->core, MEMSNAP_NOTE_NAME, MEMSNAP_NT_SKIPPED);
        _cleanup_(range_list_free) struct range_list skipped = { 0 };

        if (a->core.source != CORE_SOURCE_MEMSNAP)
                return 0;
        if (n && skipped_ranges((const char *)n->desc, n->descsz, &skipped) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < b->out->n; i++) {
                struct segment *s = &b->out->v[i];
                bool anon = !s->path || strcmp(s->path, "[heap]") == 0 || strcmp(s->path, "[stack]") == 0;
                if (!anon || s->perms[3] != 'p' || s->in_core >= s->end - s->start)
                        continue;
                /* The core reads the tail as zeros from now on (a core cut short refuses). */
                s->tail_zero = !ranges_overlap(&skipped, s->start + s->in_core, s->end) &&
                               (s->from_notes || core_mark_zero_tail(b->core, s->start));
        }
        return 0;
}

/*
 * Without smaps the permissions come from PT_LOAD's flags, which have no
 * shared bit: a mapping whose path says it is shared memory gets its 's'
 * (common/segment_kind.h segment_kind_path_sharing), so that segment_summary
 * does not count it as private data.  A /dev/shm object or a memfd mapped
 * MAP_PRIVATE cannot be told apart in such a core; it is taken as shared.
 */
static void mark_shared(struct builder *b)
{
        for (size_t i = 0; i < b->out->n; i++) {
                struct segment *s = &b->out->v[i];
                if (segment_kind_path_sharing(s->path, s->deleted) != PATH_SHARING_UNKNOWN)
                        s->perms[3] = 's';
        }
}

static void builder_done(struct builder *b)
{
        map_list_free(&b->smaps);
}

int segments_build(struct analysis *a)
{
        _cleanup_(builder_done) struct builder b = {
                .a = a, .out = &a->segments, .w = &a->warnings, .core = &a->core,
                .page_size = a->snap.page_size ? a->snap.page_size : 4096,
        };

        parse_smaps(&b);
        int r = gather(&b);
        if (r < 0)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        if ((r = name_segments(&b)) < 0)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        tie_modules(&b);
        if (!b.smaps.n)
                mark_shared(&b);

        size_t n = b.out->n;
        _cleanup_free_ struct segment_facts *facts = calloc(n ? n : 1, sizeof(*facts));
        _cleanup_free_ enum segment_kind *kinds = calloc(n ? n : 1, sizeof(*kinds));
        if (!facts || !kinds)
                return log_error_errno(ENOMEM, "cannot analyze '%s': %m", a->opt.core_path);
        for (size_t i = 0; i < n; i++) {
                const struct segment *s = &b.out->v[i];
                facts[i] = (struct segment_facts){
                        .start = s->start, .end = s->end, .perms = s->perms, .path = s->path,
                        .deleted = s->deleted, .module = s->module_id, .thread = -1,
                };
        }
        if (a->modules.n == 0)
                segment_kind_guess_modules(facts, n);
        if ((r = tie_threads(&b, facts)) < 0)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);

        segment_kind_classify(facts, n, kinds);
        for (size_t i = 0; i < n; i++) {
                struct segment *s = &b.out->v[i];
                s->kind = kinds[i];
                /* Guessed modules have no row to point to; anonymous memory is a module's only as its bss. */
                if (a->modules.n == 0 || (!s->path && s->kind != SEG_BSS))
                        s->module_id = NO_ID;
                /* An anonymous mapping after a module's data but beyond its image is not its bss. */
                if (s->kind == SEG_BSS && a->modules.n && s->module_id == NO_ID)
                        s->kind = SEG_ANON;
                s->maps_kind = s->kind;
        }
        r = mark_zero_tails(&b);
        if (r < 0)
                return log_error_errno(r, "cannot analyze '%s': %m", a->opt.core_path);
        return 0;
}

void segments_reset(struct analysis *a)
{
        struct segments_result *s = &a->segments;
        for (size_t i = 0; i < s->n; i++) {
                free(s->v[i].path);
                free(s->v[i].vm_flags);
        }
        free(s->v);
        free(s->thread_stack);
        *s = (struct segments_result){ 0 };
        /* mark_zero_tails' vouching, the stage's one mark outside its result. */
        core_unmark_zero_tails(&a->core);
}

/*
 * Called per range: a search, not a pass over every segment, keeps it
 * linear.  The last range to claim a segment names its arena.
 */
static void mark_range(struct segments_result *segs, const struct heap_range *r)
{
        for (size_t i = segment_index_from(segs->v, segs->n, r->start); i < segs->n && segs->v[i].start < r->end; i++) {
                struct segment *s = &segs->v[i];
                enum segment_kind k = segment_kind_malloc(s->kind, SEGMENT_MALLOC_ARENA);
                if (k != SEG_HEAP)
                        continue;
                s->kind = k;
                if (r->arena_id != NO_ID)
                        s->arena_id = r->arena_id;
        }
}

int segments_mark_heap(struct analysis *a)
{
        const struct heap_result *h = &a->heap;
        for (size_t i = 0; i < h->nranges; i++)
                mark_range(&a->segments, &h->ranges[i]);
        for (size_t i = 0; i < h->nchunks; i++) {
                const struct chunk *c = &h->chunks[i];
                if (c->mmapped && c->segment_id >= 0 && (size_t)c->segment_id < a->segments.n) {
                        struct segment *s = &a->segments.v[c->segment_id];
                        s->kind = segment_kind_malloc(s->kind, SEGMENT_MALLOC_MMAPPED);
                }
        }
        return 0;
}

void segments_unmark_heap(struct analysis *a)
{
        for (size_t i = 0; i < a->segments.n; i++) {
                a->segments.v[i].kind = a->segments.v[i].maps_kind;
                a->segments.v[i].arena_id = NO_ID;
        }
}

size_t segment_index_from(const struct segment *v, size_t n, uint64_t addr)
{
        size_t lo = 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (v[mid].end <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}
