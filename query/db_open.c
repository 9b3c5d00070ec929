/*
 * Implementation of db_open.h: stat and sniff the file first, so the common
 * mistakes (a typo, a core file given for a database, an old database) are
 * named plainly; then open read-only and compare the schema version.
 */
#include "db_open.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze/db_schema.h"
#include "common/io.h"
#include "common/log.h"

/* sqlite.org/fileformat.html: every database file starts with these 16 bytes */
static const char sqlite_magic[16] = "SQLite format 3";

int db_check_file(const char *path)
{
        struct stat st;
        char head[16];

        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return log_error_errno(errno, "cannot open database '%s': %m", path);
        if (fstat(fd, &st) < 0)
                return log_error_errno(errno, "cannot open database '%s': %m", path);
        if (S_ISDIR(st.st_mode))
                return log_error_errno(EISDIR, "cannot open database '%s': %m", path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(EINVAL, "cannot open database '%s': not a regular file", path);
        if (st.st_size == 0)
                return log_error_errno(EINVAL, "'%s' is empty, not a memsnap database", path);

        ssize_t n = pread_full(fd, head, sizeof(head), 0);
        if (n < 0)
                return log_error_errno((int)n, "cannot read database '%s': %m", path);
        if ((size_t)n >= 4 && memcmp(head, "\177ELF", 4) == 0)
                return log_error_errno(EINVAL, "'%s' is an ELF file (a core?), not a database; "
                                       "make one with 'memsnap analyze %s -o FILE.db'", path, path);
        if ((size_t)n < sizeof(head) || memcmp(head, sqlite_magic, sizeof(head)) != 0)
                return log_error_errno(EINVAL, "'%s' is not a SQLite database; memsnap databases are "
                                       "made by 'memsnap analyze'", path);
        return 0;
}

/* One integer from a statement without parameters; -1 and a message on failure. */
static int query_int(sqlite3 *db, const char *sql, const char *path, long long *out)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (r == SQLITE_OK)
                r = sqlite3_step(st);
        if (r != SQLITE_ROW)
                return log_error_errno(EIO, "cannot read database '%s': %s", path, sqlite3_errmsg(db));
        *out = sqlite3_column_int64(st, 0);
        return 0;
}

/*
 * The schema-level checks on an open database (schema "main" or an attached
 * name): it is a memsnap database ("snapshot" and "chunks" tables) of
 * version DB_SCHEMA_VERSION.  `path` names it in messages.
 */
static int db_check_schema(sqlite3 *db, const char *schema, const char *path)
{
        char sql[512];
        long long version, tables, marked = 0;
        int r;

        /* schema is always a name of ours ("main", "b"), never user input */
        snprintf(sql, sizeof(sql), "PRAGMA \"%s\".user_version", schema);
        r = query_int(db, sql, path, &version);
        if (r < 0)
                return r;
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM \"%s\".sqlite_schema WHERE type = 'table' AND name IN ('snapshot', 'chunks')",
                 schema);
        r = query_int(db, sql, path, &tables);
        if (r < 0)
                return r;
        /* every memsnap database, of any version, says so in its meta table */
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM \"%1$s\".sqlite_schema WHERE type = 'table' AND name = 'meta'", schema);
        r = query_int(db, sql, path, &marked);
        if (r < 0)
                return r;
        if (marked) {
                snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\".meta WHERE key = 'memsnap_version'", schema);
                if (query_int(db, sql, path, &marked) < 0)
                        marked = 0;
        }

        if (tables < 2 && !marked)
                return log_error_errno(EINVAL, "'%s' is a SQLite database but not a memsnap database "
                                       "(it has no snapshot and chunks tables)", path);
        if (version != DB_SCHEMA_VERSION)
                return log_error_errno(EPROTO, "database '%s' has schema version %lld; this memsnap reads "
                                       "version %d (%s)", path, version, DB_SCHEMA_VERSION,
                                       version < DB_SCHEMA_VERSION
                                               ? "run this memsnap's 'analyze' on the core again"
                                               : "it was written by a newer memsnap");
        if (tables < 2)
                return log_error_errno(EINVAL, "database '%s' lacks the snapshot or chunks table: it is damaged",
                                       path);
        return 0;
}

/*
 * A path SQLite must not read as a URI: with URI filenames enabled at build
 * time, "file:x.db" would be parsed, so such names get a "./" in front.
 */
static char *plain_path(const char *path)
{
        char *p;
        if (strncmp(path, "file:", 5) == 0) {
                if (asprintf(&p, "./%s", path) < 0)
                        return NULL;
                return p;
        }
        return strdup(path);
}

/* db_check_file, then the name to give SQLite; logs and returns -errno. */
static int checked_path(const char *path, char **ret)
{
        int r = db_check_file(path);
        if (r < 0)
                return r;
        *ret = plain_path(path);
        if (!*ret)
                return log_error_errno(ENOMEM, "cannot open database '%s': %m", path);
        return 0;
}

void db_configure(sqlite3 *db)
{
        /*
         * A database is input someone may have crafted: its views and
         * triggers get no functions with side effects, and the file format
         * is treated as possibly corrupt (SQLite's "defensive" mode).
         */
        sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
        sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
        sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
}

int db_open_readonly(const char *path, sqlite3 **ret)
{
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        _cleanup_free_ char *p = NULL;
        int r;

        r = checked_path(path, &p);
        if (r < 0)
                return r;
        r = sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
        if (r != SQLITE_OK)
                return log_error_errno(EIO, "cannot open database '%s': %s", path,
                                       db ? sqlite3_errmsg(db) : sqlite3_errstr(r));
        db_configure(db);

        r = db_check_schema(db, "main", path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

int db_attach_readonly(sqlite3 *db, const char *path, const char *schema)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *p = NULL;
        char sql[64];
        int r;

        r = checked_path(path, &p);
        if (r < 0)
                return r;
        /* attached files inherit the connection's read-only flag */
        snprintf(sql, sizeof(sql), "ATTACH DATABASE ?1 AS \"%s\"", schema);
        r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (r == SQLITE_OK)
                r = sqlite3_bind_text(st, 1, p, -1, SQLITE_TRANSIENT);
        if (r == SQLITE_OK)
                r = sqlite3_step(st);
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot open database '%s': %s", path, sqlite3_errmsg(db));
        return db_check_schema(db, schema, path);
}
