/*
 * For unit tests of the heap walker: a minimal ELF core (one PT_LOAD per
 * piece of memory, no notes) written to a temporary file and opened with
 * core_open, so the walker reads fabricated heaps exactly as it reads real
 * ones — through the mapped file.
 */
#ifndef MEMSNAP_TEST_FAKE_CORE_H
#define MEMSNAP_TEST_FAKE_CORE_H

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/core/core.h"

struct fake_piece {
        uint64_t vaddr;
        const void *bytes;
        size_t len;
};

/*
 * Writes and opens the core; returns 0 or -1.  The file is unlinked once
 * open.  What core_open says about it (no threads, no notes) is dropped.
 */
static inline int fake_core_open(struct core *c, const struct fake_piece *p, size_t n)
{
        char path[] = "/tmp/memsnap-fake-core.XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
                return -1;
        FILE *f = fdopen(fd, "w");
        Elf64_Ehdr eh = {
                .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT },
                .e_type = ET_CORE, .e_machine = EM_X86_64, .e_version = EV_CURRENT,
                .e_phoff = sizeof(Elf64_Ehdr), .e_ehsize = sizeof(Elf64_Ehdr),
                .e_phentsize = sizeof(Elf64_Phdr), .e_phnum = (Elf64_Half)n,
        };
        fwrite(&eh, sizeof(eh), 1, f);
        uint64_t off = sizeof(eh) + n * sizeof(Elf64_Phdr);
        for (size_t i = 0; i < n; i++) {
                Elf64_Phdr ph = {
                        .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = off, .p_vaddr = p[i].vaddr,
                        .p_filesz = p[i].len, .p_memsz = p[i].len, .p_align = 4096,
                };
                fwrite(&ph, sizeof(ph), 1, f);
                off += p[i].len;
        }
        for (size_t i = 0; i < n; i++)
                fwrite(p[i].bytes, 1, p[i].len, f);
        fclose(f);
        struct warnings w = { 0 };
        int r = core_open(c, path, &w);
        warnings_free(&w);
        unlink(path);
        return r < 0 ? -1 : 0;
}

/* Does any warning's message contain `needle` with this address? */
static inline int fake_warned(const struct warnings *w, uint64_t address, const char *needle)
{
        for (size_t i = 0; i < w->n; i++)
                if (w->v[i].address == address && strstr(w->v[i].message, needle))
                        return 1;
        return 0;
}

#endif
