/* Implementation of dump_read.h: batches of spans, staged or written through. */
#include "dump_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "sparse_write.h"

#define BATCH_SPANS 1024            /* UIO_MAXIOV */
#define BATCH_BYTES (16u << 20)     /* per batch: interrupts and progress are looked at this often */
#define DIRECT_BUFFER BATCH_BYTES   /* the bounce buffer for bytes written while stopped */
_Static_assert(DUMP_ITEM_MAX <= DIRECT_BUFFER, "an item fits the bounce buffer");

static void on_unreadable(void *ud, uint64_t start, uint64_t end, int err)
{
        struct dump_read *d = ud;
        int r = skip_list_add(d->skips, start, end, SKIP_UNREADABLE, "present but not readable: %s", strerror(err));
        if (r < 0 && !d->error)
                d->error = r;
}

/*
 * Takes memory items from *i into one batch of spans: staged while the
 * stage has room, else into the bounce buffer for the file (*direct).
 * Returns the number of spans; 0 with *i at the end, or when an item fits
 * neither (no layout to write through).
 */
static size_t gather(struct dump_read *d, size_t *i, struct mem_span *spans, size_t *idx, bool *direct,
                     uint8_t *bounce)
{
        struct dump_plan *dp = d->plan;
        size_t k = 0;
        uint64_t bytes = 0;

        while (*i < dp->n && dp->v[*i].src != DUMP_SRC_MEMORY)
                (*i)++;
        if (*i >= dp->n)
                return 0;
        *direct = d->stage->size - d->stage->used < dp->v[*i].len;
        if (*direct && !bounce)
                return 0;

        while (*i < dp->n && k < BATCH_SPANS && bytes < BATCH_BYTES) {
                struct dump_item *it = &dp->v[*i];
                if (it->src != DUMP_SRC_MEMORY) {
                        (*i)++;
                        continue;
                }
                uint8_t *dst;
                if (*direct) {
                        if (bytes + it->len > DIRECT_BUFFER)
                                break;
                        dst = bounce + bytes;
                        it->data = NULL;
                } else {
                        dst = stage_take(d->stage, it->len);
                        if (!dst)
                                break;
                        it->data = dst;
                }
                spans[k] = (struct mem_span){ it->addr, it->len, dst };
                idx[k++] = *i;
                bytes += it->len;
                (*i)++;
        }
        return k;
}

int dump_read_memory(struct dump_read *d)
{
        struct dump_plan *dp = d->plan;
        _cleanup_free_ struct mem_span *spans = calloc(BATCH_SPANS, sizeof(*spans));
        _cleanup_free_ size_t *idx = calloc(BATCH_SPANS, sizeof(*idx));
        _cleanup_free_ uint8_t *bounce = NULL;
        uint64_t done = 0;

        if (!spans || !idx)
                return log_error_errno(ENOMEM, "cannot read memory: %m");
        if (d->layout) {
                bounce = malloc(DIRECT_BUFFER);
                if (!bounce)
                        return log_error_errno(ENOMEM, "cannot read memory: %m");
        }

        for (size_t i = 0; i < dp->n;) {
                if (interrupt_check(d->intr))
                        return log_error_errno(EINTR, "interrupted");
                bool direct = false;
                size_t k = gather(d, &i, spans, idx, &direct, bounce);
                if (k == 0) {
                        if (i >= dp->n)
                                break;
                        return -ENOBUFS;
                }
                int r = memory_read_spans(d->mem, spans, k, on_unreadable, d);
                if (r < 0)
                        return r;
                if (d->error)
                        return log_error_errno(d->error, "cannot read memory: %m");
                for (size_t j = 0; j < k; j++) {
                        const struct dump_item *it = &dp->v[idx[j]];
                        if (direct) {
                                const struct core_load *ld = &d->layout->loads[it->seg];
                                r = sparse_pwrite(d->out_fd, d->out_path, spans[j].dst, it->len,
                                                  ld->offset + (it->addr - ld->vaddr), d->page_size);
                                if (r < 0)
                                        return r;
                                d->direct_bytes += it->len;
                        }
                        done += it->len;
                }
                progress_update(d->progress, done);
        }
        return 0;
}
