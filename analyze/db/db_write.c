/*
 * Writes an analysis into a new SQLite database: schema and indexes first,
 * then the rows — the small tables through prepared statements, refs and
 * chunks straight from their arrays (db_rows.h), most chunks built by a
 * second thread (db_side.h) — then the views and the statistics.  The file
 * is a named temporary in the destination folder until it is complete and
 * synced; then it is renamed (common/atomic_file.h).  Journalling is off: a
 * database that fails midway is thrown away, never repaired.
 */
#include <errno.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/timespec.h"
#include "config.h"
#include "db_jemalloc.h"
#include "db_rows.h"
#include "db_side.h"
#include "db_sql.h"
#include "db_tcmalloc.h"
#include "analyze/stages.h"
#include "schema/schema_enum.h"
#include "schema/schema_sql.h"
#include "schema/schema_version.h"

/* The write, timed step by step for MEMSNAP_DEBUG=1 (bench/heap_time prints them). */
struct laps {
        struct timespec wall, cpu; /* when the current step began */
};

static void laps_begin(struct laps *l)
{
        clock_gettime(CLOCK_MONOTONIC, &l->wall);
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &l->cpu);
}

/* Logs how long the step that ends now took (CPU: of this thread), and starts the next. */
static void lap(struct laps *l, const char *step)
{
        struct laps now;
        laps_begin(&now);
        log_debug("database: %s in %.0f ms (cpu %.0f ms)", step, timespec_diff_ms(&l->wall, &now.wall),
                  timespec_diff_ms(&l->cpu, &now.cpu));
        *l = now;
}

static int write_meta(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        char version[16], when[32];
        time_t now = time(NULL);
        struct tm tm;

        snprintf(version, sizeof(version), "%d", SCHEMA_VERSION);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
        const char *rows[][2] = {
                { "schema_version", version },
                { "memsnap_version", MEMSNAP_VERSION },
                { "analyzed_at", when },
                { "core_path", a->opt.core_path },
                { "sqlite_version", sqlite3_libversion() },
        };
        int r = db_sql_prepare(d, "INSERT INTO meta(key, value) VALUES (?, ?)", &st);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                db_sql_bind_text(st, 1, rows[i][0]);
                db_sql_bind_text(st, 2, rows[i][1]);
                if ((r = db_sql_step_reset(d, st, "meta")) < 0)
                        return r;
        }
        return 0;
}

static int write_snapshot(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const struct snapshot_info *s = &a->snap;

        int r = db_sql_prepare(d,
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
        db_sql_bind_text(st, i++, s->exe);
        db_sql_bind_text(st, i++, s->cmdline);
        db_sql_bind_text(st, i++, s->captured_at);
        db_sql_bind_text(st, i++, schema_enum_text(&schema_enum_core_source, s->source));
        db_sql_bind_text(st, i++, a->heap.glibc_version);
        db_sql_bind_text(st, i++, a->heap.glibc_build_id);
        if (s->page_size)
                db_sql_bind_u64(st, i, s->page_size);
        i++;
        sqlite3_bind_int(st, i++, s->signal);
        if (s->pause_ms >= 0)
                sqlite3_bind_double(st, i, s->pause_ms);
        i++;
        db_sql_bind_text(st, i++, a->opt.core_path);
        db_sql_bind_u64(st, i++, a->core.size);
        db_sql_bind_u64(st, i++, a->threads.n);
        const int64_t figures[] = { s->vm_rss_kb, s->vm_size_kb, s->vm_data_kb, s->vm_stk_kb, s->vm_exe_kb,
                                    s->vm_lib_kb, s->vm_swap_kb, s->vm_hwm_kb, s->vm_peak_kb, s->vm_pte_kb,
                                    s->rss_anon_kb, s->rss_file_kb, s->rss_shmem_kb };
        for (size_t k = 0; k < ELEMENTSOF(figures); k++)
                db_sql_bind_known(st, i++, figures[k]);
        if (s->ppid > 0)
                sqlite3_bind_int(st, i, s->ppid);
        i++;
        db_sql_bind_text(st, i++, s->comm);
        if (s->cmdline)
                sqlite3_bind_int(st, i, s->cmdline_complete);
        i++;
        return db_sql_step_reset(d, st, "snapshot");
}

static int write_modules(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                        "INSERT INTO modules(id, path, build_id, start, end, load_bias, is_main, file_status,"
                        " debug_file, text_size, data_size, bss_size, deleted, file_build_id, elf_file)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->modules.n; k++) {
                const struct module *m = &a->modules.v[k];
                db_sql_bind_id(st, 1, (int)k);
                db_sql_bind_text(st, 2, m->path);
                db_sql_bind_text(st, 3, m->build_id);
                db_sql_bind_u64(st, 4, m->start);
                db_sql_bind_u64(st, 5, m->end);
                db_sql_bind_u64(st, 6, m->load_bias);
                sqlite3_bind_int(st, 7, m->is_main);
                db_sql_bind_text(st, 8, schema_enum_text(&schema_enum_module_file_status, m->file_status));
                db_sql_bind_text(st, 9, m->debug_file);
                db_sql_bind_known(st, 10, m->text_size);
                db_sql_bind_known(st, 11, m->data_size);
                db_sql_bind_known(st, 12, m->bss_size);
                sqlite3_bind_int(st, 13, m->deleted);
                db_sql_bind_text(st, 14, m->file_build_id);
                db_sql_bind_text(st, 15, m->elf_file);
                if ((r = db_sql_step_reset(d, st, "modules")) < 0)
                        return r;
        }
        return 0;
}

static int write_segments(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                        "INSERT INTO segments(id, start, end, perms, offset, path, deleted, kind, module_id, tid,"
                        " arena_id, in_core, rss_kb, pss_kb, swap_kb, private_dirty_kb, private_clean_kb,"
                        " shared_clean_kb, shared_dirty_kb, anonymous_kb, vm_flags)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->segments.n; k++) {
                const struct segment *s = &a->segments.v[k];
                db_sql_bind_id(st, 1, (int)k);
                db_sql_bind_u64(st, 2, s->start);
                db_sql_bind_u64(st, 3, s->end);
                db_sql_bind_text(st, 4, s->perms);
                db_sql_bind_u64(st, 5, s->offset);
                db_sql_bind_text(st, 6, s->path);
                sqlite3_bind_int(st, 7, s->deleted);
                db_sql_bind_text(st, 8, segment_kind_name(s->kind));
                db_sql_bind_id(st, 9, s->module_id);
                if (s->tid > 0)
                        sqlite3_bind_int(st, 10, s->tid);
                db_sql_bind_id(st, 11, s->arena_id);
                db_sql_bind_u64(st, 12, s->in_core);
                db_sql_bind_known(st, 13, s->rss_kb);
                db_sql_bind_known(st, 14, s->pss_kb);
                db_sql_bind_known(st, 15, s->swap_kb);
                db_sql_bind_known(st, 16, s->private_dirty_kb);
                db_sql_bind_known(st, 17, s->private_clean_kb);
                db_sql_bind_known(st, 18, s->shared_clean_kb);
                db_sql_bind_known(st, 19, s->shared_dirty_kb);
                db_sql_bind_known(st, 20, s->anonymous_kb);
                db_sql_bind_text(st, 21, s->vm_flags);
                if ((r = db_sql_step_reset(d, st, "segments")) < 0)
                        return r;
        }
        return 0;
}

static int write_threads(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                        "INSERT OR REPLACE INTO threads(tid, name, is_main, pc, sp, fs_base, signal, stack_segment,"
                        " frames, unwind_stop) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->threads.n; k++) {
                const struct thread *t = &a->threads.v[k];
                sqlite3_bind_int(st, 1, t->tid);
                db_sql_bind_text(st, 2, t->name);
                sqlite3_bind_int(st, 3, t->is_main);
                db_sql_bind_u64(st, 4, t->pc);
                db_sql_bind_u64(st, 5, t->sp);
                db_sql_bind_u64(st, 6, t->fs_base);
                sqlite3_bind_int(st, 7, t->signal);
                db_sql_bind_id(st, 8, analysis_thread_stack(a, k));
                sqlite3_bind_int(st, 9, t->nframes);
                db_sql_bind_text(st, 10, t->unwind_stop);
                if ((r = db_sql_step_reset(d, st, "threads")) < 0)
                        return r;
        }
        return 0;
}

static int write_frames(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                        "INSERT OR REPLACE INTO frames(tid, depth, pc, module_id, function, symbol, offset, source_file, line)"
                        " VALUES (?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->threads.nframes; k++) {
                const struct frame *f = &a->threads.frames[k];
                sqlite3_bind_int(st, 1, f->tid);
                sqlite3_bind_int(st, 2, f->depth);
                db_sql_bind_u64(st, 3, f->pc);
                db_sql_bind_id(st, 4, f->module_id);
                db_sql_bind_text(st, 5, f->function);
                db_sql_bind_text(st, 6, f->symbol);
                if (f->function)
                        db_sql_bind_u64(st, 7, f->offset);
                db_sql_bind_text(st, 8, f->source_file);
                if (f->line > 0)
                        sqlite3_bind_int(st, 9, f->line);
                if ((r = db_sql_step_reset(d, st, "frames")) < 0)
                        return r;
        }

        _cleanup_(sqlite3_finalizep) sqlite3_stmt *live = NULL;
        r = db_sql_prepare(d,
                    "INSERT OR REPLACE INTO live_frames(tid, depth, pc, function, symbol, offset, module) VALUES (?,?,?,?,?,?,?)",
                    &live);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->threads.nlive_frames; k++) {
                const struct live_frame *f = &a->threads.live_frames[k];
                sqlite3_bind_int(live, 1, f->tid);
                sqlite3_bind_int(live, 2, f->depth);
                db_sql_bind_u64(live, 3, f->pc);
                db_sql_bind_text(live, 4, f->function);
                db_sql_bind_text(live, 5, f->symbol);
                if (f->function)
                        db_sql_bind_u64(live, 6, f->offset);
                db_sql_bind_text(live, 7, f->module);
                if ((r = db_sql_step_reset(d, live, "live_frames")) < 0)
                        return r;
        }
        return 0;
}

/* The owners stage's root holders: one row each, id = index + 1. */
static int write_roots(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                        "INSERT INTO roots(id, kind, tid, module_id, symbol, symbol_offset, frame_depth, function, register,"
                        " segment_id, name, conservative, blocks, retained) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->owners.nholders; k++) {
                const struct root_holder *h = &a->owners.holders[k];
                sqlite3_bind_int64(st, 1, (sqlite3_int64)k + 1);
                db_sql_bind_text(st, 2, schema_enum_text(&schema_enum_root_kind, h->kind));
                if (h->tid > 0)
                        sqlite3_bind_int(st, 3, h->tid);
                db_sql_bind_id(st, 4, h->module_id);
                if (h->symbol) {
                        db_sql_bind_text(st, 5, h->symbol);
                        db_sql_bind_u64(st, 6, h->symbol_offset);
                }
                if (h->frame_depth >= 0)
                        sqlite3_bind_int(st, 7, h->frame_depth);
                db_sql_bind_text(st, 8, h->function);
                db_sql_bind_text(st, 9, h->reg);
                db_sql_bind_id(st, 10, h->segment_id);
                db_sql_bind_text(st, 11, h->name);
                sqlite3_bind_int(st, 12, h->conservative);
                db_sql_bind_u64(st, 13, h->blocks);
                db_sql_bind_u64(st, 14, h->retained);
                if ((r = db_sql_step_reset(d, st, "roots")) < 0)
                        return r;
        }
        return 0;
}

static int write_heap_tables(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *ar = NULL, *hp = NULL, *tc = NULL, *ty = NULL;
        int r;

        if ((r = db_sql_prepare(d,
                         "INSERT INTO arenas(id, address, is_main, top, top_size, system_mem, max_system_mem, next,"
                         " heaps, found_by, mutex, flags, attached_threads) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         &ar)) < 0)
                return r;
        for (size_t k = 0; k < a->heap.narenas; k++) {
                const struct arena *x = &a->heap.arenas[k];
                db_sql_bind_id(ar, 1, (int)k);
                db_sql_bind_u64(ar, 2, x->address);
                sqlite3_bind_int(ar, 3, x->is_main);
                db_sql_bind_u64(ar, 4, x->top);
                db_sql_bind_u64(ar, 5, x->top_size);
                db_sql_bind_u64(ar, 6, x->system_mem);
                db_sql_bind_u64(ar, 7, x->max_system_mem);
                db_sql_bind_u64(ar, 8, x->next);
                sqlite3_bind_int(ar, 9, x->heaps);
                db_sql_bind_text(ar, 10, x->found_by);
                sqlite3_bind_int64(ar, 11, x->mutex);
                sqlite3_bind_int64(ar, 12, x->flags);
                db_sql_bind_u64(ar, 13, x->attached_threads);
                if ((r = db_sql_step_reset(d, ar, "arenas")) < 0)
                        return r;
        }

        if ((r = db_sql_prepare(d,
                         "INSERT INTO heaps(id, arena_id, address, size, mprotect_size, prev) VALUES (?,?,?,?,?,?)",
                         &hp)) < 0)
                return r;
        for (size_t k = 0; k < a->heap.nheaps; k++) {
                const struct heap *h = &a->heap.heaps[k];
                db_sql_bind_id(hp, 1, (int)k);
                db_sql_bind_id(hp, 2, h->arena_id);
                db_sql_bind_u64(hp, 3, h->address);
                db_sql_bind_u64(hp, 4, h->size);
                db_sql_bind_u64(hp, 5, h->mprotect_size);
                db_sql_bind_u64(hp, 6, h->prev);
                if ((r = db_sql_step_reset(d, hp, "heaps")) < 0)
                        return r;
        }

        if ((r = db_sql_prepare(d, "INSERT INTO tcaches(id, tid, address, arena_id, found_by, entries) VALUES (?,?,?,?,?,?)",
                         &tc)) < 0)
                return r;
        for (size_t k = 0; k < a->heap.ntcaches; k++) {
                const struct tcache *t = &a->heap.tcaches[k];
                db_sql_bind_id(tc, 1, (int)k);
                if (t->tid > 0)
                        sqlite3_bind_int(tc, 2, t->tid);
                db_sql_bind_u64(tc, 3, t->address);
                db_sql_bind_id(tc, 4, t->arena_id);
                db_sql_bind_text(tc, 5, t->found_by);
                sqlite3_bind_int(tc, 6, (int)t->entries);
                if ((r = db_sql_step_reset(d, tc, "tcaches")) < 0)
                        return r;
        }

        if ((r = db_sql_prepare(d, "INSERT INTO types(id, name) VALUES (?,?)", &ty)) < 0)
                return r;
        for (size_t k = 0; k < a->reach.ntypes; k++) {
                db_sql_bind_id(ty, 1, (int)k);
                db_sql_bind_text(ty, 2, a->reach.types[k]);
                if ((r = db_sql_step_reset(d, ty, "types")) < 0)
                        return r;
        }
        return 0;
}

static int write_allocators(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        int r = db_sql_prepare(d,
                               "INSERT INTO allocators(id, name, module_id, state, serves_malloc, walked, evidence)"
                               " VALUES (?,?,?,?,?,?,?)",
                               &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->heap.nallocators; k++) {
                const struct allocator *x = &a->heap.allocators[k];
                db_sql_bind_id(st, 1, (int)k);
                db_sql_bind_text(st, 2, schema_enum_text(&schema_enum_allocator_kind, x->kind));
                db_sql_bind_id(st, 3, x->module_id);
                db_sql_bind_text(st, 4, schema_enum_text(&schema_enum_allocator_state, x->state));
                sqlite3_bind_int(st, 5, x->serves_malloc);
                sqlite3_bind_int(st, 6, x->walked);
                db_sql_bind_text(st, 7, x->evidence && x->evidence[0] ? x->evidence : NULL);
                if ((r = db_sql_step_reset(d, st, "allocators")) < 0)
                        return r;
        }
        return 0;
}

static int write_malloc_par(const struct db *d, const struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        const struct malloc_par_info *m = &a->heap.malloc_par;

        if (!m->found)
                return 0;
        int r = db_sql_prepare(d,
                        "INSERT INTO malloc_par(address, found_by, layout, trim_threshold, top_pad, mmap_threshold,"
                        " arena_test, arena_max, thp_pagesize, hp_pagesize, n_mmaps, n_mmaps_max, max_n_mmaps,"
                        " no_dyn_threshold, mmapped_mem, max_mmapped_mem, sbrk_base, tcache_bins, tcache_max_bytes,"
                        " tcache_count, tcache_unsorted_limit) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &st);
        if (r < 0)
                return r;
        int i = 1;
        db_sql_bind_u64(st, i++, m->address);
        db_sql_bind_text(st, i++, m->found_by);
        db_sql_bind_text(st, i++, m->layout);
        const uint64_t head[] = { m->trim_threshold, m->top_pad, m->mmap_threshold, m->arena_test, m->arena_max };
        for (size_t k = 0; k < ELEMENTSOF(head); k++)
                db_sql_bind_u64(st, i++, head[k]);
        db_sql_bind_known(st, i++, m->thp_pagesize);
        db_sql_bind_known(st, i++, m->hp_pagesize);
        const int64_t counts[] = { m->n_mmaps, m->n_mmaps_max, m->max_n_mmaps, m->no_dyn_threshold };
        for (size_t k = 0; k < ELEMENTSOF(counts); k++)
                sqlite3_bind_int64(st, i++, counts[k]);
        const uint64_t tail[] = { m->mmapped_mem, m->max_mmapped_mem, m->sbrk_base, m->tcache_bins,
                                  m->tcache_max_bytes, m->tcache_count, m->tcache_unsorted_limit };
        for (size_t k = 0; k < ELEMENTSOF(tail); k++)
                db_sql_bind_u64(st, i++, tail[k]);
        return db_sql_step_reset(d, st, "malloc_par");
}

static int write_warnings(const struct db *d, struct analysis *a)
{
        _cleanup_(sqlite3_finalizep) sqlite3_stmt *st = NULL;
        warnings_finish(&a->warnings);
        int r = db_sql_prepare(d, "INSERT INTO warnings(stage, address, message) VALUES (?,?,?)", &st);
        if (r < 0)
                return r;
        for (size_t k = 0; k < a->warnings.n; k++) {
                const struct warning *w = &a->warnings.v[k];
                db_sql_bind_text(st, 1, w->stage);
                if (w->address)
                        db_sql_bind_u64(st, 2, w->address);
                db_sql_bind_text(st, 3, w->message);
                if ((r = db_sql_step_reset(d, st, "warnings")) < 0)
                        return r;
        }
        return 0;
}

/* CPUs this process may run on: a second thread helps only with a second CPU. */
static long cpus_available(void)
{
        cpu_set_t set;
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
                return CPU_COUNT(&set);
        return sysconf(_SC_NPROCESSORS_ONLN);
}

static int write_all(const struct db *d, struct analysis *a)
{
        _cleanup_(progress_end) struct progress p;
        _cleanup_(db_side_close) struct db_side side = { 0 };
        struct laps laps;
        int r;

        laps_begin(&laps);
        /* Only the file is locked for good: the batches attached one by one stay free for their writer. */
        if ((r = db_sql_exec(d, DB_SETTINGS " PRAGMA main.locking_mode = EXCLUSIVE; PRAGMA temp_store = FILE;", "settings")) < 0 ||
            (r = db_sql_exec(d, schema_sql_schema, "schema")) < 0 || (r = db_sql_exec(d, schema_sql_indexes, "indexes")) < 0)
                return r;

        /* The side thread starts on the chunks at once (db_side.h); this one writes everything else first. */
        if ((r = db_side_start(&side, a, d, cpus_available())) < 0)
                return r;
        progress_begin(&p, "database", a->reach.nrefs + a->heap.nchunks, false, a->opt.quiet);
        if ((r = db_sql_exec(d, "BEGIN", "begin")) < 0)
                return r;
        if ((r = write_meta(d, a)) < 0 || (r = write_snapshot(d, a)) < 0 || (r = write_modules(d, a)) < 0 ||
            (r = write_segments(d, a)) < 0 || (r = write_threads(d, a)) < 0 || (r = write_frames(d, a)) < 0 ||
            (r = write_allocators(d, a)) < 0 || (r = write_heap_tables(d, a)) < 0 || (r = write_malloc_par(d, a)) < 0 || (r = db_jemalloc_write(d, a)) < 0 || (r = db_tcmalloc_write(d, a)) < 0 || (r = write_roots(d, a)) < 0 || (r = write_warnings(d, a)) < 0 ||
            (r = db_sql_exec(d, "COMMIT", "commit")) < 0)
                return r;
        lap(&laps, "small tables");
        /*
         * Each big step is a transaction of its own: batches of chunks can
         * be attached only between transactions.  With the journal off and
         * the file a temporary until the rename, a failure anywhere means
         * the file is deleted, so nothing depends on one transaction.
         */
        _cleanup_(sqlite3_freep) char *rebuild = NULL;
        size_t nrefs = a->reach.nrefs;
        if ((r = db_rows_refs(d, a, &p, 0, &rebuild)) < 0)
                return r;
        /* The refs are in the file now: their memory goes back before the index sort takes its own. */
        free(a->reach.refs);
        a->reach.refs = NULL;
        a->reach.nrefs = 0;
        free(a->owners.root_refs);
        a->owners.root_refs = NULL;
        a->owners.nroot_refs = 0;
        if ((r = db_sql_exec(d, rebuild, "refs indexes")) < 0)
                return r;
        db_sql_writeback(d);
        lap(&laps, "refs");
        if ((r = db_side_write(&side, d, &p, nrefs)) < 0)
                return r;
        progress_update(&p, nrefs + a->heap.nchunks);
        lap(&laps, "chunks");

        /* The views: every embedded file but the schema and the indexes. */
        for (size_t k = 0; k < schema_sql_files_count; k++) {
                const struct schema_sql_file *f = &schema_sql_files[k];
                if (strcmp(f->name, "schema") != 0 && strcmp(f->name, "indexes") != 0 &&
                    (r = db_sql_exec(d, f->text, f->name)) < 0)
                        return r;
        }
        /* Statistics from a sample of each index: a full ANALYZE reads every row again. */
        r = db_sql_exec(d, "PRAGMA analysis_limit = 1000; ANALYZE", "analyze");
        lap(&laps, "views and statistics");
        return r;
}

int db_write_open(struct analysis *a)
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
                /*
                 * URI names are on, to attach batches of chunks; a plain
                 * name that happens to start with "file:" is kept plain.
                 */
                _cleanup_(sqlite3_freep) char *name = sqlite3_mprintf(
                        "%s%s", strncmp(a->out.tmp_path, "file:", 5) == 0 ? "./" : "", a->out.tmp_path);
                if (!name)
                        return log_error_errno(ENOMEM, "cannot create database '%s': %m", a->opt.db_path);
                /* Each connection is used by one thread at a time: no per-call locking (SQLITE_OPEN_NOMUTEX). */
                if (sqlite3_open_v2(name, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
                    SQLITE_OK)
                        return log_error_errno(EIO, "cannot create database '%s': %s", a->opt.db_path,
                                               db ? sqlite3_errmsg(db) : "out of memory");
                struct db d = { .db = db, .path = a->opt.db_path, .fd = a->out.fd };
                r = write_all(&d, a);
                if (r < 0)
                        return r;
                if (sqlite3_close(TAKE_PTR(db)) != SQLITE_OK)
                        return log_error_errno(EIO, "cannot close database '%s'", a->opt.db_path);
        }
        struct laps laps;
        laps_begin(&laps);
        r = atomic_file_commit(&a->out);
        lap(&laps, "sync and rename");
        return r;
}
