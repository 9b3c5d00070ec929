/* Implementation of backing_file.h: map_files first, the path second. */
#include "backing_file.h"

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

const struct backing_file *backing_file_get(struct backing_files *b, const struct map_entry *e)
{
        for (size_t i = 0; i < b->n; i++) {
                struct backing_file *f = &b->v[i];
                if (f->inode == e->inode && f->dev_major == e->dev_major && f->dev_minor == e->dev_minor)
                        return f;
        }
        if (ARRAY_RESERVE(b->v, b->cap, b->n + 1) < 0)
                return NULL;
        struct backing_file *f = &b->v[b->n++];
        *f = (struct backing_file){ .dev_major = e->dev_major, .dev_minor = e->dev_minor, .inode = e->inode, .fd = -1 };

        struct stat st;
        int fd = open_mapped(b, e, &st);
        if (fd < 0) {
                f->err = -fd;
                return f;
        }
        f->fd = fd;
        f->size = (uint64_t)st.st_size;
        return f;
}

int backing_file_pread(const struct backing_file *f, void *dst, size_t len, uint64_t off)
{
        if (f->fd < 0)
                return -f->err;
        ssize_t r = pread_full(f->fd, dst, len, (off_t)off);
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
        b->v = NULL;
        b->n = b->cap = 0;
}
