/*
 * Writes an analysis into a new SQLite database: schema first, then every
 * row in one transaction through prepared statements, then views and
 * indexes (building an index once beats updating it per row).  The file is a
 * named temporary in the destination folder until it is complete and synced;
 * then it is renamed (common/atomic_file.h).  Journalling is off: a database
 * that fails midway is thrown away, never repaired.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analyze/analyze_sql.h"
#include "common/atomic_file.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/progress.h"
#include "config.h"
#include "db_schema.h"
#include "stages.h"

DEFINE_POINTER_CLEANUP(sqlite3, sqlite3_close)
DEFINE_POINTER_CLEANUP(sqlite3_stmt, sqlite3_finalize)

struct db {
        sqlite3 *db;
        const char *path; /* for messages: the final name */
};

static int db_error(const struct db *d, const char *what)
{
        return log_error_errno(EIO, "cannot write database '%s': %s: %s", d->path, what, sqlite3_errmsg(d->db));
}

static int exec_sql(const struct db *d, const char *sql, const char *what)
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

static int prepare(const struct db *d, const char *sql, sqlite3_stmt **st)
{
        if (sqlite3_prepare_v3(d->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
                return db_error(d, sql);
        return 0;
}

static int step_reset(const struct db *d, sqlite3_stmt *st, const char *table)
{
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        if (rc != SQLITE_DONE)
                return db_error(d, table);
        return 0;
}

/* Binders that map "unknown" (NULL pointer, negative figure, NO_ID) to SQL NULL. */
static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
        if (s)
                sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
        else
                sqlite3_bind_null(st, i);
}

static void bind_u64(sqlite3_stmt *st, int i, uint64_t v) { sqlite3_bind_int64(st, i, (sqlite3_int64)v); }

static void bind_known(sqlite3_stmt *st, int i, int64_t v)
{
        if (v >= 0)
                sqlite3_bind_int64(st, i, v);
        else
                sqlite3_bind_null(st, i);
}

static void bind_id(sqlite3_stmt *st, int i, int index)
{
        if (index >= 0)
                sqlite3_bind_int64(st, i, (sqlite3_int64)index + 1);
        else
                sqlite3_bind_null(st, i);
}

static int write_meta(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        char version[16], when[32];
        time_t now = time(NULL);
        struct tm tm;

        snprintf(version, sizeof(version), "%d", DB_SCHEMA_VERSION);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        const char *rows[][2] = {
                { "schema_version", version },
                { "memsnap_version", MEMSNAP_VERSION },
                { "analyzed_at", when },
                { "core_path", a->opt.core_path },
                { "sqlite_version", sqlite3_libversion() },
        };
        int r = prepare(d, "INSERT INTO meta(key, value) VALUES (?, ?)", &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                bind_text(st, 1, rows[i][0]);
                bind_text(st, 2, rows[i][1]);
                if ((r = step_reset(d, st, "meta")) < 0)
                        return r;
        }
        return 0;
}

static int write_snapshot(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const struct snapshot_info *s = &a->snap;

        int r = prepare(d,
                        "INSERT INTO snapshot(pid, exe, cmdline, captured_at, source, glibc_version, glibc_build_id,"
                        " page_size, signal, pause_ms, core_path, core_size, threads, vm_rss_kb, vm_size_kb,"
                        " vm_data_kb, vm_stk_kb, vm_exe_kb, vm_lib_kb, vm_swap_kb, vm_hwm_kb, vm_peak_kb,"
                        " vm_pte_kb, rss_anon_kb, rss_file_kb, rss_shmem_kb, ppid, comm, cmdline_complete)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        int i = 1;
        if (s->pid > 0)
                sqlite3_bind_int(st, i, s->pid);
        i++;
        bind_text(st, i++, s->exe);
        bind_text(st, i++, s->cmdline);
        bind_text(st, i++, s->captured_at);
        bind_text(st, i++, core_source_name(s->source));
        bind_text(st, i++, s->glibc_version);
        bind_text(st, i++, s->glibc_build_id);
        if (s->page_size)
                bind_u64(st, i, s->page_size);
        i++;
        sqlite3_bind_int(st, i++, s->signal);
        if (s->pause_ms >= 0)
                sqlite3_bind_double(st, i, s->pause_ms);
        i++;
        bind_text(st, i++, a->opt.core_path);
        bind_u64(st, i++, a->core.size);
        bind_u64(st, i++, a->nthreads);
        const int64_t figures[] = { s->vm_rss_kb, s->vm_size_kb, s->vm_data_kb, s->vm_stk_kb, s->vm_exe_kb,
                                    s->vm_lib_kb, s->vm_swap_kb, s->vm_hwm_kb, s->vm_peak_kb, s->vm_pte_kb,
                                    s->rss_anon_kb, s->rss_file_kb, s->rss_shmem_kb };
        for (size_t k = 0; k < ELEMENTSOF(figures); k++)
                bind_known(st, i++, figures[k]);
        if (s->ppid > 0)
                sqlite3_bind_int(st, i, s->ppid);
        i++;
        bind_text(st, i++, s->comm);
        if (s->cmdline)
                sqlite3_bind_int(st, i, s->cmdline_complete);
        i++;
        return step_reset(d, st, "snapshot");
}

static const char *file_status_name(enum module_file_status s)
{
        switch (s) {
        case MODULE_FILE_OK: return "ok";
        case MODULE_FILE_MISSING: return "missing";
        case MODULE_FILE_MISMATCH: return "build_id_mismatch";
        case MODULE_FILE_NO_BUILD_ID: return "no_build_id";
        case MODULE_FILE_IN_CORE: return "in_core";
        }
        return NULL;
}

static int write_modules(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT INTO modules(id, path, build_id, start, end, load_bias, is_main, file_status,"
                        " debug_file, text_size, data_size, bss_size, deleted, file_build_id, elf_file)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nmodules; k++) {
                const struct module *m = &a->modules[k];
                bind_id(st, 1, (int)k);
                bind_text(st, 2, m->path);
                bind_text(st, 3, m->build_id);
                bind_u64(st, 4, m->start);
                bind_u64(st, 5, m->end);
                bind_u64(st, 6, m->load_bias);
                sqlite3_bind_int(st, 7, m->is_main);
                bind_text(st, 8, file_status_name(m->file_status));
                bind_text(st, 9, m->debug_file);
                bind_known(st, 10, m->text_size);
                bind_known(st, 11, m->data_size);
                bind_known(st, 12, m->bss_size);
                sqlite3_bind_int(st, 13, m->deleted);
                bind_text(st, 14, m->file_build_id);
                bind_text(st, 15, m->elf_file);
                if ((r = step_reset(d, st, "modules")) < 0)
                        return r;
        }
        return 0;
}

static int write_segments(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT INTO segments(id, start, end, perms, offset, path, deleted, kind, module_id, tid,"
                        " arena_id, in_core, rss_kb, pss_kb, swap_kb, private_dirty_kb, private_clean_kb,"
                        " shared_clean_kb, shared_dirty_kb, anonymous_kb, vm_flags)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nsegments; k++) {
                const struct segment *s = &a->segments[k];
                bind_id(st, 1, (int)k);
                bind_u64(st, 2, s->start);
                bind_u64(st, 3, s->end);
                bind_text(st, 4, s->perms);
                bind_u64(st, 5, s->offset);
                bind_text(st, 6, s->path);
                sqlite3_bind_int(st, 7, s->deleted);
                bind_text(st, 8, segment_kind_name(s->kind));
                bind_id(st, 9, s->module_id);
                if (s->tid > 0)
                        sqlite3_bind_int(st, 10, s->tid);
                bind_id(st, 11, s->arena_id);
                bind_u64(st, 12, s->in_core);
                bind_known(st, 13, s->rss_kb);
                bind_known(st, 14, s->pss_kb);
                bind_known(st, 15, s->swap_kb);
                bind_known(st, 16, s->private_dirty_kb);
                bind_known(st, 17, s->private_clean_kb);
                bind_known(st, 18, s->shared_clean_kb);
                bind_known(st, 19, s->shared_dirty_kb);
                bind_known(st, 20, s->anonymous_kb);
                bind_text(st, 21, s->vm_flags);
                if ((r = step_reset(d, st, "segments")) < 0)
                        return r;
        }
        return 0;
}

static int write_threads(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT OR REPLACE INTO threads(tid, name, is_main, pc, sp, fs_base, signal, stack_segment,"
                        " frames, unwind_stop) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nthreads; k++) {
                const struct thread *t = &a->threads[k];
                sqlite3_bind_int(st, 1, t->tid);
                bind_text(st, 2, t->name);
                sqlite3_bind_int(st, 3, t->is_main);
                bind_u64(st, 4, t->pc);
                bind_u64(st, 5, t->sp);
                bind_u64(st, 6, t->fs_base);
                sqlite3_bind_int(st, 7, t->signal);
                bind_id(st, 8, t->stack_segment);
                sqlite3_bind_int(st, 9, t->nframes);
                bind_text(st, 10, t->unwind_stop);
                if ((r = step_reset(d, st, "threads")) < 0)
                        return r;
        }
        return 0;
}

static int write_frames(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT OR REPLACE INTO frames(tid, depth, pc, module_id, function, offset, source_file, line)"
                        " VALUES (?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nframes; k++) {
                const struct frame *f = &a->frames[k];
                sqlite3_bind_int(st, 1, f->tid);
                sqlite3_bind_int(st, 2, f->depth);
                bind_u64(st, 3, f->pc);
                bind_id(st, 4, f->module_id);
                bind_text(st, 5, f->function);
                if (f->function)
                        bind_u64(st, 6, f->offset);
                bind_text(st, 7, f->source_file);
                if (f->line > 0)
                        sqlite3_bind_int(st, 8, f->line);
                if ((r = step_reset(d, st, "frames")) < 0)
                        return r;
        }

        _cleanup_(sqlite3_finalizep) sqlite3_stmt *live = NULL;
        r = prepare(d,
                    "INSERT OR REPLACE INTO live_frames(tid, depth, pc, function, offset, module) VALUES (?,?,?,?,?,?)",
                    &live);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nlive_frames; k++) {
                const struct live_frame *f = &a->live_frames[k];
                sqlite3_bind_int(live, 1, f->tid);
                sqlite3_bind_int(live, 2, f->depth);
                bind_u64(live, 3, f->pc);
                bind_text(live, 4, f->function);
                if (f->function)
                        bind_u64(live, 5, f->offset);
                bind_text(live, 6, f->module);
                if ((r = step_reset(d, live, "live_frames")) < 0)
                        return r;
        }
        return 0;
}

static int write_heap_tables(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *ar = NULL, *hp = NULL, *tc = NULL, *ty = NULL;
        int r;

        if ((r = prepare(d,
                         "INSERT INTO arenas(id, address, is_main, top, top_size, system_mem, max_system_mem, next,"
                         " heaps, found_by, mutex, flags, attached_threads) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         &ar)) < 0)
                return r;
        for (size_t k = 0; k < a->narenas; k++) {
                const struct arena *x = &a->arenas[k];
                bind_id(ar, 1, (int)k);
                bind_u64(ar, 2, x->address);
                sqlite3_bind_int(ar, 3, x->is_main);
                bind_u64(ar, 4, x->top);
                bind_u64(ar, 5, x->top_size);
                bind_u64(ar, 6, x->system_mem);
                bind_u64(ar, 7, x->max_system_mem);
                bind_u64(ar, 8, x->next);
                sqlite3_bind_int(ar, 9, x->heaps);
                bind_text(ar, 10, x->found_by);
                sqlite3_bind_int64(ar, 11, x->mutex);
                sqlite3_bind_int64(ar, 12, x->flags);
                bind_u64(ar, 13, x->attached_threads);
                if ((r = step_reset(d, ar, "arenas")) < 0)
                        return r;
        }

        if ((r = prepare(d,
                         "INSERT INTO heaps(id, arena_id, address, size, mprotect_size, prev) VALUES (?,?,?,?,?,?)",
                         &hp)) < 0)
                return r;
        for (size_t k = 0; k < a->nheaps; k++) {
                const struct heap *h = &a->heaps[k];
                bind_id(hp, 1, (int)k);
                bind_id(hp, 2, h->arena_id);
                bind_u64(hp, 3, h->address);
                bind_u64(hp, 4, h->size);
                bind_u64(hp, 5, h->mprotect_size);
                bind_u64(hp, 6, h->prev);
                if ((r = step_reset(d, hp, "heaps")) < 0)
                        return r;
        }

        if ((r = prepare(d, "INSERT INTO tcaches(id, tid, address, arena_id, found_by, entries) VALUES (?,?,?,?,?,?)",
                         &tc)) < 0)
                return r;
        for (size_t k = 0; k < a->ntcaches; k++) {
                const struct tcache *t = &a->tcaches[k];
                bind_id(tc, 1, (int)k);
                if (t->tid > 0)
                        sqlite3_bind_int(tc, 2, t->tid);
                bind_u64(tc, 3, t->address);
                bind_id(tc, 4, t->arena_id);
                bind_text(tc, 5, t->found_by);
                sqlite3_bind_int(tc, 6, (int)t->entries);
                if ((r = step_reset(d, tc, "tcaches")) < 0)
                        return r;
        }

        if ((r = prepare(d, "INSERT INTO types(id, name) VALUES (?,?)", &ty)) < 0)
                return r;
        for (size_t k = 0; k < a->ntypes; k++) {
                bind_id(ty, 1, (int)k);
                bind_text(ty, 2, a->types[k]);
                if ((r = step_reset(d, ty, "types")) < 0)
                        return r;
        }
        return 0;
}

static int write_malloc_par(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const struct malloc_par_info *m = &a->malloc_par;

        if (!m->found)
                return 0;
        int r = prepare(d,
                        "INSERT INTO malloc_par(address, found_by, layout, trim_threshold, top_pad, mmap_threshold,"
                        " arena_test, arena_max, thp_pagesize, hp_pagesize, n_mmaps, n_mmaps_max, max_n_mmaps,"
                        " no_dyn_threshold, mmapped_mem, max_mmapped_mem, sbrk_base, tcache_bins, tcache_max_bytes,"
                        " tcache_count, tcache_unsorted_limit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        int i = 1;
        bind_u64(st, i++, m->address);
        bind_text(st, i++, m->found_by);
        bind_text(st, i++, m->layout);
        const uint64_t head[] = { m->trim_threshold, m->top_pad, m->mmap_threshold, m->arena_test, m->arena_max };
        for (size_t k = 0; k < ELEMENTSOF(head); k++)
                bind_u64(st, i++, head[k]);
        bind_known(st, i++, m->thp_pagesize);
        bind_known(st, i++, m->hp_pagesize);
        const int64_t counts[] = { m->n_mmaps, m->n_mmaps_max, m->max_n_mmaps, m->no_dyn_threshold };
        for (size_t k = 0; k < ELEMENTSOF(counts); k++)
                sqlite3_bind_int64(st, i++, counts[k]);
        const uint64_t tail[] = { m->mmapped_mem, m->max_mmapped_mem, m->sbrk_base, m->tcache_bins,
                                  m->tcache_max_bytes, m->tcache_count, m->tcache_unsorted_limit };
        for (size_t k = 0; k < ELEMENTSOF(tail); k++)
                bind_u64(st, i++, tail[k]);
        return step_reset(d, st, "malloc_par");
}

static const char *const state_names[] = { [CHUNK_USED] = "used", [CHUNK_FREE] = "free", [CHUNK_TOP] = "top" };
static const char *const bin_names[] = {
        [BIN_NONE] = NULL,         [BIN_TCACHE] = "tcache", [BIN_FAST] = "fast",
        [BIN_UNSORTED] = "unsorted", [BIN_SMALL] = "small", [BIN_LARGE] = "large",
};
static const char *const leak_names[] = {
        [LEAK_NONE] = NULL,          [LEAK_REACHABLE] = "reachable", [LEAK_POSSIBLE] = "possible",
        [LEAK_INDIRECT] = "indirect", [LEAK_DEFINITE] = "definite",
};
static const char *const root_names[] = {
        [ROOT_NONE] = NULL,  [ROOT_REGISTER] = "register", [ROOT_STACK] = "stack",
        [ROOT_STATIC] = "static", [ROOT_TLS] = "tls", [ROOT_ANON] = "anon",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
        return v < n ? names[v] : NULL;
}

/* glibc malloc.c: musable() — the next chunk's prev_size field is usable unless mmapped. */
static uint64_t chunk_usable(const struct chunk *c)
{
        if (c->size < 16)
                return 0;
        return c->mmapped ? c->size - 16 : c->size - 8;
}

/* How much of each used block the database keeps, for people to recognise it. */
#define CHUNK_HEAD_BYTES 32

static uint64_t size_class(uint64_t size)
{
        return size ? 1ull << (63 - __builtin_clzll(size)) : 0;
}

static int write_chunks(const struct db *d, const struct analysis *a, struct progress *p, uint64_t *done)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT INTO chunks(id, address, mem, size, size_class, usable, state, bin, mmapped, arena_id,"
                        " segment_id, leak, type, hash, head) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nchunks; k++) {
                const struct chunk *c = &a->chunks[k];
                sqlite3_bind_int64(st, 1, (sqlite3_int64)k + 1);
                bind_u64(st, 2, c->address);
                bind_u64(st, 3, c->address + 16);
                bind_u64(st, 4, c->size);
                bind_u64(st, 5, size_class(c->size));
                bind_u64(st, 6, chunk_usable(c));
                bind_text(st, 7, name_of(state_names, ELEMENTSOF(state_names), c->state));
                bind_text(st, 8, name_of(bin_names, ELEMENTSOF(bin_names), c->bin));
                sqlite3_bind_int(st, 9, c->mmapped);
                bind_id(st, 10, c->arena_id);
                bind_id(st, 11, c->segment_id);
                bind_text(st, 12, name_of(leak_names, ELEMENTSOF(leak_names), c->leak));
                if (c->type_id >= 0 && (size_t)c->type_id < a->ntypes)
                        bind_text(st, 13, a->types[c->type_id]);
                if (c->hash)
                        bind_u64(st, 14, c->hash);
                if (c->state == CHUNK_USED) {
                        size_t n = (size_t)MIN(chunk_usable(c), (uint64_t)CHUNK_HEAD_BYTES);
                        const void *head = core_ptr(&a->core, c->address + 16, n);
                        if (head && n)
                                sqlite3_bind_blob(st, 15, head, (int)n, SQLITE_STATIC);
                }
                if ((r = step_reset(d, st, "chunks")) < 0)
                        return r;
                if ((k & 0xffff) == 0)
                        progress_update(p, *done + k);
        }
        *done += a->nchunks;
        return 0;
}

static int write_refs(const struct db *d, const struct analysis *a, struct progress *p, uint64_t *done)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = prepare(d,
                        "INSERT INTO refs(from_chunk, from_offset, from_address, root_kind, tid, to_chunk, to_offset)"
                        " VALUES (?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->nrefs; k++) {
                const struct ref *x = &a->refs[k];
                bind_id(st, 1, x->from_chunk);
                sqlite3_bind_int64(st, 2, x->from_offset);
                bind_u64(st, 3, x->from_address);
                bind_text(st, 4, name_of(root_names, ELEMENTSOF(root_names), x->root_kind));
                if (x->tid > 0)
                        sqlite3_bind_int(st, 5, x->tid);
                bind_id(st, 6, x->to_chunk);
                sqlite3_bind_int64(st, 7, x->to_offset);
                if ((r = step_reset(d, st, "refs")) < 0)
                        return r;
                if ((k & 0xffff) == 0)
                        progress_update(p, *done + k);
        }
        *done += a->nrefs;
        return 0;
}

static int write_warnings(const struct db *d, struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        warnings_finish(&a->warnings);
        int r = prepare(d, "INSERT INTO warnings(stage, address, message) VALUES (?,?,?)", &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->warnings.n; k++) {
                const struct warning *w = &a->warnings.v[k];
                bind_text(st, 1, w->stage);
                if (w->address)
                        bind_u64(st, 2, w->address);
                bind_text(st, 3, w->message);
                if ((r = step_reset(d, st, "warnings")) < 0)
                        return r;
        }
        return 0;
}

static int write_all(const struct db *d, struct analysis *a)
{
        _cleanup_(progress_end) struct progress p;
        uint64_t done = 0;
        int r;

        /* A throwaway file: no journal, no syncs until the one at commit. */
        if ((r = exec_sql(d, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;"
                             " PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
                          "settings")) < 0)
                return r;
        if ((r = exec_sql(d, analyze_sql_schema, "schema")) < 0)
                return r;

        progress_begin(&p, "database", a->nchunks + a->nrefs, false, a->opt.quiet);
        if ((r = exec_sql(d, "BEGIN", "begin")) < 0)
                return r;
        if ((r = write_meta(d, a)) < 0 || (r = write_snapshot(d, a)) < 0 || (r = write_modules(d, a)) < 0 ||
            (r = write_segments(d, a)) < 0 || (r = write_threads(d, a)) < 0 || (r = write_frames(d, a)) < 0 ||
            (r = write_heap_tables(d, a)) < 0 || (r = write_malloc_par(d, a)) < 0 || (r = write_chunks(d, a, &p, &done)) < 0 ||
            (r = write_refs(d, a, &p, &done)) < 0 || (r = write_warnings(d, a)) < 0)
                return r;
        if ((r = exec_sql(d, "COMMIT", "commit")) < 0)
                return r;

        /* Views and indexes: every embedded file but the schema itself. */
        for (size_t k = 0; k < analyze_sql_files_count; k++) {
                const struct analyze_sql_file *f = &analyze_sql_files[k];
                if (strcmp(f->name, "schema") != 0 && (r = exec_sql(d, f->text, f->name)) < 0)
                        return r;
        }
        /* Statistics from a sample of each index: a full ANALYZE reads every row again. */
        return exec_sql(d, "PRAGMA analysis_limit=1000; ANALYZE", "analyze");
}

int db_open(struct analysis *a)
{
        int r = atomic_file_begin(&a->out, a->opt.db_path, a->opt.force, true);
        if (r < 0)
                return r;
        atomic_file_install_signal_cleanup(&a->out);
        return 0;
}

int db_write(struct analysis *a)
{
        int r;
        {
                _cleanup_(sqlite3_closep) sqlite3 *db = NULL;
                /* One connection on one thread: no per-call locking (SQLITE_OPEN_NOMUTEX). */
                if (sqlite3_open_v2(a->out.tmp_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
                        return log_error_errno(EIO, "cannot create database '%s': %s", a->opt.db_path,
                                               db ? sqlite3_errmsg(db) : "out of memory");
                struct db d = { .db = db, .path = a->opt.db_path };
                r = write_all(&d, a);
                if (r < 0)
                        return r;
                if (sqlite3_close(TAKE_PTR(db)) != SQLITE_OK)
                        return log_error_errno(EIO, "cannot close database '%s'", a->opt.db_path);
        }
        return atomic_file_commit(&a->out);
}
