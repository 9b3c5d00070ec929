/* Implementation of core_view.h. */
#include "core_view.h"

#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "elf_util.h"

#define NT_FILE_NAME "CORE"
#define LINK_MAP_MAX 65536      /* entries followed; bounds a link map that loops */
#define DYNAMIC_MAX 4096        /* dynamic entries read from the program's PT_DYNAMIC */

/* The view's bytes at addr, len of them inside one segment's file bytes; NULL when absent. */
static void *view_at(const struct core_view *v, const struct core *c, uint64_t addr, size_t len)
{
        const struct core_segment *s = core_segment_at(c, addr);
        if (!s || addr - s->vaddr > s->filesz || len > s->filesz - (addr - s->vaddr))
                return NULL;
        return (char *)v->map + s->offset + (addr - s->vaddr);
}

static bool read_u64(const struct core_view *v, const struct core *c, uint64_t addr, uint64_t *out)
{
        const void *p = view_at(v, c, addr, sizeof(*out));
        if (p)
                memcpy(out, p, sizeof(*out));
        return p != NULL;
}

/* One decision per run of equal names: a library's mappings follow one another in NT_FILE. */
struct name_check {
        const char *last;
        bool last_ok;
};

static bool name_allowed(struct name_check *nc, const char *name)
{
        const char *why;
        if (nc->last && strcmp(nc->last, name) == 0)
                return nc->last_ok;
        int fd = name[0] == '/' ? elf_util_open(name, &why) : -ENOENT;
        if (fd >= 0)
                close(fd);
        nc->last = name;
        nc->last_ok = fd >= 0;
        return nc->last_ok;
}

/*
 * Rewrites the NT_FILE descriptor in place with the allowed entries only.
 * Entries and names only move towards the start, so copying in order is
 * safe; the descriptor keeps its size, the bytes past the names are zeroed.
 */
static int filter_nt_file(struct core_view *v, uint8_t *desc, size_t descsz, bool core_only)
{
        uint64_t count;
        if (descsz < 16)
                return 0;
        memcpy(&count, desc, 8);
        if (count > (descsz - 16) / 24)
                count = 0;      /* struct core warns; libdwfl is given nothing to misread */

        /* Entries without a name are dropped with the rest of the list. */
        const char *names = (const char *)desc + 16 + 24 * count, *end = (const char *)desc + descsz;
        const char *name = names;
        uint64_t named = 0;
        while (named < count) {
                const char *nul = memchr(name, '\0', (size_t)(end - name));
                if (!nul)
                        break;
                name = nul + 1;
                named++;
        }
        _cleanup_free_ bool *keep = calloc(named ? named : 1, sizeof(*keep));
        if (!keep)
                return -ENOMEM;
        struct name_check nc = { 0 };
        name = names;
        for (uint64_t i = 0; i < named; i++) {
                keep[i] = !core_only && name_allowed(&nc, name);
                name += strlen(name) + 1;
        }

        uint64_t kept = 0;
        for (uint64_t i = 0; i < named; i++)
                if (keep[i])
                        memmove(desc + 16 + 24 * kept++, desc + 16 + 24 * i, 24);
        uint8_t *out = desc + 16 + 24 * kept;
        name = names;
        for (uint64_t i = 0; i < named; i++) {
                size_t n = strlen(name) + 1;
                if (keep[i]) {
                        memmove(out, name, n);
                        out += n;
                }
                name += n;
        }
        memset(out, 0, (size_t)(desc + descsz - out));
        memcpy(desc, &kept, 8);
        return 0;
}

static int filter_notes(struct core_view *v, const Elf64_Phdr *ph, bool core_only)
{
        if (ph->p_offset > v->size || ph->p_filesz > v->size - ph->p_offset)
                return 0;       /* check_headers warned; libdwfl reads what is there */
        uint8_t *p = (uint8_t *)v->map + ph->p_offset, *end = p + ph->p_filesz;
        while ((size_t)(end - p) >= sizeof(Elf64_Nhdr)) {
                Elf64_Nhdr nh;
                memcpy(&nh, p, sizeof(nh));
                size_t name_at = sizeof(nh), desc_at = name_at + ALIGN_UP((size_t)nh.n_namesz, 4);
                if (nh.n_namesz > (size_t)(end - p) || desc_at > (size_t)(end - p) ||
                    nh.n_descsz > (size_t)(end - p) - desc_at)
                        return 0;
                if (nh.n_type == NT_FILE && nh.n_namesz == sizeof(NT_FILE_NAME) &&
                    memcmp(p + name_at, NT_FILE_NAME, sizeof(NT_FILE_NAME)) == 0) {
                        int r = filter_nt_file(v, p + desc_at, nh.n_descsz, core_only);
                        if (r < 0)
                                return r;
                }
                size_t next = desc_at + ALIGN_UP((size_t)nh.n_descsz, 4);
                if (next > (size_t)(end - p))
                        return 0;
                p += next;
        }
        return 0;
}

/*
 * The link map, as libdwfl walks it (elfutils libdwfl/link_map.c): the
 * program's PT_DYNAMIC from AT_PHDR, its DT_DEBUG entry, struct r_debug's
 * r_map, then each struct link_map's l_name and l_next (<link.h>).
 */
static void filter_link_map(struct core_view *v, const struct core *c, bool core_only)
{
        uint64_t at_phdr, at_phnum;
        if (!core_auxv(c, AT_PHDR, &at_phdr) || !core_auxv(c, AT_PHNUM, &at_phnum) || at_phnum == 0 ||
            at_phnum > 4096)
                return;
        const Elf64_Phdr *phdrs = view_at(v, c, at_phdr, at_phnum * sizeof(Elf64_Phdr));
        if (!phdrs)
                return;
        uint64_t bias = 0, dyn = 0, dyn_size = 0;
        for (uint64_t i = 0; i < at_phnum; i++) {
                Elf64_Phdr ph;
                memcpy(&ph, &phdrs[i], sizeof(ph));
                if (ph.p_type == PT_PHDR)
                        bias = at_phdr - ph.p_vaddr;
                else if (ph.p_type == PT_DYNAMIC)
                        dyn = ph.p_vaddr, dyn_size = ph.p_memsz;
        }
        if (!dyn)
                return;
        uint64_t r_debug = 0;
        for (uint64_t i = 0; i < MIN(dyn_size / sizeof(Elf64_Dyn), (uint64_t)DYNAMIC_MAX); i++) {
                uint64_t tag, val;
                uint64_t at = bias + dyn + i * sizeof(Elf64_Dyn);
                if (!read_u64(v, c, at, &tag) || tag == DT_NULL || !read_u64(v, c, at + 8, &val))
                        break;
                if (tag == DT_DEBUG) {
                        r_debug = val;
                        break;
                }
        }
        uint64_t lm;
        if (!r_debug || !read_u64(v, c, r_debug + offsetof(struct r_debug, r_map), &lm))
                return;
        struct name_check nc = { 0 };
        for (size_t n = 0; lm && n < LINK_MAP_MAX; n++) {
                uint64_t name_addr, next;
                if (!read_u64(v, c, lm + offsetof(struct link_map, l_name), &name_addr) ||
                    !read_u64(v, c, lm + offsetof(struct link_map, l_next), &next))
                        return;
                char *name = view_at(v, c, name_addr, 1);
                const struct core_segment *s = name ? core_segment_at(c, name_addr) : NULL;
                if (s) {
                        size_t room = (size_t)MIN(s->filesz - (name_addr - s->vaddr), (uint64_t)PATH_MAX);
                        char *nul = memchr(name, '\0', room);
                        /* An unterminated name is cut at its first byte as well: libdwfl would read past it. */
                        /* A relative name ("linux-vdso.so.1") would be opened in the current folder. */
                        if (name[0] && (core_only || !nul || !name_allowed(&nc, name)))
                                name[0] = '\0';
                }
                lm = next;
        }
}

int core_view_open(struct core_view *v, const struct core *c, bool core_only, size_t max_loads)
{
        size_t phnum;

        *v = (struct core_view)CORE_VIEW_INIT;
        v->size = c->size;
        v->map = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, c->fd, 0);
        if (v->map == MAP_FAILED) {
                v->map = NULL;
                return log_error_errno(errno, "cannot analyze '%s': mapping the core: %m", c->path);
        }
        /* core_open checked the header and that the program headers lie inside the file. */
        Elf64_Ehdr *eh = v->map;
        if (elf_getphdrnum(c->elf, &phnum) < 0)
                return log_error_errno(EINVAL, "cannot analyze '%s': %s", c->path, elf_errmsg(-1));
        Elf64_Phdr *ph = (Elf64_Phdr *)((char *)v->map + eh->e_phoff);

        size_t k = 0;
        for (size_t i = 0; i < phnum; i++) {
                Elf64_Phdr p;
                memcpy(&p, &ph[i], sizeof(p));
                if (p.p_type == PT_LOAD && p.p_filesz == 0)
                        continue;
                if (p.p_type == PT_LOAD)
                        v->loads++;
                if (p.p_type == PT_NOTE) {
                        int r = filter_notes(v, &p, core_only);
                        if (r < 0)
                                return log_error_errno(r, "cannot analyze '%s': %m", c->path);
                }
                memcpy(&ph[k++], &p, sizeof(p));
        }
        if (v->loads > max_loads)
                return log_error_errno(E2BIG,
                                       "cannot analyze '%s': %zu segments hold bytes, more than the limit of %zu: libdwfl's module search takes time that grows with the square of that count; --max-segments raises the limit",
                                       c->path, v->loads, max_loads);
        if (k < PN_XNUM) {
                eh->e_phnum = (Elf64_Half)k;
        } else {
                /* Extended numbering: the count is section header 0's sh_info, which core_open read. */
                Elf64_Shdr *sh0 = (Elf64_Shdr *)((char *)v->map + eh->e_shoff);
                sh0->sh_info = (Elf64_Word)k;
        }
        filter_link_map(v, c, core_only);

        v->elf = elf_memory(v->map, v->size);
        if (!v->elf)
                return log_error_errno(EINVAL, "cannot analyze '%s': %s", c->path, elf_errmsg(-1));
        return 0;
}

void core_view_close(struct core_view *v)
{
        if (v->elf)
                elf_end(v->elf);
        if (v->map)
                munmap(v->map, v->size);
        *v = (struct core_view)CORE_VIEW_INIT;
}
