/*
 * jemalloc's tables (schema/sql/schema.sql: jemalloc_*), from what the
 * jemalloc walker found (analyze/jemalloc_tables.h).  Empty when no
 * jemalloc was walked.
 */
#include "db_jemalloc.h"
#include "schema/schema_enum.h"

static int write_arenas(const struct db *d, const struct jemalloc_heap *j)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO jemalloc_arenas(ind, address, base, nthreads, base_allocated, base_resident,"
                               " base_mapped) VALUES (?,?,?,?,?,?,?)",
                               &st);
        for (size_t k = 0; r == 0 && k < j->narenas; k++) {
                const struct jemalloc_arena *x = &j->arenas[k];
                sqlite3_bind_int64(st, 1, x->ind);
                db_sql_bind_u64(st, 2, x->address);
                db_sql_bind_u64(st, 3, x->base);
                sqlite3_bind_int64(st, 4, x->nthreads);
                db_sql_bind_known(st, 5, x->base_allocated);
                db_sql_bind_known(st, 6, x->base_resident);
                db_sql_bind_known(st, 7, x->base_mapped);
                r = db_sql_step_reset(d, st, "jemalloc_arenas");
        }
        return r;
}

static int write_extents(const struct db *d, const struct jemalloc_heap *j)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO jemalloc_extents(id, edata, address, size, arena, szind, state, slab, nregs, nfree)"
                               " VALUES (?,?,?,?,?,?,?,?,?,?)",
                               &st);
        for (size_t k = 0; r == 0 && k < j->nextents; k++) {
                const struct jemalloc_extent *x = &j->extents[k];
                db_sql_bind_id(st, 1, (int)k);
                db_sql_bind_u64(st, 2, x->edata);
                db_sql_bind_u64(st, 3, x->address);
                db_sql_bind_u64(st, 4, x->size);
                sqlite3_bind_int64(st, 5, x->arena);
                sqlite3_bind_int64(st, 6, x->szind);
                db_sql_bind_text(st, 7, schema_enum_text(&schema_enum_jemalloc_extent_state, x->state));
                sqlite3_bind_int(st, 8, x->slab);
                db_sql_bind_known(st, 9, x->slab && x->state == JEMALLOC_EXTENT_ACTIVE ? (int64_t)x->nregs : -1);
                db_sql_bind_known(st, 10, x->slab && x->state == JEMALLOC_EXTENT_ACTIVE ? (int64_t)x->nfree : -1);
                r = db_sql_step_reset(d, st, "jemalloc_extents");
        }
        return r;
}

static int write_classes(const struct db *d, const struct jemalloc_heap *j)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *bins = NULL, *lext = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO jemalloc_bins(arena, bin, size, nregs, slabs, curregs, used, free, cached)"
                               " VALUES (?,?,?,?,?,?,?,?,?)",
                               &bins);
        for (size_t k = 0; r == 0 && k < j->nbins; k++) {
                const struct jemalloc_bin *x = &j->bins[k];
                sqlite3_bind_int64(bins, 1, x->arena);
                sqlite3_bind_int64(bins, 2, x->bin);
                db_sql_bind_u64(bins, 3, x->size);
                sqlite3_bind_int64(bins, 4, x->nregs);
                db_sql_bind_u64(bins, 5, x->slabs);
                db_sql_bind_u64(bins, 6, x->used + x->cached);
                db_sql_bind_u64(bins, 7, x->used);
                db_sql_bind_u64(bins, 8, x->free);
                db_sql_bind_u64(bins, 9, x->cached);
                r = db_sql_step_reset(d, bins, "jemalloc_bins");
        }
        if (r == 0)
                r = db_sql_prepare(d,
                                   "INSERT INTO jemalloc_lextents(arena, lextent, size, curlextents, used, cached)"
                                   " VALUES (?,?,?,?,?,?)",
                                   &lext);
        for (size_t k = 0; r == 0 && k < j->nlextents; k++) {
                const struct jemalloc_lextent *x = &j->lextents[k];
                sqlite3_bind_int64(lext, 1, x->arena);
                sqlite3_bind_int64(lext, 2, x->lextent);
                db_sql_bind_u64(lext, 3, x->size);
                db_sql_bind_u64(lext, 4, x->used + x->cached);
                db_sql_bind_u64(lext, 5, x->used);
                db_sql_bind_u64(lext, 6, x->cached);
                r = db_sql_step_reset(d, lext, "jemalloc_lextents");
        }
        return r;
}

static int write_tcaches(const struct db *d, const struct jemalloc_heap *j)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d, "INSERT INTO jemalloc_tcaches(id, tid, address, arena, entries, bytes) VALUES (?,?,?,?,?,?)", &st);
        for (size_t k = 0; r == 0 && k < j->ntcaches; k++) {
                const struct jemalloc_tcache *x = &j->tcaches[k];
                db_sql_bind_id(st, 1, (int)k);
                db_sql_bind_known(st, 2, x->tid > 0 ? x->tid : -1);
                db_sql_bind_u64(st, 3, x->address);
                sqlite3_bind_int64(st, 4, x->arena);
                sqlite3_bind_int64(st, 5, x->entries);
                db_sql_bind_u64(st, 6, x->bytes);
                r = db_sql_step_reset(d, st, "jemalloc_tcaches");
        }
        return r;
}

int db_jemalloc_write(const struct db *d, const struct analysis *a)
{
        const struct jemalloc_heap *j = &a->heap.jemalloc;
        int r;
        if ((r = write_arenas(d, j)) < 0 || (r = write_extents(d, j)) < 0 || (r = write_classes(d, j)) < 0)
                return r;
        return write_tcaches(d, j);
}
