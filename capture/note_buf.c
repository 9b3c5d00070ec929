/* Implementation of note_buf.h. */
#include "note_buf.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"

#define NOTE_ALIGN 4 /* fs/binfmt_elf.c: notes are 4-byte aligned in cores */

size_t note_buf_note_size(const char *name, size_t descsz)
{
        return sizeof(Elf64_Nhdr) + ALIGN_UP(strlen(name) + 1, NOTE_ALIGN) + ALIGN_UP(descsz, NOTE_ALIGN);
}

int note_buf_add(struct note_buf *b, const char *name, uint32_t type, const void *desc, size_t descsz)
{
        size_t namesz = strlen(name) + 1;

        if (descsz > UINT32_MAX - NOTE_ALIGN)
                return -E2BIG;
        size_t need = note_buf_note_size(name, descsz);
        if (need > SIZE_MAX - b->len || ARRAY_RESERVE(b->data, b->cap, b->len + need) < 0)
                return -ENOMEM;
        uint8_t *p = b->data + b->len;
        memset(p, 0, need);
        Elf64_Nhdr nh = { .n_namesz = (Elf64_Word)namesz, .n_descsz = (Elf64_Word)descsz, .n_type = type };
        memcpy(p, &nh, sizeof(nh));
        p += sizeof(nh);
        memcpy(p, name, namesz);
        p += ALIGN_UP(namesz, NOTE_ALIGN);
        if (descsz)
                memcpy(p, desc, descsz);
        b->len += need;
        return 0;
}

void note_buf_free(struct note_buf *b)
{
        free(b->data);
        memset(b, 0, sizeof(*b));
}
