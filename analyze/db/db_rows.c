/*
 * Implementation of db_rows.h.  SQLite numbers the chunk rows itself (a new
 * rowid is the last one plus one, where checking given ids costs a b-tree
 * search per row); the first row of a range that does not start the table
 * is given its id, and the last id is checked against the walk.
 */
#include <errno.h>
#include <stdbool.h>

#include "common/log.h"
#include "db_rows.h"
#include "db_source.h"
#include "schema/schema_enum.h"

/* Sets v's text as the database spells it, or nothing (NULL) for a value without one. */
static void result_enum(sqlite3_context *ctx, const struct schema_enum *e, unsigned v)
{
        if (v < e->count && e->texts[v].s)
                sqlite3_result_text(ctx, e->texts[v].s, e->texts[v].len, SQLITE_STATIC);
}

/* How much of each used block the database keeps, for people to recognise it. */
#define CHUNK_HEAD_BYTES 32

static uint64_t size_class(uint64_t size)
{
        return size ? 1ull << (63 - __builtin_clzll(size)) : 0;
}

/* Nothing set is NULL: the helpers below leave unknowns unset. */
static void result_text(sqlite3_context *ctx, const char *s)
{
        if (s)
                sqlite3_result_text(ctx, s, -1, SQLITE_STATIC);
}


static void result_id(sqlite3_context *ctx, int index)
{
        if (index >= 0)
                sqlite3_result_int64(ctx, (sqlite3_int64)index + 1);
}

/* chunk_source's columns: the chunks table's, id first. */
#define CHUNK_SOURCE_COLUMNS                                                                           \
        "id, address, mem, size, size_class, usable, state, bin, mmapped, arena_id, segment_id, leak, " \
        "type, hash, head, idom, idom_root, retained, allocator"
#define CHUNK_COLUMNS_BUT_ID                                                                           \
        "address, mem, size, size_class, usable, state, bin, mmapped, arena_id, segment_id, leak, type, " \
        "hash, head, idom, idom_root, retained, allocator"

/* chunk_source's data: the analysis, and the core segment the last head was in. */
struct chunk_rows {
        const struct analysis *a;
        struct core_span span;       /* of the last head read: chunks come in address order */
        uint8_t head[CHUNK_HEAD_BYTES]; /* a head copied where it is not in one data run */
};

/* The n bytes at addr in the core (holes read as zeros), or NULL; *copied when they are in rows->head. */
static const void *chunk_bytes(struct chunk_rows *rows, uint64_t addr, size_t n, bool *copied)
{
        const void *p = core_ptr_near(&rows->a->core, &rows->span, addr, n);
        *copied = false;
        if (p || n > sizeof(rows->head) || !core_read(&rows->a->core, addr, rows->head, n))
                return p;
        *copied = true;
        return rows->head;
}

static void chunk_column(void *data, size_t row, int col, sqlite3_context *ctx)
{
        struct chunk_rows *rows = data;
        const struct analysis *a = rows->a;
        const struct chunk *c = &a->heap.chunks[row];

        switch (col) {
        case 0: sqlite3_result_int64(ctx, (sqlite3_int64)row + 1); break;
        case 1: sqlite3_result_int64(ctx, (sqlite3_int64)c->address); break;
        case 2: sqlite3_result_int64(ctx, (sqlite3_int64)chunk_mem(c)); break;
        case 3: sqlite3_result_int64(ctx, (sqlite3_int64)c->size); break;
        case 4: sqlite3_result_int64(ctx, (sqlite3_int64)size_class(c->size)); break;
        case 5: sqlite3_result_int64(ctx, (sqlite3_int64)chunk_usable(c)); break;
        case 6: result_enum(ctx, &schema_enum_chunk_state, c->state); break;
        case 7: result_enum(ctx, &schema_enum_chunk_bin, c->bin); break;
        case 8: sqlite3_result_int(ctx, c->mmapped); break;
        case 9: result_id(ctx, c->arena_id); break;
        case 10: result_id(ctx, c->segment_id); break;
        case 11: result_enum(ctx, &schema_enum_leak, c->leak); break;
        case 12:
                if (c->type_id >= 0 && (size_t)c->type_id < a->reach.ntypes)
                        result_text(ctx, a->reach.types[c->type_id]);
                break;
        case 13:
                if (c->hash)
                        sqlite3_result_int64(ctx, (sqlite3_int64)c->hash);
                break;
        case 14:
                if (c->state == CHUNK_USED) {
                        size_t n = (size_t)MIN(chunk_usable(c), (uint64_t)CHUNK_HEAD_BYTES);
                        bool copied;
                        const void *head = chunk_bytes(rows, chunk_mem(c), n, &copied);
                        if (head && n)
                                sqlite3_result_blob(ctx, head, (int)n, copied ? SQLITE_TRANSIENT : SQLITE_STATIC);
                }
                break;
        /* The owners stage's: a block or a root holder as immediate dominator, and the retained size. */
        case 15:
                if (a->owners.idom && a->owners.idom[row] >= 0)
                        sqlite3_result_int64(ctx, (sqlite3_int64)a->owners.idom[row] + 1);
                break;
        case 16:
                if (a->owners.idom && owners_idom_as_holder(a->owners.idom[row]) >= 0)
                        sqlite3_result_int64(ctx, (sqlite3_int64)owners_idom_as_holder(a->owners.idom[row]) + 1);
                break;
        case 17:
                if (a->owners.retained && c->state == CHUNK_USED)
                        sqlite3_result_int64(ctx, (sqlite3_int64)a->owners.retained[row]);
                break;
        case 18: result_enum(ctx, &schema_enum_chunk_allocator, c->allocator); break;
        }
}

#define REF_COLUMNS "from_chunk, from_offset, from_address, root_kind, tid, to_chunk, to_offset, root_id"

static void ref_column(void *data, size_t row, int col, sqlite3_context *ctx)
{
        const struct analysis *a = data;
        const struct ref *x = &a->reach.refs[row];

        switch (col) {
        case 0: result_id(ctx, x->from_chunk); break;
        case 1: sqlite3_result_int64(ctx, reach_ref_from_offset(a, x)); break;
        case 2: sqlite3_result_int64(ctx, (sqlite3_int64)reach_ref_from_address(x)); break;
        case 3: result_enum(ctx, &schema_enum_root_kind, x->root_kind); break;
        case 4:
                if (x->tid > 0)
                        sqlite3_result_int(ctx, x->tid);
                break;
        case 5: result_id(ctx, x->to_chunk); break;
        case 6: sqlite3_result_int64(ctx, x->to_offset); break;
        case 7:
                if (x->from_chunk == NO_ID)
                        result_id(ctx, owners_ref_holder(&a->owners, row));
                break;
        }
}

/* INSERT INTO table(columns) SELECT columns FROM the source, in one statement. */
static int insert_from(const struct db *d, const struct db_source *src, const char *table, const char *columns)
{
        if (src->first >= src->end)
                return 0;
        _cleanup_(sqlite3_freep) char *sql =
                sqlite3_mprintf("INSERT INTO %s(%s) SELECT %s FROM %s", table, columns, columns, src->name);
        if (!sql)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        return db_sql_run(d, sql, table);
}

int db_rows_chunks(const struct db *d, const struct analysis *a, size_t from, size_t end, struct progress *progress,
                   size_t progress_base)
{
        struct chunk_rows rows = { .a = a };
        _cleanup_(db_source_unregister) struct db_source src = {
                .name = "chunk_source", .columns = CHUNK_SOURCE_COLUMNS, .column = chunk_column, .data = &rows,
        };
        int r;

        if (from >= end)
                return 0;
        if ((r = db_source_register(d->db, d->path, &src)) < 0)
                return r;
        if (from > 0) {
                /*
                 * Given its id, the first row goes where it belongs also in
                 * a table that holds none of the chunks before it (the side
                 * database's), and the rest are numbered on from it.
                 */
                src.first = from, src.end = from + 1;
                if ((r = insert_from(d, &src, "chunks", CHUNK_SOURCE_COLUMNS)) < 0)
                        return r;
                from++;
        }
        src.first = from, src.end = end, src.progress = progress, src.progress_base = progress_base;
        if ((r = insert_from(d, &src, "chunks", CHUNK_COLUMNS_BUT_ID)) < 0)
                return r;
        /* refs, diff and every reader rely on a->heap.chunks[k] being id k + 1 */
        if (sqlite3_last_insert_rowid(d->db) != (sqlite3_int64)end)
                return log_error_errno(EIO, "cannot write database '%s': chunk ids do not follow the walk", d->path);
        return 0;
}

/*
 * Whether the refs point at chunks in about ascending order (each block
 * pointing at the next one allocated: lists and arrays built in order):
 * then an index on to_chunk grows at its end too.  Out of order by at most
 * one ref in 32.
 */
static bool refs_by_target(const struct ref *refs, size_t n)
{
        size_t descents = 0;
        for (size_t k = 1; k < n; k++)
                descents += refs[k].to_chunk < refs[k - 1].to_chunk;
        return descents <= n / 32;
}

/*
 * Refs arrive in from_chunk order, so an index led by from_chunk grows at
 * its end as they go in (and one led by also_sorted, when set); any other
 * refs index is dropped before the rows and built again after them, from
 * one sort, which costs less than as many inserts at random places.  Sets
 * *rebuild to the SQL that builds them again.
 */
static int refs_indexes_defer(const struct db *d, const char *also_sorted, char **rebuild)
{
        _cleanup_(sqlite3_freep) char *drop = sqlite3_mprintf("%s", "");
        int rc;

        *rebuild = sqlite3_mprintf("%s", "");
        if (!*rebuild || !drop)
                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
        {
                _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
                if (sqlite3_prepare_v2(d->db,
                                       "SELECT m.name, m.sql FROM sqlite_schema m"
                                       " WHERE m.type = 'index' AND m.tbl_name = 'refs' AND m.sql IS NOT NULL"
                                       " AND coalesce((SELECT name FROM pragma_index_info(m.name) WHERE seqno = 0), '')"
                                       " NOT IN ('from_chunk', coalesce(?1, 'from_chunk'))",
                                       -1, &st, NULL) != SQLITE_OK)
                        return db_sql_error(d, "refs indexes");
                if (also_sorted)
                        sqlite3_bind_text(st, 1, also_sorted, -1, SQLITE_STATIC);
                while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                        char *more_drop = sqlite3_mprintf("%sDROP INDEX \"%w\";\n", drop,
                                                          (const char *)sqlite3_column_text(st, 0));
                        char *more_build = sqlite3_mprintf("%s%s;\n", *rebuild, (const char *)sqlite3_column_text(st, 1));
                        sqlite3_free(drop);
                        sqlite3_free(*rebuild);
                        drop = more_drop, *rebuild = more_build;
                        if (!drop || !*rebuild)
                                return log_error_errno(ENOMEM, "cannot write database '%s': %m", d->path);
                }
                if (rc != SQLITE_DONE)
                        return db_sql_error(d, "refs indexes");
        }
        return db_sql_exec(d, drop, "refs indexes");
}

int db_rows_refs(const struct db *d, const struct analysis *a, struct progress *progress, size_t progress_base,
                 char **rebuild)
{
        _cleanup_(db_source_unregister) struct db_source src = {
                .name = "ref_source", .columns = REF_COLUMNS, .column = ref_column, .data = (void *)a,
                .progress = progress, .progress_base = progress_base,
        };
        const char *also_sorted = refs_by_target(a->reach.refs, a->reach.nrefs) ? "to_chunk" : NULL;
        int r;

        if ((r = db_source_register(d->db, d->path, &src)) < 0 || (r = refs_indexes_defer(d, also_sorted, rebuild)) < 0)
                return r;
        src.first = 0, src.end = a->reach.nrefs;
        return insert_from(d, &src, "refs", REF_COLUMNS);
}
