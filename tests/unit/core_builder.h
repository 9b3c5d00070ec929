/*
 * A tiny ELF64 core writer for unit tests: notes and PT_LOADs laid out as
 * the kernel lays them out (headers, one PT_NOTE, then the segments' bytes),
 * with knobs to break each part the way a truncated or crafted core is
 * broken.  Tests build a core in a few lines, write it to a temporary file
 * and hand that to core_open, so the reader is tested on bytes, not mocks.
 */
#ifndef MEMSNAP_TEST_CORE_BUILDER_H
#define MEMSNAP_TEST_CORE_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CB_NOTES_MAX 64
#define CB_LOADS_MAX 64

struct cb_note {
        const char *name;
        uint32_t type;
        void *desc; /* owned */
        size_t descsz;
};

struct cb_load {
        uint64_t vaddr, memsz;
        void *data; /* owned; filesz bytes */
        size_t filesz;
        uint32_t flags;
        int64_t offset_delta;  /* added to the p_offset written, to point it astray */
};

struct core_builder {
        struct cb_note notes[CB_NOTES_MAX];
        size_t nnotes;
        struct cb_load loads[CB_LOADS_MAX];
        size_t nloads;
        uint16_t e_type, e_machine;
        unsigned char ei_class, ei_data;
        bool section_headers;  /* write a null section header and one more, as gdb's bfd does */
        size_t truncate_at;    /* when nonzero, the file is cut to this many bytes */
};

void cb_init(struct core_builder *b);
void cb_free(struct core_builder *b);

void cb_note(struct core_builder *b, const char *name, uint32_t type, const void *desc, size_t descsz);
void cb_load(struct core_builder *b, uint64_t vaddr, uint64_t memsz, const void *data, size_t filesz, uint32_t flags);

/* Kernel-shaped notes. */
void cb_prstatus(struct core_builder *b, int tid, int cursig, uint64_t rip, uint64_t rsp, uint64_t fs_base);
void cb_prpsinfo(struct core_builder *b, int pid, int ppid, const char *fname, const char *psargs);
void cb_auxv(struct core_builder *b, const uint64_t *pairs, size_t npairs); /* AT_NULL appended */
void cb_siginfo(struct core_builder *b, int signo);
struct cb_file { uint64_t start, end, page_offset; const char *path; };
void cb_nt_file(struct core_builder *b, const struct cb_file *files, size_t n, uint64_t page_size);

/* Writes the core to a new temporary file; returns its path (free it, unlink it). */
char *cb_write_temp(const struct core_builder *b);

/* The file offset at which the PT_NOTE's bytes start in what cb_write_temp writes. */
size_t cb_notes_offset(const struct core_builder *b);

#endif
