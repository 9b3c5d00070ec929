/* Implementation of core.h: headers, notes and memory of an ELF core. */
#include "core.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/io.h"
#include "common/log.h"
#include "common/memsnap_note.h"

#define NOTE_ALIGN 4 /* ELF64 cores align notes to 4, as the kernel's writenote() does */

static int seg_cmp(const void *a, const void *b)
{
        const struct core_segment *x = a, *y = b;
        return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static int read_segments(struct core *c, struct warnings *w)
{
        size_t phnum;

        /* check_headers made sure all of them lie inside the file. */
        if (elf_getphdrnum(c->elf, &phnum) < 0 || phnum == 0)
                return log_error_errno(EINVAL, "cannot read core '%s': bad program header count: %s", c->path,
                                       elf_errmsg(-1));

        size_t nload = 0;
        for (size_t i = 0; i < phnum; i++) {
                GElf_Phdr ph;
                if (gelf_getphdr(c->elf, (int)i, &ph) && ph.p_type == PT_LOAD)
                        nload++;
        }
        if (nload > CORE_SEGMENTS_MAX) {
                warnings_add(w, "core", 0, "%zu PT_LOAD segments; only the first %u are read", nload,
                             CORE_SEGMENTS_MAX);
                nload = CORE_SEGMENTS_MAX;
        }
        c->segs = calloc(nload ? nload : 1, sizeof(*c->segs));
        if (!c->segs)
                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);

        for (size_t i = 0; i < phnum && c->nsegs < nload; i++) {
                GElf_Phdr ph;
                if (!gelf_getphdr(c->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
                        continue;
                struct core_segment s = {
                        .vaddr = ph.p_vaddr, .memsz = ph.p_memsz, .offset = ph.p_offset,
                        .filesz = ph.p_filesz, .flags = ph.p_flags,
                };
                if (s.memsz == 0 || s.vaddr + s.memsz < s.vaddr) {
                        warnings_add(w, "core", s.vaddr, "program header %zu: empty or wrapping segment (size %llu) ignored",
                                     i, (unsigned long long)s.memsz);
                        continue;
                }
                if (s.filesz > s.memsz) {
                        warnings_add(w, "core", s.vaddr, "program header %zu: p_filesz %llu exceeds p_memsz %llu; clamped",
                                     i, (unsigned long long)s.filesz, (unsigned long long)s.memsz);
                        s.filesz = s.memsz;
                }
                if (s.filesz && (s.offset > c->size || s.filesz > c->size - s.offset)) {
                        uint64_t have = s.offset > c->size ? 0 : c->size - s.offset;
                        warnings_add(w, "core", s.vaddr,
                                     "program header %zu: data at offset %llu (%llu bytes) runs past the end of the file (%zu bytes): the core is truncated; %llu bytes kept",
                                     i, (unsigned long long)s.offset, (unsigned long long)s.filesz, c->size,
                                     (unsigned long long)have);
                        s.filesz = have;
                        s.truncated = true;
                }
                s.known = s.filesz;
                c->segs[c->nsegs++] = s;
        }

        qsort_safe(c->segs, c->nsegs, sizeof(*c->segs), seg_cmp);

        /* Overlapping segments make addresses ambiguous: keep the first. */
        size_t out = 0;
        for (size_t i = 0; i < c->nsegs; i++) {
                if (out && c->segs[i].vaddr < c->segs[out - 1].vaddr + c->segs[out - 1].memsz) {
                        warnings_add(w, "core", c->segs[i].vaddr, "segment overlaps the one at 0x%llx; ignored",
                                     (unsigned long long)c->segs[out - 1].vaddr);
                        continue;
                }
                c->segs[out++] = c->segs[i];
        }
        c->nsegs = out;
        return 0;
}

static int add_run(struct core_data_run **v, size_t *n, size_t *cap, uint64_t lo, uint64_t hi)
{
        if (ARRAY_RESERVE(*v, *cap, *n + 1) < 0)
                return -ENOMEM;
        (*v)[(*n)++] = (struct core_data_run){ lo, hi };
        return 0;
}

/*
 * The file's data extents over [from, to), in file order, from lseek
 * SEEK_DATA and SEEK_HOLE: linear in the extents, never in the bytes.  A
 * file system that does not track holes answers with the whole file as
 * data (fs/read_write.c: generic_file_llseek_size), which is still right,
 * only slower to read; so is any error, and the rest past CORE_RUNS_MAX.
 */
static int data_extents(const struct core *c, uint64_t from, uint64_t to, struct core_data_run **ext, size_t *n)
{
        size_t cap = 0;

        for (uint64_t pos = from; pos < to;) {
                if (*n >= CORE_RUNS_MAX) {
                        log_debug("core '%s': more than %u data extents; the rest is read as data", c->path,
                                  CORE_RUNS_MAX);
                        return add_run(ext, n, &cap, pos, to);
                }
                off_t data = lseek(c->fd, (off_t)pos, SEEK_DATA);
                if (data < 0 && errno == ENXIO)
                        break; /* only a hole past pos */
                off_t hole = data < 0 ? -1 : lseek(c->fd, data, SEEK_HOLE);
                if (data < 0 || hole <= data)
                        return add_run(ext, n, &cap, pos, to); /* the file system cannot tell */
                if ((uint64_t)data >= to)
                        break;
                uint64_t hi = MIN((uint64_t)hole, to);
                if (add_run(ext, n, &cap, (uint64_t)data, hi) < 0)
                        return -ENOMEM;
                pos = hi;
        }
        return 0;
}

/* Each segment's data runs: the file's data extents that overlap its bytes, as addresses. */
static int read_runs(struct core *c)
{
        _cleanup_free_ struct core_data_run *ext = NULL;
        size_t next = 0, cap = 0;
        uint64_t from = UINT64_MAX, to = 0;

        for (size_t i = 0; i < c->nsegs; i++)
                if (c->segs[i].filesz) {
                        from = MIN(from, c->segs[i].offset);
                        to = MAX(to, c->segs[i].offset + c->segs[i].filesz);
                }
        if (from < to && data_extents(c, from, to, &ext, &next) < 0)
                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);

        for (size_t i = 0; i < c->nsegs; i++) {
                struct core_segment *s = &c->segs[i];
                uint64_t lo = s->offset, hi = s->offset + s->filesz;
                s->first_run = (uint32_t)MIN(c->nruns, (size_t)UINT32_MAX);
                if (!s->filesz)
                        continue;
                /* Past the bound (a crafted core's segments all over the same extents), a segment is one run. */
                if (c->nruns >= CORE_RUNS_MAX) {
                        if (add_run(&c->runs, &c->nruns, &cap, s->vaddr, s->vaddr + s->filesz) < 0)
                                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
                        s->nruns = 1;
                        continue;
                }
                size_t k = 0, top = next;
                while (k < top) {
                        size_t mid = k + (top - k) / 2;
                        if (ext[mid].hi <= lo)
                                k = mid + 1;
                        else
                                top = mid;
                }
                for (; k < next && ext[k].lo < hi && c->nruns < CORE_RUNS_MAX; k++) {
                        uint64_t a = MAX(ext[k].lo, lo) - lo, b = MIN(ext[k].hi, hi) - lo;
                        if (add_run(&c->runs, &c->nruns, &cap, s->vaddr + a, s->vaddr + b) < 0)
                                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
                }
                if (k < next && ext[k].lo < hi) { /* the bound was reached inside this segment */
                        uint64_t a = MAX(ext[k].lo, lo) - lo;
                        if (add_run(&c->runs, &c->nruns, &cap, s->vaddr + a, s->vaddr + s->filesz) < 0)
                                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
                }
                s->nruns = (uint32_t)(c->nruns - s->first_run);
        }
        return 0;
}

static int add_note(struct core *c, size_t *cap, const struct core_note *n)
{
        if (ARRAY_RESERVE(c->notes, *cap, c->nnotes + 1) < 0)
                return -ENOMEM;
        c->notes[c->nnotes++] = *n;
        return 0;
}

/* Walks one PT_NOTE's bytes; stops at the first note that does not fit. */
static int read_note_segment(struct core *c, size_t *cap, uint64_t off, uint64_t len, struct warnings *w)
{
        uint64_t end = off + len;
        /* Not off + size <= end: an offset near 2^64 (read_notes clamps len, not off) would wrap. */
        while (end - off >= sizeof(Elf64_Nhdr)) {
                if (c->nnotes >= CORE_NOTES_MAX) {
                        warnings_add(w, "core", 0, "more than %u notes; the rest are ignored", CORE_NOTES_MAX);
                        return 0;
                }
                Elf64_Nhdr nh;
                memcpy(&nh, c->data + off, sizeof(nh));
                uint64_t name_off = off + sizeof(nh);
                uint64_t desc_off = name_off + ALIGN_UP((uint64_t)nh.n_namesz, NOTE_ALIGN);
                uint64_t next = desc_off + ALIGN_UP((uint64_t)nh.n_descsz, NOTE_ALIGN);
                if (desc_off > end || nh.n_descsz > end - desc_off) {
                        warnings_add(w, "core", 0, "note at file offset %llu (namesz %u, descsz %u) runs past its segment; notes after it are ignored",
                                     (unsigned long long)off, nh.n_namesz, nh.n_descsz);
                        return 0;
                }
                /* The name must be NUL-terminated inside namesz to be used as a string. */
                const char *name = "";
                if (nh.n_namesz > 0 && c->data[name_off + nh.n_namesz - 1] == '\0')
                        name = (const char *)c->data + name_off;
                else if (nh.n_namesz > 0)
                        warnings_add(w, "core", 0, "note at file offset %llu: name is not NUL-terminated",
                                     (unsigned long long)off);
                struct core_note n = {
                        .name = name, .type = nh.n_type, .desc = c->data + desc_off,
                        .descsz = nh.n_descsz, .file_offset = off,
                };
                if (add_note(c, cap, &n) < 0)
                        return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
                off = next > end ? end : next;
        }
        return 0;
}

static int read_notes(struct core *c, struct warnings *w)
{
        size_t phnum, cap = 0;

        if (elf_getphdrnum(c->elf, &phnum) < 0)
                return 0;
        for (size_t i = 0; i < phnum; i++) {
                GElf_Phdr ph;
                if (!gelf_getphdr(c->elf, (int)i, &ph) || ph.p_type != PT_NOTE)
                        continue;
                uint64_t len = ph.p_filesz;
                if (ph.p_offset > c->size || len > c->size - ph.p_offset) {
                        warnings_add(w, "core", 0, "PT_NOTE at file offset %llu (%llu bytes) runs past the end of the file (%zu bytes); truncated",
                                     (unsigned long long)ph.p_offset, (unsigned long long)len, c->size);
                        len = ph.p_offset > c->size ? 0 : c->size - ph.p_offset;
                }
                int r = read_note_segment(c, &cap, ph.p_offset, len, w);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool is_core_name(const struct core_note *n) { return strcmp(n->name, "CORE") == 0; }

static int add_thread(struct core *c, size_t *cap, const struct core_note *n, struct warnings *w)
{
        prstatus_t st;

        if (n->descsz < sizeof(st)) {
                warnings_add(w, "core", 0, "NT_PRSTATUS at file offset %llu is %zu bytes, expected %zu; ignored",
                             (unsigned long long)n->file_offset, n->descsz, sizeof(st));
                return 0;
        }
        if (c->nthreads >= CORE_THREADS_MAX) {
                warnings_add(w, "core", 0, "more than %u threads; the rest are ignored", CORE_THREADS_MAX);
                return 0;
        }
        if (ARRAY_RESERVE(c->threads, *cap, c->nthreads + 1) < 0)
                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
        memcpy(&st, n->desc, sizeof(st));
        struct core_thread *t = &c->threads[c->nthreads++];
        *t = (struct core_thread){ .tid = st.pr_pid, .cursig = st.pr_cursig, .prstatus = n };
        _Static_assert(sizeof(st.pr_reg) == sizeof(t->regs), "elf_gregset_t is user_regs_struct");
        memcpy(&t->regs, &st.pr_reg, sizeof(t->regs));
        return 0;
}

static int file_cmp(const void *a, const void *b)
{
        const struct core_file_map *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

static int read_nt_file(struct core *c, const struct core_note *n, struct warnings *w)
{
        const uint8_t *p = n->desc;
        uint64_t count, page;

        if (n->descsz < 16) {
                warnings_add(w, "core", 0, "NT_FILE at file offset %llu is too short", (unsigned long long)n->file_offset);
                return 0;
        }
        memcpy(&count, p, 8);
        memcpy(&page, p + 8, 8);
        if (count > CORE_FILES_MAX || count > (n->descsz - 16) / 24) {
                warnings_add(w, "core", 0, "NT_FILE at file offset %llu claims %llu entries, more than its %zu bytes hold; ignored",
                             (unsigned long long)n->file_offset, (unsigned long long)count, n->descsz);
                return 0;
        }
        if (page == 0 || (page & (page - 1))) {
                warnings_add(w, "core", 0, "NT_FILE page size %llu is not a power of two; ignored",
                             (unsigned long long)page);
                return 0;
        }
        c->files = calloc(count ? count : 1, sizeof(*c->files));
        if (!c->files)
                return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
        const char *names = (const char *)p + 16 + count * 24;
        const char *end = (const char *)p + n->descsz;
        size_t bad = 0;
        for (uint64_t i = 0; i < count; i++) {
                uint64_t e[3];
                memcpy(e, p + 16 + i * 24, sizeof(e));
                const char *nul = names < end ? memchr(names, '\0', (size_t)(end - names)) : NULL;
                if (!nul) {
                        warnings_add(w, "core", 0, "NT_FILE names end after %llu of %llu entries",
                                     (unsigned long long)i, (unsigned long long)count);
                        break;
                }
                if (e[1] > e[0] && e[2] <= UINT64_MAX / page)
                        c->files[c->nfiles++] =
                                (struct core_file_map){ .start = e[0], .end = e[1], .offset = e[2] * page, .path = names };
                else
                        bad++;
                names = nul + 1;
        }
        if (bad)
                warnings_add(w, "core", 0, "NT_FILE at file offset %llu: %zu entries with an empty range or an absurd offset; ignored",
                             (unsigned long long)n->file_offset, bad);

        /* The kernel lists mappings in address order, one per VMA; a crafted note need not. */
        qsort_safe(c->files, c->nfiles, sizeof(*c->files), file_cmp);
        size_t out = 0;
        for (size_t i = 0; i < c->nfiles; i++) {
                if (out && c->files[i].start < c->files[out - 1].end) {
                        warnings_add(w, "core", c->files[i].start, "NT_FILE entry for '%s' overlaps the one at 0x%llx; ignored",
                                     c->files[i].path, (unsigned long long)c->files[out - 1].start);
                        continue;
                }
                c->files[out++] = c->files[i];
        }
        c->nfiles = out;
        c->file_page_size = page;
        return 0;
}

static int interpret_notes(struct core *c, struct warnings *w)
{
        size_t cap = 0;
        struct core_thread *cur = NULL;
        bool memsnap = false, gdb = false;

        for (size_t i = 0; i < c->nnotes; i++) {
                const struct core_note *n = &c->notes[i];
                if (strcmp(n->name, MEMSNAP_NOTE_NAME) == 0) {
                        memsnap = true;
                        continue;
                }
                if (strcmp(n->name, "GDB") == 0) /* gdb's NT_GDB_TDESC: the target description */
                        gdb = true;
                if (is_core_name(n) && n->type == NT_PRSTATUS) {
                        size_t before = c->nthreads;
                        int r = add_thread(c, &cap, n, w);
                        if (r < 0)
                                return r;
                        cur = c->nthreads > before ? &c->threads[c->nthreads - 1] : NULL;
                } else if (is_core_name(n) && n->type == NT_FPREGSET) {
                        if (cur && !cur->fpregset)
                                cur->fpregset = n;
                } else if (strcmp(n->name, "LINUX") == 0 && n->type == NT_X86_XSTATE) {
                        if (cur && !cur->xstate)
                                cur->xstate = n;
                } else if (is_core_name(n) && n->type == NT_PRPSINFO) {
                        if (n->descsz >= sizeof(struct elf_prpsinfo) && !c->prpsinfo) {
                                memcpy(&c->prpsinfo_copy, n->desc, sizeof(c->prpsinfo_copy));
                                c->prpsinfo = &c->prpsinfo_copy;
                        } else if (!c->prpsinfo) {
                                warnings_add(w, "core", 0, "NT_PRPSINFO at file offset %llu is %zu bytes, expected %zu; ignored",
                                             (unsigned long long)n->file_offset, n->descsz, sizeof(struct elf_prpsinfo));
                        }
                } else if (is_core_name(n) && n->type == NT_AUXV) {
                        if (!c->auxv) {
                                size_t count = MIN(n->descsz / 16, (size_t)CORE_AUXV_MAX);
                                if (n->descsz / 16 > CORE_AUXV_MAX)
                                        warnings_add(w, "core", 0, "NT_AUXV at file offset %llu has %zu entries; only the first %u are read",
                                                     (unsigned long long)n->file_offset, n->descsz / 16, CORE_AUXV_MAX);
                                c->auxv = malloc(count ? count * 16 : 1);
                                if (!c->auxv)
                                        return log_error_errno(ENOMEM, "cannot read core '%s': %m", c->path);
                                memcpy(c->auxv, n->desc, count * 16);
                                c->auxv_count = count;
                        }
                } else if (is_core_name(n) && n->type == NT_SIGINFO) {
                        if (n->descsz >= sizeof(siginfo_t) && !c->siginfo) {
                                memcpy(&c->siginfo_copy, n->desc, sizeof(c->siginfo_copy));
                                c->siginfo = &c->siginfo_copy;
                        }
                } else if (is_core_name(n) && n->type == NT_FILE) {
                        if (!c->files) {
                                int r = read_nt_file(c, n, w);
                                if (r < 0)
                                        return r;
                        }
                }
        }
        if (c->nthreads == 0)
                warnings_add(w, "core", 0, "the core has no NT_PRSTATUS note: no threads, no registers");

        if (memsnap)
                c->source = CORE_SOURCE_MEMSNAP;
        else if (gdb || c->shnum > 1)
                c->source = CORE_SOURCE_GCORE; /* bfd writes section headers; the kernel does not */
        else if (c->nnotes && is_core_name(&c->notes[0]) && c->notes[0].type == NT_PRSTATUS && c->prpsinfo)
                c->source = CORE_SOURCE_KERNEL; /* fs/binfmt_elf.c: PRSTATUS of the dumping thread first */
        else
                c->source = CORE_SOURCE_UNKNOWN;
        return 0;
}

static int check_magic(const char *path, const uint8_t *d, size_t size)
{
        static const struct {
                const uint8_t magic[4];
                size_t len;
                const char *what;
        } compressed[] = {
                { { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd" },
                { { 0x04, 0x22, 0x4d, 0x18 }, 4, "lz4" },
                { { 0xfd, '7', 'z', 'X' }, 4, "xz" },
                { { 0x1f, 0x8b }, 2, "gzip" },
        };

        for (size_t i = 0; i < ELEMENTSOF(compressed); i++)
                if (size >= compressed[i].len && memcmp(d, compressed[i].magic, compressed[i].len) == 0)
                        return log_error_errno(EINVAL,
                                               "cannot read core '%s': it is %s-compressed (systemd-coredump stores cores so); decompress it first, e.g. 'coredumpctl dump PID -o FILE'",
                                               path, compressed[i].what);
        if (size < SELFMAG || memcmp(d, ELFMAG, SELFMAG) != 0)
                return log_error_errno(EINVAL, "cannot read core '%s': not an ELF file", path);
        if (size < EI_NIDENT)
                return log_error_errno(EINVAL, "cannot read core '%s': %zu bytes, shorter than an ELF header", path,
                                       size);
        if (d[EI_CLASS] != ELFCLASS64)
                return log_error_errno(EINVAL, "cannot read core '%s': a 32-bit ELF file; memsnap reads 64-bit cores",
                                       path);
        if (d[EI_DATA] != ELFDATA2LSB)
                return log_error_errno(EINVAL, "cannot read core '%s': big-endian ELF; memsnap reads x86-64 cores",
                                       path);
        if (size < sizeof(Elf64_Ehdr))
                return log_error_errno(EINVAL, "cannot read core '%s': %zu bytes, shorter than an ELF header", path,
                                       size);
        return 0;
}

/*
 * The ELF header and where it says the program and section headers are,
 * checked on the raw bytes before libelf sees them: libelf quietly reads
 * only the program headers that fit in the file, which would take notes or
 * memory for program headers, and its messages say neither what nor where.
 */
static int check_headers(const char *path, int fd, uint64_t size, struct warnings *w)
{
        uint8_t head[sizeof(Elf64_Ehdr)];
        ssize_t n = io_pread_full(fd, head, sizeof(head), 0);
        if (n < 0)
                return log_error_errno((int)n, "cannot read core '%s': %m", path);
        int r = check_magic(path, head, (size_t)n);
        if (r < 0)
                return r;

        Elf64_Ehdr eh;
        memcpy(&eh, head, sizeof(eh));
        if (eh.e_type != ET_CORE)
                return log_error_errno(EINVAL, "cannot read core '%s': an ELF file, but not a core (e_type %u)", path,
                                       eh.e_type);
        if (eh.e_machine != EM_X86_64)
                return log_error_errno(EINVAL, "cannot read core '%s': machine %u is not x86-64", path, eh.e_machine);

        /* Past 65534 program headers, the count is in section header 0's sh_info (PN_XNUM). */
        uint64_t phnum = eh.e_phnum, shnum = eh.e_shnum;
        bool sh0_read = false;
        Elf64_Shdr sh0;
        if ((phnum == PN_XNUM || (eh.e_shoff && shnum == 0)) && eh.e_shoff <= size &&
            size - eh.e_shoff >= sizeof(sh0) && io_pread_full(fd, &sh0, sizeof(sh0), (off_t)eh.e_shoff) == sizeof(sh0))
                sh0_read = true;
        if (phnum == PN_XNUM) {
                if (!sh0_read)
                        return log_error_errno(EINVAL,
                                               "cannot read core '%s': the program header count is in section header 0 (PN_XNUM), but there is none at offset %llu",
                                               path, (unsigned long long)eh.e_shoff);
                phnum = sh0.sh_info;
        }
        if (eh.e_shoff && shnum == 0 && sh0_read)
                shnum = sh0.sh_size;
        if (phnum == 0)
                return log_error_errno(EINVAL, "cannot read core '%s': it has no program headers", path);
        if (eh.e_phentsize != sizeof(Elf64_Phdr))
                return log_error_errno(EINVAL, "cannot read core '%s': program headers of %u bytes, not %zu", path,
                                       eh.e_phentsize, sizeof(Elf64_Phdr));
        if (eh.e_phoff > size || phnum > (size - eh.e_phoff) / sizeof(Elf64_Phdr))
                return log_error_errno(EINVAL,
                                       "cannot read core '%s': %llu program headers at offset %llu run past the end of the file (%llu bytes): it is truncated or damaged",
                                       path, (unsigned long long)phnum, (unsigned long long)eh.e_phoff,
                                       (unsigned long long)size);

        /* memsnap needs no section headers, but their absence says the file was cut short. */
        if (eh.e_shoff && shnum &&
            (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > size ||
             shnum > (size - eh.e_shoff) / sizeof(Elf64_Shdr)))
                warnings_add(w, "core", 0,
                             "%llu section headers at offset %llu run past the end of the file (%llu bytes): the core is truncated or damaged",
                             (unsigned long long)shnum, (unsigned long long)eh.e_shoff, (unsigned long long)size);
        return 0;
}

int core_open(struct core *c, const char *path, struct warnings *w)
{
        struct stat st;

        memset(c, 0, sizeof(*c));
        c->fd = -1;
        c->path = strdup(path);
        if (!c->path)
                return log_error_errno(ENOMEM, "cannot open core '%s': %m", path);

        /*
         * O_NONBLOCK: opening a FIFO for reading blocks until a writer comes,
         * and a device's open may wait too; the type is checked before any
         * read, and the flag dropped for the regular file that remains.
         */
        c->fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (c->fd < 0)
                return log_error_errno(errno, "cannot open core '%s': %m", path);
        if (fstat(c->fd, &st) < 0)
                return log_error_errno(errno, "cannot open core '%s': %m", path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EINVAL, "cannot open core '%s': not a regular file", path);
        if (fcntl(c->fd, F_SETFL, 0) < 0)
                return log_error_errno(errno, "cannot open core '%s': %m", path);
        if (st.st_size == 0)
                return log_error_errno(EINVAL, "cannot read core '%s': the file is empty", path);
        int r = check_headers(path, c->fd, (uint64_t)st.st_size, w);
        if (r < 0)
                return r;

        if (elf_version(EV_CURRENT) == EV_NONE)
                return log_error_errno(EINVAL, "cannot open core '%s': libelf is out of date", path);
        c->elf = elf_begin(c->fd, ELF_C_READ_MMAP, NULL);
        if (!c->elf)
                return log_error_errno(EINVAL, "cannot open core '%s': %s", path, elf_errmsg(-1));
        c->data = (const uint8_t *)elf_rawfile(c->elf, &c->size);
        if (!c->data || c->size == 0)
                return log_error_errno(EINVAL, "cannot read core '%s': %s", path, elf_errmsg(-1));
        if (c->size != (uint64_t)st.st_size)
                return log_error_errno(EINVAL, "cannot read core '%s': it changed while being opened", path);
        if (elf_getshdrnum(c->elf, &c->shnum) < 0)
                c->shnum = 0;

        r = read_segments(c, w);
        if (r < 0)
                return r;
        r = read_runs(c);
        if (r < 0)
                return r;
        r = read_notes(c, w);
        if (r < 0)
                return r;
        return interpret_notes(c, w);
}

void core_close(struct core *c)
{
        free(c->segs);
        free(c->runs);
        free(c->notes);
        free(c->threads);
        free(c->files);
        free(c->auxv);
        if (c->elf)
                elf_end(c->elf);
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        memset(c, 0, sizeof(*c));
        c->fd = -1;
}

const struct core_segment *core_segment_at(const struct core *c, uint64_t addr)
{
        const struct core_segment *s = core_segment_from(c, addr);
        return s && addr >= s->vaddr ? s : NULL;
}

const struct core_segment *core_segment_from(const struct core *c, uint64_t addr)
{
        size_t lo = 0, hi = c->nsegs;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (addr - c->segs[mid].vaddr >= c->segs[mid].memsz && addr >= c->segs[mid].vaddr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < c->nsegs ? &c->segs[lo] : NULL;
}

const struct core_file_map *core_file_at(const struct core *c, uint64_t addr)
{
        /* read_nt_file sorted the entries and dropped overlaps. */
        size_t lo = 0, hi = c->nfiles;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (addr < c->files[mid].start)
                        hi = mid;
                else if (addr >= c->files[mid].end)
                        lo = mid + 1;
                else
                        return &c->files[mid];
        }
        return NULL;
}

void core_span_at(const struct core *c, uint64_t addr, struct core_span *out)
{
        const struct core_segment *s = core_segment_from(c, addr);

        if (!s || addr < s->vaddr) {
                *out = (struct core_span){ .start = addr, .end = s ? s->vaddr : UINT64_MAX, .kind = CORE_SPAN_ABSENT };
                return;
        }
        uint64_t off = addr - s->vaddr;
        if (off >= s->known) {
                *out = (struct core_span){ .start = s->vaddr + s->known, .end = s->vaddr + s->memsz,
                                           .kind = CORE_SPAN_ABSENT };
                return;
        }
        /* The first run that ends above addr; a hole before it (or after the last) reads as zeros. */
        const struct core_data_run *runs = c->runs + s->first_run;
        size_t lo = 0, hi = s->nruns;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (runs[mid].hi <= addr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < s->nruns && runs[lo].lo <= addr) {
                *out = (struct core_span){ .start = runs[lo].lo, .end = runs[lo].hi, .kind = CORE_SPAN_DATA,
                                           .bytes = c->data + s->offset + (runs[lo].lo - s->vaddr) };
                return;
        }
        *out = (struct core_span){
                .start = lo ? runs[lo - 1].hi : s->vaddr,
                .end = lo < s->nruns ? runs[lo].lo : s->vaddr + s->known,
                .kind = CORE_SPAN_ZERO,
        };
}

bool core_mark_zero_tail(struct core *c, uint64_t vaddr)
{
        struct core_segment *s = (struct core_segment *)core_segment_at(c, vaddr);
        if (!s || s->vaddr != vaddr || s->truncated)
                return false;
        s->known = s->memsz;
        return true;
}

void core_unmark_zero_tails(struct core *c)
{
        for (size_t i = 0; i < c->nsegs; i++)
                c->segs[i].known = c->segs[i].filesz;
}

const uint8_t *core_zeros(void)
{
        static const uint8_t zeros[CORE_ZEROS_MAX];
        return zeros;
}

const void *core_ptr_near(const struct core *c, struct core_span *hint, uint64_t addr, size_t len)
{
        if (hint->kind != CORE_SPAN_DATA || addr < hint->start || addr >= hint->end)
                core_span_at(c, addr, hint);
        if (hint->kind != CORE_SPAN_DATA || len > hint->end - addr)
                return NULL;
        return hint->bytes + (addr - hint->start);
}

const void *core_ptr(const struct core *c, uint64_t addr, size_t len)
{
        struct core_span hint = { 0 };
        return core_ptr_near(c, &hint, addr, len);
}

bool core_read(const struct core *c, uint64_t addr, void *buf, size_t len)
{
        uint8_t *out = buf;
        while (len) {
                struct core_span sp;
                core_span_at(c, addr, &sp);
                if (sp.kind == CORE_SPAN_ABSENT)
                        return false;
                size_t n = (size_t)MIN((uint64_t)len, sp.end - addr);
                if (sp.kind == CORE_SPAN_DATA)
                        memcpy(out, sp.bytes + (addr - sp.start), n);
                else
                        memset(out, 0, n);
                out += n;
                addr += n;
                len -= n;
        }
        return true;
}

bool core_read_u64(const struct core *c, uint64_t addr, uint64_t *out)
{
        return core_read(c, addr, out, sizeof(*out));
}

char *core_read_string(const struct core *c, uint64_t addr, size_t max)
{
        size_t len = 0;

        /* Find the NUL first, span by span, so nothing is copied twice. */
        for (uint64_t at = addr; len <= max;) {
                struct core_span sp;
                core_span_at(c, at, &sp);
                if (sp.kind == CORE_SPAN_ABSENT)
                        return NULL;
                size_t n = (size_t)MIN(sp.end - at, (uint64_t)(max + 1 - len));
                const char *p = sp.kind == CORE_SPAN_DATA ? (const char *)sp.bytes + (at - sp.start) : NULL;
                const char *nul = p ? memchr(p, '\0', n) : NULL;
                if (!p || nul) {
                        len += p ? (size_t)(nul - p) : 0;
                        char *out = malloc(len + 1);
                        if (!out || !core_read(c, addr, out, len)) {
                                free(out);
                                return NULL;
                        }
                        out[len] = '\0';
                        return out;
                }
                len += n;
                at += n;
        }
        return NULL;
}

const struct core_note *core_find_note(const struct core *c, const char *name, uint32_t type)
{
        for (size_t i = 0; i < c->nnotes; i++)
                if (c->notes[i].type == type && strcmp(c->notes[i].name, name) == 0)
                        return &c->notes[i];
        return NULL;
}

bool core_auxv(const struct core *c, uint64_t type, uint64_t *value)
{
        for (size_t i = 0; i < c->auxv_count; i++) {
                if (c->auxv[2 * i] == AT_NULL)
                        break;
                if (c->auxv[2 * i] == type) {
                        *value = c->auxv[2 * i + 1];
                        return true;
                }
        }
        return false;
}
