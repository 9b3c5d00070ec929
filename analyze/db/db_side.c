/*
 * Implementation of db_side.h.  A batch's in-memory database is a memdb
 * with a name ("file:/NAME?vfs=memdb": SQLite shares those between the
 * connections of one process), so the main connection can ATTACH it once
 * it is built; the side thread's connection is then closed, and DETACH
 * frees the memory with the last connection.  The two threads never use
 * one connection at the same time: a batch's connection passes from the
 * side thread to the main one under the lock.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/progress.h"
#include "common/timespec.h"
#include "db_rows.h"
#include "db_side.h"

/*
 * Batches built and not yet copied are held in memory, about 100 bytes a
 * chunk (record and index entry): at most an eighth of the chunks (so a
 * dozen bytes a chunk, where analyze's whole budget is 200), at least
 * SIDE_CHUNKS_MIN and at most SIDE_CHUNKS_MAX, 256 MiB.
 */
#define SIDE_CHUNKS_MAX (2560 * 1024)
#define SIDE_CHUNKS_MIN (256 * 1024)

size_t db_side_batch_size(size_t n)
{
        /*
         * Small enough that the side thread's last batch, which the main
         * thread may wait for, is short (64 Ki chunks: about 0.1 s), big
         * enough that opening, attaching and detaching a batch's database
         * (about a millisecond) does not count.
         */
        return MIN(MAX(n / 16, (size_t)1024), (size_t)65536);
}

static void batch_uri(const struct db_side *s, size_t k, char *buf, size_t size)
{
        snprintf(buf, size, "file:/memsnap-side-%d-%p-%zu?vfs=memdb", (int)getpid(), (const void *)s, k);
}

/* The side thread's work: batch k into a new in-memory database, returned open in *ret. */
static int batch_build(struct db_side *s, size_t k, sqlite3 **ret)
{
        _cleanup_(sqlite3_closep) sqlite3 *db = NULL;
        char uri[96];
        size_t from = k * s->batch, end = MIN(from + s->batch, s->a->heap.nchunks);
        int r;

        batch_uri(s, k, uri, sizeof(uri));
        if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot write database '%s': cannot open an in-memory database: %s",
                                       s->path, db ? sqlite3_errmsg(db) : "out of memory");
        struct db side = { .db = db, .path = s->path, .fd = -1 };
        if ((r = db_sql_exec(&side, DB_SETTINGS, "in-memory database settings")) < 0 ||
            (r = db_sql_exec(&side, s->chunks_sql, "in-memory chunks table")) < 0 ||
            (r = db_sql_exec(&side, "BEGIN", "begin")) < 0 || (r = db_rows_chunks(&side, s->a, from, end, NULL, 0)) < 0 ||
            (r = db_sql_exec(&side, "COMMIT", "commit")) < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

static void *side_main(void *arg)
{
        struct db_side *s = arg;
        struct timespec t0, t1, c0, c1;
        size_t built = 0, chunks = 0;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (!s->stop && s->next < s->nbatches && s->next - s->done >= s->ahead_max)
                        pthread_cond_wait(&s->changed, &s->lock);
                if (s->stop || s->next >= s->nbatches)
                        break;
                size_t k = s->next++;
                pthread_mutex_unlock(&s->lock);

                sqlite3 *db = NULL;
                int r = batch_build(s, k, &db);

                pthread_mutex_lock(&s->lock);
                s->batches[k] = (struct db_side_batch){ .db = db, .result = r, .built = true };
                pthread_cond_broadcast(&s->changed);
                if (r < 0)
                        break;
                built++;
                chunks += MIN(s->batch, s->a->heap.nchunks - k * s->batch);
        }
        pthread_mutex_unlock(&s->lock);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        log_debug("database: side thread: %zu batches, %zu chunks in %.0f ms (cpu %.0f ms)", built, chunks,
                  timespec_diff_ms(&t0, &t1), timespec_diff_ms(&c0, &c1));
        return NULL;
}

/* The statements that make d's chunks table and its indexes, table first. */
static int chunks_sql_read(const struct db *d, char **ret)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        char *sql = sqlite3_mprintf("%s", "");
        int rc = SQLITE_DONE;

        if (sqlite3_prepare_v2(d->db,
                               "SELECT sql FROM sqlite_schema WHERE tbl_name = 'chunks' AND sql IS NOT NULL"
                               " ORDER BY type = 'index', rowid",
                               -1, &st, NULL) != SQLITE_OK) {
                sqlite3_free(sql);
                return db_sql_error(d, "chunks table");
        }
        while (sql && (rc = sqlite3_step(st)) == SQLITE_ROW) {
                char *more = sqlite3_mprintf("%s%s;\n", sql, (const char *)sqlite3_column_text(st, 0));
                sqlite3_free(sql);
                sql = more;
        }
        if (!sql)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        if (rc != SQLITE_DONE) {
                sqlite3_free(sql);
                return db_sql_error(d, "chunks table");
        }
        *ret = sql;
        return 0;
}

int db_side_start(struct db_side *s, const struct analysis *a, const struct db *d, long cpus)
{
        int r;

        *s = (struct db_side){ .a = a, .path = d->path };
        s->batch = db_side_batch_size(a->heap.nchunks);
        s->nbatches = (a->heap.nchunks + s->batch - 1) / s->batch;
        size_t ahead_chunks = MIN(MAX(a->heap.nchunks / 8, (size_t)SIDE_CHUNKS_MIN), (size_t)SIDE_CHUNKS_MAX);
        s->ahead_max = MAX(ahead_chunks / s->batch, (size_t)2);
        s->batches = calloc(MAX(s->nbatches, (size_t)1), sizeof(*s->batches));
        if (!s->batches)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->changed, NULL);

        /* One batch, or one CPU: the main thread writes them all. */
        if (cpus < 2 || s->nbatches < 2)
                return 0;
        if ((r = chunks_sql_read(d, &s->chunks_sql)) < 0)
                return r;
        r = pthread_create(&s->thread, NULL, side_main, s);
        if (r != 0) {
                /* Slower, not wrong: the main thread writes every batch. */
                log_warning("cannot start a thread to write the database's chunks, writing them on one: %s",
                            strerror(r));
                return 0;
        }
        s->running = true;
        return 0;
}

/* The main thread's copy of batch k, built by the side thread. */
static int batch_copy(struct db_side *s, size_t k, const struct db *d)
{
        char uri[96];
        int r;

        batch_uri(s, k, uri, sizeof(uri));
        _cleanup_(sqlite3_freep) char *attach = sqlite3_mprintf("ATTACH %Q AS side", uri);
        if (!attach)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        if ((r = db_sql_exec(d, attach, "attach a batch of chunks")) < 0)
                return r;
        /* d holds the batch's memory now; the side thread's connection can go. */
        sqlite3_close(s->batches[k].db);
        s->batches[k].db = NULL;
        /* The transfer optimization's plain form: a whole table into one of the same definition. */
        r = db_sql_exec(d, "INSERT INTO main.chunks SELECT * FROM side.chunks", "copy a batch of chunks");
        int q = db_sql_exec(d, "DETACH side", "detach a batch of chunks");
        return r < 0 ? r : q;
}

int db_side_write(struct db_side *s, const struct db *d, struct progress *progress, size_t progress_base)
{
        const size_t n = s->a->heap.nchunks;
        size_t copied = 0;
        int r;

        if (!s->running) {
                r = db_rows_chunks(d, s->a, 0, n, progress, progress_base);
                db_sql_writeback(d);
                return r;
        }
        for (size_t k = 0; k < s->nbatches; k++) {
                size_t from = k * s->batch, end = MIN(from + s->batch, n);

                pthread_mutex_lock(&s->lock);
                bool mine = s->next == k;
                if (mine)
                        s->next++;
                else
                        while (!s->batches[k].built)
                                pthread_cond_wait(&s->changed, &s->lock);
                pthread_mutex_unlock(&s->lock);

                if (mine)
                        r = db_rows_chunks(d, s->a, from, end, progress, progress_base);
                else if ((r = s->batches[k].result) == 0 && (r = batch_copy(s, k, d)) == 0) {
                        copied++;
                        /* refs, diff and every reader rely on a->heap.chunks[k] being id k + 1 */
                        if (sqlite3_last_insert_rowid(d->db) != (sqlite3_int64)end)
                                r = log_error_errno(EIO, "cannot write database '%s': chunk ids do not follow the walk",
                                                    d->path);
                }

                pthread_mutex_lock(&s->lock);
                s->done = k + 1;
                pthread_cond_broadcast(&s->changed);
                pthread_mutex_unlock(&s->lock);
                if (r < 0)
                        return r;
                if (progress)
                        progress_update(progress, progress_base + end);
                db_sql_writeback(d);
        }
        log_debug("database: %zu of %zu batches of chunks copied from the side thread, %zu written here", copied,
                  s->nbatches, s->nbatches - copied);
        return 0;
}

void db_side_close(struct db_side *s)
{
        if (!s->batches)
                return;
        pthread_mutex_lock(&s->lock);
        s->stop = true;
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        if (s->running) {
                pthread_join(s->thread, NULL);
                s->running = false;
        }
        for (size_t k = 0; k < s->nbatches; k++)
                if (s->batches[k].db)
                        sqlite3_close(s->batches[k].db);
        free(s->batches);
        s->batches = NULL;
        sqlite3_free(s->chunks_sql);
        s->chunks_sql = NULL;
        pthread_cond_destroy(&s->changed);
        pthread_mutex_destroy(&s->lock);
}
