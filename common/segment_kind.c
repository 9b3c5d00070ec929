/* Implementation of segment_kind.h: names and the maps-reader's classifier. */
#include "segment_kind.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"

static const char *const kind_names[SEG_KIND_COUNT] = {
        [SEG_TEXT] = "text",       [SEG_RODATA] = "rodata", [SEG_DATA] = "data",
        [SEG_BSS] = "bss",         [SEG_HEAP] = "heap",     [SEG_STACK] = "stack",
        [SEG_THREAD_STACK] = "thread_stack",                [SEG_ANON] = "anon",
        [SEG_FILE] = "file",       [SEG_SHM] = "shm",       [SEG_VDSO] = "vdso",
        [SEG_VVAR] = "vvar",       [SEG_VSYSCALL] = "vsyscall",
        [SEG_GUARD] = "guard",
};

const char *segment_kind_name(enum segment_kind k)
{
        return (unsigned)k < SEG_KIND_COUNT ? kind_names[k] : "unknown";
}

static int kind_from(const char *name, size_t len)
{
        for (int k = 0; k < SEG_KIND_COUNT; k++)
                if (strlen(kind_names[k]) == len && memcmp(kind_names[k], name, len) == 0)
                        return k;
        return -1;
}

int segment_kind_parse_list(const char *list, uint32_t *mask, const char **bad, size_t *bad_len)
{
        uint32_t m = 0;
        const char *p = list;

        for (;;) {
                size_t len = strcspn(p, ",");
                if (len) {
                        int k = kind_from(p, len);
                        if (k < 0) {
                                *bad = p;
                                *bad_len = len;
                                return -EINVAL;
                        }
                        m |= 1u << k;
                }
                if (!p[len])
                        break;
                p += len + 1;
        }
        if (!m) {
                *bad = list;
                *bad_len = strlen(list);
                return -EINVAL;
        }
        *mask = m;
        return 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
        return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

enum path_sharing segment_kind_path_sharing(const char *path, bool deleted)
{
        if (!path)
                return PATH_SHARING_UNKNOWN;
        if ((deleted && strcmp(path, "/dev/zero") == 0) || has_prefix(path, "/SYSV"))
                return PATH_SHARING_ALWAYS;
        if (has_prefix(path, "/dev/shm/") || has_prefix(path, "/memfd:"))
                return PATH_SHARING_LIKELY;
        return PATH_SHARING_UNKNOWN;
}

/*
 * Shared memory as a person reading /proc/PID/maps names it: POSIX and SysV
 * shared memory, memfd, and shared anonymous memory, which the kernel backs
 * with a shmem file it shows as "/dev/zero (deleted)", or "/anon_hugepage
 * (deleted)" with MAP_HUGETLB.  The path decides where it can (so that a
 * core without the shared bit gives the same kind); a regular file mapped
 * MAP_SHARED is a file, not shared memory.
 */
static bool is_shared(const struct segment_facts *f)
{
        if (segment_kind_path_sharing(f->path, f->deleted) != PATH_SHARING_UNKNOWN)
                return true;
        return f->perms[3] == 's' &&
               (!f->path || strcmp(f->path, "/dev/zero") == 0 || strcmp(f->path, "/anon_hugepage") == 0);
}

static bool is_file(const struct segment_facts *f) { return f->path && f->path[0] != '['; }

enum segment_kind segment_kind_malloc(enum segment_kind kind, enum segment_malloc m)
{
        switch (m) {
        case SEGMENT_MALLOC_ARENA: return kind == SEG_STACK || kind == SEG_THREAD_STACK ? kind : SEG_HEAP;
        case SEGMENT_MALLOC_MMAPPED: return kind == SEG_ANON ? SEG_HEAP : kind;
        default: return kind;
        }
}

/* The kind the maps alone give. */
static enum segment_kind classify_maps(const struct segment_facts *facts, size_t i)
{
        const struct segment_facts *f = &facts[i];
        static const struct {
                const char *name;
                enum segment_kind kind;
        } pseudo[] = {
                { "[heap]", SEG_HEAP },   { "[stack]", SEG_STACK },      { "[vdso]", SEG_VDSO },
                { "[vvar]", SEG_VVAR },   { "[vvar_vclock]", SEG_VVAR }, { "[vsyscall]", SEG_VSYSCALL },
        };

        if (f->path && f->path[0] == '[')
                for (size_t k = 0; k < ELEMENTSOF(pseudo); k++)
                        if (strcmp(f->path, pseudo[k].name) == 0)
                                return pseudo[k].kind;

        if (is_shared(f))
                return SEG_SHM;
        if (f->thread >= 0)
                return f->main_thread ? SEG_STACK : SEG_THREAD_STACK;
        if (f->perms[0] == '-' && f->perms[1] == '-' && f->perms[2] == '-')
                return SEG_GUARD;

        /* drivers/char/mem.c mmap_zero: a private mapping of /dev/zero is anonymous memory that keeps the path. */
        if (f->path && !f->deleted && strcmp(f->path, "/dev/zero") == 0 && f->perms[3] == 'p')
                return SEG_ANON;

        if (is_file(f)) {
                if (f->module < 0)
                        return SEG_FILE;
                if (f->perms[2] == 'x')
                        return SEG_TEXT;
                if (f->perms[1] == 'w')
                        return SEG_DATA;
                return SEG_RODATA;
        }

        /* ld.so maps a module's bss as anonymous memory right after its data. */
        if (!f->path && f->perms[1] == 'w' && i > 0) {
                const struct segment_facts *prev = &facts[i - 1];
                if (prev->end == f->start && prev->module >= 0 && is_file(prev) && prev->perms[1] == 'w')
                        return SEG_BSS;
        }
        return SEG_ANON;
}

void segment_kind_classify(const struct segment_facts *facts, size_t n, enum segment_kind *kinds)
{
        for (size_t i = 0; i < n; i++)
                kinds[i] = segment_kind_malloc(classify_maps(facts, i), facts[i].malloc_use);
}

void segment_kind_guess_modules(struct segment_facts *facts, size_t n)
{
        int next = 0;

        for (size_t i = 0; i < n; i++)
                facts[i].module = -1;
        for (size_t i = 0; i < n; i++) {
                if (!is_file(&facts[i]) || facts[i].perms[2] != 'x' || facts[i].module >= 0)
                        continue;
                /* Every mapping of this path belongs to the module, wherever it lies. */
                int id = next++;
                for (size_t j = 0; j < n; j++)
                        if (is_file(&facts[j]) && strcmp(facts[j].path, facts[i].path) == 0)
                                facts[j].module = id;
        }
}
