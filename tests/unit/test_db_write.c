/*
 * Unit tests for the database writer (analyze/db/db_write.c with db_rows.c,
 * db_side.c and db_source.c): an analysis with thousands of chunks and
 * refs in a synthetic core is written, then read back through SQLite
 * itself, row by row against the arrays it came from.  The writer shares
 * the chunks, batch by batch, between two threads when it has two CPUs;
 * the same analysis written on one CPU (the test pins itself) must give
 * the same rows.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "schema/schema_version.h"
#include "analyze/db/db_side.h"
#include "analyze/stages.h"
#include "common/cleanup.h"

#define HEAP 0x555555560000ull
#define NCHUNKS 6000
#define CHUNK 0x40
#define NREFS 9000

static const char *const types[] = { "Widget", "string" };

struct fixture {
        struct analysis a;
        uint8_t *data;
        struct core_segment seg;
        struct core_data_run run;  /* the segment's bytes, all data */
        char dir[64];
};

static struct fixture *build(unsigned seed, size_t nrefs)
{
        struct fixture *f = calloc(1, sizeof(*f));
        struct analysis *a = &f->a;

        f->seg = (struct core_segment){ .vaddr = HEAP, .memsz = NCHUNKS * CHUNK, .offset = 0,
                                        .filesz = NCHUNKS * CHUNK, .known = NCHUNKS * CHUNK, .nruns = 1,
                                        .flags = 6 };
        f->run = (struct core_data_run){ HEAP, HEAP + NCHUNKS * CHUNK };
        f->data = malloc(NCHUNKS * CHUNK);
        for (size_t i = 0; i < NCHUNKS * CHUNK; i++)
                f->data[i] = (uint8_t)(i * 7 + seed);
        a->core = (struct core){ .data = f->data, .size = NCHUNKS * CHUNK, .segs = &f->seg, .nsegs = 1,
                                 .runs = &f->run, .nruns = 1, .fd = -1 };
        a->out = (struct atomic_file)ATOMIC_FILE_INIT;

        a->segments.n = 1;
        a->segments.v = calloc(1, sizeof(*a->segments.v));
        a->segments.v[0] = (struct segment){ .start = HEAP, .end = HEAP + NCHUNKS * CHUNK, .kind = SEG_HEAP,
                                           .perms = "rw-p", .module_id = NO_ID, .arena_id = 0,
                                           .in_core = NCHUNKS * CHUNK };
        a->heap.narenas = 1;
        a->heap.arenas = calloc(1, sizeof(*a->heap.arenas));
        a->heap.arenas[0] = (struct arena){ .address = 0x7f0000001000, .is_main = true, .found_by = "symbol" };
        a->reach.ntypes = 2;
        a->reach.types = calloc(2, sizeof(char *));
        for (size_t k = 0; k < 2; k++)
                a->reach.types[k] = strdup(types[k]);

        /* Every state, bin and verdict; a chunk in 7 mmapped, one in 11 typed. */
        a->heap.nchunks = NCHUNKS;
        a->heap.chunks = calloc(NCHUNKS, sizeof(*a->heap.chunks));
        for (size_t k = 0; k < NCHUNKS; k++) {
                struct chunk *c = &a->heap.chunks[k];
                *c = (struct chunk){ .address = HEAP + k * CHUNK, .size = CHUNK, .arena_id = 0, .segment_id = 0,
                                     .type_id = NO_ID, .state = CHUNK_USED };
                if (k % 3 == 1) {
                        c->state = CHUNK_FREE;
                        c->bin = 1 + k % 5; /* tcache .. large */
                } else {
                        c->leak = 1 + k % 4; /* reachable .. definite */
                        c->hash = 0x9e3779b97f4a7c15ull * (k + seed);
                        if (k % 11 == 0)
                                c->type_id = (int32_t)(k % 2);
                }
                if (k % 7 == 0) {
                        c->mmapped = true;
                        c->arena_id = NO_ID;
                }
        }
        a->heap.chunks[NCHUNKS - 1].state = CHUNK_TOP;
        a->heap.chunks[NCHUNKS - 1].bin = BIN_NONE;

        /* Roots first, then block to block in from_chunk order, to chunks anywhere. */
        a->reach.nrefs = nrefs;
        a->reach.refs = calloc(nrefs, sizeof(*a->reach.refs));
        srand(seed);
        for (size_t k = 0; k < nrefs; k++) {
                struct ref *x = &a->reach.refs[k];
                bool root = k < 30;
                *x = (struct ref){ .from_chunk = root ? NO_ID : (int32_t)((k - 30) * (NCHUNKS - 1) / nrefs),
                                   .to_chunk = (int32_t)(rand() % NCHUNKS),
                                   .to_offset = (uint32_t)(k % 3 == 0 ? 8 : 0),
                                   .root_kind = root ? 1 + k % 5 : ROOT_NONE, .tid = root ? 4242 : 0 };
                /* Where the pointer is: in its block, in the one segment for a root, a register's offset. */
                if (!root)
                        x->from = a->heap.chunks[x->from_chunk].address + 16 + k % 48;
                else
                        x->from = x->root_kind == ROOT_REGISTER ? k * 8 : HEAP + k * 8;
        }
        a->opt.core_path = "synthetic.core";
        a->opt.quiet = true;
        a->opt.force = true;
        snprintf(f->dir, sizeof(f->dir), "/tmp/memsnap-test-db-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        return f;
}

static void destroy(struct fixture *f)
{
        free(f->a.segments.v);
        free(f->a.heap.arenas);
        free(f->a.heap.chunks);
        free(f->a.reach.refs);
        for (size_t i = 0; i < f->a.reach.ntypes; i++)
                free(f->a.reach.types[i]);
        free(f->a.reach.types);
        warnings_free(&f->a.warnings);
        atomic_file_discard(&f->a.out);
        free(f->data);
        free(f);
}

static char *write_db(struct fixture *f, const char *name)
{
        char *path = NULL;
        assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
        f->a.opt.db_path = path;
        assert_int_equal(db_write_open(&f->a), 0);
        /* db_write gives the refs' memory back once they are written: keep them for the checks and the next write. */
        size_t nrefs = f->a.reach.nrefs;
        struct ref *refs = malloc((nrefs ? nrefs : 1) * sizeof(*refs));
        assert_non_null(refs);
        if (nrefs)
                memcpy(refs, f->a.reach.refs, nrefs * sizeof(*refs));
        assert_int_equal(db_write(&f->a), 0);
        assert_null(f->a.reach.refs);
        f->a.reach.refs = refs;
        f->a.reach.nrefs = nrefs;
        atomic_file_discard(&f->a.out);
        return path;
}

static sqlite3 *open_db(const char *path)
{
        sqlite3 *db = NULL;
        assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        return db;
}

static int64_t one(sqlite3 *db, const char *sql)
{
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        int64_t v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return v;
}

static const char *text_or_null(sqlite3_stmt *st, int col)
{
        return sqlite3_column_type(st, col) == SQLITE_NULL ? NULL : (const char *)sqlite3_column_text(st, col);
}

static void assert_text(sqlite3_stmt *st, int col, const char *want)
{
        const char *got = text_or_null(st, col);
        if (!want)
                assert_null(got);
        else {
                assert_non_null(got);
                assert_string_equal(got, want);
        }
}

static void check_chunks(const struct fixture *f, sqlite3 *db)
{
        static const char *const states[] = { "used", "free", "top" };
        static const char *const bins[] = { NULL, "tcache", "fast", "unsorted", "small", "large" };
        static const char *const leaks[] = { NULL, "reachable", "possible", "indirect", "definite" };
        sqlite3_stmt *st = NULL;
        size_t k = 0;

        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT id, address, mem, size, size_class, usable, state, bin, mmapped,"
                                            " arena_id, segment_id, leak, type, hash, head FROM chunks ORDER BY id",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
                assert_true(k < NCHUNKS);
                const struct chunk *c = &f->a.heap.chunks[k];
                assert_int_equal(sqlite3_column_int64(st, 0), (int64_t)k + 1);
                assert_int_equal(sqlite3_column_int64(st, 1), (int64_t)c->address);
                assert_int_equal(sqlite3_column_int64(st, 2), (int64_t)c->address + 16);
                assert_int_equal(sqlite3_column_int64(st, 3), CHUNK);
                assert_int_equal(sqlite3_column_int64(st, 4), CHUNK);
                assert_int_equal(sqlite3_column_int64(st, 5), c->mmapped ? CHUNK - 16 : CHUNK - 8);
                assert_text(st, 6, states[c->state]);
                assert_text(st, 7, bins[c->bin]);
                assert_int_equal(sqlite3_column_int(st, 8), c->mmapped);
                if (c->mmapped)
                        assert_int_equal(sqlite3_column_type(st, 9), SQLITE_NULL);
                else
                        assert_int_equal(sqlite3_column_int(st, 9), 1);
                assert_int_equal(sqlite3_column_int(st, 10), 1);
                assert_text(st, 11, leaks[c->leak]);
                assert_text(st, 12, c->type_id >= 0 ? types[c->type_id] : NULL);
                if (c->hash)
                        assert_int_equal(sqlite3_column_int64(st, 13), (int64_t)c->hash);
                else
                        assert_int_equal(sqlite3_column_type(st, 13), SQLITE_NULL);
                if (c->state == CHUNK_USED) {
                        assert_int_equal(sqlite3_column_bytes(st, 14), 32);
                        assert_memory_equal(sqlite3_column_blob(st, 14), f->data + (c->address + 16 - HEAP), 32);
                } else
                        assert_int_equal(sqlite3_column_type(st, 14), SQLITE_NULL);
                k++;
        }
        sqlite3_finalize(st);
        assert_int_equal(k, NCHUNKS);
}

static void check_refs(const struct fixture *f, sqlite3 *db)
{
        static const char *const roots[] = { NULL, "register", "stack", "static", "tls", "anon" };
        sqlite3_stmt *st = NULL;
        size_t k = 0;

        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT from_chunk, from_offset, from_address, root_kind, tid, to_chunk,"
                                            " to_offset FROM refs ORDER BY rowid",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
                assert_true(k < f->a.reach.nrefs);
                const struct ref *x = &f->a.reach.refs[k];
                if (x->from_chunk < 0)
                        assert_int_equal(sqlite3_column_type(st, 0), SQLITE_NULL);
                else
                        assert_int_equal(sqlite3_column_int64(st, 0), x->from_chunk + 1);
                bool reg = x->root_kind == ROOT_REGISTER;
                uint64_t base = x->from_chunk >= 0 ? f->a.heap.chunks[x->from_chunk].address + 16 : reg ? 0 : HEAP;
                assert_int_equal(sqlite3_column_int64(st, 1), x->from - base);
                assert_int_equal(sqlite3_column_int64(st, 2), reg ? 0 : (int64_t)x->from);
                assert_text(st, 3, roots[x->root_kind]);
                if (x->tid)
                        assert_int_equal(sqlite3_column_int(st, 4), x->tid);
                else
                        assert_int_equal(sqlite3_column_type(st, 4), SQLITE_NULL);
                assert_int_equal(sqlite3_column_int64(st, 5), x->to_chunk + 1);
                assert_int_equal(sqlite3_column_int64(st, 6), x->to_offset);
                k++;
        }
        sqlite3_finalize(st);
        assert_int_equal(k, f->a.reach.nrefs);
}

/* What readers look blocks up by stays indexed: by pointer, and who holds it. */
static void check_plans(sqlite3 *db)
{
        static const char *const lookups[] = {
                "SELECT * FROM chunks WHERE mem = 1",
                "SELECT * FROM refs WHERE to_chunk = 1",
                "SELECT * FROM refs WHERE from_chunk = 1",
        };
        for (size_t i = 0; i < ELEMENTSOF(lookups); i++) {
                char sql[128];
                sqlite3_stmt *st = NULL;
                bool indexed = false;
                snprintf(sql, sizeof(sql), "EXPLAIN QUERY PLAN %s", lookups[i]);
                assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
                while (sqlite3_step(st) == SQLITE_ROW)
                        indexed |= strstr((const char *)sqlite3_column_text(st, 3), "USING") != NULL;
                sqlite3_finalize(st);
                if (!indexed)
                        fail_msg("not indexed: %s", lookups[i]);
        }
}

static void check_db(const struct fixture *f, const char *path)
{
        sqlite3 *db = open_db(path);
        sqlite3_stmt *st = NULL;
        struct stat sb;

        assert_int_equal(stat(path, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0600);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
        sqlite3_finalize(st);
        assert_int_equal(one(db, "PRAGMA user_version"), SCHEMA_VERSION);
        check_chunks(f, db);
        check_refs(f, db);
        check_plans(db);
        /* the row sources were the writer's, not the database's */
        assert_int_equal(one(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%source%'"), 0);
        assert_int_equal(one(db, "SELECT blocks FROM leak_summary WHERE leak = 'definite'"),
                         one(db, "SELECT count(*) FROM chunks WHERE leak = 'definite' AND state = 'used'"));
        sqlite3_close(db);
}

/* Many refs: while the main thread writes them, the side thread builds every batch of chunks. */
static void test_rows_read_back(void **state)
{
        (void)state;
        struct fixture *f = build(1, NREFS);
        char *path = write_db(f, "a.db");
        check_db(f, path);
        unlink(path);
        free(path);
        rmdir(f->dir);
        destroy(f);
}

/* On one CPU no second thread runs; the rows are the same. */
static void test_one_cpu_same_rows(void **state)
{
        (void)state;
        cpu_set_t all, one_cpu;
        assert_int_equal(sched_getaffinity(0, sizeof(all), &all), 0);
        CPU_ZERO(&one_cpu);
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, &all)) {
                        CPU_SET(c, &one_cpu);
                        break;
                }
        struct fixture *f = build(2, NREFS);
        assert_int_equal(sched_setaffinity(0, sizeof(one_cpu), &one_cpu), 0);
        char *path = write_db(f, "b.db");
        assert_int_equal(sched_setaffinity(0, sizeof(all), &all), 0);
        check_db(f, path);
        unlink(path);
        free(path);
        rmdir(f->dir);
        destroy(f);
}

/*
 * Few refs: the main thread soon gets to the chunks and takes the batches
 * the side thread has not started, so batches copied and batches written
 * here alternate.  The refs point in ascending order, so their to_chunk
 * index is kept as they go in.
 */
static void test_shared_batches_and_sorted_refs(void **state)
{
        (void)state;
        size_t nrefs = NREFS / 100;
        assert_true(NCHUNKS / db_side_batch_size(NCHUNKS) >= 4);
        struct fixture *f = build(3, nrefs);
        for (size_t k = 0; k < nrefs; k++)
                f->a.reach.refs[k].to_chunk = (int32_t)(k * (NCHUNKS - 1) / nrefs);
        char *path = write_db(f, "c.db");
        check_db(f, path);
        unlink(path);
        free(path);
        rmdir(f->dir);
        destroy(f);
}

/* Nothing found on the heap: empty tables, still a whole database. */
static void test_no_chunks(void **state)
{
        (void)state;
        struct fixture *f = build(4, NREFS);
        f->a.heap.nchunks = 0;
        f->a.reach.nrefs = 0;
        char *path = write_db(f, "d.db");
        sqlite3 *db = open_db(path);
        assert_int_equal(one(db, "SELECT count(*) FROM chunks"), 0);
        assert_int_equal(one(db, "SELECT count(*) FROM refs"), 0);
        assert_int_equal(one(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'refs_to'"), 1);
        sqlite3_close(db);
        unlink(path);
        free(path);
        rmdir(f->dir);
        destroy(f);
}

/* A chunk count that is not a multiple of the batch: the last batch is short, and the ids still follow. */
static void test_short_last_batch(void **state)
{
        (void)state;
        struct fixture *f = build(5, NREFS / 10);
        f->a.heap.nchunks = NCHUNKS - 333;
        f->a.heap.chunks[f->a.heap.nchunks - 1].state = CHUNK_TOP;
        f->a.heap.chunks[f->a.heap.nchunks - 1].bin = BIN_NONE;
        for (size_t k = 0; k < f->a.reach.nrefs; k++)
                f->a.reach.refs[k].to_chunk %= (int32_t)f->a.heap.nchunks;
        assert_true(f->a.heap.nchunks % db_side_batch_size(f->a.heap.nchunks) != 0);
        char *path = write_db(f, "e.db");
        sqlite3 *db = open_db(path);
        assert_int_equal(one(db, "SELECT count(*) FROM chunks"), (int64_t)f->a.heap.nchunks);
        assert_int_equal(one(db, "SELECT max(id) FROM chunks"), (int64_t)f->a.heap.nchunks);
        assert_int_equal(one(db, "SELECT count(*) FROM chunks WHERE mem <> address + 16"), 0);
        assert_int_equal(one(db, "SELECT count(*) FROM chunks c, chunks n WHERE n.id = c.id + 1 AND n.address <> c.address + 64"), 0);
        sqlite3_close(db);
        unlink(path);
        free(path);
        rmdir(f->dir);
        destroy(f);
}

static void test_batch_size(void **state)
{
        (void)state;
        /* small heaps still come in a few batches, big ones in batches short enough to wait for */
        assert_int_equal(db_side_batch_size(0), 1024);
        assert_int_equal(db_side_batch_size(6000), 1024);
        assert_int_equal(db_side_batch_size(160000), 10000);
        assert_int_equal(db_side_batch_size(1250021), 65536);
        assert_int_equal(db_side_batch_size(100000000), 65536);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rows_read_back),   cmocka_unit_test(test_one_cpu_same_rows),
                cmocka_unit_test(test_shared_batches_and_sorted_refs),
                cmocka_unit_test(test_no_chunks),        cmocka_unit_test(test_short_last_batch),
                cmocka_unit_test(test_batch_size),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
