/* Implementation of core_output.h. */
#include "core_output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/io.h"
#include "common/log.h"
#include "sparse_write.h"

#define FILE_CHUNK (1u << 20)

static uint64_t core_offset(const struct core_output *o, const struct dump_item *it)
{
        const struct core_load *ld = &o->layout->loads[it->seg];
        return ld->offset + (it->addr - ld->vaddr);
}

/* Copies one file item, leaving the file's holes and zero pages as holes. */
static int copy_file_item(struct core_output *o, const struct dump_item *it, uint8_t *buf, uint64_t *done)
{
        const struct backing_file *f = &o->files->v[it->file];
        uint64_t off = it->file_off, end = it->file_off + it->len;
        uint64_t dst = core_offset(o, it);

        while (off < end) {
                off_t data = lseek(f->fd, (off_t)off, SEEK_DATA);
                if (data < 0) {
                        if (errno == ENXIO)
                                break; /* a hole to the end of the file */
                        data = (off_t)off; /* no SEEK_DATA here: read everything */
                }
                if ((uint64_t)data >= end)
                        break;
                dst += (uint64_t)data - off;
                off = (uint64_t)data;
                off_t hole = lseek(f->fd, (off_t)off, SEEK_HOLE);
                uint64_t n = MIN(end - off, (uint64_t)FILE_CHUNK);
                if (hole > (off_t)off)
                        n = MIN(n, (uint64_t)hole - off);
                ssize_t r = io_pread_full(f->fd, buf, (size_t)n, (off_t)off);
                if (r < 0) {
                        log_warning("cannot read the file mapped at %llx: %s; %llu bytes stay holes",
                                    (unsigned long long)(it->addr + (off - it->file_off)), strerror((int)-r),
                                    (unsigned long long)(end - off));
                        o->file_errors += end - off;
                        break;
                }
                if (r == 0)
                        break; /* the file shrank: the rest reads as zeros */
                int w = sparse_write_range(o->fd, o->path, buf, (size_t)r, dst, o->page_size);
                if (w < 0)
                        return w;
                off += (uint64_t)r;
                dst += (uint64_t)r;
                *done += (uint64_t)r;
                progress_update(o->progress, *done);
        }
        return 0;
}

int core_output_write(struct core_output *o)
{
        int r = elf_core_write_headers(o->fd, o->path, o->layout);
        if (r < 0)
                return r;
        if (o->notes->len) {
                r = sparse_write_full(o->fd, o->path, o->notes->data, o->notes->len, o->layout->notes_offset);
                if (r < 0)
                        return r;
        }

        _cleanup_free_ uint8_t *buf = malloc(FILE_CHUNK);
        if (!buf)
                return log_error_errno(ENOMEM, "cannot write '%s': %m", o->path);

        uint64_t done = 0;
        for (size_t i = 0; i < o->plan->n; i++) {
                const struct dump_item *it = &o->plan->v[i];
                if (interrupt_check(o->intr))
                        return -EINTR;
                if (it->src == DUMP_SRC_MEMORY || it->src == DUMP_SRC_LOCAL) {
                        if (!it->data)
                                continue; /* written while the target was stopped */
                        r = sparse_write_range(o->fd, o->path, it->data, it->len, core_offset(o, it), o->page_size);
                        done += it->len;
                        progress_update(o->progress, done);
                } else {
                        r = copy_file_item(o, it, buf, &done);
                }
                if (r < 0)
                        return r;
        }

        if (ftruncate(o->fd, (off_t)o->layout->file_size) < 0)
                return log_error_errno(errno, "cannot write '%s': %m", o->path);
        return 0;
}
