/*
 * Which mappings are the C library, and what we know of it: its load bias,
 * its writable ranges (main_arena and mp_ live in its .data, tcache_key in
 * its .bss), its build-id, and whether the file on this machine is the one
 * the process ran.
 *
 * The modules stage names libc when it ran (its Dwfl_Module gives symbols);
 * otherwise the segments' paths (NT_FILE, smaps) do.  A statically linked
 * program carries malloc in its executable, which is then taken as the
 * library when nothing is called libc.  The build-id comes from the modules
 * stage or from the ELF header page in the core (the kernel and memsnap
 * dump it); the file's from its notes.
 */
#include <elf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "analyze/core/elf_util.h"
#include "glibc_libc.h"

static bool is_libc_name(const char *path)
{
        if (!path)
                return false;
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        /* libc.so.6 since 2.34; libc-2.NN.so (a link target) before */
        return strcmp(base, "libc.so.6") == 0 || strcmp(base, "libc.so") == 0 ||
               (strncmp(base, "libc-2.", 7) == 0 && strstr(base, ".so") != NULL);
}

/* The GNU build-id note of the ELF image mapped at start, read from the core's copy of its first page. */
static char *build_id_from_core(struct heap_ctx *h, uint64_t start)
{
        const struct core *c = &h->a->core;
        Elf64_Ehdr eh;

        if (!core_read(c, start, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
            eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum > 256)
                return NULL;
        for (unsigned i = 0; i < eh.e_phnum; i++) {
                Elf64_Phdr ph;
                if (!core_read(c, start + eh.e_phoff + i * sizeof(ph), &ph, sizeof(ph)))
                        return NULL;
                if (ph.p_type != PT_NOTE || ph.p_filesz > 4096)
                        continue;
                /* Notes of a shared object lie in its first PT_LOAD, at offset == vaddr. */
                uint8_t buf[4096];
                if (!core_read(c, start + ph.p_offset, buf, ph.p_filesz))
                        continue;
                size_t off = 0;
                while (off + sizeof(Elf64_Nhdr) <= ph.p_filesz) {
                        Elf64_Nhdr nh;
                        memcpy(&nh, buf + off, sizeof(nh));
                        size_t name_off = off + sizeof(nh);
                        size_t desc_off = name_off + ALIGN_UP((size_t)nh.n_namesz, 4);
                        size_t next = desc_off + ALIGN_UP((size_t)nh.n_descsz, 4);
                        if (desc_off > ph.p_filesz || nh.n_descsz > ph.p_filesz - desc_off)
                                break;
                        if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
                            memcmp(buf + name_off, "GNU", 4) == 0 && nh.n_descsz > 0 && nh.n_descsz <= BUILD_ID_MAX)
                                return elf_util_build_id_hex(buf + desc_off, nh.n_descsz);
                        off = next;
                }
        }
        return NULL;
}

/* Adds [lo, hi) to the writable ranges, merging with one it touches. */
static void add_rw(struct glibc_libc *l, uint64_t lo, uint64_t hi)
{
        for (unsigned i = 0; i < l->nrw; i++)
                if (lo <= l->rw_hi[i] && hi >= l->rw_lo[i]) {
                        l->rw_lo[i] = MIN(lo, l->rw_lo[i]);
                        l->rw_hi[i] = MAX(hi, l->rw_hi[i]);
                        return;
                }
        if (l->nrw < GLIBC_LIBC_RANGES_MAX) {
                l->rw_lo[l->nrw] = lo;
                l->rw_hi[l->nrw] = hi;
                l->nrw++;
        }
}

/*
 * Opens the library's file, compares its build-id with the core's, and
 * takes the writable PT_LOADs from its program headers (which include the
 * .bss the kernel maps anonymously).
 */
static void read_file(struct heap_ctx *h, struct glibc_libc *l)
{
        const char *why;
        if (h->a->opt.core_only)
                return;         /* --core-only: no file but the core */
        _cleanup_close_ int fd = elf_util_open(l->path, &why);
        if (fd < 0) {
                warnings_add(h->w, "heap", l->start, "cannot open the C library '%s': %s; its symbols and version come from the core only",
                             l->path, why);
                return;
        }
        _cleanup_(elf_endp) Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
        if (!e || elf_kind(e) != ELF_K_ELF) {
                warnings_add(h->w, "heap", l->start, "the C library '%s' is not an ELF file", l->path);
                return;
        }
        const void *id = NULL;
        ssize_t n = dwelf_elf_gnu_build_id(e, &id);
        _cleanup_free_ char *file_id = n > 0 && n <= BUILD_ID_MAX ? elf_util_build_id_hex(id, (size_t)n) : NULL;
        if (l->build_id && file_id && strcmp(l->build_id, file_id) != 0) {
                warnings_add(h->w, "heap", l->start,
                             "the C library '%s' on this machine (build-id %s) is not the one in the core (%s); it is not used",
                             l->path, file_id, l->build_id);
                return;
        }
        if (!l->build_id && file_id)
                l->build_id = TAKE_PTR(file_id);
        l->file_matches = true;

        size_t phnum;
        if (elf_getphdrnum(e, &phnum) < 0)
                return;
        for (size_t i = 0; i < phnum; i++) {
                GElf_Phdr ph;
                if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_W))
                        continue;
                uint64_t lo = ALIGN_DOWN(l->base + ph.p_vaddr, h->page_size);
                uint64_t hi = ALIGN_UP(l->base + ph.p_vaddr + ph.p_memsz, h->page_size);
                if (hi > lo)
                        add_rw(l, lo, hi);
        }
}

/* Without the file: the library's rw-p mappings and the anonymous one right after (its .bss). */
static void rw_from_segments(struct heap_ctx *h, struct glibc_libc *l)
{
        const struct analysis *a = h->a;
        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                if (!s->path || strcmp(s->path, l->path) != 0 || s->perms[1] != 'w')
                        continue;
                uint64_t hi = s->end;
                if (i + 1 < a->segments.n && !a->segments.v[i + 1].path && a->segments.v[i + 1].start == s->end &&
                    a->segments.v[i + 1].perms[1] == 'w')
                        hi = a->segments.v[i + 1].end;
                add_rw(l, s->start, hi);
        }
}

/* The mappings of one file: their extent, and the load bias from the one at file offset 0. */
static bool extent_of(const struct analysis *a, const char *path, struct glibc_libc *l)
{
        bool any = false;
        for (size_t i = 0; i < a->segments.n; i++) {
                const struct segment *s = &a->segments.v[i];
                if (!s->path || strcmp(s->path, path) != 0)
                        continue;
                if (!any || s->start < l->start)
                        l->start = s->start;
                if (!any || s->end > l->end)
                        l->end = s->end;
                if (s->offset == 0 && (!any || s->start < l->base || l->base == 0))
                        l->base = s->start;
                any = true;
        }
        return any && l->base != 0;
}

static int from_module(struct heap_ctx *h, size_t k, struct glibc_libc *l)
{
        const struct module *m = &h->a->modules.v[k];
        l->found = true;
        l->module_id = (int)k;
        l->path = strdup(m->path);
        l->base = m->load_bias;
        l->start = m->start;
        l->end = m->end;
        l->dwfl_mod = m->dwfl_mod;
        if (m->build_id)
                l->build_id = strdup(m->build_id);
        if (!l->path || (m->build_id && !l->build_id))
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
        return 0;
}

int glibc_libc_find(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        struct glibc_libc *l = &h->libc;
        int r;

        *l = (struct glibc_libc){ .module_id = NO_ID };
        for (size_t k = 0; k < a->modules.n && !l->found; k++)
                if (is_libc_name(a->modules.v[k].path) && (r = from_module(h, k, l)) < 0)
                        return r;
        for (size_t i = 0; i < a->segments.n && !l->found; i++) {
                if (!is_libc_name(a->segments.v[i].path))
                        continue;
                l->path = strdup(a->segments.v[i].path);
                if (!l->path)
                        return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
                l->found = extent_of(a, l->path, l);
                if (!l->found) {
                        warnings_add(h->w, "heap", a->segments.v[i].start,
                                     "the C library '%s' is mapped, but not its first page: its load address is unknown",
                                     l->path);
                        free(l->path);
                        l->path = NULL;
                        return 0;
                }
        }
        /* A static program: malloc lives in the executable. */
        for (size_t k = 0; k < a->modules.n && !l->found; k++)
                if (a->modules.v[k].is_main && (r = from_module(h, k, l)) < 0)
                        return r;
        if (!l->found && a->modules.n == 0 && a->segments.n && a->segments.v[0].path && a->segments.v[0].offset == 0) {
                l->path = strdup(a->segments.v[0].path);
                if (!l->path)
                        return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
                l->found = extent_of(a, l->path, l);
        }
        if (!l->found)
                return 0;

        if (!l->build_id)
                l->build_id = build_id_from_core(h, l->base);
        read_file(h, l);
        if (l->nrw == 0)
                rw_from_segments(h, l);
        return 0;
}

void glibc_libc_free(struct glibc_libc *l)
{
        free(l->path);
        free(l->build_id);
        *l = (struct glibc_libc){ .module_id = NO_ID };
}
