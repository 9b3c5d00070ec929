/*
 * Row sources: a C array shown to SQLite as a read-only, eponymous virtual
 * table, so that a million rows go into a table with one
 * `INSERT INTO t SELECT ... FROM source` instead of a million
 * bind/step/reset rounds through the API.  SQLite's own bytecode loop then
 * calls back for each column of each row, which costs a fraction of a
 * prepared statement's per-row setup and teardown.
 */
#ifndef MEMSNAP_DB_SOURCE_H
#define MEMSNAP_DB_SOURCE_H

#include <sqlite3.h>
#include <stddef.h>

struct progress;

struct db_source {
        const char *name;     /* the table's name in SQL: "chunk_source" */
        const char *columns;  /* its column list: "address, size, state" */
        size_t first, end;    /* the rows it shows: [first, end) of the array; rowid = row + 1 */
        /* Sets column col (0-based, in `columns` order) of row row as the result of ctx. */
        void (*column)(void *data, size_t row, int col, sqlite3_context *ctx);
        void *data;           /* what column reads: the array and what it needs besides */
        struct progress *progress; /* updated with progress_base + row as rows are read, or NULL */
        size_t progress_base;
        sqlite3 *db;          /* where it is registered; set by db_source_register */
};

/*
 * Makes src readable as the table src->name on db until
 * db_source_unregister; SQLite reads first, end and progress when a
 * statement starts reading.  Returns 0 or -EIO (logged, naming path).
 */
int db_source_register(sqlite3 *db, const char *path, struct db_source *src);

/* Takes the table away again (after the statements reading it are finalized); a no-op when not registered. */
void db_source_unregister(struct db_source *src);

#endif
