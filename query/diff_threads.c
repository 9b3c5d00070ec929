/*
 * The threads part of a diff: threads that appeared or ended.  Within one
 * process a thread is its tid; across a restart (the pids differ) tids mean
 * nothing, so threads pair by name ("worker" to "worker") instead.
 * Each is shown with its first frame in the main program (else the
 * innermost named frame), the best one-word answer to "what is it doing".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/log.h"
#include "db_open.h"
#include "diff.h"

struct thread_list {
        struct diff_thread *v;
        bool *matched;
        size_t n;
};

static void thread_list_free(struct thread_list *l)
{
        for (size_t i = 0; i < l->n; i++) {
                free(l->v[i].name);
                free(l->v[i].function);
        }
        free(l->v);
        free(l->matched);
}

static int threads_load(sqlite3 *db, struct db_guard *g, const char *schema, const char *path, struct thread_list *l)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;
        char sql[1024];
        size_t cap = 0;
        int r;

        snprintf(sql, sizeof(sql),
                 "SELECT t.tid, t.name, COALESCE("
                 " (SELECT f.function FROM \"%1$s\".frames f JOIN \"%1$s\".modules m ON m.id = f.module_id"
                 "  WHERE f.tid = t.tid AND m.is_main AND f.function IS NOT NULL ORDER BY f.depth LIMIT 1),"
                 " (SELECT f.function FROM \"%1$s\".frames f"
                 "  WHERE f.tid = t.tid AND f.function IS NOT NULL ORDER BY f.depth LIMIT 1),"
                 " (SELECT l.function FROM \"%1$s\".live_frames l"
                 "  WHERE l.tid = t.tid AND l.function IS NOT NULL ORDER BY l.depth LIMIT 1)) "
                 "FROM \"%1$s\".threads t ORDER BY t.tid LIMIT %2$d", schema, DIFF_THREADS_MAX);
        if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read the threads of '%s': %s", path, db_open_errmsg(db, g));
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
                if (ARRAY_RESERVE(l->v, cap, l->n + 1) < 0)
                        return log_error_errno(ENOMEM, "cannot read the threads of '%s': %m", path);
                const unsigned char *name = sqlite3_column_text(st, 1), *fn = sqlite3_column_text(st, 2);
                struct diff_thread *t = &l->v[l->n++];
                *t = (struct diff_thread){
                        .tid = sqlite3_column_int64(st, 0),
                        .name = name ? strdup((const char *)name) : NULL,
                        .function = fn ? strdup((const char *)fn) : NULL,
                };
                if ((name && !t->name) || (fn && !t->function))
                        return log_error_errno(ENOMEM, "cannot read the threads of '%s': %m", path);
        }
        if (r != SQLITE_DONE)
                return log_error_errno(EIO, "cannot read the threads of '%s': %s", path, db_open_errmsg(db, g));
        l->matched = calloc(l->n + 1, sizeof(bool));
        if (!l->matched)
                return log_error_errno(ENOMEM, "cannot read the threads of '%s': %m", path);
        return 0;
}

static int by_tid(const void *p, const void *q)
{
        const struct diff_thread *a = p, *b = q;
        return a->tid < b->tid ? -1 : a->tid > b->tid;
}

static int by_name(const void *p, const void *q)
{
        const struct diff_thread *a = p, *b = q;
        int c = strcmp(a->name ? a->name : "", b->name ? b->name : "");
        return c ? c : by_tid(p, q);
}

int diff_threads(sqlite3 *db, struct diff *d)
{
        struct thread_list a = { 0 }, b = { 0 };
        int (*cmp)(const void *, const void *) = d->before.pid == d->after.pid ? by_tid : by_name;
        int r;

        r = threads_load(db, &d->guard, "a", d->before.path, &a);
        if (r == 0)
                r = threads_load(db, &d->guard, "b", d->after.path, &b);
        if (r == 0) {
                qsort_safe(a.v, a.n, sizeof(*a.v), cmp);
                qsort_safe(b.v, b.n, sizeof(*b.v), cmp);
                /* pair equal keys in order: a name that two threads share pairs twice */
                for (size_t i = 0, j = 0; i < a.n && j < b.n;) {
                        int c = cmp == by_tid ? by_tid(&a.v[i], &b.v[j])
                                              : strcmp(a.v[i].name ? a.v[i].name : "", b.v[j].name ? b.v[j].name : "");
                        if (c < 0)
                                i++;
                        else if (c > 0)
                                j++;
                        else
                                a.matched[i++] = b.matched[j++] = true;
                }
                d->threads = calloc(a.n + b.n + 1, sizeof(*d->threads));
                if (!d->threads)
                        r = log_error_errno(ENOMEM, "cannot compare threads: %m");
        }
        /* hand the unmatched over: removed, then added, each in tid order */
        for (int side = 0; r == 0 && side < 2; side++) {
                struct thread_list *l = side ? &b : &a;
                size_t first = d->nthreads;
                for (size_t i = 0; i < l->n; i++) {
                        if (l->matched[i])
                                continue;
                        d->threads[d->nthreads] = l->v[i];
                        d->threads[d->nthreads].added = side == 1;
                        d->nthreads++;
                        l->v[i].name = l->v[i].function = NULL;
                }
                qsort_safe(d->threads + first, d->nthreads - first, sizeof(*d->threads), by_tid);
        }
        thread_list_free(&a);
        thread_list_free(&b);
        return r;
}
