/*
 * The diff's frame: opening the two snapshots side by side, and freeing
 * the model.  The parts are computed in diff_side.c, diff_chunks.c (with
 * diff_stream.c and diff_growth.c), diff_segments.c and diff_threads.c.
 */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>

#include "common/log.h"
#include "db_open.h"

int diff_open(const char *before, const char *after, struct db_guard *g, sqlite3 **ret)
{
        _cleanup_sqlite3_ sqlite3 *db = NULL;

        /* checks the files first, so a typo is named before SQLite is involved */
        if (db_open_check_file(before) < 0 || db_open_check_file(after) < 0)
                return -EINVAL;
        /* an empty read-only connection; both snapshots attach to it under fixed names */
        int r = sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
        if (r != SQLITE_OK)
                return log_error_errno(ENOMEM, "cannot open a database connection: %s", sqlite3_errstr(r));
        r = db_open_attach_readonly(db, before, "a");
        if (r < 0)
                return r;
        r = db_open_attach_readonly(db, after, "b");
        if (r < 0)
                return r;
        /* after the ATTACHes, which the guard's authorizer refuses */
        r = db_guard_install(db, g);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(db);
        return 0;
}

static void chunk_free(struct diff_chunk *c) { free(c->type); }

static void side_free(struct diff_side *s)
{
        free(s->exe);
        free(s->captured_at);
        free(s->source);
        free(s->build_id);
        free(s->arena_threads);
        for (size_t i = 0; i < s->nthread_names; i++)
                free(s->thread_names[i].name);
        free(s->thread_names);
}

void diff_free(struct diff *d)
{
        side_free(&d->before);
        side_free(&d->after);
        for (size_t i = 0; i < d->nadded; i++)
                chunk_free(&d->added[i]);
        free(d->added);
        for (size_t i = 0; i < d->nremoved; i++)
                chunk_free(&d->removed[i]);
        free(d->removed);
        for (size_t i = 0; i < d->nchanged; i++) {
                chunk_free(&d->changed[i].before);
                chunk_free(&d->changed[i].after);
        }
        free(d->changed);
        for (size_t i = 0; i < d->nleaks; i++)
                chunk_free(&d->leaks[i].c);
        free(d->leaks);
        for (size_t i = 0; i < d->ngrowth; i++) {
                free(d->growth[i].key);
                free(d->growth[i].type);
        }
        free(d->growth);
        for (size_t i = 0; i < d->nsegments; i++) {
                struct diff_segment *s[] = { &d->segments[i].before, &d->segments[i].after };
                for (size_t k = 0; k < 2; k++) {
                        free(s[k]->kind);
                        free(s[k]->path);
                }
        }
        free(d->segments);
        for (size_t i = 0; i < d->nkinds; i++)
                free(d->kinds[i].kind);
        free(d->kinds);
        for (size_t i = 0; i < d->nthreads; i++) {
                free(d->threads[i].name);
                free(d->threads[i].function);
        }
        free(d->threads);
        for (size_t i = 0; i < d->nowners; i++) {
                free(d->owners[i].key);
                free(d->owners[i].name);
                free(d->owners[i].kind);
        }
        free(d->owners);
        *d = (struct diff){ .keep = d->keep, .guard = d->guard, .max_steps = d->max_steps };
}
