/*
 * Opening a snapshot database for reading, the one way query, report and
 * diff do it: read-only (a query can never change a snapshot), with views
 * from the file treated as untrusted, and checked before use — a missing
 * file, a file that is not SQLite, a SQLite file that is not memsnap's and a
 * memsnap database of another schema version each get a message that names
 * the file and what is wrong with it, instead of SQLite's terse codes.
 */
#ifndef MEMSNAP_DB_OPEN_H
#define MEMSNAP_DB_OPEN_H

#include <sqlite3.h>

#include "common/cleanup.h"

DEFINE_POINTER_CLEANUP(sqlite3, sqlite3_close)
DEFINE_POINTER_CLEANUP(sqlite3_stmt, sqlite3_finalize)
#define _cleanup_sqlite3_ _cleanup_(sqlite3_closep)
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

/* How long to wait for a writer (an analyze still running) before giving up. */
#define DB_BUSY_TIMEOUT_MS 5000

/*
 * What every connection that reads snapshots gets: the schema is not
 * trusted, SQLite's defensive mode is on, and a writer still at work is
 * waited for (DB_BUSY_TIMEOUT_MS).
 */
void db_configure(sqlite3 *db);

/* Opens path read-only into *ret after db_check_file, configured; logs and returns -errno. */
int db_open_readonly(const char *path, sqlite3 **ret);

/*
 * Attaches path to db read-only as `schema` ("b"), checked as
 * db_open_readonly checks, and returns 0 or a logged -errno.
 */
int db_attach_readonly(sqlite3 *db, const char *path, const char *schema);

/*
 * The file-level checks: path exists, is a regular file, can be read, and
 * starts with SQLite's header.  Logs and returns -errno.
 */
int db_check_file(const char *path);

#endif
