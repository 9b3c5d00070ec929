/* Implementation of elf_core_write.h. */
#include "elf_core_write.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "sparse_write.h"

#define NOTE_SEGMENT_ALIGN 4 /* fs/binfmt_elf.c fill_elf_note_phdr */

uint32_t core_load_flags(const char *perms)
{
        uint32_t f = 0;
        if (perms[0] == 'r')
                f |= PF_R;
        if (perms[1] == 'w')
                f |= PF_W;
        if (perms[2] == 'x')
                f |= PF_X;
        return f;
}

void core_layout_compute(struct core_layout *l)
{
        uint64_t off = sizeof(Elf64_Ehdr) + (uint64_t)core_layout_phnum(l) * sizeof(Elf64_Phdr);

        if (!l->notes_last) {
                l->notes_offset = off;
                off += l->notes_size;
        }
        off = ALIGN_UP(off, (uint64_t)l->page_size);
        l->data_offset = off;
        for (size_t i = 0; i < l->nloads; i++) {
                l->loads[i].offset = off;
                off += l->loads[i].filesz;
        }
        if (l->notes_last) {
                off = ALIGN_UP(off, 8);
                l->notes_offset = off;
                off += l->notes_size;
        }
        l->shdr_offset = 0;
        if (core_layout_phnum(l) >= PN_XNUM) {
                off = ALIGN_UP(off, 8);
                l->shdr_offset = off;
                off += sizeof(Elf64_Shdr);
        }
        l->file_size = off;
}

int elf_core_write_headers(int fd, const char *path, const struct core_layout *l)
{
        size_t phnum = core_layout_phnum(l);
        Elf64_Ehdr eh = {
                .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE },
                .e_type = ET_CORE,
                .e_machine = EM_X86_64,
                .e_version = EV_CURRENT,
                .e_phoff = sizeof(Elf64_Ehdr),
                .e_ehsize = sizeof(Elf64_Ehdr),
                .e_phentsize = sizeof(Elf64_Phdr),
                .e_phnum = phnum >= PN_XNUM ? PN_XNUM : (Elf64_Half)phnum,
        };
        if (l->shdr_offset) {
                eh.e_shoff = l->shdr_offset;
                eh.e_shentsize = sizeof(Elf64_Shdr);
                eh.e_shnum = 1;
                eh.e_shstrndx = SHN_UNDEF;
        }

        size_t size = sizeof(eh) + phnum * sizeof(Elf64_Phdr);
        _cleanup_free_ uint8_t *buf = calloc(1, size);
        if (!buf)
                return log_error_errno(ENOMEM, "cannot write '%s': %m", path);
        memcpy(buf, &eh, sizeof(eh));

        Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(eh));
        ph[0] = (Elf64_Phdr){
                .p_type = PT_NOTE, .p_offset = l->notes_offset, .p_filesz = l->notes_size,
                .p_align = NOTE_SEGMENT_ALIGN,
        };
        for (size_t i = 0; i < l->nloads; i++) {
                const struct core_load *c = &l->loads[i];
                ph[i + 1] = (Elf64_Phdr){
                        .p_type = PT_LOAD, .p_flags = c->flags, .p_offset = c->offset, .p_vaddr = c->vaddr,
                        .p_filesz = c->filesz, .p_memsz = c->memsz, .p_align = l->page_size,
                };
        }
        int r = sparse_write_full(fd, path, buf, size, 0);
        if (r < 0 || !l->shdr_offset)
                return r;

        Elf64_Shdr sh = {
                .sh_type = SHT_NULL,
                .sh_size = 1,            /* e_shnum */
                .sh_link = SHN_UNDEF,    /* e_shstrndx */
                .sh_info = (Elf64_Word)phnum,
        };
        return sparse_write_full(fd, path, &sh, sizeof(sh), l->shdr_offset);
}
