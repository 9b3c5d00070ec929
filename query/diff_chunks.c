/*
 * The blocks part of a diff: both sides' used chunks streamed in mem order
 * and merged, like comm(1) on two sorted lists, so two million-chunk
 * snapshots cost two index scans and no join, each on a thread of its own
 * (diff_stream.c), which also counts growth (diff_growth.c).  Runs of equal mem (one block on each side, unless a
 * database was crafted) are matched in diff_group, by the rule of diff_match.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "diff.h"
#include "diff_growth.h"
#include "diff_match.h"
#include "diff_stream.h"

/* A side's used blocks, one at a time, from its stream. */
struct chunk_cursor {
        struct chunk_stream *stream;
        bool done;
        struct diff_chunk cur;   /* the current block, valid unless done; cur.type is owned */
};

/* A growable array of blocks: the equal-mem runs. */
struct chunk_run {
        struct diff_chunk *v;
        size_t n, cap;
};

static int cursor_next(struct chunk_cursor *c)
{
        int r = diff_stream_next(c->stream, &c->cur);
        if (r < 0)
                return r;
        c->done = r == 0;
        return 0;
}

/* Ordered as the text lists new leaks: largest first, then by mem. */
static bool leak_before(const struct diff_chunk *a, const struct diff_chunk *b)
{
        if (a->size != b->size)
                return a->size > b->size;
        return a->mem < b->mem;
}

/*
 * d->leaks while diff_chunks runs: a heap whose root is the entry listed
 * last, so a block that would be listed earlier replaces it once the heap
 * holds d->keep.leaks entries.
 */
static void leak_sift_down(struct diff_leak_entry *v, size_t n, size_t i)
{
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, last = i;
                if (l < n && leak_before(&v[last].c, &v[l].c))
                        last = l;
                if (r < n && leak_before(&v[last].c, &v[r].c))
                        last = r;
                if (last == i)
                        return;
                struct diff_leak_entry t = v[i];
                v[i] = v[last];
                v[last] = t;
                i = last;
        }
}

static void leak_sift_up(struct diff_leak_entry *v, size_t i)
{
        while (i > 0) {
                size_t p = (i - 1) / 2;
                if (!leak_before(&v[p].c, &v[i].c))
                        return;
                struct diff_leak_entry t = v[i];
                v[i] = v[p];
                v[p] = t;
                i = p;
        }
}

/* Offers a new definite leak (its type is copied) to d->leaks. */
static int leak_offer(struct diff *d, const struct diff_chunk *c, const struct diff_chunk *before)
{
        if (d->keep.leaks == 0)
                return 0;
        bool full = d->nleaks >= d->keep.leaks;
        if (full && !leak_before(c, &d->leaks[0].c))
                return 0;
        struct diff_leak_entry e = { .c = *c, .changed = before != NULL, .before_leak = before ? before->leak : LEAK_NONE };
        if (c->type && !(e.c.type = strdup(c->type)))
                return log_error_errno(ENOMEM, "cannot diff: %m");
        if (full) {
                free(d->leaks[0].c.type);
                d->leaks[0] = e;
                leak_sift_down(d->leaks, d->nleaks, 0);
                return 0;
        }
        if (ARRAY_RESERVE(d->leaks, d->cap_leaks, d->nleaks + 1) < 0) {
                free(e.c.type);
                return log_error_errno(ENOMEM, "cannot diff: %m");
        }
        d->leaks[d->nleaks++] = e;
        leak_sift_up(d->leaks, d->nleaks - 1);
        return 0;
}

static int leak_cmp(const void *p, const void *q)
{
        const struct diff_leak_entry *a = p, *b = q;
        return leak_before(&a->c, &b->c) ? -1 : leak_before(&b->c, &a->c) ? 1 : 0;
}

/* Takes ownership of k's type; keeps k when d->keep has room for it. */
static int add_chunk(struct diff *d, const struct diff_chunk *k, bool added)
{
        struct diff_chunk **v = added ? &d->added : &d->removed;
        size_t *n = added ? &d->nadded : &d->nremoved;
        size_t *cap = added ? &d->cap_added : &d->cap_removed;
        size_t keep = added ? d->keep.added : d->keep.removed;

        if (added && k->leak == LEAK_DEFINITE) {
                int r = leak_offer(d, k, NULL);
                if (r < 0) {
                        free(k->type);
                        return r;
                }
        }
        if (*n < keep) {
                if (ARRAY_RESERVE(*v, *cap, *n + 1) < 0) {
                        free(k->type);
                        return log_error_errno(ENOMEM, "cannot diff: %m");
                }
                (*v)[(*n)++] = *k;
        } else
                free(k->type);
        if (added) {
                d->summary.added++;
                d->summary.added_bytes += k->size;
                if (k->leak == LEAK_DEFINITE) {
                        d->summary.leaked_added++;
                        d->summary.leaked_added_bytes += k->size;
                }
        } else {
                d->summary.removed++;
                d->summary.removed_bytes += k->size;
        }
        return 0;
}

/* Takes ownership of both types; keeps the pair only when something changed. */
static int pair_chunks(struct diff *d, const struct diff_chunk *a, const struct diff_chunk *b)
{
        unsigned what = 0;

        if (a->size != b->size)
                what |= DIFF_CHANGED_SIZE;
        if (a->arena_id != b->arena_id)
                what |= DIFF_CHANGED_ARENA;
        if (a->leak != b->leak)
                what |= DIFF_CHANGED_LEAK;
        struct diff_changed c = { .before = *a, .after = *b, .what = what };
        bool new_leak = what && diff_changed_is_new_leak(&c);
        int r = 0;

        if (what) {
                d->summary.changed++;
                if (new_leak) {
                        d->summary.leaked_changed++;
                        d->summary.leaked_changed_bytes += b->size;
                        r = leak_offer(d, b, a);
                }
        }
        /* the first changed blocks (json), and the first that are not new leaks (text) */
        bool keep = what && r == 0 &&
                    (d->nchanged < d->keep.changed || (!new_leak && d->nchanged_other < d->keep.changed_other));
        if (!keep) {
                free(a->type);
                free(b->type);
                return r;
        }
        if (ARRAY_RESERVE(d->changed, d->cap_changed, d->nchanged + 1) < 0) {
                free(a->type);
                free(b->type);
                return log_error_errno(ENOMEM, "cannot diff: %m");
        }
        d->changed[d->nchanged++] = c;
        if (!new_leak)
                d->nchanged_other++;
        return 0;
}

/*
 * Hands on the blocks of one mem as diff_match_run pairs them: pairs (a
 * same block, changed when its arena or verdict differs; or a block resized
 * in place) first, in before's order; what is left was removed or added.
 */
static int match_run(struct diff *d, struct chunk_run *ga, struct chunk_run *gb)
{
        _cleanup_free_ size_t *match_a = calloc(ga->n + 1, sizeof(size_t));
        _cleanup_free_ size_t *match_b = calloc(gb->n + 1, sizeof(size_t));
        int r;

        if (!match_a || !match_b)
                return log_error_errno(ENOMEM, "cannot diff: %m");
        diff_match_run(ga->v, ga->n, gb->v, gb->n, match_a, match_b);
        for (size_t i = 0; i < ga->n; i++)
                if (match_a[i] != DIFF_MATCH_NONE && (r = pair_chunks(d, &ga->v[i], &gb->v[match_a[i]])) < 0)
                        return r;
        for (size_t i = 0; i < ga->n; i++)
                if (match_a[i] == DIFF_MATCH_NONE && (r = add_chunk(d, &ga->v[i], false)) < 0)
                        return r;
        for (size_t j = 0; j < gb->n; j++)
                if (match_b[j] == DIFF_MATCH_NONE && (r = add_chunk(d, &gb->v[j], true)) < 0)
                        return r;
        return 0;
}

/* Every block of the runs has been handed on (or, on an error, dropped). */
static int diff_group(struct diff *d, struct chunk_run *ga, struct chunk_run *gb)
{
        int r = match_run(d, ga, gb);
        ga->n = gb->n = 0;
        return r;
}

/* Moves the cursor's rows with this mem into run. */
static int collect_run(struct chunk_cursor *c, uint64_t mem, struct chunk_run *run)
{
        while (!c->done && c->cur.mem == mem) {
                if (ARRAY_RESERVE(run->v, run->cap, run->n + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot diff: %m");
                run->v[run->n++] = c->cur;
                c->cur.type = NULL;
                int r = cursor_next(c);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void run_free(struct chunk_run *run)
{
        for (size_t i = 0; i < run->n; i++)
                free(run->v[i].type);
        free(run->v);
}

int diff_chunks(sqlite3 *db, struct diff *d)
{
        struct chunk_cursor a = { .done = true }, b = { .done = true };
        struct chunk_run ga = { 0 }, gb = { 0 };
        struct growth_table growth_a = { 0 }, growth_b = { 0 };
        int r;

        r = diff_stream_start(&a.stream, d->before.path, 0, DIFF_STREAM_ALL, d->max_steps, DIFF_STREAM_DEPTH, &growth_a);
        if (r == 0)
                r = diff_stream_start(&b.stream, d->after.path, 1, DIFF_STREAM_ALL, d->max_steps, DIFF_STREAM_DEPTH, &growth_b);
        if (r == 0)
                r = cursor_next(&a);
        if (r == 0)
                r = cursor_next(&b);

        while (r == 0 && (!a.done || !b.done)) {
                if (b.done || (!a.done && (int64_t)a.cur.mem < (int64_t)b.cur.mem)) {
                        r = add_chunk(d, &a.cur, false);
                        a.cur.type = NULL;
                        if (r == 0)
                                r = cursor_next(&a);
                } else if (a.done || (int64_t)b.cur.mem < (int64_t)a.cur.mem) {
                        r = add_chunk(d, &b.cur, true);
                        b.cur.type = NULL;
                        if (r == 0)
                                r = cursor_next(&b);
                } else {
                        uint64_t mem = a.cur.mem;
                        r = collect_run(&a, mem, &ga);
                        if (r == 0)
                                r = collect_run(&b, mem, &gb);
                        if (r == 0)
                                r = diff_group(d, &ga, &gb);
                }
        }
        if (!a.done)
                free(a.cur.type);
        if (!b.done)
                free(b.cur.type);
        struct diff_stream_totals ta = { 0 }, tb = { 0 };
        int ra = diff_stream_finish(a.stream, &ta);
        int rb = diff_stream_finish(b.stream, &tb);
        d->before.used_chunks = ta.used_chunks;
        d->before.used_bytes = ta.used_bytes;
        d->after.used_chunks = tb.used_chunks;
        d->after.used_bytes = tb.used_bytes;
        if (r == 0)
                r = ra < 0 ? ra : rb;
        run_free(&ga);
        run_free(&gb);
        qsort_safe(d->leaks, d->nleaks, sizeof(*d->leaks), leak_cmp);
        if (r == 0)
                r = growth_table_merge(&growth_a, &growth_b);
        if (r == 0)
                r = growth_table_finish(&growth_a, d);
        growth_table_free(&growth_a);
        growth_table_free(&growth_b);
        return r;
}
