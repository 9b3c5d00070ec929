/*
 * Opening a snapshot database for reading, the one way query, report and
 * diff do it.  A database is untrusted input (it may come from another
 * machine, a CI artifact, a crafted file), so:
 *
 *  - the file is checked before SQLite sees it: a regular file (a FIFO or a
 *    device would block the open), SQLite's header, not a core; a missing
 *    file, a file that is not SQLite, a SQLite file that is not memsnap's
 *    and a memsnap database of another schema version each get a message
 *    that names the file and what is wrong with it;
 *  - SQLite opens it read-only, in defensive mode, with its schema
 *    untrusted, no extension loading and no fts3 tokenizer pointers;
 *  - an authorizer lets statements read and nothing else (db_guard), and
 *    attach another regular SQLite file (read-only too) to compare two;
 *  - a progress limit stops a statement that would run forever (an endless
 *    view): db_guard.max_steps steps of SQLite's virtual machine.
 *
 * A database in WAL mode whose folder cannot take the -wal and -shm files
 * SQLite needs is read as an immutable file when it has no WAL content
 * (the file alone is the database then), and refused with a message that
 * says so when it has.
 */
#ifndef MEMSNAP_DB_OPEN_H
#define MEMSNAP_DB_OPEN_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/cleanup.h"
#include "common/options.h"

DEFINE_POINTER_CLEANUP(sqlite3, sqlite3_close)
DEFINE_POINTER_CLEANUP(sqlite3_stmt, sqlite3_finalize)
#define _cleanup_sqlite3_ _cleanup_(sqlite3_closep)
#define _cleanup_stmt_ _cleanup_(sqlite3_finalizep)

/* How long to wait for a writer (an analyze still running) before giving up. */
#define DB_BUSY_TIMEOUT_MS 5000

/*
 * Steps of SQLite's virtual machine one connection may run.  The summary
 * report, the costliest, takes under 10^9 steps on a snapshot of 2.9
 * million chunks (bench/diff's databases), so 10^10 leaves room for about
 * 25 million; an endless view reaches it in about two minutes on the
 * 2-core reference machine.  A count of steps, not a time, so a loaded
 * machine gives the same answer.
 */
#define DB_MAX_STEPS_DEFAULT 10000000000ull

/* The progress handler runs every this many steps. */
#define DB_PROGRESS_PERIOD 10000

/*
 * What guards one connection; the caller owns it and keeps it for as long
 * as the connection lives.  Initialise with DB_GUARD_INIT.
 */
struct db_guard {
        uint64_t max_steps;   /* virtual machine steps allowed; 0: no limit */
        uint64_t steps;       /* run so far, in DB_PROGRESS_PERIOD units */
        bool stopped;         /* the limit ended a statement (SQLITE_INTERRUPT) */
        char refused[200];    /* why the authorizer refused a statement, "" if it did not; the first
                                 reason is kept: callers give up on the first refusal */
        char message[400];    /* db_open_errmsg's answer */
};

#define DB_GUARD_INIT { .max_steps = DB_MAX_STEPS_DEFAULT }

/*
 * The --max-steps row of a command's option table (common/options.h), var
 * a uint64_t holding DB_MAX_STEPS_DEFAULT; more is text the command adds
 * to its help ("" for none).
 */
#define DB_MAX_STEPS_OPTION(var, more)                                                                  \
        OPTION_UNSIGNED(0, "max-steps", "N", var, 0, UINT64_MAX,                                        \
                        "stop after N steps of SQLite's virtual machine (an endless view in a crafted " \
                        "file); default {default}, 0: no limit" more)

/*
 * Configures db for untrusted input (defensive mode, untrusted schema, no
 * extensions or fts3 tokenizers, the busy timeout) and installs g's
 * authorizer and progress limit.  Logs and returns -errno when SQLite
 * refuses a setting.
 */
int db_guard_install(sqlite3 *db, struct db_guard *g);

/*
 * Why the last statement on a guarded connection failed, in words fit for
 * a terminal: the authorizer's reason when it refused the statement, the
 * step limit when it stopped it, else SQLite's message (which may quote
 * names from the file) with control characters escaped.  Held in g.
 */
const char *db_open_errmsg(sqlite3 *db, struct db_guard *g);

/* -EPERM when the authorizer refused the last statement, -ETIME when the limit stopped it, else -EIO. */
int db_open_error_code(sqlite3 *db, const struct db_guard *g);

/* Opens path read-only into *ret after db_open_check_file, guarded by g; logs and returns -errno. */
int db_open_readonly(const char *path, struct db_guard *g, sqlite3 **ret);

/*
 * Attaches path to db read-only as `schema` ("b"), checked as
 * db_open_readonly checks, and returns 0 or a logged -errno.  Call it
 * before db_guard_install: the guard's authorizer would check the file
 * again, less thoroughly.
 */
int db_open_attach_readonly(sqlite3 *db, const char *path, const char *schema);

/*
 * The file-level checks: path exists, is a regular file (checked without
 * blocking on a FIFO), can be read, and starts with SQLite's header.  Logs
 * and returns -errno.
 */
int db_open_check_file(const char *path);

#endif
