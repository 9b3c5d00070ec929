/*
 * The tcmalloc_* tables (db_tcmalloc.h).
 */
#include "db_tcmalloc.h"

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
        sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static void bind_enum(sqlite3_stmt *st, int i, const struct schema_enum *e, unsigned v)
{
        const char *s = schema_enum_text(e, v);
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, i);
}

static int write_heap(const struct db *d, const struct tcmalloc_heap *h)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO tcmalloc_heap(module_id, page_size, pageheap, sizemap, central_cache, thread_heaps,"
                               " found_by, system_bytes, free_bytes, unmapped_bytes) VALUES (?,?,?,?,?,?,?,?,?,?)",
                               &st);
        if (r < 0)
                return r;
        if (h->module_id != NO_ID)
                sqlite3_bind_int(st, 1, h->module_id);
        bind_u64(st, 2, h->page_size);
        bind_u64(st, 3, h->roots.pageheap);
        bind_u64(st, 4, h->roots.sizemap);
        bind_u64(st, 5, h->roots.central);
        if (h->roots.thread_heaps)
                bind_u64(st, 6, h->roots.thread_heaps);
        bind_enum(st, 7, &schema_enum_tcmalloc_found_by, h->found_by);
        bind_u64(st, 8, h->figures.stats_system_bytes);
        bind_u64(st, 9, h->figures.stats_free_bytes);
        bind_u64(st, 10, h->figures.stats_unmapped_bytes);
        return db_sql_step_reset(d, st, "tcmalloc_heap");
}

static int write_spans(const struct db *d, const struct tcmalloc_heap *h)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO tcmalloc_spans(id, address, start, pages, size_class, location, refcount)"
                               " VALUES (?,?,?,?,?,?,?)",
                               &st);
        for (size_t i = 0; r >= 0 && i < h->nspans; i++) {
                const struct tcmalloc_span *s = &h->spans[i];
                bind_u64(st, 1, i);
                bind_u64(st, 2, s->address);
                bind_u64(st, 3, s->start);
                bind_u64(st, 4, s->pages);
                sqlite3_bind_int(st, 5, s->sizeclass);
                bind_enum(st, 6, &schema_enum_tcmalloc_location, s->location);
                sqlite3_bind_int(st, 7, (int)s->refcount);
                r = db_sql_step_reset(d, st, "tcmalloc_spans");
        }
        return r;
}

static int write_classes(const struct db *d, const struct tcmalloc_heap *h)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO tcmalloc_size_classes(size_class, size, pages, batch, spans, central_spans,"
                               " used, central, transfer, thread) VALUES (?,?,?,?,?,?,?,?,?,?)",
                               &st);
        /* class 0 holds no object (SizeMap: class_to_size_[0] is 0) */
        for (uint32_t cl = 1; r >= 0 && cl < h->nclasses; cl++) {
                const struct tcmalloc_class *k = &h->classes[cl];
                sqlite3_bind_int(st, 1, (int)cl);
                bind_u64(st, 2, k->size);
                bind_u64(st, 3, k->pages);
                bind_u64(st, 4, k->batch);
                bind_u64(st, 5, k->spans);
                bind_u64(st, 6, k->central_spans);
                bind_u64(st, 7, k->count[TCMALLOC_USED]);
                bind_u64(st, 8, k->count[TCMALLOC_CENTRAL]);
                bind_u64(st, 9, k->count[TCMALLOC_TRANSFER]);
                bind_u64(st, 10, k->count[TCMALLOC_THREAD]);
                r = db_sql_step_reset(d, st, "tcmalloc_size_classes");
        }
        return r;
}

static int write_caches(const struct db *d, const struct tcmalloc_heap *h)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO tcmalloc_thread_caches(id, address, pthread, tid, size_bytes, objects, bytes)"
                               " VALUES (?,?,?,?,?,?,?)",
                               &st);
        for (size_t i = 0; r >= 0 && i < h->ncaches; i++) {
                const struct tcmalloc_thread_cache *c = &h->caches[i];
                bind_u64(st, 1, i);
                bind_u64(st, 2, c->address);
                if (c->pthread)
                        bind_u64(st, 3, c->pthread);
                else
                        sqlite3_bind_null(st, 3);
                if (c->tid)
                        sqlite3_bind_int(st, 4, c->tid);
                else
                        sqlite3_bind_null(st, 4);
                sqlite3_bind_int64(st, 5, (sqlite3_int64)(int64_t)c->size);
                bind_u64(st, 6, c->objects);
                bind_u64(st, 7, c->bytes);
                r = db_sql_step_reset(d, st, "tcmalloc_thread_caches");
        }
        return r;
}

int db_tcmalloc_write(const struct db *d, const struct analysis *a)
{
        const struct tcmalloc_heap *h = &a->heap.tcmalloc;
        if (h->nclasses == 0)
                return 0;
        int r;
        if ((r = write_heap(d, h)) < 0 || (r = write_spans(d, h)) < 0 || (r = write_classes(d, h)) < 0 ||
            (r = write_caches(d, h)) < 0)
                return r;
        return 0;
}
