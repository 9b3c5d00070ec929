/* Implementation of segment_select.h: the rules, in the order the header gives them. */
#include "segment_select.h"

#include <fnmatch.h>
#include <string.h>

#include "common/strbuf.h"

void select_options_default(struct select_options *o)
{
        memset(o, 0, sizeof(*o));
        o->kinds = (1u << SEG_KIND_COUNT) - 1;
}

static bool has_prefix(const char *s, const char *prefix)
{
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool segment_select_on_disk(const struct map_entry *e)
{
        /* Shared memory shows as files too: its bytes exist nowhere else. */
        static const char *const memory_backed[] = { "/dev/shm/", "/memfd:", "/SYSV", "/dev/zero", "/anon_hugepage",
                                                     "/[aio]", "/dmabuf:" };

        if (!map_is_file(e) || e->deleted || e->inode == 0)
                return false;
        for (size_t i = 0; i < sizeof(memory_backed) / sizeof(memory_backed[0]); i++)
                if (has_prefix(e->path, memory_backed[i]))
                        return false;
        return true;
}

void segment_select_facts_fill(const struct map_list *maps, const uint64_t *sps, size_t nsps, size_t main_index,
                        const enum segment_malloc *malloc_use, struct segment_facts *facts)
{
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                facts[i] = (struct segment_facts){
                        .start = e->start, .end = e->end, .perms = e->perms, .path = e->path,
                        .deleted = e->deleted, .module = -1, .thread = -1, .main_thread = false,
                        .malloc_use = malloc_use ? malloc_use[i] : SEGMENT_MALLOC_NONE,
                };
        }
        for (size_t t = 0; t < nsps; t++) {
                const struct map_entry *e = map_list_find(maps, sps[t]);
                if (!e)
                        continue;
                struct segment_facts *f = &facts[e - maps->v];
                /* The main thread's claim wins: [stack] stays "stack". */
                if (f->thread < 0 || t == main_index) {
                        f->thread = (int)t;
                        f->main_thread = t == main_index;
                }
        }
        segment_kind_guess_modules(facts, maps->n);
}

static bool never_readable(const struct map_entry *e, enum skip_reason *why)
{
        if (e->path && (strcmp(e->path, "[vvar]") == 0 || strcmp(e->path, "[vvar_vclock]") == 0)) {
                *why = SKIP_VVAR;
                return true;
        }
        if (e->path && strcmp(e->path, "[vsyscall]") == 0) {
                *why = SKIP_VSYSCALL;
                return true;
        }
        if (e->perms[0] == '-' && e->perms[1] == '-' && e->perms[2] == '-') {
                *why = SKIP_GUARD;
                return true;
        }
        if (map_entry_has_vm_flag(e, "io") || map_entry_has_vm_flag(e, "pf")) {
                *why = SKIP_IO;
                return true;
        }
        if (map_entry_has_vm_flag(e, "dd")) {
                *why = SKIP_DONTDUMP;
                return true;
        }
        return false;
}

static bool filtered_out(const struct map_entry *e, enum segment_kind kind, const struct select_options *o,
                         enum skip_reason *why)
{
        if (!(o->kinds & (1u << kind))) {
                *why = SKIP_KIND;
                return true;
        }
        if (o->have_range && (e->end <= o->range_start || e->start >= o->range_end)) {
                *why = SKIP_RANGE;
                return true;
        }
        /* "[heap]" is a bracket expression to fnmatch: a literal match counts too. */
        if (o->path_glob && (!e->path || (fnmatch(o->path_glob, e->path, 0) != 0 && strcmp(o->path_glob, e->path) != 0))) {
                *why = SKIP_PATH;
                return true;
        }
        if (o->max_size && e->end - e->start > o->max_size) {
                *why = SKIP_MAX_SIZE;
                return true;
        }
        return false;
}

/* The process wrote to it: smaps counts anonymous (copied-on-write) pages, in RAM or swap. */
static bool changed_by_process(const struct map_entry *e)
{
        return e->anonymous_kb > 0 || e->swap_kb > 0;
}

void segment_select(const struct map_list *maps, const enum segment_kind *kinds, const struct select_options *o,
                    struct segment_plan *plans)
{
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                struct segment_plan *p = &plans[i];
                enum skip_reason why;

                *p = (struct segment_plan){ .kind = kinds[i], .mode = DUMP_NONE };
                if (never_readable(e, &why) || filtered_out(e, kinds[i], o, &why)) {
                        p->reason = why;
                        continue;
                }
                bool named = o->kinds_given && (o->kinds & (1u << kinds[i]));
                if (!o->with_text && !named && segment_select_on_disk(e)) {
                        if (e->perms[3] == 's') {
                                p->reason = SKIP_SHARED_FILE;
                                continue;
                        }
                        if (e->perms[1] != 'w' && !changed_by_process(e)) {
                                p->reason = SKIP_ON_DISK;
                                p->elf_header_candidate = e->offset == 0 && e->perms[0] == 'r';
                                continue;
                        }
                }
                p->mode = DUMP_WHOLE;
                p->file_pages = map_is_file(e);
        }
}

void segment_plan_describe(const struct segment_plan *p, const struct map_entry *e, const struct select_options *o,
                           uint64_t from, struct strbuf *out)
{
        const char *path = e->path ? e->path : "anonymous";
        const char *kind = segment_kind_name(p->kind);
        unsigned long long offset = e->offset + (from - e->start); /* in the file, of the first byte described */

        switch (p->reason) {
        case SKIP_VVAR:
                strbuf_addf(out, "%s: kernel data pages, not readable through ptrace", path);
                break;
        case SKIP_VSYSCALL:
                strbuf_addf(out, "%s: emulated by the kernel, not readable", path);
                break;
        case SKIP_GUARD:
                if (e->rss_kb > 0)
                        strbuf_addf(out, "%s %s: no access; %lld KiB resident not read (made inaccessible after use)",
                                    path, e->perms, (long long)e->rss_kb);
                else
                        strbuf_addf(out, "%s %s: no access (guard page or reserved address space)", path, e->perms);
                break;
        case SKIP_IO:
                strbuf_addf(out, "%s: device memory (VM_IO/VM_PFNMAP); reading it could have side effects", path);
                break;
        case SKIP_DONTDUMP:
                strbuf_addf(out, "%s %s: the program excluded it with madvise(MADV_DONTDUMP)", kind, path);
                break;
        case SKIP_ON_DISK:
                strbuf_addf(out, "%s: read-only and unchanged; its bytes are in the file from offset 0x%llx%s (--with-text dumps it)",
                            path, offset, p->mode == DUMP_FIRST_PAGE ? "; the first page (ELF header) is in the core" : "");
                break;
        case SKIP_SHARED_FILE:
                strbuf_addf(out, "%s: shared file mapping; its bytes are in the file from offset 0x%llx (--with-text dumps it)",
                            path, offset);
                break;
        case SKIP_KIND:
                strbuf_addf(out, "kind %s not in --segments", kind);
                break;
        case SKIP_RANGE:
                strbuf_addf(out, "%s %s: outside --range %llx-%llx", kind, path, (unsigned long long)o->range_start,
                            (unsigned long long)o->range_end);
                break;
        case SKIP_PATH:
                strbuf_addf(out, "%s %s: does not match --path '%s'", kind, path, o->path_glob ? o->path_glob : "");
                break;
        case SKIP_MAX_SIZE:
                strbuf_addf(out, "%s %s: %llu bytes, larger than --max-size %llu", kind, path,
                            (unsigned long long)(e->end - e->start), (unsigned long long)o->max_size);
                break;
        default:
                strbuf_addf(out, "%s %s", kind, path);
                break;
        }
}
