/*
 * What the diff needs to know about each snapshot besides its blocks: who
 * the process was (pid, executable, main module's build-id, when), so two
 * different programs are not compared by mistake, and which thread owns
 * which arena, so a new leak can name the thread that likely made it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text_escape.h"
#include "db_open.h"
#include "diff.h"

/* A copy of column i into *out, NULL for SQL NULL; false when memory ran out. */
static bool column_strdup(sqlite3_stmt *st, int i, char **out)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        *out = t ? strdup((const char *)t) : NULL;
        return !t || *out;
}

/*
 * Orders thread_names by tid and arena_threads by arena_id: the key is the
 * first member of both, and a lookup per block is a search, not a pass.
 * Sorted here rather than trusted to ORDER BY: a crafted database may
 * hold keys that are not integers.
 */
static int key_cmp(const void *x, const void *y)
{
        int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
        return a < b ? -1 : a > b;
}

static int prepare(sqlite3 *db, struct db_guard *g, const char *sql, const char *path, sqlite3_stmt **st)
{
        if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read '%s': %s", path, db_open_errmsg(db, g));
        return 0;
}

static int side_read(sqlite3 *db, struct db_guard *g, const char *schema, struct diff_side *s)
{
        char sql[512];
        int r;

        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                snprintf(sql, sizeof(sql),
                         "SELECT pid, exe, captured_at, source, "
                         "(SELECT build_id FROM \"%1$s\".modules WHERE is_main ORDER BY id LIMIT 1) "
                         "FROM \"%1$s\".snapshot LIMIT 1", schema);
                if ((r = prepare(db, g, sql, s->path, &st)) < 0)
                        return r;
                r = sqlite3_step(st);
                if (r == SQLITE_ROW) {
                        s->pid = sqlite3_column_int64(st, 0);
                        if (!column_strdup(st, 1, &s->exe) || !column_strdup(st, 2, &s->captured_at) ||
                            !column_strdup(st, 3, &s->source) || !column_strdup(st, 4, &s->build_id))
                                return log_error_errno(ENOMEM, "cannot read '%s': %m", s->path);
                } else if (r != SQLITE_DONE)
                        return log_error_errno(EIO, "cannot read '%s': %s", s->path, db_open_errmsg(db, g));
        }
        {
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                snprintf(sql, sizeof(sql), "SELECT tid, name FROM \"%s\".threads ORDER BY tid LIMIT %d", schema,
                         DIFF_THREADS_MAX);
                if ((r = prepare(db, g, sql, s->path, &st)) < 0)
                        return r;
                size_t cap = 0;
                while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                        if (ARRAY_RESERVE(s->thread_names, cap, s->nthread_names + 1) < 0)
                                return log_error_errno(ENOMEM, "cannot read '%s': %m", s->path);
                        s->thread_names[s->nthread_names].tid = sqlite3_column_int64(st, 0);
                        if (!column_strdup(st, 1, &s->thread_names[s->nthread_names++].name))
                                return log_error_errno(ENOMEM, "cannot read '%s': %m", s->path);
                }
                if (r != SQLITE_DONE)
                        return log_error_errno(EIO, "cannot read '%s': %s", s->path, db_open_errmsg(db, g));
                qsort_safe(s->thread_names, s->nthread_names, sizeof(*s->thread_names), key_cmp);
                s->threads = (int64_t)s->nthread_names;
                if (s->nthread_names == 1)
                        s->only_thread = s->thread_names[0].tid;
        }
        {
                /* an arena whose tcaches all belong to one thread is that thread's */
                _cleanup_stmt_ sqlite3_stmt *st = NULL;
                snprintf(sql, sizeof(sql),
                         "SELECT arena_id, min(tid) FROM \"%s\".tcaches "
                         "WHERE tid > 0 AND arena_id IS NOT NULL GROUP BY arena_id "
                         "HAVING count(DISTINCT tid) = 1 ORDER BY arena_id LIMIT %d", schema, DIFF_THREADS_MAX);
                if ((r = prepare(db, g, sql, s->path, &st)) < 0)
                        return r;
                size_t cap = 0;
                while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                        if (ARRAY_RESERVE(s->arena_threads, cap, s->narena_threads + 1) < 0)
                                return log_error_errno(ENOMEM, "cannot read '%s': %m", s->path);
                        s->arena_threads[s->narena_threads].arena_id = sqlite3_column_int64(st, 0);
                        s->arena_threads[s->narena_threads].tid = sqlite3_column_int64(st, 1);
                        s->narena_threads++;
                }
                if (r != SQLITE_DONE)
                        return log_error_errno(EIO, "cannot read '%s': %s", s->path, db_open_errmsg(db, g));
                qsort_safe(s->arena_threads, s->narena_threads, sizeof(*s->arena_threads), key_cmp);
        }
        return 0;
}

int64_t diff_side_chunk_thread(const struct diff_side *s, const struct diff_chunk *c)
{
        if (s->only_thread)
                return s->only_thread;
        if (c->arena_id < 0 || !s->narena_threads)
                return 0;
        const __typeof__(*s->arena_threads) *at =
                bsearch(&c->arena_id, s->arena_threads, s->narena_threads, sizeof(*s->arena_threads), key_cmp);
        return at ? at->tid : 0;
}

const char *diff_side_thread_name(const struct diff_side *s, int64_t tid)
{
        if (!s->nthread_names)
                return NULL;
        const __typeof__(*s->thread_names) *tn =
                bsearch(&tid, s->thread_names, s->nthread_names, sizeof(*s->thread_names), key_cmp);
        return tn ? tn->name : NULL;
}

static bool differ(const char *a, const char *b) { return a && b && strcmp(a, b) != 0; }

int diff_side_check_same_program(sqlite3 *db, struct diff *d, bool force)
{
        int r;

        r = side_read(db, &d->guard, "a", &d->before);
        if (r < 0)
                return r;
        r = side_read(db, &d->guard, "b", &d->after);
        if (r < 0)
                return r;

        const struct diff_side *a = &d->before, *b = &d->after;
        _cleanup_strbuf_ struct strbuf why = STRBUF_INIT;
        if (differ(a->build_id, b->build_id)) {
                /* names from the files: escaped before they reach a terminal */
                _cleanup_free_ char *ida = text_escape_display(a->build_id);
                _cleanup_free_ char *idb = text_escape_display(b->build_id);
                strbuf_addf(&why, "the main module's build-id is %s in '%s' and %s in '%s'",
                         ida ? ida : "?", a->path, idb ? idb : "?", b->path);
        } else if (!(a->build_id && b->build_id) && differ(a->exe, b->exe)) {
                _cleanup_free_ char *exa = text_escape_display(a->exe);
                _cleanup_free_ char *exb = text_escape_display(b->exe);
                strbuf_addf(&why, "the executable is '%s' in '%s' and '%s' in '%s'", exa ? exa : "?", a->path,
                            exb ? exb : "?", b->path);
        }
        if (strbuf_failed(&why))
                return log_error_errno(ENOMEM, "cannot compare '%s' and '%s': %m", a->path, b->path);
        if (why.len > 0) {
                if (!force)
                        return log_error_errno(EXDEV, "'%s' and '%s' are snapshots of different programs: %s; "
                                               "use --force to compare them anyway", a->path, b->path, strbuf_str(&why));
                log_warning("comparing snapshots of different programs: %s", strbuf_str(&why));
        }
        if (a->captured_at && b->captured_at && strcmp(a->captured_at, b->captured_at) > 0)
                log_warning("'%s' was captured after '%s': the diff reads from the first to the second",
                            a->path, b->path);
        return 0;
}
