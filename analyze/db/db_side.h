/*
 * The chunks table, written by two threads.  Only one connection can write
 * the database file, and building rows (SQLite's per-row work: evaluating
 * fifteen columns, encoding the record, the mem index entry) costs about
 * twice what copying finished rows does.  So the chunks are cut into
 * batches of consecutive ids; a side thread builds batches, each into an
 * in-memory database of the same table definition, while the main thread
 * writes the refs; then the main thread takes the batches in id order and
 * copies each into the file with `INSERT INTO chunks SELECT * FROM
 * side.chunks`, SQLite's transfer optimization (records and index entries
 * copied in order, never decoded and encoded again).  A batch the side
 * thread has not started when the main thread gets to it, the main thread
 * writes itself: the two share the work however the machine schedules
 * them, and on one CPU there is no side thread at all.
 */
#ifndef MEMSNAP_DB_SIDE_H
#define MEMSNAP_DB_SIDE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "analyze/analysis.h"
#include "db_sql.h"

struct progress;

/* One batch: chunks [k * batch, min((k + 1) * batch, nchunks)). */
struct db_side_batch {
        sqlite3 *db; /* its in-memory database, once built by the side thread, until copied */
        int result;  /* the side thread's: 0, or -errno (logged) */
        bool built;  /* the side thread is done with it: db or result is set */
};

struct db_side {
        const struct analysis *a;     /* read only, by both threads */
        const char *path;             /* the final database's name, for messages */
        char *chunks_sql;             /* CREATE TABLE chunks and its indexes, as the file has them */
        size_t batch;                 /* chunks per batch */
        size_t nbatches;
        struct db_side_batch *batches;
        size_t ahead_max;             /* batches built and not yet copied, at most (memory) */
        /* under lock: */
        size_t next;                  /* the first batch no thread has claimed */
        size_t done;                  /* batches the main thread is done with */
        bool stop;                    /* the main thread is giving up: claim nothing more */
        pthread_mutex_t lock;
        pthread_cond_t changed;       /* a batch built, one done, or stop */
        pthread_t thread;
        bool running;                 /* thread started and not joined */
};

/* Chunks per batch for n chunks: a few batches for small heaps, at most 64 Ki a batch for big ones. */
size_t db_side_batch_size(size_t n);

/*
 * Cuts a->heap.chunks into batches and, with two CPUs or more and two batches
 * or more, starts the side thread building them.  d is the database file,
 * already holding the schema; its chunks table must stay empty until
 * db_side_write.  On failure (logged) no thread runs, and db_side_close
 * is still to be called.
 */
int db_side_start(struct db_side *s, const struct analysis *a, const struct db *d, long cpus);

/*
 * Appends every chunk to d's chunks table, batch by batch in id order
 * (ids k + 1 for a->heap.chunks[k]), copying what the side thread built and
 * writing the rest; progress, when set, goes from progress_base up by the
 * chunks written.  Runs outside any transaction of d: each batch is a
 * statement of its own, and a built batch is attached to be copied.
 */
int db_side_write(struct db_side *s, const struct db *d, struct progress *progress, size_t progress_base);

/* Stops the side thread after the batch it is building, waits for it, and frees every batch. */
void db_side_close(struct db_side *s);

#endif
