/* Implementation of trend_snapshot.h. */
#include "trend_snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "common/text_escape.h"

/* A copy of column i into *out, NULL for SQL NULL; false when memory ran out. */
static bool column_strdup(sqlite3_stmt *st, int i, char **out)
{
        const unsigned char *t = sqlite3_column_text(st, i);
        *out = t ? strdup((const char *)t) : NULL;
        return !t || *out;
}

int trend_snapshot_read(sqlite3 *db, struct db_guard *g, struct trend_snapshot *s)
{
        _cleanup_stmt_ sqlite3_stmt *st = NULL;

        /* julianday reads RFC 3339 with its 'Z'; 2440587.5 is the Julian day of 1970-01-01T00:00Z */
        if (sqlite3_prepare_v2(db,
                               "SELECT pid, exe, captured_at, (julianday(captured_at) - 2440587.5) * 86400.0, "
                               "vm_rss_kb, "
                               "(SELECT build_id FROM modules WHERE is_main ORDER BY id LIMIT 1), "
                               "(SELECT start FROM modules WHERE is_main ORDER BY id LIMIT 1) "
                               "FROM snapshot LIMIT 1",
                               -1, &st, NULL) != SQLITE_OK)
                return log_error_errno(EIO, "cannot read '%s': %s", s->path, db_open_errmsg(db, g));
        int r = sqlite3_step(st);
        if (r == SQLITE_DONE)
                return log_error_errno(EINVAL, "cannot read '%s': its snapshot table is empty", s->path);
        if (r != SQLITE_ROW)
                return log_error_errno(EIO, "cannot read '%s': %s", s->path, db_open_errmsg(db, g));
        s->pid = sqlite3_column_int64(st, 0);
        if (!column_strdup(st, 1, &s->exe) || !column_strdup(st, 2, &s->captured_at) ||
            !column_strdup(st, 5, &s->build_id))
                return log_error_errno(ENOMEM, "cannot read '%s': %m", s->path);
        s->epoch_s = sqlite3_column_type(st, 3) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 3);
        s->vm_rss_kb = sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
        s->main_start = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
        return 0;
}

static bool text_differs(const char *a, const char *b)
{
        return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* 1 when b is another process than a, and what differs in words into why (unless NULL); 0 when one. */
static int process_difference(const struct trend_snapshot *a, const struct trend_snapshot *b, struct strbuf *why)
{
        if (a->pid != b->pid) {
                if (why)
                        strbuf_addf(why, "pid %" PRId64 ", not %" PRId64, b->pid, a->pid);
                return 1;
        }
        if (text_differs(a->exe, b->exe)) {
                if (!why)
                        return 1;
                _cleanup_free_ char *ea = text_escape_display(a->exe ? a->exe : "?");
                _cleanup_free_ char *eb = text_escape_display(b->exe ? b->exe : "?");
                strbuf_addf(why, "executable '%s', not '%s'", eb ? eb : "?", ea ? ea : "?");
                return 1;
        }
        if (a->build_id && b->build_id && strcmp(a->build_id, b->build_id) != 0) {
                if (!why)
                        return 1;
                _cleanup_free_ char *ia = text_escape_display(a->build_id);
                _cleanup_free_ char *ib = text_escape_display(b->build_id);
                strbuf_addf(why, "main module build-id %s, not %s", ib ? ib : "?", ia ? ia : "?");
                return 1;
        }
        if (a->main_start >= 0 && b->main_start >= 0 && a->main_start != b->main_start) {
                if (why)
                        strbuf_addf(why, "main module loaded at 0x%" PRIx64 ", not 0x%" PRIx64 " (the same pid, restarted)",
                            (uint64_t)b->main_start, (uint64_t)a->main_start);
                return 1;
        }
        return 0;
}

int trend_snapshot_check(const struct trend_snapshot *v, size_t n)
{
        size_t ref = 0, best = 0;
        _cleanup_strbuf_ struct strbuf why = STRBUF_INIT;

        /* the process most snapshots show (n is at most TREND_SNAPSHOTS_MAX: n² comparisons of a few fields) */
        for (size_t i = 0; i < n && best * 2 <= n; i++) {
                size_t same = 0;
                for (size_t j = 0; j < n; j++)
                        if (process_difference(&v[i], &v[j], NULL) == 0)
                                same++;
                if (same > best) {
                        best = same;
                        ref = i;
                }
        }
        for (size_t i = 0; i < n; i++) {
                if (process_difference(&v[ref], &v[i], &why) == 0)
                        continue;
                if (strbuf_failed(&why))
                        return log_error_errno(ENOMEM, "cannot compare the snapshots: %m");
                return log_error_errno(EXDEV, "'%s' is a snapshot of another process than '%s'%s: %s; "
                                       "a trend follows one process", v[i].path, v[ref].path,
                                       best > 1 ? " and the others" : "", strbuf_str(&why));
        }
        return 0;
}

static int by_time(const void *p, const void *q)
{
        const struct trend_snapshot *a = p, *b = q;
        if (a->epoch_s != b->epoch_s)
                return a->epoch_s < b->epoch_s ? -1 : 1;
        return a->arg_index < b->arg_index ? -1 : a->arg_index > b->arg_index;
}

void trend_snapshot_order(struct trend_snapshot *v, size_t n, bool *reordered, bool *timed)
{
        bool all = true;
        for (size_t i = 0; i < n; i++)
                all = all && !isnan(v[i].epoch_s);
        *reordered = false;
        *timed = all;
        if (all) {
                qsort_safe(v, n, sizeof(*v), by_time);
                for (size_t i = 0; i < n; i++) {
                        *reordered = *reordered || v[i].arg_index != i;
                        v[i].t_s = v[i].epoch_s - v[0].epoch_s;
                }
        } else
                for (size_t i = 0; i < n; i++)
                        v[i].t_s = (double)i;
}

void trend_snapshot_free(struct trend_snapshot *s)
{
        free(s->path);
        free(s->exe);
        free(s->build_id);
        free(s->captured_at);
        *s = (struct trend_snapshot){ 0 };
}
