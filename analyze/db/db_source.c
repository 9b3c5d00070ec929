/*
 * Implementation of db_source.h: the smallest virtual table SQLite accepts —
 * a full scan in array order, no constraints, no writes.  Eponymous-only
 * (no xCreate), so it needs no CREATE VIRTUAL TABLE and leaves nothing in
 * the database's schema.
 */
#include <errno.h>

#include "common/log.h"
#include "common/progress.h"
#include "db_source.h"

struct source_vtab {
        sqlite3_vtab base; /* first: SQLite casts between the two */
        const struct db_source *src;
};

struct source_cursor {
        sqlite3_vtab_cursor base; /* first, as above */
        const struct db_source *src;
        size_t row;
};

static int source_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **ret,
                          char **err)
{
        const struct db_source *src = aux;
        (void)argc, (void)argv, (void)err;

        char *sql = sqlite3_mprintf("CREATE TABLE x(%s)", src->columns);
        if (!sql)
                return SQLITE_NOMEM;
        int rc = sqlite3_declare_vtab(db, sql);
        sqlite3_free(sql);
        if (rc != SQLITE_OK)
                return rc;
        struct source_vtab *t = sqlite3_malloc(sizeof(*t));
        if (!t)
                return SQLITE_NOMEM;
        *t = (struct source_vtab){ .src = src };
        *ret = &t->base;
        return SQLITE_OK;
}

static int source_disconnect(sqlite3_vtab *vt)
{
        sqlite3_free(vt);
        return SQLITE_OK;
}

/* One way to read it: everything, in array order. */
static int source_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
        const struct source_vtab *t = (const struct source_vtab *)vt;
        info->estimatedRows = (sqlite3_int64)(t->src->end - t->src->first);
        info->estimatedCost = (double)(t->src->end - t->src->first);
        return SQLITE_OK;
}

static int source_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **ret)
{
        struct source_cursor *c = sqlite3_malloc(sizeof(*c));
        if (!c)
                return SQLITE_NOMEM;
        *c = (struct source_cursor){ .src = ((const struct source_vtab *)vt)->src };
        *ret = &c->base;
        return SQLITE_OK;
}

static int source_close(sqlite3_vtab_cursor *cur)
{
        sqlite3_free(cur);
        return SQLITE_OK;
}

static int source_filter(sqlite3_vtab_cursor *cur, int idx_num, const char *idx_str, int argc, sqlite3_value **argv)
{
        (void)idx_num, (void)idx_str, (void)argc, (void)argv;
        struct source_cursor *c = (struct source_cursor *)cur;
        c->row = c->src->first;
        return SQLITE_OK;
}

static int source_next(sqlite3_vtab_cursor *cur)
{
        struct source_cursor *c = (struct source_cursor *)cur;
        c->row++;
        if (c->src->progress && (c->row & 0xffff) == 0)
                progress_update(c->src->progress, c->src->progress_base + c->row);
        return SQLITE_OK;
}

static int source_eof(sqlite3_vtab_cursor *cur)
{
        const struct source_cursor *c = (const struct source_cursor *)cur;
        return c->row >= c->src->end;
}

static int source_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
        const struct source_cursor *c = (const struct source_cursor *)cur;
        c->src->column(c->src->data, c->row, col, ctx);
        return SQLITE_OK;
}

static int source_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
        *rowid = (sqlite3_int64)((const struct source_cursor *)cur)->row + 1;
        return SQLITE_OK;
}

static const sqlite3_module source_module = {
        .iVersion = 1,
        .xCreate = NULL, /* eponymous-only */
        .xConnect = source_connect,
        .xBestIndex = source_best_index,
        .xDisconnect = source_disconnect,
        .xDestroy = source_disconnect,
        .xOpen = source_open,
        .xClose = source_close,
        .xFilter = source_filter,
        .xNext = source_next,
        .xEof = source_eof,
        .xColumn = source_column,
        .xRowid = source_rowid,
};

int db_source_register(sqlite3 *db, const char *path, struct db_source *src)
{
        if (sqlite3_create_module_v2(db, src->name, &source_module, src, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot write database '%s': %s: %s", path, src->name, sqlite3_errmsg(db));
        src->db = db;
        return 0;
}

void db_source_unregister(struct db_source *src)
{
        /* A NULL module drops the one of that name, and the table SQLite made of it. */
        if (src->db)
                sqlite3_create_module_v2(src->db, src->name, NULL, NULL, NULL);
        src->db = NULL;
}
