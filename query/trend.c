/*
 * The trend's frame (trend.h): reading the snapshots' facts, checking and
 * ordering them, then one pass over the snapshots in time order in which
 * each one's blocks stream (diff_stream.c) past the previous one's
 * (trend_blocks.c) while its growth keys are counted (diff_growth.c), and
 * its owners are read (diff_owners.c: the root holders by SQL, the
 * unowned blocks summed by the stream, which reads only the columns a
 * trend needs).  A snapshot's reader starts when the merge of the one
 * before it begins and reads ahead, so two readers decode at once.
 */
#include "trend.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "diff_growth.h"
#include "diff_stream.h"
#include "trend_blocks.h"
#include "trend_series.h"
#include "trend_snapshot.h"

/*
 * Batches of DIFF_STREAM_BATCH blocks the next snapshot's reader may read
 * ahead while this one is merged: 256 k blocks, about 30 MB, more than a
 * snapshot of the 100 k blocks the goal names, so on two cores both
 * readers decode at once (the decoding is most of the work).
 */
#define TREND_READ_AHEAD 256

/* Reads each snapshot's facts, each on a connection of its own. */
static int snapshots_read(struct trend *t, char *const *paths, size_t n)
{
        t->snapshots = calloc(n, sizeof(*t->snapshots));
        if (!t->snapshots)
                return log_error_errno(ENOMEM, "cannot read the snapshots: %m");
        for (size_t i = 0; i < n; i++) {
                struct trend_snapshot *s = &t->snapshots[t->nsnapshots++];
                s->arg_index = i;
                if (!(s->path = strdup(paths[i])))
                        return log_error_errno(ENOMEM, "cannot read the snapshots: %m");
                struct db_guard g = t->guard;
                _cleanup_sqlite3_ sqlite3 *db = NULL;
                int r = db_open_readonly(s->path, &g, &db);
                if (r == 0)
                        r = trend_snapshot_read(db, &g, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Snapshot index's holders; its unowned blocks come summed from its stream (totals). */
static int owners_read(struct trend *t, struct trend_series_table *st, size_t index,
                       const struct diff_stream_totals *totals)
{
        struct trend_snapshot *s = &t->snapshots[index];
        struct db_guard g = t->guard;
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        struct diff_owner *owners = NULL;
        size_t n = 0;

        int r = db_open_readonly(s->path, &g, &db);
        if (r == 0)
                r = diff_owners_load(db, &g, "main", s->path, false, &owners, &n);
        if (r == 0)
                r = diff_owners_add_unowned(&owners, &n, totals->unowned_chunks, totals->unowned_bytes, s->path);
        if (r == 0)
                r = trend_series_add_owners(st, owners, n, index);
        diff_owners_free(owners, n);
        return r;
}

/* Streams snapshot index's blocks through b; growth counts into g. */
static int blocks_read(struct trend *t, struct trend_blocks *b, struct chunk_stream *stream, size_t index)
{
        struct diff_chunk c;
        int r;

        trend_blocks_begin(b, t, (uint32_t)index);
        while ((r = diff_stream_next(stream, &c)) == 1)
                if ((r = trend_blocks_add(b, &c)) < 0)
                        break;
        int re = trend_blocks_end(b);
        return r < 0 ? r : re;
}

/*
 * Each snapshot needs about the memory the one before it freed: its
 * reader's batches, its connection's page cache, the next array of held
 * blocks.  By default glibc gives freed memory back (the top of a heap
 * above 128 KiB is trimmed, a block above 128 KiB is its own mapping), and
 * the next snapshot faults it in again page by page: a third of the CPU
 * time once the reading was lean.  So the trend keeps it: no trimming
 * below 1 GiB, and blocks up to 4 MiB (a batch is 0.1 MiB, SQLite's first
 * page cache allocation 0.3 MiB) from the heap.  Larger ones (the held
 * blocks, the lives) stay mappings of their own: they live through the
 * trend, and a mapping grows by mremap where the heap would keep the old
 * copy (32 MiB cost 20 MiB more RSS for the same time).  Only the speed
 * depends on it; an allocator that refuses (ASan's) is left as it is.
 */
static void memory_keep(void)
{
        if (!mallopt(M_TRIM_THRESHOLD, 1 << 30) || !mallopt(M_MMAP_THRESHOLD, 4 << 20))
                log_debug("malloc keeps its own thresholds: the trend may be slower");
}

static int follow(struct trend *t)
{
        struct trend_series_table st = { .nsnapshots = t->nsnapshots };
        struct trend_blocks b = { 0 };
        struct growth_table growth[2] = { 0 };
        struct chunk_stream *stream[2] = { NULL };
        _cleanup_free_ double *t_s = calloc(t->nsnapshots, sizeof(double));
        int r = t_s ? 0 : log_error_errno(ENOMEM, "cannot follow the blocks: %m");

        memory_keep();
        if (r == 0)
                r = diff_stream_start(&stream[0], t->snapshots[0].path, 0, DIFF_STREAM_MATCH, t->guard.max_steps,
                                      TREND_READ_AHEAD, &growth[0]);
        for (size_t i = 0; r == 0 && i < t->nsnapshots; i++) {
                size_t cur = i % 2, nxt = (i + 1) % 2;
                t_s[i] = t->snapshots[i].t_s;
                if (i + 1 < t->nsnapshots)
                        r = diff_stream_start(&stream[nxt], t->snapshots[i + 1].path, 0, DIFF_STREAM_MATCH,
                                              t->guard.max_steps, TREND_READ_AHEAD, &growth[nxt]);
                if (r == 0)
                        r = blocks_read(t, &b, stream[cur], i);
                struct diff_stream_totals totals = { 0 };
                int rs = diff_stream_finish(stream[cur], &totals);
                stream[cur] = NULL;
                if (r == 0)
                        r = rs;
                if (r == 0)
                        r = trend_series_add_growth(&st, &growth[cur], i);
                growth_table_free(&growth[cur]);
                if (r == 0)
                        r = owners_read(t, &st, i, &totals);
        }
        for (size_t k = 0; k < 2; k++) {
                diff_stream_finish(stream[k], NULL);
                growth_table_free(&growth[k]);
        }
        if (r == 0)
                r = trend_blocks_finish(&b);
        if (r == 0)
                r = trend_series_finish(&st, t_s, t);
        trend_blocks_free(&b);
        trend_series_table_free(&st);
        return r;
}

int trend_load(struct trend *t, char *const *paths, size_t n)
{
        int r;

        if (n < 2)
                return log_error_errno(EINVAL, "a trend needs two snapshots or more, got %zu", n);
        if (n > TREND_SNAPSHOTS_MAX)
                return log_error_errno(E2BIG, "a trend reads at most %d snapshots, got %zu", TREND_SNAPSHOTS_MAX, n);
        r = snapshots_read(t, paths, n);
        if (r < 0)
                return r;
        r = trend_snapshot_check(t->snapshots, t->nsnapshots);
        if (r < 0)
                return r;
        trend_snapshot_order(t->snapshots, t->nsnapshots, &t->reordered, &t->timed);
        if (t->reordered)
                log_info("the snapshots were given out of capture order; they are read in capture order, "
                         "from '%s' to '%s'", t->snapshots[0].path, t->snapshots[t->nsnapshots - 1].path);
        else if (!t->timed)
                log_info("not every snapshot has a capture time (a core memsnap did not take): they are read "
                         "in command-line order, and growth is per snapshot, not per second");
        return follow(t);
}

void trend_free(struct trend *t)
{
        for (size_t i = 0; i < t->nsnapshots; i++)
                trend_snapshot_free(&t->snapshots[i]);
        free(t->snapshots);
        for (size_t i = 0; i < t->nlives; i++)
                free(t->lives[i].type);
        free(t->lives);
        for (size_t i = 0; i < t->nsurvivors; i++)
                free(t->survivors[i].type);
        free(t->survivors);
        for (size_t i = 0; i < t->nseries; i++)
                trend_series_free(&t->series[i]);
        free(t->series);
        *t = (struct trend){ .guard = t->guard };
}

const struct trend_series *trend_series_of(const struct trend *t, enum trend_series_kind kind, size_t *n)
{
        size_t i = 0;
        while (i < t->nseries && t->series[i].kind < kind)
                i++;
        size_t j = i;
        while (j < t->nseries && t->series[j].kind == kind)
                j++;
        *n = j - i;
        return t->series + i;
}

const char *trend_series_kind_name(enum trend_series_kind kind)
{
        switch (kind) {
        case TREND_OWNER: return "owner";
        case TREND_TYPE: return "type";
        case TREND_SIZE_CLASS: return "size_class";
        }
        return "?";
}

/* Seconds in an hour. */
#define HOUR_S 3600.0

double trend_slope(const struct trend *t, const struct trend_fit *f)
{
        return t->timed ? f->slope * HOUR_S : f->slope;
}

const char *trend_slope_unit(const struct trend *t)
{
        return t->timed ? "hour" : "snapshot";
}
