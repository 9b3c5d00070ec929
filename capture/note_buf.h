/*
 * ELF notes as a core carries them, appended to one growing buffer that
 * becomes the PT_NOTE segment: a 12-byte Elf64_Nhdr, the name with its NUL,
 * the descriptor, each padded to 4 bytes as fs/binfmt_elf.c writes them
 * (writenote/notesize).
 */
#ifndef MEMSNAP_NOTE_BUF_H
#define MEMSNAP_NOTE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct note_buf {
        uint8_t *data;
        size_t len, cap;
};

/* Appends one note.  Returns 0, -ENOMEM, or -E2BIG (descriptor over 4 GiB). */
int note_buf_add(struct note_buf *b, const char *name, uint32_t type, const void *desc, size_t descsz);

/* The bytes one note takes. */
size_t note_buf_note_size(const char *name, size_t descsz);

void note_buf_free(struct note_buf *b);

#endif
