/*
 * Implementation of diff_stream.h: a producer thread per side and a queue
 * of batches.  There are at most `depth` batches in all, made as the
 * producer first needs them; each is at any time free (the producer may
 * fill it), queued (full, waiting for the merge), or being filled or read.  Blocks own their type string until the merge moves
 * them out; whatever is left unread when the stream stops is freed here.
 */
#include "diff_stream.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "db_open.h"

/* Blocks per batch: big enough that locking is rare, small enough to stay in cache. */
#define BATCH_CHUNKS DIFF_STREAM_BATCH

struct batch {
        struct diff_chunk v[BATCH_CHUNKS];
        size_t n;
};

struct chunk_stream {
        pthread_t thread;
        bool started;
        pthread_mutex_t lock;
        pthread_cond_t cond;

        /* under lock */
        size_t depth;               /* batches at most: one filling, one being read, the rest queued */
        struct batch **queued;      /* ring of depth full batches */
        size_t head, count;
        struct batch **free;
        size_t nfree;
        size_t nbatches;            /* made so far */
        bool done;                  /* the producer has finished; result says how */
        bool stop;                  /* the merge gave up: the producer ends early */
        int result;

        /* the merge's side */
        struct batch *cur;
        size_t pos;

        /* the producer's side */
        char *path;
        int side;
        enum diff_stream_columns columns;
        struct growth_table *growth;
        struct db_guard guard;      /* of the producer's connection */
        struct batch **batches;     /* all of them, for freeing */
        struct diff_stream_totals totals;
};

/* A verdict another program wrote (no text of ours) reads as none, as NULL does. */
static uint8_t leak_from_text(const char *s)
{
        int v = schema_enum_parse(&schema_enum_leak, s);
        return v < 0 ? LEAK_NONE : (uint8_t)v;
}

/* DIFF_STREAM_ALL's columns (select_sql). */
static int decode_row(struct chunk_stream *s, sqlite3_stmt *st, struct diff_chunk *k)
{
        *k = (struct diff_chunk){
                .id = sqlite3_column_int64(st, 0),
                .address = (uint64_t)sqlite3_column_int64(st, 1),
                .mem = (uint64_t)sqlite3_column_int64(st, 2),
                .size = (uint64_t)sqlite3_column_int64(st, 3),
                .usable = (uint64_t)sqlite3_column_int64(st, 4),
                .arena_id = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5),
                .leak = leak_from_text((const char *)sqlite3_column_text(st, 6)),
                .has_hash = sqlite3_column_type(st, 8) != SQLITE_NULL,
                .hash = sqlite3_column_int64(st, 8),
                .mmapped = sqlite3_column_int64(st, 10) != 0,
                .size_class = sqlite3_column_int64(st, 11),
        };
        if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
                k->type = strdup((const char *)sqlite3_column_text(st, 7));
                if (!k->type)
                        return log_error_errno(ENOMEM, "cannot diff '%s': %m", s->path);
        }
        if (sqlite3_column_type(st, 9) == SQLITE_BLOB) {
                const void *h = sqlite3_column_blob(st, 9);
                size_t n = (size_t)sqlite3_column_bytes(st, 9);
                k->head_len = (uint8_t)MIN(n, (size_t)DIFF_HEAD_MAX);
                if (h)
                        memcpy(k->head, h, k->head_len);
                k->has_head = true;
        }
        return 0;
}

/* DIFF_STREAM_MATCH's columns (select_sql); column 6 is the block's retained size when it is unowned. */
static int decode_match_row(struct chunk_stream *s, sqlite3_stmt *st, struct diff_chunk *k)
{
        *k = (struct diff_chunk){
                .mem = (uint64_t)sqlite3_column_int64(st, 0),
                .size = (uint64_t)sqlite3_column_int64(st, 1),
                .size_class = sqlite3_column_int64(st, 2),
                .leak = leak_from_text((const char *)sqlite3_column_text(st, 3)),
                .has_hash = sqlite3_column_type(st, 4) != SQLITE_NULL,
                .hash = sqlite3_column_int64(st, 4),
                .arena_id = -1,
        };
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
                k->type = strdup((const char *)sqlite3_column_text(st, 5));
                if (!k->type)
                        return log_error_errno(ENOMEM, "cannot read the chunks of '%s': %m", s->path);
        }
        if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
                /* SQL's sum() fails on overflow too (diff_owners.c sums them so) */
                if (__builtin_add_overflow(s->totals.unowned_bytes, sqlite3_column_int64(st, 6),
                                           &s->totals.unowned_bytes))
                        return log_error_errno(EOVERFLOW, "cannot read the chunks of '%s': the retained sizes of "
                                               "its unowned blocks overflow 64 bits", s->path);
                s->totals.unowned_chunks++;
        }
        return 0;
}

/* One row into k, and k into the side's totals and growth. */
static int decode(struct chunk_stream *s, sqlite3_stmt *st, struct diff_chunk *k)
{
        int r = s->columns == DIFF_STREAM_MATCH ? decode_match_row(s, st, k) : decode_row(s, st, k);
        if (r < 0)
                return r;
        s->totals.used_chunks++;
        s->totals.used_bytes += (int64_t)k->size;
        return growth_table_add(s->growth, s->side, k->type, k->size_class, k->size);
}

/*
 * The statement for each kind of columns.  "+state" keeps SQLite off the
 * (state, size) index: without statistics it would take it and then sort
 * every row, where the mem index hands them over in order.
 */
static const char *select_sql(enum diff_stream_columns columns)
{
        if (columns == DIFF_STREAM_MATCH)
                return "SELECT mem, size, size_class, leak, hash, type, "
                       "CASE WHEN idom IS NULL AND idom_root IS NULL THEN retained END "
                       "FROM chunks WHERE +state = ?1 ORDER BY mem";
        return "SELECT id, address, mem, size, usable, arena_id, leak, type, hash, head, mmapped, "
               "size_class FROM chunks WHERE +state = ?1 ORDER BY mem";
}

/* Gets a free batch, or NULL when the merge asked us to stop. */
static struct batch *take_free(struct chunk_stream *s)
{
        struct batch *b = NULL;

        pthread_mutex_lock(&s->lock);
        while (s->nfree == 0 && !s->stop) {
                if (s->nbatches < s->depth) {
                        struct batch *fresh = calloc(1, sizeof(*fresh));
                        if (fresh) {
                                s->batches[s->nbatches++] = fresh;
                                s->free[s->nfree++] = fresh;
                                break;
                        }
                        /* out of memory: wait for the merge to hand one back (start made the first) */
                }
                pthread_cond_wait(&s->cond, &s->lock);
        }
        if (!s->stop)
                b = s->nfree ? s->free[--s->nfree] : NULL;
        pthread_mutex_unlock(&s->lock);
        return b;
}

/* Hands b over (or back, when empty); with end set, also the result. */
static void hand_over(struct chunk_stream *s, struct batch *b, bool end, int result)
{
        pthread_mutex_lock(&s->lock);
        if (b && b->n > 0) {
                s->queued[(s->head + s->count) % s->depth] = b;
                s->count++;
        } else if (b)
                s->free[s->nfree++] = b;
        if (end) {
                s->done = true;
                s->result = result;
        }
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->lock);
}

static int produce(struct chunk_stream *s)
{
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        int64_t prev_mem = INT64_MIN;
        int r;

        r = db_open_readonly(s->path, &s->guard, &db);
        if (r < 0)
                return r;
        if (sqlite3_prepare_v2(db, select_sql(s->columns), -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read the chunks of '%s': %s", s->path, db_open_errmsg(db, &s->guard));
        sqlite3_bind_text(st, 1, schema_enum_text(&schema_enum_chunk_state, CHUNK_USED), -1, SQLITE_STATIC);

        for (;;) {
                struct batch *b = take_free(s);
                if (!b)
                        return 0;
                b->n = 0;
                r = SQLITE_ROW;
                while (b->n < BATCH_CHUNKS && (r = sqlite3_step(st)) == SQLITE_ROW) {
                        struct diff_chunk *k = &b->v[b->n];
                        int d = decode(s, st, k);
                        if (d < 0) {
                                free(k->type);
                                hand_over(s, b, false, 0);
                                return d;
                        }
                        b->n++;
                        if ((int64_t)k->mem < prev_mem) {
                                hand_over(s, b, false, 0);
                                return log_error_errno(EINVAL, "cannot diff '%s': its chunks did not come in "
                                                       "address order", s->path);
                        }
                        prev_mem = (int64_t)k->mem;
                }
                if (r != SQLITE_ROW && r != SQLITE_DONE) {
                        hand_over(s, b, false, 0);
                        return log_error_errno(EIO, "cannot read the chunks of '%s': %s", s->path, db_open_errmsg(db, &s->guard));
                }
                hand_over(s, b, false, 0);
                if (r == SQLITE_DONE)
                        return 0;
        }
}

static void *producer_main(void *arg)
{
        struct chunk_stream *s = arg;
        int r = produce(s);
        hand_over(s, NULL, true, r);
        return NULL;
}

static void batch_free_types(struct batch *b, size_t from)
{
        for (size_t i = from; i < b->n; i++) {
                free(b->v[i].type);
                b->v[i].type = NULL;
        }
}

int diff_stream_start(struct chunk_stream **ret, const char *path, int side, enum diff_stream_columns columns,
                      uint64_t max_steps, size_t depth, struct growth_table *growth)
{
        struct chunk_stream *s = calloc(1, sizeof(*s));
        int r;

        if (!s)
                return log_error_errno(ENOMEM, "cannot diff: %m");
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->cond, NULL);
        s->side = side;
        s->columns = columns;
        s->guard = (struct db_guard)DB_GUARD_INIT;
        s->guard.max_steps = max_steps;
        s->growth = growth;
        s->path = strdup(path);
        s->depth = depth < 2 ? 2 : depth;
        s->batches = calloc(s->depth, sizeof(*s->batches));
        s->queued = calloc(s->depth, sizeof(*s->queued));
        s->free = calloc(s->depth, sizeof(*s->free));
        if (s->batches && s->queued && s->free && (s->batches[0] = calloc(1, sizeof(struct batch)))) {
                s->free[s->nfree++] = s->batches[0];
                s->nbatches = 1;
        }
        if (!s->path || s->nbatches != 1) {
                diff_stream_finish(s, NULL);
                return log_error_errno(ENOMEM, "cannot diff: %m");
        }
        r = pthread_create(&s->thread, NULL, producer_main, s);
        if (r != 0) {
                diff_stream_finish(s, NULL);
                return log_error_errno(r, "cannot start a thread to read '%s': %m", path);
        }
        s->started = true;
        *ret = s;
        return 0;
}

int diff_stream_next(struct chunk_stream *s, struct diff_chunk *out)
{
        for (;;) {
                if (s->cur && s->pos < s->cur->n) {
                        *out = s->cur->v[s->pos];
                        s->cur->v[s->pos].type = NULL;
                        s->pos++;
                        return 1;
                }
                pthread_mutex_lock(&s->lock);
                if (s->cur) {
                        s->free[s->nfree++] = s->cur;
                        s->cur = NULL;
                        pthread_cond_broadcast(&s->cond);
                }
                while (s->count == 0 && !s->done)
                        pthread_cond_wait(&s->cond, &s->lock);
                if (s->count == 0) {
                        int r = s->result;
                        pthread_mutex_unlock(&s->lock);
                        return r < 0 ? r : 0;
                }
                s->cur = s->queued[s->head];
                s->head = (s->head + 1) % s->depth;
                s->count--;
                s->pos = 0;
                pthread_mutex_unlock(&s->lock);
        }
}

int diff_stream_finish(struct chunk_stream *s, struct diff_stream_totals *totals)
{
        int r = 0;

        if (!s)
                return 0;
        if (s->started) {
                pthread_mutex_lock(&s->lock);
                s->stop = true;
                pthread_cond_broadcast(&s->cond);
                pthread_mutex_unlock(&s->lock);
                pthread_join(s->thread, NULL);
                r = s->result;
        }
        if (s->cur)
                batch_free_types(s->cur, s->pos);
        for (size_t i = 0; i < s->count; i++)
                batch_free_types(s->queued[(s->head + i) % s->depth], 0);
        for (size_t i = 0; i < s->nbatches; i++)
                free(s->batches[i]);
        free(s->batches);
        free(s->queued);
        free(s->free);
        if (totals)
                *totals = s->totals;
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->cond);
        free(s->path);
        free(s);
        return r;
}
