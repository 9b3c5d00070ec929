/*
 * The side database: while the main thread writes the first chunks and
 * the refs into the database file, a second thread writes the other chunks
 * into an in-memory database of the same schema; the main connection then
 * attaches it and copies the table over whole.  `INSERT INTO chunks SELECT
 * * FROM side.chunks` between tables of one definition is SQLite's transfer
 * optimization: records and index entries are copied in order, never
 * decoded and encoded again, for about 60% of what inserting them cost.
 * So two cores build the one file.
 */
#ifndef MEMSNAP_DB_SIDE_H
#define MEMSNAP_DB_SIDE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "analysis.h"
#include "db_sql.h"

struct db_side {
        const struct analysis *a; /* read only, by both threads */
        size_t chunks_from;       /* a->chunks[chunks_from..] are the side's */
        char uri[96];             /* "file:/memsnap-side-PID-ADDR?vfs=memdb": in memory, shared in-process by name */
        struct db d;              /* its connection; .path is the final database's name, for messages */
        pthread_t thread;
        bool running;             /* thread started and not joined */
        int result;               /* the thread's: 0 or -errno (logged) */
};

/*
 * Where the side's chunks should start so that both threads finish their
 * inserts together: nchunks when there is no second CPU to run it on.
 */
size_t db_side_split(size_t nchunks, size_t nrefs, long cpus);

/*
 * Opens the side database and starts the thread that fills it with
 * a->chunks[chunks_from..].  path is the final database's name, for
 * messages.  On failure (logged) nothing runs and db_side_close is a no-op.
 */
int db_side_start(struct db_side *s, const struct analysis *a, const char *path, size_t chunks_from);

/*
 * Waits for the thread, then appends its chunks to d's chunks table,
 * which must hold exactly the chunks before chunks_from.  Runs outside any
 * transaction of d (it attaches the side database).
 */
int db_side_copy(struct db_side *s, const struct db *d);

/* Waits for the thread if it still runs, and frees the side database. */
void db_side_close(struct db_side *s);

#endif
