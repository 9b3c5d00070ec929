/*
 * The shape of the core file: ELF header, program headers, notes, then each
 * mapping's bytes at a page-aligned offset, as fs/binfmt_elf.c
 * elf_core_dump lays them out.  One PT_LOAD per mapping in address order,
 * p_filesz 0 for a mapping not dumped, so the whole address space survives.
 * With 65535 or more program headers e_phnum is PN_XNUM and section header
 * 0 holds the real count in sh_info (include/uapi/linux/elf.h, the kernel's
 * fill_extnum_info).
 *
 * Normally the notes come first.  When memory is written to the file while
 * the target is stopped (the stage was too small), the data offsets must be
 * fixed before the notes are complete, so the notes go after the data
 * instead; every ELF reader follows p_offset either way.
 */
#ifndef MEMSNAP_ELF_CORE_WRITE_H
#define MEMSNAP_ELF_CORE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct core_load {
        uint64_t vaddr, memsz;
        uint64_t filesz;      /* bytes in the file (holes included); 0 when not dumped */
        uint32_t flags;       /* PF_R | PF_W | PF_X */
        uint64_t offset;      /* set by core_layout_compute */
};

struct core_layout {
        struct core_load *loads;   /* one per mapping, in address order */
        size_t nloads;
        size_t page_size;
        bool notes_last;
        uint64_t notes_size;       /* may be 0 until the notes are built when notes_last */
        /* Computed: */
        uint64_t notes_offset;
        uint64_t data_offset;
        uint64_t shdr_offset;      /* 0 unless extended numbering */
        uint64_t file_size;
};

/* Program headers: the PT_NOTE and one PT_LOAD per mapping. */
static inline size_t core_layout_phnum(const struct core_layout *l) { return l->nloads + 1; }

/*
 * Sets every offset and the file size.  With notes_last, the data offsets
 * do not depend on notes_size, so it can be computed again once it is known.
 */
void core_layout_compute(struct core_layout *l);

/* PF_ flags from a maps permission string ("r-xp"). */
uint32_t core_load_flags(const char *perms);

/* Writes the ELF header, the program headers and, if needed, section header 0. */
int elf_core_write_headers(int fd, const char *path, const struct core_layout *l);

#endif
