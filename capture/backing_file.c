/* Implementation of backing_file.h: map_files first, the path second. */
#include "backing_file.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/array.h"
#include "common/io.h"

static int open_mapped(struct backing_files *b, const struct map_entry *e, struct stat *st)
{
        char name[64];

        snprintf(name, sizeof(name), "map_files/%llx-%llx", (unsigned long long)e->start, (unsigned long long)e->end);
        int fd = openat(b->proc_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                if (fstat(fd, st) == 0)
                        return fd;
                close(fd);
        }
        if (e->deleted)
                return -ENOENT;

        /* The path may name another file by now: accept it only with the mapped inode. */
        fd = open(e->path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0 || (uint64_t)st->st_ino != e->inode) {
                close(fd);
                return -ESTALE;
        }
        return fd;
}

static size_t slot_of(const struct backing_files *b, unsigned major, unsigned minor, uint64_t inode)
{
        uint64_t h = inode * 0x9e3779b97f4a7c15ull ^ ((uint64_t)major << 32 | minor) * 0xc2b2ae3d27d4eb4full;
        return (size_t)(h ^ h >> 31) & (b->nslots - 1);
}

static void slot_put(struct backing_files *b, size_t i)
{
        const struct backing_file *f = &b->v[i];
        size_t s = slot_of(b, f->dev_major, f->dev_minor, f->inode);
        while (b->slots[s])
                s = (s + 1) & (b->nslots - 1);
        b->slots[s] = (uint32_t)(i + 1);
}

/* Makes room in the index for one more file; it stays less than half full. */
static int index_reserve(struct backing_files *b)
{
        if (2 * (b->n + 1) < b->nslots)
                return 0;
        if (b->n >= UINT32_MAX / 4)
                return -ENOMEM;
        size_t ns = b->nslots ? 2 * b->nslots : 64;
        uint32_t *slots = calloc(ns, sizeof(*slots));
        if (!slots)
                return -ENOMEM;
        free(b->slots);
        b->slots = slots;
        b->nslots = ns;
        for (size_t i = 0; i < b->n; i++)
                slot_put(b, i);
        return 0;
}

const struct backing_file *backing_file_get(struct backing_files *b, const struct map_entry *e)
{
        /* A process may map thousands of files: found by hash, not by a walk of them all. */
        if (b->nslots)
                for (size_t s = slot_of(b, e->dev_major, e->dev_minor, e->inode); b->slots[s];
                     s = (s + 1) & (b->nslots - 1)) {
                        struct backing_file *f = &b->v[b->slots[s] - 1];
                        if (f->inode == e->inode && f->dev_major == e->dev_major && f->dev_minor == e->dev_minor)
                                return f;
                }
        if (index_reserve(b) < 0 || ARRAY_RESERVE(b->v, b->cap, b->n + 1) < 0)
                return NULL;
        struct backing_file *f = &b->v[b->n++];
        *f = (struct backing_file){ .dev_major = e->dev_major, .dev_minor = e->dev_minor, .inode = e->inode, .fd = -1 };
        slot_put(b, b->n - 1);

        struct stat st;
        int fd = open_mapped(b, e, &st);
        if (fd < 0) {
                f->err = -fd;
                return f;
        }
        f->fd = fd;
        f->size = (uint64_t)st.st_size;
        unsigned char magic[SELFMAG];
        f->elf = io_pread_full(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) && memcmp(magic, ELFMAG, SELFMAG) == 0;
        return f;
}

int backing_files_open_all(struct backing_files *b, const struct map_list *maps)
{
        for (size_t i = 0; i < maps->n; i++) {
                const struct map_entry *e = &maps->v[i];
                if (map_is_file(e) && e->inode != 0 && !backing_file_get(b, e))
                        return -ENOMEM;
        }
        return 0;
}

int backing_file_pread(const struct backing_file *f, void *dst, size_t len, uint64_t off)
{
        if (f->fd < 0)
                return -f->err;
        ssize_t r = io_pread_full(f->fd, dst, len, (off_t)off);
        if (r < 0)
                return (int)r;
        memset((char *)dst + r, 0, len - (size_t)r);
        return 0;
}

void backing_files_close(struct backing_files *b)
{
        for (size_t i = 0; i < b->n; i++)
                if (b->v[i].fd >= 0)
                        close(b->v[i].fd);
        free(b->v);
        free(b->slots);
        b->v = NULL;
        b->slots = NULL;
        b->n = b->cap = b->nslots = 0;
}
