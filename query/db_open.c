/*
 * Implementation of db_open.h: look at the file first (without blocking,
 * so a FIFO is named rather than waited on), so the common mistakes (a
 * typo, a core file given for a database, an old database) are named
 * plainly; then open read-only, guard the connection, and compare the
 * schema versions.
 */
#include "db_open.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/io.h"
#include "common/log.h"
#include "common/text_escape.h"
#include "schema/schema_version.h"

/* sqlite.org/fileformat.html: every database file starts with these 16 bytes */
static const char sqlite_magic[16] = "SQLite format 3";
/* sqlite.org/fileformat.html: header bytes 18 and 19, the write and read versions; 2 is WAL */
#define HEADER_WRITE_VERSION 18
#define HEADER_READ_VERSION 19
#define HEADER_WAL 2
/* sqlite.org/fileformat.html: a WAL file's header, and each frame's; a shorter file holds no frame */
#define WAL_HEADER_SIZE 32
#define WAL_FRAME_HEADER_SIZE 24

/* What db_file_open learnt about a database file; fd stays open to pin it. */
struct db_file {
        int fd;
        struct stat st;
        bool wal;          /* the header says WAL mode */
};

static const char *file_type(mode_t m)
{
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISCHR(m))
                return "a character device";
        if (S_ISBLK(m))
                return "a block device";
        if (S_ISSOCK(m))
                return "a socket";
        if (S_ISLNK(m))
                return "a symbolic link";
        return "not a regular file";
}

static int db_file_open(const char *path, struct db_file *f)
{
        unsigned char head[100];

        /* O_NONBLOCK: opening a FIFO without a writer would wait forever */
        f->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (f->fd < 0)
                return log_error_errno(errno, "cannot open database '%s': %m", path);
        if (fstat(f->fd, &f->st) < 0)
                return log_error_errno(errno, "cannot open database '%s': %m", path);
        if (S_ISDIR(f->st.st_mode))
                return log_error_errno(EISDIR, "cannot open database '%s': %m", path);
        if (!S_ISREG(f->st.st_mode))
                return log_error_errno(EINVAL, "cannot open database '%s': it is %s, not a regular file", path,
                                       file_type(f->st.st_mode));
        if (f->st.st_size == 0)
                return log_error_errno(EINVAL, "'%s' is empty, not a memsnap database", path);

        ssize_t n = io_pread_full(f->fd, head, sizeof(head), 0);
        if (n < 0)
                return log_error_errno((int)n, "cannot read database '%s': %m", path);
        if ((size_t)n >= 4 && memcmp(head, "\177ELF", 4) == 0)
                return log_error_errno(EINVAL, "'%s' is an ELF file (a core?), not a database; "
                                       "make one with 'memsnap analyze %s -o FILE.db'", path, path);
        if ((size_t)n < sizeof(sqlite_magic) || memcmp(head, sqlite_magic, sizeof(sqlite_magic)) != 0)
                return log_error_errno(EINVAL, "'%s' is not a SQLite database; memsnap databases are "
                                       "made by 'memsnap analyze'", path);
        f->wal = (size_t)n > HEADER_READ_VERSION && head[HEADER_WRITE_VERSION] == HEADER_WAL &&
                 head[HEADER_READ_VERSION] == HEADER_WAL;
        return 0;
}

int db_open_check_file(const char *path)
{
        struct db_file f = { .fd = -1 };
        int r = db_file_open(path, &f);
        if (f.fd >= 0)
                close(f.fd);
        return r;
}

/*
 * SQLite opens the path again after db_file_open looked at it: the path
 * must still name the file looked at, or what SQLite read is unchecked.
 */
static int db_file_same(const char *path, const struct db_file *f)
{
        struct stat now;
        if (stat(path, &now) < 0)
                return log_error_errno(errno, "cannot open database '%s': %m", path);
        if (now.st_dev != f->st.st_dev || now.st_ino != f->st.st_ino)
                return log_error_errno(EAGAIN, "database '%s' was replaced while it was being opened", path);
        return 0;
}

/*
 * The functions a statement may call: SQLite's own core, date, JSON, math
 * and window functions, none of which has an effect outside the statement
 * or hands out a pointer.  Left out on purpose: fts3_tokenizer (sets or
 * reads a C function pointer table: a crash or a leaked heap address),
 * load_extension, fts5 (hands out an API pointer), the rtree and fts
 * debugging functions, sqlite_log and whatever a later SQLite adds.
 * Sorted (strcmp): looked up by bsearch.
 */
static const char *const allowed_functions[] = {
        "->", "->>", "abs", "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "avg", "ceil",
        "ceiling", "changes", "char", "coalesce", "concat", "concat_ws", "cos", "cosh", "count", "cume_dist",
        "current_date", "current_time", "current_timestamp", "date", "datetime", "degrees", "dense_rank", "exp",
        "first_value", "floor", "format", "glob", "group_concat", "hex", "ifnull", "iif", "instr", "json",
        "json_array", "json_array_length", "json_extract", "json_group_array", "json_group_object",
        "json_insert", "json_object", "json_patch", "json_quote", "json_remove", "json_replace", "json_set",
        "json_type", "json_valid", "julianday", "lag", "last_insert_rowid", "last_value", "lead", "length",
        "like", "likelihood", "likely", "ln", "log", "log10", "log2", "lower", "ltrim", "max", "min", "mod",
        "nth_value", "ntile", "nullif", "octet_length", "percent_rank", "pi", "pow", "power", "printf", "quote",
        "radians", "random", "randomblob", "rank", "replace", "round", "row_number", "rtrim", "sign", "sin",
        "sinh", "soundex", "sqlite_compileoption_get", "sqlite_compileoption_used", "sqlite_source_id",
        "sqlite_version", "sqrt", "strftime", "string_agg", "substr", "substring", "sum", "tan", "tanh", "time",
        "timediff", "total", "total_changes", "trim", "trunc", "typeof", "unhex", "unicode", "unixepoch",
        "unlikely", "upper", "zeroblob",
};

/*
 * Pragmas that only read: without an argument (with one, user_version,
 * page_size and their like would set) ...
 */
static const char *const allowed_pragmas[] = {
        "application_id", "collation_list", "compile_options", "data_version", "database_list", "encoding",
        "freelist_count", "function_list", "module_list", "page_count", "page_size", "pragma_list",
        "schema_version", "table_list", "user_version",
};

/* ... and those whose argument names a table or an index. */
static const char *const allowed_pragmas_on_name[] = {
        "foreign_key_list", "index_info", "index_list", "index_xinfo", "table_info", "table_list", "table_xinfo",
};

static int name_cmp(const void *key, const void *elem)
{
        return strcasecmp(key, *(const char *const *)elem);
}

static bool listed(const char *name, const char *const *list, size_t n)
{
        return name && bsearch(name, list, n, sizeof(*list), name_cmp);
}

/*
 * Whether ATTACH may open name: a plain path (not a URI, not ":memory:",
 * not an expression, which the authorizer sees as NULL) of a regular file
 * that starts with SQLite's header, looked at without blocking on a FIFO.
 */
static bool attach_allowed(const char *name)
{
        char head[sizeof(sqlite_magic)];
        struct stat st;

        if (!name || !name[0] || strncmp(name, "file:", 5) == 0 || strcmp(name, ":memory:") == 0)
                return false;
        _cleanup_close_ int fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return false;
        return io_pread_full(fd, head, sizeof(head), 0) == (ssize_t)sizeof(head) &&
               memcmp(head, sqlite_magic, sizeof(head)) == 0;
}

/* What a refused action does, for the message. */
static const char *action_name(int action)
{
        switch (action) {
        case SQLITE_INSERT: return "inserts into";
        case SQLITE_UPDATE: return "updates";
        case SQLITE_DELETE: return "deletes from";
        case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_VIEW:
        case SQLITE_CREATE_TEMP_INDEX: case SQLITE_CREATE_TEMP_TABLE: case SQLITE_CREATE_TEMP_TRIGGER:
        case SQLITE_CREATE_TEMP_VIEW: case SQLITE_CREATE_VTABLE:
                return "creates";
        case SQLITE_DROP_INDEX: case SQLITE_DROP_TABLE: case SQLITE_DROP_TRIGGER: case SQLITE_DROP_VIEW:
        case SQLITE_DROP_TEMP_INDEX: case SQLITE_DROP_TEMP_TABLE: case SQLITE_DROP_TEMP_TRIGGER:
        case SQLITE_DROP_TEMP_VIEW: case SQLITE_DROP_VTABLE:
                return "drops";
        case SQLITE_ALTER_TABLE: return "alters";
        case SQLITE_REINDEX: return "reindexes";
        case SQLITE_ANALYZE: return "analyzes";
        case SQLITE_ATTACH: return "attaches";
        case SQLITE_DETACH: return "detaches";
        case SQLITE_SAVEPOINT: return "sets a savepoint";
        default: return "does more than read";
        }
}

/*
 * The authorizer (sqlite.org/c3ref/set_authorizer.html): called while a
 * statement is prepared, for every action in it, views it reads included
 * (`inner` names the view or trigger).  Reading, recursive CTEs and
 * transactions of reads pass; functions and pragmas from the lists above
 * pass; ATTACH of a regular SQLite file passes; anything else is refused, and the first reason kept for
 * db_open_errmsg.
 */
static int authorize(void *arg, int action, const char *a3, const char *a4, const char *schema, const char *inner)
{
        struct db_guard *g = arg;
        char why[160];

        switch (action) {
        case SQLITE_SELECT:
        case SQLITE_READ:
        case SQLITE_RECURSIVE:
        case SQLITE_TRANSACTION:
                return SQLITE_OK;
        case SQLITE_UPDATE:
                /*
                 * The first use of an eponymous virtual table (json_each,
                 * pragma_table_info) asks for sqlite_master's columns as an
                 * UPDATE; nothing is written.  A real UPDATE of the schema
                 * still fails: the connection is read-only and defensive,
                 * and sql_script refuses statements that are not read-only.
                 */
                if (a3 && strcmp(a3, "sqlite_master") == 0 && schema && strcmp(schema, "main") == 0 && !inner)
                        return SQLITE_OK;
                snprintf(why, sizeof(why), "it %s%s%s%s", action_name(action), a3 ? " '" : "", a3 ? a3 : "",
                         a3 ? "'" : "");
                break;
        case SQLITE_DETACH:
                return SQLITE_OK;
        case SQLITE_ATTACH:
                /* another snapshot, to compare two in one query; read-only as the connection is */
                if (attach_allowed(a3))
                        return SQLITE_OK;
                snprintf(why, sizeof(why), "it attaches %s%s%s, which is not the plain path of a regular SQLite file",
                         a3 ? "'" : "an expression", a3 ? a3 : "", a3 ? "'" : "");
                break;
        case SQLITE_FUNCTION:
                if (listed(a4, allowed_functions, ELEMENTSOF(allowed_functions)))
                        return SQLITE_OK;
                snprintf(why, sizeof(why), "it calls %s(), which is not among the functions that only compute "
                         "a value (docs/memsnap.md)", a4 ? a4 : "?");
                break;
        case SQLITE_PRAGMA:
                if ((!a4 && listed(a3, allowed_pragmas, ELEMENTSOF(allowed_pragmas))) ||
                    listed(a3, allowed_pragmas_on_name, ELEMENTSOF(allowed_pragmas_on_name)))
                        return SQLITE_OK;
                snprintf(why, sizeof(why), "PRAGMA %s%s%s is not among the pragmas that only read "
                         "(docs/memsnap.md)", a3 ? a3 : "?", a4 ? " = " : "", a4 ? a4 : "");
                break;
        default:
                if (a3 && (strcmp(a3, "sqlite_master") == 0 || strcmp(a3, "sqlite_temp_master") == 0))
                        snprintf(why, sizeof(why), "it changes the schema");
                else if (a3 && action != SQLITE_ATTACH)
                        snprintf(why, sizeof(why), "it %s '%s'", action_name(action), a3);
                else
                        snprintf(why, sizeof(why), "it %s", action_name(action));
                break;
        }
        if (!g->refused[0]) {
                _cleanup_free_ char *shown = text_escape_display(why);
                _cleanup_free_ char *in = inner ? text_escape_display(inner) : NULL;
                snprintf(g->refused, sizeof(g->refused), "%s%s%s%s", shown ? shown : "it does more than read",
                         in ? " (in '" : "", in ? in : "", in ? "')" : "");
        }
        return SQLITE_DENY;
}

/* Every DB_PROGRESS_PERIOD steps; nonzero ends the statement with SQLITE_INTERRUPT. */
static int progress(void *arg)
{
        struct db_guard *g = arg;

        g->steps++;
        if (g->max_steps && g->steps > g->max_steps / DB_PROGRESS_PERIOD) {
                g->stopped = true;
                return 1;
        }
        return 0;
}

/* One boolean setting of sqlite3_db_config, read back: a setting SQLite ignored is an error. */
static int db_config_bool(sqlite3 *db, int op, int want, const char *name)
{
        int now = -1;
        if (sqlite3_db_config(db, op, want, &now) != SQLITE_OK || now != want)
                return log_error_errno(ENOTSUP, "cannot open databases safely: SQLite %s refuses to set %s to %d",
                                       sqlite3_libversion(), name, want);
        return 0;
}

int db_guard_install(sqlite3 *db, struct db_guard *g)
{
        /*
         * A database is input someone may have crafted: its views and
         * triggers get no functions with side effects (trusted_schema off),
         * the file format is treated as possibly corrupt (defensive mode),
         * and neither extensions nor fts3 tokenizer pointers can be loaded.
         */
        static const struct {
                int op, value;
                const char *name;
        } settings[] = {
                { SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, "trusted_schema" },
                { SQLITE_DBCONFIG_DEFENSIVE, 1, "defensive" },
                { SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, "enable_fts3_tokenizer" },
                { SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, "enable_load_extension" },
                { SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0, "writable_schema" },
        };
        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                int r = db_config_bool(db, settings[i].op, settings[i].value, settings[i].name);
                if (r < 0)
                        return r;
        }
        sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
        if (sqlite3_set_authorizer(db, authorize, g) != SQLITE_OK)
                return log_error_errno(ENOTSUP, "cannot open databases safely: %s", sqlite3_errmsg(db));
        sqlite3_progress_handler(db, DB_PROGRESS_PERIOD, progress, g);
        return 0;
}

const char *db_open_errmsg(sqlite3 *db, struct db_guard *g)
{
        int code = sqlite3_errcode(db);

        /* a refused function call fails as SQLITE_ERROR, other refusals as SQLITE_AUTH */
        if (code != SQLITE_INTERRUPT && g->refused[0])
                snprintf(g->message, sizeof(g->message), "refused: %s", g->refused);
        else if (code == SQLITE_INTERRUPT && g->stopped)
                snprintf(g->message, sizeof(g->message),
                         "stopped after %" PRIu64 " steps of SQLite's virtual machine (an endless query or view?); "
                         "--max-steps N raises the limit, 0 lifts it", g->max_steps);
        else {
                _cleanup_free_ char *shown = text_escape_display(sqlite3_errmsg(db));
                snprintf(g->message, sizeof(g->message), "%s", shown ? shown : sqlite3_errstr(code));
        }
        return g->message;
}

int db_open_error_code(sqlite3 *db, const struct db_guard *g)
{
        int code = sqlite3_errcode(db);
        if (code != SQLITE_INTERRUPT && g->refused[0])
                return -EPERM;
        if (code == SQLITE_INTERRUPT && g->stopped)
                return -ETIME;
        return -EIO;
}

/* One integer from a statement without parameters; *found false when it gave no row. */
static int query_int(sqlite3 *db, const char *sql, const char *path, long long *out, bool *found)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        _cleanup_free_ char *msg = NULL;

        int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (r == SQLITE_OK)
                r = sqlite3_step(st);
        if (r == SQLITE_DONE && found) {
                *found = false;
                return 0;
        }
        if (r != SQLITE_ROW) {
                msg = text_escape_display(sqlite3_errmsg(db));
                return log_error_errno(EIO, "cannot read database '%s': %s", path, msg ? msg : "out of memory");
        }
        *out = sqlite3_column_int64(st, 0);
        if (found)
                *found = true;
        return 0;
}

/*
 * The schema-level checks on an open database (schema "main" or an attached
 * name): it is a memsnap database ("snapshot" and "chunks" tables) of
 * version SCHEMA_VERSION, in both places that say the version
 * (PRAGMA user_version and meta.schema_version).  `path` names it in
 * messages.
 */
static int db_check_schema(sqlite3 *db, const char *schema, const char *path)
{
        char sql[512];
        long long version, tables, marked = 0, meta_version = 0;
        bool has_meta_version = false;
        int r;

        /* schema is always a name of ours ("main", "b"), never user input */
        snprintf(sql, sizeof(sql), "PRAGMA \"%s\".user_version", schema);
        r = query_int(db, sql, path, &version, NULL);
        if (r < 0)
                return r;
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM \"%s\".sqlite_schema WHERE type = 'table' AND name IN ('snapshot', 'chunks')",
                 schema);
        r = query_int(db, sql, path, &tables, NULL);
        if (r < 0)
                return r;
        /* every memsnap database, of any version, says so in its meta table */
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM \"%1$s\".sqlite_schema WHERE type = 'table' AND name = 'meta'", schema);
        r = query_int(db, sql, path, &marked, NULL);
        if (r < 0)
                return r;
        if (marked) {
                snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\".meta WHERE key = 'memsnap_version'", schema);
                if (query_int(db, sql, path, &marked, NULL) < 0)
                        marked = 0;
                /* a version that is not a plain integer reads as 0 (CAST), so it disagrees */
                snprintf(sql, sizeof(sql),
                         "SELECT CAST(value AS INTEGER) FROM \"%s\".meta WHERE key = 'schema_version' LIMIT 1", schema);
                if (query_int(db, sql, path, &meta_version, &has_meta_version) < 0)
                        has_meta_version = false;
        }

        if (tables < 2 && !marked)
                return log_error_errno(EINVAL, "'%s' is a SQLite database but not a memsnap database "
                                       "(it has no snapshot and chunks tables)", path);
        if (version != SCHEMA_VERSION)
                return log_error_errno(EPROTO, "database '%s' has schema version %lld; this memsnap reads "
                                       "version %d (%s)", path, version, SCHEMA_VERSION,
                                       version < SCHEMA_VERSION
                                               ? "run this memsnap's 'analyze' on the core again"
                                               : "it was written by a newer memsnap");
        if (has_meta_version && meta_version != version)
                return log_error_errno(EPROTO, "database '%s' disagrees with itself: PRAGMA user_version says schema "
                                       "version %lld, meta.schema_version says %lld; it is damaged or was altered",
                                       path, version, meta_version);
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

/* "file:PATH?immutable=1", PATH percent-encoded (sqlite.org/uri.html). */
static char *immutable_uri(const char *path)
{
        size_t n = strlen(path);
        char *uri = malloc(n * 3 + sizeof("file:?immutable=1") + 2), *o = uri;

        if (!uri)
                return NULL;
        o += sprintf(o, "file:");
        if (path[0] == '/' && path[1] == '/')
                o += sprintf(o, "//"); /* an authority would be read from "file://x" */
        for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                    strchr("/._-~", *p))
                        *o++ = (char)*p;
                else
                        o += sprintf(o, "%%%02X", *p);
        }
        strcpy(o, "?immutable=1");
        return uri;
}

/*
 * True when the WAL of the database at path holds nothing: no -wal file,
 * or one too short for a frame.  The main file alone is then the whole
 * database, and reading it as immutable is exact.
 */
static bool wal_is_empty(const char *path)
{
        _cleanup_free_ char *wal = NULL;
        struct stat st;

        if (asprintf(&wal, "%s-wal", path) < 0)
                return false;
        if (lstat(wal, &st) < 0)
                return errno == ENOENT;
        return S_ISREG(st.st_mode) && st.st_size < WAL_HEADER_SIZE + WAL_FRAME_HEADER_SIZE;
}

static int open_guarded(const char *name, int flags, struct db_guard *g, sqlite3 **ret)
{
        _cleanup_sqlite3_ sqlite3 *db = NULL;

        int r = sqlite3_open_v2(name, &db, flags, NULL);
        if (r != SQLITE_OK) {
                _cleanup_free_ char *msg = text_escape_display(db ? sqlite3_errmsg(db) : sqlite3_errstr(r));
                log_error("cannot open database '%s': %s", name, msg ? msg : sqlite3_errstr(r));
                return -EIO;
        }
        r = db_guard_install(db, g);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

/* A result code that says SQLite could not make the WAL's side files. */
static bool wal_code_unreadable(int r)
{
        return (r & 0xff) == SQLITE_READONLY || (r & 0xff) == SQLITE_CANTOPEN;
}

/* Whether the first read of schema fails for want of the WAL's side files (a read-only folder). */
static bool wal_unreadable(sqlite3 *db, const char *schema)
{
        char sql[96];

        /* schema is always a name of ours ("main", "b"), never user input */
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\".sqlite_schema", schema);
        return wal_code_unreadable(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

/*
 * WAL mode needs "-wal" and "-shm" beside the file, even to read; in a
 * folder we may not write SQLite can make neither, and says "attempt to
 * write a readonly database".  With no WAL content the main file is the
 * whole database: the name to read it as immutable goes to *uri.
 */
static int wal_fallback(const char *path, char **uri)
{
        if (!wal_is_empty(path))
                return log_error_errno(EROFS, "cannot read database '%s': it is in WAL mode and its -wal file holds "
                                       "changes, but SQLite cannot create the -shm file it needs to read them in "
                                       "that folder; copy the database with its -wal file to a folder you can write",
                                       path);
        *uri = immutable_uri(path);
        if (!*uri)
                return log_error_errno(ENOMEM, "cannot open database '%s': %m", path);
        log_debug("'%s' is in WAL mode in a folder SQLite cannot write; its WAL is empty, so it is read as an "
                  "immutable file", path);
        return 0;
}

int db_open_readonly(const char *path, struct db_guard *g, sqlite3 **ret)
{
        _cleanup_sqlite3_ sqlite3 *db = NULL;
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int fd = -1;
        struct db_file f = { .fd = -1 };
        int r;

        r = db_file_open(path, &f);
        fd = f.fd;
        if (r < 0)
                return r;
        p = plain_path(path);
        if (!p)
                return log_error_errno(ENOMEM, "cannot open database '%s': %m", path);
        r = open_guarded(p, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, g, &db);
        if (r < 0)
                return r;

        if (f.wal && wal_unreadable(db, "main")) {
                _cleanup_free_ char *uri = NULL;
                sqlite3_close(TAKE_PTR(db));
                r = wal_fallback(path, &uri);
                if (r < 0)
                        return r;
                r = open_guarded(uri, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, g, &db);
                if (r < 0)
                        return r;
        }

        r = db_file_same(path, &f);
        if (r < 0)
                return r;
        r = db_check_schema(db, "main", path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

/* ATTACH name (a path or a URI) AS schema; SQLite's result code. */
static int attach(sqlite3 *db, const char *name, const char *schema)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[64];

        /* attached files inherit the connection's read-only flag */
        snprintf(sql, sizeof(sql), "ATTACH DATABASE ?1 AS \"%s\"", schema);
        int r = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (r == SQLITE_OK)
                r = sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (r == SQLITE_OK)
                r = sqlite3_step(st);
        return r == SQLITE_DONE ? SQLITE_OK : r;
}

int db_open_attach_readonly(sqlite3 *db, const char *path, const char *schema)
{
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int fd = -1;
        struct db_file f = { .fd = -1 };
        int r;

        r = db_file_open(path, &f);
        fd = f.fd;
        if (r < 0)
                return r;
        p = plain_path(path);
        if (!p)
                return log_error_errno(ENOMEM, "cannot open database '%s': %m", path);
        /* in WAL mode, ATTACH itself or the first read fails in a folder SQLite cannot write */
        r = attach(db, p, schema);
        if (f.wal && (r == SQLITE_OK ? wal_unreadable(db, schema) : wal_code_unreadable(r))) {
                _cleanup_free_ char *uri = NULL;
                char sql[64];
                if (r == SQLITE_OK) {
                        snprintf(sql, sizeof(sql), "DETACH \"%s\"", schema);
                        sqlite3_exec(db, sql, NULL, NULL, NULL);
                }
                r = wal_fallback(path, &uri);
                if (r < 0)
                        return r;
                r = attach(db, uri, schema);
        }
        if (r != SQLITE_OK) {
                _cleanup_free_ char *msg = text_escape_display(sqlite3_errmsg(db));
                return log_error_errno(EIO, "cannot open database '%s': %s", path, msg ? msg : "out of memory");
        }
        r = db_file_same(path, &f);
        if (r < 0)
                return r;
        return db_check_schema(db, schema, path);
}
