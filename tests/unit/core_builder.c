/* Implementation of core_builder.h. */
#include "core_builder.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/procfs.h>
#include <unistd.h>

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

void cb_init(struct core_builder *b)
{
        memset(b, 0, sizeof(*b));
        b->e_type = ET_CORE;
        b->e_machine = EM_X86_64;
        b->ei_class = ELFCLASS64;
        b->ei_data = ELFDATA2LSB;
}

void cb_free(struct core_builder *b)
{
        for (size_t i = 0; i < b->nnotes; i++)
                free(b->notes[i].desc);
        for (size_t i = 0; i < b->nloads; i++)
                free(b->loads[i].data);
        memset(b, 0, sizeof(*b));
}

static void *dup_bytes(const void *p, size_t n)
{
        void *d = malloc(n ? n : 1);
        if (d && n)
                memcpy(d, p, n);
        return d;
}

void cb_note(struct core_builder *b, const char *name, uint32_t type, const void *desc, size_t descsz)
{
        if (b->nnotes == CB_NOTES_MAX)
                abort();
        b->notes[b->nnotes++] = (struct cb_note){ name, type, dup_bytes(desc, descsz), descsz };
}

void cb_load(struct core_builder *b, uint64_t vaddr, uint64_t memsz, const void *data, size_t filesz, uint32_t flags)
{
        if (b->nloads == CB_LOADS_MAX)
                abort();
        b->loads[b->nloads++] = (struct cb_load){ vaddr, memsz, dup_bytes(data, filesz), filesz, flags, 0 };
}

void cb_prstatus(struct core_builder *b, int tid, int cursig, uint64_t rip, uint64_t rsp, uint64_t fs_base)
{
        prstatus_t st;
        memset(&st, 0, sizeof(st));
        st.pr_pid = tid;
        st.pr_cursig = (short)cursig;
        struct user_regs_struct *r = (struct user_regs_struct *)&st.pr_reg;
        r->rip = rip;
        r->rsp = rsp;
        r->fs_base = fs_base;
        cb_note(b, "CORE", NT_PRSTATUS, &st, sizeof(st));
}

void cb_prpsinfo(struct core_builder *b, int pid, int ppid, const char *fname, const char *psargs)
{
        struct elf_prpsinfo ps;
        memset(&ps, 0, sizeof(ps));
        ps.pr_pid = pid;
        ps.pr_ppid = ppid;
        /* As the kernel fills them: NUL-padded, not necessarily NUL-terminated. */
        memcpy(ps.pr_fname, fname, strnlen(fname, sizeof(ps.pr_fname)));
        memcpy(ps.pr_psargs, psargs, strnlen(psargs, sizeof(ps.pr_psargs)));
        cb_note(b, "CORE", NT_PRPSINFO, &ps, sizeof(ps));
}

void cb_auxv(struct core_builder *b, const uint64_t *pairs, size_t npairs)
{
        uint64_t *v = calloc(npairs * 2 + 2, sizeof(*v));
        memcpy(v, pairs, npairs * 2 * sizeof(*v));
        cb_note(b, "CORE", NT_AUXV, v, (npairs * 2 + 2) * sizeof(*v));
        free(v);
}

void cb_siginfo(struct core_builder *b, int signo)
{
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        si.si_signo = signo;
        cb_note(b, "CORE", NT_SIGINFO, &si, sizeof(si));
}

void cb_nt_file(struct core_builder *b, const struct cb_file *files, size_t n, uint64_t page_size)
{
        size_t size = 16 + n * 24;
        for (size_t i = 0; i < n; i++)
                size += strlen(files[i].path) + 1;
        uint8_t *d = calloc(1, size);
        uint64_t head[2] = { n, page_size };
        memcpy(d, head, 16);
        char *names = (char *)d + 16 + n * 24;
        for (size_t i = 0; i < n; i++) {
                uint64_t e[3] = { files[i].start, files[i].end, files[i].page_offset };
                memcpy(d + 16 + i * 24, e, 24);
                strcpy(names, files[i].path);
                names += strlen(files[i].path) + 1;
        }
        cb_note(b, "CORE", NT_FILE, d, size);
        free(d);
}

static size_t notes_size(const struct core_builder *b)
{
        size_t n = 0;
        for (size_t i = 0; i < b->nnotes; i++)
                n += sizeof(Elf64_Nhdr) + ALIGN4(strlen(b->notes[i].name) + 1) + ALIGN4(b->notes[i].descsz);
        return n;
}

size_t cb_notes_offset(const struct core_builder *b)
{
        return sizeof(Elf64_Ehdr) + (1 + b->nloads) * sizeof(Elf64_Phdr);
}

char *cb_write_temp(const struct core_builder *b)
{
        size_t phnum = 1 + b->nloads;
        size_t notes_off = cb_notes_offset(b);
        size_t data_off = (notes_off + notes_size(b) + 4095) & ~(size_t)4095;
        size_t size = data_off;
        for (size_t i = 0; i < b->nloads; i++)
                size += b->loads[i].filesz;
        size_t sh_off = (size + 7) & ~(size_t)7;
        if (b->section_headers)
                size = sh_off + 2 * sizeof(Elf64_Shdr);

        uint8_t *f = calloc(1, size);
        Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
        memcpy(eh->e_ident, ELFMAG, SELFMAG);
        eh->e_ident[EI_CLASS] = b->ei_class;
        eh->e_ident[EI_DATA] = b->ei_data;
        eh->e_ident[EI_VERSION] = EV_CURRENT;
        eh->e_type = b->e_type;
        eh->e_machine = b->e_machine;
        eh->e_version = EV_CURRENT;
        eh->e_phoff = sizeof(Elf64_Ehdr);
        eh->e_ehsize = sizeof(Elf64_Ehdr);
        eh->e_phentsize = sizeof(Elf64_Phdr);
        eh->e_phnum = (uint16_t)phnum;
        if (b->section_headers) {
                eh->e_shoff = sh_off;
                eh->e_shentsize = sizeof(Elf64_Shdr);
                eh->e_shnum = 2;
                Elf64_Shdr *sh = (Elf64_Shdr *)(f + sh_off);
                sh[1].sh_type = SHT_NOTE;
                sh[1].sh_offset = notes_off;
                sh[1].sh_size = notes_size(b);
        }

        Elf64_Phdr *ph = (Elf64_Phdr *)(f + sizeof(Elf64_Ehdr));
        ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = notes_off, .p_filesz = notes_size(b), .p_align = 4 };
        size_t off = data_off;
        for (size_t i = 0; i < b->nloads; i++) {
                const struct cb_load *l = &b->loads[i];
                ph[1 + i] = (Elf64_Phdr){
                        .p_type = PT_LOAD, .p_flags = l->flags, .p_offset = (uint64_t)((int64_t)off + l->offset_delta),
                        .p_vaddr = l->vaddr, .p_filesz = l->filesz, .p_memsz = l->memsz, .p_align = 4096,
                };
                memcpy(f + off, l->data, l->filesz);
                off += l->filesz;
        }

        uint8_t *p = f + notes_off;
        for (size_t i = 0; i < b->nnotes; i++) {
                const struct cb_note *n = &b->notes[i];
                Elf64_Nhdr nh = { (Elf64_Word)(strlen(n->name) + 1), (Elf64_Word)n->descsz, n->type };
                memcpy(p, &nh, sizeof(nh));
                p += sizeof(nh);
                memcpy(p, n->name, strlen(n->name) + 1);
                p += ALIGN4(strlen(n->name) + 1);
                memcpy(p, n->desc, n->descsz);
                p += ALIGN4(n->descsz);
        }

        char tmpl[] = "/tmp/memsnap-unit-core.XXXXXX";
        int fd = mkstemp(tmpl);
        if (fd < 0)
                abort();
        size_t len = b->truncate_at && b->truncate_at < size ? b->truncate_at : size;
        if (write(fd, f, len) != (ssize_t)len)
                abort();
        close(fd);
        free(f);
        return strdup(tmpl);
}
