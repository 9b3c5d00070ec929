/*
 * Implementation of db_side.h.  The side is a memdb database with a name
 * (SQLite shares those between the connections of one process), so the
 * main connection can ATTACH it once the thread is done; its memory goes
 * when its last connection closes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "analyze/analyze_sql.h"
#include "common/log.h"
#include "common/progress.h"
#include "db_rows.h"
#include "db_side.h"

/*
 * What inserting a row costs on the main thread, in nanoseconds on the
 * reference machine (bench/heap_time with MEMSNAP_DEBUG=1 prints them): a
 * chunk with its mem index, a ref with its two indexes.  Only their ratio
 * matters.
 */
#define COST_CHUNK_NS 1750
#define COST_REF_NS 1450

/*
 * The side's share is capped so that its memory stays modest: about 100
 * bytes a chunk (record and index entry), so at most 256 MiB.
 */
#define SIDE_CHUNKS_MAX (2560 * 1024)

size_t db_side_split(size_t nchunks, size_t nrefs, long cpus)
{
        if (cpus < 2)
                return nchunks;
        /*
         * Main inserts chunks [0, h) and the refs while the side inserts
         * chunks [h, n); then main copies the side's.  The copy waits for
         * both, so the best h has them finish together:
         *   CHUNK h + REF refs = CHUNK (n - h)   =>   h = n / 2 - REF refs / (2 CHUNK)
         * (a smaller h leaves main waiting, a larger one the side).
         */
        double h = (double)nchunks / 2 - (double)COST_REF_NS * (double)nrefs / (2.0 * COST_CHUNK_NS);
        if (h < 0)
                h = 0;
        if ((double)nchunks - h > SIDE_CHUNKS_MAX)
                h = (double)(nchunks - SIDE_CHUNKS_MAX);
        return h >= (double)nchunks ? nchunks : (size_t)h;
}

static int side_build(struct db_side *s)
{
        int r;

        /* memdb's default ceiling is 1 GiB; SIDE_CHUNKS_MAX keeps the side well under any. */
        sqlite3_int64 limit = INT64_MAX;
        sqlite3_file_control(s->d.db, "main", SQLITE_FCNTL_SIZE_LIMIT, &limit);
        if ((r = db_exec(&s->d, DB_SETTINGS, "side database settings")) < 0 ||
            (r = db_exec(&s->d, analyze_sql_schema, "side database schema")) < 0 ||
            (r = db_exec(&s->d, analyze_sql_indexes, "side database indexes")) < 0 ||
            (r = db_exec(&s->d, "BEGIN", "begin")) < 0 ||
            (r = db_rows_chunks(&s->d, s->a, s->chunks_from, s->a->nchunks, NULL, 0)) < 0)
                return r;
        return db_exec(&s->d, "COMMIT", "commit");
}

static void *side_main(void *arg)
{
        struct db_side *s = arg;
        struct timespec t0, t1, c0, c1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
        s->result = side_build(s);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
        log_debug("database: side thread: %zu chunks in %.0f ms (cpu %.0f ms)", s->a->nchunks - s->chunks_from,
                  timespec_diff_ms(&t0, &t1), timespec_diff_ms(&c0, &c1));
        return NULL;
}

int db_side_start(struct db_side *s, const struct analysis *a, const char *path, size_t chunks_from)
{
        *s = (struct db_side){ .a = a, .chunks_from = chunks_from, .d = { .path = path } };
        snprintf(s->uri, sizeof(s->uri), "file:/memsnap-side-%d-%p?vfs=memdb", (int)getpid(), (void *)s);
        if (sqlite3_open_v2(s->uri, &s->d.db,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL) != SQLITE_OK) {
                int r = log_error_errno(EIO, "cannot write database '%s': cannot open an in-memory database: %s",
                                        path, s->d.db ? sqlite3_errmsg(s->d.db) : "out of memory");
                db_side_close(s);
                return r;
        }
        int r = pthread_create(&s->thread, NULL, side_main, s);
        if (r != 0) {
                db_side_close(s);
                return log_error_errno(r, "cannot write database '%s': cannot start a thread: %m", path);
        }
        s->running = true;
        return 0;
}

static int side_join(struct db_side *s)
{
        if (s->running) {
                pthread_join(s->thread, NULL);
                s->running = false;
        }
        return s->result;
}

int db_side_copy(struct db_side *s, const struct db *d)
{
        struct timespec t0, t1;
        int r = side_join(s);
        if (r < 0)
                return r;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        _cleanup_(sqlite3_freep) char *attach = sqlite3_mprintf("ATTACH %Q AS side", s->uri);
        if (!attach)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        if ((r = db_exec(d, attach, "attach the side database")) < 0)
                return r;
        /* The transfer optimization's plain form: a whole table into one of the same definition. */
        r = db_exec(d, "INSERT INTO main.chunks SELECT * FROM side.chunks", "copy the side database's chunks");
        int q = db_exec(d, "DETACH side", "detach the side database");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        log_debug("database: copied %zu chunks from the side in %.0f ms", s->a->nchunks - s->chunks_from,
                  timespec_diff_ms(&t0, &t1));
        return r < 0 ? r : q;
}

void db_side_close(struct db_side *s)
{
        /*
         * After a failure of the main thread, the side finishes its rows
         * (a second or two) rather than be interrupted into a message of
         * its own about a failure that is not the one to report.
         */
        side_join(s);
        if (s->d.db)
                sqlite3_close(s->d.db);
        s->d.db = NULL;
}
