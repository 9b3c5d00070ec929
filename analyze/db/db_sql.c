/* Implementation of db_sql.h. */
#include <errno.h>
#include <fcntl.h>

#include "common/log.h"
#include "db_sql.h"

int db_sql_error(const struct db *d, const char *what)
{
        return log_error_errno(EIO, "cannot write database '%s': %s: %s", d->path, what, sqlite3_errmsg(d->db));
}

int db_sql_exec(const struct db *d, const char *sql, const char *what)
{
        char *err = NULL;
        if (sqlite3_exec(d->db, sql, NULL, NULL, &err) != SQLITE_OK) {
                int r = log_error_errno(EIO, "cannot write database '%s': %s: %s", d->path, what,
                                        err ? err : sqlite3_errmsg(d->db));
                sqlite3_free(err);
                return r;
        }
        return 0;
}

int db_sql_prepare(const struct db *d, const char *sql, sqlite3_stmt **st)
{
        if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
                return db_sql_error(d, sql);
        return 0;
}

int db_sql_step_reset(const struct db *d, sqlite3_stmt *st, const char *what)
{
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE)
                return db_sql_error(d, what);
        return 0;
}

int db_sql_run(const struct db *d, const char *sql, const char *what)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
                return db_sql_error(d, what);
        if (sqlite3_step(st) != SQLITE_DONE)
                return db_sql_error(d, what);
        return 0;
}

void db_sql_writeback(const struct db *d)
{
        /*
         * The kernel would write these pages by itself only after 30 s or
         * gigabytes of them; SYNC_FILE_RANGE_WRITE queues them now.  Where
         * the file system cannot, the fsync still does it all.
         */
        if (d->fd >= 0)
                (void)sync_file_range(d->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}
