/* Implementation of dump_read.h: the stage's share in parallel, then the file's through a bounce buffer. */
#include "dump_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "parallel_read.h"
#include "sparse_write.h"

#define BATCH_SPANS 1024            /* UIO_MAXIOV */
#define DIRECT_BUFFER (16u << 20)   /* the bounce buffer for bytes written while stopped */
_Static_assert(DUMP_ITEM_MAX <= DIRECT_BUFFER, "an item fits the bounce buffer");

/* Called by one copying thread at a time (parallel_read.h). */
static void on_unreadable(void *ud, uint64_t start, uint64_t end, int err)
{
        struct dump_read *d = ud;
        int r = skip_list_add(d->skips, start, end, SKIP_UNREADABLE, "present but not readable: %s", strerror(err));
        if (r < 0 && !d->error)
                d->error = r;
}

static bool is_memory(const struct dump_item *it)
{
        return it->src == DUMP_SRC_MEMORY;
}

/* Gives memory items their place in the stage, in plan order, while it has room; counts what did not fit. */
static void place_in_stage(struct dump_read *d, size_t *staged, uint64_t *direct_bytes)
{
        struct dump_plan *dp = d->plan;

        *staged = 0;
        *direct_bytes = 0;
        for (size_t i = 0; i < dp->n; i++) {
                struct dump_item *it = &dp->v[i];
                if (!is_memory(it))
                        continue;
                it->data = stage_take(d->stage, it->len);
                if (it->data)
                        (*staged)++;
                else
                        *direct_bytes += it->len;
        }
}

/* Copies the staged items, every thread at once; *done gets their bytes. */
static int read_staged(struct dump_read *d, size_t staged, uint64_t *done)
{
        struct dump_plan *dp = d->plan;
        _cleanup_free_ struct mem_span *spans = calloc(staged ? staged : 1, sizeof(*spans));
        size_t k = 0;

        *done = 0;
        if (!spans)
                return log_error_errno(ENOMEM, "cannot read memory: %m");
        for (size_t i = 0; i < dp->n; i++) {
                const struct dump_item *it = &dp->v[i];
                if (is_memory(it) && it->data) {
                        spans[k++] = (struct mem_span){ it->addr, it->len, it->data };
                        *done += it->len;
                }
        }

        struct parallel_read pr = {
                .mem = d->mem, .spans = spans, .n = k, .threads = d->threads, .stream = true,
                .bad = on_unreadable, .bad_ud = d, .progress = d->progress, .intr = d->intr,
        };
        int r = parallel_read_spans(&pr);
        d->threads_used = pr.threads_used;
        if (r == -EINTR)
                return r;
        if (r == -ENOMEM)
                return log_error_errno(r, "cannot read memory: %m");
        if (r < 0)
                return r;
        if (d->error)
                return log_error_errno(d->error, "cannot read memory: %m");
        return 0;
}

/*
 * Takes the items left out of the stage, from *i on, into one batch of
 * spans in the bounce buffer.  Returns the number of spans; 0 at the end.
 */
static size_t gather_direct(struct dump_read *d, size_t *i, struct mem_span *spans, size_t *idx, uint8_t *bounce)
{
        struct dump_plan *dp = d->plan;
        size_t k = 0;
        uint64_t bytes = 0;

        for (; *i < dp->n && k < BATCH_SPANS; (*i)++) {
                struct dump_item *it = &dp->v[*i];
                if (!is_memory(it) || it->data)
                        continue;
                if (bytes + it->len > DIRECT_BUFFER)
                        break;
                spans[k] = (struct mem_span){ it->addr, it->len, bounce + bytes };
                idx[k++] = *i;
                bytes += it->len;
        }
        return k;
}

/* Copies the items left out of the stage into the file, while the target is stopped. */
static int read_direct(struct dump_read *d, uint64_t done)
{
        struct dump_plan *dp = d->plan;
        _cleanup_free_ struct mem_span *spans = calloc(BATCH_SPANS, sizeof(*spans));
        _cleanup_free_ size_t *idx = calloc(BATCH_SPANS, sizeof(*idx));
        _cleanup_free_ uint8_t *bounce = malloc(DIRECT_BUFFER);

        if (!spans || !idx || !bounce)
                return log_error_errno(ENOMEM, "cannot read memory: %m");

        for (size_t i = 0;;) {
                if (interrupt_check(d->intr))
                        return -EINTR;
                size_t k = gather_direct(d, &i, spans, idx, bounce);
                if (k == 0)
                        return 0;
                int r = memory_read_spans(d->mem, spans, k, on_unreadable, d);
                if (r < 0)
                        return r;
                if (d->error)
                        return log_error_errno(d->error, "cannot read memory: %m");
                for (size_t j = 0; j < k; j++) {
                        const struct dump_item *it = &dp->v[idx[j]];
                        const struct core_load *ld = &d->layout->loads[it->seg];
                        r = sparse_write_range(d->out_fd, d->out_path, spans[j].dst, it->len,
                                          ld->offset + (it->addr - ld->vaddr), d->page_size);
                        if (r < 0)
                                return r;
                        d->direct_bytes += it->len;
                        done += it->len;
                }
                progress_update(d->progress, done);
        }
}

int dump_read_memory(struct dump_read *d)
{
        size_t staged;
        uint64_t direct, done;

        place_in_stage(d, &staged, &direct);
        if (direct && !d->layout)
                return -ENOBUFS;
        int r = read_staged(d, staged, &done);
        if (r < 0 || !direct)
                return r;
        return read_direct(d, done);
}
