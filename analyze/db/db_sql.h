/*
 * Running SQL on a database analyze is writing, with failures logged once
 * and naming the database by its final name (the file being written is a
 * temporary whose name means nothing to the user).
 */
#ifndef MEMSNAP_DB_SQL_H
#define MEMSNAP_DB_SQL_H

#include <sqlite3.h>
#include <stdint.h>

#include "common/cleanup.h"

/*
 * How analyze writes, on every connection: a throwaway file (one that
 * fails midway is deleted, never repaired) needs no journal and no syncs
 * but the one before the rename; large pages mean fewer page splits,
 * cache entries and writes per row.
 */
#define DB_SETTINGS                                                                                         \
        "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"                    \
        " PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;"

struct db {
        sqlite3 *db;
        const char *path; /* for messages: the final name */
        int fd;           /* the file, for db_sql_writeback; -1 for an in-memory database */
};

DEFINE_POINTER_CLEANUP(sqlite3, sqlite3_close)
DEFINE_POINTER_CLEANUP(sqlite3_stmt, sqlite3_finalize)
DEFINE_POINTER_CLEANUP(char, sqlite3_free)

/* Logs "cannot write database 'PATH': WHAT: sqlite's message"; returns -EIO. */
int db_sql_error(const struct db *d, const char *what);

/* Runs every statement of sql; what names the job in a failure's message. */
int db_sql_exec(const struct db *d, const char *sql, const char *what);

/* A statement prepared to run many times (SQLITE_PREPARE_PERSISTENT). */
int db_sql_prepare(const struct db *d, const char *sql, sqlite3_stmt **st);

/* Runs st to completion and makes it ready to run again with new bindings. */
int db_sql_step_reset(const struct db *d, sqlite3_stmt *st, const char *what);

/* Runs a statement that writes, once. */
int db_sql_run(const struct db *d, const char *sql, const char *what);

/*
 * Starts writing to disk what SQLite has handed the kernel so far, without
 * waiting: the fsync before the rename then finds most of the file already
 * written, instead of all of it at once.  Advisory, so it never fails.
 */
void db_sql_writeback(const struct db *d);

/* Binders that map "unknown" (NULL pointer, negative figure, NO_ID) to SQL NULL. */
static inline void db_sql_bind_text(sqlite3_stmt *st, int i, const char *s)
{
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, i);
}

static inline void db_sql_bind_u64(sqlite3_stmt *st, int i, uint64_t v) { sqlite3_bind_int64(st, i, (sqlite3_int64)v); }

static inline void db_sql_bind_known(sqlite3_stmt *st, int i, int64_t v)
{
        if (v >= 0)
                sqlite3_bind_int64(st, i, v);
        else
                sqlite3_bind_null(st, i);
}

static inline void db_sql_bind_id(sqlite3_stmt *st, int i, int index)
{
        if (index >= 0)
                sqlite3_bind_int64(st, i, (sqlite3_int64)index + 1);
        else
                sqlite3_bind_null(st, i);
}


#endif
